/* SPDX-License-Identifier: Apache-2.0
 * create's bundle and config file: --config names the file crun reads from its working
 * directory, so it is accepted only when that directory is the bundle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs-argv.h"
#include "hs-cli.h"

static char dir[] = "/tmp/hs-test-create-XXXXXX";

static void put(const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
	chmod(p, 0644);
}

static int prepare(const char *cwd, const char *config, struct hs_error *err)
{
	static char bundle[256], *argv[8];
	struct hs_policy *p = NULL;
	struct hs_argv a;
	int r;

	snprintf(bundle, sizeof(bundle), "%s/b", dir);
	argv[0] = "hs", argv[1] = "create", argv[2] = "--bundle", argv[3] = bundle;
	argv[4] = "--config", argv[5] = (char *)config, argv[6] = "c1", argv[7] = NULL;
	assert_int_equal(hs_argv_parse(7, argv, &a, err), 0);
	{
		char pp[256], pol[512];

		/* The launch record goes to the test's directory, not the machine's trail. */
		snprintf(pol, sizeof(pol),
			 "{\"runtime\":\"/usr/bin/runc\",\"log\":{\"path\":\"%s/log/l.jsonl\","
			 "\"syslog\":false,\"kernel_audit\":false}}",
			 dir);
		put("policy.json", pol);

		snprintf(pp, sizeof(pp), "%s/policy.json", dir);
		assert_int_equal(hs_policy_load(pp, &p, err), 0);
	}
	assert_int_equal(chdir(cwd), 0);
	r = hs_create_prepare(&a, p, err);
	hs_policy_free(p);
	return r;
}

static void test_config_from_cwd(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	char b[256], c[256];

	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(c, sizeof(c), "%s/cwd", dir);
	assert_int_equal(mkdir(b, 0755), 0);
	assert_int_equal(mkdir(c, 0755), 0);
	put("b/x.json", "{\"ociVersion\":\"1.0.2\"}");
	put("cwd/x.json", "{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":0}}}");
	/* cwd elsewhere: crun would read cwd/x.json, not b/x.json */
	assert_true(prepare(c, "x.json", &err) != 0);
	assert_string_equal(err.rule, "cli.config-cwd");
	/* cwd = the bundle: past this check (stopped later by the symlink, on purpose) */
	assert_int_equal(symlink("x.json", strcat(strcpy(c, b), "/l.json")), 0);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(prepare(b, "l.json", &err) != 0);
	assert_string_equal(err.rule, "config.symlink");
	assert_int_equal(chdir("/"), 0);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_from_cwd),
	};
	return cmocka_run_group_tests_name("create", tests, NULL, NULL);
}
