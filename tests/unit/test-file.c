/* SPDX-License-Identifier: Apache-2.0
 * hs_replace_file (src/util/file.c): the new file takes the name by exchanging places with the
 * old one (RENAME_EXCHANGE), then the old one, left under the temporary name, is removed: no
 * plain rename over an existing file, which on ext4 writes the new file out inside the rename
 * (auto_da_alloc). The name never stops holding one of the two; another link to the old file
 * (config.json.orig) keeps the old bytes; nothing is left beside them. Without the exchange
 * (nothing there yet, a file system without it) the plain rename; a directory put under the
 * name is an error, as it was. renameat2 is this file's own (it counts exchanges and can
 * refuse them as a file system without them does), then the kernel's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hs-util.h"

static unsigned exchanges;
static bool no_exchange;

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	      unsigned int flags)
{
	if (flags & RENAME_EXCHANGE) {
		if (no_exchange) {
			errno = EINVAL;
			return -1;
		}
		exchanges++;
	}
	return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

struct dir {
	char path[64];
	int fd;
};

static void dir_new(struct dir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/hs-test-file.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(d->fd >= 0);
}

static void dir_done(struct dir *d)
{
	char cmd[128];

	close(d->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->path);
	assert_int_equal(system(cmd), 0);
}

static void put(struct dir *d, const char *name, const char *text)
{
	int fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(hs_write_all(fd, text, strlen(text)), 0);
	close(fd);
}

static void assert_text(struct dir *d, const char *name, const char *want)
{
	char buf[256] = "";
	int fd = openat(d->fd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

/* The names in the directory, sorted, comma-separated. */
static void assert_names(struct dir *d, const char *want)
{
	struct dirent **list;
	char have[512] = "";
	int n = scandir(d->path, &list, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
			if (have[0])
				strcat(have, ",");
			strcat(have, list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
	assert_string_equal(have, want);
}

static void test_exchange_over_existing(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	struct dir d;
	struct stat st;

	(void)state;
	dir_new(&d);
	put(&d, "config.json", "engine's");
	assert_int_equal(linkat(d.fd, "config.json", d.fd, "config.json.orig", 0), 0);
	exchanges = 0;
	assert_int_equal(hs_replace_file(d.fd, "config.json", "judged", 6, 0640, false, &err), 0);
	assert_int_equal(exchanges, 1);
	assert_text(&d, "config.json", "judged");
	assert_text(&d, "config.json.orig", "engine's");
	assert_int_equal(fstatat(d.fd, "config.json", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(fstatat(d.fd, "config.json.orig", &st, 0), 0);
	assert_int_equal(st.st_nlink, 1); /* the old file's other name is gone */
	assert_names(&d, "config.json,config.json.orig");
	/* durable: the same, flushed */
	assert_int_equal(hs_replace_file(d.fd, "config.json", "again", 5, 0644, true, &err), 0);
	assert_int_equal(exchanges, 2);
	assert_text(&d, "config.json", "again");
	assert_names(&d, "config.json,config.json.orig");
	dir_done(&d);
}

static void test_plain_rename_without_exchange(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	struct dir d;

	(void)state;
	dir_new(&d);
	/* nothing under the name yet */
	assert_int_equal(hs_replace_file(d.fd, "new.json", "first", 5, 0644, false, &err), 0);
	assert_text(&d, "new.json", "first");
	assert_names(&d, "new.json");
	/* a file system without the exchange */
	no_exchange = true;
	assert_int_equal(hs_replace_file(d.fd, "new.json", "second", 6, 0644, false, &err), 0);
	no_exchange = false;
	assert_text(&d, "new.json", "second");
	assert_names(&d, "new.json");
	dir_done(&d);
}

/* A directory under the name: never taken for the old file and removed, never a success. */
static void test_directory_refused(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	struct dir d;
	struct stat st;

	(void)state;
	dir_new(&d);
	assert_int_equal(mkdirat(d.fd, "config.json", 0755), 0);
	put(&d, "config.json/inside", "x");
	assert_true(hs_replace_file(d.fd, "config.json", "judged", 6, 0644, false, &err) < 0);
	assert_string_equal(err.rule, "file.write");
	/* the directory and what it holds are still there, under one name or the other */
	int found = 0;
	DIR *dir = fdopendir(dup(d.fd));
	struct dirent *e;

	assert_non_null(dir);
	while ((e = readdir(dir))) {
		char in[300];

		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		snprintf(in, sizeof(in), "%s/inside", e->d_name);
		if (fstatat(d.fd, e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
			assert_text(&d, in, "x");
			found++;
		}
	}
	closedir(dir);
	assert_int_equal(found, 1);
	dir_done(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange_over_existing),
		cmocka_unit_test(test_plain_rename_without_exchange),
		cmocka_unit_test(test_directory_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
