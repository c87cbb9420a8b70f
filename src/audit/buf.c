/* SPDX-License-Identifier: Apache-2.0
 * The record writer's JSON: a growable buffer and a string escaper. Records are written by
 * hand rather than through the tree emitter because the order and the exact bytes are the
 * chain's input, and because names from /proc and the environment are not guaranteed UTF-8:
 * the escaper must keep the line valid JSON whatever it is given. */
#include <stdarg.h>
#include <string.h>

#include "hs-audit.h"

void hs_abuf_free(struct hs_abuf *b)
{
	free(b->buf);
	*b = (struct hs_abuf){ 0 };
}

static bool abuf_reserve(struct hs_abuf *b, size_t n)
{
	size_t ncap;
	char *nbuf;

	if (b->oom)
		return false;
	if (b->cap - b->len > n)
		return true;
	ncap = b->cap ? b->cap : 1024;
	while (ncap - b->len <= n) {
		if (ncap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		ncap *= 2;
	}
	nbuf = realloc(b->buf, ncap);
	if (!nbuf) {
		b->oom = true;
		return false;
	}
	b->buf = nbuf;
	b->cap = ncap;
	return true;
}

void hs_abuf_put(struct hs_abuf *b, const char *s, size_t n)
{
	if (!abuf_reserve(b, n))
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void hs_abuf_puts(struct hs_abuf *b, const char *s)
{
	hs_abuf_put(b, s, strlen(s));
}

void hs_abuf_printf(struct hs_abuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !abuf_reserve(b, (size_t)n)) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid: overlongs,
 * surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void hs_abuf_json_string(struct hs_abuf *b, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, i = 0;

	if (!str) {
		hs_abuf_puts(b, "null");
		return;
	}
	n = strlen(str);
	hs_abuf_put(b, "\"", 1);
	while (i < n) {
		size_t l;

		if (i >= max) {
			hs_abuf_puts(b, "...[truncated]");
			break;
		}
		l = utf8_len(s + i, n - i);
		if (l == 0) {
			hs_abuf_puts(b, "\\ufffd");
			i++;
			continue;
		}
		if (l > 1) {
			hs_abuf_put(b, str + i, l);
			i += l;
			continue;
		}
		switch (s[i]) {
		case '"': hs_abuf_puts(b, "\\\""); break;
		case '\\': hs_abuf_puts(b, "\\\\"); break;
		case '\n': hs_abuf_puts(b, "\\n"); break;
		case '\r': hs_abuf_puts(b, "\\r"); break;
		case '\t': hs_abuf_puts(b, "\\t"); break;
		default:
			if (s[i] < 0x20 || s[i] == 0x7f)
				hs_abuf_printf(b, "\\u%04x", s[i]);
			else
				hs_abuf_put(b, str + i, 1);
		}
		i++;
	}
	hs_abuf_put(b, "\"", 1);
}
