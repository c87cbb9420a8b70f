/* SPDX-License-Identifier: Apache-2.0
 * Between the files of the mounts control only (mounts.c: sources and destinations,
 * mounts-options.c: options, propagation, masked paths, the policy section). */
#pragma once

#include "hs-host.h"
#include "hs-policy.h"
#include "hs-path.h"

struct mounts_cfg {
	const char **sensitive; /* built-in defaults + the policy's sensitive_paths */
	size_t n_sensitive;
	const char **admit; /* anchored patterns (paths.h) admitted beneath sensitive trees */
	size_t n_admit;
	const char **types; /* allowed mount types */
	size_t n_types;
	bool bind_noexec, bind_readonly;
	enum hs_action on_source;      /* refuse | warn: sources, types, system destinations */
	enum hs_action on_destination; /* lexical normalization */
	enum hs_action on_options;     /* nosuid,nodev (noexec, ro) on binds */
	enum hs_action on_propagation; /* shared / rshared */
	enum hs_action on_kernel_fs;   /* sysfs, cgroup read-only */
	enum hs_action on_masked;      /* maskedPaths / readonlyPaths defaults */
};

struct sensitive;
struct mounts_state {
	struct sensitive *sensitive; /* prepared on the first bind mount */
	struct hs_path_vars vars;
	/* the container's root filesystem on the host, canonical; rootfs_known: 1 resolved,
	 * 0 not looked at yet, -1 cannot be known (relative root.path and no bundle) */
	struct hs_canonical_path rootfs;
	int rootfs_known;
};

/* mounts-allowlist.c: one mount option runc or crun acts on. types: a mask of the mount types
 * it is admitted on (0: refused everywhere); what: what the runtimes do with it. */
struct hs_mount_option {
	const char *name; /* ends in '=' when it takes a value */
	unsigned types;
	const char *what;
};
const struct hs_mount_option *hs_mount_option_find(const char *opt);
bool hs_mount_option_admitted(const struct hs_mount_option *o, const char *type);
const struct hs_mount_option *hs_mount_options_table(size_t *ret_n);
const char *hs_mount_option_types(struct hs_arena *a, const struct hs_mount_option *o);

bool hs_mount_has_option(const struct hs_json *opts, const char *o);
int hs_mounts_check_one(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			struct mounts_state *st, struct hs_json *m, size_t index);
int hs_mounts_check_options(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			    struct hs_json *m, const char *mpath, const char *type, bool bind);

extern const struct hs_control hs_control_mounts;
int hs_mounts_check_config(struct hs_check_ctx *ctx, const void *cfg);
