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

/* Records sealed with more keys than this are not believed (and not computed). */
#define SEAL_N_MAX 100000000ULL

/* key_n from the verification key: n evolutions of key_0. */
static int key_at(const uint8_t seed[32], uint64_t n, uint8_t out[32], struct hs_error *err)
{
	memcpy(out, seed, 32);
	for (uint64_t i = 0; i < n; i++) {
		int r = hs_seal_evolve(out, err);

		if (r < 0)
			return r;
	}
	return 0;
}

/* With the verification key: once sealing has begun, every record carries a seal with the
 * next key's number and a mac that key computes. Without key_0 nobody can make one for a key
 * the node has already erased. */
static int check_seal(const char *name, const char *line, size_t len, size_t lineno, uint64_t seq,
		      struct hs_verify_result *res, struct hs_error *err)
{
	char mac[HS_SHA256_HEX_LEN + 1], want[HS_SHA256_HEX_LEN + 1];
	uint8_t d[32];
	size_t prefix;
	uint64_t n;
	int r = hs_audit_line_seal(line, len, &n, mac, &prefix);

	if (r == -EINVAL)
		return broken(res, name, lineno, "seq %llu has a malformed seal",
			      (unsigned long long)seq);
	if (r == -ENOENT && res->sealing)
		return broken(res, name, lineno,
			      "seq %llu has no seal, yet the records before it are sealed: it was "
			      "written by someone without the sealing key",
			      (unsigned long long)seq);
	if (r == -ENOENT)
		return 0; /* before sealing began */
	if (n > SEAL_N_MAX)
		return broken(res, name, lineno, "seq %llu claims sealing key %llu",
			      (unsigned long long)seq, (unsigned long long)n);
	if (!res->sealing) {
		/* Sealing starts at key 1 (key 0 is the verification key), unless this is the
		 * first record given (a rotated file before it was not given). */
		if (n != 1 && res->records > 0)
			return broken(res, name, lineno,
				      "seq %llu is sealed with key %llu after unsealed records: "
				      "the "
				      "records sealed before it were replaced",
				      (unsigned long long)seq, (unsigned long long)n);
		r = key_at(res->seal_seed, n, res->seal_key, err);
		if (r < 0)
			return r;
		res->sealing = true;
		res->seal_n = n;
	}
	if (n != res->seal_n)
		return broken(res, name, lineno,
			      "seq %llu is sealed with key %llu where key %llu comes next: sealed "
			      "records were removed or reordered",
			      (unsigned long long)seq, (unsigned long long)n,
			      (unsigned long long)res->seal_n);
	r = hs_hmac_sha256(res->seal_key, line, prefix, d, err);
	if (r < 0)
		return r;
	hs_hex(d, sizeof(d), want);
	if (strcmp(want, mac))
		return broken(res, name, lineno,
			      "seq %llu's seal does not verify with key %llu: the record was "
			      "rewritten after its key was erased (or the verification key is not "
			      "this log's)",
			      (unsigned long long)seq, (unsigned long long)n);
	r = hs_seal_evolve(res->seal_key, err);
	if (r < 0)
		return r;
	res->seal_n++;
	return 0;
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
	if (res->keyed) {
		r = check_seal(name, line, len, lineno, seq, res, err);
		if (r != 0)
			return r;
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

int hs_audit_verify_seal_state(const char *log_path, struct hs_verify_result *res,
			       struct hs_error *err)
{
	struct hs_seal_state st;
	uint8_t key[32];
	int r = hs_seal_state_read(log_path, &st);

	if (r == -ENOENT)
		return broken(res, log_path, 0,
			      "the sealing state %s" HS_SEAL_SUFFIX " is missing: sealing was "
			      "switched off or the state deleted",
			      log_path);
	if (r < 0)
		return broken(res, log_path, 0,
			      "the sealing state %s" HS_SEAL_SUFFIX " is unreadable", log_path);
	if (st.n > SEAL_N_MAX)
		return broken(res, log_path, 0, "the sealing state claims key %llu",
			      (unsigned long long)st.n);
	r = key_at(res->seal_seed, st.n, key, err);
	if (r < 0)
		return r;
	r = memcmp(key, st.key, sizeof(key));
	explicit_bzero(key, sizeof(key));
	explicit_bzero(&st.key, sizeof(st.key));
	if (r)
		return broken(res, log_path, 0,
			      "the sealing state does not hold key %llu of this verification key: "
			      "it "
			      "was replaced",
			      (unsigned long long)st.n);
	if (!res->sealing && st.n > 1)
		return broken(res, log_path, 0,
			      "no record is sealed, yet the sealing key moved on to %llu: the "
			      "sealed "
			      "records were removed",
			      (unsigned long long)st.n);
	if (res->sealing && st.n > res->seal_n)
		return broken(res, log_path, 0,
			      "the sealing key is at %llu, the last sealed record used %llu: "
			      "records "
			      "sealed with keys %llu..%llu were cut off the end",
			      (unsigned long long)st.n, (unsigned long long)(res->seal_n - 1),
			      (unsigned long long)res->seal_n, (unsigned long long)(st.n - 1));
	/* One behind: a crash after the last record, before its key was erased. */
	if (res->sealing && st.n + 1 < res->seal_n)
		return broken(res, log_path, 0,
			      "the sealing state (key %llu) is behind the log (key %llu used)",
			      (unsigned long long)st.n, (unsigned long long)(res->seal_n - 1));
	return 0;
}
