/* SPDX-License-Identifier: Apache-2.0
 * cgroups: a linux.cgroupsPath that names a cgroup already holding processes (or the root) is
 * refused; a fresh one, an absent one and systemd's slice:prefix:name pass. */
#include <string.h>

#include "control-fixture.h"

extern const struct hs_control hs_control_cgroups;

static void check(struct control_fixture *f, const char *path)
{
	char config[512];

	snprintf(config, sizeof(config), "{\"linux\":{\"cgroupsPath\":\"%s\"}}", path);
	assert_int_equal(cf_check(f, config), 0);
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
	struct control_fixture f;

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		cf_init(&f, &hs_control_cgroups);
		assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/system.slice/sshd.service"),
				 0);
		check(&f, bad[i]);
		if (!cf_find(&f, "cgroups.in-use", "linux.cgroupsPath"))
			fail_msg("%s not refused", bad[i]);
		assert_true(f.report->refused);
		cf_done(&f);
	}
}

static void test_fresh_passes(void **state)
{
	static const char *const good[] = { "/kubepods/besteffort/pod1/abc",
					    "/libpod_parent/libpod-1", "machine.slice:libpod:1",
					    "/system.slice2" };
	struct control_fixture f;

	for (size_t i = 0; i < HS_ARRAY_SIZE(good); i++) {
		cf_init(&f, &hs_control_cgroups);
		assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/system.slice/sshd.service"),
				 0);
		check(&f, good[i]);
		assert_int_equal(f.report->len, 0);
		cf_done(&f);
	}
	/* hook mode: the container's own init is in its cgroup already; not judged there */
	cf_init(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/k8s.io/c1"), 0);
	assert_int_equal(cf_load(&f, NULL, NULL), 0);
	f.ctx.event = HS_EVENT_HOOK;
	f.ctx.arena = f.arena;
	f.ctx.host = hs_fake_host_get(f.fh);
	f.ctx.report = f.report;
	f.ctx.config = cf_parse(&f, "{\"linux\":{\"cgroupsPath\":\"/k8s.io/c1\"}}");
	assert_int_equal(hs_control_cgroups.check_config(&f.ctx, f.cfg), 0);
	assert_int_equal(f.report->len, 0);
	cf_done(&f);
	cf_init(&f, &hs_control_cgroups);
	assert_int_equal(cf_check(&f, "{\"linux\":{}}"), 0);
	assert_int_equal(f.report->len, 0);
	cf_done(&f);
}

/* ':' means the systemd form only to the systemd driver: the cgroupfs driver (both runtimes'
 * default) cleans "/x:y/../system.slice" as a path, into a busy cgroup. */
static void test_colon_per_driver(void **state)
{
	static const char *const escape[] = { "/x:y/../system.slice", "a:b:../../system.slice",
					      "x:y/../../system.slice/sshd.service" };
	struct control_fixture f;

	for (size_t i = 0; i < HS_ARRAY_SIZE(escape); i++) {
		/* cgroupfs: judged as the path it is */
		cf_init(&f, &hs_control_cgroups);
		assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/system.slice/sshd.service"),
				 0);
		check(&f, escape[i]);
		if (!cf_find(&f, "cgroups.in-use", "linux.cgroupsPath"))
			fail_msg("%s not refused under cgroupfs", escape[i]);
		cf_done(&f);
		/* systemd: not the slice:prefix:name form */
		cf_init(&f, &hs_control_cgroups);
		f.ctx.systemd_cgroup = true;
		check(&f, escape[i]);
		if (!cf_find(&f, "cgroups.systemd-form", "linux.cgroupsPath"))
			fail_msg("%s not refused under systemd", escape[i]);
		cf_done(&f);
	}
	cf_init(&f, &hs_control_cgroups);
	f.ctx.systemd_cgroup = true;
	check(&f, "system.slice:libpod:abc");
	assert_int_equal(f.report->len, 0);
	cf_done(&f);
}

/* A relative path: runc joins it below its own cgroup (hardshim's), crun below the root; a
 * busy cgroup reached either way is refused. */
static void test_relative_judged_below_own_cgroup(void **state)
{
	static const char *const sibling = "../session-2.scope";
	struct control_fixture f;

	/* from the root, "../session-2.scope" is /session-2.scope: fresh */
	cf_init(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/user.slice/session-2.scope"), 0);
	check(&f, sibling);
	assert_int_equal(f.report->len, 0);
	cf_done(&f);

	/* from hardshim's own cgroup it is another login session's: refused */
	cf_init(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/user.slice/session-2.scope"), 0);
	assert_int_equal(hs_fake_host_set_own_cgroup(f.fh, "/user.slice/session-1.scope"), 0);
	check(&f, sibling);
	assert_non_null(cf_find(&f, "cgroups.in-use", "linux.cgroupsPath"));
	assert_true(f.report->refused);
	assert_non_null(strstr(f.report->items[0].message, "relative"));
	cf_done(&f);

	/* and below the root, whatever our own cgroup */
	cf_init(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/system.slice/sshd.service"), 0);
	assert_int_equal(hs_fake_host_set_own_cgroup(f.fh, "/user.slice/session-1.scope"), 0);
	check(&f, "system.slice");
	assert_true(f.report->refused);
	cf_done(&f);

	/* a fresh relative one passes */
	cf_init(&f, &hs_control_cgroups);
	assert_int_equal(hs_fake_host_add_busy_cgroup(f.fh, "/user.slice/session-2.scope"), 0);
	assert_int_equal(hs_fake_host_set_own_cgroup(f.fh, "/user.slice/session-1.scope"), 0);
	check(&f, "hs-c1");
	assert_int_equal(f.report->len, 0);
	cf_done(&f);
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
