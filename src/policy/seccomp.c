/* SPDX-License-Identifier: Apache-2.0
 * Control "seccomp": every container runs at least under hardshim's default seccomp profile
 * (NIST SP 800-190 §4.3, CIS Docker 5.21). A config's own profile is kept only when it is no
 * weaker; crun's run.oci.seccomp* annotations, which replace or extend the filter, are removed.
 *
 * Runtime behaviours relied on (runc 1.1, crun 1.8):
 * - Both build the filter with libseccomp from a context that already holds the native
 *   architecture, add the listed ones, and add every rule to every architecture in it: a
 *   name is judged on each listed architecture and on the native one.
 * - runc turns several conditions on one argument into separate rules (ORed).
 * - crun reads run.oci.seccomp* annotations (raw BPF, plugins, a receiver socket).
 */
#include <string.h>

#include "hs-policy.h"
#include "seccomp-profile.h"

struct seccomp_cfg {
	enum hs_action action;        /* for a weaker profile and for the annotations */
	const char *const *listeners; /* allowlisted listenerPath values, NULL-terminated */
};

static const char *const no_listeners[] = { NULL };
static const struct seccomp_cfg defaults = { .action = HS_ACTION_REWRITE,
					     .listeners = no_listeners };

static const struct hs_schema_field policy_fields[] = {
	{ "action", &hs_schema_string },
	{ "listener_paths", &hs_schema_string_array },
	{ NULL, NULL },
};
static const struct hs_schema policy_schema = { .kind = HS_S_STRUCT, .fields = policy_fields };

static int seccomp_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			struct hs_error *err)
{
	struct seccomp_cfg *cfg = hs_arena_alloc(a, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	*cfg = defaults;
	if (hs_action_load(section, "seccomp", "action", HS_ACTIONS_ALL, cfg->action, &cfg->action,
			   err) < 0)
		return -HS_ECONFIG;
	const struct hs_json *l = hs_json_get_type(section, "listener_paths", HS_JSON_ARRAY);
	if (l) {
		const char **v = hs_arena_alloc(a, (hs_json_len(l) + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		struct hs_json *it;
		hs_json_foreach_item(it, l, i) {
			if (it->type != HS_JSON_STRING || it->u.string.s[0] != '/')
				return hs_error_set(err, -HS_ECONFIG, "policy.seccomp",
						    "controls.seccomp.listener_paths", -1,
						    "listener paths must be absolute");
			v[i] = it->u.string.s;
		}
		cfg->listeners = v;
	}
	*ret_cfg = cfg;
	return 0;
}

/* crun reads these: run.oci.seccomp_bpf_data replaces the whole filter with raw BPF,
 * run.oci.seccomp.plugins loads a host library into the runtime, run.oci.seccomp.receiver
 * sends the listener fd to a socket of the config's choosing. None may come from a config. */
static bool seccomp_annotation(const char *key)
{
	return strncmp(key, "run.oci.seccomp", strlen("run.oci.seccomp")) == 0;
}

static int check_annotations(struct hs_check_ctx *ctx, const struct seccomp_cfg *cfg)
{
	struct hs_json *ann = hs_json_get_type(ctx->config, "annotations", HS_JSON_OBJECT);
	for (size_t i = 0; i < hs_json_len(ann); i++) {
		const char *key = ann->u.object.members[i].key;
		if (!seccomp_annotation(key))
			continue;
		char path[256];
		hs_json_path_key(path, sizeof(path), "annotations", key);
		int r = hs_finding(ctx, "seccomp.annotation", path, cfg->action,
				   "crun would let this annotation replace or extend the seccomp "
				   "filter");
		if (r < 0)
			return r;
		if (r == HS_ACTION_REWRITE) {
			hs_json_remove(ann, key); /* the next member moved into slot i */
			i--;
		}
	}
	return 0;
}

static bool listener_allowed(const struct seccomp_cfg *cfg, const char *path)
{
	for (const char *const *l = cfg->listeners; *l; l++)
		if (strcmp(*l, path) == 0)
			return true;
	return false;
}

/* Everything the config's profile can do wrong, found in one pass. */
struct profile_check {
	struct hs_check_ctx *ctx;
	const struct seccomp_cfg *cfg;
	const struct hs_sc_caps *caps;
	unsigned arches; /* bits of the profile's architectures (the native one if none listed) */
	bool weaker;     /* some finding asked for the default instead */
	bool notify_ok;  /* SCMP_ACT_NOTIFY goes to an allowlisted agent */
	struct allow_index *index; /* per hs_sc_arches[i], built on first use */
};

static int finding(struct profile_check *pc, const char *rule, const char *path,
		   enum hs_action action, const char *fmt, va_list ap) HS_PRINTF(5, 0);
static int finding(struct profile_check *pc, const char *rule, const char *path,
		   enum hs_action action, const char *fmt, va_list ap)
{
	char msg[HS_LINE_MAX];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	int r = hs_finding(pc->ctx, rule, path, action, "%s", msg);
	if (r == HS_ACTION_REWRITE)
		pc->weaker = true;
	return r < 0 ? r : 0;
}

/* A finding the policy's action answers: a weaker profile is replaced or refused. */
static int weaker(struct profile_check *pc, const char *rule, const char *path, const char *fmt,
		  ...) HS_PRINTF(4, 5);
static int weaker(struct profile_check *pc, const char *rule, const char *path, const char *fmt,
		  ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = finding(pc, rule, path, pc->cfg->action, fmt, ap);
	va_end(ap);
	return r;
}

/* A profile hardshim cannot read with certainty (unknown names, actions, flags) is refused
 * whatever the policy says: replacing it would hide a mistake the author must see. */
static int refuse(struct profile_check *pc, const char *rule, const char *path, const char *fmt,
		  ...) HS_PRINTF(4, 5);
static int refuse(struct profile_check *pc, const char *rule, const char *path, const char *fmt,
		  ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = finding(pc, rule, path, HS_ACTION_REFUSE, fmt, ap);
	va_end(ap);
	return r;
}

enum { ACT_UNKNOWN, ACT_DENY, ACT_PERMIT };

/* Which actions let a syscall run: ALLOW and LOG run it, TRACE lets a tracer run it, NOTIFY
 * lets the agent behind listenerPath run it. */
static int classify_action(const struct profile_check *pc, const char *a)
{
	static const char *const deny[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
					    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
					    "SCMP_ACT_ERRNO" };
	static const char *const permit[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE" };
	if (!a)
		return ACT_UNKNOWN;
	for (size_t i = 0; i < HS_ARRAY_SIZE(deny); i++)
		if (strcmp(a, deny[i]) == 0)
			return ACT_DENY;
	for (size_t i = 0; i < HS_ARRAY_SIZE(permit); i++)
		if (strcmp(a, permit[i]) == 0)
			return ACT_PERMIT;
	if (strcmp(a, "SCMP_ACT_NOTIFY") == 0)
		return pc->notify_ok ? ACT_DENY : ACT_PERMIT;
	return ACT_UNKNOWN;
}

static int check_architectures(struct profile_check *pc, const struct hs_json *sc)
{
	const struct hs_json *arches = hs_json_get(sc, "architectures");
	struct hs_json *it;
	pc->arches = 0;
	hs_json_foreach_item(it, arches, i) {
		char path[256];
		hs_json_path_index(path, sizeof(path), "linux.seccomp.architectures", i);
		const struct hs_sc_arch *a =
		    it->type == HS_JSON_STRING ? hs_sc_arch_by_oci(it->u.string.s) : NULL;
		if (!a) {
			int r =
			    refuse(pc, "seccomp.architecture", path,
				   "%s is not an architecture libseccomp knows",
				   it->type == HS_JSON_STRING ? it->u.string.s : "(not a string)");
			if (r < 0)
				return r;
			continue;
		}
		if (!(a->bit & hs_sc_host_allowed_arches())) {
			int r = weaker(pc, "seccomp.architecture", path,
				       "%s is not an architecture of this host", a->oci);
			if (r < 0)
				return r;
			continue;
		}
		pc->arches |= a->bit;
	}
	/* The native architecture is in every filter whatever the list says: runc and crun
	 * start from libseccomp's context, which holds it, and only add the listed ones. A
	 * profile listing only SCMP_ARCH_X86 still puts its rules on x86_64, where a name absent
	 * on x86 (kexec_file_load) is a real syscall: judge every name there too. */
	pc->arches |= hs_sc_host_native();
	return 0;
}

static int check_flags(struct profile_check *pc, const struct hs_json *sc)
{
	/* SPEC_ALLOW turns off the Speculative Store Bypass mitigation seccomp enables; TSYNC,
	 * LOG and WAIT_KILLABLE_RECV change nothing a container could use. */
	static const char *const harmless[] = { "SECCOMP_FILTER_FLAG_TSYNC",
						"SECCOMP_FILTER_FLAG_LOG",
						"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };
	struct hs_json *it;
	hs_json_foreach_item(it, hs_json_get(sc, "flags"), i) {
		char path[256];
		hs_json_path_index(path, sizeof(path), "linux.seccomp.flags", i);
		const char *f = it->type == HS_JSON_STRING ? it->u.string.s : "(not a string)";
		bool ok = false;
		for (size_t k = 0; k < HS_ARRAY_SIZE(harmless); k++)
			ok |= strcmp(f, harmless[k]) == 0;
		if (ok)
			continue;
		int r = strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0
			    ? weaker(pc, "seccomp.flag", path,
				     "%s switches off the speculative store bypass mitigation", f)
			    : refuse(pc, "seccomp.flag", path, "unknown seccomp flag %s", f);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One argument condition, as the default's table and a config write it. */
static bool arg_equal(const struct hs_json *a, const struct hs_sc_arg *d)
{
	uint64_t index, value, value_two = 0;
	const char *op = hs_json_get_string(a, "op");
	const struct hs_json *v2 = hs_json_get(a, "valueTwo");
	return op && strcmp(op, d->op) == 0 &&
	       hs_json_get_u64(hs_json_get(a, "index"), 5, &index) == 0 && index == d->index &&
	       hs_json_get_u64(hs_json_get(a, "value"), UINT64_MAX, &value) == 0 &&
	       value == d->value && (!v2 || hs_json_get_u64(v2, UINT64_MAX, &value_two) == 0) &&
	       value_two == d->value_two;
}

/* The default's ALLOW rules on one architecture, sorted by syscall number. Resolved once per
 * architecture and check: judging each of a profile's names against every name of the
 * default through libseccomp took ~10^5 library calls for a 350-name profile (7.5 ms of
 * `create`); this takes one call per default name, then a binary search per config name. */
struct allow_entry {
	int nr;
	const struct hs_sc_rule *rule;
};
struct allow_index {
	bool built;
	size_t n;
	struct allow_entry *v;
};

static int allow_entry_cmp(const void *a_, const void *b_)
{
	const struct allow_entry *a = a_, *b = b_;
	return (a->nr > b->nr) - (a->nr < b->nr);
}

static int build_index(struct profile_check *pc, const struct hs_sc_arch *arch,
		       struct allow_index *ix)
{
	/* The default treats x32 like x86_64: it never allows more there. */
	unsigned fam_bit = arch->bit == HS_SC_ARCH_X32 ? HS_SC_ARCH_X86_64 : arch->bit;
	size_t cap = 0;
	for (size_t i = 0; i < hs_sc_n_rules; i++)
		for (const struct hs_sc_name *n = hs_sc_rule_names(&hs_sc_rules[i]); n->name[0];
		     n++)
			cap++;
	ix->v = hs_arena_alloc(pc->ctx->arena, cap * sizeof(*ix->v));
	if (!ix->v)
		return -ENOMEM;
	ix->n = 0;
	for (size_t i = 0; i < hs_sc_n_rules; i++) {
		const struct hs_sc_rule *rule = &hs_sc_rules[i];
		if (rule->action != HS_SC_ALLOW ||
		    !hs_sc_rule_applies(rule, hs_sc_host_family(), pc->caps))
			continue;
		for (const struct hs_sc_name *n = hs_sc_rule_names(rule); n->name[0]; n++) {
			if (!(n->arches & fam_bit))
				continue;
			int dnr, r = hs_sc_resolve(arch, n->name, &dnr, NULL);
			if (r < 0)
				return r;
			if (r == HS_SC_NAME_PRESENT)
				ix->v[ix->n++] = (struct allow_entry){ .nr = dnr, .rule = rule };
		}
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), allow_entry_cmp);
	ix->built = true;
	return 0;
}

/* Does the default (for this container's capabilities) allow syscall nr on arch with these
 * argument conditions? Unconditionally allowed, or the config's conditions include all of a
 * conditional rule's (more conditions, ANDed, allow less). */
static int default_allows(struct profile_check *pc, size_t arch_i, int nr,
			  const struct hs_json *args, bool *ret)
{
	struct allow_index *ix = &pc->index[arch_i];
	if (!ix->built) {
		int r = build_index(pc, &hs_sc_arches[arch_i], ix);
		if (r < 0)
			return r;
	}
	/* the first entry for nr */
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->v[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < ix->n && ix->v[k].nr == nr; k++) {
		const struct hs_sc_rule *rule = ix->v[k].rule;
		if (!rule->has_arg) {
			*ret = true;
			return 0;
		}
		struct hs_json *a;
		hs_json_foreach_item(a, args, j)
			if (arg_equal(a, &rule->arg)) {
				*ret = true;
				return 0;
			}
	}
	*ret = false;
	return 0;
}

/* runc turns several conditions on the same argument into separate rules, ORed: a second
 * condition would widen what the first allows. */
static bool args_repeat_index(const struct hs_json *args)
{
	uint64_t seen = 0;
	struct hs_json *a;
	hs_json_foreach_item(a, args, i) {
		uint64_t index;
		if (hs_json_get_u64(hs_json_get(a, "index"), 5, &index) < 0 ||
		    (seen & (1u << index)))
			return true;
		seen |= 1u << index;
	}
	return false;
}

static int check_name(struct profile_check *pc, const char *name, const char *path, int kind,
		      const struct hs_json *args)
{
	bool unknown = true, allowed = true;
	for (size_t i = 0; i < hs_sc_n_arches; i++) {
		const struct hs_sc_arch *arch = &hs_sc_arches[i];
		if (!(arch->bit & pc->arches))
			continue;
		/* Without libseccomp nothing can be said about the names: fail closed. */
		int nr, r = hs_sc_resolve(arch, name, &nr, NULL);
		if (r < 0)
			return r;
		if (r == HS_SC_NAME_UNKNOWN)
			break;
		unknown = false;
		if (r == HS_SC_NAME_ABSENT || kind != ACT_PERMIT || !allowed)
			continue;
		r = default_allows(pc, i, nr, args, &allowed);
		if (r < 0)
			return r;
	}
	if (unknown)
		return refuse(pc, "seccomp.unknown-syscall", path,
			      "libseccomp knows no syscall %s: unknown names are refused, not "
			      "skipped",
			      name);
	if (!allowed)
		return weaker(pc, "seccomp.syscall", path,
			      "%s is allowed here%s but hardshim's default profile denies it", name,
			      hs_json_len(args) ? " with these arguments" : "");
	return 0;
}

static int check_syscalls(struct profile_check *pc, const struct hs_json *sc)
{
	struct hs_json *entry;
	hs_json_foreach_item(entry, hs_json_get(sc, "syscalls"), i) {
		char epath[64], path[256];
		hs_json_path_index(epath, sizeof(epath), "linux.seccomp.syscalls", i);
		const char *action = hs_json_get_string(entry, "action");
		int kind = classify_action(pc, action), r;
		if (kind == ACT_UNKNOWN) {
			snprintf(path, sizeof(path), "%s.action", epath);
			r = refuse(pc, "seccomp.action", path, "unknown seccomp action %s",
				   action ? action : "(missing)");
			if (r < 0)
				return r;
			continue;
		}
		const struct hs_json *args = hs_json_get(entry, "args");
		if (kind == ACT_PERMIT && args_repeat_index(args)) {
			snprintf(path, sizeof(path), "%s.args", epath);
			r = weaker(pc, "seccomp.args", path,
				   "two conditions on one argument: runc would OR them, widening "
				   "the rule");
			if (r < 0)
				return r;
		}
		char npath[80];
		snprintf(npath, sizeof(npath), "%s.names", epath);
		struct hs_json *n;
		hs_json_foreach_item(n, hs_json_get(entry, "names"), k) {
			hs_json_path_index(path, sizeof(path), npath, k);
			if (n->type != HS_JSON_STRING)
				r = refuse(pc, "seccomp.unknown-syscall", path,
					   "a syscall name must be a string");
			else
				r = check_name(pc, n->u.string.s, path, kind, args);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int check_profile(struct hs_check_ctx *ctx, const struct seccomp_cfg *cfg,
			 const struct hs_json *sc, const struct hs_sc_caps *caps, bool *ret_weaker)
{
	struct profile_check pc = { .ctx = ctx, .cfg = cfg, .caps = caps };
	int r;
	pc.index = hs_arena_alloc(ctx->arena, hs_sc_n_arches * sizeof(*pc.index));
	if (!pc.index)
		return -ENOMEM;
	const char *listener = hs_json_get_string(sc, "listenerPath");
	if (listener && listener[0]) {
		if (listener_allowed(cfg, listener))
			pc.notify_ok = true;
		else if ((r = weaker(&pc, "seccomp.listener", "linux.seccomp.listenerPath",
				     "%s is not an allowlisted seccomp agent (policy "
				     "listener_paths)",
				     listener)) < 0)
			return r;
	}
	const char *def = hs_json_get_string(sc, "defaultAction");
	switch (classify_action(&pc, def)) {
	case ACT_UNKNOWN:
		r = refuse(&pc, "seccomp.action", "linux.seccomp.defaultAction",
			   "unknown seccomp action %s", def ? def : "(missing)");
		break;
	case ACT_PERMIT:
		r = weaker(&pc, "seccomp.default-action", "linux.seccomp.defaultAction",
			   "%s lets every syscall not listed run: a default-deny profile is "
			   "required",
			   def);
		break;
	default: r = 0;
	}
	if (r < 0 || (r = check_architectures(&pc, sc)) < 0 || (r = check_flags(&pc, sc)) < 0 ||
	    (r = check_syscalls(&pc, sc)) < 0)
		return r;
	*ret_weaker = pc.weaker;
	return 0;
}

static int install_default(struct hs_check_ctx *ctx, const struct hs_sc_caps *caps)
{
	struct hs_json *linux_ = hs_json_ensure_object(ctx->arena, ctx->config, "linux");
	struct hs_json *p = hs_sc_default_profile(ctx->arena, hs_sc_host_family(), caps);
	if (!linux_ || !p)
		return -ENOMEM;
	return hs_json_set(ctx->arena, linux_, "seccomp", p);
}

static int seccomp_check_config(struct hs_check_ctx *ctx, const void *cfg_)
{
	const struct seccomp_cfg *cfg = cfg_ ? cfg_ : &defaults;
	if (!ctx->config)
		return 0;
	int r = check_annotations(ctx, cfg);
	if (r < 0)
		return r;
	/* The capabilities control ran before this one: these are the final sets. */
	const struct hs_json *capabilities =
	    hs_json_get(hs_json_get(ctx->config, "process"), "capabilities");
	struct hs_sc_caps caps = { .permitted = hs_json_get(capabilities, "permitted"),
				   .bounding = hs_json_get(capabilities, "bounding") };
	const struct hs_json *sc = hs_json_get(hs_json_get(ctx->config, "linux"), "seccomp");
	if (!sc) {
		r = hs_finding(ctx, "seccomp.default", "linux.seccomp", HS_ACTION_REWRITE, "%s",
			       "no seccomp profile: hardshim's default profile applied");
		if (r < 0)
			return r;
		return r == HS_ACTION_REWRITE ? install_default(ctx, &caps) : 0;
	}
	/* hardshim's own default for these capabilities, exactly: what this control wrote on an
	 * earlier pass (create, then the createRuntime hook; check --output, then create).
	 * Every rule of it is one the full check below accepts, so there is nothing to judge
	 * and no reason to load libseccomp. Anything else -- one name moved, one action or
	 * errno changed, one argument condition dropped, one key added -- is judged in full. */
	struct hs_json *own = hs_sc_default_profile(ctx->arena, hs_sc_host_family(), &caps);
	if (own && hs_json_equal(sc, own)) {
		hs_sc_judged.own_default++;
		return 0;
	}
	hs_sc_judged.full++;
	bool is_weaker = false;
	r = check_profile(ctx, cfg, sc, &caps, &is_weaker);
	if (r < 0)
		return r;
	if (!is_weaker)
		return 0;
	/* One of the findings above already said why; this one says what was done. */
	r = hs_finding(ctx, "seccomp.replaced", "linux.seccomp", HS_ACTION_REWRITE, "%s",
		       "profile weaker than hardshim's default: replaced by the default");
	if (r < 0)
		return r;
	return r == HS_ACTION_REWRITE ? install_default(ctx, &caps) : 0;
}

const struct hs_control hs_control_seccomp = {
	.name = "seccomp",
	.policy_schema = &policy_schema,
	.load = seccomp_load,
	.check_config = seccomp_check_config,
};
