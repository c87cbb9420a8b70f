/* SPDX-License-Identifier: Apache-2.0
 * The real machine behind include/hs-host.h: namespaces by NS_GET_NSTYPE and (st_dev, st_ino),
 * MAC state from libapparmor / libselinux (linked into the core from their static archives;
 * the fast path, in the front, never reaches them), loaded AppArmor profiles from securityfs. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/nsfs.h>
#include <selinux/selinux.h>

#include "host-internal.h"

#define AA_PROFILES     "/sys/kernel/security/apparmor/profiles"
#define AA_PROFILES_MAX (16u << 20)

static const struct {
	const char *oci, *proc;
} ns_names[] = {
	{ "mount", "mnt" }, { "network", "net" },   { "pid", "pid" },   { "ipc", "ipc" },
	{ "uts", "uts" },   { "cgroup", "cgroup" }, { "user", "user" }, { "time", "time" },
};

const char *hs_host_proc_ns_name(const char *oci_type)
{
	for (size_t i = 0; oci_type && i < HS_ARRAY_SIZE(ns_names); i++)
		if (strcmp(oci_type, ns_names[i].oci) == 0)
			return ns_names[i].proc;
	return NULL;
}

/*
 * The image directory the in-root looks open by name: the last one opened, kept (O_PATH,
 * close-on-exec: the runtime never gets it). A create looks into one image 3-6 times (the
 * rootfs control's tmpfs and state directories, the owner of its "/"); each open by name walked
 * the whole host path again (2 system calls and a path walk a look). Kept, every look of the
 * process judges the one directory it first found there: a rename of the path in between (by
 * whoever can write its parent, who can as well do it after the checks, before the runtime
 * opens it) no longer splits the looks between two trees. Another ROOT string is opened anew.
 */
static struct {
	char *path;
	int fd;
} held_root = { NULL, -1 };

static int root_dir_fd(const char *root)
{
	char *copy;
	int fd;

	if (held_root.fd >= 0 && strcmp(held_root.path, root) == 0)
		return held_root.fd;
	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	copy = strdup(root);
	if (!copy) {
		close(fd);
		return -ENOMEM;
	}
	if (held_root.fd >= 0)
		close(held_root.fd);
	free(held_root.path);
	held_root.path = copy;
	held_root.fd = fd;
	return fd;
}

int hs_host_openat2_in_root(const char *root, const char *path, const struct open_how *how)
{
	int rootfd = root_dir_fd(root), fd;

	if (rootfd < 0)
		return rootfd;
	fd = (int)syscall(SYS_openat2, rootfd, path, how, sizeof(*how));
	return fd < 0 ? -errno : fd;
}

/* An image's tree is the attacker's: a symlink in it may name any host path. RESOLVE_IN_ROOT
 * reads every link relative to the tree, as the runtimes do when they chdir into it. */
static int real_owner_in_root(const struct hs_host *h, const char *root, const char *path,
			      uid_t *ret_uid, gid_t *ret_gid)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	struct stat st = { 0 };
	int fd, r;

	(void)h;
	fd = hs_host_openat2_in_root(root, path, &how);
	if (fd < 0)
		return fd;
	r = fstat(fd, &st) < 0 ? -errno : 0;
	close(fd);
	if (r == 0) {
		*ret_uid = st.st_uid;
		*ret_gid = st.st_gid;
	}
	return r;
}

static int real_file_id(const struct hs_host *h, const char *path, struct hs_file_id *ret)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*ret = (struct hs_file_id){ st.st_dev, st.st_ino };
	return 0;
}

/*
 * Open with O_PATH first (following links, magic ones too: /proc/<pid>/ns/net is how pods
 * name a sandbox), insist on a regular file on nsfs, and only then reopen it for the ioctl:
 * so a hostile path naming a FIFO or a device is never opened for reading.
 */
static int real_ns_inspect(const struct hs_host *h, const char *path, int *ret_nstype,
			   struct hs_file_id *ret_id, struct hs_error *err)
{
	_cleanup_close_ int pfd = -1, fd = -1;
	char proc[64];
	struct statfs sfs;
	struct stat st;
	int type;

	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return hs_error_set(err, -errno, "host.namespace", path, -1, "open: %m");
	if (fstat(pfd, &st) < 0 || fstatfs(pfd, &sfs) < 0)
		return hs_error_set(err, -errno, "host.namespace", path, -1, "stat: %m");
	if (!S_ISREG(st.st_mode) || (unsigned long)sfs.f_type != NSFS_MAGIC)
		return hs_error_set(err, -EINVAL, "host.namespace", path, -1,
				    "not a namespace file");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return hs_error_set(err, -errno, "host.namespace", path, -1, "reopen: %m");
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return hs_error_set(err, -errno, "host.namespace", path, -1, "NS_GET_NSTYPE: %m");
	*ret_nstype = type;
	*ret_id = (struct hs_file_id){ st.st_dev, st.st_ino };
	return 0;
}

static int real_ns_host(const struct hs_host *h, const char *oci_type, int which,
			struct hs_file_id *ret)
{
	const char *name = hs_host_proc_ns_name(oci_type);
	char path[64];

	if (!name || (which != 0 && which != 1))
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%s/ns/%s", which == 1 ? "1" : "self", name);
	return real_file_id(h, path, ret);
}

int hs_host_ns_is_host(const struct hs_host *h, const char *oci_type, const struct hs_file_id *id,
		       const char **ret_which)
{
	for (int which = 1; which >= 0; which--) {
		struct hs_file_id host;
		int r = h->ns_host(h, oci_type, which, &host);

		if (which == 1 && (r == -EACCES || r == -EPERM))
			continue;
		if (r < 0)
			return r;
		if (host.dev == id->dev && host.ino == id->ino) {
			if (ret_which)
				*ret_which = which == 1 ? "/proc/1/ns" : "/proc/self/ns";
			return 1;
		}
	}
	return 0;
}

/* The kernel's own files first: a MAC that is off (or not built in) is known without
 * asking its library. Where the kernel says it may be on, the library has the last word. */
static bool apparmor_enabled(void)
{
	_cleanup_fclose_ FILE *f = fopen("/sys/module/apparmor/parameters/enabled", "re");

	if (!f || fgetc(f) != 'Y')
		return false;
	return aa_is_enabled() > 0;
}

/* selinuxfs is registered only by a kernel whose SELinux is enabled. */
static bool selinuxfs_registered(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/filesystems", "re");
	char line[128];

	if (!f)
		return true; /* cannot tell: ask further */
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "\tselinuxfs\n"))
			return true;
	return false;
}

static bool selinux_enabled(void)
{
	if (!selinuxfs_registered())
		return false;
	return is_selinux_enabled() > 0;
}

static enum hs_mac real_mac(const struct hs_host *h)
{
	static int cached = -1;

	if (cached < 0)
		cached = apparmor_enabled()  ? HS_MAC_APPARMOR
			 : selinux_enabled() ? HS_MAC_SELINUX
					     : HS_MAC_NONE;
	return (enum hs_mac)cached;
}

/* Each line of securityfs's list is "<name> (<mode>)". */
static int real_apparmor_profile_loaded(const struct hs_host *h, const char *profile)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = open(AA_PROFILES, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t plen = strlen(profile);
	int r;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = hs_read_fd(fd, AA_PROFILES_MAX, &buf, NULL, NULL);
	if (r < 0)
		return r;
	for (char *line = buf, *next; line && *line; line = next) {
		char *mode;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		mode = strrchr(line, ' ');
		if (mode && mode[1] == '(' && (size_t)(mode - line) == plen &&
		    memcmp(line, profile, plen) == 0)
			return 1;
	}
	return 0;
}

static int real_selinux_context_valid(const struct hs_host *h, const char *context)
{
	return security_check_context(context) == 0 ? 1 : 0;
}

/* The front's path, as the front passed it (hs_host_set_front); "" when none was. */
static char front_path[PATH_MAX];

void hs_host_set_front(const char *path)
{
	front_path[0] = '\0';
	if (path && strlen(path) < sizeof(front_path))
		strcpy(front_path, path);
}

/* The front's path, when it names a file beside the core (the kernel's /proc/self/exe of this
 * process): the front execs only the core from its own directory, so anything else was not
 * passed by the front. Whoever execs the core directly, with any HARDSHIM_FRONT, runs it with
 * their own privileges and can only name a file in the core's directory. */
static int real_self_binary(const struct hs_host *h, struct hs_arena *a, const char **ret)
{
	char core[4096];
	const char *slash = strrchr(front_path, '/'), *cslash;
	size_t n;
	ssize_t c;

	if (front_path[0] != '/' || !slash || !slash[1])
		return -ENOENT;
	n = strlen(front_path);
	if (n > 10 && !strcmp(front_path + n - 10, " (deleted)"))
		return -ESTALE;
	c = readlink("/proc/self/exe", core, sizeof(core) - 1);
	if (c < 0)
		return -errno;
	if (c == 0 || c >= (ssize_t)sizeof(core) - 1)
		return -ENAMETOOLONG;
	core[c] = '\0';
	cslash = strrchr(core, '/');
	if (core[0] != '/' || !cslash || cslash - core != slash - front_path ||
	    memcmp(core, front_path, (size_t)(slash - front_path)))
		return -ENOENT;
	*ret = hs_arena_strdup(a, front_path);
	return *ret ? 0 : -ENOMEM;
}

#define REAL_HOST(mac_fn)                                                              \
	{                                                                              \
		.canonicalize = hs_host_canonicalize_real, .file_id = real_file_id,    \
		.ns_inspect = real_ns_inspect, .ns_host = real_ns_host, .mac = mac_fn, \
		.apparmor_profile_loaded = real_apparmor_profile_loaded,               \
		.selinux_context_valid = real_selinux_context_valid,                   \
		.mount_fstype = hs_host_mount_fstype_real,                             \
		.cgroup_in_use = hs_host_cgroup_in_use_real,                           \
		.resolve_in_root = hs_host_resolve_in_root_real,                       \
		.owner_in_root = real_owner_in_root, .self_binary = real_self_binary,  \
		.dir_in_root = hs_host_dir_in_root_real,                               \
		.read_root_file = hs_host_read_root_file_real,                         \
	}

/*
 * `check --target`: the config is judged for a node whose MAC is not this machine's. What is
 * loaded on that node cannot be seen from here, so where this machine cannot answer, the
 * node is assumed to carry what the policy names (the policy's allowlists still decide which
 * profiles and types are acceptable), and an SELinux context is checked for its shape only.
 */
static int target_apparmor_profile_loaded(const struct hs_host *h, const char *profile)
{
	if (real_mac(h) == HS_MAC_APPARMOR)
		return real_apparmor_profile_loaded(h, profile);
	return profile && *profile ? 1 : 0;
}

static int target_selinux_context_valid(const struct hs_host *h, const char *context)
{
	int fields = 1;

	if (real_mac(h) == HS_MAC_SELINUX)
		return real_selinux_context_valid(h, context);
	/* user:role:type[:level], no empty field */
	if (!context || !*context || *context == ':')
		return 0;
	for (const char *c = context; *c; c++) {
		if (*c != ':')
			continue;
		if (c[1] == ':' || c[1] == '\0')
			return 0;
		if (++fields == 4)
			break; /* the level may itself contain ':' (s0:c1,c2) */
	}
	return fields >= 3 ? 1 : 0;
}

#define TARGET_HOST(mac_fn)                                                            \
	{                                                                              \
		.canonicalize = hs_host_canonicalize_real, .file_id = real_file_id,    \
		.ns_inspect = real_ns_inspect, .ns_host = real_ns_host, .mac = mac_fn, \
		.apparmor_profile_loaded = target_apparmor_profile_loaded,             \
		.selinux_context_valid = target_selinux_context_valid,                 \
		.mount_fstype = hs_host_mount_fstype_real,                             \
		.cgroup_in_use = hs_host_cgroup_in_use_real,                           \
		.resolve_in_root = hs_host_resolve_in_root_real,                       \
		.owner_in_root = real_owner_in_root, .self_binary = real_self_binary,  \
		.dir_in_root = hs_host_dir_in_root_real,                               \
		.read_root_file = hs_host_read_root_file_real,                         \
	}

static enum hs_mac mac_none(const struct hs_host *h)
{
	return HS_MAC_NONE;
}
static enum hs_mac mac_apparmor(const struct hs_host *h)
{
	return HS_MAC_APPARMOR;
}
static enum hs_mac mac_selinux(const struct hs_host *h)
{
	return HS_MAC_SELINUX;
}

static const struct hs_host host_real = REAL_HOST(real_mac);
static const struct hs_host host_mac[] = {
	[HS_MAC_NONE] = TARGET_HOST(mac_none),
	[HS_MAC_APPARMOR] = TARGET_HOST(mac_apparmor),
	[HS_MAC_SELINUX] = TARGET_HOST(mac_selinux),
};

const struct hs_host *hs_host_real(void)
{
	return &host_real;
}

const struct hs_host *hs_host_with_mac(enum hs_mac mac)
{
	if ((unsigned)mac >= HS_ARRAY_SIZE(host_mac))
		return &host_real;
	return &host_mac[mac];
}
