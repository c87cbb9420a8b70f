/* SPDX-License-Identifier: Apache-2.0
 * Canonical serialization: the bytes the runtime will parse are exactly the tree hardshim
 * checked. Null members are dropped (null means absent to runc, and to hardshim). */
#include <string.h>

#include "hs-json.h"

struct out {
	char *buf;
	size_t len, cap;
	int r;
	bool pretty;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->r < 0)
		return;
	if (o->cap - o->len <= n) {
		size_t ncap = o->cap ? o->cap : 4096;
		char *nb;

		while (ncap - o->len <= n)
			ncap *= 2;
		nb = realloc(o->buf, ncap);
		if (!nb) {
			o->r = -ENOMEM;
			return;
		}
		o->buf = nb;
		o->cap = ncap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_string(struct out *o, const char *s, size_t len)
{
	size_t start = 0;

	put(o, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(o, s + start, i - start);
		switch (c) {
		case '"': puts_(o, "\\\""); break;
		case '\\': puts_(o, "\\\\"); break;
		case '\n': puts_(o, "\\n"); break;
		case '\t': puts_(o, "\\t"); break;
		case '\r': puts_(o, "\\r"); break;
		case '\b': puts_(o, "\\b"); break;
		case '\f': puts_(o, "\\f"); break;
		default: snprintf(esc, sizeof(esc), "\\u%04x", c); puts_(o, esc);
		}
		start = i + 1;
	}
	put(o, s + start, len - start);
	put(o, "\"", 1);
}

static void newline(struct out *o, unsigned depth)
{
	if (!o->pretty)
		return;
	put(o, "\n", 1);
	for (unsigned i = 0; i < depth; i++)
		put(o, "  ", 2);
}

static void emit(struct out *o, const struct hs_json *v, unsigned depth)
{
	bool first = true;

	switch (v->type) {
	case HS_JSON_NULL: puts_(o, "null"); break;
	case HS_JSON_BOOL: puts_(o, v->u.boolean ? "true" : "false"); break;
	case HS_JSON_NUMBER: put(o, v->u.number.text, v->u.number.len); break;
	case HS_JSON_STRING: put_string(o, v->u.string.s, v->u.string.len); break;
	case HS_JSON_ARRAY:
		put(o, "[", 1);
		for (size_t i = 0; i < v->u.array.len; i++) {
			if (i)
				put(o, ",", 1);
			newline(o, depth + 1);
			emit(o, v->u.array.items[i], depth + 1);
		}
		if (v->u.array.len)
			newline(o, depth);
		put(o, "]", 1);
		break;
	case HS_JSON_OBJECT:
		put(o, "{", 1);
		for (size_t i = 0; i < v->u.object.len; i++) {
			const struct hs_json_member *m = &v->u.object.members[i];

			if (m->value->type == HS_JSON_NULL)
				continue;
			if (!first)
				put(o, ",", 1);
			first = false;
			newline(o, depth + 1);
			put_string(o, m->key, m->key_len);
			put(o, o->pretty ? ": " : ":", o->pretty ? 2 : 1);
			emit(o, m->value, depth + 1);
		}
		if (!first)
			newline(o, depth);
		put(o, "}", 1);
		break;
	}
}

static int emit_root(const struct hs_json *root, bool pretty, char **ret_buf, size_t *ret_len)
{
	struct out o = { .pretty = pretty };

	emit(&o, root, 0);
	if (pretty)
		put(&o, "\n", 1);
	if (o.r < 0) {
		free(o.buf);
		return o.r;
	}
	*ret_buf = o.buf;
	if (ret_len)
		*ret_len = o.len;
	return 0;
}

int hs_json_emit(const struct hs_json *root, char **ret_buf, size_t *ret_len)
{
	return emit_root(root, false, ret_buf, ret_len);
}

int hs_json_emit_pretty(const struct hs_json *root, char **ret_buf, size_t *ret_len)
{
	return emit_root(root, true, ret_buf, ret_len);
}
