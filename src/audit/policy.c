/* SPDX-License-Identifier: Apache-2.0
 * The "log" section of the policy. (Placeholder until the audit room lands: accepts only
 * {"path": "..."} and refuses everything else, so no policy is half-understood.) */
#include "hs-audit.h"

static const struct hs_schema_field log_fields[] = {
	{ "path", &hs_schema_string },
	{ NULL, NULL },
};
static const struct hs_schema log_schema = { .kind = HS_S_STRUCT, .fields = log_fields };

int hs_audit_load_policy(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			 struct hs_error *err)
{
	int r;

	if (section) {
		r = hs_schema_check(section, &log_schema, "log", HS_UNKNOWN_REFUSE, err);
		if (r < 0)
			return r;
	}
	*ret_cfg = NULL;
	return 0;
}
