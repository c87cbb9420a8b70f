#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The launch audit trail (issue 6) with real runc on busybox bundles: who launched (root, a
# login uid set at "login", sudo -u nobody), refusals recorded with their findings, 200
# concurrent creates, tamper detection by `hardshim log verify`, rotation with the shipped
# logrotate file, a full or read-only log filesystem stopping the launch, plain-runc
# containers flagged by `hardshim unmanaged`, the record in the kernel audit stream (auditd).

load ../lib/env

RUNC=/usr/bin/runc
CRUN=/usr/bin/crun

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	# One busybox rootfs; bundles hard-link it (200 bundles cost no space).
	ROOTFS_SRC=$BATS_FILE_TMPDIR/rootfs
	mkdir -p "$ROOTFS_SRC"/{bin,proc,sys,dev,tmp,etc}
	cp "$(command -v busybox)" "$ROOTFS_SRC/bin/busybox"
	for a in sh sleep cat; do ln -s busybox "$ROOTFS_SRC/bin/$a"; done
	export ROOTFS_SRC
	# The containers here have fixed ids (c1, k1, z1..z200...) and no cgroupsPath, so the
	# runtime makes /<id>: another run of this file at the same time (the ASan pass beside the
	# plain one, tests/run.sh) would share those cgroups (crun's delete kills what is left in
	# one), and the kernel has one audit daemon slot (the auditd test). One run at a time.
	hs_machine_lock audit-bats
}

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root (containers are created for real)"
	T=$BATS_TEST_TMPDIR
	STATE=$T/state
	CSTATE=$T/crun-state
	LOG=$T/log/launches.jsonl
	MOUNTS=$T/mounts
	mkdir -p "$STATE" "$CSTATE"
	: >"$MOUNTS"
	au_policy '.'
}

teardown() {
	local id m
	if [ -d "${STATE:-}" ]; then
		for id in $("$RUNC" --root "$STATE" list -q 2>/dev/null); do
			"$RUNC" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	if [ -d "${CSTATE:-}" ]; then
		for id in $("$CRUN" --root "$CSTATE" list -q 2>/dev/null); do
			"$CRUN" --root "$CSTATE" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	if [ -n "${NOBODY_DIR:-}" ] && [ -d "$NOBODY_DIR" ]; then
		for id in $("$RUNC" --root "$NOBODY_DIR/state" list -q 2>/dev/null); do
			"$RUNC" --root "$NOBODY_DIR/state" delete --force "$id" >/dev/null 2>&1 || true
		done
		rm -rf "$NOBODY_DIR"
	fi
	if [ -n "${AUDITD_PID:-}" ]; then
		kill -TERM "$AUDITD_PID" 2>/dev/null || true
		wait "$AUDITD_PID" 2>/dev/null || true
		auditctl -e "$AUDIT_ENABLED_BEFORE" >/dev/null 2>&1 || true
	fi
	[ -s "${MOUNTS:-/nonexistent}" ] && while read -r m; do umount "$m" 2>/dev/null || true; done <"$MOUNTS"
	return 0
}

# au_policy JQ-FILTER [jq args...]: the test's policy: runc, the log in $LOG, no syslog, no
# kernel audit (those two have their own tests), edited by the filter.
au_policy() {
	local filter=$1
	shift
	export HARDSHIM_POLICY=$T/policy.json
	jq -n --arg log "$LOG" --arg rt "$RUNC" \
		'{runtime: $rt, log: {path: $log, syslog: false, kernel_audit: false}}' |
		jq "$@" "$filter" >"$HARDSHIM_POLICY"
	chmod 0644 "$HARDSHIM_POLICY"
}

# au_bundle DIR [JQ-FILTER [jq args...]]: a bundle whose config runs `sleep 1000`.
au_bundle() {
	local dir=$1 filter=${2:-.}
	shift 2 || shift
	mkdir -p "$dir"
	cp -al "$ROOTFS_SRC" "$dir/rootfs"
	"$RUNC" spec --bundle "$dir"
	jq '.process.terminal = false | .process.args = ["sleep", "1000"]' "$dir/config.json" |
		jq "$@" "$filter" >"$dir/config.new"
	mv "$dir/config.new" "$dir/config.json"
}

# hs ARGS...: hardshim as the runtime. Its output (and so a created container's stdio) goes
# to a file, then is shown: a container holding bats' `run` pipe would hang the test.
hs() {
	local rc=0
	"$HS_BIN" --root "$STATE" "$@" </dev/null >"$T/hs.out" 2>&1 || rc=$?
	cat "$T/hs.out"
	return "$rc"
}

last_record() {
	tail -n 1 "$LOG"
}

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# A config hardshim must refuse (a duplicate key), so a launch is recorded with no runtime run.
au_refused_bundle() {
	au_bundle "$1"
	sed -i '0,/{/s//{"hostname":"dup",/' "$1/config.json"
}

@test "audit: a launch by root is recorded before the container exists, with identity and digests" {
	au_bundle "$T/b"
	run hs create --bundle "$T/b" c1
	[ "$status" -eq 0 ]
	"$RUNC" --root "$STATE" state c1 | jq -e '.status == "created"'

	[ "$(wc -l <"$LOG")" -eq 1 ]
	[ "$(stat -c %a "$T/log")" = 700 ]
	[ "$(stat -c %a "$LOG")" = 600 ]
	rec=$(last_record)
	orig=$T/b/config.json
	[ -f "$T/b/config.json.orig" ] && orig=$T/b/config.json.orig
	echo "$rec" | jq -e --arg b "$T/b" --arg st "$STATE" --arg o "$(sha "$orig")" \
		--arg f "$(sha "$T/b/config.json")" --arg h "$(hostname)" '
		.v == 1 and .seq == 1 and .file_start == true and .event == "create" and
		.id == "c1" and .bundle == $b and .root == $st and .runtime == "/usr/bin/runc" and
		.host == $h and (.verdict == "allowed" or .verdict == "rewritten") and
		.sha256.original == $o and .sha256.final == $f and
		.who.uid == 0 and .who.gid == 0 and .who.user == "root" and
		(.who.parents | length) >= 1 and
		(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{9}Z$"))'
	# The login uid as the kernel has it for this process tree: unset is null, never -1 or 0.
	login=$(cat /proc/self/loginuid)
	if [ "$login" = 4294967295 ]; then
		echo "$rec" | jq -e '.who.loginuid == null and .who.sessionid == null'
	else
		echo "$rec" | jq -e --argjson l "$login" '.who.loginuid == $l'
	fi
	! grep -q 4294967295 "$LOG" || false
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 0 ]
}

@test "audit: loginuid and sessionid set at login are recorded, and survive sudo -u nobody" {
	sh -c 'echo 4321 >/proc/self/loginuid' 2>/dev/null ||
		skip "cannot set /proc/self/loginuid here (needs CAP_AUDIT_CONTROL and loginuid_immutable off)"
	command -v sudo >/dev/null || skip "sudo is not installed"

	# As root, in a session started by setting the login uid (what pam_loginuid does).
	au_bundle "$T/b"
	run sh -c 'echo 4321 >/proc/self/loginuid && cat /proc/self/sessionid >"$1" &&
		exec "$HS_BIN" --root "$2" create --bundle "$3" c2 </dev/null >"$1.out" 2>&1' sh "$T/ses" "$STATE" "$T/b"
	[ "$status" -eq 0 ]
	ses=$(cat "$T/ses")
	[ "$ses" != 4294967295 ]
	last_record | jq -e --argjson s "$ses" '.who.uid == 0 and .who.loginuid == 4321 and .who.sessionid == $s'

	# As nobody through sudo: the uid is nobody's, the login uid still the person's, sudo
	# says who it was (a claim), and sudo is the parent.
	NOBODY_DIR=$(mktemp -d /tmp/hs-audit-nobody.XXXXXX)
	chmod 0755 "$NOBODY_DIR"
	hs_copy_hardshim "$NOBODY_DIR"
	au_bundle "$NOBODY_DIR/b"
	chmod -R go-w "$NOBODY_DIR/b"
	mkdir -p "$NOBODY_DIR/log" "$NOBODY_DIR/state"
	chown 65534:65534 "$NOBODY_DIR/log" "$NOBODY_DIR/state"
	chmod 0700 "$NOBODY_DIR/log"
	jq --arg log "$NOBODY_DIR/log/launches.jsonl" '.log.path = $log' "$HARDSHIM_POLICY" >"$NOBODY_DIR/policy.json"
	chmod 0644 "$NOBODY_DIR/policy.json"
	# The runtime itself may fail as nobody (no rootless setup): the record comes first.
	run sh -c 'echo 4321 >/proc/self/loginuid && exec sudo -u nobody env HARDSHIM_POLICY="$1/policy.json" \
		"$1/hardshim" --root "$1/state" create --bundle "$1/b" c3 </dev/null >"$1/out" 2>&1' sh "$NOBODY_DIR"
	nlog=$NOBODY_DIR/log/launches.jsonl
	[ -s "$nlog" ]
	tail -n 1 "$nlog" | jq -e '.id == "c3" and .who.uid == 65534 and .who.user == "nobody" and
		.who.loginuid == 4321 and .claims.sudo_uid == "0" and .claims.sudo_user == "root" and
		.who.parents[0].comm == "sudo" and .who.parents[0].uid == 0'
	[ "$(stat -c %u "$nlog")" = 65534 ]
}

# The caller's name comes from /etc/passwd alone (src/audit/who.c): no NSS, whose modules
# (nsswitch.conf "files systemd") would be loaded into root's create path, and crashed a static
# core for a uid the file lacks. The runtime is /bin/true so the trace is hardshim's alone.
@test "audit: the caller's name is /etc/passwd's, without NSS: root named, a uid the file lacks unnamed and recorded" {
	command -v strace >/dev/null || skip "strace is not installed"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	au_policy '.runtime = "/bin/true" | .controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
	au_bundle "$T/b"
	# Under the sanitizer build LeakSanitizer's exit check cannot run in a traced process (it
	# ptraces the process's own threads): the traced creates go without it.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=openat,open,connect -o "$T/root.trace" \
		"$HS_BIN" --root "$STATE" create --bundle "$T/b" n1 </dev/null >"$T/n1.out" 2>&1 ||
		{ cat "$T/n1.out"; false; }
	grep -q '"/etc/passwd"' "$T/root.trace"
	! grep -E 'nsswitch|nscd|libnss_|/run/systemd/userdb' "$T/root.trace" || false
	last_record | jq -e '.id == "n1" and .who.uid == 0 and .who.user == "root"'

	# A uid /etc/passwd does not name: the launch goes on, the uid is recorded, the name is not.
	uid=54321
	! grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd || skip "uid $uid is in /etc/passwd here"
	NOBODY_DIR=$(mktemp -d /tmp/hs-audit-uid.XXXXXX)
	chmod 0755 "$NOBODY_DIR"
	hs_copy_hardshim "$NOBODY_DIR"
	au_bundle "$NOBODY_DIR/b"
	chmod -R go-w "$NOBODY_DIR/b"
	mkdir -p "$NOBODY_DIR/log" "$NOBODY_DIR/state"
	chown "$uid:$uid" "$NOBODY_DIR/log" "$NOBODY_DIR/state" "$NOBODY_DIR/b" "$NOBODY_DIR/b/config.json"
	chmod 0700 "$NOBODY_DIR/log"
	jq --arg log "$NOBODY_DIR/log/launches.jsonl" '.log.path = $log' "$HARDSHIM_POLICY" >"$NOBODY_DIR/policy.json"
	chmod 0644 "$NOBODY_DIR/policy.json"
	# traced from setpriv on; only what follows hardshim's exec is hardshim's
	HARDSHIM_POLICY="$NOBODY_DIR/policy.json" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=openat,open,connect,execve \
		-o "$T/uid.trace" setpriv --reuid "$uid" --regid "$uid" --clear-groups \
		"$NOBODY_DIR/hardshim" --root "$NOBODY_DIR/state" create --bundle "$NOBODY_DIR/b" u1 \
		</dev/null >"$T/u1.out" 2>&1 || { cat "$T/u1.out"; false; }
	sed -n "\\|execve(\"$NOBODY_DIR/hardshim\"|,\$p" "$T/uid.trace" >"$T/uid.hs.trace"
	grep -q '"/etc/passwd"' "$T/uid.hs.trace"
	! grep -E 'nsswitch|nscd|libnss_|/run/systemd/userdb' "$T/uid.hs.trace" || false
	nlog=$NOBODY_DIR/log/launches.jsonl
	tail -n 1 "$nlog" | jq -e --argjson u "$uid" '.id == "u1" and .event == "create" and
		.who.uid == $u and .who.user == null'
}

@test "audit: a refused launch is recorded with its findings, and the container does not exist" {
	au_refused_bundle "$T/b"
	run hs create --bundle "$T/b" c4
	[ "$status" -ne 0 ]
	[[ "$output" == *json.duplicate-key* ]]
	! "$RUNC" --root "$STATE" state c4 2>/dev/null || false
	last_record | jq -e --arg o "$(sha "$T/b/config.json")" '
		.id == "c4" and .verdict == "refused" and .sha256.original == $o and
		.sha256.final == null and
		any(.findings[]; .rule == "json.duplicate-key" and .action == "refuse" and .path != null)'

	# Refused before any check (a bundle others can write): recorded all the same.
	au_bundle "$T/b2"
	chmod g+w "$T/b2"
	run hs create --bundle "$T/b2" c5
	[ "$status" -ne 0 ]
	[[ "$output" == *bundle.permissions* ]]
	last_record | jq -e '.id == "c5" and .verdict == "refused" and .findings[0].rule == "bundle.permissions"'
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"2 records"* ]]
}

@test "audit: orchestrator identity annotations are recorded as claims, others are not" {
	au_bundle "$T/b" '.annotations = {"io.kubernetes.pod.name": "web", "io.kubernetes.pod.namespace": "prod",
		"io.podman.annotations.autoremove": "FALSE", "io.kubernetes.cri.image-name": "busybox:1.36",
		"com.example.other": "x"}'
	run hs create --bundle "$T/b" c6
	[ "$status" -eq 0 ]
	last_record | jq -e '.claims.annotations == {"io.kubernetes.pod.name": "web",
		"io.kubernetes.pod.namespace": "prod", "io.podman.annotations.autoremove": "FALSE",
		"io.kubernetes.cri.image-name": "busybox:1.36"}'
}

@test "audit: 200 concurrent creates give exactly 200 well-formed records and verify passes" {
	for i in $(seq 1 200); do
		mkdir -p "$T/m/$i"
		cp -al "$ROOTFS_SRC" "$T/m/$i/rootfs"
	done
	au_bundle "$T/tmpl"
	for i in $(seq 1 200); do cp "$T/tmpl/config.json" "$T/m/$i/config.json"; done
	export STATE T
	run sh -c 'seq 1 200 | xargs -P 50 -I{} sh -c '\''"$HS_BIN" --root "$STATE" create --bundle "$T/m/$1" "m$1" </dev/null >/dev/null 2>"$T/m/$1.err" || echo "m$1 failed: $(cat "$T/m/$1.err")"'\'' sh {}'
	echo "$output"
	[ -z "$output" ]
	[ "$("$RUNC" --root "$STATE" list -q | wc -l)" -eq 200 ]
	[ "$(wc -l <"$LOG")" -eq 200 ]
	# every line parses, 200 distinct ids, seq 1..200 in order
	[ "$(jq -c 'select(.hash and .event == "create")' "$LOG" | wc -l)" -eq 200 ]
	[ "$(jq -r .id "$LOG" | sort -u | wc -l)" -eq 200 ]
	[ "$(jq -r .seq "$LOG" | tr '\n' ' ')" = "$(seq 1 200 | tr '\n' ' ')" ]
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"200 records"* ]]
}

# Six refused launches: records without containers.
six_records() {
	au_refused_bundle "$T/r"
	for i in 1 2 3 4 5 6; do hs create --bundle "$T/r" "t$i" 2>/dev/null || true; done
	[ "$(wc -l <"$LOG")" -eq 6 ]
	"$HS_BIN" log verify "$LOG"
}

@test "audit: log verify names the first broken record: edit, delete, reorder, truncate" {
	six_records
	cp "$LOG" "$T/edit.jsonl"
	sed -i '3s/"t3"/"t9"/' "$T/edit.jsonl"
	run "$HS_BIN" log verify "$T/edit.jsonl"
	[ "$status" -eq 1 ]
	[[ "$output" == *"edit.jsonl:3: BROKEN"*edited* ]]

	sed '4d' "$LOG" >"$T/del.jsonl"
	run "$HS_BIN" log verify "$T/del.jsonl"
	[ "$status" -eq 1 ]
	[[ "$output" == *"del.jsonl:4: BROKEN"* ]]

	sed '1d' "$LOG" >"$T/del1.jsonl"
	run "$HS_BIN" log verify "$T/del1.jsonl"
	[ "$status" -eq 1 ]
	[[ "$output" == *"del1.jsonl:1: BROKEN"* ]]

	awk 'NR == 2 { held = $0; next } NR == 3 { print; print held; next } { print }' "$LOG" >"$T/swap.jsonl"
	! cmp -s "$LOG" "$T/swap.jsonl" || false
	run "$HS_BIN" log verify "$T/swap.jsonl"
	[ "$status" -eq 1 ]
	[[ "$output" == *"swap.jsonl:2: BROKEN"* ]]

	cp "$LOG" "$T/trunc.jsonl"
	truncate -s $(($(stat -c %s "$LOG") - 40)) "$T/trunc.jsonl"
	run "$HS_BIN" log verify "$T/trunc.jsonl"
	[ "$status" -eq 1 ]
	[[ "$output" == *"trunc.jsonl:6: BROKEN"*truncated* ]]

	# The last record cut off the live log at a line boundary: the head file disagrees.
	last_len=$(tail -n 1 "$LOG" | wc -c)
	truncate -s $(($(stat -c %s "$LOG") - last_len)) "$LOG"
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"removed from the end"* ]]
}

# rt_root RUNTIME: the state root the test uses for that runtime.
rt_root() {
	if [ "$1" = "$CRUN" ]; then echo "$CSTATE"; else echo "$STATE"; fi
}

# A launch under RUNTIME (the policy's runtime set to it) with the runtime's own --root.
hs_rt() {
	local rt=$1 rc=0
	shift
	"$HS_BIN" --root "$(rt_root "$rt")" "$@" </dev/null >"$T/hs.out" 2>&1 || rc=$?
	cat "$T/hs.out"
	return "$rc"
}

# Issue 18, finding 2: records cut off the end of the log, or the head deleted, no longer go
# unnoticed. The next launch refuses (the container does not exist), says why, leaves the
# log as it was; verify fails; only an explicit reanchor (itself recorded) goes on.
check_cut_end() {
	local rt=$1 before
	au_policy '.runtime = $rt' --arg rt "$rt"
	au_bundle "$T/b"
	hs_rt "$rt" create --bundle "$T/b" k1
	hs_rt "$rt" create --bundle "$T/b" k2
	hs_rt "$rt" create --bundle "$T/b" k3
	"$HS_BIN" log verify "$LOG"
	# The launch of k3 removed at a line boundary, as an intruder hiding it would.
	last_len=$(tail -n 1 "$LOG" | wc -c)
	truncate -s $(($(stat -c %s "$LOG") - last_len)) "$LOG"
	before=$(sha "$LOG")
	run hs_rt "$rt" create --bundle "$T/b" k4
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *audit.diverged*"removed from the end"* ]]
	! "$rt" --root "$(rt_root "$rt")" state k4 2>/dev/null || false
	[ "$(sha "$LOG")" = "$before" ]
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"removed from the end"* ]]

	# Deleting the head too: still an alarm, and verify fails unless told there is none.
	rm "$LOG.head"
	run hs_rt "$rt" create --bundle "$T/b" k4
	[ "$status" -ne 0 ]
	[[ "$output" == *audit.diverged*missing* ]]
	! "$rt" --root "$(rt_root "$rt")" state k4 2>/dev/null || false
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"head file"*missing* ]]
	run "$HS_BIN" log verify --no-head "$LOG"
	[ "$status" -eq 0 ]

	# The operator accepts the log as it is: that acceptance is a record of its own.
	run "$HS_BIN" log reanchor
	[ "$status" -eq 0 ]
	last_record | jq -e '.event == "reanchor" and .head_was == "missing" and .log_was.seq == 2 and .seq == 3'
	run hs_rt "$rt" create --bundle "$T/b" k4
	[ "$status" -eq 0 ]
	"$rt" --root "$(rt_root "$rt")" state k4 | jq -e '.status == "created"'
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"4 records"* ]]
}

@test "audit: records cut off the end or a deleted head stop the next launch until reanchored (runc)" {
	check_cut_end "$RUNC"
}

@test "audit: records cut off the end or a deleted head stop the next launch until reanchored (crun)" {
	check_cut_end "$CRUN"
}

@test "audit: rotation with the shipped logrotate file keeps the chain verifiable" {
	six_records
	sed "s|^/var/log/hardshim/launches.jsonl|$LOG|" "$HS_TOP/profiles/logrotate/hardshim" >"$T/logrotate.conf"
	logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf"
	[ -f "$LOG.1" ]
	[ ! -e "$LOG" ]
	au_refused_bundle "$T/r2"
	hs create --bundle "$T/r2" after1 || true
	hs create --bundle "$T/r2" after2 || true
	head -n 1 "$LOG" | jq -e '.seq == 7 and .file_start == true'
	run "$HS_BIN" log verify "$LOG.1" "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"8 records"* ]]
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 0 ]
	# A second rotation: the older generation is compressed now (delaycompress kept it plain
	# for one cycle), and the chain still runs through all three.
	logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf"
	[ -f "$LOG.2.gz" ] && [ -f "$LOG.1" ]
	hs create --bundle "$T/r2" after3 || true
	zcat "$LOG.2.gz" >"$T/gen2"
	run "$HS_BIN" log verify "$T/gen2" "$LOG.1" "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"9 records"* ]]
	# The generations out of order do not verify.
	run "$HS_BIN" log verify "$LOG" "$LOG.1"
	[ "$status" -eq 1 ]
}

# mount_small DIR SIZE: a tmpfs of SIZE at DIR, unmounted at teardown.
mount_small() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1"
	echo "$1" >>"$MOUNTS"
}

@test "audit: a full log filesystem stops the launch, says why, and leaves the log intact" {
	mount_small "$T/full" 256k
	LOG=$T/full/hardshim/launches.jsonl
	au_policy '.'
	au_bundle "$T/b"
	run hs create --bundle "$T/b" ok1
	[ "$status" -eq 0 ]
	dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null || true
	before=$(sha "$LOG")
	# Big claims make the record larger than what is left in the log's last page.
	big=$(head -c 1000 /dev/zero | tr '\0' x)
	au_bundle "$T/b2" '.annotations = ({} | .["io.kubernetes.a"] = $v | .["io.kubernetes.b"] = $v |
		.["io.kubernetes.c"] = $v | .["io.kubernetes.d"] = $v | .["io.kubernetes.e"] = $v)' --arg v "$big"
	run hs create --bundle "$T/b2" full1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *audit.write* ]]
	[[ "$output" == *"No space left"* ]]
	! "$RUNC" --root "$STATE" state full1 2>/dev/null || false
	[ "$(sha "$LOG")" = "$before" ]
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 records"* ]]
}

@test "audit: a read-only log filesystem stops the launch unless the policy fails open" {
	mount_small "$T/ro" 1m
	LOG=$T/ro/hardshim/launches.jsonl
	au_policy '.'
	au_bundle "$T/b"
	run hs create --bundle "$T/b" ok1
	[ "$status" -eq 0 ]
	mount -o remount,ro "$T/ro"
	run hs create --bundle "$T/b" ro1
	[ "$status" -ne 0 ]
	[[ "$output" == *audit.write* ]]
	[[ "$output" == *"Read-only file system"* ]]
	! "$RUNC" --root "$STATE" state ro1 2>/dev/null || false

	au_policy '.log.fail_open = true'
	run hs create --bundle "$T/b" ro2
	[ "$status" -eq 0 ]
	[[ "$output" == *warning*audit.write*fail_open* ]]
	"$RUNC" --root "$STATE" state ro2 | jq -e '.status == "created"'
	run "$HS_BIN" log verify "$LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 records"* ]]
}

@test "audit: a container started with plain runc is flagged by hardshim unmanaged" {
	au_bundle "$T/b"
	run hs create --bundle "$T/b" managed
	[ "$status" -eq 0 ]
	au_bundle "$T/b2"
	"$RUNC" --root "$STATE" create --bundle "$T/b2" rogue </dev/null >/dev/null 2>&1
	# A refused record does not vouch for a container of that name started around hardshim.
	au_refused_bundle "$T/b3"
	hs create --bundle "$T/b3" rogue2 || true
	au_bundle "$T/b4"
	"$RUNC" --root "$STATE" create --bundle "$T/b4" rogue2 </dev/null >/dev/null 2>&1

	run "$HS_BIN" unmanaged --runtime "$RUNC" --root "$STATE" --log "$LOG"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep '"rogue"' | grep -q "UNMANAGED: no launch record"
	echo "$output" | grep '"rogue2"' | grep -q "UNMANAGED: the last launch record for this id (seq 2) refused it"
	! echo "$output" | grep '"managed"' | grep -q UNMANAGED || false
	[[ "$output" == *"2 of 3 containers are unmanaged"* ]]

	run "$HS_BIN" unmanaged --runtime "$RUNC" --root "$STATE" --log "$LOG" --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e 'map({(.id): .recorded}) | add == {"managed": true, "rogue": false, "rogue2": false}'

	run "$HS_BIN" unmanaged --runtime "$RUNC" --root "$STATE" --log "$LOG" --check
	[ "$status" -eq 1 ]
	"$RUNC" --root "$STATE" delete --force rogue
	"$RUNC" --root "$STATE" delete --force rogue2
	run "$HS_BIN" unmanaged --runtime "$RUNC" --root "$STATE" --log "$LOG" --check
	[ "$status" -eq 0 ]
}

# Issue 18, finding 1: a record vouches for the container that runs, not for its name. A
# stale record (its container deleted, as when the runtime failed after hardshim exec'd it)
# no longer covers a container started later with the bare runtime under the same id.
check_stale_record() {
	local rt=$1 root pid
	root=$(rt_root "$rt")
	au_policy '.runtime = $rt' --arg rt "$rt"
	au_bundle "$T/b1"
	au_bundle "$T/b2"
	au_bundle "$T/b3"
	hs_rt "$rt" create --bundle "$T/b1" s1
	hs_rt "$rt" create --bundle "$T/b2" s2
	hs_rt "$rt" create --bundle "$T/b3" s3
	"$rt" --root "$root" delete --force s2
	"$rt" --root "$root" delete --force s3
	# s2: the same bundle, its config swapped for root, CAP_SYS_ADMIN and the host network
	# (and without hardshim's hooks, and without the port sysctl hardshim sets in a
	# container's own network namespace: runc refuses it in the host's).
	jq 'del(.hooks) | del(.linux.sysctl["net.ipv4.ip_unprivileged_port_start"]) |
		.process.user = {uid: 0, gid: 0} |
		.process.capabilities = ({} | .bounding = ["CAP_SYS_ADMIN"] | .effective = ["CAP_SYS_ADMIN"] | .permitted = ["CAP_SYS_ADMIN"]) |
		.process.noNewPrivileges = false |
		.linux.namespaces |= map(select(.type != "network"))' "$T/b2/config.json" >"$T/evil.json"
	cp "$T/evil.json" "$T/b2/config.json"
	"$rt" --root "$root" create --bundle "$T/b2" s2 </dev/null >"$T/s2.out" 2>&1 || { cat "$T/s2.out"; jq . "$T/b2/config.json"; false; }
	# The attack is real: from /proc, the container has CAP_SYS_ADMIN and the host's network.
	pid=$("$rt" --root "$root" state s2 | jq -r .pid)
	[ $((0x$(awk '/^CapEff/ { print $2 }' "/proc/$pid/status") >> 21 & 1)) = 1 ]
	[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink /proc/self/ns/net)" ]
	# s3: the same id from another bundle (a config like the hardened one, but not it).
	au_bundle "$T/b4"
	"$rt" --root "$root" create --bundle "$T/b4" s3 </dev/null >/dev/null 2>&1

	run "$HS_BIN" unmanaged --runtime "$rt" --root "$root" --log "$LOG" --json
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e 'map({(.id): .recorded}) | add == {"s1": true, "s2": false, "s3": false}'
	echo "$output" | jq -e '.[] | select(.id == "s2") | .reason | test("config.json .* is not the one hardshim handed")'
	echo "$output" | jq -e --arg b "$T/b4" '.[] | select(.id == "s3") | .reason | startswith("runs from bundle " + $b)'
	echo "$output" | jq -e '.[] | select(.id == "s1") | .record.seq == 1'
	run "$HS_BIN" unmanaged --runtime "$rt" --root "$root" --log "$LOG" --check
	[ "$status" -eq 1 ]

	# A record written into the log by hand (s3's, renamed s4) is off the chain: it vouches
	# for nothing, though bundle and config match; the break is reported.
	"$rt" --root "$root" delete --force s3
	tail -n 1 "$LOG" | sed 's/"id":"s3"/"id":"s4"/' >>"$LOG"
	"$rt" --root "$root" create --bundle "$T/b3" s4 </dev/null >/dev/null 2>&1
	run "$HS_BIN" unmanaged --runtime "$rt" --root "$root" --log "$LOG" --json
	echo "$output"
	[[ "$output" == *"the chain is broken"* ]]
	echo "$output" | tail -n 1 | jq -e '.[] | select(.id == "s4") | .recorded == false and .reason == "no launch record (started around hardshim)"'
}

@test "audit: unmanaged judges the running container: a stale record does not vouch for it (runc)" {
	check_stale_record "$RUNC"
}

@test "audit: unmanaged judges the running container: a stale record does not vouch for it (crun)" {
	check_stale_record "$CRUN"
}

# Issue 18: a create whose runtime fails after hardshim admitted it is recorded as such: hardshim
# waits for the runtime and appends a runtime-failed record that names the launch by its hash.
# `log show` reads FAILED for it (ok for one that worked), and `unmanaged` no longer lets that
# launch vouch for a container started later under the id with the bare runtime, from the same
# bundle and the very bytes hardshim handed on (the image fixed behind hardshim's back).
check_runtime_failed() {
	local rt=$1 root launch
	root=$(rt_root "$rt")
	au_policy '.runtime = $rt' --arg rt "$rt"
	au_bundle "$T/b"
	rm "$T/b/rootfs/bin/sleep" # the runtime fails: the image has no "sleep"
	run hs_rt "$rt" create --bundle "$T/b" f1
	echo "$output"
	[ "$status" -eq 1 ] # the runtime's own exit status
	run "$rt" --root "$root" state f1
	[ "$status" -ne 0 ]
	[ "$(wc -l <"$LOG")" -eq 2 ]
	launch=$(sed -n 1p "$LOG")
	echo "$launch" | jq -e '.event == "create" and .id == "f1" and .waits == true and .verdict != "refused"'
	sed -n 2p "$LOG" | jq -e --arg h "$(echo "$launch" | jq -r .hash)" --arg rt "$rt" --arg root "$root" '
		.event == "runtime-failed" and .of == $h and .command == "create" and .id == "f1" and
		.root == $root and .runtime == $rt and .exit == 1 and .signal == null and .pid > 0'
	"$HS_BIN" log verify "$LOG"
	run "$HS_BIN" log show "$LOG"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '"f1"')" = 1 ]
	echo "$output" | grep '"f1"' | grep -q 'FAILED: exit 1 (seq 2)'
	# suggest reads the launch's findings, not the runtime-failed record after it
	run "$HS_BIN" suggest --id f1 "$LOG"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"user.root process.user.uid"* ]]
	au_bundle "$T/ok"
	hs_rt "$rt" create --bundle "$T/ok" ok1
	[ "$(wc -l <"$LOG")" -eq 3 ] # a runtime that worked leaves no second record
	run "$HS_BIN" log show --json "$LOG"
	echo "$output"
	echo "$output" | jq -e 'map({(.id): .runtime}) | add == {"f1": "failed", "ok1": "ok"}'
	echo "$output" | jq -e '.[] | select(.id == "f1") | .runtime_failure == {"seq": 2, "exit": 1, "signal": null, "error": null}'

	ln -s busybox "$T/b/rootfs/bin/sleep"
	"$rt" --root "$root" create --bundle "$T/b" f1 </dev/null >/dev/null 2>&1
	run "$HS_BIN" unmanaged --runtime "$rt" --root "$root" --log "$LOG" --json
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e 'map({(.id): .recorded}) | add == {"f1": false, "ok1": true}'
	echo "$output" | jq -e '.[] | select(.id == "f1") | .reason | startswith("the runtime failed the launch recorded for this id (seq 1: exit 1, recorded at seq 2)")'
	run "$HS_BIN" unmanaged --runtime "$rt" --root "$root" --log "$LOG" --check
	[ "$status" -eq 1 ]
}

@test "audit: a create whose runtime failed is recorded, shown FAILED by log show, and vouches for nothing (runc)" {
	check_runtime_failed "$RUNC"
}

@test "audit: a create whose runtime failed is recorded, shown FAILED by log show, and vouches for nothing (crun)" {
	check_runtime_failed "$CRUN"
}

# forge DIR OP: what an intruder with root does to DIR/l.jsonl (a copy of the log, with its
# .head and .seal): apply OP, then re-chain every record (seq, prev, hash) and write a head
# that agrees, so the unkeyed chain and the head hold. OPs: edit (record 3's id), cut (the
# last record), swap (records 3 and 4), strip (every seal dropped), reseal (every seal
# dropped, a fresh key of the intruder's own sealing them all, the state replaced), reseal-node
# (the same with the sealing key the node holds now, after the key has moved on).
forge() {
	python3 - "$1" "$2" <<-'EOF'
		import hashlib, hmac, json, os, re, sys
		d, op = sys.argv[1], sys.argv[2]
		log = d + "/l.jsonl"
		lines = open(log).read().splitlines()
		tail = re.compile(r',"seal":\{"n":\d+,"mac":"[0-9a-f]{64}"\}$')
		bodies = []
		for l in lines:
		    b = l[: -len(',"hash":"') - 64 - 2]
		    b = b[b.index(',"prev":"') + len(',"prev":"') + 64 + 2 :]
		    b = b.replace('"file_start":true,', "")
		    bodies.append(b)
		if op == "edit":
		    bodies[2] = bodies[2].replace('"id":"', '"id":"x', 1)
		if op == "cut":
		    bodies.pop()
		if op == "swap":
		    bodies[2], bodies[3] = bodies[3], bodies[2]
		key, n = os.urandom(32), 1
		if op == "reseal-node":
		    # the sealing key the node holds now (the key has moved on): all the intruder has
		    key = bytes.fromhex(open(log + ".seal").read().split()[4])
		    op = "reseal"
		out, prev = [], "0" * 64
		for i, b in enumerate(bodies):
		    sealed = tail.search(b)
		    if op in ("strip", "reseal"):
		        b = tail.sub("", b)
		    line = '{"v":1,"seq":%d,"prev":"%s",%s%s' % (i + 1, prev, '"file_start":true,' if i == 0 else "", b)
		    if op == "reseal" and sealed:
		        line += ',"seal":{"n":%d,"mac":"%s"}' % (n, hmac.new(key, line.encode(), "sha256").hexdigest())
		        key, n = hashlib.sha256(b"hardshim-seal-evolve" + key).digest(), n + 1
		    prev = hashlib.sha256(line.encode()).hexdigest()
		    out.append(line + ',"hash":"%s"}' % prev)
		open(log, "w").write("".join(x + "\n" for x in out))
		st = os.stat(log)
		open(log + ".head", "w").write("hardshim-head 1 %d %s %d %d\n" % (len(out), prev, st.st_ino, st.st_size))
		if op == "reseal":
		    open(log + ".seal", "w").write("hardshim-seal 1 %020d %020d %s\n" % (n, len(out), key.hex()))
	EOF
}

# Issue 18: records an intruder with root cannot rewrite afterwards without detection. Real
# launches under RUNTIME, the log sealed after the first; the verification key is kept apart
# (here: a file the intruder's copy does not include). Each attack re-chains the file and its
# head, so the unkeyed chain and the head pass: only the seals catch it.
check_sealed() {
	local rt=$1 op
	au_policy '.runtime = $rt' --arg rt "$rt"
	au_bundle "$T/b"
	hs_rt "$rt" create --bundle "$T/b" z1
	mkdir -p "$T/offnode"
	"$HS_BIN" log seal >"$T/offnode/key"
	[ "$(wc -c <"$T/offnode/key")" = 65 ]
	! grep -rqF "$(cat "$T/offnode/key")" "$T/log" || false # key_0 is not kept on the node
	for i in 2 3 4 5; do hs_rt "$rt" create --bundle "$T/b" "z$i"; done
	"$rt" --root "$(rt_root "$rt")" state z5 | jq -e '.status == "created"'
	[ "$(jq -s '[.[] | select(.seal)] | map(.seal.n)' "$LOG" | jq -c .)" = "[1,2,3,4]" ]
	run "$HS_BIN" log verify --key "$T/offnode/key" "$LOG"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"5 records"*"seals verified"* ]]

	for op in edit cut swap strip reseal reseal-node; do
		rm -rf "$T/f-$op" && mkdir "$T/f-$op"
		cp "$LOG" "$LOG.head" "$LOG.seal" "$T/f-$op/" 2>/dev/null
		mv "$T/f-$op/launches.jsonl" "$T/f-$op/l.jsonl"
		mv "$T/f-$op/launches.jsonl.head" "$T/f-$op/l.jsonl.head"
		mv "$T/f-$op/launches.jsonl.seal" "$T/f-$op/l.jsonl.seal"
		forge "$T/f-$op" "$op"
		# the file and its head are consistent again: the unkeyed check is fooled
		run "$HS_BIN" log verify "$T/f-$op/l.jsonl"
		echo "$op: $output"
		[ "$status" -eq 0 ]
		run "$HS_BIN" log verify --key "$T/offnode/key" "$T/f-$op/l.jsonl"
		echo "$op --key: $output"
		[ "$status" -eq 1 ]
		case $op in
		edit) [[ "$output" == *"l.jsonl:3: BROKEN"*"does not verify"* ]] ;;
		cut) [[ "$output" == *"cut off the end"* ]] ;;
		swap) [[ "$output" == *"l.jsonl:3: BROKEN"*"sealed with key 3 where key 2 comes next"* ]] ;;
		strip) [[ "$output" == *"no record is sealed, yet the sealing key moved on"* ]] ;;
		reseal | reseal-node) [[ "$output" == *"l.jsonl:2: BROKEN"*"does not verify with key 1"* ]] ;;
		esac
	done
}

@test "audit: sealed records resist edit, cut, reorder and a rewritten file, head and sealing state (runc)" {
	check_sealed "$RUNC"
}

@test "audit: sealed records resist edit, cut, reorder and a rewritten file, head and sealing state (crun)" {
	check_sealed "$CRUN"
}

@test "audit: the launch appears in the kernel audit stream as VIRT_CONTROL (auditd)" {
	command -v auditd >/dev/null || skip "auditd is not installed"
	auditctl -s >/dev/null 2>&1 || skip "no kernel audit here (auditctl -s fails: no audit netlink in this namespace)"
	[ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" = 0 ] ||
		skip "another audit daemon is registered with the kernel; not taking it over"
	AUDIT_ENABLED_BEFORE=$(auditctl -s | awk '$1 == "enabled" { print $2 }')
	mkdir -p "$T/auditd/plugins.d"
	cat >"$T/auditd/auditd.conf" <<-EOF
		local_events = yes
		write_logs = yes
		log_file = $T/auditd/audit.log
		log_format = RAW
		flush = INCREMENTAL_ASYNC
		freq = 1
		max_log_file = 8
		num_logs = 0
		max_log_file_action = IGNORE
		space_left = 2
		space_left_action = IGNORE
		admin_space_left = 1
		admin_space_left_action = IGNORE
		disk_full_action = IGNORE
		disk_error_action = IGNORE
		plugin_dir = $T/auditd/plugins.d
	EOF
	auditd -f -s enable -c "$T/auditd" >"$T/auditd/out" 2>&1 3>&- {HS_LOCK_FD}>&- &
	AUDITD_PID=$!
	for _ in $(seq 50); do
		[ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" = "$AUDITD_PID" ] && break
		sleep 0.1
	done
	[ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" = "$AUDITD_PID" ] ||
		skip "auditd could not register with the kernel here: $(tail -3 "$T/auditd/out")"

	au_policy '.log.kernel_audit = true'
	au_bundle "$T/b"
	run hs create --bundle "$T/b" kc1
	[ "$status" -eq 0 ]
	au_refused_bundle "$T/r"
	run hs create --bundle "$T/r" kc2
	[ "$status" -ne 0 ]
	h1=$(jq -r 'select(.id == "kc1") | .hash' "$LOG")
	uuid1="${h1:0:8}-${h1:8:4}-${h1:12:4}-${h1:16:4}-${h1:20:12}"
	# In the foreground (-f) auditd writes the events it receives to its stderr.
	for _ in $(seq 50); do
		grep -q 'vm="kc2"' "$T/auditd/out" && break
		sleep 0.1
	done
	grep 'type=VIRT_CONTROL' "$T/auditd/out" | grep -F 'virt=hardshim op=start reason=' | grep -F 'vm="kc1"' |
		grep -F "uuid=$uuid1" | grep -q 'res=success'
	grep 'type=VIRT_CONTROL' "$T/auditd/out" | grep -F 'reason=refused vm="kc2"' | grep -q 'res=failed'
}

@test "audit: the launch goes to syslog (a /dev/log of the test's own, in a private mount namespace)" {
	command -v unshare >/dev/null || skip "unshare is not installed"
	command -v python3 >/dev/null || skip "python3 is not installed"
	au_policy '.log.syslog = true'
	au_refused_bundle "$T/r"
	# /dev is replaced only inside the new mount namespace; the host's /dev is untouched.
	run unshare -m sh -c '
		mount --make-rprivate / && mount -t tmpfs tmpfs /dev &&
		python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
open(sys.argv[1], \"w\").close()
s.settimeout(10)
while True:
    m = s.recv(65536).decode(errors=\"replace\")
    print(m, flush=True)
    if \"launch event=\" in m:
        break
" "$1/ready" >"$1/syslog.out" &
		for _ in $(seq 50); do [ -e "$1/ready" ] && break; sleep 0.1; done
		"$HS_BIN" --root "$2" create --bundle "$1/r" "sys\"1" </dev/null >/dev/null 2>&1
		wait' sh "$T" "$STATE"
	cat "$T/syslog.out"
	grep -F 'hardshim[' "$T/syslog.out" | grep -F 'launch event=create id="sys\"1"' | grep -F 'verdict=refused' |
		grep -q "record=$(jq -r .hash "$LOG" | tail -n 1)"
}

@test "audit: log verify --against the syslog copies catches a rewritten file and head" {
	command -v unshare >/dev/null || skip "unshare is not installed"
	au_policy '.log.syslog = true'
	au_refused_bundle "$T/r"
	# Four launches with syslog captured on a /dev/log of the test's own (as above).
	run unshare -m sh -c '
		mount --make-rprivate / && mount -t tmpfs tmpfs /dev &&
		python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
open(sys.argv[1], \"w\").close()
s.settimeout(10)
n = 0
while n < 4:
    m = s.recv(65536).decode(errors=\"replace\")
    print(m, flush=True)
    n += \"launch event=\" in m
" "$1/ready" >"$1/syslog.out" &
		for _ in $(seq 50); do [ -e "$1/ready" ] && break; sleep 0.1; done
		for i in 1 2 3 4; do "$HS_BIN" --root "$2" create --bundle "$1/r" "ag$i" </dev/null >/dev/null 2>&1; done
		wait' sh "$T" "$STATE"
	[ "$(grep -c 'launch event=' "$T/syslog.out")" = 4 ]
	run "$HS_BIN" log verify --against "$T/syslog.out" "$LOG"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"4 copies, all in the log"* ]]
	# The intruder cuts the last record and re-chains file and head: only the copy knows.
	mkdir "$T/f"
	cp "$LOG" "$T/f/l.jsonl"
	forge "$T/f" cut
	run "$HS_BIN" log verify "$T/f/l.jsonl"
	[ "$status" -eq 0 ]
	run "$HS_BIN" log verify --against "$T/syslog.out" "$T/f/l.jsonl"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"syslog.out:"*"BROKEN: the outside copy names record"*"does not hold"* ]]
}
