/* SPDX-License-Identifier: Apache-2.0
 * `create`: hardshim runs the runtime as its child and waits for it, so the launch log can say
 * when the runtime failed after hardshim admitted the launch (issue 18). Without that, a
 * record of a create that never produced a container stays in the log looking like a launch,
 * and vouches for whatever someone starts later under the same id with the bare runtime.
 *
 * Why create only: `runc create` / `crun create` exit once the container exists (its init
 * waits for `start`), so waiting costs one child and changes nothing the caller sees: the
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
 * grants (devices.runtime-grants) is done here, in the container's devices cgroup, and the
 * egress rules of a network namespace the runtime made (egress.after-create) go into it here,
 * instead of by createRuntime hooks that would each start a second hardshim per container.
 * What to do is the pipeline's plan (struct hs_after_create), handed in by the caller. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "hs-audit.h"
#include "hs-cli.h"
#include "hs-egress.h"
#include "hs-host.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
/* The child's frames never return (exec or _exit), so ASan's marks for their redzones stay on
 * the stack memory it used, which is hardshim's own: clear them, or a later frame there would
 * be reported as an overflow. */
static void forget_child_stack(void *p, size_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(p, n);
}
#else
static void forget_child_stack(void *p, size_t n)
{
	(void)p;
	(void)n;
}
#endif

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
 * back through the close-on-exec pipe.
 *
 * It is made with clone(CLONE_VM | CLONE_VFORK) (spawn below), not fork: copying hardshim's
 * page tables only for execve to tear the copy down was ~7 % of create's CPU. The child
 * runs in hardshim's memory, on its own stack, while hardshim is suspended, so it writes
 * nothing hardshim reads afterwards (argv[0] is set by the parent; errno is the parent's
 * too, and the parent reads none of it after a clone that worked), allocates nothing (a
 * malloc lock or arena it left half-changed would be hardshim's), and runs no signal handler:
 * CLONE_VM without CLONE_SIGHAND gives it a copy of the handler table as it was before the
 * forwarding handlers were installed (the default ones), and every catchable signal that
 * hardshim forwards stays blocked until the mask is restored right before the exec. */
struct child_args {
	struct hs_argv *a;
	const char *runtime;
	pid_t parent;
	const sigset_t *mask;
	int errfd;
};

static int run_child(void *arg)
{
	const struct child_args *c = arg;
	int e;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->parent)
		_exit(127); /* hardshim is already gone: its caller no longer waits */
	(void)sigprocmask(SIG_SETMASK, c->mask, NULL);
	/* a held bundle: the restorer waits for this very process before it gives it back */
	e = -hs_restorer_runtime();
	if (e == 0) {
		execve(c->runtime, c->a->argv, environ);
		e = errno;
	}
	(void)!write(c->errfd, &e, sizeof(e));
	_exit(127);
}

/* The child's stack: on hardshim's own (a local array, so the pages it touches are ones the
 * stack would use anyway; 64 KiB is far more than the child's few calls need, even under
 * ASan). Returns the child's pid, or -errno; hardshim resumes once the child has exec'd or
 * exited. */
#define CHILD_STACK (64 * 1024)

static pid_t spawn(struct child_args *c)
{
	_Alignas(16) char stack[CHILD_STACK];
	char *saved = c->a->argv[0];
	pid_t pid;

	c->a->argv[0] = (char *)c->runtime; /* the child must not write what hardshim reads */
	pid = clone(run_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, c);
	if (pid < 0)
		pid = -errno;
	c->a->argv[0] = saved;
	forget_child_stack(stack, sizeof(stack));
	return pid;
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

/* The pid file the engine named, as the runtime wrote it: only when root alone could have
 * written it (root's file, on a path no one else can swap: hs_host.read_root_file), and named
 * by an absolute path (a relative one is resolved by each runtime from its own directory). A
 * config author, or the uid a user-namespace bundle belongs to, must not be able to point the
 * deny at another process's cgroup, or the egress rules at another process's namespace. */
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
static int pid_from_state(const struct hs_argv *a, const struct hs_policy *p, const char *rule,
			  pid_t *ret, struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *ar = hs_arena_new();
	struct hs_json *state = NULL;
	int64_t v;
	int r;

	if (!ar)
		return -ENOMEM;
	r = hs_runtime_state(p->runtime, a->root, a->argv[a->first_positional], rule, ar, &state,
			     err);
	if (r < 0)
		return r;
	if (hs_json_get_i64(hs_json_get(state, "pid"), 2, INT_MAX, &v) < 0)
		return hs_error_set(err, -EINVAL, rule, "", -1,
				    "the runtime's state names no init pid");
	*ret = (pid_t)v;
	return 0;
}

/* The container's init, held by a pidfd: had it died and its pid been reused while hardshim
 * worked on it, the work would have gone to another process, so each step that names the
 * pid is followed by still_there. */
static int find_init(const struct hs_argv *a, const struct hs_policy *p, const char *rule,
		     pid_t *ret_pid, int *ret_pidfd, struct hs_error *err)
{
	pid_t pid = 0;
	int r, fd;

	if (pid_from_file(a, &pid) < 0 && (r = pid_from_state(a, p, rule, &pid, err)) < 0)
		return r;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return hs_error_set(err, -errno, rule, "", -1,
				    "the container's init (pid %d) is gone: %s", (int)pid,
				    strerror(errno));
	*ret_pid = pid;
	*ret_pidfd = fd;
	return 0;
}

static int still_there(int pidfd, pid_t pid, const char *rule, const char *what,
		       struct hs_error *err)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	if (poll(&pfd, 1, 0) != 0)
		return hs_error_set(err, -ESRCH, rule, "", -1,
				    "the container's init (pid %d) exited during the %s", (int)pid,
				    what);
	return 0;
}

/* Deny in the container's devices cgroup (hs_host_devices_deny reads devices.list back). */
static int deny_devices(const struct hs_after_create *ac, pid_t pid, int pidfd,
			struct hs_error *err)
{
	char *rules[HS_ARRAY_SIZE(ac->deny)];
	int r;

	for (size_t i = 0; i < ac->n_deny; i++)
		rules[i] = (char *)ac->deny[i];
	r = hs_host_devices_deny(pid, rules, ac->n_deny, "devices.runtime-grants", err);
	if (r < 0)
		return r;
	return still_there(pidfd, pid, "devices.runtime-grants", "deny", err);
}

/* The egress rules in the init's own network namespace (the one the runtime made: the config
 * named none). The namespace is opened while the pidfd says the init is alive, so it is the
 * init's and not a later owner's of the pid; the installer judges that descriptor again (never
 * hardshim's own namespace nor pid 1's: egress.host-netns) and uses only it. */
static int install_egress(const struct hs_after_create *ac, pid_t pid, int pidfd,
			  struct hs_error *err)
{
	_cleanup_close_ int nsfd = -1;
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (nsfd < 0)
		return hs_error_set(err, -errno, "egress.after-create", "linux.namespaces", -1,
				    "cannot open the network namespace of the container's init "
				    "(%s): %s",
				    path, strerror(errno));
	r = still_there(pidfd, pid, "egress.after-create", "egress install", err);
	if (r < 0)
		return r;
	return hs_egress_install_fd(ac->egress, nsfd, path, err);
}

static int after_create_work(const struct hs_argv *a, const struct hs_policy *p,
			     const struct hs_after_create *ac, struct hs_error *err)
{
	_cleanup_close_ int pidfd = -1;
	pid_t pid = 0;
	int r;

	r = find_init(a, p, ac->n_deny ? "devices.runtime-grants" : "egress.after-create", &pid,
		      &pidfd, err);
	if (r >= 0 && ac->n_deny)
		r = deny_devices(ac, pid, pidfd, err);
	if (r >= 0 && ac->egress)
		r = install_egress(ac, pid, pidfd, err);
	return r;
}

/* After the runtime's create succeeded: the devices deny and the egress rules, or the
 * container goes (runtime delete --force: its init never ran anything of the image) and
 * create fails, recorded. */
static int after_create(const struct hs_argv *a, const struct hs_policy *p,
			const struct hs_after_create *ac, const char *of, pid_t runtime_pid)
{
	static const char *const del[] = { "delete", "--force", NULL, NULL };
	const char *args[HS_ARRAY_SIZE(del)];
	struct hs_error err = HS_ERROR_INIT, derr = HS_ERROR_INIT;
	_cleanup_free_ char *out = NULL;
	char why[HS_LINE_MAX];
	size_t len = 0;

	if (!ac || (!ac->n_deny && !ac->egress) || after_create_work(a, p, ac, &err) >= 0)
		return 0;
	memcpy(args, del, sizeof(args));
	args[2] = a->argv[a->first_positional];
	(void)hs_runtime_ask(p->runtime, a->root, args, 4096, err.rule[0] ? err.rule : "runtime",
			     &out, &len, &derr);
	hs_error_format(&err, why, sizeof(why));
	(void)record_failure(a, p, of, runtime_pid, 0, 0, why);
	hs_report_error(a, &err);
	return 1;
}

int hs_runtime_wait(struct hs_argv *a, const struct hs_policy *p, const struct hs_after_create *ac)
{
	char of[HS_SHA256_HEX_LEN + 1];
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	sigset_t block, old;
	int pipefd[2], status = 0, exec_errno = 0;
	struct child_args c;
	pid_t pid;
	ssize_t n;

	snprintf(of, sizeof(of), "%s", a->mark ? a->mark->hash : "");
	sigemptyset(&block);
	for (size_t i = 0; i < HS_ARRAY_SIZE(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	/* Blocked across the clone: a signal that comes before the handlers know the child waits. */
	(void)sigprocmask(SIG_BLOCK, &block, &old);
	c = (struct child_args){ a, p->runtime, getpid(), &old, pipefd[1] };
	pid = spawn(&c);
	close(pipefd[1]);
	if (pid < 0) {
		int r = (int)pid;

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
		int r = after_create(a, p, ac, of, pid);

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
