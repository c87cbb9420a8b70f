#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# class 4 of issue 13 (matching on facts the attacker controls): a hook that claims to be ours.
# hardshim's own createRuntime hook that runs both the devices deny and the egress install
# (`hardshim hook devices-egress`, written by `run` and `restore`) is admitted without a policy
# entry only exactly as hardshim writes it. A config that brings its own, to have hardshim
# run as root on the host with the config's arguments (a wider egress), under another binary,
# or with an environment (LD_PRELOAD from the image), is refused at the hook's JSON path, by
# `run` as by `create`, and the runtime never gets a container.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# forge JQ-HOOK: the config's createRuntime hooks are exactly that one hook ($b: hardshim).
forge() {
	hs_config ".hooks.createRuntime = [$1]" --arg b "$HS_BIN"
}

# run_refused RULE PATH: `hardshim run` refuses with RULE at PATH; no container.
run_refused() {
	local id
	id=$(rt_id)
	run hs_run "$id"
	echo "$output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" == *"$1: $2"* ]]
	! hs_rt_direct state "$id" >/dev/null 2>&1 || false
}

forged_combined() {
	rt_begin "$1"
	rt_inside_probe 'echo ran'
	# one argument more than the egress section in force: egress allowed everywhere. The
	# bare runtime runs it, as root on the host, and starts the container
	forge '{path: $b, args: ["hardshim", "hook", "devices-egress", "c 10:200 rwm", "c 5:1 rwm",
		"--default", "deny", "--allow", "0.0.0.0/0"], timeout: 10}'
	rt_works_direct '[ "$RT_STATUS" = 0 ] && [ "$RT_OUT" = ran ]'
	rt_refused hooks.not-allowlisted 'hooks.createRuntime[0].path'
	run_refused hooks.not-allowlisted 'hooks.createRuntime[0].path'
	# the shape hardshim writes, under another binary
	forge '{path: "/usr/bin/env", args: ["hardshim", "hook", "devices-egress", "c 10:200 rwm",
		"c 5:1 rwm", "--default", "deny"], timeout: 10}'
	run_refused hooks.not-allowlisted 'hooks.createRuntime[0].path'
	# ...or with an environment: the image's library preloaded into hardshim as root
	forge '{path: $b, args: ["hardshim", "hook", "devices-egress", "c 10:200 rwm", "c 5:1 rwm",
		"--default", "deny"], env: ["LD_PRELOAD=/tmp/x.so"], timeout: 10}'
	run_refused hooks.not-allowlisted 'hooks.createRuntime[0].path'
}
@test "runc: a config's own hardshim hook devices-egress (extra arg, other binary, env) is refused" { forged_combined runc; }
@test "crun: a config's own hardshim hook devices-egress (extra arg, other binary, env) is refused" { forged_combined crun; }
