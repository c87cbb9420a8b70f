/* SPDX-License-Identifier: Apache-2.0
 * File I/O for attacker-influenced paths: no symlink following, size caps, atomic replace. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hs-util.h"

int hs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hs_read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len, struct hs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			size_t ncap = cap ? cap * 2 : 16384;
			char *nbuf;

			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= len)
				return hs_error_set(err, -EFBIG, "json.size", "", (long long)max,
						    "input is larger than the limit of %zu bytes",
						    max);
			nbuf = realloc(buf, ncap);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hs_error_set(err, -errno, "io.read", "", -1, "read: %s",
					    strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return hs_error_set(err, -EFBIG, "json.size", "", (long long)max,
					    "input is larger than the limit of %zu bytes", max);
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret_buf = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int hs_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
		    struct hs_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int r;

	if (fd < 0)
		return hs_error_set(err, -errno, errno == ELOOP ? "file.symlink" : "file.open",
				    path, -1, "cannot open: %s",
				    errno == ELOOP ? "is a symlink" : strerror(errno));
	if (fstat(fd, &st) < 0)
		return hs_error_set(err, -errno, "file.open", path, -1, "fstat: %s",
				    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hs_error_set(err, -EINVAL, "file.type", path, -1, "not a regular file");
	if ((uint64_t)st.st_size > max)
		return hs_error_set(err, -EFBIG, "json.size", path, -1,
				    "file is %lld bytes, larger than the limit of %zu",
				    (long long)st.st_size, max);
	r = hs_read_fd(fd, max, ret_buf, ret_len, err);
	if (r < 0 && err && !err->path[0])
		snprintf(err->path, sizeof(err->path), "%s", path);
	return r;
}

static int temp_name(char *tmp, size_t size, const char *name, struct hs_error *err)
{
	int r = snprintf(tmp, size, ".%s.hardshim-%d", name, (int)getpid());

	if (r < 0 || (size_t)r >= size || strchr(name, '/'))
		return hs_error_set(err, -EINVAL, "file.write", name, -1, "bad file name");
	return 0;
}

/* Puts the file named tmp in name's place; at every moment name holds the old file or the
 * new one. Over an existing name it exchanges the two (RENAME_EXCHANGE) and then removes the
 * old one, now under tmp: a plain rename over an existing file makes ext4 (auto_da_alloc)
 * allocate the new file's blocks and start writing them inside the rename, ~1 % of a
 * create's CPU on the build machine for a config.json the runtime reads from the page cache
 * a few milliseconds later (issue 17). Nothing there yet (ENOENT), or a file system without
 * the exchange (EINVAL): the plain rename. Whatever came back under tmp must go: a directory
 * (unlinkat without AT_REMOVEDIR fails on it) is an error, as the plain rename over it was. */
static int put_in_place(int dirfd, const char *tmp, const char *name)
{
	if (renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) == 0)
		return unlinkat(dirfd, tmp, 0) < 0 ? -errno : 0;
	return renameat(dirfd, tmp, dirfd, name) < 0 ? -errno : 0;
}

int hs_replace_file(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		    bool durable, struct hs_error *err)
{
	char tmp[256];
	_cleanup_close_ int fd = -1;
	int r;

	r = temp_name(tmp, sizeof(tmp), name, err);
	if (r < 0)
		return r;
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return hs_error_set(err, -errno, "file.write", name, -1, "create %s: %s", tmp,
				    strerror(errno));
	r = hs_write_all(fd, data, len);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && durable && fsync(fd) < 0)
		r = -errno;
	if (r == 0)
		r = put_in_place(dirfd, tmp, name);
	if (r < 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return hs_error_set(err, r, "file.write", name, -1, "write: %s", hs_strerror(r));
	}
	/* The rename is durable only once the directory is. */
	if (durable && fsync(dirfd) < 0 && errno != EINVAL)
		return hs_error_set(err, -errno, "file.write", name, -1, "fsync directory: %s",
				    strerror(errno));
	return 0;
}

int hs_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			 struct hs_error *err)
{
	return hs_replace_file(dirfd, name, data, len, mode, true, err);
}

int hs_link_fd_as(int fd, int dirfd, const char *name)
{
	char tmp[256];

	if (temp_name(tmp, sizeof(tmp), name, NULL) < 0)
		return -EINVAL;
	(void)unlinkat(dirfd, tmp, 0);
	/* The open file itself, not whatever the name points at by now. */
	if (linkat(fd, "", dirfd, tmp, AT_EMPTY_PATH) < 0)
		return -errno;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int r = -errno;

		(void)unlinkat(dirfd, tmp, 0);
		return r;
	}
	return 0;
}

void hs_format_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char s[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", s, ts.tv_nsec);
}
