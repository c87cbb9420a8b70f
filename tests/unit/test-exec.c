/* SPDX-License-Identifier: Apache-2.0
 * exec: the --process file checked and rewritten beside itself or refused; flags next to
 * --process refused; a flag-only exec folded (the container's config process + flags) into
 * a sealed memfd handed to the runtime as --process. The "runtime" here is a script that
 * answers `state` with a bundle of the test's making; nothing is started. */
#include <fcntl.h>
#include <sys/stat.h>

#include "hs-cli.h"
#include "harness.h"

static char dir[] = "/tmp/hs-test-exec-XXXXXX";
static char path_buf[512];

static const char *in_dir(const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
	return path_buf;
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(in_dir(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(in_dir(name), mode);
}

static char *read_text(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static int setup(void **state)
{
	char script[1024];

	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0755);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n[ \"$1\" = state ] && [ \"$2\" = c1 ] || exit 1\n"
		 "echo '{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"running\",\"pid\":1,"
		 "\"bundle\":\"%s/bundle\"}'\n",
		 dir);
	write_file("runtime", script, 0755);
	mkdir(in_dir("bundle"), 0755);
	/* the container's config, as hardshim left it at create */
	write_file(
	    "bundle/config.json",
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	    "\"process\":{\"args\":[\"sleep\",\"1000\"],\"cwd\":\"/work\",\"env\":[\"PATH=/bin\"],"
	    "\"user\":{\"uid\":1000,\"gid\":1000},\"noNewPrivileges\":true,\"capabilities\":{"
	    "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	    "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]}}}",
	    0644);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct exec_case {
	struct hs_t h;
	struct hs_argv a;
	char *argv[32];
	int rc;
};

/* Run hs_exec_prepare over a command line ("exec ... c1 ..."), with the user, capabilities and
 * process controls on, the runtime script, the audit log in the test's dir. */
static void run_exec(struct exec_case *c, const char *mode, ...)
{
	char top[1024];
	va_list ap;
	int n = 0;

	memset(c, 0, sizeof(*c));
	snprintf(top, sizeof(top),
		 "\"mode\":\"%s\",\"log\":{\"path\":\"%s/log.jsonl\",\"syslog\":false,"
		 "\"kernel_audit\":false}",
		 mode, dir);
	if (t_pipeline_policy(&c->h, "user,capabilities,process", NULL, top) < 0)
		fail_msg("policy: %s: %s", c->h.err.rule, c->h.err.msg);
	/* the runtime is our script */
	((struct hs_policy *)c->h.policy)->runtime =
	    hs_arena_strdup(c->h.policy->arena, in_dir("runtime"));
	c->argv[n++] = "hardshim";
	va_start(ap, mode);
	for (const char *s; (s = va_arg(ap, const char *));)
		c->argv[n++] = (char *)s;
	va_end(ap);
	c->argv[n] = NULL;
	c->h.err = (struct hs_error)HS_ERROR_INIT;
	assert_int_equal(hs_argv_parse(n, c->argv, &c->a, &c->h.err), 0);
	c->rc = hs_exec_prepare(&c->a, c->h.policy, &c->h.err);
}

static void done(struct exec_case *c)
{
	hs_policy_free(c->h.policy);
}

static const char *argv_value_after(struct exec_case *c, const char *tok)
{
	for (int i = 0; i + 1 < c->a.argc; i++)
		if (!strcmp(c->a.argv[i], tok))
			return c->a.argv[i + 1];
	return NULL;
}

static void test_process_file_rewritten(void **state)
{
	struct exec_case c;
	char *p = strdup(in_dir("p1.json"));

	write_file("p1.json",
		   "{\"args\":[\"id\"],\"cwd\":\"/"
		   "\",\"user\":{\"uid\":0,\"gid\":0},\"noNewPrivileges\":false,"
		   "\"capabilities\":{\"inheritable\":[\"CAP_SYS_ADMIN\"],\"bounding\":[\"CAP_SYS_"
		   "ADMIN\"]}}",
		   0600);
	run_exec(&c, "enforce", "exec", "--process", p, "-d", "c1", NULL);
	assert_int_equal(c.rc, 0);
	/* root becomes the container's own user (1000:1000 in its config), as create chose */
	assert_string_equal(read_text(p),
			    "{\"args\":[\"id\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000},"
			    "\"noNewPrivileges\":true,\"capabilities\":{\"inheritable\":[],"
			    "\"bounding\":[]}}");
	/* argv untouched: the runtime reads the rewritten file */
	assert_int_equal(c.a.argc, 6);
	done(&c);
	free(p);
}

static void test_process_file_refused(void **state)
{
	struct exec_case c;
	char *p = strdup(in_dir("p2.json"));
	const char *hostile =
	    "{\"args\":[\"id\"],\"cwd\":\"/proc/self/fd/7\",\"user\":{\"uid\":1000,\"gid\":1000}}";

	write_file("p2.json", hostile, 0600);
	run_exec(&c, "enforce", "exec", "-p", p, "c1", NULL);
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.h.err.msg, "process.cwd: cwd:"));
	assert_string_equal(read_text(p), hostile); /* not rewritten */
	done(&c);

	/* audit mode: reported, nothing changed, let through */
	run_exec(&c, "audit", "exec", "-p", p, "c1", NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(read_text(p), hostile);
	done(&c);

	/* a document the strict core refuses */
	write_file("p3.json", "{\"args\":[\"id\"],\"cwd\":\"/\",\"Cwd\":\"/proc/self/fd/7\"}",
		   0600);
	run_exec(&c, "enforce", "exec",
		 "--process="
		 "/dev/null",
		 "c1", NULL);
	assert_int_equal(c.rc, 1); /* /dev/null: not a regular file */
	assert_string_equal(c.h.err.rule, "exec.process-type");
	done(&c);
	free(p);
	p = strdup(in_dir("p3.json"));
	run_exec(&c, "enforce", "exec", "--process", p, "c1", NULL);
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.h.err.msg, "json.case-variant-key"));
	done(&c);

	/* a file others can write could change after the check */
	chmod(p, 0666);
	run_exec(&c, "enforce", "exec", "--process", p, "c1", NULL);
	assert_int_equal(c.rc, 1);
	assert_string_equal(c.h.err.rule, "exec.process-permissions");
	done(&c);
	free(p);
}

static void test_flags_next_to_process_refused(void **state)
{
	static const char *const flags[] = { "-u",    "--user",     "-c",
					     "--cap", "--cwd",      "-g",
					     "-e",    "--apparmor", "--process-label" };
	struct exec_case c;
	char *p = strdup(in_dir("p4.json"));

	write_file("p4.json", "{\"args\":[\"id\"],\"cwd\":\"/\",\"user\":{\"uid\":1,\"gid\":1}}",
		   0600);
	for (size_t i = 0; i < HS_ARRAY_SIZE(flags); i++) {
		run_exec(&c, "enforce", "exec", "--process", p, flags[i], "1", "c1", NULL);
		assert_int_equal(c.rc, 1);
		assert_string_equal(c.h.err.rule, "exec.flag-with-process");
		assert_string_equal(c.h.err.path, flags[i]);
		done(&c);
	}
	run_exec(&c, "enforce", "exec", "--process", p, "--no-new-privs=false", "c1", NULL);
	assert_string_equal(c.h.err.rule, "exec.flag-with-process");
	done(&c);
	free(p);
}

static void test_fold_hostile_flags(void **state)
{
	struct exec_case c;
	const char *fdpath, *doc;

	run_exec(&c, "enforce", "exec", "-u", "0:0", "--cap", "CAP_SYS_ADMIN",
		 "-c=CAP_NET_BIND_SERVICE", "-g", "0", "--no-new-privs=false", "--env=A=1", "-t",
		 "--pid-file", "/run/x.pid", "--detach", "c1", "sh", "-c", "id", NULL);
	assert_int_equal(c.rc, 0);
	/* folded flags and the command gone; the others kept, in order */
	assert_int_equal(c.a.argc, 8);
	assert_string_equal(c.a.argv[1], "exec");
	assert_string_equal(c.a.argv[2], "--pid-file");
	assert_string_equal(c.a.argv[3], "/run/x.pid");
	assert_string_equal(c.a.argv[4], "--detach");
	assert_string_equal(c.a.argv[5], "--process");
	assert_string_equal(c.a.argv[7], "c1");
	fdpath = argv_value_after(&c, "--process");
	assert_non_null(fdpath);
	assert_int_equal(strncmp(fdpath, "/proc/self/fd/", 14), 0);
	doc = read_text(fdpath);
	assert_string_equal(
	    doc,
	    "{\"args\":[\"sh\",\"-c\",\"id\"],\"cwd\":\"/work\",\"env\":[\"PATH=/bin\",\"A=1\"],"
	    "\"user\":{\"uid\":1000,\"gid\":1000,\"additionalGids\":[]},\"noNewPrivileges\":true,"
	    "\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\",\"CAP_NET_BIND_SERVICE\"],"
	    "\"effective\":[\"CAP_NET_BIND_SERVICE\",\"CAP_NET_BIND_SERVICE\"],"
	    "\"permitted\":[\"CAP_NET_BIND_SERVICE\",\"CAP_NET_BIND_SERVICE\"],"
	    /* uid 1000 holds the granted capability only through ambient (capabilities.c) */
	    "\"inheritable\":[\"CAP_NET_BIND_SERVICE\"],\"ambient\":[\"CAP_NET_BIND_SERVICE\"]},"
	    "\"terminal\":true}");
	/* sealed: cannot be changed after the check */
	{
		int fd = atoi(fdpath + 14);

		assert_true(write(fd, "x", 1) < 0);
		assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0); /* reaches the runtime */
		close(fd);
	}
	/* The rebuilt argv lives until execve in hardshim; here it is freed: the two
	 * canonical flags, the --process path and the vector. */
	free(c.a.argv[2]);
	free(c.a.argv[4]);
	free(c.a.argv[6]);
	free(c.a.argv);
	done(&c);
}

static void test_fold_refusals(void **state)
{
	struct exec_case c;

	run_exec(&c, "enforce", "exec", "--cwd", "/proc/self/fd/7", "c1", "id", NULL);
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.h.err.msg, "process.cwd"));
	assert_non_null(strstr(c.h.err.msg, "(from --cwd)"));
	done(&c);

	run_exec(&c, "enforce", "exec", "--cap=CAP_BOGUS", "c1", "id", NULL);
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.h.err.msg, "capabilities.unknown"));
	assert_non_null(strstr(c.h.err.msg, "(from --cap)"));
	done(&c);

	/* runc reads 4294967296 as uid 0 (uint32 wrap), -1 as 4294967295: refused */
	run_exec(&c, "enforce", "exec", "-u", "4294967296", "c1", "id", NULL);
	assert_int_equal(c.rc, 1);
	assert_string_equal(c.h.err.rule, "exec.bad-value");
	done(&c);
	run_exec(&c, "enforce", "exec", "--user=+0", "c1", "id", NULL);
	assert_string_equal(c.h.err.rule, "exec.bad-value");
	done(&c);
	run_exec(&c, "enforce", "exec", "-g", "-1", "c1", "id", NULL);
	assert_string_equal(c.h.err.rule, "exec.bad-value");
	done(&c);

	/* no such container: the runtime's state fails */
	run_exec(&c, "enforce", "exec", "c2", "id", NULL);
	assert_int_equal(c.rc, 1);
	assert_string_equal(c.h.err.rule, "exec.container");
	done(&c);

	/* no command */
	run_exec(&c, "enforce", "exec", "c1", NULL);
	assert_int_equal(c.rc, 1);
	done(&c);
}

static void test_fold_audit_mode_leaves_argv(void **state)
{
	struct exec_case c;

	run_exec(&c, "audit", "exec", "-u", "0", "c1", "id", NULL);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.a.argc, 6);
	assert_string_equal(c.a.argv[2], "-u");
	assert_null(argv_value_after(&c, "--process"));
	done(&c);

	/* what cannot be folded (no such container, a bad id) is recorded, not refused */
	run_exec(&c, "audit", "exec", "-u", "-1", "c2", "id", NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(c.a.argv[2], "-u");
	done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_file_rewritten),
		cmocka_unit_test(test_process_file_refused),
		cmocka_unit_test(test_flags_next_to_process_refused),
		cmocka_unit_test(test_fold_hostile_flags),
		cmocka_unit_test(test_fold_refusals),
		cmocka_unit_test(test_fold_audit_mode_leaves_argv),
	};
	return cmocka_run_group_tests_name("exec", tests, setup, teardown);
}
