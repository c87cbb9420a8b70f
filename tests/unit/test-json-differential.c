/* SPDX-License-Identifier: Apache-2.0
 * Regression tests for two differentials the JSON corpus and the Go oracle found:
 * - yajl's lexer takes \v and \f for whitespace, Go (and RFC 8259) do not;
 * - the canonical form drops null members, so a null member inside a value kept as written
 *   (an unknown key's value, Go interface{} windows.credentialSpec) would change that value
 *   in what runc reads: refused instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "hs-json.h"
#include "hs-schema.h"

static int parse(const char *doc, struct hs_arena *a, struct hs_json **root, struct hs_error *err)
{
	struct hs_json_limits lim = HS_JSON_LIMITS_DEFAULT;

	return hs_json_parse(a, doc, strlen(doc), &lim, root, err);
}

static void test_vt_ff_are_not_whitespace(void **state)
{
	static const char *const bad[] = {
		"{\"ociVersion\":\v\"1.0.2\"}",
		"{\"ociVersion\":\f\"1.0.2\"}",
		"\f{}",
		"{}\v",
		"[1,\f2]",
	};
	static const char *const good[] = { " \t\r\n{\"a\" :\t[1 ,\r\n2]}\n ", "{}" };

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_arena *a = hs_arena_new();
		struct hs_error err = HS_ERROR_INIT;
		struct hs_json *root = NULL;

		assert_true(parse(bad[i], a, &root, &err) < 0);
		assert_string_equal(err.rule, "json.syntax");
		assert_int_equal(err.offset, (long long)strcspn(bad[i], "\v\f"));
		hs_arena_free(a);
	}
	for (size_t i = 0; i < HS_ARRAY_SIZE(good); i++) {
		struct hs_arena *a = hs_arena_new();
		struct hs_error err = HS_ERROR_INIT;
		struct hs_json *root = NULL;

		if (parse(good[i], a, &root, &err) < 0)
			fail_msg("%s refused: %s: %s", good[i], err.rule, err.msg);
		hs_arena_free(a);
	}
}

static int check_spec(const char *doc, enum hs_unknown_keys unknown, struct hs_error *err)
{
	struct hs_arena *a = hs_arena_new();
	struct hs_json *root = NULL;
	int r;

	assert_int_equal(parse(doc, a, &root, err), 0);
	r = hs_schema_check(root, &hs_oci_spec, "", unknown, err);
	hs_arena_free(a);
	return r;
}

static void test_null_member_inside_kept_value(void **state)
{
	static const struct {
		const char *doc, *path;
	} bad[] = {
		{ "{\"windows\":{\"credentialSpec\":{\"a\":null}}}", "windows.credentialSpec.a" },
		{ "{\"x\":{\"y\":[1,{\"z\":null}]}}", "x.y[1].z" },
		{ "{\"process\":{\"x\":{\"n\":null}}}", "process.x.n" },
	};
	/* Nulls the canonical form keeps (array items) or that mean absent (a member's own
	 * value, known or unknown) are fine. */
	static const char *const good[] = {
		"{\"windows\":{\"credentialSpec\":[null,{\"a\":[null]}]}}",
		"{\"x\":null,\"process\":{\"y\":null,\"user\":null}}",
		"{\"x\":{\"y\":[null,[null]],\"s\":\"null\"}}",
	};

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = HS_ERROR_INIT;

		assert_true(check_spec(bad[i].doc, HS_UNKNOWN_PRESERVE, &err) < 0);
		assert_string_equal(err.rule, "json.null");
		assert_string_equal(err.path, bad[i].path);
	}
	for (size_t i = 0; i < HS_ARRAY_SIZE(good); i++) {
		struct hs_error err = HS_ERROR_INIT;

		if (check_spec(good[i], HS_UNKNOWN_PRESERVE, &err) < 0)
			fail_msg("%s refused: %s: %s: %s", good[i], err.rule, err.path, err.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vt_ff_are_not_whitespace),
		cmocka_unit_test(test_null_member_inside_kept_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
