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
#include "control-fixture.h"
#include "hs-policy.h"
#include "../../src/policy/mac.h"

extern const struct hs_control hs_control_mac;

/* One run of the control alone (control-fixture.h) on the test's fake host: its report, the
 * document as the control left it, and check's return. */
struct run {
	struct control_fixture f;
	struct hs_arena *arena;
	struct hs_report *report;
	struct hs_json *doc;
	int ret;
};

static void run_free(struct run *r)
{
	cf_done(&r->f);
}

static struct run run_on(struct hs_fake_host *fh, const char *section, const char *doc,
			 enum hs_event ev)
{
	struct run r;

	cf_init_on(&r.f, &hs_control_mac, fh);
	assert_int_equal(cf_load(&r.f, section, NULL), 0);
	if (ev == HS_EVENT_EXEC) {
		r.ret = cf_check_process(&r.f, doc);
		r.doc = r.f.ctx.process;
	} else {
		r.ret = cf_check(&r.f, doc);
		r.doc = r.f.ctx.config;
	}
	r.arena = r.f.arena;
	r.report = r.f.report;
	return r;
}

/* findings.h's find (any path: absence and messages only) and expect over this run. */
static const struct hs_finding *find(const struct run *r, const char *rule)
{
	return hs_t_find(r->report, rule, NULL);
}

static void assert_finding(const struct run *r, const char *rule, const char *path,
			   enum hs_action a)
{
	hs_t_expect(r->report, rule, path, a);
}

static const char *profile_of(const struct run *r)
{
	return hs_json_get_string(hs_json_get(r->doc, "process"), "apparmorProfile");
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
	struct run r = run_on(fh, NULL, CFG(""), HS_EVENT_CREATE);
	assert_int_equal(r.ret, 0);
	assert_finding(&r, "mac.apparmor-default", "process.apparmorProfile", HS_ACTION_REWRITE);
	assert_string_equal(profile_of(&r), "hardshim-default");
	assert_false(r.report->refused);
	run_free(&r);
	/* the policy's own default */
	assert_int_equal(hs_fake_host_add_apparmor_profile(fh, "site-default"), 0);
	r = run_on(fh, "{\"apparmor\":{\"profile\":\"site-default\"}}",
		   CFG(",\"apparmorProfile\":\"\""), HS_EVENT_CREATE);
	assert_string_equal(profile_of(&r), "site-default");
	assert_false(r.report->refused);
	run_free(&r);
}

static void test_apparmor_refusals(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = apparmor_host();
	struct run r =
	    run_on(fh, NULL, CFG(",\"apparmorProfile\":\"unconfined\""), HS_EVENT_CREATE);
	assert_finding(&r, "mac.apparmor-unconfined", "process.apparmorProfile", HS_ACTION_REFUSE);
	run_free(&r);
	/* loaded, but not listed by the policy */
	r = run_on(fh, NULL, CFG(",\"apparmorProfile\":\"nginx-strict\""), HS_EVENT_CREATE);
	assert_finding(&r, "mac.apparmor-profile", "process.apparmorProfile", HS_ACTION_REFUSE);
	run_free(&r);
	/* listed and loaded */
	r = run_on(fh, "{\"apparmor\":{\"allowed\":[\"nginx-strict\",\"not-loaded\"]}}",
		   CFG(",\"apparmorProfile\":\"nginx-strict\""), HS_EVENT_CREATE);
	assert_int_equal(r.report->len, 0);
	run_free(&r);
	/* listed, not loaded: refused before runc fails on /proc/self/attr/apparmor/exec */
	r = run_on(fh, "{\"apparmor\":{\"allowed\":[\"nginx-strict\",\"not-loaded\"]}}",
		   CFG(",\"apparmorProfile\":\"not-loaded\""), HS_EVENT_CREATE);
	assert_finding(&r, "mac.apparmor-not-loaded", "process.apparmorProfile", HS_ACTION_REFUSE);
	assert_non_null(strstr(find(&r, "mac.apparmor-not-loaded")->message, "not loaded"));
	run_free(&r);
	/* the default profile itself not loaded */
	_cleanup_fake_host_ struct hs_fake_host *bare = hs_fake_host_new_default();
	hs_fake_host_set_mac(bare, HS_MAC_APPARMOR);
	r = run_on(bare, NULL, CFG(""), HS_EVENT_CREATE);
	assert_finding(&r, "mac.apparmor-not-loaded", "process.apparmorProfile", HS_ACTION_REFUSE);
	run_free(&r);
	/* the host cannot answer: fail closed */
	hs_fake_host_fail(fh, "apparmor_profile_loaded", EIO);
	r = run_on(fh, NULL, CFG(""), HS_EVENT_CREATE);
	assert_int_equal(r.ret, -EIO);
	run_free(&r);
}

static void test_apparmor_exec(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = apparmor_host();
	struct run r = run_on(fh, NULL, "{\"args\":[\"sh\"]}", HS_EVENT_EXEC);
	assert_int_equal(r.report->len, 0); /* the container's profile applies */
	assert_null(hs_json_get(r.doc, "apparmorProfile"));
	run_free(&r);
	r = run_on(fh, NULL, "{\"args\":[\"sh\"],\"apparmorProfile\":\"unconfined\"}",
		   HS_EVENT_EXEC);
	assert_finding(&r, "mac.apparmor-unconfined", "apparmorProfile", HS_ACTION_REFUSE);
	run_free(&r);
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
	struct run r = run_on(fh, NULL, CFG(""), HS_EVENT_CREATE);
	assert_finding(&r, "mac.selinux-default", "process.selinuxLabel", HS_ACTION_REWRITE);
	assert_finding(&r, "mac.selinux-invalid", "process.selinuxLabel", HS_ACTION_REFUSE);
	const char *label = hs_json_get_string(hs_json_get(r.doc, "process"), "selinuxLabel");
	unsigned a, b;
	assert_int_equal(sscanf(label, "system_u:system_r:container_t:s0:c%u,c%u", &a, &b), 2);
	assert_true(a < b && b < 1024);
	char mount[96];
	snprintf(mount, sizeof(mount), "system_u:object_r:container_file_t:s0:c%u,c%u", a, b);
	assert_string_equal(hs_json_get_string(hs_json_get(r.doc, "linux"), "mountLabel"), mount);
	/* now the policy knows them: accepted */
	assert_int_equal(hs_fake_host_add_selinux_context(fh, label), 0);
	assert_int_equal(hs_fake_host_add_selinux_context(fh, mount), 0);
	char cfg[512];
	snprintf(cfg, sizeof(cfg), CFG(",\"selinuxLabel\":\"%s\""), label);
	run_free(&r);
	r = run_on(fh, NULL, cfg, HS_EVENT_CREATE);
	assert_null(find(&r, "mac.selinux-default"));
	assert_finding(&r, "mac.selinux-mount-default", "linux.mountLabel", HS_ACTION_REWRITE);
	assert_false(r.report->refused);
	assert_string_equal(hs_json_get_string(hs_json_get(r.doc, "linux"), "mountLabel"), mount);
	run_free(&r);
	/* two containers get different categories (overwhelmingly likely: 1 in ~500000) */
	struct run r1 = run_on(fh, NULL, CFG(""), HS_EVENT_CREATE),
		   r2 = run_on(fh, NULL, CFG(""), HS_EVENT_CREATE);
	assert_string_not_equal(hs_json_get_string(hs_json_get(r1.doc, "process"), "selinuxLabel"),
				hs_json_get_string(hs_json_get(r2.doc, "process"), "selinuxLabel"));
	run_free(&r1);
	run_free(&r2);
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
		struct run r = run_on(fh, NULL, cfg, HS_EVENT_CREATE);
		if (!find(&r, bad[i].rule))
			fail_msg("%s: no %s", bad[i].label, bad[i].rule);
		assert_finding(&r, bad[i].rule, "process.selinuxLabel", HS_ACTION_REFUSE);
		run_free(&r);
	}
	/* an allowed extra type */
	struct run r =
	    run_on(fh, "{\"selinux\":{\"allowed_types\":[\"container_kvm_t\"]}}",
		   CFG(",\"selinuxLabel\":\"system_u:system_r:container_kvm_t:s0:c1,c2\""),
		   HS_EVENT_CREATE);
	assert_false(r.report->refused);
	run_free(&r);
	/* a mount label of a privileged or wrong type */
	r = run_on(fh, NULL,
		   "{\"process\":{\"selinuxLabel\":\"system_u:system_r:container_t:s0:c1,c2\"},"
		   "\"linux\":{\"mountLabel\":\"system_u:object_r:spc_t:s0\"}}",
		   HS_EVENT_CREATE);
	assert_finding(&r, "mac.selinux-privileged", "linux.mountLabel", HS_ACTION_REFUSE);
	run_free(&r);
	/* exec with a privileged label */
	r = run_on(fh, NULL, "{\"args\":[\"sh\"],\"selinuxLabel\":\"system_u:system_r:spc_t:s0\"}",
		   HS_EVENT_EXEC);
	assert_finding(&r, "mac.selinux-privileged", "selinuxLabel", HS_ACTION_REFUSE);
	run_free(&r);
	/* host error: fail closed */
	hs_fake_host_fail(fh, "selinux_context_valid", EIO);
	r = run_on(fh, NULL, CFG(",\"selinuxLabel\":\"system_u:system_r:container_t:s0:c1,c2\""),
		   HS_EVENT_CREATE);
	assert_int_equal(r.ret, -EIO);
	run_free(&r);
}

static void test_no_mac(void **state)
{
	_cleanup_fake_host_ struct hs_fake_host *fh = hs_fake_host_new_default();
	struct run r = run_on(fh, NULL, CFG(""), HS_EVENT_CREATE);
	assert_finding(&r, "mac.none", "process", HS_ACTION_WARN);
	assert_false(r.report->refused);
	assert_null(profile_of(&r));
	run_free(&r);
	r = run_on(fh, "{\"no_mac\":\"refuse\"}", CFG(""), HS_EVENT_CREATE);
	assert_finding(&r, "mac.none", "process", HS_ACTION_REFUSE);
	assert_true(r.report->refused);
	run_free(&r);
}

static void test_policy_section(void **state)
{
	struct control_fixture f;
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
		cf_init(&f, &hs_control_mac);
		assert_true(cf_load(&f, bad[i].section, &err) < 0);
		assert_string_equal(err.rule, "policy.mac");
		assert_string_equal(err.path, bad[i].path);
		cf_done(&f);
	}
	struct hs_error err = HS_ERROR_INIT;
	cf_init(&f, &hs_control_mac);
	assert_true(cf_load(&f, "{\"apparmor\":{\"profiles\":[]}}", &err) < 0); /* the schema's */
	assert_string_equal(err.rule, "json.unknown-key");
	cf_done(&f);
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
