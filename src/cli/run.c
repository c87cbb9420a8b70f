/* SPDX-License-Identifier: Apache-2.0
 * `run` as the runtime's `create`, then `start`, then a wait for the container's init, as
 * containerd's shim does it (issue 17). Exec'ing `runtime run` left hardshim nothing to do
 * between the runtime's create and the start, so the config kept a devices createRuntime hook:
 * a second hardshim process per container. Here run is create's own path (the same judged
 * config, the same launch record with event "run", the same after-create deny and recorded
 * runtime failure, wait-runtime.c), and what `runtime run` adds on top is done here:
 *
 * - hardshim is a child subreaper: when the runtime's create exits, the container's init
 *   becomes hardshim's child, and hardshim waits for it as `runtime run` waits for it;
 * - catchable signals sent to hardshim go to the init (SIGTERM from a supervisor stops the
 *   container, not only hardshim);
 * - the exit status is the init's, or 128 + the signal that killed it (runc's and crun's
 *   `run` both exit so; they do not die by it);
 * - the container is deleted after it exits, unless --keep; with --detach hardshim returns
 *   once `start` has returned, the container running;
 * - a failed `start` deletes the container and fails, recorded as a runtime failure.
 *
 * stdio: the runtime's create hands the init its own fds, which are hardshim's (pass-through,
 * as `runc run --detach` and crun's `run`). runc's foreground `run` without a terminal puts
 * pipes of its own between the caller and the init instead; a process that reopens
 * /dev/stdout as a non-root user can open such a pipe, and may not be able to open the
 * caller's file or terminal (docs/running-images.md).
 *
 * What create + start cannot serve keeps `runtime run` (with its hooks): a terminal without
 * --console-socket (both runtimes' create refuse it: only `run` gives the container the
 * caller's terminal), and --no-subreaper (hardshim must be the subreaper to wait). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs-audit.h"
#include "hs-cli.h"

extern char **environ;

static const int forwarded[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGTERM, SIGUSR1,
				 SIGUSR2, SIGALRM, SIGCONT, SIGWINCH };

static volatile sig_atomic_t init_pid;

static void forward(int sig)
{
	if (init_pid > 0)
		(void)kill((pid_t)init_pid, sig);
}

/* The run options create does not know, as the tokens that carry them; any other spelling
 * (a cluster of short options) is not split. */
static bool run_only(const struct hs_argv_opt *o, const char *tok)
{
	size_t n;

	if (strcmp(o->spec->name, "detach") && strcmp(o->spec->name, "keep"))
		return false;
	if (!strcmp(tok, "-d"))
		return true;
	tok += tok[1] == '-' ? 2 : 1;
	n = strlen(o->spec->name);
	return !strncmp(tok, o->spec->name, n) && (!tok[n] || tok[n] == '=');
}

static bool run_only_token(const struct hs_argv *a, int index)
{
	for (size_t i = 0; i < a->n_opts; i++)
		if (a->opts[i].index == index && run_only(&a->opts[i], a->argv[index]))
			return true;
	return false;
}

bool hs_run_can_split(const struct hs_argv *a, const struct hs_json *config)
{
	const struct hs_json *terminal = hs_json_get(hs_json_get(config, "process"), "terminal");

	if (!a->cmd || a->cmd->event != HS_EVENT_RUN || a->first_positional < 0 ||
	    hs_argv_has(a, "no-subreaper"))
		return false;
	if (terminal && terminal->type == HS_JSON_BOOL && terminal->u.boolean &&
	    !hs_argv_value(a, "console-socket"))
		return false;
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *name = a->opts[i].spec->name;

		if ((!strcmp(name, "detach") || !strcmp(name, "keep")) &&
		    !run_only(&a->opts[i], a->argv[a->opts[i].index]))
			return false;
	}
	return true;
}

/* a's command line as `create`: "run" becomes "create", --detach and --keep go; every other
 * token stays where it was relative to the others. c->argv is malloc'ed. */
static int as_create(const struct hs_argv *a, struct hs_argv *c)
{
	char **argv = calloc((size_t)a->argc + 1, sizeof(*argv));
	int n = 0;

	if (!argv)
		return -ENOMEM;
	*c = *a;
	for (int i = 0; i < a->argc; i++) {
		if (i == a->first_positional)
			c->first_positional = n;
		if (i == a->cmd_index)
			argv[n++] = (char *)"create";
		else if (i <= a->cmd_index || !run_only_token(a, i))
			argv[n++] = a->argv[i];
	}
	c->argv = argv;
	c->argc = n;
	return 0;
}

/* `RUNTIME <global options as given> VERB ID [FLAG]`, hardshim's stdio, waited for. The
 * status, or -errno. */
static int runtime_verb(const struct hs_argv *a, const char *runtime, const char *verb,
			const char *flag, const sigset_t *mask)
{
	char **argv = calloc((size_t)a->cmd_index + 4, sizeof(*argv));
	int n = 0, status;
	pid_t pid;

	if (!argv)
		return -ENOMEM;
	argv[n++] = (char *)runtime;
	for (int i = 1; i < a->cmd_index; i++)
		argv[n++] = a->argv[i];
	argv[n++] = (char *)verb;
	if (flag)
		argv[n++] = (char *)flag;
	argv[n++] = a->argv[a->first_positional];
	pid = fork();
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		(void)sigprocmask(SIG_SETMASK, mask, NULL);
		execve(runtime, argv, environ);
		_exit(127);
	}
	free(argv);
	if (pid < 0)
		return -errno;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

/* The container's init: after the runtime's create exited, hardshim's only child (the
 * runtime forked it, and it was handed to the nearest subreaper). Nothing of the image runs
 * before `start`, so no process of the container could have forked a second one. */
pid_t hs_only_child(void)
{
	char path[64], buf[64], *end;
	FILE *f;
	long v;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v < 2 || strspn(end, " \n") != strlen(end))
		return -ESRCH; /* none, or more than one */
	return (pid_t)v;
}

static void record_start_failure(const struct hs_argv *a, const struct hs_policy *p, int status,
				 const char *why)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_runtime_failure o = {
		.of = a->mark && a->mark->hash[0] ? a->mark->hash : NULL,
		.event = a->cmd->event,
		.container_id = a->argv[a->first_positional],
		.root = a->root,
		.runtime = p->runtime,
		.exit_status = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		.signal = status >= 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		.error = why,
	};

	if (hs_audit_runtime_failed(p, &o, &err) < 0)
		hs_report_error(a, &err);
}

/* start failed (or the init could not be found): the container goes, as `runtime run`
 * destroys it, and run fails, recorded. */
static int fail_after_create(const struct hs_argv *a, const struct hs_policy *p, int status,
			     const char *why, const sigset_t *mask)
{
	struct hs_error err = HS_ERROR_INIT;

	(void)runtime_verb(a, p->runtime, "delete", "--force", mask);
	record_start_failure(a, p, status, why);
	hs_error_set(&err, -ECHILD, "runtime.start", p->runtime, -1, "%s", why);
	hs_report_error(a, &err);
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
}

/* Wait for the init, forwarding signals; its status as `runtime run` exits with it. It is
 * reaped only once nothing forwards to its pid any more: a reaped pid can be someone else's. */
static int wait_init(pid_t pid, const sigset_t *old)
{
	siginfo_t si = { 0 };
	int status;

	(void)sigprocmask(SIG_SETMASK, old, NULL);
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return -errno;
	init_pid = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int start_and_wait(const struct hs_argv *c, const struct hs_policy *p, pid_t pid,
			  bool detach, bool keep)
{
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	sigset_t block, old;
	int status, code;

	sigemptyset(&block);
	for (size_t i = 0; i < HS_ARRAY_SIZE(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	(void)sigprocmask(SIG_BLOCK, &block, &old);
	init_pid = pid;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < HS_ARRAY_SIZE(forwarded); i++)
		(void)sigaction(forwarded[i], &sa, NULL);
	status = runtime_verb(c, p->runtime, "start", NULL, &old);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		init_pid = 0;
		code = fail_after_create(c, p, status, "the runtime's start failed", &old);
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return code;
	}
	if (detach) {
		init_pid = 0;
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	code = wait_init(pid, &old);
	if (!keep)
		(void)runtime_verb(c, p->runtime, "delete", "--force", &old);
	return code;
}

int hs_run_as_create(struct hs_argv *a, const struct hs_policy *p,
		     const struct hs_after_create *after)
{
	struct hs_after_create ac = *after; /* shares after's arena: after frees it */
	struct hs_argv c;
	sigset_t mask;
	pid_t pid;
	int r;

	/* Before the runtime forks the init: it must be reparented to hardshim, not to pid 1. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return -errno;
	r = as_create(a, &c);
	if (r < 0)
		return r;
	ac.init_is_child = true;
	r = hs_runtime_wait(&c, p, &ac); /* create: recorded on failure, after-create work */
	if (r != 0) {
		free(c.argv);
		return r;
	}
	pid = hs_only_child();
	if (pid < 0) {
		(void)sigprocmask(SIG_SETMASK, NULL, &mask);
		r = fail_after_create(&c, p, -1, "the container's init is not hardshim's child",
				      &mask);
	} else {
		r = start_and_wait(&c, p, pid, hs_argv_has(a, "detach"), hs_argv_has(a, "keep"));
	}
	free(c.argv);
	return r;
}
