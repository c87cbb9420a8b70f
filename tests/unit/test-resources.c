/* SPDX-License-Identifier: Apache-2.0
 * The resources control: unlimited (negative/0 pids, -1 memory) read as absent and given the
 * default, maxima (refuse or clamp), swap, cpu shares/quota/period/realtime, cgroup v2
 * "unified" files, update documents (absent = unchanged, unlimited = refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "harness.h"

static char *config(const char *res)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":{"
		 "\"resources\":{"
		 "\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]%s%s}}}",
		 res[0] ? "," : "", res);
	return buf;
}

#define POL                                                                                   \
	"\"resources\":{\"pids_default\":100,\"pids_max\":1000,\"memory_default\":268435456," \
	"\"memory_max\":1073741824,\"cpu_shares_max\":2048,\"cpu_millicores_max\":2000}"

static void test_absent_gets_defaults(void **state)
{
	struct hs_t f;

	t_policy(&f, POL, NULL, config(""), HS_EVENT_CREATE);
	assert_false(f.report->refused);
	assert_non_null(t_find(&f, "resources.pids-unlimited", "linux.resources.pids.limit"));
	assert_non_null(t_find(&f, "resources.memory-unlimited", "linux.resources.memory.limit"));
	assert_non_null(t_find(&f, "resources.cpu-unlimited", "linux.resources.cpu.quota"));
	t_emit(&f);
	assert_non_null(strstr(f.out, "\"pids\":{\"limit\":100}"));
	assert_non_null(strstr(f.out, "\"memory\":{\"limit\":268435456}"));
	assert_non_null(strstr(f.out, "\"cpu\":{\"quota\":200000}"));
	t_done(&f);
}

static void test_unlimited_is_absent(void **state)
{
	static const char *const pids[] = { "-1", "0", "-9223372036854775808" };

	for (size_t i = 0; i < HS_ARRAY_SIZE(pids); i++) {
		struct hs_t f;
		char r[256];

		snprintf(r, sizeof(r),
			 "\"pids\":{\"limit\":%s},\"memory\":{\"limit\":-1,\"swap\":-1},"
			 "\"cpu\":{\"quota\":-1,\"period\":50000}",
			 pids[i]);
		t_policy(&f, POL, NULL, config(r), HS_EVENT_CREATE);
		assert_false(f.report->refused);
		t_emit(&f);
		if (!strstr(f.out, "\"pids\":{\"limit\":100}"))
			fail_msg("pids %s: %s", pids[i], f.out);
		/* swap -1 with a limit: memory * swap_factor (default 2) */
		assert_non_null(
		    strstr(f.out, "\"memory\":{\"limit\":268435456,\"swap\":536870912}"));
		assert_non_null(strstr(f.out, "\"quota\":100000,\"period\":50000"));
		t_done(&f);
	}
}

static void test_over_max_refused_or_clamped(void **state)
{
	struct hs_t f;
	const char *r =
	    "\"pids\":{\"limit\":1001},\"memory\":{\"limit\":1073741825,\"swap\":4294967296},"
	    "\"cpu\":{\"shares\":4096,\"quota\":300000,\"period\":100000}";

	t_policy(&f, POL, NULL, config(r), HS_EVENT_CREATE);
	assert_true(f.report->refused);
	assert_int_equal(t_find(&f, "resources.pids-max", "linux.resources.pids.limit")->action,
			 HS_ACTION_REFUSE);
	assert_non_null(t_find(&f, "resources.memory-max", "linux.resources.memory.limit"));
	assert_non_null(t_find(&f, "resources.cpu-shares-max", "linux.resources.cpu.shares"));
	assert_non_null(t_find(&f, "resources.cpu-max", "linux.resources.cpu.quota"));
	t_done(&f);

	t_policy(&f,
		 "\"resources\":{\"action\":\"rewrite\",\"pids_default\":100,\"pids_max\":1000,"
		 "\"memory_default\":268435456,\"memory_max\":1073741824,\"cpu_shares_max\":2048,"
		 "\"cpu_millicores_max\":2000}",
		 NULL, config(r), HS_EVENT_CREATE);
	assert_false(f.report->refused);
	t_emit(&f);
	assert_non_null(strstr(f.out, "\"pids\":{\"limit\":1000}"));
	assert_non_null(strstr(f.out, "\"memory\":{\"limit\":1073741824,\"swap\":2147483648}"));
	assert_non_null(
	    strstr(f.out, "\"cpu\":{\"shares\":2048,\"quota\":200000,\"period\":100000}"));
	t_done(&f);

	/* At the maximum: nothing to say. */
	t_policy(&f, POL, NULL,
		 config("\"pids\":{\"limit\":1000},\"memory\":{\"limit\":1073741824},\"cpu\":{"
			"\"quota\":200000}"),
		 HS_EVENT_CREATE);
	assert_int_equal(t_count(&f, "resources."), 0);
	t_done(&f);
}

static void test_cpu_period_realtime_unified(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL,
		 config("\"cpu\":{\"period\":999,\"realtimeRuntime\":950000},"
			"\"unified\":{\"pids.max\":\"max\",\"memory.high\":\"1G\"}"),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "resources.cpu-period", "linux.resources.cpu.period"));
	assert_non_null(
	    t_find(&f, "resources.cpu-realtime", "linux.resources.cpu.realtimeRuntime"));
	assert_non_null(t_find(&f, "resources.unified", "linux.resources.unified[\"pids.max\"]"));
	assert_non_null(
	    t_find(&f, "resources.unified", "linux.resources.unified[\"memory.high\"]"));
	assert_true(f.report->refused);
	t_done(&f);
	t_policy(&f, "\"resources\":{\"unified_allow\":[\"memory.high\"]}", NULL,
		 config("\"unified\":{\"memory.high\":\"1G\"}"), HS_EVENT_CREATE);
	assert_false(f.report->refused);
	t_done(&f);
}

static void test_built_in_defaults(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL, config("\"pids\":{\"limit\":-1}"), HS_EVENT_CREATE);
	assert_non_null(strstr(t_emit(&f), "\"pids\":{\"limit\":1024}"));
	assert_non_null(strstr(f.out, "\"memory\":{\"limit\":1073741824}"));
	assert_null(strstr(f.out, "\"quota\"")); /* no cpu ceiling by default */
	t_done(&f);
	t_policy(&f, NULL, NULL, config("\"memory\":{\"limit\":0}"), HS_EVENT_CREATE);
	assert_non_null(strstr(t_emit(&f), "\"memory\":{\"limit\":1073741824}"));
	t_done(&f);
	t_policy(&f, NULL, NULL, config("\"pids\":{\"limit\":32769}"), HS_EVENT_CREATE);
	assert_true(f.report->refused);
	t_done(&f);
}

static void test_update_document(void **state)
{
	struct hs_t f;

	/* Absent is "unchanged": nothing added. */
	t_policy(&f, POL, NULL, "{\"cpu\":{\"shares\":1024}}", HS_EVENT_UPDATE);
	assert_int_equal(f.report->len, 0);
	assert_string_equal(t_emit(&f), "{\"cpu\":{\"shares\":1024}}");
	t_done(&f);
	/* Unlimited is refused, not defaulted: the container had a limit. */
	t_policy(&f, POL, NULL,
		 "{\"pids\":{\"limit\":-1},\"memory\":{\"limit\":-1},\"cpu\":{\"quota\":-1}}",
		 HS_EVENT_UPDATE);
	assert_true(f.report->refused);
	assert_non_null(t_find(&f, "resources.pids-unlimited", "pids.limit"));
	assert_non_null(t_find(&f, "resources.memory-unlimited", "memory.limit"));
	assert_non_null(t_find(&f, "resources.cpu-unlimited", "cpu.quota"));
	t_done(&f);
	/* 0 is "not set" in an update too: the runtimes leave the limit as it is */
	t_policy(&f, POL, NULL, "{\"pids\":{\"limit\":0},\"memory\":{\"limit\":0}}",
		 HS_EVENT_UPDATE);
	assert_false(f.report->refused);
	assert_int_equal(t_count(&f, "resources."), 0);
	t_done(&f);
	t_policy(&f, POL, NULL, "{\"pids\":{\"limit\":500},\"memory\":{\"limit\":536870912}}",
		 HS_EVENT_UPDATE);
	assert_false(f.report->refused);
	t_done(&f);
	t_policy(&f, POL, NULL, "{\"unified\":{\"pids.max\":\"max\"}}", HS_EVENT_UPDATE);
	assert_non_null(t_find(&f, "resources.unified", "unified[\"pids.max\"]"));
	t_done(&f);
}

static void test_swap(void **state)
{
	struct hs_t f;

	/* Podman's --memory 64m: swap 128m (2x), within the default factor */
	t_policy(&f, NULL, NULL, config("\"memory\":{\"limit\":67108864,\"swap\":134217728}"),
		 HS_EVENT_CREATE);
	assert_int_equal(t_count(&f, "resources.swap"), 0);
	t_done(&f);
	t_policy(&f, NULL, NULL, config("\"memory\":{\"limit\":67108864,\"swap\":134217729}"),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "resources.swap-max", "linux.resources.memory.swap"));
	assert_true(f.report->refused);
	t_done(&f);
	t_policy(&f, "\"resources\":{\"swap_factor\":1}", NULL,
		 config("\"memory\":{\"limit\":67108864,\"swap\":-1}"), HS_EVENT_CREATE);
	assert_non_null(strstr(t_emit(&f), "\"memory\":{\"limit\":67108864,\"swap\":67108864}"));
	t_done(&f);
}

static void test_hook_mode_refuses_rewrites(void **state)
{
	struct hs_t f;

	t_policy_with(&f, POL, NULL, config("\"pids\":{\"limit\":-1}"), HS_EVENT_HOOK,
		      &(struct t_opts){ .no_rewrite = true });
	assert_true(f.report->refused);
	t_done(&f);
}

static void test_policy_section_refusals(void **state)
{
	t_policy_refused("\"resources\":{\"pids_default\":10,\"pids_max\":5}", NULL,
			 "policy.resources", "controls.resources");
	t_policy_refused("\"resources\":{\"memory_default\":0}", NULL, "policy.resources", NULL);
	t_policy_refused("\"resources\":{\"pids_max\":-1}", NULL, "policy.number",
			 "controls.resources.pids_max");
	t_policy_refused("\"resources\":{\"pids_max\":1.5}", NULL, "policy.number",
			 "controls.resources.pids_max");
	t_policy_refused("\"resources\":{\"action\":\"clamp\"}", NULL, "policy.resources", NULL);
	t_policy_refused("\"resources\":{\"swap_factor\":0}", NULL, "policy.resources", NULL);
	t_policy_refused("\"resources\":{\"swap_factor\":65}", NULL, "policy.number",
			 "controls.resources.swap_factor");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_gets_defaults),
		cmocka_unit_test(test_unlimited_is_absent),
		cmocka_unit_test(test_over_max_refused_or_clamped),
		cmocka_unit_test(test_cpu_period_realtime_unified),
		cmocka_unit_test(test_built_in_defaults),
		cmocka_unit_test(test_update_document),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_hook_mode_refuses_rewrites),
		cmocka_unit_test(test_policy_section_refusals),
	};
	return cmocka_run_group_tests_name("resources", tests, NULL, NULL);
}
