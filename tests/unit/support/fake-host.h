/* SPDX-License-Identifier: Apache-2.0
 * An invented host for unit tests of the policy controls: a table of paths (directories,
 * files, symlinks, magic links, namespace files), the host's namespaces, the MAC state, the
 * loaded AppArmor profiles and the valid SELinux contexts. It answers every question of
 * struct hs_host (include/hs-host.h) the way src/host/ answers them on a real machine.
 *
 * Typical test:
 *   struct hs_fake_host *fh = hs_fake_host_new_default();   // a Debian-like host, see below
 *   hs_fake_host_add_dir(fh, "/srv/data", 1000, 1000, 0755); // owned by a user
 *   hs_fake_host_add_symlink(fh, "/srv/etc-link", "/etc");
 *   ctx.host = hs_fake_host_get(fh);
 *   ...
 *   hs_fake_host_free(fh);
 *
 * Paths are absolute; missing parents of an added entry are created as root-owned 0755
 * directories. Each entry gets a fresh identity (dev 8, a new ino) unless set_id gives it
 * one (use that for aliases: two paths with the same (dev, ino), as a bind mount makes).
 * All memory is owned by the fake host and freed by hs_fake_host_free().
 *
 * canonicalize IS src/host/'s walk (hs_host_walk), fed this table's entries as its steps, and
 * read_root_file judges a file with src/host/rootfile.c's checks. So canonicalize answers 0
 * with exists=false when a trailing part is missing (the rest appended lexically, components[]
 * covering only the existing prefix), or
 *   -EPERM  rule host.magic-link      a magic link on the way (/proc/<pid>/root, fd/N, ns/<t>)
 *   -ELOOP  rule host.symlink-loop    more than 40 symlinks
 *   -ENOTDIR rule host.not-a-directory, -ENOENT rule host.missing ("missing/.."),
 *   -EINVAL rule host.relative-path, -ENAMETOOLONG; any code set by hs_fake_host_fail().
 * file_id and ns_inspect follow ordinary and magic links alike, as open(2) does.
 */
#pragma once

#include "hs-host.h"

struct hs_fake_host;

/* Only "/" (root, 0755). */
struct hs_fake_host *hs_fake_host_new(void);
/*
 * A typical host (root-owned 0755 unless said):
 *   /etc (+ /etc/passwd, /etc/shadow 0640, /etc/kubernetes), /usr/bin, /usr/lib, /bin -> usr/bin,
 *   /sbin -> usr/sbin, /lib -> usr/lib, /lib64 -> usr/lib64, /boot, /root 0700, /home/alice (1000),
 *   /tmp 01777, /var/tmp 01777, /var/log, /var/run -> /run, /run (+ /run/containerd/containerd.sock,
 *   /run/netns/cni-1111 (netns of a pod sandbox), /run/containers/storage),
 *   /var/lib/{docker,containerd,containers/storage,kubelet,etcd}, /srv/data (a plain root-owned
 *   directory safe to bind), /dev (+ /dev/null), /sys/fs/cgroup, /sys/fs/bpf,
 *   /proc (a directory) with /proc/self -> 4000 (hardshim's own pid), /proc/1 and /proc/4000
 *   each with magic links root, cwd, exe, fd/0..3, and ns/<t> for every namespace type,
 *   /proc/4242/ns/<t>: a pod sandbox's namespaces (different from the host's).
 *   Host namespaces (ns_host, which 1 and 0): /proc/1/ns/<t>; hardshim's are the same as pid 1's.
 *   MAC: none. No AppArmor profile, no SELinux context.
 */
struct hs_fake_host *hs_fake_host_new_default(void);
void hs_fake_host_free(struct hs_fake_host *fh);
static inline void hs_fake_host_freep(struct hs_fake_host **fh)
{
	hs_fake_host_free(*fh);
}
#define _cleanup_fake_host_ _cleanup_(hs_fake_host_freep)

/* The struct hs_host to hand to a check (valid until hs_fake_host_free). */
const struct hs_host *hs_fake_host_get(struct hs_fake_host *fh);

/* Entries. An existing entry at path is replaced. Return 0 or -ENOMEM/-EINVAL. */
int hs_fake_host_add_dir(struct hs_fake_host *fh, const char *path, uid_t uid, gid_t gid,
			 mode_t perm);
int hs_fake_host_add_file(struct hs_fake_host *fh, const char *path, uid_t uid, gid_t gid,
			  mode_t perm);
/* A file with contents: read_root_file reads them (judged as src/host/rootfile.c judges a
 * file: root's alone on a path no one else could swap), as hs_fake_host_add_file otherwise. */
int hs_fake_host_add_file_body(struct hs_fake_host *fh, const char *path, uid_t uid, gid_t gid,
			       mode_t perm, const char *body);
/* An ordinary symlink: canonicalize follows it (target relative to the link's directory or absolute). */
int hs_fake_host_add_symlink(struct hs_fake_host *fh, const char *path, const char *target);
/* A magic link (/proc/<pid>/root, /proc/<pid>/fd/N): canonicalize refuses a path through it. */
int hs_fake_host_add_magic(struct hs_fake_host *fh, const char *path);
/* A namespace file of CLONE_NEW* type nstype with identity (dev, ino): ns_inspect answers it.
 * Also a path component (a file) for canonicalize. */
int hs_fake_host_add_ns(struct hs_fake_host *fh, const char *path, int nstype, dev_t dev,
			ino_t ino);
/* Force an entry's identity (aliases, same inode under two names). -ENOENT if absent. */
int hs_fake_host_set_id(struct hs_fake_host *fh, const char *path, dev_t dev, ino_t ino);
/* Identity of an entry (after following no links), for asserting; -ENOENT if absent. */
int hs_fake_host_get_id(struct hs_fake_host *fh, const char *path, struct hs_file_id *ret);

/* The host's namespace of OCI type ("network", "mount", ...) as seen by which = 1 (pid 1) or
 * which = 0 (hardshim). Unset types answer -ENOENT. */
int hs_fake_host_set_host_ns(struct hs_fake_host *fh, const char *oci_type, int which, dev_t dev,
			     ino_t ino);

void hs_fake_host_set_mac(struct hs_fake_host *fh, enum hs_mac mac);
int hs_fake_host_add_apparmor_profile(struct hs_fake_host *fh, const char *profile);
int hs_fake_host_add_selinux_context(struct hs_fake_host *fh, const char *context);

/* Make every later call of one question fail with -err (e.g. -EIO) to test fail-closed paths.
 * op: "canonicalize", "file_id", "ns_inspect", "ns_host", "ns_host_pid1" (only pid 1's, as on
 * a host where pid 1 is not dumpable), "apparmor_profile_loaded",
 * "selinux_context_valid", "read_root_file". err 0 clears it. */
int hs_fake_host_fail(struct hs_fake_host *fh, const char *op, int err);
/* A cgroup that holds processes: cgroup_in_use answers 1 for it and its ancestors. */
int hs_fake_host_add_busy_cgroup(struct hs_fake_host *fh, const char *path);
/* This process's cgroup (default "/"): a relative cgroupsPath is also judged below it. */
/* hardshim's own binary (self_binary): HS_FAKE_HOST_SELF unless set; NULL: unknown. */
#define HS_FAKE_HOST_SELF "/usr/local/bin/hardshim"
int hs_fake_host_set_self_binary(struct hs_fake_host *fh, const char *path);
int hs_fake_host_set_own_cgroup(struct hs_fake_host *fh, const char *path);
/* A mount: target and filesystem type. The default host has / ext4, /proc proc, /sys sysfs,
 * /sys/fs/cgroup cgroup2, /sys/fs/bpf bpf, /dev devtmpfs, /run and /tmp tmpfs. Later mounts
 * stack over earlier ones. op "mount_fstype" for hs_fake_host_fail. */
int hs_fake_host_add_mount(struct hs_fake_host *fh, const char *target, const char *fstype);

/* Map an OCI namespace type to its CLONE_NEW* flag (0 if unknown); shared with tests. */
int hs_fake_host_oci_nstype(const char *oci_type);
