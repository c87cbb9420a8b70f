#!/usr/bin/env bats
# The create path (issue 2): what reaches the runtime, what reaches the user, what is kept,
# and the bundle's own defences — with real runc and real crun.

bats_require_minimum_version 1.5.0
load ../lib/bundle

setup() {
	hs_setup runc
	hs_bundle
	hs_args sh -c 'id -u'
}

teardown() {
	hs_teardown
}

@test "create: a refusal reaches the caller as one JSON line in --log, nothing on stdout" {
	for rt in runc crun; do
		hs_use_runtime "$rt"
		hs_config '.mounts += [{"destination":"/host","type":"bind","source":"/etc","options":["rbind"]}]'
		hs_place_config "c-log-$rt"
		log="$HS_TMP/log-$rt.json"
		run --separate-stderr hs_cmd --root "$HS_STATE" --log "$log" --log-format json \
			create --bundle "$HS_BUNDLE" "c-log-$rt"
		[ "$status" -ne 0 ]
		[ -z "$output" ]   # stdout is the container's
		[ -z "$stderr" ]   # containerd reads the log, not stderr
		[ "$(wc -l <"$log")" -eq 1 ]
		jq -e '.level == "error" and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' "$log"
		msg=$(jq -r .msg "$log")
		[[ "$msg" == "hardshim: mounts.sensitive-source: mounts["*"].source: "* ]]
		# and the runtime never saw it
		run hs_rt_direct state "c-log-$rt"
		[ "$status" -ne 0 ]
		hs_config 'del(.mounts[-1])'
	done
}

@test "create: without --log the reason is one plain line on stderr (Podman reads it there)" {
	hs_config '.linux.namespaces |= map(select(.type != "pid"))'
	hs_config '.linux.namespaces += [{"type":"pid","path":"/proc/1/ns/pid"}]'
	hs_place_config c-stderr
	run --separate-stderr hs_rt create --bundle "$HS_BUNDLE" c-stderr
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	[[ "$stderr" == "hardshim: namespaces."*"linux.namespaces["*"].path"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

# (create + start, as engines do: `check` predicts create, where hardshim denies the runtimes'
# own device grants itself; `run` carries a devices hook for that, which check does not write)
@test "create: the runtime runs the canonical config hardshim checked; the original is kept" {
	for rt in runc crun; do
		hs_use_runtime "$rt"
		hs_create_start "c-canon-$rt"
		hs_wait_state "c-canon-$rt" stopped
		[ "$(cat "$HS_TMP/c-canon-$rt.out")" = 65534 ] # the rewrite (uid 0 -> 65534) is what ran
		# config.json.orig is what the engine wrote (the test's config, with its cgroupsPath)
		cmp <(jq -S 'del(.linux.cgroupsPath)' "$HS_BUNDLE/config.json.orig") <(jq -S 'del(.linux.cgroupsPath)' "$HS_CONFIG")
		# config.json is exactly hardshim's canonical output for the original
		"$HS_BIN" check --output "$HS_TMP/canon.json" "$HS_BUNDLE/config.json.orig" >/dev/null
		cmp "$HS_TMP/canon.json" "$HS_BUNDLE/config.json"
	done
}

@test "create: config.json.orig is the engine's file itself (a second name), config.json a new one" {
	for rt in runc crun; do
		hs_use_runtime "$rt"
		hs_track "c-orig-$rt"
		hs_place_config "c-orig-$rt"
		ino=$(stat -c %i "$HS_BUNDLE/config.json")
		sum=$(sha256sum <"$HS_BUNDLE/config.json" | cut -d' ' -f1)
		# an orig left by an earlier create in this bundle is replaced, not kept
		echo stale >"$HS_BUNDLE/config.json.orig"
		run hs_rt run --bundle "$HS_BUNDLE" "c-orig-$rt" </dev/null
		[ "$status" -eq 0 ]
		[ "$output" = 65534 ]
		[ "$(stat -c %i "$HS_BUNDLE/config.json.orig")" = "$ino" ]
		[ "$(stat -c %i "$HS_BUNDLE/config.json")" != "$ino" ]
		[ "$(stat -c %h "$HS_BUNDLE/config.json.orig")" = 1 ]
		[ "$(stat -c %a "$HS_BUNDLE/config.json")" = 644 ]
		tail -n 1 "$HS_LAUNCHES" | jq -e --arg s "$sum" '.sha256.original == $s and .verdict == "rewritten"'
		# no temporary name is left behind
		[ -z "$(find "$HS_BUNDLE" -maxdepth 1 -name '.config.json*')" ]
	done
}

@test "create: audit mode changes and refuses nothing, and says what enforce would do" {
	for rt in runc crun; do
		hs_use_runtime "$rt" '.mode = "audit"'
		run hs_run "c-audit-$rt"
		[ "$status" -eq 0 ]
		[ "$output" = 0 ]       # ran as root, as asked
		[ ! -e "$HS_BUNDLE/config.json.orig" ]
		tail -n 1 "$HS_LAUNCHES" | jq -e '.mode == "audit" and ([.findings[] | select(.rule == "user.root")] | length) == 1'
	done
}

@test "create: a symlinked config.json or bundle is refused" {
	hs_place_config c-link
	mv "$HS_BUNDLE/config.json" "$HS_BUNDLE/real.json"
	ln -s real.json "$HS_BUNDLE/config.json"
	run --separate-stderr hs_rt create --bundle "$HS_BUNDLE" c-link
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: config.symlink: config.json: "* ]]
	rm "$HS_BUNDLE/config.json"
	mv "$HS_BUNDLE/real.json" "$HS_BUNDLE/config.json"
	ln -s "$HS_BUNDLE" "$HS_TMP/bundle-link"
	run --separate-stderr hs_rt create --bundle "$HS_TMP/bundle-link" c-link
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: bundle.symlink: "* ]]
}

@test "create: a config or bundle writable by others, or owned by another user, is refused" {
	hs_place_config c-perm
	chmod 0666 "$HS_BUNDLE/config.json"
	run --separate-stderr hs_rt create --bundle "$HS_BUNDLE" c-perm
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: config.permissions: config.json: writable by group or others"* ]]
	chmod 0644 "$HS_BUNDLE/config.json"
	chmod 0775 "$HS_BUNDLE"
	run --separate-stderr hs_rt create --bundle "$HS_BUNDLE" c-perm
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: bundle.permissions: "* ]]
	chmod 0755 "$HS_BUNDLE"
	chown 65534 "$HS_BUNDLE/config.json"
	run --separate-stderr hs_rt create --bundle "$HS_BUNDLE" c-perm
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: config.permissions: config.json: owned by uid 65534"* ]]
}

@test "create: a malformed config is refused with the rule, the JSON path and the byte offset" {
	hs_place_config c-bad
	printf '{"ociVersion":"1.0.2","process":{"user":{"uid":0,"uid":1000}}}' >"$HS_BUNDLE/config.json"
	run --separate-stderr hs_rt create --bundle "$HS_BUNDLE" c-bad
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: json.duplicate-key: process.user.uid: duplicate key"*"(at byte "*")"* ]]
	run hs_rt_direct state c-bad
	[ "$status" -ne 0 ]
}

@test "create: the bundle defaults to the working directory, as containerd calls it" {
	hs_place_config c-cwd
	cd "$HS_BUNDLE"
	hs_track c-cwd
	run hs_rt run c-cwd
	[ "$status" -eq 0 ]
	[ "$output" = 65534 ]
}

@test "create: a policy hardshim cannot read or does not understand stops every command" {
	echo '{"runtime":"/usr/bin/runc","controls":{"nosuch":{}}}' >"$HS_TMP/bad.json"
	chmod 0644 "$HS_TMP/bad.json"
	HARDSHIM_POLICY=$HS_TMP/bad.json run --separate-stderr hs_rt run --bundle "$HS_BUNDLE" c-pol
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: policy.unknown-control: controls.nosuch: "* ]]
	# the fast path reads the policy too: a relative runtime is never searched in PATH
	echo '{"runtime":"runc"}' >"$HS_TMP/rel.json"
	chmod 0644 "$HS_TMP/rel.json"
	HARDSHIM_POLICY=$HS_TMP/rel.json run --separate-stderr "$HS_BIN" --version
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: policy.runtime: runtime: "* ]]
	HARDSHIM_POLICY=$HS_TMP/missing.json run --separate-stderr "$HS_BIN" state x
	[ "$status" -ne 0 ]
	[[ "$stderr" == "hardshim: policy.open: "* ]]
}

@test "check: exit codes, JSON findings, --output and --diff" {
	hs_place_config x
	run --separate-stderr "$HS_BIN" check --format json "$HS_BUNDLE"
	[ "$status" -eq 0 ]
	jq -e '.verdict == "allow" and (.findings | map(select(.rule == "user.root" and .path == "process.user.uid" and .action == "rewrite")) | length == 1)' <<<"$output"
	run "$HS_BIN" check --output "$HS_TMP/out.json" --diff "$HS_BUNDLE"
	[ "$status" -eq 0 ]
	[[ "$output" == *'-      "uid": 0,'* ]]
	[[ "$output" == *'+      "uid": 65534,'* ]]
	[[ "$output" == *"verdict: allow"* ]]
	jq -e '.process.user.uid == 65534' "$HS_TMP/out.json"
	hs_config '.process.capabilities.inheritable = ["CAP_NOSUCH"]'
	hs_place_config x
	run "$HS_BIN" check "$HS_BUNDLE/config.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"verdict: refuse"* ]]
	run "$HS_BIN" check --format yaml "$HS_BUNDLE"
	[ "$status" -eq 2 ]
	run "$HS_BIN" check --policy "$HS_TMP/nonexistent" "$HS_BUNDLE"
	[ "$status" -eq 2 ]
	# a CONFIG that is not there is the caller's mistake, not a verdict on a config
	run "$HS_BIN" check "$HS_TMP/nonexistent.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"file.open"* ]]
	run bash -c "printf '{\"a\":' | '$HS_BIN' check -"
	[ "$status" -eq 1 ]
	[[ "$output" == *"json.syntax"* ]]
	# nothing ran: check goes through create's gate but writes no launch record
	[ ! -e "$HS_LAUNCHES" ]
}

# The runtime's create runs as hardshim's child (src/cli/wait-runtime.c), started with
# clone(CLONE_VM | CLONE_VFORK) rather than fork. What the caller does to hardshim must still
# reach the runtime: killed with hardshim (an engine that SIGKILLs a hung create must not leave
# a runtime making a container behind it), sent what hardshim is sent, and hardshim ends the
# way the runtime ended, recorded. The runtime here is a stand-in that waits (a real one's
# create is over too soon to be caught in the middle); it execs `sleep`, so the process
# observed is the runtime hardshim started itself.
stand_in_runtime() {
	printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 1000\n' "$HS_TMP/rt.pid" >"$HS_TMP/rt"
	chmod 0755 "$HS_TMP/rt"
	hs_policy '.runtime = $r' --arg r "$HS_TMP/rt"
	hs_place_config "$1"
	"$HS_BIN" --root "$HS_STATE" create --bundle "$HS_BUNDLE" "$1" </dev/null >/dev/null 2>&1 3>&- &
	HS_PID=$!
	for _ in $(seq 100); do [ -s "$HS_TMP/rt.pid" ] && break; sleep 0.05; done
	RT_PID=$(cat "$HS_TMP/rt.pid")
	# the runtime is hardshim's own child, and has exec'd (it is `sleep` now)
	for _ in $(seq 100); do [ "$(cat "/proc/$RT_PID/comm")" = sleep ] && break; sleep 0.05; done
	[ "$(awk '{ print $4 }' "/proc/$RT_PID/stat")" = "$HS_PID" ]
	[ "$(cat "/proc/$RT_PID/comm")" = sleep ]
}

# gone PID: the process has ended (its parent may leave it a zombie: it is no longer running).
gone() {
	local i st
	for i in $(seq 100); do
		st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || true
		[ -z "$st" ] || [ "$st" = Z ] && return 0
		sleep 0.05
	done
	kill -9 "$1" 2>/dev/null
	return 1
}

@test "create: hardshim killed with SIGKILL during the runtime's create takes the runtime with it" {
	stand_in_runtime k1
	kill -9 "$HS_PID"
	wait "$HS_PID" || true
	gone "$RT_PID"
}

@test "create: a SIGTERM to hardshim reaches the runtime; hardshim dies of it too, and records it" {
	stand_in_runtime t1
	kill -TERM "$HS_PID"
	# not forwarded, the runtime would sleep on and hardshim wait for it: bounded here
	gone "$RT_PID"
	rc=0
	wait "$HS_PID" || rc=$?
	[ "$rc" -eq 143 ]
	tail -n 1 "$HS_LAUNCHES" | jq -e --argjson pid "$RT_PID" \
		'.event == "runtime-failed" and .id == "t1" and .signal == 15 and .pid == $pid and .error == null'
}

@test "create: a runtime that cannot be executed fails the create with the reason, recorded" {
	printf '#!/bin/sh\nexit 0\n' >"$HS_TMP/rt"
	chmod 0644 "$HS_TMP/rt" # not executable
	hs_policy '.runtime = $r' --arg r "$HS_TMP/rt"
	hs_place_config e1
	run "$HS_BIN" --root "$HS_STATE" create --bundle "$HS_BUNDLE" e1
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"runtime.exec: $HS_TMP/rt: cannot execute the runtime: Permission denied"* ]]
	tail -n 1 "$HS_LAUNCHES" | jq -e \
		'.event == "runtime-failed" and .id == "e1" and .error == "Permission denied" and .pid == 0'
}

# The create path's looks into the image (src/host/host.c, src/host/inroot.c): the image
# directory is opened by its name once for every in-root look (the rootfs control's tmpfs and
# state directories, the owner of its "/"), a mount destination below a missing directory is
# not looked up name by name (the runtime creates all of it), and the record asks each
# ancestor's pidfd once (src/audit/who.c). The runtime is /bin/true so the trace is hardshim's
# alone.
@test "create: the image is opened by name once, nothing below a missing directory is looked up, one pidfd question per ancestor" {
	command -v strace >/dev/null || skip "strace is not installed"
	hs_use_runtime /bin/true
	hs_policy_default '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
	hs_config '.mounts += [{"destination":"/nosuch/a/b","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","noexec"]}]'
	hs_place_config c-looks
	root=$(realpath "$HS_BUNDLE/rootfs")
	# LeakSanitizer's exit check cannot run in a traced process (build-san)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq \
		-e trace=openat,open,newfstatat,lstat,stat,pidfd_open,ioctl -o "$HS_TMP/looks.trace" \
		"$HS_BIN" --root "$HS_STATE" create --bundle "$HS_BUNDLE" c-looks </dev/null \
		>"$HS_TMP/looks.out" 2>&1 || { cat "$HS_TMP/looks.out"; false; }
	# the looks happened (openat2 on the kept directory), the name was opened once
	[ "$(grep -c "openat(AT_FDCWD, \"$root\", " "$HS_TMP/looks.trace")" -eq 1 ] ||
		{ grep -F "\"$root\"" "$HS_TMP/looks.trace"; false; }
	grep -qF "\"$root/nosuch\"" "$HS_TMP/looks.trace"
	! grep -qF "\"$root/nosuch/" "$HS_TMP/looks.trace" || false
	jq -e '[.mounts[] | select(.destination == "/nosuch/a/b")] | length == 1' "$HS_BUNDLE/config.json"
	# the record's ancestry (src/audit/who.c): one PIDFD_GET_INFO per ancestor's pidfd
	n=$(grep -c 'pidfd_open(' "$HS_TMP/looks.trace")
	[ "$n" -ge 1 ]
	[ "$(grep -c 'ioctl([0-9]*, _IOC(_IOC_READ|_IOC_WRITE, 0xff, 0xb, 0x40)' "$HS_TMP/looks.trace")" -eq "$n" ]
}
