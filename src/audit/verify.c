/* SPDX-License-Identifier: Apache-2.0
 * Checking the chain. Each line must be a whole record (newline-terminated), hash to its own
 * "hash", be well-formed JSON, carry seq = previous seq + 1 and prev = previous hash; the
 * first line of every file carries file_start (so dropping a file's first record shows),
 * and the head file beside the live log must agree with its last record (so dropping the
 * last ones shows). Editing, deleting, reordering or truncating mid-line all break one of
 * these at the first record touched. */
#include <fcntl.h>
#include <string.h>

#include "internal.h"

#define SUFFIX_LEN (sizeof(",\"hash\":\"") - 1 + HS_SHA256_HEX_LEN + 2)

static int broken(struct hs_verify_result *res, const char *name, size_t line, const char *fmt, ...)
    HS_PRINTF(4, 5);
static int broken(struct hs_verify_result *res, const char *name, size_t line, const char *fmt, ...)
{
	va_list ap;

	snprintf(res->file, sizeof(res->file), "%s", name);
	res->line = line;
	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
	return 1;
}

static int check_line(const char *name, const char *line, size_t len, size_t lineno,
		      struct hs_verify_result *res, struct hs_error *err)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	_cleanup_arena_ struct hs_arena *arena = hs_arena_new();
	struct hs_error perr = HS_ERROR_INIT;
	char hash[HS_SHA256_HEX_LEN + 1], actual[HS_SHA256_HEX_LEN + 1];
	const struct hs_json *b;
	struct hs_json *root;
	const char *prev;
	uint64_t seq, jseq;
	uint8_t digest[32];
	bool file_start;
	int r;

	if (!arena)
		return -ENOMEM;
	if (len == 0)
		return broken(res, name, lineno, "empty line");
	if (hs_audit_line_tail(line, len, &seq, hash) < 0)
		return broken(res, name, lineno,
			      "not a whole hardshim record (damaged, or truncated mid-line)");
	r = hs_sha256(line, len - SUFFIX_LEN, digest, err);
	if (r < 0)
		return r;
	hs_hex(digest, sizeof(digest), actual);
	if (strcmp(actual, hash))
		return broken(res, name, lineno,
			      "record seq %llu does not match its hash: it was edited",
			      (unsigned long long)seq);
	r = hs_json_parse(arena, line, len, &limits, &root, &perr);
	if (r < 0)
		return broken(res, name, lineno, "record seq %llu is not well-formed JSON: %s",
			      (unsigned long long)seq, perr.msg);
	prev = hs_json_get_string(root, "prev");
	if (!hs_json_is(root, HS_JSON_OBJECT) || !prev || strlen(prev) != HS_SHA256_HEX_LEN ||
	    hs_json_get_u64(hs_json_get(root, "seq"), UINT64_MAX, &jseq) < 0 || jseq != seq)
		return broken(res, name, lineno, "record seq %llu lacks a valid seq or prev",
			      (unsigned long long)seq);
	b = hs_json_get_type(root, "file_start", HS_JSON_BOOL);
	file_start = b && b->u.boolean;

	if (lineno == 1 && !file_start)
		return broken(res, name, lineno,
			      "seq %llu is not the first record written to this file: the records "
			      "before it were deleted",
			      (unsigned long long)seq);
	if (lineno > 1 && file_start)
		return broken(res, name, lineno,
			      "seq %llu starts a file in the middle of one: files were spliced",
			      (unsigned long long)seq);
	if (res->last_seq == 0) {
		/* The start of what we were given: seq 1 starts the chain; a later seq continues
		 * a rotated file not given, whose hash we take as stated. */
		if (seq == 1 && strcmp(prev, HS_AUDIT_ZERO_HASH))
			return broken(res, name, lineno, "seq 1 must have the zero prev hash");
	} else {
		if (seq != res->last_seq + 1)
			return broken(res, name, lineno,
				      "seq %llu follows seq %llu: records were deleted or "
				      "reordered",
				      (unsigned long long)seq, (unsigned long long)res->last_seq);
		if (strcmp(prev, res->last_hash))
			return broken(res, name, lineno,
				      "seq %llu does not chain to the record before it (prev "
				      "%.12s..., "
				      "expected %.12s...)",
				      (unsigned long long)seq, prev, res->last_hash);
	}
	res->last_seq = seq;
	memcpy(res->last_hash, hash, sizeof(hash));
	res->records++;
	return 0;
}

int hs_audit_verify_buf(const char *name, const char *buf, size_t len, struct hs_verify_result *res,
			struct hs_error *err)
{
	size_t pos = 0, lineno = res->lines_before;

	res->lines_before = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		int r;

		lineno++;
		if (!nl)
			return broken(res, name, lineno,
				      "the last line has no newline: the file was truncated "
				      "mid-line "
				      "(or a write was torn)");
		r = check_line(name, buf + pos, (size_t)(nl - (buf + pos)), lineno, res, err);
		if (r != 0)
			return r;
		pos = (size_t)(nl - buf) + 1;
	}
	return 0;
}

int hs_audit_verify_head(const char *log_path, bool no_head, struct hs_verify_result *res,
			 struct hs_error *err)
{
	_cleanup_free_ char *dir = NULL, *base = NULL;
	_cleanup_close_ int dirfd = -1;
	struct hs_audit_head head = { 0 };
	struct stat st;
	bool same_file;
	int r;

	r = hs_audit_split_path(log_path, &dir, &base);
	if (r < 0)
		return hs_error_set(err, r, "audit.verify", log_path, -1, "bad log path");
	/* The live log may be absent: logrotate (nocreate) left it to the next launch. */
	if (stat(log_path, &st) < 0) {
		if (errno != ENOENT)
			return hs_error_set(err, -errno, "audit.verify", log_path, -1, "%s",
					    strerror(errno));
		st = (struct stat){ 0 };
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = dirfd < 0 ? -errno : hs_audit_head_read(dirfd, base, &head);
	/* No head and nothing written: a node with no launch yet. */
	if (r == -ENOENT && (no_head || (st.st_size == 0 && res->records == 0)))
		return 0;
	/* Deleting the head is how an intruder would hide records cut off the end. */
	if (r == -ENOENT)
		return broken(res, log_path, 0,
			      "the head file %s" HS_AUDIT_HEAD_SUFFIX " is missing, so records cut "
			      "off the end cannot be seen (--no-head for a log that has none: a "
			      "copy, a rotated file)",
			      log_path);
	if (r < 0)
		return broken(res, log_path, 0,
			      "the head file %s" HS_AUDIT_HEAD_SUFFIX " is unreadable", log_path);
	same_file = head.ino == (uint64_t)st.st_ino;
	if (same_file && head.size > (uint64_t)st.st_size)
		return broken(res, log_path, 0,
			      "the head file says the log is %llu bytes long, it is %lld: records "
			      "were removed from the end",
			      (unsigned long long)head.size, (long long)st.st_size);
	/* Nothing given holds records: a fresh live log after a rotation (the chain's end is
	 * in the rotated file, not given). */
	if (res->records == 0)
		return 0;
	/* A head behind the log: a crash between the record (fsync'ed) and the head (not). */
	if (head.seq < res->last_seq)
		return 0;
	if (head.seq > res->last_seq)
		return broken(res, log_path, 0,
			      "the log ends at seq %llu but its head file says the last record is "
			      "seq %llu: records were removed from the end",
			      (unsigned long long)res->last_seq, (unsigned long long)head.seq);
	if (strcmp(head.hash, res->last_hash))
		return broken(res, log_path, 0,
			      "the last record (seq %llu) is not the one the head file names: it "
			      "was replaced",
			      (unsigned long long)res->last_seq);
	return 0;
}
