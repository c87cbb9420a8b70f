/* SPDX-License-Identifier: Apache-2.0
 * hs_host_devices_deny (src/host/devcgroup.c) on the real host: a failure is reported under
 * the caller's rule (devices.runtime-grants from create and hook mode, hook.devices from
 * `hardshim hook devices`), and a process in the devices hierarchy's root (an exited,
 * unreaped init reads as there) gets no deny: written there it would take the device from
 * the whole host. The deny asked for is a harmless one (mknod of c 1:99, no such device), so
 * that even a regression writes nothing that matters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs-host.h"

static char deny_rule[] = "c 1:99 m";
static char *const denies[] = { deny_rule };

/* A child that has exited and is not reaped yet: the state an init is in between its death
 * and its reaping. -1 if it could not be made. */
static pid_t zombie(void)
{
	char file[64], state = 0;
	pid_t pid = fork();
	FILE *f;

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	snprintf(file, sizeof(file), "/proc/%d/stat", (int)pid);
	/* no timing: wait until it has exited, without reaping it */
	while (waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	f = fopen(file, "re");
	if (!f || fscanf(f, "%*d %*s %c", &state) != 1)
		state = 0;
	if (f)
		fclose(f);
	return state == 'Z' ? pid : -1;
}

/* This host's devices line of /proc/<pid>/cgroup ("" when there is none: cgroup v2). */
static void devices_line(pid_t pid, char *buf, size_t size)
{
	char file[64], line[4096];
	FILE *f;

	buf[0] = '\0';
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	f = fopen(file, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, ":devices:")) {
			snprintf(buf, size, "%s", strstr(line, ":devices:") + 9);
			buf[strcspn(buf, "\n")] = '\0';
		}
	if (f)
		fclose(f);
}

static bool openat2_known(void)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOSYS;
}

static void test_caller_names_the_rule(void **state)
{
	const char *rules[] = { "devices.runtime-grants", "hook.devices" };
	pid_t gone;

	(void)state;
	/* a process that is gone (reaped): its cgroup cannot be read */
	gone = fork();
	if (gone == 0)
		_exit(0);
	assert_true(gone > 0);
	assert_int_equal(waitpid(gone, NULL, 0), gone);
	for (size_t i = 0; i < 2; i++) {
		struct hs_error err = HS_ERROR_INIT;

		assert_true(hs_host_devices_deny(gone, denies, 1, rules[i], &err) < 0);
		assert_string_equal(err.rule, rules[i]);
	}
}

static void test_root_refused(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	char line[4096];
	pid_t z;

	(void)state;
	z = zombie();
	assert_true(z > 0);
	devices_line(z, line, sizeof(line));
	if (strcmp(line, "/")) {
		kill(z, SIGKILL);
		waitpid(z, NULL, 0);
		/* cgroup v2 (no devices hierarchy), or a kernel that keeps an exited process's
		 * cgroup: there is no root case to show with it */
		skip();
	}
	assert_true(hs_host_devices_deny(z, denies, 1, "devices.runtime-grants", &err) < 0);
	assert_int_equal(waitpid(z, NULL, 0), z);
	assert_string_equal(err.rule, "devices.runtime-grants");
	if (!openat2_known()) {
		/* valgrind does not know openat2: the cgroup is not opened at all (a failure too,
		 * under the same rule), so the root's own refusal cannot be seen */
		print_message("openat2 is not available here: the root case skipped\n");
		skip();
	}
	assert_string_equal(err.path, "/sys/fs/cgroup/devices");
	assert_non_null(strstr(err.msg, "the host's own cgroup"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caller_names_the_rule),
		cmocka_unit_test(test_root_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
