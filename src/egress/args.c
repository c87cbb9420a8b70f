/* SPDX-License-Identifier: Apache-2.0
 * The egress policy as hook arguments. The control writes the effective section (after any
 * exception) into the createRuntime hook it injects, in normal form, so the hook enforces
 * exactly what `create` decided without loading the policy again; the hook re-parses every
 * entry with the same strict parser. */
#include <string.h>

#include "hs-egress.h"

int hs_egress_args(struct hs_arena *a, const struct hs_egress_cfg *cfg, char ***ret_argv,
		   size_t *ret_n)
{
	size_t n = 0, max = 4 + 2 * (cfg->n_allow + cfg->n_deny) + 1;
	char **v = hs_arena_alloc(a, max * sizeof(char *));
	char buf[HS_EGRESS_ENTRY_MAX + 16];

	if (!v)
		return -ENOMEM;
	v[n++] = "--default";
	v[n++] = cfg->default_allow ? "allow" : "deny";
	for (size_t i = 0; i < cfg->n_deny; i++) {
		v[n++] = "--deny";
		hs_egress_entry_format(&cfg->deny[i], buf, sizeof(buf));
		if (!(v[n++] = hs_arena_strdup(a, buf)))
			return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->n_allow; i++) {
		v[n++] = "--allow";
		hs_egress_entry_format(&cfg->allow[i], buf, sizeof(buf));
		if (!(v[n++] = hs_arena_strdup(a, buf)))
			return -ENOMEM;
	}
	if (cfg->rate) {
		v[n++] = "--rate";
		if (!(v[n++] = hs_arena_printf(a, "%llu", (unsigned long long)cfg->rate)))
			return -ENOMEM;
	}
	v[n] = NULL;
	*ret_argv = v;
	*ret_n = n;
	return 0;
}

#define ARGS_MAX 4096 /* entries on one hook command line */

int hs_egress_args_parse(struct hs_arena *a, int argc, char **argv, struct hs_egress_cfg *ret,
			 struct hs_error *err)
{
	struct hs_egress_cfg c = { 0 };
	bool have_default = false;
	int r;

	if (argc > 2 * ARGS_MAX)
		return hs_error_set(err, -HS_EUSAGE, "usage", "", -1, "too many arguments");
	c.allow = hs_arena_alloc(a, (size_t)(argc / 2 + 1) * sizeof(*c.allow));
	c.deny = hs_arena_alloc(a, (size_t)(argc / 2 + 1) * sizeof(*c.deny));
	if (!c.allow || !c.deny)
		return -ENOMEM;
	for (int i = 0; i < argc; i += 2) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val)
			return hs_error_set(err, -HS_EUSAGE, "usage", opt, -1, "%s needs a value",
					    opt);
		if (strcmp(opt, "--default") == 0) {
			if (strcmp(val, "allow") && strcmp(val, "deny"))
				return hs_error_set(err, -HS_EUSAGE, "usage", opt, -1,
						    "--default is allow or deny, not \"%s\"", val);
			c.default_allow = strcmp(val, "allow") == 0;
			have_default = true;
		} else if (strcmp(opt, "--allow") == 0) {
			r = hs_egress_entry_parse(val, opt, &c.allow[c.n_allow++], err);
			if (r < 0)
				return r;
		} else if (strcmp(opt, "--deny") == 0) {
			r = hs_egress_entry_parse(val, opt, &c.deny[c.n_deny++], err);
			if (r < 0)
				return r;
		} else if (strcmp(opt, "--rate") == 0) {
			char *end;

			errno = 0;
			c.rate = strtoull(val, &end, 10);
			if (errno || end == val || *end || val[0] < '1' || val[0] > '9')
				return hs_error_set(err, -HS_EUSAGE, "usage", opt, -1,
						    "--rate is a positive number of bytes per "
						    "second");
		} else {
			return hs_error_set(err, -HS_EUSAGE, "usage", opt, -1, "unknown option %s",
					    opt);
		}
	}
	/* Fail closed: no "--default" means the caller lost the policy on the way. */
	if (!have_default)
		return hs_error_set(err, -HS_EUSAGE, "usage", "--default", -1,
				    "--default allow|deny is required");
	*ret = c;
	return 0;
}

static int copy_entries(struct hs_arena *a, const struct hs_egress_entry *v, size_t n,
			struct hs_egress_entry **ret)
{
	*ret = NULL;
	if (!n)
		return 0;
	*ret = hs_arena_alloc(a, n * sizeof(*v));
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, v, n * sizeof(*v));
	return 0;
}

int hs_egress_cfg_copy(struct hs_arena *a, const struct hs_egress_cfg *cfg,
		       struct hs_egress_cfg *ret)
{
	*ret = *cfg;
	if (copy_entries(a, cfg->allow, cfg->n_allow, &ret->allow) < 0 ||
	    copy_entries(a, cfg->deny, cfg->n_deny, &ret->deny) < 0)
		return -ENOMEM;
	return 0;
}
