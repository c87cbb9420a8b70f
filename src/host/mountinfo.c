/* SPDX-License-Identifier: Apache-2.0
 * Which filesystem holds a path, from /proc/self/mountinfo through libmount (dlopen'ed: it
 * pulls in libblkid and libselinux, which the fast path must not pay for). Read once per
 * process: a hardshim process checks one config. */
#include <libmount.h>

#include "host-internal.h"
#include "hs-dlopen.h"

static __typeof__(&mnt_new_table_from_file) sym_mnt_new_table_from_file;
static __typeof__(&mnt_table_find_mountpoint) sym_mnt_table_find_mountpoint;
static __typeof__(&mnt_fs_get_fstype) sym_mnt_fs_get_fstype;

static int load_libmount(struct hs_error *err)
{
	static void *dl;

	return hs_dlopen_many(&dl, "libmount.so.1", err, HS_DLSYM(mnt_new_table_from_file),
			      HS_DLSYM(mnt_table_find_mountpoint), HS_DLSYM(mnt_fs_get_fstype),
			      HS_DLSYM_END);
}

int hs_host_mount_fstype_real(const struct hs_host *h, struct hs_arena *a, const char *path,
			      const char **ret, struct hs_error *err)
{
	static struct libmnt_table *table;
	struct libmnt_fs *fs;
	const char *type;
	int r;

	r = load_libmount(err);
	if (r < 0)
		return r;
	if (!table && !(table = sym_mnt_new_table_from_file("/proc/self/mountinfo")))
		return hs_error_set(err, -EIO, "host.mountinfo", "/proc/self/mountinfo", -1,
				    "libmount cannot read the mount table");
	/* Backward: the mount listed last at a target is the one on top. */
	fs = sym_mnt_table_find_mountpoint(table, path, MNT_ITER_BACKWARD);
	type = fs ? sym_mnt_fs_get_fstype(fs) : NULL;
	if (!type)
		return hs_error_set(err, -ENOENT, "host.mountinfo", path, -1,
				    "no mount in /proc/self/mountinfo holds it");
	*ret = hs_arena_strdup(a, type);
	return *ret ? 0 : -ENOMEM;
}
