/* SPDX-License-Identifier: Apache-2.0
 * Devices (docs/threats.md §9, CIS Docker 5.17, NIST SP 800-190 §4.4.3): a host device node in
 * the container, or a device-cgroup rule that allows every device, hands the container the
 * host's disks and memory (/dev/sda, /dev/mem) whatever else the policy says. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hs-host.h"
#include "hs-policy.h"

struct device_allow {
	const char *path;
	const char *type;     /* NULL: any */
	int64_t major, minor; /* -1: any */
};

struct devices_cfg {
	enum hs_action action;
	struct device_allow *allow;
	size_t n_allow;
};

static const struct hs_schema allow_item = {
	.kind = HS_S_STRUCT,
	.fields =
	    (const struct hs_schema_field[]){
		{ "path", &hs_schema_string },
		{ "type", &hs_schema_string },
		{ "major", &hs_schema_i64 },
		{ "minor", &hs_schema_i64 },
		{ NULL, NULL },
	    },
};
static const struct hs_schema_field devices_fields[] = {
	{ "action", &hs_schema_string },
	{ "allow", &(const struct hs_schema){ .kind = HS_S_ARRAY, .item = &allow_item } },
	{ NULL, NULL },
};
static const struct hs_schema devices_schema = { .kind = HS_S_STRUCT, .fields = devices_fields };

static const struct devices_cfg devices_default = { .action = HS_ACTION_REFUSE };

/* The nodes runc and crun create in every container anyway (libcontainer/specconv
 * AllowedDevices, crun's default devices): naming them in linux.devices adds nothing.
 * /dev/console (c 5:1) is not among them: neither runtime makes that node; with a terminal
 * both bind the container's own pty there. A c 5:1 node is the host's console. */
static const struct device_allow runtime_defaults[] = {
	{ "/dev/null", "c", 1, 3 },   { "/dev/zero", "c", 1, 5 },    { "/dev/full", "c", 1, 7 },
	{ "/dev/random", "c", 1, 8 }, { "/dev/urandom", "c", 1, 9 }, { "/dev/tty", "c", 5, 0 },
	{ "/dev/ptmx", "c", 5, 2 },
};

/* The host's console as a device-cgroup grant. crun 1.8 grants it in every container on its
 * own; runc 1.1 does not (its AllowedDevices has no 5:1), so there the config's rule is what
 * lets a c 5:1 node (linux.devices, or one shipped in the image: the rootfs is not nodev)
 * write to the host's console. containerd puts this rule in every config: it is removed
 * (no container needs it, its console is a pty) rather than refused. */
static const struct device_allow console = { "/dev/console", "c", 5, 1 };

static int devices_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			struct hs_error *err)
{
	struct devices_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const struct hs_json *list, *item;
	int r;

	if (!c)
		return -ENOMEM;
	*c = devices_default;
	r = hs_action_load(section, "devices", "action", HS_ACTIONS_ALL, c->action, &c->action,
			   err);
	if (r < 0)
		return r;
	list = hs_json_get(section, "allow");
	c->n_allow = hs_json_len(list);
	c->allow = hs_arena_alloc(a, (c->n_allow + 1) * sizeof(*c->allow));
	if (!c->allow)
		return -ENOMEM;
	hs_json_foreach_item(item, list, i) {
		struct device_allow *d = &c->allow[i];
		const struct hs_json *v;

		d->path = hs_json_get_string(item, "path");
		d->type = hs_json_get_string(item, "type");
		d->major = d->minor = -1;
		if ((v = hs_json_get(item, "major")))
			hs_json_get_i64(v, INT64_MIN, INT64_MAX, &d->major);
		if ((v = hs_json_get(item, "minor")))
			hs_json_get_i64(v, INT64_MIN, INT64_MAX, &d->minor);
		if (!d->path || d->path[0] != '/')
			return hs_error_set(err, -HS_ECONFIG, "policy.devices", "", -1,
					    "allow[%zu]: \"path\" must be the absolute device path "
					    "inside the container",
					    i);
		if (d->type && strcmp(d->type, "c") && strcmp(d->type, "b") &&
		    strcmp(d->type, "u") && strcmp(d->type, "p"))
			return hs_error_set(err, -HS_ECONFIG, "policy.devices", "", -1,
					    "allow[%zu]: \"type\" is c, b, u or p", i);
	}
	*ret_cfg = c;
	return 0;
}

static bool device_matches(const struct device_allow *d, const char *path, const char *type,
			   int64_t major, int64_t minor)
{
	if (strcmp(d->path, path))
		return false;
	/* "u" is how runc spells an unbuffered character device: the same node as "c". */
	if (d->type && strcmp(d->type, type) &&
	    !((!strcmp(d->type, "c") || !strcmp(d->type, "u")) &&
	      (!strcmp(type, "c") || !strcmp(type, "u"))))
		return false;
	return (d->major < 0 || d->major == major) && (d->minor < 0 || d->minor == minor);
}

static bool device_allowed(const struct devices_cfg *c, const char *path, const char *type,
			   int64_t major, int64_t minor)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(runtime_defaults); i++)
		if (device_matches(&runtime_defaults[i], path, type, major, minor))
			return true;
	for (size_t i = 0; i < c->n_allow; i++)
		if (device_matches(&c->allow[i], path, type, major, minor))
			return true;
	return false;
}

static int64_t get_num(const struct hs_json *o, const char *key, int64_t absent)
{
	const struct hs_json *v = hs_json_get(o, key);
	int64_t n;

	if (!v)
		return absent;
	return hs_json_get_i64(v, INT64_MIN, INT64_MAX, &n) < 0 ? absent : n;
}

static int check_linux_devices(struct hs_check_ctx *ctx, const struct devices_cfg *c,
			       struct hs_json *linux_)
{
	struct hs_json *list = hs_json_get_type(linux_, "devices", HS_JSON_ARRAY);

	for (size_t i = hs_json_len(list); i-- > 0;) {
		struct hs_json *d = list->u.array.items[i];
		const char *path = hs_json_get_string(d, "path");
		const char *type = hs_json_get_string(d, "type");
		int64_t major = get_num(d, "major", -1), minor = get_num(d, "minor", -1);
		char jpath[64];
		int r;

		if (path && type && device_allowed(c, path, type, major, minor))
			continue;
		hs_json_path_index(jpath, sizeof(jpath), "linux.devices", i);
		r = hs_finding(ctx, "devices.not-allowed", jpath, c->action,
			       "device %s (%s %lld:%lld) is neither a runtime default nor on the "
			       "policy's allowlist (controls.devices.allow)",
			       path ? path : "(no path)", type ? type : "?", (long long)major,
			       (long long)minor);
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE)
			hs_json_array_remove(list, i);
	}
	return 0;
}

/* A device-cgroup rule that grants read or write on every device of a class, or on every
 * class: "a", a missing type, or c/b with both numbers wildcarded ("c *:* rwm"). The
 * runtimes' own "c *:* m" (mknod only) is harmless without read/write. */
static bool rule_allows_all(const struct hs_json *rule)
{
	const struct hs_json *allow = hs_json_get_type(rule, "allow", HS_JSON_BOOL);
	const char *type = hs_json_get_string(rule, "type");
	const char *access = hs_json_get_string(rule, "access");
	bool rw = !access || !*access || strpbrk(access, "rw");

	if (!allow || !allow->u.boolean)
		return false;
	if (!type || !*type || !strcmp(type, "a"))
		return true;
	return rw && get_num(rule, "major", -1) < 0 && get_num(rule, "minor", -1) < 0;
}

static bool rule_denies_all(const struct hs_json *rule)
{
	const struct hs_json *allow = hs_json_get_type(rule, "allow", HS_JSON_BOOL);
	const char *type = hs_json_get_string(rule, "type");
	const char *access = hs_json_get_string(rule, "access");

	return allow && !allow->u.boolean && (!type || !*type || !strcmp(type, "a")) &&
	       get_num(rule, "major", -1) < 0 && get_num(rule, "minor", -1) < 0 &&
	       (!access || !*access ||
		(strchr(access, 'r') && strchr(access, 'w') && strchr(access, 'm')));
}

/* Device-cgroup grants the runtimes make themselves (runc's AllowedDevices, crun's defaults):
 * the default nodes, every pty (136:*) and /dev/net/tun (10:200). */
static const struct device_allow cgroup_defaults[] = {
	{ "", "c", 136, -1 },
	{ "", "c", 10, 200 },
};

/* A cgroup rule's (type, major, minor) against a device: a wildcard in the rule must be a
 * wildcard in the device entry too ("c 1:* rw" is not /dev/null, it is /dev/mem as well). */
static bool cgroup_rule_matches(const struct device_allow *d, const char *type, int64_t major,
				int64_t minor)
{
	bool is_char = !strcmp(type, "c") || !strcmp(type, "u");

	if (d->type && strcmp(d->type, type) &&
	    !(is_char && (!strcmp(d->type, "c") || !strcmp(d->type, "u"))))
		return false;
	if (!d->type && strcmp(type, "c") && strcmp(type, "b") && strcmp(type, "u"))
		return false;
	return (d->major < 0 || d->major == major) && (d->minor < 0 || d->minor == minor);
}

/* Does a read/write grant name only devices the runtimes grant anyway or the admin allowed?
 * An image can carry a device node in its rootfs (root is not nodev): the cgroup rule is the
 * only thing between that node and the host's disk or kernel log. */
static bool cgroup_rule_allowed(const struct devices_cfg *c, const struct hs_json *rule)
{
	const char *type = hs_json_get_string(rule, "type");
	const char *access = hs_json_get_string(rule, "access");
	int64_t major = get_num(rule, "major", -1), minor = get_num(rule, "minor", -1);
	const struct hs_json *allow = hs_json_get_type(rule, "allow", HS_JSON_BOOL);

	if (!allow || !allow->u.boolean || (access && *access && !strpbrk(access, "rw")))
		return true; /* a deny, or mknod only (which needs CAP_MKNOD as well) */
	if (!type)
		return false;
	for (size_t i = 0; i < HS_ARRAY_SIZE(runtime_defaults); i++)
		if (cgroup_rule_matches(&runtime_defaults[i], type, major, minor))
			return true;
	for (size_t i = 0; i < HS_ARRAY_SIZE(cgroup_defaults); i++)
		if (cgroup_rule_matches(&cgroup_defaults[i], type, major, minor))
			return true;
	for (size_t i = 0; i < c->n_allow; i++)
		if (cgroup_rule_matches(&c->allow[i], type, major, minor))
			return true;
	return false;
}

/* A read/write grant on exactly c 5:1 that the administrator did not allowlist. */
static bool grants_console(const struct devices_cfg *c, const struct hs_json *rule)
{
	const char *type = hs_json_get_string(rule, "type");
	const char *access = hs_json_get_string(rule, "access");
	const struct hs_json *allow = hs_json_get_type(rule, "allow", HS_JSON_BOOL);
	int64_t major = get_num(rule, "major", -1), minor = get_num(rule, "minor", -1);

	if (!allow || !allow->u.boolean || !type || (access && *access && !strpbrk(access, "rw")))
		return false;
	if (major != console.major || minor != console.minor ||
	    !cgroup_rule_matches(&console, type, major, minor))
		return false;
	for (size_t i = 0; i < c->n_allow; i++)
		if (cgroup_rule_matches(&c->allow[i], type, major, minor))
			return false;
	return true;
}

static int check_cgroup_rules(struct hs_check_ctx *ctx, const struct devices_cfg *c,
			      struct hs_json *resources, const char *prefix, bool want_deny_first)
{
	struct hs_json *list = hs_json_get(resources, "devices");
	char jpath[96];
	int r;

	if (list && list->type != HS_JSON_ARRAY)
		return 0; /* the schema has refused it */
	for (size_t i = hs_json_len(list); i-- > 0;) {
		const struct hs_json *rule = list->u.array.items[i];

		hs_json_path_index(jpath, sizeof(jpath), prefix, i);
		if (grants_console(c, rule))
			r = hs_finding(ctx, "devices.console", jpath, HS_ACTION_REWRITE,
				       "device-cgroup rule grants read or write on c 5:1, the "
				       "host's "
				       "console (runc grants it only when asked; a container's "
				       "console is its pty): removed");
		else if (rule_allows_all(rule))
			r = hs_finding(
			    ctx, "devices.allow-all", jpath, c->action,
			    "device-cgroup rule allows access to every device (allow: true "
			    "without type, type \"a\", or no major and minor): the container "
			    "could open the host's disks and memory");
		else if (!cgroup_rule_allowed(c, rule))
			r = hs_finding(
			    ctx, "devices.cgroup-not-allowed", jpath, c->action,
			    "device-cgroup rule grants read or write on %s %lld:%lld, neither a "
			    "runtime default nor on the policy's allowlist "
			    "(controls.devices.allow): a device node in the image would reach "
			    "the host's device",
			    hs_json_get_string(rule, "type") ?: "?",
			    (long long)get_num(rule, "major", -1),
			    (long long)get_num(rule, "minor", -1));
		else
			continue;
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE)
			hs_json_array_remove(list, i);
	}
	if (!want_deny_first || (hs_json_len(list) && rule_denies_all(list->u.array.items[0])))
		return 0;
	/* runc and crun deny everything first on their own; saying so in the config keeps that
	 * true for any runtime, and the fix cannot surprise a workload. */
	r = hs_finding(ctx, "devices.no-deny-all", prefix, HS_ACTION_REWRITE,
		       "device-cgroup rules must start by denying every device: "
		       "{\"allow\": false, \"access\": \"rwm\"} added first");
	if (r < 0)
		return r;
	if (r == HS_ACTION_REWRITE) {
		struct hs_json *deny = hs_json_new(ctx->arena, HS_JSON_OBJECT);
		struct hs_json *nl = hs_json_new(ctx->arena, HS_JSON_ARRAY);
		struct hs_json *item;

		if (!deny || !nl ||
		    hs_json_set(ctx->arena, deny, "allow", hs_json_new_bool(ctx->arena, false)) <
			0 ||
		    hs_json_set(ctx->arena, deny, "access", hs_json_new_string(ctx->arena, "rwm")) <
			0 ||
		    hs_json_append(ctx->arena, nl, deny) < 0)
			return -ENOMEM;
		hs_json_foreach_item(item, list, i)
			if (hs_json_append(ctx->arena, nl, item) < 0)
				return -ENOMEM;
		if (hs_json_set(ctx->arena, resources, "devices", nl) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The access (of "rwm") the config's own rules allow on exactly c MAJOR:MINOR: what a runtime's
 * extra grant may keep, since the other runtime would give the container that too. */
static void config_grants(const struct hs_json *rules, int64_t major, int64_t minor, bool out[3])
{
	const struct hs_json *rule;

	hs_json_foreach_item(rule, rules, i) {
		const struct hs_json *allow = hs_json_get_type(rule, "allow", HS_JSON_BOOL);
		const char *type = hs_json_get_string(rule, "type");
		const char *access = hs_json_get_string(rule, "access");

		if (!allow || !type || (strcmp(type, "c") && strcmp(type, "u")) ||
		    get_num(rule, "major", -1) != major || get_num(rule, "minor", -1) != minor)
			continue;
		for (size_t k = 0; k < 3; k++)
			if (!access || !*access || strchr(access, "rwm"[k]))
				out[k] = allow->u.boolean;
	}
}

extern const struct hs_control hs_control_devices;

bool hs_devices_in_force(const struct hs_control_cfg *controls)
{
	for (size_t i = 0; controls && i < hs_n_controls; i++)
		if (hs_controls[i] == &hs_control_devices)
			return controls[i].enabled;
	return false;
}

size_t hs_devices_runtime_denies(const struct hs_json *rules, char (*out)[HS_DEVICES_DENY_MAX],
				 size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < HS_DEVICES_N_EXTRAS && n < max; i++) {
		bool granted[3] = { false, false, false };
		char acc[4] = "";
		size_t m = 0;

		config_grants(rules, hs_devices_extras[i].major, hs_devices_extras[i].minor,
			      granted);
		for (size_t k = 0; k < 3; k++)
			if (!granted[k])
				acc[m++] = "rwm"[k];
		acc[m] = '\0';
		if (m)
			snprintf(out[n++], HS_DEVICES_DENY_MAX, "c %lld:%lld %s",
				 (long long)hs_devices_extras[i].major,
				 (long long)hs_devices_extras[i].minor, acc);
	}
	return n;
}

/* The devices hook of ours this config's rules need; NULL with *ret_none set when they need
 * none (the config grants both itself), NULL alone when out of memory. */
static struct hs_json *devices_hook(struct hs_check_ctx *ctx, const char *bin,
				    const struct hs_json *rules, bool *ret_none)
{
	char deny[HS_DEVICES_N_EXTRAS][HS_DEVICES_DENY_MAX];
	const char *v[HS_DEVICES_N_EXTRAS];
	size_t n = hs_devices_runtime_denies(rules, deny, HS_ARRAY_SIZE(deny));

	*ret_none = n == 0;
	for (size_t i = 0; i < n; i++)
		v[i] = deny[i];
	return n ? hs_own_hook_new(ctx->arena, bin, v, n, NULL, 0) : NULL;
}

/* Our hook that runs both (hook devices-egress) with its denies taken out: the egress hook of
 * the same arguments, for the egress control (or the hooks control) to judge as before. */
static struct hs_json *egress_half(struct hs_check_ctx *ctx, const char *bin,
				   const struct hs_json *both, size_t n_rules)
{
	const struct hs_json *args = hs_json_get(both, "args");
	size_t n = hs_json_len(args) - 3 - n_rules;
	const char **v = hs_arena_alloc(ctx->arena, (n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct hs_json *arg = args->u.array.items[3 + n_rules + i];

		v[i] = hs_json_is(arg, HS_JSON_STRING) ? arg->u.string.s : "";
	}
	return hs_own_hook_new(ctx->arena, bin, NULL, 0, v, n);
}

/* The denies of our hook that runs both are exactly those of the devices hook WANT. */
static bool same_denies(const struct hs_json *both, size_t n_rules, const struct hs_json *want)
{
	const struct hs_json *a = hs_json_get(both, "args"), *w = hs_json_get(want, "args");

	if (!want || hs_json_len(w) != 3 + n_rules)
		return false;
	for (size_t i = 3; i < 3 + n_rules; i++)
		if (!hs_json_equal(a->u.array.items[i], w->u.array.items[i]))
			return false;
	return true;
}

/* Does the devices hook deny something on the device PREFIX ("c 5:1 ") names? */
static bool denies(const struct hs_json *hook, const char *prefix)
{
	const struct hs_json *arg;

	hs_json_foreach_item(arg, hs_json_get_type(hook, "args", HS_JSON_ARRAY), i) {
		if (arg->type == HS_JSON_STRING &&
		    !strncmp(arg->u.string.s, prefix, strlen(prefix)))
			return true;
	}
	return false;
}

/* hardshim's create runs the runtime's create as its child and waits for it
 * (src/cli/wait-runtime.c): it denies the grants itself once the runtime has written its rules
 * and before the container's process can run (`start` has not come), so no second hardshim
 * process per container. `check` predicts that create. run and restore exec the runtime:
 * nothing of hardshim is left to do it afterwards, so they keep the hook. */
static bool denied_by_create(const struct hs_check_ctx *ctx)
{
	return ctx->egress_at_create &&
	       (ctx->event == HS_EVENT_CREATE || ctx->event == HS_EVENT_CHECK);
}

/* The create path's finding: the deny it will do (hs_devices_runtime_denies on the emitted
 * rules), and no devices hook of ours left in the config (one a previous create wrote: a
 * restart re-creates from the written bundle) to run a second time. */
static int deny_at_create(struct hs_check_ctx *ctx, const char *bin, const struct hs_json *rules)
{
	struct hs_json *list =
	    hs_json_get_type(hs_json_get(ctx->config, "hooks"), "createRuntime", HS_JSON_ARRAY);
	char deny[HS_DEVICES_N_EXTRAS][HS_DEVICES_DENY_MAX];
	size_t n_rules;
	int r;

	for (size_t i = hs_json_len(list); i-- > 0;) {
		struct hs_json *h = list->u.array.items[i], *eg;

		switch (hs_own_hook_kind(h, bin, &n_rules)) {
		case HS_OWN_HOOK_DEVICES: hs_json_array_remove(list, i); break;
		case HS_OWN_HOOK_DEVICES_EGRESS:
			/* its egress half stays for the egress control to drop (or judge) */
			if (!n_rules)
				break;
			eg = egress_half(ctx, bin, h, n_rules);
			if (!eg)
				return -ENOMEM;
			list->u.array.items[i] = eg;
			break;
		default: break;
		}
	}
	if (!hs_devices_runtime_denies(rules, deny, HS_ARRAY_SIZE(deny)))
		return 0;
	r = hs_finding(ctx, "devices.runtime-grants", "linux.resources.devices", HS_ACTION_REWRITE,
		       "hardshim's create denies the runtime's own extra device grants (runc: c "
		       "10:200, crun: c 5:1) in the container's devices cgroup once the runtime "
		       "has made it, before its process runs, so both allow the same set");
	return r < 0 ? r : 0;
}

/* Add (once) the createRuntime hook that takes back the runtime's own extra grant. The egress
 * control, which runs later, makes one process of it and its own hook (hook devices-egress);
 * judged again, that one stays as it is when its denies are still these and its egress half
 * is the section in force, else its egress half goes back to a hook of its own. */
static int add_deny_hook(struct hs_check_ctx *ctx, const struct hs_json *rules)
{
	struct hs_json *hooks, *list, *hook;
	const char *bin = NULL;
	bool none = false;
	size_t n_rules;
	int r;

	/* A hook cannot change the config the runtime has loaded (hook mode). */
	if (ctx->no_rewrite || ctx->event == HS_EVENT_HOOK)
		return 0;
	if (!ctx->host || !ctx->host->self_binary)
		return -ENOENT;
	r = ctx->host->self_binary(ctx->host, ctx->arena, &bin);
	if (r < 0)
		return r;
	if (denied_by_create(ctx))
		return deny_at_create(ctx, bin, rules);
	hook = devices_hook(ctx, bin, rules, &none);
	if (!hook && !none)
		return -ENOMEM;
	hooks = hs_json_ensure_object(ctx->arena, ctx->config, "hooks");
	list = hooks ? hs_json_ensure_array(ctx->arena, hooks, "createRuntime") : NULL;
	if (!list)
		return 0; /* not an object / array: the hooks control refuses it */
	for (size_t i = hs_json_len(list); i-- > 0;) {
		struct hs_json *h = list->u.array.items[i], *eg;

		switch (hs_own_hook_kind(h, bin, &n_rules)) {
		case HS_OWN_HOOK_DEVICES:
			if (hook && hs_json_equal(h, hook))
				return 0; /* checking twice changes nothing */
			hs_json_array_remove(list, i);
			break;
		case HS_OWN_HOOK_DEVICES_EGRESS:
			/* not ours as written (a forged one): the hooks control judges it */
			if (!n_rules || !hs_own_hook_admitted(ctx, "createRuntime", h))
				break;
			if (same_denies(h, n_rules, hook))
				return 0;
			eg = egress_half(ctx, bin, h, n_rules);
			if (!eg)
				return -ENOMEM;
			list->u.array.items[i] = eg;
			break;
		default: break;
		}
	}
	if (!hook)
		return 0;
	/* crun's own c 5:1 grant would stay (under runc the c 10:200 deny does happen) */
	if (denies(hook, "c 5:1 ") &&
	    (r = hs_refuse_hookless_restore(ctx, "devices.restore-without-hooks",
					    "its own grant of c 5:1 (the host's console) could "
					    "not be taken back",
					    "restore this container under runc")) != 0)
		return r < 0 ? r : 0;
	if (hs_json_append(ctx->arena, list, hook) < 0)
		return -ENOMEM;
	r = hs_finding(ctx, "devices.runtime-grants", "hooks.createRuntime", HS_ACTION_REWRITE,
		       "added hardshim's createRuntime hook that denies the runtime's own extra "
		       "device grants (runc: c 10:200, crun: c 5:1), so both allow the same set");
	return r < 0 ? r : 0;
}

static int devices_check_config(struct hs_check_ctx *ctx, const void *vcfg)
{
	const struct devices_cfg *c = vcfg ? vcfg : &devices_default;
	struct hs_json *linux_ = hs_json_get(ctx->config, "linux"), *resources;
	int r;

	if (linux_ && linux_->type != HS_JSON_OBJECT)
		return 0;
	r = check_linux_devices(ctx, c, linux_);
	if (r < 0)
		return r;
	if (!linux_) {
		linux_ = hs_json_ensure_object(ctx->arena, ctx->config, "linux");
		if (!linux_)
			return -ENOMEM;
	}
	resources = hs_json_ensure_object(ctx->arena, linux_, "resources");
	if (!resources)
		return hs_finding(ctx, "devices.type", "linux.resources", HS_ACTION_REFUSE,
				  "not an object") < 0
			   ? -ENOMEM
			   : 0;
	r = check_cgroup_rules(ctx, c, resources, "linux.resources.devices", true);
	if (r < 0)
		return r;
	return add_deny_hook(ctx, hs_json_get_type(resources, "devices", HS_JSON_ARRAY));
}

/* update --resources: runc ignores device rules there today, crun may not; refuse the same. */
static int devices_check_resources(struct hs_check_ctx *ctx, const void *vcfg)
{
	const struct devices_cfg *c = vcfg ? vcfg : &devices_default;

	return check_cgroup_rules(ctx, c, ctx->resources, "devices", false);
}

const struct hs_control hs_control_devices = {
	.name = "devices",
	.policy_schema = &devices_schema,
	.load = devices_load,
	.check_config = devices_check_config,
	.check_resources = devices_check_resources,
};
