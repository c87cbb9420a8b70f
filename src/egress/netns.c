/* SPDX-License-Identifier: Apache-2.0
 * Joining a container's network namespace to load its rules. The one mistake that must never
 * happen is loading a default-deny table into the host's own namespace (a container that
 * shares the host network, a pid that is not what the state said): that cuts the node off.
 * So the target is compared with the namespace hardshim runs in and with pid 1's, by the
 * same question the namespaces control asks (hs_host_ns_is_host). */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hs-egress.h"
#include "hs-host.h"

/* Never the host's network namespace (the one hardshim runs in, pid 1's). */
static int judge_fd(int fd, const char *what, struct hs_error *err)
{
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return hs_error_set(err, -errno, "egress.netns", what, -1, "fstat: %s",
				    strerror(errno));
	r = hs_host_ns_is_host(hs_host_real(), "network",
			       &(struct hs_file_id){ st.st_dev, st.st_ino }, NULL);
	if (r < 0)
		return hs_error_set(err, r, "egress.netns", what, -1,
				    "cannot compare with the host network namespace: %s",
				    hs_strerror(r));
	if (r > 0)
		return hs_error_set(err, -HS_EPOLICY, "egress.host-netns", what, -1,
				    "%s is the host's network namespace: egress rules are only "
				    "loaded into a container's own namespace",
				    what);
	return 0;
}

static int join_fd(int fd, const char *what, struct hs_error *err)
{
	int r = judge_fd(fd, what, err);

	if (r < 0)
		return r;
	if (setns(fd, CLONE_NEWNET) < 0)
		return hs_error_set(err, -errno, "egress.netns", what, -1,
				    "cannot enter the network namespace %s: %s", what,
				    strerror(errno));
	return 0;
}

int hs_egress_join_netns_path(const char *path, struct hs_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return hs_error_set(err, -errno, "egress.netns", path, -1,
				    "cannot open the network namespace %s: %s", path,
				    strerror(errno));
	return join_fd(fd, path, err);
}

int hs_egress_join_netns_pid(pid_t pid, struct hs_error *err)
{
	char path[64];

	if (pid <= 1)
		return hs_error_set(err, -HS_EPOLICY, "egress.netns", "pid", -1,
				    "pid %d is not a container process", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return hs_egress_join_netns_path(path, err);
}

/* The child: join, install, report. Its own process, so the caller (hardshim's create path,
 * which runs the runtime next) never leaves the namespace it runs in. */
static _Noreturn void install_child(const struct hs_egress_cfg *cfg, const char *name, int nsfd,
				    const char *path, int fd)
{
	struct hs_error e = HS_ERROR_INIT;
	int r = join_fd(nsfd, path, &e);

	if (r >= 0)
		r = hs_egress_install_exiting_named(cfg, name, NULL, &e);
	if (r < 0 && !e.code)
		hs_error_set(&e, r, "egress.netns", path, -1, "cannot install the egress rules: %s",
			     hs_strerror(r));
	if (r < 0 && hs_write_all(fd, &e, sizeof(e)) < 0)
		_exit(2);
	_exit(r < 0 ? 1 : 0);
}

struct probe {
	const struct hs_egress_cfg *cfg;
	const char *name;
	int nsfd;
	bool installed;
};

/* A thread that enters the namespace for itself alone (a network namespace is per thread)
 * and asks whether the rules are there, or creates them in a namespace without a table; the
 * process's other threads stay where they are. */
static void *probe_thread(void *arg)
{
	struct probe *p = arg;

	p->installed =
	    setns(p->nsfd, CLONE_NEWNET) == 0 && hs_egress_install_quick(p->cfg, p->name);
	return NULL;
}

/* A pod's later container under the same policy finds its rules already there, and a pod's
 * first container (a namespace without a table) gets them in one batch: from a thread, that
 * costs no process. False whenever it cannot tell or the batch failed (changing nothing): the
 * child then installs (replaces, one batch). name: cfg's, computed by the caller, so
 * that the thread allocates nothing to find the same rules. */
static bool already_installed(const struct hs_egress_cfg *cfg, const char *name, int nsfd)
{
	struct probe p = { .cfg = cfg, .name = name, .nsfd = nsfd };
	pthread_t t;

	if (pthread_create(&t, NULL, probe_thread, &p) != 0)
		return false;
	if (pthread_join(t, NULL) != 0)
		return false;
	return p.installed;
}

static int install_forked(const struct hs_egress_cfg *cfg, const char *name, int nsfd,
			  const char *path, struct hs_error *err)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;
	struct hs_error e = HS_ERROR_INIT;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hs_error_set(err, -errno, "egress.netns", path, -1, "pipe: %s",
				    strerror(errno));
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(p[0]);
		close(p[1]);
		return hs_error_set(err, r, "egress.netns", path, -1, "fork: %s", hs_strerror(r));
	}
	if (pid == 0) {
		close(p[0]);
		install_child(cfg, name, nsfd, path, p[1]);
	}
	close(p[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			close(p[0]);
			return hs_error_set(err, -errno, "egress.netns", path, -1, "waitpid: %s",
					    strerror(errno));
		}
	/* A report is written only on failure, and fits the pipe: read after the exit. */
	do
		n = read(p[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (n == (ssize_t)sizeof(e) && e.code < 0) {
		e.rule[sizeof(e.rule) - 1] = '\0';
		e.path[sizeof(e.path) - 1] = '\0';
		e.msg[sizeof(e.msg) - 1] = '\0';
		if (err && !err->code)
			*err = e;
		return e.code;
	}
	return hs_error_set(err, -EIO, "egress.netns", path, -1,
			    "the egress install for %s ended without a report (status %d)", path,
			    status);
}

/* The host check, the probe and the child's setns all see the one namespace open at nsfd.
 * The ruleset is named (its text, its sha256) once, here, in the caller's thread: the probe
 * thread and the child both use that name. When it cannot be named, the probe is skipped and
 * the child installs without a name, as hs_egress_install does. */
int hs_egress_install_fd(const struct hs_egress_cfg *cfg, int nsfd, const char *what,
			 struct hs_error *err)
{
	char name[HS_EGRESS_NAME_SIZE];
	bool named;
	int r = judge_fd(nsfd, what, err);

	if (r < 0)
		return r;
	named = hs_egress_ruleset_name(cfg, name) == 0;
	if (named && already_installed(cfg, name, nsfd))
		return 0;
	return install_forked(cfg, named ? name : NULL, nsfd, what, err);
}

/* The path is opened once, whatever the name points to meanwhile. */
int hs_egress_install_at(const struct hs_egress_cfg *cfg, const char *path, struct hs_error *err)
{
	_cleanup_close_ int nsfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (nsfd < 0)
		return hs_error_set(err, -errno, "egress.netns", path, -1,
				    "cannot open the network namespace %s: %s", path,
				    strerror(errno));
	return hs_egress_install_fd(cfg, nsfd, path, err);
}
