/* SPDX-License-Identifier: Apache-2.0
 * The runtime command line: the fast path for commands that need no policy, and the policy
 * paths for create/run/restore (here), exec and update (exec.c, update.c). The only place
 * hardshim execs the real runtime; create runs it as a child and waits (wait-runtime.c), so a
 * runtime failure after the launch record is recorded too. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-audit.h"
#include "hs-cli.h"
#include "hs-egress.h"
#include "hs-host.h"

extern char **environ;

/* execve the runtime with hardshim's own argv, environment and fds: the caller (conmon,
 * containerd-shim) keeps its child, its stdio and its signals. */
static int exec_runtime(const struct hs_argv *a, const char *runtime, struct hs_error *err)
{
	a->argv[0] = (char *)runtime;
	execve(runtime, a->argv, environ);
	return hs_error_set(err, -errno, "runtime.exec", runtime, -1,
			    "cannot execute the runtime: %s", strerror(errno));
}

char *hs_absolute(const char *path)
{
	_cleanup_free_ char *cwd = NULL;
	char *r;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (!cwd || asprintf(&r, "%s/%s", cwd, strcmp(path, ".") ? path : "") < 0)
		return NULL;
	if (r[strlen(r) - 1] == '/' && strlen(r) > 1)
		r[strlen(r) - 1] = '\0';
	return r;
}

static const struct hs_source_rules config_rules = {
	.open = "config.open",
	.symlink = "config.symlink",
	.type = "config.type",
	.permissions = "config.permissions",
};

struct hs_source hs_bundle_config(int dirfd, const char *name)
{
	return (struct hs_source){ .kind = HS_SOURCE_FILE,
				   .dirfd = dirfd,
				   .name = name,
				   .where = name,
				   .display = name,
				   .rules = &config_rules };
}

/*
 * Podman --uidmap / --userns=auto chown the container's bundle to the host uid its root maps
 * to (the runtime works in it from inside the user namespace), and make the directories above
 * it searchable by anyone (0711). That uid could rename a config.json of its own over the one
 * judged, between the check and the runtime's read of the same name. So create holds the
 * bundle while it matters: root's, mode 0711 (still searchable, so the runtime can mount from
 * it inside the namespace, but nobody else can rename in it), from before the config is read
 * until the runtime has exited (hs_bundle_release), then gives it back as it was. And the
 * gate admits it only when the config's own user namespace maps container uid 0 to exactly
 * that owner (hs_gate.bundle_owner). run and restore exec the runtime, so nothing would give
 * the bundle back: refused.
 */
/* The held directories: [0] the bundle, then the directories of bind sources that belong to
 * the same owner (Podman's runroot userdata: hosts, resolv.conf, hostname, .containerenv). */
#define HELD_MAX 8
static struct held {
	int dirfd; /* -1: nothing held */
	uid_t uid;
	gid_t gid;
	mode_t mode;
	struct hs_file_id id;
	bool looked; /* check --bundle: chosen as create would, never changed (hs_bundle_as_held) */
} held[HELD_MAX] = { [0 ... HELD_MAX - 1] = { .dirfd = -1 } };

/* Let go of one held directory: given back as it was when create changed it (check only
 * looked), and no longer held. */
static void release_dir(struct held *h)
{
	if (h->dirfd < 0)
		return;
	if (!h->looked)
		hs_give_back(h->dirfd, h->uid, h->gid, h->mode);
	close(TAKE_FD(h->dirfd));
}

void hs_bundle_release(void)
{
	for (size_t i = 0; i < HELD_MAX; i++)
		release_dir(&held[i]);
	hs_restorer_done();
}

/* Make dirfd root's, 0711, remembering how it was; -errno when it is not so afterwards.
 * look (check): only remember. */
static int hold_dir(struct held *h, int dirfd, const struct stat *st, bool look)
{
	struct stat now;
	int r;

	h->uid = st->st_uid;
	h->gid = st->st_gid;
	h->mode = st->st_mode & 07777;
	h->id = (struct hs_file_id){ .dev = st->st_dev, .ino = st->st_ino };
	h->looked = look;
	h->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (h->dirfd < 0)
		return -errno;
	if (look)
		return 0;
	/* the restorer knows it before it changes: a hardshim killed from here on still gives
	 * it back (restorer.c) */
	r = hs_restorer_start();
	if (r == 0)
		r = hs_restorer_hold(h->dirfd, h->uid, h->gid, h->mode);
	if (r < 0)
		return r;
	errno = 0;
	if (fchown(dirfd, 0, st->st_gid) < 0 || fchmod(dirfd, 0711) < 0 || fstat(dirfd, &now) < 0 ||
	    now.st_uid != 0 || (now.st_mode & 07777) != 0711)
		return errno ? -errno : -EPERM;
	return 0;
}

/*
 * check --bundle predicts create (tests/integration/policy-corpus.bats loops over both), and
 * create judges a user-namespace bundle after holding it. So check chooses the directories
 * create would hold, changes nothing, and judges every path through a host on which exactly
 * those directories (by identity, not by name) read root's, 0711. Nothing else reads
 * differently: a directory create would not hold is judged as it is, in both.
 */
static int look_canonicalize(const struct hs_host *h, struct hs_arena *a, const char *path,
			     struct hs_canonical_path *ret, struct hs_error *err)
{
	/* h is the view's own host, its first member */
	const struct hs_held_view *view = (const struct hs_held_view *)h;
	int r = view->base->canonicalize(view->base, a, path, ret, err);

	for (size_t k = 0; r >= 0 && k < ret->n_components; k++) {
		struct hs_path_component *c = &ret->components[k];

		for (size_t i = 0; i < HELD_MAX; i++)
			if (held[i].dirfd >= 0 && held[i].id.dev == c->id.dev &&
			    held[i].id.ino == c->id.ino) {
				c->uid = 0;
				c->mode = (c->mode & S_IFMT) | 0711;
			}
	}
	return r;
}

const struct hs_host *hs_bundle_as_held(const struct hs_host *base, struct hs_held_view *view)
{
	if (held[0].dirfd < 0 || !held[0].looked)
		return base;
	view->base = base;
	view->host = *base;
	view->host.canonicalize = look_canonicalize;
	return &view->host;
}

static int hold_bundle(int dirfd, const struct stat *st, const char *bundle_abs, bool look,
		       struct hs_error *err)
{
	int r = hold_dir(&held[0], dirfd, st, look);

	if (r < 0) {
		hs_bundle_release();
		return hs_error_set(err, r, "bundle.permissions", bundle_abs, -1,
				    "owned by uid %u (a user-namespace bundle): cannot hold it "
				    "for the create: %s",
				    (unsigned)st->st_uid, strerror(-r));
	}
	return 0;
}

/* Hold one bind source's directory when it is the bundle owner's (and no one else's to
 * write): the mounts control then judges it root's, as it is until the runtime exits. */
static void hold_source_dir(const char *src)
{
	char dir[PATH_MAX], *slash;
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t i;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", src) >= sizeof(dir) ||
	    !(slash = strrchr(dir, '/')) || slash == dir)
		return;
	*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != held[0].uid || (st.st_mode & 0022))
		return;
	for (i = 0; i < HELD_MAX && held[i].dirfd >= 0; i++) {
		struct stat h;

		if (fstat(held[i].dirfd, &h) == 0 && h.st_dev == st.st_dev && h.st_ino == st.st_ino)
			return; /* held already */
	}
	/* not held: given back now, and the mounts control refuses it as the owner's */
	if (i < HELD_MAX && hold_dir(&held[i], fd, &st, held[0].looked) < 0)
		release_dir(&held[i]);
}

/* The gate's step between the read and the judgement, for a held user-namespace bundle: the
 * engine made the bind sources' directory the mapped root's too, who could swap a source
 * between the check and the runtime's mount. Nothing is decided here: what is not held is
 * judged as it is (mounts.source-replaceable). */
int hs_bundle_hold_sources(struct hs_gate *g, struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *a = NULL;
	struct hs_error perr = HS_ERROR_INIT;
	struct hs_json *config;
	const struct hs_json *m;

	(void)err;
	if (held[0].dirfd < 0 || !(a = hs_arena_new()) ||
	    hs_json_parse(a, g->original, g->original_len, &g->policy->limits, &config, &perr) < 0)
		return 0; /* the pipeline refuses what does not parse */
	hs_json_foreach_item(m, hs_json_get_type(config, "mounts", HS_JSON_ARRAY), i) {
		const char *src = hs_json_get_string(m, "source");

		if (src && src[0] == '/')
			hold_source_dir(src);
	}
	return 0;
}

static int check_bundle_owner(int dirfd, const struct stat *st, const char *bundle_abs,
			      enum hs_bundle_userns userns, uid_t *ret_owner, struct hs_error *err)
{
	*ret_owner = 0;
	if (st->st_uid == 0 || st->st_uid == geteuid() || (st->st_mode & 0022))
		return hs_check_owner(st, "bundle.permissions", bundle_abs, err);
	if (userns == HS_BUNDLE_ROOT_ONLY)
		return hs_error_set(err, -HS_EPOLICY, "bundle.permissions", bundle_abs, -1,
				    "owned by uid %u, not by root: it could be changed after the "
				    "check (a user-namespace bundle, owned by the uid its root "
				    "maps to, is admitted on create, not here)",
				    (unsigned)st->st_uid);
	*ret_owner = st->st_uid;
	return hold_bundle(dirfd, st, bundle_abs, userns == HS_BUNDLE_USERNS_LOOK, err);
}

enum hs_decision hs_bundle_open(const char *bundle, char **ret_abs, int *ret_dirfd, struct stat *st,
				enum hs_bundle_userns userns, uid_t *ret_owner,
				struct hs_error *err)
{
	_cleanup_free_ char *bundle_abs = hs_absolute(bundle);
	_cleanup_close_ int dirfd = -1;

	if (!bundle_abs)
		return hs_decide(err, HS_DECISION_ERROR, -ENOMEM, "internal", "", -1,
				 "out of memory");
	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return hs_decide(err, HS_DECISION_REFUSE, -errno,
				 errno == ELOOP || errno == ENOTDIR ? "bundle.symlink"
								    : "bundle.open",
				 bundle_abs, -1, "cannot open the bundle: %s",
				 errno == ELOOP || errno == ENOTDIR
				     ? "not a directory (or a symlink)"
				     : strerror(errno));
	if (fstat(dirfd, st) < 0)
		return hs_decide(err, HS_DECISION_ERROR, -errno, "bundle.open", bundle_abs, -1,
				 "cannot stat the bundle: %s", strerror(errno));
	if (check_bundle_owner(dirfd, st, bundle_abs, userns, ret_owner, err) < 0)
		return HS_DECISION_REFUSE;
	*ret_abs = TAKE_PTR(bundle_abs);
	*ret_dirfd = TAKE_FD(dirfd);
	return HS_DECISION_ALLOW;
}

/* The gate's last step on create/run: a container that joins an existing network namespace
 * gets its egress rules from here, before the runtime runs (hs_egress_at_create; the egress
 * control left no hook in the config). A failure stops the create, recorded as an error. In
 * audit mode the runtime gets the engine's config, with no hook, and nothing is installed:
 * as before. */
static int install_egress(struct hs_gate *g, struct hs_error *err)
{
	const struct hs_egress_cfg *cfg = hs_egress_in_force(g->pl.controls);
	const char *path;

	if (!cfg || g->policy->mode == HS_MODE_AUDIT || !g->pl.tree ||
	    !hs_egress_at_create(g->pl.tree, true, g->event == HS_EVENT_RESTORE, &path))
		return 0;
	return hs_egress_install_at(cfg, path, err);
}

/* After the egress step: each fresh volume the user control gave the process
 * (user.volume-owner) becomes its uid's and gid's, judged again on the opened directory
 * (hs_host_give_volume): the config was read moments ago, the host may have changed since.
 * A failure stops the create, recorded as an error. Audit mode changes nothing on the host. */
static int give_volumes(struct hs_gate *g, struct hs_error *err)
{
	const struct hs_json *mounts, *user;
	uint64_t uid = 0, gid = 0;

	if (g->policy->mode == HS_MODE_AUDIT || !g->pl.tree || !g->pl.report)
		return 0;
	mounts = hs_json_get_type(g->pl.tree, "mounts", HS_JSON_ARRAY);
	user = hs_json_get(hs_json_get(g->pl.tree, "process"), "user");
	for (size_t k = 0; k < g->pl.report->len; k++) {
		const struct hs_finding *f = &g->pl.report->items[k];
		size_t i;
		char tail;
		int r;

		if (strcmp(f->rule, "user.volume-owner") != 0 || f->action != HS_ACTION_REWRITE)
			continue;
		if (sscanf(f->path, "mounts[%zu].sourc%c", &i, &tail) != 2 || tail != 'e' ||
		    !mounts || i >= mounts->u.array.len ||
		    hs_json_get_u64(hs_json_get(user, "uid"), UINT32_MAX, &uid) < 0 ||
		    hs_json_get_u64(hs_json_get(user, "gid"), UINT32_MAX, &gid) < 0)
			return hs_error_set(err, -EINVAL, "internal", f->path, -1,
					    "user.volume-owner: no such mount or user");
		r = hs_host_give_volume(hs_json_get_string(mounts->u.array.items[i], "source"),
					(uid_t)uid, (gid_t)gid, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Did the check leave RULE (a rewrite, at path) for create to do after the runtime's create?
 * The control that made the finding left no hook in the config for it. */
static bool after_create_finding(const struct hs_report *rep, const char *rule, const char *path)
{
	for (size_t k = 0; rep && k < rep->len; k++)
		if (!strcmp(rep->items[k].rule, rule) && !strcmp(rep->items[k].path, path) &&
		    rep->items[k].action == HS_ACTION_REWRITE)
			return true;
	return false;
}

void hs_after_create_done(struct hs_after_create *ac)
{
	if (!ac)
		return;
	hs_arena_free(ac->arena);
	*ac = (struct hs_after_create){ 0 };
}

/* The devices deny (devices.runtime-grants at linux.resources.devices) for exactly the rules
 * the runtime was given, and the egress rules (egress.after-create) for a namespace the
 * runtime makes: hs_runtime_wait does both once the runtime's create has succeeded. Audit
 * mode hands the runtime the engine's config and changes nothing: neither, as before. */
static int plan_after_create(const struct hs_gate *g, struct hs_after_create *ac)
{
	const struct hs_egress_cfg *cfg = hs_egress_in_force(g->pl.controls);
	const struct hs_json *res;

	hs_after_create_done(ac);
	if (g->policy->mode == HS_MODE_AUDIT || !g->pl.tree)
		return 0;
	if (after_create_finding(g->pl.report, "devices.runtime-grants",
				 "linux.resources.devices")) {
		res = hs_json_get(hs_json_get(g->pl.tree, "linux"), "resources");
		ac->n_deny =
		    hs_devices_runtime_denies(hs_json_get_type(res, "devices", HS_JSON_ARRAY),
					      ac->deny, HS_ARRAY_SIZE(ac->deny));
	}
	if (cfg && after_create_finding(g->pl.report, "egress.after-create", "linux.namespaces")) {
		if (!(ac->arena = hs_arena_new()) ||
		    !(ac->egress = hs_arena_alloc(ac->arena, sizeof(*ac->egress))) ||
		    hs_egress_cfg_copy(ac->arena, cfg, ac->egress) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* create's last steps, in order: nothing is changed on the host for a refused config. */
static int commit_create(struct hs_gate *g, struct hs_error *err)
{
	struct hs_after_create *after = (struct hs_after_create *)g->data;
	int r = install_egress(g, err);

	if (r >= 0)
		r = give_volumes(g, err);
	if (r >= 0 && after && hs_runtime_waits(g->argv) && (r = plan_after_create(g, after)) < 0)
		hs_error_set(err, r, "internal", "", -1, "out of memory");
	return r;
}

enum hs_decision hs_create_prepare(struct hs_argv *a, const struct hs_policy *p,
				   struct hs_after_create *after, struct hs_error *err)
{
	const char *bundle = hs_argv_value(a, "bundle");
	const char *name = hs_argv_value(a, "config");
	_cleanup_free_ char *bundle_abs = NULL;
	_cleanup_close_ int dirfd = -1;
	struct hs_engine_facts facts;
	struct hs_gate g;
	enum hs_decision d;
	struct stat st = { 0 };
	uid_t owner = 0;

	if (!bundle)
		bundle = "."; /* containerd runs create with the bundle as cwd */
	if (!name)
		name = "config.json";
	else if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
		return hs_decide(err, HS_DECISION_REFUSE, -HS_EUSAGE, "cli.bad-value", "--config",
				 -1, "must name a file in the bundle");
	d = hs_bundle_open(bundle, &bundle_abs, &dirfd, &st,
			   hs_runtime_waits(a) ? HS_BUNDLE_USERNS_HOLD : HS_BUNDLE_ROOT_ONLY,
			   &owner, err);
	if (d != HS_DECISION_ALLOW)
		return d;
	if (hs_argv_value(a, "config")) {
		struct stat cwd;

		/* crun opens --config FILE from the cwd, not from the bundle: only when the two
		 * are one directory is the file checked here the one the runtime reads. */
		if (stat(".", &cwd) < 0 || cwd.st_dev != st.st_dev || cwd.st_ino != st.st_ino)
			return hs_decide(err, HS_DECISION_REFUSE, -HS_EUSAGE, "cli.config-cwd",
					 "--config", -1,
					 "--config %s: crun reads it from the working "
					 "directory, "
					 "which is not the bundle %s",
					 name, bundle_abs);
	}

	hs_engine_facts_get("/proc", getppid(), bundle_abs, a->argv[a->first_positional], &facts);
	g = (struct hs_gate){
		.argv = a,
		.policy = p,
		.schema = &hs_oci_spec,
		.event = a->cmd->event,
		.bundle = bundle_abs,
		.bundle_owner = owner,
		.container_id = a->argv[a->first_positional],
		.systemd_cgroup = a->systemd_cgroup,
		.sandbox_id = facts.sandbox_id[0] ? facts.sandbox_id : NULL,
		.pod_uid = facts.pod_uid[0] ? facts.pod_uid : NULL,
		.source = hs_bundle_config(dirfd, name),
		.delivery = HS_DELIVER_REWRITE,
		.egress_at_create = true,
		.before = hs_bundle_hold_sources,
		.commit = commit_create,
		.data = after,
		.keep_original = "config.json.orig",
		/* Neither name is fsync'ed: the runtime reads the new config from the page
		 * cache within milliseconds, and a container does not outlive a crash: whatever
		 * starts it again runs `create` through hardshim again, which judges whatever
		 * config.json then holds (the engine's, hardshim's, or an empty file, refused).
		 * Each fsync cost the create path a disk flush (docs/performance-log.md); the launch
		 * record stays durable before the runtime runs. */
		.no_fsync = true,
	};
	d = hs_gate_run(&g, err);
	hs_gate_done(&g);
	return d;
}

/* A command line hardshim does not understand (a newer runtime's option, a command it does
 * not know) is refused in enforce mode: it cannot be judged. Audit mode observes and must
 * not break what the runtime would run: record it and hand it on as it came. */
static void audit_pass_through(const char *policy_file, struct hs_argv *a,
			       const struct hs_error *why)
{
	_cleanup_policy_ struct hs_policy *p = NULL;
	_cleanup_report_ struct hs_report *rep = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_check_ctx ctx;

	if (hs_policy_load(policy_file, &p, &err) < 0 || p->mode != HS_MODE_AUDIT ||
	    !(rep = hs_report_new()))
		return;
	ctx = (struct hs_check_ctx){ .report = rep };
	if (hs_finding(&ctx, why->rule[0] ? why->rule : "cli.arguments", why->path, HS_ACTION_WARN,
		       "%s (audit mode: handed to the runtime as it came)", why->msg) < 0)
		return;
	{
		struct hs_launch l = {
			.event = a->cmd ? a->cmd->event : HS_EVENT_COMMAND,
			.verdict = HS_VERDICT_ALLOWED,
			.report = rep,
		};

		if (hs_gate_record(a, p, &l, HS_DECISION_ALLOW, &err) != HS_DECISION_ALLOW)
			return; /* not recorded (and not failing open): nothing runs unrecorded */
	}
	exec_runtime(a, p->runtime, &err);
}

/* The decision on a command that needs the policy, recorded. */
static enum hs_decision judge_command(struct hs_argv *a, const struct hs_policy *p,
				      struct hs_after_create *after, struct hs_error *err)
{
	enum hs_decision d;

	switch (a->cmd->kind) {
	case HS_CMD_CREATE: d = hs_create_prepare(a, p, after, err); break;
	case HS_CMD_EXEC: d = hs_exec_prepare(a, p, err); break;
	case HS_CMD_UPDATE: d = hs_update_prepare(a, p, err); break;
	default:
		d = hs_decide(err, HS_DECISION_ERROR, -EINVAL, "internal", a->cmd->name, -1,
			      "no policy path for this command");
	}
	/* AUDIT: every decision leaves a record. The gate writes it for every document it
	 * judged; this records a refusal that came before any (an unreadable bundle, a bad
	 * flag), through the same writer. */
	if (!(a->mark && a->mark->recorded)) {
		struct hs_launch l = {
			.event = a->cmd->event,
			.verdict = d == HS_DECISION_ALLOW ? HS_VERDICT_ALLOWED : HS_VERDICT_REFUSED,
			.error = d != HS_DECISION_ALLOW && err->code ? err : NULL,
		};

		d = hs_gate_record(a, p, &l, d, err);
	}
	return d;
}

int hs_cmd_runtime(const char *policy_file, int argc, char **argv)
{
	_cleanup_policy_ struct hs_policy *policy = NULL;
	_cleanup_free_ char *runtime = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_audit_mark mark = { 0 };
	/* create's work after the runtime's create: the pipeline plans, hs_runtime_wait does */
	_cleanup_(hs_after_create_done) struct hs_after_create after = { 0 };
	struct hs_argv a;
	int r;

	r = hs_argv_parse(argc, argv, &a, &err);
	a.mark = &mark; /* what this command records, for judge_command and hs_runtime_wait */
	if (r < 0) {
		if (r != -ENOMEM)
			audit_pass_through(policy_file, &a,
					   &err); /* returns only when not in audit mode */
		hs_report_error(&a, &err);
		return 2;
	}
	/* Before hardshim opens anything: the fds the caller means to pass must be its own. */
	if (hs_argv_check_preserve_fds(&a, &err) < 0) {
		hs_report_error(&a, &err);
		return 2;
	}
	if (!a.cmd || a.cmd->kind == HS_CMD_FAST) {
		/* Fast path: which runtime, nothing more. */
		r = hs_policy_load_runtime(policy_file, &runtime, &err);
		if (r >= 0)
			exec_runtime(&a, runtime, &err); /* returns only on failure, err set */
		hs_report_error(&a, &err);
		return 1;
	}

	/* A create writes ~140 KiB of heap (policy, config, findings, the new config) and
	 * ~50 KiB of stack: given at once, not a fault per page. */
	if (a.cmd->kind == HS_CMD_CREATE)
		hs_memory_populate(HS_CREATE_HEAP, HS_CREATE_STACK);
	r = hs_policy_load(policy_file, &policy, &err);
	if (r >= 0 && judge_command(&a, policy, &after, &err) != HS_DECISION_ALLOW)
		hs_bundle_release();
	else if (r >= 0) {
		/* exec returns only on failure, err set; create waits (wait-runtime.c) */
		if (!hs_runtime_waits(&a))
			exec_runtime(&a, policy->runtime, &err);
		else if ((r = hs_runtime_wait(&a, policy, &after)) >= 0) /* releases the bundle */
			return r; /* the runtime's own exit status */
		else
			hs_error_set(&err, r, "runtime.exec", policy->runtime, -1,
				     "cannot execute the runtime: %s", hs_strerror(r));
	}
	if (err.code == 0)
		hs_error_set(&err, -HS_EPOLICY, "internal", "", -1, "refused");
	hs_report_error(&a, &err);
	return 1;
}
