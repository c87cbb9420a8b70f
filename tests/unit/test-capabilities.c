/* SPDX-License-Identifier: Apache-2.0
 * capabilities: no_new_privs, every set within the allowlist, inheritable/ambient emptied for
 * root, a non-root process's sets made equal to what it can hold (issue 14 cause 4), unknown
 * names refused whatever the action. */
#include "harness.h"

#define CFG_CAPS(extra)                                                                        \
	T_CONFIG("{\"path\":\"rootfs\",\"readonly\":true}",                                    \
		 "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000}" extra \
		 "}")
#define CFG_ROOT(extra)                                     \
	T_CONFIG("{\"path\":\"rootfs\",\"readonly\":true}", \
		 "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}" extra "}")
#define ALL_SETS(x)                                                                  \
	",\"capabilities\":{\"bounding\":" x ",\"effective\":" x ",\"permitted\":" x \
	",\"inheritable\":" x ",\"ambient\":" x "}"

/* What Kubernetes writes for runAsUser + capabilities.add [NET_BIND_SERVICE]. */
#define GRANTED                                                                                \
	",\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_" \
	"BIND_SERVICE\"],\"permitted\":[\"CAP_NET_BIND_SERVICE\"]}"
#define HELD_ALL                                                                               \
	"\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_"  \
	"BIND_SERVICE\"],\"permitted\":[\"CAP_NET_BIND_SERVICE\"],\"inheritable\":[\"CAP_NET_" \
	"BIND_SERVICE\"],\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}"

static void test_hostile_caps_rewritten(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "capabilities", NULL);
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":false" ALL_SETS(
		      "[\"CAP_SYS_ADMIN\",\"CAP_NET_BIND_SERVICE\",\"CAP_SETUID\"]")));
	t_expect(&h, "capabilities.no-new-privileges", "process.noNewPrivileges",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.bounding", "process.capabilities.bounding[0]",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.bounding", "process.capabilities.bounding[2]",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.effective", "process.capabilities.effective[0]",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.permitted", "process.capabilities.permitted[2]",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.inheritable", "process.capabilities.inheritable[0]",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.ambient", "process.capabilities.ambient[2]", HS_ACTION_REWRITE);
	assert_null(t_find(&h, "capabilities.held", NULL));
	assert_null(t_find(&h, "capabilities.not-held", NULL));
	assert_false(h.pl.report->refused);
	/* uid 1000: what is left is held, so it is in every set */
	assert_true(t_out_has(&h, "\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\"],"
				  "\"effective\":[\"CAP_NET_BIND_SERVICE\"],\"permitted\":"
				  "[\"CAP_NET_BIND_SERVICE\"],\"inheritable\":[\"CAP_NET_BIND_"
				  "SERVICE\"],\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}"));
	assert_true(t_out_has(&h, "\"noNewPrivileges\":true"));
	t_done(&h);
}

static void test_absent_nnp_and_caps(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "capabilities", NULL);
	t_run(&h, CFG_CAPS(""));
	t_expect(&h, "capabilities.no-new-privileges", "process.noNewPrivileges",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.missing", "process.capabilities", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h,
			      "\"capabilities\":{\"bounding\":[],\"effective\":[],\"permitted\":[],"
			      "\"inheritable\":[],\"ambient\":[]}"));
	t_done(&h);
}

static void test_unknown_names_refused(void **state)
{
	static const char *const bad[] = { "CAP_BOGUS",  "cap_chown", "CHOWN",    "CAP_",
					   "CAP_CHOWN ", "CAP_42",    "CAP_chown" };
	struct hs_t h;

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		char config[512];

		t_pipeline(&h, "capabilities", "{\"action\":\"warn\"}");
		snprintf(config, sizeof(config),
			 CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[\"CAP_"
				  "CHOWN\",\"%s\"]}"),
			 bad[i]);
		t_run(&h, config);
		if (!t_find(&h, "capabilities.unknown", "process.capabilities.bounding[1]"))
			fail_msg("%s not refused", bad[i]);
		assert_true(h.pl.report->refused);
		t_done(&h);
	}
	/* every name libcap-ng knows is accepted by name */
	t_pipeline(&h, "capabilities",
		   "{\"allow\":[\"CAP_CHECKPOINT_RESTORE\",\"CAP_AUDIT_READ\"]}");
	t_run(&h, CFG_ROOT(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":"
			   "[\"CAP_CHECKPOINT_RESTORE\",\"CAP_AUDIT_READ\"]}"));
	assert_int_equal(h.pl.report->len, 0);
	t_done(&h);
}

static void test_refuse_and_warn(void **state)
{
	struct hs_t h;

	/* a non-root process holding exactly the allowlist in every set: nothing to say */
	t_pipeline(&h, "capabilities", "{\"action\":\"refuse\"}");
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":true" ALL_SETS("[\"CAP_NET_BIND_SERVICE\"]")));
	assert_int_equal(h.pl.report->len, 0);
	t_done(&h);

	/* the same in root's inheritable/ambient: refused (root holds it without them) */
	t_pipeline(&h, "capabilities", "{\"action\":\"refuse\"}");
	t_run(&h, CFG_ROOT(",\"noNewPrivileges\":true" ALL_SETS("[\"CAP_NET_BIND_SERVICE\"]")));
	t_expect(&h, "capabilities.inheritable", "process.capabilities.inheritable",
		 HS_ACTION_REFUSE);
	t_expect(&h, "capabilities.ambient", "process.capabilities.ambient", HS_ACTION_REFUSE);
	assert_null(t_find(&h, "capabilities.bounding", NULL)); /* allowed */
	t_done(&h);

	/* non-root, granted but not in ambient: refused, since it would not be held */
	t_pipeline(&h, "capabilities", "{\"action\":\"refuse\"}");
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":true" GRANTED));
	t_expect(&h, "capabilities.held", "process.capabilities.ambient", HS_ACTION_REFUSE);
	assert_true(h.pl.report->refused);
	t_done(&h);

	t_pipeline(&h, "capabilities", "{\"action\":\"warn\"}");
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":false" ALL_SETS("[\"CAP_SYS_ADMIN\"]")));
	t_expect(&h, "capabilities.bounding", "process.capabilities.bounding[0]", HS_ACTION_WARN);
	assert_false(h.pl.report->refused);
	assert_false(h.pl.changed);
	t_done(&h);
}

static void test_allowlist_from_policy(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "capabilities", "{\"allow\":[],\"no_new_privileges\":true}");
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[\"CAP_NET_"
			   "BIND_SERVICE\"]}"));
	t_expect(&h, "capabilities.bounding", "process.capabilities.bounding[0]",
		 HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"bounding\":[]"));
	t_done(&h);
}

static void test_exec_process_document(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "capabilities", NULL);
	t_run_event(&h, &hs_oci_process,
		    "{\"args\":[\"id\"],\"cwd\":\"/"
		    "\",\"capabilities\":{\"inheritable\":[\"CAP_SYS_ADMIN\"]}}",
		    HS_EVENT_EXEC);
	t_expect(&h, "capabilities.inheritable", "capabilities.inheritable", HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.no-new-privileges", "noNewPrivileges", HS_ACTION_REWRITE);
	t_done(&h);
}

/* Issue 14 cause 4: a non-root process holds after execve only its ambient set. */
static void test_nonroot_granted_is_held(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "capabilities", NULL);
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":true" GRANTED));
	t_expect(&h, "capabilities.held", "process.capabilities.inheritable", HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.held", "process.capabilities.ambient", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, HELD_ALL));
	t_done(&h);

	/* permitted only (effective empty): still granted, so held, effective included */
	t_pipeline(&h, "capabilities", NULL);
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[\"CAP_NET_"
			   "BIND_SERVICE\"],\"effective\":[],\"permitted\":[\"CAP_NET_BIND_"
			   "SERVICE\"],\"inheritable\":[],\"ambient\":[]}"));
	t_expect(&h, "capabilities.held", "process.capabilities.effective", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, HELD_ALL));
	t_done(&h);

	/* the same for root: left as it is (root holds its effective set) */
	t_pipeline(&h, "capabilities", NULL);
	t_run(&h, CFG_ROOT(",\"noNewPrivileges\":true" GRANTED));
	assert_int_equal(h.pl.report->len, 0);
	t_done(&h);
}

static void test_nonroot_not_held_removed(void **state)
{
	struct hs_t h;

	/* bounding only (Podman --user, Docker): not granted, so removed, not added */
	t_pipeline(&h, "capabilities", NULL);
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[\"CAP_KILL\","
			   "\"CAP_NET_BIND_SERVICE\"]}"));
	t_expect(&h, "capabilities.bounding", "process.capabilities.bounding[0]",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.not-held", "process.capabilities.bounding[1]",
		 HS_ACTION_REWRITE);
	assert_null(t_find(&h, "capabilities.held", NULL));
	assert_true(t_out_has(&h, "\"capabilities\":{\"bounding\":[]}"));
	t_done(&h);

	/* ambient and permitted without bounding: the kernel would not let it be held */
	t_pipeline(&h, "capabilities", NULL);
	t_run(&h, CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[],"
			   "\"permitted\":[\"CAP_NET_BIND_SERVICE\"],\"ambient\":[\"CAP_NET_BIND_"
			   "SERVICE\"]}"));
	t_expect(&h, "capabilities.not-held", "process.capabilities.permitted[0]",
		 HS_ACTION_REWRITE);
	t_expect(&h, "capabilities.not-held", "process.capabilities.ambient[0]", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"capabilities\":{\"bounding\":[],\"permitted\":[],"
				  "\"ambient\":[]}"));
	t_done(&h);
}

/* A hook cannot rewrite: held/not-held warn (the process holds less than listed, never more),
 * while a name beyond the allowlist is still refused. */
static void test_hook_mode(void **state)
{
	static const char doc[] = CFG_CAPS(",\"noNewPrivileges\":true,\"capabilities\":{"
					   "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"permitted\":"
					   "[\"CAP_NET_BIND_SERVICE\"],\"inheritable\":[\"CAP_SYS_"
					   "ADMIN\"]}");
	struct hs_t h;

	t_pipeline(&h, "capabilities", NULL);
	h.no_rewrite = true;
	assert_int_equal(t_try_event(&h, &hs_oci_spec, doc, HS_EVENT_HOOK), 0);
	t_expect(&h, "capabilities.held", "process.capabilities.effective", HS_ACTION_WARN);
	t_expect(&h, "capabilities.held", "process.capabilities.ambient", HS_ACTION_WARN);
	t_expect(&h, "capabilities.inheritable", "process.capabilities.inheritable[0]",
		 HS_ACTION_REFUSE);
	assert_non_null(
	    strstr(t_find(&h, "capabilities.held", "process.capabilities.ambient")->message,
		   "hook mode cannot rewrite"));
	t_done(&h);
}

static void test_exec_nonroot(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "capabilities", NULL);
	t_run_event(&h, &hs_oci_process,
		    "{\"args\":[\"id\"],\"cwd\":\"/\",\"user\":{\"uid\":33,\"gid\":33},"
		    "\"noNewPrivileges\":true" GRANTED "}",
		    HS_EVENT_EXEC);
	t_expect(&h, "capabilities.held", "capabilities.ambient", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, HELD_ALL));
	t_done(&h);
}

static void test_policy_section_strict(void **state)
{
	struct hs_t h = { 0 };

	assert_true(t_pipeline_policy(&h, "capabilities", "{\"allow\":[\"CAP_NOPE\"]}", NULL) < 0);
	assert_string_equal(h.err.rule, "policy.capabilities");
	assert_true(
	    t_pipeline_policy(&h, "capabilities", "{\"allow\":[\"net_bind_service\"]}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "capabilities", "{\"allow\":\"CAP_CHOWN\"}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "capabilities", "{\"action\":\"drop\"}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "capabilities", "{\"Allow\":[]}", NULL) < 0);
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
		cmocka_unit_test(test_nonroot_granted_is_held),
		cmocka_unit_test(test_nonroot_not_held_removed),
		cmocka_unit_test(test_hook_mode),
		cmocka_unit_test(test_exec_nonroot),
		cmocka_unit_test(test_policy_section_strict),
	};
	return cmocka_run_group_tests_name("capabilities", tests, NULL, NULL);
}
