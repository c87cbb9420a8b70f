/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>

#include "resctl-fixture.h"
#include "findings.h"

static char log_dir[64];

static void remove_log_dir(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", log_dir);
	(void)!system(cmd);
}

/* This process's launch log: a test that reaches the gate records there, never in the
 * machine's own trail. */
const char *rc_log_path(void)
{
	static char path[96];

	if (!log_dir[0]) {
		snprintf(log_dir, sizeof(log_dir), "/tmp/hs-test-resctl-log.%d", (int)getpid());
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
			rc_log_path());
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

/* Only this room's controls run, so a test sees its own control's findings and no other's
 * refusal; the others are switched off unless the test names them. */
#define RC_ON "devices,sysctl,resources,annotations,hooks"

int rc_policy_load(const char *controls, const char *exceptions, struct hs_policy **ret,
		   struct hs_error *err)
{
	const struct hs_t_policy spec = {
		.controls = controls,
		.on = RC_ON,
		.exceptions = exceptions,
	};

	return hs_t_policy_load(&spec, ret, err);
}

void rc_policy_refused(const char *controls, const char *exceptions, const char *rule,
		       const char *path)
{
	struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;

	if (rc_policy_load(controls, exceptions, &p, &err) >= 0) {
		hs_policy_free(p);
		fail_msg("policy accepted: %s %s", controls, exceptions ? exceptions : "");
	}
	if (strcmp(err.rule, rule) || (path && strcmp(err.path, path)))
		fail_msg("%s: got %s at %s (%s), want %s at %s", controls, err.rule, err.path,
			 err.msg, rule, path ? path : "*");
}

int64_t rc_now;

void rc_run_with(struct rc_fixture *f, const char *controls, const char *exceptions,
		 const char *doc, enum hs_event ev, const struct rc_opts *o)
{
	struct hs_error err = HS_ERROR_INIT;
	const struct hs_schema *schema = ev == HS_EVENT_UPDATE ? &hs_oci_resources : &hs_oci_spec;
	const struct hs_t_policy spec = {
		.controls = controls,
		.on = o->on ? o->on : RC_ON,
		.exceptions = exceptions,
	};

	memset(f, 0, sizeof(*f));
	if (hs_t_policy_load(&spec, &f->policy, &err) < 0)
		fail_msg("policy refused: %s %s %s", err.rule, err.path, err.msg);
	if (rc_now)
		f->policy->now = rc_now;
	if (o->runtime)
		f->policy->runtime = o->runtime;
	f->arena = hs_arena_new();
	f->report = hs_report_new();
	f->host = hs_fake_host_new_default();
	assert_non_null(f->arena);
	assert_non_null(f->report);
	assert_non_null(f->host);
	/* hardshim's own binary, root's as installed: the devices control's hook names it and
	 * the hooks control checks the file (a fake host has no file unless a test makes it) */
	assert_int_equal(hs_fake_host_add_file(f->host, HS_FAKE_HOST_SELF, 0, 0, 0755), 0);
	if (hs_json_parse(f->arena, doc, strlen(doc), &f->policy->limits, &f->doc, &err) < 0 ||
	    hs_schema_check(f->doc, schema, "", HS_UNKNOWN_PRESERVE, &err) < 0)
		fail_msg("document refused: %s %s %s", err.rule, err.path, err.msg);
	f->ctx = (struct hs_check_ctx){ .arena = f->arena,
					.policy = f->policy,
					.host = hs_fake_host_get(f->host),
					.report = f->report,
					.event = ev,
					.no_rewrite = o->no_rewrite,
					.egress_at_create = o->egress_at_create };
	if (ev == HS_EVENT_UPDATE)
		f->ctx.resources = f->doc;
	else
		f->ctx.config = f->doc;
	assert_int_equal(hs_policy_check(&f->ctx), 0);
}

void rc_run(struct rc_fixture *f, const char *controls, const char *exceptions, const char *doc,
	    enum hs_event ev)
{
	rc_run_with(f, controls, exceptions, doc, ev, &(struct rc_opts){ 0 });
}

const struct hs_finding *rc_find(const struct rc_fixture *f, const char *rule, const char *path)
{
	return hs_t_find(f->report, rule, path);
}

size_t rc_count(const struct rc_fixture *f, const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < f->report->len; i++)
		n += !strncmp(f->report->items[i].rule, prefix, strlen(prefix));
	return n;
}

const char *rc_emit(struct rc_fixture *f)
{
	size_t len;

	free(f->out);
	f->out = NULL;
	assert_int_equal(hs_json_emit(f->doc, &f->out, &len), 0);
	return f->out;
}

const struct hs_finding *rc_expect(const struct rc_fixture *f, const char *rule, const char *path,
				   enum hs_action action)
{
	return hs_t_expect(f->report, rule, path, action);
}

void rc_dump(const struct rc_fixture *f)
{
	hs_t_dump(f->report);
}

void rc_done(struct rc_fixture *f)
{
	free(f->out);
	hs_fake_host_free(f->host);
	hs_report_free(f->report);
	hs_arena_free(f->arena);
	hs_policy_free(f->policy);
	memset(f, 0, sizeof(*f));
}
