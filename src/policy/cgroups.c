/* SPDX-License-Identifier: Apache-2.0
 * Cgroups (docs/threats.md §9): linux.cgroupsPath naming an existing cgroup that holds processes —
 * a host service's, another container's, the root — makes the runtime write the container's
 * limits and device rules over theirs and lets the container's `kill --all` signal them (runc
 * and crun both killed a host process that way). The path must be a fresh cgroup. */
#include <string.h>

#include "hs-host.h"
#include "hs-policy.h"
#include "hs-path.h"

static const struct hs_schema_field fields[] = { { NULL, NULL } };
static const struct hs_schema schema = { .kind = HS_S_STRUCT, .fields = fields };

/* Nothing to configure but "enabled". */
static int cgroups_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			struct hs_error *err)
{
	static const char none;

	*ret_cfg = (void *)&none;
	return 0;
}

/* "slice:prefix:name" with three non-empty names free of '/' and "..". */
static bool systemd_form(const char *p)
{
	int parts = 1;

	if (strstr(p, "..") || strchr(p, '/') || *p == ':' || p[strlen(p) - 1] == ':' ||
	    strstr(p, "::"))
		return false;
	for (; *p; p++)
		parts += *p == ':';
	return parts == 3;
}

static int cgroups_check_config(struct hs_check_ctx *ctx, const void *cfg)
{
	const struct hs_json *linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	const char *p = hs_json_get_string(linux_, "cgroupsPath"), *clean;
	struct hs_error err = HS_ERROR_INIT;
	int r;

	/* absent: the runtime makes /<container id>. In hook mode (createRuntime, prestart)
	 * the runtime has already put the container's own init into its cgroup: only the
	 * wrapper and precreate, before the runtime, can ask (docs/policy.md). */
	if (!p || !*p || ctx->event == HS_EVENT_HOOK)
		return 0;
	/* "slice:prefix:name" means a new systemd scope unit only to the systemd driver (which
	 * refuses a unit that exists). The cgroupfs driver, the default of both runtimes, cleans
	 * the same string as a path: "/x:y/../victim" is /victim. */
	if (strchr(p, ':')) {
		if (!ctx->systemd_cgroup)
			; /* judged as the path it is, below */
		else if (systemd_form(p))
			return 0;
		else
			return hs_finding(ctx, "cgroups.systemd-form", "linux.cgroupsPath",
					  HS_ACTION_REFUSE,
					  "\"%s\" is not \"slice:prefix:name\" (three names, no "
					  "'/' "
					  "or \"..\"), the only form the systemd driver reads as a "
					  "new unit",
					  p) < 0
				   ? -ENOMEM
				   : 0;
	}
	/* runc and crun clean it lexically. A relative one is judged by the host both from the
	 * root (crun) and below hardshim's own cgroup, which the runtime inherits (runc). */
	if (!(clean = hs_path_clean(ctx->arena, p)))
		return -ENOMEM;
	if (p[0] != '/')
		clean = p; /* the host resolves it both ways */
	if (!strcmp(clean, "/"))
		r = hs_finding(ctx, "cgroups.in-use", "linux.cgroupsPath", HS_ACTION_REFUSE,
			       "\"%s\" is the root cgroup: every process on the host", p);
	else if (!ctx->host || !ctx->host->cgroup_in_use)
		r = hs_finding(ctx, "cgroups.in-use", "linux.cgroupsPath", HS_ACTION_REFUSE,
			       "cannot tell whether cgroup %s is in use on this host", clean);
	else if ((r = ctx->host->cgroup_in_use(ctx->host, clean, &err)) < 0)
		r = hs_finding(ctx, "cgroups.in-use", "linux.cgroupsPath", HS_ACTION_REFUSE,
			       "cgroup %s: %s", clean, err.msg);
	else if (r > 0)
		r = hs_finding(ctx, "cgroups.in-use", "linux.cgroupsPath", HS_ACTION_REFUSE,
			       "cgroup %s%s already holds processes (a host service's, another "
			       "container's): the runtime would set its limits and device rules "
			       "and kill --all would signal them",
			       clean,
			       p[0] == '/'
				   ? ""
				   : " (relative: from / or from the runtime's own cgroup)");
	return r < 0 ? r : 0;
}

const struct hs_control hs_control_cgroups = {
	.name = "cgroups",
	.policy_schema = &schema,
	.load = cgroups_load,
	.check_config = cgroups_check_config,
};
