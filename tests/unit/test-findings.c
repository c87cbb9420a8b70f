/* SPDX-License-Identifier: Apache-2.0
 * The unit tests' one way to find a finding (t_find, t_expect in tests/unit/support/harness.h): a path matches only
 * as the code spells it, never a prefix, a parent or another spelling of the same place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "harness.h"
#include "hs-policy.h"

static void test_find_exact_path(void **state)
{
	struct hs_report *r = hs_report_new();
	struct hs_check_ctx ctx = { .report = r };
	const struct hs_t t = { .report = r };

	assert_non_null(r);
	assert_int_equal(hs_finding(&ctx, "mounts.source-missing", "mounts[1].source",
				    HS_ACTION_REFUSE, "missing"),
			 HS_ACTION_REFUSE);
	assert_int_equal(hs_finding(&ctx, "user.root", "process.user.uid", HS_ACTION_REWRITE,
				    "root"),
			 HS_ACTION_REWRITE);
	assert_non_null(t_find(&t, "mounts.source-missing", "mounts[1].source"));
	assert_non_null(t_find(&t, "mounts.source-missing", NULL));
	/* neither the parent, another index, another spelling nor a prefix of the path */
	assert_null(t_find(&t, "mounts.source-missing", "mounts[1]"));
	assert_null(t_find(&t, "mounts.source-missing", "mounts[0].source"));
	assert_null(t_find(&t, "mounts.source-missing", "mounts.1.source"));
	assert_null(t_find(&t, "mounts.source-missing", "mounts[1].sourc"));
	assert_null(t_find(&t, "user.root", "process.user"));
	/* nor another rule at the right path */
	assert_null(t_find(&t, "mounts.source-unsafe", "mounts[1].source"));
	assert_non_null(t_expect(&t, "user.root", "process.user.uid", HS_ACTION_REWRITE));
	hs_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_exact_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
