/* SPDX-License-Identifier: Apache-2.0
 * Sysctls (docs/threats.md §9, CVE-2022-0811 "cr8escape"): a sysctl that is not namespaced
 * changes the host (kernel.core_pattern runs a host binary as root), and a value with "+"
 * or "=" smuggled a second key past CRI-O's check. Only the policy's safe list, matched
 * after runc's "/" -> "." normalization, and net.* only in the container's own netns. */
#include <string.h>

#include "hs-host.h"
#include "hs-policy.h"

struct sysctl_cfg {
	enum hs_action action;
	const char *const *allow;
	size_t n_allow;
	bool unprivileged_ports; /* set net.ipv4.ip_unprivileged_port_start=0 in its own netns */
};

static const struct hs_schema_field sysctl_fields[] = {
	{ "action", &hs_schema_string },
	{ "allow", &hs_schema_string_array },
	{ "unprivileged_ports", &hs_schema_bool },
	{ NULL, NULL },
};
static const struct hs_schema sysctl_schema = { .kind = HS_S_STRUCT, .fields = sysctl_fields };

/* Kubernetes' safe set (pkg/kubelet/sysctl/safe_sysctls.go): namespaced, and unable to
 * affect other pods or the node. */
static const char *const k8s_safe[] = {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
};
static const struct sysctl_cfg sysctl_default = {
	.action = HS_ACTION_REFUSE,
	.allow = k8s_safe,
	.n_allow = HS_ARRAY_SIZE(k8s_safe),
	.unprivileged_ports = true,
};

/* runc (libcontainer/configs/validate) accepts "/" as a separator and writes
 * /proc/sys/<key with dots as slashes>: both spellings name the same file. */
static char *normalize(struct hs_arena *a, const char *key)
{
	char *n = hs_arena_strdup(a, key);

	for (char *p = n; p && *p; p++)
		if (*p == '/')
			*p = '.';
	return n;
}

static int sysctl_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		       struct hs_error *err)
{
	struct sysctl_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const struct hs_json *list, *item;
	int r;
	const char **allow;

	if (!c)
		return -ENOMEM;
	*c = sysctl_default;
	r = hs_action_load(section, "sysctl", "action", HS_ACTIONS_ALL, c->action, &c->action, err);
	if (r < 0)
		return r;
	if ((list = hs_json_get(section, "unprivileged_ports")))
		c->unprivileged_ports = list->u.boolean;
	list = hs_json_get(section, "allow");
	if (!list) {
		*ret_cfg = c;
		return 0;
	}
	allow = hs_arena_alloc(a, (hs_json_len(list) + 1) * sizeof(*allow));
	if (!allow)
		return -ENOMEM;
	hs_json_foreach_item(item, list, i) {
		const char *k = item->u.string.s;

		if (!*k || strchr(k, '=') || strchr(k, '+') || strchr(k, '*'))
			return hs_error_set(err, -HS_ECONFIG, "policy.sysctl", "", -1,
					    "allow[%zu]: \"%s\" is not a sysctl name (exact names "
					    "only, no patterns)",
					    i, k);
		if (!(allow[i] = normalize(a, k)))
			return -ENOMEM;
	}
	c->allow = allow;
	c->n_allow = hs_json_len(list);
	*ret_cfg = c;
	return 0;
}

static bool allowed(const struct sysctl_cfg *c, const char *key)
{
	for (size_t i = 0; i < c->n_allow; i++)
		if (!strcmp(c->allow[i], key))
			return true;
	return false;
}

/* The container has a namespace of this type of its own: a new one (an entry without path),
 * or a joined one (a path) that is not the host's. The namespaces control vets joined paths
 * too; asking again here keeps a net.* write out of the host's netns when that control is
 * off. A host question that fails answers "not its own" (fail closed). */
static bool has_own_namespace(const struct hs_check_ctx *ctx, const char *type)
{
	const struct hs_json *linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	const struct hs_json *ns;

	hs_json_foreach_item(ns, hs_json_get_type(linux_, "namespaces", HS_JSON_ARRAY), i) {
		const char *t = hs_json_get_string(ns, "type"),
			   *path = hs_json_get_string(ns, "path");
		struct hs_error err = HS_ERROR_INIT;
		struct hs_file_id id;
		int nstype;

		if (!t || strcmp(t, type))
			continue;
		if (!path || !*path)
			return true;
		if (!ctx->host || !ctx->host->ns_inspect || !ctx->host->ns_host ||
		    ctx->host->ns_inspect(ctx->host, path, &nstype, &id, &err) < 0)
			return false;
		/* The host's own (or an unanswerable question): not the container's. */
		return hs_host_ns_is_host(ctx->host, type, &id, NULL) == 0;
	}
	return false;
}

/* Which namespace makes a sysctl the container's own (kernel: ipc/namespace.c, net/). */
static const char *needs_namespace(const char *key)
{
	if (!strncmp(key, "net.", 4))
		return "network";
	if (!strncmp(key, "kernel.shm", 10) || !strncmp(key, "kernel.msg", 10) ||
	    !strcmp(key, "kernel.sem") || !strncmp(key, "fs.mqueue.", 10))
		return "ipc";
	return NULL;
}

#define PORT_START "net.ipv4.ip_unprivileged_port_start"

/* A new user namespace joining a network namespace by path: that netns was made before, in
 * another user namespace, and the container's root does not own it, so the runtime's write of
 * a net.* sysctl fails and the container does not start (crun: "open
 * /proc/sys/net/ipv4/ip_unprivileged_port_start: Permission denied" under Podman --userns=auto
 * with --network ns:PATH). */
static bool netns_not_owned(const struct hs_check_ctx *ctx)
{
	const struct hs_json *linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	const struct hs_json *ns;
	bool new_user = false, joined_net = false;

	hs_json_foreach_item(ns, hs_json_get_type(linux_, "namespaces", HS_JSON_ARRAY), i) {
		const char *t = hs_json_get_string(ns, "type"),
			   *path = hs_json_get_string(ns, "path");
		bool joined = path && *path;

		new_user = new_user || (t && !strcmp(t, "user") && !joined);
		joined_net = joined_net || (t && !strcmp(t, "network") && joined);
	}
	return new_user && joined_net;
}

/*
 * A non-root process cannot bind a port below 1024, and the capability that would let it
 * (CAP_NET_BIND_SERVICE) is not held by a non-root process whatever the bounding set says:
 * nginx, httpd and every image listening on 80 fail after starting. Docker's answer: in the
 * container's own network namespace, ports start at 0. Nothing outside that namespace is
 * reachable through it, and it is on Kubernetes' safe list. Only in a namespace of its own
 * (new, or a joined one that is not the host's), and never over a value the config chose.
 * A hook cannot rewrite: there it is left out rather than refusing a container over a
 * convenience.
 */
static int unprivileged_ports(struct hs_check_ctx *ctx, const struct sysctl_cfg *c)
{
	struct hs_json *linux_, *map;
	const struct hs_json_member *m;
	int r;

	if (!c->unprivileged_ports || ctx->no_rewrite || ctx->event == HS_EVENT_EXEC ||
	    ctx->event == HS_EVENT_UPDATE || !has_own_namespace(ctx, "network") ||
	    netns_not_owned(ctx))
		return 0;
	linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	map = hs_json_get_type(linux_, "sysctl", HS_JSON_OBJECT);
	hs_json_foreach_member(m, map, i) {
		const char *key = normalize(ctx->arena, m->key);

		if (!key)
			return -ENOMEM;
		if (!strcmp(key, PORT_START))
			return 0;
	}
	r = hs_finding(ctx, "sysctl.unprivileged-ports", "linux.sysctl", HS_ACTION_REWRITE,
		       PORT_START " set to 0 in the container's own network namespace, so a "
				  "non-root process can listen on ports below 1024");
	if (r != HS_ACTION_REWRITE)
		return r < 0 ? r : 0;
	if (!linux_ && !(linux_ = hs_json_ensure_object(ctx->arena, ctx->config, "linux")))
		return -ENOMEM;
	if ((!map && !(map = hs_json_ensure_object(ctx->arena, linux_, "sysctl"))) ||
	    hs_json_set(ctx->arena, map, PORT_START, hs_json_new_string(ctx->arena, "0")) < 0)
		return -ENOMEM;
	return 0;
}

static int sysctl_check_config(struct hs_check_ctx *ctx, const void *vcfg)
{
	const struct sysctl_cfg *c = vcfg ? vcfg : &sysctl_default;
	struct hs_json *linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	struct hs_json *map = hs_json_get_type(linux_, "sysctl", HS_JSON_OBJECT);
	const char **seen;
	size_t n = hs_json_len(map);

	if (!n)
		return unprivileged_ports(ctx, c);
	seen = hs_arena_alloc(ctx->arena, n * sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (size_t i = n; i-- > 0;) {
		const struct hs_json_member *m = &map->u.object.members[i];
		const char *value = m->value->type == HS_JSON_STRING ? m->value->u.string.s : "";
		const char *key = normalize(ctx->arena, m->key), *ns, *rule = NULL;
		char jpath[512], why[HS_LINE_MAX];
		int r;

		if (!key)
			return -ENOMEM;
		hs_json_path_key(jpath, sizeof(jpath), "linux.sysctl", m->key);
		seen[i] = key;
		for (size_t j = i + 1; j < n && !rule; j++)
			if (seen[j] && !strcmp(seen[j], key)) {
				rule = "sysctl.duplicate";
				snprintf(why, sizeof(why),
					 "\"%s\" names the same sysctl as \"%s\": "
					 "which value wins depends on map order in the runtime",
					 m->key, map->u.object.members[j].key);
			}
		if (!rule && !allowed(c, key)) {
			rule = "sysctl.not-allowed";
			snprintf(why, sizeof(why),
				 "sysctl %s is not on the policy's safe list "
				 "(controls.sysctl.allow)",
				 key);
		}
		if (!rule && strpbrk(value, "+=\n\r")) {
			/* CVE-2022-0811: "1+kernel.core_pattern=|/x" set a second, host-wide key. */
			rule = "sysctl.unsafe-value";
			snprintf(why, sizeof(why),
				 "value of %s contains '+', '=' or a newline, "
				 "which can smuggle another sysctl (CVE-2022-0811)",
				 key);
		}
		if (!rule && (ns = needs_namespace(key)) && !has_own_namespace(ctx, ns)) {
			rule = !strcmp(ns, "network") ? "sysctl.host-network" : "sysctl.host-ipc";
			snprintf(why, sizeof(why),
				 "%s would change the host's own value: the "
				 "config has no %s namespace of its own (none, or the host's)",
				 key, ns);
		}
		if (!rule)
			continue;
		r = hs_finding(ctx, rule, jpath, c->action, "%s", why);
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE) {
			hs_json_remove(map, m->key);
			seen[i] = NULL;
			/* members shifted down by one: keep seen[] aligned */
			memmove(&seen[i], &seen[i + 1], (n - i - 1) * sizeof(*seen));
			n--;
		}
	}
	/* after the judging: what it adds is hardshim's own, whatever the allowlist says */
	return unprivileged_ports(ctx, c);
}

const struct hs_control hs_control_sysctl = {
	.name = "sysctl",
	.policy_schema = &sysctl_schema,
	.load = sysctl_load,
	.check_config = sysctl_check_config,
};
