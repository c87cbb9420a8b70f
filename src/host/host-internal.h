/* SPDX-License-Identifier: Apache-2.0
 * Between the files of src/host/ only. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "hs-host.h"

int hs_host_canonicalize_real(const struct hs_host *h, struct hs_arena *a, const char *path,
			      struct hs_canonical_path *ret, struct hs_error *err);

/* The primitive steps of the canonical walk (canonicalize.c). The real host gives system calls
 * on O_PATH fds; the unit tests' fake host (tests/unit/support/fake-host.c) gives its invented
 * tree, so both answer with the one walk. A node is the ops' handle of an object (an fd, an
 * entry); each one open_root or open_at returns is handed back to release exactly once. */
struct hs_walk_ops {
	/* "/": 0 with its node and facts (all of *ret but .path), or -errno. */
	int (*open_root)(void *data, intptr_t *ret_node, struct hs_path_component *ret);
	/* NAME (one component) in the directory DIR, a last symlink not followed: 0 with its node
	 * and facts, -ENOENT when absent, or -errno. */
	int (*open_at)(void *data, intptr_t dir, const char *name, intptr_t *ret_node,
		       struct hs_path_component *ret);
	/* The target of the symlink NODE found in DIR, NUL-terminated in buf (size bytes): its
	 * length, or -errno. *ret_magic: a magic link (procfs), which the walk never follows. */
	ssize_t (*read_link)(void *data, intptr_t dir, intptr_t node, char *buf, size_t size,
			     bool *ret_magic);
	void (*release)(void *data, intptr_t node);
};

/* Canonicalize PATH with these steps: hs_host->canonicalize's contract (include/hs-host.h),
 * rules host.relative-path, host.path-too-long, host.missing, host.not-a-directory,
 * host.magic-link, host.symlink-loop, host.canonicalize. Arena-owned result. */
int hs_host_walk(const struct hs_walk_ops *ops, void *data, struct hs_arena *a, const char *path,
		 struct hs_canonical_path *ret, struct hs_error *err);
/* "network" -> "net", "mount" -> "mnt", ...; NULL for an unknown type. */
const char *hs_host_proc_ns_name(const char *oci_type);

/* PATH opened inside the directory ROOT with openat2(HOW): the image's links read relative to
 * it, as the runtimes read them. An fd, or -errno. ROOT itself is opened by name once for all
 * the looks into it (the last ROOT is kept open, close-on-exec: host.c). */
struct open_how;
int hs_host_openat2_in_root(const char *root, const char *path, const struct open_how *how);

/* mountinfo.c */
int hs_host_mount_fstype_real(const struct hs_host *h, struct hs_arena *a, const char *path,
			      const char **ret, struct hs_error *err);
/* One line of /proc/self/mountinfo (LEN bytes, no newline), judged strictly as the kernel writes
 * it (proc(5), fs/proc_namespace.c show_mountinfo): its mount id, and its filesystem type
 * unescaped into fstype (size bytes, NUL-terminated). 0, or -EINVAL with *ret_why naming what
 * is wrong (a static string). */
int hs_mountinfo_parse_line(const char *line, size_t len, uint64_t *ret_id, char *fstype,
			    size_t size, const char **ret_why);
/* The filesystem type of mount ID from a mountinfo stream read from fd, into fstype: 0;
 * -ENOENT when no line has that id; -EINVAL when its line is not the kernel's or cut short;
 * -E2BIG when it is longer than HS_MOUNTINFO_BUF (another mount's longer line is skipped);
 * rule host.mountinfo. Stops reading at the mount's line. */
#define HS_MOUNTINFO_BUF 16384
int hs_mountinfo_find(int fd, uint64_t id, char *fstype, size_t size, struct hs_error *err);

/* cgroup.c */
int hs_host_cgroup_in_use_real(const struct hs_host *h, const char *path, struct hs_error *err);

/* inroot.c */
int hs_host_resolve_in_root_real(const struct hs_host *h, struct hs_arena *a, const char *root,
				 const char *path, const char **ret, struct hs_error *err);

/* imagedir.c */
int hs_host_dir_in_root_real(const struct hs_host *h, struct hs_arena *a, const char *root,
			     const char *path, size_t max_entries, unsigned max_depth,
			     struct hs_dir_facts *ret);

/* rootfile.c */
/* The checks on a file only root can have written that need no open file (read_root_file's
 * contract, include/hs-host.h): CP (PATH canonicalized) exists, no one but root could swap a
 * directory on its way, and its last component is a regular file owned by root, not group- or
 * other-writable. 0, -ENOENT (host.missing) or -EPERM (host.untrusted-file). The fake host
 * of the unit tests judges its files with it too. */
int hs_host_root_file_judge(struct hs_arena *a, const char *path,
			    const struct hs_canonical_path *cp, struct hs_error *err);
int hs_host_read_root_file_real(const struct hs_host *h, struct hs_arena *a, const char *path,
				size_t max, const char **ret, size_t *ret_len,
				struct hs_error *err);
