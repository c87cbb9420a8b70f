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
 * not leave a runtime running behind it). */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "hs-audit.h"
#include "hs-cli.h"

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
			  pid_t pid, int status, int exec_errno)
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
		.error = exec_errno ? strerror(exec_errno) : NULL,
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

int hs_runtime_wait(struct hs_argv *a, const struct hs_policy *p)
{
	char of[HS_SHA256_HEX_LEN + 1];
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	sigset_t block, old;
	int pipefd[2], status = 0, exec_errno = 0;
	pid_t parent = getpid(), pid;
	ssize_t n;

	snprintf(of, sizeof(of), "%s", hs_audit_last_hash());
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
	/* The runtime has read the config and made the container, or failed: the bundle goes
	 * back to its owner (a user-namespace bundle, runtime.c) before anything else. */
	hs_bundle_release();

	if (exec_errno) {
		(void)record_failure(a, p, of, pid, status, exec_errno);
		return -exec_errno;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	(void)record_failure(a, p, of, pid, status, 0);
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
