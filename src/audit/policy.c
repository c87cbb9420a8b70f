/* SPDX-License-Identifier: Apache-2.0
 * The "log" section of the policy: where the launch trail goes and how hard it must hold.
 * Strict like every section: a key this room does not understand is refused, because a
 * misspelt "fail_open" silently ignored would change what happens when the disk fills. */
#include <string.h>

#include "hs-audit.h"

const struct hs_audit_cfg hs_audit_cfg_default = {
	.path = HS_AUDIT_DEFAULT_PATH,
	.file = true,
	.fsync = true,
	.fail_open = false,
	.syslog = true,
	.kernel_audit = true,
};

static const struct hs_schema_field log_fields[] = {
	{ "path", &hs_schema_string },
	{ "file", &hs_schema_bool },
	{ "fsync", &hs_schema_bool },
	{ "fail_open", &hs_schema_bool },
	{ "syslog", &hs_schema_bool },
	{ "kernel_audit", &hs_schema_bool },
	{ NULL, NULL },
};
static const struct hs_schema log_schema = { .kind = HS_S_STRUCT, .fields = log_fields };

static void get_bool(const struct hs_json *section, const char *key, bool *v)
{
	const struct hs_json *b = hs_json_get_type(section, key, HS_JSON_BOOL);

	if (b)
		*v = b->u.boolean;
}

/* The log path: absolute, no "." or ".." component, not a directory name, and short enough
 * for the head file beside it. It is opened without following a final symlink. */
static int check_path(const char *path, struct hs_error *err)
{
	const char *p;

	if (path[0] != '/' || path[strlen(path) - 1] == '/')
		return hs_error_set(err, -HS_ECONFIG, "policy.log", "log.path", -1,
				    "must be an absolute file path, not \"%s\"", path);
	for (p = path; p; p = strchr(p + 1, '/')) {
		if (!strncmp(p, "/./", 3) || !strncmp(p, "/../", 4) || !strcmp(p, "/.") ||
		    !strcmp(p, "/..") || !strncmp(p, "//", 2))
			return hs_error_set(err, -HS_ECONFIG, "policy.log", "log.path", -1,
					    "must be a normalized path (no ., .. or //): \"%s\"",
					    path);
	}
	if (strlen(path) > 400)
		return hs_error_set(err, -HS_ECONFIG, "policy.log", "log.path", -1,
				    "is longer than 400 bytes");
	return 0;
}

int hs_audit_load_policy(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			 struct hs_error *err)
{
	struct hs_audit_cfg *cfg;
	const char *path;
	int r;

	cfg = hs_arena_alloc(a, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	*cfg = hs_audit_cfg_default;
	if (section) {
		r = hs_schema_check(section, &log_schema, "log", HS_UNKNOWN_REFUSE, err);
		if (r < 0)
			return r;
		path = hs_json_get_string(section, "path");
		if (path) {
			r = check_path(path, err);
			if (r < 0)
				return r;
			cfg->path = hs_arena_strdup(a, path);
			if (!cfg->path)
				return -ENOMEM;
		}
		get_bool(section, "file", &cfg->file);
		get_bool(section, "fsync", &cfg->fsync);
		get_bool(section, "fail_open", &cfg->fail_open);
		get_bool(section, "syslog", &cfg->syslog);
		get_bool(section, "kernel_audit", &cfg->kernel_audit);
	}
	*ret_cfg = cfg;
	return 0;
}
