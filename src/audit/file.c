/* SPDX-License-Identifier: Apache-2.0
 * The durable file record. Before the runtime may start, the record is on disk: appended
 * under an exclusive flock on the log directory (so concurrent launches never interleave and
 * the chain has one order), fsync'ed, and — when the file or directory was just created —
 * the directory fsync'ed too. A failed write is rolled back (ftruncate to the old size) so a
 * full disk never leaves half a line or damages what was there. */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "internal.h"

#define TAIL_MAX (1u << 20) /* a record is capped far below this (record.c) */

int hs_audit_split_path(const char *path, char **ret_dir, char **ret_base)
{
	const char *slash = strrchr(path, '/');
	char *dir, *base;

	if (!slash || !slash[1])
		return -EINVAL;
	dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	base = strdup(slash + 1);
	if (!dir || !base) {
		free(dir);
		free(base);
		return -ENOMEM;
	}
	*ret_dir = dir;
	*ret_base = base;
	return 0;
}

static bool is_hex64(const char *s)
{
	for (size_t i = 0; i < HS_SHA256_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int hs_audit_head_read(int dirfd, const char *name, struct hs_audit_head *h)
{
	char path[512], buf[256];
	_cleanup_close_ int fd = -1;
	unsigned long long seq, ino, size;
	char hash[HS_SHA256_HEX_LEN + 2];
	ssize_t n;

	snprintf(path, sizeof(path), "%s" HS_AUDIT_HEAD_SUFFIX, name);
	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	if (sscanf(buf, "hardshim-head 1 %llu %65s %llu %llu", &seq, hash, &ino, &size) != 4 ||
	    strlen(hash) != HS_SHA256_HEX_LEN || !is_hex64(hash))
		return -EINVAL;
	h->seq = seq;
	memcpy(h->hash, hash, sizeof(h->hash));
	h->ino = ino;
	h->size = size;
	return 0;
}

/* The line ends with the fixed suffix ,"hash":"<64 hex>"} and starts {"v":1,"seq":N, */
int hs_audit_line_tail(const char *line, size_t len, uint64_t *ret_seq,
		       char ret_hash[HS_SHA256_HEX_LEN + 1])
{
	static const char prefix[] = "{\"v\":1,\"seq\":", suffix[] = ",\"hash\":\"";
	const size_t tail = sizeof(suffix) - 1 + HS_SHA256_HEX_LEN + 2;
	const char *h;
	char *end;
	unsigned long long seq;

	if (len < sizeof(prefix) - 1 + tail || memcmp(line, prefix, sizeof(prefix) - 1))
		return -EINVAL;
	h = line + len - tail;
	if (memcmp(h, suffix, sizeof(suffix) - 1) || memcmp(line + len - 2, "\"}", 2) ||
	    !is_hex64(h + sizeof(suffix) - 1))
		return -EINVAL;
	if (line[sizeof(prefix) - 1] < '1' || line[sizeof(prefix) - 1] > '9')
		return -EINVAL;
	errno = 0;
	seq = strtoull(line + sizeof(prefix) - 1, &end, 10);
	if (errno || *end != ',')
		return -EINVAL;
	*ret_seq = seq;
	memcpy(ret_hash, h + sizeof(suffix) - 1, HS_SHA256_HEX_LEN);
	ret_hash[HS_SHA256_HEX_LEN] = '\0';
	return 0;
}

/* The seq and hash of the last whole record among the size bytes of fd: its end is the last
 * newline; anything after it is a torn fragment. The window starts at 8 KiB (a create's
 * record is ~5 KiB) and doubles until it holds the record: every create reads it, and each
 * page of a larger buffer is a fault and a copy (64 KiB cost ~0.2 ms of CPU on the build
 * machine, 2026-12-05). */
static int read_last_record(int fd, off_t size, uint64_t *ret_seq, char *ret_hash)
{
	_cleanup_free_ char *buf = NULL;
	size_t want = 8192;

	for (;;) {
		size_t n = (off_t)want > size ? (size_t)size : want;
		char *nbuf = realloc(buf, n + 1), *end, *start;
		ssize_t got;

		if (!nbuf)
			return -ENOMEM;
		buf = nbuf;
		got = pread(fd, buf, n, size - (off_t)n);
		if (got != (ssize_t)n)
			return got < 0 ? -errno : -EIO;
		buf[n] = '\0';
		end = memrchr(buf, '\n', n);
		if (!end)
			goto grow;
		start = memrchr(buf, '\n', (size_t)(end - buf));
		if (start)
			return hs_audit_line_tail(start + 1, (size_t)(end - start - 1), ret_seq,
						  ret_hash);
		if ((off_t)n == size)
			return hs_audit_line_tail(buf, (size_t)(end - buf), ret_seq, ret_hash);
grow:
		if ((off_t)n == size || want >= TAIL_MAX)
			return -EINVAL;
		want *= 2;
	}
}

static int make_dirs(const char *dir, bool *created)
{
	_cleanup_free_ char *copy = strdup(dir);
	char *p;

	if (!copy)
		return -ENOMEM;
	/* Parents as any directory; the log's own directory private (0700). */
	for (p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(copy, 0700) < 0) {
		if (errno != EEXIST)
			return -errno;
	} else {
		*created = true;
	}
	return 0;
}

static int fsync_parent(const char *dir)
{
	_cleanup_free_ char *parent = NULL, *base = NULL;
	_cleanup_close_ int fd = -1;

	if (hs_audit_split_path(dir, &parent, &base) < 0)
		return 0;
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

static int write_head(int dirfd, const char *name, uint64_t seq, const char *hash,
		      const struct stat *st, off_t size)
{
	char path[512], buf[256];
	_cleanup_close_ int fd = -1;
	int n;

	snprintf(path, sizeof(path), "%s" HS_AUDIT_HEAD_SUFFIX, name);
	fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "hardshim-head 1 %llu %s %llu %llu\n",
		     (unsigned long long)seq, hash, (unsigned long long)st->st_ino,
		     (unsigned long long)size);
	/* Same length every time but for the numbers: write, then cut what a longer old
	 * content left. The head is a hint the writer verifies against the log; it need not be
	 * durable per record (see hs_audit_append). */
	if (pwrite(fd, buf, (size_t)n, 0) != n || ftruncate(fd, n) < 0)
		return -errno;
	return 0;
}

/* The live log, opened and locked: one writer (or reanchor) at a time. The lock is on the
 * directory, which rotation never renames, so a writer and a rotation agree on which file is
 * the live one. */
struct live_log {
	char *dir, *base;
	int dirfd, fd;
	struct stat st;
	bool dir_created, file_created;
};

static void live_log_close(struct live_log *lg)
{
	free(lg->dir);
	free(lg->base);
	if (lg->fd >= 0)
		close(lg->fd);
	if (lg->dirfd >= 0)
		close(lg->dirfd); /* drops the lock */
}

#define fail(r, ...) hs_error_set(err, (r), "audit.write", cfg->path, -1, __VA_ARGS__)

static int live_log_open(const struct hs_audit_cfg *cfg, struct live_log *lg, struct hs_error *err)
{
	int r;

	*lg = (struct live_log){ .dirfd = -1, .fd = -1 };
	r = hs_audit_split_path(cfg->path, &lg->dir, &lg->base);
	if (r < 0)
		return fail(r, "bad log path");
	lg->dirfd = open(lg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lg->dirfd < 0 && errno == ENOENT) {
		/* the first record in this directory */
		r = make_dirs(lg->dir, &lg->dir_created);
		if (r < 0)
			return fail(r, "cannot create the log directory %s: %s", lg->dir,
				    hs_strerror(r));
		lg->dirfd = open(lg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (lg->dirfd < 0)
		return fail(-errno, "cannot open the log directory %s: %s", lg->dir,
			    strerror(errno));
	if (flock(lg->dirfd, LOCK_EX) < 0)
		return fail(-errno, "cannot lock %s: %s", lg->dir, strerror(errno));
	lg->fd = openat(lg->dirfd, lg->base, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (lg->fd < 0 && errno == ENOENT) {
		lg->fd =
		    openat(lg->dirfd, lg->base,
			   O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		lg->file_created = lg->fd >= 0;
	}
	if (lg->fd < 0)
		return fail(-errno, "cannot open the launch log: %s", strerror(errno));
	if (fstat(lg->fd, &lg->st) < 0)
		return fail(-errno, "fstat: %s", strerror(errno));
	if (!S_ISREG(lg->st.st_mode))
		return fail(-EINVAL, "the launch log is not a regular file");
	if (lg->file_created && fchmod(lg->fd, 0600) < 0)
		return fail(-errno, "fchmod: %s", strerror(errno));
	return 0;
}

#undef fail
#define diverged(...)                                           \
	hs_error_set(err, -EBADMSG, "audit.diverged", path, -1, \
		     "the launch log and its head file disagree: " __VA_ARGS__)

/* The bytes [base, size) of the log must be whole records that continue the chain from the
 * head (a crash between a record and its head update leaves the head behind). A fragment
 * after the last newline is a record torn by a crash: it never finished, so no runtime ran
 * for it; it is cut. */
static int continue_from_head(const char *path, struct live_log *lg, const struct hs_audit_head *h,
			      off_t base, uint64_t *seq, char *prev, off_t *ret_size,
			      struct hs_error *err)
{
	struct hs_verify_result res = { .last_seq = h->seq, .lines_before = base > 0 };
	_cleanup_free_ char *buf = NULL;
	size_t len = (size_t)(lg->st.st_size - base), whole;
	const char *nl;
	int r;

	if (len > (size_t)TAIL_MAX * 64)
		return diverged("%zu bytes follow the record the head names", len);
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	if (pread(lg->fd, buf, len, base) != (ssize_t)len)
		return hs_error_set(err, -EIO, "audit.write", path, -1, "cannot read the log");
	nl = memrchr(buf, '\n', len);
	whole = nl ? (size_t)(nl - buf) + 1 : 0;
	memcpy(res.last_hash, h->hash, sizeof(res.last_hash));
	r = hs_audit_verify_buf(path, buf, whole, &res, err);
	if (r < 0)
		return r;
	if (r > 0)
		return diverged("after the head's seq %llu (byte %lld): %s",
				(unsigned long long)h->seq, (long long)base, res.why);
	if (whole < len && ftruncate(lg->fd, base + (off_t)whole) < 0)
		return hs_error_set(err, -errno, "audit.write", path, -1,
				    "cannot cut a torn record: %s", strerror(errno));
	*seq = res.last_seq;
	memcpy(prev, res.last_hash, HS_SHA256_HEX_LEN + 1);
	*ret_size = base + (off_t)whole;
	return 0;
}

/* Where the chain stands, from the head file — which must describe this log. A head that is
 * missing, unreadable, ahead of the log or naming another last record means records were
 * cut from the end or the log was replaced: an alarm, never healed by chaining on from
 * whatever is left (an operator accepts the log as it is with `hardshim log reanchor`). */
static int chain_position(const char *path, struct live_log *lg, uint64_t *seq, char *prev,
			  off_t *ret_size, struct hs_error *err)
{
	struct hs_audit_head h;
	bool same_file;
	uint64_t lseq = 0;
	char lhash[HS_SHA256_HEX_LEN + 1] = "";
	int r = hs_audit_head_read(lg->dirfd, lg->base, &h);

	*ret_size = lg->st.st_size;
	if (r == -ENOENT && lg->st.st_size == 0)
		return 0; /* the first record ever */
	if (r == -ENOENT)
		return diverged("the head file %s" HS_AUDIT_HEAD_SUFFIX " is missing", path);
	if (r < 0)
		return diverged("the head file %s" HS_AUDIT_HEAD_SUFFIX " is unreadable", path);
	same_file = h.ino == (uint64_t)lg->st.st_ino;
	if (same_file && h.size > (uint64_t)lg->st.st_size)
		return diverged("the head says the log is %llu bytes long, it is %lld: records "
				"were removed from the end",
				(unsigned long long)h.size, (long long)lg->st.st_size);
	if (same_file && h.size == (uint64_t)lg->st.st_size) {
		if (h.size == 0)
			goto from_head;
		if (read_last_record(lg->fd, lg->st.st_size, &lseq, lhash) < 0 || lseq != h.seq ||
		    strcmp(lhash, h.hash))
			return diverged("the last record is not seq %llu %.12s... that the head "
					"names: it was replaced",
					(unsigned long long)h.seq, h.hash);
		goto from_head;
	}
	if (!same_file && lg->st.st_size == 0)
		goto from_head; /* a fresh file after a rotation */
	/* The log grew after the head was written (a crash in between), or a rotation's first
	 * record's head update was lost: what follows must chain on from the head. */
	return continue_from_head(path, lg, &h, same_file ? (off_t)h.size : 0, seq, prev, ret_size,
				  err);
from_head:
	*seq = h.seq;
	memcpy(prev, h.hash, HS_SHA256_HEX_LEN + 1);
	return 0;
}

#undef diverged
#define fail(r, ...) hs_error_set(err, (r), "audit.write", cfg->path, -1, __VA_ARGS__)

/* The sealing key's file, rewritten in place (same length every time) and fsync'ed: the old
 * key is overwritten, not left in a renamed-away file. */
static int seal_state_write(const char *log_path, const struct hs_seal_state *st, bool create,
			    bool sync)
{
	char path[600], line[200], hex[HS_SHA256_HEX_LEN + 1];
	_cleanup_close_ int fd = -1;
	int n;

	snprintf(path, sizeof(path), "%s" HS_SEAL_SUFFIX, log_path);
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0600);
	if (fd < 0)
		return -errno;
	hs_hex(st->key, sizeof(st->key), hex);
	n = snprintf(line, sizeof(line), "hardshim-seal 1 %020llu %020llu %s\n",
		     (unsigned long long)st->n, (unsigned long long)st->sealed_upto, hex);
	explicit_bzero(hex, sizeof(hex));
	if (pwrite(fd, line, (size_t)n, 0) != n) {
		explicit_bzero(line, sizeof(line));
		return -EIO;
	}
	explicit_bzero(line, sizeof(line));
	if (sync && fsync(fd) < 0)
		return -errno;
	return 0;
}

/* The key for the record after seq, when the log is sealed: 1 and *ss; 0 when not sealed. A
 * state behind the chain (a crash after a record, before the key moved on) moves on first: a
 * key is never used twice. */
static int seal_key_for(const struct hs_audit_cfg *cfg, uint64_t seq, struct hs_seal_state *ss,
			struct hs_error *err)
{
	int r = hs_seal_state_read(cfg->path, ss);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return hs_error_set(err, -EBADMSG, "audit.diverged", cfg->path, -1,
				    "the sealing state %s" HS_SEAL_SUFFIX " is unreadable",
				    cfg->path);
	while (ss->sealed_upto < seq) {
		r = hs_seal_evolve(ss->key, err);
		if (r < 0)
			return r;
		ss->n++;
		ss->sealed_upto++;
	}
	return 1;
}

/* Seal body as record seq+1 after prev, append it at size, make it durable, move the head. */
static int write_record(const struct hs_audit_cfg *cfg, struct live_log *lg, const char *body,
			size_t body_len, uint64_t seq, const char *prev, off_t size,
			char ret_hash[HS_SHA256_HEX_LEN + 1], struct hs_error *err)
{
	struct hs_abuf line = { 0 };
	struct hs_seal_state ss = { 0 };
	char hash[HS_SHA256_HEX_LEN + 1];
	int r, sealed;

	sealed = seal_key_for(cfg, seq, &ss, err);
	if (sealed < 0)
		return sealed;
	r = hs_audit_seal(body, body_len, seq + 1, prev, size == 0, sealed ? &ss : NULL, &line,
			  hash, err);
	if (r < 0) {
		hs_abuf_free(&line);
		explicit_bzero(&ss, sizeof(ss));
		return fail(r, "cannot seal the record: %s", hs_strerror(r));
	}
	r = hs_write_all(lg->fd, line.buf, line.len);
	if (r == 0 && cfg->fsync && fsync(lg->fd) < 0)
		r = -errno;
	if (r == 0 && cfg->fsync && (lg->file_created || lg->dir_created) && fsync(lg->dirfd) < 0)
		r = -errno;
	if (r == 0 && cfg->fsync && lg->dir_created)
		r = fsync_parent(lg->dir);
	if (r < 0) {
		/* Roll back: earlier records stay as they were, with no half line after them. */
		if (ftruncate(lg->fd, size) == 0 && cfg->fsync)
			(void)fsync(lg->fd);
		hs_abuf_free(&line);
		explicit_bzero(&ss, sizeof(ss));
		return fail(r, "cannot write the launch record: %s", hs_strerror(r));
	}
	if (sealed) {
		/* The record is durable: its key goes. A failure here leaves the state behind,
		 * which the next writer moves on (seal_key_for). */
		r = hs_seal_evolve(ss.key, err);
		ss.n++;
		ss.sealed_upto = seq + 1;
		if (r == 0)
			(void)seal_state_write(cfg->path, &ss, false, cfg->fsync);
		explicit_bzero(&ss, sizeof(ss));
	}
	/* The head need not be durable per record: a head left behind by a crash is caught up
	 * by the next writer, which checks that the records after it chain on from it. */
	(void)write_head(lg->dirfd, lg->base, seq + 1, hash, &lg->st, size + (off_t)line.len);
	hs_abuf_free(&line);
	memcpy(ret_hash, hash, HS_SHA256_HEX_LEN + 1);
	return 0;
}

int hs_audit_append(const struct hs_audit_cfg *cfg, const char *body, size_t body_len,
		    char ret_hash[HS_SHA256_HEX_LEN + 1], struct hs_error *err)
{
	struct live_log lg;
	char prev[HS_SHA256_HEX_LEN + 1] = HS_AUDIT_ZERO_HASH;
	uint64_t seq = 0;
	off_t size;
	int r;

	r = live_log_open(cfg, &lg, err);
	if (r == 0)
		r = chain_position(cfg->path, &lg, &seq, prev, &size, err);
	if (r == 0)
		r = write_record(cfg, &lg, body, body_len, seq, prev, size, ret_hash, err);
	live_log_close(&lg);
	return r;
}

/* The reanchor record: who accepted the log as it is, and what the head said before. */
static int reanchor_body(struct hs_abuf *b, int head_r, const struct hs_audit_head *h, uint64_t seq,
			 const char *hash, off_t size, off_t cut)
{
	char now[64], host[256] = "";

	hs_format_time(now, sizeof(now));
	(void)gethostname(host, sizeof(host) - 1);
	hs_abuf_puts(b, "\"time\":");
	hs_abuf_json_string(b, now, 64);
	hs_abuf_puts(b, ",\"host\":");
	hs_abuf_json_string(b, host, 256);
	hs_abuf_puts(b, ",\"event\":\"reanchor\",\"head_was\":");
	if (head_r == 0)
		hs_abuf_printf(b, "{\"seq\":%llu,\"hash\":\"%s\",\"size\":%llu}",
			       (unsigned long long)h->seq, h->hash, (unsigned long long)h->size);
	else
		hs_abuf_puts(b, head_r == -ENOENT ? "\"missing\"" : "\"unreadable\"");
	hs_abuf_printf(b, ",\"log_was\":{\"seq\":%llu,\"hash\":\"%s\",\"size\":%lld,\"cut\":%lld}",
		       (unsigned long long)seq, hash, (long long)size, (long long)cut);
	hs_abuf_printf(b, ",\"pid\":%d,\"who\":{\"uid\":%u}", (int)getpid(), (unsigned)getuid());
	return b->oom ? -ENOMEM : 0;
}

int hs_audit_reanchor(const struct hs_audit_cfg *cfg, char ret_hash[HS_SHA256_HEX_LEN + 1],
		      struct hs_error *err)
{
	struct live_log lg;
	struct hs_audit_head h = { 0 };
	struct hs_abuf body = { 0 };
	char prev[HS_SHA256_HEX_LEN + 1] = HS_AUDIT_ZERO_HASH;
	uint64_t seq = 0;
	off_t size = 0, cut = 0;
	int r, head_r;

	r = live_log_open(cfg, &lg, err);
	if (r < 0)
		goto out;
	head_r = hs_audit_head_read(lg.dirfd, lg.base, &h);
	if (lg.st.st_size > 0) {
		_cleanup_free_ char *tail = NULL;
		char *nl;
		size_t n = lg.st.st_size < (off_t)TAIL_MAX ? (size_t)lg.st.st_size : TAIL_MAX;

		/* The new anchor is the last whole record; a torn fragment after it is cut. */
		tail = malloc(n);
		r = !tail                                                           ? -ENOMEM
		    : pread(lg.fd, tail, n, lg.st.st_size - (off_t)n) == (ssize_t)n ? 0
										    : -EIO;
		if (r < 0) {
			r = fail(r, "cannot read the log");
			goto out;
		}
		nl = memrchr(tail, '\n', n);
		size = nl ? lg.st.st_size - (off_t)n + (nl - tail) + 1 : 0;
		cut = lg.st.st_size - size;
		if (size > 0 && read_last_record(lg.fd, size, &seq, prev) < 0) {
			r = fail(-EBADMSG, "the log's last line is not a hardshim record: repair "
					   "the file first (`hardshim log verify` names the line)");
			goto out;
		}
		if (cut && ftruncate(lg.fd, size) < 0) {
			r = fail(-errno, "cannot cut the torn record: %s", strerror(errno));
			goto out;
		}
	}
	if (size == 0 && head_r == 0) {
		/* An empty live log: it goes on from where the head says the chain stood. */
		seq = h.seq;
		memcpy(prev, h.hash, sizeof(prev));
	}
	r = reanchor_body(&body, head_r, &h, seq, prev, size, cut);
	if (r < 0) {
		r = fail(r, "out of memory");
		goto out;
	}
	r = write_record(cfg, &lg, body.buf, body.len, seq, prev, size, ret_hash, err);
out:
	hs_abuf_free(&body);
	live_log_close(&lg);
	return r;
}

int hs_audit_seal_init(const struct hs_audit_cfg *cfg, char ret_seed[HS_SHA256_HEX_LEN + 1],
		       struct hs_error *err)
{
	struct live_log lg;
	struct hs_seal_state ss = { 0 };
	char prev[HS_SHA256_HEX_LEN + 1] = HS_AUDIT_ZERO_HASH;
	uint64_t seq = 0;
	off_t size;
	int r;

	/* Under the writers' lock, at a chain position the head vouches for. */
	r = live_log_open(cfg, &lg, err);
	if (r == 0)
		r = chain_position(cfg->path, &lg, &seq, prev, &size, err);
	if (r == 0 && hs_seal_state_read(cfg->path, &ss) != -ENOENT)
		r = fail(-EEXIST, "the log is sealed already (%s" HS_SEAL_SUFFIX " exists)",
			 cfg->path);
	if (r == 0 && getrandom(ss.key, sizeof(ss.key), 0) != (ssize_t)sizeof(ss.key))
		r = fail(-EIO, "getrandom failed");
	if (r == 0) {
		/* The node keeps key_1 on: key_0, the verification key, is never stored here. */
		hs_hex(ss.key, sizeof(ss.key), ret_seed);
		r = hs_seal_evolve(ss.key, err);
		ss.n = 1;
		ss.sealed_upto = seq;
	}
	if (r == 0) {
		r = seal_state_write(cfg->path, &ss, true, true);
		if (r < 0)
			r = fail(r, "cannot write the sealing state: %s", hs_strerror(r));
		else if (fsync(lg.dirfd) < 0)
			r = fail(-errno, "fsync: %s", strerror(errno));
	}
	explicit_bzero(&ss, sizeof(ss));
	live_log_close(&lg);
	return r;
}
