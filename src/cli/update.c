/* SPDX-License-Identifier: Apache-2.0
 * `update` (docs/threats.md §4, §9): limits can be lifted after create. The --resources document
 * (a file, or "-" for stdin) goes through the same strict core and the same controls as a
 * config's linux.resources, and the runtime then reads exactly the bytes that were checked,
 * from a sealed memfd; the single-value flags are checked against the same maxima. */
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hs-cli.h"
#include "hs-host.h"

extern char **environ;

enum flag_kind { F_I64, F_U64, F_STRING, F_PASS };

/* Each flag and where runc's update puts it in specs.LinuxResources. */
static const struct update_flag {
	const char *flag;
	const char *obj, *key;
	enum flag_kind kind;
} update_flags[] = {
	{ "pids-limit", "pids", "limit", F_I64 },
	{ "memory", "memory", "limit", F_I64 },
	{ "memory-swap", "memory", "swap", F_I64 },
	{ "memory-reservation", "memory", "reservation", F_I64 },
	{ "kernel-memory", "memory", "kernel", F_I64 },
	{ "kernel-memory-tcp", "memory", "kernelTCP", F_I64 },
	{ "cpu-quota", "cpu", "quota", F_I64 },
	{ "cpu-period", "cpu", "period", F_U64 },
	{ "cpu-share", "cpu", "shares", F_U64 },
	{ "cpu-rt-runtime", "cpu", "realtimeRuntime", F_I64 },
	{ "cpu-rt-period", "cpu", "realtimePeriod", F_U64 },
	{ "blkio-weight", "blockIO", "weight", F_U64 },
	{ "cpuset-cpus", "cpu", "cpus", F_STRING },
	{ "cpuset-mems", "cpu", "mems", F_STRING },
	/* Intel RDT schemata: not resources the policy limits. */
	{ "l3-cache-schema", NULL, NULL, F_PASS },
	{ "mem-bw-schema", NULL, NULL, F_PASS },
};

/*
 * runc reads --pids-limit with strconv.ParseInt(s, 0, 64) ("010" is 8, "0x10" 16, "1_0" 10),
 * --memory with go-units RAMInBytes ("1g", "1.5k"), crun with strtoll: the only spelling all
 * of them read alike is plain decimal without leading zeros. Anything else is refused.
 */
static bool plain_decimal(const char *s, bool allow_negative)
{
	const char *d = s;

	if (allow_negative && *d == '-')
		d++;
	if (!*d || (d[0] == '0' && d[1]) || strlen(d) > 19)
		return false;
	for (; *d; d++)
		if (*d < '0' || *d > '9')
			return false;
	return strcmp(s, "-0") != 0;
}

/* A refusal naming the flag ("--memory"). */
static enum hs_decision refuse(struct hs_error *err, const char *rule, const char *flag,
			       const char *fmt, ...) HS_PRINTF(4, 5);
static enum hs_decision refuse(struct hs_error *err, const char *rule, const char *flag,
			       const char *fmt, ...)
{
	char path[64];
	va_list ap;

	snprintf(path, sizeof(path), "--%s", flag);
	va_start(ap, fmt);
	hs_error_setv(err, -HS_EPOLICY, rule, path, -1, fmt, ap);
	va_end(ap);
	return HS_DECISION_REFUSE;
}

/* A repeated flag is read as its last occurrence by Go and argp today, but nothing needs it;
 * with --resources the runtimes ignore the single-value flags (crun as runc), so a flag
 * given with it would look checked and do nothing: refuse both. */
static enum hs_decision check_flag_set(const struct hs_argv *a, struct hs_error *err)
{
	for (size_t i = 0; i < a->n_opts; i++)
		for (size_t j = i + 1; j < a->n_opts; j++)
			if (a->opts[i].spec == a->opts[j].spec)
				return refuse(err, "update.repeated-option", a->opts[i].spec->name,
					      "given more than once: runc and crun may read "
					      "different occurrences");
	if (hs_argv_value(a, "resources") && a->n_opts > 1)
		return refuse(err, "update.mixed-options", "resources",
			      "--resources with other resource flags: the runtimes ignore the "
			      "flags then; give one or the other");
	return HS_DECISION_ALLOW;
}

static const char *flag_for_path(const char *path)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(update_flags); i++) {
		const struct update_flag *f = &update_flags[i];
		size_t n = f->obj ? strlen(f->obj) : 0;

		if (f->obj && !strncmp(path, f->obj, n) && path[n] == '.' &&
		    !strcmp(path + n + 1, f->key))
			return f->flag;
	}
	return NULL;
}

static enum hs_decision no_memory(struct hs_error *err)
{
	return hs_decide(err, HS_DECISION_ERROR, -ENOMEM, "internal", "", -1, "out of memory");
}

/* The flags as the resources document runc's update builds from them: judged by the same
 * pipeline as --resources, and never rewritten (the runtime reads the flags, not this). */
static enum hs_decision flags_document(const struct hs_argv *a, char **ret, size_t *ret_len,
				       struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *arena = hs_arena_new();
	struct hs_json *doc;

	if (!arena || !(doc = hs_json_new(arena, HS_JSON_OBJECT)))
		return no_memory(err);
	for (size_t i = 0; i < a->n_opts; i++) {
		const char *name = a->opts[i].spec->name, *v = a->opts[i].value;
		const struct update_flag *f = NULL;
		struct hs_json *obj, *node;

		for (size_t k = 0; k < HS_ARRAY_SIZE(update_flags) && !f; k++)
			if (!strcmp(update_flags[k].flag, name))
				f = &update_flags[k];
		if (!f)
			return refuse(err, "update.unknown-option", name,
				      "not a flag hardshim checks for update: refused");
		if (f->kind == F_PASS)
			continue;
		if (!v)
			return refuse(err, "update.bad-value", name, "needs a value");
		if ((f->kind == F_I64 || f->kind == F_U64) && !plain_decimal(v, f->kind == F_I64))
			return refuse(err, "update.bad-value", name,
				      "\"%s\" is not a plain decimal integer (no units, prefixes "
				      "or "
				      "leading zeros: runc and crun read those differently)",
				      v);
		errno = 0;
		if (f->kind == F_STRING)
			node = hs_json_new_string(arena, v);
		else if (f->kind == F_I64)
			node = hs_json_new_i64(arena, strtoll(v, NULL, 10));
		else
			node = hs_json_new_u64(arena, strtoull(v, NULL, 10));
		if (errno == ERANGE)
			return refuse(err, "update.bad-value", name, "\"%s\" is out of range", v);
		obj = hs_json_ensure_object(arena, doc, f->obj);
		if (!node || !obj || hs_json_set(arena, obj, f->key, node) < 0)
			return no_memory(err);
	}
	return hs_json_emit(doc, ret, ret_len) < 0 ? no_memory(err) : HS_DECISION_ALLOW;
}

/* Findings name the flag the value came from, as the person typed it. */
static void paths_to_flags(struct hs_gate *g)
{
	struct hs_report *rep = g->pl.report;

	for (size_t i = 0; i < rep->len; i++) {
		const char *flag = flag_for_path(rep->items[i].path);
		char *path;

		if (flag && (path = hs_arena_printf(rep->arena, "--%s", flag)))
			rep->items[i].path = path;
	}
}

static const struct hs_source_rules resources_rules = {
	.open = "update.resources",
	.type = "update.resources",
};

/* Point the runtime at the sealed copy, in a spelling runc and crun read alike. A new array:
 * the one received stays as it came, for the record. */
static int rewrite_argv(struct hs_argv *a, int fd)
{
	static char token[64], path[48];
	char **nv = calloc((size_t)a->argc + 1, sizeof(char *));

	if (!nv)
		return -ENOMEM;
	memcpy(nv, a->argv, (size_t)a->argc * sizeof(char *));
	/* The old argv is main's: nothing to free. nv lives until execve. */
	a->argv = nv;
	for (size_t i = 0; i < a->n_opts; i++) {
		int idx = a->opts[i].index;

		if (strcmp(a->opts[i].spec->name, "resources"))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (idx > 0 && a->opts[i].value == a->argv[idx]) {
			/* "--resources FILE": the value was the next token. */
			a->argv[idx - 1] = "--resources";
			a->argv[idx] = path;
		} else {
			/* "--resources=FILE", "-r=FILE" (which argp reads as "=FILE"). */
			snprintf(token, sizeof(token), "--resources=%s", path);
			a->argv[idx] = token;
		}
		a->opts[i].value = path;
	}
	return 0;
}

/* The gate's commit step, before the record: the record names the command line the runtime
 * gets. */
struct argv_ref {
	struct hs_argv *a;
};

static int commit_argv(struct hs_gate *g, struct hs_error *err)
{
	const struct argv_ref *ref = g->data;

	if (g->memfd < 0 || rewrite_argv(ref->a, g->memfd) >= 0)
		return 0;
	return hs_error_set(err, -ENOMEM, "internal", "", -1, "out of memory");
}

enum hs_decision hs_update_prepare(struct hs_argv *a, const struct hs_policy *p,
				   struct hs_error *err)
{
	const struct argv_ref ref = { a };
	const char *src = hs_argv_value(a, "resources");
	_cleanup_free_ char *flags = NULL;
	struct hs_policy view;
	enum hs_decision d;
	size_t flags_len = 0;
	struct hs_gate g;

	d = check_flag_set(a, err);
	if (d != HS_DECISION_ALLOW)
		return d;
	g = (struct hs_gate){
		.argv = a,
		.policy = &view,
		.schema = &hs_oci_resources,
		.event = HS_EVENT_UPDATE,
		.container_id = a->first_positional >= 0 ? a->argv[a->first_positional] : NULL,
		.exception = hs_policy_for_container(a, p, "update.container", &view),
	};
	if (src) {
		/* The runtime then reads exactly the bytes that were checked. In audit mode,
		 * too: stdin is consumed, so the original is handed on the same way. */
		g.source = (struct hs_source){ .kind = HS_SOURCE_PATH,
					       .path = src,
					       .where = "--resources",
					       .rules = &resources_rules };
		g.delivery = HS_DELIVER_MEMFD;
		g.memfd_name = "hardshim-resources";
		g.memfd_min = 3;
		g.commit = commit_argv;
		g.data = &ref;
	} else {
		d = flags_document(a, &flags, &flags_len, err);
		if (d != HS_DECISION_ALLOW)
			return d;
		/* The flags cannot be rewritten: a value the policy would change is refused. */
		g.source = (struct hs_source){
			.kind = HS_SOURCE_BYTES, .bytes = flags, .len = flags_len, .where = "update"
		};
		g.no_rewrite = true;
		g.annotate = paths_to_flags;
	}
	d = hs_gate_run(&g, err);
	hs_gate_done(&g);
	return d;
}
