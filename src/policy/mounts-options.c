/* SPDX-License-Identifier: Apache-2.0
 * Control "mounts", continued: a bind mount must not carry setuid binaries or device nodes in
 * (CIS Docker 5.x, nosuid/nodev), propagation must not leak mounts between host and container
 * (docs/threats.md §8), sysfs/cgroupfs stay read-only and /proc keeps runc's masked and read-only
 * paths. Also the policy section and the control's entry point. */
#include <string.h>

#include "hs-host.h"
#include "hs-policy.h"
#include "mounts.h"

bool hs_mount_has_option(const struct hs_json *opts, const char *o)
{
	struct hs_json *it;

	hs_json_foreach_item(it, opts, i)
		if (it->type == HS_JSON_STRING && strcmp(it->u.string.s, o) == 0)
			return true;
	return false;
}

/* Options wanted on a mount, each with the contrary option that would cancel it. */
struct opt_want {
	const char *want, *contrary;
};

/* Rewrite options: drop every contrary, add every missing wanted one; NULL-free message of what
 * changed in *ret_what ("" when nothing). */
static int options_plan(struct hs_arena *a, const struct hs_json *opts, const struct opt_want *w,
			size_t n, char **ret_what)
{
	char *what = hs_arena_strdup(a, "");

	for (size_t i = 0; what && i < n; i++) {
		if (!hs_mount_has_option(opts, w[i].want))
			what = hs_arena_printf(a, "%s%s+%s", what, *what ? "," : "", w[i].want);
		if (what && w[i].contrary && hs_mount_has_option(opts, w[i].contrary))
			what = hs_arena_printf(a, "%s%s-%s", what, *what ? "," : "", w[i].contrary);
	}
	if (!what)
		return -ENOMEM;
	*ret_what = what;
	return 0;
}

static int options_apply(struct hs_arena *a, struct hs_json *m, const struct opt_want *w, size_t n,
			 const char *const *drop, size_t n_drop)
{
	struct hs_json *old = hs_json_get_type(m, "options", HS_JSON_ARRAY);
	struct hs_json *arr = hs_json_new(a, HS_JSON_ARRAY), *it;

	if (!arr)
		return -ENOMEM;
	hs_json_foreach_item(it, old, i) {
		bool skip = false;

		for (size_t j = 0; j < n && it->type == HS_JSON_STRING; j++)
			if (w[j].contrary && strcmp(it->u.string.s, w[j].contrary) == 0)
				skip = true;
		for (size_t j = 0; j < n_drop && it->type == HS_JSON_STRING; j++)
			if (strcmp(it->u.string.s, drop[j]) == 0)
				skip = true;
		if (!skip && hs_json_append(a, arr, it) < 0)
			return -ENOMEM;
	}
	for (size_t j = 0; j < n; j++) {
		struct hs_json *s;

		if (hs_mount_has_option(arr, w[j].want))
			continue;
		s = hs_json_new_string(a, w[j].want);
		if (!s || hs_json_append(a, arr, s) < 0)
			return -ENOMEM;
	}
	return hs_json_set(a, m, "options", arr) < 0 ? -ENOMEM : 0;
}

static int want_options(struct hs_check_ctx *ctx, struct hs_json *m, const char *jpath,
			const char *rule, enum hs_action action, const struct opt_want *w, size_t n,
			const char *why)
{
	char *what;
	int r =
	    options_plan(ctx->arena, hs_json_get_type(m, "options", HS_JSON_ARRAY), w, n, &what);

	if (r < 0 || !*what)
		return r;
	r = hs_finding(ctx, rule, jpath, action, "%s: options %s", why, what);
	if (r == HS_ACTION_REWRITE)
		return options_apply(ctx->arena, m, w, n, NULL, 0);
	return r < 0 ? r : 0;
}

/* Every option from the allowlist (mounts-allowlist.c): the runtimes hand an option they do
 * not know to the kernel as data, and some they do know undo what hardshim adds. */
static int check_allowlist(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			   const struct hs_json *opts, const char *mpath, const char *type)
{
	struct hs_json *it;
	char opath[512], jpath[512];

	hs_json_path_key(opath, sizeof(opath), mpath, "options");
	hs_json_foreach_item(it, opts, i) {
		const struct hs_mount_option *o;

		if (it->type != HS_JSON_STRING)
			continue; /* the schema refuses it */
		o = hs_mount_option_find(it->u.string.s);
		if (hs_mount_option_admitted(o, type))
			continue;
		hs_json_path_index(jpath, sizeof(jpath), opath, i);
		if (o && o->types == 0)
			return hs_finding(ctx, "mounts.option", jpath, cfg->on_source,
					  "mount option %s is refused: %s", it->u.string.s,
					  o->what);
		return hs_finding(ctx, "mounts.option", jpath, cfg->on_source,
				  "mount option %s is not on the allowlist for a %s mount "
				  "(docs/mount-options.md)",
				  it->u.string.s, type);
	}
	return 0;
}

/* Mount-level id mappings: crun makes the bind an idmapped mount, so files on the host
 * appear owned by whoever the mapping names (root, to the container). */
static int check_mount_idmap(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			     const struct hs_json *m, const char *mpath)
{
	static const char *const keys[] = { "uidMappings", "gidMappings" };
	char jpath[512];

	for (size_t i = 0; i < HS_ARRAY_SIZE(keys); i++) {
		if (!hs_json_get(m, keys[i]))
			continue;
		hs_json_path_key(jpath, sizeof(jpath), mpath, keys[i]);
		return hs_finding(ctx, "mounts.idmap", jpath, cfg->on_source,
				  "mount-level %s make an idmapped mount: host files would appear "
				  "owned by whom the mapping says",
				  keys[i]);
	}
	return 0;
}

int hs_mounts_check_options(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			    struct hs_json *m, const char *mpath, const char *type, bool bind)
{
	static const char *const shared[] = { "shared", "rshared" };
	struct hs_json *opts = hs_json_get_type(m, "options", HS_JSON_ARRAY);
	char jpath[512];
	int r;

	r = check_mount_idmap(ctx, cfg, m, mpath);
	if (r == 0)
		r = check_allowlist(ctx, cfg, opts, mpath, type);
	if (r != 0)
		return r < 0 ? r : 0;
	hs_json_path_key(jpath, sizeof(jpath), mpath, "options");
	if (hs_mount_has_option(opts, "shared") || hs_mount_has_option(opts, "rshared")) {
		r = hs_finding(ctx, "mounts.propagation", jpath, cfg->on_propagation,
			       "shared propagation would leak mounts between host and container");
		if (r == HS_ACTION_REWRITE)
			r = options_apply(ctx->arena, m, NULL, 0, shared, HS_ARRAY_SIZE(shared));
		if (r < 0)
			return r;
	}
	if (bind) {
		struct opt_want w[4] = { { "nosuid", "suid" }, { "nodev", "dev" } };
		size_t n = 2;

		if (cfg->bind_noexec)
			w[n++] = (struct opt_want){ "noexec", "exec" };
		if (cfg->bind_readonly)
			w[n++] = (struct opt_want){ "ro", "rw" };
		return want_options(ctx, m, jpath, "mounts.bind-options", cfg->on_options, w, n,
				    "bind mount");
	}
	if (strcmp(type, "sysfs") == 0 || strcmp(type, "cgroup") == 0 ||
	    strcmp(type, "cgroup2") == 0) {
		static const struct opt_want ro[] = { { "ro", "rw" } };
		return want_options(ctx, m, jpath, "mounts.kernel-fs-readonly", cfg->on_kernel_fs,
				    ro, 1, "a writable kernel filesystem reaches the host");
	}
	return 0;
}

/* runc's defaults (libcontainer/specconv), plus powercap which containerd masks too. */
static const char *const default_masked[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
};
static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static bool list_has_clean(struct hs_arena *a, const struct hs_json *arr, const char *want)
{
	struct hs_json *it;

	hs_json_foreach_item(it, arr, i) {
		const char *c;

		if (it->type != HS_JSON_STRING)
			continue;
		c = hs_path_clean(a, it->u.string.s);
		/* a listed ancestor covers it: masking /proc/sys covers /proc/sys/kernel */
		if (c && hs_path_at_or_under(want, c) && strcmp(c, "/") != 0)
			return true;
	}
	return false;
}

static int want_paths(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg, const char *key,
		      const char *rule, const char *const *defaults, size_t n)
{
	struct hs_json *linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	struct hs_json *arr = linux_ ? hs_json_get_type(linux_, key, HS_JSON_ARRAY) : NULL;
	char *what = hs_arena_strdup(ctx->arena, ""), jpath[128];
	int r;

	for (size_t i = 0; what && i < n; i++)
		if (!list_has_clean(ctx->arena, arr, defaults[i]))
			what = hs_arena_printf(ctx->arena, "%s%s%s", what, *what ? "," : "",
					       defaults[i]);
	if (!what)
		return -ENOMEM;
	if (!*what)
		return 0;
	snprintf(jpath, sizeof(jpath), "linux.%s", key);
	r = hs_finding(ctx, rule, jpath, cfg->on_masked, "missing the runtime defaults %s", what);
	if (r != HS_ACTION_REWRITE)
		return r < 0 ? r : 0;
	linux_ = hs_json_ensure_object(ctx->arena, ctx->config, "linux");
	arr = linux_ ? hs_json_ensure_array(ctx->arena, linux_, key) : NULL;
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct hs_json *s;

		if (list_has_clean(ctx->arena, arr, defaults[i]))
			continue;
		s = hs_json_new_string(ctx->arena, defaults[i]);
		if (!s || hs_json_append(ctx->arena, arr, s) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Podman's bundle is the container's own userdata directory: it names the id when the
 * command line did not (`hardshim check BUNDLE`). */
static const char *id_from_bundle(struct hs_arena *a, const char *bundle)
{
	static const char *const roots[] = { "/var/lib/containers/storage/overlay-containers/",
					     "/run/containers/storage/overlay-containers/" };
	const char *clean = bundle ? hs_path_clean(a, bundle) : NULL;

	for (size_t i = 0; clean && i < HS_ARRAY_SIZE(roots); i++) {
		size_t l = strlen(roots[i]);
		const char *id = clean + l;

		if (strncmp(clean, roots[i], l) != 0 || strlen(id) != 64 + strlen("/userdata") ||
		    strcmp(id + 64, "/userdata") != 0)
			continue;
		if (strspn(id, "0123456789abcdef") == 64)
			return hs_arena_strndup(a, id, 64);
	}
	return NULL;
}

int hs_mounts_check_config(struct hs_check_ctx *ctx, const void *vcfg)
{
	const struct mounts_cfg *cfg = vcfg;
	struct mounts_state st = { 0 };
	struct hs_json *mounts, *m, *linux_;
	const char *prop;
	int r;

	if (!ctx->config)
		return 0;
	/* the engines' per-container files are admitted only for this container when we know
	 * who it is (docs/threats.md §8) */
	st.vars.container_id =
	    ctx->container_id ? ctx->container_id : id_from_bundle(ctx->arena, ctx->bundle);
	/* never the config's own io.kubernetes.* annotations: its author writes them, and a
	 * forged sandbox id or pod uid would admit another pod's files */
	st.vars.sandbox_id = ctx->sandbox_id;
	st.vars.pod_uid = ctx->pod_uid;

	mounts = hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY);
	hs_json_foreach_item(m, mounts, i) {
		if (m->type != HS_JSON_OBJECT)
			continue; /* the schema has refused it already */
		r = hs_mounts_check_one(ctx, cfg, &st, m, i);
		if (r < 0)
			return r;
	}
	linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	prop = hs_json_get_string(linux_, "rootfsPropagation");
	if (prop && (strcmp(prop, "shared") == 0 || strcmp(prop, "rshared") == 0)) {
		r = hs_finding(ctx, "mounts.propagation", "linux.rootfsPropagation",
			       cfg->on_propagation,
			       "%s root propagation would leak mounts between host and container",
			       prop);
		if (r == HS_ACTION_REWRITE)
			hs_json_remove(linux_,
				       "rootfsPropagation"); /* the runtime's default: rslave */
		else if (r < 0)
			return r;
	}
	r = want_paths(ctx, cfg, "maskedPaths", "mounts.masked-paths", default_masked,
		       HS_ARRAY_SIZE(default_masked));
	if (r < 0)
		return r;
	return want_paths(ctx, cfg, "readonlyPaths", "mounts.readonly-paths", default_readonly,
			  HS_ARRAY_SIZE(default_readonly));
}
