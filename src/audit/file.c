/* SPDX-License-Identifier: Apache-2.0
 * The durable file record. Before the runtime may start, the record is on disk: appended
 * under an exclusive flock on the log directory (so concurrent launches never interleave and
 * the chain has one order), fsync'ed, and — when the file or directory was just created —
 * the directory fsync'ed too. A failed write is rolled back (ftruncate to the old size) so a
 * full disk never leaves half a line or damages what was there. */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
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

/* The last complete line of the log, when the head file does not describe this file (a
 * crash between the record and the head update, or a head file lost). */
static int read_last_record(int fd, off_t size, uint64_t *ret_seq, char *ret_hash, bool *ret_torn)
{
	_cleanup_free_ char *buf = NULL;
	size_t want = 65536;

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
		*ret_torn = buf[n - 1] != '\n';
		/* End of the last complete line: the last newline. */
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

#define fail(r, ...) hs_error_set(err, (r), "audit.write", cfg->path, -1, __VA_ARGS__)

int hs_audit_append(const struct hs_audit_cfg *cfg, const char *body, size_t body_len,
		    char ret_hash[HS_SHA256_HEX_LEN + 1], struct hs_error *err)
{
	_cleanup_free_ char *dir = NULL, *base = NULL;
	_cleanup_close_ int dirfd = -1, fd = -1;
	struct hs_abuf line = { 0 };
	struct hs_audit_head head;
	char prev[HS_SHA256_HEX_LEN + 1] = HS_AUDIT_ZERO_HASH, hash[HS_SHA256_HEX_LEN + 1];
	bool dir_created = false, file_created = false, have_head, torn = false;
	uint64_t seq = 0;
	struct stat st;
	int r;

	r = hs_audit_split_path(cfg->path, &dir, &base);
	if (r < 0)
		return fail(r, "bad log path");
	r = make_dirs(dir, &dir_created);
	if (r < 0)
		return fail(r, "cannot create the log directory %s: %s", dir, strerror(-r));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return fail(-errno, "cannot open the log directory %s: %s", dir, strerror(errno));
	/* One writer at a time: the lock is on the directory, which rotation never renames, so
	 * a writer and a rotation agree on which file is the live one. */
	if (flock(dirfd, LOCK_EX) < 0)
		return fail(-errno, "cannot lock %s: %s", dir, strerror(errno));

	fd = openat(dirfd, base, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT) {
		fd = openat(dirfd, base,
			    O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		file_created = fd >= 0;
	}
	if (fd < 0)
		return fail(-errno, "cannot open the launch log: %s", strerror(errno));
	if (fstat(fd, &st) < 0)
		return fail(-errno, "fstat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(-EINVAL, "the launch log is not a regular file");
	if (file_created && fchmod(fd, 0600) < 0)
		return fail(-errno, "fchmod: %s", strerror(errno));

	/* Where the chain stands: the head file if it describes this very file as it is; the
	 * file's last record otherwise; the head again for an empty (rotated) file. */
	have_head = hs_audit_head_read(dirfd, base, &head) == 0;
	if (have_head && head.ino == (uint64_t)st.st_ino && head.size == (uint64_t)st.st_size) {
		seq = head.seq;
		memcpy(prev, head.hash, sizeof(prev));
	} else if (st.st_size > 0) {
		r = read_last_record(fd, st.st_size, &seq, prev, &torn);
		if (r < 0 && have_head) {
			/* Not a record of ours at the end: chain on from the head and let
			 * `log verify` name the damaged line. */
			seq = head.seq;
			memcpy(prev, head.hash, sizeof(prev));
		} else if (r < 0) {
			seq = 0;
			memcpy(prev, HS_AUDIT_ZERO_HASH, sizeof(prev));
		}
	} else if (have_head) {
		seq = head.seq;
		memcpy(prev, head.hash, sizeof(prev));
	}

	r = hs_audit_seal(body, body_len, seq + 1, prev, st.st_size == 0, &line, hash, err);
	if (r < 0) {
		hs_abuf_free(&line);
		return fail(r, "cannot seal the record: %s", strerror(-r));
	}
	/* A torn last line (a crash mid-write) is ended so this record stands on its own line. */
	r = torn ? hs_write_all(fd, "\n", 1) : 0;
	if (r == 0)
		r = hs_write_all(fd, line.buf, line.len);
	if (r == 0 && cfg->fsync && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && cfg->fsync && (file_created || dir_created) && fsync(dirfd) < 0)
		r = -errno;
	if (r == 0 && cfg->fsync && dir_created)
		r = fsync_parent(dir);
	if (r < 0) {
		/* Roll back: earlier records stay as they were, with no half line after them. */
		if (ftruncate(fd, st.st_size) == 0 && cfg->fsync)
			(void)fsync(fd);
		hs_abuf_free(&line);
		return fail(r, "cannot write the launch record: %s", strerror(-r));
	}
	(void)write_head(dirfd, base, seq + 1, hash, &st,
			 st.st_size + (off_t)line.len + (torn ? 1 : 0));
	hs_abuf_free(&line);
	memcpy(ret_hash, hash, sizeof(hash));
	return 0;
}
