/* SPDX-License-Identifier: Apache-2.0
 * The audit room: string escaping, identity from an invented /proc, the record's exact bytes,
 * the chain and every way `log verify` must catch tampering, the durable append (rotation,
 * the head file, roll-back, concurrent writers), the kernel audit message's encoding and the
 * policy's "log" section. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hs-audit.h"

/* ---- helpers ---- */

static char *json_str(const char *s, size_t max)
{
	struct hs_abuf b = { 0 };

	hs_abuf_json_string(&b, s, max);
	assert_false(b.oom);
	return b.buf;
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/hs-test-audit-XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void rm_rf(const char *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static char *read_all(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t l = 0;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(hs_read_fd(fd, 1 << 26, &buf, &l, NULL), 0);
	if (len)
		*len = l;
	return buf;
}

/* ---- escaping ---- */

static void test_escape(void **state)
{
	char *s;

	s = json_str("plain", 100);
	assert_string_equal(s, "\"plain\"");
	free(s);
	s = json_str("a\"b\\c\nd\te\x01\x7f", 100);
	assert_string_equal(s, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\"");
	free(s);
	/* invalid UTF-8: a lone continuation byte, an overlong '/', a surrogate, past U+10FFFF */
	s = json_str("x\x80y\xc0\xafz\xed\xa0\x80w\xf4\x90\x80\x80", 100);
	assert_string_equal(s, "\"x\\ufffdy\\ufffd\\ufffdz\\ufffd\\ufffd\\ufffdw\\ufffd\\ufffd\\uff"
			       "fd\\ufffd\"");
	free(s);
	s = json_str("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x90\xb3", 100);
	assert_string_equal(s, "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x90\xb3\"");
	free(s);
	/* cut at a character boundary, marked */
	s = json_str("\xc3\xa9\xc3\xa9\xc3\xa9", 3);
	assert_string_equal(s, "\"\xc3\xa9\xc3\xa9...[truncated]\"");
	free(s);
	s = json_str(NULL, 10);
	assert_string_equal(s, "null");
	free(s);
}

/* ---- identity ---- */

static void test_parse_id(void **state)
{
	uint32_t v = 7;

	assert_false(hs_audit_parse_id("4294967295", &v));
	assert_false(hs_audit_parse_id("4294967295\n", &v));
	assert_false(hs_audit_parse_id("-1", &v));
	assert_false(hs_audit_parse_id("", &v));
	assert_false(hs_audit_parse_id("12x", &v));
	assert_int_equal(v, 7);
	assert_true(hs_audit_parse_id("0", &v));
	assert_int_equal(v, 0);
	assert_true(hs_audit_parse_id("1000\n", &v));
	assert_int_equal(v, 1000);
}

/* An invented /proc: this process's parent is "bash" (pid P), its parent a comm with a
 * parenthesis and spaces, then conmon (the engine: the walk stops there) then init. */
static void test_who_fake_proc(void **state)
{
	_cleanup_free_ char *d = tmpdir();
	char path[512], content[256];
	struct hs_audit_who w;
	int ppid = (int)getppid();

	snprintf(path, sizeof(path), "%s/self", d);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/self/loginuid", d);
	write_file(path, "1000");
	snprintf(path, sizeof(path), "%s/self/sessionid", d);
	write_file(path, "4294967295");
	snprintf(path, sizeof(path), "%s/%d", d, ppid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/stat", d, ppid);
	write_file(path, "X (bash) S 4242 1 1 0");
	snprintf(path, sizeof(path), "%s/%d/status", d, ppid);
	write_file(path, "Name:\tbash\nUid:\t1000\t1000\t1000\t1000\n");
	snprintf(path, sizeof(path), "%s/4242", d);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/4242/stat", d);
	write_file(path, "4242 (we) ird) S 4343 1 1 0");
	snprintf(path, sizeof(path), "%s/4343", d);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/4343/stat", d);
	write_file(path, "4343 (conmon) S 1 1 1 0");
	snprintf(path, sizeof(path), "%s/4343/status", d);
	write_file(path, "Name:\tconmon\nUid:\t0\t0\t0\t0\n");
	snprintf(path, sizeof(path), "%s/1", d);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/1/stat", d);
	write_file(path, "1 (init) S 0 1 1 0");

	setenv("SUDO_UID", "1000", 1);
	setenv("SUDO_USER", "alice", 1);
	hs_audit_who_get(&w, d);
	unsetenv("SUDO_UID");
	unsetenv("SUDO_USER");
	assert_int_equal(w.uid, getuid());
	assert_true(w.loginuid_set);
	assert_int_equal(w.loginuid, 1000);
	assert_false(w.sessionid_set); /* (uint32_t)-1 is unset, not a session */
	assert_int_equal(w.n_parents, 3);
	assert_int_equal(w.parents[0].pid, ppid);
	assert_string_equal(w.parents[0].comm, "bash");
	assert_int_equal(w.parents[0].uid, 1000);
	assert_string_equal(w.parents[1].comm, "we) ird");
	assert_int_equal(w.parents[1].uid, (uid_t)-1); /* no status file */
	assert_string_equal(w.parents[2].comm, "conmon");
	assert_string_equal(w.sudo_uid, "1000");
	assert_string_equal(w.sudo_user, "alice");
	(void)content;
	rm_rf(d);
}

static void test_who_real(void **state)
{
	struct hs_audit_who w;

	hs_audit_who_get(&w, "/proc");
	assert_int_equal(w.uid, getuid());
	assert_true(w.n_parents >= 1);
	assert_int_equal(w.parents[0].pid, getppid());
	if (getuid() == 0)
		assert_string_equal(w.user, "root");
}

/* The caller's name from a passwd file alone (who.c hs_audit_user_name): the first line with
 * the uid; nothing for a uid the file lacks, a name that does not fit, a line too long or
 * holding a NUL (skipped whole, never read in pieces), a path that is not a regular file. */
static void test_user_name_passwd_file(void **state)
{
	_cleanup_free_ char *d = tmpdir();
	static const uid_t unnamed[] = { 5, 7, 12, 8, 9, 77, 1001, 1002, 65534 };
	char path[512], name[16], big[3000];
	FILE *f;

	snprintf(path, sizeof(path), "%s/passwd", d);
	f = fopen(path, "w");
	assert_non_null(f);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fputs("root:x:0:0:root:/root:/bin/bash\n"
	      "+nis:x:7:7::/:/bin/sh\n"
	      "bad:x:12a:1::/:/bin/sh\n"
	      "neg:x:-5:1::/:/bin/sh\n"
	      ":x:8:8::/:/bin/sh\n",
	      f);
	/* a line longer than the reader's buffer whose tail would read as a line for uid 77 */
	fprintf(f, "long:x:9:9:%s:x:77:77::/:/bin/sh\n", big);
	/* the first line for 1000 wins; 1001's name does not fit name[16]: no name, not the next
	 * line's */
	fputs("alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
	      "alice2:x:1000:1000::/:/bin/sh\n"
	      "averyveryverylongname:x:1001:1001::/:/bin/sh\n"
	      "after:x:1001:1001::/:/bin/sh\n",
	      f);
	fputs("nul", f);
	fputc('\0', f);
	fputs(":x:1002:1002::/:/bin/sh\n", f);
	fputs("last:x:4242:1::/:/bin/sh", f); /* no newline at the end */
	assert_int_equal(fclose(f), 0);

	assert_true(hs_audit_user_name(path, 0, name, sizeof(name)));
	assert_string_equal(name, "root");
	assert_true(hs_audit_user_name(path, 1000, name, sizeof(name)));
	assert_string_equal(name, "alice");
	assert_true(hs_audit_user_name(path, 4242, name, sizeof(name)));
	assert_string_equal(name, "last");
	for (size_t i = 0; i < sizeof(unnamed) / sizeof(unnamed[0]); i++) {
		strcpy(name, "junk");
		assert_false(hs_audit_user_name(path, unnamed[i], name, sizeof(name)));
		assert_string_equal(name, "");
	}
	assert_false(hs_audit_user_name(d, 0, name, sizeof(name))); /* a directory */
	assert_false(hs_audit_user_name("/dev/null", 0, name, sizeof(name)));
	snprintf(path, sizeof(path), "%s/none", d);
	assert_false(hs_audit_user_name(path, 0, name, sizeof(name)));
	rm_rf(d);
}

/* The record's name is /etc/passwd's (no NSS module is asked): the same answer as the file. */
static void test_user_name_etc_passwd(void **state)
{
	struct hs_audit_who w;
	char name[64];
	bool named = hs_audit_user_name("/etc/passwd", getuid(), name, sizeof(name));

	hs_audit_who_get(&w, "/proc");
	assert_string_equal(w.user, named ? name : "");
	if (getuid() == 0)
		assert_string_equal(w.user, "root");
}

/* The real /proc is read through a pidfd (ppid and real uid from PIDFD_GET_INFO, comm from
 * /proc/<pid>/comm) where the kernel has it; any other procfs path through the stat and status
 * files. "/proc/" is the same directory by the second way: both must see the same ancestors. */
static void test_who_pidfd_as_files(void **state)
{
	struct hs_audit_who fast, files;

	hs_audit_who_get(&fast, "/proc");
	hs_audit_who_get(&files, "/proc/");
	assert_true(fast.n_parents >= 1);
	assert_int_equal(fast.n_parents, files.n_parents);
	for (size_t i = 0; i < fast.n_parents; i++) {
		assert_int_equal(fast.parents[i].pid, files.parents[i].pid);
		assert_string_equal(fast.parents[i].comm, files.parents[i].comm);
		assert_int_equal(fast.parents[i].uid, files.parents[i].uid);
		assert_int_not_equal(fast.parents[i].uid, (uid_t)-1);
	}
}

/* ---- the record ---- */

static struct hs_report *report_with(void)
{
	struct hs_report *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->items = calloc(2, sizeof(*r->items));
	r->items[0] = (struct hs_finding){ .rule = "user.root",
					   .path = "process.user.uid",
					   .action = HS_ACTION_REWRITE,
					   .message = "uid 0 -> 65534" };
	r->items[1] = (struct hs_finding){ .rule = "mounts.source",
					   .path = "mounts[3].source",
					   .action = HS_ACTION_WARN,
					   .message = "odd \"mount\"",
					   .exception = "ci" };
	r->len = r->cap = 2;
	return r;
}

static const struct hs_audit_who fixed_who = {
	.uid = 1000,
	.euid = 0,
	.gid = 1000,
	.user = "alice",
	.loginuid_set = true,
	.loginuid = 1000,
	.sessionid_set = false,
	.parents = { { .pid = 77, .uid = 0, .comm = "sudo" },
		     { .pid = 66, .uid = 1000, .comm = "bash" } },
	.n_parents = 2,
	.sudo_uid = "1000",
	.sudo_user = NULL,
};

static void test_format_body_exact(void **state)
{
	struct hs_report *rep = report_with();
	struct hs_launch l = {
		.event = HS_EVENT_CREATE,
		.container_id = "c1",
		.bundle = "/b",
		.report = rep,
	};
	struct hs_audit_facts f = {
		.time = "2026-01-02T03:04:05.000000006Z",
		.host = "h",
		.runtime = "/usr/bin/runc",
		.mode = HS_MODE_ENFORCE,
		.pid = 42,
		.who = &fixed_who,
		.original_sha256 = "aa",
		.final_sha256 = "bb",
	};
	struct hs_abuf b = { 0 };
	enum hs_verdict v = hs_audit_verdict(&l, f.mode);
	char want[2048];

	assert_int_equal(v, HS_VERDICT_REWRITTEN);
	assert_int_equal(hs_audit_format_body(&l, &f, v, &b), 0);
	/* the version of this very build, which every record names */
	snprintf(
	    want, sizeof(want),
	    "\"time\":\"2026-01-02T03:04:05.000000006Z\",\"host\":\"h\",\"hardshim\":\"%s\","
	    "\"event\":\"create\","
	    "\"id\":\"c1\",\"bundle\":\"/b\",\"runtime\":\"/usr/bin/runc\",\"mode\":\"enforce\","
	    "\"verdict\":\"rewritten\",\"findings\":["
	    "{\"rule\":\"user.root\",\"path\":\"process.user.uid\",\"action\":\"rewrite\","
	    "\"message\":\"uid 0 -> 65534\"},"
	    "{\"rule\":\"mounts.source\",\"path\":\"mounts[3].source\",\"action\":\"warn\","
	    "\"exception\":\"ci\",\"message\":\"odd \\\"mount\\\"\"}],"
	    "\"sha256\":{\"document\":\"config\",\"original\":\"aa\",\"final\":\"bb\"},"
	    "\"pid\":42,\"who\":{\"uid\":1000,\"euid\":0,\"gid\":1000,\"user\":\"alice\","
	    "\"loginuid\":1000,\"sessionid\":null,\"parents\":["
	    "{\"pid\":77,\"comm\":\"sudo\",\"uid\":0},{\"pid\":66,\"comm\":\"bash\",\"uid\":1000}]}"
	    ","
	    "\"claims\":{\"sudo_uid\":\"1000\",\"sudo_user\":null,\"annotations\":{}}",
	    hs_version());
	assert_string_equal(b.buf, want);
	assert_true(strlen(hs_version()) > 0);
	hs_abuf_free(&b);

	/* audit mode: a rewrite finding changes nothing, so the verdict is allowed */
	assert_int_equal(hs_audit_verdict(&l, HS_MODE_AUDIT), HS_VERDICT_ALLOWED);
	rep->refused = true;
	assert_int_equal(hs_audit_verdict(&l, HS_MODE_ENFORCE), HS_VERDICT_REFUSED);
	assert_int_equal(hs_audit_verdict(&l, HS_MODE_AUDIT), HS_VERDICT_ALLOWED);
	l.verdict = HS_VERDICT_ALLOWED;
	assert_int_equal(hs_audit_verdict(&l, HS_MODE_ENFORCE), HS_VERDICT_ALLOWED);
	free(rep->items);
	free(rep);
}

/* Issue 14 cause 6: the record names the limits hardshim set to the policy's default (memory
 * and pids rewritten, in that order, whatever the findings' order), none when a limit was only
 * refused or the mode only observed. */
static void test_format_defaulted(void **state)
{
	struct hs_finding items[] = {
		{ .rule = "resources.pids-unlimited",
		  .path = "linux.resources.pids.limit",
		  .action = HS_ACTION_REWRITE,
		  .message = "m" },
		{ .rule = "resources.memory-unlimited",
		  .path = "linux.resources.memory.limit",
		  .action = HS_ACTION_REWRITE,
		  .message = "m" },
		{ .rule = "resources.cpu-unlimited",
		  .path = "linux.resources.cpu.quota",
		  .action = HS_ACTION_REFUSE,
		  .message = "m" },
	};
	struct hs_report rep = { .items = items, .len = 3, .cap = 3 };
	struct hs_launch l = { .event = HS_EVENT_CREATE, .container_id = "c1", .report = &rep };
	struct hs_audit_facts f = { .time = "t", .host = "h", .runtime = "/usr/bin/runc" };
	struct hs_abuf b = { 0 };

	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_REWRITTEN, &b), 0);
	assert_non_null(strstr(b.buf, "],\"defaulted\":[\"memory\",\"pids\"],\"sha256\":"));
	hs_abuf_free(&b);
	memset(&b, 0, sizeof(b));
	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_ALLOWED, &b), 0);
	assert_null(strstr(b.buf, "defaulted"));
	hs_abuf_free(&b);
	memset(&b, 0, sizeof(b));
	items[0].action = items[1].action = HS_ACTION_REFUSE;
	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_REWRITTEN, &b), 0);
	assert_null(strstr(b.buf, "defaulted"));
	hs_abuf_free(&b);
}

/* The record a failed runtime leaves: tied to its launch by hash, the exit status or the
 * signal, exact bytes; a launch hardshim waits for says so. */
static void test_format_failure_exact(void **state)
{
	struct hs_audit_facts f = {
		.time = "2026-01-02T03:04:05.000000006Z",
		.host = "h",
		.runtime = "/usr/bin/runc",
	};
	struct hs_runtime_failure o = {
		.of = "ab12",
		.event = HS_EVENT_CREATE,
		.container_id = "c\n1",
		.root = "/run/r",
		.pid = 7,
		.exit_status = 1,
	};
	struct hs_launch l = { .event = HS_EVENT_CREATE, .waits = true };
	struct hs_abuf b = { 0 };
	char want[1024];

	(void)state;
	assert_int_equal(hs_audit_format_failure(&o, &f, &b), 0);
	snprintf(want, sizeof(want),
		 "\"time\":\"2026-01-02T03:04:05.000000006Z\",\"host\":\"h\",\"hardshim\":\"%s\","
		 "\"event\":\"runtime-failed\",\"of\":\"ab12\",\"command\":\"create\","
		 "\"id\":\"c\\n1\",\"root\":\"/run/r\",\"runtime\":\"/usr/bin/runc\","
		 "\"exit\":1,\"signal\":null,\"pid\":7",
		 hs_version());
	assert_string_equal(b.buf, want);

	/* killed: no exit status; never executed: the reason, no pid */
	b.len = 0;
	o.exit_status = -1;
	o.signal = 9;
	o.root = NULL;
	assert_int_equal(hs_audit_format_failure(&o, &f, &b), 0);
	hs_abuf_put(&b, "", 1);
	assert_non_null(strstr(b.buf, "\"runtime\":\"/usr/bin/runc\",\"exit\":null,\"signal\":9,"));
	assert_null(strstr(b.buf, "\"root\""));
	b.len = 0;
	o.signal = 0;
	o.pid = 0;
	o.error = "Permission denied";
	assert_int_equal(hs_audit_format_failure(&o, &f, &b), 0);
	hs_abuf_put(&b, "", 1);
	assert_non_null(
	    strstr(b.buf,
		   "\"exit\":null,\"signal\":null,\"error\":\"Permission denied\",\"pid\":0"));
	hs_abuf_free(&b);

	f.who = NULL;
	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_ALLOWED, &b), 0);
	hs_abuf_put(&b, "", 1);
	assert_non_null(strstr(b.buf, ",\"pid\":0,\"waits\":true,\"claims\":"));
	hs_abuf_free(&b);
}

/* The command line as received and as handed to the runtime: every token, escaped, capped. */
static void test_format_argv(void **state)
{
	static char *const in[] = { "exec", "--cgroup", "../x", "-p=\"f\"\n", "c1" };
	static char *const out[] = { "exec", "--process", "/proc/self/fd/3", "c1" };
	char *many[300], big[1001];
	struct hs_launch l = { .event = HS_EVENT_EXEC, .argv = in, .argc = 5 };
	struct hs_audit_facts f = { .time = "t", .host = "h", .runtime = "/usr/bin/crun" };
	struct hs_abuf b = { 0 };

	(void)state;
	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_REFUSED, &b), 0);
	hs_abuf_put(&b, "", 1);
	assert_non_null(strstr(b.buf,
			       "\"runtime\":\"/usr/bin/crun\",\"argv\":[\"exec\",\"--cgroup\","
			       "\"../x\",\"-p=\\\"f\\\"\\n\",\"c1\"],\"mode\":"));
	assert_null(strstr(b.buf, "runtime_argv"));
	b.len = 0;
	l.runtime_argv = out;
	l.runtime_argc = 4;
	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_ALLOWED, &b), 0);
	hs_abuf_put(&b, "", 1);
	assert_non_null(strstr(b.buf, "\"c1\"],\"runtime_argv\":[\"exec\",\"--process\","
				      "\"/proc/self/fd/3\",\"c1\"],\"mode\":"));
	/* one record cannot grow without bound: 256 tokens, then how many were left out */
	for (size_t i = 0; i < HS_ARRAY_SIZE(many); i++)
		many[i] = "-a";
	b.len = 0;
	l.argv = many;
	l.argc = HS_ARRAY_SIZE(many);
	l.runtime_argv = NULL;
	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_REFUSED, &b), 0);
	hs_abuf_put(&b, "", 1);
	assert_non_null(strstr(b.buf, "\"-a\"],\"argv_dropped\":44,\"mode\":"));
	/* and at 16 KiB: 20 tokens of 1000 bytes keep 16 */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (size_t i = 0; i < 20; i++)
		many[i] = big;
	b.len = 0;
	l.argc = 20;
	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_REFUSED, &b), 0);
	hs_abuf_put(&b, "", 1);
	assert_non_null(strstr(b.buf, "x\"],\"argv_dropped\":4,\"mode\":"));
	hs_abuf_free(&b);
}

static void test_format_error_and_claims(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	struct hs_error e = HS_ERROR_INIT;
	struct hs_json *ann = hs_json_new(a, HS_JSON_OBJECT);
	struct hs_launch l = {
		.event = HS_EVENT_EXEC, .container_id = "x\ny", .error = &e, .annotations = ann
	};
	struct hs_audit_facts f = { .time = "t", .host = "h", .pid = 1 };
	struct hs_abuf b = { 0 };

	hs_error_set(&e, -HS_EPARSE, "json.duplicate-key", "process.env", 12, "duplicate key");
	assert_int_equal(hs_json_set(a, ann, "io.kubernetes.pod.name",
				     hs_json_new_string(a, "web")),
			 0);
	assert_int_equal(hs_json_set(a, ann, "io.kubernetes.pod.namespace",
				     hs_json_new_string(a, "prod")),
			 0);
	assert_int_equal(hs_json_set(a, ann, "io.podman.annotations.autoremove",
				     hs_json_new_string(a, "TRUE")),
			 0);
	assert_int_equal(hs_json_set(a, ann, "org.opencontainers.image.ref.name",
				     hs_json_new_string(a, "busybox:1")),
			 0);
	assert_int_equal(hs_json_set(a, ann, "com.example.secret", hs_json_new_string(a, "no")), 0);
	assert_int_equal(hs_audit_verdict(&l, HS_MODE_ENFORCE), HS_VERDICT_REFUSED);
	assert_int_equal(hs_audit_format_body(&l, &f, HS_VERDICT_REFUSED, &b), 0);
	assert_non_null(strstr(b.buf, "\"event\":\"exec\",\"id\":\"x\\ny\""));
	assert_non_null(strstr(b.buf, "\"findings\":[{\"rule\":\"json.duplicate-key\","
				      "\"path\":\"process.env\",\"action\":\"refuse\","
				      "\"message\":\"duplicate key\"}]"));
	assert_non_null(strstr(b.buf, "\"document\":\"process\",\"original\":null,\"final\":null"));
	assert_non_null(strstr(b.buf, "\"annotations\":{\"io.kubernetes.pod.name\":\"web\",\"io."
				      "kubernetes.pod.namespace\":"
				      "\"prod\",\"io.podman.annotations.autoremove\":\"TRUE\","
				      "\"org.opencontainers.image.ref.name\":\"busybox:1\"}}"));
	assert_null(strstr(b.buf, "com.example.secret"));
	assert_null(strstr(b.buf, "\"who\""));
	hs_abuf_free(&b);
}

/* ---- the chain ---- */

static void chain_lines(struct hs_abuf *file, size_t n, uint64_t first_seq, const char *prev,
			char *last_hash)
{
	char p[HS_SHA256_HEX_LEN + 1], h[HS_SHA256_HEX_LEN + 1];

	snprintf(p, sizeof(p), "%s", prev);
	for (size_t i = 0; i < n; i++) {
		struct hs_abuf line = { 0 }, body = { 0 };

		hs_abuf_printf(&body, "\"time\":\"t\",\"id\":\"c%zu\"", i);
		assert_int_equal(hs_audit_seal(body.buf, body.len, first_seq + i, p, i == 0, NULL,
					       &line, h, NULL),
				 0);
		hs_abuf_put(file, line.buf, line.len);
		memcpy(p, h, sizeof(p));
		hs_abuf_free(&line);
		hs_abuf_free(&body);
	}
	if (last_hash)
		memcpy(last_hash, p, sizeof(p));
}

static int verify(const char *buf, size_t len, struct hs_verify_result *res)
{
	*res = (struct hs_verify_result){ 0 };
	return hs_audit_verify_buf("f", buf, len, res, NULL);
}

/* Line i (0-based) of buf: start and length with the newline. */
static void line_span(const char *buf, size_t i, size_t *start, size_t *len)
{
	const char *p = buf;

	while (i--)
		p = strchr(p, '\n') + 1;
	*start = (size_t)(p - buf);
	*len = (size_t)(strchr(p, '\n') - p) + 1;
}

static void test_chain_ok_and_sealed_shape(void **state)
{
	struct hs_abuf f = { 0 };
	struct hs_verify_result res;
	char last[HS_SHA256_HEX_LEN + 1];

	chain_lines(&f, 5, 1, HS_AUDIT_ZERO_HASH, last);
	assert_true(!strncmp(f.buf,
			     "{\"v\":1,\"seq\":1,\"prev\":\"" HS_AUDIT_ZERO_HASH
			     "\",\"file_start\":true,\"time\":\"t\"",
			     110));
	assert_int_equal(verify(f.buf, f.len, &res), 0);
	assert_int_equal(res.records, 5);
	assert_int_equal(res.last_seq, 5);
	assert_string_equal(res.last_hash, last);
	hs_abuf_free(&f);
}

static void expect_broken(const char *buf, size_t len, size_t line, const char *why_part)
{
	struct hs_verify_result res;

	assert_int_equal(verify(buf, len, &res), 1);
	if (res.line != line || !strstr(res.why, why_part))
		fail_msg("expected line %zu (%s), got line %zu: %s", line, why_part, res.line,
			 res.why);
}

static void test_chain_tamper(void **state)
{
	struct hs_abuf f = { 0 };
	size_t s, l, s2, l2;
	char *t;

	chain_lines(&f, 6, 1, HS_AUDIT_ZERO_HASH, NULL);

	/* edit one byte of record 3's content */
	t = strdup(f.buf);
	line_span(t, 2, &s, &l);
	t[s + l - 90] ^= 1;
	expect_broken(t, f.len, 3, "edited");
	/* edit record 3 and fix up its own hash: the next record no longer chains */
	free(t);
	t = strdup(f.buf);
	line_span(t, 2, &s, &l);
	{
		char *id = strstr(t + s, "\"c2\"");
		uint8_t d[32];
		char hex[65];

		id[2] = '9';
		assert_int_equal(hs_sha256(t + s, l - 1 - 75, d, NULL), 0);
		hs_hex(d, 32, hex);
		memcpy(t + s + l - 1 - 66, hex, 64);
	}
	expect_broken(t, f.len, 4, "does not chain");
	free(t);

	/* delete record 3 */
	t = strdup(f.buf);
	line_span(t, 2, &s, &l);
	memmove(t + s, t + s + l, f.len - s - l);
	expect_broken(t, f.len - l, 3, "deleted or reordered");
	free(t);

	/* delete record 1: the file's first record is gone */
	line_span(f.buf, 0, &s, &l);
	expect_broken(f.buf + l, f.len - l, 1, "deleted");

	/* swap records 4 and 5 */
	t = malloc(f.len + 1);
	line_span(f.buf, 3, &s, &l);
	line_span(f.buf, 4, &s2, &l2);
	memcpy(t, f.buf, s);
	memcpy(t + s, f.buf + s2, l2);
	memcpy(t + s + l2, f.buf + s, l);
	memcpy(t + s + l2 + l, f.buf + s2 + l2, f.len - s2 - l2);
	expect_broken(t, f.len, 4, "deleted or reordered");
	free(t);

	/* truncate in the middle of record 6, and of record 6's hash */
	line_span(f.buf, 5, &s, &l);
	expect_broken(f.buf, s + l / 2, 6, "truncated mid-line");
	expect_broken(f.buf, s + l - 3, 6, "truncated mid-line");
	/* truncate just the newline */
	expect_broken(f.buf, f.len - 1, 6, "no newline");

	/* an empty line, and junk appended */
	t = malloc(f.len + 8);
	memcpy(t, f.buf, f.len);
	memcpy(t + f.len, "\n", 1);
	expect_broken(t, f.len + 1, 7, "empty line");
	memcpy(t + f.len, "{}\n", 3);
	expect_broken(t, f.len + 3, 7, "not a whole hardshim record");
	free(t);
	hs_abuf_free(&f);
}

/* A rotated pair: the second file continues the first's chain. */
static void test_chain_across_files(void **state)
{
	struct hs_abuf a = { 0 }, b = { 0 };
	struct hs_verify_result res = { 0 };
	char last[HS_SHA256_HEX_LEN + 1];

	chain_lines(&a, 3, 1, HS_AUDIT_ZERO_HASH, last);
	chain_lines(&b, 3, 4, last, NULL);
	assert_int_equal(hs_audit_verify_buf("a", a.buf, a.len, &res, NULL), 0);
	assert_int_equal(hs_audit_verify_buf("b", b.buf, b.len, &res, NULL), 0);
	assert_int_equal(res.records, 6);
	/* the newer file alone: its chain starts at seq 4, taken as given */
	assert_int_equal(verify(b.buf, b.len, &res), 0);
	/* the last record of the older file dropped: the newer one no longer chains */
	{
		size_t s, l;

		line_span(a.buf, 2, &s, &l);
		res = (struct hs_verify_result){ 0 };
		assert_int_equal(hs_audit_verify_buf("a", a.buf, s, &res, NULL), 0);
		assert_int_equal(hs_audit_verify_buf("b", b.buf, b.len, &res, NULL), 1);
		assert_string_equal(res.file, "b");
		assert_int_equal(res.line, 1);
	}
	/* files given in the wrong order */
	res = (struct hs_verify_result){ 0 };
	assert_int_equal(hs_audit_verify_buf("b", b.buf, b.len, &res, NULL), 0);
	assert_int_equal(hs_audit_verify_buf("a", a.buf, a.len, &res, NULL), 1);
	hs_abuf_free(&a);
	hs_abuf_free(&b);
}

/* ---- the durable append ---- */

static void append_n(const struct hs_audit_cfg *cfg, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char body[64], hash[HS_SHA256_HEX_LEN + 1];
		struct hs_error err = HS_ERROR_INIT;
		int r;

		snprintf(body, sizeof(body), "\"id\":\"c%zu\",\"pid\":%d", i, (int)getpid());
		r = hs_audit_append(cfg, body, strlen(body), hash, &err);
		if (r < 0)
			fail_msg("append: %s: %s", err.rule, err.msg);
	}
}

static int verify_files(const char **files, size_t n, struct hs_verify_result *res)
{
	*res = (struct hs_verify_result){ 0 };
	for (size_t i = 0; i < n; i++) {
		size_t len;
		_cleanup_free_ char *buf = read_all(files[i], &len);
		int r = hs_audit_verify_buf(files[i], buf, len, res, NULL);

		if (r)
			return r;
	}
	return hs_audit_verify_head(files[n - 1], false, res, NULL);
}

static size_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

static void expect_diverged(const struct hs_audit_cfg *cfg, const char *why_part)
{
	char body[] = "\"id\":\"x\"", hash[HS_SHA256_HEX_LEN + 1];
	struct hs_error err = HS_ERROR_INIT;

	if (hs_audit_append(cfg, body, strlen(body), hash, &err) >= 0)
		fail_msg("appended despite: %s", why_part);
	assert_string_equal(err.rule, "audit.diverged");
	if (!strstr(err.msg, why_part))
		fail_msg("expected \"%s\" in: %s", why_part, err.msg);
}

static void reanchor_ok(const struct hs_audit_cfg *cfg)
{
	char hash[HS_SHA256_HEX_LEN + 1];
	struct hs_error err = HS_ERROR_INIT;

	if (hs_audit_reanchor(cfg, hash, &err) < 0)
		fail_msg("reanchor: %s: %s", err.rule, err.msg);
}

static void test_append_rotate_head(void **state)
{
	_cleanup_free_ char *d = tmpdir();
	char dir[512], log[600], rot[700];
	struct hs_audit_cfg cfg = hs_audit_cfg_default;
	struct hs_verify_result res;
	struct stat st;
	const char *files[2];

	snprintf(dir, sizeof(dir), "%s/sub/hardshim", d);
	snprintf(log, sizeof(log), "%s/launches.jsonl", dir);
	snprintf(rot, sizeof(rot), "%s.1", log);
	cfg.path = log;
	append_n(&cfg, 3);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	files[0] = log;
	assert_int_equal(verify_files(files, 1, &res), 0);
	assert_int_equal(res.records, 3);

	/* rotation as logrotate does it (rename, then create): the chain goes on */
	assert_int_equal(rename(log, rot), 0);
	append_n(&cfg, 2);
	files[0] = rot;
	files[1] = log;
	assert_int_equal(verify_files(files, 2, &res), 0);
	assert_int_equal(res.records, 5);
	assert_int_equal(res.last_seq, 5);
	{
		_cleanup_free_ char *buf = read_all(log, NULL);

		assert_true(!strncmp(buf, "{\"v\":1,\"seq\":4,", 15));
		assert_non_null(strstr(buf, "\"file_start\":true"));
	}

	/* the head file lost: an alarm, not a quiet restart of the chain from what is left; the
	 * log is untouched; verify fails unless told there is no head; reanchor accepts it */
	{
		char head[700];
		size_t before;

		snprintf(head, sizeof(head), "%s.head", log);
		assert_int_equal(unlink(head), 0);
		before = file_size(log);
		expect_diverged(&cfg, "missing");
		assert_int_equal(file_size(log), before);
		assert_int_equal(verify_files(files, 2, &res), 1);
		assert_non_null(strstr(res.why, "missing"));
		reanchor_ok(&cfg);
		append_n(&cfg, 1);
		assert_int_equal(verify_files(files, 2, &res), 0);
		assert_int_equal(res.last_seq, 7);
	}

	/* the last record removed cleanly (at a line boundary): the head says otherwise, to
	 * verify and to the next writer */
	{
		size_t len, s, l;
		_cleanup_free_ char *buf = read_all(log, &len);

		line_span(buf, 2, &s, &l);
		assert_int_equal(truncate(log, (off_t)s), 0);
		files[0] = log;
		assert_int_equal(verify_files(files, 1, &res), 1);
		assert_int_equal(res.line, 0);
		assert_non_null(strstr(res.why, "removed from the end"));
		expect_diverged(&cfg, "removed from the end");
		assert_int_equal(file_size(log), s);
	}
	rm_rf(d);
}

/* Ways the log can disagree with its head, each an alarm for the writer. */
static void test_append_diverged(void **state)
{
	_cleanup_free_ char *d = tmpdir();
	char log[600], head[700], saved[700];
	struct hs_audit_cfg cfg = hs_audit_cfg_default;
	struct hs_verify_result res;
	const char *files[1] = { log };
	size_t len, s, l;

	snprintf(log, sizeof(log), "%s/l.jsonl", d);
	snprintf(head, sizeof(head), "%s.head", log);
	snprintf(saved, sizeof(saved), "%s.saved", log);
	cfg.path = log;
	append_n(&cfg, 4);
	{
		_cleanup_free_ char *buf = read_all(log, &len);

		write_file(saved, buf);
		/* the last record replaced by a record of the same length */
		line_span(buf, 3, &s, &l);
		buf[s + l - 10] = buf[s + l - 10] == 'a' ? 'b' : 'a';
		write_file(log, buf);
	}
	expect_diverged(&cfg, "replaced");
	/* the file emptied in place */
	assert_int_equal(truncate(log, 0), 0);
	expect_diverged(&cfg, "removed from the end");
	assert_int_equal(verify_files(files, 1, &res), 1);
	/* a garbage head */
	{
		_cleanup_free_ char *buf = read_all(saved, NULL);

		write_file(log, buf);
	}
	write_file(head, "hardshim-head 1 x\n");
	expect_diverged(&cfg, "unreadable");
	/* the whole file replaced by another one (a new inode) with records that do not chain
	 * on from the head: the intruder's own log */
	unlink(head);
	unlink(log);
	{
		char hash[HS_SHA256_HEX_LEN + 1];

		assert_int_equal(hs_audit_append(&cfg, "\"id\":\"other\"", 12, hash, NULL), 0);
	}
	assert_int_equal(rename(saved, log), 0);
	expect_diverged(&cfg, "seq 1");
	rm_rf(d);
}

/* One record of len bytes (an id of 'x's): the writer finds the last record by reading the
 * log's end in a window that starts at 8 KiB and doubles, so records smaller than, about as
 * large as, and many times larger than it must each be found whole. */
static void append_sized(const struct hs_audit_cfg *cfg, size_t len)
{
	_cleanup_free_ char *body = malloc(len + 16);
	char hash[HS_SHA256_HEX_LEN + 1];
	struct hs_error err = HS_ERROR_INIT;
	int n;

	assert_non_null(body);
	n = snprintf(body, 16, "\"id\":\"");
	memset(body + n, 'x', len);
	memcpy(body + n + len, "\"", 2);
	if (hs_audit_append(cfg, body, strlen(body), hash, &err) < 0)
		fail_msg("append of %zu bytes: %s: %s", len, err.rule, err.msg);
}

static void test_append_record_sizes(void **state)
{
	static const size_t sizes[] = { 100, 8100, 8300, 20000, 3, 70000, 200000, 50 };
	_cleanup_free_ char *d = tmpdir();
	char log[600];
	struct hs_audit_cfg cfg = hs_audit_cfg_default;
	struct hs_verify_result res;
	const char *files[1] = { log };

	(void)state;
	snprintf(log, sizeof(log), "%s/l.jsonl", d);
	cfg.path = log;
	for (size_t i = 0; i < HS_ARRAY_SIZE(sizes); i++) {
		append_sized(&cfg, sizes[i]);
		assert_int_equal(verify_files(files, 1, &res), 0);
		assert_int_equal(res.last_seq, i + 1);
	}
	/* a large last record replaced by one of the same length is still seen */
	append_sized(&cfg, 30000);
	{
		size_t len, s, l;
		_cleanup_free_ char *buf = read_all(log, &len);

		line_span(buf, HS_ARRAY_SIZE(sizes), &s, &l);
		buf[s + l - 10] = buf[s + l - 10] == 'a' ? 'b' : 'a';
		write_file(log, buf);
	}
	expect_diverged(&cfg, "replaced");
	rm_rf(d);
}

/* A torn last line (a crash mid-write, the head still at the record before): the fragment
 * never became a record and no runtime ran for it; the next writer cuts it and chains on. A
 * head left behind by a crash (records after it that chain on from it) is caught up. */
static void test_append_after_crash(void **state)
{
	_cleanup_free_ char *d = tmpdir();
	char log[600], head[700], oldhead[700];
	struct hs_audit_cfg cfg = hs_audit_cfg_default;
	struct hs_verify_result res;
	const char *files[1] = { log };
	int fd;

	snprintf(log, sizeof(log), "%s/l.jsonl", d);
	snprintf(head, sizeof(head), "%s.head", log);
	cfg.path = log;
	append_n(&cfg, 2);
	fd = open(log, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"v\":1,\"seq\":3,\"pr", 18), 18);
	close(fd);
	append_n(&cfg, 1);
	assert_int_equal(verify_files(files, 1, &res), 0);
	assert_int_equal(res.records, 3);
	{
		_cleanup_free_ char *buf = read_all(log, NULL);

		assert_null(strstr(buf, "\"pr\n"));
	}
	/* the head behind by two records */
	{
		_cleanup_free_ char *h = read_all(head, NULL);

		snprintf(oldhead, sizeof(oldhead), "%s", h);
	}
	append_n(&cfg, 2);
	write_file(head, oldhead);
	append_n(&cfg, 1);
	assert_int_equal(verify_files(files, 1, &res), 0);
	assert_int_equal(res.last_seq, 6);
	rm_rf(d);
}

/* Sealing: each record after `log seal` carries a seal the verification key checks; a state
 * left behind by a crash (the record written, the key not yet moved on) moves on before the
 * next record, so no key seals two records. */
static void test_append_sealed(void **state)
{
	_cleanup_free_ char *d = tmpdir();
	char log[600], sealf[700], seed[HS_SHA256_HEX_LEN + 1], mac[HS_SHA256_HEX_LEN + 1];
	struct hs_audit_cfg cfg = hs_audit_cfg_default;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_verify_result res;
	uint64_t n;
	size_t prefix, len;

	snprintf(log, sizeof(log), "%s/l.jsonl", d);
	snprintf(sealf, sizeof(sealf), "%s.seal", log);
	cfg.path = log;
	append_n(&cfg, 1);
	assert_int_equal(hs_audit_seal_init(&cfg, seed, &err), 0);
	assert_true(hs_audit_seal_init(&cfg, seed, &err) < 0); /* once */
	{
		_cleanup_free_ char *st = read_all(sealf, NULL);

		assert_null(strstr(st, seed)); /* key_0 is not on the node */
	}
	append_n(&cfg, 2);
	{
		_cleanup_free_ char *lag = read_all(sealf, NULL);

		append_n(&cfg, 1);
		write_file(sealf, lag); /* the crash: the key did not move on */
	}
	append_n(&cfg, 1);
	{
		_cleanup_free_ char *buf = read_all(log, &len);
		size_t s, l;

		line_span(buf, 0, &s, &l);
		assert_int_equal(hs_audit_line_seal(buf + s, l - 1, &n, mac, &prefix), -ENOENT);
		line_span(buf, 4, &s, &l);
		assert_int_equal(hs_audit_line_seal(buf + s, l - 1, &n, mac, &prefix), 0);
		assert_int_equal(n, 4); /* keys 1, 2, 3, then 4 after the catch-up: none twice */
		assert_true(!strncmp(buf + s + prefix, ",\"seal\":{\"n\":4,", 14));
	}
	res = (struct hs_verify_result){ .keyed = true };
	assert_int_equal(hs_unhex32(seed, res.seal_seed), 0);
	{
		_cleanup_free_ char *buf = read_all(log, &len);

		assert_int_equal(hs_audit_verify_buf(log, buf, len, &res, NULL), 0);
		assert_true(res.sealing);
		assert_int_equal(hs_audit_verify_seal_state(log, &res, NULL), 0);
		/* a wrong verification key */
		res = (struct hs_verify_result){ .keyed = true };
		assert_int_equal(hs_audit_verify_buf(log, buf, len, &res, NULL), 1);
		assert_int_equal(res.line, 2);
	}
	rm_rf(d);
}

static void test_append_concurrent(void **state)
{
	_cleanup_free_ char *d = tmpdir();
	char log[600];
	struct hs_audit_cfg cfg = hs_audit_cfg_default;
	struct hs_verify_result res;
	const char *files[1] = { log };
	pid_t pids[20];

	snprintf(log, sizeof(log), "%s/l.jsonl", d);
	cfg.path = log;
	cfg.fsync = false; /* the lock is under test here, not the disk */
	for (size_t i = 0; i < 20; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			append_n(&cfg, 10);
			_exit(0);
		}
	}
	for (size_t i = 0; i < 20; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(verify_files(files, 1, &res), 0);
	assert_int_equal(res.records, 200);
	rm_rf(d);
}

static void test_append_unwritable(void **state)
{
	struct hs_audit_cfg cfg = hs_audit_cfg_default;
	struct hs_error err = HS_ERROR_INIT;
	char hash[HS_SHA256_HEX_LEN + 1];

	/* /proc/self is not a place a directory can be made */
	cfg.path = "/proc/self/hardshim/launches.jsonl";
	assert_true(hs_audit_append(&cfg, "\"a\":1", 5, hash, &err) < 0);
	assert_string_equal(err.rule, "audit.write");
	assert_string_equal(err.path, cfg.path);
}

/* ---- kernel audit message ---- */

/* hs_audit_launch says what it recorded through the caller's mark, never through state of
 * its own: the runtime path asks whether anything was recorded (a refusal before any
 * document was judged is recorded once) and a runtime-failed record points back to the
 * launch's hash. */
static void test_launch_mark(void **state)
{
	_cleanup_free_ char *d = tmpdir();
	char log[600];
	struct hs_audit_cfg cfg = hs_audit_cfg_default;
	struct hs_policy p = { .runtime = "/bin/true", .audit = &cfg };
	struct hs_audit_mark m = { 0 }, m2 = { 0 };
	struct hs_launch l = { .mark = &m, .event = HS_EVENT_CREATE, .container_id = "c1" };
	struct hs_verify_result res;
	struct hs_error err = HS_ERROR_INIT;
	const char *files[1] = { log };

	(void)state;
	snprintf(log, sizeof(log), "%s/launches.jsonl", d);
	cfg.path = log;
	cfg.syslog = false;
	cfg.kernel_audit = false;
	cfg.fsync = false;
	assert_int_equal(hs_audit_launch(&p, &l, &err), 0);
	assert_true(m.recorded);
	assert_int_equal(strlen(m.hash), HS_SHA256_HEX_LEN);
	assert_int_equal(verify_files(files, 1, &res), 0);
	assert_string_equal(m.hash, res.last_hash);

	/* a second command's mark is its own: the first one's is not touched */
	l.mark = &m2;
	assert_int_equal(hs_audit_launch(&p, &l, &err), 0);
	assert_true(m2.recorded);
	assert_string_not_equal(m2.hash, m.hash);
	assert_int_equal(verify_files(files, 1, &res), 0);
	assert_string_equal(m2.hash, res.last_hash);

	/* no file record: recorded (tried), no hash to point back to */
	cfg.file = false;
	m = (struct hs_audit_mark){ .hash = "stale" };
	l.mark = &m;
	assert_int_equal(hs_audit_launch(&p, &l, &err), 0);
	assert_true(m.recorded);
	assert_string_equal(m.hash, "");

	/* no mark: still recorded, nothing written back */
	cfg.file = true;
	l.mark = NULL;
	assert_int_equal(hs_audit_launch(&p, &l, &err), 0);
	rm_rf(d);
}

static void test_kernel_message(void **state)
{
	struct hs_launch l = { .event = HS_EVENT_CREATE, .container_id = "web-1" };
	const char *hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	_cleanup_free_ char *msg = NULL, *msg2 = NULL, *msg3 = NULL;
	struct hs_error err = HS_ERROR_INIT;
	int r = hs_audit_kernel_message(&l, HS_VERDICT_ALLOWED, hash, 42, &msg, &err);

	assert_int_equal(r, 0); /* libaudit is linked in: nothing to load, nothing to skip */
	assert_string_equal(msg, "virt=hardshim op=start reason=allowed vm=\"web-1\" "
				 "uuid=01234567-89ab-cdef-0123-456789abcdef vm-pid=42");
	/* a name that tries to inject fields is hex-encoded whole */
	l.container_id = "x\" op=stop uuid=0";
	l.event = HS_EVENT_EXEC;
	assert_int_equal(hs_audit_kernel_message(&l, HS_VERDICT_REFUSED, hash, 7, &msg2, &err), 0);
	assert_string_equal(msg2, "virt=hardshim op=exec reason=refused "
				  "vm=7822206F703D73746F7020757569643D30 "
				  "uuid=01234567-89ab-cdef-0123-456789abcdef vm-pid=7");
	(void)msg3;
}

/* ---- the policy section ---- */

static int load_section(const char *text, const struct hs_audit_cfg **ret, struct hs_arena *a,
			struct hs_error *err)
{
	struct hs_json_limits lim = HS_JSON_LIMITS_DEFAULT;
	struct hs_json *j = NULL;
	void *cfg = NULL;
	int r;

	if (text) {
		r = hs_json_parse(a, text, strlen(text), &lim, &j, err);
		assert_int_equal(r, 0);
	}
	r = hs_audit_load_policy(a, j, &cfg, err);
	if (r == 0)
		*ret = cfg;
	return r;
}

static void test_policy(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	const struct hs_audit_cfg *cfg = NULL;
	struct hs_error err = HS_ERROR_INIT;

	assert_int_equal(load_section(NULL, &cfg, a, &err), 0);
	assert_string_equal(cfg->path, HS_AUDIT_DEFAULT_PATH);
	assert_true(cfg->file && cfg->fsync && cfg->syslog && cfg->kernel_audit && !cfg->fail_open);
	assert_int_equal(load_section("{\"path\":\"/x/l.jsonl\",\"fsync\":false,\"fail_open\":true,"
				      "\"syslog\":false,\"kernel_audit\":false,\"file\":true}",
				      &cfg, a, &err),
			 0);
	assert_string_equal(cfg->path, "/x/l.jsonl");
	assert_true(!cfg->fsync && cfg->fail_open && !cfg->syslog && !cfg->kernel_audit);

	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(load_section("{\"failopen\":true}", &cfg, a, &err) < 0);
	assert_string_equal(err.rule, "json.unknown-key");
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(load_section("{\"fsync\":\"yes\"}", &cfg, a, &err) < 0);
	assert_string_equal(err.rule, "json.type");
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(load_section("{\"path\":\"rel/l.jsonl\"}", &cfg, a, &err) < 0);
	assert_string_equal(err.rule, "policy.log");
	assert_string_equal(err.path, "log.path");
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(load_section("{\"path\":\"/var/log/../l\"}", &cfg, a, &err) < 0);
	assert_string_equal(err.rule, "policy.log");
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(load_section("{\"path\":\"/var/log/\"}", &cfg, a, &err) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_who_fake_proc),
		cmocka_unit_test(test_who_real),
		cmocka_unit_test(test_user_name_passwd_file),
		cmocka_unit_test(test_user_name_etc_passwd),
		cmocka_unit_test(test_who_pidfd_as_files),
		cmocka_unit_test(test_format_body_exact),
		cmocka_unit_test(test_format_defaulted),
		cmocka_unit_test(test_format_failure_exact),
		cmocka_unit_test(test_format_argv),
		cmocka_unit_test(test_format_error_and_claims),
		cmocka_unit_test(test_chain_ok_and_sealed_shape),
		cmocka_unit_test(test_chain_tamper),
		cmocka_unit_test(test_chain_across_files),
		cmocka_unit_test(test_append_rotate_head),
		cmocka_unit_test(test_append_diverged),
		cmocka_unit_test(test_append_record_sizes),
		cmocka_unit_test(test_append_after_crash),
		cmocka_unit_test(test_append_sealed),
		cmocka_unit_test(test_append_concurrent),
		cmocka_unit_test(test_append_unwritable),
		cmocka_unit_test(test_launch_mark),
		cmocka_unit_test(test_kernel_message),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
