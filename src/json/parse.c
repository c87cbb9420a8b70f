/* SPDX-License-Identifier: Apache-2.0
 * The strict parser: yajl's callback API (comments off, no trailing data, one value) builds
 * hardshim's own tree, and every string and key is checked again here, because yajl lets
 * through what runc and crun would read differently (docs/threats.md §1): \u0000, lone or
 * misordered surrogates (yajl turns a lone high one into '?'), overlong and surrogate UTF-8
 * forms, and duplicate keys (Go keeps the last, libocispec the first: we keep neither). */
#include <string.h>
#include <yajl/yajl_parse.h>

#include "hs-json.h"

struct frame {
	struct hs_json *node;
	const char *key; /* object: key of the member being parsed */
	size_t key_len;
	bool in_value;    /* object: key read, its value not complete yet */
	size_t value_end; /* object: just past the last complete value */
};

struct parser {
	struct hs_arena *arena;
	const struct hs_json_limits *limits;
	const char *buf;
	size_t len;
	yajl_handle yajl;
	struct frame *stack;
	unsigned depth;
	struct hs_json *root;
	struct hs_error *err;
	int r;
};

static long long consumed(struct parser *p)
{
	return (long long)yajl_get_bytes_consumed(p->yajl);
}

/* Does the text of f's last complete value run on (as "01", "truex", "\"x\"y" do: the reader
 * sees one value, yajl a value and then an error)? Then the error is that member's too. */
static bool runs_on(const struct parser *p, const struct frame *f)
{
	return f->value_end < p->len && !memchr(" \t\r\n,}]", p->buf[f->value_end], 7);
}

/* The JSON path of the value being parsed, for messages. */
static void current_path(struct parser *p, char *out, size_t size)
{
	char tmp[256];

	out[0] = '\0';
	for (unsigned i = 0; i < p->depth; i++) {
		struct frame *f = &p->stack[i];

		snprintf(tmp, sizeof(tmp), "%s", out);
		if (f->node->type == HS_JSON_OBJECT) {
			/* Between two members (after a value, at a key: a missing comma, a
			 * trailing one, a bad key) the error is the object's, not the last key's:
			 * naming that key would send the reader to a value that is fine. */
			if (!f->key || (i + 1 == p->depth && !f->in_value && !runs_on(p, f)))
				break;
			hs_json_path_key(out, size, tmp, f->key);
		} else {
			/* An enclosing array's current item is its last; at the top, the next. */
			size_t n = f->node->u.array.len;

			hs_json_path_index(out, size, tmp, i + 1 < p->depth && n ? n - 1 : n);
		}
	}
}

HS_PRINTF(4, 5)
static int fail(struct parser *p, const char *rule, long long offset, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	current_path(p, path, sizeof(path));
	va_start(ap, fmt);
	p->r = hs_error_setv(p->err, -HS_EPARSE, rule, path, offset, fmt, ap);
	va_end(ap);
	return 0; /* tells yajl to stop */
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
 * Returns the index of the first bad byte, or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 2, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 3, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (len - i < n)
			return i;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n;
	}
	return len;
}

static unsigned hexval(char c)
{
	return c >= '0' && c <= '9'   ? (unsigned)(c - '0')
	       : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
				      : (unsigned)(c - 'A' + 10);
}

/* Check the \u escapes of a raw string token [start, end) that yajl has validated: every
 * high surrogate must be followed by a low one and every low one preceded by a high one.
 * Returns the offset of the first bad escape or -1. */
static long long bad_surrogate_at(const char *buf, size_t start, size_t end)
{
	bool want_low = false;
	size_t high_at = 0;

	for (size_t i = start; i < end; i++) {
		unsigned cp = 0;

		if (buf[i] != '\\' || buf[i + 1] != 'u') {
			if (want_low)
				return (long long)high_at;
			if (buf[i] == '\\')
				i++; /* a two-character escape */
			continue;
		}
		for (size_t k = 2; k <= 5; k++)
			cp = (cp << 4) | hexval(buf[i + k]);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (want_low)
				return (long long)high_at;
			want_low = true;
			high_at = i;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			if (!want_low)
				return (long long)i;
			want_low = false;
		} else if (want_low) {
			return (long long)high_at;
		}
		i += 5;
	}
	return want_low ? (long long)high_at : -1;
}

/* Validate a decoded string or key yajl handed us and copy it into the arena. */
static const char *take_string(struct parser *p, const unsigned char *s, size_t len,
			       const char *what)
{
	long long end = consumed(p); /* just past the closing quote */
	const char *copy;
	size_t bad;

	if (len > p->limits->max_string) {
		fail(p, "json.string-length", end,
		     "%s of %zu bytes is longer than the limit of %zu", what, len,
		     p->limits->max_string);
		return NULL;
	}
	if ((const char *)s < p->buf || (const char *)s >= p->buf + p->len) {
		/* It had escapes and yajl decoded it elsewhere: look at the raw token. Its
		 * opening quote is the nearest '"' before the closing one that is preceded by
		 * an even number of backslashes. */
		size_t close = (size_t)end - 1, open = close;
		long long at;

		while (open-- > 0) {
			size_t bs = 0;

			if (p->buf[open] != '"')
				continue;
			while (bs < open && p->buf[open - 1 - bs] == '\\')
				bs++;
			if (bs % 2 == 0)
				break;
		}
		at = bad_surrogate_at(p->buf, open + 1, close);
		if (at >= 0) {
			fail(p, "json.surrogate", at,
			     "%s has a lone or misordered UTF-16 surrogate escape", what);
			return NULL;
		}
	}
	if (memchr(s, '\0', len)) {
		fail(p, "json.nul", end, "%s contains a NUL character", what);
		return NULL;
	}
	bad = utf8_invalid_at(s, len);
	if (bad < len) {
		fail(p, "json.utf8", end, "%s is not valid UTF-8 (byte %zu of the string)", what,
		     bad);
		return NULL;
	}
	copy = hs_arena_strndup(p->arena, (const char *)s, len);
	if (!copy)
		p->r = -ENOMEM;
	return copy;
}

static int add_value(struct parser *p, struct hs_json *v)
{
	struct frame *top;
	struct hs_json *obj;

	if (!v) {
		p->r = -ENOMEM;
		return 0;
	}
	if (p->depth == 0) {
		p->root = v;
		return 1;
	}
	top = &p->stack[p->depth - 1];
	obj = top->node;
	if (hs_json_len(obj) >= p->limits->max_items)
		return fail(p, "json.items", v->offset, "%s has more than %zu entries",
			    obj->type == HS_JSON_ARRAY ? "array" : "object", p->limits->max_items);
	if (obj->type == HS_JSON_ARRAY) {
		if (hs_json_append(p->arena, obj, v) < 0)
			return p->r = -ENOMEM, 0;
		return 1;
	}
	if (obj->u.object.len == obj->u.object.cap) {
		size_t ncap = obj->u.object.cap ? obj->u.object.cap * 2 : 8;
		struct hs_json_member *m = hs_arena_alloc(p->arena, ncap * sizeof(*m));

		if (!m)
			return p->r = -ENOMEM, 0;
		if (obj->u.object.len)
			memcpy(m, obj->u.object.members, obj->u.object.len * sizeof(*m));
		obj->u.object.members = m;
		obj->u.object.cap = ncap;
	}
	obj->u.object.members[obj->u.object.len++] =
	    (struct hs_json_member){ .key = top->key, .key_len = top->key_len, .value = v };
	/* a container's member is complete at its end (value_done from on_end_*) */
	if (v->type != HS_JSON_OBJECT && v->type != HS_JSON_ARRAY) {
		top->in_value = false;
		top->value_end = (size_t)consumed(p);
	}
	return 1;
}

/* The innermost object's member has its whole value (a container just ended). */
static void value_done(struct parser *p)
{
	if (p->depth > 0) {
		p->stack[p->depth - 1].in_value = false;
		p->stack[p->depth - 1].value_end = (size_t)consumed(p);
	}
}

static struct hs_json *new_node(struct parser *p, enum hs_json_type t)
{
	struct hs_json *v = hs_json_new(p->arena, t);

	if (v)
		v->offset = consumed(p);
	return v;
}

static int on_null(void *ctx)
{
	struct parser *p = ctx;

	return add_value(p, new_node(p, HS_JSON_NULL));
}

static int on_boolean(void *ctx, int b)
{
	struct parser *p = ctx;
	struct hs_json *v = new_node(p, HS_JSON_BOOL);

	if (v)
		v->u.boolean = b;
	return add_value(p, v);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	struct parser *p = ctx;
	struct hs_json *v;

	if (len > 64)
		return fail(p, "json.number", consumed(p), "number is %zu characters long", len);
	v = new_node(p, HS_JSON_NUMBER);
	if (v && !(v->u.number.text = hs_arena_strndup(p->arena, s, len)))
		v = NULL;
	if (v)
		v->u.number.len = len;
	return add_value(p, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	struct hs_json *v = new_node(p, HS_JSON_STRING);
	const char *copy;

	if (!v)
		return p->r = -ENOMEM, 0;
	copy = take_string(p, s, len, "string");
	if (!copy)
		return 0;
	v->u.string.s = copy;
	v->u.string.len = len;
	return add_value(p, v);
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	struct frame *top = &p->stack[p->depth - 1];
	const char *key = take_string(p, s, len, "key");

	if (!key)
		return 0;
	top->key = key;
	top->key_len = len;
	top->in_value = true;
	return 1;
}

static int push(struct parser *p, enum hs_json_type t)
{
	struct hs_json *v;

	if (p->depth >= p->limits->max_depth)
		return fail(p, "json.depth", consumed(p), "nesting is deeper than the limit of %u",
			    p->limits->max_depth);
	v = new_node(p, t);
	if (!add_value(p, v))
		return 0;
	p->stack[p->depth++] = (struct frame){ .node = v };
	return 1;
}

static int on_start_map(void *ctx)
{
	return push(ctx, HS_JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
	return push(ctx, HS_JSON_ARRAY);
}

static int cmp_member_key(const void *a, const void *b)
{
	const struct hs_json_member *x = *(const struct hs_json_member *const *)a;
	const struct hs_json_member *y = *(const struct hs_json_member *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x < y ? -1 : 1; /* equal keys stay in input order: the later one is reported */
}

static int duplicate(struct parser *p, const struct hs_json_member *later)
{
	p->stack[p->depth - 1].key = later->key;
	p->stack[p->depth - 1].in_value = true;
	return fail(p, "json.duplicate-key", later->value->offset,
		    "duplicate key (runc would keep the last, crun the first)");
}

/* Duplicate keys, found by sorting pointers: O(n log n) even for objects with 64k members. */
static int check_duplicates(struct parser *p, struct hs_json *obj)
{
	size_t n = obj->u.object.len;
	const struct hs_json_member **sorted;
	const struct hs_json_member *m = obj->u.object.members;

	if (n <= 8) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (m[j].key_len == m[i].key_len &&
				    !memcmp(m[j].key, m[i].key, m[i].key_len))
					return duplicate(p, &m[i]);
		return 1;
	}
	sorted = hs_arena_alloc(p->arena, n * sizeof(*sorted));
	if (!sorted)
		return p->r = -ENOMEM, 0;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &m[i];
	qsort(sorted, n, sizeof(*sorted), cmp_member_key);
	for (size_t i = 1; i < n; i++)
		if (sorted[i - 1]->key_len == sorted[i]->key_len &&
		    !memcmp(sorted[i - 1]->key, sorted[i]->key, sorted[i]->key_len))
			return duplicate(p, sorted[i]);
	return 1;
}

static int on_end_map(void *ctx)
{
	struct parser *p = ctx;

	if (!check_duplicates(p, p->stack[p->depth - 1].node))
		return 0;
	p->depth--;
	value_done(p);
	return 1;
}

static int on_end_array(void *ctx)
{
	struct parser *p = ctx;

	p->depth--;
	value_done(p);
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_boolean,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_map_key,
	.yajl_end_map = on_end_map,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end_array,
};

/* Name yajl's own refusals after the rule they break. */
static const char *yajl_rule(const char *msg)
{
	if (strstr(msg, "comment"))
		return "json.comment";
	if (strstr(msg, "trailing garbage"))
		return "json.trailing-data";
	if (strstr(msg, "UTF8"))
		return "json.utf8";
	return "json.syntax";
}

int hs_json_parse(struct hs_arena *arena, const char *buf, size_t len,
		  const struct hs_json_limits *limits, struct hs_json **ret, struct hs_error *err)
{
	struct parser p = { .arena = arena, .limits = limits, .buf = buf, .len = len, .err = err };
	yajl_status st;

	if (len > limits->max_bytes)
		return hs_error_set(err, -HS_EPARSE, "json.size", "", (long long)limits->max_bytes,
				    "document is %zu bytes, larger than the limit of %zu", len,
				    limits->max_bytes);
	/* yajl's lexer takes \v and \f for whitespace; JSON (and Go, which would refuse the
	 * original) has only space, tab, LF and CR. A raw \v or \f cannot be anywhere else in
	 * valid JSON (inside a string it must be escaped), so any one of them is refused. */
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\v' || buf[i] == '\f')
			return hs_error_set(err, -HS_EPARSE, "json.syntax", "", (long long)i,
					    "control character 0x%02x outside a string is not JSON "
					    "whitespace",
					    (unsigned)buf[i]);
	p.stack = hs_arena_alloc(arena, (limits->max_depth + 1) * sizeof(*p.stack));
	p.yajl = yajl_alloc(&callbacks, NULL, &p);
	if (!p.stack || !p.yajl) {
		if (p.yajl)
			yajl_free(p.yajl);
		return -ENOMEM;
	}
	yajl_config(p.yajl, yajl_allow_comments, 0);
	yajl_config(p.yajl, yajl_dont_validate_strings, 0);
	yajl_config(p.yajl, yajl_allow_trailing_garbage, 0);
	yajl_config(p.yajl, yajl_allow_multiple_values, 0);
	yajl_config(p.yajl, yajl_allow_partial_values, 0);

	st = yajl_parse(p.yajl, (const unsigned char *)buf, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(p.yajl);
	if (st != yajl_status_ok && p.r == 0) {
		unsigned char *msg = yajl_get_error(p.yajl, 0, (const unsigned char *)buf, len);
		const char *m = msg ? (const char *)msg : "syntax error";
		char path[256];

		/* yajl appends the input around the error on further lines: not for a log. */
		current_path(&p, path, sizeof(path));
		p.r = hs_error_set(err, -HS_EPARSE, yajl_rule(m), path, consumed(&p), "%.*s",
				   (int)strcspn(m, "\n"), m);
		if (msg)
			yajl_free_error(p.yajl, msg);
	}
	yajl_free(p.yajl);
	if (p.r < 0)
		return p.r;
	if (!p.root)
		return hs_error_set(err, -HS_EPARSE, "json.syntax", "", 0, "empty document");
	*ret = p.root;
	return 0;
}
