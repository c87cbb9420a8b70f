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
/* The seq and hash at the end of one record line (no newline): 0 or -EINVAL. */
int hs_audit_line_tail(const char *line, size_t len, uint64_t *ret_seq,
		       char ret_hash[HS_SHA256_HEX_LEN + 1]);
/* Split an absolute path into its directory and last component (both malloc'ed). */
int hs_audit_split_path(const char *path, char **ret_dir, char **ret_base);
