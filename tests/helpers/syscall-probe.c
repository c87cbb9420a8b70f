/* SPDX-License-Identifier: Apache-2.0
 * Static test program run inside containers: tries each syscall hardshim's default seccomp
 * profile denies (through syscall(2), so no libc wrapper hides the answer) and one it allows,
 * and prints "<name> <result>" per line, result "ok" or the errno name. Then the Seccomp line
 * of /proc/self/status. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case EBADF: return "EBADF";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case ENOMEM: return "ENOMEM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOKEY: return "ENOKEY";
	case ESRCH: return "ESRCH";
	case ENODEV: return "ENODEV";
	default: return "OTHER";
	}
}

static void report(const char *name, long r)
{
	if (r < 0)
		printf("%s %s\n", name, errname(errno));
	else
		printf("%s ok\n", name);
	fflush(stdout);
}

/* A child made with clone() must not return into our stack frame: exit at once. */
static long try_clone(unsigned long flags)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

static long try_clone3(void)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	long r = syscall(SYS_clone3, &args, sizeof(args));
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

int main(void)
{
	report("getpid", syscall(SYS_getpid));
	/* Harmless to run anywhere: each call either fails or changes only this process. Where
	 * seccomp lets one through, the kernel's answer (ENOENT, EBADF, EINVAL, EFAULT, ESRCH,
	 * ENODEV) tells it apart from the filter's EPERM. */
	report("clone-newuser", try_clone(CLONE_NEWUSER));
	report("unshare", syscall(SYS_unshare, CLONE_NEWUSER));
	report("mount", syscall(SYS_mount, "none", "/hs-probe-missing", "tmpfs", 0UL, NULL));
	report("umount2", syscall(SYS_umount2, "/hs-probe-missing", 0));
	report("setns", syscall(SYS_setns, -1, 0));
	report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
	report("add_key", syscall(SYS_add_key, "hs-no-such-type", "hs", "x", 1, -3));
	report("kexec_load", syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL));
	/* x86_64 only (absent on x86): fd -1 and no flags load nothing; without CAP_SYS_BOOT
	 * the kernel says EPERM, without kexec support ENOSYS, with both EBADF. */
	report("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0UL));
	report("bpf", syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0));
	report("userfaultfd", syscall(SYS_userfaultfd, ~0U));
	report("ptrace", syscall(SYS_ptrace, 3 /* PTRACE_PEEKUSER */, 0x3fffffff, NULL, NULL));
	report("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	report("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, 0));
	report("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
	report("clone-plain", try_clone(0));
	report("clone3", try_clone3());
	report("personality-query", syscall(SYS_personality, 0xffffffffUL));
	report("personality-norandom", syscall(SYS_personality, (unsigned long)ADDR_NO_RANDOMIZE));

	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0)
			fputs(line, stdout);
	if (f)
		fclose(f);
	return 0;
}
