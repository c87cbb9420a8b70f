/* SPDX-License-Identifier: Apache-2.0
 * `hardshim check`'s summary: what the hardened container will be able to do, read from the
 * config as the runtime will get it, so that a CI run predicts the failures a default policy
 * causes (a data directory the final uid cannot write, a tmpfs that hides the engine's
 * mounts, a port it cannot bind, a limit it did not ask for) instead of burying them in a
 * list of rewrites. Only words depend on this file: it decides nothing. */
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "hs-cli.h"
#include "hs-egress.h"
#include "hs-path.h"

struct who {
	uint32_t uid, gid;
	const struct hs_json *gids; /* additionalGids */
	bool dac_override;          /* holds CAP_DAC_OVERRIDE: permission bits do not apply */
};

struct summary {
	struct hs_arena *a;
	struct hs_json *root, *writable, *warnings;
	const struct hs_json *tree;
	const struct hs_report *rep;
	const struct hs_control_cfg *controls; /* the sections in force, or NULL */
	struct who who;
	bool crun;
	int rootfd; /* the image's root, when the bundle is at hand, else -1 */
};

static int set_str(struct summary *s, struct hs_json *o, const char *k, const char *v)
{
	return hs_json_set(s->a, o, k,
			   v ? hs_json_new_string(s->a, v) : hs_json_new(s->a, HS_JSON_NULL));
}

static int warn(struct summary *s, const char *rule, const char *path, const char *fmt, ...)
    HS_PRINTF(4, 5);
static int warn(struct summary *s, const char *rule, const char *path, const char *fmt, ...)
{
	struct hs_json *o = hs_json_new(s->a, HS_JSON_OBJECT);
	char msg[HS_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!o || set_str(s, o, "rule", rule) < 0 || set_str(s, o, "path", path) < 0 ||
	    set_str(s, o, "message", msg) < 0 || hs_json_append(s->a, s->warnings, o) < 0)
		return -ENOMEM;
	return 0;
}

static bool has_finding(const struct hs_report *rep, const char *rule)
{
	for (size_t i = 0; i < rep->len; i++)
		if (!strcmp(rep->items[i].rule, rule))
			return true;
	return false;
}

static bool has_string(const struct hs_json *arr, const char *s)
{
	const struct hs_json *v;

	hs_json_foreach_item(v, arr, i)
		if (hs_json_is(v, HS_JSON_STRING) && !strcmp(v->u.string.s, s))
			return true;
	return false;
}

static uint32_t get_u32(const struct hs_json *obj, const char *key, uint32_t dflt)
{
	uint64_t v;

	if (hs_json_get_u64(hs_json_get(obj, key), UINT32_MAX, &v) < 0)
		return dflt;
	return (uint32_t)v;
}

/* "key=value" in a mount's options, as a number in base (8 for mode). */
static bool mount_opt(const struct hs_json *opts, const char *key, int base, unsigned long *ret)
{
	size_t n = strlen(key);
	const struct hs_json *v;

	hs_json_foreach_item(v, opts, i) {
		char *end;

		if (!hs_json_is(v, HS_JSON_STRING) || strncmp(v->u.string.s, key, n) ||
		    v->u.string.s[n] != '=')
			continue;
		*ret = strtoul(v->u.string.s + n + 1, &end, base);
		return *end == '\0';
	}
	return false;
}

/* The image's own directory at path, looked up inside the root (never outside it). */
static bool image_stat(const struct summary *s, const char *path, struct stat *st)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd;
	bool ok;

	if (s->rootfd < 0)
		return false;
	fd = (int)syscall(SYS_openat2, s->rootfd, path[0] == '/' ? path + 1 : path, &how,
			  sizeof(how));
	if (fd < 0)
		return false;
	ok = fstat(fd, st) == 0;
	close(fd);
	return ok;
}

static bool may_write(const struct who *w, uint32_t uid, uint32_t gid, unsigned mode)
{
	bool in_group = w->gid == gid;
	const struct hs_json *v;

	hs_json_foreach_item(v, w->gids, i) {
		uint64_t g;

		if (hs_json_get_u64(v, UINT32_MAX, &g) == 0 && g == gid)
			in_group = true;
	}
	if (w->dac_override)
		return true;
	if (w->uid == uid)
		return mode & 0200;
	return in_group ? mode & 0020 : mode & 0002;
}

/* --- user -------------------------------------------------------------------------------- */

static int summarize_user(struct summary *s)
{
	const struct hs_json *proc = hs_json_get_type(s->tree, "process", HS_JSON_OBJECT);
	const struct hs_json *user = hs_json_get_type(proc, "user", HS_JSON_OBJECT);
	const struct hs_json *caps = hs_json_get_type(proc, "capabilities", HS_JSON_OBJECT);
	struct hs_json *o = hs_json_new(s->a, HS_JSON_OBJECT);

	s->who.uid = get_u32(user, "uid", 0);
	s->who.gid = get_u32(user, "gid", 0);
	s->who.gids = hs_json_get_type(user, "additionalGids", HS_JSON_ARRAY);
	s->who.dac_override =
	    has_string(hs_json_get(caps, s->who.uid ? "ambient" : "effective"), "CAP_DAC_OVERRIDE");
	if (!o || hs_json_set(s->a, o, "uid", hs_json_new_u64(s->a, s->who.uid)) < 0 ||
	    hs_json_set(s->a, o, "gid", hs_json_new_u64(s->a, s->who.gid)) < 0 ||
	    hs_json_set(s->a, o, "remapped",
			hs_json_new_bool(s->a, has_finding(s->rep, "user.root"))) < 0 ||
	    hs_json_set(s->a, s->root, "user", o) < 0)
		return -ENOMEM;
	return 0;
}

/* --- writable paths ------------------------------------------------------------------------ */

/* The mounts a process can write to: tmpfs and binds without "ro" (the kernel's own
 * filesystems under /proc, /sys and /dev are the runtime's business). */
static bool is_data_mount(const struct hs_json *m, const char **type)
{
	const char *t = hs_json_get_string(m, "type"), *d = hs_json_get_string(m, "destination");
	const struct hs_json *opts = hs_json_get(m, "options");

	if (!d || has_string(opts, "ro") || hs_path_at_or_under(d, "/proc") ||
	    hs_path_at_or_under(d, "/sys") || !strcmp(d, "/dev") ||
	    hs_path_at_or_under(d, "/dev/pts") || hs_path_at_or_under(d, "/dev/mqueue"))
		return false;
	if (t && !strcmp(t, "tmpfs"))
		*type = "tmpfs";
	else if ((t && !strcmp(t, "bind")) || has_string(opts, "bind") || has_string(opts, "rbind"))
		*type = "bind";
	else
		return false;
	return true;
}

/* Who owns a tmpfs, as this runtime makes it: uid=/gid= from the options (root otherwise);
 * crun uses mode=, runc gives it the mode of the directory it covers in the image. Returns
 * false when that cannot be known here (runc, and no image at hand). */
static bool tmpfs_owner(const struct summary *s, const struct hs_json *m, const char *dest,
			uint32_t *uid, uint32_t *gid, unsigned *mode, const char **from)
{
	const struct hs_json *opts = hs_json_get(m, "options");
	unsigned long v;
	struct stat st;

	*uid = mount_opt(opts, "uid", 10, &v) ? (uint32_t)v : 0;
	*gid = mount_opt(opts, "gid", 10, &v) ? (uint32_t)v : 0;
	*mode = mount_opt(opts, "mode", 8, &v) ? (unsigned)v & 07777 : 01777;
	*from = "mode=";
	if (s->crun)
		return true;
	if (image_stat(s, dest, &st)) {
		*mode = st.st_mode & 07777;
		*from = "the image's directory (runc)";
		return true;
	}
	/* runc creates a missing mountpoint and keeps mode=; with no image here, unknown. */
	if (s->rootfd >= 0) {
		*from = "mode= (no such directory in the image)";
		return true;
	}
	*from = "unknown: runc uses the image directory's mode";
	return false;
}

static int summarize_mount(struct summary *s, const struct hs_json *m, size_t idx)
{
	const char *dest = hs_json_get_string(m, "destination"), *type = NULL, *from = NULL;
	struct hs_json *o;
	char path[64], modebuf[16];
	uint32_t uid, gid;
	unsigned mode;
	bool known;

	if (!is_data_mount(m, &type))
		return 0;
	hs_json_path_index(path, sizeof(path), "mounts", idx);
	o = hs_json_new(s->a, HS_JSON_OBJECT);
	if (!o || set_str(s, o, "path", dest) < 0 || set_str(s, o, "type", type) < 0 ||
	    set_str(s, o, "mount", path) < 0)
		return -ENOMEM;
	if (!strcmp(type, "bind")) {
		if (set_str(s, o, "source", hs_json_get_string(m, "source")) < 0 ||
		    hs_json_set(s->a, o, "writable", hs_json_new(s->a, HS_JSON_NULL)) < 0)
			return -ENOMEM;
		return hs_json_append(s->a, s->writable, o);
	}
	known = tmpfs_owner(s, m, dest, &uid, &gid, &mode, &from);
	snprintf(modebuf, sizeof(modebuf), "%04o", mode);
	if (hs_json_set(s->a, o, "owner", hs_json_new_u64(s->a, uid)) < 0 ||
	    hs_json_set(s->a, o, "group", hs_json_new_u64(s->a, gid)) < 0 ||
	    set_str(s, o, "mode", known ? modebuf : NULL) < 0 ||
	    set_str(s, o, "mode_from", from) < 0 ||
	    hs_json_set(s->a, o, "writable",
			known ? hs_json_new_bool(s->a, may_write(&s->who, uid, gid, mode))
			      : hs_json_new(s->a, HS_JSON_NULL)) < 0 ||
	    hs_json_append(s->a, s->writable, o) < 0)
		return -ENOMEM;
	if (known && !may_write(&s->who, uid, gid, mode))
		return warn(s, "check.mount-not-writable", path,
			    "%s (tmpfs, owner %u:%u, mode %s from %s) is not writable by the final "
			    "user %u:%u",
			    dest, uid, gid, modebuf, from, s->who.uid, s->who.gid);
	return 0;
}

/* /var/run is /run in every image hardshim has met (a symlink): one name for comparisons. */
static const char *alias(const char *p, char *buf, size_t size)
{
	if (hs_path_at_or_under(p, "/var/run")) {
		snprintf(buf, size, "/run%s", p + 8);
		return buf;
	}
	return p;
}

/* A mount placed after another at or above its destination hides it: the earlier one (an
 * engine's secret, /run/.containerenv, the user's own tmpfs) is silently gone. */
static int warn_hidden(struct summary *s, const struct hs_json *mounts)
{
	for (size_t i = 0; i < hs_json_len(mounts); i++) {
		const char *di = hs_json_get_string(mounts->u.array.items[i], "destination");
		char bi[4096], pi[64];

		if (!di || di[0] != '/')
			continue;
		di = alias(di, bi, sizeof(bi));
		for (size_t j = 0; j < i; j++) {
			const char *dj =
			    hs_json_get_string(mounts->u.array.items[j], "destination");
			char bj[4096], pj[64];

			if (!dj || dj[0] != '/' ||
			    !hs_path_at_or_under(alias(dj, bj, sizeof(bj)), di))
				continue;
			hs_json_path_index(pi, sizeof(pi), "mounts", i);
			hs_json_path_index(pj, sizeof(pj), "mounts", j);
			if (warn(s, "check.mount-hidden", pi,
				 "%s at %s hides %s at %s, mounted before it", pi,
				 hs_json_get_string(mounts->u.array.items[i], "destination"), pj,
				 hs_json_get_string(mounts->u.array.items[j], "destination")) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The working directory: where an application that keeps a file "here" (sqlite) writes. */
static int warn_cwd(struct summary *s, const struct hs_json *mounts, bool ro_root)
{
	const struct hs_json *proc = hs_json_get_type(s->tree, "process", HS_JSON_OBJECT);
	const char *cwd = hs_json_get_string(proc, "cwd"), *cover = NULL;
	bool writable_cover = false;
	struct stat st;

	/* "/" is where most images leave it and few write: a warning there would be noise. */
	if (!cwd || cwd[0] != '/' || !strcmp(cwd, "/"))
		return 0;
	for (size_t i = 0; i < hs_json_len(mounts); i++) {
		const struct hs_json *m = mounts->u.array.items[i];
		const char *d = hs_json_get_string(m, "destination"), *type;

		if (d && hs_path_at_or_under(cwd, d)) {
			cover = d;
			writable_cover = is_data_mount(m, &type);
		}
	}
	if (cover && writable_cover)
		return 0; /* its own mount: judged with the writable paths */
	if (cover || ro_root)
		return warn(s, "check.cwd-not-writable", "process.cwd",
			    "%s is on %s%s: the process cannot create files in its working "
			    "directory (give it a volume there, or name it in the policy's "
			    "rootfs.tmpfs)",
			    cwd, cover ? "a read-only mount at " : "the read-only root",
			    cover ? cover : "");
	if (image_stat(s, cwd, &st) && !may_write(&s->who, st.st_uid, st.st_gid, st.st_mode))
		return warn(s, "check.cwd-not-writable", "process.cwd",
			    "%s (owner %u:%u, mode %04o in the image) is not writable by the final "
			    "user %u:%u",
			    cwd, (unsigned)st.st_uid, (unsigned)st.st_gid,
			    (unsigned)(st.st_mode & 07777), s->who.uid, s->who.gid);
	return 0;
}

static int summarize_writable(struct summary *s)
{
	const struct hs_json *mounts = hs_json_get_type(s->tree, "mounts", HS_JSON_ARRAY);
	const struct hs_json *root = hs_json_get_type(s->tree, "root", HS_JSON_OBJECT);
	const struct hs_json *ro = hs_json_get(root, "readonly");
	bool ro_root = hs_json_is(ro, HS_JSON_BOOL) && ro->u.boolean;
	int r = 0;

	if (hs_json_set(s->a, s->root, "root_readonly", hs_json_new_bool(s->a, ro_root)) < 0)
		return -ENOMEM;
	for (size_t i = 0; r >= 0 && i < hs_json_len(mounts); i++)
		r = summarize_mount(s, mounts->u.array.items[i], i);
	if (r >= 0)
		r = warn_hidden(s, mounts);
	if (r >= 0)
		r = warn_cwd(s, mounts, ro_root);
	return r;
}

/* --- capabilities, ports, egress, limits ---------------------------------------------------- */

/* What the process actually holds after exec: root keeps its effective set; any other uid
 * only what is ambient (the kernel clears the rest at exec). */
static int summarize_caps(struct summary *s)
{
	const struct hs_json *proc = hs_json_get_type(s->tree, "process", HS_JSON_OBJECT);
	const struct hs_json *caps = hs_json_get_type(proc, "capabilities", HS_JSON_OBJECT);
	const struct hs_json *held = hs_json_get(caps, s->who.uid ? "ambient" : "effective");
	const struct hs_json *sysctl =
	    hs_json_get_type(hs_json_get(s->tree, "linux"), "sysctl", HS_JSON_OBJECT);
	const char *port = hs_json_get_string(sysctl, "net.ipv4.ip_unprivileged_port_start");
	struct hs_json *o = hs_json_new(s->a, HS_JSON_OBJECT);

	if (!port)
		port = hs_json_get_string(sysctl, "net/ipv4/ip_unprivileged_port_start");
	if (!o ||
	    hs_json_set(s->a, o, "held",
			held ? hs_json_clone(s->a, held) : hs_json_new(s->a, HS_JSON_ARRAY)) < 0 ||
	    hs_json_set(s->a, o, "bounding",
			hs_json_get(caps, "bounding")
			    ? hs_json_clone(s->a, hs_json_get(caps, "bounding"))
			    : hs_json_new(s->a, HS_JSON_ARRAY)) < 0 ||
	    set_str(s, o, "unprivileged_port_start", port) < 0 ||
	    hs_json_set(s->a, s->root, "capabilities", o) < 0)
		return -ENOMEM;
	return 0;
}

/* The egress section as the hook's arguments (hardshim hook egress ARGS..., from args[from])
 * say it. */
static int egress_object(struct summary *s, const struct hs_json *args, size_t from,
			 struct hs_json **ret)
{
	struct hs_json *o, *allow, *deny;

	o = hs_json_new(s->a, HS_JSON_OBJECT);
	allow = hs_json_new(s->a, HS_JSON_ARRAY);
	deny = hs_json_new(s->a, HS_JSON_ARRAY);
	if (!o || !allow || !deny || hs_json_set(s->a, o, "allow", allow) < 0 ||
	    hs_json_set(s->a, o, "deny", deny) < 0)
		return -ENOMEM;
	for (size_t k = from; k + 1 < hs_json_len(args); k += 2) {
		const struct hs_json *ko = args->u.array.items[k], *kv = args->u.array.items[k + 1];
		int r = 0;

		if (!hs_json_is(ko, HS_JSON_STRING) || !hs_json_is(kv, HS_JSON_STRING))
			continue;
		if (!strcmp(ko->u.string.s, "--default"))
			r = set_str(s, o, "default", kv->u.string.s);
		else if (!strcmp(ko->u.string.s, "--rate"))
			r = set_str(s, o, "rate", kv->u.string.s);
		else if (!strcmp(ko->u.string.s, "--allow") || !strcmp(ko->u.string.s, "--deny"))
			r = hs_json_append(s->a, ko->u.string.s[2] == 'a' ? allow : deny,
					   hs_json_clone(s->a, kv));
		if (r < 0)
			return -ENOMEM;
	}
	*ret = o;
	return 0;
}

/* The section in force, when hardshim's create path installs it (no hook in the config:
 * hs_egress_at_create, hs_egress_after_create), as the hook's arguments would carry it. */
static int egress_at_create_args(struct summary *s, struct hs_json **ret)
{
	const struct hs_egress_cfg *cfg = hs_egress_in_force(s->controls);
	static const char *const head[] = { "hardshim", "hook", "egress" };
	struct hs_json *args;
	char **v;
	size_t n;

	*ret = NULL;
	if (!cfg || !(hs_egress_at_create(s->tree, true, false, NULL) ||
		      hs_egress_after_create(s->tree, true, true)))
		return 0;
	if (hs_egress_args(s->a, cfg, &v, &n) < 0 || !(args = hs_json_new(s->a, HS_JSON_ARRAY)))
		return -ENOMEM;
	for (size_t i = 0; i < HS_ARRAY_SIZE(head) + n; i++) {
		const char *str = i < HS_ARRAY_SIZE(head) ? head[i] : v[i - HS_ARRAY_SIZE(head)];

		if (hs_json_append(s->a, args, hs_json_new_string(s->a, str)) < 0)
			return -ENOMEM;
	}
	*ret = args;
	return 0;
}

/* hardshim's egress hook carries the section in force as its arguments (`hook egress ARGS`,
 * or `hook devices-egress RULE... ARGS` when it also runs the devices denies); without the
 * hook, the create path installs it (hs_egress_at_create). */
static int summarize_egress(struct summary *s)
{
	const struct hs_json *hooks = hs_json_get_type(s->tree, "hooks", HS_JSON_OBJECT);
	const struct hs_json *list = hs_json_get_type(hooks, "createRuntime", HS_JSON_ARRAY);
	struct hs_json *o = NULL, *at_create;
	const struct hs_json *h;

	hs_json_foreach_item(h, list, i) {
		const struct hs_json *args = hs_json_get_type(h, "args", HS_JSON_ARRAY);
		size_t from = 3;

		if (hs_json_len(args) < 3 || !hs_json_is(args->u.array.items[2], HS_JSON_STRING))
			continue;
		if (!strcmp(args->u.array.items[2]->u.string.s, "devices-egress"))
			while (from < hs_json_len(args) &&
			       hs_json_is(args->u.array.items[from], HS_JSON_STRING) &&
			       strncmp(args->u.array.items[from]->u.string.s, "--", 2))
				from++;
		else if (strcmp(args->u.array.items[2]->u.string.s, "egress"))
			continue;
		if (egress_object(s, args, from, &o) < 0)
			return -ENOMEM;
	}
	if (!o) {
		if (egress_at_create_args(s, &at_create) < 0 ||
		    (at_create && egress_object(s, at_create, 3, &o) < 0))
			return -ENOMEM;
	}
	return hs_json_set(s->a, s->root, "egress", o ? o : hs_json_new(s->a, HS_JSON_NULL));
}

static int limit(struct summary *s, struct hs_json *o, const char *key, const struct hs_json *v,
		 const char *default_rule)
{
	struct hs_json *l = hs_json_new(s->a, HS_JSON_OBJECT);

	if (!l ||
	    hs_json_set(s->a, l, "value",
			v ? hs_json_clone(s->a, v) : hs_json_new(s->a, HS_JSON_NULL)) < 0 ||
	    hs_json_set(s->a, l, "default",
			hs_json_new_bool(s->a, has_finding(s->rep, default_rule))) < 0 ||
	    hs_json_set(s->a, o, key, l) < 0)
		return -ENOMEM;
	return 0;
}

static int summarize_limits(struct summary *s)
{
	const struct hs_json *res =
	    hs_json_get_type(hs_json_get(s->tree, "linux"), "resources", HS_JSON_OBJECT);
	struct hs_json *o = hs_json_new(s->a, HS_JSON_OBJECT);

	if (!o ||
	    limit(s, o, "memory", hs_json_get(hs_json_get(res, "memory"), "limit"),
		  "resources.memory-unlimited") < 0 ||
	    limit(s, o, "pids", hs_json_get(hs_json_get(res, "pids"), "limit"),
		  "resources.pids-unlimited") < 0 ||
	    hs_json_set(s->a, s->root, "limits", o) < 0)
		return -ENOMEM;
	return 0;
}

bool hs_check_folded(const struct hs_finding *f)
{
	return f->action == HS_ACTION_REWRITE &&
	       (!strncmp(f->rule, "capabilities.", 13) || !strncmp(f->rule, "seccomp.", 8));
}

/* Rewrites per control: many lines of one control ("capabilities.bounding" 38 times) say
 * one thing. */
static int summarize_counts(struct summary *s)
{
	struct hs_json *o = hs_json_new(s->a, HS_JSON_OBJECT);

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < s->rep->len; i++) {
		const struct hs_finding *f = &s->rep->items[i];
		const char *dot = strchr(f->rule, '.');
		char control[64];
		struct hs_json *n;
		uint64_t c = 0;

		if (f->action != HS_ACTION_REWRITE)
			continue;
		snprintf(control, sizeof(control), "%.*s",
			 dot ? (int)(dot - f->rule) : (int)strlen(f->rule), f->rule);
		n = hs_json_get(o, control);
		if (n)
			(void)hs_json_get_u64(n, UINT64_MAX, &c);
		if (hs_json_set(s->a, o, control, hs_json_new_u64(s->a, c + 1)) < 0)
			return -ENOMEM;
	}
	return hs_json_set(s->a, s->root, "rewrites", o);
}

static int open_root(const struct hs_json *tree, const char *bundle_dir)
{
	const char *path = hs_json_get_string(hs_json_get(tree, "root"), "path");
	_cleanup_close_ int dfd = -1;

	if (!path || !bundle_dir)
		return -1;
	if (path[0] == '/')
		return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	dfd = open(bundle_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return dfd < 0 ? -1 : openat(dfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int hs_check_summarize(struct hs_arena *a, const struct hs_policy *p, const struct hs_json *tree,
		       const struct hs_report *rep, const struct hs_control_cfg *controls,
		       const char *bundle_dir, struct hs_json **ret)
{
	const char *rt = strrchr(p->runtime, '/');
	struct summary s = {
		.a = a,
		.tree = tree,
		.rep = rep,
		.controls = controls,
		.crun = strstr(rt ? rt + 1 : p->runtime, "crun") != NULL,
	};
	int r;

	s.root = hs_json_new(a, HS_JSON_OBJECT);
	s.writable = hs_json_new(a, HS_JSON_ARRAY);
	s.warnings = hs_json_new(a, HS_JSON_ARRAY);
	if (!s.root || !s.writable || !s.warnings ||
	    set_str(&s, s.root, "runtime", rt ? rt + 1 : p->runtime) < 0)
		return -ENOMEM;
	s.rootfd = open_root(tree, bundle_dir);
	r = summarize_user(&s);
	if (r >= 0)
		r = summarize_writable(&s);
	if (r >= 0)
		r = hs_json_set(a, s.root, "writable", s.writable);
	if (r >= 0)
		r = summarize_caps(&s);
	if (r >= 0)
		r = summarize_egress(&s);
	if (r >= 0)
		r = summarize_limits(&s);
	if (r >= 0)
		r = summarize_counts(&s);
	if (r >= 0)
		r = hs_json_set(a, s.root, "warnings", s.warnings);
	if (s.rootfd >= 0)
		close(s.rootfd);
	if (r < 0)
		return r;
	*ret = s.root;
	return 0;
}

/* --- text ------------------------------------------------------------------------------------- */

static void print_list(const struct hs_json *arr, const char *none)
{
	const struct hs_json *v;
	size_t n = 0;

	hs_json_foreach_item(v, arr, i)
		if (hs_json_is(v, HS_JSON_STRING))
			printf("%s%s", n++ ? ", " : "", v->u.string.s);
	if (!n)
		printf("%s", none);
}

static void print_writable(const struct hs_json *s)
{
	const struct hs_json *ro = hs_json_get(s, "root_readonly"), *w;
	size_t n = 0;

	hs_json_foreach_item(w, hs_json_get(s, "writable"), i) {
		const struct hs_json *ok = hs_json_get(w, "writable");
		uint64_t o = 0, g = 0;

		printf(n++ ? "                %s " : "  writable      %s ",
		       hs_json_get_string(w, "path"));
		if (!strcmp(hs_json_get_string(w, "type"), "bind")) {
			printf("(bind of host %s: its ownership on the node decides)\n",
			       hs_json_get_string(w, "source"));
			continue;
		}
		(void)hs_json_get_u64(hs_json_get(w, "owner"), UINT32_MAX, &o);
		(void)hs_json_get_u64(hs_json_get(w, "group"), UINT32_MAX, &g);
		printf("(tmpfs %llu:%llu mode %s, from %s): %s\n", (unsigned long long)o,
		       (unsigned long long)g,
		       hs_json_get_string(w, "mode") ? hs_json_get_string(w, "mode") : "?",
		       hs_json_get_string(w, "mode_from"),
		       !hs_json_is(ok, HS_JSON_BOOL) ? "writable by the final user: unknown"
		       : ok->u.boolean               ? "writable by the final user"
						     : "NOT writable by the final user");
	}
	if (!n)
		printf("  writable      nothing mounted writable\n");
	printf("                %s\n", hs_json_is(ro, HS_JSON_BOOL) && ro->u.boolean
					   ? "the root filesystem is read-only"
					   : "the root filesystem is writable");
}

void hs_check_summary_print(const struct hs_json *s)
{
	const struct hs_json *user = hs_json_get(s, "user"), *caps = hs_json_get(s, "capabilities");
	const struct hs_json *eg = hs_json_get(s, "egress"), *lim = hs_json_get(s, "limits");
	const char *port = hs_json_get_string(caps, "unprivileged_port_start");
	const struct hs_json *rm = hs_json_get(user, "remapped");
	const struct hs_json_member *m;
	const struct hs_json *w;
	uint64_t uid = 0, gid = 0;
	size_t n = 0;

	(void)hs_json_get_u64(hs_json_get(user, "uid"), UINT32_MAX, &uid);
	(void)hs_json_get_u64(hs_json_get(user, "gid"), UINT32_MAX, &gid);
	printf("summary (runtime %s):\n", hs_json_get_string(s, "runtime"));
	printf("  user          %llu:%llu%s\n", (unsigned long long)uid, (unsigned long long)gid,
	       hs_json_is(rm, HS_JSON_BOOL) && rm->u.boolean ? " (root in the config: remapped)"
							     : "");
	print_writable(s);
	printf("  capabilities  held: ");
	print_list(hs_json_get(caps, "held"), "none");
	printf("; bounding: ");
	print_list(hs_json_get(caps, "bounding"), "none");
	printf("%s\n", uid && !hs_json_len(hs_json_get(caps, "held")) &&
			       hs_json_len(hs_json_get(caps, "bounding"))
			   ? " (a non-root process holds only what is ambient)"
			   : "");
	printf("  ports         below 1024: %s%s%s\n",
	       !uid || has_string(hs_json_get(caps, "held"), "CAP_NET_BIND_SERVICE") ? "bindable"
	       : port                                                                ? "from "
		      : "not bindable by a non-root process",
	       port && uid ? port : "",
	       port && uid ? " up (net.ipv4.ip_unprivileged_port_start)" : "");
	if (hs_json_is(eg, HS_JSON_OBJECT)) {
		printf("  egress        default %s; allow: ",
		       hs_json_get_string(eg, "default") ? hs_json_get_string(eg, "default") : "?");
		print_list(hs_json_get(eg, "allow"), "nothing");
		if (hs_json_len(hs_json_get(eg, "deny"))) {
			printf("; deny: ");
			print_list(hs_json_get(eg, "deny"), "");
		}
		printf("\n");
	} else {
		printf("  egress        not limited by hardshim (egress control off)\n");
	}
	printf("  limits        ");
	for (const char *const *k = (const char *const[]){ "memory", "pids", NULL }; *k; k++) {
		const struct hs_json *l = hs_json_get(lim, *k), *v = hs_json_get(l, "value");
		const struct hs_json *d = hs_json_get(l, "default");

		printf("%s%s %.*s%s", k[0][0] == 'm' ? "" : ", ", *k,
		       hs_json_is(v, HS_JSON_NUMBER) ? (int)v->u.number.len : 4,
		       hs_json_is(v, HS_JSON_NUMBER) ? v->u.number.text : "none",
		       hs_json_is(d, HS_JSON_BOOL) && d->u.boolean
			   ? " (the policy's default: the config set none)"
			   : "");
	}
	printf("\n  rewrites      ");
	hs_json_foreach_member(m, hs_json_get(s, "rewrites"), i) {
		printf("%s%s %.*s", n++ ? ", " : "", m->key, (int)m->value->u.number.len,
		       m->value->u.number.text);
	}
	printf("%s\n", n ? "" : "none");
	hs_json_foreach_item(w, hs_json_get(s, "warnings"), i)
		printf("warn     %s %s: %s\n", hs_json_get_string(w, "rule"),
		       hs_json_get_string(w, "path"), hs_json_get_string(w, "message"));
}
