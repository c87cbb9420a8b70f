/* SPDX-License-Identifier: Apache-2.0
 * The annotations control: the runtimes' unsafe prefixes and keys (case-insensitively), the
 * admin's allowlist (exact), strip on rewrite, the policy section. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "harness.h"

static char *config(const char *ann)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"annotations\":{%s}}",
		 ann);
	return buf;
}

static void test_unsafe_refused(void **state)
{
	static const char *const keys[] = {
		"run.oci.seccomp_bpf_data",
		"run.oci.hooks.stdout",
		"run.oci.seccomp.plugins",
		"org.systemd.property.DeviceAllow",
		"org.criu.config",
		"krun.cpus",
		"bundle",
		"RUN.OCI.keep_original_groups",
		"Org.Systemd.Property.x",
		"module.wasm.image/variant",
	};

	for (size_t i = 0; i < HS_ARRAY_SIZE(keys); i++) {
		struct hs_t f;
		char a[256], path[256];

		snprintf(a, sizeof(a),
			 "\"io.kubernetes.cri.sandbox-namespace\":\"default\",\"%s\":\"x\"",
			 keys[i]);
		t_policy(&f, NULL, NULL, config(a), HS_EVENT_CREATE);
		hs_json_path_key(path, sizeof(path), "annotations", keys[i]);
		if (!t_find(&f, "annotations.unsafe", path))
			fail_msg("%s not refused", keys[i]);
		assert_int_equal(t_count(&f, "annotations."), 1);
		assert_true(f.report->refused);
		t_done(&f);
	}
}

static void test_safe_pass(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL,
		 config(
		     "\"io.kubernetes.cri.container-type\":\"container\",\"bundlex\":\"1\","
		     "\"org.opencontainers.image.title\":\"x\",\"runoci.x\":\"1\",\"io.container."
		     "manager\":\"libpod\""),
		 HS_EVENT_CREATE);
	assert_int_equal(t_count(&f, "annotations."), 0);
	t_done(&f);
}

static void test_allowlist_exact(void **state)
{
	struct hs_t f;
	const char *pol = "\"annotations\":{\"allow\":[\"run.oci.keep_original_groups\",\"org."
			  "systemd.property.\"]}";

	t_policy(&f, pol, NULL,
		 config("\"run.oci.keep_original_groups\":\"1\",\"org.systemd.property.CPUWeight\":"
			"\"1\""),
		 HS_EVENT_CREATE);
	assert_false(f.report->refused);
	t_done(&f);
	/* Allowing one run.oci key allows no other, nor another case. */
	t_policy(&f, pol, NULL,
		 config("\"run.oci.keep_original_groups2\":\"1\",\"RUN.oci.keep_original_groups\":"
			"\"1\""),
		 HS_EVENT_CREATE);
	assert_int_equal(t_count(&f, "annotations.unsafe"), 2);
	t_done(&f);
}

static void test_rewrite_strips_and_custom_list(void **state)
{
	struct hs_t f;

	t_policy(&f,
		 "\"annotations\":{\"action\":\"rewrite\",\"unsafe\":[\"example.com/"
		 "\",\"run.oci.\"]}",
		 NULL,
		 config("\"example.com/x\":\"1\",\"run.oci.handler\":\"krun\",\"krun.x\":\"1\""),
		 HS_EVENT_CREATE);
	assert_false(f.report->refused);
	/* The admin's "unsafe" list adds to the built-in one (krun.* still on it). */
	assert_int_equal(t_count(&f, "annotations.unsafe"), 3);
	assert_non_null(strstr(t_emit(&f), "\"annotations\":{}"));
	t_done(&f);
}

static void test_warn_keeps(void **state)
{
	struct hs_t f;

	t_policy(&f, "\"annotations\":{\"action\":\"warn\"}", NULL, config("\"run.oci.x\":\"1\""),
		 HS_EVENT_CREATE);
	assert_false(f.report->refused);
	assert_int_equal(t_find(&f, "annotations.unsafe", NULL)->action, HS_ACTION_WARN);
	assert_non_null(strstr(t_emit(&f), "run.oci.x"));
	t_done(&f);
}

static void test_seccomp_annotations_left_to_seccomp(void **state)
{
	struct hs_t f;

	/* seccomp on: it owns run.oci.seccomp* (and strips them by default) */
	t_policy(&f, "\"seccomp\":{}", NULL,
		 config("\"run.oci.seccomp_bpf_data\":\"BgAAAAAA/38=\",\"run.oci.hooks.stdout\":\"/"
			"etc/x\""),
		 HS_EVENT_CREATE);
	assert_null(t_find(&f, "annotations.unsafe", "annotations[\"run.oci.seccomp_bpf_data\"]"));
	assert_non_null(t_find(&f, "annotations.unsafe", "annotations[\"run.oci.hooks.stdout\"]"));
	assert_null(strstr(t_emit(&f), "seccomp_bpf_data"));
	t_done(&f);
	/* seccomp off: they are this control's */
	t_policy(&f, NULL, NULL, config("\"run.oci.seccomp_bpf_data\":\"BgAAAAAA/38=\""),
		 HS_EVENT_CREATE);
	assert_non_null(
	    t_find(&f, "annotations.unsafe", "annotations[\"run.oci.seccomp_bpf_data\"]"));
	t_done(&f);
}

static void test_policy_section_refusals(void **state)
{
	t_policy_refused("\"annotations\":{\"allow\":[\"\"]}", NULL, "policy.annotations",
			 "controls.annotations");
	t_policy_refused("\"annotations\":{\"action\":1}", NULL, "policy.type",
			 "controls.annotations.action");
	t_policy_refused("\"annotations\":{\"Allow\":[]}", NULL, "policy.case-variant-key", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsafe_refused),
		cmocka_unit_test(test_safe_pass),
		cmocka_unit_test(test_allowlist_exact),
		cmocka_unit_test(test_rewrite_strips_and_custom_list),
		cmocka_unit_test(test_warn_keeps),
		cmocka_unit_test(test_seccomp_annotations_left_to_seccomp),
		cmocka_unit_test(test_policy_section_refusals),
	};
	return cmocka_run_group_tests_name("annotations", tests, NULL, NULL);
}
