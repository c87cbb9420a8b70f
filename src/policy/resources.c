/* SPDX-License-Identifier: Apache-2.0
 * Resource limits (docs/threats.md §9, NIST SP 800-190 §4.4.2, CIS Docker 5.10/5.11/5.28): a
 * container without limits can exhaust the host's pids, memory or CPU. Negative pids.limit
 * and memory -1 mean "unlimited", which a naive "<= max" check lets through; they are read
 * as absent, and absent means the policy's default. Same checks for `update`. */
#include <inttypes.h>
#include <string.h>

#include "hs-policy.h"

struct resources_cfg {
	enum hs_action action; /* for a value above its maximum */
	int64_t pids_default, pids_max;
	int64_t memory_default, memory_max;
	uint64_t swap_factor; /* memory.swap (memory + swap) at most memory.limit * this */
	uint64_t cpu_shares_max;
	uint64_t cpu_millicores_max; /* quota/period * 1000; 0: no ceiling */
	const char *const *unified_allow;
	size_t n_unified_allow;
};

#define I64_POS (&(const struct hs_schema){ .kind = HS_S_INT, .min = 0, .max = INT64_MAX })
static const struct hs_schema_field resources_fields[] = {
	{ "action", &hs_schema_string },
	{ "pids_default", I64_POS },
	{ "pids_max", I64_POS },
	{ "memory_default", I64_POS },
	{ "memory_max", I64_POS },
	{ "swap_factor", &(const struct hs_schema){ .kind = HS_S_UINT, .umax = 64 } },
	{ "cpu_shares_max", &hs_schema_u64 },
	{ "cpu_millicores_max", &hs_schema_u64 },
	{ "unified_allow", &hs_schema_string_array },
	{ NULL, NULL },
};
static const struct hs_schema resources_schema = { .kind = HS_S_STRUCT,
						   .fields = resources_fields };

/* Over a maximum: refuse, since lowering a limit can break the workload in ways its owner
 * did not ask for; absent or unlimited: the default, which is what the policy promises. */
static const struct resources_cfg resources_default = {
	.action = HS_ACTION_REFUSE,
	.pids_default = 1024,
	.pids_max = 32768,
	.memory_default = 1LL << 30,
	.memory_max = 64LL << 30,
	/* Docker and Podman give `--memory M` a memory.swap of 2 * M by default. */
	.swap_factor = 2,
	.cpu_shares_max = 262144,
	.cpu_millicores_max = 0,
};

#define CPU_PERIOD_DEFAULT 100000
#define CPU_PERIOD_MIN     1000 /* kernel: 1 ms .. 1 s */
#define CPU_PERIOD_MAX     1000000

static int resources_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			  struct hs_error *err)
{
	static const struct {
		const char *key;
		size_t off;
	} i64s[] = {
		{ "pids_default", offsetof(struct resources_cfg, pids_default) },
		{ "pids_max", offsetof(struct resources_cfg, pids_max) },
		{ "memory_default", offsetof(struct resources_cfg, memory_default) },
		{ "memory_max", offsetof(struct resources_cfg, memory_max) },
	};
	struct resources_cfg *c = hs_arena_alloc(a, sizeof(*c));
	const struct hs_json *v, *list;
	int r;
	const char **allow;

	if (!c)
		return -ENOMEM;
	*c = resources_default;
	r = hs_action_load(section, "resources", "action", HS_ACTIONS_ALL, c->action, &c->action,
			   err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < HS_ARRAY_SIZE(i64s); i++)
		if ((v = hs_json_get(section, i64s[i].key)))
			hs_json_get_i64(v, 0, INT64_MAX, (int64_t *)((char *)c + i64s[i].off));
	if ((v = hs_json_get(section, "cpu_shares_max")))
		hs_json_get_u64(v, UINT64_MAX, &c->cpu_shares_max);
	if ((v = hs_json_get(section, "swap_factor")))
		hs_json_get_u64(v, 64, &c->swap_factor);
	if (!c->swap_factor)
		return hs_error_set(err, -HS_ECONFIG, "policy.resources", "", -1,
				    "\"swap_factor\" is at least 1 (1: no swap beyond the memory "
				    "limit)");
	if ((v = hs_json_get(section, "cpu_millicores_max")))
		hs_json_get_u64(v, UINT64_MAX, &c->cpu_millicores_max);
	/* 0 means "no maximum" for a max, "no default" for a default; a default above its own
	 * maximum would make every container over the limit. */
	if ((c->pids_max && c->pids_default > c->pids_max) ||
	    (c->memory_max && c->memory_default > c->memory_max))
		return hs_error_set(err, -HS_ECONFIG, "policy.resources", "", -1,
				    "a default is above its maximum");
	if ((c->pids_max && !c->pids_default) || (c->memory_max && !c->memory_default))
		return hs_error_set(err, -HS_ECONFIG, "policy.resources", "", -1,
				    "a maximum needs a default: a container that asks for no limit "
				    "gets the default");
	list = hs_json_get(section, "unified_allow");
	if (list) {
		const struct hs_json *item;

		allow = hs_arena_alloc(a, (hs_json_len(list) + 1) * sizeof(*allow));
		if (!allow)
			return -ENOMEM;
		hs_json_foreach_item(item, list, i)
			allow[i] = item->u.string.s;
		c->unified_allow = allow;
		c->n_unified_allow = hs_json_len(list);
	}
	*ret_cfg = c;
	return 0;
}

struct rctx {
	struct hs_check_ctx *ctx;
	const struct resources_cfg *c;
	struct hs_json *res; /* the resources object */
	const char *prefix;  /* "linux.resources" or "" (update) */
	bool fill_defaults;  /* create: absent gets the default; update: absent is unchanged */
};

static void jpath(char *buf, size_t size, const struct rctx *x, const char *sub)
{
	if (x->prefix[0])
		snprintf(buf, size, "%s.%s", x->prefix, sub);
	else
		snprintf(buf, size, "%s", sub);
}

static int set_i64(struct rctx *x, const char *obj, const char *key, int64_t value)
{
	struct hs_json *o = hs_json_ensure_object(x->ctx->arena, x->res, obj);
	struct hs_json *n = hs_json_new_i64(x->ctx->arena, value);

	if (!o || !n)
		return -ENOMEM;
	return hs_json_set(x->ctx->arena, o, key, n);
}

/* Read obj.key as int64; *present false when absent (or null). */
static void get_i64(struct rctx *x, const char *obj, const char *key, bool *present, int64_t *ret)
{
	const struct hs_json *v = hs_json_get(hs_json_get_type(x->res, obj, HS_JSON_OBJECT), key);

	*present = v && hs_json_get_i64(v, INT64_MIN, INT64_MAX, ret) == 0;
}

static void get_u64(struct rctx *x, const char *obj, const char *key, bool *present, uint64_t *ret)
{
	const struct hs_json *v = hs_json_get(hs_json_get_type(x->res, obj, HS_JSON_OBJECT), key);

	*present = v && hs_json_get_u64(v, UINT64_MAX, ret) == 0;
}

/* One limit where < 0 means unlimited, and 0 too when zero_unlimited ("not set"). */
static int check_limit(struct rctx *x, const char *obj, const char *key, const char *what,
		       bool zero_unlimited, int64_t def, int64_t max, const char *rule_unlimited,
		       const char *rule_max, int64_t *ret_value)
{
	bool present;
	int64_t v = 0;
	char path[64];
	int r;

	jpath(path, sizeof(path), x, obj);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".%s", key);
	get_i64(x, obj, key, &present, &v);
	*ret_value = present ? v : 0;
	if (!present || v < 0 || (zero_unlimited && v == 0)) {
		if (!def && !max)
			return 0;
		/* update: absent, and 0 ("not set" to runc and crun: they leave the cgroup
		 * file alone), change nothing */
		if ((!present || v == 0) && !x->fill_defaults)
			return 0;
		if (x->fill_defaults && def) {
			r = hs_finding(x->ctx, rule_unlimited, path, HS_ACTION_REWRITE,
				       "%s %s: set to the policy default %" PRId64, what,
				       present ? "unlimited" : "not set", def);
			if (r == HS_ACTION_REWRITE && (r = set_i64(x, obj, key, def)) >= 0)
				*ret_value = def;
			return r < 0 ? r : 0;
		}
		if (!max)
			return 0;
		r = hs_finding(x->ctx, rule_unlimited, path, HS_ACTION_REFUSE,
			       "%s %" PRId64 " means unlimited: the policy's maximum is %" PRId64,
			       what, v, max);
		return r < 0 ? r : 0;
	}
	if (max && v > max) {
		r = hs_finding(x->ctx, rule_max, path, x->c->action,
			       "%s %" PRId64 " is above the policy's maximum %" PRId64, what, v,
			       max);
		if (r == HS_ACTION_REWRITE && (r = set_i64(x, obj, key, max)) >= 0)
			*ret_value = max;
		return r < 0 ? r : 0;
	}
	return 0;
}

static int check_swap(struct rctx *x, int64_t memory)
{
	bool present;
	int64_t swap = 0, cap;
	char path[64];
	int r;

	get_i64(x, "memory", "swap", &present, &swap);
	/* An update with a swap value and no memory limit: both runtimes write the swap
	 * ceiling (v1 memory.memsw.limit_in_bytes) alone, against a memory limit this check
	 * never sees. Judged only with the limit beside it. */
	if (present && !memory && !x->fill_defaults) {
		jpath(path, sizeof(path), x, "memory.swap");
		r = hs_finding(x->ctx, "resources.swap-without-memory", path, HS_ACTION_REFUSE,
			       "memory.swap %" PRId64 " without memory.limit: the ceiling (memory "
			       "+ swap) cannot be judged; give both (update --memory M "
			       "--memory-swap S)",
			       swap);
		return r < 0 ? r : 0;
	}
	if (!present || !memory || memory < 0)
		return 0; /* create: runc and crun leave swap alone without a memory limit */
	jpath(path, sizeof(path), x, "memory.swap");
	cap = memory > INT64_MAX / (int64_t)x->c->swap_factor ? INT64_MAX
							      : memory * (int64_t)x->c->swap_factor;
	if (swap >= 0 && swap <= cap)
		return 0;
	r = hs_finding(x->ctx, "resources.swap-max", path,
		       swap < 0 ? HS_ACTION_REWRITE : x->c->action,
		       "memory.swap %" PRId64
		       " (memory + swap) is %s: at most memory.limit * %" PRIu64 " = %" PRId64,
		       swap, swap < 0 ? "unlimited" : "above the maximum", x->c->swap_factor, cap);
	if (r == HS_ACTION_REWRITE)
		r = set_i64(x, "memory", "swap", cap);
	return r < 0 ? r : 0;
}

static int check_cpu(struct rctx *x)
{
	const struct resources_cfg *c = x->c;
	bool has_shares, has_quota, has_period, has_rt;
	uint64_t shares = 0, period = 0;
	int64_t quota = 0, rt = 0;
	char path[64];
	int r;

	get_u64(x, "cpu", "shares", &has_shares, &shares);
	if (has_shares && c->cpu_shares_max && shares > c->cpu_shares_max) {
		jpath(path, sizeof(path), x, "cpu.shares");
		r = hs_finding(x->ctx, "resources.cpu-shares-max", path, c->action,
			       "cpu.shares %" PRIu64 " is above the policy's maximum %" PRIu64,
			       shares, c->cpu_shares_max);
		if (r == HS_ACTION_REWRITE)
			r = set_i64(x, "cpu", "shares", (int64_t)c->cpu_shares_max);
		if (r < 0)
			return r;
	}
	get_u64(x, "cpu", "period", &has_period, &period);
	if (has_period && (period < CPU_PERIOD_MIN || period > CPU_PERIOD_MAX)) {
		jpath(path, sizeof(path), x, "cpu.period");
		r = hs_finding(x->ctx, "resources.cpu-period", path, HS_ACTION_REFUSE,
			       "cpu.period %" PRIu64 " is outside %d..%d microseconds", period,
			       CPU_PERIOD_MIN, CPU_PERIOD_MAX);
		if (r < 0)
			return r;
		has_period = false;
	}
	if (!has_period)
		period = CPU_PERIOD_DEFAULT;
	get_i64(x, "cpu", "realtimeRuntime", &has_rt, &rt);
	if (has_rt && rt != 0) {
		/* Real-time time slices starve every other task on the CPU, the host's too. */
		jpath(path, sizeof(path), x, "cpu.realtimeRuntime");
		r = hs_finding(x->ctx, "resources.cpu-realtime", path, HS_ACTION_REFUSE,
			       "real-time CPU time (%" PRId64 ") is not granted to containers", rt);
		if (r < 0)
			return r;
	}
	if (!c->cpu_millicores_max)
		return 0;
	get_i64(x, "cpu", "quota", &has_quota, &quota);
	jpath(path, sizeof(path), x, "cpu.quota");
	if (!has_quota || quota <= 0) {
		int64_t def = (int64_t)(c->cpu_millicores_max * period / 1000);

		if ((!has_quota || quota == 0) && !x->fill_defaults)
			return 0; /* update: unchanged */
		if (x->fill_defaults) {
			r = hs_finding(x->ctx, "resources.cpu-unlimited", path, HS_ACTION_REWRITE,
				       "cpu.quota %s: set to %" PRId64 " (%" PRIu64 " millicores "
				       "per period of %" PRIu64 ")",
				       has_quota ? "unlimited" : "not set", def,
				       c->cpu_millicores_max, period);
			if (r == HS_ACTION_REWRITE)
				r = set_i64(x, "cpu", "quota", def);
			return r < 0 ? r : 0;
		}
		r = hs_finding(x->ctx, "resources.cpu-unlimited", path, HS_ACTION_REFUSE,
			       "cpu.quota %" PRId64
			       " means unlimited: the policy allows at most %" PRIu64 " millicores",
			       quota, c->cpu_millicores_max);
		return r < 0 ? r : 0;
	}
	if ((uint64_t)quota > c->cpu_millicores_max * period / 1000) {
		r = hs_finding(x->ctx, "resources.cpu-max", path, c->action,
			       "cpu.quota %" PRId64 " per period %" PRIu64 " is %" PRIu64
			       " millicores, above the policy's maximum %" PRIu64,
			       quota, period, (uint64_t)quota * 1000 / period,
			       c->cpu_millicores_max);
		if (r == HS_ACTION_REWRITE)
			r = set_i64(x, "cpu", "quota",
				    (int64_t)(c->cpu_millicores_max * period / 1000));
		return r < 0 ? r : 0;
	}
	return 0;
}

/* cgroup v2 files written verbatim ("pids.max": "max") would undo every limit above. */
static int check_unified(struct rctx *x)
{
	struct hs_json *map = hs_json_get_type(x->res, "unified", HS_JSON_OBJECT);
	char path[512];
	int r;

	for (size_t i = hs_json_len(map); i-- > 0;) {
		const char *key = map->u.object.members[i].key;
		bool ok = false;

		for (size_t j = 0; j < x->c->n_unified_allow && !ok; j++)
			ok = !strcmp(x->c->unified_allow[j], key);
		if (ok)
			continue;
		jpath(path, sizeof(path), x, "unified");
		hs_json_path_key(path, sizeof(path), hs_arena_strdup(x->ctx->arena, path), key);
		r = hs_finding(x->ctx, "resources.unified", path, x->c->action,
			       "cgroup v2 file \"%s\" is not on the policy's list "
			       "(controls.resources.unified_allow): it could lift the limits",
			       key);
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE)
			hs_json_remove(map, key);
	}
	return 0;
}

static int check_all(struct rctx *x)
{
	int64_t memory = 0, pids = 0;
	int r;

	r = check_limit(x, "pids", "limit", "pids.limit", true, x->c->pids_default, x->c->pids_max,
			"resources.pids-unlimited", "resources.pids-max", &pids);
	if (r >= 0)
		/* runc and crun read memory.limit 0 as "not set": unlimited too. */
		r = check_limit(x, "memory", "limit", "memory.limit", true, x->c->memory_default,
				x->c->memory_max, "resources.memory-unlimited",
				"resources.memory-max", &memory);
	if (r >= 0)
		r = check_swap(x, memory);
	if (r >= 0)
		r = check_cpu(x);
	if (r >= 0)
		r = check_unified(x);
	return r;
}

static int resources_check_config(struct hs_check_ctx *ctx, const void *vcfg)
{
	struct hs_json *linux_ = hs_json_get(ctx->config, "linux");
	struct rctx x = { .ctx = ctx,
			  .c = vcfg ? vcfg : &resources_default,
			  .prefix = "linux.resources",
			  .fill_defaults = true };

	if (linux_ && linux_->type != HS_JSON_OBJECT)
		return 0;
	if (!linux_ && !(linux_ = hs_json_ensure_object(ctx->arena, ctx->config, "linux")))
		return -ENOMEM;
	x.res = hs_json_ensure_object(ctx->arena, linux_, "resources");
	if (!x.res)
		return hs_finding(ctx, "resources.type", "linux.resources", HS_ACTION_REFUSE,
				  "not an object") < 0
			   ? -ENOMEM
			   : 0;
	return check_all(&x);
}

static int resources_check_resources(struct hs_check_ctx *ctx, const void *vcfg)
{
	struct rctx x = { .ctx = ctx,
			  .c = vcfg ? vcfg : &resources_default,
			  .prefix = "",
			  .res = ctx->resources,
			  .fill_defaults = false };

	return check_all(&x);
}

const struct hs_control hs_control_resources = {
	.name = "resources",
	.policy_schema = &resources_schema,
	.load = resources_load,
	.check_config = resources_check_config,
	.check_resources = resources_check_resources,
};
