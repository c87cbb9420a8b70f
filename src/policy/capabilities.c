/* SPDX-License-Identifier: Apache-2.0
 * Privileges (docs/threats.md §6; CVE-2022-29162 runc, CVE-2022-27650 crun, CVE-2022-24769 moby):
 * inheritable and ambient capabilities survived exec in every engine, and setuid binaries
 * regain privileges without no_new_privs. Kubernetes "restricted": drop ALL, add only
 * NET_BIND_SERVICE. Names are checked against libcap-ng: an unknown name is refused.
 *
 * A capability is never listed while no process can hold it. A non-root process holds after
 * execve only what is in its ambient set (no_new_privs makes file capabilities and setuid
 * bits count for nothing), and the kernel lets a capability into ambient only when it is in
 * permitted and inheritable, and into inheritable only when it is in bounding. So for a
 * non-root process an allowed capability the config grants (bounding, and permitted or
 * effective) is written into all five sets, and one it cannot hold is removed from every set:
 * /proc/<pid>/status then shows the same mask in CapBnd, CapPrm, CapEff, CapInh and CapAmb.
 * Inheritable and ambient never hold more than the allowlist: what leaked in the CVEs above
 * was capabilities beyond what the process was meant to have. */
#include <cap-ng.h>
#include <string.h>

#include "hs-policy.h"

struct caps_cfg {
	enum hs_action action;
	const char **allow; /* NULL-terminated, "CAP_..." */
	bool no_new_privileges;
};

static const struct hs_schema_field fields[] = {
	{ "action", &hs_schema_string },
	{ "allow", &hs_schema_string_array },
	{ "no_new_privileges", &hs_schema_bool },
	{ NULL, NULL },
};
static const struct hs_schema schema = { .kind = HS_S_STRUCT, .fields = fields };

/* Whether libcap-ng (linked into the core) knows the name. OCI names are "CAP_" and the
 * upper-case name; libcap-ng knows them without the prefix, in any case, so the case is
 * checked here (runc would refuse "cap_chown", crun accept it). */
static bool cap_known(const char *name)
{
	if (strncmp(name, "CAP_", 4) || !name[4])
		return false;
	for (const char *p = name + 4; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return capng_name_to_capability(name + 4) >= 0;
}

static int caps_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		     struct hs_error *err)
{
	static const char *const default_allow[] = { "CAP_NET_BIND_SERVICE" };
	struct caps_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const struct hs_json *list = hs_json_get(section, "allow"), *it, *v;
	size_t n = list ? hs_json_len(list) : HS_ARRAY_SIZE(default_allow);

	if (!c || !(c->allow = hs_arena_alloc(a, (n + 1) * sizeof(*c->allow))))
		return -ENOMEM;
	c->action = HS_ACTION_REWRITE;
	c->no_new_privileges = true;
	if (hs_action_load(section, "capabilities", "action", HS_ACTIONS_ALL, c->action, &c->action,
			   err) < 0)
		return -HS_ECONFIG;
	if ((v = hs_json_get(section, "no_new_privileges")))
		c->no_new_privileges = v->u.boolean;
	if (!list) {
		for (size_t i = 0; i < n; i++)
			c->allow[i] = default_allow[i];
	}
	hs_json_foreach_item(it, list, i) {
		if (!cap_known(it->u.string.s))
			return hs_error_set(err, -HS_ECONFIG, "policy.capabilities",
					    "controls.capabilities.allow", -1,
					    "\"%s\" is not a capability libcap-ng knows (write "
					    "CAP_ and "
					    "the upper-case name)",
					    it->u.string.s);
		c->allow[i] = it->u.string.s;
	}
	*ret_cfg = c;
	return 0;
}

static const char *ppath(struct hs_check_ctx *ctx, const char *rel)
{
	if (!ctx->process_path || !ctx->process_path[0])
		return rel;
	return hs_arena_printf(ctx->arena, "%s.%s", ctx->process_path, rel);
}

static bool allowed(const struct caps_cfg *c, const char *name)
{
	for (size_t i = 0; c->allow[i]; i++)
		if (!strcmp(c->allow[i], name))
			return true;
	return false;
}

static int check_nnp(struct hs_check_ctx *ctx, const struct caps_cfg *c)
{
	const struct hs_json *v = hs_json_get(ctx->process, "noNewPrivileges");
	int r;

	if (!c->no_new_privileges || (v && v->type == HS_JSON_BOOL && v->u.boolean))
		return 0;
	r = hs_finding(ctx, "capabilities.no-new-privileges", ppath(ctx, "noNewPrivileges"),
		       c->action,
		       "no_new_privs is %s: a setuid or file-capability binary could gain "
		       "privileges",
		       v ? "false" : "not set");
	if (r == HS_ACTION_REWRITE && hs_json_set(ctx->arena, ctx->process, "noNewPrivileges",
						  hs_json_new_bool(ctx->arena, true)) < 0)
		return -ENOMEM;
	return r < 0 ? r : 0;
}

/* Every name in every set must be one the kernel knows: an unknown name is refused whatever
 * the action, because runc and crun disagree on what to do with it (error vs. skip). */
static int check_names(struct hs_check_ctx *ctx, const struct hs_json *caps)
{
	const struct hs_json_member *m;

	hs_json_foreach_member(m, caps, i) {
		const struct hs_json *it;

		hs_json_foreach_item(it, m->value, j) {
			char path[256];
			int r;

			if (it->type != HS_JSON_STRING || cap_known(it->u.string.s))
				continue;
			hs_json_path_index(path, sizeof(path),
					   ppath(ctx, hs_arena_printf(ctx->arena, "capabilities.%s",
								      m->key)),
					   j);
			r = hs_finding(ctx, "capabilities.unknown", path, HS_ACTION_REFUSE,
				       "\"%s\" is not a capability (libcap-ng does not "
				       "know it)",
				       it->u.string.s);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* inheritable and ambient: emptied. Both are what leaked through exec in the CVEs above;
 * nothing a non-root process needs comes from them. */
static int check_must_be_empty(struct hs_check_ctx *ctx, const struct caps_cfg *c,
			       struct hs_json *caps, const char *set)
{
	struct hs_json *v = hs_json_get(caps, set);
	int r;

	if (!v || v->type != HS_JSON_ARRAY || v->u.array.len == 0)
		return 0;
	r = hs_finding(ctx, hs_arena_printf(ctx->arena, "capabilities.%s", set),
		       ppath(ctx, hs_arena_printf(ctx->arena, "capabilities.%s", set)), c->action,
		       "%zu %s capabilit%s: they survive exec into every program the process "
		       "runs%s",
		       v->u.array.len, set, v->u.array.len == 1 ? "y" : "ies",
		       c->action == HS_ACTION_REWRITE ? ": emptied" : "");
	if (r == HS_ACTION_REWRITE)
		v->u.array.len = 0;
	return r < 0 ? r : 0;
}

static bool has_name(const struct hs_json *arr, const char *name)
{
	const struct hs_json *it;

	hs_json_foreach_item(it, arr, i) {
		if (it->type == HS_JSON_STRING && !strcmp(it->u.string.s, name))
			return true;
	}
	return false;
}

/* Where nothing can be rewritten (a hook: the runtime has read the config) a held/not-held
 * finding warns: it is about what the process can use, not privilege beyond the allowlist,
 * and the process then holds less than its config lists, never more. */
static enum hs_action held_action(const struct hs_check_ctx *ctx, const struct caps_cfg *c)
{
	return ctx->no_rewrite && c->action == HS_ACTION_REWRITE ? HS_ACTION_WARN : c->action;
}

/* A name in one set: beyond the allowlist (capabilities.<set>), or, for a non-root process
 * (held not NULL), one it cannot hold (capabilities.not-held). Returns 1 when it is to be
 * removed, 0 when it stays, negative on error or refusal. */
static int judge_name(struct hs_check_ctx *ctx, const struct caps_cfg *c, const char *set,
		      const char *name, const struct hs_json *held, const char *path)
{
	enum hs_action act = held_action(ctx, c);
	int r;

	if (!allowed(c, name))
		r = hs_finding(ctx, hs_arena_printf(ctx->arena, "capabilities.%s", set), path,
			       c->action, "%s is not in the policy's allowlist%s", name,
			       c->action == HS_ACTION_REWRITE ? ": dropped" : "");
	else if (!held || has_name(held, name))
		return 0;
	else
		r = hs_finding(ctx, "capabilities.not-held", path, act,
			       "%s: a non-root process cannot hold it (it must be in bounding and "
			       "in "
			       "permitted or effective)%s%s",
			       name, act == HS_ACTION_REWRITE ? ": removed" : "",
			       ctx->no_rewrite ? " (hook mode cannot rewrite)" : "");
	if (r < 0)
		return r;
	return r == HS_ACTION_REWRITE;
}

static int check_within_allowlist(struct hs_check_ctx *ctx, const struct caps_cfg *c,
				  struct hs_json *caps, const char *set, const struct hs_json *held)
{
	struct hs_json *v = hs_json_get(caps, set);
	size_t i = 0, removed = 0;

	while (v && v->type == HS_JSON_ARRAY && i < v->u.array.len) {
		const struct hs_json *it = v->u.array.items[i];
		char path[256];
		int r;

		if (it->type != HS_JSON_STRING) {
			i++;
			continue;
		}
		hs_json_path_index(path, sizeof(path),
				   ppath(ctx, hs_arena_printf(ctx->arena, "capabilities.%s", set)),
				   i + removed);
		r = judge_name(ctx, c, set, it->u.string.s, held, path);
		if (r < 0)
			return r;
		if (r == 1) {
			hs_json_array_remove(v, i); /* paths name the index in the input */
			removed++;
		} else
			i++;
	}
	return 0;
}

/* The uid the process runs as (the user control ran first: this is the final one). A missing
 * user is uid 0 to both runtimes. Inside a user namespace uid 0 holds its capabilities as
 * root does, so only the uid counts. */
static bool non_root(const struct hs_check_ctx *ctx)
{
	const struct hs_json *user = hs_json_get_type(ctx->process, "user", HS_JSON_OBJECT);
	const struct hs_json *v = hs_json_get(user, "uid");
	uint64_t uid = 0;

	return v && hs_json_get_u64(v, UINT32_MAX, &uid) == 0 && uid != 0;
}

/* What a non-root process can hold: allowed, in bounding, and granted (permitted or
 * effective), each name once, in bounding's order. */
static struct hs_json *held_set(struct hs_check_ctx *ctx, const struct caps_cfg *c,
				const struct hs_json *caps)
{
	struct hs_json *held = hs_json_new(ctx->arena, HS_JSON_ARRAY);
	const struct hs_json *it;

	if (!held)
		return NULL;
	hs_json_foreach_item(it, hs_json_get(caps, "bounding"), i) {
		const char *name = it->type == HS_JSON_STRING ? it->u.string.s : NULL;

		if (!name || !allowed(c, name) || has_name(held, name) ||
		    !(has_name(hs_json_get(caps, "permitted"), name) ||
		      has_name(hs_json_get(caps, "effective"), name)))
			continue;
		if (hs_json_append(ctx->arena, held, hs_json_new_string(ctx->arena, name)) < 0)
			return NULL;
	}
	return held;
}

/* A non-root process's set completed with what it holds (capabilities.held): without it in
 * inheritable and ambient, it would be gone after execve. */
static int add_held(struct hs_check_ctx *ctx, const struct caps_cfg *c, struct hs_json *caps,
		    const char *set, const struct hs_json *held)
{
	enum hs_action act = held_action(ctx, c);
	struct hs_json *v = hs_json_get(caps, set);
	const struct hs_json *it;
	int r;

	if (v && v->type != HS_JSON_ARRAY)
		return 0;
	hs_json_foreach_item(it, held, j) {
		if (has_name(v, it->u.string.s))
			continue;
		r = hs_finding(ctx, "capabilities.held",
			       ppath(ctx, hs_arena_printf(ctx->arena, "capabilities.%s", set)), act,
			       "%s is not in %s: a non-root process would not hold it after "
			       "exec%s%s",
			       it->u.string.s, set, act == HS_ACTION_REWRITE ? ": added" : "",
			       ctx->no_rewrite ? " (hook mode cannot rewrite)" : "");
		if (r < 0)
			return r;
		if (r != HS_ACTION_REWRITE)
			continue;
		if ((!v && !(v = hs_json_ensure_array(ctx->arena, caps, set))) ||
		    hs_json_append(ctx->arena, v, hs_json_new_string(ctx->arena, it->u.string.s)) <
			0)
			return -ENOMEM;
	}
	return 0;
}

static int caps_check_process(struct hs_check_ctx *ctx, const void *cfg)
{
	static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable",
					    "ambient" };
	const struct caps_cfg *c = cfg;
	struct hs_json *caps = hs_json_get(ctx->process, "capabilities");
	int r;

	r = check_nnp(ctx, c);
	if (r < 0)
		return r;
	if (caps && caps->type != HS_JSON_OBJECT)
		return 0;
	if (!caps) {
		/* runc reads no capabilities as "leave them alone": a root process keeps all. */
		r = hs_finding(ctx, "capabilities.missing", ppath(ctx, "capabilities"), c->action,
			       "no capabilities: runc would leave the process every capability%s",
			       c->action == HS_ACTION_REWRITE ? ": every set made empty" : "");
		if (r != HS_ACTION_REWRITE)
			return r < 0 ? r : 0;
		if (!(caps = hs_json_ensure_object(ctx->arena, ctx->process, "capabilities")))
			return -ENOMEM;
		for (size_t i = 0; i < HS_ARRAY_SIZE(sets); i++)
			if (!hs_json_ensure_array(ctx->arena, caps, sets[i]))
				return -ENOMEM;
		return 0;
	}
	r = check_names(ctx, caps);
	if (r >= 0 && non_root(ctx)) {
		const struct hs_json *held = held_set(ctx, c, caps);

		if (!held)
			return -ENOMEM;
		for (size_t i = 0; r >= 0 && i < HS_ARRAY_SIZE(sets); i++)
			r = check_within_allowlist(ctx, c, caps, sets[i], held);
		for (size_t i = 0; r >= 0 && i < HS_ARRAY_SIZE(sets); i++)
			r = add_held(ctx, c, caps, sets[i], held);
		return r < 0 ? r : 0;
	}
	for (size_t i = 0; r >= 0 && i < 3; i++)
		r = check_within_allowlist(ctx, c, caps, sets[i], NULL);
	for (size_t i = 3; r >= 0 && i < 5; i++)
		r = check_must_be_empty(ctx, c, caps, sets[i]);
	return r < 0 ? r : 0;
}

const struct hs_control hs_control_capabilities = {
	.name = "capabilities",
	.policy_schema = &schema,
	.load = caps_load,
	.check_process = caps_check_process,
};
