/* SPDX-License-Identifier: Apache-2.0
 * Between the files of src/host/ only. */
#pragma once

#include "hs-host.h"

int hs_host_canonicalize_real(const struct hs_host *h, struct hs_arena *a, const char *path,
			      struct hs_canonical_path *ret, struct hs_error *err);
/* "network" -> "net", "mount" -> "mnt", ...; NULL for an unknown type. */
const char *hs_host_proc_ns_name(const char *oci_type);

/* PATH opened inside the directory ROOT with openat2(HOW): the image's links read relative to
 * it, as the runtimes read them. An fd, or -errno. */
struct open_how;
int hs_host_openat2_in_root(const char *root, const char *path, const struct open_how *how);

/* mountinfo.c */
int hs_host_mount_fstype_real(const struct hs_host *h, struct hs_arena *a, const char *path,
			      const char **ret, struct hs_error *err);
int hs_host_cgroup_in_use_real(const struct hs_host *h, const char *path, struct hs_error *err);

/* inroot.c */
int hs_host_resolve_in_root_real(const struct hs_host *h, struct hs_arena *a, const char *root,
				 const char *path, const char **ret, struct hs_error *err);

/* imagedir.c */
int hs_host_dir_in_root_real(const struct hs_host *h, struct hs_arena *a, const char *root,
			     const char *path, size_t max_entries, unsigned max_depth,
			     struct hs_dir_facts *ret);

/* rootfile.c */
int hs_host_read_root_file_real(const struct hs_host *h, struct hs_arena *a, const char *path,
				size_t max, const char **ret, size_t *ret_len,
				struct hs_error *err);
