/* SPDX-License-Identifier: Apache-2.0
 * Is a cgroup someone else's? A config's linux.cgroupsPath naming an existing cgroup that
 * holds processes makes the runtime write the container's limits and device rules over theirs
 * and lets `kill --all` signal them (threats.md §9). Walked with openat(O_NOFOLLOW) under every
 * hierarchy in /sys/fs/cgroup, depth- and count-bounded (a tree too big to walk is "in use"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "host-internal.h"

#define CG_MAX_DIRS  4096
#define CG_MAX_DEPTH 32

/* 1 if dirfd's cgroup or one below holds a process, 0 if none, negative on error. */
static int subtree_in_use(int dirfd, int depth, size_t *budget)
{
	char buf[64];
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n < 0)
			return -errno;
		if (n > 0)
			return 1;
	}
	if (depth >= CG_MAX_DEPTH || (*budget)-- == 0)
		return 1; /* cannot tell: count it as in use (fail closed) */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (r == 0 && (e = readdir(d))) {
		int sub;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		r = subtree_in_use(sub, depth + 1, budget);
		close(sub);
	}
	closedir(d);
	return r;
}

/* The cgroup at path under one hierarchy's root: 1/0/negative as subtree_in_use; absent: 0. */
static int in_use_under(int root, const char *path, size_t *budget)
{
	int fd = path[1] ? openat(root, path + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			 : openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	r = subtree_in_use(fd, 0, budget);
	close(fd);
	return r;
}

int hs_host_cgroup_in_use_real(const struct hs_host *h, const char *path, struct hs_error *err)
{
	int top = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC), dfd;
	size_t budget = CG_MAX_DIRS;
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (path[0] != '/')
		return hs_error_set(err, -EINVAL, "host.cgroup", path, -1, "not an absolute path");
	if (top < 0)
		return hs_error_set(err, -errno, "host.cgroup", "/sys/fs/cgroup", -1, "open: %m");
	if (faccessat(top, "cgroup.procs", F_OK, 0) == 0) {
		/* cgroup v2 at /sys/fs/cgroup: one hierarchy */
		r = in_use_under(top, path, &budget);
	} else if ((dfd = dup(top)) >= 0 && (d = fdopendir(dfd))) {
		/* v1 (and hybrid's unified): one hierarchy per directory; cpu -> cpu,cpuacct
		 * style links name a directory listed anyway */
		while (r == 0 && (e = readdir(d))) {
			int hier;

			if (e->d_type != DT_DIR || e->d_name[0] == '.')
				continue;
			hier =
			    openat(top, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (hier < 0)
				continue;
			r = in_use_under(hier, path, &budget);
			close(hier);
		}
		closedir(d);
	} else {
		r = -errno;
	}
	close(top);
	if (r < 0)
		return hs_error_set(err, r, "host.cgroup", path, -1, "cannot read the cgroup: %s",
				    strerror(-r));
	return r;
}
