#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# exec into a running container through hardshim, with runc and crun: hostile flags (-u 0,
# --cap, --cap=, -c, --no-new-privs=false, --cwd) and hostile --process files, observed from
# inside the exec'd process (/proc/self/status). Each test also runs with the control switched
# off and asserts the opposite, so it fails if the control is removed.

load ../lib/bundle

setup() { hs_setup runc; }
teardown() {
	# cgroups a test made (deepest first), before the runtime removes the container's
	[ ! -s "$HS_TMP/cgroups" ] || tac "$HS_TMP/cgroups" | xargs -r rmdir 2>/dev/null || true
	hs_teardown
}

# A running container started through hardshim under the shipped default policy, then the
# policy for the exec (a jq filter over the default).
running() {
	hs_use_runtime "$1"
	hs_policy_default
	hs_bundle
	hs_args sleep 1000
	hs_create_start e1
	hs_wait_state e1 running
	hs_policy_default "${2:-.}"
}

# The exec'd process reports on itself.
STATUS=(grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status)

# (bats ignores a failing "! cmd" line; a function returning the negation does fail the test)
lacks_cap() { ! hs_cap_has "$1" "$2"; }

field() { # field NAME: the value of NAME in $output (tabs and spaces collapsed)
	awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ +/, ""); print; exit }' <<<"$output"
}

check_user_flag() {
	running "$1"
	for form in "-u 0" "-u 0:0" "--user 0" "--user=0:0"; do
		# shellcheck disable=SC2086
		run hs_exec e1 $form -- "${STATUS[@]}"
		[ "$status" -eq 0 ]
		[ "$(field Uid)" = "65534 65534 65534 65534" ]
	done
	run hs_exec e1 -u 1000:0 -g 0 -- "${STATUS[@]}"
	[ "$(field Uid)" = "1000 1000 1000 1000" ]
	[ "$(field Gid)" = "65534 65534 65534 65534" ]
	[[ " $(field Groups) " != *" 0 "* ]]
	hs_policy_default '.controls.user.enabled = false'
	run hs_exec e1 -u 0:0 -g 0 -- "${STATUS[@]}"
	[ "$(field Uid)" = "0 0 0 0" ]
	[[ " $(field Groups) " == *" 0 "* ]]
}

@test "exec: -u 0 / --user=0:0 / -g 0 remapped, never root (runc)" { check_user_flag runc; }
@test "exec: -u 0 / --user=0:0 / -g 0 remapped, never root (crun)" { check_user_flag crun; }

check_plain_exec() {
	# No flags at all: crun alone would run this as uid 0; through hardshim it is the
	# container's (hardened) user, with the container's capabilities and no_new_privs.
	running "$1"
	run hs_exec e1 -- "${STATUS[@]}"
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "65534 65534 65534 65534" ]
	[ "$(field NoNewPrivs)" = 1 ]
	# the same capability sets as the main process: NET_BIND_SERVICE, held (ambient) by both
	local set
	for set in CapBnd CapPrm CapEff CapInh CapAmb; do
		[ "$(field $set)" = "$(hs_status e1 $set)" ] || { echo "$set $(field $set)"; false; }
		[ "$(field $set)" = 0000000000000400 ]
	done
}

@test "exec: a flag-less exec runs as the container's hardened user (runc)" { check_plain_exec runc; }
@test "exec: a flag-less exec runs as the container's hardened user (crun)" { check_plain_exec crun; }

check_exec_as_main_user() {
	# Issue 14 cause 9: the root image's working directory belongs to a service user, so
	# create runs the main process as 999:998; a root exec (podman exec passes --process with
	# uid 0, a client -u 0) joins as that same user, not as the policy's 65534.
	hs_use_runtime "$1"
	hs_policy_default
	hs_bundle
	mkdir -p "$HS_BUNDLE/rootfs/data"
	chown 999:998 "$HS_BUNDLE/rootfs/data"
	hs_config '.process.cwd = "/data" | .process.user = {uid: 0, gid: 0}'
	hs_create_start e1
	hs_wait_state e1 running
	[ "$(hs_status e1 Uid)" = "999 999 999 999" ]
	jq -n '{args: ["grep", "-E", "^(Uid|Gid):", "/proc/self/status"], cwd: "/data",
		env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' >"$HS_TMP/p.json"
	chmod 0600 "$HS_TMP/p.json"
	run hs_exec e1 --process "$HS_TMP/p.json"
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "999 999 999 999" ]
	[ "$(field Gid)" = "998 998 998 998" ]
	run hs_exec e1 -u 0:0 -- "${STATUS[@]}"
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "$(hs_status e1 Uid)" ]
	[ "$(field Gid)" = "$(hs_status e1 Gid)" ]
}

@test "exec: a root exec runs as the uid create chose for the main process, not 65534 (runc)" { check_exec_as_main_user runc; }
@test "exec: a root exec runs as the uid create chose for the main process, not 65534 (crun)" { check_exec_as_main_user crun; }

check_cap_flag() {
	running "$1" '.controls.user.enabled = false'
	# root in the exec (user control off) so that capabilities show in CapEff too
	for form in "--cap CAP_SYS_ADMIN" "--cap=CAP_SYS_ADMIN" "-c CAP_SYS_ADMIN" "-c=CAP_SYS_ADMIN"; do
		# shellcheck disable=SC2086
		run hs_exec e1 -u 0 $form -- "${STATUS[@]}"
		[ "$status" -eq 0 ]
		[ "$(field Uid)" = "0 0 0 0" ]
		lacks_cap "$(field CapBnd)" 21
		lacks_cap "$(field CapEff)" 21
		[ "$(field CapInh)" = 0000000000000000 ]
		[ "$(field CapAmb)" = 0000000000000000 ]
		hs_cap_has "$(field CapBnd)" 10 # NET_BIND_SERVICE stays
	done
	hs_policy_default '.controls.user.enabled = false | .controls.capabilities.enabled = false'
	run hs_exec e1 -u 0 --cap CAP_SYS_ADMIN -- "${STATUS[@]}"
	[ "$status" -eq 0 ]
	hs_cap_has "$(field CapBnd)" 21
	hs_cap_has "$(field CapEff)" 21
}

@test "exec: --cap / --cap= / -c CAP_SYS_ADMIN never granted, nothing inheritable (runc)" { check_cap_flag runc; }
@test "exec: --cap / --cap= / -c CAP_SYS_ADMIN never granted, nothing inheritable (crun)" { check_cap_flag crun; }

check_bogus_cap() {
	running "$1"
	run hs_exec e1 --cap=CAP_BOGUS -- true
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: capabilities.unknown: capabilities.bounding["*"\"CAP_BOGUS\" is not a capability"*"(from --cap)"* ]]
}

@test "exec: --cap=CAP_BOGUS refused with the flag named (runc)" { check_bogus_cap runc; }
@test "exec: --cap=CAP_BOGUS refused with the flag named (crun)" { check_bogus_cap crun; }

check_nnp_flag() {
	running "$1"
	run hs_exec e1 --no-new-privs=false -- "${STATUS[@]}"
	[ "$status" -eq 0 ]
	[ "$(field NoNewPrivs)" = 1 ]
	hs_policy_default '.controls.capabilities.enabled = false'
	run hs_exec e1 --no-new-privs=false -- "${STATUS[@]}"
	[ "$(field NoNewPrivs)" = 0 ]
}

@test "exec: --no-new-privs=false does not turn no_new_privs off (runc)" { check_nnp_flag runc; }
@test "exec: --no-new-privs=false does not turn no_new_privs off (crun)" { check_nnp_flag crun; }

check_cwd_flag() {
	running "$1"
	for form in "--cwd /proc/self/fd/7" "--cwd=/proc/self/fd/7" "--cwd /tmp/../proc/1/cwd"; do
		# shellcheck disable=SC2086
		run hs_exec e1 $form -- pwd
		[ "$status" -ne 0 ]
		[[ "$output" == *"hardshim: process.cwd: cwd: "*"(from --cwd)"* ]]
	done
	run hs_exec e1 --cwd /tmp -- pwd
	[ "$status" -eq 0 ]
	[ "$output" = /tmp ]
	hs_policy_default '.controls.process.enabled = false'
	run hs_exec e1 --cwd /proc/self/fd/7 -- pwd
	[[ "$output" != *"process.cwd"* ]]
}

@test "exec: --cwd /proc/self/fd/7 refused (CVE-2024-21626) (runc)" { check_cwd_flag runc; }
@test "exec: --cwd /proc/self/fd/7 refused (CVE-2024-21626) (crun)" { check_cwd_flag crun; }

@test "exec: a uid that wraps to 0 in the runtime (-u 4294967296) is refused" {
	running runc
	run hs_exec e1 -u 4294967296 -- id -u
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: exec.bad-value: -u: \"4294967296\" is not a decimal id"* ]]
}

# ---- --process files --------------------------------------------------------------------

hostile_process() { # hostile_process FILE [CWD]
	jq -n --arg cwd "${2:-/}" '{
		args: ["grep", "-E", "^(Uid|CapInh|CapBnd|CapEff|CapAmb|NoNewPrivs):", "/proc/self/status"],
		cwd: $cwd, env: ["PATH=/bin"],
		user: {uid: 0, gid: 0, additionalGids: [0]},
		noNewPrivileges: false,
		capabilities: {bounding: ["CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE"],
			       effective: ["CAP_SYS_ADMIN"], permitted: ["CAP_SYS_ADMIN"],
			       inheritable: ["CAP_SYS_ADMIN"], ambient: ["CAP_SYS_ADMIN"]}}' >"$1"
	chmod 0600 "$1"
}

check_process_file() {
	running "$1"
	hostile_process "$HS_TMP/p.json"
	run hs_exec e1 --process "$HS_TMP/p.json"
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "65534 65534 65534 65534" ]
	[ "$(field NoNewPrivs)" = 1 ]
	# SYS_ADMIN is not allowed; NET_BIND_SERVICE was in bounding only (not granted), and a
	# non-root process could not hold it: removed too, so every set is empty
	local set
	for set in CapInh CapAmb CapBnd CapEff; do
		[ "$(field $set)" = 0000000000000000 ] || { echo "$set $(field $set)"; false; }
	done
	# the file itself was rewritten in place
	[ "$(jq -c .user "$HS_TMP/p.json")" = '{"uid":65534,"gid":65534,"additionalGids":[]}' ]
	[ "$(jq -c .capabilities.inheritable "$HS_TMP/p.json")" = '[]' ]
	# switched off: the file is obeyed
	hs_policy_default '.controls.user.enabled = false | .controls.capabilities.enabled = false'
	hostile_process "$HS_TMP/p2.json"
	run hs_exec e1 -p "$HS_TMP/p2.json"
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "0 0 0 0" ]
	[ "$(field NoNewPrivs)" = 0 ]
	hs_cap_has "$(field CapInh)" 21
	hs_cap_has "$(field CapAmb)" 21
}

@test "exec: hostile --process file rewritten: uid, caps, inheritable, ambient, no_new_privs (runc)" { check_process_file runc; }
@test "exec: hostile --process file rewritten: uid, caps, inheritable, ambient, no_new_privs (crun)" { check_process_file crun; }

check_process_file_cwd() {
	running "$1"
	hostile_process "$HS_TMP/p.json" /proc/self/fd/7
	cp "$HS_TMP/p.json" "$HS_TMP/p.orig"
	run hs_exec e1 --process="$HS_TMP/p.json"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: process.cwd: cwd: \"/proc/self/fd/7\""* ]]
	cmp "$HS_TMP/p.json" "$HS_TMP/p.orig" # refused, not rewritten
	hs_policy_default '.controls.process.enabled = false'
	run hs_exec e1 --process="$HS_TMP/p.json"
	[[ "$output" != *"process.cwd"* ]]
}

@test "exec: --process file with cwd /proc/self/fd/7 refused, file untouched (runc)" { check_process_file_cwd runc; }
@test "exec: --process file with cwd /proc/self/fd/7 refused, file untouched (crun)" { check_process_file_cwd crun; }

@test "exec: process flags next to --process are refused (the runtimes would ignore them)" {
	running crun
	hostile_process "$HS_TMP/p.json"
	for form in "-u 1000" "--cap CAP_CHOWN" "--cwd /" "-e A=1" "--no-new-privs"; do
		# shellcheck disable=SC2086
		run hs_exec e1 --process "$HS_TMP/p.json" $form
		[ "$status" -ne 0 ]
		[[ "$output" == *"hardshim: exec.flag-with-process: ${form%% *}: "* ]]
	done
}

@test "exec: a --process file others can write is refused" {
	running runc
	hostile_process "$HS_TMP/p.json"
	chmod 0666 "$HS_TMP/p.json"
	run hs_exec e1 --process "$HS_TMP/p.json"
	[ "$status" -ne 0 ]
	[[ "$output" == *"exec.process-permissions"* ]]
}

@test "exec: the strict core reads the process file (a case-variant key is refused)" {
	running runc
	printf '{"args":["id"],"cwd":"/","user":{"uid":1000,"gid":1000,"UID":0}}' >"$HS_TMP/p.json"
	chmod 0600 "$HS_TMP/p.json"
	run hs_exec e1 --process "$HS_TMP/p.json"
	[ "$status" -ne 0 ]
	[[ "$output" == *"json.case-variant-key"* ]]
}

@test "exec: audit mode reports and lets the hostile exec through unchanged (runc)" {
	running runc '.mode = "audit"'
	run hs_exec e1 -u 0 -- "${STATUS[@]}"
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "0 0 0 0" ]
	grep '"event":"exec"' "$HS_LAUNCHES" | grep -q '"user.root"'
}

# ---- spellings and options passed on to the runtime -------------------------------------

# "-process FILE" is crun's "-p rocess", "-process=FILE" its "-p rocess=FILE". With --process
# the command line reaches the runtime as it came, so such spellings are refused. (-p=FILE,
# crun's "=FILE", is the attack in tests/redteam/inputs.bats, shown against bare crun there.)
check_process_equals() {
	running "$1"
	cd "$HS_TMP"
	hostile_process "$HS_TMP/p.json"
	for form in -process=p.json "-process p.json"; do
		# shellcheck disable=SC2086
		run hs_exec e1 $form
		[ "$status" -ne 0 ]
		[[ "$output" == *"exec.ambiguous-option"* ]]
		[[ "$output" != *"Uid:"* ]]
	done
	# the spellings both read alike work
	run hs_exec e1 --process=p.json
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "65534 65534 65534 65534" ]
	hostile_process "$HS_TMP/p.json"
	run hs_exec e1 -p p.json
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "65534 65534 65534 65534" ]
}

@test "exec: -process FILE (\"rocess\" to crun) refused; --process=FILE, -p FILE checked (runc)" { check_process_equals runc; }
@test "exec: -process FILE (\"rocess\" to crun) refused; --process=FILE, -p FILE checked (crun)" { check_process_equals crun; }

# -pid-file=X: --pid-file to runc; to crun's argp "-p" with the value "id-file=X", a process
# file. Passed on as "--pid-file X", which both read alike: the pid file is written.
check_single_dash_kept() {
	running "$1"
	cd "$HS_TMP"
	hostile_process "$HS_TMP/id-file=e.pid"
	run hs_exec e1 -pid-file=e.pid -- "${STATUS[@]}"
	[ "$status" -eq 0 ]
	[ "$(field Uid)" = "65534 65534 65534 65534" ]
	[ -s "$HS_TMP/e.pid" ]
}

@test "exec: -pid-file=X reaches the runtime as --pid-file X, not crun's -p id-file=X (runc)" { check_single_dash_kept runc; }
@test "exec: -pid-file=X reaches the runtime as --pid-file X, not crun's -p id-file=X (crun)" { check_single_dash_kept crun; }

# exec --cgroup: runc joins the value to the container's cgroup and checks a string prefix
# only ("../e1x" passes for "e1"); crun 1.8 checks nothing. A sibling cgroup of the container's
# is a host cgroup: outside its limits and device rules.
check_exec_cgroup() {
	local base
	running "$1"
	base=$(hs_proc e1 cgroup | awk -F: '$2 == "memory" { print $3 }')
	hs_cgroup_beside e1 x    # the sibling "<container's cgroup>x"
	hs_cgroup_beside e1 /sub # a real sub-cgroup of the container's
	run hs_exec e1 --cgroup "../${base##*/}x" -- cat /proc/self/cgroup
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: exec.cgroup: --cgroup: "* ]]
	[[ "$output" != *":memory:/.."* ]] # a place outside its own, seen through its cgroupns
	for v in /sub sub/ ./sub memory:sub sub/../sub; do
		run hs_exec e1 --cgroup "$v" -- cat /proc/self/cgroup
		[ "$status" -ne 0 ]
		[[ "$output" == *"exec.cgroup"* ]]
	done
	run hs_exec e1 --cgroup sub --cgroup sub -- true
	[[ "$output" == *"exec.cgroup"* ]]
	# a plain sub-cgroup is passed on, and the process is there
	run hs_exec e1 --cgroup=sub -- cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[[ "$output" == *":memory:/sub"* ]] # (the container's cgroup namespace: its root is /)
}

@test "exec: --cgroup ../sibling refused, a plain sub-cgroup honoured, seen in /proc/self/cgroup (runc)" { check_exec_cgroup runc; }
@test "exec: --cgroup ../sibling refused, a plain sub-cgroup honoured, seen in /proc/self/cgroup (crun)" { check_exec_cgroup crun; }
