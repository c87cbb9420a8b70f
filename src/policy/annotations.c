/* SPDX-License-Identifier: Apache-2.0
 * Annotations as a side channel (docs/threats.md §2, CVE-2024-3154): crun obeys run.oci.* (a
 * seccomp filter, a host library to load, host files to write), runc obeys
 * org.systemd.property.* and org.criu.config, libkrun krun.*. None of them is checked by
 * any other control, so keys with these prefixes are refused unless the admin allows them. */
#include <string.h>
#include <strings.h>

#include "hs-policy.h"

struct annotations_cfg {
	enum hs_action action;
	const char *const *unsafe; /* built-in + the admin's; "." or "/" at the end: a prefix */
	size_t n_unsafe;
	const char *const *allow;
	size_t n_allow;
};

static const struct hs_schema_field annotations_fields[] = {
	{ "action", &hs_schema_string },
	{ "unsafe", &hs_schema_string_array },
	{ "allow", &hs_schema_string_array },
	{ NULL, NULL },
};
static const struct hs_schema annotations_schema = { .kind = HS_S_STRUCT,
						     .fields = annotations_fields };

/* runc 1.2 `features` potentiallyUnsafeConfigAnnotations: "bundle", "org.systemd.property.",
 * "org.criu.config"; crun's: "run.oci.", "module.wasm.image/variant" (and the handler
 * annotations); libkrun reads krun.*. This machine's runc 1.1.5 predates the list. */
static const char *const unsafe_default[] = {
	"run.oci.",
	"org.systemd.property.",
	"org.criu.",
	"krun.",
	"bundle",
	"module.wasm.image/",
	"io.kubernetes.cri-o.Devices",
	"io.kubernetes.cri-o.UnifiedCgroup",
};
static const struct annotations_cfg annotations_default = {
	.action = HS_ACTION_REFUSE,
	.unsafe = unsafe_default,
	.n_unsafe = HS_ARRAY_SIZE(unsafe_default),
};

static bool is_prefix_entry(const char *e)
{
	size_t n = strlen(e);

	return n && (e[n - 1] == '.' || e[n - 1] == '/');
}

/* Case-insensitive: refusing "RUN.OCI.x" too costs nothing, and a runtime that ever folds
 * case would otherwise read a key this check did not. */
static bool matches_unsafe(const char *entry, const char *key)
{
	if (is_prefix_entry(entry))
		return !strncasecmp(key, entry, strlen(entry));
	return !strcasecmp(key, entry);
}

/* The admin's allowlist is exact (or an exact prefix): it grants what it names. */
static bool matches_allow(const char *entry, const char *key)
{
	if (is_prefix_entry(entry))
		return !strncmp(key, entry, strlen(entry));
	return !strcmp(key, entry);
}

/* list appended to the *ret_n entries already in *ret. */
static int load_list(struct hs_arena *a, const struct hs_json *list, const char *name,
		     const char *const **ret, size_t *ret_n, struct hs_error *err)
{
	const struct hs_json *item;
	const char **v;
	size_t n = *ret_n;

	if (!list)
		return 0;
	v = hs_arena_alloc(a, (n + hs_json_len(list) + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = (*ret)[i];
	hs_json_foreach_item(item, list, i) {
		if (!item->u.string.len)
			return hs_error_set(err, -HS_ECONFIG, "policy.annotations", "", -1,
					    "%s[%zu]: empty key", name, i);
		v[n + i] = item->u.string.s;
	}
	*ret = v;
	*ret_n = n + hs_json_len(list);
	return 0;
}

static int annotations_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			    struct hs_error *err)
{
	struct annotations_cfg *c = hs_arena_alloc(a, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	*c = annotations_default;
	r = hs_action_load(section, "annotations", "action", HS_ACTIONS_ALL, c->action, &c->action,
			   err);
	if (r < 0)
		return r;
	/* "unsafe" adds to the runtimes' list, never replaces it: only "allow" relaxes. */
	r = load_list(a, hs_json_get(section, "unsafe"), "unsafe", &c->unsafe, &c->n_unsafe, err);
	if (r >= 0)
		r = load_list(a, hs_json_get(section, "allow"), "allow", &c->allow, &c->n_allow,
			      err);
	if (r < 0)
		return r;
	*ret_cfg = c;
	return 0;
}

/* Is control `name` on for this check (the exception in force, if any, decides)? */
static bool control_enabled(const struct hs_check_ctx *ctx, const char *name)
{
	const struct hs_control_cfg *cfgs = ctx->policy->controls;

	for (size_t i = 0; ctx->exception && i < ctx->policy->n_exceptions; i++)
		if (!strcmp(ctx->policy->exceptions[i].name, ctx->exception))
			cfgs = ctx->policy->exceptions[i].controls;
	for (size_t i = 0; i < hs_n_controls; i++)
		if (!strcmp(hs_controls[i]->name, name))
			return cfgs[i].enabled;
	return false;
}

static int annotations_check_config(struct hs_check_ctx *ctx, const void *vcfg)
{
	const struct annotations_cfg *c = vcfg ? vcfg : &annotations_default;
	struct hs_json *map = hs_json_get_type(ctx->config, "annotations", HS_JSON_OBJECT);
	/* crun's run.oci.seccomp* annotations are the seccomp control's (it strips or refuses
	 * them by its own action, after this one); with that control off they are ours. */
	bool seccomp_owns = control_enabled(ctx, "seccomp");

	for (size_t i = hs_json_len(map); i-- > 0;) {
		const char *key = map->u.object.members[i].key, *hit = NULL;
		char path[512];
		int r;

		if (seccomp_owns && !strncmp(key, "run.oci.seccomp", 15))
			continue;

		for (size_t j = 0; j < c->n_unsafe && !hit; j++)
			if (matches_unsafe(c->unsafe[j], key))
				hit = c->unsafe[j];
		if (!hit)
			continue;
		for (size_t j = 0; j < c->n_allow && hit; j++)
			if (matches_allow(c->allow[j], key))
				hit = NULL;
		if (!hit)
			continue;
		hs_json_path_key(path, sizeof(path), "annotations", key);
		r = hs_finding(ctx, "annotations.unsafe", path, c->action,
			       "annotation changes what the runtime does (matches \"%s\") and is "
			       "not "
			       "on the policy's allowlist (controls.annotations.allow)",
			       hit);
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE)
			hs_json_remove(map, key);
	}
	return 0;
}

const struct hs_control hs_control_annotations = {
	.name = "annotations",
	.policy_schema = &annotations_schema,
	.load = annotations_load,
	.check_config = annotations_check_config,
};
