/* SPDX-License-Identifier: Apache-2.0
 * docs/mount-options.md is rendered from the mounts control's allowlist
 * (src/policy/mounts-allowlist.c): the test fails when the two differ, so the document cannot
 * drift from what hardshim admits. HS_WRITE_DOCS=1 writes the rendering instead (run from the
 * top of the tree: `HS_WRITE_DOCS=1 build/tests/test-mount-options`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hs-util.h"
#include "../../src/policy/mounts.h"

#define DOC "docs/mount-options.md"

static char *render(struct hs_arena *a)
{
	size_t n;
	const struct hs_mount_option *t = hs_mount_options_table(&n);
	char *s = hs_arena_strdup(
	    a,
	    "# Mount options\n\n"
	    "Generated from `src/policy/mounts-allowlist.c` by `tests/unit/test-mount-options.c`\n"
	    "(`HS_WRITE_DOCS=1 build/tests/test-mount-options`); do not edit by hand.\n\n"
	    "The mounts control admits a mount option only where this table says (`mounts.option`\n"
	    "refuses any other): runc 1.1 and crun 1.8 pass an option they do not know to the\n"
	    "kernel as filesystem data. `key=` takes any value. Mount-level `uidMappings` and\n"
	    "`gidMappings` are refused (`mounts.idmap`).\n\n"
	    "| option | admitted on | what runc and crun do with it |\n|---|---|---|\n");

	for (size_t i = 0; s && i < n; i++)
		s = hs_arena_printf(a, "%s| `%s` | %s | %s |\n", s, t[i].name,
				    hs_mount_option_types(a, &t[i]), t[i].what);
	return s;
}

static void test_doc_is_the_table(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	const char *want = render(a);
	char buf[65536];
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(want);
	if (getenv("HS_WRITE_DOCS")) {
		f = fopen(DOC, "w");
		assert_non_null(f);
		assert_int_equal(fputs(want, f) >= 0, 1);
		assert_int_equal(fclose(f), 0);
	}
	f = fopen(DOC, "r");
	if (!f)
		fail_msg("cannot read %s (run from the top of the tree)", DOC);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	if (strcmp(buf, want) != 0)
		fail_msg("%s differs from the allowlist: HS_WRITE_DOCS=1 "
			 "build/tests/test-mount-options",
			 DOC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_is_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
