/* SPDX-License-Identifier: Apache-2.0
 * specs.State (runtime-spec specs-go/state.go), as runtimes write it to hooks' stdin; Go kinds
 * as in src/oci/spec-schema.c (int is 64-bit). A file of its own: the front (src/front/front.c)
 * parses the state for `hook devices` and links this, not the whole config tree. */
#include "hs-schema.h"

static const struct hs_schema_field state_fields[] = {
	{ "ociVersion", &hs_schema_string },
	{ "id", &hs_schema_string },
	{ "status", &hs_schema_string },
	{ "pid", &hs_schema_i64 },
	{ "bundle", &hs_schema_string },
	{ "annotations", &hs_schema_string_map },
	{ NULL, NULL },
};
const struct hs_schema hs_oci_state = { .kind = HS_S_STRUCT, .fields = state_fields };
