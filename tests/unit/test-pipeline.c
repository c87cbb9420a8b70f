/* SPDX-License-Identifier: Apache-2.0
 * The shared pipeline's error contract: a control that cannot decide (a host question that
 * failed) stops the document, and the error names that control, so an operator alerting on
 * rule ids sees which control failed closed. */
#include "harness.h"

static const char *joins_netns =
    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"process\":" T_GOOD_PROCESS ",\"linux\":{\"namespaces\":["
    "{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},"
    "{\"type\":\"cgroup\"},{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"}]}}";

static void test_failing_control_is_named(void **state)
{
	struct hs_t h;
	int r;

	t_pipeline(&h, "namespaces", NULL);
	assert_int_equal(hs_fake_host_fail(h.fh, "ns_host", EIO), 0);
	r = t_try_event(&h, &hs_oci_spec, joins_netns, HS_EVENT_CREATE);
	assert_int_equal(r, -EIO);
	assert_string_equal(h.err.rule, "namespaces.check-failed");
	assert_non_null(strstr(h.err.msg, "the namespaces control could not check"));
	/* hs_strerror, not strerror on a hardshim code */
	assert_non_null(strstr(h.err.msg, "Input/output error"));
	t_done(&h);
}

/* The same host, answering: the document is judged (no error). */
static void test_answering_host_judges(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "namespaces", NULL);
	t_run(&h, joins_netns);
	assert_int_equal(h.err.code, 0);
	t_done(&h);
}

/* A hardshim code in words: never "Unknown error 1003". */
static void test_strerror_knows_hardshim_codes(void **state)
{
	assert_string_equal(hs_strerror(-HS_EPOLICY), "refused by the policy");
	assert_string_equal(hs_strerror(-HS_EPARSE), "malformed input");
	assert_string_equal(hs_strerror(-HS_EUSAGE), "bad command line");
	assert_string_equal(hs_strerror(-HS_ECONFIG), "bad policy file");
	assert_string_equal(hs_strerror(-EIO), "Input/output error");
	for (int c = HS_EPARSE; c <= HS_ECONFIG; c++) {
		assert_null(strstr(hs_strerror(-c), "Unknown error"));
		assert_null(strstr(hs_strerror(c), "Unknown error"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failing_control_is_named),
		cmocka_unit_test(test_answering_host_judges),
		cmocka_unit_test(test_strerror_knows_hardshim_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
