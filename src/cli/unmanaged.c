/* SPDX-License-Identifier: Apache-2.0
 * `hardshim unmanaged` (src/cli/ps.c; not "ps": runc and crun have a `ps` command of their
 * own): the containers the runtimes know, each matched to its launch record.
 * NIST SP 800-190 §4.5 "unmanaged containers": a container with no record was started around
 * hardshim (plain runc beside it, a second engine), and is flagged. The runtimes are asked
 * through their stable interface (`RUNTIME [--root DIR] list --format json`), not by reading
 * their private state files.
 * A record vouches for the container that runs, not for its name: an earlier launch with the
 * same id (even one whose runtime then failed) must not cover a container started later with
 * plain runc and a root, CAP_SYS_ADMIN, host-network config. So the record must be on the
 * verified chain, be the last one for that id, runtime and root before the creation (and
 * recent enough), name the bundle the runtime reports, and the config.json there must hash to
 * the record's final digest: the bytes hardshim handed the runtime. A runtime-failed record
 * naming the launch (src/cli/wait-runtime.c) means the runtime never made that container. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hs-audit.h"
#include "hs-cli.h"

#define LIST_MAX ((size_t)64 << 20)
#define LOG_MAX  ((size_t)4 << 30)
/* A record vouches for a container created within this window after it (a slow create,
 * hooks) and up to a small clock step before it. */
#define WINDOW_BEFORE_NS (600LL * 1000000000LL)
#define WINDOW_AFTER_NS  (5LL * 1000000000LL)

struct launch_rec {
	const char *id, *root, *runtime, *verdict, *file, *bundle, *final, *hash;
	int64_t t;
	uint64_t seq;
	/* A runtime-failed record points back at this launch: the runtime never produced the
	 * container it describes. */
	uint64_t failed_seq;
	int64_t failed_exit, failed_signal;
};

struct rt {
	const char *path, *root;
};

struct ps_ctx {
	struct hs_arena *arena;
	struct launch_rec *recs;
	size_t n_recs, cap_recs;
	struct rt rts[16];
	size_t n_rts;
	bool json, check;
	size_t unrecorded, listed;
	bool chain_broken; /* records after a break are not read */
};

/* RFC 3339 with optional fraction and Z or an offset -> ns since the epoch. */
static int parse_time(const char *s, int64_t *ret)
{
	struct tm tm = { 0 };
	int64_t ns = 0, scale = 100000000;
	const char *p;
	int off = 0;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ns += (*p - '0') * scale;
	if (*p == '+' || *p == '-') {
		int h, m;

		if (sscanf(p + 1, "%2d:%2d", &h, &m) != 2)
			return -EINVAL;
		off = (*p == '-' ? -1 : 1) * (h * 3600 + m * 60);
	} else if (*p != 'Z') {
		return -EINVAL;
	}
	*ret = ((int64_t)timegm(&tm) - off) * 1000000000LL + ns;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

static bool launches(const char *event)
{
	return event && (!strcmp(event, "create") || !strcmp(event, "run") ||
			 !strcmp(event, "restore") || !strcmp(event, "hook"));
}

/* A runtime-failed record: mark the launch it points back to (by hash: only that one). */
static void add_failure(struct ps_ctx *c, const struct hs_json *root)
{
	const char *of = hs_json_get_string(root, "of");
	uint64_t seq = 0;

	if (!of)
		return;
	(void)hs_json_get_u64(hs_json_get(root, "seq"), UINT64_MAX, &seq);
	for (size_t i = c->n_recs; i-- > 0;) {
		struct launch_rec *r = &c->recs[i];

		if (r->hash && !strcmp(r->hash, of)) {
			r->failed_seq = seq;
			r->failed_exit = -1;
			r->failed_signal = 0;
			(void)hs_json_get_i64(hs_json_get(root, "exit"), 0, 255, &r->failed_exit);
			(void)hs_json_get_i64(hs_json_get(root, "signal"), 1, 64,
					      &r->failed_signal);
			return;
		}
	}
}

static int add_record(struct ps_ctx *c, struct hs_json *root, const char *file)
{
	const char *event = hs_json_get_string(root, "event"), *time;
	const struct hs_json *sha = hs_json_get_type(root, "sha256", HS_JSON_OBJECT);
	struct launch_rec *rec;
	uint64_t seq = 0;

	if (event && !strcmp(event, "runtime-failed")) {
		add_failure(c, root);
		return 0;
	}
	time = hs_json_get_string(root, "time");
	if (!launches(event) || !time || !hs_json_get_string(root, "id"))
		return 0;
	if (c->n_recs == c->cap_recs) {
		size_t ncap = c->cap_recs ? c->cap_recs * 2 : 64;
		struct launch_rec *nrecs = realloc(c->recs, ncap * sizeof(*nrecs));

		if (!nrecs)
			return -ENOMEM;
		c->recs = nrecs;
		c->cap_recs = ncap;
	}
	rec = &c->recs[c->n_recs];
	*rec = (struct launch_rec){
		.id = hs_json_get_string(root, "id"),
		.root = hs_json_get_string(root, "root"),
		.runtime = hs_json_get_string(root, "runtime"),
		.verdict = hs_json_get_string(root, "verdict"),
		.bundle = hs_json_get_string(root, "bundle"),
		.final = sha ? hs_json_get_string(sha, "final") : NULL,
		.hash = hs_json_get_string(root, "hash"),
		.file = file,
	};
	(void)hs_json_get_u64(hs_json_get(root, "seq"), UINT64_MAX, &seq);
	rec->seq = seq;
	if (parse_time(time, &rec->t) == 0)
		c->n_recs++;
	return 0;
}

/* Index the launch records (create/run/restore/hook, every verdict) of the part of the chain
 * that verifies: a line past the first break could be anyone's, so it vouches for nothing.
 * res carries the chain across the files (oldest first). */
static int load_log(struct ps_ctx *c, const char *file, struct hs_verify_result *res)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len, pos = 0, lineno = 0, good;
	int r;

	if (fd < 0)
		return -errno;
	if (c->chain_broken)
		return 0;
	r = hs_read_fd(fd, LOG_MAX, &buf, &len, NULL);
	if (r < 0)
		return r;
	r = hs_audit_verify_buf(file, buf, len, res, NULL);
	if (r < 0)
		return r;
	good = r > 0 ? res->line - 1 : SIZE_MAX;
	if (r > 0) {
		c->chain_broken = true;
		fprintf(stderr,
			"hardshim: unmanaged: %s:%zu: the chain is broken (%s): records from there "
			"on vouch for nothing (see hardshim log verify)\n",
			file, res->line, res->why);
	}
	while (pos < len && lineno < good) {
		char *nl = memchr(buf + pos, '\n', len - pos);
		struct hs_json *root;
		size_t n = nl ? (size_t)(nl - buf) - pos : len - pos;

		lineno++;
		if (hs_json_parse(c->arena, buf + pos, n, &limits, &root, NULL) == 0) {
			r = add_record(c, root, file);
			if (r < 0)
				return r;
		}
		pos += n + 1;
	}
	return 0;
}

static bool same_rt(const struct launch_rec *r, const struct rt *rt)
{
	if (r->runtime && strcmp(base_name(r->runtime), base_name(rt->path)))
		return false;
	if ((r->root || rt->root) && (!r->root || !rt->root || strcmp(r->root, rt->root)))
		return false;
	return true;
}

/* The sha256 of BUNDLE/config.json as it is now: the config the runtime was given. Not a
 * symlink, a regular file (a FIFO planted there must not hang the check). */
static int bundle_config_sha256(const char *bundle, char out[HS_SHA256_HEX_LEN + 1])
{
	char path[4200];
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	uint8_t d[32];
	size_t len;
	int r;

	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -EINVAL;
	r = hs_read_fd(fd, LIST_MAX, &buf, &len, NULL);
	if (r == 0)
		r = hs_sha256(buf, len, d, NULL);
	if (r < 0)
		return r;
	hs_hex(d, sizeof(d), out);
	return 0;
}

/* The last launch record for this container before it was created (a later one is a launch
 * that failed because this container already existed). */
static const struct launch_rec *last_record(const struct ps_ctx *c, const struct rt *rt,
					    const char *id, int64_t t)
{
	const struct launch_rec *last = NULL;

	for (size_t i = 0; i < c->n_recs; i++) {
		const struct launch_rec *r = &c->recs[i];

		if (!strcmp(r->id, id) && same_rt(r, rt) && r->t <= t + WINDOW_AFTER_NS &&
		    (!last || r->t >= last->t))
			last = r;
	}
	return last;
}

/* Judge one container the runtime lists. Returns the record that vouches for it, or NULL and
 * why not in why. */
static const struct launch_rec *judge(const struct ps_ctx *c, const struct rt *rt, const char *id,
				      const char *bundle, const char *created, char *why,
				      size_t why_len)
{
	const struct launch_rec *last;
	char cfg[HS_SHA256_HEX_LEN + 1];
	int64_t t;
	int r;

	if (!created || parse_time(created, &t) < 0) {
		snprintf(why, why_len, "the runtime gives no readable creation time");
		return NULL;
	}
	last = last_record(c, rt, id, t);
	if (!last) {
		snprintf(why, why_len, "no launch record (started around hardshim)");
		return NULL;
	}
	if (!last->verdict || !strcmp(last->verdict, "refused")) {
		snprintf(why, why_len, "the last launch record for this id (seq %llu) refused it",
			 (unsigned long long)last->seq);
		return NULL;
	}
	if (last->failed_seq) {
		char how[64];

		if (last->failed_signal > 0)
			snprintf(how, sizeof(how), "killed by signal %lld",
				 (long long)last->failed_signal);
		else
			snprintf(how, sizeof(how), "exit %lld", (long long)last->failed_exit);
		snprintf(why, why_len,
			 "the runtime failed the launch recorded for this id (seq %llu: %s, "
			 "recorded at seq %llu): that record vouches for no container",
			 (unsigned long long)last->seq, how, (unsigned long long)last->failed_seq);
		return NULL;
	}
	if (last->t < t - WINDOW_BEFORE_NS) {
		snprintf(why, why_len,
			 "created %llds after the last launch record for this id (seq %llu): not "
			 "that launch",
			 (long long)((t - last->t) / 1000000000LL), (unsigned long long)last->seq);
		return NULL;
	}
	if (!bundle || !last->bundle || strcmp(bundle, last->bundle)) {
		snprintf(why, why_len,
			 "runs from bundle %.200s, the launch record (seq %llu) is for %.200s",
			 bundle ? bundle : "(none)", (unsigned long long)last->seq,
			 last->bundle ? last->bundle : "(none)");
		return NULL;
	}
	r = bundle_config_sha256(bundle, cfg);
	if (r < 0) {
		snprintf(why, why_len, "its bundle's config.json cannot be read: %s",
			 hs_strerror(r));
		return NULL;
	}
	if (!last->final || strcmp(cfg, last->final)) {
		snprintf(why, why_len,
			 "its config.json (sha256 %.12s...) is not the one hardshim handed the "
			 "runtime (seq %llu: %.12s...)",
			 cfg, (unsigned long long)last->seq, last->final ? last->final : "none");
		return NULL;
	}
	return last;
}

/* RUNTIME [--root ROOT] list --format json, stdout captured (hs_runtime_ask). */
static int runtime_list(const struct rt *rt, char **ret, size_t *ret_len)
{
	static const char *const args[] = { "list", "--format", "json", NULL };
	int r = hs_runtime_ask(rt->path, rt->root, args, LIST_MAX, "unmanaged.list", ret, ret_len,
			       NULL);

	return r == -ECHILD ? -EIO : r;
}

static void print_row(struct ps_ctx *c, const struct rt *rt, const struct hs_json *ct,
		      const struct launch_rec *rec, const char *why, bool first)
{
	const char *id = hs_json_get_string(ct, "id"), *status = hs_json_get_string(ct, "status");
	const char *created = hs_json_get_string(ct, "created");
	const struct hs_json *pidv = hs_json_get_type(ct, "pid", HS_JSON_NUMBER);
	int64_t pid = 0;
	struct hs_abuf b = { 0 };

	if (pidv)
		(void)hs_json_get_i64(pidv, 0, INT32_MAX, &pid);
	if (c->json) {
		hs_abuf_puts(&b, first ? "{\"runtime\":" : ",{\"runtime\":");
		hs_abuf_json_string(&b, rt->path, 1024);
		hs_abuf_puts(&b, ",\"root\":");
		hs_abuf_json_string(&b, rt->root, 1024);
		hs_abuf_puts(&b, ",\"id\":");
		hs_abuf_json_string(&b, id, 1024);
		hs_abuf_printf(&b, ",\"pid\":%lld,\"status\":", (long long)pid);
		hs_abuf_json_string(&b, status, 64);
		hs_abuf_puts(&b, ",\"created\":");
		hs_abuf_json_string(&b, created, 64);
		if (rec) {
			hs_abuf_printf(&b,
				       ",\"recorded\":true,\"record\":{\"seq\":%llu,\"verdict\":",
				       (unsigned long long)rec->seq);
			hs_abuf_json_string(&b, rec->verdict, 32);
			hs_abuf_puts(&b, ",\"file\":");
			hs_abuf_json_string(&b, rec->file, 1024);
			hs_abuf_puts(&b, "}}");
		} else {
			hs_abuf_puts(&b, ",\"recorded\":false,\"reason\":");
			hs_abuf_json_string(&b, why, 1024);
			hs_abuf_puts(&b, "}");
		}
		if (!b.oom)
			fputs(b.buf, stdout);
	} else {
		/* Names are the runtime's, possibly hostile: quoted through the JSON escaper so
		 * no control character reaches the terminal. */
		hs_abuf_json_string(&b, id, 256);
		printf("%-6s %-40s %8lld %-8s %-32s %s%s\n", base_name(rt->path),
		       b.oom ? "?" : b.buf, (long long)pid, status ? status : "?",
		       created ? created : "?", rec ? "" : "UNMANAGED: ", rec ? "" : why);
		if (rec)
			printf("%*s launch record seq %llu (%s) in %s\n", 6, "",
			       (unsigned long long)rec->seq, rec->verdict, rec->file);
	}
	hs_abuf_free(&b);
}

static int list_runtime(struct ps_ctx *c, const struct rt *rt, bool *first)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	_cleanup_free_ char *out = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *list, *ct;
	size_t len = 0;
	int r;

	limits.max_bytes = LIST_MAX;
	r = runtime_list(rt, &out, &len);
	if (r < 0) {
		fprintf(stderr, "hardshim: unmanaged: %s%s%s list failed: %s\n", rt->path,
			rt->root ? " --root " : "", rt->root ? rt->root : "", hs_strerror(r));
		return r;
	}
	r = hs_json_parse(c->arena, out, len, &limits, &list, &err);
	if (r < 0) {
		fprintf(stderr, "hardshim: unmanaged: %s list: unreadable output: %s\n", rt->path,
			err.msg);
		return r;
	}
	hs_json_foreach_item(ct, list, i) {
		const char *id = hs_json_get_string(ct, "id");
		const struct launch_rec *rec;
		char why[HS_LINE_MAX];

		if (!id)
			continue;
		rec = judge(c, rt, id, hs_json_get_string(ct, "bundle"),
			    hs_json_get_string(ct, "created"), why, sizeof(why));
		c->listed++;
		if (!rec)
			c->unrecorded++;
		print_row(c, rt, ct, rec, why, *first);
		*first = false;
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: hardshim unmanaged [--runtime PATH [--root DIR]]... [--log FILE]... [--json] "
	      "[--check]\n"
	      "  List the containers the runtimes know and mark those no launch record vouches\n"
	      "  for: a record on the verified chain, the last for that id before the creation,\n"
	      "  naming the bundle the runtime reports, whose config.json hashes to the record's\n"
	      "  final digest, and whose runtime did not fail it (no runtime-failed record names\n"
	      "  it). --log FILEs oldest first.\n"
	      "  Default runtimes: the policy's, runc and crun (their default roots). Default "
	      "log:\n"
	      "  the policy's \"log\".\"path\" and its first rotation (PATH.1).\n"
	      "  --check: exit 1 when any container is unmanaged.\n",
	      f);
}

/* A usage error: the command line is wrong. The one error contract of hardshim's commands:
 * a message naming the option, then HS_DECISION_ERROR. */
static int usage_error(const char *what)
{
	fprintf(stderr, "hardshim: unmanaged: %s\n", what);
	usage(stderr);
	return HS_DECISION_ERROR;
}

static void add_rt(struct ps_ctx *c, const char *path)
{
	for (size_t i = 0; i < c->n_rts; i++)
		if (!strcmp(base_name(c->rts[i].path), base_name(path)) && !c->rts[i].root)
			return;
	if (c->n_rts < HS_ARRAY_SIZE(c->rts) && access(path, X_OK) == 0)
		c->rts[c->n_rts++] = (struct rt){ .path = path };
}

int hs_cmd_unmanaged(const char *policy_file, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime", required_argument, NULL, 'r' },
		{ "root", required_argument, NULL, 'R' },
		{ "log", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_arena_ struct hs_arena *arena = hs_arena_new();
	_cleanup_policy_ struct hs_policy *p = NULL;
	struct ps_ctx c = { .arena = arena };
	struct hs_verify_result chain = { 0 };
	const char *logs[16];
	size_t n_logs = 0;
	bool first = true, fail = false;
	char rotated[512];
	int ch;

	if (!arena)
		return 2;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (c.n_rts == HS_ARRAY_SIZE(c.rts))
				return usage_error("too many --runtime");
			c.rts[c.n_rts++] = (struct rt){ .path = optarg };
			break;
		case 'R':
			if (!c.n_rts)
				return usage_error("--root follows a --runtime");
			c.rts[c.n_rts - 1].root = optarg;
			break;
		case 'l':
			if (n_logs == HS_ARRAY_SIZE(logs))
				return usage_error("too many --log");
			logs[n_logs++] = optarg;
			break;
		case 'j': c.json = true; break;
		case 'c': c.check = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (access(policy_file, F_OK) == 0) {
		struct hs_error err = HS_ERROR_INIT;

		if (hs_policy_load(policy_file, &p, &err) < 0) {
			char msg[HS_LINE_MAX];

			hs_error_format(&err, msg, sizeof(msg));
			fprintf(stderr, "hardshim: unmanaged: %s\n", msg);
			return 2;
		}
	}
	if (!n_logs) {
		const struct hs_audit_cfg *cfg = p && p->audit ? p->audit : &hs_audit_cfg_default;

		/* Oldest first, so the chain runs through both. */
		snprintf(rotated, sizeof(rotated), "%s.1", cfg->path);
		if (access(rotated, F_OK) == 0)
			logs[n_logs++] = rotated;
		logs[n_logs++] = cfg->path;
	}
	if (!c.n_rts) {
		if (p && p->runtime)
			add_rt(&c, p->runtime);
		add_rt(&c, "/usr/bin/runc");
		add_rt(&c, "/usr/sbin/runc");
		add_rt(&c, "/usr/bin/crun");
	}
	for (size_t i = 0; i < n_logs; i++) {
		int r = load_log(&c, logs[i], &chain);

		if (r < 0 && r != -ENOENT) {
			fprintf(stderr, "hardshim: unmanaged: %s: %s\n", logs[i], hs_strerror(r));
			free(c.recs);
			return 2;
		}
	}
	if (c.json)
		fputs("[", stdout);
	else
		printf("%-6s %-40s %8s %-8s %-32s %s\n", "RT", "ID", "PID", "STATUS", "CREATED",
		       "");
	for (size_t i = 0; i < c.n_rts; i++)
		if (list_runtime(&c, &c.rts[i], &first) < 0)
			fail = true;
	if (c.json)
		fputs("]\n", stdout);
	else if (c.unrecorded)
		printf("%zu of %zu containers are unmanaged\n", c.unrecorded, c.listed);
	free(c.recs);
	if (fail)
		return 2;
	return c.check && c.unrecorded ? 1 : 0;
}
