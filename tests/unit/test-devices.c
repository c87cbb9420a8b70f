/* SPDX-License-Identifier: Apache-2.0
 * The devices control: linux.devices beyond the runtime defaults, allow-all cgroup rules
 * (every spelling), deny-all first, the allowlist, rewrite, update documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "harness.h"

static char *config(const char *devices, const char *rules)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
		 "\"root\":{\"path\":\"rootfs\"},\"linux\":{\"devices\":[%s],"
		 "\"resources\":{\"devices\":[%s]}}}",
		 devices, rules);
	return buf;
}

#define DENY_ALL "{\"allow\":false,\"access\":\"rwm\"}"

/* The devices findings on the config's own entries: all but the hook every create gets. */
static size_t judged(const struct hs_t *f)
{
	return t_count(f, "devices.") - t_count(f, "devices.runtime-grants");
}

/* createRuntime hooks of the emitted config that are `hardshim hook devices`, as one string
 * "ARG|ARG;" per hook (its args after the head), or "" */
static const char *deny_hooks(struct hs_t *f, char *buf, size_t size)
{
	const char *out = t_emit(f), *p = out;
	static const char head[] = "\"args\":[\"hardshim\",\"hook\",\"devices\"";

	buf[0] = '\0';
	while ((p = strstr(p, head))) {
		const char *end = strchr(p, ']');
		size_t len = strlen(buf);

		p += sizeof(head) - 1;
		snprintf(buf + len, size - len, "%.*s;", (int)(end - p), p);
		p = end;
	}
	return buf;
}

/* runc adds c 10:200 and crun c 5:1 after the config's rules, where no config rule can take
 * them back: every create gets the createRuntime hook that denies both (hook devices), minus
 * the access the config's own rules grant on exactly that device (the other runtime gives
 * that too). Once only, however often the config is judged; never in hook mode (the runtime
 * has loaded the config), never for an update. */
static void test_runtime_grants_denied_by_hook(void **state)
{
	struct hs_t f;
	char buf[512];

	t_policy(&f, NULL, NULL, config("", DENY_ALL), HS_EVENT_CREATE);
	assert_non_null(
	    t_expect(&f, "devices.runtime-grants", "hooks.createRuntime", HS_ACTION_REWRITE));
	assert_false(f.report->refused);
	assert_string_equal(deny_hooks(&f, buf, sizeof(buf)), ",\"c 10:200 rwm\",\"c 5:1 rwm\";");
	assert_non_null(strstr(t_emit(&f), "\"path\":\"" HS_FAKE_HOST_SELF "\""));
	t_done(&f);
	/* the config's own grant of tun stays what it asked for under both */
	t_policy(&f, NULL, NULL,
		 config("", DENY_ALL ",{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,"
				     "\"access\":\"rw\"}"),
		 HS_EVENT_CREATE);
	assert_string_equal(deny_hooks(&f, buf, sizeof(buf)), ",\"c 10:200 m\",\"c 5:1 rwm\";");
	t_done(&f);
	t_policy(&f, NULL, NULL,
		 config("", DENY_ALL ",{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200}"),
		 HS_EVENT_CREATE);
	assert_string_equal(deny_hooks(&f, buf, sizeof(buf)), ",\"c 5:1 rwm\";");
	t_done(&f);
	/* judged again (a restart re-creates from the written bundle): still one hook */
	t_policy(&f, NULL, NULL,
		 "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
		 "\"root\":{\"path\":\"rootfs\"},\"hooks\":{\"createRuntime\":[{\"path\":"
		 "\"" HS_FAKE_HOST_SELF
		 "\",\"args\":[\"hardshim\",\"hook\",\"devices\",\"c 10:200 rwm\"]}]},"
		 "\"linux\":{\"resources\":{\"devices\":[" DENY_ALL "]}}}",
		 HS_EVENT_CREATE);
	assert_string_equal(deny_hooks(&f, buf, sizeof(buf)), ",\"c 10:200 rwm\",\"c 5:1 rwm\";");
	assert_false(f.report->refused);
	t_done(&f);
	t_policy_with(&f, NULL, NULL, config("", DENY_ALL), HS_EVENT_HOOK,
		      &(struct t_opts){ .no_rewrite = true });
	assert_int_equal(t_count(&f, "devices."), 0);
	t_done(&f);
}

/* restore: runc runs createRuntime (from criu's setup-namespaces), crun 1.8 runs no hooks, so
 * its own c 5:1 grant would stay: refused under crun unless the config itself grants c 5:1. */
static void test_restore_under_crun(void **state)
{
	struct hs_t f;
	char buf[512];

	t_policy(&f, NULL, NULL, config("", DENY_ALL), HS_EVENT_RESTORE);
	assert_false(f.report->refused);
	assert_string_equal(deny_hooks(&f, buf, sizeof(buf)), ",\"c 10:200 rwm\",\"c 5:1 rwm\";");
	t_done(&f);
	t_policy_with(&f, NULL, NULL, config("", DENY_ALL), HS_EVENT_RESTORE,
		      &(struct t_opts){ .runtime = "/usr/bin/crun" });
	assert_true(f.report->refused);
	assert_non_null(
	    t_expect(&f, "devices.restore-without-hooks", "hooks.createRuntime", HS_ACTION_REFUSE));
	t_done(&f);
	/* create under crun: the hook runs, nothing refused */
	t_policy_with(&f, NULL, NULL, config("", DENY_ALL), HS_EVENT_CREATE,
		      &(struct t_opts){ .runtime = "/usr/bin/crun" });
	assert_false(f.report->refused);
	t_done(&f);
}

/* hardshim's create waits for the runtime's create and denies from there (wait-runtime.c):
 * the config gets no hook (and loses one a previous create wrote), the finding names the rules
 * it is done for, and `check` predicts that. run and restore still get the hook. */
static void test_runtime_grants_denied_by_create(void **state)
{
	static const char stale[] =
	    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
	    "\"root\":{\"path\":\"rootfs\"},\"hooks\":{\"createRuntime\":[{\"path\":"
	    "\"" HS_FAKE_HOST_SELF "\",\"args\":[\"hardshim\",\"hook\",\"devices\","
	    "\"c 10:200 rwm\"]}]},\"linux\":{\"resources\":{\"devices\":[" DENY_ALL "]}}}";
	const struct t_opts at_create = { .egress_at_create = true };
	enum hs_event evs[] = { HS_EVENT_CREATE, HS_EVENT_CHECK };
	char buf[512];

	for (size_t i = 0; i < HS_ARRAY_SIZE(evs); i++) {
		struct hs_t f;

		t_policy_with(&f, NULL, NULL, config("", DENY_ALL), evs[i], &at_create);
		assert_non_null(t_expect(&f, "devices.runtime-grants", "linux.resources.devices",
					 HS_ACTION_REWRITE));
		assert_string_equal(deny_hooks(&f, buf, sizeof(buf)), "");
		assert_null(strstr(t_emit(&f), "createRuntime"));
		t_done(&f);
		t_policy_with(&f, NULL, NULL, stale, evs[i], &at_create);
		assert_string_equal(deny_hooks(&f, buf, sizeof(buf)), "");
		assert_false(f.report->refused);
		t_done(&f);
	}
	{
		struct hs_t f;

		t_policy_with(&f, NULL, NULL, config("", DENY_ALL), HS_EVENT_RUN, &at_create);
		assert_string_equal(deny_hooks(&f, buf, sizeof(buf)),
				    ",\"c 10:200 rwm\",\"c 5:1 rwm\";");
		t_done(&f);
	}
}

/* The denies for a config's rules: what the config grants itself on exactly that device is
 * kept (the other runtime gives it too); nothing left, nothing to deny. */
static void test_runtime_denies(void **state)
{
	static const char rules[] =
	    "[" DENY_ALL ",{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":1,"
	    "\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":10,"
	    "\"minor\":200,\"access\":\"r\"}]";
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	char out[2][HS_DEVICES_DENY_MAX];
	struct hs_json *tree = NULL;

	assert_int_equal(hs_devices_runtime_denies(NULL, out, 2), 2);
	assert_string_equal(out[0], "c 10:200 rwm");
	assert_string_equal(out[1], "c 5:1 rwm");
	assert_int_equal(hs_devices_runtime_denies(NULL, out, 1), 1);
	assert_int_equal(hs_json_parse(a, rules, sizeof(rules) - 1, &limits, &tree, &err), 0);
	assert_int_equal(hs_devices_runtime_denies(tree, out, 2), 1);
	assert_string_equal(out[0], "c 10:200 wm");
	hs_arena_free(a);
}

/* What `hook devices` accepts: a deny of exactly a runtime's own grant, nothing else. */
static void test_deny_args(void **state)
{
	static const char *const ok[] = { "c 10:200 rwm", "c 5:1 rwm", "c 5:1 w", "c 10:200 mr" };
	static const char *const bad[] = {
		"c 1:3 rwm",     "b 10:200 rwm",         "c 10:200",
		"c 10:200 rwmx", "c 10:200 rr",          "c 10:200 rwm ",
		"a *:* rwm",     "c 5:1 rwm\nc 1:1 rwm", "",
		"c 010:200 rwm",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!hs_devices_deny_arg_ok(ok[i]))
			fail_msg("refused \"%s\"", ok[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hs_devices_deny_arg_ok(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_false(hs_devices_deny_arg_ok(NULL));
}

static void test_runtime_defaults_pass(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL,
		 config("{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3},"
			"{\"path\":\"/dev/urandom\",\"type\":\"c\",\"major\":1,\"minor\":9}",
			DENY_ALL ",{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,"
				 "\"access\":\"rwm\"},"
				 "{\"allow\":true,\"type\":\"c\",\"access\":\"m\"}"),
		 HS_EVENT_CREATE);
	if (judged(&f))
		t_dump(&f);
	assert_int_equal(judged(&f), 0);
	t_done(&f);
}

static void test_host_device_refused(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL,
		 config("{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3},"
			"{\"path\":\"/dev/sda\",\"type\":\"b\",\"major\":8,\"minor\":0}",
			DENY_ALL),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "devices.not-allowed", "linux.devices[1]"));
	assert_true(f.report->refused);
	t_done(&f);
	/* A default path with other numbers is another device: /dev/null as /dev/mem. */
	t_policy(&f, NULL, NULL,
		 config("{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":1}",
			DENY_ALL),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "devices.not-allowed", "linux.devices[0]"));
	t_done(&f);
}

static void test_allowlist(void **state)
{
	struct hs_t f;
	const char *pol = "\"devices\":{\"allow\":[{\"path\":\"/dev/"
			  "fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}]}";

	t_policy(&f, pol, NULL,
		 config("{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}",
			DENY_ALL),
		 HS_EVENT_CREATE);
	assert_false(f.report->refused);
	t_done(&f);
	t_policy(&f, pol, NULL,
		 config("{\"path\":\"/dev/fuse\",\"type\":\"b\",\"major\":10,\"minor\":229}",
			DENY_ALL),
		 HS_EVENT_CREATE);
	assert_true(f.report->refused);
	t_done(&f);
}

static void test_allow_all_every_spelling(void **state)
{
	static const char *const rules[] = {
		"{\"allow\":true,\"access\":\"rwm\"}",
		"{\"allow\":true}",
		"{\"allow\":true,\"type\":\"a\",\"major\":1,\"minor\":3,\"access\":\"r\"}",
		"{\"allow\":true,\"type\":\"\",\"access\":\"rw\"}",
		"{\"allow\":true,\"type\":\"c\",\"access\":\"rwm\"}",
		"{\"allow\":true,\"type\":\"b\",\"major\":-1,\"minor\":-1,\"access\":\"w\"}",
	};

	for (size_t i = 0; i < HS_ARRAY_SIZE(rules); i++) {
		struct hs_t f;
		char r[256];

		snprintf(r, sizeof(r), DENY_ALL ",%s", rules[i]);
		t_policy(&f, NULL, NULL, config("", r), HS_EVENT_CREATE);
		if (!t_find(&f, "devices.allow-all", "linux.resources.devices[1]"))
			fail_msg("rule %s not refused", rules[i]);
		assert_true(f.report->refused);
		t_done(&f);
	}
}

/* A grant on one non-default device: with a node for it in the image's rootfs (not nodev),
 * the container wrote to the host's /dev/kmsg under runc and crun. */
static void test_cgroup_grant_beyond_defaults(void **state)
{
	static const char *const bad[] = {
		"{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":11,\"access\":\"w\"}",
		"{\"allow\":true,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"r\"}",
		"{\"allow\":true,\"type\":\"b\",\"major\":8,\"access\":\"rw\"}",
		"{\"allow\":true,\"type\":\"c\",\"minor\":3,\"access\":\"rw\"}",
		"{\"allow\":true,\"type\":\"c\",\"major\":1,\"access\":\"rwm\"}",
	};
	static const char *const good[] = {
		"{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}",
		"{\"allow\":true,\"type\":\"c\",\"major\":136,\"access\":\"rwm\"}",
		"{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"rwm\"}",
		"{\"allow\":true,\"type\":\"b\",\"access\":\"m\"}",
		"{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"rw\"}",
	};
	struct hs_t f;
	char rules[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(rules, sizeof(rules), DENY_ALL ",%s", bad[i]);
		t_policy(&f, NULL, NULL, config("", rules), HS_EVENT_CREATE);
		if (!t_find(&f, "devices.cgroup-not-allowed", "linux.resources.devices[1]"))
			t_dump(&f);
		assert_non_null(
		    t_find(&f, "devices.cgroup-not-allowed", "linux.resources.devices[1]"));
		assert_true(f.report->refused);
		t_done(&f);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(rules, sizeof(rules), DENY_ALL ",%s", good[i]);
		t_policy(&f, NULL, NULL, config("", rules), HS_EVENT_CREATE);
		assert_int_equal(judged(&f), 0);
		t_done(&f);
	}
	/* the admin's allowlist grants its own device, and update documents are held to it too */
	t_policy(&f,
		 "\"devices\":{\"allow\":[{\"path\":\"/dev/"
		 "kmsg\",\"type\":\"c\",\"major\":1,\"minor\":11}]}",
		 NULL,
		 config("", DENY_ALL ",{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":11,"
				     "\"access\":\"w\"}"),
		 HS_EVENT_CREATE);
	assert_int_equal(judged(&f), 0);
	t_done(&f);
	t_policy(&f, NULL, NULL,
		 "{\"devices\":[{\"allow\":true,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":"
		 "\"r\"}]}",
		 HS_EVENT_UPDATE);
	assert_non_null(t_find(&f, "devices.cgroup-not-allowed", "devices[0]"));
	t_done(&f);
}

static void test_deny_all_first_added(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL,
		 config("", "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":"
			    "\"rw\"}"),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "devices.no-deny-all", "linux.resources.devices"));
	assert_false(f.report->refused);
	assert_non_null(
	    strstr(t_emit(&f),
		   "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true"));
	t_done(&f);
	/* No resources at all: added too. */
	t_policy(&f, NULL, NULL, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"}}",
		 HS_EVENT_CREATE);
	assert_non_null(
	    strstr(t_emit(&f),
		   "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]"));
	t_done(&f);
}

static void test_rewrite_strips(void **state)
{
	struct hs_t f;

	t_policy(&f, "\"devices\":{\"action\":\"rewrite\"}", NULL,
		 config("{\"path\":\"/dev/sda\",\"type\":\"b\",\"major\":8,\"minor\":0}",
			DENY_ALL ",{\"allow\":true,\"access\":\"rwm\"}"),
		 HS_EVENT_CREATE);
	assert_false(f.report->refused);
	assert_non_null(strstr(t_emit(&f), "\"devices\":[]"));
	assert_null(strstr(f.out, "\"allow\":true"));
	t_done(&f);
}

static void test_update_document(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL, "{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}",
		 HS_EVENT_UPDATE);
	assert_non_null(t_find(&f, "devices.allow-all", "devices[0]"));
	assert_true(f.report->refused);
	t_done(&f);
}

static void test_disabled(void **state)
{
	struct hs_t f;

	t_policy(&f, "\"devices\":{\"enabled\":false}", NULL,
		 config("{\"path\":\"/dev/sda\",\"type\":\"b\",\"major\":8,\"minor\":0}",
			"{\"allow\":true}"),
		 HS_EVENT_CREATE);
	assert_int_equal(t_count(&f, "devices."), 0);
	t_done(&f);
}

static void test_policy_section_refusals(void **state)
{
	t_policy_refused("\"devices\":{\"allow\":[{\"type\":\"c\"}]}", NULL, "policy.devices",
			 "controls.devices");
	t_policy_refused("\"devices\":{\"allow\":[{\"path\":\"/dev/x\",\"type\":\"z\"}]}", NULL,
			 "policy.devices", NULL);
	t_policy_refused("\"devices\":{\"action\":\"ignore\"}", NULL, "policy.devices", NULL);
	t_policy_refused("\"devices\":{\"allow\":[{\"path\":\"/dev/x\",\"mode\":1}]}", NULL,
			 "policy.unknown-key", "controls.devices.allow[0].mode");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runtime_defaults_pass),
		cmocka_unit_test(test_host_device_refused),
		cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_allow_all_every_spelling),
		cmocka_unit_test(test_cgroup_grant_beyond_defaults),
		cmocka_unit_test(test_deny_all_first_added),
		cmocka_unit_test(test_rewrite_strips),
		cmocka_unit_test(test_update_document),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_policy_section_refusals),
		cmocka_unit_test(test_runtime_grants_denied_by_hook),
		cmocka_unit_test(test_restore_under_crun),
		cmocka_unit_test(test_deny_args),
		cmocka_unit_test(test_runtime_grants_denied_by_create),
		cmocka_unit_test(test_runtime_denies),
	};
	return cmocka_run_group_tests_name("devices", tests, NULL, NULL);
}
