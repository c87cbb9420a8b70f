/* SPDX-License-Identifier: Apache-2.0
 * hs_give_back (src/cli/restorer.c), the one way a directory create held (root's, 0711) is
 * given back to its owner: by create's release, by the failed hold of a bind source's
 * directory, and by the restorer after hardshim died. The owner, the group and the whole mode
 * (set-id bits too) come back as they were; a descriptor that is not open changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs-cli.h"

static char dir[] = "/tmp/hs-test-give-back-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

static void test_given_back_as_it_was(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* held as create holds it */
	assert_int_equal(fchown(fd, 0, 0), 0);
	assert_int_equal(fchmod(fd, 0711), 0);

	hs_give_back(fd, 100123, 100124, 02750);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_uid, 100123);
	assert_int_equal(st.st_gid, 100124);
	assert_int_equal(st.st_mode & 07777, 02750);

	/* not open: nothing happens, nothing fails */
	hs_give_back(-1, 0, 0, 0700);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_uid, 100123);
	assert_int_equal(st.st_mode & 07777, 02750);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_given_back_as_it_was),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
