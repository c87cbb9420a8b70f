/* SPDX-License-Identifier: Apache-2.0
 * The policy file: the administrator's, parsed with the same strict core as attacker input,
 * and refused whole if any part of it is not understood — a half-read policy fails open. */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "hs-audit.h"
#include "hs-policy.h"

#ifndef HS_SYSCONFDIR
#define HS_SYSCONFDIR "/etc"
#endif
#define POLICY_MAX_BYTES (1u << 20)

bool hs_policy_runtime_is_crun(const struct hs_policy *p)
{
	const char *base = p && p->runtime ? strrchr(p->runtime, '/') : NULL;

	base = base ? base + 1 : p && p->runtime ? p->runtime : "";
	return strncmp(base, "crun", 4) == 0;
}

int hs_refuse_hookless_restore(struct hs_check_ctx *ctx, const char *rule, const char *lapse,
			       const char *fix)
{
	int r;

	if (ctx->event != HS_EVENT_RESTORE || !hs_policy_runtime_is_crun(ctx->policy))
		return 0;
	r = hs_finding(ctx, rule, "hooks.createRuntime", HS_ACTION_REFUSE,
		       "crun runs no hooks on restore, so %s: %s", lapse, fix);
	return r < 0 ? r : 1;
}

static const struct hs_schema_field json_fields[] = {
	{ "max_bytes", &hs_schema_u32 },
	{ "max_depth", &(const struct hs_schema){ .kind = HS_S_UINT, .umax = 1024 } },
	{ "max_string", &hs_schema_u32 },
	{ "max_items", &hs_schema_u32 },
	{ "unknown_keys", &hs_schema_string },
	{ NULL, NULL },
};

static const struct hs_schema_field exception_fields[] = {
	{ "name", &hs_schema_string },
	/* Governance: who asked, why, and until when (RFC 3339). */
	{ "owner", &hs_schema_string },
	{ "reason", &hs_schema_string },
	{ "expires", &hs_schema_string },
	{ "match",
	  &(const struct hs_schema){
	      .kind = HS_S_STRUCT,
	      .fields = (const struct hs_schema_field[]){ { "annotations", &hs_schema_string_map },
							  { NULL, NULL } } } },
	/* Each member must be an object; its keys are checked against the control's schema. */
	{ "controls",
	  &(const struct hs_schema){
	      .kind = HS_S_MAP,
	      .item = &(const struct hs_schema){ .kind = HS_S_MAP, .item = &hs_schema_any } } },
	{ NULL, NULL },
};

/* Top level; "controls" members are checked against each control's own schema below. */
static const struct hs_schema_field top_fields[] = {
	{ "runtime", &hs_schema_string },
	{ "mode", &hs_schema_string },
	{ "json", &(const struct hs_schema){ .kind = HS_S_STRUCT, .fields = json_fields } },
	{ "controls", &(const struct hs_schema){ .kind = HS_S_MAP, .item = &hs_schema_any } },
	{ "exceptions", &(const struct hs_schema){ .kind = HS_S_ARRAY, .item = &hs_schema_any } },
	{ "log", &hs_schema_any },
	{ NULL, NULL },
};
static const struct hs_schema top_schema = { .kind = HS_S_STRUCT, .fields = top_fields };
static const struct hs_schema exception_schema = { .kind = HS_S_STRUCT,
						   .fields = exception_fields };

/* The admin's file must be the admin's: a policy anyone else can write is no policy. */
static int read_policy(const char *path, char **ret_buf, size_t *ret_len,
		       struct hs_policy_seen *seen, struct hs_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		return hs_error_set(err, -errno, "policy.open", path, -1, "cannot open policy: %s",
				    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return hs_error_set(err, -EINVAL, "policy.open", path, -1, "not a regular file");
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 0022))
		return hs_error_set(err, -EPERM, "policy.permissions", path, -1,
				    "policy must be owned by root (or the caller) and writable by "
				    "its "
				    "owner only (mode %04o, uid %u)",
				    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	/* what was read is this inode's content at this moment or later (the cache's key) */
	seen->st = st;
	clock_gettime(CLOCK_REALTIME, &seen->at);
	return hs_read_fd(fd, POLICY_MAX_BYTES, ret_buf, ret_len, err);
}

/* The strict core's refusals name their rule json.*; in the policy file (its bytes, its top
 * level, a control's section, an exception) they are the policy's: policy.* (docs/policy.md,
 * "Rule ids"), so an operator's alert on policy.* sees every way the policy is wrong. */
static void policy_area(struct hs_error *err)
{
	char rule[sizeof(err->rule)];

	if (strncmp(err->rule, "json.", 5))
		return;
	snprintf(rule, sizeof(rule), "policy.%s", err->rule + 5);
	snprintf(err->rule, sizeof(err->rule), "%s", rule);
}

static int parse_policy(struct hs_arena *a, const char *path, struct hs_json **ret,
			struct hs_policy_seen *seen, struct hs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	size_t len = 0;
	int r;

	limits.max_bytes = POLICY_MAX_BYTES;
	r = read_policy(path, &buf, &len, seen, err);
	if (r < 0)
		return r;
	r = hs_json_parse(a, buf, len, &limits, ret, err);
	if (r >= 0)
		r = hs_schema_check(*ret, &top_schema, "", HS_UNKNOWN_REFUSE, err);
	if (r < 0 && err && !strncmp(err->rule, "json.", 5)) {
		/* Same core, but the file is the admin's: say so. */
		policy_area(err);
		snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
			 " in policy %s", path);
	}
	return r < 0 ? -HS_ECONFIG : 0;
}

static int load_runtime(const struct hs_json *root, const char **ret, struct hs_error *err)
{
	const char *rt = hs_json_get_string(root, "runtime");

	/* Never PATH: a stale or planted binary earlier in PATH would get the container. */
	if (!rt || rt[0] != '/')
		return hs_error_set(err, -HS_ECONFIG, "policy.runtime", "runtime", -1,
				    "\"runtime\" must be the absolute path of runc or crun");
	*ret = rt;
	return 0;
}

int hs_policy_load_runtime(const char *path, char **ret_runtime, struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *a = NULL;
	const char *cache = hs_policy_cache_dir();
	struct hs_policy_seen seen;
	struct hs_json *root;
	const char *rt = NULL;
	int r;

	/* The same policy file, already read strictly by this build: its runtime, unparsed. */
	if (hs_policy_cache_lookup(cache, path, ret_runtime) > 0)
		return 0;
	if (!(a = hs_arena_new()))
		return -ENOMEM;
	r = parse_policy(a, path, &root, &seen, err);
	if (r < 0)
		return r;
	r = load_runtime(root, &rt, err);
	if (r < 0)
		return r;
	if (!(*ret_runtime = strdup(rt)))
		return -ENOMEM;
	(void)hs_policy_cache_store(cache, path, &seen, rt);
	return 0;
}

/* A control names its errors at "controls.NAME[.rest]" (or nowhere): put them where the
 * section really is, "exceptions[2].controls.NAME.rest" for an exception's section, so the
 * operator is sent to the member that is wrong, not to the base section that is fine. */
static void place_error(struct hs_error *err, const char *name, const char *path)
{
	char base[96], rest[sizeof(err->path)];
	size_t n;

	snprintf(base, sizeof(base), "controls.%s", name);
	n = strlen(base);
	if (!err->path[0]) {
		snprintf(err->path, sizeof(err->path), "%s", path);
		return;
	}
	if (strncmp(err->path, base, n) ||
	    (err->path[n] && err->path[n] != '.' && err->path[n] != '['))
		return;
	snprintf(rest, sizeof(rest), "%s", err->path + n);
	snprintf(err->path, sizeof(err->path), "%s%s", path, rest);
}

/* A control's section: "enabled" is the loader's, the rest the control's. */
static int load_control(struct hs_arena *a, const struct hs_control *c,
			const struct hs_json *section, const char *path, struct hs_control_cfg *ret,
			struct hs_error *err)
{
	const struct hs_json *en = hs_json_get(section, "enabled");
	struct hs_json *rest = NULL;
	int r;

	*ret = (struct hs_control_cfg){ .control = c, .enabled = true };
	if (section && section->type != HS_JSON_OBJECT)
		return hs_error_set(err, -HS_ECONFIG, "policy.type", path, -1, "must be an object");
	if (en) {
		if (en->type != HS_JSON_BOOL)
			return hs_error_set(err, -HS_ECONFIG, "policy.type", path, -1,
					    "\"enabled\" must be a boolean");
		ret->enabled = en->u.boolean;
	}
	if (section) {
		rest = hs_json_clone(a, section);
		if (!rest)
			return -ENOMEM;
		hs_json_remove(rest, "enabled");
		if (c->policy_schema) {
			r = hs_schema_check(rest, c->policy_schema, path, HS_UNKNOWN_REFUSE, err);
			if (r < 0) {
				if (err)
					policy_area(err);
				return -HS_ECONFIG;
			}
		} else if (rest->u.object.len) {
			return hs_error_set(err, -HS_ECONFIG, "policy.unknown-key", path, -1,
					    "control \"%s\" takes no settings", c->name);
		}
	}
	if (!c->load)
		return 0;
	r = c->load(a, rest, &ret->cfg, err);
	if (r < 0 && err) {
		place_error(err, c->name, path);
		policy_area(err);
	}
	return r < 0 ? (r == -ENOMEM ? r : -HS_ECONFIG) : 0;
}

static const struct hs_control *find_control(const char *name)
{
	for (size_t i = 0; i < hs_n_controls; i++)
		if (!strcmp(hs_controls[i]->name, name))
			return hs_controls[i];
	return NULL;
}

static int check_control_names(const struct hs_json *controls, const char *path,
			       struct hs_error *err)
{
	const struct hs_json_member *m;

	hs_json_foreach_member(m, controls, i) {
		char sub[256];

		hs_json_path_key(sub, sizeof(sub), path, m->key);
		if (!find_control(m->key))
			return hs_error_set(err, -HS_ECONFIG, "policy.unknown-control", sub, -1,
					    "no control is named \"%s\"", m->key);
	}
	return 0;
}

/* An exception's section is the base section with the exception's keys laid over it. */
static struct hs_json *merge_section(struct hs_arena *a, const struct hs_json *base,
				     const struct hs_json *over)
{
	struct hs_json *m = base ? hs_json_clone(a, base) : hs_json_new(a, HS_JSON_OBJECT);
	const struct hs_json_member *mm;

	if (!m)
		return NULL;
	hs_json_foreach_member(mm, over, i)
		if (hs_json_set(a, m, mm->key, mm->value) < 0)
			return NULL;
	return m;
}

/* An exception's owner, reason and expiry. The expiry is an instant: a date without a time or
 * a zone would expire at a different moment on each node's clock settings. */
static int load_governance(struct hs_exception *e, const struct hs_json *item, const char *path,
			   struct hs_error *err)
{
	const char *exp = hs_json_get_string(item, "expires");

	e->owner = hs_json_get_string(item, "owner");
	e->reason = hs_json_get_string(item, "reason");
	if ((e->owner && !e->owner[0]) || (e->reason && !e->reason[0]))
		return hs_error_set(err, -HS_ECONFIG, "policy.exception", path, -1,
				    "\"owner\" and \"reason\" may not be empty");
	e->expires = -1;
	if (exp && hs_parse_rfc3339(exp, &e->expires) < 0)
		return hs_error_set(err, -HS_ECONFIG, "policy.exception", path, -1,
				    "\"expires\": \"%s\" is not an RFC 3339 time "
				    "(2026-12-31T23:59:59Z or with an offset, +01:00)",
				    exp);
	return 0;
}

static int load_exceptions(struct hs_policy *p, const struct hs_json *list, struct hs_error *err)
{
	const struct hs_json *controls = hs_json_get(p->root, "controls");
	const struct hs_json *item;
	int r;

	p->n_exceptions = hs_json_len(list);
	p->exceptions = hs_arena_alloc(p->arena, (p->n_exceptions + 1) * sizeof(*p->exceptions));
	if (!p->exceptions)
		return -ENOMEM;
	hs_json_foreach_item(item, list, i) {
		struct hs_exception *e = &p->exceptions[i];
		const struct hs_json *ec, *match;
		const struct hs_json_member *m;
		char path[256];

		hs_json_path_index(path, sizeof(path), "exceptions", i);
		r = hs_schema_check(item, &exception_schema, path, HS_UNKNOWN_REFUSE, err);
		if (r < 0) {
			if (err)
				policy_area(err);
			return -HS_ECONFIG;
		}
		e->name = hs_json_get_string(item, "name");
		match = hs_json_get(hs_json_get(item, "match"), "annotations");
		if (!e->name || !e->name[0] || hs_json_len(match) == 0)
			return hs_error_set(err, -HS_ECONFIG, "policy.exception", path, -1,
					    "an exception needs a \"name\" and at least one "
					    "annotation in \"match\"");
		/* Findings name the exception: two of the same name would blur the record. */
		for (size_t k = 0; k < i; k++)
			if (!strcmp(p->exceptions[k].name, e->name))
				return hs_error_set(err, -HS_ECONFIG, "policy.exception", path, -1,
						    "exception name \"%s\" is used twice", e->name);
		hs_json_foreach_member(m, match, j)
			/* Image metadata is the image author's to set, not the orchestrator's. */
			if (!strncmp(m->key, "org.opencontainers.image.", 25))
				return hs_error_set(err, -HS_ECONFIG, "policy.exception", path, -1,
						    "annotation \"%s\" is set by the image, not "
						    "the "
						    "orchestrator: it cannot select an exception",
						    m->key);
		e->match_annotations = (struct hs_json *)match;
		r = load_governance(e, item, path, err);
		if (r < 0)
			return r;
		ec = hs_json_get(item, "controls");
		snprintf(path + strlen(path), sizeof(path) - strlen(path), ".controls");
		r = check_control_names(ec, path, err);
		if (r < 0)
			return r;
		e->controls = hs_arena_alloc(p->arena, (hs_n_controls + 1) * sizeof(*e->controls));
		if (!e->controls)
			return -ENOMEM;
		for (size_t k = 0; k < hs_n_controls; k++) {
			const struct hs_control *c = hs_controls[k];
			const struct hs_json *over = hs_json_get(ec, c->name);
			struct hs_json *merged;
			char cpath[256];

			if (!over) {
				e->controls[k] = p->controls[k];
				continue;
			}
			merged = merge_section(p->arena, hs_json_get(controls, c->name), over);
			if (!merged)
				return -ENOMEM;
			hs_json_path_key(cpath, sizeof(cpath), path, c->name);
			r = load_control(p->arena, c, merged, cpath, &e->controls[k], err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int load_limits(struct hs_policy *p, const struct hs_json *js, struct hs_error *err)
{
	static const struct {
		const char *key;
		size_t offset;
		bool is_unsigned;
	} fields[] = {
		{ "max_bytes", offsetof(struct hs_json_limits, max_bytes), false },
		{ "max_string", offsetof(struct hs_json_limits, max_string), false },
		{ "max_items", offsetof(struct hs_json_limits, max_items), false },
	};
	const char *unknown = hs_json_get_string(js, "unknown_keys");
	const struct hs_json *v;
	uint64_t n;

	p->limits = HS_JSON_LIMITS_DEFAULT;
	for (size_t i = 0; i < HS_ARRAY_SIZE(fields); i++)
		if ((v = hs_json_get(js, fields[i].key)) && hs_json_get_u64(v, UINT32_MAX, &n) == 0)
			*(size_t *)((char *)&p->limits + fields[i].offset) = (size_t)n;
	if ((v = hs_json_get(js, "max_depth")) && hs_json_get_u64(v, 1024, &n) == 0)
		p->limits.max_depth = (unsigned)n;
	if (p->limits.max_depth < 4 || p->limits.max_bytes < 1024)
		return hs_error_set(err, -HS_ECONFIG, "policy.json", "json", -1,
				    "limits too small to read any config (max_depth >= 4, "
				    "max_bytes >= 1024)");
	/* Refused unless the policy says otherwise: a key hardshim does not know may be one a
	 * newer runtime obeys (process.scheduler, linux.netDevices, ...), unchecked. */
	p->unknown_keys = HS_UNKNOWN_REFUSE;
	if (unknown && !strcmp(unknown, "preserve"))
		p->unknown_keys = HS_UNKNOWN_PRESERVE;
	else if (unknown && strcmp(unknown, "refuse"))
		return hs_error_set(err, -HS_ECONFIG, "policy.json", "json.unknown_keys", -1,
				    "must be \"preserve\" or \"refuse\"");
	return 0;
}

static bool digits(const char *s, int n, int *ret)
{
	*ret = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*ret = *ret * 10 + (s[i] - '0');
	}
	return true;
}

int hs_parse_rfc3339(const char *s, int64_t *ret)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	struct tm tm = { 0 };
	const char *p = s + 19;
	time_t t;

	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		sign = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2, &oh) &&
		   p[3] == ':' && digits(p + 4, 2, &om) && oh <= 23 && om <= 59) {
		sign = *p == '+' ? 1 : -1;
	} else {
		return -EINVAL;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm normalises: 2026-02-30 would become March 2nd. Refuse what moved. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -EINVAL;
	*ret = (int64_t)t - (int64_t)sign * (oh * 3600 + om * 60);
	return 0;
}

bool hs_exception_expired(const struct hs_policy *p, const struct hs_exception *e)
{
	return e->expires >= 0 && p->now >= e->expires;
}

int hs_policy_load(const char *path, struct hs_policy **ret, struct hs_error *err)
{
	struct hs_policy_seen seen;
	struct hs_policy *p;
	const struct hs_json *controls;
	const char *mode;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p || !(p->arena = hs_arena_new())) {
		free(p);
		return -ENOMEM;
	}
	p->file = hs_arena_strdup(p->arena, path);
	p->now = (int64_t)time(NULL);
	r = parse_policy(p->arena, path, &p->root, &seen, err);
	if (r >= 0)
		r = load_runtime(p->root, &p->runtime, err);
	if (r < 0)
		goto fail;
	mode = hs_json_get_string(p->root, "mode");
	if (!mode || !strcmp(mode, "enforce")) {
		p->mode = HS_MODE_ENFORCE;
	} else if (!strcmp(mode, "audit")) {
		p->mode = HS_MODE_AUDIT;
	} else {
		r = hs_error_set(err, -HS_ECONFIG, "policy.mode", "mode", -1,
				 "must be \"enforce\" or \"audit\"");
		goto fail;
	}
	r = load_limits(p, hs_json_get(p->root, "json"), err);
	if (r < 0)
		goto fail;

	controls = hs_json_get(p->root, "controls");
	r = check_control_names(controls, "controls", err);
	if (r < 0)
		goto fail;
	p->controls = hs_arena_alloc(p->arena, (hs_n_controls + 1) * sizeof(*p->controls));
	if (!p->controls) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < hs_n_controls; i++) {
		char cpath[256];

		hs_json_path_key(cpath, sizeof(cpath), "controls", hs_controls[i]->name);
		r = load_control(p->arena, hs_controls[i],
				 hs_json_get(controls, hs_controls[i]->name), cpath,
				 &p->controls[i], err);
		if (r < 0)
			goto fail;
	}
	r = load_exceptions(p, hs_json_get(p->root, "exceptions"), err);
	if (r >= 0)
		r = hs_audit_load_policy(p->arena, hs_json_get(p->root, "log"), &p->audit, err);
	if (r < 0)
		goto fail;
	*ret = p;
	return 0;
fail:
	if (err && err->code == 0)
		hs_error_set(err, r, "policy.load", path, -1, "%s",
			     strerror(r == -ENOMEM ? ENOMEM : EINVAL));
	hs_policy_free(p);
	return r;
}

void hs_policy_free(struct hs_policy *p)
{
	if (!p)
		return;
	hs_arena_free(p->arena);
	free(p);
}
