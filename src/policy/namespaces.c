/* SPDX-License-Identifier: Apache-2.0
 * Control "namespaces": a namespace type missing from linux.namespaces, or a path naming the
 * host's own namespace (/proc/1/ns/net, /proc/self/ns/net), puts the container in the host's
 * network, pid, ipc... (CIS Docker 5.9/5.15/5.16/5.20/5.21, docs/threats.md §7). Joining another
 * container's namespaces by path (a pod sandbox) stays allowed. */
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-host.h"
#include "hs-policy.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int flag;
} ns_types[] = {
	{ "mount", CLONE_NEWNS },  { "pid", CLONE_NEWPID },     { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "network", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER }, { "time", CLONE_NEWTIME },
};
#define N_TYPES HS_ARRAY_SIZE(ns_types)

static int type_index(const char *t)
{
	for (size_t i = 0; t && i < N_TYPES; i++)
		if (strcmp(t, ns_types[i].name) == 0)
			return (int)i;
	return -1;
}

struct ns_cfg {
	bool required[N_TYPES];
	bool add_missing[N_TYPES]; /* rewrite may add these: private is what the workload expects */
	enum hs_action on_violation; /* refuse | warn */
};

static const char *const default_required[] = { "mount", "pid", "ipc", "uts", "network", "cgroup" };
/* Adding a private network or pid namespace would change what a host-network or host-pid
 * workload does: that is refused, not rewritten. */
static const char *const default_add[] = { "mount", "ipc", "uts", "cgroup" };

static const struct hs_schema_field ns_fields[] = {
	{ "required", &hs_schema_string_array },
	{ "add_missing", &hs_schema_string_array },
	{ "on_violation", &hs_schema_string },
	{ NULL, NULL },
};
static const struct hs_schema ns_schema = { .kind = HS_S_STRUCT, .fields = ns_fields };

static int load_types(const struct hs_json *section, const char *key, const char *const *defaults,
		      size_t n, bool *ret, struct hs_error *err)
{
	struct hs_json *arr = section ? hs_json_get_type(section, key, HS_JSON_ARRAY) : NULL, *it;

	if (!arr) {
		for (size_t i = 0; i < n; i++)
			ret[type_index(defaults[i])] = true;
		return 0;
	}
	hs_json_foreach_item(it, arr, i) {
		int t = it->type == HS_JSON_STRING ? type_index(it->u.string.s) : -1;
		char p[96];

		if (t < 0) {
			snprintf(p, sizeof(p), "controls.namespaces.%s[%zu]", key, i);
			return hs_error_set(err, -HS_ECONFIG, "policy.namespaces", p, it->offset,
					    "not a namespace type");
		}
		ret[t] = true;
	}
	return 0;
}

static int ns_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		   struct hs_error *err)
{
	struct ns_cfg *c = hs_arena_alloc(a, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = load_types(section, "required", default_required, HS_ARRAY_SIZE(default_required),
		       c->required, err);
	if (r == 0)
		r = load_types(section, "add_missing", default_add, HS_ARRAY_SIZE(default_add),
			       c->add_missing, err);
	if (r < 0)
		return r;
	if (hs_action_load(section, "namespaces", "on_violation", HS_ACTIONS_NO_REWRITE,
			   HS_ACTION_REFUSE, &c->on_violation, err) < 0)
		return -HS_ECONFIG;
	*ret_cfg = c;
	return 0;
}

/*
 * Why what the path names could change between this check and the runtime's own open (it
 * opens the path again): a directory on the way, or the one holding the file, that someone
 * other than root can write — a symlink there swapped to /proc/self/ns/pid put containers in
 * the host's pid namespace. /proc's entries are the kernel's (nobody renames them). NULL if
 * none; a path whose directory cannot be resolved is left to ns_inspect.
 */
static const char *path_replaceable(struct hs_check_ctx *ctx, const char *path)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_canonical_path cp;
	const struct hs_path_component *dir;
	char *d = hs_arena_strdup(ctx->arena, path), *slash;
	const char *why;

	if (!d || !ctx->host->canonicalize || !(slash = strrchr(d, '/')))
		return NULL;
	if (slash == d)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (ctx->host->canonicalize(ctx->host, ctx->arena, d, &cp, &err) < 0 || !cp.exists ||
	    !cp.n_components)
		return NULL;
	if (!strcmp(cp.path, "/proc") || !strncmp(cp.path, "/proc/", 6))
		return NULL;
	if ((why = hs_canonical_path_replaceable(ctx->arena, &cp)))
		return why;
	dir = &cp.components[cp.n_components - 1];
	if (dir->uid != 0 || (dir->mode & (S_IWGRP | S_IWOTH)))
		return hs_arena_printf(ctx->arena,
				       "%s (uid %u, mode %04o) lets someone other than "
				       "root replace what it holds",
				       dir->path, (unsigned)dir->uid,
				       (unsigned)(dir->mode & 07777));
	return NULL;
}

static int check_path(struct hs_check_ctx *ctx, const struct ns_cfg *cfg, int t, const char *path,
		      const char *jpath)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_file_id id;
	const char *which = NULL, *why;
	int nstype = 0, r;

	if (path[0] != '/')
		return hs_finding(ctx, "namespaces.path-invalid", jpath, cfg->on_violation,
				  "namespace path %s is not absolute", path);
	if ((why = path_replaceable(ctx, path)))
		return hs_finding(ctx, "namespaces.path-replaceable", jpath, cfg->on_violation,
				  "%s namespace path %s could be swapped before the runtime opens "
				  "it: %s",
				  ns_types[t].name, path, why);
	r = ctx->host->ns_inspect(ctx->host, path, &nstype, &id, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return hs_finding(ctx, "namespaces.path-invalid", jpath, cfg->on_violation,
				  "%s namespace path %s: %s", ns_types[t].name, path, err.msg);
	if (nstype != ns_types[t].flag)
		return hs_finding(ctx, "namespaces.path-type", jpath, cfg->on_violation,
				  "%s is not a %s namespace", path, ns_types[t].name);
	r = hs_host_ns_is_host(ctx->host, ns_types[t].name, &id, &which);
	if (r < 0)
		return r;
	if (r > 0)
		return hs_finding(ctx, "namespaces.host", jpath, cfg->on_violation,
				  "%s is the host's %s namespace (same as %s/...)", path,
				  ns_types[t].name, which);
	return 0;
}

static int ns_check_config(struct hs_check_ctx *ctx, const void *vcfg)
{
	const struct ns_cfg *cfg = vcfg;
	struct hs_json *linux_, *nss, *it;
	bool seen[N_TYPES] = { false };
	int r;

	if (!ctx->config)
		return 0;
	linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	nss = linux_ ? hs_json_get_type(linux_, "namespaces", HS_JSON_ARRAY) : NULL;
	hs_json_foreach_item(it, nss, i) {
		char base[64], jpath[96];
		const char *type = hs_json_get_string(it, "type");
		const char *path = hs_json_get_string(it, "path");
		int t = type_index(type);

		hs_json_path_index(base, sizeof(base), "linux.namespaces", i);
		hs_json_path_key(jpath, sizeof(jpath), base, "type");
		if (t < 0) {
			r = hs_finding(ctx, "namespaces.unknown-type", jpath, HS_ACTION_REFUSE,
				       "unknown namespace type %s", type ? type : "(none)");
			if (r < 0)
				return r;
			continue;
		}
		if (seen[t]) {
			r = hs_finding(ctx, "namespaces.duplicate", jpath, HS_ACTION_REFUSE,
				       "%s namespace listed twice", type);
			if (r < 0)
				return r;
			continue;
		}
		seen[t] = true;
		if (path && *path) {
			hs_json_path_key(jpath, sizeof(jpath), base, "path");
			r = check_path(ctx, cfg, t, path, jpath);
			if (r < 0)
				return r;
		}
	}
	for (size_t t = 0; t < N_TYPES; t++) {
		bool add = cfg->add_missing[t];

		if (!cfg->required[t] || seen[t])
			continue;
		r = hs_finding(ctx, "namespaces.missing", "linux.namespaces",
			       add ? HS_ACTION_REWRITE : cfg->on_violation,
			       "no %s namespace: the container would share the host's",
			       ns_types[t].name);
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE) {
			struct hs_json *o, *arr, *s;

			linux_ = hs_json_ensure_object(ctx->arena, ctx->config, "linux");
			arr =
			    linux_ ? hs_json_ensure_array(ctx->arena, linux_, "namespaces") : NULL;
			o = hs_json_new(ctx->arena, HS_JSON_OBJECT);
			s = hs_json_new_string(ctx->arena, ns_types[t].name);
			if (!arr || !o || !s || hs_json_set(ctx->arena, o, "type", s) < 0 ||
			    hs_json_append(ctx->arena, arr, o) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

const struct hs_control hs_control_namespaces = {
	.name = "namespaces",
	.policy_schema = &ns_schema,
	.load = ns_load,
	.check_config = ns_check_config,
};
