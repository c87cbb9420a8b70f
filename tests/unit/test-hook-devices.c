/* SPDX-License-Identifier: Apache-2.0
 * What every hook shares and the devices hook (src/cli/hook-devices.c), which the front runs
 * without the core: the state on stdin parsed strictly (shape, pid bounds, size limit), the
 * rules checked one by one, and a refusal before anything is written. stdin is a file the test
 * fills; the deny itself is test-devcgroup's (the real host). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs-hook.h"

/* stdin := an unlinked file holding len bytes of text (poll says readable at once) */
static void stdin_from(const char *text, size_t len)
{
	char path[] = "/tmp/hs-test-hook-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
}

static int state_of(const char *text, struct hs_hook_state *st, struct hs_error *err)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	int r;

	assert_non_null(a);
	stdin_from(text, strlen(text));
	r = hs_hook_read_state(a, st, err);
	st->bundle = st->id = NULL; /* in the arena, gone */
	return r;
}

static void test_state_strict(void **state)
{
	static const struct {
		const char *text, *rule;
	} bad[] = {
		{ "{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"pid\":1,\"bundle\":\"/\"}",
		  "hook.state" },
		{ "{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"bundle\":\"/\"}", "hook.state" },
		{ "{\"id\":\"x\",\"pid\":2147483648}", "hook.state" },
		{ "{\"id\":7,\"pid\":42}", NULL },                  /* id: a string in Go */
		{ "{\"pid\":42,\"Pid\":43}", NULL },                /* case-variant key */
		{ "{\"pid\":42,\"annotations\":{\"a\":1}}", NULL }, /* map of strings */
		{ "{\"pid\":42} {}", NULL },                        /* trailing document */
		{ "", NULL },
	};
	struct hs_hook_state st = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hs_error err = HS_ERROR_INIT;

		assert_true(state_of(bad[i].text, &st, &err) < 0);
		assert_true(err.rule[0]);
		if (bad[i].rule)
			assert_string_equal(err.rule, bad[i].rule);
	}
	{
		struct hs_error err = HS_ERROR_INIT;

		assert_int_equal(state_of("{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":"
					  "\"created\",\"pid\":4242,\"bundle\":\"/b\","
					  "\"unknownField\":[1]}",
					  &st, &err),
				 0);
		assert_int_equal(st.pid, 4242);
	}
}

static void test_state_size_limit(void **state)
{
	size_t n = HS_HOOK_STATE_MAX + 16;
	char *big = malloc(n + 1);
	struct hs_error err = HS_ERROR_INIT;
	struct hs_hook_state st = { 0 };
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();

	(void)state;
	assert_non_null(big);
	assert_non_null(a);
	memset(big, ' ', n);
	memcpy(big, "{\"pid\":42}", 10);
	big[n] = '\0';
	stdin_from(big, n);
	free(big);
	assert_true(hs_hook_read_state(a, &st, &err) < 0);
	assert_string_equal(err.rule, "json.size");
}

static void test_denies_checked(void **state)
{
	char ok1[] = "c 10:200 rwm", ok2[] = "c 5:1 rw", bad1[] = "c 1:3 rwm",
	     bad2[] = "c 10:200 rwx", bad3[] = "c 10:200 rwm ", bad4[] = "a *:* rwm";
	char *good[] = { ok1, ok2 }, *bads[] = { bad1, bad2, bad3, bad4 };

	(void)state;
	{
		struct hs_error err = HS_ERROR_INIT;

		assert_int_equal(hs_hook_check_denies(2, good, &err), 0);
		assert_true(hs_hook_check_denies(0, good, &err) < 0);
		assert_string_equal(err.rule, "hook.devices");
	}
	for (size_t i = 0; i < 4; i++) {
		struct hs_error err = HS_ERROR_INIT;
		char *two[] = { ok1, bads[i] };

		assert_true(hs_hook_check_denies(2, two, &err) < 0);
		assert_string_equal(err.rule, "hook.devices");
		assert_string_equal(err.path, bads[i]);
	}
}

/* The whole hook refuses (exit 1) before reading stdin when a rule is not one it writes, and
 * when the state names pid 1; what it says goes to stderr (here a file). */
static void test_hook_refuses(void **state)
{
	char verb[] = "devices", ok[] = "c 10:200 rwm", bad[] = "c 1:3 rwm";
	char *with_bad[] = { verb, ok, bad }, *with_ok[] = { verb, ok };
	char path[] = "/tmp/hs-test-hook-err-XXXXXX", said[512] = "";
	int saved = dup(STDERR_FILENO), fd = mkstemp(path);
	ssize_t n;

	(void)state;
	assert_true(saved >= 0 && fd >= 0);
	unlink(path);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	stdin_from("{\"pid\":42}", 10);
	assert_int_equal(hs_cmd_hook_devices(3, with_bad), 1);
	stdin_from("{\"id\":\"x\",\"pid\":1}", 18);
	assert_int_equal(hs_cmd_hook_devices(2, with_ok), 1);
	alarm(0); /* the hook's deadline: not this test's */
	fflush(stderr);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	n = pread(fd, said, sizeof(said) - 1, 0);
	close(fd);
	assert_true(n > 0);
	said[n] = '\0';
	assert_non_null(strstr(said, "hardshim: hook devices: refused: hook.devices: c 1:3 rwm: "
				     "not a runtime grant hardshim denies\n"));
	assert_non_null(strstr(said, "hardshim: hook devices: refused: hook.state: pid"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_strict),
		cmocka_unit_test(test_state_size_limit),
		cmocka_unit_test(test_denies_checked),
		cmocka_unit_test(test_hook_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
