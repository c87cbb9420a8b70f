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

/* What the thread found in the container's namespace. */
struct probe {
	const char *name; /* the ruleset's name, or NULL */
	int nsfd;
	int sock;        /* nf_tables' socket, made in that namespace, or -1 */
	int error;       /* setns' (enter true) or socket's -errno */
	bool enter;      /* the error is setns' */
	int state;       /* hs_egress_table_state's answer on sock */
};

/* A thread that enters the namespace for itself alone (a network namespace is per thread),
 * makes nf_tables' socket there (a socket belongs to the namespace it was made in, whoever
 * uses it later) and asks whether the table is there and whose it is; the process's other
 * threads stay where they are. It allocates nothing: a thread's first malloc would make it
 * a malloc arena of its own (a 64 MiB reservation and its first pages). */
static void *probe_thread(void *arg)
{
	struct probe *p = arg;

	if (setns(p->nsfd, CLONE_NEWNET) < 0) {
		p->error = -errno;
		p->enter = true;
		return NULL;
	}
	p->sock = hs_nl_open();
	if (p->sock < 0) {
		p->error = p->sock;
		p->sock = -1;
		return NULL;
	}
	p->state = hs_egress_table_state(p->sock, p->name);
	return NULL;
}

/* The host check, the thread's setns and so the socket all see the one namespace open at
 * nsfd. The ruleset is named (its text, its sha256) once, here. The batch, if one is needed
 * (no table: create; another table: replace), is built and sent from the caller's thread,
 * which loads libnftnl and allocates in its own arena, on the thread's socket; its last close
 * after a replace waits in the kernel for an RCU grace period (sleeping, 0.2-2 ms), which a
 * process that goes on to run the runtime pays less for than for a process to bear it. When
 * the ruleset cannot be named, it is installed without a name, never found the same. */
int hs_egress_install_fd(const struct hs_egress_cfg *cfg, int nsfd, const char *what,
			 struct hs_error *err)
{
	char name[HS_EGRESS_NAME_SIZE];
	struct probe p = { .nsfd = nsfd, .sock = -1, .state = -EIO };
	pthread_t t;
	int r = judge_fd(nsfd, what, err);

	if (r < 0)
		return r;
	if (hs_egress_ruleset_name(cfg, name) == 0)
		p.name = name;
	r = pthread_create(&t, NULL, probe_thread, &p);
	if (r != 0)
		return hs_error_set(err, -r, "egress.netns", what, -1,
				    "cannot start a thread to enter the network namespace %s: %s",
				    what, strerror(r));
	r = pthread_join(t, NULL);
	if (r != 0)
		abort(); /* cannot be: the thread is this one's, joinable, joined once */
	if (p.error && p.enter)
		return hs_error_set(err, p.error, "egress.netns", what, -1,
				    "cannot enter the network namespace %s: %s", what,
				    hs_strerror(p.error));
	if (p.error)
		return hs_error_set(err, p.error, "egress.nftables", what, -1,
				    "cannot open nf_tables' netlink socket in %s: %s", what,
				    hs_strerror(p.error));
	r = hs_egress_install_on(p.sock, cfg, p.name, p.state, NULL, err);
	close(p.sock);
	return r;
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
