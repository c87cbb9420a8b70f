/* SPDX-License-Identifier: Apache-2.0
 * The OCI schema tables (src/oci/spec-schema.c) must be the Go types runc decodes into,
 * field for field: a missing field would let a case variant of it through unrefused, a
 * wrong integer range would accept a number Go rejects or refuse one it reads. This renders
 * the tables in the form tests/oracle/main.go -schema renders the Go types by reflection
 * (committed as tests/oracle/spec-schema.txt, re-derived from Go by the json-corpus bats
 * suite) and compares the two. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "hs-schema.h"

struct lines {
	char **v;
	size_t n, cap;
};

static void add(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	l->v[l->n++] = s;
}

static void render(struct lines *l, const char *path, const struct hs_schema *s)
{
	char sub[512];

	switch (s->kind) {
	case HS_S_ANY: add(l, "%s any", path); break;
	case HS_S_BOOL: add(l, "%s bool", path); break;
	case HS_S_STRING: add(l, "%s string", path); break;
	case HS_S_INT: add(l, "%s int %" PRId64 " %" PRId64, path, s->min, s->max); break;
	case HS_S_UINT: add(l, "%s uint 0 %" PRIu64, path, s->umax); break;
	case HS_S_STRUCT:
		add(l, "%s struct", path);
		assert_non_null(s->fields);
		for (const struct hs_schema_field *f = s->fields; f->name; f++) {
			assert_non_null(f->schema);
			snprintf(sub, sizeof(sub), "%s.%s", path, f->name);
			render(l, sub, f->schema);
		}
		break;
	case HS_S_MAP:
		add(l, "%s map", path);
		assert_non_null(s->item);
		snprintf(sub, sizeof(sub), "%s{}", path);
		render(l, sub, s->item);
		break;
	case HS_S_ARRAY:
		add(l, "%s array", path);
		assert_non_null(s->item);
		snprintf(sub, sizeof(sub), "%s[]", path);
		render(l, sub, s->item);
		break;
	default: fail_msg("%s: unknown schema kind %d", path, (int)s->kind);
	}
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *expected_section(const char *kind)
{
	const char *top = getenv("HS_TOP");
	char file[4096], header[64], line[1024];
	char *buf = NULL;
	size_t size = 0;
	bool in = false;
	FILE *f, *out;

	snprintf(file, sizeof(file), "%s/tests/oracle/spec-schema.txt", top ? top : ".");
	f = fopen(file, "re");
	assert_non_null(f);
	out = open_memstream(&buf, &size);
	assert_non_null(out);
	snprintf(header, sizeof(header), "== %s\n", kind);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "== ", 3)) {
			in = !strcmp(line, header);
			continue;
		}
		if (in)
			fputs(line, out);
	}
	fclose(f);
	fclose(out);
	return buf;
}

static void check_kind(const char *kind, const struct hs_schema *s)
{
	struct lines l = { 0 };
	char *want = expected_section(kind), *got = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&got, &size);

	render(&l, "$", s);
	qsort(l.v, l.n, sizeof(*l.v), cmp);
	for (size_t i = 0; i < l.n; i++) {
		fprintf(out, "%s\n", l.v[i]);
		free(l.v[i]);
	}
	free(l.v);
	fclose(out);
	assert_true(want[0] != '\0');
	if (strcmp(got, want)) {
		/* Name the first line that differs: the diff a reviewer needs. */
		const char *a = got, *b = want;
		while (*a && *a == *b)
			a++, b++;
		while (a > got && a[-1] != '\n')
			a--, b--;
		fail_msg("%s schema differs from the Go types at:\n  C:  %.*s\n  Go: %.*s", kind,
			 (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
	}
	free(got);
	free(want);
}

static void test_spec(void **state)
{
	check_kind("spec", &hs_oci_spec);
}
static void test_process(void **state)
{
	check_kind("process", &hs_oci_process);
}
static void test_resources(void **state)
{
	check_kind("resources", &hs_oci_resources);
}
static void test_state(void **state)
{
	check_kind("state", &hs_oci_state);
}

/* The leaves carry Go's exact ranges. */
static void test_leaves(void **state)
{
	assert_int_equal(hs_schema_u16.kind, HS_S_UINT);
	assert_true(hs_schema_u16.umax == 65535);
	assert_true(hs_schema_u32.umax == 4294967295u);
	assert_true(hs_schema_u64.umax == UINT64_MAX);
	assert_true(hs_schema_i32.min == INT32_MIN && hs_schema_i32.max == INT32_MAX);
	assert_true(hs_schema_i64.min == INT64_MIN && hs_schema_i64.max == INT64_MAX);
	assert_int_equal(hs_schema_string_array.kind, HS_S_ARRAY);
	assert_ptr_equal(hs_schema_string_array.item, &hs_schema_string);
	assert_int_equal(hs_schema_string_map.kind, HS_S_MAP);
	assert_ptr_equal(hs_schema_string_map.item, &hs_schema_string);
	assert_int_equal(hs_schema_any.kind, HS_S_ANY);
	assert_int_equal(hs_schema_bool.kind, HS_S_BOOL);
	assert_int_equal(hs_schema_string.kind, HS_S_STRING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),      cmocka_unit_test(test_process),
		cmocka_unit_test(test_resources), cmocka_unit_test(test_state),
		cmocka_unit_test(test_leaves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
