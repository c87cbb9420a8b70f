/* SPDX-License-Identifier: Apache-2.0
 * `exec`: a new process in a running container gets the same controls as the container's own
 * (docs/threats.md §4; CVE-2022-29162 and CVE-2022-27650 leaked capabilities through exec).
 *
 * With --process FILE the document goes through the strict pipeline (schema hs_oci_process)
 * and the process controls; it is rewritten beside itself (new file + rename) or refused. The
 * process flags (-u, -c, --cwd, ...) are refused next to --process: runc and crun both ignore
 * them then, so a command line that carries them does not mean what it says.
 *
 * Without --process the runtimes build the process from flags, and differently: runc starts
 * from the container's config.json process and lays the flags over it; crun starts from
 * nothing (uid 0 unless -u) and `--cap X` puts X in all five sets, inheritable and ambient
 * included. So hardshim folds: it builds the process runc would build (config.json's process,
 * flags over it, args from the command line), runs it through the same pipeline, and hands
 * the checked document to the runtime as `--process /proc/self/fd/N` (a sealed memfd that
 * cannot change after the check and leaves nothing on disk), the folded flags and the command
 * removed from argv. Both runtimes then run exactly the checked document.
 */
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hs-audit.h"
#include "hs-cli.h"
#include "hs-host.h"

extern char **environ;

/* The flags that describe the process, and where each lands in the process document. */
static const struct {
	const char *flag;
	const char *json; /* path prefix in the document, for messages */
} process_flags[] = {
	{ "user", "user" },
	{ "additional-gids", "user.additionalGids" },
	{ "cap", "capabilities" },
	{ "cwd", "cwd" },
	{ "env", "env" },
	{ "apparmor", "apparmorProfile" },
	{ "process-label", "selinuxLabel" },
	{ "no-new-privs", "noNewPrivileges" },
	{ "tty", "terminal" },
};

static bool is_process_flag(const char *name)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(process_flags); i++)
		if (!strcmp(process_flags[i].flag, name))
			return true;
	return false;
}

/* A plain decimal id as runc's strconv.Atoi + uint32() would need it to mean the same: no
 * sign, no spaces, no wrap-around (4294967296 is 0 to runc). */
static int parse_id(const char *s, const char *flag, uint32_t *ret, struct hs_error *err)
{
	uint64_t n = 0;

	if (!*s || strlen(s) > 10)
		goto bad;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (n > UINT32_MAX)
		goto bad;
	*ret = (uint32_t)n;
	return 0;
bad:
	return hs_error_set(err, -HS_EUSAGE, "exec.bad-value", flag, -1,
			    "\"%s\" is not a decimal id between 0 and 4294967295", s);
}

/* The option's own token: for "-u VALUE" the parser records the value's index. */
static int opt_token(const struct hs_argv *a, const struct hs_argv_opt *o)
{
	if (o->spec->takes_value && o->index > 0 && o->value == a->argv[o->index])
		return o->index - 1;
	return o->index;
}

/* --- the container's own process, as runc reads it for a flag-only exec --- */

/* The container's bundle, from the runtime's state. */
static int container_bundle(const struct hs_argv *a, const struct hs_policy *p, const char *id,
			    struct hs_arena *ar, const char **ret, struct hs_json **ret_state,
			    struct hs_error *err)
{
	struct hs_json *state;
	const char *bundle;
	int r = hs_runtime_state(p->runtime, a->root, id, "exec.container", ar, &state, err);

	if (r < 0)
		return r;
	bundle = hs_json_get_string(state, "bundle");
	if (!bundle || bundle[0] != '/')
		return hs_error_set(err, -EINVAL, "exec.container", id, -1,
				    "the runtime's state has no absolute bundle path");
	*ret = bundle;
	*ret_state = state;
	return 0;
}

/* The container's config.json as hardshim admitted it at create (the bundle's, root's), and
 * the runtime's state of the container (set as soon as it is known). */
static int container_config(const struct hs_argv *a, const struct hs_policy *p, const char *id,
			    struct hs_arena *ar, struct hs_json **ret, struct hs_json **ret_state,
			    struct hs_error *err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	_cleanup_free_ char *buf = NULL;
	const char *bundle = NULL;
	struct hs_json *config;
	struct stat st;
	size_t len;
	int r;

	r = container_bundle(a, p, id, ar, &bundle, ret_state, err);
	if (r < 0)
		return r;
	if (!bundle) /* not reached: set whenever container_bundle succeeds (for the analyzer) */
		return -EINVAL;
	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return hs_error_set(err, -errno, "exec.container", bundle, -1,
				    "cannot open the container's bundle: %s", strerror(errno));
	fd = openat(dirfd, "config.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0)
		return hs_error_set(err, -errno, "exec.container", bundle, -1,
				    "cannot open the container's config.json: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hs_error_set(err, -EINVAL, "exec.container", bundle, -1,
				    "config.json is not a regular file");
	r = hs_check_owner(&st, "config.permissions", bundle, err);
	if (r < 0)
		return r;
	r = hs_read_fd(fd, p->limits.max_bytes, &buf, &len, err);
	if (r >= 0)
		r = hs_json_parse(ar, buf, len, &p->limits, &config, err);
	if (r >= 0)
		r = hs_schema_check(config, &hs_oci_spec, "", p->unknown_keys, err);
	if (r < 0)
		return r;
	*ret = config;
	return 0;
}

/* A copy of the "process" object of the container's config.json (an empty object when it has
 * none), to fold the flags over; the config itself stays as create left it. */
static int container_process(const struct hs_argv *a, const struct hs_policy *p, const char *id,
			     struct hs_arena *ar, struct hs_json **ret, struct hs_json **ret_config,
			     struct hs_json **ret_state, struct hs_error *err)
{
	const struct hs_json *base;
	int r = container_config(a, p, id, ar, ret_config, ret_state, err);

	if (r < 0)
		return r;
	base = hs_json_get_type(*ret_config, "process", HS_JSON_OBJECT);
	*ret = base ? hs_json_clone(ar, base) : hs_json_new(ar, HS_JSON_OBJECT);
	return *ret ? 0 : -ENOMEM;
}

/* --- folding the flags over the base, as runc's exec.go getProcess does --- */

static int append_string(struct hs_arena *ar, struct hs_json *obj, const char *key, const char *s)
{
	struct hs_json *arr = hs_json_ensure_array(ar, obj, key);

	if (!arr)
		return -EINVAL; /* present with another type: the schema refuses it later */
	return hs_json_append(ar, arr, hs_json_new_string(ar, s));
}

static int fold_flags(const struct hs_argv *a, struct hs_arena *ar, struct hs_json *proc,
		      struct hs_error *err)
{
	struct hs_json *args, *user = NULL, *caps = NULL;
	bool tty = false;
	int r;

	/* args: everything after the container id. */
	if (!(args = hs_json_new(ar, HS_JSON_ARRAY)))
		return -ENOMEM;
	for (int i = a->first_positional + 1; i < a->argc; i++)
		if (hs_json_append(ar, args, hs_json_new_string(ar, a->argv[i])) < 0)
			return -ENOMEM;
	if (hs_json_set(ar, proc, "args", args) < 0)
		return -ENOMEM;

	for (size_t i = 0; i < a->n_opts; i++) {
		const char *name = a->opts[i].spec->name, *v = a->opts[i].value;
		const char *tok = a->argv[opt_token(a, &a->opts[i])];

		if (!strcmp(name, "user")) {
			_cleanup_free_ char *u = strdup(v);
			char *colon;
			uint32_t id;

			if (!u)
				return -ENOMEM;
			if (!(user = hs_json_ensure_object(ar, proc, "user")))
				return hs_error_set(err, -EINVAL, "exec.base", "user", -1,
						    "user is not an object");
			if ((colon = strchr(u, ':'))) {
				*colon = '\0';
				if ((r = parse_id(colon + 1, tok, &id, err)) < 0)
					return r;
				if (hs_json_set(ar, user, "gid", hs_json_new_u64(ar, id)) < 0)
					return -ENOMEM;
			}
			if ((r = parse_id(u, tok, &id, err)) < 0)
				return r;
			if (hs_json_set(ar, user, "uid", hs_json_new_u64(ar, id)) < 0)
				return -ENOMEM;
		} else if (!strcmp(name, "additional-gids")) {
			uint32_t id;

			if ((r = parse_id(v, tok, &id, err)) < 0)
				return r;
			if (!(user = hs_json_ensure_object(ar, proc, "user")))
				return -ENOMEM;
			if (hs_json_append(ar, hs_json_ensure_array(ar, user, "additionalGids"),
					   hs_json_new_u64(ar, id)) < 0)
				return -ENOMEM;
		} else if (!strcmp(name, "cap")) {
			static const char *const sets[] = { "bounding", "effective", "permitted" };

			if (!(caps = hs_json_ensure_object(ar, proc, "capabilities")))
				return -ENOMEM;
			for (size_t k = 0; k < HS_ARRAY_SIZE(sets); k++)
				if (append_string(ar, caps, sets[k], v) < 0)
					return -ENOMEM;
			/* runc: ambient too when the base has an inheritable set. */
			if (hs_json_get(caps, "inheritable") &&
			    append_string(ar, caps, "ambient", v) < 0)
				return -ENOMEM;
		} else if (!strcmp(name, "env")) {
			if (append_string(ar, proc, "env", v) < 0)
				return -ENOMEM;
		} else if (!strcmp(name, "cwd") || !strcmp(name, "apparmor") ||
			   !strcmp(name, "process-label")) {
			const char *key = !strcmp(name, "cwd")        ? "cwd"
					  : !strcmp(name, "apparmor") ? "apparmorProfile"
								      : "selinuxLabel";

			/* runc: an empty value leaves the base's. */
			if (*v && hs_json_set(ar, proc, key, hs_json_new_string(ar, v)) < 0)
				return -ENOMEM;
		} else if (!strcmp(name, "no-new-privs")) {
			if (hs_json_set(ar, proc, "noNewPrivileges",
					hs_json_new_bool(ar, !v || strcmp(v, "false"))) < 0)
				return -ENOMEM;
		} else if (!strcmp(name, "tty")) {
			tty = !v || strcmp(v, "false");
		}
	}
	/* runc: terminal only when -t is given, whatever the config says. */
	return hs_json_set(ar, proc, "terminal", hs_json_new_bool(ar, tty)) < 0 ? -ENOMEM : 0;
}

/* The checked document goes to a descriptor above every one the runtime passes on (stdio,
 * $LISTEN_FDS, --preserve-fds): it reaches the runtime, never the container. */
static int memfd_floor(const struct hs_argv *a)
{
	const char *pf = hs_argv_value(a, "preserve-fds"), *lf = secure_getenv("LISTEN_FDS");
	long min = 3 + (pf ? strtol(pf, NULL, 10) : 0) + (lf ? strtol(lf, NULL, 10) : 0);

	return min < 3 || min > 4096 ? 3 : (int)min;
}

/* One kept option in the spelling runc's flag package and crun's argp read alike: "--name
 * VALUE", or "--name" for a boolean that is on. "-p=FILE" is FILE to Go and "=FILE" to argp,
 * "-pid-file=X" is --pid-file to Go and "-p id-file=X" (a process file) to argp: the
 * spelling the caller chose never reaches the runtime. Returns the tokens added. */
static int canonical_opt(const struct hs_argv_opt *o, char **nv)
{
	char *flag = malloc(strlen(o->spec->name) + 3);

	if (!flag)
		return -ENOMEM;
	/* Lives until execve, like the rest of the rebuilt argv. */
	strcpy(flag, "--");
	strcat(flag, o->spec->name);
	if (!o->spec->takes_value) {
		if (o->value && !strcmp(o->value, "false")) {
			free(flag);
			return 0;
		}
		nv[0] = flag;
		return 1;
	}
	nv[0] = flag;
	nv[1] = (char *)o->value;
	return 2;
}

/* argv for the runtime: global options, "exec", the options kept (console-socket, detach,
 * pid-file, preserve-fds, cgroup, ignore-paused) in canonical spelling, --process PATH, the
 * container id. */
static int rebuild_argv(struct hs_argv *a, const char *process_path)
{
	char **nv = calloc(2 * (size_t)a->argc + 4, sizeof(char *));
	int n = 0;

	if (!nv)
		return -ENOMEM;
	for (int i = 0; i <= a->cmd_index; i++)
		nv[n++] = a->argv[i];
	for (size_t i = 0; i < a->n_opts; i++) {
		const struct hs_argv_opt *o = &a->opts[i];
		int k;

		if (is_process_flag(o->spec->name) || !strcmp(o->spec->name, "process"))
			continue;
		k = canonical_opt(o, nv + n);
		if (k < 0) {
			free(nv);
			return k;
		}
		n += k;
	}
	nv[n++] = "--process";
	nv[n++] = (char *)process_path;
	nv[n++] = a->argv[a->first_positional];
	nv[n] = NULL;
	/* The old argv is hardshim's own (main's): nothing to free. nv lives until execve. */
	a->argv = nv;
	a->argc = n;
	a->first_positional = n - 1;
	a->n_positional = 1;
	return 0;
}

/* Point the runtime at the sealed copy of the checked process. */
static int point_argv_at(struct hs_argv *a, int fd)
{
	char path[64], *proc_path;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* Lives until execve, like the rebuilt argv. */
	proc_path = strdup(path);
	return proc_path ? rebuild_argv(a, proc_path) : -ENOMEM;
}

/* The gate's commit step, before the record: the record names the command line the runtime
 * gets. */
struct argv_ref {
	struct hs_argv *a;
};

static int commit_argv(struct hs_gate *g, struct hs_error *err)
{
	const struct argv_ref *ref = g->data;

	if (g->memfd < 0 || point_argv_at(ref->a, g->memfd) >= 0)
		return 0;
	return hs_error_set(err, -ENOMEM, "internal", "", -1, "out of memory");
}

/* The flag that put a refused value there: the refusal says "(from --user)". */
static const char *flag_origin(const struct hs_gate *g, const struct hs_finding *f)
{
	for (size_t k = 0; k < HS_ARRAY_SIZE(process_flags); k++) {
		size_t n = strlen(process_flags[k].json);

		if (hs_argv_value(g->argv, process_flags[k].flag) &&
		    !strncmp(f->path, process_flags[k].json, n))
			return process_flags[k].flag;
	}
	return NULL;
}

static const struct hs_source_rules process_rules = {
	.open = "exec.process-open",
	.symlink = "exec.process-symlink",
	.type = "exec.process-type",
	.permissions = "exec.process-permissions",
};

/* The gate for one exec document, --process FILE or the folded flags: judged as a process of
 * the container (its config as context) under the exception chosen at create (view), so the
 * two ways in cannot differ in anything but their source and delivery. Observe only (audit
 * mode): nothing is delivered, the runtime gets what it was given. */
static struct hs_gate exec_gate(struct hs_argv *a, const struct hs_policy *view,
				const char *exception, const struct hs_json *config,
				enum hs_delivery delivery)
{
	return (struct hs_gate){
		.argv = a,
		.policy = view,
		.schema = &hs_oci_process,
		.event = HS_EVENT_EXEC,
		.container_id = a->argv[a->first_positional],
		.exception = exception,
		.container = config,
		.delivery = view->mode == HS_MODE_AUDIT ? HS_DELIVER_NONE : delivery,
	};
}

static enum hs_decision run_gate(struct hs_gate *g, struct hs_error *err)
{
	enum hs_decision d = hs_gate_run(g, err);

	hs_gate_done(g);
	return d;
}

/* exec --process FILE: check the file, rewrite it beside itself or refuse. */
static enum hs_decision prepare_process_file(struct hs_argv *a, const struct hs_policy *p,
					     const char *file, struct hs_error *err)
{
	_cleanup_free_ char *dir = strdup(file), *base = strdup(file);
	_cleanup_arena_ struct hs_arena *ar = hs_arena_new();
	_cleanup_close_ int dirfd = -1;
	struct hs_error cerr = HS_ERROR_INIT;
	struct hs_json *config = NULL, *state = NULL;
	struct hs_policy view = *p;
	const char *name, *exception = NULL;
	struct hs_gate g;

	if (!dir || !base || !ar)
		return hs_decide(err, HS_DECISION_ERROR, -ENOMEM, "internal", "", -1,
				 "out of memory");
	/* The exception chosen at create, or the process would run under other rules than the
	 * container's own; and the container's config, for the user create chose. Without it
	 * (no such container, a bundle that is not root's) the policy's own ids apply. */
	if (container_config(a, p, a->argv[a->first_positional], ar, &config, &state, &cerr) < 0)
		config = NULL;
	if (state)
		exception = hs_policy_view_for(p, state, &view);
	name = basename(base); /* points into base, which outlives the gate */
	dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return hs_decide(err, HS_DECISION_REFUSE, -errno, "exec.process-open", "--process",
				 -1, "cannot open the directory of %s: %s", file, strerror(errno));
	/* Rewritten beside itself; the command line reaches the runtime as it came
	 * (hs_exec_prepare refused the spellings the runtimes read differently). */
	g = exec_gate(a, &view, exception, config, HS_DELIVER_REWRITE);
	g.source = (struct hs_source){ .kind = HS_SOURCE_FILE,
				       .dirfd = dirfd,
				       .name = name,
				       .where = "--process",
				       .display = file,
				       .rules = &process_rules };
	return run_gate(&g, err);
}

/* exec without --process: fold base + flags into one checked document. */
static enum hs_decision prepare_folded(struct hs_argv *a, const struct hs_policy *p,
				       struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *ar = hs_arena_new();
	_cleanup_free_ char *doc = NULL;
	struct hs_json *proc = NULL, *config = NULL, *state = NULL;
	struct hs_policy view = *p;
	const char *exception = NULL;
	const struct argv_ref ref = { a };
	struct hs_gate g;
	size_t len = 0;
	int r;

	if (!ar)
		return hs_decide(err, HS_DECISION_ERROR, -ENOMEM, "internal", "", -1,
				 "out of memory");
	if (a->n_positional < 2)
		return hs_decide(err, HS_DECISION_REFUSE, -HS_EUSAGE, "cli.arguments", "exec", -1,
				 "exec without --process needs a command after the container "
				 "id");
	r = container_process(a, p, a->argv[a->first_positional], ar, &proc, &config, &state, err);
	if (r >= 0)
		exception = hs_policy_view_for(p, state, &view);
	if (r >= 0)
		r = fold_flags(a, ar, proc, err);
	if (r >= 0)
		r = hs_json_emit(proc, &doc, &len);
	if (r < 0) {
		/* Observe only: what cannot be folded is recorded, the runtime still decides. */
		struct hs_launch l = {
			.event = HS_EVENT_EXEC,
			.verdict = HS_VERDICT_ALLOWED,
			.error = err->code ? err : NULL,
		};

		if (r == -ENOMEM || p->mode != HS_MODE_AUDIT)
			return r == -ENOMEM ? HS_DECISION_ERROR : HS_DECISION_REFUSE;
		return hs_gate_record(a, p, &l, HS_DECISION_ALLOW, err);
	}
	g = exec_gate(a, &view, exception, config, HS_DELIVER_MEMFD);
	g.source = (struct hs_source){
		.kind = HS_SOURCE_BYTES, .bytes = doc, .len = len, .where = "exec"
	};
	g.memfd_name = "hardshim-exec-process";
	g.memfd_min = memfd_floor(a);
	g.origin = flag_origin;
	g.commit = commit_argv;
	g.data = &ref;
	return run_gate(&g, err);
}

/*
 * --cgroup puts the new process in a sub-cgroup of the container's. runc joins the value to
 * each of the container's cgroup paths and checks only a string prefix ("../c10" passes for
 * container c1); crun 1.8 joins it without any check. A ".." therefore lands the process in a
 * host cgroup, outside the container's limits and device allowlist. runc reads "ctrl:path" as
 * a per-controller path, crun as a directory named so. Admitted: one value, a relative path
 * of plain names, which both runtimes place below the container's own cgroup.
 */
static enum hs_decision check_sub_cgroup(const struct hs_argv *a, struct hs_error *err)
{
	const char *v = NULL;
	int seen = 0;

	for (size_t i = 0; i < a->n_opts; i++)
		if (!strcmp(a->opts[i].spec->name, "cgroup")) {
			v = a->opts[i].value;
			seen++;
		}
	if (!seen)
		return HS_DECISION_ALLOW;
	if (seen > 1)
		return hs_decide(err, HS_DECISION_REFUSE, -HS_EUSAGE, "exec.cgroup", "--cgroup", -1,
				 "given more than once: runc adds them up, crun keeps the last");
	if (!v || !*v || *v == '/' || strchr(v, ':'))
		goto bad;
	for (const char *c = v; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			goto bad;
		c += n;
		if (*c == '/')
			c++;
		if (*c == '\0' && c[-1] == '/')
			goto bad;
	}
	return HS_DECISION_ALLOW;
bad:
	return hs_decide(err, HS_DECISION_REFUSE, -HS_EUSAGE, "exec.cgroup", "--cgroup", -1,
			 "\"%s\" is not a plain sub-cgroup path: the process could land outside "
			 "the container's cgroup (runc checks only a string prefix, crun nothing); "
			 "give names below the container's cgroup, without \"..\", \".\", ':' or "
			 "a leading '/'",
			 v ? v : "");
}

enum hs_decision hs_exec_prepare(struct hs_argv *a, const struct hs_policy *p, struct hs_error *err)
{
	const char *file = hs_argv_value(a, "process");
	enum hs_decision d = check_sub_cgroup(a, err);

	if (d != HS_DECISION_ALLOW)
		return d;
	if (!file)
		return prepare_folded(a, p, err);
	/* With --process, runc and crun ignore the process flags: refuse the ambiguity. */
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *name = a->opts[i].spec->name;

		if (is_process_flag(name) && strcmp(name, "tty"))
			return hs_decide(err, HS_DECISION_REFUSE, -HS_EUSAGE,
					 "exec.flag-with-process",
					 a->argv[opt_token(a, &a->opts[i])], -1,
					 "--%s next to --process: the runtime would ignore it; "
					 "put it "
					 "in the process file",
					 name);
	}
	/* The command line reaches the runtime as it came: a spelling crun's argp reads as
	 * something else is refused. "-p=FILE" is "=FILE" to crun; "-pid-file X" is "-p id-file"
	 * (another process file) and X the container id. Only "-x" and "--name" are alike. */
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *tok = a->argv[opt_token(a, &a->opts[i])];

		if (tok[0] == '-' && tok[1] != '-' && tok[2] != '\0')
			return hs_decide(err, HS_DECISION_REFUSE, -HS_EUSAGE,
					 "exec.ambiguous-option", tok, -1,
					 "runc and crun read this spelling differently (crun: a "
					 "short option with the rest as its value): write --name "
					 "VALUE or -x VALUE");
	}
	return prepare_process_file(a, p, file, err);
}
