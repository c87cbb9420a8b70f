/* SPDX-License-Identifier: Apache-2.0
 * Is a cgroup someone else's? A config's linux.cgroupsPath naming an existing cgroup that
 * holds processes makes the runtime write the container's limits and device rules over theirs
 * and lets `kill --all` signal them (docs/threats.md §9). Walked with openat(O_NOFOLLOW) under
 * every hierarchy in /sys/fs/cgroup, depth- and count-bounded (a tree too big to walk is "in use").
 *
 * A relative path is placed differently by the two runtimes: runc joins it under its own
 * cgroup in each hierarchy (which is hardshim's: exec keeps the cgroup), crun 1.8 under the
 * root. Both places are judged; either in use is "in use". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host-internal.h"
#include "hs-path.h"

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

/* Does a /proc/self/cgroup line ("ID:CONTROLLERS:PATH") describe the hierarchy mounted at
 * /sys/fs/cgroup/NAME? v2 (NAME NULL: mounted at /sys/fs/cgroup itself; or hybrid's
 * "unified") is "0::PATH", a named hierarchy "name=NAME", a v1 one its controller list. */
static bool line_is(const char *name, const char *id, const char *ctrls)
{
	if (!name || !strcmp(name, "unified"))
		return !strcmp(id, "0") && !*ctrls;
	if (!strncmp(ctrls, "name=", 5))
		return !strcmp(ctrls + 5, name);
	return !strcmp(ctrls, name);
}

/* This process's cgroup in that hierarchy. Arena-owned; NULL if not found. */
static const char *own_cgroup(struct hs_arena *a, const char *name)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *ctrls = strchr(line, ':'), *path;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (!ctrls || !(path = strchr(ctrls + 1, ':')))
			continue;
		*ctrls++ = '\0';
		*path++ = '\0';
		if (line_is(name, line, ctrls))
			return hs_arena_strdup(a, path);
	}
	return NULL;
}

/* The cgroup a relative path names in one hierarchy (runc's reading: below this process's
 * own cgroup there, cleaned lexically); NULL if the own cgroup is unknown. */
static const char *below_own(struct hs_arena *a, const char *name, const char *rel)
{
	const char *own = own_cgroup(a, name);

	return own ? hs_path_clean(a, hs_arena_printf(a, "%s/%s", own, rel)) : NULL;
}

/* One hierarchy: the absolute path, and for a relative one also its place below our own
 * cgroup there. Unknown own cgroup: "in use" (fail closed). */
static int hierarchy_in_use(struct hs_arena *a, int hier, const char *name, const char *abs,
			    const char *rel, size_t *budget)
{
	const char *mine;
	int r = in_use_under(hier, abs, budget);

	if (r != 0 || !rel)
		return r;
	if (!(mine = below_own(a, name, rel)))
		return 1;
	return in_use_under(hier, mine, budget);
}

int hs_host_cgroup_in_use_real(const struct hs_host *h, const char *path, struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	int top = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC), dfd;
	const char *rel = path[0] == '/' ? NULL : path, *abs;
	size_t budget = CG_MAX_DIRS;
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (!a || !(abs = hs_path_clean(a, path))) {
		if (top >= 0)
			close(top);
		return hs_error_set(err, -ENOMEM, "host.cgroup", path, -1, "out of memory");
	}
	if (top < 0)
		return hs_error_set(err, -errno, "host.cgroup", "/sys/fs/cgroup", -1, "open: %m");
	if (faccessat(top, "cgroup.procs", F_OK, 0) == 0) {
		/* cgroup v2 at /sys/fs/cgroup: one hierarchy */
		r = hierarchy_in_use(a, top, NULL, abs, rel, &budget);
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
			r = hierarchy_in_use(a, hier, e->d_name, abs, rel, &budget);
			close(hier);
		}
		closedir(d);
	} else {
		r = -errno;
	}
	close(top);
	if (r < 0)
		return hs_error_set(err, r, "host.cgroup", path, -1, "cannot read the cgroup: %s",
				    hs_strerror(r));
	return r;
}
