#!/usr/bin/env bats
# class 3 of issue 13 (wrong models of what the runtimes do), seccomp: the native architecture
# is in every filter runc and crun build, whatever linux.seccomp.architectures lists, and each
# rule lands on it too. A name that does not exist on the listed architectures was not judged.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# hardshim's own default profile, listed for x86 (32-bit) only, with kexec_file_load moved from
# its EPERM rule to an ALLOW. kexec_file_load exists on x86_64, not on x86: judged on x86 alone
# the ALLOW names nothing. The probe reports the kernel's answer when the filter lets the call
# through (ENOSYS without kexec support, EBADF with it and CAP_SYS_BOOT), and the default
# profile's EPERM when it does not.
native_arch_kexec_file_load() {
	rt_begin "$1"
	hs_rootfs_add_helper syscall-probe
	hs_config '.linux.seccomp = ($p[0]
		| .architectures = ["SCMP_ARCH_X86"]
		| .syscalls |= map(.names -= ["kexec_file_load"])
		| .syscalls += [{"names": ["kexec_file_load"], "action": "SCMP_ACT_ALLOW"}])' \
		--slurpfile p "$HS_TOP/profiles/seccomp/default.json"
	rt_inside_probe 'syscall-probe | grep "^kexec_file_load "'
	rt_run_probe direct
	if [ "$RT_OUT" = "kexec_file_load EPERM" ]; then
		skip "this kernel answers kexec_file_load with EPERM itself (kexec built in, no CAP_SYS_BOOT): the filter's EPERM cannot be told apart"
	fi
	[[ "$RT_OUT" == "kexec_file_load "* ]] || { echo "the probe did not run: $RT_OUT" >&2; return 1; }
	rt_neutralised '[ "$RT_OUT" = "kexec_file_load EPERM" ]'
}
@test "runc: a profile listing only x86 allows kexec_file_load on the native x86_64" { native_arch_kexec_file_load runc; }
@test "crun: a profile listing only x86 allows kexec_file_load on the native x86_64" { native_arch_kexec_file_load crun; }
