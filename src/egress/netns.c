/* SPDX-License-Identifier: Apache-2.0
 * Joining a container's network namespace to load its rules. The one mistake that must never
 * happen is loading a default-deny table into the host's own namespace (a container that
 * shares the host network, a pid that is not what the state said): that cuts the node off.
 * So the target is compared with the namespace hardshim runs in and with pid 1's, by the
 * same question the namespaces control asks (hs_host_ns_is_host). */
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-egress.h"
#include "hs-host.h"

static int join_fd(int fd, const char *what, struct hs_error *err)
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
