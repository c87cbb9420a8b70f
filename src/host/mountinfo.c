/* SPDX-License-Identifier: Apache-2.0
 * Which filesystem holds a path, from facts the kernel sets (docs/threats.md §8: a kernel
 * interface mounted under another name). The path is opened O_PATH without following any
 * symlink (it is canonical: hs_host_walk resolved them all), statx gives the id of the mount
 * that opened object is on, and the line of /proc/self/mountinfo with that id gives the
 * filesystem type. Never the path's string: a mount listed at a path can be hidden by a later
 * mount over a parent (mount a tmpfs at /x/sys, then a procfs at /x: /x/sys is procfs's
 * /proc/sys, while the table still lists a tmpfs at /x/sys), and a walk up the path string to
 * a listed mount point (libmount's mnt_table_find_mountpoint, used here before) answers tmpfs.
 *
 * The type comes from the mount table, not statfs: a devtmpfs reports TMPFS_MAGIC.
 *
 * runc 1.1 binds a source by mount(2) on its path, crun 1.8 by mount(2) or open_tree(2) on its
 * path; both in a copy of the mount namespace hardshim runs in, and the kernel resolves the path
 * to its topmost mount, which is the mount statx names here.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "host-internal.h"

/* At most this many optional fields (shared:N, master:N, propagate_from:N, unbindable). */
#define MI_MAX_OPTIONAL 16

/* A field ends at a space; NUL never occurs in a kernel line. */
static bool next_field(const char **p, const char *end, const char **ret, size_t *ret_len)
{
	const char *s = *p, *e = s;

	while (e < end && *e != ' ' && *e != '\0')
		e++;
	if (e == s || (e < end && *e == '\0'))
		return false; /* empty (two spaces, or a space at the end) or a NUL */
	*ret = s;
	*ret_len = (size_t)(e - s);
	*p = e < end ? e + 1 : e;
	return true;
}

static bool parse_u64(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	if (len == 0 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*ret = v;
	return true;
}

static bool is_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "rw" or "ro", alone or before more options: how the kernel starts both option fields. */
static bool rw_first(const char *s, size_t len)
{
	return len >= 2 && s[0] == 'r' && (s[1] == 'w' || s[1] == 'o') &&
	       (len == 2 || s[2] == ',' || s[2] == ' ');
}

/* shared:12, master:3, propagate_from:7, unbindable; a future tag of the same shape. */
static bool optional_field(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
		i++;
	if (i == 0)
		return false;
	return i == len || (s[i] == ':' && is_digits(s + i + 1, len - i - 1));
}

/* The kernel escapes space, tab, newline and backslash as \ooo (seq_escape): exactly three
 * octal digits. Anything else after a backslash, or \000, is not the kernel's. */
static bool unescape(const char *s, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\') {
			if (len - i < 4)
				return false;
			for (size_t k = 1; k <= 3; k++)
				if (s[i + k] < '0' || s[i + k] > '7')
					return false;
			if (s[i + 1] > '3')
				return false;
			c = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) |
				   (s[i + 3] - '0'));
			if (c == '\0')
				return false;
			i += 3;
		}
		if (o + 1 >= size)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return o > 0;
}

int hs_mountinfo_parse_line(const char *line, size_t len, uint64_t *ret_id, char *fstype,
			    size_t size, const char **ret_why)
{
	const char *p = line, *end = line + len, *f;
	size_t fl, n_opt = 0;
	uint64_t id, parent;
	const char *colon;

	*ret_why = "a NUL byte";
	if (memchr(line, '\0', len))
		return -EINVAL;
	*ret_why = "no mount id";
	if (!next_field(&p, end, &f, &fl) || !parse_u64(f, fl, &id))
		return -EINVAL;
	*ret_why = "no parent id";
	if (!next_field(&p, end, &f, &fl) || !parse_u64(f, fl, &parent))
		return -EINVAL;
	*ret_why = "no major:minor";
	if (!next_field(&p, end, &f, &fl) || !(colon = memchr(f, ':', fl)) ||
	    !is_digits(f, (size_t)(colon - f)) ||
	    !is_digits(colon + 1, fl - (size_t)(colon - f) - 1))
		return -EINVAL;
	*ret_why = "no root of the mount";
	if (!next_field(&p, end, &f, &fl))
		return -EINVAL;
	*ret_why = "no absolute mount point";
	if (!next_field(&p, end, &f, &fl) || f[0] != '/')
		return -EINVAL;
	*ret_why = "no mount options starting rw or ro";
	if (!next_field(&p, end, &f, &fl) || !rw_first(f, fl))
		return -EINVAL;
	/* Every field before the separator is escaped (the paths) or the kernel's own words: the
	 * first field that is exactly "-" is the separator, whatever a path's name holds. */
	for (;;) {
		*ret_why =
		    "no separator \" - \" after at most 16 optional fields of the kernel's form";
		if (!next_field(&p, end, &f, &fl))
			return -EINVAL;
		if (fl == 1 && f[0] == '-')
			break;
		if (++n_opt > MI_MAX_OPTIONAL || !optional_field(f, fl))
			return -EINVAL;
	}
	*ret_why = "no filesystem type escaped as the kernel escapes";
	if (!next_field(&p, end, &f, &fl) || !unescape(f, fl, fstype, size))
		return -EINVAL;
	/* then the source (escaped; empty when mounted from "") and the superblock's options */
	*ret_why = "no source and superblock options starting rw or ro";
	while (p < end && *p != ' ' && *p != '\0')
		p++;
	if (p == end || !rw_first(p + 1, (size_t)(end - p - 1)))
		return -EINVAL;
	*ret_why = NULL;
	*ret_id = id;
	return 0;
}

/* The first field of a line, when it is a mount id; false for anything else. */
static bool line_id(const char *line, size_t len, uint64_t *ret)
{
	const char *sp = memchr(line, ' ', len);

	return sp && parse_u64(line, (size_t)(sp - line), ret);
}

/* One complete line: 1 when it is the mount's (type in fstype), 0 when another's. */
static int mountinfo_line(const char *line, size_t len, uint64_t id, char *fstype, size_t size,
			  struct hs_error *err)
{
	uint64_t got;
	const char *why;

	if (!line_id(line, len, &got) || got != id)
		return 0;
	if (hs_mountinfo_parse_line(line, len, &got, fstype, size, &why) < 0)
		return hs_error_set(err, -EINVAL, "host.mountinfo", "/proc/self/mountinfo", -1,
				    "the line of mount %llu is not the kernel's: %s",
				    (unsigned long long)id, why);
	return 1;
}

int hs_mountinfo_find(int fd, uint64_t id, char *fstype, size_t size, struct hs_error *err)
{
	char buf[HS_MOUNTINFO_BUF];
	size_t len = 0;
	bool skipping = false; /* inside a line longer than buf, not the mount's */

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		size_t pos = 0;
		char *nl;
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hs_error_set(err, -errno, "host.mountinfo", "/proc/self/mountinfo",
					    -1, "read: %s", strerror(errno));
		len += (size_t)n;
		while ((nl = memchr(buf + pos, '\n', len - pos))) {
			size_t l = (size_t)(nl - (buf + pos));

			if (skipping)
				skipping = false;
			else if ((r = mountinfo_line(buf + pos, l, id, fstype, size, err)) != 0)
				return r < 0 ? r : 0;
			pos += l + 1;
		}
		if (n == 0) {
			uint64_t got;

			/* the kernel ends every line with a newline */
			if (!skipping && pos < len && line_id(buf + pos, len - pos, &got) &&
			    got == id)
				return hs_error_set(err, -EINVAL, "host.mountinfo",
						    "/proc/self/mountinfo", -1,
						    "the line of mount %llu is cut short",
						    (unsigned long long)id);
			return hs_error_set(err, -ENOENT, "host.mountinfo", "/proc/self/mountinfo",
					    -1,
					    "no line has its mount id %llu (unmounted meanwhile, "
					    "or not in this mount namespace)",
					    (unsigned long long)id);
		}
		if (pos == 0 && len == sizeof(buf)) {
			uint64_t got;

			/* A line longer than buf: another mount's (a long path a user could make
			 * for a FUSE mount) is skipped; the mount's own is refused. */
			if (!skipping && line_id(buf, len, &got) && got == id)
				return hs_error_set(err, -E2BIG, "host.mountinfo",
						    "/proc/self/mountinfo", -1,
						    "the line of mount %llu is longer than %zu "
						    "bytes",
						    (unsigned long long)id, sizeof(buf));
			skipping = true;
			len = 0;
			continue;
		}
		memmove(buf, buf + pos, len - pos);
		len -= pos;
	}
}

/* PATH, canonical (absolute, every symlink already resolved by hs_host_walk), opened O_PATH one
 * component at a time, none followed: a symlink (magic links are symlinks) or a "." or ".." on
 * it now means it changed since it was walked. What openat2's RESOLVE_NO_SYMLINKS gives, with
 * system calls valgrind knows too. An fd, or the error. */
static int open_canonical(const char *path, struct hs_error *err)
{
	_cleanup_close_ int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *p = path;
	char name[NAME_MAX + 1];

	if (fd < 0)
		return hs_error_set(err, -errno, "host.mountinfo", path, -1, "open /: %s",
				    strerror(errno));
	if (path[0] != '/')
		return hs_error_set(err, -EINVAL, "host.mountinfo", path, -1,
				    "not an absolute path");
	for (;;) {
		const char *e;
		struct stat st;
		int nfd;

		while (*p == '/')
			p++;
		if (!*p)
			return TAKE_FD(fd);
		e = strchrnul(p, '/');
		if ((size_t)(e - p) > NAME_MAX)
			return hs_error_set(err, -ENAMETOOLONG, "host.mountinfo", path, -1,
					    "a component is too long");
		memcpy(name, p, (size_t)(e - p));
		name[e - p] = '\0';
		p = e;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			return hs_error_set(err, -EINVAL, "host.mountinfo", path, -1,
					    "not a canonical path (%s)", name);
		nfd = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0)
			return hs_error_set(err, -errno, "host.mountinfo", path, -1, "open %s: %s",
					    name, strerror(errno));
		close(fd);
		fd = nfd;
		if (fstat(fd, &st) < 0)
			return hs_error_set(err, -errno, "host.mountinfo", path, -1, "fstat %s: %s",
					    name, strerror(errno));
		if (S_ISLNK(st.st_mode))
			return hs_error_set(err, -ELOOP, "host.mountinfo", path, -1,
					    "%s on it is a symbolic link now (changed since it was "
					    "resolved): not followed",
					    name);
	}
}

int hs_host_mount_fstype_real(const struct hs_host *h, struct hs_arena *a, const char *path,
			      const char **ret, struct hs_error *err)
{
	_cleanup_close_ int fd = -1, mfd = -1;
	char fstype[256];
	struct statx stx;
	struct statfs sfs;
	int r;

	fd = open_canonical(path, err);
	if (fd < 0)
		return fd;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return hs_error_set(err, -errno, "host.mountinfo", path, -1, "statx: %s",
				    strerror(errno));
	if (!(stx.stx_mask & STATX_MNT_ID))
		return hs_error_set(err, -ENOSYS, "host.mountinfo", path, -1,
				    "the kernel gives no mount id for it (statx STATX_MNT_ID, "
				    "Linux "
				    "5.8)");
	/* The O_PATH fd holds the mount: its id cannot go to another mount before we close it. */
	mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (mfd < 0)
		return hs_error_set(err, -errno, "host.mountinfo", "/proc/self/mountinfo", -1, "%s",
				    strerror(errno));
	if (fstatfs(mfd, &sfs) < 0 || (unsigned long)sfs.f_type != PROC_SUPER_MAGIC)
		return hs_error_set(err, -EPERM, "host.mountinfo", "/proc/self/mountinfo", -1,
				    "not on a procfs: the mount table is not the kernel's");
	r = hs_mountinfo_find(mfd, stx.stx_mnt_id, fstype, sizeof(fstype), err);
	if (r < 0)
		return r;
	*ret = hs_arena_strdup(a, fstype);
	return *ret ? 0 : -ENOMEM;
}
