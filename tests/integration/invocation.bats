#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Per-workload policy without trusting annotations: the name hardshim is invoked as
# (hardshim-NAME, a Podman [engine.runtimes] entry or a containerd handler's binary) selects
# NAME.json beside the base policy; and `exec` into a container is judged under the exception
# that applied at its create (found from the runtime's own state, which nothing in the
# container can write), so an exec'd process runs as the container's main process does.
# Each is seen from inside the container, with the opposite asserted.

load ../lib/bundle

setup() { hs_setup runc; }
teardown() { hs_teardown; }

# The shipped policy under another name, with the user control remapping root to 999.
named_policy() { # named_policy NAME
	jq '.controls.user.action = "rewrite" | .controls.user.uid = 999 | .controls.user.gid = 999' \
		"$HARDSHIM_POLICY" >"$HS_TMP/$1.json"
	chmod 0644 "$HS_TMP/$1.json"
	mkdir -p "$HS_TMP/bin"
	ln -sf "$HS_BIN" "$HS_TMP/bin/hardshim-$1"
}

by_name() {
	hs_use_runtime "$1"
	hs_policy_default
	hs_bundle
	hs_config '.process.user = {"uid": 0, "gid": 0}'
	hs_args sh -c 'id -u; id -g'
	named_policy db
	# invoked as hardshim-db: db.json, root becomes 999
	HS_BIN=$HS_TMP/bin/hardshim-db run hs_run n1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '999\n999')" ]
	# opposite: the same bundle through plain hardshim gets the base policy
	run hs_run n2
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '65534\n65534')" ]
	# a name with no policy file is no policy: refused, never the base policy instead
	ln -sf "$HS_BIN" "$HS_TMP/bin/hardshim-nosuch"
	HS_BIN=$HS_TMP/bin/hardshim-nosuch run hs_run n3
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: policy.open: $HS_TMP/nosuch.json: cannot open policy"* ]]
	run hs_rt_direct state n3
	[ "$status" -ne 0 ] # never created
}

@test "invocation: hardshim-NAME runs under NAME.json, beside the base policy (runc)" { by_name runc; }
@test "invocation: hardshim-NAME runs under NAME.json, beside the base policy (crun)" { by_name crun; }

@test "invocation: a name that is not a plain file name is refused before anything runs" {
	hs_policy_default
	mkdir -p "$HS_TMP/bin"
	ln -sf "$HS_BIN" "$HS_TMP/bin/hardshim-.hidden"
	run "$HS_TMP/bin/hardshim-.hidden" --version
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"hardshim: policy.name: hardshim-.hidden: "* ]]
	ln -sf "$HS_BIN" "$HS_TMP/bin/hardshim-a b"
	run "$HS_TMP/bin/hardshim-a b" --version
	[ "$status" -eq 2 ]
	# check, log and the other verbs read the named policy too
	named_policy db
	hs_bundle
	hs_config '.process.user = {"uid": 0, "gid": 0}'
	run "$HS_TMP/bin/hardshim-db" check --format json "$HS_CONFIG"
	[ "$(jq -r '.findings[] | select(.rule == "user.root") | .message' <<<"$output")" = "$(
		"$HS_BIN" check --format json "$HS_CONFIG" | jq -r '.findings[] | select(.rule == "user.root") | .message' | sed 's/65534/999/g')" ]
}

# exec under the create-time exception ------------------------------------------------------

EXC='.exceptions = [{"name": "db",
	"match": {"annotations": {"io.kubernetes.cri.sandbox-namespace": "db"}},
	"controls": {"user": {"action": "rewrite", "uid": 999, "gid": 999}}}]'

STATUS=(grep -E '^(Uid|Gid):' /proc/self/status)
field() { awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ +/, ""); print; exit }' <<<"$output"; }

root_process() { # root_process FILE
	jq -n '{args: ["grep", "-E", "^(Uid|Gid):", "/proc/self/status"], cwd: "/",
		env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' >"$1"
	chmod 0600 "$1"
}

exec_exception() {
	hs_use_runtime "$1"
	hs_policy_default "$EXC"
	hs_bundle
	hs_config '.process.user = {"uid": 0, "gid": 0} | .annotations = {"io.kubernetes.cri.sandbox-namespace": "db"}'
	hs_args sleep 1000
	hs_create_start x1
	hs_wait_state x1 running
	[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$(hs_pid x1)/status")" = 999 ]
	# flag-less exec, -u 0 and a --process file asking for root: the container's 999
	run hs_exec x1 -- "${STATUS[@]}"
	[ "$(field Uid)" = "999 999 999 999" ]
	run hs_exec x1 -u 0 -- "${STATUS[@]}"
	[ "$(field Uid)" = "999 999 999 999" ]
	root_process "$HS_TMP/p.json"
	run hs_exec x1 --process "$HS_TMP/p.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "999 999 999 999" ]
	[ "$(field Gid)" = "999 999 999 999" ]
	# the exec's launch record names the exception
	[ "$(jq -r 'select(.event == "exec") | .findings[]? | .exception' "$HS_LAUNCHES" | sort -u)" = db ]
	# opposite: the base policy's uid for a container created without the annotation
	hs_config 'del(.annotations)'
	hs_create_start x2
	hs_wait_state x2 running
	root_process "$HS_TMP/p2.json"
	run hs_exec x2 --process "$HS_TMP/p2.json"
	[ "$(field Uid)" = "65534 65534 65534 65534" ]
}

@test "invocation: exec is judged under the exception chosen at create (runc)" { exec_exception runc; }
@test "invocation: exec is judged under the exception chosen at create (crun)" { exec_exception crun; }
