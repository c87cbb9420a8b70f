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

int hs_host_read_root_file_real(const struct hs_host *h, struct hs_arena *a, const char *path,
				size_t max, const char **ret, size_t *ret_len, struct hs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	struct hs_canonical_path cp;
	const struct hs_path_component *last;
	const char *why;
	struct stat st;
	size_t len = 0;
	int r;

	r = hs_host_canonicalize_real(h, a, path, &cp, err);
	if (r < 0)
		return r;
	if (!cp.exists || !cp.n_components)
		return hs_error_set(err, -ENOENT, "host.missing", path, -1, "%s does not exist",
				    path);
	if ((why = hs_canonical_path_replaceable(a, &cp)))
		return untrusted(err, path, why);
	last = &cp.components[cp.n_components - 1];
	fd = open(cp.path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return hs_error_set(err, -errno, "host.open", path, -1, "cannot open %s: %s", path,
				    strerror(errno));
	if (fstat(fd, &st) < 0)
		return hs_error_set(err, -errno, "host.open", path, -1, "cannot stat %s: %s", path,
				    strerror(errno));
	if (st.st_dev != last->id.dev || st.st_ino != last->id.ino)
		return untrusted(err, path, "it changed while it was being looked at");
	if (!S_ISREG(st.st_mode))
		return untrusted(err, path, "not a regular file");
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return untrusted(err, path, "not root's alone (owner or mode)");
	if ((r = hs_read_fd(fd, max, &buf, &len, err)) < 0)
		return r;
	if (!(*ret = hs_arena_alloc(a, len + 1)))
		return -ENOMEM;
	memcpy((char *)*ret, buf, len + 1);
	*ret_len = len;
	return 0;
}
