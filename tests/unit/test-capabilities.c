/* SPDX-License-Identifier: Apache-2.0
 * capabilities: no_new_privs, inheritable/ambient emptied, the rest within the allowlist,
 * unknown names refused whatever the action. */
#include "procctl-harness.h"

#define CFG_CAPS(extra)                                                                        \
	H_CONFIG("{\"path\":\"rootfs\",\"readonly\":true}",                                    \
		 "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000}" extra \
		 "}")
#define ALL_SETS(x)                                                                  \
	",\"capabilities\":{\"bounding\":" x ",\"effective\":" x ",\"permitted\":" x \
	",\"inheritable\":" x ",\"ambient\":" x "}"

static void test_hostile_caps_rewritten(void **state)
{
	struct harness h;

	h_setup(&h, "capabilities", NULL);
	h_run(&h, CFG_CAPS(",\"noNewPrivileges\":false" ALL_SETS(
		      "[\"CAP_SYS_ADMIN\",\"CAP_NET_BIND_SERVICE\",\"CAP_SETUID\"]")));
	h_expect(&h, "capabilities.no-new-privileges", "process.noNewPrivileges",
		 HS_ACTION_REWRITE);
	h_expect(&h, "capabilities.bounding", "process.capabilities.bounding[0]",
		 HS_ACTION_REWRITE);
	h_expect(&h, "capabilities.bounding", "process.capabilities.bounding[2]",
		 HS_ACTION_REWRITE);
	h_expect(&h, "capabilities.effective", "process.capabilities.effective[0]",
		 HS_ACTION_REWRITE);
	h_expect(&h, "capabilities.permitted", "process.capabilities.permitted[2]",
		 HS_ACTION_REWRITE);
	h_expect(&h, "capabilities.inheritable", "process.capabilities.inheritable",
		 HS_ACTION_REWRITE);
	h_expect(&h, "capabilities.ambient", "process.capabilities.ambient", HS_ACTION_REWRITE);
	assert_false(h.pl.report->refused);
	assert_true(h_out_has(&h, "\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\"],"
				  "\"effective\":[\"CAP_NET_BIND_SERVICE\"],\"permitted\":"
				  "[\"CAP_NET_BIND_SERVICE\"],\"inheritable\":[],\"ambient\":[]}"));
	assert_true(h_out_has(&h, "\"noNewPrivileges\":true"));
	h_done(&h);
}

static void test_absent_nnp_and_caps(void **state)
{
	struct harness h;

	h_setup(&h, "capabilities", NULL);
	h_run(&h, CFG_CAPS(""));
	h_expect(&h, "capabilities.no-new-privileges", "process.noNewPrivileges",
		 HS_ACTION_REWRITE);
	h_expect(&h, "capabilities.missing", "process.capabilities", HS_ACTION_REWRITE);
	assert_true(h_out_has(&h,
			      "\"capabilities\":{\"bounding\":[],\"effective\":[],\"permitted\":[],"
			      "\"inheritable\":[],\"ambient\":[]}"));
	h_done(&h);
}

static void test_unknown_names_refused(void **state)
{
	static const char *const bad[] = { "CAP_BOGUS",  "cap_chown", "CHOWN",    "CAP_",
					   "CAP_CHOWN ", "CAP_42",    "CAP_chown" };
	struct harness h;

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		char config[512];

		h_setup(&h, "capabilities", "{\"action\":\"warn\"}");
		snprintf(config, sizeof(config),
			 CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[\"CAP_"
				  "CHOWN\",\"%s\"]}"),
			 bad[i]);
		h_run(&h, config);
		if (!h_find(&h, "capabilities.unknown", "process.capabilities.bounding[1]"))
			fail_msg("%s not refused", bad[i]);
		assert_true(h.pl.report->refused);
		h_done(&h);
	}
	/* every name libcap-ng knows is accepted by name */
	h_setup(&h, "capabilities", "{\"allow\":[\"CAP_CHECKPOINT_RESTORE\",\"CAP_AUDIT_READ\"]}");
	h_run(&h, CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":"
			   "[\"CAP_CHECKPOINT_RESTORE\",\"CAP_AUDIT_READ\"]}"));
	assert_int_equal(h.pl.report->len, 0);
	h_done(&h);
}

static void test_refuse_and_warn(void **state)
{
	struct harness h;

	h_setup(&h, "capabilities", "{\"action\":\"refuse\"}");
	h_run(&h, CFG_CAPS(",\"noNewPrivileges\":true" ALL_SETS("[\"CAP_NET_BIND_SERVICE\"]")));
	h_expect(&h, "capabilities.inheritable", "process.capabilities.inheritable",
		 HS_ACTION_REFUSE);
	h_expect(&h, "capabilities.ambient", "process.capabilities.ambient", HS_ACTION_REFUSE);
	assert_null(h_find(&h, "capabilities.bounding", NULL)); /* allowed */
	h_done(&h);

	h_setup(&h, "capabilities", "{\"action\":\"warn\"}");
	h_run(&h, CFG_CAPS(",\"noNewPrivileges\":false" ALL_SETS("[\"CAP_SYS_ADMIN\"]")));
	h_expect(&h, "capabilities.bounding", "process.capabilities.bounding[0]", HS_ACTION_WARN);
	assert_false(h.pl.report->refused);
	assert_false(h.pl.changed);
	h_done(&h);
}

static void test_allowlist_from_policy(void **state)
{
	struct harness h;

	h_setup(&h, "capabilities", "{\"allow\":[],\"no_new_privileges\":true}");
	h_run(&h, CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[\"CAP_NET_"
			   "BIND_SERVICE\"]}"));
	h_expect(&h, "capabilities.bounding", "process.capabilities.bounding[0]",
		 HS_ACTION_REWRITE);
	assert_true(h_out_has(&h, "\"bounding\":[]"));
	h_done(&h);
}

static void test_exec_process_document(void **state)
{
	struct harness h;

	h_setup(&h, "capabilities", NULL);
	h_run_event(&h, &hs_oci_process,
		    "{\"args\":[\"id\"],\"cwd\":\"/"
		    "\",\"capabilities\":{\"inheritable\":[\"CAP_SYS_ADMIN\"]}}",
		    HS_EVENT_EXEC);
	h_expect(&h, "capabilities.inheritable", "capabilities.inheritable", HS_ACTION_REWRITE);
	h_expect(&h, "capabilities.no-new-privileges", "noNewPrivileges", HS_ACTION_REWRITE);
	h_done(&h);
}

static void test_policy_section_strict(void **state)
{
	struct harness h = { 0 };

	assert_true(h_policy(&h, "capabilities", "{\"allow\":[\"CAP_NOPE\"]}", NULL) < 0);
	assert_string_equal(h.err.rule, "policy.capabilities");
	assert_true(h_policy(&h, "capabilities", "{\"allow\":[\"net_bind_service\"]}", NULL) < 0);
	assert_true(h_policy(&h, "capabilities", "{\"allow\":\"CAP_CHOWN\"}", NULL) < 0);
	assert_true(h_policy(&h, "capabilities", "{\"action\":\"drop\"}", NULL) < 0);
	assert_true(h_policy(&h, "capabilities", "{\"Allow\":[]}", NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_caps_rewritten),
		cmocka_unit_test(test_absent_nnp_and_caps),
		cmocka_unit_test(test_unknown_names_refused),
		cmocka_unit_test(test_refuse_and_warn),
		cmocka_unit_test(test_allowlist_from_policy),
		cmocka_unit_test(test_exec_process_document),
		cmocka_unit_test(test_policy_section_strict),
	};
	return cmocka_run_group_tests_name("capabilities", tests, NULL, NULL);
}
