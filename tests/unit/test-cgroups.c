/* SPDX-License-Identifier: Apache-2.0
 * cgroups: a linux.cgroupsPath that names a cgroup already holding processes (or the root) is
 * refused; a fresh one, an absent one and systemd's slice:prefix:name pass. */
#include <string.h>

#include "harness.h"

extern const struct hs_control hs_control_cgroups;

static void check(struct hs_t *f, const char *path)
{
	char config[512];

	snprintf(config, sizeof(config), "{\"linux\":{\"cgroupsPath\":\"%s\"}}", path);
	assert_int_equal(t_check(f, config), 0);
}

static void test_in_use_refused(void **state)
{
	static const char *const bad[] = { "/",
					   "/system.slice",
					   "system.slice",
					   "/a/../system.slice",
					   "//system.slice/",
					   "/system.slice/sshd.service",
					   "/.." };
	struct hs_t f;

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		t_control(&f, &hs_control_cgroups);
		assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/system.slice/sshd.service"),
				 0);
		check(&f, bad[i]);
		if (!t_find(&f, "cgroups.in-use", "linux.cgroupsPath"))
			fail_msg("%s not refused", bad[i]);
		assert_true(f.report->refused);
		t_done(&f);
	}
}

static void test_fresh_passes(void **state)
{
	static const char *const good[] = { "/kubepods/besteffort/pod1/abc",
					    "/libpod_parent/libpod-1", "machine.slice:libpod:1",
					    "/system.slice2" };
	struct hs_t f;

	for (size_t i = 0; i < HS_ARRAY_SIZE(good); i++) {
		t_control(&f, &hs_control_cgroups);
		assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/system.slice/sshd.service"),
				 0);
		check(&f, good[i]);
		assert_int_equal(f.report->len, 0);
		t_done(&f);
	}
	/* hook mode: the container's own init is in its cgroup already; not judged there */
	t_control(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/k8s.io/c1"), 0);
	assert_int_equal(t_load(&f, NULL, NULL), 0);
	t_ctx(&f, HS_EVENT_HOOK);
	f.ctx.config = t_parse(&f, "{\"linux\":{\"cgroupsPath\":\"/k8s.io/c1\"}}");
	assert_int_equal(hs_control_cgroups.check_config(&f.ctx, f.cfg), 0);
	assert_int_equal(f.report->len, 0);
	t_done(&f);
	t_control(&f, &hs_control_cgroups);
	assert_int_equal(t_check(&f, "{\"linux\":{}}"), 0);
	assert_int_equal(f.report->len, 0);
	t_done(&f);
}

/* ':' means the systemd form only to the systemd driver: the cgroupfs driver (both runtimes'
 * default) cleans "/x:y/../system.slice" as a path, into a busy cgroup. */
static void test_colon_per_driver(void **state)
{
	static const char *const escape[] = { "/x:y/../system.slice", "a:b:../../system.slice",
					      "x:y/../../system.slice/sshd.service" };
	struct hs_t f;

	for (size_t i = 0; i < HS_ARRAY_SIZE(escape); i++) {
		/* cgroupfs: judged as the path it is */
		t_control(&f, &hs_control_cgroups);
		assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/system.slice/sshd.service"),
				 0);
		check(&f, escape[i]);
		if (!t_find(&f, "cgroups.in-use", "linux.cgroupsPath"))
			fail_msg("%s not refused under cgroupfs", escape[i]);
		t_done(&f);
		/* systemd: not the slice:prefix:name form */
		t_control(&f, &hs_control_cgroups);
		f.ctx.systemd_cgroup = true;
		check(&f, escape[i]);
		if (!t_find(&f, "cgroups.systemd-form", "linux.cgroupsPath"))
			fail_msg("%s not refused under systemd", escape[i]);
		t_done(&f);
	}
	t_control(&f, &hs_control_cgroups);
	f.ctx.systemd_cgroup = true;
	check(&f, "system.slice:libpod:abc");
	assert_int_equal(f.report->len, 0);
	t_done(&f);
}

/* A relative path: runc joins it below its own cgroup (hardshim's), crun below the root; a
 * busy cgroup reached either way is refused. */
static void test_relative_judged_below_own_cgroup(void **state)
{
	static const char *const sibling = "../session-2.scope";
	struct hs_t f;

	/* from the root, "../session-2.scope" is /session-2.scope: fresh */
	t_control(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/user.slice/session-2.scope"), 0);
	check(&f, sibling);
	assert_int_equal(f.report->len, 0);
	t_done(&f);

	/* from hardshim's own cgroup it is another login session's: refused */
	t_control(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/user.slice/session-2.scope"), 0);
	assert_int_equal(hs_fake_host_set_own_cgroup(f.fh, "/user.slice/session-1.scope"), 0);
	check(&f, sibling);
	assert_non_null(t_find(&f, "cgroups.in-use", "linux.cgroupsPath"));
	assert_true(f.report->refused);
	assert_non_null(strstr(f.report->items[0].message, "relative"));
	t_done(&f);

	/* and below the root, whatever our own cgroup */
	t_control(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/system.slice/sshd.service"), 0);
	assert_int_equal(hs_fake_host_set_own_cgroup(f.fh, "/user.slice/session-1.scope"), 0);
	check(&f, "system.slice");
	assert_true(f.report->refused);
	t_done(&f);

	/* a fresh relative one passes */
	t_control(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/user.slice/session-2.scope"), 0);
	assert_int_equal(hs_fake_host_set_own_cgroup(f.fh, "/user.slice/session-1.scope"), 0);
	check(&f, "hs-c1");
	assert_int_equal(f.report->len, 0);
	t_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_use_refused),
		cmocka_unit_test(test_fresh_passes),
		cmocka_unit_test(test_colon_per_driver),
		cmocka_unit_test(test_relative_judged_below_own_cgroup),
	};
	return cmocka_run_group_tests_name("cgroups", tests, NULL, NULL);
}
