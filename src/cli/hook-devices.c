/* SPDX-License-Identifier: Apache-2.0
 * What every `hardshim hook STAGE` shares (include/hs-hook.h), and the whole of
 * `hardshim hook devices RULE...`: state on stdin; deny the runtimes' own device grants RULE in
 * the container's devices cgroup (the hook src/policy/devices.c injects, on cgroup v1).
 *
 * The devices hook loads no policy: its RULEs are checked one by one (hs_devices_deny_arg_ok:
 * it can only take a runtime's own grant away), the state is parsed strictly, and the deny is
 * hs_host_devices_deny's (src/host/devcgroup.c). So the front (src/front/front.c) runs it
 * itself, without the exec of the core that every other command pays (issue 17: `run`'s
 * second process): this file and what it calls are linked into the static front. The core
 * runs the same function when it is called directly (src/cli/hook.c).
 *
 * A hook runs for every container and must never hang the runtime: stdin is read with a
 * size limit and a deadline, and the whole process with an alarm. Refusal: exit 1, reason on
 * stderr (the runtime shows it with the hook's failure). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "hs-hook.h"
#include "hs-host.h"
#include "hs-policy.h"

const char *hs_hook_stage = "hook";

static void on_alarm(int sig)
{
	static const char msg[] = "hardshim: hook: timed out\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

void hs_hook_deadline(void)
{
	signal(SIGALRM, on_alarm);
	alarm(HS_HOOK_DEADLINE_S);
}

static bool is_dev_null(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

/* Say why on stderr. crun (1.8) runs hooks with stdout and stderr on /dev/null unless the
 * config carries run.oci.hooks.stderr (an annotation hardshim refuses: it makes crun write
 * host files); its caller would only read "error executing hook". So when our stderr is
 * /dev/null, the line also goes where the runtime's own stderr goes: the person or engine
 * that ran `create` sees the reason next to the runtime's message. */
void hs_hook_say(const char *line)
{
	fputs(line, stderr);
	fflush(stderr);
	if (is_dev_null(STDERR_FILENO)) {
		char path[64];
		_cleanup_close_ int fd = -1;

		/* The runtime's very file description (pidfd_getfd), so a file's offset is
		 * shared and the runtime's next line does not overwrite ours. */
		_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0);

		if (pidfd >= 0)
			fd = (int)syscall(SYS_pidfd_getfd, pidfd, STDERR_FILENO, 0);
		if (fd < 0) {
			snprintf(path, sizeof(path), "/proc/%d/fd/2", (int)getppid());
			fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		}
		if (fd >= 0 && !is_dev_null(fd))
			(void)hs_write_all(fd, line, strlen(line));
	}
}

int hs_hook_fail(const struct hs_error *err)
{
	char buf[HS_LINE_MAX], line[HS_LINE_MAX + 128];

	hs_error_format(err, buf, sizeof(buf));
	snprintf(line, sizeof(line), "hardshim: hook %s: refused: %s\n", hs_hook_stage, buf);
	hs_hook_say(line);
	return 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int hs_hook_read_stdin(size_t max, char **ret, size_t *ret_len, struct hs_error *err)
{
	_cleanup_free_ char *buf = malloc(max + 1);
	long long end = now_ms() + HS_HOOK_STDIN_MS;
	size_t len = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		long long left = end - now_ms();
		ssize_t n;

		if (left <= 0)
			return hs_error_set(err, -ETIMEDOUT, "hook.stdin", "stdin", -1,
					    "no end of input within %d ms", HS_HOOK_STDIN_MS);
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hs_error_set(err, -errno, "hook.stdin", "stdin", -1, "poll: %s",
					    strerror(errno));
		if (n == 0)
			continue;
		n = read(STDIN_FILENO, buf + len, max + 1 - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return hs_error_set(err, -errno, "hook.stdin", "stdin", -1, "read: %s",
					    strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return hs_error_set(err, -EFBIG, "json.size", "stdin", (long long)max,
					    "input is larger than the limit of %zu bytes", max);
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

/* The state document, strictly: same parser and shape check as every other input. */
int hs_hook_read_state(struct hs_arena *a, struct hs_hook_state *ret, struct hs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	struct hs_json *tree;
	const struct hs_json *pid;
	int64_t v;
	size_t len = 0;
	int r;

	limits.max_bytes = HS_HOOK_STATE_MAX;
	r = hs_hook_read_stdin(HS_HOOK_STATE_MAX, &buf, &len, err);
	if (r < 0)
		return r;
	r = hs_json_parse(a, buf, len, &limits, &tree, err);
	if (r < 0)
		return r;
	r = hs_schema_check(tree, &hs_oci_state, "", HS_UNKNOWN_PRESERVE, err);
	if (r < 0)
		return r;
	pid = hs_json_get(tree, "pid");
	if (!pid || hs_json_get_i64(pid, 2, INT_MAX, &v) < 0)
		return hs_error_set(err, -HS_EPARSE, "hook.state", "pid", pid ? pid->offset : -1,
				    "the state has no container pid");
	ret->pid = (pid_t)v;
	ret->bundle = hs_json_get_string(tree, "bundle");
	ret->id = hs_json_get_string(tree, "id");
	return 0;
}

/* Every RULE must be one the devices control writes: a config cannot turn this hook into a
 * writer of other rules (it could only deny, but say no). */
int hs_hook_check_denies(int argc, char **argv, struct hs_error *err)
{
	if (argc < 1)
		return hs_error_set(err, -EINVAL, "hook.devices", "", -1, "no rule to deny");
	for (int i = 0; i < argc; i++)
		if (!hs_devices_deny_arg_ok(argv[i]))
			return hs_error_set(err, -EINVAL, "hook.devices", argv[i], -1,
					    "not a runtime grant hardshim denies");
	return 0;
}

/* `hook devices RULE...`: deny the runtime's own extra device grants (src/policy/devices.c) in
 * the container's devices cgroup. */
int hs_cmd_hook_devices(int argc, char **argv)
{
	_cleanup_arena_ struct hs_arena *a = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_hook_state st = { 0 };

	hs_hook_deadline();
	hs_hook_stage = "devices";
	if (!(a = hs_arena_new()))
		return 1;
	argc--, argv++;
	if (hs_hook_check_denies(argc, argv, &err) < 0 || hs_hook_read_state(a, &st, &err) < 0)
		return hs_hook_fail(&err);
	/* 1: cgroup v2, no file to deny in; the runtime's own eBPF program stays as it is
	 * (docs/runtime-differences.md), said there rather than on every container's create */
	return hs_host_devices_deny(st.pid, argv, (size_t)argc, "hook.devices", &err) < 0
		   ? hs_hook_fail(&err)
		   : 0;
}
