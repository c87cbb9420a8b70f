/* SPDX-License-Identifier: Apache-2.0
 * The invented host of fake-host.h: a flat table of entries, walked by src/host/'s own walk
 * (hs_host_walk: component by component from "/", ordinary symlinks followed with a bound,
 * magic links refused), the table giving its steps. Linear lookups: the tables are tiny. */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#include "fake-host.h"
#include "hs-path.h"
#include "hs-util.h"
#include "../../../src/host/host-internal.h"

#define FAKE_DEV 8

enum fake_kind { FAKE_DIR, FAKE_FILE, FAKE_SYMLINK, FAKE_MAGIC, FAKE_NS };

struct fake_entry {
	char *path;
	enum fake_kind kind;
	uid_t uid;
	gid_t gid;
	mode_t mode;
	struct hs_file_id id;
	char *target; /* FAKE_SYMLINK */
	char *body;   /* FAKE_FILE: what read_root_file reads (NULL: empty) */
	int nstype;   /* FAKE_NS */
};

static const char *const oci_ns_types[] = { "mount",   "pid",    "ipc",  "uts",
					    "network", "cgroup", "user", "time" };
#define N_NS HS_ARRAY_SIZE(oci_ns_types)

struct hs_fake_host {
	struct hs_host host;
	struct fake_entry *entries;
	size_t n, cap;
	ino_t next_ino;
	struct hs_file_id host_ns[2][N_NS];
	bool host_ns_set[2][N_NS];
	enum hs_mac mac;
	char **profiles;
	size_t n_profiles;
	char **contexts;
	size_t n_contexts;
	int fail_canonicalize, fail_file_id, fail_ns_inspect, fail_ns_host, fail_ns_host_pid1,
	    fail_aa, fail_se, fail_mount, fail_read_root_file;
	struct {
		char *target, *fstype;
	} * mounts;
	size_t n_mounts;
	char **busy_cgroups;
	size_t n_busy_cgroups;
	char *own_cgroup; /* NULL: "/" */
	char *self;       /* hardshim's binary; NULL: unknown */
};

int hs_fake_host_oci_nstype(const char *t)
{
	static const int flags[N_NS] = { CLONE_NEWNS,  CLONE_NEWPID,    CLONE_NEWIPC,  CLONE_NEWUTS,
					 CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWUSER, 0x00000080 };
	for (size_t i = 0; t && i < N_NS; i++)
		if (strcmp(t, oci_ns_types[i]) == 0)
			return flags[i];
	return 0;
}

static int ns_index(const char *t)
{
	for (size_t i = 0; t && i < N_NS; i++)
		if (strcmp(t, oci_ns_types[i]) == 0)
			return (int)i;
	return -1;
}

static struct fake_entry *lookup(const struct hs_fake_host *fh, const char *path)
{
	for (size_t i = 0; i < fh->n; i++)
		if (strcmp(fh->entries[i].path, path) == 0)
			return &fh->entries[i];
	return NULL;
}

static int add_entry(struct hs_fake_host *fh, const char *path, enum fake_kind kind, uid_t uid,
		     gid_t gid, mode_t mode, struct fake_entry **ret);

/* Create missing parents as root-owned 0755 directories. */
static int ensure_parents(struct hs_fake_host *fh, const char *path)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (!lookup(fh, p)) {
			int r = add_entry(fh, p, FAKE_DIR, 0, 0, S_IFDIR | 0755, NULL);
			if (r < 0)
				return r;
		}
		*s = '/';
	}
	return 0;
}

static int add_entry(struct hs_fake_host *fh, const char *path, enum fake_kind kind, uid_t uid,
		     gid_t gid, mode_t mode, struct fake_entry **ret)
{
	struct fake_entry *e;
	int r;

	if (!path || path[0] != '/' || (strlen(path) > 1 && path[strlen(path) - 1] == '/'))
		return -EINVAL;
	if (strcmp(path, "/") != 0) {
		r = ensure_parents(fh, path);
		if (r < 0)
			return r;
	}
	e = lookup(fh, path);
	if (e) {
		free(e->target);
		free(e->body);
		e->target = e->body = NULL;
	} else {
		if (fh->n == fh->cap) {
			size_t cap = fh->cap ? fh->cap * 2 : 64;
			struct fake_entry *n = realloc(fh->entries, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			fh->entries = n;
			fh->cap = cap;
		}
		e = &fh->entries[fh->n];
		*e = (struct fake_entry){ .path = strdup(path) };
		if (!e->path)
			return -ENOMEM;
		fh->n++;
		e->id = (struct hs_file_id){ FAKE_DEV, fh->next_ino++ };
	}
	e->kind = kind;
	e->uid = uid;
	e->gid = gid;
	e->mode = mode;
	if (ret)
		*ret = e;
	return 0;
}

int hs_fake_host_add_dir(struct hs_fake_host *fh, const char *path, uid_t uid, gid_t gid,
			 mode_t perm)
{
	return add_entry(fh, path, FAKE_DIR, uid, gid, S_IFDIR | (perm & 07777), NULL);
}

int hs_fake_host_add_file(struct hs_fake_host *fh, const char *path, uid_t uid, gid_t gid,
			  mode_t perm)
{
	return add_entry(fh, path, FAKE_FILE, uid, gid, S_IFREG | (perm & 07777), NULL);
}

int hs_fake_host_add_file_body(struct hs_fake_host *fh, const char *path, uid_t uid, gid_t gid,
			       mode_t perm, const char *body)
{
	struct fake_entry *e;
	int r = add_entry(fh, path, FAKE_FILE, uid, gid, S_IFREG | (perm & 07777), &e);

	if (r < 0)
		return r;
	e->body = strdup(body);
	return e->body ? 0 : -ENOMEM;
}

int hs_fake_host_add_symlink(struct hs_fake_host *fh, const char *path, const char *target)
{
	struct fake_entry *e;
	int r = add_entry(fh, path, FAKE_SYMLINK, 0, 0, S_IFLNK | 0777, &e);

	if (r < 0)
		return r;
	e->target = strdup(target);
	return e->target ? 0 : -ENOMEM;
}

int hs_fake_host_add_magic(struct hs_fake_host *fh, const char *path)
{
	return add_entry(fh, path, FAKE_MAGIC, 0, 0, S_IFLNK | 0777, NULL);
}

int hs_fake_host_add_ns(struct hs_fake_host *fh, const char *path, int nstype, dev_t dev, ino_t ino)
{
	struct fake_entry *e;
	int r = add_entry(fh, path, FAKE_NS, 0, 0, S_IFREG | 0444, &e);

	if (r < 0)
		return r;
	e->nstype = nstype;
	e->id = (struct hs_file_id){ dev, ino };
	return 0;
}

int hs_fake_host_set_id(struct hs_fake_host *fh, const char *path, dev_t dev, ino_t ino)
{
	struct fake_entry *e = lookup(fh, path);

	if (!e)
		return -ENOENT;
	e->id = (struct hs_file_id){ dev, ino };
	return 0;
}

int hs_fake_host_get_id(struct hs_fake_host *fh, const char *path, struct hs_file_id *ret)
{
	struct fake_entry *e = lookup(fh, path);

	if (!e)
		return -ENOENT;
	*ret = e->id;
	return 0;
}

int hs_fake_host_set_host_ns(struct hs_fake_host *fh, const char *oci_type, int which, dev_t dev,
			     ino_t ino)
{
	int i = ns_index(oci_type);

	if (i < 0 || (which != 0 && which != 1))
		return -EINVAL;
	fh->host_ns[which][i] = (struct hs_file_id){ dev, ino };
	fh->host_ns_set[which][i] = true;
	return 0;
}

void hs_fake_host_set_mac(struct hs_fake_host *fh, enum hs_mac mac)
{
	fh->mac = mac;
}

static int push_string(char ***list, size_t *n, const char *s)
{
	char **l = realloc(*list, (*n + 1) * sizeof(char *));

	if (!l)
		return -ENOMEM;
	*list = l;
	l[*n] = strdup(s);
	if (!l[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

int hs_fake_host_add_apparmor_profile(struct hs_fake_host *fh, const char *profile)
{
	return push_string(&fh->profiles, &fh->n_profiles, profile);
}

int hs_fake_host_add_selinux_context(struct hs_fake_host *fh, const char *context)
{
	return push_string(&fh->contexts, &fh->n_contexts, context);
}

int hs_fake_host_add_busy_cgroup(struct hs_fake_host *fh, const char *path)
{
	return push_string(&fh->busy_cgroups, &fh->n_busy_cgroups, path);
}

int hs_fake_host_set_own_cgroup(struct hs_fake_host *fh, const char *path)
{
	free(fh->own_cgroup);
	fh->own_cgroup = strdup(path);
	return fh->own_cgroup ? 0 : -ENOMEM;
}

/* In use: a clean absolute path that is a busy cgroup or an ancestor of one. */
static bool busy(const struct hs_fake_host *fh, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < fh->n_busy_cgroups; i++) {
		const char *b = fh->busy_cgroups[i];

		if (!strcmp(path, "/") || (!strncmp(b, path, n) && (b[n] == '\0' || b[n] == '/')))
			return true;
	}
	return false;
}

/* As the real host: an absolute path as it is; a relative one from / (crun) and below our
 * own cgroup (runc), cleaned. */
static int fake_cgroup_in_use(const struct hs_host *h, const char *path, struct hs_error *err)
{
	const struct hs_fake_host *fh = h->data;
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	const char *abs, *mine;

	if (!a || !(abs = hs_path_clean(a, path)))
		return -ENOMEM;
	if (busy(fh, abs))
		return 1;
	if (path[0] == '/')
		return 0;
	mine = hs_path_clean(a, hs_arena_printf(a, "%s/%s", fh->own_cgroup ? fh->own_cgroup : "/",
						path));
	return !mine ? -ENOMEM : busy(fh, mine);
}

int hs_fake_host_fail(struct hs_fake_host *fh, const char *op, int err)
{
	int e = err > 0 ? -err : err;

	if (strcmp(op, "canonicalize") == 0)
		fh->fail_canonicalize = e;
	else if (strcmp(op, "file_id") == 0)
		fh->fail_file_id = e;
	else if (strcmp(op, "ns_inspect") == 0)
		fh->fail_ns_inspect = e;
	else if (strcmp(op, "ns_host") == 0)
		fh->fail_ns_host = e;
	else if (strcmp(op, "ns_host_pid1") == 0)
		fh->fail_ns_host_pid1 = e;
	else if (strcmp(op, "apparmor_profile_loaded") == 0)
		fh->fail_aa = e;
	else if (strcmp(op, "selinux_context_valid") == 0)
		fh->fail_se = e;
	else if (strcmp(op, "mount_fstype") == 0)
		fh->fail_mount = e;
	else if (strcmp(op, "read_root_file") == 0)
		fh->fail_read_root_file = e;
	else
		return -EINVAL;
	return 0;
}

/* ---- the questions ---- */

static struct hs_fake_host *FH(const struct hs_host *h)
{
	return h->data;
}

/* Under /proc every namespace file is a magic link, as on a real host. */
static bool entry_is_magic(const struct fake_entry *e)
{
	return e->kind == FAKE_MAGIC || (e->kind == FAKE_NS && strncmp(e->path, "/proc/", 6) == 0);
}

/* The steps of the real walk (src/host/canonicalize.c) over the table: a node is an entry.
 * follow_magic: as open(2) does (ns_inspect, file_id): a magic link is then an object where
 * it stands, not a link (it has no target here); else refused, as the real walk refuses it. */
struct fake_walk {
	struct hs_fake_host *fh;
	bool follow_magic;
};

static void fake_component(const struct fake_walk *fw, const struct fake_entry *e,
			   struct hs_path_component *c)
{
	mode_t mode = e->mode;

	/* a namespace file under /proc is a magic link there, as on a real host */
	if (entry_is_magic(e))
		mode = (fw->follow_magic ? S_IFREG : S_IFLNK) | (mode & 07777);
	*c = (struct hs_path_component){ .uid = e->uid, .gid = e->gid, .mode = mode, .id = e->id };
}

static int fake_open_root(void *data, intptr_t *ret_node, struct hs_path_component *ret)
{
	struct fake_walk *fw = data;
	struct fake_entry *e = lookup(fw->fh, "/");

	if (!e)
		return -ENOENT;
	fake_component(fw, e, ret);
	*ret_node = (intptr_t)e;
	return 0;
}

static int fake_open_at(void *data, intptr_t dir, const char *name, intptr_t *ret_node,
			struct hs_path_component *ret)
{
	struct fake_walk *fw = data;
	const struct fake_entry *d = (const struct fake_entry *)dir;
	_cleanup_free_ char *path = NULL;
	struct fake_entry *e;

	if (asprintf(&path, "%s/%s", strcmp(d->path, "/") ? d->path : "", name) < 0)
		return -ENOMEM;
	e = lookup(fw->fh, path);
	if (!e)
		return -ENOENT;
	fake_component(fw, e, ret);
	*ret_node = (intptr_t)e;
	return 0;
}

static ssize_t fake_read_link(void *data, intptr_t dir, intptr_t node, char *buf, size_t size,
			      bool *ret_magic)
{
	const struct fake_entry *e = (const struct fake_entry *)node;
	const char *target = e->target ? e->target : "";
	size_t n = strlen(target);

	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, target, n + 1);
	*ret_magic = entry_is_magic(e);
	return (ssize_t)n;
}

static void fake_release(void *data, intptr_t node) {}

static const struct hs_walk_ops fake_walk_ops = {
	.open_root = fake_open_root,
	.open_at = fake_open_at,
	.read_link = fake_read_link,
	.release = fake_release,
};

static int fake_walk(struct hs_fake_host *fh, struct hs_arena *a, const char *path,
		     bool follow_magic, struct hs_canonical_path *ret, struct hs_error *err)
{
	struct fake_walk fw = { .fh = fh, .follow_magic = follow_magic };

	return hs_host_walk(&fake_walk_ops, &fw, a, path, ret, err);
}

static int fake_canonicalize(const struct hs_host *h, struct hs_arena *a, const char *path,
			     struct hs_canonical_path *ret, struct hs_error *err)
{
	struct hs_fake_host *fh = FH(h);

	if (fh->fail_canonicalize)
		return hs_error_set(err, fh->fail_canonicalize, "host.canonicalize", path, -1,
				    "fake host: canonicalize fails");
	return fake_walk(fh, a, path, false, ret, err);
}

/* As src/host/rootfile.c: the real walk, then the same judgement (hs_host_root_file_judge) on
 * the entry it reached; the body as it was added. */
static int fake_read_root_file(const struct hs_host *h, struct hs_arena *a, const char *path,
			       size_t max, const char **ret, size_t *ret_len, struct hs_error *err)
{
	struct hs_fake_host *fh = FH(h);
	struct hs_canonical_path cp;
	const struct fake_entry *e;
	size_t len;
	int r;

	if (fh->fail_read_root_file)
		return hs_error_set(err, fh->fail_read_root_file, "host.open", path, -1,
				    "fake host: read_root_file fails");
	r = fake_canonicalize(h, a, path, &cp, err);
	if (r < 0)
		return r;
	r = hs_host_root_file_judge(a, path, &cp, err);
	if (r < 0)
		return r;
	e = lookup(fh, cp.path);
	len = e && e->body ? strlen(e->body) : 0;
	if (len > max)
		return hs_error_set(err, -EFBIG, "json.size", "", (long long)max,
				    "input is larger than the limit of %zu bytes", max);
	if (!(*ret = hs_arena_strdup(a, len ? e->body : "")))
		return -ENOMEM;
	*ret_len = len;
	return 0;
}

/* Follow ordinary symlinks and magic links alike (as open(2) does). */
static struct fake_entry *resolve_follow(struct hs_fake_host *fh, const char *path)
{
	struct hs_canonical_path cp;
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();

	if (!a || fake_walk(fh, a, path, true, &cp, NULL) < 0 || !cp.exists)
		return NULL;
	return lookup(fh, cp.path);
}

static int fake_file_id(const struct hs_host *h, const char *path, struct hs_file_id *ret)
{
	struct hs_fake_host *fh = FH(h);
	struct fake_entry *e;

	if (fh->fail_file_id)
		return fh->fail_file_id;
	e = resolve_follow(fh, path);
	if (!e)
		return -ENOENT;
	*ret = e->id;
	return 0;
}

static int fake_ns_inspect(const struct hs_host *h, const char *path, int *ret_nstype,
			   struct hs_file_id *ret_id, struct hs_error *err)
{
	struct hs_fake_host *fh = FH(h);
	struct fake_entry *e;

	if (fh->fail_ns_inspect)
		return hs_error_set(err, fh->fail_ns_inspect, "host.namespace", path, -1,
				    "fake host: ns_inspect fails");
	e = resolve_follow(fh, path);
	if (!e)
		return hs_error_set(err, -ENOENT, "host.namespace", path, -1,
				    "no such namespace file");
	if (e->kind != FAKE_NS)
		return hs_error_set(err, -EINVAL, "host.namespace", path, -1,
				    "not a namespace file");
	*ret_nstype = e->nstype;
	*ret_id = e->id;
	return 0;
}

static int fake_ns_host(const struct hs_host *h, const char *oci_type, int which,
			struct hs_file_id *ret)
{
	struct hs_fake_host *fh = FH(h);
	int i = ns_index(oci_type);

	if (fh->fail_ns_host)
		return fh->fail_ns_host;
	if (fh->fail_ns_host_pid1 && which == 1)
		return fh->fail_ns_host_pid1;
	if (i < 0 || (which != 0 && which != 1))
		return -EINVAL;
	if (!fh->host_ns_set[which][i])
		return -ENOENT;
	*ret = fh->host_ns[which][i];
	return 0;
}

static enum hs_mac fake_mac(const struct hs_host *h)
{
	return FH(h)->mac;
}

static int fake_apparmor_profile_loaded(const struct hs_host *h, const char *profile)
{
	struct hs_fake_host *fh = FH(h);

	if (fh->fail_aa)
		return fh->fail_aa;
	for (size_t i = 0; i < fh->n_profiles; i++)
		if (strcmp(fh->profiles[i], profile) == 0)
			return 1;
	return 0;
}

int hs_fake_host_add_mount(struct hs_fake_host *fh, const char *target, const char *fstype)
{
	void *n = realloc(fh->mounts, (fh->n_mounts + 1) * sizeof(*fh->mounts));

	if (!n)
		return -ENOMEM;
	fh->mounts = n;
	fh->mounts[fh->n_mounts].target = strdup(target);
	fh->mounts[fh->n_mounts].fstype = strdup(fstype);
	if (!fh->mounts[fh->n_mounts].target || !fh->mounts[fh->n_mounts].fstype)
		return -ENOMEM;
	fh->n_mounts++;
	return 0;
}

/* The last-added mount whose target is the path or one of its ancestors (mounts stack). */
static int fake_mount_fstype(const struct hs_host *h, struct hs_arena *a, const char *path,
			     const char **ret, struct hs_error *err)
{
	struct hs_fake_host *fh = FH(h);
	size_t best = 0, best_len = 0;
	bool found = false;

	if (fh->fail_mount)
		return hs_error_set(err, fh->fail_mount, "host.mountinfo", path, -1,
				    "invented failure");
	for (size_t i = 0; i < fh->n_mounts; i++) {
		const char *t = fh->mounts[i].target;
		size_t l = strlen(t);

		if (!(strcmp(t, "/") == 0 ||
		      (strncmp(path, t, l) == 0 && (path[l] == '/' || path[l] == '\0'))))
			continue;
		if (l == 1)
			l = 0;
		if (!found || l >= best_len) {
			best = i;
			best_len = l;
			found = true;
		}
	}
	if (!found)
		return hs_error_set(err, -ENOENT, "host.mountinfo", path, -1, "no mount holds it");
	*ret = hs_arena_strdup(a, fh->mounts[best].fstype);
	return *ret ? 0 : -ENOMEM;
}

static int fake_self_binary(const struct hs_host *h, struct hs_arena *a, const char **ret)
{
	struct hs_fake_host *fh = FH(h);

	if (!fh->self)
		return -ENOENT;
	*ret = hs_arena_strdup(a, fh->self);
	return *ret ? 0 : -ENOMEM;
}

int hs_fake_host_set_self_binary(struct hs_fake_host *fh, const char *path)
{
	free(fh->self);
	fh->self = path ? strdup(path) : NULL;
	return !path || fh->self ? 0 : -ENOMEM;
}

static int fake_selinux_context_valid(const struct hs_host *h, const char *context)
{
	struct hs_fake_host *fh = FH(h);

	if (fh->fail_se)
		return fh->fail_se;
	for (size_t i = 0; i < fh->n_contexts; i++)
		if (strcmp(fh->contexts[i], context) == 0)
			return 1;
	return 0;
}
/* Lexical: ROOT and PATH joined, the entry looked up as it is (no link inside the tree is
 * followed; the real host's RESOLVE_IN_ROOT is tested on real trees). */
static int fake_owner_in_root(const struct hs_host *h, const char *root, const char *path,
			      uid_t *ret_uid, gid_t *ret_gid)
{
	struct hs_fake_host *fh = FH(h);
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	const char *full =
	    a ? hs_arena_printf(a, "%s%s", root, strcmp(path, "/") ? path : "") : NULL;
	const struct fake_entry *e = full ? lookup(fh, full) : NULL;

	if (!e)
		return -ENOENT;
	*ret_uid = e->uid;
	*ret_gid = e->gid;
	return 0;
}

/* Lexical too: no component below ROOT may be a symlink (-ELOOP, as RESOLVE_NO_SYMLINKS
 * answers); the tree is every entry under it up to max_depth, files sized 0. */
static int fake_dir_in_root(const struct hs_host *h, struct hs_arena *a, const char *root,
			    const char *path, size_t max_entries, unsigned max_depth,
			    struct hs_dir_facts *ret)
{
	struct hs_fake_host *fh = FH(h);
	char *full = hs_arena_printf(a, "%s%s", root, strcmp(path, "/") ? path : "");
	const struct fake_entry *e;
	size_t n;

	*ret = (struct hs_dir_facts){ 0 };
	if (!full)
		return -ENOMEM;
	for (size_t k = strlen(root) + 1; k < strlen(full); k++) {
		if (full[k] != '/')
			continue;
		full[k] = 0;
		e = lookup(fh, full);
		full[k] = '/';
		if (e && e->kind == FAKE_SYMLINK)
			return -ELOOP;
	}
	if (!(e = lookup(fh, full)))
		return -ENOENT;
	if (e->kind == FAKE_SYMLINK)
		return -ELOOP;
	if (e->kind != FAKE_DIR)
		return -ENOTDIR;
	ret->uid = e->uid;
	ret->gid = e->gid;
	ret->mode = e->mode;
	n = strlen(full);
	for (size_t i = 0; i < fh->n; i++) {
		const struct fake_entry *x = &fh->entries[i];
		const char *rest;
		unsigned depth = 0;

		if (strncmp(x->path, full, n) != 0 || x->path[n] != '/')
			continue;
		rest = x->path + n + 1;
		for (const char *c = rest; (c = strchr(c, '/')); c++)
			depth++;
		if (depth > max_depth)
			continue;
		if (depth == 0 && x->kind == FAKE_DIR) {
			if (!ret->subdirs &&
			    !(ret->subdirs = hs_arena_alloc(a, fh->n * sizeof(char *))))
				return -ENOMEM;
			ret->subdirs[ret->n_subdirs++] = hs_arena_strdup(a, rest);
		}
		if (++ret->entries > max_entries) {
			ret->over_limit = true;
			break;
		}
		if (x->kind == FAKE_FILE && (x->mode & 0111))
			ret->executable = true;
	}
	return 0;
}

/* ---- construction ---- */

struct hs_fake_host *hs_fake_host_new(void)
{
	struct hs_fake_host *fh = calloc(1, sizeof(*fh));

	if (!fh)
		return NULL;
	fh->next_ino = 2;
	fh->host = (struct hs_host){
		.canonicalize = fake_canonicalize,
		.file_id = fake_file_id,
		.ns_inspect = fake_ns_inspect,
		.ns_host = fake_ns_host,
		.mac = fake_mac,
		.apparmor_profile_loaded = fake_apparmor_profile_loaded,
		.selinux_context_valid = fake_selinux_context_valid,
		.mount_fstype = fake_mount_fstype,
		.cgroup_in_use = fake_cgroup_in_use,
		.owner_in_root = fake_owner_in_root,
		.dir_in_root = fake_dir_in_root,
		.self_binary = fake_self_binary,
		.read_root_file = fake_read_root_file,
		.data = fh,
	};
	fh->self = strdup(HS_FAKE_HOST_SELF);
	if (add_entry(fh, "/", FAKE_DIR, 0, 0, S_IFDIR | 0755, NULL) < 0) {
		hs_fake_host_free(fh);
		return NULL;
	}
	return fh;
}

#define NSFS_DEV    4
#define HOST_NS_INO 4026531835u
#define POD_NS_INO  4026532200u

static int add_proc_pid(struct hs_fake_host *fh, const char *pid, ino_t ns_base)
{
	static const char *const magic[] = { "root", "cwd", "exe", "fd/0", "fd/1", "fd/2", "fd/3" };
	static const char *const proc_names[N_NS] = { "mnt", "pid",    "ipc",  "uts",
						      "net", "cgroup", "user", "time" };
	char p[128];
	int r = 0;

	for (size_t i = 0; r == 0 && i < HS_ARRAY_SIZE(magic); i++) {
		snprintf(p, sizeof(p), "/proc/%s/%s", pid, magic[i]);
		r = hs_fake_host_add_magic(fh, p);
	}
	for (size_t i = 0; r == 0 && i < N_NS; i++) {
		snprintf(p, sizeof(p), "/proc/%s/ns/%s", pid, proc_names[i]);
		r = hs_fake_host_add_ns(fh, p, hs_fake_host_oci_nstype(oci_ns_types[i]), NSFS_DEV,
					ns_base + i);
	}
	return r;
}

struct hs_fake_host *hs_fake_host_new_default(void)
{
	static const char *const root_dirs[] = {
		"/etc/kubernetes",
		"/usr/bin",
		"/usr/sbin",
		"/usr/lib",
		"/usr/lib64",
		"/boot",
		"/var/log",
		"/run/containerd",
		"/run/containers/storage",
		"/run/netns",
		"/var/lib/docker",
		"/var/lib/containerd",
		"/var/lib/containers/storage",
		"/var/lib/kubelet",
		"/var/lib/etcd",
		"/srv/data",
		"/dev",
		"/sys/fs/cgroup",
		"/sys/fs/bpf",
		"/proc",
		"/lib/modules",
	};
	struct hs_fake_host *fh = hs_fake_host_new();
	int r = 0;

	if (!fh)
		return NULL;
	for (size_t i = 0; r == 0 && i < HS_ARRAY_SIZE(root_dirs); i++)
		r = hs_fake_host_add_dir(fh, root_dirs[i], 0, 0, 0755);
	if (r == 0)
		r = hs_fake_host_add_file(fh, "/etc/passwd", 0, 0, 0644);
	if (r == 0)
		r = hs_fake_host_add_file(fh, "/etc/shadow", 0, 42, 0640);
	if (r == 0)
		r = hs_fake_host_add_symlink(fh, "/bin", "usr/bin");
	if (r == 0)
		r = hs_fake_host_add_symlink(fh, "/sbin", "usr/sbin");
	if (r == 0)
		r = hs_fake_host_add_symlink(fh, "/lib64", "usr/lib64");
	if (r == 0)
		r = hs_fake_host_add_dir(fh, "/root", 0, 0, 0700);
	if (r == 0)
		r = hs_fake_host_add_dir(fh, "/home/alice", 1000, 1000, 0755);
	if (r == 0)
		r = hs_fake_host_add_dir(fh, "/tmp", 0, 0, 01777);
	if (r == 0)
		r = hs_fake_host_add_dir(fh, "/var/tmp", 0, 0, 01777);
	if (r == 0)
		r = hs_fake_host_add_symlink(fh, "/var/run", "/run");
	if (r == 0)
		r = hs_fake_host_add_file(fh, "/run/containerd/containerd.sock", 0, 0, 0660);
	if (r == 0)
		r = hs_fake_host_add_file(fh, "/dev/null", 0, 0, 0666);
	if (r == 0)
		r = hs_fake_host_add_ns(fh, "/run/netns/cni-1111", CLONE_NEWNET, NSFS_DEV,
					POD_NS_INO + 4);
	if (r == 0)
		r = hs_fake_host_add_symlink(fh, "/proc/self", "4000");
	if (r == 0)
		r = hs_fake_host_add_symlink(fh, "/proc/mounts", "self/mounts");
	if (r == 0)
		r = add_proc_pid(fh, "1", HOST_NS_INO);
	if (r == 0)
		r = add_proc_pid(fh, "4000", HOST_NS_INO);
	if (r == 0)
		r = add_proc_pid(fh, "4242", POD_NS_INO);
	if (r == 0)
		r = hs_fake_host_add_file(fh, "/proc/4000/mounts", 0, 0, 0444);
	/* /lib is a directory on this host, not a symlink: both shapes must be handled. */
	if (r == 0)
		r = hs_fake_host_add_dir(fh, "/lib", 0, 0, 0755);
	static const char *const mounts[][2] = {
		{ "/", "ext4" },          { "/proc", "proc" },
		{ "/sys", "sysfs" },      { "/sys/fs/cgroup", "cgroup2" },
		{ "/sys/fs/bpf", "bpf" }, { "/dev", "devtmpfs" },
		{ "/run", "tmpfs" },      { "/tmp", "tmpfs" },
	};
	for (size_t i = 0; r == 0 && i < HS_ARRAY_SIZE(mounts); i++)
		r = hs_fake_host_add_mount(fh, mounts[i][0], mounts[i][1]);
	for (size_t i = 0; r == 0 && i < N_NS; i++) {
		r = hs_fake_host_set_host_ns(fh, oci_ns_types[i], 1, NSFS_DEV, HOST_NS_INO + i);
		if (r == 0)
			r = hs_fake_host_set_host_ns(fh, oci_ns_types[i], 0, NSFS_DEV,
						     HOST_NS_INO + i);
	}
	if (r < 0) {
		hs_fake_host_free(fh);
		return NULL;
	}
	return fh;
}

void hs_fake_host_free(struct hs_fake_host *fh)
{
	if (!fh)
		return;
	for (size_t i = 0; i < fh->n; i++) {
		free(fh->entries[i].path);
		free(fh->entries[i].target);
		free(fh->entries[i].body);
	}
	free(fh->entries);
	for (size_t i = 0; i < fh->n_profiles; i++)
		free(fh->profiles[i]);
	free(fh->profiles);
	for (size_t i = 0; i < fh->n_contexts; i++)
		free(fh->contexts[i]);
	free(fh->contexts);
	for (size_t i = 0; i < fh->n_busy_cgroups; i++)
		free(fh->busy_cgroups[i]);
	free(fh->busy_cgroups);
	free(fh->own_cgroup);
	free(fh->self);
	for (size_t i = 0; i < fh->n_mounts; i++) {
		free(fh->mounts[i].target);
		free(fh->mounts[i].fstype);
	}
	free(fh->mounts);
	free(fh);
}

const struct hs_host *hs_fake_host_get(struct hs_fake_host *fh)
{
	return &fh->host;
}
