/* SPDX-License-Identifier: Apache-2.0
 * process: cwd (CVE-2024-21626), args, env, oomScoreAdj, rlimits. */
#include "harness.h"

#define CFG_PROC(fields)                                    \
	T_CONFIG("{\"path\":\"rootfs\",\"readonly\":true}", \
		 "{\"user\":{\"uid\":1000,\"gid\":1000}," fields "}")

static void test_cwd(void **state)
{
	static const char *const bad[] = {
		"/proc/self/fd/7",
		"/proc",
		"/sys/fs/cgroup",
		"/dev",
		"/dev/shm",
		"relative",
		"",
		"/a/../proc/self/fd/7",
		"/a/./b",
		"//proc/self/fd/7",
		"/tmp/",
		"/a//b",
		"..",
		"/..",
	};
	static const char *const good[] = { "/",          "/app",    "/procfs",
					    "/devices/x", "/a/b..c", "/.hidden" };
	struct hs_t h;

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		char config[512];

		t_pipeline(&h, "process", NULL);
		snprintf(config, sizeof(config), CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"%s\""),
			 bad[i]);
		t_run(&h, config);
		if (!t_find(&h, "process.cwd", "process.cwd"))
			fail_msg("cwd \"%s\" not refused", bad[i]);
		assert_true(h.pl.report->refused);
		t_done(&h);
	}
	for (size_t i = 0; i < HS_ARRAY_SIZE(good); i++) {
		char config[512];

		t_pipeline(&h, "process", NULL);
		snprintf(config, sizeof(config), CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"%s\""),
			 good[i]);
		t_run(&h, config);
		if (h.pl.report->len)
			fail_msg("cwd \"%s\" refused", good[i]);
		t_done(&h);
	}
	t_pipeline_expect("process", NULL, CFG_PROC("\"args\":[\"sh\"]"), "process.cwd",
			  "process.cwd", HS_ACTION_REFUSE);
}

static void test_cwd_exec_document(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "process", NULL);
	t_run_exec(&h, "{\"args\":[\"sh\"],\"cwd\":\"/proc/self/fd/8\"}");
	t_expect(&h, "process.cwd", "cwd", HS_ACTION_REFUSE);
	t_done(&h);
}

static void test_args_and_env(void **state)
{
	struct hs_t h;

	t_pipeline_expect("process", NULL, CFG_PROC("\"args\":[],\"cwd\":\"/\""), "process.args",
			  "process.args", HS_ACTION_REFUSE);

	t_pipeline_expect("process", NULL, CFG_PROC("\"cwd\":\"/\""), "process.args",
			  "process.args", HS_ACTION_REFUSE);

	/* an empty program name: the entry is named, not the list */
	t_pipeline_expect("process", NULL, CFG_PROC("\"args\":[\"\"],\"cwd\":\"/\""),
			  "process.args", "process.args[0]", HS_ACTION_REFUSE);

	t_pipeline(&h, "process", NULL);
	t_run(&h, CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"/\",\"env\":[\"PATH=/"
			   "bin\",\"NOEQUALS\",\"=x\",\"A=\"]"));
	t_expect(&h, "process.env", "process.env[1]", HS_ACTION_REFUSE);
	t_expect(&h, "process.env", "process.env[2]", HS_ACTION_REFUSE);
	assert_null(t_find(&h, "process.env", "process.env[3]"));
	t_done(&h);

	/* NUL inside an entry never reaches the control: the parser refuses it. */
	t_pipeline(&h, "process", NULL);
	t_run(&h, CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"/\",\"env\":[\"A=1\\u0000B=2\"]"));
	assert_true(h.pl.report->refused);
	assert_null(h.pl.tree);
	t_done(&h);
}

static void test_oom_score_adj(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "process", NULL);
	t_run(&h, CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"/\",\"oomScoreAdj\":-1000"));
	t_expect(&h, "process.oom-score-adj", "process.oomScoreAdj", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"oomScoreAdj\":0"));
	t_done(&h);

	t_pipeline_expect("process", "{\"action\":\"refuse\",\"oom_score_adj_min\":100}",
			  CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"/\",\"oomScoreAdj\":0"),
			  "process.oom-score-adj", "process.oomScoreAdj", HS_ACTION_REFUSE);
}

static void test_rlimits(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "process", NULL);
	t_run(&h,
	      CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":["
		       "{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":1024},"
		       "{\"type\":\"RLIMIT_CORE\",\"hard\":1000,\"soft\":1000},"
		       "{\"type\":\"RLIMIT_RTPRIO\",\"hard\":99,\"soft\":99}]"));
	t_expect(&h, "process.rlimits", "process.rlimits[0].hard", HS_ACTION_REWRITE);
	assert_null(t_find(&h, "process.rlimits", "process.rlimits[0].soft"));
	assert_null(t_find(&h, "process.rlimits", "process.rlimits[1].hard"));
	t_expect(&h, "process.rlimits", "process.rlimits[2].soft", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "{\"type\":\"RLIMIT_NOFILE\",\"hard\":1048576,\"soft\":1024}"));
	assert_true(t_out_has(&h, "{\"type\":\"RLIMIT_RTPRIO\",\"hard\":0,\"soft\":0}"));
	t_done(&h);

	t_pipeline(&h, "process", NULL);
	t_run(&h, CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":["
			   "{\"type\":\"RLIMIT_NOFILE\",\"hard\":10,\"soft\":10},"
			   "{\"type\":\"RLIMIT_NOFILE\",\"hard\":20,\"soft\":20},"
			   "{\"type\":\"RLIMIT_BOGUS\",\"hard\":1,\"soft\":1},"
			   "{\"type\":\"RLIMIT_CPU\",\"hard\":1,\"soft\":2}]"));
	t_expect(&h, "process.rlimits", "process.rlimits[1]", HS_ACTION_REFUSE);
	t_expect(&h, "process.rlimits", "process.rlimits[2]", HS_ACTION_REFUSE);
	t_expect(&h, "process.rlimits", "process.rlimits[3]", HS_ACTION_REFUSE);
	t_done(&h);

	t_pipeline(&h, "process", "{\"rlimits\":{\"RLIMIT_CORE\":0}}");
	t_run(&h, CFG_PROC("\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":["
			   "{\"type\":\"RLIMIT_CORE\",\"hard\":1,\"soft\":0},"
			   "{\"type\":\"RLIMIT_NOFILE\",\"hard\":99999999,\"soft\":1}]"));
	t_expect(&h, "process.rlimits", "process.rlimits[0].hard", HS_ACTION_REWRITE);
	assert_null(t_find(&h, "process.rlimits",
			   "process.rlimits[1].hard")); /* policy replaced the list */
	t_done(&h);
}

static void test_policy_section_strict(void **state)
{
	struct hs_t h = { 0 };

	assert_true(t_pipeline_policy(&h, "process", "{\"rlimits\":{\"RLIMIT_NOPE\":1}}", NULL) <
		    0);
	assert_string_equal(h.err.rule, "policy.process");
	assert_true(t_pipeline_policy(&h, "process", "{\"rlimits\":{\"RLIMIT_CORE\":-1}}", NULL) <
		    0);
	assert_true(t_pipeline_policy(&h, "process", "{\"cwd_forbidden\":[\"proc\"]}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "process", "{\"oom_score_adj_min\":-1001}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "process", "{\"cwd\":true}", NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cwd),          cmocka_unit_test(test_cwd_exec_document),
		cmocka_unit_test(test_args_and_env), cmocka_unit_test(test_oom_score_adj),
		cmocka_unit_test(test_rlimits),      cmocka_unit_test(test_policy_section_strict),
	};
	return cmocka_run_group_tests_name("process", tests, NULL, NULL);
}
