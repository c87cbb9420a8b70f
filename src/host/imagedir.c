/* SPDX-License-Identifier: Apache-2.0
 * An image's directory, looked at before hardshim lays a tmpfs over it that starts as a copy
 * of it (tmpcopyup). The image is the attacker's: the directory must be a real one all the
 * way down from the image's root (a symlink would make the runtime mount somewhere else than
 * where hardshim looked), and its tree is walked without following a link, bounded in
 * entries and depth, so a crafted image costs a create no more than a fixed amount of work.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host-internal.h"

#define IMAGEDIR_MAX_SUBDIRS 256

struct imagedir_walk {
	struct hs_arena *a;
	dev_t dev;
	size_t max;
	unsigned max_depth;
	struct hs_dir_facts *f;
};

static int note_subdir(struct imagedir_walk *w, const char *name)
{
	struct hs_dir_facts *f = w->f;

	if (!f->subdirs &&
	    !(f->subdirs = hs_arena_alloc(w->a, IMAGEDIR_MAX_SUBDIRS * sizeof(*f->subdirs))))
		return -ENOMEM;
	if (f->n_subdirs == IMAGEDIR_MAX_SUBDIRS) {
		f->over_limit = true;
		return 0;
	}
	if (!(f->subdirs[f->n_subdirs] = hs_arena_strdup(w->a, name)))
		return -ENOMEM;
	f->n_subdirs++;
	return 0;
}

/* One entry of a directory at depth: counted, sized, descended into when a directory. */
static int walk(struct imagedir_walk *w, int dfd, unsigned depth);

static int visit(struct imagedir_walk *w, int dfd, const char *name, unsigned depth)
{
	struct hs_dir_facts *f = w->f;
	struct stat st;
	int sub, r;

	if (++f->entries > w->max) {
		f->over_limit = true;
		return 0;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISREG(st.st_mode)) {
		f->bytes += (uint64_t)st.st_size;
		if (st.st_mode & 0111)
			f->executable = true;
	}
	if (!S_ISDIR(st.st_mode) || st.st_dev != w->dev)
		return 0;
	if (depth == 0 && (r = note_subdir(w, name)) < 0)
		return r;
	if (depth >= w->max_depth) {
		/* what is below is not looked at: counted as unknown unless not asked for */
		if (w->max_depth > 0)
			f->over_limit = true;
		return 0;
	}
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0) {
		f->over_limit = true;
		return 0;
	}
	return walk(w, sub, depth + 1);
}

static int walk(struct imagedir_walk *w, int dfd, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int r = 0;

	if (!d) {
		close(dfd);
		w->f->over_limit = true; /* unreadable: what is below is unknown */
		return 0;
	}
	while (r >= 0 && !w->f->over_limit && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			r = visit(w, dirfd(d), e->d_name, depth);
	closedir(d);
	return r;
}

int hs_host_dir_in_root_real(const struct hs_host *h, struct hs_arena *a, const char *root,
			     const char *path, size_t max_entries, unsigned max_depth,
			     struct hs_dir_facts *ret)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	struct imagedir_walk w = { .a = a, .max = max_entries, .max_depth = max_depth, .f = ret };
	struct stat st;
	int fd, r;

	(void)h;
	*ret = (struct hs_dir_facts){ 0 };
	fd = hs_host_openat2_in_root(root, path, &how);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	ret->uid = st.st_uid;
	ret->gid = st.st_gid;
	ret->mode = st.st_mode;
	w.dev = st.st_dev;
	return walk(&w, fd, 0);
}
