/* SPDX-License-Identifier: Apache-2.0
 * hardshim's own JSON tree: the strict parser (src/json/parse.c, the only user of yajl's
 * parser), the canonical emitter (src/json/emit.c) and the tree operations the policy
 * controls use. Every node lives in the arena it was parsed or made in. */
#pragma once

#include "hs-util.h"

enum hs_json_type {
	HS_JSON_NULL,
	HS_JSON_BOOL,
	HS_JSON_NUMBER, /* kept as its source text: the schema decides what it may be */
	HS_JSON_STRING,
	HS_JSON_ARRAY,
	HS_JSON_OBJECT,
};

struct hs_json;

struct hs_json_member {
	const char *key; /* NUL-terminated; NUL inside keys is refused by the parser */
	size_t key_len;
	struct hs_json *value;
};

struct hs_json {
	enum hs_json_type type;
	long long offset; /* byte offset of the value in the parsed input, -1 if made */
	union {
		bool boolean;
		struct {
			const char *text; /* the number as written, e.g. "-12", "1.0e3" */
			size_t len;
		} number;
		struct {
			const char *s; /* NUL-terminated valid UTF-8, no NUL inside */
			size_t len;
		} string;
		struct {
			struct hs_json **items;
			size_t len, cap;
		} array;
		struct {
			struct hs_json_member *members; /* in input order */
			size_t len, cap;
		} object;
	} u;
};

/* Limits on attacker-controlled sizes; the policy's "json" section sets them. */
struct hs_json_limits {
	size_t max_bytes; /* whole document */
	unsigned max_depth;
	size_t max_string; /* one string or key, in bytes */
	size_t max_items;  /* members of one object or items of one array */
};
#define HS_JSON_LIMITS_DEFAULT                            \
	((struct hs_json_limits){ .max_bytes = 4u << 20,  \
				  .max_depth = 64,        \
				  .max_string = 1u << 20, \
				  .max_items = 1u << 16 })

/*
 * Strict parse of exactly one JSON value (whitespace around it only). Refuses: duplicate
 * keys, NUL (raw or \u0000) in strings and keys, invalid or overlong UTF-8, lone or
 * misordered surrogates, comments, trailing data, nesting past max_depth, and anything past
 * the size limits. On refusal err has rule "json.*", the byte offset and the JSON path.
 * *ret is owned by arena.
 */
int hs_json_parse(struct hs_arena *arena, const char *buf, size_t len,
		  const struct hs_json_limits *limits, struct hs_json **ret, struct hs_error *err);

/* Canonical serialization: no whitespace, members in tree order, numbers as written,
 * strings re-escaped minimally. Null members are dropped (null means absent). The result is
 * malloc'ed, NUL-terminated, owned by the caller. */
int hs_json_emit(const struct hs_json *root, char **ret_buf, size_t *ret_len);
/* Indented form for people (check --output with --pretty, diffs). */
int hs_json_emit_pretty(const struct hs_json *root, char **ret_buf, size_t *ret_len);

/* Tree access. Lookups are byte-exact (the schema has already refused case variants). */
struct hs_json *hs_json_get(const struct hs_json *obj,
			    const char *key); /* NULL if absent or null */
struct hs_json *hs_json_get_type(const struct hs_json *obj, const char *key, enum hs_json_type t);
const char *hs_json_get_string(const struct hs_json *obj,
			       const char *key); /* NULL if not a string */
bool hs_json_is(const struct hs_json *v, enum hs_json_type t);
static inline size_t hs_json_len(const struct hs_json *v)
{
	return !v                          ? 0
	       : v->type == HS_JSON_ARRAY  ? v->u.array.len
	       : v->type == HS_JSON_OBJECT ? v->u.object.len
					   : 0;
}
#define hs_json_foreach_item(item, arr, i)                                                    \
	for (size_t i = 0; (arr) && (arr)->type == HS_JSON_ARRAY && i < (arr)->u.array.len && \
			   ((item) = (arr)->u.array.items[i], 1);                             \
	     i++)
#define hs_json_foreach_member(m, obj, i)                                                       \
	for (size_t i = 0; (obj) && (obj)->type == HS_JSON_OBJECT && i < (obj)->u.object.len && \
			   ((m) = &(obj)->u.object.members[i], 1);                              \
	     i++)

/* Integer readings of a NUMBER node: refuse fractions, exponents, "-0" for unsigned, and
 * values outside [min, max]. Return -ERANGE / -EINVAL. */
int hs_json_get_i64(const struct hs_json *v, int64_t min, int64_t max, int64_t *ret);
int hs_json_get_u64(const struct hs_json *v, uint64_t max, uint64_t *ret);

/* Construction and edits (arena-owned). Setting an existing key replaces its value in place,
 * keeping the member's position. */
struct hs_json *hs_json_new(struct hs_arena *a, enum hs_json_type t);
struct hs_json *hs_json_new_string(struct hs_arena *a, const char *s);
/* A string node that points at s instead of copying it: s must not change and must outlive
 * the tree (static storage: a table's names). */
struct hs_json *hs_json_new_static_string(struct hs_arena *a, const char *s);
struct hs_json *hs_json_new_bool(struct hs_arena *a, bool b);
struct hs_json *hs_json_new_i64(struct hs_arena *a, int64_t v);
struct hs_json *hs_json_new_u64(struct hs_arena *a, uint64_t v);
int hs_json_set(struct hs_arena *a, struct hs_json *obj, const char *key, struct hs_json *value);
/* hs_json_set with a key of static storage (a literal), used as it is, not copied. */
int hs_json_set_static(struct hs_arena *a, struct hs_json *obj, const char *key,
		       struct hs_json *value);
/* Room for n items (an array) or members (an object) in all, allocated once: what is built
 * to a known size needs no growing (each doubling leaves the old array in the arena).
 * -EINVAL for any other node, -ENOMEM. */
int hs_json_reserve(struct hs_arena *a, struct hs_json *v, size_t n);
/* Get obj[key] as an object, creating it (replacing null) when absent. NULL on ENOMEM or when
 * present with another type. */
struct hs_json *hs_json_ensure_object(struct hs_arena *a, struct hs_json *obj, const char *key);
struct hs_json *hs_json_ensure_array(struct hs_arena *a, struct hs_json *obj, const char *key);
int hs_json_remove(struct hs_json *obj, const char *key); /* 1 removed, 0 absent */
int hs_json_append(struct hs_arena *a, struct hs_json *arr, struct hs_json *item);
/* Insert item at index (0..len): the items from index on move one place down. */
int hs_json_insert(struct hs_arena *a, struct hs_json *arr, size_t index, struct hs_json *item);
void hs_json_array_remove(struct hs_json *arr, size_t index);
struct hs_json *hs_json_clone(struct hs_arena *a, const struct hs_json *v);
bool hs_json_equal(const struct hs_json *a, const struct hs_json *b);

/*
 * JSON paths for messages, in the form people read: `mounts[3].source`,
 * `annotations["run.oci.hooks"]`. A key that is not a plain identifier is quoted with
 * control characters escaped, so a hostile key cannot forge a path.
 */
void hs_json_path_key(char *buf, size_t size, const char *parent, const char *key);
void hs_json_path_index(char *buf, size_t size, const char *parent, size_t index);
/* buf = a b c, as snprintf "%s%s%s" would write it (truncated at size - 1); buf may be a. */
void hs_json_path_cat(char *buf, size_t size, const char *a, const char *b, const char *c);
