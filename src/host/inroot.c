/* SPDX-License-Identifier: Apache-2.0
 * Where a mount destination lands inside a root filesystem, resolved as the runtimes resolve
 * it: runc 1.1 with securejoin.SecureJoin(rootfs, dest), crun 1.8 with openat2(RESOLVE_IN_ROOT)
 * (and a lexical walk where it creates what is missing). A symlink in the image is followed
 * with the rootfs as "/", ".." stops at the rootfs, and a missing component is taken as the
 * directory the runtime will create there (every later component is still looked at:
 * "missing/../x" reaches x, a symlink, as securejoin and crun's mkdir-and-open walk do). The image's `x -> /proc` turns a
 * destination /x/sys into /proc/sys.
 *
 * Runtime behaviours relied on: both runtimes resolve the destination inside the rootfs and
 * follow its symlinks (runc's proc and sysfs mounts excepted: they must be real directories);
 * at most 255 links (securejoin), 40 (openat2): past 40 this refuses.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "host-internal.h"
#include "hs-path.h"

#define INROOT_MAX_LINKS 40

static void inroot_pop(char *cur)
{
	char *s = strrchr(cur, '/');

	if (s == cur)
		cur[1] = 0;
	else if (s)
		*s = 0;
}

int hs_host_resolve_in_root_real(const struct hs_host *h, struct hs_arena *a, const char *root,
				 const char *path, const char **ret, struct hs_error *err)
{
	_cleanup_free_ char *rest = NULL;
	char cur[PATH_MAX] = "/";
	unsigned links = 0;
	const char *p, *c;
	/* gone: the length of cur's prefix found missing (or not a directory), 0 when none. A
	 * name below it is missing too, without asking the kernel (its lstat would say ENOENT or
	 * ENOTDIR, as the prefix's did); ".." back above it clears it. */
	size_t len, gone = 0;

	(void)h;
	if (!root || root[0] != '/' || !path)
		return hs_error_set(err, -EINVAL, "host.relative-path", path ? path : "", -1,
				    "root and path must be given, root absolute");
	rest = strdup(path);
	if (!rest)
		return -ENOMEM;
	p = rest;
	while ((c = hs_path_next(&p, &len))) {
		char host[PATH_MAX * 2], target[PATH_MAX];
		struct stat st;
		ssize_t n;
		char *nrest;

		if (hs_path_is_dot(c, len))
			continue;
		if (hs_path_is_dotdot(c, len)) {
			inroot_pop(cur);
			if (strlen(cur) < gone)
				gone = 0;
			continue;
		}
		if (strlen(cur) + 1 + len + 1 > PATH_MAX)
			return hs_error_set(err, -ENAMETOOLONG, "host.path-too-long", path, -1,
					    "path too long");
		if (strlen(cur) > 1)
			strcat(cur, "/");
		strncat(cur, c, len);
		if (gone)
			continue; /* below a missing name: missing as well */
		snprintf(host, sizeof(host), "%s%s", root, cur);
		if (lstat(host, &st) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				return hs_error_set(err, -errno, "host.resolve", path, -1,
						    "lstat %s: %m", host);
			gone = strlen(cur);
			continue; /* created by the runtime; what follows is still looked at */
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++links > INROOT_MAX_LINKS)
			return hs_error_set(err, -ELOOP, "host.symlink-loop", path, -1,
					    "too many levels of symbolic links at %s", cur);
		n = readlink(host, target, sizeof(target) - 1);
		if (n < 0)
			return hs_error_set(err, -errno, "host.resolve", path, -1,
					    "readlink %s: %m", host);
		target[n] = 0;
		inroot_pop(cur);
		if (target[0] == '/')
			strcpy(cur, "/");
		if (asprintf(&nrest, "%s/%s", target, p) < 0)
			return -ENOMEM;
		free(rest);
		rest = nrest;
		p = rest;
	}
	*ret = hs_arena_strdup(a, cur);
	return *ret ? 0 : -ENOMEM;
}
