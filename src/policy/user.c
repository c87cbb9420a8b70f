/* SPDX-License-Identifier: Apache-2.0
 * User (NIST SP 800-190 §4.4.3, CIS Docker 4.1, Kubernetes "restricted" runAsNonRoot): uid 0
 * in a container is uid 0 on the host without a user namespace; every runtime escape
 * (CVE-2019-5736, CVE-2024-21626) needs it. gid 0 and supplementary group 0 open root's files.
 * A user namespace whose mapping reaches host id 0 makes any container id host root again. */
#include <string.h>
#include <sys/stat.h>

#include "hs-host.h"
#include "hs-path.h"
#include "hs-policy.h"

struct user_cfg {
	enum hs_action action;
	uint32_t uid, gid;   /* what uid 0 / gid 0 become */
	uint32_t umask_bits; /* bits every umask must have */
	bool data_owner;     /* a root process runs as the owner of the image's data instead */
	bool own_volumes;    /* ... and is given the empty volumes over that data (create) */
};

static const struct hs_schema_field fields[] = {
	{ "action", &hs_schema_string },
	{ "uid", &hs_schema_u32 },
	{ "gid", &hs_schema_u32 },
	{ "umask_required", &(const struct hs_schema){ .kind = HS_S_UINT, .umax = 0777 } },
	{ "root_as_data_owner", &hs_schema_bool },
	{ "own_empty_volumes", &hs_schema_bool },
	{ NULL, NULL },
};
static const struct hs_schema schema = { .kind = HS_S_STRUCT, .fields = fields };

static int user_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		     struct hs_error *err)
{
	struct user_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const struct hs_json *v;
	uint64_t n;

	if (!c)
		return -ENOMEM;
	/* 65534 is nobody/nogroup in Debian, Alpine, busybox and the distroless images: present
	 * in their /etc/passwd, owner of nothing in the image. */
	*c = (struct user_cfg){ .action = HS_ACTION_REWRITE,
				.uid = 65534,
				.gid = 65534,
				.umask_bits = 022,
				.data_owner = true,
				.own_volumes = true };
	if (hs_action_load(section, "user", "action", HS_ACTIONS_ALL, c->action, &c->action, err) <
	    0)
		return -HS_ECONFIG;
	if ((v = hs_json_get(section, "uid")) && hs_json_get_u64(v, UINT32_MAX, &n) == 0)
		c->uid = (uint32_t)n;
	if ((v = hs_json_get(section, "gid")) && hs_json_get_u64(v, UINT32_MAX, &n) == 0)
		c->gid = (uint32_t)n;
	if ((v = hs_json_get(section, "umask_required")) && hs_json_get_u64(v, 0777, &n) == 0)
		c->umask_bits = (uint32_t)n;
	if ((v = hs_json_get(section, "root_as_data_owner")))
		c->data_owner = v->u.boolean;
	if ((v = hs_json_get(section, "own_empty_volumes")))
		c->own_volumes = v->u.boolean;
	if (c->uid == 0 || c->gid == 0)
		return hs_error_set(err, -HS_ECONFIG, "policy.user", "controls.user", -1,
				    "the uid and gid root is remapped to cannot be 0");
	*ret_cfg = c;
	return 0;
}

static const char *ppath(struct hs_check_ctx *ctx, const char *rel)
{
	if (!ctx->process_path || !ctx->process_path[0])
		return rel;
	return hs_arena_printf(ctx->arena, "%s.%s", ctx->process_path, rel);
}

#define MAX_FRESH 16

/* Who a root process becomes: the policy's ids, or the owner of the image's data. */
struct target {
	uint32_t uid, gid;
	const char *why; /* NULL: the policy's ids */
	/* mounts[] indices of the fresh volumes the process is given (user.volume-owner) */
	size_t fresh[MAX_FRESH], n_fresh;
};

static bool is_bind(const struct hs_json *m)
{
	const char *type = hs_json_get_string(m, "type");
	const struct hs_json *it;

	if (type && !strcmp(type, "bind"))
		return true;
	hs_json_foreach_item(it, hs_json_get_type(m, "options", HS_JSON_ARRAY), i) {
		if (it->type == HS_JSON_STRING &&
		    (!strcmp(it->u.string.s, "bind") || !strcmp(it->u.string.s, "rbind")))
			return true;
	}
	return false;
}

static bool is_ro(const struct hs_json *m)
{
	const struct hs_json *it;

	hs_json_foreach_item(it, hs_json_get_type(m, "options", HS_JSON_ARRAY), i) {
		if (it->type == HS_JSON_STRING && !strcmp(it->u.string.s, "ro"))
			return true;
	}
	return false;
}

/* Owner of a bind mount's host directory (a Podman volume keeps the ownership the image gave
 * the directory it covers). 0 when unknown, not a directory, or root's. */
static uid_t source_owner(struct hs_check_ctx *ctx, const struct hs_json *m, gid_t *gid)
{
	const char *src = hs_json_get_string(m, "source");
	struct hs_canonical_path cp;
	struct hs_error herr = HS_ERROR_INIT;
	const struct hs_path_component *last;

	if (!src || src[0] != '/' || !ctx->host || !ctx->host->canonicalize ||
	    ctx->host->canonicalize(ctx->host, ctx->arena, src, &cp, &herr) < 0 || !cp.exists ||
	    !cp.n_components)
		return 0;
	last = &cp.components[cp.n_components - 1];
	if (!S_ISDIR(last->mode))
		return 0;
	*gid = last->gid;
	return last->uid;
}

/* The owner the image gives PATH (absolute, inside the container), read in the image's own
 * tree. 0 when unknown or root's. */
static uid_t image_owner(struct hs_check_ctx *ctx, const char *path, gid_t *gid)
{
	const char *rootp = hs_json_get_string(hs_json_get(ctx->config, "root"), "path");
	uid_t uid = 0;

	if (!rootp || !ctx->host || !ctx->host->owner_in_root || (rootp[0] != '/' && !ctx->bundle))
		return 0;
	if (rootp[0] != '/' && !(rootp = hs_arena_printf(ctx->arena, "%s/%s", ctx->bundle, rootp)))
		return 0;
	if (ctx->host->owner_in_root(ctx->host, rootp, path, &uid, gid) < 0)
		return 0;
	return uid;
}

/*
 * A fresh volume: what containerd users (ctr --mount) and kubelet (emptyDir) give an image's
 * VOLUME: an empty directory, root's, mode 0777. The process may be given it (below) only
 * when each of these holds, each for what an attacker who writes the config would gain:
 * - a writable bind mount: a read-only one is not the data directory;
 * - reached without a symlink: a link would aim the chown at any host directory;
 * - a directory owned by root: another user's directory is theirs, never ours to give;
 * - mode exactly 0777, no sticky/setuid/setgid bit: root made it for everyone, so its new
 *   owner gains only what everyone had (a sticky /var/tmp's owner could delete others' files);
 * - empty: nobody's data is in it (and nothing below it is ever touched);
 * - on a path no one but root could swap: only root can have put it there.
 * src/host/volume.c judges all of it again on the opened directory before the chown.
 */
static bool fresh_volume(struct hs_check_ctx *ctx, const struct hs_json *m)
{
	const char *src = hs_json_get_string(m, "source");
	const char *clean = src && src[0] == '/' ? hs_path_clean(ctx->arena, src) : NULL;
	struct hs_canonical_path cp;
	struct hs_error herr = HS_ERROR_INIT;
	const struct hs_path_component *last;
	struct hs_dir_facts f;

	if (!clean || !is_bind(m) || is_ro(m) || !ctx->host->canonicalize ||
	    !ctx->host->dir_in_root ||
	    ctx->host->canonicalize(ctx->host, ctx->arena, clean, &cp, &herr) < 0 || !cp.exists ||
	    !cp.n_components || strcmp(cp.path, clean) != 0)
		return false;
	last = &cp.components[cp.n_components - 1];
	if (!S_ISDIR(last->mode) || last->uid != 0 || (last->mode & 07777) != 0777 ||
	    hs_canonical_path_replaceable(ctx->arena, &cp))
		return false;
	/* max 1 entry, no depth: one entry is enough to say it is not empty */
	return ctx->host->dir_in_root(ctx->host, ctx->arena, cp.path, "/", 1, 0, &f) == 0 &&
	       f.entries == 0 && !f.over_limit && f.uid == 0 && (f.mode & 07777) == 0777;
}

/* Does the process get a user namespace (its own or one it joins)? Its ids are then not the
 * host's: a volume given to uid U on the host would be nobody's inside. */
static bool in_user_namespace(struct hs_check_ctx *ctx)
{
	const struct hs_json *linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	const struct hs_json *ns;

	hs_json_foreach_item(ns, hs_json_get_type(linux_, "namespaces", HS_JSON_ARRAY), i) {
		const char *type = hs_json_get_string(ns, "type");

		if (type && !strcmp(type, "user"))
			return true;
	}
	return false;
}

/* Is the config's gid root's (0 or absent)? A volume is given to the target's group only
 * when hardshim also chose the process's group: never a group the config named. */
static bool gid_is_root(struct hs_check_ctx *ctx)
{
	const struct hs_json *u = hs_json_get(ctx->process, "user");
	uint64_t gid = 0;

	return !u || hs_json_get_u64(hs_json_get(u, "gid"), UINT32_MAX, &gid) < 0 || gid == 0;
}

/*
 * A root image whose data directory is a fresh volume (postgres's PGDATA as an emptyDir):
 * the owner the image gives the directory the volume covers, when all fresh volumes over
 * non-root directories agree on one, and the process is then given those volumes
 * (user.volume-owner). Without it the process cannot chmod its data directory (initdb:
 * "could not change permissions ... Operation not permitted") and dies after starting.
 * Only where hardshim rewrites (never in hook mode, where nothing can be changed first, nor
 * under refuse/warn, where nothing runs as this target).
 */
static void fresh_target(struct hs_check_ctx *ctx, const struct user_cfg *c, struct target *t)
{
	const struct hs_json *m;
	uid_t uid = 0, u;
	gid_t gid = 0, g = 0;
	const char *where = NULL;
	size_t n = 0, idx[MAX_FRESH];

	if (!c->own_volumes || c->action != HS_ACTION_REWRITE || ctx->no_rewrite || !ctx->host ||
	    !gid_is_root(ctx) || in_user_namespace(ctx))
		return;
	hs_json_foreach_item(m, hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY), i) {
		const char *d = hs_json_get_string(m, "destination");
		const char *dest = d && d[0] == '/' ? hs_path_clean(ctx->arena, d) : NULL;

		if (!dest || !fresh_volume(ctx, m) || !(u = image_owner(ctx, dest, &g)))
			continue;
		if ((uid && u != uid) || n == MAX_FRESH)
			return; /* two owners: no single answer */
		uid = u;
		gid = g;
		where = dest;
		idx[n++] = i;
	}
	if (!uid)
		return;
	t->uid = (uint32_t)uid;
	t->gid = gid ? (uint32_t)gid : c->gid;
	t->why = hs_arena_printf(ctx->arena,
				 "the owner the image gives %s (its empty volume is "
				 "given to it)",
				 where);
	memcpy(t->fresh, idx, n * sizeof(idx[0]));
	t->n_fresh = n;
}

/* The working directory's owner: the host directory of the bind mount over it, else the
 * image's own directory. 0 when unknown or root's. */
static uid_t cwd_owner(struct hs_check_ctx *ctx, const char *cwd, gid_t *gid)
{
	const struct hs_json *mounts = hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY);
	const struct hs_json *m, *over = NULL;
	size_t depth = 0;

	hs_json_foreach_item(m, mounts, i) {
		const char *d = hs_json_get_string(m, "destination");
		const char *c = d ? hs_path_clean(ctx->arena, d) : NULL;

		if (c && hs_path_at_or_under(cwd, c) && strlen(c) >= depth) {
			over = m;
			depth = strlen(c);
		}
	}
	if (over)
		return is_bind(over) && !is_ro(over) ? source_owner(ctx, over, gid) : 0;
	return image_owner(ctx, cwd, gid);
}

/*
 * A root image whose data belongs to a service user (redis's /data, postgres's PGDATA: the
 * official images' entrypoints chown it as root, then drop to that user with gosu) runs as
 * that user: 65534 could not write it, and the entrypoint's root-only steps are skipped
 * either way. The working directory decides; without a non-root one, the writable bind
 * mounts (the image's VOLUMEs under Podman) do when they all have the same owner. The
 * owner is never 0 and a group 0 is not taken, so this gives no more than `--user` gives:
 * an image (whoever built it) can only pick a non-root uid, which a config can do anyway.
 */
/*
 * exec: a root process joins the container as the user its main process runs as (what create
 * decided: the data owner, the policy's ids or the caller's own non-root user), not as the
 * policy's uid, which may not own the files the container works on. The ids come from the
 * config.json hardshim wrote into the container's root-owned bundle; whatever they say, a 0
 * is never taken, so this gives no more than `exec --user` could ask for.
 */
static bool container_target(struct hs_check_ctx *ctx, const struct user_cfg *c, struct target *t)
{
	const struct hs_json *u =
	    hs_json_get(hs_json_get_type(ctx->container, "process", HS_JSON_OBJECT), "user");
	uint64_t uid = 0, gid = 0;

	if (!u || hs_json_get_u64(hs_json_get(u, "uid"), UINT32_MAX, &uid) < 0 || !uid)
		return false;
	if (hs_json_get_u64(hs_json_get(u, "gid"), UINT32_MAX, &gid) < 0)
		gid = 0;
	*t = (struct target){ (uint32_t)uid,
			      gid ? (uint32_t)gid : c->gid,
			      "the user the container's main process runs as",
			      { 0 },
			      0 };
	return true;
}

static struct target root_target(struct hs_check_ctx *ctx, const struct user_cfg *c)
{
	struct target t = { c->uid, c->gid, NULL, { 0 }, 0 };
	const char *cwd = hs_json_get_string(ctx->process, "cwd");
	const struct hs_json *m;
	uid_t uid = 0, u;
	gid_t gid = 0, g = 0;

	if (!ctx->config && ctx->container && container_target(ctx, c, &t))
		return t;
	if (!c->data_owner || !ctx->config || !cwd || cwd[0] != '/')
		return t;
	if ((uid = cwd_owner(ctx, cwd, &gid)) != 0) {
		t.why = hs_arena_printf(ctx->arena, "the owner of the working directory %s", cwd);
	} else {
		hs_json_foreach_item(m, hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY), i) {
			if (!is_bind(m) || is_ro(m) || !(u = source_owner(ctx, m, &g)))
				continue;
			if (uid && u != uid) /* two owners: no single answer, and no reason */
				return (struct target){ c->uid, c->gid, NULL, { 0 }, 0 };
			uid = u;
			gid = g;
			t.why = hs_arena_printf(ctx->arena, "the owner of the volume at %s",
						hs_json_get_string(m, "destination") ?: "?");
		}
	}
	if (!uid || !t.why) {
		t = (struct target){ c->uid, c->gid, NULL, { 0 }, 0 };
		fresh_target(ctx, c, &t);
		return t;
	}
	t.uid = (uint32_t)uid;
	t.gid = gid ? (uint32_t)gid : c->gid;
	return t;
}

/* A user namespace the config makes, whose mapping gives container id 0 a host id (never
 * host 0: check_mappings refuses that): id 0 inside is not the host's root. Remapping it
 * would only pick an id the mapping may not have (the runtime then fails to start). */
static bool id0_mapped(struct hs_check_ctx *ctx, const char *key)
{
	uint32_t host;

	/* exec: the process joins the container's own user namespace */
	return hs_userns_host_id(ctx->config ? ctx->config : ctx->container, key, 0, &host) &&
	       host != 0;
}

/* What a refusal (or a warning) of root tells the user to do: the engine's flag or the
 * Kubernetes field, and which user, when the image has a service user owning its data. */
static const char *root_fix(struct hs_check_ctx *ctx, uint32_t uid, uint32_t gid, const char *why)
{
	const char *s =
	    hs_arena_printf(ctx->arena,
			    ": run it as a non-root user (Podman/Docker --user UID:GID, "
			    "Kubernetes securityContext runAsUser and runAsGroup)%s%u:%u%s%s",
			    why ? "; this image's would be "
				: "; e.g. the image's own service "
				  "user when one owns its working or "
				  "data directory, else ",
			    uid, gid, why ? ", " : "", why ? why : "");

	return s ? s : "";
}

/* uid or gid field: 0 (or absent, which the runtimes read as 0) becomes the policy's id. */
static int check_id(struct hs_check_ctx *ctx, const struct user_cfg *c, struct hs_json *user,
		    const char *key, const char *rule, const struct target *t)
{
	uint32_t to = key[0] == 'u' ? t->uid : t->gid;
	const char *why = t->why;
	const struct hs_json *v = hs_json_get(user, key);
	uint64_t id = 0;
	const char *path = ppath(ctx, hs_arena_printf(ctx->arena, "user.%s", key));
	int r;

	if (!path)
		return -ENOMEM;
	if (v && hs_json_get_u64(v, UINT32_MAX, &id) < 0)
		return 0; /* the schema refused it already */
	if (id != 0)
		return 0;
	if (id0_mapped(ctx, key[0] == 'u' ? "uidMappings" : "gidMappings"))
		return 0;
	if (c->action != HS_ACTION_REWRITE)
		r = hs_finding(ctx, rule, path, c->action, "%s is 0 (root%s)%s", key,
			       v ? "" : ", by default when absent",
			       root_fix(ctx, t->uid, t->gid, why));
	else
		r = hs_finding(ctx, rule, path, c->action, "%s is 0 (root%s): remapped to %u%s%s",
			       key, v ? "" : ", by default when absent", to, why ? ", " : "",
			       why ? why : "");
	if (r == HS_ACTION_REWRITE &&
	    hs_json_set(ctx->arena, user, key, hs_json_new_u64(ctx->arena, to)) < 0)
		return -ENOMEM;
	return r < 0 ? r : 0;
}

static int check_groups(struct hs_check_ctx *ctx, const struct user_cfg *c, struct hs_json *user)
{
	struct hs_json *gids = hs_json_get_type(user, "additionalGids", HS_JSON_ARRAY);
	const struct hs_json *g;
	size_t i = 0, removed = 0;
	int r;

	while (gids && i < gids->u.array.len) {
		uint64_t id;
		char path[256];

		g = gids->u.array.items[i];
		if (hs_json_get_u64(g, UINT32_MAX, &id) < 0 || id != 0) {
			i++;
			continue;
		}
		hs_json_path_index(path, sizeof(path), ppath(ctx, "user.additionalGids"),
				   i + removed);
		r = hs_finding(ctx, "user.additional-gids", path, c->action,
			       "supplementary group 0 (root) gives root's group access%s",
			       c->action == HS_ACTION_REWRITE ? ": removed" : "");
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE) {
			hs_json_array_remove(gids, i);
			removed++;
		} else
			i++;
	}
	return 0;
}

static int check_umask(struct hs_check_ctx *ctx, const struct user_cfg *c, struct hs_json *user)
{
	const struct hs_json *v = hs_json_get(user, "umask");
	uint64_t m;
	int r;

	/* Absent: the runtimes use 0022. */
	if (!v || hs_json_get_u64(v, UINT32_MAX, &m) < 0)
		return 0;
	if ((m & c->umask_bits) == c->umask_bits && m <= 0777)
		return 0;
	r = hs_finding(ctx, "user.umask", ppath(ctx, "user.umask"), c->action,
		       "umask %04llo lets files be created writable by group or others (must "
		       "include %04o)%s",
		       (unsigned long long)m, c->umask_bits,
		       c->action == HS_ACTION_REWRITE ? ": the missing bits are added" : "");
	if (r == HS_ACTION_REWRITE &&
	    hs_json_set(ctx->arena, user, "umask",
			hs_json_new_u64(ctx->arena, (m & 0777) | c->umask_bits)) < 0)
		return -ENOMEM;
	return r < 0 ? r : 0;
}

/* linux.uidMappings / gidMappings: no range may contain host id 0. Whatever uid the process
 * is given inside, the kernel checks files and signals with the host id it maps to; a mapping
 * to host 0 makes a remapped "65534" the host's root. Refused: no rewrite can guess the intent. */
static int check_mappings(struct hs_check_ctx *ctx, const char *key)
{
	const struct hs_json *linux_ = hs_json_get_type(ctx->config, "linux", HS_JSON_OBJECT);
	const struct hs_json *m;

	hs_json_foreach_item(m, hs_json_get_type(linux_, key, HS_JSON_ARRAY), i) {
		uint64_t host, size, inside;
		char path[128];
		int r;

		if (hs_json_get_u64(hs_json_get(m, "hostID"), UINT32_MAX, &host) < 0)
			host = 0; /* absent: Go's zero value */
		if (hs_json_get_u64(hs_json_get(m, "size"), UINT32_MAX, &size) < 0)
			size = 0;
		if (host != 0 || size == 0)
			continue; /* only a range starting at host 0 contains it */
		if (hs_json_get_u64(hs_json_get(m, "containerID"), UINT32_MAX, &inside) < 0)
			inside = 0;
		hs_json_path_index(path, sizeof(path), hs_arena_printf(ctx->arena, "linux.%s", key),
				   i);
		r = hs_finding(ctx, "user.host-root-mapping", path, HS_ACTION_REFUSE,
			       "maps container %s %llu to host %s 0: the process would be the "
			       "host's root whatever its id inside",
			       key[0] == 'u' ? "uid" : "gid", (unsigned long long)inside,
			       key[0] == 'u' ? "uid" : "gid");
		if (r < 0)
			return r;
	}
	return 0;
}

static uint64_t final_id(const struct hs_json *user, const char *key)
{
	uint64_t id = 0;

	if (hs_json_get_u64(hs_json_get(user, key), UINT32_MAX, &id) < 0)
		id = 0;
	return id;
}

/* Has this tmpfs an option "KEY=..." already (the config's owner is kept)? */
static bool has_option(const struct hs_json *opts, const char *key)
{
	const struct hs_json *it;
	size_t n = strlen(key);

	hs_json_foreach_item(it, opts, j) {
		if (it->type == HS_JSON_STRING && !strncmp(it->u.string.s, key, n) &&
		    it->u.string.s[n] == '=')
			return true;
	}
	return false;
}

/* One tmpfs: the uid= and gid= it lacks, added in one rewrite (one finding per mount). */
static int own_one_tmpfs(struct hs_check_ctx *ctx, struct hs_json *m, size_t i, const char *dest,
			 const uint64_t want[2])
{
	static const char *const ids[2] = { "uid", "gid" };
	struct hs_json *opts = hs_json_get_type(m, "options", HS_JSON_ARRAY);
	const char *add[2] = { NULL, NULL };
	char path[64];
	int r;

	for (size_t k = 0; k < 2; k++)
		if (!has_option(opts, ids[k]) &&
		    !(add[k] = hs_arena_printf(ctx->arena, "%s=%llu", ids[k],
					       (unsigned long long)want[k])))
			return -ENOMEM;
	if (!add[0] && !add[1])
		return 0;
	hs_json_path_index(path, sizeof(path), "mounts", i);
	r = hs_finding(ctx, "user.tmpfs-owner", path, HS_ACTION_REWRITE,
		       "tmpfs %s: owned by the process (%s%s%s) so it is writable under runc too",
		       dest, add[0] ? add[0] : "", add[0] && add[1] ? "," : "",
		       add[1] ? add[1] : "");
	if (r != HS_ACTION_REWRITE)
		return r < 0 ? r : 0;
	if (!opts && !(opts = hs_json_ensure_array(ctx->arena, m, "options")))
		return -ENOMEM;
	for (size_t k = 0; k < 2; k++)
		if (add[k] &&
		    hs_json_append(ctx->arena, opts, hs_json_new_string(ctx->arena, add[k])) < 0)
			return -ENOMEM;
	return 0;
}

/* A tmpfs belongs to the uid and gid the process finally runs as. runc gives a tmpfs the
 * mode of the image's directory after mounting it (a mode= option is overwritten) and root
 * as owner, so /run (0755 root) is unwritable to a non-root process there; crun honours
 * mode=1777. uid=/gid= are the kernel's own tmpfs options: both runtimes pass them through,
 * and they are read in the container's user namespace, where the mount is made. The
 * process owning a tmpfs of its own gains nothing it could not write anyway under crun.
 * /dev and below hold the runtime's device nodes and stay root's. */
static int own_tmpfs(struct hs_check_ctx *ctx, const struct hs_json *user)
{
	struct hs_json *mounts = hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY), *m;
	const uint64_t want[2] = { final_id(user, "uid"), final_id(user, "gid") };

	hs_json_foreach_item(m, mounts, i) {
		const char *type = hs_json_get_string(m, "type");
		const char *dest = hs_json_get_string(m, "destination");
		int r;

		if (!type || strcmp(type, "tmpfs") != 0 || !dest ||
		    hs_path_at_or_under(hs_path_clean(ctx->arena, dest) ?: "/dev", "/dev"))
			continue;
		r = own_one_tmpfs(ctx, m, i, dest, want);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The fresh volumes the target came from are given to the process (src/host/volume.c, at
 * create, before the runtime runs): one finding each, so the launch record says which host
 * directory changed owner. Only when the process does run as the target: the rewrite was
 * applied to both ids. */
static int give_fresh(struct hs_check_ctx *ctx, const struct target *t, const struct hs_json *user)
{
	const struct hs_json *mounts = hs_json_get_type(ctx->config, "mounts", HS_JSON_ARRAY);

	if (!t->n_fresh || final_id(user, "uid") != t->uid || final_id(user, "gid") != t->gid)
		return 0;
	for (size_t k = 0; k < t->n_fresh; k++) {
		const struct hs_json *m = mounts->u.array.items[t->fresh[k]];
		char path[64];
		int r;

		hs_json_path_index(path, sizeof(path), "mounts", t->fresh[k]);
		r = hs_finding(ctx, "user.volume-owner",
			       hs_arena_printf(ctx->arena, "%s.source", path) ?: path,
			       HS_ACTION_REWRITE,
			       "empty volume %s (root's, mode 0777, as an engine makes one for a "
			       "VOLUME or an emptyDir) at %s: given to %u:%u before the runtime "
			       "runs, so the process can own its data directory (the directory "
			       "only, nothing below it)",
			       hs_json_get_string(m, "source"),
			       hs_json_get_string(m, "destination"), t->uid, t->gid);
		if (r < 0)
			return r;
	}
	return 0;
}

static int user_check_process(struct hs_check_ctx *ctx, const void *cfg)
{
	const struct user_cfg *c = cfg;
	struct hs_json *user = hs_json_get(ctx->process, "user");
	struct target t;
	int r;

	if (ctx->config) {
		r = check_mappings(ctx, "uidMappings");
		if (r >= 0)
			r = check_mappings(ctx, "gidMappings");
		if (r < 0)
			return r;
	}
	if (user && user->type != HS_JSON_OBJECT)
		return 0;
	if (!user) {
		/* No user at all: the runtimes run the process as 0:0. */
		if (id0_mapped(ctx, "uidMappings") && id0_mapped(ctx, "gidMappings"))
			return 0;
		t = root_target(ctx, c);
		if (c->action != HS_ACTION_REWRITE)
			r = hs_finding(ctx, "user.root", ppath(ctx, "user"), c->action,
				       "no user: the process would run as root (0:0)%s",
				       root_fix(ctx, t.uid, t.gid, t.why));
		else
			r = hs_finding(ctx, "user.root", ppath(ctx, "user"), c->action,
				       "no user: the process would run as root (0:0): set to "
				       "%u:%u%s%s",
				       t.uid, t.gid, t.why ? ", " : "", t.why ? t.why : "");
		if (r != HS_ACTION_REWRITE)
			return r < 0 ? r : 0;
		user = hs_json_ensure_object(ctx->arena, ctx->process, "user");
		if (!user ||
		    hs_json_set(ctx->arena, user, "uid", hs_json_new_u64(ctx->arena, t.uid)) < 0 ||
		    hs_json_set(ctx->arena, user, "gid", hs_json_new_u64(ctx->arena, t.gid)) < 0)
			return -ENOMEM;
		r = ctx->config ? give_fresh(ctx, &t, user) : 0;
		return r < 0 ? r : ctx->config ? own_tmpfs(ctx, user) : 0;
	}
	t = root_target(ctx, c);
	r = check_id(ctx, c, user, "uid", "user.root", &t);
	if (r >= 0)
		r = check_id(ctx, c, user, "gid", "user.root-group", &t);
	if (r >= 0)
		r = check_groups(ctx, c, user);
	if (r >= 0)
		r = check_umask(ctx, c, user);
	if (r >= 0 && ctx->config)
		r = give_fresh(ctx, &t, user);
	if (r >= 0 && ctx->config)
		r = own_tmpfs(ctx, user);
	return r;
}

const struct hs_control hs_control_user = {
	.name = "user",
	.policy_schema = &schema,
	.load = user_load,
	.check_process = user_check_process,
};
