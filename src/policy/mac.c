/* SPDX-License-Identifier: Apache-2.0
 * Control "mac": every container runs under the host's mandatory access control (NIST SP
 * 800-190 §4.3, CIS Docker 5.1/5.2): an AppArmor profile that is loaded and not unconfined,
 * or an SELinux container type with its own MCS categories, never spc_t/unconfined_t.
 */
#include <string.h>
#include <sys/random.h>

#include "hs-host.h"
#include "hs-policy.h"
#include "mac.h"

struct mac_cfg {
	enum hs_action no_mac;               /* a host with neither: warn or refuse */
	const char *apparmor_profile;        /* set when a config names none */
	const char *const *apparmor_allowed; /* other profiles a config may name */
	const char *se_user, *se_role, *se_process_type, *se_file_type;
	const char *const *se_allowed_types; /* other types a config may name */
};

static const char *const none[] = { NULL };
static const struct mac_cfg defaults = {
	.no_mac = HS_ACTION_WARN,
	.apparmor_profile = "hardshim-default",
	.apparmor_allowed = none,
	.se_user = "system_u",
	.se_role = "system_r",
	.se_process_type = "container_t",
	.se_file_type = "container_file_t",
	.se_allowed_types = none,
};

/* Types that leave the container unconfined or with the host's powers (container-selinux's
 * spc_t "super privileged container", the host's own domains). Refused even if listed. */
static const char *const privileged_types[] = {
	"spc_t",    "unconfined_t", "unconfined_service_t", "kernel_t", "init_t",
	"initrc_t", "sysadm_t",     "container_runtime_t",  "virtd_t",  NULL
};

static const struct hs_schema_field apparmor_fields[] = {
	{ "profile", &hs_schema_string },
	{ "allowed", &hs_schema_string_array },
	{ NULL, NULL },
};
static const struct hs_schema apparmor_schema = { .kind = HS_S_STRUCT, .fields = apparmor_fields };
static const struct hs_schema_field selinux_fields[] = {
	{ "user", &hs_schema_string },
	{ "role", &hs_schema_string },
	{ "process_type", &hs_schema_string },
	{ "file_type", &hs_schema_string },
	{ "allowed_types", &hs_schema_string_array },
	{ NULL, NULL },
};
static const struct hs_schema selinux_schema = { .kind = HS_S_STRUCT, .fields = selinux_fields };
static const struct hs_schema_field policy_fields[] = {
	{ "no_mac", &hs_schema_string },
	{ "apparmor", &apparmor_schema },
	{ "selinux", &selinux_schema },
	{ NULL, NULL },
};
static const struct hs_schema policy_schema = { .kind = HS_S_STRUCT, .fields = policy_fields };

static bool in_list(const char *const *l, const char *s)
{
	for (; l && *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

static int load_list(struct hs_arena *a, const struct hs_json *arr, const char *const **ret)
{
	if (!arr)
		return 0;
	const char **v = hs_arena_alloc(a, (hs_json_len(arr) + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	struct hs_json *it;
	hs_json_foreach_item(it, arr, i)
		v[i] = it->u.string.s;
	*ret = v;
	return 0;
}

/* A name that goes into a label or profile name: no separators, nothing empty. */
static bool plain_name(const char *s)
{
	return s && s[0] &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") ==
		   strlen(s);
}

static int mac_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		    struct hs_error *err)
{
	struct mac_cfg *cfg = hs_arena_alloc(a, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	*cfg = defaults;
	if (hs_action_load(section, "mac", "no_mac", HS_ACTIONS_NO_REWRITE, cfg->no_mac,
			   &cfg->no_mac, err) < 0)
		return -HS_ECONFIG;
	const char *s;
	const struct hs_json *aa = hs_json_get(section, "apparmor"),
			     *se = hs_json_get(section, "selinux");
	if ((s = hs_json_get_string(aa, "profile"))) {
		if (!plain_name(s) || strcmp(s, "unconfined") == 0)
			return hs_error_set(err, -HS_ECONFIG, "policy.mac",
					    "controls.mac.apparmor.profile", -1,
					    "\"%s\" is not a usable profile name", s);
		cfg->apparmor_profile = s;
	}
	int r = load_list(a, hs_json_get(aa, "allowed"), &cfg->apparmor_allowed);
	if (r < 0 ||
	    (r = load_list(a, hs_json_get(se, "allowed_types"), &cfg->se_allowed_types)) < 0)
		return r;
	if (in_list(cfg->apparmor_allowed, "unconfined"))
		return hs_error_set(err, -HS_ECONFIG, "policy.mac", "controls.mac.apparmor.allowed",
				    -1, "unconfined cannot be allowed");
	struct {
		const char *key;
		const char **dst;
	} fields[] = {
		{ "user", &cfg->se_user },
		{ "role", &cfg->se_role },
		{ "process_type", &cfg->se_process_type },
		{ "file_type", &cfg->se_file_type },
	};
	for (size_t i = 0; i < HS_ARRAY_SIZE(fields); i++) {
		if (!(s = hs_json_get_string(se, fields[i].key)))
			continue;
		if (!plain_name(s) || in_list(privileged_types, s))
			return hs_error_set(err, -HS_ECONFIG, "policy.mac", "controls.mac.selinux",
					    -1, "%s \"%s\" is not usable for containers",
					    fields[i].key, s);
		*fields[i].dst = s;
	}
	for (const char *const *t = cfg->se_allowed_types; *t; t++)
		if (in_list(privileged_types, *t))
			return hs_error_set(err, -HS_ECONFIG, "policy.mac",
					    "controls.mac.selinux.allowed_types", -1,
					    "%s is a privileged type", *t);
	*ret_cfg = cfg;
	return 0;
}

void hs_mac_mcs_level(uint32_t r1, uint32_t r2, char *buf, size_t size)
{
	/* Two distinct categories out of 1024, lowest first as libselinux writes them. */
	unsigned a = r1 % 1024, b = r2 % 1023;
	if (b >= a)
		b++;
	if (a > b) {
		unsigned t = a;
		a = b;
		b = t;
	}
	snprintf(buf, size, "s0:c%u,c%u", a, b);
}

static int new_mcs_level(char *buf, size_t size)
{
	uint32_t r[2];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -errno;
	hs_mac_mcs_level(r[0], r[1], buf, size);
	return 0;
}

static int check_apparmor(struct hs_check_ctx *ctx, const struct mac_cfg *cfg,
			  struct hs_json *process, const char *ppath, bool set_default)
{
	char path[128];
	snprintf(path, sizeof(path), "%s%sapparmorProfile", ppath, ppath[0] ? "." : "");
	const char *prof = hs_json_get_string(process, "apparmorProfile");
	int r;
	if (!prof || !prof[0]) {
		if (!set_default)
			return 0; /* exec: the container's profile applies */
		r = hs_finding(ctx, "mac.apparmor-default", path, HS_ACTION_REWRITE,
			       "no AppArmor profile: %s applied", cfg->apparmor_profile);
		if (r != HS_ACTION_REWRITE)
			return r < 0 ? r : 0;
		if (hs_json_set(ctx->arena, process, "apparmorProfile",
				hs_json_new_string(ctx->arena, cfg->apparmor_profile)) < 0)
			return -ENOMEM;
		prof = cfg->apparmor_profile;
	}
	if (strcmp(prof, "unconfined") == 0) {
		r = hs_finding(ctx, "mac.apparmor-unconfined", path, HS_ACTION_REFUSE,
			       "the container may not run unconfined");
		return r < 0 ? r : 0;
	}
	if (strcmp(prof, cfg->apparmor_profile) != 0 && !in_list(cfg->apparmor_allowed, prof)) {
		r = hs_finding(ctx, "mac.apparmor-profile", path, HS_ACTION_REFUSE,
			       "profile %s is not allowed by the policy "
			       "(controls.mac.apparmor.allowed)",
			       prof);
		return r < 0 ? r : 0;
	}
	r = ctx->host->apparmor_profile_loaded(ctx->host, prof);
	if (r < 0)
		return r; /* cannot tell: fail closed */
	if (r == 0) {
		r = hs_finding(ctx, "mac.apparmor-not-loaded", path, HS_ACTION_REFUSE,
			       "profile %s is not loaded (/sys/kernel/security/apparmor/profiles): "
			       "load it with apparmor_parser -r",
			       prof);
		return r < 0 ? r : 0;
	}
	return 0;
}

/* Split "user:role:type:level" (the level may hold ':'); NULL members when malformed. */
struct context {
	char user[64], role[64], type[64];
	const char *level;
};

static bool parse_context(const char *s, struct context *c)
{
	const char *p = s;
	char *dst[3] = { c->user, c->role, c->type };
	for (int i = 0; i < 3; i++) {
		const char *colon = strchr(p, ':');
		if (!colon || colon == p || (size_t)(colon - p) >= sizeof(c->user))
			return false;
		memcpy(dst[i], p, (size_t)(colon - p));
		dst[i][colon - p] = '\0';
		p = colon + 1;
	}
	c->level = p;
	return p[0] != '\0';
}

/* A single level with at most categories: "s0" or "s0:c1,c2". A range ("s0-s0:c0.c1023")
 * would reach every container's files. */
static bool single_level(const char *level)
{
	return strncmp(level, "s0", 2) == 0 && (level[2] == '\0' || level[2] == ':') &&
	       !strchr(level, '-');
}

static int check_label(struct hs_check_ctx *ctx, const struct mac_cfg *cfg, const char *label,
		       const char *path, const char *want_type)
{
	struct context c;
	int r;
	if (!parse_context(label, &c))
		r = hs_finding(ctx, "mac.selinux-label", path, HS_ACTION_REFUSE,
			       "%s is not an SELinux context user:role:type:level", label);
	else if (in_list(privileged_types, c.type))
		r = hs_finding(ctx, "mac.selinux-privileged", path, HS_ACTION_REFUSE,
			       "type %s is privileged: the container would not be confined",
			       c.type);
	else if (strcmp(c.type, want_type) != 0 && !in_list(cfg->se_allowed_types, c.type))
		r = hs_finding(ctx, "mac.selinux-type", path, HS_ACTION_REFUSE,
			       "type %s is not allowed by the policy "
			       "(controls.mac.selinux.allowed_types)",
			       c.type);
	else if (!single_level(c.level))
		r = hs_finding(ctx, "mac.selinux-level", path, HS_ACTION_REFUSE,
			       "level %s is a range or not s0: the container could reach others' "
			       "files",
			       c.level);
	else if ((r = ctx->host->selinux_context_valid(ctx->host, label)) < 0)
		return r; /* cannot tell: fail closed */
	else if (r == 0)
		r = hs_finding(ctx, "mac.selinux-invalid", path, HS_ACTION_REFUSE,
			       "%s is not a valid context in the loaded policy", label);
	else
		r = 0;
	return r < 0 ? r : 0;
}

static int check_selinux(struct hs_check_ctx *ctx, const struct mac_cfg *cfg,
			 struct hs_json *process, const char *ppath, bool create)
{
	char path[128], level[32];
	snprintf(path, sizeof(path), "%s%sselinuxLabel", ppath, ppath[0] ? "." : "");
	const char *label = hs_json_get_string(process, "selinuxLabel");
	int r;
	if (!label || !label[0]) {
		if (!create)
			return 0;
		if ((r = new_mcs_level(level, sizeof(level))) < 0)
			return r;
		const char *l = hs_arena_printf(ctx->arena, "%s:%s:%s:%s", cfg->se_user,
						cfg->se_role, cfg->se_process_type, level);
		if (!l)
			return -ENOMEM;
		r = hs_finding(ctx, "mac.selinux-default", path, HS_ACTION_REWRITE,
			       "no SELinux label: %s applied", l);
		if (r != HS_ACTION_REWRITE)
			return r < 0 ? r : 0;
		if (hs_json_set(ctx->arena, process, "selinuxLabel",
				hs_json_new_string(ctx->arena, l)) < 0)
			return -ENOMEM;
		label = l;
	}
	if ((r = check_label(ctx, cfg, label, path, cfg->se_process_type)) < 0 || !create)
		return r;
	/* The files the container creates get the same categories as its processes. */
	struct hs_json *linux_ = hs_json_ensure_object(ctx->arena, ctx->config, "linux");
	if (!linux_)
		return -ENOMEM;
	const char *mount = hs_json_get_string(linux_, "mountLabel");
	struct context c;
	if (!mount || !mount[0]) {
		if (!parse_context(label, &c))
			return 0; /* already refused */
		const char *m = hs_arena_printf(ctx->arena, "%s:object_r:%s:%s", cfg->se_user,
						cfg->se_file_type, c.level);
		if (!m)
			return -ENOMEM;
		r = hs_finding(ctx, "mac.selinux-mount-default", "linux.mountLabel",
			       HS_ACTION_REWRITE, "no mount label: %s applied", m);
		if (r != HS_ACTION_REWRITE)
			return r < 0 ? r : 0;
		if (hs_json_set(ctx->arena, linux_, "mountLabel",
				hs_json_new_string(ctx->arena, m)) < 0)
			return -ENOMEM;
		mount = m;
	}
	return check_label(ctx, cfg, mount, "linux.mountLabel", cfg->se_file_type);
}

static int check(struct hs_check_ctx *ctx, const struct mac_cfg *cfg, struct hs_json *process,
		 const char *ppath, bool create)
{
	if (!ctx->host)
		return -EINVAL;
	switch (ctx->host->mac(ctx->host)) {
	case HS_MAC_APPARMOR: return process ? check_apparmor(ctx, cfg, process, ppath, create) : 0;
	case HS_MAC_SELINUX: return process ? check_selinux(ctx, cfg, process, ppath, create) : 0;
	case HS_MAC_NONE:
	default:
		if (!create)
			return 0;
		int r = hs_finding(ctx, "mac.none", "process", cfg->no_mac,
				   "this host has neither AppArmor nor SELinux enabled: the "
				   "container runs "
				   "without mandatory access control");
		return r < 0 ? r : 0;
	}
}

static int mac_check_config(struct hs_check_ctx *ctx, const void *cfg_)
{
	if (!ctx->config)
		return 0;
	return check(ctx, cfg_ ? cfg_ : &defaults,
		     hs_json_get_type(ctx->config, "process", HS_JSON_OBJECT), "process", true);
}

/* exec: a profile or label the process document names must pass the same rules; none named
 * means the container's own applies. */
static int mac_check_process(struct hs_check_ctx *ctx, const void *cfg_)
{
	if (!ctx->process || ctx->event != HS_EVENT_EXEC)
		return 0;
	return check(ctx, cfg_ ? cfg_ : &defaults, ctx->process,
		     ctx->process_path ? ctx->process_path : "", false);
}

const struct hs_control hs_control_mac = {
	.name = "mac",
	.policy_schema = &policy_schema,
	.load = mac_load,
	.check_config = mac_check_config,
	.check_process = mac_check_process,
};
