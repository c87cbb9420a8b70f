/* SPDX-License-Identifier: Apache-2.0
 * Fuzz the strict JSON core and the canonical emitter. Invariants: never crash or leak; an
 * input is refused, or its canonical form re-parses to a tree that emits the same bytes. */
#include <string.h>

#include "hs-json.h"
#include "hs-schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v, *v2;
	char *out = NULL, *out2 = NULL;
	size_t len, len2;

	limits.max_depth = 32;
	if (hs_json_parse(a, (const char *)data, size, &limits, &v, &err) == 0) {
		(void)hs_schema_check(v, &hs_oci_spec, "", HS_UNKNOWN_PRESERVE, &err);
		if (hs_json_emit(v, &out, &len) != 0)
			__builtin_trap();
		if (hs_json_parse(a, out, len, &limits, &v2, &err) != 0)
			__builtin_trap(); /* our own output must be acceptable to us */
		if (hs_json_emit(v2, &out2, &len2) != 0 || len != len2 || memcmp(out, out2, len))
			__builtin_trap(); /* emit is a fixed point */
	}
	free(out);
	free(out2);
	hs_arena_free(a);
	return 0;
}
