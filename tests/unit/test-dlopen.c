/* SPDX-License-Identifier: Apache-2.0
 * hs_dlopen_many (src/util/dlopen.c): a library is taken from the directory libc was loaded
 * from, by its full path, so ld.so neither searches nor maps its cache; a library that is
 * not there is still found by its soname. The search path ld.so reads at start
 * (LD_LIBRARY_PATH) is set for a re-executed copy of this test, which loads one library and
 * says by its exit status whether it got the right one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <seccomp.h>

#include "hs-dlopen.h"

/* libseccomp: a library hardshim still dlopens (a config's own seccomp profile). */
static const struct scmp_version *(*sym_seccomp_version)(void);

/* The child: load soname, resolve libseccomp's symbol, use it. 0 when that was libseccomp. */
static int child(const char *soname)
{
	struct hs_error err = HS_ERROR_INIT;
	void *dl = NULL;
	int r = hs_dlopen_many(&dl, soname, &err, HS_DLSYM(seccomp_version), HS_DLSYM_END);

	if (r < 0) {
		fprintf(stderr, "%s: %s\n", err.rule, err.msg);
		return 1;
	}
	return sym_seccomp_version()->major == 2 ? 0 : 2;
}

/* Where ld.so found soname, as this process sees it. Owned by the caller. */
static char *library_path(const char *soname)
{
	void *dl = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	struct link_map *lm = NULL;
	char *path;

	assert_non_null(dl);
	assert_int_equal(dlinfo(dl, RTLD_DI_LINKMAP, &lm), 0);
	path = realpath(lm->l_name, NULL);
	assert_non_null(path);
	dlclose(dl);
	return path;
}

/* This test binary again, with LD_LIBRARY_PATH=dir, loading soname: its exit status. */
static int run_child(const char *dir, const char *soname)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;
	int status;

	assert_true(n > 0);
	self[n] = '\0';
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { self, (char *)"--dlopen-child", (char *)soname, NULL };

		setenv("LD_LIBRARY_PATH", dir, 1);
		execv(self, argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

struct fx {
	char dir[64];
	char link[128];
};

static void fx_link(struct fx *f, const char *name, const char *target)
{
	snprintf(f->link, sizeof(f->link), "%s/%s", f->dir, name);
	assert_int_equal(symlink(target, f->link), 0);
}

static void fx_done(struct fx *f)
{
	unlink(f->link);
	rmdir(f->dir);
}

static void fx_init(struct fx *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/hs-test-dlopen-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
}

/* A "libseccomp.so.2" first on the search path that is another library (nettle, without
 * libseccomp's symbols): a search by soname takes it and fails; the library beside libc is the
 * real one. */
static void test_beside_libc_not_searched(void **state)
{
	_cleanup_free_ char *nettle = library_path("libnettle.so.8");
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_link(&f, "libseccomp.so.2", nettle);
	assert_int_equal(run_child(f.dir, "libseccomp.so.2"), 0);
	fx_done(&f);
}

/* A library that is not beside libc is still found by its soname (here: on the search path). */
static void test_elsewhere_by_soname(void **state)
{
	_cleanup_free_ char *seccomp = library_path("libseccomp.so.2");
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_link(&f, "libhs-test-elsewhere.so.0", seccomp);
	assert_int_equal(run_child(f.dir, "libhs-test-elsewhere.so.0"), 0);
	fx_done(&f);
}

/* Nowhere: the rule and the library's name. */
static void test_missing(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	void *dl = NULL;

	(void)state;
	assert_int_equal(hs_dlopen_many(&dl, "libhs-test-nowhere.so.0", &err,
					HS_DLSYM(seccomp_version), HS_DLSYM_END),
			 -EOPNOTSUPP);
	assert_string_equal(err.rule, "host.library");
	assert_string_equal(err.path, "libhs-test-nowhere.so.0");
	assert_null(dl);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_beside_libc_not_searched),
		cmocka_unit_test(test_elsewhere_by_soname),
		cmocka_unit_test(test_missing),
	};

	if (argc == 3 && !strcmp(argv[1], "--dlopen-child"))
		return child(argv[2]);
	return cmocka_run_group_tests_name("dlopen", tests, NULL, NULL);
}
