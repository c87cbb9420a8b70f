/* SPDX-License-Identifier: Apache-2.0
 * The egress control: the policy section (every malformed entry refused with its JSON path),
 * the createRuntime hook it injects, hook mode, host network, exceptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>

#include "fake-host.h"
#include "hs-egress.h"
#include "hs-policy.h"
#include "harness.h"

/* Only egress and the controls whose rewrites it meets (cgroups, seccomp, owners) are on: the
 * other controls have their own tests. */
#define ON "cgroups,seccomp,egress,owners"

static void refused(const char *controls, const char *rule, const char *path)
{
	t_policy_refused(controls, NULL, rule, path);
}

static void test_section_refusals(void **state)
{
	refused("\"egress\":{\"allow\":[\"198.18.0.0/15\",\"[2001:2::/48]:443/tcp\",\"198.18.0.1/"
		"15\"]}",
		"egress.entry", "controls.egress.allow[2]");
	refused("\"egress\":{\"allow\":[\"198.18.0.0/15\",\"198.18.0.0/16\",\"2001:2::/48:443\"]}",
		"egress.entry", "controls.egress.allow[2]");
	refused("\"egress\":{\"deny\":[\"198.18.0.0/15:0\"]}", "egress.entry",
		"controls.egress.deny[0]");
	refused("\"egress\":{\"default\":\"maybe\"}", "egress.default", "controls.egress.default");
	refused("\"egress\":{\"rate\":0}", "egress.rate", "controls.egress.rate");
	refused("\"egress\":{\"rate\":-1}", "policy.number", "controls.egress.rate");
	refused("\"egress\":{\"allow\":\"198.18.0.0/15\"}", "policy.type", "controls.egress.allow");
	refused("\"egress\":{\"allow\":[1]}", "policy.type", "controls.egress.allow[0]");
	refused("\"egress\":{\"alow\":[]}", "policy.unknown-key", "controls.egress.alow");
}

static void test_section_refusals_all_malformed(void **state)
{
	/* Every malformed form the room refuses is refused at the policy's path too. */
	static const char *const bad[] = { "198.18.0.0/33",        "198.18.0.0/15:65536",
					   "[2001:2::/48",         "198.18.0.0/15/sctp",
					   "example.com",          "::ffff:198.18.0.1",
					   "198.18.0.0/15:443-80", "" };
	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		char controls[256];

		snprintf(controls, sizeof(controls),
			 "\"egress\":{\"allow\":[\"198.18.0.2\",\"198.18.0.3\",\"%s\"]}", bad[i]);
		refused(controls, "egress.entry", "controls.egress.allow[2]");
	}
}

static const char *base_config =
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
    "\"root\":{\"path\":\"rootfs\"},\"hooks\":{\"createRuntime\":[{\"path\":\"/usr/bin/true\"}]},"
    "\"annotations\":{\"io.example/egress\":\"web\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/run/netns/"
    "x\"}],"
    /* a deny-all seccomp profile, so the seccomp control has nothing to add */
    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}}";

static bool at_create; /* run_check: the caller installs at create (hardshim's create path) */

/* The controls (harness.h's t_policy) under a policy with CONTROLS over CONFIG. */
static void run_check(struct hs_t *f, const char *controls, const char *exceptions,
		      const char *config, enum hs_event ev, bool no_rewrite)
{
	const struct t_opts o = { .on = ON,
				  .no_rewrite = no_rewrite,
				  .egress_at_create = at_create };

	t_policy_with(f, controls, exceptions, config, ev, &o);
}

static char *emit(const struct hs_json *v)
{
	char *s;
	size_t n;

	assert_int_equal(hs_json_emit(v, &s, &n), 0);
	return s;
}

/* Does the config, as the controls left it, carry hardshim's egress hook? */
static bool egress_hook_in(const struct hs_t *f)
{
	const struct hs_json *hooks = hs_json_get(f->ctx.config, "hooks");
	_cleanup_free_ char *text = hooks ? emit(hooks) : NULL;

	return text && strstr(text, "hook\",\"egress");
}

static void test_inject(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *hooks = NULL;

	run_check(&f,
		  "\"egress\":{\"allow\":[\"198.18.0.2:8080/tcp\",\"[2001:2::/48]\"],"
		  "\"deny\":[\"198.18.0.9\"],\"rate\":1000}",
		  NULL, base_config, HS_EVENT_CREATE, false);
	assert_false(f.report->refused);
	hooks = emit(hs_json_get(f.ctx.config, "hooks"));
	/* appended after the config's own hook, with the effective section in normal form */
	assert_string_equal(hooks, "{\"createRuntime\":[{\"path\":\"/usr/bin/true\"},{\"path\":\"/"
				   "usr/local/bin/hardshim\","
				   "\"args\":[\"hardshim\",\"hook\",\"egress\",\"--default\","
				   "\"deny\",\"--deny\","
				   "\"198.18.0.9/32\",\"--allow\",\"198.18.0.2/32:8080/"
				   "tcp\",\"--allow\",\"[2001:2::/48]\","
				   "\"--rate\",\"1000\"],\"timeout\":10}]}");
	t_done(&f);
}

/* hardshim's create path with a namespace that exists (a path): no hook (an old one of ours
 * removed, the config's own kept), a finding that says where the rules go; the same config
 * on restore, or from a caller that is not the create path (precreate), keeps the hook. */
static void test_at_create(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *hooks = NULL;
	const char *path = NULL;
	const char *stale =
	    "{\"ociVersion\":\"1.0.2\",\"hooks\":{\"createRuntime\":[{\"path\":\"/usr/bin/true\"},"
	    "{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\",\"hook\",\"egress\","
	    "\"--default\",\"allow\"]}]},"
	    "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/run/netns/x\"}]}}";

	at_create = true;
	run_check(&f, "", NULL, stale, HS_EVENT_CREATE, false);
	assert_false(f.report->refused);
	hooks = emit(hs_json_get(f.ctx.config, "hooks"));
	assert_string_equal(hooks, "{\"createRuntime\":[{\"path\":\"/usr/bin/true\"}]}");
	assert_true(hs_egress_at_create(f.ctx.config, true, false, &path));
	assert_string_equal(path, "/run/netns/x");
	bool found = false;
	for (size_t i = 0; i < f.report->len; i++)
		if (!strcmp(f.report->items[i].rule, "egress.at-create")) {
			found = true;
			assert_non_null(strstr(f.report->items[i].message, "/run/netns/x"));
			assert_non_null(
			    strstr(f.report->items[i].message, "old egress hook removed"));
		}
	assert_true(found);
	t_done(&f);
	free(TAKE_PTR(hooks));

	/* run too */
	run_check(&f, "", NULL, base_config, HS_EVENT_RUN, false);
	assert_false(egress_hook_in(&f));
	t_done(&f);

	/* restore keeps the hook (runc runs it from criu's notification) */
	run_check(&f, "", NULL, base_config, HS_EVENT_RESTORE, false);
	assert_true(egress_hook_in(&f));
	t_done(&f);

	/* a /proc/PID/ns/net path (a pid the runtime resolves later) and a namespace the runtime
	 * makes (no path): nothing to install into before it runs; create installs after the
	 * runtime's create (egress.after-create, no hook), check predicts it, run keeps the hook */
	static const char *const later[] = {
		"{\"ociVersion\":\"1.0.2\",\"linux\":{\"namespaces\":[{\"type\":"
		"\"network\",\"path\":\"/proc/4242/ns/net\"}]}}",
		"{\"ociVersion\":\"1.0.2\",\"linux\":{\"namespaces\":[{\"type\":"
		"\"network\",\"path\":\"\"}]}}",
		"{\"ociVersion\":\"1.0.2\",\"linux\":{\"namespaces\":[{\"type\":\"network\"}]},"
		"\"hooks\":{\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\","
		"\"args\":[\"hardshim\",\"hook\",\"egress\",\"--default\",\"allow\"]}]}}",
	};
	for (size_t k = 0; k < HS_ARRAY_SIZE(later); k++) {
		run_check(&f, "", NULL, later[k], HS_EVENT_CREATE, false);
		assert_false(egress_hook_in(&f));
		assert_false(hs_egress_at_create(f.ctx.config, true, false, NULL));
		assert_true(hs_egress_after_create(f.ctx.config, true, true));
		found = false;
		for (size_t i = 0; i < f.report->len; i++)
			if (!strcmp(f.report->items[i].rule, "egress.after-create")) {
				found = true;
				assert_string_equal(f.report->items[i].path, "linux.namespaces");
				assert_true(f.report->items[i].action == HS_ACTION_REWRITE);
				assert_true((k == 2) ==
					    (strstr(f.report->items[i].message,
						    "old egress hook removed") != NULL));
			}
		assert_true(found);
		t_done(&f);
		run_check(&f, "", NULL, later[k], HS_EVENT_CHECK, false);
		assert_false(egress_hook_in(&f));
		t_done(&f);
		run_check(&f, "", NULL, later[k], HS_EVENT_RUN, false);
		assert_true(egress_hook_in(&f));
		assert_false(hs_egress_after_create(f.ctx.config, true, false));
		t_done(&f);
		run_check(&f, "", NULL, later[k], HS_EVENT_RESTORE, false);
		assert_true(egress_hook_in(&f));
		t_done(&f);
	}
	at_create = false;

	/* not hardshim's create path (a precreate hook before plain runc): the hook */
	run_check(&f, "", NULL, base_config, HS_EVENT_CREATE, false);
	assert_true(egress_hook_in(&f));
	assert_false(hs_egress_at_create(f.ctx.config, false, false, NULL));
	t_done(&f);
}

static void test_inject_default(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *hooks = NULL;
	const char *config =
	    "{\"ociVersion\":\"1.0.2\",\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}";

	run_check(&f, "", NULL, config, HS_EVENT_CREATE, false);
	hooks = emit(hs_json_get(f.ctx.config, "hooks"));
	assert_string_equal(hooks,
			    "{\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\","
			    "\"args\":[\"hardshim\",\"hook\",\"egress\",\"--default\",\"deny\"],"
			    "\"timeout\":10}]}");
	assert_non_null(hs_egress_in_force(f.ctx.controls));
	assert_int_equal(hs_egress_in_force(f.ctx.controls)->n_allow, 0);
	assert_false(hs_egress_in_force(f.ctx.controls)->default_allow);
	t_done(&f);
}

static void test_exception(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *hooks = NULL;

	run_check(&f, "\"egress\":{\"allow\":[\"198.18.0.2:8080/tcp\"]}",
		  "{\"name\":\"web\",\"match\":{\"annotations\":{\"io.example/egress\":\"web\"}},"
		  "\"controls\":{\"egress\":{\"allow\":[\"198.18.0.0/15:443/tcp\"]}}}",
		  base_config, HS_EVENT_CREATE, false);
	hooks = emit(hs_json_get(f.ctx.config, "hooks"));
	assert_non_null(strstr(hooks, "\"--allow\",\"198.18.0.0/15:443/tcp\"]"));
	assert_null(strstr(hooks, "8080"));
	assert_int_equal(hs_egress_in_force(f.ctx.controls)->allow[0].port_lo, 443);
	t_done(&f);
}

static void test_disabled(void **state)
{
	struct hs_t f;

	run_check(&f, "\"egress\":{\"enabled\":false}", NULL, base_config, HS_EVENT_CREATE, false);
	assert_int_equal(hs_json_len(
			     hs_json_get(hs_json_get(f.ctx.config, "hooks"), "createRuntime")),
			 1);
	t_done(&f);
}

static void test_hook_mode_no_injection(void **state)
{
	struct hs_t f;

	run_check(&f, "\"egress\":{\"allow\":[\"198.18.0.2\"]}", NULL, base_config, HS_EVENT_HOOK,
		  true);
	assert_false(f.report->refused);
	assert_int_equal(f.report->len, 0);
	assert_int_equal(hs_json_len(
			     hs_json_get(hs_json_get(f.ctx.config, "hooks"), "createRuntime")),
			 1);
	assert_int_equal(hs_egress_in_force(f.ctx.controls)->n_allow, 1);
	t_done(&f);
}

static void test_host_network_refused(void **state)
{
	struct hs_t f;
	const char *config =
	    "{\"ociVersion\":\"1.0.2\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"}],"
	    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}}";

	run_check(&f, "", NULL, config, HS_EVENT_CREATE, false);
	assert_true(f.report->refused);
	assert_string_equal(f.report->items[0].rule, "egress.host-network");
	assert_string_equal(f.report->items[0].path, "linux.namespaces");
	assert_null(hs_json_get(f.ctx.config, "hooks"));
	t_done(&f);
}

/* restore: runc runs the createRuntime hook (from criu's setup-namespaces), crun 1.8 none */
static void test_restore_under_crun_refused(void **state)
{
	struct hs_t f;
	const char *config = "{\"ociVersion\":\"1.0.2\",\"linux\":{\"namespaces\":[{\"type\":"
			     "\"network\"}],\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}}";

	run_check(&f, "", NULL, config, HS_EVENT_RESTORE, false);
	assert_false(f.report->refused);
	assert_int_equal(hs_json_len(
			     hs_json_get(hs_json_get(f.ctx.config, "hooks"), "createRuntime")),
			 1);
	t_done(&f);

	t_policy_with(&f, "", NULL, config, HS_EVENT_RESTORE,
		      &(struct t_opts){ .on = ON, .runtime = "/usr/bin/crun" });
	assert_true(f.report->refused);
	for (size_t i = 0; i < f.report->len; i++)
		if (!strcmp(f.report->items[i].rule, "egress.restore-without-hooks"))
			goto found;
	fail_msg("no egress.restore-without-hooks finding");
found:
	t_done(&f);
}

static void test_hooks_not_object(void **state)
{
	struct hs_t f;
	const char *config = "{\"ociVersion\":\"1.0.2\",\"hooks\":{\"createRuntime\":null},"
			     "\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}";

	run_check(&f, "", NULL, config, HS_EVENT_CREATE, false);
	assert_false(f.report->refused);
	assert_int_equal(hs_json_len(
			     hs_json_get(hs_json_get(f.ctx.config, "hooks"), "createRuntime")),
			 1);
	t_done(&f);
}

/* run and restore exec the runtime, so their work after its create is a createRuntime hook:
 * when both the devices deny and the egress install apply, ONE hardshim process does both
 * (hook devices-egress: the denies, then the install, as the two hooks ran), replacing the two
 * hooks of an older rewrite. Judged again it changes nothing; create (which does both itself)
 * leaves no hook of ours; another egress section makes the old one stale. */
#define BOTH_CONFIG                                                                \
	"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}," \
	"\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}"
#define OWN_HEAD "{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\",\"hook\","
#define BOTH_HOOK                                                                            \
	OWN_HEAD "\"devices-egress\",\"c 10:200 rwm\",\"c 5:1 rwm\",\"--default\",\"deny\"," \
		 "\"--allow\",\"198.18.0.2/32:8080/tcp\"],\"timeout\":10}"

static char *hooks_of(const struct hs_t *f)
{
	return emit(hs_json_get(f->ctx.config, "hooks"));
}

static void test_one_hook_for_both(void **state)
{
	static const char eg[] = "\"egress\":{\"allow\":[\"198.18.0.2:8080/tcp\"]}";
	struct t_opts o = { .on = "devices,hooks,egress" };
	_cleanup_free_ char *hooks = NULL, *out = NULL;
	struct hs_t f;

	for (int ev = HS_EVENT_RUN; ev <= HS_EVENT_RESTORE; ev++) {
		t_policy_with(&f, eg, NULL, BOTH_CONFIG, (enum hs_event)ev, &o);
		assert_false(f.report->refused);
		hooks = hooks_of(&f);
		assert_string_equal(hooks, "{\"createRuntime\":[" BOTH_HOOK "]}");
		assert_non_null(t_expect(&f, "devices.runtime-grants", "hooks.createRuntime",
					 HS_ACTION_REWRITE));
		assert_non_null(
		    t_expect(&f, "egress.hook", "hooks.createRuntime", HS_ACTION_REWRITE));
		free(TAKE_PTR(hooks));
		free(out);
		out = strdup(t_emit(&f));
		assert_non_null(out);
		t_done(&f);
	}
	/* judged again (a restart re-creates from the written bundle): nothing changes */
	t_policy_with(&f, eg, NULL, out, HS_EVENT_RUN, &o);
	assert_false(f.report->refused);
	assert_int_equal(t_count(&f, "hooks."), 0);
	assert_null(t_find(&f, "devices.runtime-grants", NULL));
	assert_null(t_find(&f, "egress.hook", NULL));
	assert_string_equal(t_emit(&f), out);
	t_done(&f);
	/* the two hooks of an older rewrite become one */
	t_policy_with(&f, eg, NULL,
		      "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
		      "\"root\":{\"path\":\"rootfs\"},\"hooks\":{\"createRuntime\":[" OWN_HEAD
		      "\"devices\",\"c 10:200 rwm\",\"c 5:1 rwm\"],"
		      "\"timeout\":10}," OWN_HEAD "\"egress\",\"--default\",\"deny\",\"--allow\","
		      "\"198.18.0.2/32:8080/tcp\"],\"timeout\":10}]},"
		      "\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}",
		      HS_EVENT_RUN, &o);
	assert_false(f.report->refused);
	hooks = hooks_of(&f);
	assert_string_equal(hooks, "{\"createRuntime\":[" BOTH_HOOK "]}");
	free(TAKE_PTR(hooks));
	t_done(&f);
	/* create does both itself: no hook of ours left, the old one named */
	o.egress_at_create = true;
	t_policy_with(&f, eg, NULL, out, HS_EVENT_CREATE, &o);
	assert_false(f.report->refused);
	hooks = hooks_of(&f);
	assert_string_equal(hooks, "{\"createRuntime\":[]}");
	free(TAKE_PTR(hooks));
	assert_non_null(
	    strstr(t_expect(&f, "egress.after-create", "linux.namespaces", HS_ACTION_REWRITE)
		       ->message,
		   "old egress hook removed"));
	assert_non_null(
	    t_expect(&f, "devices.runtime-grants", "linux.resources.devices", HS_ACTION_REWRITE));
	t_done(&f);
	o.egress_at_create = false;
	/* another egress section: the old hook's egress half is not hardshim's any more */
	t_policy_with(&f, "\"egress\":{\"allow\":[\"198.18.0.3:8080/tcp\"]}", NULL, out,
		      HS_EVENT_RUN, &o);
	assert_true(f.report->refused);
	assert_non_null(
	    t_expect(&f, "hooks.not-allowlisted", "hooks.createRuntime[0].path", HS_ACTION_REFUSE));
	t_done(&f);
	/* ...which a hooks section that rewrites removes: one new hook, with both halves */
	t_policy_with(&f,
		      "\"egress\":{\"allow\":[\"198.18.0.3:8080/tcp\"]},\"hooks\":{\"action\":"
		      "\"rewrite\"}",
		      NULL, out, HS_EVENT_RUN, &o);
	assert_false(f.report->refused);
	hooks = hooks_of(&f);
	assert_string_equal(hooks, "{\"createRuntime\":[" OWN_HEAD
				   "\"devices-egress\",\"c 10:200 rwm\",\"c 5:1 rwm\","
				   "\"--default\",\"deny\",\"--allow\",\"198.18.0.3/32:8080/tcp\"],"
				   "\"timeout\":10}]}");
	free(TAKE_PTR(hooks));
	t_done(&f);
	/* one of the two off: the other's own hook, as before */
	o.on = "hooks,egress";
	t_policy_with(&f, eg, NULL, BOTH_CONFIG, HS_EVENT_RUN, &o);
	hooks = hooks_of(&f);
	assert_string_equal(hooks, "{\"createRuntime\":[" OWN_HEAD
				   "\"egress\",\"--default\",\"deny\",\"--allow\","
				   "\"198.18.0.2/32:8080/tcp\"],\"timeout\":10}]}");
	free(TAKE_PTR(hooks));
	t_done(&f);
	/* egress off: an old hook's egress half is not hardshim's (refused, as a lone egress
	 * hook of ours was); a hooks section that rewrites drops it, and the denies stay */
	o.on = "devices,hooks";
	t_policy_with(&f, "\"egress\":{\"enabled\":false}", NULL, out, HS_EVENT_RUN, &o);
	assert_true(f.report->refused);
	assert_non_null(
	    t_expect(&f, "hooks.not-allowlisted", "hooks.createRuntime[0].path", HS_ACTION_REFUSE));
	t_done(&f);
	t_policy_with(&f, "\"egress\":{\"enabled\":false},\"hooks\":{\"action\":\"rewrite\"}", NULL,
		      out, HS_EVENT_RUN, &o);
	assert_false(f.report->refused);
	hooks = hooks_of(&f);
	assert_string_equal(hooks, "{\"createRuntime\":[" OWN_HEAD
				   "\"devices\",\"c 10:200 rwm\",\"c 5:1 rwm\"],\"timeout\":10}]}");
	free(TAKE_PTR(hooks));
	t_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_section_refusals),
		cmocka_unit_test(test_section_refusals_all_malformed),
		cmocka_unit_test(test_inject),
		cmocka_unit_test(test_inject_default),
		cmocka_unit_test(test_one_hook_for_both),
		cmocka_unit_test(test_at_create),
		cmocka_unit_test(test_exception),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_hook_mode_no_injection),
		cmocka_unit_test(test_host_network_refused),
		cmocka_unit_test(test_restore_under_crun_refused),
		cmocka_unit_test(test_hooks_not_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
