/* SPDX-License-Identifier: Apache-2.0
 * The runtime grammar: every shape containerd and Podman send (docs/runtime-differences.md,
 * "What the engines send"), and the refusals where runc and crun would read a command line
 * differently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hs-argv.h"

static int parse_words(const char *line, struct hs_argv *a, struct hs_error *err)
{
	static char buf[1024];
	static char *argv[64];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 63; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return hs_argv_parse(argc, argv, a, err);
}

static struct hs_argv ok(const char *line)
{
	struct hs_argv a;
	struct hs_error err = HS_ERROR_INIT;

	if (parse_words(line, &a, &err) < 0)
		fail_msg("%s: %s %s %s", line, err.rule, err.path, err.msg);
	return a;
}

static void refused(const char *line, const char *rule)
{
	struct hs_argv a;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(parse_words(line, &a, &err), -HS_EUSAGE);
	if (strcmp(err.rule, rule))
		fail_msg("%s: rule %s, expected %s", line, err.rule, rule);
}

static void test_containerd(void **state)
{
	struct hs_argv a =
	    ok("hs --root /run/containerd/runc/default --log /b/log.json --log-format json "
	       "create --bundle /b --pid-file /b/init.pid t1");

	assert_string_equal(a.cmd->name, "create");
	assert_string_equal(a.log, "/b/log.json");
	assert_string_equal(a.log_format, "json");
	assert_string_equal(hs_argv_value(&a, "bundle"), "/b");
	assert_string_equal(a.argv[a.first_positional], "t1");
	a = ok(
	    "hs --root /r --log /b/l --log-format json exec --process /tmp/runc-process1 --detach "
	    "--pid-file /b/e1.pid t2");
	assert_int_equal(a.cmd->kind, HS_CMD_EXEC);
	assert_string_equal(hs_argv_value(&a, "process"), "/tmp/runc-process1");
	a = ok("hs --root /r --log /b/l --log-format json kill --all t5 9");
	assert_int_equal(a.cmd->kind, HS_CMD_FAST);
	a = ok("hs --root /r restore -no-subreaper --bundle /b --image-path /i t");
	assert_int_equal(a.cmd->kind, HS_CMD_CREATE);
	assert_true(hs_argv_has(&a, "no-subreaper"));
	a = ok("hs --root /r update --resources=- t");
	assert_string_equal(hs_argv_value(&a, "resources"), "-");
	a = ok("hs features");
	assert_int_equal(a.cmd->kind, HS_CMD_FAST);
}

static void test_podman(void **state)
{
	struct hs_argv a =
	    ok("hs --log-format=json --log /u/oci-log create --bundle /u --pid-file /p ID");

	assert_string_equal(a.log_format, "json");
	a = ok("hs --debug create --bundle /u --pid-file /p --console-socket /tmp/s ID");
	assert_string_equal(a.cmd->name, "create");
	a = ok("hs --version");
	assert_null(a.cmd);
	a = ok("hs -v");
	assert_null(a.cmd);
	a = ok("hs exec --pid-file /p --process /u/exec-process-1 --detach ID");
	assert_string_equal(a.argv[a.first_positional], "ID");
}

static void test_forms(void **state)
{
	struct hs_argv a = ok("hs create -b /b1 x");

	assert_string_equal(hs_argv_value(&a, "bundle"), "/b1");
	a = ok("hs create --bundle=/b2 x");
	assert_string_equal(hs_argv_value(&a, "bundle"), "/b2");
	a = ok("hs create -bundle /b3 x"); /* Go's flag package reads -name like --name */
	assert_string_equal(hs_argv_value(&a, "bundle"), "/b3");
	a = ok("hs exec -u 0:0 --cap=CAP_SYS_ADMIN -c CAP_NET_RAW --user=1 id sh -e");
	assert_string_equal(hs_argv_value(&a, "user"), "1"); /* the last one counts */
	assert_string_equal(a.argv[a.first_positional], "id");
	assert_int_equal(a.n_positional, 3); /* id, then the command with its own -e */
	a = ok("hs delete create");          /* an id may equal a command name */
	assert_string_equal(a.cmd->name, "delete");
	a = ok("hs kill exec 9");
	assert_string_equal(a.cmd->name, "kill");
	a = ok("hs create --no-pivot=true x");
	assert_true(hs_argv_has(&a, "no-pivot"));
	a = ok("hs --log file:/x/l create x");
	assert_string_equal(a.log, "/x/l");
}

static void test_refusals(void **state)
{
	refused("hs --bogus create x", "cli.unknown-global-option");
	refused("hs create --bogus x", "cli.unknown-option");
	refused("hs exec --privileged x sh", "cli.unknown-option");
	refused("hs mounts add x", "cli.unknown-command");
	refused("hs create x --bundle /evil", "cli.option-after-id");
	refused("hs create a b", "cli.arguments");
	refused("hs create --bundle", "cli.missing-value");
	refused("hs create --no-pivot=yes x", "cli.bad-value");
	refused("hs exec", "cli.arguments");
	/* argp keeps what follows -x (the '=' included) as the value; Go drops it */
	refused("hs create -b=/b x", "cli.ambiguous-option");
	refused("hs create -bundle=/b x", "cli.ambiguous-option");
	refused("hs restore -b=/b x", "cli.ambiguous-option");
	refused("hs --root=/r -log=/l create x", "cli.ambiguous-option");
	/* crun's "disabled" makes no cgroup: no limits, no device rules */
	refused("hs --cgroup-manager disabled create x", "cli.cgroup-manager");
	refused("hs --cgroup-manager=bogus create x", "cli.cgroup-manager");
}

/* The cgroup driver decides what a ':' in cgroupsPath means; the last option given counts. */
static void test_cgroup_driver(void **state)
{
	assert_false(ok("hs create x").systemd_cgroup);
	assert_true(ok("hs --systemd-cgroup create x").systemd_cgroup);
	assert_false(ok("hs --systemd-cgroup=false create x").systemd_cgroup);
	assert_true(ok("hs --cgroup-manager systemd create x").systemd_cgroup);
	assert_false(ok("hs --systemd-cgroup --cgroup-manager=cgroupfs create x").systemd_cgroup);
	assert_true(ok("hs --cgroup-manager=cgroupfs --systemd-cgroup create x").systemd_cgroup);
}

/* --preserve-fds N: fds 3..3+N-1 must be open in hardshim, or the runtime's own fill in
 * (runc 1.1.5 handed the container a host /sys/fs/cgroup dirfd: ".." reached the host's /). */
static void test_preserve_fds(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_argv a;
	int hi = 200, keep[8];

	/* make 3..10 free, remembering what was there */
	for (int fd = 3; fd < 11; fd++) {
		keep[fd - 3] = fcntl(fd, F_GETFD) >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, hi++) : -1;
		close(fd);
	}
	a = ok("runc create --preserve-fds 2 --bundle /b c1");
	assert_int_equal(hs_argv_check_preserve_fds(&a, &err), -HS_EUSAGE);
	assert_string_equal(err.rule, "cli.preserve-fds");
	assert_int_equal(dup2(0, 3), 3);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_int_equal(hs_argv_check_preserve_fds(&a, &err), -HS_EUSAGE); /* 4 still missing */
	assert_int_equal(dup2(0, 4), 4);
	assert_int_equal(hs_argv_check_preserve_fds(&a, &err), 0);
	a = ok("runc exec --preserve-fds=0 c1 id");
	assert_int_equal(hs_argv_check_preserve_fds(&a, &err), 0);
	a = ok("runc exec --preserve-fds x c1 id");
	assert_int_equal(hs_argv_check_preserve_fds(&a, &err), -HS_EUSAGE);
	a = ok("runc exec --preserve-fds -1 c1 id");
	assert_int_equal(hs_argv_check_preserve_fds(&a, &err), -HS_EUSAGE);
	a = ok("runc run --bundle /b c1");
	assert_int_equal(hs_argv_check_preserve_fds(&a, &err), 0);
	for (int fd = 3; fd < 11; fd++) {
		close(fd);
		if (keep[fd - 3] >= 0) {
			dup2(keep[fd - 3], fd);
			close(keep[fd - 3]);
		}
	}
}

/* A refused command line still leaves *ret set (the caller reports the error through it):
 * what was read before the refusal, the global --log among it, and nothing else. */
static void test_refusal_leaves_globals(void **state)
{
	static const char *const lines[] = {
		"runc --log /run/x/log.json --log-format json bogus id",
		"runc --log /run/x/log.json --log-format json create --bundle=/b --no-such id",
		"runc --log /run/x/log.json --log-format json create --bundle /b id --pid-file p",
	};
	struct hs_argv a;
	struct hs_error err = HS_ERROR_INIT;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		memset(&a, 0xa5, sizeof(a)); /* what an uninitialised local may hold */
		assert_true(parse_words(lines[i], &a, &err) < 0);
		assert_string_equal(a.log, "/run/x/log.json");
		assert_true(a.log_is_file);
		assert_string_equal(a.log_format, "json");
	}
	memset(&a, 0xa5, sizeof(a));
	assert_true(parse_words("runc --no-such-global create id", &a, &err) < 0);
	assert_null(a.log);
	assert_false(a.log_is_file);
	assert_null(a.cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containerd),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_cgroup_driver),
		cmocka_unit_test(test_preserve_fds),
		cmocka_unit_test(test_refusal_leaves_globals),
	};
	return cmocka_run_group_tests_name("argv", tests, NULL, NULL);
}
