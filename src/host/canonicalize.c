/* SPDX-License-Identifier: Apache-2.0
 * Canonicalize a host path without trusting the kernel's own resolution: walk from "/" one
 * component at a time with openat(O_PATH|O_NOFOLLOW), follow ordinary symlinks ourselves (at
 * most HOST_MAX_LINKS), and refuse magic links — /proc/<pid>/root, /proc/self/fd/N,
 * /proc/<pid>/cwd, ns/<t> — which would jump to another process's view of the filesystem
 * (docs/threats.md §8: /proc/self/root/etc, /proc/1/root). Owner, mode and identity of every
 * component are recorded so the mounts control can refuse one a non-root user could swap.
 *
 * The walk itself (hs_host_walk) only takes decisions; its primitive steps — open "/", open
 * one name in a directory, read a link — come from a table of operations: the system calls
 * here, the invented tree of the unit tests' fake host there (tests/unit/support/fake-host.c).
 * So every unit test that judges a path runs the walk production runs. */
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
#define HOST_MIN_COMPS 16 /* a power of two dividing HOST_MAX_DEPTH */
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
	const struct hs_walk_ops *ops;
	void *data;
	struct hs_arena *a;
	const char *path; /* as asked, for messages */
	struct hs_error *err;
	intptr_t nodes[HOST_MAX_DEPTH];  /* nodes[i] is the ops' handle of comps[i] */
	struct hs_path_component *comps; /* arena-owned, room for cap; grows as the walk deepens */
	size_t n, cap;
	char cur[PATH_MAX]; /* the canonical path so far */
	char *rest;         /* what is left to walk (malloc'd: a link's target is spliced in) */
	const char *p;      /* read position in rest */
	unsigned links;
	bool exists;
};

static void walk_pop(struct walk *w)
{
	w->ops->release(w->data, w->nodes[--w->n]);
}

static void walk_close(struct walk *w)
{
	while (w->n)
		walk_pop(w);
	free(w->rest);
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

/* Keep NODE (the object at w->cur, described by c) as the next component. */
static int walk_push(struct walk *w, intptr_t node, struct hs_path_component *c)
{
	if (w->n == HOST_MAX_DEPTH) {
		w->ops->release(w->data, node);
		return hs_error_set(w->err, -ENAMETOOLONG, "host.path-too-long", w->path, -1,
				    "more than %d components", HOST_MAX_DEPTH);
	}
	if (w->n == w->cap) {
		struct hs_path_component *more =
		    hs_arena_alloc(w->a, 2 * w->cap * sizeof(*w->comps));

		if (!more) {
			w->ops->release(w->data, node);
			return -ENOMEM;
		}
		memcpy(more, w->comps, w->n * sizeof(*w->comps));
		w->comps = more;
		w->cap *= 2;
	}
	c->path = hs_arena_strdup(w->a, w->cur);
	w->nodes[w->n] = node;
	w->comps[w->n++] = *c;
	return c->path ? 0 : -ENOMEM;
}

/* "..": up from where the walk is, which after a link is the link's target, not lexical. */
static int walk_dotdot(struct walk *w)
{
	/* as the kernel: "missing/.." does not exist either */
	if (!w->exists)
		return hs_error_set(w->err, -ENOENT, "host.missing", w->path, -1,
				    "%s does not exist", w->cur);
	path_pop(w->cur);
	if (w->n > 1) /* ".." of "/" is "/" */
		walk_pop(w);
	return 0;
}

/* The symlink at w->cur (NODE, in the last component): splice its target in front of what is
 * left. A magic link is refused, never followed: it would leave this filesystem view. */
static int walk_link(struct walk *w, intptr_t node)
{
	char target[PATH_MAX];
	bool magic = false;
	ssize_t n =
	    w->ops->read_link(w->data, w->nodes[w->n - 1], node, target, sizeof(target), &magic);
	char *nrest;

	w->ops->release(w->data, node);
	if (n < 0)
		return hs_error_set(w->err, (int)n, "host.canonicalize", w->path, -1,
				    "readlink %s: %s", w->cur, strerror((int)-n));
	if (n == 0 || magic)
		return hs_error_set(w->err, -EPERM, "host.magic-link", w->path, -1,
				    "%s is a magic link (refused, never followed)", w->cur);
	if (++w->links > HOST_MAX_LINKS)
		return hs_error_set(w->err, -ELOOP, "host.symlink-loop", w->path, -1,
				    "too many levels of symbolic links at %s", w->cur);
	if (asprintf(&nrest, "%s/%s", target, w->p) < 0)
		return -ENOMEM;
	free(w->rest);
	w->rest = nrest;
	w->p = nrest;
	path_pop(w->cur);
	if (target[0] == '/') {
		strcpy(w->cur, "/");
		while (w->n > 1)
			walk_pop(w);
	}
	return 0;
}

/* One name (c, len) below where the walk is. Past the first missing component the rest is
 * appended lexically: there is nothing on disk to follow. */
static int walk_name(struct walk *w, const char *c, size_t len)
{
	struct hs_path_component comp = { 0 };
	char name[NAME_MAX + 1];
	intptr_t node;
	int r;

	if (strlen(w->cur) + 1 + len + 1 > PATH_MAX)
		return hs_error_set(w->err, -ENAMETOOLONG, "host.path-too-long", w->path, -1,
				    "path too long");
	path_push(w->cur, c, len);
	if (!w->exists)
		return 0;
	if (!S_ISDIR(w->comps[w->n - 1].mode))
		return hs_error_set(w->err, -ENOTDIR, "host.not-a-directory", w->path, -1,
				    "%s is not a directory", w->comps[w->n - 1].path);
	if (len > NAME_MAX)
		return hs_error_set(w->err, -ENAMETOOLONG, "host.path-too-long", w->path, -1,
				    "component too long");
	memcpy(name, c, len);
	name[len] = 0;
	r = w->ops->open_at(w->data, w->nodes[w->n - 1], name, &node, &comp);
	if (r == -ENOENT) {
		w->exists = false;
		return 0;
	}
	if (r < 0)
		return hs_error_set(w->err, r, "host.canonicalize", w->path, -1, "open %s: %s",
				    w->cur, strerror(-r));
	if (S_ISLNK(comp.mode))
		return walk_link(w, node);
	return walk_push(w, node, &comp);
}

static int walk_start(struct walk *w)
{
	struct hs_path_component comp = { 0 };
	intptr_t node;
	int r;

	if (!w->path || w->path[0] != '/')
		return hs_error_set(w->err, -EINVAL, "host.relative-path", w->path ? w->path : "",
				    -1, "not an absolute path");
	if (strlen(w->path) >= PATH_MAX)
		return hs_error_set(w->err, -ENAMETOOLONG, "host.path-too-long", "", -1,
				    "path too long");
	w->rest = strdup(w->path);
	/* Most paths are a few components deep: room for HOST_MIN_COMPS, grown by walk_push (a
	 * whole HOST_MAX_DEPTH array was 10 KB zeroed, three pages faulted in, per walk). */
	w->cap = HOST_MIN_COMPS;
	w->comps = hs_arena_alloc(w->a, w->cap * sizeof(*w->comps));
	if (!w->rest || !w->comps)
		return -ENOMEM;
	w->p = w->rest;
	strcpy(w->cur, "/");
	r = w->ops->open_root(w->data, &node, &comp);
	if (r < 0)
		return hs_error_set(w->err, r, "host.canonicalize", "/", -1, "open /: %s",
				    strerror(-r));
	return walk_push(w, node, &comp);
}

int hs_host_walk(const struct hs_walk_ops *ops, void *data, struct hs_arena *a, const char *path,
		 struct hs_canonical_path *ret, struct hs_error *err)
{
	/* Every field but the two big arrays (nodes: written as the walk pushes; cur: by
	 * walk_start), which an initializer would zero: 6 KB of stack, two pages faulted in. */
	struct walk w;
	const char *c;
	size_t len;
	int r;

	w.ops = ops;
	w.data = data;
	w.a = a;
	w.path = path;
	w.err = err;
	w.comps = NULL;
	w.n = w.cap = 0;
	w.rest = NULL;
	w.p = NULL;
	w.links = 0;
	w.exists = true;
	r = walk_start(&w);

	while (r >= 0 && (c = hs_path_next(&w.p, &len))) {
		if (hs_path_is_dot(c, len))
			continue;
		r = hs_path_is_dotdot(c, len) ? walk_dotdot(&w) : walk_name(&w, c, len);
	}
	if (r >= 0) {
		const char *canonical = hs_arena_strdup(a, w.cur);

		r = canonical ? 0 : -ENOMEM;
		if (canonical)
			*ret = (struct hs_canonical_path){ .path = canonical,
							   .components = w.comps,
							   .n_components = w.n,
							   .exists = w.exists };
	}
	walk_close(&w);
	return r;
}

/* ---- the real host's steps: O_PATH fds, a last symlink never followed ---- */

static int stat_component(int fd, struct hs_path_component *c)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*c = (struct hs_path_component){ .uid = st.st_uid,
					 .gid = st.st_gid,
					 .mode = st.st_mode,
					 .id = { st.st_dev, st.st_ino } };
	return 0;
}

static int opened(int fd, intptr_t *ret_node, struct hs_path_component *ret)
{
	int r;

	if (fd < 0)
		return -errno;
	r = stat_component(fd, ret);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_node = fd;
	return 0;
}

static int real_open_root(void *data, intptr_t *ret_node, struct hs_path_component *ret)
{
	return opened(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), ret_node, ret);
}

static int real_open_at(void *data, intptr_t dir, const char *name, intptr_t *ret_node,
			struct hs_path_component *ret)
{
	return opened(openat((int)dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), ret_node, ret);
}

static ssize_t real_read_link(void *data, intptr_t dir, intptr_t node, char *buf, size_t size,
			      bool *ret_magic)
{
	ssize_t n = readlinkat((int)node, "", buf, size - 1);

	if (n < 0)
		return -errno;
	buf[n] = 0;
	*ret_magic = link_is_magic((int)dir, buf);
	return n;
}

static void real_release(void *data, intptr_t node)
{
	close((int)node);
}

static const struct hs_walk_ops real_ops = {
	.open_root = real_open_root,
	.open_at = real_open_at,
	.read_link = real_read_link,
	.release = real_release,
};

int hs_host_canonicalize_real(const struct hs_host *h, struct hs_arena *a, const char *path,
			      struct hs_canonical_path *ret, struct hs_error *err)
{
	return hs_host_walk(&real_ops, NULL, a, path, ret, err);
}
