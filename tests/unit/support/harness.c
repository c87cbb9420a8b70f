/* SPDX-License-Identifier: Apache-2.0
 * The one control-test harness (harness.h says which entry point to use when). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* ---- findings ---- */

/* The report the entry point wrote: the pipeline keeps its own. */
static const struct hs_report *t_report(const struct hs_t *t)
{
	return t->report ? t->report : t->pl.report;
}

const struct hs_finding *t_find(const struct hs_t *t, const char *rule, const char *path)
{
	const struct hs_report *r = t_report(t);

	for (size_t i = 0; r && i < r->len; i++) {
		const struct hs_finding *f = &r->items[i];

		if (!strcmp(f->rule, rule) && (!path || !strcmp(f->path, path)))
			return f;
	}
	return NULL;
}

void t_dump(const struct hs_t *t)
{
	const struct hs_report *r = t_report(t);

	for (size_t i = 0; r && i < r->len; i++) {
		const struct hs_finding *f = &r->items[i];

		print_message("  have %s %s %s: %s%s%s\n", hs_action_name(f->action), f->rule,
			      f->path, f->message, f->exception ? " exception=" : "",
			      f->exception ? f->exception : "");
	}
}

const struct hs_finding *t_expect(const struct hs_t *t, const char *rule, const char *path,
				  enum hs_action action)
{
	const struct hs_report *r = t_report(t);

	for (size_t i = 0; path && r && i < r->len; i++) {
		const struct hs_finding *f = &r->items[i];

		if (!strcmp(f->rule, rule) && !strcmp(f->path, path) && f->action == action)
			return f;
	}
	t_dump(t);
	fail_msg("expected %s at %s (%s)", rule, path ? path : "(no path given: name one)",
		 hs_action_name(action));
	return NULL;
}

size_t t_count(const struct hs_t *t, const char *prefix)
{
	const struct hs_report *r = t_report(t);
	size_t n = 0;

	for (size_t i = 0; r && i < r->len; i++)
		n += !strncmp(r->items[i].rule, prefix, strlen(prefix));
	return n;
}

void t_json_exact(const struct hs_json *v)
{
	if (v->type == HS_JSON_ARRAY) {
		assert_int_equal(v->u.array.cap, v->u.array.len);
		for (size_t i = 0; i < v->u.array.len; i++)
			t_json_exact(v->u.array.items[i]);
	} else if (v->type == HS_JSON_OBJECT) {
		assert_int_equal(v->u.object.cap, v->u.object.len);
		for (size_t i = 0; i < v->u.object.len; i++)
			t_json_exact(v->u.object.members[i].value);
	}
}

void t_done(struct hs_t *t)
{
	free(t->out);
	hs_pipeline_done(&t->pl);
	hs_report_free(t->report);
	hs_arena_free(t->arena);
	hs_policy_free(t->policy);
	if (!t->host_borrowed)
		hs_fake_host_free(t->fh);
	memset(t, 0, sizeof(*t));
}

/* ---- entry point 1: the control alone ---- */

/* The arena, report and host a check needs: FH the test's (t_done leaves it), or NULL: a
 * default invented host of the harness's own. */
static void t_begin(struct hs_t *t, struct hs_fake_host *fh)
{
	t->arena = hs_arena_new();
	t->report = hs_report_new();
	t->fh = fh ? fh : hs_fake_host_new_default();
	t->host_borrowed = fh != NULL;
	assert_non_null(t->arena);
	assert_non_null(t->report);
	assert_non_null(t->fh);
}

void t_control(struct hs_t *t, const struct hs_control *c)
{
	t_control_on(t, c, NULL);
}

void t_control_on(struct hs_t *t, const struct hs_control *c, struct hs_fake_host *fh)
{
	*t = (struct hs_t){ .control = c };
	t_begin(t, fh);
}

struct hs_json *t_parse(struct hs_t *t, const char *text)
{
	struct hs_json_limits lim = HS_JSON_LIMITS_DEFAULT;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v = NULL;

	if (hs_json_parse(t->arena, text, strlen(text), &lim, &v, &err) < 0)
		fail_msg("bad test JSON: %s %s: %s", err.rule, err.path, err.msg);
	return v;
}

int t_load(struct hs_t *t, const char *section, struct hs_error *err)
{
	struct hs_json *s = section ? t_parse(t, section) : NULL;
	struct hs_error e = HS_ERROR_INIT;

	if (s && t->control->policy_schema &&
	    hs_schema_check(s, t->control->policy_schema, "controls", HS_UNKNOWN_REFUSE,
			    err ? err : &e) < 0)
		return -HS_ECONFIG;
	return t->control->load(t->arena, s, &t->cfg, err ? err : &e);
}

void t_ctx(struct hs_t *t, enum hs_event ev)
{
	if (!t->cfg)
		assert_int_equal(t_load(t, NULL, NULL), 0);
	t->ctx.arena = t->arena;
	t->ctx.host = hs_fake_host_get(t->fh);
	t->ctx.report = t->report;
	t->ctx.event = ev;
}

int t_check(struct hs_t *t, const char *config)
{
	t_ctx(t, HS_EVENT_CREATE);
	t->ctx.config = t_parse(t, config);
	return t->control->check_config(&t->ctx, t->cfg);
}

int t_check_process(struct hs_t *t, const char *process)
{
	t_ctx(t, HS_EVENT_EXEC);
	t->ctx.process = t_parse(t, process);
	t->ctx.process_path = "";
	return t->control->check_process(&t->ctx, t->cfg);
}

int t_recheck(struct hs_t *t, const char *section)
{
	hs_report_free(t->report);
	t->report = hs_report_new();
	assert_non_null(t->report);
	t->cfg = NULL;
	assert_int_equal(t_load(t, section, NULL), 0);
	t->ctx.report = t->report;
	return t->control->check_config(&t->ctx, t->cfg);
}

void t_control_run(struct hs_t *t, const struct hs_control *c, struct hs_fake_host *fh,
		   const char *section, const char *doc, enum hs_event ev)
{
	t_control_on(t, c, fh);
	assert_int_equal(t_load(t, section, NULL), 0);
	t->ret = ev == HS_EVENT_EXEC ? t_check_process(t, doc) : t_check(t, doc);
}

void t_control_expect(const struct hs_control *c, const char *section, const char *config,
		      const char *rule, const char *path, enum hs_action action)
{
	struct hs_t t;

	t_control_run(&t, c, NULL, section, config, HS_EVENT_CREATE);
	assert_int_equal(t.ret, 0);
	t_expect(&t, rule, path, action);
	t_done(&t);
}

struct hs_json *t_doc(const struct hs_t *t)
{
	return t->ctx.event == HS_EVENT_EXEC ? t->ctx.process : t->ctx.config;
}

char *t_emit_json(const struct hs_json *v)
{
	char *s = NULL;
	size_t n;

	assert_int_equal(hs_json_emit(v, &s, &n), 0);
	return s;
}

/* ---- entry point 2: the controls under a policy ---- */

static char log_dir[64];

static void remove_log_dir(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", log_dir);
	(void)!system(cmd);
}

/* This process's launch log: a test that reaches the gate records there, never in the
 * machine's own trail. */
const char *t_log_path(void)
{
	static char path[96];

	if (!log_dir[0]) {
		snprintf(log_dir, sizeof(log_dir), "/tmp/hs-test-harness-log.%d", (int)getpid());
		atexit(remove_log_dir);
	}
	snprintf(path, sizeof(path), "%s/launches.jsonl", log_dir);
	return path;
}

/* Is name one of the comma-separated names in list? */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *e = strchrnul(p, ',');

		if ((size_t)(e - p) == n && !strncmp(p, name, n))
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

int hs_t_policy_load(const struct hs_t_policy *spec, struct hs_policy **ret, struct hs_error *err)
{
	char path[] = "/tmp/hs-test-policy-XXXXXX";
	int fd = mkstemp(path), r;
	bool first = !spec->controls || !*spec->controls;
	const char *top = spec->extra_top;
	FILE *f;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	fprintf(f, "{\"runtime\":\"/usr/bin/runc\"");
	if (!top || !strstr(top, "\"log\":"))
		fprintf(f, ",\"log\":{\"path\":\"%s\",\"syslog\":false,\"kernel_audit\":false}",
			t_log_path());
	fprintf(f, "%s%s,\"controls\":{%s", top ? "," : "", top ? top : "",
		spec->controls ? spec->controls : "");
	for (size_t i = 0; i < hs_n_controls; i++) {
		const char *n = hs_controls[i]->name;
		char key[64];

		snprintf(key, sizeof(key), "\"%s\":", n);
		if (spec->controls && strstr(spec->controls, key))
			continue;
		if (in_list(spec->on, n) && !spec->section)
			continue; /* absent: its secure defaults */
		fprintf(f, "%s\"%s\":%s", first ? "" : ",", n,
			in_list(spec->on, n) ? spec->section : "{\"enabled\":false}");
		first = false;
	}
	fprintf(f, "},\"exceptions\":[%s]}", spec->exceptions ? spec->exceptions : "");
	fclose(f);
	chmod(path, 0644);
	r = hs_policy_load(path, ret, err);
	unlink(path);
	return r;
}

/* Only these controls run under t_policy, so a test sees its own control's findings and no
 * other's refusal; the others are switched off unless the test names them. */
#define T_POLICY_ON "devices,sysctl,resources,annotations,hooks"

int t_policy_load(const char *controls, const char *exceptions, struct hs_policy **ret,
		  struct hs_error *err)
{
	const struct hs_t_policy spec = {
		.controls = controls,
		.on = T_POLICY_ON,
		.exceptions = exceptions,
	};

	return hs_t_policy_load(&spec, ret, err);
}

void t_policy_refused(const char *controls, const char *exceptions, const char *rule,
		      const char *path)
{
	struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;

	if (t_policy_load(controls, exceptions, &p, &err) >= 0) {
		hs_policy_free(p);
		fail_msg("policy accepted: %s %s", controls, exceptions ? exceptions : "");
	}
	if (strcmp(err.rule, rule) || (path && strcmp(err.path, path)))
		fail_msg("%s: got %s at %s (%s), want %s at %s", controls, err.rule, err.path,
			 err.msg, rule, path ? path : "*");
}

int64_t t_now;

void t_policy_with(struct hs_t *t, const char *controls, const char *exceptions, const char *doc,
		   enum hs_event ev, const struct t_opts *o)
{
	struct hs_error err = HS_ERROR_INIT;
	const struct hs_schema *schema = ev == HS_EVENT_UPDATE ? &hs_oci_resources : &hs_oci_spec;
	const struct hs_t_policy spec = {
		.controls = controls,
		.on = o->on ? o->on : T_POLICY_ON,
		.exceptions = exceptions,
	};

	memset(t, 0, sizeof(*t));
	if (hs_t_policy_load(&spec, &t->policy, &err) < 0)
		fail_msg("policy refused: %s %s %s", err.rule, err.path, err.msg);
	if (t_now)
		t->policy->now = t_now;
	if (o->runtime)
		t->policy->runtime = o->runtime;
	t_begin(t, NULL);
	/* hardshim's own binary, root's as installed: the devices control's hook names it and
	 * the hooks control checks the file (a fake host has no file unless a test makes it) */
	assert_int_equal(hs_fake_host_add_file(t->fh, HS_FAKE_HOST_SELF, 0, 0, 0755), 0);
	if (o->host_setup)
		o->host_setup(t->fh);
	if (hs_json_parse(t->arena, doc, strlen(doc), &t->policy->limits, &t->doc, &err) < 0 ||
	    hs_schema_check(t->doc, schema, "", HS_UNKNOWN_PRESERVE, &err) < 0)
		fail_msg("document refused: %s %s %s", err.rule, err.path, err.msg);
	t->ctx = (struct hs_check_ctx){ .arena = t->arena,
					.policy = t->policy,
					.host = hs_fake_host_get(t->fh),
					.report = t->report,
					.event = ev,
					.no_rewrite = o->no_rewrite,
					.egress_at_create = o->egress_at_create };
	if (ev == HS_EVENT_UPDATE)
		t->ctx.resources = t->doc;
	else
		t->ctx.config = t->doc;
	assert_int_equal(hs_policy_check(&t->ctx), 0);
}

void t_policy(struct hs_t *t, const char *controls, const char *exceptions, const char *doc,
	      enum hs_event ev)
{
	t_policy_with(t, controls, exceptions, doc, ev, &(struct t_opts){ 0 });
}

const char *t_emit(struct hs_t *t)
{
	size_t len;

	free(t->out);
	t->out = NULL;
	assert_int_equal(hs_json_emit(t->doc, &t->out, &len), 0);
	return t->out;
}

/* ---- entry point 3: the whole pipeline ---- */

int t_pipeline_policy(struct hs_t *t, const char *only, const char *section, const char *extra_top)
{
	const struct hs_t_policy spec = {
		.on = only,
		.section = section && *section ? section : "{}",
		.extra_top = extra_top,
	};

	t->err = (struct hs_error)HS_ERROR_INIT;
	return hs_t_policy_load(&spec, &t->policy, &t->err);
}

void t_pipeline(struct hs_t *t, const char *only, const char *section)
{
	memset(t, 0, sizeof(*t));
	if (t_pipeline_policy(t, only, section, NULL) < 0)
		fail_msg("policy refused: %s: %s: %s", t->err.rule, t->err.path, t->err.msg);
	t->fh = hs_fake_host_new_default();
	assert_non_null(t->fh);
	assert_int_equal(hs_fake_host_add_dir(t->fh, "/srv/bundle/rootfs", 0, 0, 0755), 0);
}

int t_try_event(struct hs_t *t, const struct hs_schema *schema, const char *doc, enum hs_event ev)
{
	struct hs_json *container = NULL;

	if (t->container) {
		if (!t->arena)
			t->arena = hs_arena_new();
		assert_non_null(t->arena);
		t->err = (struct hs_error)HS_ERROR_INIT;
		if (hs_json_parse(t->arena, t->container, strlen(t->container), &t->policy->limits,
				  &container, &t->err) < 0)
			fail_msg("bad container config: %s: %s", t->err.rule, t->err.msg);
	}
	t->pl = (struct hs_pipeline){
		.policy = t->policy,
		.host = t->host ? t->host : hs_fake_host_get(t->fh),
		.schema = schema,
		.event = ev,
		.no_rewrite = t->no_rewrite,
		.bundle = t->no_bundle ? NULL
			  : t->bundle  ? t->bundle
				       : "/srv/bundle",
		.container_id = t->container_id,
		.container = container,
	};
	t->err = (struct hs_error)HS_ERROR_INIT;
	return hs_pipeline_run(&t->pl, doc, strlen(doc), &t->err);
}

void t_run_event(struct hs_t *t, const struct hs_schema *schema, const char *doc, enum hs_event ev)
{
	if (t_try_event(t, schema, doc, ev) < 0)
		fail_msg("pipeline error: %s: %s", t->err.rule, t->err.msg);
}

void t_run(struct hs_t *t, const char *config)
{
	t_run_event(t, &hs_oci_spec, config, HS_EVENT_CREATE);
}

void t_run_exec(struct hs_t *t, const char *process)
{
	t_run_event(t, &hs_oci_process, process, HS_EVENT_EXEC);
}

void t_pipeline_expect(const char *only, const char *section, const char *config, const char *rule,
		       const char *path, enum hs_action act)
{
	struct hs_t t;

	t_pipeline(&t, only, section);
	t_run(&t, config);
	t_expect(&t, rule, path, act);
	t_done(&t);
}

bool t_out_has(const struct hs_t *t, const char *text)
{
	return t->pl.final && strstr(t->pl.final, text) != NULL;
}
