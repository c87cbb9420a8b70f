/* SPDX-License-Identifier: Apache-2.0
 * Findings, and the loop that runs the controls. */
#include <stdio.h>
#include <string.h>

#include "hs-policy.h"

const char *hs_action_name(enum hs_action a)
{
	switch (a) {
	case HS_ACTION_REWRITE: return "rewrite";
	case HS_ACTION_REFUSE: return "refuse";
	case HS_ACTION_WARN: return "warn";
	}
	return "?";
}

int hs_action_parse(const char *s, enum hs_action *ret)
{
	static const enum hs_action all[] = { HS_ACTION_REWRITE, HS_ACTION_REFUSE, HS_ACTION_WARN };

	for (size_t i = 0; i < HS_ARRAY_SIZE(all); i++)
		if (s && !strcmp(s, hs_action_name(all[i]))) {
			*ret = all[i];
			return 0;
		}
	return -EINVAL;
}

/* "\"rewrite\", \"refuse\" or \"warn\"": the actions in ALLOWED, quoted, in enum order. */
static void allowed_words(unsigned allowed, char *buf, size_t size)
{
	size_t n = 0, k = 0, len = 0;

	for (int a = HS_ACTION_REWRITE; a <= HS_ACTION_WARN; a++)
		n += (allowed >> a) & 1u;
	buf[0] = '\0';
	for (int a = HS_ACTION_REWRITE; a <= HS_ACTION_WARN && len < size; a++) {
		if (!((allowed >> a) & 1u))
			continue;
		k++;
		len += (size_t)snprintf(buf + len, size - len, "%s\"%s\"",
					k == 1 ? "" : (k == n ? " or " : ", "),
					hs_action_name((enum hs_action)a));
	}
}

int hs_action_load(const struct hs_json *section, const char *control, const char *key,
		   unsigned allowed, enum hs_action def, enum hs_action *ret, struct hs_error *err)
{
	const struct hs_json *v = section ? hs_json_get(section, key) : NULL;
	char rule[64], path[128], words[64];

	*ret = def;
	if (!v)
		return 0;
	if (v->type == HS_JSON_STRING && hs_action_parse(v->u.string.s, ret) == 0 &&
	    ((allowed >> *ret) & 1u))
		return 0;
	*ret = def;
	snprintf(rule, sizeof(rule), "policy.%s", control);
	snprintf(path, sizeof(path), "controls.%s.%s", control, key);
	allowed_words(allowed, words, sizeof(words));
	return hs_error_set(err, -HS_ECONFIG, rule, path, v->offset, "\"%s\" is %s, not \"%s\"",
			    key, words, v->type == HS_JSON_STRING ? v->u.string.s : "a string");
}

const char *hs_event_name(enum hs_event e)
{
	static const char *const names[] = { "create", "run",  "restore", "exec",
					     "update", "hook", "check",   "command" };
	return (size_t)e < HS_ARRAY_SIZE(names) ? names[e] : "?";
}

struct hs_report *hs_report_new(void)
{
	struct hs_report *r = calloc(1, sizeof(*r));

	if (r && !(r->arena = hs_arena_new())) {
		free(r);
		return NULL;
	}
	return r;
}

void hs_report_free(struct hs_report *r)
{
	if (!r)
		return;
	hs_arena_free(r->arena);
	free(r);
}

int hs_finding(struct hs_check_ctx *ctx, const char *rule, const char *path, enum hs_action action,
	       const char *fmt, ...)
{
	struct hs_report *rep = ctx->report;
	struct hs_finding *f;
	va_list ap;
	int n;
	char *msg;

	if (rep->len == rep->cap) {
		size_t ncap = rep->cap ? rep->cap * 2 : 16;
		struct hs_finding *items = hs_arena_alloc(rep->arena, ncap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		if (rep->len)
			memcpy(items, rep->items, rep->len * sizeof(*items));
		rep->items = items;
		rep->cap = ncap;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(msg = hs_arena_alloc(rep->arena, (size_t)n + 64)))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	/* A hook runs after the runtime has read the config: it cannot rewrite, only refuse. */
	if (action == HS_ACTION_REWRITE && ctx->no_rewrite) {
		strcat(msg, " (hook mode cannot rewrite: refused)");
		action = HS_ACTION_REFUSE;
	}
	f = &rep->items[rep->len];
	*f = (struct hs_finding){
		.rule = hs_arena_strdup(rep->arena, rule),
		.path = hs_arena_strdup(rep->arena, path ? path : ""),
		.action = action,
		.message = msg,
		.exception = ctx->exception ? hs_arena_strdup(rep->arena, ctx->exception) : NULL,
	};
	if (!f->rule || !f->path)
		return -ENOMEM;
	rep->len++;
	if (action == HS_ACTION_REFUSE)
		rep->refused = true;
	return (int)action;
}

static bool exception_matches(const struct hs_exception *e, const struct hs_json *annotations)
{
	const struct hs_json_member *m;

	hs_json_foreach_member(m, e->match_annotations, j) {
		const struct hs_json *v = hs_json_get(annotations, m->key);

		if (!v || !hs_json_equal(v, m->value))
			return false;
	}
	return true;
}

const struct hs_exception *hs_policy_exception_for(const struct hs_policy *p,
						   const struct hs_json *annotations)
{
	for (size_t i = 0; annotations && i < p->n_exceptions; i++)
		if (!hs_exception_expired(p, &p->exceptions[i]) &&
		    exception_matches(&p->exceptions[i], annotations))
			return &p->exceptions[i];
	return NULL;
}

const struct hs_exception *hs_policy_expired_exception_for(const struct hs_policy *p,
							   const struct hs_json *annotations)
{
	for (size_t i = 0; annotations && i < p->n_exceptions; i++)
		if (hs_exception_expired(p, &p->exceptions[i]) &&
		    exception_matches(&p->exceptions[i], annotations))
			return &p->exceptions[i];
	return NULL;
}

static int run_controls(struct hs_check_ctx *ctx, const struct hs_control_cfg *cfgs)
{
	int r;

	ctx->controls = cfgs;
	for (size_t i = 0; i < hs_n_controls; i++) {
		const struct hs_control *c = hs_controls[i];
		const struct hs_control_cfg *cc = &cfgs[i];

		if (!cc->enabled)
			continue;
		r = 0;
		if (ctx->config && c->check_config)
			r = c->check_config(ctx, cc->cfg);
		if (r >= 0 && ctx->process && c->check_process &&
		    (ctx->config || ctx->event == HS_EVENT_EXEC))
			r = c->check_process(ctx, cc->cfg);
		if (r >= 0 && ctx->resources && c->check_resources)
			r = c->check_resources(ctx, cc->cfg);
		if (r < 0) {
			ctx->failed_control = c->name;
			return r;
		}
	}
	return 0;
}

/* Under an exception, what the base policy would have refused, on a copy of the config (the
 * base controls' rewrites must not reach the runtime): the record then says what the
 * exception let through, so its owner can be asked about exactly that. */
static int base_refusals(const struct hs_check_ctx *ctx)
{
	struct hs_check_ctx base = *ctx;
	struct hs_report *scratch = hs_report_new();
	int r = -ENOMEM;

	if (!scratch)
		return -ENOMEM;
	base.report = scratch;
	base.exception = NULL;
	base.config = hs_json_clone(ctx->arena, ctx->config);
	if (!base.config)
		goto out;
	if (ctx->process_path && !strcmp(ctx->process_path, "process"))
		base.process = hs_json_get_type(base.config, "process", HS_JSON_OBJECT);
	r = run_controls(&base, ctx->policy->controls);
	for (size_t i = 0; r >= 0 && i < scratch->len; i++) {
		const struct hs_finding *f = &scratch->items[i];
		struct hs_report *rep = ctx->report;

		if (f->action != HS_ACTION_REFUSE ||
		    rep->n_would_refuse == HS_ARRAY_SIZE(rep->would_refuse))
			continue;
		rep->would_refuse[rep->n_would_refuse].rule = hs_arena_strdup(rep->arena, f->rule);
		rep->would_refuse[rep->n_would_refuse].path = hs_arena_strdup(rep->arena, f->path);
		if (!rep->would_refuse[rep->n_would_refuse].rule ||
		    !rep->would_refuse[rep->n_would_refuse].path)
			r = -ENOMEM;
		else
			rep->n_would_refuse++;
	}
out:
	hs_report_free(scratch);
	return r < 0 ? r : 0;
}

int hs_policy_check(struct hs_check_ctx *ctx)
{
	const struct hs_policy *p = ctx->policy;
	const struct hs_control_cfg *cfgs = p->controls;
	const struct hs_exception *e = NULL;
	int r;

	if (ctx->config) {
		const struct hs_json *ann =
		    hs_json_get_type(ctx->config, "annotations", HS_JSON_OBJECT);

		e = hs_policy_exception_for(p, ann);
		if (e) {
			cfgs = e->controls;
			ctx->exception = e->name;
			ctx->report->exception = e->name;
		} else {
			/* Expired: the base policy decides, and the record says which exception
			 * would have applied, so an owner learns why a pod stopped starting. */
			const struct hs_exception *x = hs_policy_expired_exception_for(p, ann);

			if (x)
				ctx->report->exception_expired = x->name;
		}
		if (!ctx->process) {
			ctx->process = hs_json_get_type(ctx->config, "process", HS_JSON_OBJECT);
			ctx->process_path = "process";
		}
	}
	if (e) {
		r = base_refusals(ctx);
		if (r < 0)
			return r;
	}
	return run_controls(ctx, cfgs);
}

/* Whether a string array holds s. */
static bool array_has(const struct hs_json *arr, const char *s)
{
	for (size_t i = 0; i < hs_json_len(arr); i++)
		if (hs_json_is(arr->u.array.items[i], HS_JSON_STRING) &&
		    !strcmp(arr->u.array.items[i]->u.string.s, s))
			return true;
	return false;
}

bool hs_config_is_privileged(const struct hs_json *config)
{
	const struct hs_json *proc = hs_json_get_type(config, "process", HS_JSON_OBJECT);
	const struct hs_json *caps = hs_json_get_type(proc, "capabilities", HS_JSON_OBJECT);
	const struct hs_json *lx = hs_json_get_type(config, "linux", HS_JSON_OBJECT);
	const struct hs_json *masked = hs_json_get(lx, "maskedPaths");

	/* What podman --privileged and Kubernetes securityContext.privileged both write (and no
	 * ordinary request does): CAP_SYS_ADMIN in the bounding set with the kernel's sensitive
	 * /proc and /sys files left unmasked. Only words in a message depend on it, never a
	 * verdict: each part is still judged by its own control. */
	return array_has(hs_json_get_type(caps, "bounding", HS_JSON_ARRAY), "CAP_SYS_ADMIN") &&
	       lx && hs_json_len(masked) == 0;
}
