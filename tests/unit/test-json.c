/* SPDX-License-Identifier: Apache-2.0
 * The strict JSON core: every refusal of docs/threats.md §1, and the round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "hs-json.h"
#include "hs-schema.h"

static struct hs_json_limits limits;

static int parse(struct hs_arena *a, const char *s, struct hs_json **v, struct hs_error *err)
{
	return hs_json_parse(a, s, strlen(s), &limits, v, err);
}

/* Assert that s is refused with rule, and return the error for more checks. */
static struct hs_error refused(const char *s, const char *rule)
{
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v = NULL;

	assert_int_equal(parse(a, s, &v, &err), -HS_EPARSE);
	if (strcmp(err.rule, rule))
		fail_msg("input %s: rule %s, expected %s (%s)", s, err.rule, rule, err.msg);
	hs_arena_free(a);
	return err;
}

static void accepted(const char *s, const char *canonical)
{
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v = NULL, *v2 = NULL;
	char *out = NULL, *out2 = NULL;
	size_t len, len2;

	if (parse(a, s, &v, &err) < 0)
		fail_msg("input %s refused: %s %s", s, err.rule, err.msg);
	assert_int_equal(hs_json_emit(v, &out, &len), 0);
	assert_string_equal(out, canonical);
	/* parse -> emit -> parse is the identity on the tree, emit is a fixed point */
	assert_int_equal(hs_json_parse(a, out, len, &limits, &v2, &err), 0);
	assert_int_equal(hs_json_emit(v2, &out2, &len2), 0);
	assert_string_equal(out, out2);
	free(out);
	free(out2);
	hs_arena_free(a);
}

static void test_duplicates(void **state)
{
	struct hs_error e = refused("{\"a\":1,\"a\":2}", "json.duplicate-key");

	assert_string_equal(e.path, "a");
	e = refused("{\"process\":{\"user\":{\"uid\":1,\"gid\":2,\"uid\":0}}}",
		    "json.duplicate-key");
	assert_string_equal(e.path, "process.user.uid");
	/* more than eight members takes the sorting path */
	refused("{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"e\":2}",
		"json.duplicate-key");
	/* a duplicate differing only by an escape is still a duplicate */
	refused("{\"ab\":1,\"a\\u0062\":2}", "json.duplicate-key");
	accepted("{\"a\":{\"x\":1},\"b\":{\"x\":1}}", "{\"a\":{\"x\":1},\"b\":{\"x\":1}}");
}

static void test_strings(void **state)
{
	refused("{\"a\":\"x\\u0000y\"}", "json.nul");
	refused("{\"a\\u0000\":1}", "json.nul");
	refused("{\"a\":\"\\ud800\"}", "json.surrogate");
	refused("{\"a\":\"\\ud800x\"}", "json.surrogate");
	refused("{\"a\":\"\\udc00\"}", "json.surrogate");
	refused("{\"a\":\"\\udc00\\ud800\"}", "json.surrogate");
	refused("{\"a\":\"\\ud800\\u0041\"}", "json.surrogate");
	refused("{\"a\":\"\\ud800\\ud800\"}", "json.surrogate");
	refused("{\"a\":\"\xc0\xaf\"}", "json.utf8");         /* overlong '/' */
	refused("{\"a\":\"\xed\xa0\x80\"}", "json.utf8");     /* surrogate in UTF-8 */
	refused("{\"a\":\"\xf4\x90\x80\x80\"}", "json.utf8"); /* past U+10FFFF */
	refused("{\"a\":\"\xff\"}", "json.utf8");
	/* an escaped backslash before "u" is not an escape */
	accepted("{\"a\":\"\\\\ud800\"}", "{\"a\":\"\\\\ud800\"}");
	accepted("{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\xf0\x9f\x98\x80\"}");
	accepted("{\"a\":\"\\\"q\\\" \\n\\t\\/\"}", "{\"a\":\"\\\"q\\\" \\n\\t/\"}");
	accepted("[\"\\u001f\"]", "[\"\\u001f\"]");
}

static void test_syntax(void **state)
{
	struct hs_error e = refused("{\"a\":1} x", "json.trailing-data");

	assert_null(strchr(e.msg, '\n'));
	refused("{\"a\":1}{}", "json.trailing-data");
	refused("{\"a\":1 /* c */}", "json.comment");
	refused("// c\n{}", "json.comment");
	refused("", "json.syntax");
	refused("{\"a\":}", "json.syntax");
	refused("[1,]", "json.syntax");
	e = refused("{\"a\":[1,2,{\"b\":tru}]}", "json.syntax");
	assert_true(e.offset > 0);
	accepted(" \n{ \"a\" : [ 1 , -2.5e3 , true , null ] }\t", "{\"a\":[1,-2.5e3,true,null]}");
}

/* s is refused with rule at path: the place a reader is sent to. */
static void refused_at(const char *s, const char *rule, const char *path)
{
	struct hs_error e = refused(s, rule);

	if (strcmp(e.path, path))
		fail_msg("input %s: %s at \"%s\", expected at \"%s\"", s, rule, e.path, path);
}

/* A lexical error inside a value names that value; one between two members (a missing or
 * trailing comma, a bad key) names the object, not the member before it, whose value is
 * fine; inside an array, the item being read. */
static void test_error_paths(void **state)
{
	(void)state;
	/* in a value */
	refused_at("{\"a\":1,\"b\":tru}", "json.syntax", "b");
	refused_at("{\"a\":1,\"b\":\"x\ty\"}", "json.syntax", "b"); /* raw tab */
	refused_at("{\"a\":1,\"b\":\"\xff\"}", "json.utf8", "b");
	refused_at("{\"a\":{\"x\":1},\"b\":01}", "json.syntax", "b");
	/* a value whose text runs on: the reader sees one value */
	refused_at("{\"a\":1,\"b\":truex}", "json.syntax", "b");
	refused_at("{\"a\":1,\"b\":\"x\"y}", "json.syntax", "b");
	refused_at("{\"a\":{\"x\":1}x}", "json.syntax", "a");
	refused_at("{\"process\":{\"env\":[\"A=1\",\"B\x01\"]}}", "json.syntax", "process.env[1]");
	refused_at("{\"mounts\":[{\"source\":\"/x\"},{\"source\":\"/y\",\"type\":bind}]}",
		   "json.syntax", "mounts[1].type");
	/* between members: the object */
	refused_at("{\"a\":1,}", "json.syntax", "");
	refused_at("{\"a\":1,x}", "json.syntax", "");
	refused_at("{\"a\":1 ,x}", "json.syntax", "");
	refused_at("{\"a\":1,\"b\":\"x\"", "json.syntax", ""); /* cut short */
	refused_at("{\"a\":[1,2] \"b\":1}", "json.syntax", "");
	refused_at("{\"a\":{\"x\":1},}", "json.syntax", "");
	refused_at("{\"a\":{\"x\":1,}}", "json.syntax", "a");
	refused_at("{\"process\":{\"user\":{\"uid\":0,}}}", "json.syntax", "process.user");
	refused_at("{\"mounts\":[{\"source\":\"/x\"},{\"source\":\"/y\",}]}", "json.syntax",
		   "mounts[1]");
	refused_at("{\"a\":1,\"b\\u0000\":2}", "json.nul", "");
	refused_at("{\"a\":{\"x\":1,\"\xff\":2}}", "json.utf8", "a");
	/* in an array: the item being read */
	refused_at("{\"a\":[1,2,]}", "json.syntax", "a[2]");
	/* what names a member still does */
	refused_at("{\"a\":{\"x\":1},\"a\":2}", "json.duplicate-key", "a");
	refused_at("{\"a\":{\"x\":1,\"x\":[2]}}", "json.duplicate-key", "a.x");
}

static void test_limits(void **state)
{
	char deep[200];
	struct hs_error e;

	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[199] = '\0';
	deep[99] = ']'; /* 99 '[' then 100 ']': unbalanced but depth fails first */
	refused(deep, "json.depth");
	limits.max_items = 3;
	refused("[1,2,3,4]", "json.items");
	refused("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", "json.items");
	limits.max_string = 4;
	e = refused("{\"a\":\"hello\"}", "json.string-length");
	assert_string_equal(e.path, "a");
	limits.max_bytes = 8;
	refused("{\"a\":\"b\"}  ", "json.size");
	limits = HS_JSON_LIMITS_DEFAULT;
}

static void test_null_members_dropped(void **state)
{
	accepted("{\"a\":null,\"b\":[null],\"c\":{\"d\":null}}", "{\"b\":[null],\"c\":{}}");
}

static void test_numbers(void **state)
{
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v;
	int64_t i;
	uint64_t u;

	assert_int_equal(parse(a, "[1.0,-1,-0,4294967296,18446744073709551616,1e3,7]", &v, &err),
			 0);
	assert_int_equal(hs_json_get_u64(v->u.array.items[0], UINT32_MAX, &u), -EINVAL);
	assert_int_equal(hs_json_get_u64(v->u.array.items[1], UINT32_MAX, &u), -ERANGE);
	assert_int_equal(hs_json_get_u64(v->u.array.items[2], UINT32_MAX, &u), -ERANGE);
	assert_int_equal(hs_json_get_u64(v->u.array.items[3], UINT32_MAX, &u), -ERANGE);
	assert_int_equal(hs_json_get_u64(v->u.array.items[4], UINT64_MAX, &u), -ERANGE);
	assert_int_equal(hs_json_get_i64(v->u.array.items[5], INT64_MIN, INT64_MAX, &i), -EINVAL);
	assert_int_equal(hs_json_get_i64(v->u.array.items[1], INT64_MIN, INT64_MAX, &i), 0);
	assert_int_equal(i, -1);
	assert_int_equal(hs_json_get_u64(v->u.array.items[6], 7, &u), 0);
	assert_int_equal(u, 7);
	hs_arena_free(a);
}

static const struct hs_schema_field user_fields[] = {
	{ "uid", &hs_schema_u32 },
	{ "additionalGids",
	  &(const struct hs_schema){ .kind = HS_S_ARRAY, .item = &hs_schema_u32 } },
	{ NULL, NULL },
};
static const struct hs_schema_field top_fields[] = {
	{ "readonly", &hs_schema_bool },
	{ "process", &(const struct hs_schema){ .kind = HS_S_STRUCT, .fields = user_fields } },
	{ "annotations", &hs_schema_string_map },
	{ NULL, NULL },
};
static const struct hs_schema top = { .kind = HS_S_STRUCT, .fields = top_fields };

static void schema_refused(const char *s, enum hs_unknown_keys unknown, const char *rule,
			   const char *path)
{
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v;

	assert_int_equal(parse(a, s, &v, &err), 0);
	assert_int_equal(hs_schema_check(v, &top, "", unknown, &err), -HS_EPARSE);
	if (strcmp(err.rule, rule) || strcmp(err.path, path))
		fail_msg("%s: got %s at %s, expected %s at %s", s, err.rule, err.path, rule, path);
	hs_arena_free(a);
}

static void schema_ok(const char *s, enum hs_unknown_keys unknown)
{
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v;

	assert_int_equal(parse(a, s, &v, &err), 0);
	if (hs_schema_check(v, &top, "", unknown, &err) < 0)
		fail_msg("%s refused: %s %s", s, err.rule, err.msg);
	hs_arena_free(a);
}

static void test_schema(void **state)
{
	schema_refused("{\"READONLY\":true}", HS_UNKNOWN_PRESERVE, "json.case-variant-key",
		       "READONLY");
	schema_refused("{\"proce\xc5\xbfs\":{}}", HS_UNKNOWN_PRESERVE, "json.case-variant-key",
		       "[\"proce\xc5\xbfs\"]");
	schema_refused("{\"process\":{\"UID\":0}}", HS_UNKNOWN_PRESERVE, "json.case-variant-key",
		       "process.UID");
	schema_refused("{\"readonly\":\"true\"}", HS_UNKNOWN_PRESERVE, "json.type", "readonly");
	schema_refused("{\"process\":{\"uid\":1.0}}", HS_UNKNOWN_PRESERVE, "json.number",
		       "process.uid");
	schema_refused("{\"process\":{\"uid\":-1}}", HS_UNKNOWN_PRESERVE, "json.number",
		       "process.uid");
	schema_refused("{\"process\":{\"uid\":4294967296}}", HS_UNKNOWN_PRESERVE, "json.number",
		       "process.uid");
	schema_refused("{\"process\":{\"additionalGids\":[1,null]}}", HS_UNKNOWN_PRESERVE,
		       "json.null", "process.additionalGids[1]");
	schema_refused("{\"annotations\":{\"a\":null}}", HS_UNKNOWN_PRESERVE, "json.null",
		       "annotations.a");
	schema_refused("{\"extra\":1}", HS_UNKNOWN_REFUSE, "json.unknown-key", "extra");
	/* maps are exact: case does not fold there */
	schema_ok("{\"annotations\":{\"A\":\"1\",\"a\":\"2\"}}", HS_UNKNOWN_PRESERVE);
	schema_ok("{\"extra\":{\"READONLY\":1},\"process\":null,\"readonly\":true}",
		  HS_UNKNOWN_PRESERVE);
	schema_ok("{\"process\":{\"uid\":4294967295}}", HS_UNKNOWN_PRESERVE);
}

static void test_go_fold(void **state)
{
	assert_true(hs_schema_go_fold_equal("READONLY", 8, "readonly", 8));
	assert_true(hs_schema_go_fold_equal("\xe2\x84\xaa"
					    "ey",
					    5, "key", 3));           /* KELVIN SIGN */
	assert_true(hs_schema_go_fold_equal("\xc5\xbf", 2, "s", 1)); /* LONG S */
	assert_false(hs_schema_go_fold_equal("readonlyx", 9, "readonly", 8));
	assert_false(hs_schema_go_fold_equal("r\xc3\xa9", 3, "re", 2));
}

static void test_edit_and_path(void **state)
{
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v, *o;
	char *out, buf[64];
	size_t len;

	assert_int_equal(parse(a, "{\"b\":1,\"a\":{}}", &v, &err), 0);
	assert_int_equal(hs_json_set(a, v, "b", hs_json_new_string(a, "x")), 0);
	o = hs_json_ensure_object(a, v, "c");
	assert_non_null(o);
	assert_int_equal(hs_json_set(a, o, "n", hs_json_new_i64(a, -5)), 0);
	assert_int_equal(hs_json_remove(v, "a"), 1);
	assert_int_equal(hs_json_emit(v, &out, &len), 0);
	assert_string_equal(out, "{\"b\":\"x\",\"c\":{\"n\":-5}}");
	free(out);
	hs_json_path_key(buf, sizeof(buf), "annotations", "run.oci.x\"]\n");
	assert_string_equal(buf, "annotations[\"run.oci.x\\u0022]\\u000a\"]");
	hs_json_path_index(buf, sizeof(buf), "mounts", 3);
	assert_string_equal(buf, "mounts[3]");
	hs_arena_free(a);
}

/* A clone is allocated at the original's size and shares its (immutable) keys and strings;
 * it is still a tree of its own: editing it, or growing it past that size, leaves the
 * original as it was. */
static void test_clone_exact(void **state)
{
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v, *c, *arr;
	char *out, *out2;
	size_t len;

	(void)state;
	assert_int_equal(parse(a,
			       "{\"a\":[1,\"x\",{\"k\":0}],\"b\":{\"c\":true,\"d\":[]},"
			       "\"e\":\"s\",\"f\":1.5,\"g\":[[],{}]}",
			       &v, &err),
			 0);
	c = hs_json_clone(a, v);
	assert_non_null(c);
	assert_true(hs_json_equal(v, c));
	t_json_exact(c);
	assert_ptr_equal(c->u.object.members[0].key, v->u.object.members[0].key);
	assert_ptr_equal(hs_json_get_string(c, "e"), hs_json_get_string(v, "e"));
	assert_int_equal(hs_json_emit(v, &out, &len), 0);
	/* past the exact size: both grow into new arrays, the original is untouched */
	arr = hs_json_get(c, "a");
	for (int i = 0; i < 20; i++)
		assert_int_equal(hs_json_append(a, arr, hs_json_new_i64(a, i)), 0);
	assert_int_equal(hs_json_len(arr), 23);
	assert_int_equal(hs_json_set(a, c, "h", hs_json_new_bool(a, false)), 0);
	assert_int_equal(hs_json_set(a, hs_json_get(c, "b"), "c", hs_json_new_bool(a, false)), 0);
	assert_int_equal(hs_json_remove(c, "f"), 1);
	assert_int_equal(hs_json_emit(v, &out2, &len), 0);
	assert_string_equal(out, out2);
	assert_string_equal(out, "{\"a\":[1,\"x\",{\"k\":0}],\"b\":{\"c\":true,\"d\":[]},"
				 "\"e\":\"s\",\"f\":1.5,\"g\":[[],{}]}");
	free(out);
	free(out2);
	assert_int_equal(hs_json_emit(c, &out, &len), 0);
	assert_string_equal(out, "{\"a\":[1,\"x\",{\"k\":0},0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,"
				 "15,16,17,18,19],\"b\":{\"c\":false,\"d\":[]},\"e\":\"s\","
				 "\"g\":[[],{}],\"h\":false}");
	free(out);
	hs_arena_free(a);
}

/* reserve, static strings and static keys: what a builder of a known size uses. */
static void test_reserve_static(void **state)
{
	static const char name[] = "a-name", key[] = "k";
	struct hs_arena *a = hs_arena_new();
	struct hs_json *o = hs_json_new(a, HS_JSON_OBJECT), *arr = hs_json_new(a, HS_JSON_ARRAY);
	struct hs_json *s = hs_json_new_static_string(a, name);
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(hs_json_reserve(a, o, 2), 0);
	assert_int_equal(hs_json_reserve(a, arr, 3), 0);
	assert_int_equal(hs_json_reserve(a, s, 1), -EINVAL);
	assert_int_equal(hs_json_reserve(a, NULL, 1), -EINVAL);
	assert_ptr_equal(s->u.string.s, name);
	assert_int_equal(s->u.string.len, 6);
	assert_int_equal(hs_json_set_static(a, o, key, s), 0);
	assert_ptr_equal(o->u.object.members[0].key, key); /* used, not copied */
	assert_int_equal(o->u.object.members[0].key_len, 1);
	assert_int_equal(hs_json_set_static(a, o, "l", arr), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(hs_json_append(a, arr, hs_json_new_i64(a, i)), 0);
	t_json_exact(o);
	/* a smaller reservation changes nothing; one more member grows as before */
	assert_int_equal(hs_json_reserve(a, arr, 1), 0);
	assert_int_equal(arr->u.array.cap, 3);
	assert_int_equal(hs_json_append(a, arr, hs_json_new_i64(a, 3)), 0);
	assert_int_equal(arr->u.array.cap, 6);
	assert_int_equal(hs_json_set_static(a, o, "k", hs_json_new_bool(a, true)),
			 0); /* replaced */
	assert_int_equal(hs_json_len(o), 2);
	assert_int_equal(hs_json_emit(o, &out, &len), 0);
	assert_string_equal(out, "{\"k\":true,\"l\":[0,1,2,3]}");
	free(out);
	hs_arena_free(a);
}

/* The paths are built without printf (a create builds over a thousand): the very bytes
 * snprintf writes, truncation and the parent-is-the-buffer case included. */
static void test_path_as_snprintf(void **state)
{
	static const char *parents[] = { "", "mounts", "linux.seccomp.syscalls[12].names" };
	static const char *keys[] = { "type", "_x9", "Source" };
	static const size_t idx[] = { 0, 7, 10, 4294967296u, (size_t)-1 };
	char got[48], want[48];

	for (size_t size = 0; size <= sizeof(got); size++)
		for (size_t p = 0; p < HS_ARRAY_SIZE(parents); p++) {
			for (size_t k = 0; k < HS_ARRAY_SIZE(keys); k++) {
				memset(got, 'G', sizeof(got));
				memset(want, 'G', sizeof(want));
				hs_json_path_key(got, size, parents[p], keys[k]);
				snprintf(want, size, "%s%s%s", parents[p], *parents[p] ? "." : "",
					 keys[k]);
				assert_memory_equal(got, want, sizeof(got));
			}
			for (size_t i = 0; i < HS_ARRAY_SIZE(idx); i++) {
				memset(got, 'G', sizeof(got));
				memset(want, 'G', sizeof(want));
				hs_json_path_index(got, size, parents[p], idx[i]);
				snprintf(want, size, "%s[%zu]", parents[p], idx[i]);
				assert_memory_equal(got, want, sizeof(got));
			}
		}
	snprintf(got, sizeof(got), "%s", "mounts[2]");
	hs_json_path_key(got, sizeof(got), got, "source");
	assert_string_equal(got, "mounts[2].source");
	hs_json_path_index(got, sizeof(got), got, 11);
	assert_string_equal(got, "mounts[2].source[11]");
}

static int setup(void **state)
{
	limits = HS_JSON_LIMITS_DEFAULT;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_duplicates, setup),
		cmocka_unit_test_setup(test_strings, setup),
		cmocka_unit_test_setup(test_syntax, setup),
		cmocka_unit_test_setup(test_error_paths, setup),
		cmocka_unit_test_setup(test_limits, setup),
		cmocka_unit_test_setup(test_null_members_dropped, setup),
		cmocka_unit_test_setup(test_numbers, setup),
		cmocka_unit_test_setup(test_schema, setup),
		cmocka_unit_test_setup(test_go_fold, setup),
		cmocka_unit_test_setup(test_edit_and_path, setup),
		cmocka_unit_test_setup(test_path_as_snprintf, setup),
		cmocka_unit_test_setup(test_clone_exact, setup),
		cmocka_unit_test_setup(test_reserve_static, setup),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
