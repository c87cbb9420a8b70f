/* SPDX-License-Identifier: Apache-2.0
 * Control "mac" with invented hosts: AppArmor (default profile set, unconfined refused,
 * unlisted refused, not-loaded refused, host error fails closed), SELinux (MCS label generated
 * and validated, mount label with the same categories, privileged types and ranges refused,
 * invalid contexts refused), no MAC (warn or refuse by policy), exec process documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fake-host.h"
#include "harness.h"
#include "hs-policy.h"
#include "../../src/policy/mac.h"

extern const struct hs_control hs_control_mac;

static const char *profile_of(const struct hs_t *r)
{
	return hs_json_get_string(hs_json_get(t_doc(r), "process"), "apparmorProfile");
}

#define CFG(process_extra) "{\"process\":{\"args\":[\"sh\"]" process_extra "},\"linux\":{}}"

static struct hs_fake_host *apparmor_host(void)
{
	struct hs_fake_host *fh = hs_fake_host_new_default();
	hs_fake_host_set_mac(fh, HS_MAC_APPARMOR);
	assert_int_equal(hs_fake_host_add_apparmor_profile(fh, "hardshim-default"), 0);
	assert_int_equal(hs_fake_host_add_apparmor_profile(fh, "nginx-strict"), 0);
	return fh;
}

static void test_apparmor_default_set(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = apparmor_host();
	struct hs_t r;
	t_control_run(&r, &hs_control_mac, fh, NULL, CFG(""), HS_EVENT_CREATE);
	assert_int_equal(r.ret, 0);
	t_expect(&r, "mac.apparmor-default", "process.apparmorProfile", HS_ACTION_REWRITE);
	assert_string_equal(profile_of(&r), "hardshim-default");
	assert_false(r.report->refused);
	t_done(&r);
	/* the policy's own default */
	assert_int_equal(hs_fake_host_add_apparmor_profile(fh, "site-default"), 0);
	t_control_run(&r, &hs_control_mac, fh, "{\"apparmor\":{\"profile\":\"site-default\"}}",
		      CFG(",\"apparmorProfile\":\"\""), HS_EVENT_CREATE);
	assert_string_equal(profile_of(&r), "site-default");
	assert_false(r.report->refused);
	t_done(&r);
}

static void test_apparmor_refusals(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = apparmor_host();
	struct hs_t r;
	t_control_run(&r, &hs_control_mac, fh, NULL, CFG(",\"apparmorProfile\":\"unconfined\""),
		      HS_EVENT_CREATE);
	t_expect(&r, "mac.apparmor-unconfined", "process.apparmorProfile", HS_ACTION_REFUSE);
	t_done(&r);
	/* loaded, but not listed by the policy */
	t_control_run(&r, &hs_control_mac, fh, NULL, CFG(",\"apparmorProfile\":\"nginx-strict\""),
		      HS_EVENT_CREATE);
	t_expect(&r, "mac.apparmor-profile", "process.apparmorProfile", HS_ACTION_REFUSE);
	t_done(&r);
	/* listed and loaded */
	t_control_run(&r, &hs_control_mac, fh,
		      "{\"apparmor\":{\"allowed\":[\"nginx-strict\",\"not-loaded\"]}}",
		      CFG(",\"apparmorProfile\":\"nginx-strict\""), HS_EVENT_CREATE);
	assert_int_equal(r.report->len, 0);
	t_done(&r);
	/* listed, not loaded: refused before runc fails on /proc/self/attr/apparmor/exec */
	t_control_run(&r, &hs_control_mac, fh,
		      "{\"apparmor\":{\"allowed\":[\"nginx-strict\",\"not-loaded\"]}}",
		      CFG(",\"apparmorProfile\":\"not-loaded\""), HS_EVENT_CREATE);
	t_expect(&r, "mac.apparmor-not-loaded", "process.apparmorProfile", HS_ACTION_REFUSE);
	assert_non_null(strstr(t_find(&r, "mac.apparmor-not-loaded", NULL)->message, "not loaded"));
	t_done(&r);
	/* the default profile itself not loaded */
	_cleanup_fake_host_ struct hs_fake_host *bare = hs_fake_host_new_default();
	hs_fake_host_set_mac(bare, HS_MAC_APPARMOR);
	t_control_run(&r, &hs_control_mac, bare, NULL, CFG(""), HS_EVENT_CREATE);
	t_expect(&r, "mac.apparmor-not-loaded", "process.apparmorProfile", HS_ACTION_REFUSE);
	t_done(&r);
	/* the host cannot answer: fail closed */
	hs_fake_host_fail(fh, "apparmor_profile_loaded", EIO);
	t_control_run(&r, &hs_control_mac, fh, NULL, CFG(""), HS_EVENT_CREATE);
	assert_int_equal(r.ret, -EIO);
	t_done(&r);
}

static void test_apparmor_exec(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = apparmor_host();
	struct hs_t r;
	t_control_run(&r, &hs_control_mac, fh, NULL, "{\"args\":[\"sh\"]}", HS_EVENT_EXEC);
	assert_int_equal(r.report->len, 0); /* the container's profile applies */
	assert_null(hs_json_get(t_doc(&r), "apparmorProfile"));
	t_done(&r);
	t_control_run(&r, &hs_control_mac, fh, NULL,
		      "{\"args\":[\"sh\"],\"apparmorProfile\":\"unconfined\"}", HS_EVENT_EXEC);
	t_expect(&r, "mac.apparmor-unconfined", "apparmorProfile", HS_ACTION_REFUSE);
	t_done(&r);
}

static void test_mcs_level(void **state)
{
	char buf[32];
	unsigned seen_low = 1024, seen_high = 0;
	for (uint32_t i = 0; i < 5000; i++) {
		uint32_t r1 = i * 2654435761u, r2 = (i + 7) * 40503u;
		unsigned a, b;
		hs_mac_mcs_level(r1, r2, buf, sizeof(buf));
		assert_int_equal(sscanf(buf, "s0:c%u,c%u", &a, &b), 2);
		assert_true(a < b);
		assert_true(b <= 1023);
		char again[32];
		snprintf(again, sizeof(again), "s0:c%u,c%u", a, b);
		assert_string_equal(buf, again);
		seen_low = a < seen_low ? a : seen_low;
		seen_high = b > seen_high ? b : seen_high;
	}
	assert_true(seen_low < 10 && seen_high > 1010);
	hs_mac_mcs_level(5, 5, buf, sizeof(buf)); /* equal draws still give two categories */
	assert_string_equal(buf, "s0:c5,c6");
}

static struct hs_fake_host *selinux_host(void)
{
	struct hs_fake_host *fh = hs_fake_host_new_default();
	hs_fake_host_set_mac(fh, HS_MAC_SELINUX);
	return fh;
}

/* The fake host knows contexts one by one: teach it the generated ones after the fact by
 * running twice is awkward, so these tests list the contexts they use. */
static void test_selinux_generated(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = selinux_host();
	/* first run: generated labels are not in the (empty) loaded policy: refused as invalid */
	struct hs_t r;
	t_control_run(&r, &hs_control_mac, fh, NULL, CFG(""), HS_EVENT_CREATE);
	t_expect(&r, "mac.selinux-default", "process.selinuxLabel", HS_ACTION_REWRITE);
	t_expect(&r, "mac.selinux-invalid", "process.selinuxLabel", HS_ACTION_REFUSE);
	const char *label = hs_json_get_string(hs_json_get(t_doc(&r), "process"), "selinuxLabel");
	unsigned a, b;
	assert_int_equal(sscanf(label, "system_u:system_r:container_t:s0:c%u,c%u", &a, &b), 2);
	assert_true(a < b && b < 1024);
	char mount[96];
	snprintf(mount, sizeof(mount), "system_u:object_r:container_file_t:s0:c%u,c%u", a, b);
	assert_string_equal(hs_json_get_string(hs_json_get(t_doc(&r), "linux"), "mountLabel"),
			    mount);
	/* now the policy knows them: accepted */
	assert_int_equal(hs_fake_host_add_selinux_context(fh, label), 0);
	assert_int_equal(hs_fake_host_add_selinux_context(fh, mount), 0);
	char cfg[512];
	snprintf(cfg, sizeof(cfg), CFG(",\"selinuxLabel\":\"%s\""), label);
	t_done(&r);
	t_control_run(&r, &hs_control_mac, fh, NULL, cfg, HS_EVENT_CREATE);
	assert_null(t_find(&r, "mac.selinux-default", NULL));
	t_expect(&r, "mac.selinux-mount-default", "linux.mountLabel", HS_ACTION_REWRITE);
	assert_false(r.report->refused);
	assert_string_equal(hs_json_get_string(hs_json_get(t_doc(&r), "linux"), "mountLabel"),
			    mount);
	t_done(&r);
	/* two containers get different categories (overwhelmingly likely: 1 in ~500000) */
	struct hs_t r1, r2;
	t_control_run(&r1, &hs_control_mac, fh, NULL, CFG(""), HS_EVENT_CREATE);
	t_control_run(&r2, &hs_control_mac, fh, NULL, CFG(""), HS_EVENT_CREATE);
	assert_string_not_equal(hs_json_get_string(hs_json_get(t_doc(&r1), "process"),
						   "selinuxLabel"),
				hs_json_get_string(hs_json_get(t_doc(&r2), "process"),
						   "selinuxLabel"));
	t_done(&r1);
	t_done(&r2);
}

static void test_selinux_refusals(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = selinux_host();
	const char *ok = "system_u:system_r:container_t:s0:c1,c2";
	assert_int_equal(hs_fake_host_add_selinux_context(fh, ok), 0);
	assert_int_equal(
	    hs_fake_host_add_selinux_context(fh, "system_u:object_r:container_file_t:s0:c1,c2"), 0);
	assert_int_equal(hs_fake_host_add_selinux_context(fh, "system_u:system_r:spc_t:s0"), 0);
	assert_int_equal(
	    hs_fake_host_add_selinux_context(fh, "system_u:system_r:container_kvm_t:s0:c1,c2"), 0);
	static const struct {
		const char *label, *rule;
	} bad[] = {
		{ "system_u:system_r:spc_t:s0", "mac.selinux-privileged" },
		{ "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023",
		  "mac.selinux-privileged" },
		{ "system_u:system_r:container_kvm_t:s0:c1,c2", "mac.selinux-type" },
		{ "system_u:system_r:container_t:s0-s0:c0.c1023", "mac.selinux-level" },
		{ "system_u:system_r:container_t", "mac.selinux-label" },
		{ "system_u:system_r:container_t:s0:c3,c4", "mac.selinux-invalid" },
	};
	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		char cfg[512];
		snprintf(cfg, sizeof(cfg), CFG(",\"selinuxLabel\":\"%s\""), bad[i].label);
		struct hs_t r;
		t_control_run(&r, &hs_control_mac, fh, NULL, cfg, HS_EVENT_CREATE);
		if (!t_find(&r, bad[i].rule, NULL))
			fail_msg("%s: no %s", bad[i].label, bad[i].rule);
		t_expect(&r, bad[i].rule, "process.selinuxLabel", HS_ACTION_REFUSE);
		t_done(&r);
	}
	/* an allowed extra type */
	struct hs_t r;
	t_control_run(&r, &hs_control_mac, fh,
		      "{\"selinux\":{\"allowed_types\":[\"container_kvm_t\"]}}",
		      CFG(",\"selinuxLabel\":\"system_u:system_r:container_kvm_t:s0:c1,c2\""),
		      HS_EVENT_CREATE);
	assert_false(r.report->refused);
	t_done(&r);
	/* a mount label of a privileged or wrong type */
	t_control_run(&r, &hs_control_mac, fh, NULL,
		      "{\"process\":{\"selinuxLabel\":\"system_u:system_r:container_t:s0:c1,c2\"},"
		      "\"linux\":{\"mountLabel\":\"system_u:object_r:spc_t:s0\"}}",
		      HS_EVENT_CREATE);
	t_expect(&r, "mac.selinux-privileged", "linux.mountLabel", HS_ACTION_REFUSE);
	t_done(&r);
	/* exec with a privileged label */
	t_control_run(&r, &hs_control_mac, fh, NULL,
		      "{\"args\":[\"sh\"],\"selinuxLabel\":\"system_u:system_r:spc_t:s0\"}",
		      HS_EVENT_EXEC);
	t_expect(&r, "mac.selinux-privileged", "selinuxLabel", HS_ACTION_REFUSE);
	t_done(&r);
	/* host error: fail closed */
	hs_fake_host_fail(fh, "selinux_context_valid", EIO);
	t_control_run(&r, &hs_control_mac, fh, NULL,
		      CFG(",\"selinuxLabel\":\"system_u:system_r:container_t:s0:c1,c2\""),
		      HS_EVENT_CREATE);
	assert_int_equal(r.ret, -EIO);
	t_done(&r);
}

static void test_no_mac(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = hs_fake_host_new_default();
	struct hs_t r;
	t_control_run(&r, &hs_control_mac, fh, NULL, CFG(""), HS_EVENT_CREATE);
	t_expect(&r, "mac.none", "process", HS_ACTION_WARN);
	assert_false(r.report->refused);
	assert_null(profile_of(&r));
	t_done(&r);
	t_control_run(&r, &hs_control_mac, fh, "{\"no_mac\":\"refuse\"}", CFG(""), HS_EVENT_CREATE);
	t_expect(&r, "mac.none", "process", HS_ACTION_REFUSE);
	assert_true(r.report->refused);
	t_done(&r);
}

static void test_policy_section(void **state)
{
	struct hs_t f;
	static const struct {
		const char *section, *path;
	} bad[] = {
		{ "{\"no_mac\":\"rewrite\"}", "controls.mac.no_mac" },
		{ "{\"apparmor\":{\"profile\":\"unconfined\"}}", "controls.mac.apparmor.profile" },
		{ "{\"apparmor\":{\"allowed\":[\"unconfined\"]}}",
		  "controls.mac.apparmor.allowed" },
		{ "{\"selinux\":{\"process_type\":\"spc_t\"}}", "controls.mac.selinux" },
		{ "{\"selinux\":{\"allowed_types\":[\"unconfined_t\"]}}",
		  "controls.mac.selinux.allowed_types" },
		{ "{\"selinux\":{\"user\":\"a:b\"}}", "controls.mac.selinux" },
	};
	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = HS_ERROR_INIT;
		t_control(&f, &hs_control_mac);
		assert_true(t_load(&f, bad[i].section, &err) < 0);
		assert_string_equal(err.rule, "policy.mac");
		assert_string_equal(err.path, bad[i].path);
		t_done(&f);
	}
	struct hs_error err = HS_ERROR_INIT;
	t_control(&f, &hs_control_mac);
	assert_true(t_load(&f, "{\"apparmor\":{\"profiles\":[]}}", &err) < 0); /* the schema's */
	assert_string_equal(err.rule, "json.unknown-key");
	t_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apparmor_default_set),
		cmocka_unit_test(test_apparmor_refusals),
		cmocka_unit_test(test_apparmor_exec),
		cmocka_unit_test(test_mcs_level),
		cmocka_unit_test(test_selinux_generated),
		cmocka_unit_test(test_selinux_refusals),
		cmocka_unit_test(test_no_mac),
		cmocka_unit_test(test_policy_section),
	};
	return cmocka_run_group_tests_name("mac", tests, NULL, NULL);
}
