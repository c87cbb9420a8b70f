/* SPDX-License-Identifier: Apache-2.0
 * Process (docs/threats.md §5, CVE-2024-21626): a cwd of /proc/self/fd/7 reached the host through a
 * leaked fd; a cwd must be absolute, lexically clean and outside /proc, /sys, /dev. Also args,
 * env, oomScoreAdj (a negative one makes the host kill others first) and rlimits (resource
 * exhaustion of the host, NIST SP 800-190 §4.4.2) within the policy's maxima. */
#include <string.h>

#include "hs-path.h"
#include "hs-policy.h"

struct rlimit_max {
	const char *type;
	uint64_t max;
};

struct process_cfg {
	enum hs_action action; /* oomScoreAdj and rlimits; cwd, args, env are always refused */
	const char **cwd_forbidden;
	int64_t oom_min;
	struct rlimit_max *rlimits; /* terminated by type NULL */
};

static const char *const default_cwd_forbidden[] = { "/proc", "/sys", "/dev", NULL };
static const struct rlimit_max default_rlimits[] = {
	{ "RLIMIT_NOFILE", 1048576 },
	{ "RLIMIT_NPROC", 4194304 },
	{ "RLIMIT_MEMLOCK", 64u << 20 },
	{ "RLIMIT_RTPRIO", 0 },
	{ NULL, 0 },
};
/* Every rlimit Linux has (runc and crun refuse others; hardshim refuses them first). */
static const char *const rlimit_names[] = {
	"RLIMIT_AS",
	"RLIMIT_CORE",
	"RLIMIT_CPU",
	"RLIMIT_DATA",
	"RLIMIT_FSIZE",
	"RLIMIT_LOCKS",
	"RLIMIT_MEMLOCK",
	"RLIMIT_MSGQUEUE",
	"RLIMIT_NICE",
	"RLIMIT_NOFILE",
	"RLIMIT_NPROC",
	"RLIMIT_RSS",
	"RLIMIT_RTPRIO",
	"RLIMIT_RTTIME",
	"RLIMIT_SIGPENDING",
	"RLIMIT_STACK",
	NULL,
};

static const struct hs_schema_field fields[] = {
	{ "action", &hs_schema_string },
	{ "cwd_forbidden", &hs_schema_string_array },
	{ "oom_score_adj_min",
	  &(const struct hs_schema){ .kind = HS_S_INT, .min = -1000, .max = 1000 } },
	{ "rlimits", &(const struct hs_schema){ .kind = HS_S_MAP, .item = &hs_schema_u64 } },
	{ NULL, NULL },
};
static const struct hs_schema schema = { .kind = HS_S_STRUCT, .fields = fields };

static bool rlimit_name_known(const char *n)
{
	for (size_t i = 0; rlimit_names[i]; i++)
		if (!strcmp(rlimit_names[i], n))
			return true;
	return false;
}

static int process_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			struct hs_error *err)
{
	struct process_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const struct hs_json *cwd = hs_json_get(section, "cwd_forbidden");
	const struct hs_json *rl = hs_json_get(section, "rlimits"), *v, *it;
	const struct hs_json_member *m;
	size_t n;

	if (!c)
		return -ENOMEM;
	c->action = HS_ACTION_REWRITE;
	if (hs_action_load(section, "process", "action", HS_ACTIONS_ALL, c->action, &c->action,
			   err) < 0)
		return -HS_ECONFIG;
	if ((v = hs_json_get(section, "oom_score_adj_min")) &&
	    hs_json_get_i64(v, -1000, 1000, &c->oom_min) < 0)
		return -HS_ECONFIG;

	c->cwd_forbidden = (const char **)default_cwd_forbidden;
	if (cwd) {
		n = hs_json_len(cwd);
		if (!(c->cwd_forbidden = hs_arena_alloc(a, (n + 1) * sizeof(char *))))
			return -ENOMEM;
		hs_json_foreach_item(it, cwd, i) {
			if (it->u.string.s[0] != '/')
				return hs_error_set(err, -HS_ECONFIG, "policy.process",
						    "controls.process.cwd_forbidden", -1,
						    "\"%s\" is not an absolute path",
						    it->u.string.s);
			c->cwd_forbidden[i] = it->u.string.s;
		}
	}

	c->rlimits = (struct rlimit_max *)default_rlimits;
	if (rl) {
		n = hs_json_len(rl);
		if (!(c->rlimits = hs_arena_alloc(a, (n + 1) * sizeof(*c->rlimits))))
			return -ENOMEM;
		hs_json_foreach_member(m, rl, i) {
			if (!rlimit_name_known(m->key))
				return hs_error_set(err, -HS_ECONFIG, "policy.process",
						    "controls.process.rlimits", -1,
						    "\"%s\" is not an rlimit", m->key);
			c->rlimits[i].type = m->key;
			if (hs_json_get_u64(m->value, UINT64_MAX, &c->rlimits[i].max) < 0)
				return -HS_ECONFIG;
		}
	}
	*ret_cfg = c;
	return 0;
}

static const char *ppath(struct hs_check_ctx *ctx, const char *rel)
{
	if (!ctx->process_path || !ctx->process_path[0])
		return rel;
	return hs_arena_printf(ctx->arena, "%s.%s", ctx->process_path, rel);
}

static int refuse(struct hs_check_ctx *ctx, const char *rule, const char *path, const char *fmt,
		  ...) HS_PRINTF(4, 5);
static int refuse(struct hs_check_ctx *ctx, const char *rule, const char *path, const char *fmt,
		  ...)
{
	char msg[HS_LINE_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = hs_finding(ctx, rule, path, HS_ACTION_REFUSE, "%s", msg);
	return r < 0 ? r : 0;
}

/* Lexically clean: absolute, no empty, "." or ".." component, no trailing slash. Nothing is
 * resolved: the path is inside the container, whose filesystem hardshim never walks. */
static const char *cwd_problem(const char *cwd)
{
	size_t n;

	if (cwd[0] != '/')
		return "is not absolute";
	if (!strcmp(cwd, "/"))
		return NULL;
	if (strstr(cwd, "//"))
		return "has an empty component (//)";
	if (cwd[strlen(cwd) - 1] == '/')
		return "ends with /";
	for (const char *p = cwd, *c; (c = hs_path_next(&p, &n));)
		if (hs_path_is_dot(c, n) || hs_path_is_dotdot(c, n))
			return "has a . or .. component";
	return NULL;
}

static int check_cwd(struct hs_check_ctx *ctx, const struct process_cfg *c)
{
	const struct hs_json *v = hs_json_get(ctx->process, "cwd");
	const char *path = ppath(ctx, "cwd"), *why;

	if (v && v->type != HS_JSON_STRING)
		return 0;
	if (!v)
		return refuse(ctx, "process.cwd", path, "no cwd: the process's directory %s",
			      "must be given as an absolute path");
	if ((why = cwd_problem(v->u.string.s))) {
		int r = hs_finding(ctx, "process.cwd", path, HS_ACTION_REFUSE,
				   "\"%s\" %s: a cwd must be absolute and lexically clean",
				   v->u.string.s, why);
		return r < 0 ? r : 0;
	}
	for (size_t i = 0; c->cwd_forbidden[i]; i++) {
		size_t n = strlen(c->cwd_forbidden[i]);

		if (!strncmp(v->u.string.s, c->cwd_forbidden[i], n) &&
		    (v->u.string.s[n] == '\0' || v->u.string.s[n] == '/' ||
		     !strcmp(c->cwd_forbidden[i], "/")))
			return refuse(ctx, "process.cwd", path,
				      "\"%s\" is under a kernel filesystem (/proc, /sys, /dev): a "
				      "leaked fd there reaches the host (CVE-2024-21626)",
				      v->u.string.s);
	}
	return 0;
}

static int check_args(struct hs_check_ctx *ctx)
{
	const struct hs_json *v = hs_json_get(ctx->process, "args");
	const struct hs_json *cl = hs_json_get(ctx->process, "commandLine");

	/* commandLine is Windows-only; on Linux args is what runs. */
	if (v && v->type == HS_JSON_ARRAY && v->u.array.len > 0 &&
	    v->u.array.items[0]->type == HS_JSON_STRING && v->u.array.items[0]->u.string.len > 0)
		return 0;
	if (v && v->type != HS_JSON_ARRAY)
		return 0;
	/* args[0] present but empty: name that entry, the one to fix, not the whole list. */
	if (v && v->u.array.len > 0)
		return refuse(ctx, "process.args", ppath(ctx, "args[0]"),
			      "no program to run (args[0] is not a program name)");
	return refuse(ctx, "process.args", ppath(ctx, "args"),
		      "no program to run (args is empty%s)",
		      cl ? "; commandLine is Windows-only" : "");
}

static int check_env(struct hs_check_ctx *ctx)
{
	const struct hs_json *env = hs_json_get(ctx->process, "env"), *it;

	hs_json_foreach_item(it, env, i) {
		const char *eq;
		char path[256];
		int r;

		if (it->type != HS_JSON_STRING)
			continue;
		eq = strchr(it->u.string.s, '=');
		if (eq && eq != it->u.string.s)
			continue;
		hs_json_path_index(path, sizeof(path), ppath(ctx, "env"), i);
		/* runc and crun read a malformed entry differently (skip, error, empty name). */
		r = hs_finding(ctx, "process.env", path, HS_ACTION_REFUSE,
			       "\"%.64s\" is not KEY=VALUE with a non-empty KEY", it->u.string.s);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_oom(struct hs_check_ctx *ctx, const struct process_cfg *c)
{
	const struct hs_json *v = hs_json_get(ctx->process, "oomScoreAdj");
	int64_t n;
	int r;

	if (!v || hs_json_get_i64(v, INT64_MIN, INT64_MAX, &n) < 0 || n >= c->oom_min)
		return 0;
	r = hs_finding(ctx, "process.oom-score-adj", ppath(ctx, "oomScoreAdj"), c->action,
		       "oomScoreAdj %lld is below %lld: the host's OOM killer would kill others "
		       "first%s",
		       (long long)n, (long long)c->oom_min,
		       c->action == HS_ACTION_REWRITE ? ": raised" : "");
	if (r == HS_ACTION_REWRITE && hs_json_set(ctx->arena, ctx->process, "oomScoreAdj",
						  hs_json_new_i64(ctx->arena, c->oom_min)) < 0)
		return -ENOMEM;
	return r < 0 ? r : 0;
}

static const struct rlimit_max *rlimit_max(const struct process_cfg *c, const char *type)
{
	for (size_t i = 0; c->rlimits[i].type; i++)
		if (!strcmp(c->rlimits[i].type, type))
			return &c->rlimits[i];
	return NULL;
}

static int clamp(struct hs_check_ctx *ctx, const struct process_cfg *c, struct hs_json *rl,
		 const char *key, const char *type, uint64_t max, const char *base)
{
	const struct hs_json *v = hs_json_get(rl, key);
	uint64_t n;
	int r;

	if (!v || hs_json_get_u64(v, UINT64_MAX, &n) < 0 || n <= max)
		return 0;
	r = hs_finding(ctx, "process.rlimits", hs_arena_printf(ctx->arena, "%s.%s", base, key),
		       c->action, "%s %s %llu is above the policy's maximum %llu%s", type, key,
		       (unsigned long long)n, (unsigned long long)max,
		       c->action == HS_ACTION_REWRITE ? ": lowered" : "");
	if (r == HS_ACTION_REWRITE &&
	    hs_json_set(ctx->arena, rl, key, hs_json_new_u64(ctx->arena, max)) < 0)
		return -ENOMEM;
	return r < 0 ? r : 0;
}

static int check_rlimits(struct hs_check_ctx *ctx, const struct process_cfg *c)
{
	const struct hs_json *list = hs_json_get(ctx->process, "rlimits");
	struct hs_json *rl;

	hs_json_foreach_item(rl, list, i) {
		const char *type = hs_json_get_string(rl, "type");
		const struct rlimit_max *max;
		char base[256];
		uint64_t soft = 0, hard = 0;
		int r = 0;

		hs_json_path_index(base, sizeof(base), ppath(ctx, "rlimits"), i);
		if (!type || !rlimit_name_known(type)) {
			r = refuse(ctx, "process.rlimits", base,
				   "\"%s\" is not an rlimit Linux knows",
				   type ? type : "(no type)");
			if (r < 0)
				return r;
			continue;
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(hs_json_get_string(list->u.array.items[k], "type") ?: "",
				    type)) {
				/* Which one wins differs between runtimes. */
				r = refuse(ctx, "process.rlimits", base, "%s is given twice", type);
				break;
			}
		if (r < 0)
			return r;
		(void)hs_json_get_u64(hs_json_get(rl, "soft"), UINT64_MAX, &soft);
		(void)hs_json_get_u64(hs_json_get(rl, "hard"), UINT64_MAX, &hard);
		if (soft > hard) {
			r = refuse(ctx, "process.rlimits", base,
				   "%s: soft limit above the hard limit", type);
			if (r < 0)
				return r;
		}
		if (!(max = rlimit_max(c, type)))
			continue;
		r = clamp(ctx, c, rl, "hard", type, max->max, base);
		if (r >= 0)
			r = clamp(ctx, c, rl, "soft", type, max->max, base);
		if (r < 0)
			return r;
	}
	return 0;
}

static int process_check_process(struct hs_check_ctx *ctx, const void *cfg)
{
	const struct process_cfg *c = cfg;
	int r;

	r = check_cwd(ctx, c);
	if (r >= 0)
		r = check_args(ctx);
	if (r >= 0)
		r = check_env(ctx);
	if (r >= 0)
		r = check_oom(ctx, c);
	if (r >= 0)
		r = check_rlimits(ctx, c);
	return r < 0 ? r : 0;
}

const struct hs_control hs_control_process = {
	.name = "process",
	.policy_schema = &schema,
	.load = process_load,
	.check_process = process_check_process,
};
