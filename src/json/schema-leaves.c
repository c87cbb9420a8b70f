/* SPDX-License-Identifier: Apache-2.0
 * Shared leaf schemas (include/hs-schema.h). The integer ranges are those of the Go kinds
 * runc decodes into (int = int64, uint = uint64 on the 64-bit targets runc ships for), so
 * a number hardshim accepts is one encoding/json accepts too. */
#include <stdint.h>

#include "hs-schema.h"

const struct hs_schema hs_schema_any = { .kind = HS_S_ANY };
const struct hs_schema hs_schema_bool = { .kind = HS_S_BOOL };
const struct hs_schema hs_schema_string = { .kind = HS_S_STRING };
const struct hs_schema hs_schema_u16 = { .kind = HS_S_UINT, .umax = UINT16_MAX };
const struct hs_schema hs_schema_u32 = { .kind = HS_S_UINT, .umax = UINT32_MAX };
const struct hs_schema hs_schema_u64 = { .kind = HS_S_UINT, .umax = UINT64_MAX };
const struct hs_schema hs_schema_i32 = { .kind = HS_S_INT, .min = INT32_MIN, .max = INT32_MAX };
const struct hs_schema hs_schema_i64 = { .kind = HS_S_INT, .min = INT64_MIN, .max = INT64_MAX };
const struct hs_schema hs_schema_string_array = { .kind = HS_S_ARRAY, .item = &hs_schema_string };
const struct hs_schema hs_schema_string_map = { .kind = HS_S_MAP, .item = &hs_schema_string };
