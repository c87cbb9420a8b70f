/* SPDX-License-Identifier: Apache-2.0
 * The seam to the machine. Policy controls never touch the host themselves: they ask these
 * questions, so unit tests can answer them with invented hosts (tests/unit/fake-host.c).
 * The real answers live in src/host/. */
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include "hs-util.h"

struct hs_arena;

/* Identity of a filesystem object or namespace. */
struct hs_file_id {
	dev_t dev;
	ino_t ino;
};

/* One component of a canonical host path, as walked from "/". */
struct hs_path_component {
	const char *path; /* canonical path up to and including this component */
	uid_t uid;
	gid_t gid;
	mode_t mode; /* st_mode of the component */
	struct hs_file_id id;
};

struct hs_canonical_path {
	const char *path;                     /* canonical absolute path, no symlinks */
	struct hs_path_component *components; /* "/" first, the object itself last */
	size_t n_components;
	bool exists; /* false: a trailing part does not exist yet */
};

/* What an image's directory holds, before hardshim makes it a tmpfs that starts as a copy of
 * it (tmpcopyup): what the copy costs and whether noexec would stop something it holds. */
struct hs_dir_facts {
	uid_t uid;
	gid_t gid;
	mode_t mode;          /* st_mode of the directory */
	size_t entries;       /* entries below it, counted up to the walk's limit */
	uint64_t bytes;       /* sizes of its regular files */
	bool executable;      /* a regular file below it has an execute bit */
	bool over_limit;      /* the walk stopped at its limit: the counts are short */
	const char **subdirs; /* names of the real directories directly in it (arena) */
	size_t n_subdirs;
};

enum hs_mac {
	HS_MAC_NONE,
	HS_MAC_APPARMOR,
	HS_MAC_SELINUX,
};

struct hs_host {
	/* Canonicalize a host path: resolve every symlink by walking from "/", refusing a
	 * magic link (/proc/<pid>/root, /proc/self/fd/N, ...) and a loop; record owner,
	 * mode and identity of each component. Arena-owned result. */
	int (*canonicalize)(const struct hs_host *h, struct hs_arena *a, const char *path,
			    struct hs_canonical_path *ret, struct hs_error *err);
	/* Identity of a host path (stat, following symlinks); -ENOENT if absent. */
	int (*file_id)(const struct hs_host *h, const char *path, struct hs_file_id *ret);
	/* Open a namespace file: its CLONE_NEW* type (NS_GET_NSTYPE) and identity. */
	int (*ns_inspect)(const struct hs_host *h, const char *path, int *ret_nstype,
			  struct hs_file_id *ret_id, struct hs_error *err);
	/* The host's namespace of this OCI type ("network", "pid", ...) as seen by pid 1
	 * (which = 1) and by hardshim itself (which = 0). */
	int (*ns_host)(const struct hs_host *h, const char *oci_type, int which,
		       struct hs_file_id *ret);
	/* The filesystem type ("proc", "sysfs", "devtmpfs", "ext4", ...) of the mount a canonical
	 * path reaches: the path opened without following a symlink, its mount id (statx
	 * STATX_MNT_ID), that id's line of /proc/self/mountinfo. Never by the path's string.
	 * Rule host.mountinfo (fail closed: no such line, a line not the kernel's, no mount id,
	 * a symlink on the path). Arena-owned. */
	int (*mount_fstype)(const struct hs_host *h, struct hs_arena *a, const char *path,
			    const char **ret_fstype, struct hs_error *err);
	/* Is the cgroup at this clean absolute path (as runc's cgroupfs driver joins it under
	 * every hierarchy in /sys/fs/cgroup) in use: it, or a cgroup below it, holds a process?
	 * 1 yes, 0 no (absent everywhere, or empty), negative on error. */
	int (*cgroup_in_use)(const struct hs_host *h, const char *path, struct hs_error *err);
	/* Where path (a mount destination) lands inside the directory root, resolved as runc
	 * (securejoin) and crun (openat2 RESOLVE_IN_ROOT) resolve it: symlinks followed with
	 * root as "/", ".." stopping at root, a missing component taken as a directory. The result is
	 * a clean absolute path inside the container. May be NULL (not asked). Arena-owned. */
	int (*resolve_in_root)(const struct hs_host *h, struct hs_arena *a, const char *root,
			       const char *path, const char **ret, struct hs_error *err);
	/* Owner of PATH (absolute, inside the container) in the image directory ROOT, resolved
	 * as the runtimes resolve it: symlinks followed but kept inside ROOT, magic links
	 * refused (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), opened O_PATH only.
	 * -ENOENT when absent. May be NULL: no answer. */
	int (*owner_in_root)(const struct hs_host *h, const char *root, const char *path,
			     uid_t *ret_uid, gid_t *ret_gid);
	/* PATH (absolute, inside the container) in the image directory ROOT when it is a real
	 * directory all the way: no component a symlink (openat2 RESOLVE_IN_ROOT |
	 * RESOLVE_NO_SYMLINKS), so where hardshim looked is where the runtime mounts. Its tree is
	 * walked without following links nor crossing into another filesystem, max_depth levels
	 * below it (a directory deeper counts as over_limit; max_depth 0 is a plain listing of
	 * its own entries), up to max_entries entries. -ENOENT absent, -ELOOP a
	 * symlink on the way, -ENOTDIR not a directory. May be NULL: no answer (nothing is made
	 * writable). */
	int (*dir_in_root)(const struct hs_host *h, struct hs_arena *a, const char *root,
			   const char *path, size_t max_entries, unsigned max_depth,
			   struct hs_dir_facts *ret);
	/* The bytes of a file only root can have written (an engine's own records): a regular
	 * file owned by uid 0, not group- or other-writable, on a canonical path no one but root
	 * could swap (hs_canonical_path_replaceable), opened without following a last symlink,
	 * at most max bytes. -EPERM (rule host.untrusted-file) when it is not root's alone,
	 * -ENOENT when absent. NUL-terminated, arena-owned. May be NULL: no answer. */
	int (*read_root_file)(const struct hs_host *h, struct hs_arena *a, const char *path,
			      size_t max, const char **ret, size_t *ret_len, struct hs_error *err);
	/* Which mandatory access control is active. */
	enum hs_mac (*mac)(const struct hs_host *h);
	/* AppArmor: is the profile loaded? 1 yes, 0 no, negative on error. */
	int (*apparmor_profile_loaded)(const struct hs_host *h, const char *profile);
	/* SELinux: is the context valid for the loaded policy? 1 yes, 0 no. */
	int (*selinux_context_valid)(const struct hs_host *h, const char *context);
	/* hardshim's own binary, as the kernel knows it (never argv[0] or PATH): the front's
	 * path (hs_host_set_front), which the hooks hardshim injects name, and the only hook
	 * binary admitted implicitly. -ESTALE when it was replaced while running (the path now
	 * names something else); -ENOENT when the core was not started by its front. */
	int (*self_binary)(const struct hs_host *h, struct hs_arena *a, const char **ret);
	void *data;
};

/* Why a path the host walk resolved could be swapped by someone other than root (a parent
 * owned by another user, or writable by group/others without the sticky bit, or a non-root
 * component in a sticky directory), or NULL. Pure: reads only cp. Arena-owned message. */
const char *hs_canonical_path_replaceable(struct hs_arena *a, const struct hs_canonical_path *cp);

/* user.volume-owner at create (src/host/volume.c): give the directory PATH to uid:gid (neither
 * 0), only when it is, judged on the opened directory, an empty directory owned by root with
 * mode exactly 0777 (what an engine makes for an emptyDir), reached without a symlink, on a
 * canonical path no one but root could swap (hs_canonical_path_replaceable). The directory
 * itself only: nothing below it is touched. 0, or -EPERM (rule user.volume-owner) naming the
 * condition that failed. */
int hs_host_give_volume(const char *path, uid_t uid, gid_t gid, struct hs_error *err);

/*
 * Is id the host's namespace of this OCI type? The one answer for every caller (the
 * namespaces and sysctl controls, the egress join): compared with pid 1's (the host as the
 * machine sees it) and with hardshim's own (what a runtime started by hardshim inherits when
 * the type is missing). Pid 1's may be out of ptrace reach (EACCES, EPERM): a runtime with
 * our credentials cannot open it either, and hardshim's own remains the comparison. Any
 * other failure, ENOENT included (the caller has already seen a namespace of this type, so
 * a missing /proc entry means /proc is not what it should be), is returned: fail closed.
 * Returns 1 (*ret_which, may be NULL: "/proc/1/ns" or "/proc/self/ns"), 0, or a negative code.
 */
int hs_host_ns_is_host(const struct hs_host *h, const char *oci_type, const struct hs_file_id *id,
		       const char **ret_which);

/* The front (src/front/front.c) execs the core with the path of its own executable, as the
 * kernel gave it (/proc/self/exe), in this variable, set by the front over whatever the caller
 * passed; the core (src/front/core.c) takes it out of its environment before anything else and
 * hands it to hs_host_set_front. The real host's self_binary is that path, when it names a
 * file in the core's own directory (/proc/self/exe of the core); else there is none. */
#define HS_FRONT_ENV "HARDSHIM_FRONT"
void hs_host_set_front(const char *path);

/* The real machine. Lazily loads the libraries it needs (libapparmor, libselinux) on first
 * use. */
const struct hs_host *hs_host_real(void);
/* The real host's read_root_file, called without the host's table (which links every question
 * about the machine): the policy cache's read, which the front (src/front/front.c) links. */
int hs_read_root_file(struct hs_arena *a, const char *path, size_t max, const char **ret,
		      size_t *ret_len, struct hs_error *err);
/* The same judgement without the read: the fd (O_RDONLY, O_CLOEXEC) of PATH when it is a file
 * only root can have written, on a canonical path no one but root could swap, the opened
 * object being the one judged (the front execveat()s its core through it); else the negative
 * code and error read_root_file gives. */
int hs_open_root_file(struct hs_arena *a, const char *path, struct hs_error *err);
/* A host whose MAC is forced (check --target), for judging a config as on a node with that
 * MAC. Where this machine's MAC differs, what is loaded on the node cannot be seen: a named
 * AppArmor profile is taken as loaded and an SELinux context is checked for its shape only
 * (the policy's allowlists still decide). Everything else is this machine's. */
const struct hs_host *hs_host_with_mac(enum hs_mac mac);

/* The devices deny (src/host/devcgroup.c): write each of rules ("c 10:200 rwm") to
 * devices.deny of pid's cgroup v1 devices controller, then read devices.list back and fail if
 * any denied access is still granted. 0 done, 1 nothing to do (no v1 devices hierarchy: cgroup
 * v2, where the runtime's eBPF program is the filter), negative with err set under rule, the
 * caller's: devices.runtime-grants from create and hook mode, hook.devices from `hardshim
 * hook devices`. */
int hs_host_devices_deny(pid_t pid, char *const *rules, size_t n, const char *rule,
			 struct hs_error *err);
