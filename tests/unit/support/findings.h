/* SPDX-License-Identifier: Apache-2.0
 * The one way a unit test looks for a finding. Every harness (control-fixture.h: one control
 * alone; resctl-fixture.h: the controls under a policy; procctl-harness.h: the whole pipeline)
 * finds through these, so a test says exactly which rule at which
 * JSON path, spelled as the code writes it ("mounts[0].source", "process.user.uid"): a test that
 * would pass for either of two spellings cannot tell which one the code produces.
 * Header-only (static inline): each test program gets its own copy. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "hs-policy.h"

/* The first finding of R with RULE at PATH, or NULL. PATH NULL matches any path: only for
 * "no such finding" and for reading a message, never to assert where a finding is. */
static inline const struct hs_finding *hs_t_find(const struct hs_report *r, const char *rule,
						 const char *path)
{
	for (size_t i = 0; r && i < r->len; i++) {
		const struct hs_finding *f = &r->items[i];

		if (!strcmp(f->rule, rule) && (!path || !strcmp(f->path, path)))
			return f;
	}
	return NULL;
}

/* Every finding of R, one per line, for a failing test's output. */
static inline void hs_t_dump(const struct hs_report *r)
{
	for (size_t i = 0; r && i < r->len; i++) {
		const struct hs_finding *f = &r->items[i];

		print_message("  have %s %s %s: %s%s%s\n", hs_action_name(f->action), f->rule,
			      f->path, f->message, f->exception ? " exception=" : "",
			      f->exception ? f->exception : "");
	}
}

/* Assert a finding with RULE at exactly PATH (never NULL) with ACTION; the test fails with the
 * whole report when there is none. */
static inline const struct hs_finding *hs_t_expect(const struct hs_report *r, const char *rule,
						   const char *path, enum hs_action action)
{
	for (size_t i = 0; path && r && i < r->len; i++) {
		const struct hs_finding *f = &r->items[i];

		if (!strcmp(f->rule, rule) && !strcmp(f->path, path) && f->action == action)
			return f;
	}
	hs_t_dump(r);
	fail_msg("expected %s at %s (%s)", rule, path ? path : "(no path given: name one)",
		 hs_action_name(action));
	return NULL;
}
