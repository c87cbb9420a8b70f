/* SPDX-License-Identifier: Apache-2.0
 * Control "mounts": the mount options hardshim admits, per mount type. Every option runc 1.1
 * and crun 1.8 act on is listed with what they do with it; an option not listed is refused,
 * because both runtimes pass an option they do not know to the kernel as filesystem data,
 * where hardshim cannot say what it does. docs/mount-options.md is rendered from this table
 * (tests/unit/test-mount-options.c keeps the two equal).
 *
 * Runtime behaviours relied on (runc libcontainer/specconv parseMountOptions, crun
 * src/libcrun/mount_flags.perf and linux.c):
 * - options are read in order; a clearing flag ("rw", "suid") undoes an earlier setting one;
 * - the recursive attributes ("rro", "rsuid", ...) are applied with mount_setattr(2) after the
 *   plain flags, so a clearing one undoes the nosuid/nodev/noexec/ro hardshim adds;
 * - "idmap"/"ridmap" (and mount-level uidMappings/gidMappings) make crun build an idmapped
 *   mount: files on the host appear owned by whoever the mapping says;
 * - "tmpcopyup" copies the image's directory into a new tmpfs (crun refuses it elsewhere);
 * - an unknown option becomes filesystem data (mount(2)'s last argument).
 */
#include <string.h>

#include "mounts.h"

#define T_BIND   (1u << 0)
#define T_TMPFS  (1u << 1)
#define T_PROC   (1u << 2)
#define T_SYSFS  (1u << 3)
#define T_DEVPTS (1u << 4)
#define T_MQUEUE (1u << 5)
#define T_CGROUP (1u << 6) /* cgroup and cgroup2 */
#define T_ANY    (T_BIND | T_TMPFS | T_PROC | T_SYSFS | T_DEVPTS | T_MQUEUE | T_CGROUP)

static const char *const type_names[] = { "bind",   "tmpfs",  "proc",  "sysfs",
					  "devpts", "mqueue", "cgroup" };

/* Admitted where .types says; refused everywhere when .types is 0 (.what says why). A name
 * ending in '=' takes any value. */
static const struct hs_mount_option options[] = {
	/* the mount's kind */
	{ "bind", T_ANY, "bind mount (the mount is a bind whatever its type)" },
	{ "rbind", T_ANY, "recursive bind mount" },
	{ "defaults", T_ANY, "no flag (runc passes it on as filesystem data)" },
	/* restricting flags */
	{ "ro", T_ANY, "MS_RDONLY" },
	{ "nosuid", T_ANY, "MS_NOSUID" },
	{ "nodev", T_ANY, "MS_NODEV" },
	{ "noexec", T_ANY, "MS_NOEXEC" },
	{ "nosymfollow", T_ANY, "MS_NOSYMFOLLOW" },
	/* clearing flags: on a bind, mounts.bind-options drops them; sysfs and cgroup stay ro */
	{ "rw", T_ANY, "clears MS_RDONLY (dropped on binds with bind_readonly, on sysfs/cgroup)" },
	{ "suid", T_ANY, "clears MS_NOSUID (dropped on binds)" },
	{ "dev", T_ANY, "clears MS_NODEV (dropped on binds)" },
	{ "exec", T_ANY, "clears MS_NOEXEC (dropped on binds with bind_noexec)" },
	{ "symfollow", T_ANY, "clears MS_NOSYMFOLLOW" },
	/* times and writes: no privilege */
	{ "sync", T_ANY, "MS_SYNCHRONOUS" },
	{ "async", T_ANY, "clears MS_SYNCHRONOUS" },
	{ "dirsync", T_ANY, "MS_DIRSYNC" },
	{ "atime", T_ANY, "clears MS_NOATIME" },
	{ "noatime", T_ANY, "MS_NOATIME" },
	{ "diratime", T_ANY, "clears MS_NODIRATIME" },
	{ "nodiratime", T_ANY, "MS_NODIRATIME" },
	{ "relatime", T_ANY, "MS_RELATIME" },
	{ "norelatime", T_ANY, "clears MS_RELATIME" },
	{ "strictatime", T_ANY, "MS_STRICTATIME" },
	{ "nostrictatime", T_ANY, "clears MS_STRICTATIME" },
	{ "lazytime", T_ANY, "MS_LAZYTIME (runc)" },
	{ "nolazytime", T_ANY, "clears MS_LAZYTIME (runc)" },
	{ "silent", T_ANY, "MS_SILENT (runc)" },
	{ "loud", T_ANY, "clears MS_SILENT (runc)" },
	{ "iversion", T_ANY, "MS_I_VERSION (runc)" },
	{ "noiversion", T_ANY, "clears MS_I_VERSION (runc)" },
	{ "nomand", T_ANY, "clears MS_MANDLOCK" },
	/* propagation; shared and rshared are judged by mounts.propagation */
	{ "private", T_ANY, "MS_PRIVATE" },
	{ "rprivate", T_ANY, "MS_PRIVATE|MS_REC" },
	{ "slave", T_ANY, "MS_SLAVE" },
	{ "rslave", T_ANY, "MS_SLAVE|MS_REC" },
	{ "unbindable", T_ANY, "MS_UNBINDABLE" },
	{ "runbindable", T_ANY, "MS_UNBINDABLE|MS_REC" },
	{ "shared", T_ANY, "MS_SHARED (refused or dropped by mounts.propagation)" },
	{ "rshared", T_ANY, "MS_SHARED|MS_REC (refused or dropped by mounts.propagation)" },
	/* recursive attributes that only restrict (mount_setattr attr_set) */
	{ "rro", T_ANY, "MOUNT_ATTR_RDONLY, recursive" },
	{ "rnosuid", T_ANY, "MOUNT_ATTR_NOSUID, recursive" },
	{ "rnodev", T_ANY, "MOUNT_ATTR_NODEV, recursive" },
	{ "rnoexec", T_ANY, "MOUNT_ATTR_NOEXEC, recursive" },
	{ "rnosymfollow", T_ANY, "MOUNT_ATTR_NOSYMFOLLOW, recursive" },
	{ "rsymfollow", T_ANY, "clears MOUNT_ATTR_NOSYMFOLLOW, recursive" },
	{ "ratime", T_ANY, "recursive atime" },
	{ "rnoatime", T_ANY, "MOUNT_ATTR_NOATIME, recursive" },
	{ "rdiratime", T_ANY, "recursive diratime" },
	{ "rnodiratime", T_ANY, "MOUNT_ATTR_NODIRATIME, recursive" },
	{ "rrelatime", T_ANY, "MOUNT_ATTR_RELATIME, recursive" },
	{ "rnorelatime", T_ANY, "recursive norelatime" },
	{ "rstrictatime", T_ANY, "MOUNT_ATTR_STRICTATIME, recursive" },
	{ "rnostrictatime", T_ANY, "recursive nostrictatime" },
	{ "rsync", T_ANY, "recursive sync (crun; runc passes it on as data)" },
	{ "rasync", T_ANY, "recursive async (crun; runc passes it on as data)" },
	{ "rdirsync", T_ANY, "recursive dirsync (crun; runc passes it on as data)" },
	{ "rnomand", T_ANY, "recursive nomand (crun; runc passes it on as data)" },
	/* filesystem data of one type */
	{ "tmpcopyup", T_TMPFS, "copies the image's directory into the new tmpfs" },
	{ "size=", T_TMPFS, "tmpfs size" },
	{ "nr_blocks=", T_TMPFS, "tmpfs size in blocks" },
	{ "nr_inodes=", T_TMPFS, "tmpfs inode limit" },
	{ "huge=", T_TMPFS, "tmpfs huge pages" },
	{ "mode=", T_TMPFS | T_DEVPTS, "permissions of the new filesystem's root / new ptys" },
	{ "uid=", T_TMPFS | T_DEVPTS, "owner of the new filesystem's root / new ptys" },
	{ "gid=", T_TMPFS | T_DEVPTS, "group of the new filesystem's root / new ptys" },
	{ "newinstance", T_DEVPTS, "a devpts of the container's own" },
	{ "ptmxmode=", T_DEVPTS, "permissions of the new devpts's ptmx" },
	{ "hidepid=", T_PROC, "hides other users' processes" },
	{ "subset=", T_PROC, "only the pid entries of /proc" },
	/* refused everywhere */
	{ "rrw", 0, "clears MOUNT_ATTR_RDONLY recursively after the flags: undoes ro" },
	{ "rsuid", 0, "clears MOUNT_ATTR_NOSUID recursively after the flags: undoes nosuid" },
	{ "rdev", 0, "clears MOUNT_ATTR_NODEV recursively after the flags: undoes nodev" },
	{ "rexec", 0, "clears MOUNT_ATTR_NOEXEC recursively after the flags: undoes noexec" },
	{ "idmap", 0, "crun: an idmapped mount (host files owned by whom the mapping says)" },
	{ "idmap=", 0, "crun: an idmapped mount with its own mappings" },
	{ "ridmap", 0, "crun: a recursive idmapped mount" },
	{ "ridmap=", 0, "crun: a recursive idmapped mount with its own mappings" },
	{ "remount", 0, "MS_REMOUNT: changes whatever is mounted at the destination already" },
	{ "mand", 0, "MS_MANDLOCK: mandatory locks on host files" },
	{ "rmand", 0, "crun: MS_MANDLOCK, recursive" },
	{ "acl", 0, "runc: MS_POSIXACL, a superblock flag shared with the host" },
	{ "noacl", 0, "runc: clears MS_POSIXACL, a superblock flag shared with the host" },
	{ "copy-symlink", 0, "crun >= 1.10: copies a symlink source; unknown to crun 1.8 (data)" },
	{ "context=", 0, "an SELinux label on the mount: the mac control does not judge labels" },
	{ "fscontext=", 0, "an SELinux label on the superblock" },
	{ "defcontext=", 0, "an SELinux label for unlabelled files" },
	{ "rootcontext=", 0, "an SELinux label on the root inode" },
};

static unsigned type_bit(const char *type)
{
	if (strcmp(type, "cgroup2") == 0)
		return T_CGROUP;
	for (size_t i = 0; i < HS_ARRAY_SIZE(type_names); i++)
		if (strcmp(type, type_names[i]) == 0)
			return 1u << i;
	return 0;
}

const struct hs_mount_option *hs_mount_option_find(const char *opt)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(options); i++) {
		const char *n = options[i].name;
		size_t l = strlen(n);

		if (l > 0 && n[l - 1] == '=' ? strncmp(opt, n, l) == 0 : strcmp(opt, n) == 0)
			return &options[i];
	}
	return NULL;
}

bool hs_mount_option_admitted(const struct hs_mount_option *o, const char *type)
{
	return o && (o->types & type_bit(type)) != 0;
}

const struct hs_mount_option *hs_mount_options_table(size_t *ret_n)
{
	*ret_n = HS_ARRAY_SIZE(options);
	return options;
}

/* "bind, tmpfs" for a mask; "refused" for 0. Arena-owned. */
const char *hs_mount_option_types(struct hs_arena *a, const struct hs_mount_option *o)
{
	char *s = hs_arena_strdup(a, "");

	if (o->types == 0)
		return hs_arena_strdup(a, "refused");
	if (o->types == T_ANY)
		return hs_arena_strdup(a, "all");
	for (size_t i = 0; s && i < HS_ARRAY_SIZE(type_names); i++)
		if (o->types & (1u << i))
			s = hs_arena_printf(a, "%s%s%s", s, *s ? ", " : "", type_names[i]);
	return s;
}
