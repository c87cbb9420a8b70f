/* SPDX-License-Identifier: Apache-2.0
 * A policy (written to a root-owned temporary file and loaded for real), a document parsed
 * with the strict core, and one run of the control loop over it — for the unit tests of the
 * devices, sysctl, resources, annotations and hooks controls and of policy exceptions.
 *
 *   struct rc_fixture f;
 *   rc_run(&f, "\"sysctl\":{\"allow\":[\"net.core.somaxconn\"]}", NULL, config, HS_EVENT_CREATE);
 *   assert_non_null(rc_find(&f, "sysctl.not-allowed", "linux.sysctl[\"kernel.x\"]"));
 *   rc_done(&f);
 */
#pragma once

#include "fake-host.h"
#include "hs-policy.h"

struct rc_fixture {
	struct hs_policy *policy;
	struct hs_arena *arena;
	struct hs_report *report;
	struct hs_fake_host *host;
	struct hs_check_ctx ctx;
	struct hs_json *doc;
	char *out; /* canonical form of doc after the checks (rc_emit) */
};

/* The one way a unit test makes a policy, written root-owned 0644 and loaded for real:
 * {"runtime":..., "log": rc_log_path() (this test process's own, removed when it exits;
 *  unless EXTRA_TOP has a "log"), EXTRA_TOP, "controls":{CONTROLS, then each other control: named in ON (comma-separated)
 *  with SECTION (NULL: absent, its secure defaults), else {"enabled":false}},
 *  "exceptions":[EXCEPTIONS]}. */
struct hs_t_policy {
	const char *controls, *on, *section, *exceptions, *extra_top;
};
int hs_t_policy_load(const struct hs_t_policy *spec, struct hs_policy **ret, struct hs_error *err);
const char *rc_log_path(void);
/* CONTROLS with devices, sysctl, resources, annotations and hooks on (defaults). */
int rc_policy_load(const char *controls, const char *exceptions, struct hs_policy **ret,
		   struct hs_error *err);
/* Assert the policy is refused with this rule at this path. */
void rc_policy_refused(const char *controls, const char *exceptions, const char *rule,
		       const char *path);
/* When set, the clock exceptions expire by (policy->now) in rc_run: a fixed clock. */
extern int64_t rc_now;
/* Load the policy (must load), parse doc (config or resources document, by event: UPDATE
 * means a resources document) against its schema, run the controls. */
void rc_run(struct rc_fixture *f, const char *controls, const char *exceptions, const char *doc,
	    enum hs_event ev);
/* rc_run_with's choices beyond the documents (all zero: rc_run's). */
struct rc_opts {
	const char *on;        /* hs_t_policy's on (NULL: rc_policy_load's five controls) */
	const char *runtime;   /* the loaded policy's runtime (NULL: the file's /usr/bin/runc) */
	bool no_rewrite;       /* hook mode: no rewrites */
	bool egress_at_create; /* the caller installs egress at create (hardshim's create path) */
};
/* rc_run with those choices. */
void rc_run_with(struct rc_fixture *f, const char *controls, const char *exceptions,
		 const char *doc, enum hs_event ev, const struct rc_opts *o);
/* First finding with rule (and path, unless NULL), or NULL (findings.h's hs_t_find). */
const struct hs_finding *rc_find(const struct rc_fixture *f, const char *rule, const char *path);
/* Assert a finding with rule at exactly path with action (findings.h's hs_t_expect). */
const struct hs_finding *rc_expect(const struct rc_fixture *f, const char *rule, const char *path,
				   enum hs_action action);
size_t rc_count(const struct rc_fixture *f, const char *rule_prefix);
/* The document after the checks, canonical. */
const char *rc_emit(struct rc_fixture *f);
void rc_dump(const struct rc_fixture *f);
void rc_done(struct rc_fixture *f);
