/* SPDX-License-Identifier: Apache-2.0
 * The launch audit trail (src/audit/): one durable, hash-chained record per decision. */
#pragma once

#include "hs-policy.h"

/* The policy's top-level "log" section (NULL when absent: defaults). Arena-owned result. */
int hs_audit_load_policy(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			 struct hs_error *err);
