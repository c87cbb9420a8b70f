/* SPDX-License-Identifier: Apache-2.0
 * Shared inside src/audit/ only. */
#pragma once

#include <sys/stat.h>

#include "hs-audit.h"

/* "<log>.head": the chain head after the last record, and which file (inode, size) it was
 * written to, so the writer knows whether the log it opens is the one the head describes. */
struct hs_audit_head {
	uint64_t seq;
	char hash[HS_SHA256_HEX_LEN + 1];
	uint64_t ino, size;
};
#define HS_AUDIT_HEAD_SUFFIX ".head"
/* 0 and *h filled, -ENOENT when absent, -EINVAL when unreadable. */
int hs_audit_head_read(int dirfd, const char *name, struct hs_audit_head *h);
/* Split an absolute path into its directory and last component (both malloc'ed). */
int hs_audit_split_path(const char *path, char **ret_dir, char **ret_base);
