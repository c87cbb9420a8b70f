/* SPDX-License-Identifier: Apache-2.0
 * The invented host answers as src/host/ does on a real machine: other rooms' tests rely on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake-host.h"

static struct hs_fake_host *fh;
static struct hs_arena *arena;

static int setup(void **state)
{
	fh = hs_fake_host_new_default();
	arena = hs_arena_new();
	return fh && arena ? 0 : -1;
}

static int teardown(void **state)
{
	hs_fake_host_free(fh);
	hs_arena_free(arena);
	return 0;
}

static int canon(const char *path, struct hs_canonical_path *cp, struct hs_error *err)
{
	const struct hs_host *h = hs_fake_host_get(fh);
	return h->canonicalize(h, arena, path, cp, err);
}

static void test_canonicalize_symlinks_and_dots(void **state)
{
	struct hs_canonical_path cp;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(canon("/var/run/containerd//./containerd.sock", &cp, &err), 0);
	assert_string_equal(cp.path, "/run/containerd/containerd.sock");
	assert_true(cp.exists);
	assert_int_equal(cp.n_components, 4);
	assert_string_equal(cp.components[0].path, "/");
	assert_string_equal(cp.components[3].path, "/run/containerd/containerd.sock");
	assert_int_equal(canon("/srv/data/../../bin", &cp, &err), 0);
	assert_string_equal(cp.path, "/usr/bin");
	assert_int_equal(canon("/srv/data/new/file", &cp, &err), 0);
	assert_false(cp.exists);
	assert_string_equal(cp.path, "/srv/data/new/file");
	assert_int_equal(cp.n_components, 3);
	assert_int_equal(canon("/home/alice", &cp, &err), 0);
	assert_int_equal(cp.components[2].uid, 1000);
	assert_int_equal(canon("/tmp", &cp, &err), 0);
	assert_int_equal(cp.components[1].mode & 07777, 01777);
}

static void test_canonicalize_refusals(void **state)
{
	struct hs_canonical_path cp;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(canon("/proc/self/root/etc", &cp, &err), -EPERM);
	assert_string_equal(err.rule, "host.magic-link");
	err = (struct hs_error)HS_ERROR_INIT;
	assert_int_equal(canon("/proc/1/ns/net", &cp, &err), -EPERM);
	assert_int_equal(hs_fake_host_add_symlink(fh, "/srv/a", "b"), 0);
	assert_int_equal(hs_fake_host_add_symlink(fh, "/srv/b", "/srv/a"), 0);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_int_equal(canon("/srv/a", &cp, &err), -ELOOP);
	assert_string_equal(err.rule, "host.symlink-loop");
	assert_int_equal(canon("/etc/passwd/x", &cp, NULL), -ENOTDIR);
	assert_int_equal(canon("/nope/..", &cp, NULL), -ENOENT);
	assert_int_equal(canon("etc", &cp, NULL), -EINVAL);
	assert_int_equal(hs_fake_host_fail(fh, "canonicalize", EIO), 0);
	assert_int_equal(canon("/etc", &cp, NULL), -EIO);
}

static void test_namespaces(void **state)
{
	const struct hs_host *h = hs_fake_host_get(fh);
	struct hs_file_id host, id;
	int type;

	assert_int_equal(h->ns_host(h, "network", 1, &host), 0);
	assert_int_equal(h->ns_inspect(h, "/proc/1/ns/net", &type, &id, NULL), 0);
	assert_int_equal(type, CLONE_NEWNET);
	assert_true(id.dev == host.dev && id.ino == host.ino);
	assert_int_equal(h->ns_inspect(h, "/proc/self/ns/net", &type, &id, NULL), 0);
	assert_true(id.ino == host.ino);
	assert_int_equal(h->ns_inspect(h, "/var/run/netns/cni-1111", &type, &id, NULL), 0);
	assert_int_equal(type, CLONE_NEWNET);
	assert_true(id.ino != host.ino);
	assert_int_equal(h->ns_inspect(h, "/proc/4242/ns/pid", &type, &id, NULL), 0);
	assert_int_equal(type, CLONE_NEWPID);
	assert_int_equal(h->ns_inspect(h, "/etc/passwd", &type, &id, NULL), -EINVAL);
	assert_int_equal(h->ns_inspect(h, "/nope", &type, &id, NULL), -ENOENT);
	assert_int_equal(h->ns_host(h, "bogus", 1, &id), -EINVAL);
}

static void test_mac_and_ids(void **state)
{
	const struct hs_host *h = hs_fake_host_get(fh);
	struct hs_file_id a, b;

	assert_int_equal(h->mac(h), HS_MAC_NONE);
	hs_fake_host_set_mac(fh, HS_MAC_APPARMOR);
	assert_int_equal(h->mac(h), HS_MAC_APPARMOR);
	assert_int_equal(h->apparmor_profile_loaded(h, "hardshim-default"), 0);
	assert_int_equal(hs_fake_host_add_apparmor_profile(fh, "hardshim-default"), 0);
	assert_int_equal(h->apparmor_profile_loaded(h, "hardshim-default"), 1);
	assert_int_equal(hs_fake_host_add_selinux_context(fh, "system_u:system_r:container_t:s0"),
			 0);
	assert_int_equal(h->selinux_context_valid(h, "system_u:system_r:container_t:s0"), 1);
	assert_int_equal(h->selinux_context_valid(h, "bogus"), 0);
	assert_int_equal(h->file_id(h, "/var/run", &a), 0);
	assert_int_equal(h->file_id(h, "/run", &b), 0);
	assert_true(a.ino == b.ino);
	assert_int_equal(hs_fake_host_add_dir(fh, "/mnt/alias", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_set_id(fh, "/mnt/alias", b.dev, b.ino), 0);
	assert_int_equal(h->file_id(h, "/mnt/alias", &a), 0);
	assert_true(a.ino == b.ino);
}

/*
 * The same tree on disk (a temporary directory) and in the fake host, at the same absolute
 * paths: hs_canonical_path must answer the same for both, code for code, rule for rule,
 * component for component. The fake host feeds the real walk its steps; a step that answered
 * otherwise than the kernel (a link's target, a missing entry, a mode) shows up here.
 */
enum kind { DIR_, FILE_, LINK };

struct node {
	enum kind kind;
	const char *rel;
	const char *target; /* LINK; "@" + rel: absolute, inside the tree */
	uid_t uid;
	mode_t perm;
};

static const struct node tree[] = {
	{ DIR_, "d", NULL, 0, 0755 },
	{ DIR_, "d/sub", NULL, 1000, 0750 },
	{ FILE_, "d/file", NULL, 0, 0644 },
	{ LINK, "rel", "d/sub", 0, 0 },
	{ LINK, "abs", "@d", 0, 0 },
	{ LINK, "up", "../..", 0, 0 },
	{ LINK, "dangling", "nowhere/x", 0, 0 },
	{ LINK, "loop1", "loop2", 0, 0 },
	{ LINK, "loop2", "loop1", 0, 0 },
	{ LINK, "self", ".", 0, 0 },
	{ LINK, "etc", "/etc", 0, 0 },
	{ LINK, "proc", "/proc/self/root", 0, 0 },
	{ LINK, "d/sub/back", "../../abs", 0, 0 },
};

/* hs_canonical_path of each, relative to the tree unless absolute. */
static const char *const walks[] = {
	"d/sub",
	"rel",
	"rel/..",
	"rel/../file",
	"abs/sub/../file",
	"d//./sub/",
	"d/sub/back/sub/back/file",
	"up",
	"up/tmp",
	"up/../../..",
	"dangling",
	"dangling/../x",
	"d/missing/new",
	"d/missing/../new",
	"loop1",
	"self/self/d",
	"chain00",
	"chain01",
	"d/file/x",
	"etc",
	"proc/etc",
	"/",
	"/..",
	"relative",
	"",
};

#define CHAIN 41 /* chain00 -> chain01 -> ... -> chain40 -> d: one link too many from chain00 */

static char disk[PATH_MAX];

/* The tree on disk: made before and removed after each test that builds one, failed or not. */
static int setup_disk(void **state)
{
	char tmp[] = "/tmp/hs-fake-XXXXXX";

	if (setup(state) < 0 || !mkdtemp(tmp) || !realpath(tmp, disk))
		return -1;
	return 0;
}

static int teardown_disk(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", disk);
	return teardown(state) == 0 && system(cmd) == 0 ? 0 : -1;
}

static const char *in_tree(const char *rel)
{
	return hs_arena_printf(arena, "%s/%s", disk, rel);
}

static const char *link_target(const struct node *n)
{
	return n->target[0] == '@' ? in_tree(n->target + 1) : n->target;
}

static void build_both(void)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(tree); i++) {
		const struct node *n = &tree[i];
		const char *p = in_tree(n->rel);

		if (n->kind == DIR_) {
			assert_int_equal(mkdir(p, n->perm), 0);
			assert_int_equal(hs_fake_host_add_dir(fh, p, n->uid, n->uid, n->perm), 0);
		} else if (n->kind == FILE_) {
			assert_int_equal(close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, n->perm)),
					 0);
			assert_int_equal(hs_fake_host_add_file(fh, p, n->uid, n->uid, n->perm), 0);
		} else {
			assert_int_equal(symlink(link_target(n), p), 0);
			assert_int_equal(hs_fake_host_add_symlink(fh, p, link_target(n)), 0);
		}
		if (n->kind != LINK) {
			assert_int_equal(chown(p, n->uid, n->uid), 0);
			assert_int_equal(chmod(p, n->perm), 0);
		}
	}
	for (int i = 0; i < CHAIN; i++) {
		const char *p = in_tree(hs_arena_printf(arena, "chain%02d", i));
		const char *t = i + 1 < CHAIN ? hs_arena_printf(arena, "chain%02d", i + 1) : "d";

		assert_int_equal(symlink(t, p), 0);
		assert_int_equal(hs_fake_host_add_symlink(fh, p, t), 0);
	}
}

static void same_component(const struct hs_path_component *d, const struct hs_path_component *f,
			   bool in_tree_part)
{
	assert_string_equal(d->path, f->path);
	if (!in_tree_part) /* "/", /tmp and the like: this machine's own facts */
		return;
	assert_int_equal(d->mode, f->mode);
	assert_int_equal(d->uid, f->uid);
	assert_int_equal(d->gid, f->gid);
}

static void same_walk(const char *path, size_t prefix)
{
	const struct hs_host *real = hs_host_real(), *fake = hs_fake_host_get(fh);
	struct hs_canonical_path dc = { 0 }, fc = { 0 };
	struct hs_error de = HS_ERROR_INIT, fe = HS_ERROR_INIT;
	int dr = real->canonicalize(real, arena, path, &dc, &de);
	int fr = fake->canonicalize(fake, arena, path, &fc, &fe);

	print_message("# %.60s: %d %.60s\n", path, dr, dr < 0 ? de.rule : dc.path);
	assert_int_equal(dr, fr);
	if (dr < 0) {
		assert_string_equal(de.rule, fe.rule);
		/* a magic link's refusal names a pid: this process's, or the fake host's 4000 */
		if (strcmp(de.rule, "host.magic-link") != 0)
			assert_string_equal(de.msg, fe.msg);
		return;
	}
	assert_string_equal(dc.path, fc.path);
	assert_int_equal(dc.exists, fc.exists);
	assert_int_equal(dc.n_components, fc.n_components);
	for (size_t i = 0; i < dc.n_components; i++)
		same_component(&dc.components[i], &fc.components[i], i >= prefix);
}

static void test_same_walk_as_disk(void **state)
{
	struct hs_canonical_path cp;
	char *long_name, *long_path;

	build_both();
	/* the tree's own directory has the same facts in both: what is below it is compared */
	assert_int_equal(hs_host_real()->canonicalize(hs_host_real(), arena, disk, &cp, NULL), 0);
	for (size_t i = 0; i < HS_ARRAY_SIZE(walks); i++) {
		const char *p = walks[i];

		same_walk(p[0] == '/' || !strcmp(p, "relative") ? p : in_tree(p), cp.n_components);
	}
	long_name = hs_arena_alloc(arena, NAME_MAX + 2);
	memset(long_name, 'n', NAME_MAX + 1);
	long_name[NAME_MAX + 1] = 0;
	same_walk(in_tree(long_name), cp.n_components);
	long_path = hs_arena_alloc(arena, PATH_MAX + 1);
	memset(long_path, '/', PATH_MAX);
	long_path[PATH_MAX] = 0;
	same_walk(long_path, cp.n_components);
}

/* read_root_file on the same files on disk and in the fake host: the same answer (code, rule,
 * message, bytes). The fake host judges with rootfile.c's own checks on the real walk. */
static const struct {
	const char *rel;
	uid_t uid;
	mode_t perm;
} root_files[] = {
	{ "store.json", 0, 0644 },         { "group-writable.json", 0, 0664 },
	{ "users.json", 1000, 0644 },      { "d/sub/in-users-dir.json", 0, 0644 },
	{ "d/in-root-dir.json", 0, 0600 },
};

static void same_read(const char *path)
{
	const struct hs_host *real = hs_host_real(), *fake = hs_fake_host_get(fh);
	const char *db = NULL, *fb = NULL;
	size_t dl = 0, fl = 0;
	struct hs_error de = HS_ERROR_INIT, fe = HS_ERROR_INIT;
	int dr = real->read_root_file(real, arena, path, 4096, &db, &dl, &de);
	int fr = fake->read_root_file(fake, arena, path, 4096, &fb, &fl, &fe);

	print_message("# read %.60s: %d %s\n", path, dr, dr < 0 ? de.msg : db);
	assert_int_equal(dr, fr);
	if (dr < 0) {
		assert_string_equal(de.rule, fe.rule);
		assert_string_equal(de.msg, fe.msg);
		return;
	}
	assert_int_equal(dl, fl);
	assert_string_equal(db, fb);
}

static void test_same_root_file_as_disk(void **state)
{
	static const char *const reads[] = { "store.json",
					     "group-writable.json",
					     "users.json",
					     "d/sub/in-users-dir.json",
					     "d/in-root-dir.json",
					     "abs/in-root-dir.json",
					     "d",
					     "missing.json" };

	build_both();
	for (size_t i = 0; i < HS_ARRAY_SIZE(root_files); i++) {
		const char *p = in_tree(root_files[i].rel);
		const char *body = hs_arena_printf(arena, "[\"%s\"]\n", root_files[i].rel);
		FILE *f = fopen(p, "we");

		assert_non_null(f);
		assert_true(fputs(body, f) >= 0);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(chown(p, root_files[i].uid, 0), 0);
		assert_int_equal(chmod(p, root_files[i].perm), 0);
		assert_int_equal(hs_fake_host_add_file_body(fh, p, root_files[i].uid, 0,
							    root_files[i].perm, body),
				 0);
	}
	/* the tree's directory is root's 0700 on disk: the same in the fake host */
	assert_int_equal(hs_fake_host_add_dir(fh, disk, 0, 0, 0700), 0);
	for (size_t i = 0; i < HS_ARRAY_SIZE(reads); i++)
		same_read(in_tree(reads[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_canonicalize_symlinks_and_dots, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_canonicalize_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_and_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_walk_as_disk, setup_disk, teardown_disk),
		cmocka_unit_test_setup_teardown(test_same_root_file_as_disk, setup_disk,
						teardown_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
