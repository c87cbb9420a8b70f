/* SPDX-License-Identifier: Apache-2.0
 * The policy loader: whole or nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "hs-policy.h"
#include "hs-schema.h"

static char path[] = "/tmp/hs-test-policy.XXXXXX";

static int write_policy(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

static void loads(const char *text)
{
	struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(write_policy(text, 0644), 0);
	if (hs_policy_load(path, &p, &err) < 0)
		fail_msg("%s refused: %s %s %s", text, err.rule, err.path, err.msg);
	hs_policy_free(p);
}

static void refused(const char *text, mode_t mode, const char *rule, const char *where)
{
	struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(write_policy(text, mode), 0);
	assert_true(hs_policy_load(path, &p, &err) < 0);
	assert_null(p);
	if (strcmp(err.rule, rule) || (where && strcmp(err.path, where)))
		fail_msg("%s: got %s at %s (%s), expected %s at %s", text, err.rule, err.path,
			 err.msg, rule, where ? where : "*");
}

static void test_minimal(void **state)
{
	struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(write_policy("{\"runtime\":\"/usr/bin/crun\",\"mode\":\"audit\","
				      "\"json\":{\"max_depth\":10,\"unknown_keys\":\"refuse\"}}",
				      0600),
			 0);
	assert_int_equal(hs_policy_load(path, &p, &err), 0);
	assert_string_equal(p->runtime, "/usr/bin/crun");
	assert_int_equal(p->mode, HS_MODE_AUDIT);
	assert_int_equal(p->limits.max_depth, 10);
	assert_int_equal(p->unknown_keys, HS_UNKNOWN_REFUSE);
	hs_policy_free(p);
	/* unknown keys are refused unless the policy says preserve */
	assert_int_equal(write_policy("{\"runtime\":\"/usr/bin/runc\"}", 0600), 0);
	assert_int_equal(hs_policy_load(path, &p, &err), 0);
	assert_int_equal(p->unknown_keys, HS_UNKNOWN_REFUSE);
	hs_policy_free(p);
	assert_int_equal(write_policy("{\"runtime\":\"/usr/bin/"
				      "runc\",\"json\":{\"unknown_keys\":\"preserve\"}}",
				      0600),
			 0);
	assert_int_equal(hs_policy_load(path, &p, &err), 0);
	assert_int_equal(p->unknown_keys, HS_UNKNOWN_PRESERVE);
	hs_policy_free(p);
	loads("{\"runtime\":\"/usr/bin/runc\",\"controls\":{},\"exceptions\":[]}");
}

static void test_refusals(void **state)
{
	refused("{\"runtime\":\"runc\"}", 0644, "policy.runtime", "runtime");
	refused("{\"mode\":\"enforce\"}", 0644, "policy.runtime", "runtime");
	refused("{\"runtime\":\"/usr/bin/runc\",\"mode\":\"lenient\"}", 0644, "policy.mode",
		"mode");
	refused("{\"runtime\":\"/usr/bin/runc\",\"extra\":1}", 0644, "policy.unknown-key", "extra");
	refused("{\"runtime\":\"/usr/bin/runc\",\"RUNTIME\":\"/x\"}", 0644,
		"policy.case-variant-key", "RUNTIME");
	refused("{\"runtime\":\"/usr/bin/runc\",\"runtime\":\"/x\"}", 0644, "policy.duplicate-key",
		"runtime");
	refused("{\"runtime\":\"/usr/bin/runc\",\"controls\":{\"nosuch\":{}}}", 0644,
		"policy.unknown-control", "controls.nosuch");
	refused("{\"runtime\":\"/usr/bin/runc\",\"json\":{\"max_depth\":2}}", 0644, "policy.json",
		NULL);
	refused("{\"runtime\":\"/usr/bin/runc\",\"json\":{\"unknown_keys\":\"keep\"}}", 0644,
		"policy.json", "json.unknown_keys");
	refused("{\"runtime\":\"/usr/bin/runc\"}", 0666, "policy.permissions", NULL);
	refused("{\"runtime\":\"/usr/bin/runc\"", 0644, "policy.syntax", NULL);
	refused("{\"runtime\":\"/usr/bin/runc\",\"exceptions\":[{\"name\":\"x\"}]}", 0644,
		"policy.exception", "exceptions[0]");
	refused("{\"runtime\":\"/usr/bin/"
		"runc\",\"exceptions\":[{\"name\":\"x\",\"match\":{\"annotations\":"
		"{\"org.opencontainers.image.title\":\"t\"}}}]}",
		0644, "policy.exception", "exceptions[0]");
	refused("{\"runtime\":\"/usr/bin/"
		"runc\",\"exceptions\":[{\"name\":\"x\",\"match\":{\"annotations\":"
		"{\"io.kubernetes.cri.sandbox-namespace\":\"ci\"}},\"controls\":{\"nosuch\":{}}}]}",
		0644, "policy.unknown-control", "exceptions[0].controls.nosuch");
}

/* A member that names an action: "action", mounts' "on_*", mac's "no_mac". */
static bool is_action_member(const char *key)
{
	return !strcmp(key, "action") || !strcmp(key, "no_mac") || !strncmp(key, "on_", 3);
}

/* The error a policy with control C's member K set to VALUE gets, base section or exception. */
/* Load a policy with control C's member K set to VALUE (base section or exception): 0 when
 * it loads, else the loader's result with its error in ERR. */
static int try_action(const char *c, const char *k, const char *value, bool in_exception,
		      struct hs_error *err)
{
	struct hs_policy *p = NULL;
	char text[512];
	int r;

	if (in_exception)
		snprintf(text, sizeof(text),
			 "{\"runtime\":\"/usr/bin/runc\",\"exceptions\":[{\"name\":\"x\",\"match\":"
			 "{\"annotations\":{\"a\":\"1\"}},\"controls\":{\"%s\":{\"%s\":\"%s\"}}}]}",
			 c, k, value);
	else
		snprintf(text, sizeof(text),
			 "{\"runtime\":\"/usr/bin/runc\",\"controls\":{\"%s\":{\"%s\":\"%s\"}}}", c,
			 k, value);
	assert_int_equal(write_policy(text, 0644), 0);
	*err = (struct hs_error)HS_ERROR_INIT;
	r = hs_policy_load(path, &p, err);
	hs_policy_free(p);
	return r < 0 ? r : 0;
}

static void action_refused(const char *c, const char *k, const char *value, bool in_exception,
			   struct hs_error *err)
{
	if (try_action(c, k, value, in_exception, err) == 0)
		fail_msg("accepted: controls.%s.%s = \"%s\"%s", c, k, value,
			 in_exception ? " in an exception" : "");
}

/* One rule-id scheme and one wording for a bad action in every control: rule policy.CONTROL,
 * the member's own path (under the exception when it is in one), the accepted values named. */
static void test_action_members_one_scheme(void **state)
{
	size_t n = 0;

	for (size_t i = 0; i < hs_n_controls; i++) {
		const struct hs_control *c = hs_controls[i];
		const struct hs_schema_field *f;

		for (f = c->policy_schema ? c->policy_schema->fields : NULL; f && f->name; f++) {
			struct hs_error err;
			char rule[64], want[128], msg[160];

			if (!is_action_member(f->name))
				continue;
			n++;
			snprintf(rule, sizeof(rule), "policy.%s", c->name);
			snprintf(want, sizeof(want), "controls.%s.%s", c->name, f->name);
			/* the wording names exactly the values this member takes */
			if (try_action(c->name, f->name, "rewrite", false, &err) == 0)
				snprintf(msg, sizeof(msg),
					 "\"%s\" is \"rewrite\", \"refuse\" or \"warn\", not "
					 "\"clamp\"",
					 f->name);
			else
				snprintf(msg, sizeof(msg),
					 "\"%s\" is \"refuse\" or \"warn\", not \"clamp\"",
					 f->name);
			action_refused(c->name, f->name, "clamp", false, &err);
			if (strcmp(err.rule, rule) || strcmp(err.path, want) ||
			    strcmp(err.msg, msg))
				fail_msg("%s: got %s at %s (%s), want \"%s\"", want, err.rule,
					 err.path, err.msg, msg);
			action_refused(c->name, f->name, "clamp", true, &err);
			snprintf(want, sizeof(want), "exceptions[0].controls.%s.%s", c->name,
				 f->name);
			if (strcmp(err.rule, rule) || strcmp(err.path, want))
				fail_msg("%s: got %s at %s (%s)", want, err.rule, err.path,
					 err.msg);
		}
	}
	/* 10 "action", mounts' 6 "on_*", namespaces' on_violation, mac's no_mac */
	assert_true(n >= 18);
	/* where rewrite has no meaning, the wording says so */
	{
		struct hs_error err;

		action_refused("mac", "no_mac", "rewrite", false, &err);
		assert_string_equal(err.msg,
				    "\"no_mac\" is \"refuse\" or \"warn\", not \"rewrite\"");
		action_refused("namespaces", "on_violation", "rewrite", false, &err);
		assert_string_equal(err.rule, "policy.namespaces");
	}
}

/* The policy path for a hardshim invoked as ARGV0; the call must succeed. */
static const char *path_for(const char *argv0)
{
	static char buf[HS_POLICY_PATH_MAX];
	struct hs_error err = HS_ERROR_INIT;

	if (hs_policy_path(argv0, buf, &err) < 0)
		fail_msg("%s: %s", err.rule, err.msg);
	return buf;
}

static void test_env_path(void **state)
{
	setenv("HARDSHIM_POLICY", "/x/y.json", 1);
	assert_string_equal(path_for("hardshim"), "/x/y.json");
	unsetenv("HARDSHIM_POLICY");
	assert_string_equal(path_for("hardshim"), HS_SYSCONFDIR "/hardshim/policy.json");
}

/* hardshim-NAME reads NAME.json beside the base policy; other names the base policy; a name
 * that could reach another directory or a hidden file is refused. */
static void test_invocation_name(void **state)
{
	char buf[HS_POLICY_PATH_MAX], long_env[HS_POLICY_PATH_MAX + 16];
	struct hs_error err = HS_ERROR_INIT;

	setenv("HARDSHIM_POLICY", "/x/y.json", 1);
	assert_string_equal(path_for("/usr/local/bin/hardshim-db"), "/x/db.json");
	unsetenv("HARDSHIM_POLICY");
	assert_string_equal(path_for("/usr/local/bin/hardshim-db"),
			    HS_SYSCONFDIR "/hardshim/db.json");
	assert_string_equal(path_for("hardshim-web.v2"), HS_SYSCONFDIR "/hardshim/web.v2.json");
	setenv("HARDSHIM_POLICY", "rel.json", 1);
	assert_string_equal(path_for("hardshim-web.v2"), "web.v2.json");
	unsetenv("HARDSHIM_POLICY");
	/* not hardshim-NAME: the base policy */
	for (const char *const *n = (const char *const[]){ "hardshim", "/usr/bin/hardshim", "runc",
							   "xhardshim-db", "", NULL };
	     *n; n++)
		assert_string_equal(path_for(*n), HS_SYSCONFDIR "/hardshim/policy.json");
	assert_string_equal(path_for(NULL), HS_SYSCONFDIR "/hardshim/policy.json");
	for (const char *const *n =
		 (const char *const[]){ "hardshim-", "hardshim-.x", "hardshim--x", "hardshim-a b",
					"hardshim-a\\b", "hardshim-\xc3\xa9", NULL };
	     *n; n++) {
		assert_int_equal(hs_policy_path(*n, buf, &err), -HS_ECONFIG);
		assert_string_equal(err.rule, "policy.name");
	}
	assert_int_equal(hs_policy_path("hardshim-"
					"0123456789012345678901234567890123456789012345"
					"6789012345678901234",
					buf, &err),
			 -HS_ECONFIG);
	/* a path too long for the buffer is "/", no regular file: the load fails closed */
	memset(long_env, 'a', sizeof(long_env) - 1);
	long_env[0] = '/';
	long_env[sizeof(long_env) - 8] = '/'; /* a directory too long for NAME.json beside it */
	long_env[sizeof(long_env) - 1] = '\0';
	setenv("HARDSHIM_POLICY", long_env, 1);
	assert_string_equal(path_for("hardshim-db"), "/");
	assert_string_equal(path_for("hardshim"), "/");
	unsetenv("HARDSHIM_POLICY");
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	return fd < 0 ? -1 : close(fd);
}

static int teardown(void **state)
{
	return unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_action_members_one_scheme),
		cmocka_unit_test(test_env_path),
		cmocka_unit_test(test_invocation_name),
	};
	return cmocka_run_group_tests_name("policy", tests, setup, teardown);
}
