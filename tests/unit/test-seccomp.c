/* SPDX-License-Identifier: Apache-2.0
 * Control "seccomp": the default profile (committed JSON == the C table's resolution),
 * capability-conditional rules against the final capability set, and each way a config's own
 * profile can be weaker (allow-all default, a denied syscall allowed, widened arguments,
 * weakening flag, foreign architecture, unlisted agent) or unreadable (unknown syscall name,
 * architecture, action, flag), plus crun's run.oci.seccomp* annotations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>

#include "harness.h"
#include "hs-policy.h"
#include "../../src/policy/seccomp-profile.h"

extern const struct hs_control hs_control_seccomp;

static struct hs_json *parse(struct hs_arena *a, const char *text)
{
	struct hs_json_limits lim = HS_JSON_LIMITS_DEFAULT;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *v = NULL;
	if (hs_json_parse(a, text, strlen(text), &lim, &v, &err) < 0)
		fail_msg("test JSON does not parse: %s: %s", err.path, err.msg);
	return v;
}

/* Load a policy section (NULL: none) and run the control alone over a config. */
static void run_cfg(struct hs_t *r, const char *section, const char *config)
{
	t_control_run(r, &hs_control_seccomp, NULL, section, config, HS_EVENT_CREATE);
}

static const struct hs_json *seccomp_of(const struct hs_t *r)
{
	return hs_json_get(hs_json_get(r->ctx.config, "linux"), "seccomp");
}

static bool is_default(const struct hs_t *r)
{
	struct hs_json *d = hs_sc_default_profile(r->arena, hs_sc_host_family(), NULL);
	return hs_json_equal(seccomp_of(r), d);
}

/* Is name in an entry with this action and errnoRet (0: none), without args? */
static bool listed(const struct hs_json *sc, const char *name, const char *action, int errno_ret)
{
	struct hs_json *e, *n;
	hs_json_foreach_item(e, hs_json_get(sc, "syscalls"), i) {
		const char *a = hs_json_get_string(e, "action");
		uint64_t er = 0;
		const struct hs_json *ern = hs_json_get(e, "errnoRet");
		if (ern)
			assert_int_equal(hs_json_get_u64(ern, 4095, &er), 0);
		if (strcmp(a, action) != 0 || (int)er != errno_ret || hs_json_get(e, "args"))
			continue;
		hs_json_foreach_item(n, hs_json_get(e, "names"), k)
			if (strcmp(n->u.string.s, name) == 0)
				return true;
	}
	return false;
}

#define CONFIG_CAPS(caps)                                                      \
	"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/" \
	"\",\"capabilities\":{" caps "}},"                                     \
	"\"root\":{\"path\":\"rootfs\"},\"linux\":{}}"
#define CONFIG_SECCOMP(sc)                                                         \
	"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}," \
	"\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":" sc "}}"

static void test_committed_json_is_the_table(void **state)
{
#if defined(__x86_64__)
	/* tests/run.sh runs from the top of the tree. */
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct hs_error err = HS_ERROR_INIT;
	assert_int_equal(hs_read_file_at(AT_FDCWD, "profiles/seccomp/default.json", 1 << 20, &buf,
					 &len, &err),
			 0);
	struct hs_json *committed = parse(a, buf);
	struct hs_json *table = hs_sc_default_profile(a, HS_SC_ARCH_X86_64 | HS_SC_ARCH_X86, NULL);
	assert_true(hs_json_equal(committed, table));
	/* and the aarch64 rendering from the same table */
	free(TAKE_PTR(buf));
	assert_int_equal(hs_read_file_at(AT_FDCWD, "profiles/seccomp/default-aarch64.json", 1 << 20,
					 &buf, &len, &err),
			 0);
	assert_true(
	    hs_json_equal(parse(a, buf),
			  hs_sc_default_profile(a, HS_SC_ARCH_AARCH64 | HS_SC_ARCH_ARM, NULL)));
#else
	skip();
#endif
}

/* One rule of the C table as a line of tests/unit/seccomp-rules.txt (the generator writes
 * that file from the same source, independent of how the C table stores a rule). */
static void rule_line(FILE *f, const struct hs_sc_rule *r)
{
	const char *sep = "";
	fprintf(f, "%s %d names=", r->action == HS_SC_ERRNO ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW",
		r->errno_ret);
	for (const struct hs_sc_name *n = hs_sc_rule_names(r); n->name[0]; n++, sep = ",")
		fprintf(f, "%s%s:0x%02x", sep, n->name, n->arches);
	fputs(" caps=", f);
	sep = "";
	for (size_t i = 0; i < HS_SC_CAPS_MAX && r->caps[i][0]; i++, sep = ",")
		fprintf(f, "%s%s", sep, r->caps[i]);
	fputs(r->caps[0][0] ? "" : "-", f);
	fputs(" unless=", f);
	sep = "";
	for (size_t i = 0; i < HS_SC_CAPS_MAX && r->unless[i][0]; i++, sep = ",")
		fprintf(f, "%s%s", sep, r->unless[i]);
	fputs(r->unless[0][0] ? "" : "-", f);
	if (r->has_arg)
		fprintf(f, " arg=%u,%s,0x%llx,0x%llx\n", r->arg.index, r->arg.op,
			(unsigned long long)r->arg.value, (unsigned long long)r->arg.value_two);
	else
		fputs(" arg=-\n", f);
}

/* Every rule, every name with its architectures, every capability qualifier and argument
 * condition of the C table is the source's, in the source's order. */
static void test_table_is_the_source(void **state)
{
	_cleanup_free_ char *want = NULL, *have = NULL;
	struct hs_error err = HS_ERROR_INIT;
	size_t len, hlen;
	FILE *f;
	assert_int_equal(hs_read_file_at(AT_FDCWD, "tests/unit/seccomp-rules.txt", 1 << 20, &want,
					 &len, &err),
			 0);
	assert_non_null(f = open_memstream(&have, &hlen));
	for (size_t i = 0; i < hs_sc_n_rules; i++)
		rule_line(f, &hs_sc_rules[i]);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(have, want);
}

static void test_default_shape(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	struct hs_json *d = hs_sc_default_profile(a, hs_sc_host_family(), NULL);
	assert_string_equal(hs_json_get_string(d, "defaultAction"), "SCMP_ACT_ERRNO");
	uint64_t e;
	assert_int_equal(hs_json_get_u64(hs_json_get(d, "defaultErrnoRet"), 4095, &e), 0);
	assert_int_equal(e, ENOSYS);
	/* deliberately denied: EPERM */
	const char *eperm[] = { "kexec_load",
				"bpf",
				"userfaultfd",
				"keyctl",
				"add_key",
				"ptrace",
				"mount",
				"umount2",
				"unshare",
				"setns",
				"open_by_handle_at",
				"io_uring_setup",
				"init_module",
				"pivot_root",
				"fsopen" };
	for (size_t i = 0; i < HS_ARRAY_SIZE(eperm); i++)
		if (!listed(d, eperm[i], "SCMP_ACT_ERRNO", EPERM))
			fail_msg("%s is not denied with EPERM", eperm[i]);
	/* clone3 cannot be filtered: ENOSYS so glibc falls back to clone */
	assert_true(listed(d, "clone3", "SCMP_ACT_ERRNO", ENOSYS));
	assert_false(listed(d, "clone", "SCMP_ACT_ALLOW", 0)); /* only with the flags condition */
	const char *allow[] = { "read", "openat", "execve", "socket", "futex", "rt_sigreturn" };
	for (size_t i = 0; i < HS_ARRAY_SIZE(allow); i++)
		assert_true(listed(d, allow[i], "SCMP_ACT_ALLOW", 0));
	assert_false(listed(d, "personality", "SCMP_ACT_ALLOW", 0));
#if defined(__x86_64__)
	assert_true(listed(d, "arch_prctl", "SCMP_ACT_ALLOW", 0));
	assert_true(listed(d, "modify_ldt", "SCMP_ACT_ERRNO", EPERM));
	assert_false(listed(hs_sc_default_profile(a, HS_SC_ARCH_AARCH64 | HS_SC_ARCH_ARM, NULL),
			    "arch_prctl", "SCMP_ACT_ALLOW", 0));
	struct hs_json *arches = hs_json_get(d, "architectures");
	assert_int_equal(hs_json_len(arches), 2); /* x86_64 and x86; x32 falls to the default */
#endif
}

static bool in_table(const char *s)
{
	for (size_t i = 0; i < hs_sc_n_rules; i++)
		for (const struct hs_sc_name *n = hs_sc_rule_names(&hs_sc_rules[i]); n->name[0];
		     n++)
			if (n->name == s)
				return true;
	return false;
}

/* Built on every create from a fresh config: allocated at its final size, its syscall names
 * the rule table's own strings (not copies), for the capability sets that change which rules
 * apply. */
static void test_default_built_to_size(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	struct hs_json *held = parse(a, "[\"CAP_SYS_ADMIN\",\"CAP_SYS_PTRACE\",\"CAP_NET_ADMIN\"]");
	const struct hs_sc_caps some = { .permitted = held, .bounding = held };
	const struct hs_sc_caps *sets[] = { NULL, &some };

	(void)state;
	for (size_t k = 0; k < HS_ARRAY_SIZE(sets); k++) {
		struct hs_json *d = hs_sc_default_profile(a, hs_sc_host_family(), sets[k]), *e, *n;
		size_t names = 0;

		assert_non_null(d);
		t_json_exact(d);
		hs_json_foreach_item(e, hs_json_get(d, "syscalls"), i)
			hs_json_foreach_item(n, hs_json_get(e, "names"), j) {
				if (!in_table(n->u.string.s))
					fail_msg("%s is a copy, not the table's name",
						 n->u.string.s);
				assert_int_equal(n->u.string.len, strlen(n->u.string.s));
				names++;
			}
		assert_true(names > 300);
	}
}

static void test_missing_gets_default(void **state)
{
	struct hs_t r;
	run_cfg(&r, NULL, CONFIG_CAPS("\"bounding\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"]"));
	assert_int_equal(r.ret, 0);
	t_expect(&r, "seccomp.default", "linux.seccomp", HS_ACTION_REWRITE);
	assert_false(r.report->refused);
	assert_true(is_default(&r));
	t_done(&r);
	/* no linux object at all */
	run_cfg(&r, NULL, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"}}");
	assert_int_equal(r.ret, 0);
	assert_true(is_default(&r));
	t_done(&r);
}

static void test_capability_conditional(void **state)
{
	/* CAP_SYS_ADMIN held (permitted and bounding): mount, unshare, clone3 and clone allowed */
	struct hs_t r;
	run_cfg(&r, NULL,
		CONFIG_CAPS("\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_PTRACE\"],"
			    "\"permitted\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_PTRACE\"]"));
	const struct hs_json *sc = seccomp_of(&r);
	for (const char *const *n = (const char *const[]){ "mount", "unshare", "clone", "clone3",
							   "bpf", "ptrace", "userfaultfd", NULL };
	     *n; n++) {
		if (!listed(sc, *n, "SCMP_ACT_ALLOW", 0))
			fail_msg("%s not allowed with CAP_SYS_ADMIN+CAP_SYS_PTRACE", *n);
		assert_false(listed(sc, *n, "SCMP_ACT_ERRNO", EPERM));
	}
	/* never, whatever the capabilities */
	assert_true(listed(sc, "kexec_load", "SCMP_ACT_ERRNO", EPERM));
	assert_true(listed(sc, "keyctl", "SCMP_ACT_ERRNO", EPERM));
	assert_true(listed(sc, "open_by_handle_at", "SCMP_ACT_ERRNO", EPERM));
	assert_false(listed(sc, "reboot", "SCMP_ACT_ALLOW", 0)); /* CAP_SYS_BOOT not held */
	t_done(&r);
	/* only in the bounding set: not held, nothing unlocked */
	run_cfg(&r, NULL, CONFIG_CAPS("\"bounding\":[\"CAP_SYS_ADMIN\"],\"permitted\":[]"));
	assert_true(listed(seccomp_of(&r), "mount", "SCMP_ACT_ERRNO", EPERM));
	assert_false(listed(seccomp_of(&r), "mount", "SCMP_ACT_ALLOW", 0));
	t_done(&r);
}

static void test_default_itself_accepted(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_free_ char *text = NULL, *config = NULL;
	size_t len;
	assert_int_equal(hs_json_emit(hs_sc_default_profile(a, hs_sc_host_family(), NULL), &text,
				      &len),
			 0);
	assert_true(asprintf(&config, CONFIG_SECCOMP("%s"), text) > 0);
	struct hs_t r;
	run_cfg(&r, NULL, config);
	assert_int_equal(r.ret, 0);
	if (r.report->len)
		fail_msg("finding on the default itself: %s %s %s", r.report->items[0].rule,
			 r.report->items[0].path, r.report->items[0].message);
	t_done(&r);
}

static void test_stricter_accepted(void **state)
{
	struct hs_t r;
	run_cfg(&r, NULL,
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"architectures\":"
			       "[\"SCMP_ARCH_X86_64\"],"
			       "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
			       "\"syscalls\":[{\"names\":[\"read\",\"write\",\"exit_group\"],"
			       "\"action\":\"SCMP_ACT_ALLOW\"},"
			       "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
			       "{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_"
			       "CMP_MASKED_EQ\"},"
			       "{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
			       "{\"names\":[\"kexec_load\",\"mount\"],\"action\":\"SCMP_ACT_"
			       "ERRNO\",\"errnoRet\":1}]}"));
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.report->len, 0);
	assert_string_equal(hs_json_get_string(seccomp_of(&r), "defaultAction"),
			    "SCMP_ACT_KILL_PROCESS");
	t_done(&r);
}

static void test_allow_all_default(void **state)
{
	const char *cfg = CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
	struct hs_t r;
	run_cfg(&r, NULL, cfg);
	t_expect(&r, "seccomp.default-action", "linux.seccomp.defaultAction", HS_ACTION_REWRITE);
	t_expect(&r, "seccomp.replaced", "linux.seccomp", HS_ACTION_REWRITE);
	assert_false(r.report->refused);
	assert_true(is_default(&r));
	t_done(&r);
	/* the policy says refuse: refused, nothing replaced */
	run_cfg(&r, "{\"action\":\"refuse\"}", cfg);
	t_expect(&r, "seccomp.default-action", "linux.seccomp.defaultAction", HS_ACTION_REFUSE);
	assert_true(r.report->refused);
	assert_null(t_find(&r, "seccomp.replaced", NULL));
	assert_string_equal(hs_json_get_string(seccomp_of(&r), "defaultAction"), "SCMP_ACT_ALLOW");
	t_done(&r);
	/* LOG and TRACE run the syscall too */
	run_cfg(&r, "{\"action\":\"refuse\"}",
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_LOG\"}"));
	assert_true(r.report->refused);
	t_done(&r);
	run_cfg(&r, "{\"action\":\"refuse\"}",
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_TRACE\"}"));
	assert_true(r.report->refused);
	t_done(&r);
}

static void test_denied_syscall_allowed(void **state)
{
	const char *names[] = {
		"kexec_load", "bpf",     "userfaultfd", "keyctl", "ptrace",
		"mount",      "unshare", "personality", "clone3", "io_uring_setup"
	};
	for (size_t i = 0; i < HS_ARRAY_SIZE(names); i++) {
		char cfg[512];
		snprintf(cfg, sizeof(cfg),
			 CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
					"\"syscalls\":[{\"names\":[\"read\",\"%s\"],\"action\":"
					"\"SCMP_ACT_ALLOW\"}]}"),
			 names[i]);
		struct hs_t r;
		run_cfg(&r, "{\"action\":\"refuse\"}", cfg);
		const struct hs_finding *f = t_find(&r, "seccomp.syscall", NULL);
		if (!f)
			fail_msg("allowing %s was not found weaker", names[i]);
		assert_string_equal(f->path, "linux.seccomp.syscalls[0].names[1]");
		assert_true(r.report->refused);
		assert_int_equal(r.report->len, 1); /* read is fine */
		t_done(&r);
	}
	/* rewrite: replaced by the default, in which kexec_load is EPERM */
	struct hs_t r;
	run_cfg(&r, NULL,
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			       "\"syscalls\":[{\"names\":[\"kexec_load\"],"
			       "\"action\":\"SCMP_ACT_ALLOW\"}]}"));
	assert_true(is_default(&r));
	assert_true(listed(seccomp_of(&r), "kexec_load", "SCMP_ACT_ERRNO", EPERM));
	t_done(&r);
	/* ... but allowed when the capability that unlocks it is held */
	run_cfg(&r, "{\"action\":\"refuse\"}",
		"{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"],"
		"\"permitted\":[\"CAP_SYS_ADMIN\"]}},"
		"\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		"\"syscalls\":[{\"names\":[\"mount\",\"clone\"],\"action\":\"SCMP_ACT_ALLOW\"}]"
		"}}}");
	assert_int_equal(r.report->len, 0);
	t_done(&r);
}

static void test_arguments(void **state)
{
	/* clone without the namespace-flags condition */
	struct hs_t r;
	t_control_expect(&hs_control_seccomp, "{\"action\":\"refuse\"}",
			 CONFIG_SECCOMP(
			     "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			     "\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_"
			     "ALLOW\"}]}"),
			 "seccomp.syscall", "linux.seccomp.syscalls[0].names[0]", HS_ACTION_REFUSE);
	/* a different mask */
	run_cfg(&r, "{\"action\":\"refuse\"}",
		CONFIG_SECCOMP(
		    "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		    "\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		    "{\"index\":0,\"value\":131072,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]"
		    "}"));
	t_expect(&r, "seccomp.syscall", "linux.seccomp.syscalls[0].names[0]", HS_ACTION_REFUSE);
	t_done(&r);
	/* two conditions on one argument: runc ORs them */
	t_control_expect(
	    &hs_control_seccomp, "{\"action\":\"refuse\"}",
	    CONFIG_SECCOMP(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		"\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		"{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_"
		"EQ\"},"
		"{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_NE\"}]}]}"),
	    "seccomp.args", "linux.seccomp.syscalls[0].args", HS_ACTION_REFUSE);
	/* personality: the query value is in the default, ADDR_NO_RANDOMIZE is not */
	run_cfg(&r, "{\"action\":\"refuse\"}",
		CONFIG_SECCOMP(
		    "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		    "\"syscalls\":[{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
		    "\"args\":["
		    "{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]},"
		    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		    "{\"index\":0,\"value\":262144,\"op\":\"SCMP_CMP_EQ\"}]}]}"));
	assert_int_equal(r.report->len, 1);
	t_expect(&r, "seccomp.syscall", "linux.seccomp.syscalls[1].names[0]", HS_ACTION_REFUSE);
	t_done(&r);
}

static void test_unknown_names(void **state)
{
	/* refused even under "rewrite", and even in a deny rule */
	struct hs_t r;
	run_cfg(&r, NULL,
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			       "\"syscalls\":[{\"names\":[\"read\",\"frobnicate\"],\"action\":"
			       "\"SCMP_ACT_ALLOW\"},"
			       "{\"names\":[\"kexec_lod\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"));
	t_expect(&r, "seccomp.unknown-syscall", "linux.seccomp.syscalls[0].names[1]",
		 HS_ACTION_REFUSE);
	assert_int_equal(r.report->len, 2);
	assert_true(r.report->refused);
	t_done(&r);
	/* a name that exists, but on another architecture, is no error: it matches nothing here */
	run_cfg(&r, NULL,
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":["
			       "\"SCMP_ARCH_X86_64\"],"
			       "\"syscalls\":[{\"names\":[\"arm_fadvise64_64\"],"
			       "\"action\":\"SCMP_ACT_ERRNO\"}]}"));
	assert_int_equal(r.report->len, 0);
	t_done(&r);
	t_control_expect(&hs_control_seccomp, NULL,
			 CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":["
					"\"SCMP_ARCH_PDP11\"]}"),
			 "seccomp.architecture", "linux.seccomp.architectures[0]",
			 HS_ACTION_REFUSE);
	t_control_expect(&hs_control_seccomp, NULL,
			 CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_MAYBE\"}"), "seccomp.action",
			 "linux.seccomp.defaultAction", HS_ACTION_REFUSE);
	t_control_expect(&hs_control_seccomp, NULL,
			 CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
					"\"names\":[\"read\"],\"action\":\"ALLOW\"}]}"),
			 "seccomp.action", "linux.seccomp.syscalls[0].action", HS_ACTION_REFUSE);
}

static void test_flags_arches_listener(void **state)
{
	struct hs_t r;
	run_cfg(&r, "{\"action\":\"refuse\"}",
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			       "\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_"
			       "FILTER_FLAG_SPEC_ALLOW\"]}"));
	t_expect(&r, "seccomp.flag", "linux.seccomp.flags[1]", HS_ACTION_REFUSE);
	assert_int_equal(r.report->len, 1);
	t_done(&r);
	t_control_expect(&hs_control_seccomp, NULL,
			 CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":["
					"\"SECCOMP_FILTER_FLAG_BOGUS\"]}"),
			 "seccomp.flag", "linux.seccomp.flags[0]", HS_ACTION_REFUSE);
	run_cfg(&r, NULL,
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":["
			       "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}"));
	t_expect(&r, "seccomp.flag", "linux.seccomp.flags[0]", HS_ACTION_REWRITE);
	assert_true(is_default(&r));
	t_done(&r);
#if defined(__x86_64__)
	/* x32 is an x86_64 ABI: accepted in the list; aarch64 is not this host's */
	run_cfg(&r, "{\"action\":\"refuse\"}",
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			       "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X32\","
			       "\"SCMP_ARCH_AARCH64\"]}"));
	t_expect(&r, "seccomp.architecture", "linux.seccomp.architectures[2]", HS_ACTION_REFUSE);
	assert_int_equal(r.report->len, 1);
	t_done(&r);
#endif
#if defined(__x86_64__)
	/* Only x86 listed: kexec_file_load does not exist there, but the runtimes keep the
	 * native x86_64 in the filter, where the rule allows the real kexec_file_load. */
	run_cfg(&r, "{\"action\":\"refuse\"}",
		CONFIG_SECCOMP("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			       "\"architectures\":[\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":"
			       "[\"read\",\"kexec_file_load\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"));
	t_expect(&r, "seccomp.syscall", "linux.seccomp.syscalls[0].names[1]", HS_ACTION_REFUSE);
	assert_int_equal(r.report->len, 1);
	t_done(&r);
#endif
	const char *notify = CONFIG_SECCOMP(
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/run/agent.sock\","
	    "\"syscalls\":[{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
	run_cfg(&r, "{\"action\":\"refuse\"}", notify);
	t_expect(&r, "seccomp.listener", "linux.seccomp.listenerPath", HS_ACTION_REFUSE);
	t_expect(&r, "seccomp.syscall", "linux.seccomp.syscalls[0].names[0]", HS_ACTION_REFUSE);
	t_done(&r);
	run_cfg(&r, "{\"action\":\"refuse\",\"listener_paths\":[\"/run/agent.sock\"]}", notify);
	assert_int_equal(r.report->len, 0);
	t_done(&r);
}

static void test_annotations(void **state)
{
	const char *cfg =
	    "{\"annotations\":{\"run.oci.seccomp_bpf_data\":\"IAAAAAAAAAA=\","
	    "\"run.oci.seccomp.plugins\":\"/tmp/x.so\",\"io.kubernetes.pod.name\":\"p\"}}";
	struct hs_t r;
	run_cfg(&r, NULL, cfg);
	t_expect(&r, "seccomp.annotation", "annotations[\"run.oci.seccomp_bpf_data\"]",
		 HS_ACTION_REWRITE);
	struct hs_json *ann = hs_json_get(r.ctx.config, "annotations");
	assert_int_equal(hs_json_len(ann), 1);
	assert_non_null(hs_json_get(ann, "io.kubernetes.pod.name"));
	assert_true(is_default(&r));
	t_done(&r);
	run_cfg(&r, "{\"action\":\"refuse\"}", cfg);
	t_expect(&r, "seccomp.annotation", "annotations[\"run.oci.seccomp_bpf_data\"]",
		 HS_ACTION_REFUSE);
	assert_string_equal(r.report->items[1].path, "annotations[\"run.oci.seccomp.plugins\"]");
	assert_int_equal(hs_json_len(hs_json_get(r.ctx.config, "annotations")), 3);
	assert_true(r.report->refused);
	t_done(&r);
}

static void test_policy_section(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	void *cfg = NULL;
	struct hs_error err = HS_ERROR_INIT;
	assert_int_equal(hs_schema_check(parse(a, "{\"action\":\"refuse\",\"listener_paths\":[\"/"
						  "x\"]}"),
					 hs_control_seccomp.policy_schema, "controls.seccomp",
					 HS_UNKNOWN_REFUSE, &err),
			 0);
	assert_true(hs_schema_check(parse(a, "{\"bogus\":1}"), hs_control_seccomp.policy_schema,
				    "controls.seccomp", HS_UNKNOWN_REFUSE, &err) < 0);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(hs_control_seccomp.load(a, parse(a, "{\"action\":\"maybe\"}"), &cfg, &err) < 0);
	assert_string_equal(err.path, "controls.seccomp.action");
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(hs_control_seccomp.load(a, parse(a, "{\"listener_paths\":[\"agent.sock\"]}"),
					    &cfg, &err) < 0);
	assert_string_equal(err.path, "controls.seccomp.listener_paths");
}

/* Run the control again over r's config as it now is (a later pass: create after check
 * --output, or the createRuntime hook after create), with a fresh report. */
static void run_again(struct hs_t *r, const char *section)
{
	r->ret = t_recheck(r, section);
}

/* The entry of the profile's syscalls that lists name with action (and no args unless
 * with_args), and the name's index in it. */
static struct hs_json *entry_with(struct hs_json *sc, const char *name, const char *action,
				  bool with_args, size_t *ret_k)
{
	struct hs_json *e, *n;
	hs_json_foreach_item(e, hs_json_get(sc, "syscalls"), i) {
		if (strcmp(hs_json_get_string(e, "action"), action) != 0 ||
		    (hs_json_get(e, "args") != NULL) != with_args)
			continue;
		hs_json_foreach_item(n, hs_json_get(e, "names"), k)
			if (strcmp(n->u.string.s, name) == 0) {
				*ret_k = k;
				return e;
			}
	}
	fail_msg("no %s entry for %s", action, name);
	return NULL;
}

static const char *const cap_sets[] = {
	"",
	"\"bounding\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"]",
	"\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_PTRACE\",\"CAP_SYS_BOOT\"],"
	"\"permitted\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_PTRACE\",\"CAP_SYS_BOOT\"]",
	"\"bounding\":[\"CAP_SYS_ADMIN\"],\"permitted\":[]",
	"\"bounding\":[\"CAP_BPF\",\"CAP_PERFMON\",\"CAP_SYS_NICE\",\"CAP_SYS_TIME\"],"
	"\"permitted\":[\"CAP_BPF\",\"CAP_PERFMON\",\"CAP_SYS_NICE\",\"CAP_SYS_TIME\"]",
};

/* The profile the control wrote, met again, is recognised whole (no rule-by-rule check) for
 * every capability set; and the rule-by-rule check, which a mere reordering forces, agrees:
 * nothing in it is weaker. */
static void test_own_default_recognised(void **state)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(cap_sets); i++) {
		char cfg[512];
		snprintf(cfg, sizeof(cfg), CONFIG_CAPS("%s"), cap_sets[i]);
		struct hs_t r;
		run_cfg(&r, NULL, cfg);
		t_expect(&r, "seccomp.default", "linux.seccomp", HS_ACTION_REWRITE);
		_cleanup_free_ char *before = NULL, *after = NULL;
		size_t len;
		assert_int_equal(hs_json_emit(r.ctx.config, &before, &len), 0);
		struct hs_sc_judged j0 = hs_sc_judged;
		run_again(&r, "{\"action\":\"refuse\"}");
		assert_int_equal(r.ret, 0);
		assert_int_equal(r.report->len, 0);
		assert_int_equal(hs_sc_judged.own_default, j0.own_default + 1);
		assert_int_equal(hs_sc_judged.full, j0.full);
		assert_int_equal(hs_json_emit(r.ctx.config, &after, &len), 0);
		assert_string_equal(before, after);
		/* the same rules in reverse order: not byte-for-byte the default, judged in full */
		struct hs_json *calls = hs_json_get(seccomp_of(&r), "syscalls");
		for (size_t a = 0, b = hs_json_len(calls) - 1; a < b; a++, b--) {
			struct hs_json *t = calls->u.array.items[a];
			calls->u.array.items[a] = calls->u.array.items[b];
			calls->u.array.items[b] = t;
		}
		j0 = hs_sc_judged;
		run_again(&r, "{\"action\":\"refuse\"}");
		assert_int_equal(hs_sc_judged.full, j0.full + 1);
		assert_int_equal(hs_sc_judged.own_default, j0.own_default);
		if (r.report->len)
			fail_msg("caps {%s}: finding on the reordered default: %s %s %s",
				 cap_sets[i], r.report->items[0].rule, r.report->items[0].path,
				 r.report->items[0].message);
		t_done(&r);
	}
}

/* The default written for a container holding CAP_SYS_ADMIN is not the default of one that
 * no longer holds it: judged in full, and weaker there (mount, unshare... allowed). */
static void test_default_of_other_caps(void **state)
{
	struct hs_t r;
	run_cfg(&r, NULL,
		CONFIG_CAPS("\"bounding\":[\"CAP_SYS_ADMIN\"],\"permitted\":[\"CAP_SYS_ADMIN\"]"));
	struct hs_json *caps = hs_json_get(hs_json_get(r.ctx.config, "process"), "capabilities");
	assert_int_equal(hs_json_remove(caps, "permitted"), 1);
	struct hs_sc_judged j0 = hs_sc_judged;
	run_again(&r, "{\"action\":\"refuse\"}");
	assert_int_equal(hs_sc_judged.full, j0.full + 1);
	const struct hs_finding *f = t_find(&r, "seccomp.syscall", NULL);
	assert_non_null(f);
	assert_int_equal(f->action, HS_ACTION_REFUSE);
	assert_true(r.report->refused);
	t_done(&r);
}

enum change { MOVE_TO_ALLOW, ACTION_TO_ALLOW, ACTION_TO_LOG, DROP_ARGS, UNKNOWN_NAME };

/* hardshim's own default with one change, judged: findings of the rule-by-rule check */
static void changed_default(struct hs_t *r, const char *section, enum change c)
{
	run_cfg(r, NULL, CONFIG_CAPS(""));
	struct hs_json *sc = (struct hs_json *)seccomp_of(r);
	struct hs_json *e;
	size_t k, ka;
	switch (c) {
	case MOVE_TO_ALLOW: /* kexec_load out of its EPERM entry, into the big ALLOW one */
		e = entry_with(sc, "kexec_load", "SCMP_ACT_ERRNO", false, &k);
		hs_json_array_remove(hs_json_get(e, "names"), k);
		e = entry_with(sc, "read", "SCMP_ACT_ALLOW", false, &ka);
		assert_int_equal(hs_json_append(r->arena, hs_json_get(e, "names"),
						hs_json_new_string(r->arena, "kexec_load")),
				 0);
		break;
	case ACTION_TO_ALLOW:
	case ACTION_TO_LOG: /* the entry that denies ptrace now lets it (and the rest) run */
		e = entry_with(sc, "ptrace", "SCMP_ACT_ERRNO", false, &k);
		assert_int_equal(hs_json_set(r->arena, e, "action",
					     hs_json_new_string(r->arena, c == ACTION_TO_ALLOW
									      ? "SCMP_ACT_ALLOW"
									      : "SCMP_ACT_LOG")),
				 0);
		assert_int_equal(hs_json_remove(e, "errnoRet"), 1);
		break;
	case DROP_ARGS: /* clone allowed without its namespace-flags condition */
		e = entry_with(sc, "clone", "SCMP_ACT_ALLOW", true, &k);
		assert_int_equal(hs_json_remove(e, "args"), 1);
		break;
	case UNKNOWN_NAME:
		e = entry_with(sc, "kexec_load", "SCMP_ACT_ERRNO", false, &k);
		assert_int_equal(hs_json_append(r->arena, hs_json_get(e, "names"),
						hs_json_new_string(r->arena, "kexec_lod")),
				 0);
		break;
	}
	struct hs_sc_judged j0 = hs_sc_judged;
	run_again(r, section);
	assert_int_equal(hs_sc_judged.full, j0.full + 1);
	assert_int_equal(hs_sc_judged.own_default, j0.own_default);
}

static void test_changed_default_judged_in_full(void **state)
{
	static const struct {
		enum change c;
		const char *rule, *name;
	} cases[] = {
		{ MOVE_TO_ALLOW, "seccomp.syscall", "kexec_load" },
		{ ACTION_TO_ALLOW, "seccomp.syscall", "ptrace" },
		{ ACTION_TO_LOG, "seccomp.syscall", "ptrace" },
		{ DROP_ARGS, "seccomp.syscall", "clone" },
	};
	for (size_t i = 0; i < HS_ARRAY_SIZE(cases); i++) {
		/* refuse: refused, the profile left as it was */
		struct hs_t r;
		changed_default(&r, "{\"action\":\"refuse\"}", cases[i].c);
		const struct hs_finding *f = t_find(&r, cases[i].rule, NULL);
		if (!f)
			fail_msg("case %zu: no %s finding", i, cases[i].rule);
		assert_int_equal(f->action, HS_ACTION_REFUSE);
		assert_non_null(strstr(f->message, cases[i].name));
		assert_true(r.report->refused);
		assert_null(t_find(&r, "seccomp.replaced", NULL));
		assert_false(is_default(&r));
		t_done(&r);
		/* rewrite (the default policy): replaced by the default */
		changed_default(&r, NULL, cases[i].c);
		t_expect(&r, "seccomp.replaced", "linux.seccomp", HS_ACTION_REWRITE);
		assert_false(r.report->refused);
		assert_true(is_default(&r));
		t_done(&r);
	}
	/* an unknown name in a deny rule: refused whatever the policy says (fail closed) */
	struct hs_t r;
	changed_default(&r, NULL, UNKNOWN_NAME);
	const struct hs_finding *f = t_find(&r, "seccomp.unknown-syscall", NULL);
	assert_non_null(f);
	assert_int_equal(f->action, HS_ACTION_REFUSE);
	assert_true(r.report->refused);
	t_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_committed_json_is_the_table),
		cmocka_unit_test(test_table_is_the_source),
		cmocka_unit_test(test_default_shape),
		cmocka_unit_test(test_default_built_to_size),
		cmocka_unit_test(test_missing_gets_default),
		cmocka_unit_test(test_capability_conditional),
		cmocka_unit_test(test_default_itself_accepted),
		cmocka_unit_test(test_stricter_accepted),
		cmocka_unit_test(test_allow_all_default),
		cmocka_unit_test(test_denied_syscall_allowed),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_flags_arches_listener),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_policy_section),
		cmocka_unit_test(test_own_default_recognised),
		cmocka_unit_test(test_default_of_other_caps),
		cmocka_unit_test(test_changed_default_judged_in_full),
	};
	return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}
