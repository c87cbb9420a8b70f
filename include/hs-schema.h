/* SPDX-License-Identifier: Apache-2.0
 * Table-driven shape checks over a parsed tree: the OCI documents (src/oci/) and the policy
 * file (each control's section) are described by these tables, and one walker refuses what
 * the reader on the other side (Go encoding/json in runc) would read differently. */
#pragma once

#include "hs-json.h"

enum hs_schema_kind {
	HS_S_ANY, /* any value, walked generically (unknown-key subtrees) */
	HS_S_BOOL,
	HS_S_STRING,
	HS_S_INT,    /* signed integer in [min, max] */
	HS_S_UINT,   /* unsigned integer in [0, umax] */
	HS_S_STRUCT, /* Go struct: fixed fields, keys matched case-insensitively by Go */
	HS_S_MAP,    /* Go map[string]T: free keys, exact */
	HS_S_ARRAY,
};

struct hs_schema_field;

struct hs_schema {
	enum hs_schema_kind kind;
	int64_t min, max;                     /* HS_S_INT */
	uint64_t umax;                        /* HS_S_UINT */
	const struct hs_schema_field *fields; /* HS_S_STRUCT, terminated by { NULL } */
	const struct hs_schema *item;         /* HS_S_ARRAY and HS_S_MAP values */
};

struct hs_schema_field {
	const char *name;
	const struct hs_schema *schema;
};

enum hs_unknown_keys {
	HS_UNKNOWN_PRESERVE, /* kept as they are: the spec says runtimes ignore them */
	HS_UNKNOWN_REFUSE,
};

/* Shared leaf schemas. */
extern const struct hs_schema hs_schema_any, hs_schema_bool, hs_schema_string, hs_schema_u16,
    hs_schema_u32, hs_schema_u64, hs_schema_i32, hs_schema_i64, hs_schema_string_array,
    hs_schema_string_map;

/*
 * Check v against s. path names v in messages ("" for the root). Refuses, with rule and
 * path: a key that is not byte-identical to a field but equals one under Go's case folding
 * (rule json.case-variant-key), a value of the wrong type (json.type), an integer outside the
 * field's range or written as 1.0/1e3 (json.number), null inside arrays or maps (json.null),
 * and with HS_UNKNOWN_REFUSE any unknown key (json.unknown-key). null members of a struct
 * mean absent. Returns 0 or a negative code.
 */
int hs_schema_check(const struct hs_json *v, const struct hs_schema *s, const char *path,
		    enum hs_unknown_keys unknown, struct hs_error *err);

/* Go's encoding/json key folding (ASCII case, U+017F -> s, U+212A -> k), for tests. */
bool hs_schema_go_fold_equal(const char *a, size_t alen, const char *b, size_t blen);

/* The OCI documents hardshim reads (src/oci/spec-schema.c). */
extern const struct hs_schema hs_oci_spec;      /* config.json */
extern const struct hs_schema hs_oci_process;   /* exec --process file */
extern const struct hs_schema hs_oci_state;     /* hook state on stdin */
extern const struct hs_schema hs_oci_resources; /* update --resources document */
