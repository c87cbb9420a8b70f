/* SPDX-License-Identifier: Apache-2.0
 * `update`: the single-value flags against the maxima (plain decimal only, unlimited
 * refused, repeated or mixed flags refused), and --resources FILE|- through the strict core
 * into a sealed memfd the runtime is pointed at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-audit.h"
#include "hs-cli.h"
#include "harness.h"

#define CONTROLS                                                                              \
	"\"resources\":{\"pids_default\":100,\"pids_max\":1000,\"memory_default\":268435456," \
	"\"memory_max\":1073741824,\"cpu_shares_max\":2048,\"cpu_millicores_max\":2000}"

struct upd {
	struct hs_policy *policy;
	struct hs_argv a;
	struct hs_error err;
	char *argv[16];
	int argc;
};

/* For the next update(): exceptions in the policy, and the runtime that answers `state`. */
static const char *next_exceptions, *next_runtime;

static int update(struct upd *u, const char *mode, ...)
{
	char pol[512];
	va_list ap;
	const char *s;
	int r;

	memset(u, 0, sizeof(*u));
	u->err = (struct hs_error)HS_ERROR_INIT;
	snprintf(pol, sizeof(pol), "%s", CONTROLS);
	assert_int_equal(t_policy_load(pol, next_exceptions, &u->policy, &u->err), 0);
	if (next_runtime)
		u->policy->runtime = next_runtime;
	if (mode && !strcmp(mode, "audit"))
		u->policy->mode = HS_MODE_AUDIT;
	u->argv[u->argc++] = "hardshim";
	u->argv[u->argc++] = "update";
	va_start(ap, mode);
	while ((s = va_arg(ap, const char *)))
		u->argv[u->argc++] = (char *)s;
	va_end(ap);
	u->argv[u->argc++] = "ctr1";
	u->argv[u->argc] = NULL;
	r = hs_argv_parse(u->argc, u->argv, &u->a, &u->err);
	if (r < 0)
		return r;
	return hs_update_prepare(&u->a, u->policy, &u->err);
}

static void done(struct upd *u)
{
	/* A rewritten command line is a new array (the received one stays for the record);
	 * hardshim keeps it until execve, the test frees it. */
	if (u->a.argv != u->argv)
		free(u->a.argv);
	hs_policy_free(u->policy);
}

static void refused(const char *rule, const char *path, ...)
{
	struct upd u;
	va_list ap;
	const char *v[8] = { 0 };
	size_t n = 0;
	int r;

	va_start(ap, path);
	while (n < 7 && (v[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	r = update(&u, NULL, v[0], v[1], v[2], v[3], v[4], v[5], v[6], NULL);
	if (r != 1 || (!strstr(u.err.msg, rule) && strcmp(u.err.rule, rule)))
		fail_msg("%s %s: r=%d rule=%s path=%s msg=%s, want %s", v[0], v[1] ? v[1] : "", r,
			 u.err.rule, u.err.path, u.err.msg, rule);
	if (path && strcmp(u.err.path, path) && !strstr(u.err.msg, path))
		fail_msg("%s: path %s msg %s, want %s", v[0], u.err.path, u.err.msg, path);
	done(&u);
}

static void test_flags_unlimited_refused(void **state)
{
	refused("resources.pids-unlimited", "--pids-limit", "--pids-limit", "-1", NULL);
	refused("resources.pids-unlimited", "--pids-limit", "--pids-limit=-5", NULL);
	refused("resources.memory-unlimited", "--memory", "--memory", "-1", NULL);
	refused("resources.cpu-unlimited", "--cpu-quota", "--cpu-quota=-1", NULL);
}

static void test_flags_over_max_refused(void **state)
{
	refused("resources.pids-max", "--pids-limit", "--pids-limit", "1001", NULL);
	refused("resources.memory-max", "--memory", "--memory", "1073741825", NULL);
	refused("resources.cpu-shares-max", "--cpu-share", "--cpu-share", "4096", NULL);
	refused("resources.cpu-max", "--cpu-quota", "--cpu-quota", "300000", "--cpu-period",
		"100000", NULL);
	refused("resources.cpu-realtime", "--cpu-rt-runtime", "--cpu-rt-runtime", "1000", NULL);
}

static void test_flags_spelling_refused(void **state)
{
	static const char *const bad[] = { "010", "0x10", "1_0", "1g", "1e3",
					   "+5",  " 5",   "",    "-0", "99999999999999999999" };

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		char tok[64];

		snprintf(tok, sizeof(tok), "--pids-limit=%s", bad[i]);
		refused("update.bad-value", "--pids-limit", tok, NULL);
	}
	refused("update.bad-value", "--cpu-share", "--cpu-share", "-5", NULL);
	refused("update.repeated-option", "--pids-limit", "--pids-limit", "10", "--pids-limit",
		"-1", NULL);
}

static void test_flags_within_limits_pass(void **state)
{
	struct upd u;

	assert_int_equal(update(&u, NULL, "--pids-limit", "500", "--memory=536870912",
				"--cpu-share", "1024", "--cpu-quota", "150000", "--cpuset-cpus",
				"0", NULL),
			 0);
	done(&u);
	/* 0: "not set", the runtimes change nothing */
	assert_int_equal(update(&u, NULL, "--pids-limit=0", "--memory", "0", NULL), 0);
	done(&u);
	/* audit mode: reported, not refused */
	assert_int_equal(update(&u, "audit", "--pids-limit", "-1", NULL), 0);
	done(&u);
}

static char *write_tmp(const char *content)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/hs-test-update-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(hs_write_all(fd, content, strlen(content)), 0);
	close(fd);
	return path;
}

static char *read_all(const char *path)
{
	char *buf = NULL;
	size_t len;
	int fd =
	    open(path, O_RDONLY | O_CLOEXEC); /* as runc and crun open it: following the link */

	assert_true(fd >= 0);
	assert_int_equal(hs_read_fd(fd, 1 << 20, &buf, &len, NULL), 0);
	close(fd);
	return buf;
}

static void test_resources_file(void **state)
{
	struct upd u;
	char *file =
		 write_tmp("{ \"pids\": {\"limit\": 500}, \"memory\": {\"limit\": 536870912} }"),
	     *out;
	const char *v;

	assert_int_equal(update(&u, NULL, "--resources", file, NULL), 0);
	/* argv now names the sealed copy, which holds the canonical checked bytes */
	assert_string_equal(u.a.argv[2], "--resources");
	assert_int_equal(strncmp(u.a.argv[3], "/proc/self/fd/", 14), 0);
	/* the command line as received is kept as it came, for the launch record */
	assert_ptr_equal(u.a.received, u.argv);
	assert_string_equal(u.argv[3], file);
	v = hs_argv_value(&u.a, "resources");
	assert_string_equal(v, u.a.argv[3]);
	out = read_all(u.a.argv[3]);
	assert_string_equal(out, "{\"pids\":{\"limit\":500},\"memory\":{\"limit\":536870912}}");
	/* sealed: not even its holder can write it */
	{
		int fd = atoi(u.a.argv[3] + 14);

		assert_true(write(fd, "x", 1) < 0);
		close(fd);
	}
	free(out);
	done(&u);

	/* "=" form */
	assert_int_equal(update(&u, NULL,
				"--resources="
				"/dev/null",
				NULL),
			 1); /* not a regular file */
	assert_string_equal(u.err.rule, "update.resources");
	done(&u);
	unlink(file);
}

static void test_resources_file_refused(void **state)
{
	struct upd u;
	char *file = write_tmp("{\"pids\":{\"limit\":-1}}");

	assert_int_equal(update(&u, NULL, "-r", file, NULL), 1);
	assert_non_null(strstr(u.err.msg, "resources.pids-unlimited: pids.limit"));
	assert_string_equal(u.a.argv[3], file); /* untouched */
	done(&u);
	unlink(file);
	/* strict core: case-variant key, duplicate key, trailing data */
	static const char *const bad[] = { "{\"Pids\":{\"limit\":5}}",
					   "{\"pids\":{\"limit\":5,\"limit\":-1}}",
					   "{\"pids\":{\"limit\":5}} {\"pids\":{\"limit\":-1}}",
					   "{\"memory\":{\"limit\":1.0}}",
					   "{\"unified\":{\"pids.max\":\"max\"}}",
					   "{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}" };
	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		file = write_tmp(bad[i]);
		if (update(&u, NULL, "--resources", file, NULL) != 1)
			fail_msg("accepted %s", bad[i]);
		done(&u);
		unlink(file);
	}
}

static void test_resources_stdin(void **state)
{
	struct upd u;
	int p[2], saved = dup(STDIN_FILENO);
	char *out;
	const char *doc = "{\"pids\":{\"limit\":700}}";

	assert_int_equal(pipe(p), 0);
	assert_int_equal(hs_write_all(p[1], doc, strlen(doc)), 0);
	close(p[1]);
	dup2(p[0], STDIN_FILENO);
	close(p[0]);
	assert_int_equal(update(&u, NULL, "--resources=-", NULL), 0);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_int_equal(strncmp(u.a.argv[2], "--resources=/proc/self/fd/", 26), 0);
	out = read_all(u.a.argv[2] + 12);
	assert_string_equal(out, doc);
	free(out);
	done(&u);
}

static void test_resources_mixed_refused(void **state)
{
	refused("update.mixed-options", "--resources", "--resources", "-", "--pids-limit", "10",
		NULL);
}

static void test_exception_from_runtime_state(void **state)
{
	char rt[] = "/tmp/hs-test-fake-runtime-XXXXXX";
	int fd = mkstemp(rt);
	struct upd u;
	const char *script =
	    "#!/bin/sh\n"
	    "# fake runtime: `state ID` with the annotations the container was created with\n"
	    "[ \"$1\" = state ] && [ \"$2\" = ctr1 ] || exit 1\n"
	    "echo '{\"ociVersion\":\"1.0.2\",\"id\":\"ctr1\",\"status\":\"running\",\"pid\":1,"
	    "\"bundle\":\"/"
	    "x\",\"annotations\":{\"io.kubernetes.cri.sandbox-namespace\":\"ci\"}}'\n";

	assert_true(fd >= 0);
	assert_int_equal(hs_write_all(fd, script, strlen(script)), 0);
	close(fd);
	chmod(rt, 0755);
	next_exceptions = "{\"name\":\"builders\",\"match\":{\"annotations\":{\"io.kubernetes.cri."
			  "sandbox-namespace\":\"ci\"}},"
			  "\"controls\":{\"resources\":{\"pids_max\":4096}}}";
	next_runtime = rt;
	assert_int_equal(update(&u, NULL, "--pids-limit", "3000", NULL), 0);
	done(&u);
	assert_int_equal(update(&u, NULL, "--pids-limit", "5000", NULL), 1);
	assert_non_null(strstr(u.err.msg, "maximum 4096"));
	done(&u);
	/* a runtime that cannot tell (fails): the base policy */
	next_runtime = "/bin/false";
	assert_int_equal(update(&u, NULL, "--pids-limit", "3000", NULL), 1);
	assert_non_null(strstr(u.err.msg, "maximum 1000"));
	done(&u);
	/* a different namespace in the state: the base policy */
	next_runtime = rt;
	next_exceptions = "{\"name\":\"other\",\"match\":{\"annotations\":{\"io.kubernetes.cri."
			  "sandbox-namespace\":\"prod\"}},"
			  "\"controls\":{\"resources\":{\"pids_max\":4096}}}";
	assert_int_equal(update(&u, NULL, "--pids-limit", "3000", NULL), 1);
	done(&u);
	next_exceptions = next_runtime = NULL;
	unlink(rt);
}

/* The last launch record this process wrote (the harness's log). */
static char *last_record(void)
{
	char *buf = NULL, *nl, *start;
	size_t len;

	assert_int_equal(hs_read_file_at(AT_FDCWD, t_log_path(), 1 << 24, &buf, &len, NULL), 0);
	assert_true(len > 0 && buf[len - 1] == '\n');
	buf[len - 1] = '\0';
	nl = strrchr(buf, '\n');
	start = nl ? nl + 1 : buf;
	memmove(buf, start, strlen(start) + 1);
	return buf;
}

static void assert_has(const char *rec, const char *want)
{
	if (!strstr(rec, want))
		fail_msg("record lacks %s: %s", want, rec);
}

/* "sha256":{"document":"resources","original":"<hex of doc>","final":...} */
static void assert_hash(const char *rec, const char *key, const char *doc)
{
	uint8_t h[32];
	char hex[HS_SHA256_HEX_LEN + 1], want[128];

	assert_int_equal(hs_sha256(doc, strlen(doc), h, NULL), 0);
	hs_hex(h, sizeof(h), hex);
	snprintf(want, sizeof(want), "\"%s\":\"%s\"", key, hex);
	assert_has(rec, want);
}

/* Issue 15: update is judged by the one gate and writes its own full record (findings,
 * hashes, verdict) from flags and from --resources alike; before, it got a bare fallback
 * record that said "allowed" even after a rewrite. */
static void test_update_records_in_both_forms(void **state)
{
	struct upd u;
	char *rec, *file;
	const char *rewritten = "{\"memory\":{\"limit\":536870912,\"swap\":-1}}";

	/* flags, refused: the finding names the flag; the flags' document is hashed */
	assert_int_equal(update(&u, NULL, "--pids-limit", "-1", NULL), 1);
	done(&u);
	rec = last_record();
	assert_has(rec, "\"event\":\"update\",\"id\":\"ctr1\"");
	assert_has(rec, "\"verdict\":\"refused\"");
	assert_has(rec, "\"rule\":\"resources.pids-unlimited\",\"path\":\"--pids-limit\"");
	/* the command line as it came, refused too */
	assert_has(rec, "\"argv\":[\"update\",\"--pids-limit\",\"-1\",\"ctr1\"],");
	assert_true(strstr(rec, "\"runtime_argv\"") == NULL);
	assert_hash(rec, "original", "{\"pids\":{\"limit\":-1}}");
	assert_has(rec, "\"final\":null");
	free(rec);

	/* flags, allowed: what the runtime applies is what was hashed */
	assert_int_equal(update(&u, NULL, "--pids-limit", "500", NULL), 0);
	done(&u);
	rec = last_record();
	assert_has(rec, "\"verdict\":\"allowed\"");
	assert_hash(rec, "original", "{\"pids\":{\"limit\":500}}");
	assert_hash(rec, "final", "{\"pids\":{\"limit\":500}}");
	free(rec);

	/* --resources FILE, rewritten: the record says so, with both hashes */
	file = write_tmp(rewritten);
	assert_int_equal(update(&u, NULL, "--resources", file, NULL), 0);
	{
		char *out = read_all(u.a.argv[3]);

		char want[512];

		rec = last_record();
		assert_has(rec, "\"verdict\":\"rewritten\"");
		assert_has(rec, "\"action\":\"rewrite\"");
		/* as received, and as handed to the runtime (the sealed copy) */
		snprintf(want, sizeof(want),
			 "\"argv\":[\"update\",\"--resources\",\"%s\",\"ctr1\"],"
			 "\"runtime_argv\":[\"update\",\"--resources\",\"%s\",\"ctr1\"],",
			 file, u.a.argv[3]);
		assert_has(rec, want);
		assert_hash(rec, "original", rewritten);
		assert_hash(rec, "final", out);
		assert_true(strcmp(out, rewritten) != 0);
		free(out);
		free(rec);
	}
	done(&u);
	unlink(file);
}

/* The gate's hook entry (hook createRuntime/precreate use it): no command line, the record's
 * event is "hook", the checked bytes can go to stdout, and a commit step that fails (the
 * egress rules could not be loaded) stops it and is recorded with its reason. */
static int commit_fails(struct hs_gate *g, struct hs_error *err)
{
	return hs_error_set(err, -EIO, "egress.netns", "hook", -1, "cannot load the rules");
}

static enum hs_decision hook_gate(const char *doc, unsigned delivery,
				  int (*commit)(struct hs_gate *, struct hs_error *), char **out)
{
	struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;
	char path[] = "/tmp/hs-test-hook-out-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	enum hs_decision d;
	struct hs_gate g;

	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(t_policy_load(CONTROLS, NULL, &p, &err), 0);
	g = (struct hs_gate){
		.policy = p,
		.schema = &hs_oci_resources,
		.event = HS_EVENT_UPDATE,
		.hook = true,
		.source = { .kind = HS_SOURCE_BYTES,
			    .bytes = doc,
			    .len = strlen(doc),
			    .where = "stdin" },
		.delivery = delivery,
		.commit = commit,
	};
	fflush(stdout);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	d = hs_gate_run(&g, &err);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	close(fd);
	hs_gate_done(&g);
	*out = read_all(path);
	unlink(path);
	hs_policy_free(p);
	return d;
}

static void test_gate_hook_entry(void **state)
{
	const char *doc = "{\"memory\":{\"limit\":536870912,\"swap\":-1}}";
	char *out, *rec;

	assert_int_equal(hook_gate(doc, HS_DELIVER_STDOUT, NULL, &out), HS_DECISION_ALLOW);
	rec = last_record();
	assert_has(rec, "\"event\":\"hook\"");
	assert_has(rec, "\"verdict\":\"rewritten\"");
	assert_true(strlen(out) > 1 && out[strlen(out) - 1] == '\n');
	out[strlen(out) - 1] = '\0';
	assert_hash(rec, "final", out); /* stdout carries exactly the recorded final bytes */
	assert_true(strcmp(out, doc) != 0);
	free(out);
	free(rec);

	assert_int_equal(hook_gate(doc, HS_DELIVER_NONE, commit_fails, &out), HS_DECISION_ERROR);
	rec = last_record();
	assert_has(rec, "\"event\":\"hook\"");
	assert_has(rec, "\"verdict\":\"refused\"");
	assert_has(rec, "cannot load the rules");
	assert_string_equal(out, ""); /* nothing delivered */
	free(out);
	free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_unlimited_refused),
		cmocka_unit_test(test_update_records_in_both_forms),
		cmocka_unit_test(test_flags_over_max_refused),
		cmocka_unit_test(test_flags_spelling_refused),
		cmocka_unit_test(test_flags_within_limits_pass),
		cmocka_unit_test(test_resources_file),
		cmocka_unit_test(test_resources_file_refused),
		cmocka_unit_test(test_resources_stdin),
		cmocka_unit_test(test_resources_mixed_refused),
		cmocka_unit_test(test_exception_from_runtime_state),
		cmocka_unit_test(test_gate_hook_entry),
	};
	return cmocka_run_group_tests_name("update", tests, NULL, NULL);
}
