/* SPDX-License-Identifier: Apache-2.0
 * The one harness for unit-testing a control: one struct (struct hs_t), one prefix (t_), three
 * entry points, one find. Pick the entry point by what the rule under test depends on:
 *
 *   t_control*   the control alone: its section loaded by hand, its check_config or
 *                check_process called directly on the invented host. For a control's own
 *                rules and rewrites, and for several passes over one document (t_recheck).
 *                  t_control_run(&t, &hs_control_mounts, NULL, section, config, HS_EVENT_CREATE);
 *   t_policy*    the controls under a real policy file (written root-owned, loaded by
 *                hs_policy_load): for exceptions, rule actions, and controls that read the
 *                policy or each other's sections (devices, sysctl, resources, annotations,
 *                hooks, egress). The document is parsed and schema-checked, then the control
 *                loop runs over it.
 *                  t_policy(&t, "\"sysctl\":{\"allow\":[\"net.core.somaxconn\"]}", NULL,
 *                           config, HS_EVENT_CREATE);
 *   t_pipeline   the whole pipeline (strict parse, schema, controls, canonical bytes) under a
 *                policy with only the named controls on, then t_run (a config) or t_run_exec
 *                (a process; set t.container to the container's config first when the
 *                control reads it). For what reaches the runtime (t_out_has).
 *                  t_pipeline(&t, "user", NULL); t_run(&t, config);
 *
 * Then, whichever entry point ran: t_find (the first finding with a rule at a path, or NULL),
 * t_expect (assert a finding with a rule at exactly a path with an action; the whole report
 * printed when there is none), t_count, t_dump, and always t_done. On a report of the test's
 * own: struct hs_t t = { .report = r }.
 *
 * A finding's path is spelled as the code writes it ("mounts[0].source", "process.user.uid"):
 * a test that would pass for either of two spellings cannot tell which one the code produces,
 * so t_expect takes no "any path". */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake-host.h"
#include "hs-policy.h"

struct hs_t {
	/* every entry point */
	struct hs_policy *policy; /* t_policy, t_pipeline */
	struct hs_fake_host *fh;  /* the invented host */
	struct hs_arena *arena;   /* documents (t_pipeline: the container's config) */
	struct hs_report *report; /* t_control, t_policy (t_pipeline: pl.report) */
	struct hs_check_ctx ctx;  /* t_control, t_policy */
	/* t_control */
	const struct hs_control *control;
	void *cfg;          /* the loaded section */
	int ret;            /* check's result in t_control_run */
	bool host_borrowed; /* fh is the test's (t_control_on): t_done leaves it */
	/* t_policy */
	struct hs_json *doc; /* the document the controls judged */
	char *out;           /* doc's canonical form (t_emit) */
	/* t_pipeline */
	/* the pipeline's bundle; NULL: /srv/bundle (t_pipeline makes its rootfs), or none at
	 * all with no_bundle (check CONFIG, the precreate hook) */
	const char *bundle;
	bool no_bundle;
	const char *container_id;   /* the command line's id; NULL: none */
	const struct hs_host *host; /* NULL: the invented host (fh) */
	const char *container;      /* exec: the container's config (JSON text); NULL: none */
	bool no_rewrite;            /* hook mode: the pipeline judges, rewrites nothing */
	struct hs_pipeline pl;
	struct hs_error err;
};

/* ---- findings (every entry point) ---- */

/* The first finding with RULE at PATH, or NULL. PATH NULL matches any path: only for "no such
 * finding" and for reading a message, never to assert where a finding is. */
const struct hs_finding *t_find(const struct hs_t *t, const char *rule, const char *path);
/* Assert a finding with RULE at exactly PATH (never NULL) with ACTION; the test fails with the
 * whole report printed when there is none. */
const struct hs_finding *t_expect(const struct hs_t *t, const char *rule, const char *path,
				  enum hs_action action);
/* How many findings have a rule starting with PREFIX. */
size_t t_count(const struct hs_t *t, const char *prefix);
/* Every finding, one per line, for a failing test's output. */
void t_dump(const struct hs_t *t);
/* Frees whatever the entry point made (not a host the test lent with t_control_on). */
void t_done(struct hs_t *t);
/* Asserts that every array and object under v holds exactly as many slots as it uses (built
 * at its final size: no doubling left over). */
void t_json_exact(const struct hs_json *v);

/* ---- entry point 1: the control alone ---- */

/* Start on a default invented host of the harness's own, or on FH (the test's, kept: several
 * runs on one prepared host; NULL: as t_control). */
void t_control(struct hs_t *t, const struct hs_control *c);
void t_control_on(struct hs_t *t, const struct hs_control *c, struct hs_fake_host *fh);
/* TEXT parsed (the test fails when it does not parse), in the harness's arena. */
struct hs_json *t_parse(struct hs_t *t, const char *text);
/* Load the control's section (NULL: secure defaults); returns load's result. */
int t_load(struct hs_t *t, const char *section, struct hs_error *err);
/* The context of a check for event EV (the loaded section, or the defaults if none was). */
void t_ctx(struct hs_t *t, enum hs_event ev);
/* Check CONFIG with the loaded section (loading defaults if none was); check's result. */
int t_check(struct hs_t *t, const char *config);
/* Check an exec's process document (the paths are relative to it) with the loaded section. */
int t_check_process(struct hs_t *t, const char *process);
/* The control again over the config as the last check left it (a later pass: create after
 * check --output, the createRuntime hook after create), SECTION loaded afresh, a fresh report. */
int t_recheck(struct hs_t *t, const char *section);
/* The control alone, once: on FH (NULL: a default host of the harness's own), SECTION loaded
 * (NULL: the defaults; it must load), DOC checked as event EV's document (EXEC: a process
 * document, else a config). check's result in t->ret, the document as the control left it in
 * t_doc(t). */
void t_control_run(struct hs_t *t, const struct hs_control *c, struct hs_fake_host *fh,
		   const char *section, const char *doc, enum hs_event ev);
/* The control alone over one config, on a default host: SECTION loaded (NULL: the defaults),
 * CONFIG checked (check returns 0), and the finding RULE at PATH with ACTION. */
void t_control_expect(const struct hs_control *c, const char *section, const char *config,
		      const char *rule, const char *path, enum hs_action action);
/* The document the last check judged (and the control may have rewritten). */
struct hs_json *t_doc(const struct hs_t *t);
/* V's text (the caller frees it). */
char *t_emit_json(const struct hs_json *v);

/* ---- entry point 2: the controls under a policy ---- */

/* The one way a unit test makes a policy, written root-owned 0644 and loaded for real:
 * {"runtime":..., "log": t_log_path() (this test process's own, removed when it exits;
 *  unless EXTRA_TOP has a "log"), EXTRA_TOP, "controls":{CONTROLS, then each other control:
 *  named in ON (comma-separated) with SECTION (NULL: absent, its secure defaults), else
 *  {"enabled":false}}, "exceptions":[EXCEPTIONS]}. */
struct hs_t_policy {
	const char *controls, *on, *section, *exceptions, *extra_top;
};
int hs_t_policy_load(const struct hs_t_policy *spec, struct hs_policy **ret, struct hs_error *err);
const char *t_log_path(void);
/* CONTROLS with devices, sysctl, resources, annotations and hooks on (defaults). */
int t_policy_load(const char *controls, const char *exceptions, struct hs_policy **ret,
		  struct hs_error *err);
/* Assert the policy is refused with this rule at this path. */
void t_policy_refused(const char *controls, const char *exceptions, const char *rule,
		      const char *path);
/* When set, the clock exceptions expire by (policy->now) in t_policy: a fixed clock. */
extern int64_t t_now;
/* Load the policy (must load), parse DOC (a config, or a resources document when EV is
 * UPDATE) against its schema, run the controls (must not fail). */
void t_policy(struct hs_t *t, const char *controls, const char *exceptions, const char *doc,
	      enum hs_event ev);
/* t_policy_with's choices beyond the documents (all zero: t_policy's). */
struct t_opts {
	const char *on;        /* hs_t_policy's on (NULL: t_policy_load's five controls) */
	const char *runtime;   /* the loaded policy's runtime (NULL: the file's /usr/bin/runc) */
	bool no_rewrite;       /* hook mode: no rewrites */
	bool egress_at_create; /* the caller installs egress at create (hardshim's create path) */
	void (*host_setup)(struct hs_fake_host *fh); /* populates the host before the checks */
};
void t_policy_with(struct hs_t *t, const char *controls, const char *exceptions, const char *doc,
		   enum hs_event ev, const struct t_opts *o);
/* The document after the checks, canonical (t_policy). */
const char *t_emit(struct hs_t *t);

/* ---- entry point 3: the whole pipeline ---- */

/* Policy with every control but ONLY (a name or a comma-separated list) switched off; SECTION
 * is the section of each of them (NULL or "" = {}). Returns the load's result, its error in
 * t->err (for the tests of a refused section). */
int t_pipeline_policy(struct hs_t *t, const char *only, const char *section, const char *extra_top);
/* Start: that policy (must load) and a default invented host with /srv/bundle/rootfs. */
void t_pipeline(struct hs_t *t, const char *only, const char *section);
/* Run the pipeline over DOC (a config when SCHEMA is hs_oci_spec, else a process); returns what
 * hs_pipeline_run returns, its error in t->err (for the tests of that error). */
int t_try_event(struct hs_t *t, const struct hs_schema *schema, const char *doc, enum hs_event ev);
/* The same, for a document the pipeline must judge (an error fails the test). */
void t_run_event(struct hs_t *t, const struct hs_schema *schema, const char *doc, enum hs_event ev);
/* A config (create). */
void t_run(struct hs_t *t, const char *config);
/* An exec's process document, under t->container's config when the test set one. */
void t_run_exec(struct hs_t *t, const char *process);
/* The whole pipeline over one config, under a policy with ONLY on (SECTION): the finding RULE
 * at PATH with ACTION. */
void t_pipeline_expect(const char *only, const char *section, const char *config, const char *rule,
		       const char *path, enum hs_action act);
/* Does the canonical output contain TEXT? */
bool t_out_has(const struct hs_t *t, const char *text);

/* A minimal valid config around a process (JSON object text) and a root. */
#define T_CONFIG(root, process) \
	"{\"ociVersion\":\"1.0.2\",\"root\":" root ",\"process\":" process "}"
#define T_GOOD_PROCESS                                                                 \
	"{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000},"       \
	"\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[],\"effective\":[]," \
	"\"permitted\":[],\"inheritable\":[],\"ambient\":[]}}"
