/* SPDX-License-Identifier: Apache-2.0
 * A file only root can have written: the engine's own records (Podman's containers.json),
 * trusted to say which directory is a container's root. Anyone who could replace the file or
 * a directory on its way could make another container's files, or a host directory, pass
 * for this container's image: the whole canonical path is checked, the file opened without
 * following a last symlink, and the opened object compared with what the walk saw. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host-internal.h"

static int untrusted(struct hs_error *err, const char *path, const char *why)
{
	return hs_error_set(err, -EPERM, "host.untrusted-file", path, -1, "%s: %s", path, why);
}

/* Why an object with this mode and owner is not a file only root could have written, or NULL. */
static const char *not_roots_file(mode_t mode, uid_t uid)
{
	if (!S_ISREG(mode))
		return "not a regular file";
	if (uid != 0 || (mode & (S_IWGRP | S_IWOTH)))
		return "not root's alone (owner or mode)";
	return NULL;
}

int hs_host_root_file_judge(struct hs_arena *a, const char *path,
			    const struct hs_canonical_path *cp, struct hs_error *err)
{
	const struct hs_path_component *last;
	const char *why;

	if (!cp->exists || !cp->n_components)
		return hs_error_set(err, -ENOENT, "host.missing", path, -1, "%s does not exist",
				    path);
	if ((why = hs_canonical_path_replaceable(a, cp)))
		return untrusted(err, path, why);
	last = &cp->components[cp->n_components - 1];
	if ((why = not_roots_file(last->mode, last->uid)))
		return untrusted(err, path, why);
	return 0;
}

/* PATH walked and judged, then opened without following a last symlink, and the opened object
 * judged again: the fd (O_RDONLY, O_CLOEXEC) of what was judged, or a negative code. */
static int open_root_file(const struct hs_host *h, struct hs_arena *a, const char *path,
			  struct hs_error *err)
{
	_cleanup_close_ int fd = -1;
	struct hs_canonical_path cp;
	const struct hs_path_component *last;
	const char *why;
	struct stat st;
	int r;

	r = hs_host_canonicalize_real(h, a, path, &cp, err);
	if (r < 0)
		return r;
	r = hs_host_root_file_judge(a, path, &cp, err);
	if (r < 0)
		return r;
	last = &cp.components[cp.n_components - 1];
	fd = open(cp.path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return hs_error_set(err, -errno, "host.open", path, -1, "cannot open %s: %s", path,
				    strerror(errno));
	if (fstat(fd, &st) < 0)
		return hs_error_set(err, -errno, "host.open", path, -1, "cannot stat %s: %s", path,
				    strerror(errno));
	/* judged again on what was opened: the walk saw a path, this is an object */
	if (st.st_dev != last->id.dev || st.st_ino != last->id.ino)
		return untrusted(err, path, "it changed while it was being looked at");
	if ((why = not_roots_file(st.st_mode, st.st_uid)))
		return untrusted(err, path, why);
	return TAKE_FD(fd);
}

int hs_host_read_root_file_real(const struct hs_host *h, struct hs_arena *a, const char *path,
				size_t max, const char **ret, size_t *ret_len, struct hs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	int r;

	fd = open_root_file(h, a, path, err);
	if (fd < 0)
		return fd;
	if ((r = hs_read_fd(fd, max, &buf, &len, err)) < 0)
		return r;
	if (!(*ret = hs_arena_alloc(a, len + 1)))
		return -ENOMEM;
	memcpy((char *)*ret, buf, len + 1);
	*ret_len = len;
	return 0;
}

int hs_read_root_file(struct hs_arena *a, const char *path, size_t max, const char **ret,
		      size_t *ret_len, struct hs_error *err)
{
	/* the real walk asks nothing of the host's table (hs_host_canonicalize_real) */
	return hs_host_read_root_file_real(NULL, a, path, max, ret, ret_len, err);
}

int hs_open_root_file(struct hs_arena *a, const char *path, struct hs_error *err)
{
	return open_root_file(NULL, a, path, err);
}
