/* SPDX-License-Identifier: Apache-2.0
 * Control "mounts": host paths bind-mounted into a container (CIS Docker 5.5/5.6, NIST SP 800-190
 * 4.4.3; docs/threats.md §8: symlinked sources, /proc/self/root, /var/run vs /run, parents of
 * a sensitive path), mounts over /proc (CVE-2019-16884), shared propagation, writable sysfs.
 *
 * Runtime behaviours relied on (runc 1.1 libcontainer/rootfs_linux.go, crun 1.8
 * src/libcrun/linux.c):
 * - a relative bind source and a relative root.path are read from the bundle directory;
 * - mounts are made in the config's order inside the container's new mount namespace, after
 *   the rootfs is bound onto itself; a bind source is opened there, at mount time, so a path
 *   inside the rootfs already shows /proc, /sys, /dev and every earlier mount of the config;
 * - any mount carrying bind or rbind is a bind whatever its type (runc: "bind" device);
 * - a destination is resolved (securejoin / openat2 RESOLVE_IN_ROOT) in the tree as it is at
 *   that point: beneath an earlier bind of the config, through the bound host directory and
 *   the symlinks in it.
 */
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-host.h"
#include "hs-policy.h"
#include "mounts.h"
#include "hs-path.h"

/* Path relation in words, for messages. */
static const char *rel_word(enum hs_path_rel r)
{
	switch (r) {
	case HS_PATH_EQUAL: return "the sensitive path";
	case HS_PATH_ANCESTOR: return "an ancestor of the sensitive path";
	case HS_PATH_DESCENDANT: return "beneath the sensitive path";
	default: return "unrelated to";
	}
}

static bool id_eq(const struct hs_file_id *a, const struct hs_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

/* One sensitive path as this host has it: its lexical form, and when it exists its canonical
 * form with every component's identity (an alias by bind mount has the same (dev, ino)). */
struct sensitive {
	const char *lexical;
	bool glob; /* "/lib*": last component is a prefix */
	struct hs_canonical_path canon;
	bool resolved;
};

static int sensitive_prepare(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			     struct sensitive **ret)
{
	struct sensitive *s = hs_arena_alloc(ctx->arena, (cfg->n_sensitive + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_sensitive; i++) {
		const char *p = cfg->sensitive[i];
		size_t l = strlen(p);
		struct hs_error err = HS_ERROR_INIT;
		int r;

		s[i].lexical = p;
		s[i].glob = l > 1 && p[l - 1] == '*';
		if (s[i].glob)
			continue;
		r = ctx->host->canonicalize(ctx->host, ctx->arena, p, &s[i].canon, &err);
		if (r == -ENOMEM)
			return r;
		/* a sensitive path that is absent or odd here still counts by its name */
		s[i].resolved = r == 0 && s[i].canon.exists;
	}
	*ret = s;
	return 0;
}

/* "/lib*" against a clean path: "/lib64/x" is beneath, "/" is an ancestor. */
static enum hs_path_rel glob_relation(const char *glob, const char *path)
{
	const char *slash = strrchr(glob, '/');
	size_t dlen = (size_t)(slash - glob), plen = strlen(slash + 1) - 1;
	const char *c;

	if (dlen == 0) {
		if (strcmp(path, "/") == 0)
			return HS_PATH_ANCESTOR;
		c = path + 1;
	} else {
		char dir[PATH_MAX];

		if (dlen >= sizeof(dir))
			return HS_PATH_UNRELATED;
		memcpy(dir, glob, dlen);
		dir[dlen] = 0;
		enum hs_path_rel r = hs_path_relation(path, dir);
		if (r == HS_PATH_EQUAL || r == HS_PATH_ANCESTOR)
			return HS_PATH_ANCESTOR;
		if (r != HS_PATH_DESCENDANT)
			return HS_PATH_UNRELATED;
		c = path + dlen + 1;
	}
	if (strncmp(c, slash + 1, plen) != 0)
		return HS_PATH_UNRELATED;
	return strchr(c, '/') ? HS_PATH_DESCENDANT : HS_PATH_EQUAL;
}

static enum hs_path_rel sensitive_relation(const struct sensitive *s,
					   const struct hs_canonical_path *cp)
{
	bool root = strcmp(s->lexical, "/") == 0;
	enum hs_path_rel r;

	if (s->glob)
		return glob_relation(s->lexical, cp->path);
	/* by components, under both names the path has */
	r = hs_path_relation(cp->path, s->lexical);
	if (r == HS_PATH_UNRELATED && s->resolved)
		r = hs_path_relation(cp->path, s->canon.path);
	if (r != HS_PATH_UNRELATED && !(root && r == HS_PATH_DESCENDANT))
		return r;
	/* by identity: another name for the same directory (a bind mount, a hard link) */
	if (s->resolved && cp->exists && cp->n_components > 0) {
		const struct hs_file_id *src = &cp->components[cp->n_components - 1].id;
		const struct hs_file_id *sid = &s->canon.components[s->canon.n_components - 1].id;

		if (id_eq(src, sid))
			return HS_PATH_EQUAL;
		for (size_t j = 0; j + 1 < s->canon.n_components; j++)
			if (id_eq(src, &s->canon.components[j].id))
				return HS_PATH_ANCESTOR;
		for (size_t k = 0; !root && k + 1 < cp->n_components; k++)
			if (id_eq(&cp->components[k].id, sid))
				return HS_PATH_DESCENDANT;
	}
	return HS_PATH_UNRELATED;
}

/* Kernel interfaces mounted somewhere else than their usual place (a second sysfs, a bind of
 * the cgroup tree, a devtmpfs under /mnt) are the same interfaces: by name they look
 * harmless, so ask the mount table which filesystem holds the source. */
static const char *const kernel_fs[] = {
	"proc",       "sysfs",       "cgroup",     "cgroup2",   "bpf",     "debugfs", "tracefs",
	"securityfs", "configfs",    "efivarfs",   "pstore",    "fusectl", "nsfs",    "devtmpfs",
	"devpts",     "binfmt_misc", "rpc_pipefs", "selinuxfs", "mqueue",  NULL,
};

static int check_source_filesystem(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
				   const char *src, const struct hs_canonical_path *cp,
				   const char *jpath)
{
	struct hs_error err = HS_ERROR_INIT;
	const char *fstype;
	int r;

	if (!ctx->host->mount_fstype)
		return 0;
	r = ctx->host->mount_fstype(ctx->host, ctx->arena, cp->path, &fstype, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0) /* fail closed: a source no mount holds is not a source we understand */
		return hs_finding(ctx, "mounts.source-unsafe", jpath, cfg->on_source,
				  "bind source %s (%s): %s", src, cp->path, err.msg);
	for (size_t i = 0; kernel_fs[i]; i++)
		if (strcmp(fstype, kernel_fs[i]) == 0)
			return hs_finding(ctx, "mounts.source-kernel-fs", jpath, cfg->on_source,
					  "bind source %s (%s) is on a %s filesystem: a kernel "
					  "interface, whatever its name",
					  src, cp->path, fstype);
	return 0;
}

/* The container's root filesystem as the host has it: root.path, read from the bundle when
 * relative (as runc and crun do). */
static int rootfs_prepare(struct hs_check_ctx *ctx, struct mounts_state *st)
{
	struct hs_error err = HS_ERROR_INIT;
	const char *root =
	    hs_json_get_string(hs_json_get_type(ctx->config, "root", HS_JSON_OBJECT), "path");
	int r;

	st->rootfs_known = -1;
	if (!root || !*root || (root[0] != '/' && !ctx->bundle))
		return 0;
	if (root[0] != '/') {
		root = hs_arena_printf(ctx->arena, "%s/%s", ctx->bundle, root);
		if (!root)
			return -ENOMEM;
	}
	r = ctx->host->canonicalize(ctx->host, ctx->arena, root, &st->rootfs, &err);
	if (r == -ENOMEM)
		return r;
	if (r == 0 && st->rootfs.exists && st->rootfs.n_components > 0)
		st->rootfs_known = 1;
	return 0;
}

/* Is the source the rootfs or inside it, by name or by the identity of a component (a bind
 * alias of the rootfs elsewhere)? */
static bool source_in_rootfs(const struct mounts_state *st, const struct hs_canonical_path *cp)
{
	const struct hs_file_id *root_id = &st->rootfs.components[st->rootfs.n_components - 1].id;

	if (hs_path_at_or_under(cp->path, st->rootfs.path))
		return true;
	for (size_t k = 0; k < cp->n_components; k++)
		if (id_eq(&cp->components[k].id, root_id))
			return true;
	return false;
}

/*
 * A source inside the container's root filesystem does not mean at mount time what it means
 * now. The runtime binds it from inside the new mount namespace, after it has mounted /proc,
 * /sys, /dev and every earlier mount of the config over places in that tree: an empty
 * directory rootfs/proc/self/root in the image is then the runtime's own root, the host's /.
 */
static int check_source_rootfs(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			       struct mounts_state *st, const char *src,
			       const struct hs_canonical_path *cp, const char *jpath)
{
	int r;

	if (st->rootfs_known == 0) {
		r = rootfs_prepare(ctx, st);
		if (r < 0)
			return r;
	}
	if (st->rootfs_known != 1 || !source_in_rootfs(st, cp))
		return 0;
	return hs_finding(ctx, "mounts.source-in-rootfs", jpath, cfg->on_source,
			  "bind source %s (%s) lies in the container's root filesystem %s, which "
			  "the runtime mounts /proc and the other mounts over before it binds the "
			  "source",
			  src, cp->path, st->rootfs.path);
}

static int check_bind_source(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			     struct mounts_state *st, const char *src, const char *jpath)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_canonical_path cp;
	const char *why;
	bool admitted = false;
	int r;

	if (!src || !*src)
		return hs_finding(ctx, "mounts.source-unsafe", jpath, cfg->on_source,
				  "bind mount without a source");
	if (src[0] != '/') {
		/* runc and crun read a relative source from the bundle directory */
		if (!ctx->bundle)
			return hs_finding(ctx, "mounts.source-unsafe", jpath, cfg->on_source,
					  "relative bind source %s and no bundle to resolve it",
					  src);
		src = hs_arena_printf(ctx->arena, "%s/%s", ctx->bundle, src);
		if (!src)
			return -ENOMEM;
	}
	r = ctx->host->canonicalize(ctx->host, ctx->arena, src, &cp, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return hs_finding(ctx, "mounts.source-unsafe", jpath, cfg->on_source,
				  "bind source %s cannot be resolved safely: %s (%s)", src, err.msg,
				  err.rule);
	r = check_source_rootfs(ctx, cfg, st, src, &cp, jpath);
	if (r != 0)
		return r < 0 ? r : 0;
	if (!st->sensitive) {
		r = sensitive_prepare(ctx, cfg, &st->sensitive);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < cfg->n_admit && !admitted; i++)
		admitted = hs_path_pattern_match(cfg->admit[i], cp.path, &st->vars);
	for (size_t i = 0; i < cfg->n_sensitive; i++) {
		enum hs_path_rel rel = sensitive_relation(&st->sensitive[i], &cp);

		if (rel == HS_PATH_UNRELATED || (rel == HS_PATH_DESCENDANT && admitted))
			continue;
		return hs_finding(ctx, "mounts.sensitive-source", jpath, cfg->on_source,
				  "bind source %s resolves to %s, %s %s", src, cp.path,
				  rel_word(rel), cfg->sensitive[i]);
	}
	if (!cp.exists)
		/* absent now, a symlink to /etc later: the runtime must not create it for us */
		return hs_finding(ctx, "mounts.source-missing", jpath, cfg->on_source,
				  "bind source %s (%s) does not exist", src, cp.path);
	why = hs_canonical_path_replaceable(ctx->arena, &cp);
	if (why)
		return hs_finding(ctx, "mounts.source-replaceable", jpath, cfg->on_source,
				  "bind source %s (%s) could be swapped by a non-root user: %s",
				  src, cp.path, why);
	return check_source_filesystem(ctx, cfg, src, &cp, jpath);
}

/* The runtime's own mounts under /proc, /sys and /dev, by destination and type. */
static const struct {
	const char *dest, *types[3];
} standard_mounts[] = {
	{ "/proc", { "proc" } },
	{ "/sys", { "sysfs" } },
	{ "/sys/fs/cgroup", { "cgroup", "cgroup2" } },
	{ "/dev", { "tmpfs" } },
	{ "/dev/pts", { "devpts" } },
	{ "/dev/shm", { "tmpfs", "bind" } },
	{ "/dev/mqueue", { "mqueue" } },
	{ "/dev/termination-log", { "bind" } }, /* kubelet */
};

static bool is_standard_mount(const char *dest, const char *type)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(standard_mounts); i++) {
		if (strcmp(dest, standard_mounts[i].dest) != 0)
			continue;
		for (size_t j = 0; j < 3 && standard_mounts[i].types[j]; j++)
			if (strcmp(type, standard_mounts[i].types[j]) == 0)
				return true;
	}
	return false;
}

/* Kernel filesystems belong at their one standard place: a second procfs elsewhere has no
 * masked paths, a second sysfs no read-only /sys. */
static const char *kernel_fs_home(const char *type)
{
	static const struct {
		const char *type, *dest;
	} homes[] = { { "proc", "/proc" },
		      { "sysfs", "/sys" },
		      { "devpts", "/dev/pts" },
		      { "mqueue", "/dev/mqueue" },
		      { "cgroup", "/sys/fs/cgroup" },
		      { "cgroup2", "/sys/fs/cgroup" } };

	for (size_t i = 0; i < HS_ARRAY_SIZE(homes); i++)
		if (strcmp(type, homes[i].type) == 0)
			return homes[i].dest;
	return NULL;
}

/*
 * The destination as the runtime will find it: resolved inside the rootfs, following the
 * image's symlinks (`x -> /proc` makes /x/sys /proc/sys). runc mounts proc and sysfs only on a
 * real directory and crun opens their place O_NOFOLLOW, so those are judged as written.
 */
static int resolve_destination(struct hs_check_ctx *ctx, struct mounts_state *st, const char *type,
			       const char *clean, const char **ret)
{
	struct hs_error err = HS_ERROR_INIT;
	int r;

	*ret = clean;
	if (!ctx->host->resolve_in_root || strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0)
		return 0;
	if (st->rootfs_known == 0) {
		r = rootfs_prepare(ctx, st);
		if (r < 0)
			return r;
	}
	if (st->rootfs_known != 1)
		return 0;
	r = ctx->host->resolve_in_root(ctx->host, ctx->arena, st->rootfs.path, clean, ret, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0) { /* fail closed: a destination we cannot follow is not one we judged */
		*ret = NULL;
		return 0;
	}
	return 0;
}

/* Is mount m a bind (type "bind", or a bind/rbind option)? */
static bool is_bind(const struct hs_json *m)
{
	const struct hs_json *opts = hs_json_get_type(m, "options", HS_JSON_ARRAY);
	const char *type = hs_json_get_string(m, "type");

	return (type && strcmp(type, "bind") == 0) || hs_mount_has_option(opts, "bind") ||
	       hs_mount_has_option(opts, "rbind");
}

/* The last mount before index whose destination lies strictly above clean, or NULL: at the
 * time the runtime resolves clean, that mount is what holds the rest of the path. */
static const struct hs_json *covering_mount(struct hs_check_ctx *ctx, size_t index,
					    const char *clean, const char **ret_dest)
{
	const struct hs_json *mounts = hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY);
	const struct hs_json *found = NULL;

	for (size_t j = 0; mounts && j < index && j < mounts->u.array.len; j++) {
		const struct hs_json *m = mounts->u.array.items[j];
		const char *d = hs_json_get_string(m, "destination");
		const char *dc = d ? hs_path_clean(ctx->arena, d) : NULL;

		if (dc && strcmp(dc, clean) != 0 && hs_path_at_or_under(clean, dc)) {
			found = m;
			*ret_dest = dc;
		}
	}
	return found;
}

/*
 * A destination beneath an earlier bind: the runtime resolves the rest of it inside the bound
 * host directory, after that bind, so a symlink there (x -> /proc in the bound directory)
 * takes the mount wherever it points. Judged on the host: the rest must name plain
 * directories of the source (or nothing yet); any symlink on the way is refused.
 */
static int check_through_bind(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg, size_t index,
			      const char *clean, const char *jpath)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_canonical_path base, full;
	const char *d = NULL, *src, *rest, *want, *path;
	const struct hs_json *m = covering_mount(ctx, index, clean, &d);
	int r;

	if (!m || !is_bind(m))
		return 0; /* a tmpfs, proc, ... above it: a fresh tree, no link of anyone's */
	src = hs_json_get_string(m, "source");
	if (!src || !*src)
		return 0; /* refused as the earlier mount's own finding */
	if (src[0] != '/' &&
	    !(src = ctx->bundle ? hs_arena_printf(ctx->arena, "%s/%s", ctx->bundle, src) : NULL))
		return ctx->bundle ? -ENOMEM : 0;
	rest = clean + (strcmp(d, "/") == 0 ? 0 : strlen(d));
	path = hs_arena_printf(ctx->arena, "%s%s", src, rest);
	if (!path)
		return -ENOMEM;
	r = ctx->host->canonicalize(ctx->host, ctx->arena, src, &base, &err);
	if (r == 0)
		r = ctx->host->canonicalize(ctx->host, ctx->arena, path, &full, &err);
	if (r == -ENOMEM)
		return r;
	want = r == 0 ? hs_arena_printf(ctx->arena, "%s%s",
					strcmp(base.path, "/") == 0 ? "" : base.path, rest)
		      : NULL;
	if (r == 0 && !want)
		return -ENOMEM;
	if (r == 0 && strcmp(full.path, want) == 0)
		return 0;
	return hs_finding(ctx, "mounts.destination-through-bind", jpath, cfg->on_source,
			  "destination %s lies beneath the bind of %s at %s; the runtime follows "
			  "%s there and lands on %s",
			  clean, src, d, path, r == 0 ? full.path : "a path it cannot resolve");
}

static int check_destination(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			     struct mounts_state *st, struct hs_json *m, const char *mpath,
			     size_t index, const char *type, const char **ret_clean)
{
	const char *resolved;
	char jpath[512];
	const char *dest = hs_json_get_string(m, "destination");
	const char *clean;
	const char *home;
	int r;

	hs_json_path_key(jpath, sizeof(jpath), mpath, "destination");
	if (!dest || !*dest)
		return hs_finding(ctx, "mounts.destination", jpath, HS_ACTION_REFUSE,
				  "mount without a destination");
	clean = hs_path_clean(ctx->arena, dest);
	if (!clean)
		return -ENOMEM;
	*ret_clean = clean;
	if (strcmp(clean, dest) != 0) {
		r = hs_finding(ctx, "mounts.destination", jpath, cfg->on_destination,
			       "destination %s normalized lexically to %s", dest, clean);
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE) {
			struct hs_json *v = hs_json_new_string(ctx->arena, clean);
			if (!v || hs_json_set(ctx->arena, m, "destination", v) < 0)
				return -ENOMEM;
		}
	}
	r = check_through_bind(ctx, cfg, index, clean, jpath);
	if (r != 0)
		return r < 0 ? r : 0;
	r = resolve_destination(ctx, st, type, clean, &resolved);
	if (r < 0)
		return r;
	if (!resolved)
		return hs_finding(ctx, "mounts.destination-system", jpath, cfg->on_source,
				  "destination %s cannot be resolved inside the rootfs", clean);
	if (strcmp(resolved, clean) != 0) {
		/* judged where it lands; the message names both */
		clean = hs_arena_printf(ctx->arena, "%s", resolved);
		if (!clean)
			return -ENOMEM;
	}
	if (strcmp(clean, "/") == 0)
		return hs_finding(ctx, "mounts.destination-system", jpath, cfg->on_source,
				  "a mount over the container's root (%s)", dest);
	home = kernel_fs_home(type);
	if (home && strcmp(home, clean) != 0)
		return hs_finding(ctx, "mounts.destination-system", jpath, cfg->on_source,
				  "%s belongs at %s only, not %s", type, home, clean);
	if ((hs_path_at_or_under(clean, "/proc") || hs_path_at_or_under(clean, "/sys") ||
	     hs_path_at_or_under(clean, "/dev")) &&
	    !is_standard_mount(clean, type))
		return hs_finding(ctx, "mounts.destination-system", jpath, cfg->on_source,
				  "%s mount over %s (destination %s, resolved in the rootfs): only "
				  "the runtime's standard mounts may go under /proc, /sys and /dev",
				  type, clean, dest);
	return 0;
}

static bool is_type_allowed(const struct mounts_cfg *cfg, const char *type)
{
	for (size_t i = 0; i < cfg->n_types; i++)
		if (strcmp(cfg->types[i], type) == 0)
			return true;
	return false;
}

int hs_mounts_check_one(struct hs_check_ctx *ctx, const struct mounts_cfg *cfg,
			struct mounts_state *st, struct hs_json *m, size_t index)
{
	char mpath[64], jpath[512];
	struct hs_json *opts = hs_json_get_type(m, "options", HS_JSON_ARRAY);
	const char *type = hs_json_get_string(m, "type");
	const char *clean = NULL;
	bool bind = hs_mount_has_option(opts, "bind") || hs_mount_has_option(opts, "rbind");
	int r;

	hs_json_path_index(mpath, sizeof(mpath), "mounts", index);
	if (type && (strcmp(type, "bind") == 0))
		bind = true;
	/* runc mounts whatever carries bind/rbind as a bind, whatever its type says */
	if (bind)
		type = "bind";
	hs_json_path_key(jpath, sizeof(jpath), mpath, "type");
	if (!type || !*type)
		return hs_finding(ctx, "mounts.type", jpath, cfg->on_source,
				  "mount without a type that is not a bind mount");
	if (!is_type_allowed(cfg, type))
		return hs_finding(ctx, "mounts.type", jpath, cfg->on_source,
				  "mount type %s is not allowed by the policy", type);
	r = check_destination(ctx, cfg, st, m, mpath, index, type, &clean);
	if (r != 0)
		return r < 0 ? r : 0;
	if (bind) {
		hs_json_path_key(jpath, sizeof(jpath), mpath, "source");
		r = check_bind_source(ctx, cfg, st, hs_json_get_string(m, "source"), jpath);
		if (r < 0)
			return r;
	}
	return hs_mounts_check_options(ctx, cfg, m, mpath, type, bind);
}
