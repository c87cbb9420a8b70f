/* SPDX-License-Identifier: Apache-2.0
 * Run one control directly against a config on the fake host, and look up its findings.
 * Header-only so each test program gets its own copy (static functions). */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "fake-host.h"
#include "findings.h"
#include "hs-policy.h"

struct control_fixture {
	struct hs_arena *arena;
	struct hs_report *report;
	struct hs_fake_host *fh;
	struct hs_check_ctx ctx;
	const struct hs_control *control;
	void *cfg;
	int ret;            /* check's result in cf_run */
	bool host_borrowed; /* fh is the test's (cf_init_on): cf_done leaves it */
};

static inline void cf_init(struct control_fixture *f, const struct hs_control *c)
{
	*f = (struct control_fixture){ .control = c };
	f->arena = hs_arena_new();
	f->report = hs_report_new();
	f->fh = hs_fake_host_new_default();
	assert_non_null(f->arena);
	assert_non_null(f->report);
	assert_non_null(f->fh);
}

/* The same on a fake host the test made and keeps (several runs on one prepared host). */
static inline void cf_init_on(struct control_fixture *f, const struct hs_control *c,
			      struct hs_fake_host *fh)
{
	*f = (struct control_fixture){ .control = c, .fh = fh, .host_borrowed = true };
	f->arena = hs_arena_new();
	f->report = hs_report_new();
	assert_non_null(f->arena);
	assert_non_null(f->report);
	assert_non_null(f->fh);
}

static inline void cf_done(struct control_fixture *f)
{
	hs_report_free(f->report);
	hs_arena_free(f->arena);
	if (!f->host_borrowed)
		hs_fake_host_free(f->fh);
}

static inline struct hs_json *cf_parse(struct control_fixture *f, const char *text)
{
	struct hs_json_limits lim = HS_JSON_LIMITS_DEFAULT;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v = NULL;

	if (hs_json_parse(f->arena, text, strlen(text), &lim, &v, &err) < 0)
		fail_msg("bad test JSON: %s %s: %s", err.rule, err.path, err.msg);
	return v;
}

/* Load the control's section (NULL: secure defaults); returns load's result. */
static inline int cf_load(struct control_fixture *f, const char *section, struct hs_error *err)
{
	struct hs_json *s = section ? cf_parse(f, section) : NULL;
	struct hs_error e = HS_ERROR_INIT;

	if (s && f->control->policy_schema &&
	    hs_schema_check(s, f->control->policy_schema, "controls", HS_UNKNOWN_REFUSE,
			    err ? err : &e) < 0)
		return -HS_ECONFIG;
	return f->control->load(f->arena, s, &f->cfg, err ? err : &e);
}

/* The context of a check for event ev (the loaded section, or the defaults if none was). */
static inline void cf_ctx(struct control_fixture *f, enum hs_event ev)
{
	if (!f->cfg)
		assert_int_equal(cf_load(f, NULL, NULL), 0);
	f->ctx.arena = f->arena;
	f->ctx.host = hs_fake_host_get(f->fh);
	f->ctx.report = f->report;
	f->ctx.event = ev;
}

/* Check config with the loaded section (loading defaults if none was). Returns check's result. */
static inline int cf_check(struct control_fixture *f, const char *config)
{
	cf_ctx(f, HS_EVENT_CREATE);
	f->ctx.config = cf_parse(f, config);
	return f->control->check_config(&f->ctx, f->cfg);
}

/* Check an exec's process document (the paths are relative to it) with the loaded section. */
static inline int cf_check_process(struct control_fixture *f, const char *process)
{
	cf_ctx(f, HS_EVENT_EXEC);
	f->ctx.process = cf_parse(f, process);
	f->ctx.process_path = "";
	return f->control->check_process(&f->ctx, f->cfg);
}

/* The control again over the config as the last check left it (a later pass: create after
 * check --output, the createRuntime hook after create), SECTION loaded afresh, a fresh report. */
static inline int cf_recheck(struct control_fixture *f, const char *section)
{
	hs_report_free(f->report);
	f->report = hs_report_new();
	assert_non_null(f->report);
	f->cfg = NULL;
	assert_int_equal(cf_load(f, section, NULL), 0);
	f->ctx.report = f->report;
	return f->control->check_config(&f->ctx, f->cfg);
}

/* The control alone, once: on FH (the test's, kept; NULL: a default host of the fixture's own),
 * SECTION loaded (NULL: the defaults; it must load), DOC checked as event EV's document (EXEC:
 * a process document, else a config). check's result in f->ret, the document as the control
 * left it in cf_doc(f); cf_done(f) after. */
static inline void cf_run(struct control_fixture *f, const struct hs_control *c,
			  struct hs_fake_host *fh, const char *section, const char *doc,
			  enum hs_event ev)
{
	if (fh)
		cf_init_on(f, c, fh);
	else
		cf_init(f, c);
	assert_int_equal(cf_load(f, section, NULL), 0);
	f->ret = ev == HS_EVENT_EXEC ? cf_check_process(f, doc) : cf_check(f, doc);
}

/* The control alone over one config, on a default host: SECTION loaded (NULL: the defaults),
 * CONFIG checked (check returns 0), and the finding RULE at PATH with ACTION. */
static inline void cf_check_expect(const struct hs_control *c, const char *section,
				   const char *config, const char *rule, const char *path,
				   enum hs_action action)
{
	struct control_fixture f;

	cf_run(&f, c, NULL, section, config, HS_EVENT_CREATE);
	assert_int_equal(f.ret, 0);
	hs_t_expect(f.report, rule, path, action);
	cf_done(&f);
}

/* The document the last check judged (and the control may have rewritten). */
static inline struct hs_json *cf_doc(const struct control_fixture *f)
{
	return f->ctx.event == HS_EVENT_EXEC ? f->ctx.process : f->ctx.config;
}

/* findings.h's find and expect over this fixture's report. */
static inline const struct hs_finding *cf_find(const struct control_fixture *f, const char *rule,
					       const char *path)
{
	return hs_t_find(f->report, rule, path);
}

static inline const struct hs_finding *cf_expect(const struct control_fixture *f, const char *rule,
						 const char *path, enum hs_action action)
{
	return hs_t_expect(f->report, rule, path, action);
}

static inline char *cf_emit(const struct hs_json *v)
{
	char *s = NULL;
	size_t n;

	assert_int_equal(hs_json_emit(v, &s, &n), 0);
	return s;
}
