/* SPDX-License-Identifier: Apache-2.0
 * A fresh volume given to the user a container runs as (user.volume-owner): what kubelet
 * does for an emptyDir with fsGroup, for one directory only, never below it. hardshim runs
 * as root here, on a path the config named: whoever wrote the config must not be able to
 * make it chown anything but an empty directory root made for everyone (0777, no sticky,
 * setuid or setgid bit) at a place only root could have put it. Every condition is judged
 * again on the opened directory, whatever the policy saw a moment before.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs-path.h"
#include "host-internal.h"

static int not_fresh(struct hs_error *err, const char *path, const char *why)
{
	return hs_error_set(err, -EPERM, "user.volume-owner", path, -1,
			    "the volume %s was not given to the container's user: %s", path, why);
}

/* Anything in it but "." and ".."? 1 yes, 0 no, -errno when it cannot be read. */
static int has_entries(int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d;
	struct dirent *e;
	int found = 0;

	if (dup_fd < 0)
		return -errno;
	if (!(d = fdopendir(dup_fd))) {
		int r = -errno;

		close(dup_fd);
		return r;
	}
	while (!found && (e = readdir(d)))
		found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return found;
}

/* Why the opened directory is not a fresh volume, or NULL. */
static const char *why_not_fresh(int fd, const struct stat *st, const struct hs_file_id *seen)
{
	int r;

	if (st->st_dev != seen->dev || st->st_ino != seen->ino)
		return "it changed while it was being looked at";
	if (!S_ISDIR(st->st_mode))
		return "not a directory";
	if (st->st_uid != 0)
		return "not owned by root (someone's own directory is theirs to give)";
	if ((st->st_mode & 07777) != 0777)
		return "its mode is not 0777 (an emptyDir's): someone chose who may use it";
	if ((r = has_entries(fd)) != 0)
		return r > 0 ? "not empty" : "it cannot be read";
	return NULL;
}

int hs_host_give_volume(const char *path, uid_t uid, gid_t gid, struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_close_ int fd = -1;
	struct hs_canonical_path cp;
	const char *why, *clean;
	struct stat st;
	int r;

	if (!a)
		return -ENOMEM;
	if (!path || path[0] != '/' || !(clean = hs_path_clean(a, path)))
		return not_fresh(err, path ? path : "", "not an absolute path");
	if (uid == 0 || gid == 0)
		return not_fresh(err, path, "never to root");
	r = hs_host_canonicalize_real(hs_host_real(), a, clean, &cp, err);
	if (r < 0)
		return r;
	if (!cp.exists || !cp.n_components)
		return not_fresh(err, path, "it does not exist");
	if (strcmp(cp.path, clean) != 0)
		return not_fresh(err, path, "a symlink on its way");
	if ((why = hs_canonical_path_replaceable(a, &cp)))
		return not_fresh(err, path, why);
	fd = open(cp.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return not_fresh(err, path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return hs_error_set(err, -errno, "user.volume-owner", path, -1,
				    "cannot stat the volume %s: %s", path, strerror(errno));
	if ((why = why_not_fresh(fd, &st, &cp.components[cp.n_components - 1].id)))
		return not_fresh(err, path, why);
	if (fchown(fd, uid, gid) < 0)
		return hs_error_set(err, -errno, "user.volume-owner", path, -1,
				    "cannot give the volume %s to %u:%u: %s", path, (unsigned)uid,
				    (unsigned)gid, strerror(errno));
	return 0;
}
