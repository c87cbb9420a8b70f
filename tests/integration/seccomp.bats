#!/usr/bin/env bats
# Seccomp through hardshim with the real runc and crun: the default profile is in force inside
# (Seccomp: 2, the denied set fails with EPERM, clone3 with ENOSYS), ordinary workloads still
# run, and each hostile seccomp section is refused or replaced - seen from inside the container.
# Control runs of the bare runtime show that the same probes do see the difference.

load ../lib/env

setup_file() {
	sh "$HS_TOP/scripts/prepare-host.sh"
	for h in syscall-probe tiny-server; do
		[ -x "$HS_TOP/build/helpers/$h" ] || { echo "build/helpers/$h missing: make test-build" >&2; return 1; }
	done
}

setup() {
	work=$(mktemp -d /tmp/hs-seccomp.XXXXXX)
	ids=()
	for rt in runc crun; do
		sed -e "s|\"runtime\": *\"[^\"]*\"|\"runtime\": \"/usr/bin/$rt\"|" \
			-e "s|/var/log/hardshim/launches.jsonl|$work/launches-$rt.jsonl|" \
			"$HS_TOP/profiles/policy/default.json" >"$work/policy-$rt.json"
		chmod 0644 "$work/policy-$rt.json"
	done
}

teardown() {
	for entry in "${ids[@]}"; do
		"/usr/bin/${entry%%:*}" --root "$work/state-${entry%%:*}" delete --force "${entry#*:}" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}

# make_bundle DIR JQ-FILTER: busybox-static rootfs with the test helpers, runc's default spec.
make_bundle() {
	local d=$1
	mkdir -p "$d/rootfs/bin" "$d/rootfs/proc" "$d/rootfs/dev" "$d/rootfs/sys" "$d/rootfs/tmp" "$d/rootfs/etc"
	cp /bin/busybox "$d/rootfs/bin/busybox"
	for c in sh ls cat echo grep sed awk sort wc tr head tail find tar gzip sha256sum date id \
		touch mkdir rm cp mv ln sleep seq expr test true false uname ps nc wget; do
		ln -sf busybox "$d/rootfs/bin/$c"
	done
	cp "$HS_TOP/build/helpers/syscall-probe" "$HS_TOP/build/helpers/tiny-server" "$d/rootfs/bin/"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$d/rootfs/etc/passwd"
	(cd "$d" && runc spec && jq ".process.terminal=false | $2" config.json >config.json.new &&
		mv config.json.new config.json)
	chmod 0644 "$d/config.json"
	cp "$d/config.json" "$d/config.pristine"
}

# Each run starts from the bundle's own config: hardshim rewrites config.json in place.
pristine() {
	cp "$1/config.pristine" "$1/config.json"
	chmod 0644 "$1/config.json"
}

# hs RT ID BUNDLE [POLICY]: run a container through hardshim; output in $output. The container
# is ID-<test's pid>: the configs name no cgroupsPath, so the runtime makes /<id>, and another
# run of this file at the same time (the ASan pass beside the plain one) must not share it.
hs() {
	local rt=$1 id=$2-$$ bundle=$3 policy=${4:-$work/policy-$1.json}
	ids+=("$rt:$id")
	pristine "$bundle"
	run env HARDSHIM_POLICY="$policy" "$HS_BIN" --root "$work/state-$rt" run --bundle "$bundle" "$id"
}

# bare RT ID BUNDLE: the same container without hardshim (control runs).
bare() {
	ids+=("$1:$2-$$")
	pristine "$3"
	run "/usr/bin/$1" --root "$work/state-$1" run --bundle "$3" "$2-$$"
}

probe_says() { # name result
	grep -qx "$1 $2" <<<"$output" || { echo "expected '$1 $2' in:"; echo "$output"; return 1; }
}

assert_default_in_force() {
	grep -qP '^Seccomp:\t2$' <<<"$output" || { echo "no 'Seccomp: 2' in: $output"; return 1; }
	for s in clone-newuser unshare mount umount2 setns keyctl add_key kexec_load bpf userfaultfd \
		ptrace perf_event_open open_by_handle_at io_uring_setup; do
		probe_says "$s" EPERM
	done
	probe_says clone3 ENOSYS
	probe_says personality-norandom ENOSYS
	probe_says getpid ok
	probe_says clone-plain ok
	probe_says personality-query ok
}

@test "seccomp: committed default.json and C table equal the generator's output" {
	run python3 "$HS_TOP/scripts/gen-seccomp.py" --check
	echo "$output"
	[ "$status" -eq 0 ]
	# and the generator does notice drift
	cp -r "$HS_TOP/profiles" "$HS_TOP/scripts" "$work/"
	mkdir -p "$work/src/policy" && cp "$HS_TOP/src/policy/seccomp-profile.c" "$work/src/policy/"
	sed -i 's/^\tkeyctl add_key request_key$/\tadd_key request_key/' "$work/profiles/seccomp/default.seccomp"
	run python3 "$work/scripts/gen-seccomp.py" --top "$work" --check
	[ "$status" -eq 1 ]
	[[ "$output" == *"default.json differs"* ]]
}

@test "seccomp/runc: default profile in force: Seccomp 2, denied syscalls EPERM, clone3 ENOSYS" {
	test_default_in_force runc
}

@test "seccomp/runc: control run: the bare runtime without a profile lets the probes through" {
	test_bare_control runc
}

@test "seccomp/runc: workload set runs: busybox utilities, threaded C server, python3" {
	test_workload runc
}

@test "seccomp/runc: allow-all defaultAction is replaced by the default" {
	test_allow_all runc
}

@test "seccomp/runc: a profile allowing kexec_load is replaced by the default" {
	test_kexec_allowed runc
}

@test "seccomp/runc: weakening flag SPEC_ALLOW is replaced (and refused under action refuse)" {
	test_weakening_flag runc
}

@test "seccomp/crun: default profile in force: Seccomp 2, denied syscalls EPERM, clone3 ENOSYS" {
	test_default_in_force crun
}

@test "seccomp/crun: control run: the bare runtime without a profile lets the probes through" {
	test_bare_control crun
}

@test "seccomp/crun: workload set runs: busybox utilities, threaded C server, python3" {
	test_workload crun
}

@test "seccomp/crun: allow-all defaultAction is replaced by the default" {
	test_allow_all crun
}

@test "seccomp/crun: a profile allowing kexec_load is replaced by the default" {
	test_kexec_allowed crun
}

@test "seccomp/crun: weakening flag SPEC_ALLOW is replaced (and refused under action refuse)" {
	test_weakening_flag crun
}

test_default_in_force() {
	make_bundle "$work/b" '.process.args=["/bin/syscall-probe"]'
	hs "$1" "sc-default-$1" "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_default_in_force
}

test_bare_control() {
	make_bundle "$work/b" '.process.args=["/bin/syscall-probe"]'
	bare "$1" "sc-bare-$1" "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qP '^Seccomp:\t0$' <<<"$output"
	probe_says keyctl ok
	probe_says unshare ok
	probe_says clone3 ok
	probe_says bpf EINVAL
	probe_says mount ENOENT
}

test_workload() {
	make_bundle "$work/b" '.process.args=["/bin/sh","-c","set -e
		echo hello | tr a-z A-Z; seq 1 5 | sort -r | head -1; echo abc | sha256sum | cut -c1-8 2>/dev/null || true
		mkdir -p /dev/shm/w && cd /dev/shm/w && echo data >f && tar czf f.tgz f && rm f && tar xzf f.tgz && cat f
		ls / >/dev/null; id -u; date +%Y >/dev/null; ps >/dev/null
		sleep 0.1 & wait
		/bin/tiny-server 8080 3
		grep Seccomp: /proc/self/status"]'
	hs "$1" "sc-work-$1" "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *HELLO* ]]
	[[ "$output" == *$'\n5\n'* ]]
	[[ "$output" == *$'\ndata\n'* ]]
	[[ "$output" == *"hello GET /0"*"hello GET /1"*"hello GET /2"* ]]
	grep -qP '^Seccomp:\t2$' <<<"$output"

	# python3 from Debian, copied into the rootfs with its libraries, under the same profile
	local py=/usr/bin/python3.11 r="$work/b/rootfs"
	[ -x "$py" ] || skip "no python3.11 on this machine"
	mkdir -p "$r/usr/bin" "$r/usr/lib" "$r/lib64" "$r/lib/x86_64-linux-gnu"
	cp "$py" "$r/usr/bin/python3"
	cp -a /usr/lib/python3.11 "$r/usr/lib/"
	for lib in $(ldd "$py" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$r$(dirname "$lib")" && cp -L "$lib" "$r$lib"
	done
	pristine "$work/b"
	jq '.process.args=["/usr/bin/python3","-c","import json,hashlib,threading,subprocess,socket,os; t=threading.Thread(target=lambda: None); t.start(); t.join(); print(json.dumps({\"sha\": hashlib.sha256(b\"x\").hexdigest()[:8], \"sub\": subprocess.run([\"/bin/echo\",\"child\"],capture_output=True).stdout.decode().strip(), \"pid\": os.getpid() > 0}))"]' \
		"$work/b/config.json" >"$work/b/config.pristine"
	hs "$1" "sc-py-$1" "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"sha": "2d711642"'*'"sub": "child"'*'"pid": true'* ]]
}

with_seccomp() { # jq expression for .linux.seccomp
	make_bundle "$work/b" ".process.args=[\"/bin/syscall-probe\"] | .linux.seccomp=$1"
}

test_allow_all() {
	with_seccomp '{"defaultAction":"SCMP_ACT_ALLOW"}'
	hs "$1" "sc-allowall-$1" "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_default_in_force
	# the bare runtime honours it: nothing is filtered
	bare "$1" "sc-allowall-bare-$1" "$work/b"
	probe_says keyctl ok
}

test_kexec_allowed() {
	# hardshim's own default with kexec_load and keyctl moved from EPERM to ALLOW
	with_seccomp "$(jq -c '(.syscalls[].names) |= map(select(. != "kexec_load" and . != "keyctl"))
		| .syscalls += [{"names":["kexec_load","keyctl"],"action":"SCMP_ACT_ALLOW"}]' \
		"$HS_TOP/profiles/seccomp/default.json")"
	hs "$1" "sc-kexec-$1" "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_default_in_force
	bare "$1" "sc-kexec-bare-$1" "$work/b"
	echo "$output"
	probe_says keyctl ok
}

test_weakening_flag() {
	with_seccomp '{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],"syscalls":[{"names":["read","write","openat","close","fstat","newfstatat","execve","exit_group","brk","mmap","arch_prctl","set_tid_address","rt_sigaction","rt_sigprocmask","getpid","clone","wait4","fcntl","lseek","prlimit64","getrandom","futex","rseq","set_robust_list","readlink","uname","mprotect","keyctl"],"action":"SCMP_ACT_ERRNO"}]}'
	hs "$1" "sc-flag-$1" "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_default_in_force
	# under "action": "refuse" the same config is refused before the runtime runs
	jq '.controls.seccomp={"action":"refuse"}' "$work/policy-$1.json" >"$work/refuse.json"
	hs "$1" "sc-flag-refuse-$1" "$work/b" "$work/refuse.json"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"seccomp.flag"*"linux.seccomp.flags[0]"* ]]
	run "/usr/bin/$1" --root "$work/state-$1" state "sc-flag-refuse-$1-$$"
	[ "$status" -ne 0 ]
}

@test "seccomp/runc: an unknown syscall name is refused before the runtime runs" {
	# the default profile plus a deny rule with a misspelt name
	with_seccomp "$(jq -c '.syscalls += [{"names":["read","kexec_lod"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]' \
		"$HS_TOP/profiles/seccomp/default.json")"
	hs runc sc-unknown "$work/b"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"seccomp.unknown-syscall: linux.seccomp.syscalls["*"].names[1]"*"kexec_lod"* ]]
	run runc --root "$work/state-runc" state "sc-unknown-$$"
	[ "$status" -ne 0 ]
	# runc itself would have skipped the name silently and run the container
	bare runc sc-unknown-bare "$work/b"
	[ "$status" -eq 0 ]
}

@test "seccomp/crun: run.oci.seccomp_bpf_data (an allow-all BPF program) is stripped; default in force" {
	# BPF_RET|BPF_K SECCOMP_RET_ALLOW: one instruction that allows everything.
	make_bundle "$work/b" '.process.args=["/bin/syscall-probe"] | .annotations={"run.oci.seccomp_bpf_data":"BgAAAAAA/38="}'
	bare crun sc-bpf-bare "$work/b"
	echo "bare: $output"
	probe_says keyctl ok # crun loaded the annotation's filter instead of any profile
	hs crun sc-bpf "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_default_in_force
	# refused when the policy says so
	jq '.controls.seccomp={"action":"refuse"}' "$work/policy-crun.json" >"$work/refuse.json"
	hs crun sc-bpf-refuse "$work/b" "$work/refuse.json"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'annotations["run.oci.seccomp_bpf_data"]'* ]]
}

@test "seccomp: hardshim check names every weakness of a hostile profile" {
	with_seccomp '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_VAX"],"flags":["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],"listenerPath":"/run/evil.sock","syscalls":[{"names":["kexec_load","frobnicate"],"action":"SCMP_ACT_ALLOW"}]}'
	run env HARDSHIM_POLICY="$work/policy-runc.json" "$HS_BIN" check --all "$work/b"
	echo "$output"
	[ "$status" -eq 1 ]
	for rule in seccomp.default-action seccomp.architecture seccomp.flag seccomp.listener \
		seccomp.syscall seccomp.unknown-syscall; do
		[[ "$output" == *"$rule"* ]]
	done
}
