/* SPDX-License-Identifier: Apache-2.0
 * One walker for every document's shape. The rules mirror what Go's encoding/json (runc)
 * would do with the same bytes, and refuse wherever its reading could differ from ours:
 * a key that matches a field only case-insensitively (kubernetes#64612), a wrong type, an
 * integer written as 1.0 or out of the field's range. */
#include <string.h>

#include "hs-schema.h"

/* Decode one UTF-8 rune (input already validated by the parser). */
static uint32_t next_rune(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];

	if (c < 0x80) {
		*p += 1;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		*p += 2;
		return ((c & 0x1F) << 6) | (s[1] & 0x3F);
	}
	if ((c & 0xF0) == 0xE0) {
		*p += 3;
		return ((c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
	}
	*p += 4;
	return ((c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
	       ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

/* Go folds ASCII case, and (depending on the Go release) U+017F LATIN SMALL LETTER LONG S
 * to 's', U+212A KELVIN SIGN to 'k', U+0130 and U+0131 to 'i'. We fold all of them: a
 * wider match only refuses more. Other runes fold to nothing ASCII. */
static uint32_t go_fold(uint32_t r)
{
	if (r >= 'A' && r <= 'Z')
		return r + 32;
	switch (r) {
	case 0x017F: return 's';
	case 0x212A: return 'k';
	case 0x0130:
	case 0x0131: return 'i';
	default: return r;
	}
}

bool hs_schema_go_fold_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *p = (const unsigned char *)a, *pe = p + alen;
	const unsigned char *q = (const unsigned char *)b, *qe = q + blen;

	while (p < pe && q < qe)
		if (go_fold(next_rune(&p)) != go_fold(next_rune(&q)))
			return false;
	return p == pe && q == qe;
}

static const char *type_name(enum hs_json_type t)
{
	static const char *const names[] = { "null",   "boolean", "number",
					     "string", "array",   "object" };
	return names[t];
}

static const char *kind_name(const struct hs_schema *s)
{
	switch (s->kind) {
	case HS_S_BOOL: return "a boolean";
	case HS_S_STRING: return "a string";
	case HS_S_INT:
	case HS_S_UINT: return "an integer";
	case HS_S_STRUCT:
	case HS_S_MAP: return "an object";
	case HS_S_ARRAY: return "an array";
	default: return "a value";
	}
}

static int check(const struct hs_json *v, const struct hs_schema *s, const char *path,
		 enum hs_unknown_keys unknown, struct hs_error *err);

static int check_struct(const struct hs_json *v, const struct hs_schema *s, const char *path,
			enum hs_unknown_keys unknown, struct hs_error *err)
{
	for (size_t i = 0; i < v->u.object.len; i++) {
		const struct hs_json_member *m = &v->u.object.members[i];
		const struct hs_schema_field *f, *variant = NULL;
		char sub[256];
		int r;

		hs_json_path_key(sub, sizeof(sub), path, m->key);
		for (f = s->fields; f->name; f++) {
			size_t n = strlen(f->name);

			if (n == m->key_len && !memcmp(f->name, m->key, n))
				break;
			if (!variant && hs_schema_go_fold_equal(m->key, m->key_len, f->name, n))
				variant = f;
		}
		if (!f->name) {
			if (variant)
				return hs_error_set(
				    err, -HS_EPARSE, "json.case-variant-key", sub, m->value->offset,
				    "key differs from the field \"%s\" only in case or "
				    "Unicode folding; runc would read it as that field",
				    variant->name);
			if (unknown == HS_UNKNOWN_REFUSE)
				return hs_error_set(err, -HS_EPARSE, "json.unknown-key", sub,
						    m->value->offset, "unknown key");
			r = check(m->value, &hs_schema_any, sub, unknown, err);
		} else if (m->value->type == HS_JSON_NULL) {
			continue; /* null means absent, for Go as for us */
		} else {
			r = check(m->value, f->schema, sub, unknown, err);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * A value kept as it is (an unknown key's, or a Go interface{} such as
 * windows.credentialSpec). The canonical form drops null members, which is right where null
 * means absent (a struct field) but would change these values: Go keeps {"a":null} in an
 * interface{} as a key with a nil value, and a preserved unknown key would lose a member.
 * So a null member anywhere inside is refused rather than silently dropped. Depth is
 * bounded by the parser's limit.
 */
static int check_any(const struct hs_json *v, const char *path, struct hs_error *err)
{
	char sub[256];
	int r;

	if (v->type == HS_JSON_ARRAY) {
		for (size_t i = 0; i < v->u.array.len; i++) {
			hs_json_path_index(sub, sizeof(sub), path, i);
			r = check_any(v->u.array.items[i], sub, err);
			if (r < 0)
				return r;
		}
	} else if (v->type == HS_JSON_OBJECT) {
		for (size_t i = 0; i < v->u.object.len; i++) {
			const struct hs_json_member *m = &v->u.object.members[i];

			hs_json_path_key(sub, sizeof(sub), path, m->key);
			if (m->value->type == HS_JSON_NULL)
				return hs_error_set(
				    err, -HS_EPARSE, "json.null", sub, m->value->offset,
				    "null member inside a value kept as written: the "
				    "canonical form would drop it and change the value");
			r = check_any(m->value, sub, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int check(const struct hs_json *v, const struct hs_schema *s, const char *path,
		 enum hs_unknown_keys unknown, struct hs_error *err)
{
	enum hs_json_type want;
	int r;

	switch (s->kind) {
	case HS_S_ANY:
		/* Unknown subtrees (and Go interface{} fields) keep their shape; see check_any. */
		return check_any(v, path, err);
	case HS_S_BOOL: want = HS_JSON_BOOL; break;
	case HS_S_STRING: want = HS_JSON_STRING; break;
	case HS_S_INT:
	case HS_S_UINT: want = HS_JSON_NUMBER; break;
	case HS_S_STRUCT:
	case HS_S_MAP: want = HS_JSON_OBJECT; break;
	case HS_S_ARRAY: want = HS_JSON_ARRAY; break;
	default: return -EINVAL;
	}
	if (v->type == HS_JSON_NULL)
		return hs_error_set(err, -HS_EPARSE, "json.null", path, v->offset,
				    "null where %s is required (runc would read an empty value)",
				    kind_name(s));
	if (v->type != want)
		return hs_error_set(err, -HS_EPARSE, "json.type", path, v->offset,
				    "%s where %s is required", type_name(v->type), kind_name(s));
	switch (s->kind) {
	case HS_S_INT: {
		int64_t n;

		if (hs_json_get_i64(v, s->min, s->max, &n) < 0)
			return hs_error_set(err, -HS_EPARSE, "json.number", path, v->offset,
					    "%s is not an integer in [%lld, %lld]",
					    v->u.number.text, (long long)s->min, (long long)s->max);
		return 0;
	}
	case HS_S_UINT: {
		uint64_t n;

		if (hs_json_get_u64(v, s->umax, &n) < 0)
			return hs_error_set(err, -HS_EPARSE, "json.number", path, v->offset,
					    "%s is not an integer in [0, %llu]", v->u.number.text,
					    (unsigned long long)s->umax);
		return 0;
	}
	case HS_S_STRUCT: return check_struct(v, s, path, unknown, err);
	case HS_S_MAP:
		for (size_t i = 0; i < v->u.object.len; i++) {
			const struct hs_json_member *m = &v->u.object.members[i];
			char sub[256];

			hs_json_path_key(sub, sizeof(sub), path, m->key);
			r = check(m->value, s->item, sub, unknown, err);
			if (r < 0)
				return r;
		}
		return 0;
	case HS_S_ARRAY:
		for (size_t i = 0; i < v->u.array.len; i++) {
			char sub[256];

			hs_json_path_index(sub, sizeof(sub), path, i);
			r = check(v->u.array.items[i], s->item, sub, unknown, err);
			if (r < 0)
				return r;
		}
		return 0;
	default: return 0;
	}
}

int hs_schema_check(const struct hs_json *v, const struct hs_schema *s, const char *path,
		    enum hs_unknown_keys unknown, struct hs_error *err)
{
	return check(v, s, path ? path : "", unknown, err);
}
