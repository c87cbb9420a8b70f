/* SPDX-License-Identifier: Apache-2.0
 * Joining a container's network namespace to load its rules. The one mistake that must never
 * happen is loading a default-deny table into the host's own namespace (a container that
 * shares the host network, a pid that is not what the state said): that cuts the node off.
 * So the target is compared with the namespace hardshim runs in and with pid 1's, by the
 * same question the namespaces control asks (hs_host_ns_is_host). */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* nf_tables' socket in the network namespace open at nsfd: this thread enters it, makes the
 * socket (a socket belongs to the namespace it was made in, whoever uses it later and from
 * wherever) and goes back at once; nothing else runs in between (the socket and its
 * NETLINK_CAP_ACK option). A thread of its own would cost ~10x more on this kind of VM (its
 * 8 MiB stack mapped and given back, the TLB flushes of a second thread: ~0.7 ms of CPU
 * against ~0.07, docs/performance-log.md). If the way back fails (the kernel could not
 * allocate), this process is in the container's namespace, where nothing of hardshim may run
 * on: it says so and exits at once, the runtime never started (fail closed). */
static int socket_in(int nsfd, const char *what, struct hs_error *err)
{
	static const char own[] = "/proc/thread-self/ns/net";
	_cleanup_close_ int self = open(own, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int sock;

	if (self < 0)
		return hs_error_set(err, -errno, "egress.netns", own, -1,
				    "cannot open hardshim's own network namespace: %s",
				    strerror(errno));
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return hs_error_set(err, -errno, "egress.netns", what, -1,
				    "cannot enter the network namespace %s: %s", what,
				    strerror(errno));
	sock = hs_nl_open();
	if (setns(self, CLONE_NEWNET) < 0) {
		dprintf(STDERR_FILENO,
			"hardshim: egress.netns: %s: cannot return from the network namespace %s "
			"to hardshim's own: %s; stopping here, nothing started\n",
			what, what, strerror(errno));
		_exit(1);
	}
	if (sock < 0)
		return hs_error_set(err, sock, "egress.nftables", what, -1,
				    "cannot open nf_tables' netlink socket in %s: %s", what,
				    hs_strerror(sock));
	return sock;
}

/* The host check, the setns and so the socket all see the one namespace open at nsfd. The
 * ruleset is named (its text, its sha256) once, here. Then, on the container's socket, from
 * hardshim's own namespace: the table question (hs_egress_table_state) and the batch if one is
 * needed (no table: create; another table: replace; hs_egress_install_on). The socket's last
 * close after a replace waits in the kernel for an RCU grace period (sleeping, ~0.2-2 ms),
 * which costs a process that goes on to run the runtime less than a process to bear it would.
 * When the ruleset cannot be named, it is installed without a name, never found the same. */
int hs_egress_install_fd(const struct hs_egress_cfg *cfg, int nsfd, const char *what,
			 struct hs_error *err)
{
	char name[HS_EGRESS_NAME_SIZE];
	const char *named = NULL;
	int sock, r = judge_fd(nsfd, what, err);

	if (r < 0)
		return r;
	if (hs_egress_ruleset_name(cfg, name) == 0)
		named = name;
	sock = socket_in(nsfd, what, err);
	if (sock < 0)
		return sock;
	r = hs_egress_install_on(sock, cfg, named, hs_egress_table_state(sock, named), NULL, err);
	close(sock);
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
