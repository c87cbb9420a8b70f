/* SPDX-License-Identifier: Apache-2.0
 * Which filesystem holds a path (src/host/mountinfo.c): the mount id statx gives for the opened
 * path, then that id's line of /proc/self/mountinfo, parsed strictly as the kernel writes it.
 * The parser on odd and hostile lines (a mount point whose name holds " - ", escapes, empty
 * and extra fields, NUL, overflow); the reader on a stream with a line longer than its buffer,
 * a line cut short, no line at all; and the real host in a mount namespace of its own: a
 * procfs mounted over a directory that still lists a tmpfs below it, and a proc hidden under a
 * tmpfs, are judged by the mount the path really reaches, not by the table's strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs-host.h"
#include "../../src/host/host-internal.h"

/* parse LINE: its fstype, or NULL (and *why) when refused */
static const char *parse(const char *line, uint64_t *id, const char **why)
{
	static char fstype[64];
	const char *w = NULL;

	if (hs_mountinfo_parse_line(line, strlen(line), id, fstype, sizeof(fstype), &w) < 0) {
		assert_non_null(w);
		if (why)
			*why = w;
		return NULL;
	}
	assert_null(w);
	return fstype;
}

static void test_kernel_lines(void **state)
{
	uint64_t id = 0;

	/* proc(5)'s example: one optional field */
	assert_string_equal(parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
				  "rw,errors=continue",
				  &id, NULL),
			    "ext3");
	assert_int_equal(id, 36);
	assert_string_equal(parse("21 26 0:20 / /proc rw,relatime - proc proc rw", &id, NULL),
			    "proc");
	assert_int_equal(id, 21);
	/* every optional field the kernel writes */
	assert_string_equal(parse("400 26 0:6 / /dev rw shared:2 master:1 propagate_from:1 "
				  "unbindable - devtmpfs devtmpfs rw,size=1k",
				  &id, NULL),
			    "devtmpfs");
	/* a bind of procfs's sys: the root is /sys, the type still proc */
	assert_string_equal(parse("50 26 0:20 /sys /srv/x ro,nosuid - proc proc rw", &id, NULL),
			    "proc");
	/* an nsfs bind: a root that is not a path */
	assert_string_equal(parse("51 26 0:4 net:[4026532000] /run/netns/a rw - nsfs nsfs rw", &id,
				  NULL),
			    "nsfs");
	/* mounted from "" (the source field is empty), read-only superblock */
	assert_string_equal(parse("52 26 0:50 / /x rw - tmpfs  ro", &id, NULL), "tmpfs");
	/* a FUSE subtype, escaped as the kernel escapes it */
	assert_string_equal(parse("53 26 0:51 / /x rw - fuse.a\\040b\\134 src rw", &id, NULL),
			    "fuse.a b\\");
	assert_string_equal(parse("4294967296 26 0:52 / /x rw - tmpfs t rw", &id, NULL), "tmpfs");
	assert_true(id == 4294967296ULL);
}

/* A mount point's name is escaped: a directory named "a - proc x" shows as a\040-\040proc\040x,
 * so the first field that is exactly "-" after the options is the separator. The same name
 * unescaped (never the kernel's) is refused, not read as a proc mount. */
static void test_separator_unambiguous(void **state)
{
	const char *why = NULL;
	uint64_t id;

	assert_string_equal(parse("60 26 0:53 / /srv/a\\040-\\040proc\\040x rw,relatime - tmpfs "
				  "tmpfs rw",
				  &id, NULL),
			    "tmpfs");
	assert_string_equal(parse("61 26 0:53 /a\\040-\\040proc /srv/b\\040-\\040sysfs\\040s rw "
				  "shared:1 - tmpfs tmpfs rw",
				  &id, NULL),
			    "tmpfs");
	/* the raw name: the options field would be "-" */
	assert_null(parse("62 26 0:53 / /srv/a - proc x rw - tmpfs tmpfs rw", &id, &why));
	assert_string_equal(why, "no mount options starting rw or ro");
	/* the raw name after real options: the line does not end as the kernel's do. (Raw names
	 * could be made to parse: that none reaches the table is the kernel's escaping, which
	 * test_real_overmount sees with a mount point named "a rw - proc x".) */
	assert_null(parse("63 26 0:53 / /srv rw a - proc x - tmpfs tmpfs rw", &id, &why));
	assert_string_equal(why, "no source and superblock options starting rw or ro");
	/* a root field that is "-" is a root, by position: the separator comes after the options */
	assert_string_equal(parse("64 26 0:53 - /x rw - tmpfs tmpfs rw", &id, NULL), "tmpfs");
}

static void test_refused_lines(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"36",
		"036 35 98:0 / /x rw - ext4 s rw",                  /* leading zero */
		"+36 35 98:0 / /x rw - ext4 s rw",                  /* sign */
		"18446744073709551616 35 98:0 / /x rw - ext4 s rw", /* overflow */
		"36 x 98:0 / /x rw - ext4 s rw",                    /* parent id */
		"36 35 980 / /x rw - ext4 s rw",                    /* major:minor */
		"36 35 98: / /x rw - ext4 s rw",                    /* major:minor */
		"36 35 98:0 / x rw - ext4 s rw",                    /* relative mount point */
		"36 35 98:0 /  /x rw - ext4 s rw",                  /* empty field */
		"36 35 98:0 / /x  rw - ext4 s rw",                  /* empty field */
		"36 35 98:0 / /x noatime - ext4 s rw",              /* options */
		"36 35 98:0 / /x rwx - ext4 s rw",                  /* options */
		"36 35 98:0 / /x rw Shared:1 - ext4 s rw",          /* optional field */
		"36 35 98:0 / /x rw shared:x - ext4 s rw",          /* optional field */
		"36 35 98:0 / /x rw shared: - ext4 s rw",           /* optional field */
		"36 35 98:0 / /x rw - ",                            /* no type */
		"36 35 98:0 / /x rw -  s rw",                       /* empty type */
		"36 35 98:0 / /x rw - ext4",                        /* no source */
		"36 35 98:0 / /x rw - ext4 s",                      /* no superblock options */
		"36 35 98:0 / /x rw - ext4 s noatime",              /* superblock options */
		"36 35 98:0 / /x rw - pr\\x6fc s rw",               /* not an octal escape */
		"36 35 98:0 / /x rw - pr\\57 s rw",                 /* two digits */
		"36 35 98:0 / /x rw - proc\\ s rw",                 /* backslash alone */
		"36 35 98:0 / /x rw - proc\\000 s rw",              /* NUL by escape */
		"36 35 98:0 / /x rw - proc\\400 s rw",              /* above \377 */
		"36 35 98:0 / /x rw - proc\\08 s rw",               /* 8 is not octal */
		"36 35 98:0 / /x rw - "
		"a123456789012345678901234567890123456789012345678901234567890123 "
		"s rw",               /* longer than the caller's room */
		"36 35 98:0 / /x rw", /* no separator */
		"36 35 98:0 / /x rw a b c d e f g h i j k l m n o p q - ext4 s rw", /* 17 optional */
	};
	uint64_t id;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		const char *t = parse(bad[i], &id, &why);

		if (t)
			fail_msg("accepted: \"%s\" as %s", bad[i], t);
		assert_non_null(why);
	}
	/* 16 optional fields are still read */
	assert_non_null(
	    parse("36 35 98:0 / /x rw a b c d e f g h i j k l m n o p - ext4 s rw", &id, NULL));
	/* a NUL inside the line */
	{
		const char l[] = "36 35 98:0 / /x rw - ext4 s\0x rw";
		char t[16];
		const char *why = NULL;

		assert_int_equal(hs_mountinfo_parse_line(l, sizeof(l) - 1, &id, t, sizeof(t), &why),
				 -EINVAL);
		assert_string_equal(why, "a NUL byte");
	}
}

/* A memfd holding TEXT, read from its start. */
static int stream(const char *text, size_t len)
{
	int fd = memfd_create("mountinfo", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_true(write(fd, text, len) == (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int find(const char *text, size_t len, uint64_t id, char *fstype, struct hs_error *err)
{
	int fd = stream(text, len), r;

	*err = (struct hs_error)HS_ERROR_INIT;
	r = hs_mountinfo_find(fd, id, fstype, 64, err);
	close(fd);
	return r;
}

static void test_find(void **state)
{
	static const char table[] = "1 0 0:1 / / rw - ext4 /dev/vda rw\n"
				    "36 1 0:20 / /proc rw - proc proc rw\n"
				    "3 1 0:21 / /srv rw - tmpfs tmpfs rw\n"
				    "7 1 0:22 / /bad rw - \\9 x rw\n"
				    "8 1 0:23 / /cut rw - tmpfs tmpfs rw";
	struct hs_error err;
	char t[64];

	/* by the whole id: 3 is not 36's prefix */
	assert_int_equal(find(table, strlen(table), 3, t, &err), 0);
	assert_string_equal(t, "tmpfs");
	assert_int_equal(find(table, strlen(table), 36, t, &err), 0);
	assert_string_equal(t, "proc");
	assert_int_equal(find(table, strlen(table), 99, t, &err), -ENOENT);
	assert_string_equal(err.rule, "host.mountinfo");
	assert_true(strstr(err.msg, "mount id 99") != NULL);
	/* the mount's own line is judged; another's odd line is not */
	assert_int_equal(find(table, strlen(table), 7, t, &err), -EINVAL);
	assert_true(strstr(err.msg, "mount 7 is not the kernel's") != NULL);
	/* the kernel ends each line with a newline: a last line without is cut short */
	assert_int_equal(find(table, strlen(table), 8, t, &err), -EINVAL);
	assert_true(strstr(err.msg, "cut short") != NULL);
	assert_int_equal(find("", 0, 1, t, &err), -ENOENT);
}

/* A line longer than the reader's buffer (a FUSE mount at a long path a user made): another
 * mount's is skipped whole, and the lines after it are read; the mount's own is refused. */
static void test_find_long_lines(void **state)
{
	size_t pad = 3 * HS_MOUNTINFO_BUF + 17, len;
	char *text = malloc(pad + 512), *p;
	struct hs_error err;
	char t[64];

	assert_non_null(text);
	p = text + sprintf(text, "5 1 0:30 / /");
	memset(p, 'a', pad);
	p += pad;
	p += sprintf(p, " rw - fuse.x x rw\n9 1 0:31 / /after rw - sysfs sysfs rw\n");
	len = (size_t)(p - text);
	assert_int_equal(find(text, len, 9, t, &err), 0);
	assert_string_equal(t, "sysfs");
	assert_int_equal(find(text, len, 5, t, &err), -E2BIG);
	assert_true(strstr(err.msg, "longer than") != NULL);
	assert_int_equal(find(text, len, 6, t, &err), -ENOENT);
	/* a line that ends exactly at the buffer's end, then ours */
	p = text + sprintf(text, "5 1 0:30 / /");
	memset(p, 'b', HS_MOUNTINFO_BUF - (size_t)(p - text) - 24);
	p += HS_MOUNTINFO_BUF - (size_t)(p - text) - 24;
	p += sprintf(p, " rw - tmpfs x rw\n");
	p += sprintf(p, "9 1 0:31 / /after rw - cgroup2 cgroup2 rw\n");
	len = (size_t)(p - text);
	assert_int_equal(find(text, len, 9, t, &err), 0);
	assert_string_equal(t, "cgroup2");
	free(text);
}

/* The real host: kernel filesystems where they are on this machine. */
static void test_real_host(void **state)
{
	const struct hs_host *H = hs_host_real();
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	const char *t = NULL;

	assert_non_null(a);
	assert_int_equal(H->mount_fstype(H, a, "/proc/sys/kernel", &t, &err), 0);
	assert_string_equal(t, "proc");
	assert_int_equal(H->mount_fstype(H, a, "/sys/kernel", &t, &err), 0);
	assert_string_equal(t, "sysfs");
	assert_int_equal(H->mount_fstype(H, a, "/dev", &t, &err), 0);
	assert_non_null(t); /* devtmpfs here; a tmpfs in a container */
	/* a symlink on the path (/proc/self; a magic link /proc/self/root): not canonical */
	assert_int_equal(H->mount_fstype(H, a, "/proc/self/fd", &t, &err), -ELOOP);
	assert_string_equal(err.rule, "host.mountinfo");
	assert_true(strstr(err.msg, "self on it is a symbolic link now") != NULL);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_int_equal(H->mount_fstype(H, a, "/proc/1/root", &t, &err), -ELOOP);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_int_equal(H->mount_fstype(H, a, "/proc/../etc", &t, &err), -EINVAL);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_int_equal(H->mount_fstype(H, a, "/nonexistent-hs-mountinfo", &t, &err), -ENOENT);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_int_equal(H->mount_fstype(H, a, "relative", &t, &err), -EINVAL);
	hs_arena_free(a);
}

static char tmp[64]; /* "/tmp/hs-mountinfo-XXXXXX" */

/* In a child with a mount namespace of its own: 0 when every judgement is right, else the
 * number of the one that was not (printed). */
static int overmount_child(void)
{
	const struct hs_host *H = hs_host_real();
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	const char *t = NULL;
	char k[PATH_MAX], ks[PATH_MAX], h[PATH_MAX], hp[PATH_MAX], n[PATH_MAX], ns[PATH_MAX];

	if (!a || unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return 100;
	snprintf(k, sizeof(k), "%s/k", tmp);
	snprintf(ks, sizeof(ks), "%s/k/sys", tmp);
	snprintf(h, sizeof(h), "%s/h", tmp);
	snprintf(hp, sizeof(hp), "%s/h/p", tmp);
	snprintf(n, sizeof(n), "%s/a rw - proc x", tmp);
	snprintf(ns, sizeof(ns), "%s/a rw - proc x/d", tmp);
	/* a tmpfs at k/sys, then a procfs over k: k/sys is procfs's sys, the table still lists
	 * a tmpfs at k/sys (a walk up the path string answers tmpfs) */
	if (mkdir(k, 0755) < 0 || mkdir(ks, 0755) < 0 ||
	    mount("tmpfs", ks, "tmpfs", 0, "size=64k") < 0 || mount("proc", k, "proc", 0, NULL) < 0)
		return 101;
	if (H->mount_fstype(H, a, ks, &t, &err) < 0 || strcmp(t, "proc") != 0) {
		fprintf(stderr, "# %s: %s (%s)\n", ks, t ? t : "-", err.msg);
		return 1;
	}
	/* a procfs at h/p, then a tmpfs over h (with its own p): h/p is the tmpfs's */
	if (mkdir(h, 0755) < 0 || mkdir(hp, 0755) < 0 || mount("proc", hp, "proc", 0, NULL) < 0 ||
	    mount("tmpfs", h, "tmpfs", 0, "size=64k") < 0 || mkdir(hp, 0755) < 0)
		return 102;
	t = NULL;
	if (H->mount_fstype(H, a, hp, &t, &err) < 0 || strcmp(t, "tmpfs") != 0) {
		fprintf(stderr, "# %s: %s (%s)\n", hp, t ? t : "-", err.msg);
		return 2;
	}
	/* a mount point named "a rw - proc x": escaped in the table, read as a tmpfs */
	if (mkdir(n, 0755) < 0 || mount("tmpfs", n, "tmpfs", 0, "size=64k") < 0 ||
	    mkdir(ns, 0755) < 0)
		return 103;
	t = NULL;
	if (H->mount_fstype(H, a, ns, &t, &err) < 0 || strcmp(t, "tmpfs") != 0) {
		fprintf(stderr, "# %s: %s (%s)\n", ns, t ? t : "-", err.msg);
		return 3;
	}
	/* unmounted under the path after it was canonicalized: the path now reaches the tmpfs
	 * that was below (k/sys), never an answer from the table's string */
	if (umount2(k, MNT_DETACH) < 0)
		return 104;
	t = NULL;
	if (H->mount_fstype(H, a, ks, &t, &err) < 0 || strcmp(t, "tmpfs") != 0) {
		fprintf(stderr, "# %s after umount: %s (%s)\n", ks, t ? t : "-", err.msg);
		return 4;
	}
	hs_arena_free(a);
	return 0;
}

static void test_real_overmount(void **state)
{
	char cmd[PATH_MAX + 16];
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		print_message("not root: no mount namespace: skipped\n");
		skip();
	}
	strcpy(tmp, "/tmp/hs-mountinfo-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(overmount_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_lines),
		cmocka_unit_test(test_separator_unambiguous),
		cmocka_unit_test(test_refused_lines),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_long_lines),
		cmocka_unit_test(test_real_host),
		cmocka_unit_test(test_real_overmount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
