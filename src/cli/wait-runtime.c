/* SPDX-License-Identifier: Apache-2.0
 * `create`: hardshim runs the runtime as its child and waits for it, so the launch log can say
 * when the runtime failed after hardshim admitted the launch (issue 18). Without that, a
 * record of a create that never produced a container stays in the log looking like a launch,
 * and vouches for whatever someone starts later under the same id with the bare runtime.
 *
 * Why create only: `runc create` / `crun create` exit once the container exists (its init
 * waits for `start`), so waiting costs one fork and changes nothing the caller sees: the
 * runtime gets hardshim's argv, environment, fds and cwd, and its exit status (or the signal
 * that killed it) becomes hardshim's. Commands that stay in the foreground with the container
 * or its process (run, exec) keep the exec model: there hardshim becomes the runtime.
 *
 * What the caller does to hardshim reaches the runtime: catchable signals are forwarded, and
 * the runtime gets SIGKILL if hardshim dies (a shim that kills the create it started must
 * not leave a runtime running behind it).
 *
 * Waiting also leaves hardshim a moment when the container exists and nothing of its image has
 * run (its init waits for `start`): the devices control's deny of the runtimes' own extra
 * grants (devices.runtime-grants) is done here, in the container's devices cgroup, instead of
 * by a createRuntime hook that would start a second hardshim per container. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "hs-audit.h"
#include "hs-cli.h"
#include "hs-host.h"

extern char **environ;

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM };

static volatile sig_atomic_t child;

static void forward(int sig)
{
	if (child > 0)
		(void)kill((pid_t)child, sig);
}

bool hs_runtime_waits(const struct hs_argv *a)
{
	return a->cmd && a->cmd->kind == HS_CMD_CREATE && a->cmd->event == HS_EVENT_CREATE;
}

/* The child: the runtime, exactly as exec_runtime would have run it. An execve failure goes
 * back through the close-on-exec pipe. */
static _Noreturn void run_child(struct hs_argv *a, const char *runtime, pid_t parent,
				const sigset_t *mask, int errfd)
{
	int e;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127); /* hardshim is already gone: its caller no longer waits */
	(void)sigprocmask(SIG_SETMASK, mask, NULL);
	/* a held bundle: the restorer waits for this very process before it gives it back */
	e = -hs_restorer_runtime();
	if (e == 0) {
		a->argv[0] = (char *)runtime;
		execve(runtime, a->argv, environ);
		e = errno;
	}
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

static int record_failure(const struct hs_argv *a, const struct hs_policy *p, const char *of,
			  pid_t pid, int status, int exec_errno, const char *why)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_runtime_failure o = {
		.of = of[0] ? of : NULL,
		.event = a->cmd->event,
		.container_id = a->first_positional >= 0 ? a->argv[a->first_positional] : NULL,
		.root = a->root,
		.runtime = p->runtime,
		.pid = exec_errno ? 0 : pid,
		.exit_status = !exec_errno && WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		.signal = !exec_errno && WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		.error = exec_errno ? strerror(exec_errno) : why,
	};
	char buf[HS_LINE_MAX], msg[HS_LINE_MAX + 128];

	if (hs_audit_runtime_failed(p, &o, &err) == 0)
		return 0;
	hs_error_format(&err, buf, sizeof(buf));
	snprintf(msg, sizeof(msg),
		 "hardshim: warning: the runtime failed, and the failure is not in the launch "
		 "log: %s",
		 buf);
	hs_report_to_caller(a, msg);
	return -1;
}

/* The denies the devices control asked create to make (hs_runtime_deny_after_create). */
static struct {
	char rules[2][HS_DEVICES_DENY_MAX];
	size_t n;
} after;

void hs_runtime_deny_after_create(char (*rules)[HS_DEVICES_DENY_MAX], size_t n)
{
	after.n = 0;
	for (size_t i = 0; i < n && i < HS_ARRAY_SIZE(after.rules); i++)
		snprintf(after.rules[after.n++], sizeof(after.rules[0]), "%s", rules[i]);
}

/* The pid file the engine named, as the runtime wrote it: only when root alone could have
 * written it (root's file, on a path no one else can swap: hs_host.read_root_file), and named
 * by an absolute path (a relative one is resolved by each runtime from its own directory). A
 * config author, or the uid a user-namespace bundle belongs to, must not be able to point the
 * deny at another process's cgroup. */
static int pid_from_file(const struct hs_argv *a, pid_t *ret)
{
	const char *name = hs_argv_value(a, "pid-file");
	const struct hs_host *h = hs_host_real();
	_cleanup_arena_ struct hs_arena *ar = NULL;
	struct hs_error err = HS_ERROR_INIT;
	const char *buf = NULL;
	size_t len = 0;
	char *end;
	long v;

	if (!name || name[0] != '/' || !h->read_root_file || !(ar = hs_arena_new()) ||
	    h->read_root_file(h, ar, name, 32, &buf, &len, &err) < 0)
		return -ENOENT;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && strcmp(end, "\n")) || v < 2 || v > INT_MAX)
		return -EINVAL;
	*ret = (pid_t)v;
	return 0;
}

/* Else the runtime's own state (kept under its --root, which nothing in the container can
 * write): one more runtime process. */
static int pid_from_state(const struct hs_argv *a, const struct hs_policy *p, pid_t *ret,
			  struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *ar = hs_arena_new();
	struct hs_json *state = NULL;
	int64_t v;
	int r;

	if (!ar)
		return -ENOMEM;
	r = hs_runtime_state(p->runtime, a->root, a->argv[a->first_positional],
			     "devices.runtime-grants", ar, &state, err);
	if (r < 0)
		return r;
	if (hs_json_get_i64(hs_json_get(state, "pid"), 2, INT_MAX, &v) < 0)
		return hs_error_set(err, -EINVAL, "devices.runtime-grants", "", -1,
				    "the runtime's state names no init pid");
	*ret = (pid_t)v;
	return 0;
}

/* Deny in the container's devices cgroup (hs_host_devices_deny reads devices.list back). The
 * pidfd holds the init's identity: had it died and its pid been reused while the cgroup was
 * being looked up, the deny would have gone elsewhere, so that is a failure too. */
static int deny_devices(const struct hs_argv *a, const struct hs_policy *p, struct hs_error *err)
{
	char *rules[HS_ARRAY_SIZE(after.rules)];
	_cleanup_close_ int pidfd = -1;
	struct pollfd pfd;
	pid_t pid = 0;
	int r;

	for (size_t i = 0; i < after.n; i++)
		rules[i] = after.rules[i];
	if (pid_from_file(a, &pid) < 0 && (r = pid_from_state(a, p, &pid, err)) < 0)
		return r;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return hs_error_set(err, -errno, "devices.runtime-grants", "", -1,
				    "the container's init (pid %d) is gone: %s", (int)pid,
				    strerror(errno));
	r = hs_host_devices_deny(pid, rules, after.n, "devices.runtime-grants", err);
	if (r < 0)
		return r;
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	if (poll(&pfd, 1, 0) != 0)
		return hs_error_set(err, -ESRCH, "devices.runtime-grants", "", -1,
				    "the container's init (pid %d) exited during the deny",
				    (int)pid);
	return 0;
}

/* After the runtime's create succeeded: the devices deny, or the container goes (runtime
 * delete --force: its init never ran anything of the image) and create fails, recorded. */
static int after_create(const struct hs_argv *a, const struct hs_policy *p, const char *of,
			pid_t runtime_pid)
{
	static const char *const del[] = { "delete", "--force", NULL, NULL };
	const char *args[HS_ARRAY_SIZE(del)];
	struct hs_error err = HS_ERROR_INIT, derr = HS_ERROR_INIT;
	_cleanup_free_ char *out = NULL;
	char why[HS_LINE_MAX];
	size_t len = 0;

	if (!after.n || deny_devices(a, p, &err) >= 0)
		return 0;
	memcpy(args, del, sizeof(args));
	args[2] = a->argv[a->first_positional];
	(void)hs_runtime_ask(p->runtime, a->root, args, 4096, "devices.runtime-grants", &out, &len,
			     &derr);
	hs_error_format(&err, why, sizeof(why));
	(void)record_failure(a, p, of, runtime_pid, 0, 0, why);
	hs_report_error(a, &err);
	return 1;
}

int hs_runtime_wait(struct hs_argv *a, const struct hs_policy *p)
{
	char of[HS_SHA256_HEX_LEN + 1];
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	sigset_t block, old;
	int pipefd[2], status = 0, exec_errno = 0;
	pid_t parent = getpid(), pid;
	ssize_t n;

	snprintf(of, sizeof(of), "%s", a->mark ? a->mark->hash : "");
	sigemptyset(&block);
	for (size_t i = 0; i < HS_ARRAY_SIZE(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	/* Blocked across fork: a signal that comes before the handlers know the child waits. */
	(void)sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		run_child(a, p->runtime, parent, &old, pipefd[1]);
	}
	close(pipefd[1]);
	if (pid < 0) {
		int r = -errno;

		hs_bundle_release();

		close(pipefd[0]);
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	child = pid;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < HS_ARRAY_SIZE(forwarded); i++)
		(void)sigaction(forwarded[i], &sa, NULL);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);

	do
		n = read(pipefd[0], &exec_errno, sizeof(exec_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n != (ssize_t)sizeof(exec_errno))
		exec_errno = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			hs_bundle_release();
			return -errno;
		}
	child = 0;
	if (!exec_errno && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* before the bundle is given back: a pid file in a held directory is root's */
		int r = after_create(a, p, of, pid);

		hs_bundle_release();
		return r;
	}
	/* The runtime has read the config and made the container, or failed: the bundle goes
	 * back to its owner (a user-namespace bundle, runtime.c) before anything else. */
	hs_bundle_release();

	if (exec_errno) {
		(void)record_failure(a, p, of, pid, status, exec_errno, NULL);
		return -exec_errno;
	}
	(void)record_failure(a, p, of, pid, status, 0, NULL);
	if (WIFSIGNALED(status)) {
		/* Die the way the runtime died: the caller reads a signal, not an exit code. */
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigset_t one;

		sigemptyset(&one);
		sigaddset(&one, WTERMSIG(status));
		(void)sigaction(WTERMSIG(status), &dfl, NULL);
		(void)sigprocmask(SIG_UNBLOCK, &one, NULL);
		(void)raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}
