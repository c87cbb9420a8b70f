# SPDX-License-Identifier: Apache-2.0
# The red-team suite's helpers (tests/redteam/*.bats). An attack is a config (or command line)
# written as an attacker who has read hardshim's source would write it. Each attack is one
# function taking the runtime's short name, and runs twice, once per runtime:
#
#   load ../lib/bundle
#   load ../lib/redteam
#   setup()    { rt_setup; }
#   teardown() { rt_teardown; }
#
#   over_proc_sys() {                       # $1: runc or crun
#       rt_begin "$1"                       # bundle + the shipped default policy, for $1
#       ln -s /proc "$HS_BUNDLE/rootfs/x"   # what the image ships
#       hs_config '.mounts += [{"destination": "/x/sys", "type": "tmpfs", "source": "tmpfs"}]'
#       rt_inside_probe 'grep -c " /proc/sys " /proc/self/mountinfo'   # what the attack gets
#       rt_works_direct '[ "$RT_OUT" != 0 ]'   # the attack is real: the bare runtime gives it
#       rt_refused mounts.destination-system 'mounts[10].destination'   # hardshim stops it
#   }
#   @test "runc: a symlink in the image turns a tmpfs at /x/sys into one over /proc/sys" { over_proc_sys runc; }
#   @test "crun: a symlink in the image turns a tmpfs at /x/sys into one over /proc/sys" { over_proc_sys crun; }
#
# Rules of the suite (tests/redteam/suite.bats checks the first two):
# - Every attack has a "runc: NAME" and a "crun: NAME" test with the same NAME.
# - Every file starts with a comment naming the class of issue 13 it attacks.
# - The verdict is observed, never assumed: either hardshim refuses at create (rt_refused:
#   non-zero, the rule and JSON path named, and the runtime has no such container), or the
#   container runs and a probe from inside it or from /proc shows the attack got nothing
#   (rt_neutralised).
# - Where the attack can be shown to work against the bare runtime on this machine, show it
#   (rt_works_direct): then the test fails the day hardshim stops stopping it, and it cannot
#   pass because the attack was broken in the first place.
# shellcheck shell=bash

# rt_setup: per-test directories (call from setup()); the runtime is chosen per attack.
rt_setup() {
	hs_setup runc
	RT_N=0
}

rt_teardown() {
	hs_teardown
	# a mount an attack made on the host (never expected: this catches a leak)
	if [ -n "${RT_HOST_MOUNTS:-}" ]; then
		local m
		for m in $RT_HOST_MOUNTS; do
			mountpoint -q "$m" && umount -l "$m"
		done
	fi
	return 0
}

# rt_begin RUNTIME [JQ-FILTER...]: a fresh busybox bundle ($HS_BUNDLE, config in $HS_CONFIG)
# and the shipped default policy (profiles/policy/default.json) naming RUNTIME, optionally
# edited by a jq filter. The default policy is the one an attacker faces.
rt_begin() {
	hs_use_runtime "$1" || return 1
	hs_policy_default "${@:2}" || return 1
	hs_bundle || return 1
}

# rt_id: a fresh container id for this test (runtime and a counter in it, unique per test run).
rt_id() {
	RT_N=$((RT_N + 1))
	RT_ID="rt-$HS_RUNTIME-$BATS_TEST_NUMBER-$RT_N-$$"
	echo "$RT_ID"
}

# rt_inside_probe CMD: what the container runs (sh -c CMD as its process); its stdout is what
# rt_works_direct and rt_neutralised read as $RT_OUT. Runs as the config says (the policy may
# change the user; probe with things a non-root process can read).
rt_inside_probe() {
	hs_args sh -c "$1"
}

# rt_run_probe [direct|hardshim]: run the container once in the foreground, stdout in $RT_OUT,
# stderr in $RT_ERR, exit status in $RT_STATUS.
rt_run_probe() {
	local via=${1:-hardshim} id
	id=$(rt_id)
	RT_STATUS=0
	HS_VIA=$via hs_run "$id" >"$HS_TMP/$id.out" 2>"$HS_TMP/$id.err" || RT_STATUS=$?
	RT_OUT=$(cat "$HS_TMP/$id.out")
	RT_ERR=$(cat "$HS_TMP/$id.err")
	# the container has exited: delete it now (teardown still deletes whatever remains)
	hs_rt_direct delete --force "$id" >/dev/null 2>&1 || true
	printf '# %s via %s: status %s\n# out: %s\n# err: %s\n' "$HS_RUNTIME" "$via" "$RT_STATUS" \
		"$RT_OUT" "$RT_ERR" >&2
}

# rt_works_direct TEST: run the bundle with the bare runtime (no hardshim) and require TEST
# (a shell condition over $RT_OUT and $RT_STATUS) to hold: the attack is real here.
rt_works_direct() {
	rt_run_probe direct
	if ! eval "$1"; then
		echo "the attack does not work against bare $HS_RUNTIME on this machine: $1" >&2
		return 1
	fi
}

# rt_refused RULE [JSON-PATH]: hardshim create refuses, naming RULE (and the JSON path), and
# the runtime never got a container.
rt_refused() {
	local id rc=0 out
	id=$(rt_id)
	hs_track "$id"
	hs_place_config "$id" || return 1
	hs_rt create --bundle "$HS_BUNDLE" "$id" </dev/null >"$HS_TMP/$id.out" 2>&1 || rc=$?
	out=$(cat "$HS_TMP/$id.out")
	printf '# %s via hardshim create: status %s\n# %s\n' "$HS_RUNTIME" "$rc" "$out" >&2
	if [ "$rc" = 0 ]; then
		echo "hardshim admitted the attack (expected refusal by $1)" >&2
		return 1
	fi
	if [[ "$out" != *"$1"* ]]; then
		echo "refused, but not by rule $1" >&2
		return 1
	fi
	if [ -n "${2:-}" ] && [[ "$out" != *"$1: $2"* ]]; then
		echo "refused by $1, but not at $2" >&2
		return 1
	fi
	if hs_rt_direct state "$id" >/dev/null 2>&1; then
		echo "refused, yet $HS_RUNTIME has a container $id" >&2
		return 1
	fi
}

# rt_neutralised TEST: hardshim admits (maybe rewriting) and runs the container; TEST (over
# $RT_OUT, $RT_STATUS) must show from inside that the attack got nothing.
rt_neutralised() {
	rt_run_probe hardshim
	if ! eval "$1"; then
		echo "through hardshim the attack still works: $1 does not hold" >&2
		return 1
	fi
}
