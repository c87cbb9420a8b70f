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

static int prepare_in(const char *mode, const char *cwd, const char *config, struct hs_error *err)
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
			 "{\"runtime\":\"/usr/bin/runc\",\"mode\":\"%s\",\"log\":{\"path\":"
			 "\"%s/log/l.jsonl\",\"syslog\":false,\"kernel_audit\":false}}",
			 mode, dir);
		put("policy.json", pol);

		snprintf(pp, sizeof(pp), "%s/policy.json", dir);
		assert_int_equal(hs_policy_load(pp, &p, err), 0);
	}
	assert_int_equal(chdir(cwd), 0);
	r = hs_create_prepare(&a, p, NULL, err);
	hs_policy_free(p);
	return r;
}

static int prepare(const char *cwd, const char *config, struct hs_error *err)
{
	return prepare_in("enforce", cwd, config, err);
}

/* The last line of the test's launch log. */
static void last_record(char *buf, size_t size)
{
	char p[256], line[8192];
	FILE *f;

	snprintf(p, sizeof(p), "%s/log/l.jsonl", dir);
	assert_non_null(f = fopen(p, "r"));
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f))
		snprintf(buf, size, "%s", line);
	fclose(f);
}

static void rmdir_all(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(dir, sizeof(dir), "/tmp/hs-test-create-XXXXXX");
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
	rmdir_all();
}

/* The gate's launch record of a create says that hardshim waits for the runtime (it runs it
 * as a child and records its failure): only when the launch is admitted. */
static void test_create_record_waits(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	char b[256], rec[8192];

	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(b, sizeof(b), "%s/b", dir);
	assert_int_equal(mkdir(b, 0755), 0);
	put("b/config.json", "{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":0}}}");
	/* audit mode: admitted as it came, recorded as waited for */
	assert_int_equal(prepare_in("audit", b, "config.json", &err), HS_DECISION_ALLOW);
	last_record(rec, sizeof(rec));
	assert_non_null(strstr(rec, "\"event\":\"create\""));
	assert_non_null(strstr(rec, ",\"waits\":true"));
	/* refused: the runtime never runs, nothing to wait for */
	err = (struct hs_error)HS_ERROR_INIT;
	put("b/config.json", "{\"ociVersion\":\"1.0.2\",\"unknownKey\":1}");
	assert_int_not_equal(prepare_in("enforce", b, "config.json", &err), HS_DECISION_ALLOW);
	last_record(rec, sizeof(rec));
	assert_non_null(strstr(rec, "\"verdict\":\"refused\""));
	assert_null(strstr(rec, "\"waits\""));
	assert_int_equal(chdir("/"), 0);
	rmdir_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_from_cwd),
		cmocka_unit_test(test_create_record_waits),
	};
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	/* this test is the front: hardshim's own path, which the devices and egress hooks call
	 * (the core is told it by its front, src/front/core.c) */
	if (n <= 0 || n >= (ssize_t)sizeof(self) - 1)
		return 1;
	self[n] = '\0';
	hs_host_set_front(self);
	return cmocka_run_group_tests_name("create", tests, NULL, NULL);
}
