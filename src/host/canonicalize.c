/* SPDX-License-Identifier: Apache-2.0
 * Canonicalize a host path without trusting the kernel's own resolution: walk from "/" one
 * component at a time with openat(O_PATH|O_NOFOLLOW), follow ordinary symlinks ourselves (at
 * most HOST_MAX_LINKS), and refuse magic links — /proc/<pid>/root, /proc/self/fd/N,
 * /proc/<pid>/cwd, ns/<t> — which would jump to another process's view of the filesystem
 * (docs/threats.md §8: /proc/self/root/etc, /proc/1/root). Owner, mode and identity of every
 * component are recorded so the mounts control can refuse one a non-root user could swap. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "host-internal.h"
#include "hs-path.h"

#define HOST_MAX_LINKS 40
#define HOST_MAX_DEPTH 256
#define PROC_ROOT_INO  1

/*
 * A symlink found in directory dirfd, with content target, is magic when it lives on procfs
 * anywhere but procfs's root directory (whose self, thread-self, mounts, net are ordinary
 * relative links), or when its content is not a path at all ("pipe:[42]", "net:[4026...]").
 */
static bool link_is_magic(int dirfd, const char *target)
{
	struct statfs sfs;
	struct stat st;

	if (target[0] != '/' && strchr(target, ':') && strchr(target, '['))
		return true;
	if (fstatfs(dirfd, &sfs) < 0)
		return true; /* cannot tell: fail closed */
	if ((unsigned long)sfs.f_type != PROC_SUPER_MAGIC)
		return false;
	if (fstat(dirfd, &st) < 0)
		return true;
	return st.st_ino != PROC_ROOT_INO;
}

struct walk {
	int fds[HOST_MAX_DEPTH]; /* fds[i] is the O_PATH fd of comps[i] */
	size_t n;
};

static void walk_close(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->fds[i] >= 0)
			close(w->fds[i]);
	w->n = 0;
}

static void path_push(char *cur, const char *name, size_t len)
{
	size_t l = strlen(cur);

	if (l > 1)
		cur[l++] = '/';
	memcpy(cur + l, name, len);
	cur[l + len] = 0;
}

static void path_pop(char *cur)
{
	char *s = strrchr(cur, '/');

	if (s == cur)
		cur[1] = 0;
	else if (s)
		*s = 0;
}

static int component_from_fd(struct hs_arena *a, int fd, const char *cur,
			     struct hs_path_component *c)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*c = (struct hs_path_component){ .path = hs_arena_strdup(a, cur),
					 .uid = st.st_uid,
					 .gid = st.st_gid,
					 .mode = st.st_mode,
					 .id = { st.st_dev, st.st_ino } };
	return c->path ? 0 : -ENOMEM;
}

int hs_host_canonicalize_real(const struct hs_host *h, struct hs_arena *a, const char *path,
			      struct hs_canonical_path *ret, struct hs_error *err)
{
	_cleanup_free_ char *rest = NULL;
	struct hs_path_component *comps;
	struct walk w = { .n = 0 };
	char cur[PATH_MAX] = "/";
	unsigned links = 0;
	bool exists = true;
	const char *p;
	int fd, r = 0;

	if (!path || path[0] != '/')
		return hs_error_set(err, -EINVAL, "host.relative-path", path ? path : "", -1,
				    "not an absolute path");
	if (strlen(path) >= PATH_MAX)
		return hs_error_set(err, -ENAMETOOLONG, "host.path-too-long", "", -1,
				    "path too long");
	rest = strdup(path);
	comps = hs_arena_alloc(a, HOST_MAX_DEPTH * sizeof(*comps));
	if (!rest || !comps)
		return -ENOMEM;

	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hs_error_set(err, -errno, "host.canonicalize", "/", -1, "open /: %m");
	w.fds[w.n] = fd;
	r = component_from_fd(a, fd, "/", &comps[w.n++]);
	if (r < 0)
		goto out;

	p = rest;
	for (;;) {
		const char *c;
		size_t len;
		struct stat st;

		if (!(c = hs_path_next(&p, &len)))
			break;
		if (hs_path_is_dot(c, len))
			continue;
		if (hs_path_is_dotdot(c, len)) {
			/* as the kernel: "missing/.." does not exist either */
			if (!exists) {
				r = hs_error_set(err, -ENOENT, "host.missing", path, -1,
						 "%s does not exist", cur);
				goto out;
			}
			path_pop(cur);
			if (w.n > 1) /* ".." of "/" is "/" */
				close(w.fds[--w.n]);
			continue;
		}
		if (strlen(cur) + 1 + len + 1 > PATH_MAX) {
			r = hs_error_set(err, -ENAMETOOLONG, "host.path-too-long", path, -1,
					 "path too long");
			goto out;
		}
		path_push(cur, c, len);
		if (!exists)
			continue; /* lexical only past the first missing component */
		if (!S_ISDIR(comps[w.n - 1].mode)) {
			r = hs_error_set(err, -ENOTDIR, "host.not-a-directory", path, -1,
					 "%s is not a directory", comps[w.n - 1].path);
			goto out;
		}
		{
			char name[NAME_MAX + 1];

			if (len > NAME_MAX) {
				r = hs_error_set(err, -ENAMETOOLONG, "host.path-too-long", path, -1,
						 "component too long");
				goto out;
			}
			memcpy(name, cur + strlen(cur) - len, len);
			name[len] = 0;
			fd = openat(w.fds[w.n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			if (errno == ENOENT) {
				exists = false;
				continue;
			}
			r = hs_error_set(err, -errno, "host.canonicalize", path, -1, "open %s: %m",
					 cur);
			goto out;
		}
		if (fstat(fd, &st) < 0) {
			r = hs_error_set(err, -errno, "host.canonicalize", path, -1, "stat %s: %m",
					 cur);
			close(fd);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			char *nrest;

			close(fd);
			if (n < 0) {
				r = hs_error_set(err, -errno, "host.canonicalize", path, -1,
						 "readlink %s: %m", cur);
				goto out;
			}
			target[n] = 0;
			if (n == 0 || link_is_magic(w.fds[w.n - 1], target)) {
				r = hs_error_set(err, -EPERM, "host.magic-link", path, -1,
						 "%s is a magic link (refused, never followed)",
						 cur);
				goto out;
			}
			if (++links > HOST_MAX_LINKS) {
				r = hs_error_set(err, -ELOOP, "host.symlink-loop", path, -1,
						 "too many levels of symbolic links at %s", cur);
				goto out;
			}
			if (asprintf(&nrest, "%s/%s", target, p) < 0) {
				r = -ENOMEM;
				goto out;
			}
			free(rest);
			rest = nrest;
			p = rest;
			path_pop(cur);
			if (target[0] == '/') {
				strcpy(cur, "/");
				while (w.n > 1)
					close(w.fds[--w.n]);
			}
			continue;
		}
		if (w.n == HOST_MAX_DEPTH) {
			close(fd);
			r = hs_error_set(err, -ENAMETOOLONG, "host.path-too-long", path, -1,
					 "more than %d components", HOST_MAX_DEPTH);
			goto out;
		}
		w.fds[w.n] = fd;
		comps[w.n] = (struct hs_path_component){ .path = hs_arena_strdup(a, cur),
							 .uid = st.st_uid,
							 .gid = st.st_gid,
							 .mode = st.st_mode,
							 .id = { st.st_dev, st.st_ino } };
		w.n++;
		if (!comps[w.n - 1].path) {
			r = -ENOMEM;
			goto out;
		}
	}
	ret->path = hs_arena_strdup(a, cur);
	if (!ret->path) {
		r = -ENOMEM;
		goto out;
	}
	ret->components = comps;
	ret->n_components = w.n;
	ret->exists = exists;
	r = 0;
out:
	walk_close(&w);
	return r;
}
