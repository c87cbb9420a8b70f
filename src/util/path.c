/* SPDX-License-Identifier: Apache-2.0
 * Lexical paths, and the anchored patterns that admit the engines' per-container files beneath
 * sensitive trees (docs/threats.md §8): precise enough that the tree itself, the engines' sockets
 * and state, and another container's files stay refused. */
#include <string.h>

#include "hs-path.h"

const char *hs_path_next(const char **p, size_t *ret_len)
{
	const char *start = *p, *end;

	while (*start == '/')
		start++;
	if (!*start)
		return NULL;
	end = strchrnul(start, '/');
	*ret_len = (size_t)(end - start);
	*p = end;
	return start;
}

char *hs_path_clean(struct hs_arena *a, const char *path)
{
	char *out = hs_arena_alloc(a, strlen(path) + 2);
	const char *p = path, *c;
	size_t o = 0, len;

	if (!out)
		return NULL;
	out[o++] = '/';
	while ((c = hs_path_next(&p, &len))) {
		if (hs_path_is_dot(c, len))
			continue;
		if (hs_path_is_dotdot(c, len)) {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the separator */
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, c, len);
		o += len;
	}
	out[o] = 0;
	return out;
}

static bool is_prefix_component(const char *anc, const char *path)
{
	size_t l = strlen(anc);

	if (strcmp(anc, "/") == 0)
		return path[0] == '/' && path[1] != 0;
	return strncmp(anc, path, l) == 0 && path[l] == '/';
}

enum hs_path_rel hs_path_relation(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return HS_PATH_EQUAL;
	if (is_prefix_component(a, b))
		return HS_PATH_ANCESTOR;
	if (is_prefix_component(b, a))
		return HS_PATH_DESCENDANT;
	return HS_PATH_UNRELATED;
}

bool hs_path_at_or_under(const char *path, const char *prefix)
{
	enum hs_path_rel r = hs_path_relation(path, prefix);
	return r == HS_PATH_EQUAL || r == HS_PATH_DESCENDANT;
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool is_uuid(const char *s, size_t len)
{
	static const size_t groups[] = { 8, 4, 4, 4, 12 };

	if (len != 36)
		return false;
	for (size_t g = 0, o = 0; g < HS_ARRAY_SIZE(groups); g++) {
		if (!all_hex(s + o, groups[g]))
			return false;
		o += groups[g];
		if (g < 4 && s[o++] != '-')
			return false;
	}
	return true;
}

/* An unknown variable matches nothing: a wildcard there would admit every container's (every
 * pod's) files to whoever can leave the fact out. */
static bool var_match(const char *want, const char *s, size_t len)
{
	return want && strlen(want) == len && memcmp(want, s, len) == 0;
}

/* One pattern component against one path component. */
static bool component_match(const char *pc, size_t plen, const char *s, size_t len,
			    const struct hs_path_vars *v)
{
#define IS(lit) (plen == sizeof(lit) - 1 && memcmp(pc, lit, plen) == 0)
	if (IS("*"))
		return !(len == 1 && s[0] == '.') && !(len == 2 && s[0] == '.' && s[1] == '.');
	if (IS("{container-id}"))
		return len == 64 && all_hex(s, len) &&
		       var_match(v ? v->container_id : NULL, s, len);
	if (IS("{sandbox-id}"))
		return len == 64 && all_hex(s, len) && var_match(v ? v->sandbox_id : NULL, s, len);
	if (IS("{pod-uid}"))
		return is_uuid(s, len) && var_match(v ? v->pod_uid : NULL, s, len);
#undef IS
	return plen == len && memcmp(pc, s, len) == 0;
}

static const char *next_component(const char *p, size_t *len)
{
	const char *s;

	while (*p == '/')
		p++;
	s = strchrnul(p, '/');
	*len = (size_t)(s - p);
	return p;
}

bool hs_path_pattern_match(const char *pattern, const char *path, const struct hs_path_vars *vars)
{
	const char *pp = pattern, *sp = path;

	if (pattern[0] != '/' || path[0] != '/')
		return false;
	for (;;) {
		size_t plen, slen;
		const char *pc = next_component(pp, &plen);
		const char *sc = next_component(sp, &slen);

		if (plen == 0)
			return slen == 0;
		if (plen == 2 && pc[0] == '*' && pc[1] == '*')
			return slen > 0; /* one or more further components */
		if (slen == 0 || !component_match(pc, plen, sc, slen, vars))
			return false;
		pp = pc + plen;
		sp = sc + slen;
	}
}

int hs_path_pattern_valid(const char *pattern)
{
	const char *p = pattern;

	if (!pattern || pattern[0] != '/')
		return -EINVAL;
	for (;;) {
		size_t len;
		const char *c = next_component(p, &len);

		if (len == 0)
			return c == pattern + 1 ? -EINVAL : 0; /* "/" alone admits everything */
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		if (c == pattern + 1 && (c[0] == '*' || c[0] == '{'))
			return -EINVAL; /* anchored: the first component is literal */
		if (len == 2 && c[0] == '*' && c[1] == '*' && c[2] != 0)
			return -EINVAL; /* ** only last */
		if (c[0] == '{' && !(len == 14 && memcmp(c, "{container-id}", 14) == 0) &&
		    !(len == 12 && memcmp(c, "{sandbox-id}", 12) == 0) &&
		    !(len == 9 && memcmp(c, "{pod-uid}", 9) == 0))
			return -EINVAL;
		p = c + len;
	}
}
