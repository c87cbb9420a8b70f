/* SPDX-License-Identifier: Apache-2.0
 * Egress limits (NIST SP 800-190 §4.2, docs/threats.md §11): a compromised container must not reach
 * whatever it likes. This control reads controls.egress and makes the kernel enforce it: on
 * create, hardshim loads the ruleset into the container's network namespace itself (before
 * the runtime runs when the namespace exists, else after the runtime's create and before
 * `start`); elsewhere (run, restore, precreate) it injects a createRuntime hook (hardshim's
 * own binary, `hook egress ...`) that does it before the user process starts. */
#include <string.h>

#include "hs-egress.h"
#include "hs-host.h"
#include "hs-policy.h"

static const struct hs_schema_field egress_fields[] = {
	{ "default", &hs_schema_string },
	{ "allow", &hs_schema_string_array },
	{ "deny", &hs_schema_string_array },
	{ "rate", &hs_schema_u64 },
	{ NULL, NULL },
};
static const struct hs_schema egress_schema = { .kind = HS_S_STRUCT, .fields = egress_fields };

/* Default: deny everything but loopback and replies (hs_egress_ruleset), no rate. */
static const struct hs_egress_cfg egress_default = { 0 };

static int load_list(struct hs_arena *a, const struct hs_json *list, const char *name,
		     struct hs_egress_entry **ret, size_t *ret_n, struct hs_error *err)
{
	struct hs_egress_entry *v;
	struct hs_json *item;
	size_t n = hs_json_len(list);

	if (!n)
		return 0;
	v = hs_arena_alloc(a, n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	hs_json_foreach_item(item, list, i) {
		char path[64];
		int r;

		snprintf(path, sizeof(path), "controls.egress.%s[%zu]", name, i);
		r = hs_egress_entry_parse(item->u.string.s, path, &v[i], err);
		if (r < 0)
			return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int egress_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		       struct hs_error *err)
{
	struct hs_egress_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const char *def;
	const struct hs_json *rate;
	int r;

	if (!c)
		return -ENOMEM;
	*c = egress_default;
	if (section) {
		def = hs_json_get_string(section, "default");
		if (def && strcmp(def, "deny") && strcmp(def, "allow"))
			return hs_error_set(err, -HS_ECONFIG, "egress.default",
					    "controls.egress.default", -1,
					    "\"default\" is \"deny\" or \"allow\", not \"%s\"",
					    def);
		c->default_allow = def && !strcmp(def, "allow");
		r = load_list(a, hs_json_get(section, "allow"), "allow", &c->allow, &c->n_allow,
			      err);
		if (r < 0)
			return r;
		r = load_list(a, hs_json_get(section, "deny"), "deny", &c->deny, &c->n_deny, err);
		if (r < 0)
			return r;
		rate = hs_json_get(section, "rate");
		if (rate) {
			r = hs_json_get_u64(rate, UINT64_MAX, &c->rate);
			if (r < 0 || c->rate == 0)
				return hs_error_set(err, -HS_ECONFIG, "egress.rate",
						    "controls.egress.rate", -1,
						    "\"rate\" is a positive number of bytes per "
						    "second (leave it out for no ceiling)");
		}
	}
	*ret_cfg = c;
	return 0;
}

const struct hs_egress_cfg *hs_egress_in_force(const struct hs_control_cfg *controls)
{
	for (size_t i = 0; controls && i < hs_n_controls; i++)
		if (hs_controls[i] == &hs_control_egress)
			return !controls[i].enabled ? NULL
			       : controls[i].cfg    ? controls[i].cfg
						    : &egress_default;
	return NULL;
}

/* hardshim's own binary, as the kernel knows it (a host fact): never argv[0] or PATH. */
static int hook_binary(const struct hs_check_ctx *ctx, const char **ret)
{
	if (!ctx->host || !ctx->host->self_binary)
		return -ENOENT;
	return ctx->host->self_binary(ctx->host, ctx->arena, ret);
}

/* The config's network namespace entry, or NULL (the container shares the runtime's). */
static const struct hs_json *netns_entry(const struct hs_json *config)
{
	struct hs_json *linux_ = hs_json_get_type(config, "linux", HS_JSON_OBJECT);
	struct hs_json *ns;

	hs_json_foreach_item(ns, hs_json_get_type(linux_, "namespaces", HS_JSON_ARRAY), i) {
		const char *t = hs_json_get_string(ns, "type");

		if (t && !strcmp(t, "network"))
			return ns;
	}
	return NULL;
}

static bool has_own_netns(const struct hs_json *config)
{
	return netns_entry(config) != NULL;
}

bool hs_egress_at_create(const struct hs_json *config, bool caller_can, bool restore,
			 const char **ret_path)
{
	const char *path =
	    caller_can && !restore ? hs_json_get_string(netns_entry(config), "path") : NULL;

	/* The path itself was judged by the namespaces control (a network namespace, not the
	 * host's, not swappable before the runtime opens it); the install judges the descriptor
	 * it joins once more (src/egress/netns.c). */
	if (!path || !*path)
		return false;
	/* /proc/PID/ns/net (Podman's --network container:X) names whatever process has that pid
	 * when the runtime opens it, which may not be the one there now: the install after the
	 * runtime's create (hs_egress_after_create) or the hook, which join the container's own
	 * /proc/<init>/ns/net, install where the container really is. */
	if (!strncmp(path, "/proc/", 6))
		return false;
	if (ret_path)
		*ret_path = path;
	return true;
}

bool hs_egress_after_create(const struct hs_json *config, bool caller_can, bool create)
{
	/* A namespace the runtime makes (no path), or one it finds through a pid it resolves
	 * itself (/proc/PID/ns/net): hardshim's create, which waits for the runtime's create
	 * (src/cli/wait-runtime.c), installs the rules in the container init's own namespace
	 * before `start` can come, as the hook would have from the runtime's state. */
	return caller_can && create && has_own_netns(config) &&
	       !hs_egress_at_create(config, caller_can, false, NULL);
}

/* Remove the egress work of ours from createRuntime hooks (hardshim's binary): a stale egress
 * hook (another policy) or one the create path makes unnecessary goes; one that runs both
 * (hook devices-egress) goes too, or with KEEP_DENIES leaves its denies as the devices hook.
 * -ENOMEM, or whether anything changed. */
static int remove_our_hooks(struct hs_check_ctx *ctx, struct hs_json *list, const char *bin,
			    bool keep_denies)
{
	bool changed = false;
	size_t n_rules;

	for (size_t i = hs_json_len(list); i-- > 0;) {
		struct hs_json *h = list->u.array.items[i];
		const struct hs_json *a = hs_json_get(h, "args");
		const char *rules[2];

		switch (hs_own_hook_kind(h, bin, &n_rules)) {
		case HS_OWN_HOOK_EGRESS:
			hs_json_array_remove(list, i);
			changed = true;
			break;
		case HS_OWN_HOOK_DEVICES_EGRESS:
			if (!keep_denies || !n_rules) {
				hs_json_array_remove(list, i);
				changed = true;
				break;
			}
			for (size_t k = 0; k < n_rules; k++)
				rules[k] = a->u.array.items[3 + k]->u.string.s;
			if (!(list->u.array.items[i] =
				  hs_own_hook_new(ctx->arena, bin, rules, n_rules, NULL, 0)))
				return -ENOMEM;
			changed = true;
			break;
		default: break;
		}
	}
	return changed;
}

/* Where create installs the rules itself, an egress hook of ours left in the config (a config
 * rewritten before) goes: it would only run a second, identical install. What the finding
 * adds to its message. */
static const char *drop_old_hook(struct hs_check_ctx *ctx, const char *bin)
{
	struct hs_json *hooks = hs_json_get_type(ctx->config, "hooks", HS_JSON_OBJECT);
	struct hs_json *list = hs_json_get_type(hooks, "createRuntime", HS_JSON_ARRAY);
	int r = list ? remove_our_hooks(ctx, list, bin, true) : 0;

	if (r < 0)
		return NULL;
	return r > 0 ? " (its old egress hook removed)" : "";
}

/* The namespace exists before the runtime runs: hardshim's create path installs the rules
 * there (src/cli/runtime.c, hs_egress_install_at) before it runs the runtime, and a failure
 * refuses the container as the hook's would. No hook of ours stays in the config: an old one
 * would only run a second, identical install. */
static int at_create(struct hs_check_ctx *ctx, const char *bin, const char *path)
{
	const char *dropped = drop_old_hook(ctx, bin);
	int r;

	if (!dropped)
		return -ENOMEM;
	r = hs_finding(ctx, "egress.at-create", "linux.namespaces", HS_ACTION_REWRITE,
		       "hardshim installs the egress rules in the network namespace %s before "
		       "the runtime runs%s",
		       path, dropped);
	return r < 0 ? r : 0;
}

/* The namespace is made by the runtime: hardshim's create installs the rules once the
 * runtime's create has returned and before the container's process can run (it waits for
 * `start`), in /proc/<init>/ns/net through a pidfd-verified pid (src/cli/wait-runtime.c). No
 * hook of ours stays in the config: the finding is what tells create to do it. */
static int after_create(struct hs_check_ctx *ctx, const char *bin)
{
	const char *dropped = drop_old_hook(ctx, bin);
	int r;

	if (!dropped)
		return -ENOMEM;
	r = hs_finding(ctx, "egress.after-create", "linux.namespaces", HS_ACTION_REWRITE,
		       "hardshim's create installs the egress rules in the network namespace "
		       "the runtime makes, after the runtime's create and before the "
		       "container's process runs%s",
		       dropped);
	return r < 0 ? r : 0;
}

/* The denies of the devices hook of ours in LIST that the hooks control admits (a plain
 * devices hook, or the first half of one that runs both), into rules; how many (0: none).
 * *ret_at: its index. */
static size_t devices_work(struct hs_check_ctx *ctx, const struct hs_json *list, const char *bin,
			   const char *rules[2], size_t *ret_at)
{
	size_t n_rules;

	for (size_t i = hs_json_len(list); i-- > 0;) {
		const struct hs_json *h = list->u.array.items[i], *a = hs_json_get(h, "args");
		enum hs_own_hook kind = hs_own_hook_kind(h, bin, &n_rules);

		if (kind == HS_OWN_HOOK_DEVICES)
			n_rules = hs_json_len(a) - 3;
		else if (kind != HS_OWN_HOOK_DEVICES_EGRESS || !n_rules)
			continue;
		if (n_rules < 1 || n_rules > 2 || !hs_own_hook_admitted(ctx, "createRuntime", h))
			continue;
		for (size_t k = 0; k < n_rules; k++)
			rules[k] = a->u.array.items[3 + k]->u.string.s;
		*ret_at = i;
		return n_rules;
	}
	return 0;
}

static int egress_check_config(struct hs_check_ctx *ctx, const void *vcfg)
{
	const struct hs_egress_cfg *cfg = vcfg ? vcfg : &egress_default;
	struct hs_json *hooks, *list, *hook;
	const char *bin, *path, *rules[2];
	char **argv = NULL;
	size_t n = 0, n_rules, at = 0, k;
	int r;

	if (!ctx->config)
		return 0;
	if (!has_own_netns(ctx->config)) {
		r = hs_finding(ctx, "egress.host-network", "linux.namespaces", HS_ACTION_REFUSE,
			       "egress limits need the container's own network namespace; this "
			       "config shares the runtime's (host network)");
		return r < 0 ? r : 0;
	}
	/* A hook cannot change the config the runtime has loaded: `hardshim hook` installs the
	 * rules itself (src/cli/hook.c). */
	if (ctx->no_rewrite || ctx->event == HS_EVENT_HOOK)
		return 0;
	/* the restored container would run with no egress rules at all */
	r = hs_refuse_hookless_restore(ctx, "egress.restore-without-hooks",
				       "the egress rules would not be installed",
				       "restore this container under runc, or without egress "
				       "limits (an exception)");
	if (r != 0)
		return r < 0 ? r : 0;

	r = hook_binary(ctx, &bin);
	if (r < 0)
		return r;
	if (hs_egress_at_create(ctx->config, ctx->egress_at_create, ctx->event == HS_EVENT_RESTORE,
				&path))
		return at_create(ctx, bin, path);
	/* check predicts create */
	if (hs_egress_after_create(ctx->config, ctx->egress_at_create,
				   ctx->event == HS_EVENT_CREATE || ctx->event == HS_EVENT_CHECK))
		return after_create(ctx, bin);
	r = hs_egress_args(ctx->arena, cfg, &argv, &n);
	if (r < 0)
		return r;
	hooks = hs_json_ensure_object(ctx->arena, ctx->config, "hooks");
	if (!hooks)
		return hs_finding(ctx, "egress.hooks", "hooks", HS_ACTION_REFUSE,
				  "\"hooks\" is not an object") < 0
			   ? -ENOMEM
			   : 0;
	list = hs_json_ensure_array(ctx->arena, hooks, "createRuntime");
	if (!list)
		return hs_finding(ctx, "egress.hooks", "hooks.createRuntime", HS_ACTION_REFUSE,
				  "\"hooks.createRuntime\" is not an array") < 0
			   ? -ENOMEM
			   : 0;
	/* The devices control's hook (this pass's, or the denies of one that ran both): one
	 * hardshim process does both, the denies first as when they were two hooks. */
	n_rules = devices_work(ctx, list, bin, rules, &at);
	/* bin is set whenever hook_binary returns 0; the analyzer loses that through -errno. */
	/* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage) */
	hook = hs_own_hook_new(ctx->arena, bin, rules, n_rules, (const char *const *)argv, n);
	if (!hook)
		return -ENOMEM;
	/* A config hardshim has already written (a restart re-creates from the same bundle)
	 * carries our hook last: leave it, so that checking twice changes nothing. */
	k = hs_json_len(list);
	if (k > 0 && hs_json_equal(list->u.array.items[k - 1], hook))
		return 0;
	/* The devices hook goes into ours; a stale hook of ours (another policy): replaced,
	 * never kept beside the new. */
	if (n_rules && at < hs_json_len(list))
		hs_json_array_remove(list, at);
	if (remove_our_hooks(ctx, list, bin, false) < 0)
		return -ENOMEM;
	/* Last, so no earlier hook's changes to the namespace outlive ours. */
	if (hs_json_append(ctx->arena, list, hook) < 0)
		return -ENOMEM;
	r = hs_finding(ctx, "egress.hook", "hooks.createRuntime", HS_ACTION_REWRITE,
		       "added hardshim's createRuntime hook that installs the egress rules%s",
		       n_rules ? " (hook devices-egress: after the devices denies, in the same "
				 "process)"
			       : "");
	return r < 0 ? r : 0;
}

const struct hs_control hs_control_egress = {
	.name = "egress",
	.policy_schema = &egress_schema,
	.load = egress_load,
	.check_config = egress_check_config,
};
