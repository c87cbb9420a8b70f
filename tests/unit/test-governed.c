/* SPDX-License-Identifier: Apache-2.0
 * Governed exceptions (issue 16): owner, reason and an RFC 3339 expiry; an expired exception
 * is never applied (the base policy decides) and the report names it; a live one records its
 * name and what the base policy would have refused. The clock is fixed (t_now). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "harness.h"

#define T0 1798761600 /* 2027-01-01T00:00:00Z */

static const char *config(const char *ns)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"annotations\":{"
		 "\"io.kubernetes.cri.sandbox-namespace\":\"%s\"},"
		 "\"linux\":{\"namespaces\":[{\"type\":\"network\"}],\"sysctl\":{"
		 "\"net.core.somaxconn\":\"4096\"}}}",
		 ns);
	return buf;
}

#define EXC(name, expires)                                                        \
	"{\"name\":\"" name                                                       \
	"\",\"owner\":\"team-net\",\"reason\":\"NET-42\",\"expires\":\"" expires  \
	"\",\"match\":{\"annotations\":{\"io.kubernetes.cri.sandbox-namespace\":" \
	"\"ingress\"}},\"controls\":{\"sysctl\":{\"allow\":[\"net.core.somaxconn\"]}}}"

static void test_rfc3339(void **state)
{
	int64_t t;

	assert_int_equal(hs_parse_rfc3339("2027-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(hs_parse_rfc3339("2027-01-01T01:30:00.123+01:30", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(hs_parse_rfc3339("2026-12-31T19:00:00-05:00", &t), 0);
	assert_int_equal(t, T0);
	static const char *const bad[] = {
		"2027-01-01",
		"2027-01-01T00:00:00",
		"2027-02-30T00:00:00Z",
		"2027-13-01T00:00:00Z",
		"2027-01-01T24:00:00Z",
		"2027-01-01T00:00:00+0100",
		"2027-01-01 00:00:00Z",
		"2027-01-01T00:00:00Zx",
		"2027-01-01T00:00:00.Z",
		"tomorrow",
	};
	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++)
		if (hs_parse_rfc3339(bad[i], &t) == 0)
			fail_msg("accepted %s", bad[i]);
}

static void test_loader(void **state)
{
	struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(t_policy_load("", EXC("ingress", "2027-01-02T00:00:00Z"), &p, &err), 0);
	assert_string_equal(p->exceptions[0].owner, "team-net");
	assert_string_equal(p->exceptions[0].reason, "NET-42");
	assert_int_equal(p->exceptions[0].expires, T0 + 86400);
	hs_policy_free(p);
	t_policy_refused("", EXC("ingress", "next week"), "policy.exception", "exceptions[0]");
	t_policy_refused("",
			 "{\"name\":\"x\",\"owner\":\"\",\"match\":{\"annotations\":{\"a\":\"b\"}}"
			 ","
			 "\"controls\":{}}",
			 "policy.exception", "exceptions[0]");
}

static void test_expired_not_applied(void **state)
{
	struct hs_t f;

	/* One second before expiry: applied, the record says which and what the base policy
	 * would have refused. */
	t_now = T0 - 1;
	t_policy(&f, "", EXC("ingress", "2027-01-01T00:00:00Z"), config("ingress"),
		 HS_EVENT_CREATE);
	assert_null(t_find(&f, "sysctl.not-allowed", NULL));
	assert_false(f.report->refused);
	assert_string_equal(f.report->exception, "ingress");
	assert_null(f.report->exception_expired);
	assert_int_equal(f.report->n_would_refuse, 1);
	assert_string_equal(f.report->would_refuse[0].rule, "sysctl.not-allowed");
	assert_string_equal(f.report->would_refuse[0].path, "linux.sysctl[\"net.core.somaxconn\"]");
	t_done(&f);

	/* At the expiry instant: the base policy decides, and the report names the exception. */
	t_now = T0;
	t_policy(&f, "", EXC("ingress", "2027-01-01T00:00:00Z"), config("ingress"),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "sysctl.not-allowed", "linux.sysctl[\"net.core.somaxconn\"]"));
	assert_null(t_find(&f, "sysctl.not-allowed", NULL)->exception);
	assert_true(f.report->refused);
	assert_null(f.report->exception);
	assert_string_equal(f.report->exception_expired, "ingress");
	assert_int_equal(f.report->n_would_refuse, 0);
	t_done(&f);

	/* Another namespace: neither applied nor recorded as expired. */
	t_policy(&f, "", EXC("ingress", "2027-01-01T00:00:00Z"), config("default"),
		 HS_EVENT_CREATE);
	assert_null(f.report->exception_expired);
	t_done(&f);

	/* An expired first match does not hide a live second one. */
	t_policy(&f, "", EXC("old", "2026-06-01T00:00:00Z") "," EXC("new", "2027-06-01T00:00:00Z"),
		 config("ingress"), HS_EVENT_CREATE);
	assert_string_equal(f.report->exception, "new");
	assert_false(f.report->refused);
	t_done(&f);
	t_now = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_loader),
		cmocka_unit_test(test_expired_not_applied),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
