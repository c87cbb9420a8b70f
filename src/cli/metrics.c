/* SPDX-License-Identifier: Apache-2.0
 * `hardshim metrics`: the launch log as Prometheus text exposition, for node_exporter's
 * textfile collector. Every number is counted from the records themselves, and the chain is
 * verified on the same bytes: a count from a log someone edited is flagged by
 * hardshim_log_chain_intact 0, never silently trusted. */
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include "hs-audit.h"
#include "hs-cli.h"

#define LOG_MAX_BYTES    ((size_t)4 << 30)
#define POLICY_MAX_BYTES ((size_t)4 << 20)
#define MAX_LABEL        256 /* one label value: a record's strings are capped at 1024 */
#define MAX_SERIES       4096

enum family {
	F_LAUNCHES,
	F_REFUSALS,
	F_REWRITES,
	F_AUDIT_FINDINGS,
	F_EXCEPTION_LAUNCHES,
	F_EXCEPTION_EXPIRED,
	F_RUNTIME_FAILURES,
	F_N,
};

static const struct {
	const char *name, *help;
} families[F_N] = {
	[F_LAUNCHES] = { "hardshim_launches_total",
			 "Launch decisions recorded, by verdict, event and runtime." },
	[F_REFUSALS] = { "hardshim_refusals_total",
			 "Findings that refused a launch (enforce mode), by rule." },
	[F_REWRITES] = { "hardshim_rewrites_total",
			 "Rewrites applied to launches that ran, by rule." },
	[F_AUDIT_FINDINGS] = { "hardshim_audit_findings_total",
			       "Findings recorded in audit mode (what enforce would do), by rule "
			       "and action." },
	[F_EXCEPTION_LAUNCHES] = { "hardshim_exception_launches_total",
				   "Launches decided under a policy exception, by exception." },
	[F_EXCEPTION_EXPIRED] = { "hardshim_exception_expired_launches_total",
				  "Launches whose matching exception had expired and was not "
				  "applied, by exception." },
	[F_RUNTIME_FAILURES] = { "hardshim_runtime_failures_total",
				 "Launches hardshim admitted and waited for whose runtime then "
				 "failed (runtime-failed records), by command and runtime." },
};

struct series {
	enum family fam;
	char *labels; /* the rendered label set, e.g. verdict="refused",event="create" */
	uint64_t count;
};

struct metrics {
	struct hs_arena *arena;
	struct series *s;
	size_t n, cap;
	size_t records, unreadable, reanchors;
	bool oom;
};

/* Label values come from records, which hold strings a container's author chose (ids are
 * not used, but rule paths and runtime names pass through): escaped as the exposition format
 * requires, and capped so one record cannot make a huge line. */
static void label(struct hs_abuf *b, const char *name, const char *value)
{
	size_t n = 0;

	hs_abuf_printf(b, "%s%s=\"", b->len ? "," : "", name);
	for (const char *p = value ? value : ""; *p && n < MAX_LABEL; p++, n++) {
		if (*p == '\\')
			hs_abuf_puts(b, "\\\\");
		else if (*p == '"')
			hs_abuf_puts(b, "\\\"");
		else if (*p == '\n')
			hs_abuf_puts(b, "\\n");
		else
			hs_abuf_put(b, p, 1);
	}
	hs_abuf_puts(b, "\"");
}

/* Count one sample of fam with the label set in b (consumed). */
static void bump(struct metrics *m, enum family fam, struct hs_abuf *b)
{
	struct series *s;

	if (b->oom) {
		m->oom = true;
		hs_abuf_free(b);
		return;
	}
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i].fam == fam && !strcmp(m->s[i].labels, b->buf ? b->buf : "")) {
			m->s[i].count++;
			hs_abuf_free(b);
			return;
		}
	if (m->n == MAX_SERIES) { /* a log crafted to explode cardinality: stop adding */
		hs_abuf_free(b);
		return;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct series *ns = hs_arena_alloc(m->arena, cap * sizeof(*ns));

		if (!ns) {
			m->oom = true;
			hs_abuf_free(b);
			return;
		}
		if (m->n)
			memcpy(ns, m->s, m->n * sizeof(*ns));
		m->s = ns;
		m->cap = cap;
	}
	s = &m->s[m->n];
	s->fam = fam;
	s->labels = hs_arena_strdup(m->arena, b->buf ? b->buf : "");
	s->count = 1;
	if (!s->labels)
		m->oom = true;
	else
		m->n++;
	hs_abuf_free(b);
}

static void bump1(struct metrics *m, enum family fam, const char *k, const char *v)
{
	struct hs_abuf b = { 0 };

	label(&b, k, v);
	bump(m, fam, &b);
}

/* The exceptions one record was decided under: the record's own "exception" member, else
 * (records written before it existed) the names its findings carry, each once. */
static void count_exceptions(struct metrics *m, const struct hs_json *rec)
{
	const char *seen[16];
	size_t n = 0;
	const struct hs_json *f;
	const char *name = hs_json_get_string(rec, "exception");

	if (name) {
		bump1(m, F_EXCEPTION_LAUNCHES, "exception", name);
		return;
	}
	hs_json_foreach_item(f, hs_json_get_type(rec, "findings", HS_JSON_ARRAY), i) {
		const char *e = hs_json_get_string(f, "exception");
		bool dup = false;

		if (!e)
			continue;
		for (size_t k = 0; k < n; k++)
			dup = dup || !strcmp(seen[k], e);
		if (dup || n == HS_ARRAY_SIZE(seen))
			continue;
		seen[n++] = e;
		bump1(m, F_EXCEPTION_LAUNCHES, "exception", e);
	}
}

static void count_findings(struct metrics *m, const struct hs_json *rec, const char *mode,
			   const char *verdict)
{
	const struct hs_json *f;
	bool audit = mode && !strcmp(mode, "audit");

	hs_json_foreach_item(f, hs_json_get_type(rec, "findings", HS_JSON_ARRAY), i) {
		const char *rule = hs_json_get_string(f, "rule");
		const char *action = hs_json_get_string(f, "action");
		struct hs_abuf b = { 0 };

		if (!rule || !action)
			continue;
		if (audit) {
			label(&b, "rule", rule);
			label(&b, "action", action);
			bump(m, F_AUDIT_FINDINGS, &b);
		} else if (!strcmp(action, "refuse") && !strcmp(verdict, "refused")) {
			bump1(m, F_REFUSALS, "rule", rule);
		} else if (!strcmp(action, "rewrite") && !strcmp(verdict, "rewritten")) {
			/* A refused launch's rewrites were never applied: not counted. */
			bump1(m, F_REWRITES, "rule", rule);
		}
	}
}

static void count_record(struct metrics *m, const char *line, size_t len)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *rec;
	const char *verdict, *event, *runtime, *expired;
	struct hs_abuf b = { 0 };

	if (!a) {
		m->oom = true;
		return;
	}
	if (hs_json_parse(a, line, len, &limits, &rec, &err) < 0 ||
	    !hs_json_is(rec, HS_JSON_OBJECT)) {
		m->unreadable++;
		return;
	}
	event = hs_json_get_string(rec, "event");
	if (event && !strcmp(event, "reanchor")) {
		/* Not a decision: an operator accepted the log as it is after a divergence
		 * alarm (hardshim log reanchor). A record of its own, counted apart: a fleet
		 * alerts on it, and it must not pass for a damaged line. */
		m->records++;
		m->reanchors++;
		return;
	}
	if (event && !strcmp(event, "runtime-failed")) {
		/* Not a decision: the runtime's failure after one, counted on its own. */
		m->records++;
		label(&b, "command", hs_json_get_string(rec, "command"));
		label(&b, "runtime", hs_json_get_string(rec, "runtime"));
		bump(m, F_RUNTIME_FAILURES, &b);
		return;
	}
	if (!event || !(verdict = hs_json_get_string(rec, "verdict"))) {
		m->unreadable++;
		return;
	}
	runtime = hs_json_get_string(rec, "runtime");
	m->records++;
	label(&b, "verdict", verdict);
	label(&b, "event", event);
	label(&b, "runtime", runtime);
	bump(m, F_LAUNCHES, &b);
	count_findings(m, rec, hs_json_get_string(rec, "mode"), verdict);
	count_exceptions(m, rec);
	expired = hs_json_get_string(rec, "exception_expired");
	if (expired)
		bump1(m, F_EXCEPTION_EXPIRED, "exception", expired);
}

static void count_buf(struct metrics *m, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n)
			count_record(m, p, n);
		p += n + 1;
	}
}

static void print_family(struct hs_abuf *out, const struct metrics *m, enum family fam)
{
	hs_abuf_printf(out, "# HELP %s %s\n# TYPE %s counter\n", families[fam].name,
		       families[fam].help, families[fam].name);
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i].fam == fam)
			hs_abuf_printf(out, "%s{%s} %llu\n", families[fam].name, m->s[i].labels,
				       (unsigned long long)m->s[i].count);
}

static void sample(struct hs_abuf *out, const char *type, const char *name, const char *help,
		   const char *labels, long long v)
{
	hs_abuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s%s%s%s %lld\n", name, help, name, type,
		       name, labels ? "{" : "", labels ? labels : "", labels ? "}" : "", v);
}

static void gauge(struct hs_abuf *out, const char *name, const char *help, const char *labels,
		  long long v)
{
	sample(out, "gauge", name, help, labels, v);
}

/* The policy in force: its bytes' hash (what a fleet compares across nodes) and whether the
 * strict loader admits it (a node whose policy is refused runs nothing). */
static void render_policy(struct hs_abuf *out, const char *path)
{
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_policy_ struct hs_policy *p = NULL;
	_cleanup_free_ char *buf = NULL;
	char hex[HS_SHA256_HEX_LEN + 1] = "";
	struct hs_abuf lb = { 0 };
	uint8_t digest[32];
	size_t len;

	if (hs_read_file_at(AT_FDCWD, path, POLICY_MAX_BYTES, &buf, &len, &err) == 0 &&
	    hs_sha256(buf, len, digest, &err) == 0)
		hs_hex(digest, sizeof(digest), hex);
	label(&lb, "path", path);
	label(&lb, "sha256", hex);
	gauge(out, "hardshim_policy_info",
	      "The policy file read on every launch; sha256 of its bytes (empty: unreadable).",
	      lb.oom ? NULL : lb.buf, 1);
	hs_abuf_free(&lb);
	gauge(out, "hardshim_policy_valid",
	      "1 when the policy file is admitted by hardshim's strict loader.", NULL,
	      hex[0] && hs_policy_load(path, &p, &err) == 0);
}

int hs_metrics_render(char *const *logs, size_t n_logs, const char *policy_path,
		      struct hs_abuf *out, struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *arena = hs_arena_new();
	struct metrics m = { .arena = arena };
	struct hs_verify_result res = { 0 };
	int chain = 0, r;

	if (!arena)
		return -ENOMEM;
	for (size_t i = 0; i < n_logs; i++) {
		_cleanup_free_ char *buf = NULL;
		_cleanup_close_ int fd = open(logs[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);
		size_t len = 0;

		if (fd < 0) {
			if (errno == ENOENT) /* no launch yet: every count is zero */
				continue;
			return hs_error_set(err, -errno, "metrics.log", logs[i], -1,
					    "cannot open the launch log: %s", strerror(errno));
		}
		r = hs_read_fd(fd, LOG_MAX_BYTES, &buf, &len, err);
		if (r < 0)
			return r;
		count_buf(&m, buf, len);
		if (chain == 0) {
			r = hs_audit_verify_buf(logs[i], buf, len, &res, err);
			if (r < 0)
				return r;
			chain = r;
		}
	}
	if (chain == 0 && n_logs) {
		r = hs_audit_verify_head(logs[n_logs - 1], false, &res, err);
		if (r < 0)
			return r;
		chain = r;
	}
	if (m.oom)
		return -ENOMEM;
	for (int f = 0; f < F_N; f++)
		print_family(out, &m, (enum family)f);
	gauge(out, "hardshim_log_records", "Records read from the launch log files.", NULL,
	      (long long)m.records);
	gauge(out, "hardshim_log_unreadable_lines",
	      "Lines of the launch log that are not a readable record.", NULL,
	      (long long)m.unreadable);
	sample(out, "counter", "hardshim_log_reanchors_total",
	       "Reanchor records: the times an operator accepted the log as it is after a "
	       "divergence alarm (hardshim log reanchor).",
	       NULL, (long long)m.reanchors);
	gauge(out, "hardshim_log_chain_intact",
	      "1 when the launch log's hash chain verifies (hardshim log verify).", NULL,
	      chain == 0);
	gauge(out, "hardshim_log_last_seq", "Sequence number of the last verified record.", NULL,
	      (long long)res.last_seq);
	if (policy_path)
		render_policy(out, policy_path);
	return out->oom ? -ENOMEM : 0;
}

extern char **environ;

/* Containers the runtimes know with no launch record: `hardshim unmanaged --json` run as a
 * child (the same binary, the same runtimes and logs), its list counted. A failure to list is
 * an error, never a zero: a zero would say "no unmanaged container" without having looked. */
static int render_unmanaged(struct hs_abuf *out, char **uargv, struct hs_error *err)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_free_ char *buf = NULL;
	posix_spawn_file_actions_t fa;
	struct hs_json *list, *ct;
	size_t len = 0, unmanaged = 0;
	int pfd[2], status = 0, r;
	pid_t pid;

	if (!a || pipe2(pfd, O_CLOEXEC) < 0)
		return -ENOMEM;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	r = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, uargv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (r != 0) {
		close(pfd[0]);
		return hs_error_set(err, -r, "metrics.unmanaged", "", -1,
				    "cannot run unmanaged: %s", strerror(r));
	}
	r = hs_read_fd(pfd[0], (size_t)64 << 20, &buf, &len, err);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return hs_error_set(err, -EIO, "metrics.unmanaged", "", -1,
				    "hardshim unmanaged failed (status %d)", status);
	limits.max_bytes = (size_t)64 << 20;
	r = hs_json_parse(a, buf, len, &limits, &list, err);
	if (r < 0)
		return r;
	hs_json_foreach_item(ct, list, i) {
		const struct hs_json *rec = hs_json_get_type(ct, "recorded", HS_JSON_BOOL);

		if (!rec || !rec->u.boolean)
			unmanaged++;
	}
	gauge(out, "hardshim_containers_listed", "Containers the runtimes list.", NULL,
	      (long long)hs_json_len(list));
	gauge(out, "hardshim_unmanaged_containers",
	      "Containers the runtimes list with no allowing launch record (hardshim unmanaged).",
	      NULL, (long long)unmanaged);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: hardshim metrics [--policy FILE] [--log FILE]... [--output FILE]\n"
	      "                        [--unmanaged [--runtime PATH [--root DIR]]...]\n"
	      "  The launch log as Prometheus text exposition. FILEs oldest first; default: the\n"
	      "  policy's \"log\".\"path\" after its first rotation (PATH.1). --output writes the\n"
	      "  file atomically (node_exporter's textfile collector reads *.prom files).\n"
	      "  --unmanaged: also count the runtimes' containers with no launch record.\n",
	      f);
}

/* A usage error: the command line, not the log or the policy, is wrong. The one error
 * contract of hardshim's commands: a message naming the option, then HS_DECISION_ERROR. */
static int usage_error(const char *what)
{
	fprintf(stderr, "hardshim: metrics: %s\n", what);
	usage(stderr);
	return HS_DECISION_ERROR;
}

static int write_output(const char *path, const struct hs_abuf *out, struct hs_error *err)
{
	_cleanup_close_ int dfd = -1;
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return hs_error_set(err, -ENAMETOOLONG, "metrics.output", path, -1,
				    "path too long");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hs_error_set(err, -errno, "metrics.output", path, -1, "%s", strerror(errno));
	return hs_write_file_atomic(dfd, slash ? slash + 1 : path, out->buf, out->len, 0644, err);
}

int hs_cmd_metrics(const char *policy_file, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "unmanaged", no_argument, NULL, 'u' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "root", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_policy_ struct hs_policy *p = NULL;
	const char *policy = policy_file, *output = NULL;
	char *logs[16], rotated[4096], *uargv[80] = { "hardshim", "unmanaged", "--json" };
	size_t n_u = 3;
	bool unmanaged = false;
	struct hs_abuf out = { 0 };
	size_t n_logs = 0;
	char msg[HS_LINE_MAX];
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': policy = optarg; break;
		case 'l':
			if (n_logs == HS_ARRAY_SIZE(logs))
				return usage_error("too many --log");
			logs[n_logs++] = optarg;
			break;
		case 'o': output = optarg; break;
		case 'u': unmanaged = true; break;
		case 'r':
		case 'R':
			if (n_u + 2 >= HS_ARRAY_SIZE(uargv) - 2 * HS_ARRAY_SIZE(logs) - 1)
				return usage_error("too many --runtime");
			uargv[n_u++] = c == 'r' ? "--runtime" : "--root";
			uargv[n_u++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (!n_logs) {
		/* The log's path is in the policy: without a policy the strict loader admits,
		 * the built-in default (the metrics then say the policy is not valid). */
		const struct hs_audit_cfg *cfg = &hs_audit_cfg_default;

		if (hs_policy_load(policy, &p, &err) == 0 && p->audit)
			cfg = p->audit;
		snprintf(rotated, sizeof(rotated), "%s.1", cfg->path);
		if (access(rotated, F_OK) == 0)
			logs[n_logs++] = rotated;
		logs[n_logs++] = (char *)cfg->path;
		err = (struct hs_error)HS_ERROR_INIT;
	}
	r = hs_metrics_render(logs, n_logs, policy, &out, &err);
	if (r == 0 && unmanaged) {
		for (size_t i = 0; i < n_logs; i++) {
			uargv[n_u++] = "--log";
			uargv[n_u++] = logs[i];
		}
		uargv[n_u] = NULL;
		r = render_unmanaged(&out, uargv, &err);
	} else if (r == 0 && n_u > 3) {
		hs_abuf_free(&out);
		return usage_error("--runtime and --root go with --unmanaged");
	}
	if (r == 0 && output)
		r = write_output(output, &out, &err);
	else if (r == 0 && hs_write_all(STDOUT_FILENO, out.buf, out.len) < 0)
		r = hs_error_set(&err, -errno, "metrics.output", "stdout", -1, "%s",
				 strerror(errno));
	hs_abuf_free(&out);
	if (r < 0) {
		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "hardshim: metrics: %s\n", msg);
		return 2;
	}
	return 0;
}
