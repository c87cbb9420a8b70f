/* SPDX-License-Identifier: Apache-2.0
 * Which policy file an invocation uses: HARDSHIM_POLICY (root: only from a caller the kernel
 * does not mark secure) or the installed one, and `hardshim-NAME` picks NAME.json beside it.
 * Its own file: the front (src/front/front.c) needs it without the policy reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs-policy.h"

#ifndef HS_SYSCONFDIR
#define HS_SYSCONFDIR "/etc"
#endif

#define NAME_MAX_LEN 64

/* A name that can only name a file beside the base policy: no '/', no leading '.', nothing
 * a shell or a path would read twice. */
static bool name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > NAME_MAX_LEN || n[0] == '.' || n[0] == '-')
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '-' || *n == '_' || *n == '.'))
			return false;
	return true;
}

/* The NAME of `hardshim-NAME` in ARGV0, or NULL under any other name; -HS_ECONFIG (err set)
 * for a NAME that is not a plain file name. */
static int invocation_name(const char *argv0, const char **ret, struct hs_error *err)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	*ret = NULL;
	if (!base || strncmp(base, "hardshim-", 9))
		return 0;
	if (!name_ok(base + 9))
		return hs_error_set(err, -HS_ECONFIG, "policy.name", base, -1,
				    "invoked as \"%s\": the name after \"hardshim-\" selects the "
				    "policy file NAME.json and may hold only letters, digits, '-', "
				    "'_' and '.' (not first), at most %d characters",
				    base, NAME_MAX_LEN);
	*ret = base + 9;
	return 0;
}

int hs_policy_path(const char *argv0, char buf[HS_POLICY_PATH_MAX], struct hs_error *err)
{
	const char *p = secure_getenv("HARDSHIM_POLICY"), *slash, *name;
	int n, r;

	if (!p || !*p)
		p = HS_SYSCONFDIR "/hardshim/policy.json";
	if ((r = invocation_name(argv0, &name, err)) < 0)
		return r;
	if (!name)
		n = snprintf(buf, HS_POLICY_PATH_MAX, "%s", p);
	else {
		/* hardshim-NAME: NAME.json beside the base policy. Never a fallback to the base:
		 * the administrator chose another policy for this runtime entry, and a missing
		 * file is a missing policy (fail closed). */
		slash = strrchr(p, '/');
		n = snprintf(buf, HS_POLICY_PATH_MAX, "%.*s%s.json",
			     slash ? (int)(slash - p + 1) : 0, p, name);
	}
	/* Too long: "/" is no regular file, so the load fails closed rather than a truncated
	 * name reaching another file. */
	if (n < 0 || n >= HS_POLICY_PATH_MAX)
		snprintf(buf, HS_POLICY_PATH_MAX, "/");
	return 0;
}
