/* SPDX-License-Identifier: Apache-2.0
 * The invented host answers as src/host/ does on a real machine: other rooms' tests rely on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sched.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_canonicalize_symlinks_and_dots, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_canonicalize_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_and_ids, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
