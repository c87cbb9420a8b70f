/* SPDX-License-Identifier: Apache-2.0
 * The real host facts on real temp directories: symlink chains, "..", loops, magic links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <cmocka.h>

#include "hs-host.h"

static char tmp[PATH_MAX];
static char canon_tmp[PATH_MAX];
static struct hs_arena *arena;
static const struct hs_host *H;

static int setup(void **state)
{
	strcpy(tmp, "/tmp/hs-host-XXXXXX");
	if (!mkdtemp(tmp) || !realpath(tmp, canon_tmp))
		return -1;
	arena = hs_arena_new();
	H = hs_host_real();
	return arena ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	hs_arena_free(arena);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *T(const char *rel)
{
	return hs_arena_printf(arena, "%s/%s", tmp, rel);
}

static const char *C(const char *rel)
{
	return hs_arena_printf(arena, "%s/%s", canon_tmp, rel);
}

static int canon(const char *path, struct hs_canonical_path *cp, struct hs_error *err)
{
	return H->canonicalize(H, arena, path, cp, err);
}

static void test_symlink_chain_and_dots(void **state)
{
	struct hs_canonical_path cp;
	struct hs_error err = HS_ERROR_INIT;
	struct stat st;

	assert_int_equal(mkdir(T("dir"), 0755), 0);
	assert_int_equal(mkdir(T("dir/sub"), 0755), 0);
	assert_int_equal(symlink("dir", T("c")), 0);
	assert_int_equal(symlink("c", T("b")), 0);
	assert_int_equal(symlink(T("b"), T("a")), 0); /* absolute */
	assert_int_equal(canon(T("a/sub"), &cp, &err), 0);
	assert_string_equal(cp.path, C("dir/sub"));
	assert_true(cp.exists);
	assert_string_equal(cp.components[0].path, "/");
	assert_string_equal(cp.components[cp.n_components - 1].path, C("dir/sub"));
	assert_int_equal(stat(T("dir/sub"), &st), 0);
	assert_true(cp.components[cp.n_components - 1].id.ino == st.st_ino);
	assert_true(cp.components[cp.n_components - 1].id.dev == st.st_dev);
	assert_true(S_ISDIR(cp.components[cp.n_components - 1].mode));

	assert_int_equal(canon(T("dir/sub/../sub/./..//sub"), &cp, &err), 0);
	assert_string_equal(cp.path, C("dir/sub"));
	/* ".." after a symlink goes up from the link's target, not lexically */
	assert_int_equal(symlink("dir/sub", T("s")), 0);
	assert_int_equal(canon(T("s/.."), &cp, &err), 0);
	assert_string_equal(cp.path, C("dir"));
	/* a symlink to /etc is resolved to /etc */
	assert_int_equal(symlink("/etc", T("etc-link")), 0);
	assert_int_equal(canon(T("etc-link/"), &cp, &err), 0);
	assert_string_equal(cp.path, "/etc");
	assert_int_equal(canon("/../../etc/../etc", &cp, &err), 0);
	assert_string_equal(cp.path, "/etc");
	assert_int_equal(cp.n_components, 2);
}

static void test_missing_and_owner(void **state)
{
	struct hs_canonical_path cp;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(mkdir(T("u"), 0775), 0);
	assert_int_equal(chmod(T("u"), 0775), 0);
	assert_int_equal(chown(T("u"), 1000, 1001), 0);
	assert_int_equal(canon(T("u/new/file"), &cp, &err), 0);
	assert_false(cp.exists);
	assert_string_equal(cp.path, C("u/new/file"));
	assert_string_equal(cp.components[cp.n_components - 1].path, C("u"));
	assert_int_equal(cp.components[cp.n_components - 1].uid, 1000);
	assert_int_equal(cp.components[cp.n_components - 1].gid, 1001);
	assert_int_equal(cp.components[cp.n_components - 1].mode & 07777, 0775);
	assert_int_equal(canon(T("u/new/../x"), &cp, &err), -ENOENT);
	assert_int_equal(canon("relative/path", &cp, NULL), -EINVAL);
	assert_int_equal(close(open(T("file"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644)), 0);
	assert_int_equal(canon(T("file/x"), &cp, NULL), -ENOTDIR);
}

static void test_loops(void **state)
{
	struct hs_canonical_path cp;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(symlink("l2", T("l1")), 0);
	assert_int_equal(symlink("l1", T("l2")), 0);
	assert_int_equal(canon(T("l1"), &cp, &err), -ELOOP);
	assert_string_equal(err.rule, "host.symlink-loop");
	assert_int_equal(symlink(".", T("self")), 0);
	assert_int_equal(canon(T("self/self/self"), &cp, NULL), 0); /* not a loop, 3 links */
	assert_string_equal(cp.path, canon_tmp);
}

/* A walk deeper than the room it starts with (16 components) keeps every component, each
 * the object at its own path; past 256 components it refuses. */
static void test_deep(void **state)
{
	struct hs_canonical_path cp, top;
	struct hs_error err = HS_ERROR_INIT;
	char rel[2 * 300 + 1] = "";
	struct stat st;

	assert_int_equal(canon(tmp, &top, &err), 0);
	for (size_t i = 0; i < 300; i++) {
		strcat(rel, i ? "/d" : "d");
		assert_int_equal(mkdir(T(rel), 0755), 0);
		if (i + 1 != 40 && i + 1 != 300)
			continue;
		if (i + 1 == 300) {
			assert_int_equal(canon(T(rel), &cp, &err), -ENAMETOOLONG);
			assert_string_equal(err.rule, "host.path-too-long");
			break;
		}
		assert_int_equal(canon(T(rel), &cp, &err), 0);
		assert_string_equal(cp.path, C(rel));
		assert_int_equal(cp.n_components, top.n_components + 40);
		for (size_t k = 0; k < cp.n_components; k++) {
			assert_int_equal(stat(cp.components[k].path, &st), 0);
			assert_true(cp.components[k].id.ino == st.st_ino);
			assert_true(cp.components[k].id.dev == st.st_dev);
			assert_true(S_ISDIR(cp.components[k].mode));
		}
		assert_string_equal(cp.components[cp.n_components - 1].path, cp.path);
	}
}

static void test_magic_links(void **state)
{
	struct hs_canonical_path cp;
	struct hs_error err = HS_ERROR_INIT;
	int fd = open("/etc", O_PATH | O_CLOEXEC);
	char p[64];

	assert_int_equal(canon("/proc/self/root", &cp, &err), -EPERM);
	assert_string_equal(err.rule, "host.magic-link");
	assert_int_equal(canon("/proc/self/root/etc/passwd", &cp, NULL), -EPERM);
	/* pid 1 may be beyond ptrace reach (EACCES) on some hosts: refused either way */
	assert_true(canon("/proc/1/root/etc", &cp, NULL) < 0);
	assert_true(canon("/proc/1/cwd", &cp, NULL) < 0);
	snprintf(p, sizeof(p), "/proc/%d/cwd", (int)getpid());
	assert_int_equal(canon(p, &cp, NULL), -EPERM);
	assert_int_equal(canon("/proc/thread-self/root", &cp, NULL), -EPERM);
	assert_int_equal(canon("/proc/self/ns/net", &cp, NULL), -EPERM);
	assert_true(fd >= 0);
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	assert_int_equal(canon(p, &cp, NULL), -EPERM);
	snprintf(p, sizeof(p), "/dev/fd/%d/passwd", fd); /* /dev/fd -> /proc/self/fd */
	assert_int_equal(canon(p, &cp, NULL), access("/dev/fd", F_OK) == 0 ? -EPERM : 0);
	close(fd);
	/* an ordinary symlink into a magic link is still refused */
	assert_int_equal(symlink("/proc/self/root/etc", T("sneaky")), 0);
	assert_int_equal(canon(T("sneaky"), &cp, NULL), -EPERM);
	/* procfs's own ordinary links are followed */
	assert_int_equal(canon("/proc/self/status", &cp, NULL), 0);
	assert_true(cp.exists);
	assert_int_equal(canon("/proc/mounts", &cp, NULL), 0);
	assert_true(strncmp(cp.path, "/proc/", 6) == 0 && strstr(cp.path, "/mounts"));
}

static void test_namespaces(void **state)
{
	struct hs_file_id self_net, pid1_net, id;
	struct hs_error err = HS_ERROR_INIT;
	int type = 0;

	assert_int_equal(H->ns_host(H, "network", 0, &self_net), 0);
	/* pid 1 may be beyond ptrace reach on some hosts (this CI machine): EACCES, not a crash */
	int r1 = H->ns_host(H, "network", 1, &pid1_net);
	assert_true(r1 == 0 || r1 == -EACCES || r1 == -EPERM);
	assert_int_equal(H->ns_inspect(H, "/proc/self/ns/net", &type, &id, &err), 0);
	assert_int_equal(type, CLONE_NEWNET);
	assert_true(id.dev == self_net.dev && id.ino == self_net.ino);
	assert_int_equal(H->ns_inspect(H, "/proc/self/ns/mnt", &type, &id, &err), 0);
	assert_int_equal(type, CLONE_NEWNS);
	assert_int_equal(H->ns_inspect(H, "/proc/self/ns/pid", &type, &id, &err), 0);
	assert_int_equal(type, CLONE_NEWPID);
	assert_int_equal(H->ns_inspect(H, "/proc/self/ns/uts", &type, &id, &err), 0);
	assert_int_equal(type, CLONE_NEWUTS);
	for (const char *const *t =
		 (const char *const[]){ "mount", "pid", "ipc", "uts", "cgroup", "user", NULL };
	     *t; t++)
		assert_int_equal(H->ns_host(H, *t, 0, &id), 0);
	assert_int_equal(H->ns_host(H, "bogus", 1, &id), -EINVAL);
	assert_int_equal(H->ns_host(H, "net", 1, &id), -EINVAL); /* OCI names only */
	assert_int_equal(H->ns_inspect(H, "/etc/passwd", &type, &id, NULL), -EINVAL);
	assert_int_equal(H->ns_inspect(H, "/nonexistent/ns", &type, &id, NULL), -ENOENT);
	assert_int_equal(H->ns_inspect(H, "/dev/null", &type, &id, NULL), -EINVAL);
}

/* An image's directory before hardshim copies it into a tmpfs: a real directory all the way
 * (no symlink on the way, not even one inside the image), its tree counted without following
 * links, the walk bounded. */
static void test_dir_in_root(void **state)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC };
	struct hs_dir_facts f;
	int fd;

	fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* valgrind does not know openat2 (nor do kernels before 5.6): the real host then
		 * answers nothing and hardshim adds no writable directory */
		print_message("openat2 is not available here: skipped\n");
		skip();
	}
	if (fd >= 0)
		close(fd);
	assert_int_equal(mkdir(T("app"), 0750), 0);
	assert_int_equal(mkdir(T("app/sub"), 0755), 0);
	assert_int_equal(mkdir(T("empty"), 0755), 0);
	fd = open(T("app/sub/data"), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "12345", 5), 5);
	close(fd);
	assert_int_equal(symlink("/bin", T("app/bin")), 0);
	assert_int_equal(symlink("app", T("link")), 0);
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/app", 100, 8, &f), 0);
	assert_int_equal(f.mode & 07777, 0750);
	assert_int_equal(f.entries, 3); /* sub, sub/data, the link (not followed) */
	assert_int_equal(f.bytes, 5);
	assert_false(f.executable);
	assert_false(f.over_limit);
	assert_int_equal(f.n_subdirs, 1);
	assert_string_equal(f.subdirs[0], "sub");
	/* bounded: in entries, and in depth (what is below is unknown) */
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/app", 1, 8, &f), 0);
	assert_true(f.over_limit);
	assert_int_equal(mkdir(T("app/sub/deeper"), 0755), 0);
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/app", 100, 1, &f), 0);
	assert_true(f.over_limit);
	/* depth 0 is a listing: its own entries, nothing below them looked at */
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/app", 100, 0, &f), 0);
	assert_int_equal(f.entries, 2);
	assert_false(f.over_limit);
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/empty", 0, 0, &f), 0);
	assert_int_equal(f.entries, 0);
	assert_false(f.over_limit);
	/* an executable anywhere below */
	assert_int_equal(chmod(T("app/sub/data"), 0755), 0);
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/app", 100, 8, &f), 0);
	assert_true(f.executable);
	/* a symlink on the way, even one that stays in the image: refused */
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/link", 100, 8, &f), -ELOOP);
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/link/sub", 100, 8, &f), -ELOOP);
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/missing", 100, 8, &f), -ENOENT);
	assert_int_equal(H->dir_in_root(H, arena, canon_tmp, "/app/sub/data", 100, 8, &f),
			 -ENOTDIR);
}

static const char *in_root(const char *path)
{
	struct hs_error err = HS_ERROR_INIT;
	const char *ret = NULL;

	if (H->resolve_in_root(H, arena, canon_tmp, path, &ret, &err) < 0)
		return hs_arena_strdup(arena, err.rule);
	return ret;
}

/* Destinations resolved as securejoin and openat2(RESOLVE_IN_ROOT) do: the image's links
 * followed with the rootfs as "/", ".." stopping there, lexical past what is missing. */
static void test_resolve_in_root(void **state)
{
	int fd;

	assert_int_equal(mkdir(T("proc"), 0755), 0);
	assert_int_equal(mkdir(T("usr"), 0755), 0);
	assert_int_equal(symlink("/proc", T("x")), 0);
	assert_int_equal(symlink("../../../../proc", T("usr/up")), 0);
	assert_int_equal(symlink("usr", T("rel")), 0);
	assert_int_equal(symlink("loop2", T("loop1")), 0);
	assert_int_equal(symlink("loop1", T("loop2")), 0);
	assert_string_equal(in_root("/x/sys"), "/proc/sys");
	assert_string_equal(in_root("/usr/up/sys"), "/proc/sys"); /* .. stops at the rootfs */
	assert_string_equal(in_root("/rel/up/sys/kernel"), "/proc/sys/kernel");
	assert_string_equal(in_root("/../../x/./sys"), "/proc/sys");
	assert_string_equal(in_root("/usr/missing/../x"), "/usr/x");
	assert_string_equal(in_root("/missing/../x/sys"),
			    "/proc/sys"); /* missing/.. is looked past */
	assert_string_equal(in_root("/data"), "/data");
	/* below a missing name nothing is looked up (inroot.c's gone); ".." back above it looks
	 * again: x is the link to /proc once more, a regular file's "child" is missing too */
	assert_string_equal(in_root("/missing/a/b/../../../x/sys"), "/proc/sys");
	assert_string_equal(in_root("/missing/a/../b/x"), "/missing/b/x");
	assert_string_equal(in_root("/usr/missing/deeper/../../up/sys"), "/proc/sys");
	fd = open(T("file"), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(in_root("/file/a/../../x/y"), "/proc/y");
	assert_string_equal(in_root("/"), "/");
	assert_string_equal(in_root("/loop1/x"), "host.symlink-loop");
}

static void test_file_id_and_mac(void **state)
{
	struct hs_file_id a, b;
	struct stat st;

	assert_int_equal(H->file_id(H, "/etc", &a), 0);
	assert_int_equal(stat("/etc", &st), 0);
	assert_true(a.ino == st.st_ino && a.dev == st.st_dev);
	assert_int_equal(symlink("/etc", T("e")), 0);
	assert_int_equal(H->file_id(H, T("e"), &b), 0);
	assert_true(a.ino == b.ino);
	assert_int_equal(H->file_id(H, T("missing"), &b), -ENOENT);
	assert_int_equal(hs_host_with_mac(HS_MAC_APPARMOR)->mac(hs_host_with_mac(HS_MAC_APPARMOR)),
			 HS_MAC_APPARMOR);
	assert_int_equal(hs_host_with_mac(HS_MAC_SELINUX)->mac(hs_host_with_mac(HS_MAC_SELINUX)),
			 HS_MAC_SELINUX);
	/* this machine has neither (docs/runtime-differences.md, "This machine"): both say so */
	if (access("/sys/kernel/security/apparmor", F_OK) != 0 &&
	    access("/sys/fs/selinux/enforce", F_OK) != 0) {
		assert_int_equal(H->mac(H), HS_MAC_NONE);
		assert_int_equal(H->apparmor_profile_loaded(H, "docker-default"), 0);
		assert_true(H->selinux_context_valid(H, "system_u:system_r:container_t:s0") <= 0);
	}
}

/* hardshim's own path in the core: the front's, as the front passed it, and only when it names
 * a file beside the core (here the test binary stands for both); a front replaced while
 * running is stale; nothing passed: none (no hook of hardshim's is written or admitted). */
static void test_self_binary_is_the_front(void **state)
{
	const struct hs_host *h = hs_host_real();
	struct hs_arena *a = hs_arena_new();
	char self[PATH_MAX], other[PATH_MAX + 32];
	const char *got = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	assert_non_null(a);
	assert_true(n > 0);
	self[n] = '\0';
	hs_host_set_front(NULL);
	assert_int_equal(h->self_binary(h, a, &got), -ENOENT);
	hs_host_set_front(self);
	assert_int_equal(h->self_binary(h, a, &got), 0);
	assert_string_equal(got, self);
	/* another name in the same directory: what the front passes is its own name */
	snprintf(other, sizeof(other), "%s-front", self);
	hs_host_set_front(other);
	assert_int_equal(h->self_binary(h, a, &got), 0);
	assert_string_equal(got, other);
	/* anywhere else, relative, a directory alone: none */
	hs_host_set_front("/tmp/hardshim");
	assert_int_equal(h->self_binary(h, a, &got), -ENOENT);
	snprintf(other, sizeof(other), "%.*s/x/hardshim", (int)(strrchr(self, '/') - self), self);
	hs_host_set_front(other);
	assert_int_equal(h->self_binary(h, a, &got), -ENOENT);
	snprintf(other, sizeof(other), "%.*s/", (int)(strrchr(self, '/') - self), self);
	hs_host_set_front(other);
	assert_int_equal(h->self_binary(h, a, &got), -ENOENT);
	hs_host_set_front("hardshim");
	assert_int_equal(h->self_binary(h, a, &got), -ENOENT);
	snprintf(other, sizeof(other), "%s (deleted)", self);
	hs_host_set_front(other);
	assert_int_equal(h->self_binary(h, a, &got), -ESTALE);
	hs_host_set_front(NULL);
	hs_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_binary_is_the_front),
		cmocka_unit_test_setup_teardown(test_symlink_chain_and_dots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_magic_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_id_and_mac, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
