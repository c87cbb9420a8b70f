/* SPDX-License-Identifier: Apache-2.0
 * Hooks (docs/threats.md §3, NIST SP 800-190 §4.5.2): prestart, createRuntime, poststart and
 * poststop hooks run a host binary as root in the host's namespaces. Only the admin's
 * allowlisted binaries (and arguments), whose file and every ancestor only root can change. */
#include <string.h>
#include <sys/stat.h>

#include "hs-egress.h"
#include "hs-host.h"
#include "hs-policy.h"

static const char *const stages[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

struct hook_allow {
	const char *path;
	const struct hs_json *args;   /* array, or NULL: any arguments */
	const struct hs_json *stages; /* array, or NULL: any stage */
	const struct hs_json *env;    /* array, or NULL: none */
};

struct hooks_cfg {
	enum hs_action action;
	struct hook_allow *allow;
	size_t n_allow;
};

static const struct hs_schema allow_item = {
	.kind = HS_S_STRUCT,
	.fields =
	    (const struct hs_schema_field[]){
		{ "path", &hs_schema_string },
		{ "args", &hs_schema_string_array },
		{ "stages", &hs_schema_string_array },
		{ "env", &hs_schema_string_array },
		{ NULL, NULL },
	    },
};
static const struct hs_schema_field hooks_fields[] = {
	{ "action", &hs_schema_string },
	{ "allow", &(const struct hs_schema){ .kind = HS_S_ARRAY, .item = &allow_item } },
	{ NULL, NULL },
};
static const struct hs_schema hooks_schema = { .kind = HS_S_STRUCT, .fields = hooks_fields };

static const struct hooks_cfg hooks_default = { .action = HS_ACTION_REFUSE };

/* hardshim's own binary (a host fact), or NULL if unknown: then nothing is admitted
 * implicitly. */
static const char *self_binary(const struct hs_check_ctx *ctx)
{
	const char *self = NULL;

	if (!ctx->host || !ctx->host->self_binary ||
	    ctx->host->self_binary(ctx->host, ctx->arena, &self) < 0)
		return NULL;
	return self;
}

static bool is_stage(const char *s)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(stages); i++)
		if (!strcmp(stages[i], s))
			return true;
	return false;
}

static int hooks_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		      struct hs_error *err)
{
	struct hooks_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const struct hs_json *list, *item, *s;
	int r;

	if (!c)
		return -ENOMEM;
	*c = hooks_default;
	r = hs_action_load(section, "hooks", "action", HS_ACTIONS_ALL, c->action, &c->action, err);
	if (r < 0)
		return r;
	list = hs_json_get(section, "allow");
	c->n_allow = hs_json_len(list);
	c->allow = hs_arena_alloc(a, (c->n_allow + 1) * sizeof(*c->allow));
	if (!c->allow)
		return -ENOMEM;
	hs_json_foreach_item(item, list, i) {
		struct hook_allow *h = &c->allow[i];

		h->path = hs_json_get_string(item, "path");
		h->args = hs_json_get(item, "args");
		h->stages = hs_json_get(item, "stages");
		h->env = hs_json_get(item, "env");
		if (!h->path || h->path[0] != '/' || strstr(h->path, "/./") ||
		    strstr(h->path, "/../") || strstr(h->path, "//"))
			return hs_error_set(err, -HS_ECONFIG, "policy.hooks", "", -1,
					    "allow[%zu]: \"path\" must be an absolute, clean path",
					    i);
		hs_json_foreach_item(s, h->stages, j)
			if (!is_stage(s->u.string.s))
				return hs_error_set(err, -HS_ECONFIG, "policy.hooks", "", -1,
						    "allow[%zu]: \"%s\" is not a hook stage", i,
						    s->u.string.s);
	}
	*ret_cfg = c;
	return 0;
}

static bool strings_equal(const struct hs_json *a, const struct hs_json *b)
{
	return hs_json_len(a) == hs_json_len(b) && (!hs_json_len(a) || hs_json_equal(a, b));
}

/* The allow entry admitting this hook (path, stage, arguments), or NULL. */
static const struct hook_allow *allowlisted(const struct hooks_cfg *c, const char *stage,
					    const char *path, const struct hs_json *args)
{
	for (size_t i = 0; i < c->n_allow; i++) {
		const struct hook_allow *h = &c->allow[i];
		const struct hs_json *s;
		bool stage_ok = !h->stages;

		if (strcmp(h->path, path))
			continue;
		hs_json_foreach_item(s, h->stages, j)
			stage_ok = stage_ok || !strcmp(s->u.string.s, stage);
		if (stage_ok && (!h->args || strings_equal(h->args, args)))
			return h;
	}
	return NULL;
}

/*
 * An allowlisted binary runs as root on the host with the environment the config gives it:
 * LD_PRELOAD=<a library in the image's rootfs> or LD_LIBRARY_PATH runs the image's code
 * there, whatever the binary is. The hook's env must be exactly the administrator's (none
 * when the allow entry names none); rewrite puts the administrator's in its place.
 */
static int check_env(struct hs_check_ctx *ctx, const struct hooks_cfg *c,
		     const struct hook_allow *h, struct hs_json *hook, const char *stage, size_t i)
{
	const struct hs_json *env = hs_json_get(hook, "env");
	char jpath[96];
	int r;

	if (strings_equal(env, h->env))
		return 0;
	snprintf(jpath, sizeof(jpath), "hooks.%s[%zu].env", stage, i);
	r = hs_finding(ctx, "hooks.env", jpath, c->action,
		       "the %s hook %s runs as root on the host with this environment "
		       "(LD_PRELOAD, LD_LIBRARY_PATH would run the image's code): only the "
		       "policy's env for it is admitted (controls.hooks.allow[].env)",
		       stage, h->path);
	if (r != HS_ACTION_REWRITE)
		return r;
	if (!h->env)
		return hs_json_remove(hook, "env") < 0 ? -ENOMEM : r;
	return hs_json_set(ctx->arena, hook, "env", hs_json_clone(ctx->arena, h->env)) < 0 ? -ENOMEM
											   : r;
}

/* A hook's env is harmless to admit only when it names nothing, or exactly the policy this
 * check runs under (how hook mode is installed: HARDSHIM_POLICY=<the admin's file>). */
static bool env_is_ours(const struct hs_check_ctx *ctx, const struct hs_json *env)
{
	const struct hs_json *e;

	if (hs_json_len(env) == 0)
		return true;
	if (hs_json_len(env) != 1 || !ctx->policy->file)
		return false;
	e = env->u.array.items[0];
	return e->type == HS_JSON_STRING && !strncmp(e->u.string.s, "HARDSHIM_POLICY=", 16) &&
	       !strcmp(e->u.string.s + 16, ctx->policy->file);
}

static bool args_are(const struct hs_json *args, const char *const *head, size_t n_head,
		     char *const *tail, size_t n_tail)
{
	if (!args || args->type != HS_JSON_ARRAY || args->u.array.len != n_head + n_tail)
		return false;
	for (size_t i = 0; i < n_head + n_tail; i++) {
		const struct hs_json *a = args->u.array.items[i];
		const char *w = i < n_head ? head[i] : tail[i - n_head];

		if (a->type != HS_JSON_STRING || strcmp(a->u.string.s, w))
			return false;
	}
	return true;
}

#define OWN_HOOK_TIMEOUT 10 /* seconds: the runtime's own ceiling on one hook */

/* How many of ARGS, from index FROM, are denies `hook devices` may write, before the first
 * that is not one; 0 unless 1 or 2. */
static size_t deny_rules(const struct hs_json *args, size_t from)
{
	size_t n = 0;

	while (from + n < hs_json_len(args) &&
	       args->u.array.items[from + n]->type == HS_JSON_STRING &&
	       hs_devices_deny_arg_ok(args->u.array.items[from + n]->u.string.s))
		n++;
	return n >= 1 && n <= 2 ? n : 0;
}

enum hs_own_hook hs_own_hook_kind(const struct hs_json *hook, const char *bin, size_t *ret_rules)
{
	const struct hs_json *args = hs_json_get(hook, "args");
	const char *path = hs_json_get_string(hook, "path");
	const struct hs_json *verb;

	if (ret_rules)
		*ret_rules = 0;
	if (!bin || !path || strcmp(path, bin) || hs_json_len(args) < 3 ||
	    !hs_json_is(args->u.array.items[2], HS_JSON_STRING))
		return HS_OWN_HOOK_NONE;
	verb = args->u.array.items[2];
	if (!strcmp(verb->u.string.s, "devices"))
		return HS_OWN_HOOK_DEVICES;
	if (!strcmp(verb->u.string.s, "egress"))
		return HS_OWN_HOOK_EGRESS;
	if (!strcmp(verb->u.string.s, "devices-egress")) {
		if (ret_rules)
			*ret_rules = deny_rules(args, 3);
		return HS_OWN_HOOK_DEVICES_EGRESS;
	}
	return HS_OWN_HOOK_NONE;
}

struct hs_json *hs_own_hook_new(struct hs_arena *a, const char *bin, const char *const *rules,
				size_t n_rules, const char *const *args, size_t n_args)
{
	struct hs_json *hook = hs_json_new(a, HS_JSON_OBJECT);
	struct hs_json *v = hs_json_new(a, HS_JSON_ARRAY);
	const char *verb = !n_args ? "devices" : !n_rules ? "egress" : "devices-egress";
	const char *const head[] = { "hardshim", "hook", verb };

	if (!hook || !v)
		return NULL;
	for (size_t i = 0; i < n_rules + n_args + 3; i++) {
		const char *w = i < 3             ? head[i]
				: i < 3 + n_rules ? rules[i - 3]
						  : args[i - 3 - n_rules];

		if (hs_json_append(a, v, hs_json_new_string(a, w)) < 0)
			return NULL;
	}
	if (hs_json_set(a, hook, "path", hs_json_new_string(a, bin)) < 0 ||
	    hs_json_set(a, hook, "args", v) < 0 ||
	    hs_json_set(a, hook, "timeout", hs_json_new_i64(a, OWN_HOOK_TIMEOUT)) < 0)
		return NULL;
	return hook;
}

/* From index FROM on, ARGS are exactly the egress section in force as hs_egress_args writes
 * it (no egress control in force: never). */
static bool egress_args_in_force(struct hs_check_ctx *ctx, const struct hs_json *args, size_t from)
{
	const struct hs_egress_cfg *eg =
	    ctx->controls || ctx->policy
		? hs_egress_in_force(ctx->controls ? ctx->controls : ctx->policy->controls)
		: NULL;
	char **want;
	size_t n;

	if (!eg || hs_egress_args(ctx->arena, eg, &want, &n) < 0 || hs_json_len(args) != from + n)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct hs_json *a = args->u.array.items[from + i];

		if (a->type != HS_JSON_STRING || strcmp(a->u.string.s, want[i]))
			return false;
	}
	return true;
}

/*
 * hardshim's own hooks, admitted without a policy entry only as hardshim itself puts them
 * there, in createRuntime with no env: `hook devices RULE...` (one or two denies of a
 * runtime's own extra grant, each as hs_devices_deny_arg_ok accepts it: it can only take
 * access away), `hook egress ARGS` exactly as the egress section in force produces it, and
 * `hook devices-egress RULE... ARGS` (both in one process: the same denies, then exactly the
 * section in force); and hook mode's `hardshim hook createRuntime|prestart` in its own stage,
 * with no env or HARDSHIM_POLICY naming the policy in force. Anything else a config asks
 * hardshim to do as root on the host — `hook egress --default allow` in poststart (undoing the
 * rules), one more argument, `hook createRuntime` with HARDSHIM_POLICY=<a file in the image>
 * (the attacker's policy: audit mode, log.path anywhere) — is a hook like any other.
 */
static bool is_own_hook(struct hs_check_ctx *ctx, const char *self, const char *stage,
			const struct hs_json *hook)
{
	const struct hs_json *args = hs_json_get(hook, "args");
	const char *path = hs_json_get_string(hook, "path");
	size_t n_rules;

	if (!self || !path || strcmp(self, path) || !args || args->type != HS_JSON_ARRAY ||
	    hs_json_len(args) < 3 || !hs_json_is(args->u.array.items[0], HS_JSON_STRING) ||
	    strcmp(args->u.array.items[0]->u.string.s, "hardshim") ||
	    !hs_json_is(args->u.array.items[1], HS_JSON_STRING) ||
	    strcmp(args->u.array.items[1]->u.string.s, "hook"))
		return false;
	if (!strcmp(stage, "createRuntime") || !strcmp(stage, "prestart")) {
		const char *const mode[] = { "hardshim", "hook", stage };

		if (args_are(args, mode, 3, NULL, 0) && env_is_ours(ctx, hs_json_get(hook, "env")))
			return true;
	}
	if (strcmp(stage, "createRuntime") || hs_json_len(hs_json_get(hook, "env")) > 0)
		return false;
	switch (hs_own_hook_kind(hook, self, &n_rules)) {
	case HS_OWN_HOOK_DEVICES:
		n_rules = deny_rules(args, 3);
		return n_rules && n_rules == hs_json_len(args) - 3;
	case HS_OWN_HOOK_EGRESS: return egress_args_in_force(ctx, args, 3);
	case HS_OWN_HOOK_DEVICES_EGRESS:
		return n_rules && egress_args_in_force(ctx, args, 3 + n_rules);
	case HS_OWN_HOOK_NONE: break;
	}
	return false;
}

bool hs_own_hook_admitted(struct hs_check_ctx *ctx, const char *stage, const struct hs_json *hook)
{
	return is_own_hook(ctx, self_binary(ctx), stage, hook);
}

/* Why the file at path is not safe to run as root, or NULL. */
static const char *unsafe_file(struct hs_check_ctx *ctx, const char *path, char *why, size_t size)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_canonical_path cp;
	const struct hs_path_component *last;
	const char *replaceable;

	if (!ctx->host || !ctx->host->canonicalize) {
		snprintf(why, size, "cannot inspect %s on this host", path);
		return why;
	}
	if (ctx->host->canonicalize(ctx->host, ctx->arena, path, &cp, &err) < 0) {
		snprintf(why, size, "cannot resolve %.300s: %.300s", path,
			 err.msg[0] ? err.msg : "error");
		return why;
	}
	if (!cp.exists || !cp.n_components) {
		snprintf(why, size, "%s does not exist", path);
		return why;
	}
	/* A symlink on the way could be in a directory this check never looks at. */
	if (strcmp(cp.path, path)) {
		snprintf(why, size, "%s resolves to %s: name the file itself", path, cp.path);
		return why;
	}
	/* Nobody but root may swap the file (a sticky /tmp above a root-owned directory is
	 * fine) or change what is in it. */
	replaceable = hs_canonical_path_replaceable(ctx->arena, &cp);
	if (replaceable) {
		snprintf(why, size, "%s: someone other than root could replace what runs",
			 replaceable);
		return why;
	}
	last = &cp.components[cp.n_components - 1];
	if (last->uid != 0 || (last->mode & 0022)) {
		snprintf(why, size,
			 "%s is %s (uid %u, mode %04o): someone other than root could "
			 "change what runs",
			 last->path,
			 last->uid != 0 ? "not owned by root" : "writable by group or others",
			 (unsigned)last->uid, (unsigned)(last->mode & 07777));
		return why;
	}
	if (!S_ISREG(last->mode)) {
		snprintf(why, size, "%s is not a regular file", path);
		return why;
	}
	return NULL;
}

static int hooks_check_config(struct hs_check_ctx *ctx, const void *vcfg)
{
	const struct hooks_cfg *c = vcfg ? vcfg : &hooks_default;
	struct hs_json *hooks = hs_json_get_type(ctx->config, "hooks", HS_JSON_OBJECT);
	const char *self = NULL;
	bool self_done = false;

	if (!hooks)
		return 0;
	for (size_t s = 0; s < HS_ARRAY_SIZE(stages); s++) {
		struct hs_json *list = hs_json_get_type(hooks, stages[s], HS_JSON_ARRAY);

		for (size_t i = hs_json_len(list); i-- > 0;) {
			struct hs_json *hook = list->u.array.items[i];
			const char *path = hs_json_get_string(hook, "path");
			const struct hs_json *args = hs_json_get(hook, "args");
			char jpath[96], why[HS_LINE_MAX];
			const char *rule = NULL;
			const struct hook_allow *entry = NULL;
			bool own = false;
			int r;

			snprintf(jpath, sizeof(jpath), "hooks.%s[%zu].path", stages[s], i);
			if (!path || path[0] != '/') {
				rule = "hooks.not-absolute";
				snprintf(why, sizeof(why), "hook path \"%s\" is not absolute",
					 path ? path : "");
			} else {
				if (!self_done) {
					self = self_binary(ctx);
					self_done = true;
				}
				own = is_own_hook(ctx, self, stages[s], hook);
				entry = own ? NULL : allowlisted(c, stages[s], path, args);
				if (!own && !entry) {
					rule = "hooks.not-allowlisted";
					snprintf(why, sizeof(why),
						 "%s hook %s%s is not on the policy's "
						 "allowlist (controls.hooks.allow)",
						 stages[s], path,
						 args ? " with these arguments" : "");
				} else if (unsafe_file(ctx, path, why, sizeof(why))) {
					rule = "hooks.unsafe-file";
				}
			}
			if (!rule && entry) {
				r = check_env(ctx, c, entry, hook, stages[s], i);
				if (r < 0)
					return r;
			}
			if (!rule)
				continue;
			r = hs_finding(ctx, rule, jpath, c->action, "%s", why);
			if (r < 0)
				return r;
			if (r == HS_ACTION_REWRITE)
				hs_json_array_remove(list, i);
		}
	}
	return 0;
}

const struct hs_control hs_control_hooks = {
	.name = "hooks",
	.policy_schema = &hooks_schema,
	.load = hooks_load,
	.check_config = hooks_check_config,
};
