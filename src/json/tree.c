/* SPDX-License-Identifier: Apache-2.0
 * Tree access and edits for the policy controls. */
#include <inttypes.h>
#include <string.h>

#include "hs-json.h"

struct hs_json *hs_json_new(struct hs_arena *a, enum hs_json_type t)
{
	struct hs_json *v = hs_arena_alloc_aligned(a, sizeof(*v), _Alignof(struct hs_json));

	if (v) {
		v->type = t;
		v->offset = -1;
	}
	return v;
}

struct hs_json *hs_json_new_string(struct hs_arena *a, const char *s)
{
	struct hs_json *v = hs_json_new(a, HS_JSON_STRING);

	if (!v || !(v->u.string.s = hs_arena_strdup(a, s)))
		return NULL;
	v->u.string.len = strlen(s);
	return v;
}

struct hs_json *hs_json_new_static_string(struct hs_arena *a, const char *s)
{
	struct hs_json *v = hs_json_new(a, HS_JSON_STRING);

	if (v) {
		v->u.string.s = s;
		v->u.string.len = strlen(s);
	}
	return v;
}

struct hs_json *hs_json_new_bool(struct hs_arena *a, bool b)
{
	struct hs_json *v = hs_json_new(a, HS_JSON_BOOL);

	if (v)
		v->u.boolean = b;
	return v;
}

static struct hs_json *new_number(struct hs_arena *a, const char *text)
{
	struct hs_json *v = hs_json_new(a, HS_JSON_NUMBER);

	if (!v || !(v->u.number.text = hs_arena_strdup(a, text)))
		return NULL;
	v->u.number.len = strlen(text);
	return v;
}

struct hs_json *hs_json_new_i64(struct hs_arena *a, int64_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, n);
	return new_number(a, buf);
}

struct hs_json *hs_json_new_u64(struct hs_arena *a, uint64_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, n);
	return new_number(a, buf);
}

bool hs_json_is(const struct hs_json *v, enum hs_json_type t)
{
	return v && v->type == t;
}

static struct hs_json_member *find(const struct hs_json *obj, const char *key)
{
	size_t klen;

	if (!obj || obj->type != HS_JSON_OBJECT)
		return NULL;
	klen = strlen(key);
	for (size_t i = 0; i < obj->u.object.len; i++) {
		struct hs_json_member *m = &obj->u.object.members[i];

		if (m->key_len == klen && !memcmp(m->key, key, klen))
			return m;
	}
	return NULL;
}

struct hs_json *hs_json_get(const struct hs_json *obj, const char *key)
{
	struct hs_json_member *m = find(obj, key);

	return m && m->value->type != HS_JSON_NULL ? m->value : NULL;
}

struct hs_json *hs_json_get_type(const struct hs_json *obj, const char *key, enum hs_json_type t)
{
	struct hs_json *v = hs_json_get(obj, key);

	return v && v->type == t ? v : NULL;
}

const char *hs_json_get_string(const struct hs_json *obj, const char *key)
{
	struct hs_json *v = hs_json_get_type(obj, key, HS_JSON_STRING);

	return v ? v->u.string.s : NULL;
}

/* Integers as Go reads them into integer fields: digits only, optional '-' for signed. */
static int integer_text(const struct hs_json *v, bool allow_minus)
{
	const char *s;

	if (!v || v->type != HS_JSON_NUMBER)
		return -EINVAL;
	s = v->u.number.text;
	if (*s == '-') {
		if (!allow_minus)
			return -ERANGE;
		s++;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return -EINVAL; /* a fraction or exponent: Go refuses 1.0 and 1e3 */
	return 0;
}

int hs_json_get_i64(const struct hs_json *v, int64_t min, int64_t max, int64_t *ret)
{
	int64_t n;
	char *end;
	int r = integer_text(v, true);

	if (r < 0)
		return r;
	errno = 0;
	n = strtoll(v->u.number.text, &end, 10);
	if (errno || *end || n < min || n > max)
		return -ERANGE;
	*ret = n;
	return 0;
}

int hs_json_get_u64(const struct hs_json *v, uint64_t max, uint64_t *ret)
{
	uint64_t n;
	char *end;
	int r = integer_text(v, false);

	if (r < 0)
		return r;
	errno = 0;
	n = strtoull(v->u.number.text, &end, 10);
	if (errno || *end || n > max)
		return -ERANGE;
	*ret = n;
	return 0;
}

int hs_json_reserve(struct hs_arena *a, struct hs_json *v, size_t n)
{
	if (v && v->type == HS_JSON_ARRAY) {
		struct hs_json **items;

		if (n <= v->u.array.cap)
			return 0;
		if (n > SIZE_MAX / sizeof(*items) ||
		    !(items = hs_arena_alloc_aligned(a, n * sizeof(*items),
						     _Alignof(struct hs_json *))))
			return -ENOMEM;
		if (v->u.array.len)
			memcpy(items, v->u.array.items, v->u.array.len * sizeof(*items));
		v->u.array.items = items;
		v->u.array.cap = n;
		return 0;
	}
	if (v && v->type == HS_JSON_OBJECT) {
		struct hs_json_member *members;

		if (n <= v->u.object.cap)
			return 0;
		if (n > SIZE_MAX / sizeof(*members) ||
		    !(members = hs_arena_alloc_aligned(a, n * sizeof(*members),
						       _Alignof(struct hs_json_member))))
			return -ENOMEM;
		if (v->u.object.len)
			memcpy(members, v->u.object.members, v->u.object.len * sizeof(*members));
		v->u.object.members = members;
		v->u.object.cap = n;
		return 0;
	}
	return -EINVAL;
}

/* key_owned: key is the caller's for the tree's lifetime (static storage or the same arena);
 * otherwise it is copied into the arena. */
static int set(struct hs_arena *a, struct hs_json *obj, const char *key, bool key_owned,
	       struct hs_json *value)
{
	struct hs_json_member *m;

	if (!obj || obj->type != HS_JSON_OBJECT || !value)
		return -EINVAL;
	m = find(obj, key);
	if (m) {
		m->value = value;
		return 0;
	}
	if (obj->u.object.len == obj->u.object.cap &&
	    hs_json_reserve(a, obj, obj->u.object.cap ? obj->u.object.cap * 2 : 8) < 0)
		return -ENOMEM;
	if (!key_owned && !(key = hs_arena_strdup(a, key)))
		return -ENOMEM;
	obj->u.object.members[obj->u.object.len++] =
	    (struct hs_json_member){ .key = key, .key_len = strlen(key), .value = value };
	return 0;
}

int hs_json_set(struct hs_arena *a, struct hs_json *obj, const char *key, struct hs_json *value)
{
	return set(a, obj, key, false, value);
}

int hs_json_set_static(struct hs_arena *a, struct hs_json *obj, const char *key,
		       struct hs_json *value)
{
	return set(a, obj, key, true, value);
}

static struct hs_json *ensure(struct hs_arena *a, struct hs_json *obj, const char *key,
			      enum hs_json_type t)
{
	struct hs_json *v = hs_json_get(obj, key);

	if (v)
		return v->type == t ? v : NULL;
	v = hs_json_new(a, t);
	if (!v || hs_json_set(a, obj, key, v) < 0)
		return NULL;
	return v;
}

struct hs_json *hs_json_ensure_object(struct hs_arena *a, struct hs_json *obj, const char *key)
{
	return ensure(a, obj, key, HS_JSON_OBJECT);
}

struct hs_json *hs_json_ensure_array(struct hs_arena *a, struct hs_json *obj, const char *key)
{
	return ensure(a, obj, key, HS_JSON_ARRAY);
}

int hs_json_remove(struct hs_json *obj, const char *key)
{
	struct hs_json_member *m = find(obj, key);
	size_t i;

	if (!m)
		return 0;
	i = (size_t)(m - obj->u.object.members);
	memmove(m, m + 1, (obj->u.object.len - i - 1) * sizeof(*m));
	obj->u.object.len--;
	return 1;
}

int hs_json_append(struct hs_arena *a, struct hs_json *arr, struct hs_json *item)
{
	if (!arr || arr->type != HS_JSON_ARRAY || !item)
		return -EINVAL;
	if (arr->u.array.len == arr->u.array.cap &&
	    hs_json_reserve(a, arr, arr->u.array.cap ? arr->u.array.cap * 2 : 8) < 0)
		return -ENOMEM;
	arr->u.array.items[arr->u.array.len++] = item;
	return 0;
}

int hs_json_insert(struct hs_arena *a, struct hs_json *arr, size_t index, struct hs_json *item)
{
	size_t len;
	int r;

	if (!arr || arr->type != HS_JSON_ARRAY || index > arr->u.array.len)
		return -EINVAL;
	len = arr->u.array.len;
	if ((r = hs_json_append(a, arr, item)) < 0)
		return r;
	memmove(&arr->u.array.items[index + 1], &arr->u.array.items[index],
		(len - index) * sizeof(struct hs_json *));
	arr->u.array.items[index] = item;
	return 0;
}

void hs_json_array_remove(struct hs_json *arr, size_t index)
{
	if (!arr || arr->type != HS_JSON_ARRAY || index >= arr->u.array.len)
		return;
	memmove(&arr->u.array.items[index], &arr->u.array.items[index + 1],
		(arr->u.array.len - index - 1) * sizeof(struct hs_json *));
	arr->u.array.len--;
}

struct hs_json *hs_json_clone(struct hs_arena *a, const struct hs_json *v)
{
	struct hs_json *c;

	if (!v || !(c = hs_json_new(a, v->type)))
		return NULL;
	c->offset = v->offset;
	switch (v->type) {
	case HS_JSON_NULL: break;
	case HS_JSON_BOOL: c->u.boolean = v->u.boolean; break;
	case HS_JSON_NUMBER:
	case HS_JSON_STRING:
		c->u = v->u; /* strings are immutable and arena-owned */
		break;
	case HS_JSON_ARRAY:
		/* Exactly as many items and members as the original: a clone is mostly read (a
		 * control's policy section, the config an exception is judged without). */
		if (hs_json_reserve(a, c, v->u.array.len) < 0)
			return NULL;
		for (size_t i = 0; i < v->u.array.len; i++)
			if (hs_json_append(a, c, hs_json_clone(a, v->u.array.items[i])) < 0)
				return NULL;
		break;
	case HS_JSON_OBJECT:
		if (hs_json_reserve(a, c, v->u.object.len) < 0)
			return NULL;
		for (size_t i = 0; i < v->u.object.len; i++) {
			const struct hs_json_member *m = &v->u.object.members[i];
			struct hs_json *value = hs_json_clone(a, m->value);

			/* The keys are unique already, and immutable like the strings. */
			if (!value)
				return NULL;
			c->u.object.members[c->u.object.len++] = (struct hs_json_member){
				.key = m->key, .key_len = m->key_len, .value = value
			};
		}
		break;
	}
	return c;
}

bool hs_json_equal(const struct hs_json *a, const struct hs_json *b)
{
	if (!a || !b || a->type != b->type)
		return a == b;
	switch (a->type) {
	case HS_JSON_NULL: return true;
	case HS_JSON_BOOL: return a->u.boolean == b->u.boolean;
	case HS_JSON_NUMBER:
		return a->u.number.len == b->u.number.len &&
		       !memcmp(a->u.number.text, b->u.number.text, a->u.number.len);
	case HS_JSON_STRING:
		return a->u.string.len == b->u.string.len &&
		       !memcmp(a->u.string.s, b->u.string.s, a->u.string.len);
	case HS_JSON_ARRAY:
		if (a->u.array.len != b->u.array.len)
			return false;
		for (size_t i = 0; i < a->u.array.len; i++)
			if (!hs_json_equal(a->u.array.items[i], b->u.array.items[i]))
				return false;
		return true;
	case HS_JSON_OBJECT:
		if (a->u.object.len != b->u.object.len)
			return false;
		for (size_t i = 0; i < a->u.object.len; i++) {
			const struct hs_json_member *m = &a->u.object.members[i];
			struct hs_json_member *o = find(b, m->key);

			if (!o || !hs_json_equal(m->value, o->value))
				return false;
		}
		return true;
	}
	return false;
}

static bool is_identifier(const char *key)
{
	if (!*key || (*key >= '0' && *key <= '9'))
		return false;
	for (const char *s = key; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* snprintf(buf, size, "%s%s%s", a, b, c) without the printf machinery: a create builds a
 * path for every node of the config and the policy it checks (over a thousand), and
 * formatting them was a fifth of create's instructions. Same bytes, same truncation (at
 * size - 1, always terminated when size > 0); buf may be a itself. */
void hs_json_path_cat(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c };
	size_t n = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < 3; i++) {
		size_t len = strlen(parts[i]);

		if (len > size - 1 - n)
			len = size - 1 - n;
		memmove(buf + n, parts[i], len);
		n += len;
	}
	buf[n] = '\0';
}

void hs_json_path_key(char *buf, size_t size, const char *parent, const char *key)
{
	size_t n;

	if (is_identifier(key)) {
		hs_json_path_cat(buf, size, parent, *parent ? "." : "", key);
		return;
	}
	/* Quoted, with anything that could forge a path or a log line escaped. */
	n = (size_t)snprintf(buf, size, "%s[\"", parent);
	for (const unsigned char *s = (const unsigned char *)key; *s && n + 8 < size; s++) {
		if (*s < 0x20 || *s == '"' || *s == '\\' || *s == 0x7f)
			n += (size_t)snprintf(buf + n, size - n, "\\u%04x", *s);
		else
			buf[n++] = (char)*s;
	}
	if (n + 3 <= size)
		snprintf(buf + n, size - n, "\"]");
	else if (size > 5)
		snprintf(buf + size - 6, 6, "...\"]");
}

void hs_json_path_index(char *buf, size_t size, const char *parent, size_t index)
{
	char digits[24], *d = digits + sizeof(digits) - 1;

	*d = '\0';
	*--d = ']';
	do
		*--d = (char)('0' + index % 10);
	while ((index /= 10) && d > digits + 1);
	*--d = '[';
	hs_json_path_cat(buf, size, parent, d, "");
}
