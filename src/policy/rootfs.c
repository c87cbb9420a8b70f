/* SPDX-License-Identifier: Apache-2.0
 * Root filesystem (NIST SP 800-190 §4.4.4, CIS Docker 5.12): a writable root lets a compromised
 * process plant binaries and persist; a root.path that is the host's / or a system directory
 * hands the container the host itself. Root read-only, small noexec tmpfs where images write.
 *
 * Runtime behaviours relied on (runc 1.1, crun 1.8):
 * - root.path is resolved on the host, relative to the bundle, following every symlink, and
 *   the container's / is whatever directory that names: any host directory at all, another
 *   pod's Secret volume included. So root.path is judged canonicalized, by name and by the
 *   identity of every directory on its way (a bind-mounted alias of a sensitive tree).
 * - Both mount the config's mounts in order, then pivot into root.path; a tmpfs listed after a
 *   mount beneath it hides that mount (hence tmpfs_slot).
 * - runc gives a tmpfs the mode of the directory it covers (mode= is overwritten); crun honours
 *   mode=. Neither adds nosuid/nodev/noexec to a tmpfs on its own. */
#include <string.h>

#include "hs-host.h"
#include "hs-path.h"
#include "hs-policy.h"

struct rootfs_cfg {
	enum hs_action action;
	bool readonly;
	const char **tmpfs; /* NULL-terminated destinations */
	uint64_t tmpfs_size_mb;
	const char **forbidden; /* host directories a root may not be, nor be above */
	const char **trees;     /* host directories a root may not be, nor be below */
	const char **admit;     /* directories the operator admits as roots, and all below */
	bool image_dirs;        /* a root process's image directories are made writable */
};

static const char *const default_tmpfs[] = { "/tmp", "/run", "/var/tmp", NULL };
/* The host directories a container root may never be (nor an ancestor of). */
static const char *const default_forbidden[] = {
	"/",
	"/bin",
	"/boot",
	"/dev",
	"/etc",
	"/home",
	"/lib",
	"/lib32",
	"/lib64",
	"/opt",
	"/proc",
	"/root",
	"/run",
	"/sbin",
	"/srv",
	"/sys",
	"/tmp",
	"/usr",
	"/var",
	"/var/lib",
	"/var/log",
	"/var/run",
	"/var/tmp",
	"/var/lib/docker",
	"/var/lib/containerd",
	"/var/lib/containers",
	"/var/lib/kubelet",
	NULL,
};
/* Host trees whose every descendant is host data or another workload's: a Secret volume of
 * another pod, another container's userdata, the host's configuration or logs. A root at or
 * below one is refused unless it lies beneath this container's own bundle (containerd keeps
 * the bundle, rootfs included, under /run/containerd). Not /root, /home, /opt, /srv, /usr:
 * images are legitimately unpacked there (Podman --rootfs, a checkout's build tree under
 * /usr/local/src), and /usr holds the host's software, not its secrets. */
static const char *const default_forbidden_trees[] = {
	"/boot",
	"/etc",
	"/root/.ssh",
	"/run/secrets",
	"/run/containerd",
	"/run/containers",
	"/run/crio",
	"/var/lib/kubelet",
	"/var/lib/etcd",
	"/var/lib/docker/containers",
	"/var/lib/docker/volumes",
	"/var/lib/containerd/io.containerd.grpc.v1.cri",
	"/var/lib/containers/storage/overlay-containers",
	"/var/lib/containers/storage/volumes",
	"/var/log",
	NULL,
};
static const char *const default_admit[] = { NULL };
/* A root below these is a kernel interface, never an image. */
static const char *const pseudo_fs[] = { "/proc", "/sys", "/dev", NULL };

static const struct hs_schema_field fields[] = {
	{ "action", &hs_schema_string },
	{ "readonly", &hs_schema_bool },
	{ "tmpfs", &hs_schema_string_array },
	{ "tmpfs_size_mb", &(const struct hs_schema){ .kind = HS_S_UINT, .umax = 1u << 20 } },
	{ "forbidden_roots", &hs_schema_string_array },
	{ "forbidden_trees", &hs_schema_string_array },
	{ "admit_roots", &hs_schema_string_array },
	{ "writable_image_dirs", &hs_schema_bool },
	{ NULL, NULL },
};
static const struct hs_schema schema = { .kind = HS_S_STRUCT, .fields = fields };

static const char **load_list(struct hs_arena *a, const struct hs_json *arr,
			      const char *const *dflt, const char *key, struct hs_error *err,
			      int *ret)
{
	size_t n = arr ? hs_json_len(arr) : 0;
	const char **l;
	const struct hs_json *it;

	*ret = 0;
	if (!arr) {
		for (n = 0; dflt[n]; n++)
			;
	}
	l = hs_arena_alloc(a, (n + 1) * sizeof(*l));
	if (!l) {
		*ret = -ENOMEM;
		return NULL;
	}
	if (!arr) {
		for (size_t i = 0; i < n; i++)
			l[i] = dflt[i];
		return l;
	}
	hs_json_foreach_item(it, arr, i) {
		const char *s = it->u.string.s;

		/* Destinations are compared lexically: only clean absolute paths make sense. */
		if (s[0] != '/' || strstr(s, "//") || strstr(s, "/./") || strstr(s, "/../") ||
		    (strlen(s) > 1 && s[strlen(s) - 1] == '/')) {
			*ret = hs_error_set(err, -HS_ECONFIG, "policy.rootfs", key, -1,
					    "\"%s\" must be a clean absolute path", s);
			return NULL;
		}
		l[i] = s;
	}
	return l;
}

static int rootfs_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		       struct hs_error *err)
{
	struct rootfs_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const struct hs_json *v;
	int r;

	if (!c)
		return -ENOMEM;
	c->action = HS_ACTION_REWRITE;
	c->readonly = true;
	c->tmpfs_size_mb = 64;
	c->image_dirs = true;
	if (hs_action_load(section, "rootfs", "action", HS_ACTIONS_ALL, c->action, &c->action,
			   err) < 0)
		return -HS_ECONFIG;
	if ((v = hs_json_get(section, "readonly")))
		c->readonly = v->u.boolean;
	if ((v = hs_json_get(section, "writable_image_dirs")))
		c->image_dirs = v->u.boolean;
	if ((v = hs_json_get(section, "tmpfs_size_mb")) &&
	    (hs_json_get_u64(v, 1u << 20, &c->tmpfs_size_mb) < 0 || c->tmpfs_size_mb == 0))
		return hs_error_set(err, -HS_ECONFIG, "policy.rootfs",
				    "controls.rootfs.tmpfs_size_mb", -1,
				    "must be between 1 and 1048576");
	c->tmpfs = load_list(a, hs_json_get(section, "tmpfs"), default_tmpfs,
			     "controls.rootfs.tmpfs", err, &r);
	if (r < 0)
		return r;
	c->forbidden = load_list(a, hs_json_get(section, "forbidden_roots"), default_forbidden,
				 "controls.rootfs.forbidden_roots", err, &r);
	if (r < 0)
		return r;
	c->trees = load_list(a, hs_json_get(section, "forbidden_trees"), default_forbidden_trees,
			     "controls.rootfs.forbidden_trees", err, &r);
	if (r < 0)
		return r;
	c->admit = load_list(a, hs_json_get(section, "admit_roots"), default_admit,
			     "controls.rootfs.admit_roots", err, &r);
	if (r < 0)
		return r;
	*ret_cfg = c;
	return 0;
}

static int check_readonly(struct hs_check_ctx *ctx, const struct rootfs_cfg *c,
			  struct hs_json *root)
{
	const struct hs_json *ro = hs_json_get(root, "readonly");
	int r;

	if (!c->readonly || (ro && ro->type == HS_JSON_BOOL && ro->u.boolean))
		return 0;
	r = hs_finding(ctx, "rootfs.readonly", "root.readonly", c->action,
		       "the root filesystem is writable: a process could replace the image's "
		       "binaries");
	if (r == HS_ACTION_REWRITE) {
		struct hs_json *t = hs_json_new_bool(ctx->arena, true);

		if (!t || hs_json_set(ctx->arena, root, "readonly", t) < 0)
			return -ENOMEM;
	}
	return r < 0 ? r : 0;
}

/* "tmpcopyup" (runc and crun): the tmpfs starts with what the image has there, so the
 * image's /run/postgresql (owned by postgres) or /run/lock is still there over an empty
 * tmpfs. */
static struct hs_json *new_tmpfs(struct hs_arena *a, const char *dest, const char *mode,
				 uint64_t size_mb)
{
	struct hs_json *m = hs_json_new(a, HS_JSON_OBJECT), *opts = hs_json_new(a, HS_JSON_ARRAY);
	const char *o[] = {
		"nosuid", "nodev",     "noexec",
		mode,     "tmpcopyup", hs_arena_printf(a, "size=%llum", (unsigned long long)size_mb)
	};

	if (!m || !opts || !o[HS_ARRAY_SIZE(o) - 1])
		return NULL;
	for (size_t i = 0; i < HS_ARRAY_SIZE(o); i++)
		if (hs_json_append(a, opts, hs_json_new_string(a, o[i])) < 0)
			return NULL;
	if (hs_json_set(a, m, "destination", hs_json_new_string(a, dest)) < 0 ||
	    hs_json_set(a, m, "type", hs_json_new_string(a, "tmpfs")) < 0 ||
	    hs_json_set(a, m, "source", hs_json_new_string(a, "tmpfs")) < 0 ||
	    hs_json_set(a, m, "options", opts) < 0)
		return NULL;
	return m;
}

/* A destination as the runtimes reach it inside the rootfs: lexically cleaned, and /var/run
 * read as /run — it is a symlink to /run in Debian, Alpine and RHEL images, which both
 * runtimes follow, so a mount at /var/run/x lands in /run/x. NULL on ENOMEM. */
static const char *norm_dest(struct hs_arena *a, const char *d)
{
	const char *c;

	if (!(c = hs_path_clean(a, d)))
		return NULL;
	if (hs_path_at_or_under(c, "/var/run"))
		return hs_arena_printf(a, "/run%s", c + strlen("/var/run"));
	return c;
}

static const char *mount_dest(struct hs_arena *a, const struct hs_json *m)
{
	const char *d = hs_json_get_string(m, "destination");

	return d ? norm_dest(a, d) : "";
}

/* Where a tmpfs at dest goes in the list: before the first mount beneath it, which it would
 * otherwise hide (Podman's /run/secrets, /run/.containerenv, --init's /run/podman-init, a
 * user's --tmpfs /run/x); *present when a mount is already at dest. */
static int tmpfs_slot(struct hs_arena *a, const struct hs_json *mounts, const char *dest,
		      bool *present, size_t *slot)
{
	const struct hs_json *m;

	*present = false;
	*slot = mounts ? mounts->u.array.len : 0;
	hs_json_foreach_item(m, mounts, i) {
		const char *norm = mount_dest(a, m);

		if (!norm)
			return -ENOMEM;
		if (!strcmp(norm, dest)) {
			*present = true;
			*slot = i;
			return 0;
		}
		if (i < *slot && hs_path_at_or_under(norm, dest))
			*slot = i;
	}
	return 0;
}

/* The engine's own tmpfs where hardshim would have put one (ctr's default spec has a /run
 * tmpfs): without tmpcopyup it hides what the image has there (postgres's /run/postgresql,
 * its socket and lock directory: "could not create lock file", and the container dies after
 * starting). It gets the same tmpcopyup as hardshim's own tmpfs there (what Podman gives a
 * --tmpfs): the copy is of the image's own directory, already readable in the container, into
 * a tmpfs that is nosuid, nodev, noexec and capped (harden_tmpfs). An explicit notmpcopyup is
 * kept. */
static bool has_opt(const struct hs_json *opts, const char *o, bool prefix);

static const char *image_root(struct hs_check_ctx *ctx);

static int engine_tmpfs_copyup(struct hs_check_ctx *ctx, const struct rootfs_cfg *c,
			       struct hs_json *m, size_t i, const char *dest)
{
	const char *type = hs_json_get_string(m, "type");
	struct hs_json *opts = hs_json_get_type(m, "options", HS_JSON_ARRAY);
	char path[64];
	int r;

	const char *root = image_root(ctx);
	struct hs_dir_facts f;

	if (!type || strcmp(type, "tmpfs") != 0 || has_opt(opts, "tmpcopyup", false) ||
	    has_opt(opts, "notmpcopyup", false) || !root || ctx->no_rewrite)
		return 0;
	/* only where the image has something there to hide (a real directory, not empty) */
	if (ctx->host->dir_in_root(ctx->host, ctx->arena, root, dest, 1, 0, &f) < 0 ||
	    f.entries == 0)
		return 0;
	hs_json_path_index(path, sizeof(path), "mounts", i);
	r = hs_finding(ctx, "rootfs.tmpfs", path,
		       c->action == HS_ACTION_WARN ? HS_ACTION_WARN : HS_ACTION_REWRITE,
		       "the engine's tmpfs at %s would hide what the image has there: tmpcopyup "
		       "added, as hardshim's own tmpfs there has",
		       dest);
	if (r != HS_ACTION_REWRITE)
		return r < 0 ? r : 0;
	if ((!opts && !(opts = hs_json_ensure_array(ctx->arena, m, "options"))) ||
	    hs_json_append(ctx->arena, opts, hs_json_new_string(ctx->arena, "tmpcopyup")) < 0)
		return -ENOMEM;
	return 0;
}

/* Images write to /tmp, /run, /var/tmp: give them small tmpfs there so a read-only root
 * does not break them — noexec, so what they write cannot be run. */
static int add_tmpfs(struct hs_check_ctx *ctx, const struct rootfs_cfg *c)
{
	const struct hs_json *mounts = hs_json_get(ctx->config, "mounts");
	enum hs_action act = c->action == HS_ACTION_WARN ? HS_ACTION_WARN : HS_ACTION_REWRITE;
	struct hs_json *list = NULL;
	int r;

	if (mounts && mounts->type != HS_JSON_ARRAY)
		return 0; /* the schema refused it already */
	for (size_t t = 0; c->tmpfs[t]; t++) {
		bool present;
		size_t slot;

		if ((r = tmpfs_slot(ctx->arena, mounts, c->tmpfs[t], &present, &slot)) < 0)
			return r;
		if (present) {
			if ((r = engine_tmpfs_copyup(ctx, c, mounts->u.array.items[slot], slot,
						     c->tmpfs[t])) < 0)
				return r;
			continue;
		}
		r = hs_finding(ctx, "rootfs.tmpfs", "mounts", act,
			       "no mount at %s: a tmpfs (nosuid,nodev,noexec,size=%llum) is added "
			       "so the read-only root stays usable",
			       c->tmpfs[t], (unsigned long long)c->tmpfs_size_mb);
		if (r < 0)
			return r;
		if (r != HS_ACTION_REWRITE)
			continue;
		if (!list && !(list = hs_json_ensure_array(ctx->arena, ctx->config, "mounts")))
			return -ENOMEM;
		if (hs_json_insert(ctx->arena, list, slot,
				   new_tmpfs(ctx->arena, c->tmpfs[t], "mode=1777",
					     c->tmpfs_size_mb)) < 0)
			return -ENOMEM;
		mounts = list;
	}
	return 0;
}

/*
 * A root image on a read-only root (issue 14): nginx makes /var/lib/nginx/body at start, an
 * app opens its sqlite file in its WORKDIR. Both directories are root's in the image and
 * would be written by root; read-only, the app dies after `run` said it started. Only for a
 * process the config runs as root (the image's own choice of user), and only where the
 * image itself has a real directory there: its working directory, and each EMPTY directory
 * directly under /var/lib, /var/cache, /var/log, /var/spool (a packaged daemon's state dir:
 * Debian's /var/lib/nginx ships empty). Each gets a private tmpfs: nosuid, nodev, noexec,
 * capped, the image's mode, its content copied in (tmpcopyup), and owned by the final uid
 * (the user control's own_tmpfs). Nothing written there reaches the image or the host.
 *
 * The image is the attacker's. A symlink on the way is not followed (the runtime would mount
 * where it points); a directory at or below a mount is the mount's business; the system's
 * trees (/etc, /usr, ...) stay read-only whatever the working directory says, so a config
 * cannot turn "cwd: /etc" into a writable /etc. A working directory holding executables
 * stays read-only (noexec would stop them), as does one too large to copy; a finding says so.
 * The number of tmpfs is capped: an image with thousands of empty directories is refused.
 */
#define IMAGE_DIRS_MAX    32
#define CWD_MAX_ENTRIES   4096
#define CWD_MAX_DEPTH     16
#define STATE_MAX_ENTRIES 1024

static const char *const state_parents[] = { "/var/lib", "/var/cache", "/var/log", "/var/spool",
					     NULL };
/* Never made writable, nor anything below them. */
static const char *const system_trees[] = { "/bin",   "/boot",  "/dev",    "/etc",  "/lib",
					    "/lib32", "/lib64", "/libx32", "/proc", "/sbin",
					    "/sys",   "/usr",   NULL };
/* ... except an application's checkout strictly below these (WORKDIR /usr/src/app). */
static const char *const app_trees[] = { "/usr/src", "/usr/local/src", NULL };

struct image_dir {
	const char *dest, *mode;
};

static bool under_any(const char *p, const char *const *list, bool strictly)
{
	for (size_t i = 0; list[i]; i++)
		if (hs_path_at_or_under(p, list[i]) && (!strictly || strcmp(p, list[i]) != 0))
			return true;
	return false;
}

/* The working directory is the system's, or a parent of the state directories. */
static bool system_dir(const char *p)
{
	static const char *const exact[] = { "/", "/var", "/home", "/opt", "/srv", NULL };

	for (size_t i = 0; exact[i]; i++)
		if (!strcmp(p, exact[i]))
			return true;
	for (size_t i = 0; state_parents[i]; i++)
		if (!strcmp(p, state_parents[i]))
			return true;
	return under_any(p, system_trees, false) && !under_any(p, app_trees, true);
}

/* p is at or below a mount the config (or hardshim) already has: that mount decides. */
static int under_mount(struct hs_arena *a, const struct hs_json *mounts, const char *p, bool *ret)
{
	const struct hs_json *m;

	*ret = false;
	hs_json_foreach_item(m, mounts, i) {
		const char *d = mount_dest(a, m);

		if (!d)
			return -ENOMEM;
		if (d[0] == '/' && hs_path_at_or_under(p, d))
			*ret = true;
	}
	return 0;
}

static bool root_process(const struct hs_check_ctx *ctx)
{
	const struct hs_json *user = hs_json_get_type(ctx->process, "user", HS_JSON_OBJECT);
	uint64_t uid = 0;

	if (!ctx->process)
		return false;
	if (user && hs_json_get(user, "uid") &&
	    hs_json_get_u64(hs_json_get(user, "uid"), UINT32_MAX, &uid) < 0)
		return false;
	return uid == 0;
}

/* The image directory on the host, or NULL (no way to look: nothing is added). */
static const char *image_root(struct hs_check_ctx *ctx)
{
	const char *p = hs_json_get_string(hs_json_get(ctx->config, "root"), "path");

	if (!p || !*p || !ctx->host || !ctx->host->dir_in_root)
		return NULL;
	if (p[0] == '/')
		return p;
	return ctx->bundle ? hs_arena_printf(ctx->arena, "%s/%s", ctx->bundle, p) : NULL;
}

static const char *mode_opt(struct hs_arena *a, mode_t mode)
{
	return hs_arena_printf(a, "mode=%04o", (unsigned)(mode & 07777));
}

/* The working directory, when it can be made writable; a WARN finding when it cannot. */
static int cwd_dir(struct hs_check_ctx *ctx, const struct rootfs_cfg *c, const char *root,
		   const struct hs_json *mounts, struct image_dir *ret, size_t *n)
{
	const char *cwd = hs_json_get_string(ctx->process, "cwd"), *p, *why = NULL;
	struct hs_dir_facts f;
	bool covered;
	int r;

	if (!cwd || cwd[0] != '/')
		return 0;
	if (!(p = norm_dest(ctx->arena, cwd)))
		return -ENOMEM;
	if (system_dir(p))
		return 0;
	if ((r = under_mount(ctx->arena, mounts, p, &covered)) < 0)
		return r;
	if (covered)
		return 0;
	r = ctx->host->dir_in_root(ctx->host, ctx->arena, root, p, CWD_MAX_ENTRIES, CWD_MAX_DEPTH,
				   &f);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0; /* absent (the runtime makes it), a symlink, not a directory */
	if (f.uid != 0)
		return 0; /* a service user's: the user control runs the process as its owner */
	if (f.executable)
		why = "it holds executable files, which a noexec tmpfs would stop";
	else if (f.over_limit || f.bytes > (c->tmpfs_size_mb << 19))
		why = hs_arena_printf(ctx->arena,
				      "it holds more than a %llum tmpfs should copy at each start",
				      (unsigned long long)c->tmpfs_size_mb);
	if (why) {
		r = hs_finding(ctx, "rootfs.writable-dir", "process.cwd", HS_ACTION_WARN,
			       "the working directory %s stays read-only: %s (give it a volume)", p,
			       why);
		return r < 0 ? r : 0;
	}
	ret[(*n)++] = (struct image_dir){ p, mode_opt(ctx->arena, f.mode) };
	return 0;
}

/* The empty directories directly under the state parents. */
static int state_dirs(struct hs_check_ctx *ctx, const char *root, const struct hs_json *mounts,
		      struct image_dir *ret, size_t *n, size_t *over)
{
	for (size_t i = 0; state_parents[i]; i++) {
		struct hs_dir_facts pf;
		bool covered;
		int r;

		if ((r = under_mount(ctx->arena, mounts, state_parents[i], &covered)) < 0)
			return r;
		if (covered)
			continue;
		r = ctx->host->dir_in_root(ctx->host, ctx->arena, root, state_parents[i],
					   STATE_MAX_ENTRIES, 0, &pf);
		if (r == -ENOMEM)
			return r;
		for (size_t k = 0; r == 0 && k < pf.n_subdirs; k++) {
			const char *d =
			    hs_arena_printf(ctx->arena, "%s/%s", state_parents[i], pf.subdirs[k]);
			struct hs_dir_facts f;

			if (!d)
				return -ENOMEM;
			if ((r = under_mount(ctx->arena, mounts, d, &covered)) < 0)
				return r;
			if (covered || (*n > 0 && !strcmp(ret[0].dest, d)))
				continue;
			r = ctx->host->dir_in_root(ctx->host, ctx->arena, root, d, 0, 0, &f);
			if (r == -ENOMEM)
				return r;
			if (r < 0 || f.entries || f.over_limit) {
				r = 0;
				continue;
			}
			if (*n == IMAGE_DIRS_MAX) {
				(*over)++;
				continue;
			}
			ret[(*n)++] = (struct image_dir){ d, mode_opt(ctx->arena, f.mode) };
		}
	}
	return 0;
}

static int add_image_dirs(struct hs_check_ctx *ctx, const struct rootfs_cfg *c)
{
	struct hs_json *mounts = hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY), *list;
	enum hs_action act = c->action == HS_ACTION_WARN ? HS_ACTION_WARN : HS_ACTION_REWRITE;
	struct image_dir dirs[IMAGE_DIRS_MAX];
	const char *root;
	size_t n = 0, over = 0;
	int r;

	if (!c->image_dirs || ctx->no_rewrite || !root_process(ctx) || !(root = image_root(ctx)))
		return 0;
	if ((r = cwd_dir(ctx, c, root, mounts, dirs, &n)) < 0 ||
	    (r = state_dirs(ctx, root, mounts, dirs, &n, &over)) < 0)
		return r;
	if (over) {
		r = hs_finding(ctx, "rootfs.writable-dirs-max", "root.path",
			       act == HS_ACTION_WARN ? act : HS_ACTION_REFUSE,
			       "the image has %zu empty directories under /var/lib, /var/cache, "
			       "/var/log, /var/spool, more than the %d tmpfs hardshim gives a root "
			       "image: run it as its service user (--user, runAsUser) with "
			       "volumes, "
			       "or set controls.rootfs.writable_image_dirs to false",
			       n + over, IMAGE_DIRS_MAX);
		return r < 0 ? r : 0;
	}
	for (size_t i = 0; i < n; i++) {
		bool present;
		size_t slot;

		r = hs_finding(
		    ctx, "rootfs.writable-dir", "mounts", act,
		    "%s, the image's own and written by a root image: a tmpfs "
		    "(nosuid,nodev,noexec,size=%llum, its content copied in) owned by the "
		    "process's final uid is added so the read-only root does not break it",
		    dirs[i].dest, (unsigned long long)c->tmpfs_size_mb);
		if (r < 0)
			return r;
		if (r != HS_ACTION_REWRITE)
			continue;
		if (!(list = hs_json_ensure_array(ctx->arena, ctx->config, "mounts")) ||
		    !dirs[i].mode)
			return -ENOMEM;
		if ((r = tmpfs_slot(ctx->arena, list, dirs[i].dest, &present, &slot)) < 0)
			return r;
		if (hs_json_insert(ctx->arena, list, slot,
				   new_tmpfs(ctx->arena, dirs[i].dest, dirs[i].mode,
					     c->tmpfs_size_mb)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool has_opt(const struct hs_json *opts, const char *o, bool prefix)
{
	const struct hs_json *it;

	hs_json_foreach_item(it, opts, i) {
		if (it->type != HS_JSON_STRING)
			continue;
		if (prefix ? !strncmp(it->u.string.s, o, strlen(o)) : !strcmp(it->u.string.s, o))
			return true;
	}
	return false;
}

/* Every tmpfs the container gets, its own included, is nosuid, nodev, noexec and capped: a
 * user's `--tmpfs /run` must not undo what hardshim's /run would have been (a place to drop
 * and run a binary, a setuid file, a device node, the host's memory). The runtimes' /dev is
 * a tmpfs too and holds the device nodes: it is left as it is. "exec", "suid", "dev" are
 * replaced; size=0 is "no limit" to the kernel, so it counts as no size. */
static int harden_tmpfs(struct hs_check_ctx *ctx, const struct rootfs_cfg *c, struct hs_json *m,
			size_t i)
{
	static const char *const want[][2] = { { "nosuid", "suid" },
					       { "nodev", "dev" },
					       { "noexec", "exec" } };
	struct hs_json *opts = hs_json_get_type(m, "options", HS_JSON_ARRAY);
	const char *missing[4];
	size_t n = 0;
	char path[64];
	int r;

	for (size_t w = 0; w < HS_ARRAY_SIZE(want); w++)
		if (!has_opt(opts, want[w][0], false) || has_opt(opts, want[w][1], false))
			missing[n++] = want[w][0];
	if (!has_opt(opts, "size=", true) || has_opt(opts, "size=0", false))
		missing[n++] =
		    hs_arena_printf(ctx->arena, "size=%llum", (unsigned long long)c->tmpfs_size_mb);
	if (!n)
		return 0;
	hs_json_path_index(path, sizeof(path), "mounts", i);
	r = hs_finding(ctx, "rootfs.tmpfs-options", path,
		       c->action == HS_ACTION_WARN ? HS_ACTION_WARN : HS_ACTION_REWRITE,
		       "a tmpfs without %s%s%s%s%s%s%s: added", missing[0], n > 1 ? ", " : "",
		       n > 1 ? missing[1] : "", n > 2 ? ", " : "", n > 2 ? missing[2] : "",
		       n > 3 ? ", " : "", n > 3 ? missing[3] : "");
	if (r != HS_ACTION_REWRITE)
		return r < 0 ? r : 0;
	if (!opts && !(opts = hs_json_ensure_array(ctx->arena, m, "options")))
		return -ENOMEM;
	for (size_t k = opts->u.array.len; k-- > 0;) {
		const struct hs_json *it = opts->u.array.items[k];

		if (it->type == HS_JSON_STRING &&
		    (!strcmp(it->u.string.s, "suid") || !strcmp(it->u.string.s, "dev") ||
		     !strcmp(it->u.string.s, "exec") || !strcmp(it->u.string.s, "size=0")))
			hs_json_array_remove(opts, k);
	}
	for (size_t k = 0; k < n; k++)
		if (!missing[k] || hs_json_append(ctx->arena, opts,
						  hs_json_new_string(ctx->arena, missing[k])) < 0)
			return -ENOMEM;
	return 0;
}

static int harden_all_tmpfs(struct hs_check_ctx *ctx, const struct rootfs_cfg *c)
{
	struct hs_json *mounts = hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY), *m;

	hs_json_foreach_item(m, mounts, i) {
		const char *type = hs_json_get_string(m, "type");
		const char *dest = mount_dest(ctx->arena, m);
		int r;

		if (!dest)
			return -ENOMEM;
		if (!type || strcmp(type, "tmpfs") != 0 || !strcmp(dest, "/dev"))
			continue;
		if ((r = harden_tmpfs(ctx, c, m, i)) < 0)
			return r;
	}
	return 0;
}

static int refuse_path(struct hs_check_ctx *ctx, const char *fmt, ...) HS_PRINTF(2, 3);
static int refuse_path(struct hs_check_ctx *ctx, const char *fmt, ...)
{
	char msg[HS_LINE_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = hs_finding(ctx, "rootfs.path", "root.path", HS_ACTION_REFUSE, "%s", msg);
	return r < 0 ? r : 0;
}

/* Whether the canonical root lies strictly beneath the (canonicalized) bundle: the engine chose
 * that directory for this container, the config did not. */
static int beneath_bundle(struct hs_check_ctx *ctx, const char *root, bool *ret)
{
	struct hs_canonical_path bp;
	struct hs_error herr = HS_ERROR_INIT;
	int r;

	*ret = false;
	if (!ctx->bundle || ctx->bundle[0] != '/')
		return 0;
	r = ctx->host->canonicalize(ctx->host, ctx->arena, ctx->bundle, &bp, &herr);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0; /* no bundle to be beneath: judged like any other place */
	*ret = strcmp(root, bp.path) != 0 && hs_path_at_or_under(root, bp.path);
	return 0;
}

/* The first forbidden tree the root is at or below, by name or by the identity of a directory
 * on its canonical way (a bind mount of /var/lib/kubelet elsewhere), or NULL. */
static const char *tree_holding(struct hs_check_ctx *ctx, const struct rootfs_cfg *c,
				const struct hs_canonical_path *cp)
{
	for (size_t i = 0; c->trees[i]; i++) {
		struct hs_file_id fid;

		if (hs_path_at_or_under(cp->path, c->trees[i]))
			return c->trees[i];
		if (!ctx->host->file_id || ctx->host->file_id(ctx->host, c->trees[i], &fid) < 0)
			continue;
		for (size_t k = 0; cp->components && k < cp->n_components; k++)
			if (cp->components[k].id.dev == fid.dev &&
			    cp->components[k].id.ino == fid.ino)
				return c->trees[i];
	}
	return NULL;
}

/* root.path below a forbidden tree: another pod's Secret volume, another container's files.
 * 1 when refused. */
static int check_trees(struct hs_check_ctx *ctx, const struct rootfs_cfg *c,
		       const struct hs_canonical_path *cp)
{
	const char *tree = tree_holding(ctx, c, cp);
	bool own;
	int r;

	if (!tree)
		return 0;
	if ((r = beneath_bundle(ctx, cp->path, &own)) < 0)
		return r;
	if (own)
		return 0;
	r = refuse_path(ctx,
			"resolves to %s, inside the host's %s (another workload's or the host's "
			"files), and not beneath this container's bundle",
			cp->path, tree);
	return r < 0 ? r : 1;
}

/*
 * Engine storage (containers/storage: Podman, Buildah). The engine runs container ID from the
 * bundle G/D-containers/ID/userdata, D the storage driver, and mounts the image for it at
 * G/overlay/LAYER/merged (overlay) or G/vfs/dir/LAYER (vfs), where LAYER is the container's
 * own layer in G/D-containers/containers.json. Both the bundle and the id come from the
 * engine's command line and containers.json is root's alone: the config author chooses none
 * of them, so the directory they name together is this container's and no other.
 */
#define STORE_JSON_MAX (16u << 20)

struct engine_store {
	const char *graphroot, *driver, *store; /* G, D, G/D-containers */
};

static bool plain_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* The storage the canonical bundle belongs to (ret->driver set), or *ret_why says why it
 * belongs to none. */
static int engine_store_of(struct hs_arena *a, const char *bundle, const char *id,
			   struct engine_store *ret, const char **ret_why)
{
	static const char *const drivers[] = { "overlay", "vfs", NULL };
	const char *tail = hs_arena_printf(a, "/%s/userdata", id), *base;
	size_t bl = strlen(bundle), tl = tail ? strlen(tail) : 0;

	if (!tail)
		return -ENOMEM;
	ret->driver = NULL;
	if (bl <= tl || strcmp(bundle + bl - tl, tail) != 0) {
		*ret_why =
		    hs_arena_printf(a, "the bundle %s is not an engine's %s/userdata", bundle, id);
		return *ret_why ? 0 : -ENOMEM;
	}
	if (!(ret->store = hs_arena_strndup(a, bundle, bl - tl)))
		return -ENOMEM;
	base = strrchr(ret->store, '/');
	for (size_t i = 0; base && base != ret->store && drivers[i]; i++) {
		size_t dl = strlen(drivers[i]);

		if (!strncmp(base + 1, drivers[i], dl) && !strcmp(base + 1 + dl, "-containers")) {
			ret->driver = drivers[i];
			ret->graphroot = hs_arena_strndup(a, ret->store, base - ret->store);
			return ret->graphroot ? 0 : -ENOMEM;
		}
	}
	*ret_why = hs_arena_printf(a,
				   "the bundle %s is not in an overlay-containers or "
				   "vfs-containers store",
				   bundle);
	return *ret_why ? 0 : -ENOMEM;
}

/* The layer containers.json gives container id, or a reason. */
static int store_layer(struct hs_check_ctx *ctx, const struct engine_store *es, const char *id,
		       const char **ret_layer, const char **ret_why)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	struct hs_error herr = HS_ERROR_INIT;
	const char *path = hs_arena_printf(ctx->arena, "%s/containers.json", es->store), *buf;
	struct hs_json *tree;
	const struct hs_json *it;
	size_t len;
	int r;

	*ret_layer = NULL;
	if (!path)
		return -ENOMEM;
	if (!ctx->host->read_root_file) {
		*ret_why = "this host cannot read the engine's containers.json";
		return 0;
	}
	r = ctx->host->read_root_file(ctx->host, ctx->arena, path, STORE_JSON_MAX, &buf, &len,
				      &herr);
	limits.max_bytes = STORE_JSON_MAX;
	if (r >= 0)
		r = hs_json_parse(ctx->arena, buf, len, &limits, &tree, &herr);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || tree->type != HS_JSON_ARRAY) {
		*ret_why = hs_arena_printf(ctx->arena, "the engine's %s cannot be trusted: %s",
					   path, r < 0 && herr.msg[0] ? herr.msg : "not a list");
		return *ret_why ? 0 : -ENOMEM;
	}
	hs_json_foreach_item(it, tree, i) {
		const char *cid = hs_json_get_string(it, "id");

		if (cid && !strcmp(cid, id)) {
			*ret_layer = hs_json_get_string(it, "layer");
			if (plain_name(*ret_layer))
				return 0;
			*ret_layer = NULL;
			break;
		}
	}
	*ret_why =
	    hs_arena_printf(ctx->arena, "the engine's %s gives container %s no layer", path, id);
	return *ret_why ? 0 : -ENOMEM;
}

/* Is the canonical root the engine's storage for this very container? *ret_why says why not. */
static int engine_root(struct hs_check_ctx *ctx, const struct hs_canonical_path *root, bool *ret,
		       const char **ret_why)
{
	struct hs_error herr = HS_ERROR_INIT;
	struct hs_canonical_path bp;
	struct engine_store es = { 0 };
	const char *layer, *want;
	int r;

	*ret = false;
	if (!ctx->bundle || ctx->bundle[0] != '/') {
		*ret_why = "no bundle is known to compare it with (check without --bundle, a "
			   "precreate hook)";
		return 0;
	}
	if (!plain_name(ctx->container_id)) {
		*ret_why = "no container id is known to look it up (check without --id)";
		return 0;
	}
	r = ctx->host->canonicalize(ctx->host, ctx->arena, ctx->bundle, &bp, &herr);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		*ret_why = "the bundle cannot be resolved";
		return 0;
	}
	if ((r = engine_store_of(ctx->arena, bp.path, ctx->container_id, &es, ret_why)) < 0 ||
	    !es.driver)
		return r;
	if ((r = store_layer(ctx, &es, ctx->container_id, &layer, ret_why)) < 0 || !layer)
		return r;
	want = !strcmp(es.driver, "vfs")
		   ? hs_arena_printf(ctx->arena, "%s/vfs/dir/%s", es.graphroot, layer)
		   : hs_arena_printf(ctx->arena, "%s/overlay/%s/merged", es.graphroot, layer);
	if (!want)
		return -ENOMEM;
	*ret_why = hs_arena_printf(ctx->arena, "the engine's storage for container %s is %s",
				   ctx->container_id, want);
	if (!*ret_why)
		return -ENOMEM;
	if (strcmp(root->path, want) != 0)
		return 0;
	/* The engine's directory, unless someone else can swap it (a user-writable storage
	 * directory) between this look and the runtime's pivot into it. */
	if ((*ret_why = hs_canonical_path_replaceable(ctx->arena, root)))
		return 0;
	*ret = true;
	return 0;
}

/* Whether the operator admitted the canonical root (controls.rootfs.admit_roots). */
static bool admitted(const struct rootfs_cfg *c, const char *root)
{
	for (size_t i = 0; c->admit[i]; i++)
		if (hs_path_at_or_under(root, c->admit[i]))
			return true;
	return false;
}

/* root.path must be this container's: beneath its bundle (a bundle run by hand, containerd's
 * task directory), the engine's storage for this very container, or a directory the operator
 * admitted. Any other directory is another container's image, another pod's volume, or some
 * host directory the config author picked: the runtime would run it all the same. */
static int check_owner(struct hs_check_ctx *ctx, const struct rootfs_cfg *c,
		       const struct hs_canonical_path *cp)
{
	const char *why = NULL;
	bool own;
	int r;

	if ((r = beneath_bundle(ctx, cp->path, &own)) < 0)
		return r;
	if (own || admitted(c, cp->path))
		return 0;
	if ((r = engine_root(ctx, cp, &own, &why)) < 0)
		return r;
	if (own)
		return 0;
	r = hs_finding(ctx, "rootfs.path-owner", "root.path", HS_ACTION_REFUSE,
		       "resolves to %s, neither beneath this container's bundle nor the engine's "
		       "storage for this container (%s); a directory such as Podman --rootfs DIR "
		       "is admitted by the operator in controls.rootfs.admit_roots",
		       cp->path, why);
	return r < 0 ? r : 0;
}

/* root.path must be an image's directory, not the host's: resolved on the host (symlinks
 * followed, magic links refused) and compared by name and by identity (a bind alias). */
static int check_path(struct hs_check_ctx *ctx, const struct rootfs_cfg *c,
		      const struct hs_json *root)
{
	const char *p = hs_json_get_string(root, "path");
	struct hs_canonical_path cp;
	struct hs_error herr = HS_ERROR_INIT;
	const struct hs_file_id *id = NULL;
	char *full;
	int r;

	if (!p || !*p)
		return refuse_path(ctx, "no root.path: the runtime would have no image to run");
	if (p[0] != '/' && !ctx->bundle) {
		/* No bundle to resolve it against (check of a lone config): lexical check only. */
		if (strstr(p, ".."))
			return refuse_path(ctx, "\"%s\" climbs out of the bundle", p);
		return 0;
	}
	full = p[0] == '/' ? (char *)p : hs_arena_printf(ctx->arena, "%s/%s", ctx->bundle, p);
	if (!full)
		return -ENOMEM;
	if (!ctx->host || !ctx->host->canonicalize)
		return refuse_path(ctx, "cannot resolve \"%s\" on this host", p);
	r = ctx->host->canonicalize(ctx->host, ctx->arena, full, &cp, &herr);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return refuse_path(ctx, "cannot resolve \"%s\": %s", p,
				   herr.msg[0] ? herr.msg : hs_strerror(r));
	if (cp.exists && cp.n_components)
		id = &cp.components[cp.n_components - 1].id;
	for (size_t i = 0; pseudo_fs[i]; i++)
		if (hs_path_at_or_under(cp.path, pseudo_fs[i]))
			return refuse_path(ctx, "resolves to %s, inside the kernel's %s", cp.path,
					   pseudo_fs[i]);
	for (size_t i = 0; c->forbidden[i]; i++) {
		struct hs_file_id fid;

		/* Equal to, or above, a host system directory: the container would see it. */
		if (hs_path_at_or_under(c->forbidden[i], cp.path))
			return refuse_path(ctx,
					   "resolves to %s, the host's own directory (or above %s)",
					   cp.path, c->forbidden[i]);
		if (id && ctx->host->file_id &&
		    ctx->host->file_id(ctx->host, c->forbidden[i], &fid) == 0 &&
		    fid.dev == id->dev && fid.ino == id->ino)
			return refuse_path(ctx, "is the host's %s under another name (%s)",
					   c->forbidden[i], cp.path);
	}
	if ((r = check_trees(ctx, c, &cp)) != 0)
		return r < 0 ? r : 0;
	return check_owner(ctx, c, &cp);
}

static int rootfs_check_config(struct hs_check_ctx *ctx, const void *cfg)
{
	const struct rootfs_cfg *c = cfg;
	struct hs_json *root = hs_json_get(ctx->config, "root");
	int r;

	if (root && root->type != HS_JSON_OBJECT)
		return 0;
	if (!root) {
		r = hs_finding(ctx, "rootfs.path", "root", HS_ACTION_REFUSE,
			       "no root: the runtime would have no image to run");
		return r < 0 ? r : 0;
	}
	r = check_path(ctx, c, root);
	if (r >= 0)
		r = check_readonly(ctx, c, root);
	/* tmpfs only make sense as the companion of a read-only root. */
	if (r >= 0 && c->readonly)
		r = add_tmpfs(ctx, c);
	if (r >= 0 && c->readonly)
		r = add_image_dirs(ctx, c);
	if (r >= 0)
		r = harden_all_tmpfs(ctx, c);
	return r < 0 ? r : 0;
}

const struct hs_control hs_control_rootfs = {
	.name = "rootfs",
	.policy_schema = &schema,
	.load = rootfs_load,
	.check_config = rootfs_check_config,
};
