/* SPDX-License-Identifier: Apache-2.0
 * hs_runtime_ask (src/cli/common.c), the one way hardshim asks a runtime something (state,
 * list, delete): what the runtime gets (the arguments, --root only when given, stdin and
 * stderr on /dev/null) and what comes back (stdout whole, a non-zero exit as -ECHILD with no
 * output, more than max as an error that does not hang), against a stand-in runtime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs-cli.h"

static char dir[] = "/tmp/hs-test-runtime-ask-XXXXXX";
static char runtime[128];

/* A runtime that prints its arguments, where its stdin and stderr lead, and what it is
 * told to do by its last argument. */
static const char script[] =
    "#!/bin/sh\n"
    "printf '%s|' \"$@\"\n"
    "printf 'in=%s|err=%s\\n' \"$(readlink /proc/$$/fd/0)\" \"$(readlink /proc/$$/fd/2)\"\n"
    "echo 'complaint' >&2\n"
    "for last; do :; done\n"
    "case \"$last\" in\n"
    "fail) exit 3 ;;\n"
    "flood) head -c 1000000 /dev/zero | tr '\\0' x ;;\n"
    "esac\n"
    "exit 0\n";

static int setup(void **state)
{
	FILE *f;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(runtime, sizeof(runtime), "%s/runtime", dir);
	if (!(f = fopen(runtime, "w")))
		return -1;
	fputs(script, f);
	fclose(f);
	return chmod(runtime, 0755);
}

static int teardown(void **state)
{
	(void)state;
	unlink(runtime);
	return rmdir(dir);
}

static void test_arguments_and_stdio(void **state)
{
	const char *args[] = { "state", "c1", NULL };
	struct hs_error err = HS_ERROR_INIT;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(hs_runtime_ask(runtime, "/run/x", args, 4096, "t.ask", &out, &len, &err),
			 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	/* --root first, then the arguments; stdin and stderr on /dev/null, never the caller's */
	assert_string_equal(out, "--root|/run/x|state|c1|in=/dev/null|err=/dev/null\n");
	free(out);

	/* no root: no --root at all (the runtime's default state directory) */
	out = NULL;
	assert_int_equal(hs_runtime_ask(runtime, NULL, args, 4096, "t.ask", &out, &len, &err), 0);
	assert_string_equal(out, "state|c1|in=/dev/null|err=/dev/null\n");
	free(out);
}

static void test_failure_and_limits(void **state)
{
	const char *fail[] = { "state", "fail", NULL }, *flood[] = { "list", "flood", NULL };
	const char *args[] = { "state", "c1", NULL };
	struct hs_error err = HS_ERROR_INIT;
	char *out = NULL, missing[160];
	size_t len = 0;
	int r;

	(void)state;
	/* exits non-zero: -ECHILD, nothing returned, err left for the caller to word */
	assert_int_equal(hs_runtime_ask(runtime, NULL, fail, 4096, "t.ask", &out, &len, &err),
			 -ECHILD);
	assert_null(out);
	assert_int_equal(err.code, 0);

	/* more than max: an error under the caller's rule, and no hang on a runtime that goes on
	 * writing */
	assert_true(hs_runtime_ask(runtime, NULL, flood, 1024, "t.ask", &out, &len, &err) < 0);
	assert_null(out);
	assert_string_equal(err.rule, "t.ask");

	/* more arguments than it passes: refused, never a shortened question */
	{
		const char *many[21];

		for (size_t i = 0; i < 20; i++)
			many[i] = "x";
		many[20] = NULL;
		err = (struct hs_error)HS_ERROR_INIT;
		assert_int_equal(hs_runtime_ask(runtime, NULL, many, 4096, "t.ask", &out, &len,
						&err),
				 -E2BIG);
		assert_null(out);
		assert_string_equal(err.rule, "t.ask");
	}

	/* no such runtime: a failure, under the caller's rule with the runtime named. (Under
	 * valgrind, whose posix_spawn is a plain fork, the exec fails in the child instead: it
	 * exits 127 and the answer is -ECHILD, as for any runtime that fails.) */
	err = (struct hs_error)HS_ERROR_INIT;
	snprintf(missing, sizeof(missing), "%s/none", dir);
	r = hs_runtime_ask(missing, NULL, args, 4096, "t.ask", &out, &len, &err);
	assert_true(r < 0);
	assert_null(out);
	if (r != -ECHILD) {
		assert_string_equal(err.rule, "t.ask");
		assert_string_equal(err.path, missing);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments_and_stdio),
		cmocka_unit_test(test_failure_and_limits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
