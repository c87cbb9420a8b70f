/* SPDX-License-Identifier: Apache-2.0
 * The hooks control: allowlist (path, args, stages), the file and every ancestor root-owned
 * and not group/other-writable (asked of an invented host), symlinks, missing files,
 * hardshim's own `hook` entry, rewrite (strip), hook mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "hs-egress.h"
#include "harness.h"

static char *config(const char *hooks)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"hooks\":{%s}}", hooks);
	return buf;
}

#define ALLOW                                                                           \
	"\"hooks\":{\"allow\":[{\"path\":\"/usr/libexec/oci/ok\"},"                     \
	"{\"path\":\"/usr/libexec/oci/"                                                 \
	"args\",\"args\":[\"args\",\"--x\"],\"stages\":[\"poststop\"]},"                \
	"{\"path\":\"/opt/world/hook\"},{\"path\":\"/usr/libexec/oci/user\"},"          \
	"{\"path\":\"/usr/libexec/oci/link\"},{\"path\":\"/usr/libexec/oci/missing\"}," \
	"{\"path\":\"/usr/libexec/oci/gw\"},{\"path\":\"/usr/libexec/oci\"},"           \
	"{\"path\":\"/tmp/ci/hook\"},{\"path\":\"/tmp/alice/hook\"}]}"

/* The hook files of the tests (hardshim's own binary, HS_FAKE_HOST_SELF, the harness adds). */
static void setup_host(struct hs_fake_host *fh)
{
	assert_int_equal(hs_fake_host_add_file(fh, "/usr/libexec/oci/ok", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(fh, "/usr/libexec/oci/args", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(fh, "/opt/world", 0, 0, 0777), 0);
	assert_int_equal(hs_fake_host_add_file(fh, "/opt/world/hook", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(fh, "/usr/libexec/oci/user", 1000, 1000, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(fh, "/usr/libexec/oci/gw", 0, 0, 0775), 0);
	assert_int_equal(hs_fake_host_add_symlink(fh, "/usr/libexec/oci/link", "ok"), 0);
	/* under the sticky /tmp: a root-owned directory only root can rename, and a user's */
	assert_int_equal(hs_fake_host_add_dir(fh, "/tmp/ci", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(fh, "/tmp/ci/hook", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(fh, "/tmp/alice", 1000, 1000, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(fh, "/tmp/alice/hook", 0, 0, 0755), 0);
}

/* The controls under POL over a config with HOOKS, on the invented host with the hook files
 * (no_rewrite: hook mode). */
static void run(struct hs_t *f, const char *pol, const char *hooks, bool no_rewrite)
{
	const struct t_opts o = { .no_rewrite = no_rewrite, .host_setup = setup_host };

	t_policy_with(f, pol, NULL, config(hooks), no_rewrite ? HS_EVENT_HOOK : HS_EVENT_CREATE,
		      &o);
}

static void expect(const char *pol, const char *hooks, const char *rule, const char *path)
{
	struct hs_t f;

	run(&f, pol, hooks, false);
	if (rule && !t_find(&f, rule, path)) {
		t_dump(&f);
		fail_msg("%s: want %s at %s", hooks, rule, path);
	}
	if (!rule && t_count(&f, "hooks.")) {
		t_dump(&f);
		fail_msg("%s: want no hooks finding", hooks);
	}
	assert_int_equal(f.report->refused, rule != NULL);
	t_done(&f);
}

static void test_allowlisted_root_owned_passes(void **state)
{
	expect(ALLOW,
	       "\"prestart\":[{\"path\":\"/usr/libexec/oci/ok\",\"args\":[\"ok\",\"anything\"]}],"
	       "\"poststop\":[{\"path\":\"/usr/libexec/oci/args\",\"args\":[\"args\",\"--x\"]}]",
	       NULL, NULL);
}

static void test_not_allowlisted(void **state)
{
	expect(NULL, "\"createRuntime\":[{\"path\":\"/usr/libexec/oci/ok\"}]",
	       "hooks.not-allowlisted", "hooks.createRuntime[0].path");
	expect(ALLOW, "\"poststart\":[{\"path\":\"/usr/libexec/oci/ok\"},{\"path\":\"/tmp/evil\"}]",
	       "hooks.not-allowlisted", "hooks.poststart[1].path");
	expect(ALLOW, "\"prestart\":[{\"path\":\"relative/hook\"}]", "hooks.not-absolute",
	       "hooks.prestart[0].path");
	/* args and stage are part of the entry */
	expect(ALLOW,
	       "\"poststop\":[{\"path\":\"/usr/libexec/oci/args\",\"args\":[\"args\",\"--y\"]}]",
	       "hooks.not-allowlisted", "hooks.poststop[0].path");
	expect(ALLOW, "\"poststop\":[{\"path\":\"/usr/libexec/oci/args\"}]",
	       "hooks.not-allowlisted", "hooks.poststop[0].path");
	expect(ALLOW,
	       "\"prestart\":[{\"path\":\"/usr/libexec/oci/args\",\"args\":[\"args\",\"--x\"]}]",
	       "hooks.not-allowlisted", "hooks.prestart[0].path");
	/* a lexical variant of an allowlisted path is not the allowlisted path */
	expect(ALLOW, "\"prestart\":[{\"path\":\"/usr/libexec/oci/../oci/ok\"}]",
	       "hooks.not-allowlisted", NULL);
}

static void test_unsafe_files(void **state)
{
	/* a sticky directory above root-owned ones: nobody but root can swap the hook */
	expect(ALLOW, "\"prestart\":[{\"path\":\"/tmp/ci/hook\"}]", NULL, NULL);
	/* a user's directory in it: the user can */
	expect(ALLOW, "\"prestart\":[{\"path\":\"/tmp/alice/hook\"}]", "hooks.unsafe-file", NULL);
	expect(ALLOW, "\"prestart\":[{\"path\":\"/opt/world/hook\"}]", "hooks.unsafe-file",
	       "hooks.prestart[0].path");
	expect(ALLOW, "\"prestart\":[{\"path\":\"/usr/libexec/oci/user\"}]", "hooks.unsafe-file",
	       NULL);
	expect(ALLOW, "\"prestart\":[{\"path\":\"/usr/libexec/oci/gw\"}]", "hooks.unsafe-file",
	       NULL);
	expect(ALLOW, "\"prestart\":[{\"path\":\"/usr/libexec/oci/link\"}]", "hooks.unsafe-file",
	       NULL);
	expect(ALLOW, "\"prestart\":[{\"path\":\"/usr/libexec/oci/missing\"}]", "hooks.unsafe-file",
	       NULL);
	expect(ALLOW, "\"prestart\":[{\"path\":\"/usr/libexec/oci\"}]", "hooks.unsafe-file", NULL);
}

/* The hook files, and a host that cannot canonicalize a path. */
static void setup_host_failing(struct hs_fake_host *fh)
{
	setup_host(fh);
	assert_int_equal(hs_fake_host_fail(fh, "canonicalize", EIO), 0);
}

static void test_host_failure_fails_closed(void **state)
{
	struct hs_t f;
	const struct t_opts o = { .host_setup = setup_host_failing };

	run(&f, ALLOW, "", false);
	t_done(&f);
	/* canonicalize failing: the hook is refused, not waved through */
	t_policy_with(&f, ALLOW, NULL, config("\"prestart\":[{\"path\":\"/usr/libexec/oci/ok\"}]"),
		      HS_EVENT_CREATE, &o);
	assert_non_null(t_find(&f, "hooks.unsafe-file", "hooks.prestart[0].path"));
	assert_true(f.report->refused);
	t_done(&f);
}

static void test_own_hook_admitted(void **state)
{
	const char *eg = "\"egress\":{},\"hooks\":{}";
	const char *own = "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\","
			  "\"args\":[\"hardshim\",\"hook\",\"egress\",\"--default\",\"deny\"]}]";
	struct hs_t f;

	/* exactly the hook the egress section in force produces (a config hardshim wrote); the
	 * egress control's own refusal of this namespace-less config is not the hooks' concern */
	run(&f, eg, own, false);
	assert_int_equal(t_count(&f, "hooks."), 0);
	t_done(&f);
	/* Only as `hardshim hook ...`. */
	expect(eg,
	       "\"createRuntime\":[{\"path\":\"/usr/local/bin/"
	       "hardshim\",\"args\":[\"hardshim\",\"check\"]}]",
	       "hooks.not-allowlisted", NULL);
	/* Another path with the same arguments is not hardshim. */
	expect(eg,
	       "\"createRuntime\":[{\"path\":\"/usr/libexec/oci/"
	       "ok\",\"args\":[\"hardshim\",\"hook\",\"egress\",\"--default\",\"deny\"]}]",
	       "hooks.not-allowlisted", NULL);
	/* The config may not choose what hardshim does as root on the host: other egress
	 * arguments, another stage, another entry point, an environment (HARDSHIM_POLICY). */
	expect(eg,
	       "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\","
	       "\"args\":[\"hardshim\",\"hook\",\"egress\",\"--default\",\"allow\"]}]",
	       "hooks.not-allowlisted", "hooks.createRuntime[0].path");
	expect(eg,
	       "\"poststart\":[{\"path\":\"/usr/local/bin/hardshim\","
	       "\"args\":[\"hardshim\",\"hook\",\"egress\",\"--default\",\"deny\"]}]",
	       "hooks.not-allowlisted", "hooks.poststart[0].path");
	expect(eg,
	       "\"prestart\":[{\"path\":\"/usr/local/bin/"
	       "hardshim\",\"args\":[\"hardshim\",\"hook\",\"createRuntime\"],"
	       "\"env\":[\"HARDSHIM_POLICY=/var/lib/x/rootfs/p.json\"]}]",
	       "hooks.not-allowlisted", "hooks.prestart[0].path");
	expect(eg,
	       "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\","
	       "\"args\":[\"hardshim\",\"hook\",\"egress\",\"--default\",\"deny\"],"
	       "\"env\":[\"HARDSHIM_POLICY=/tmp/p.json\"]}]",
	       "hooks.not-allowlisted", "hooks.createRuntime[0].path");
	/* hook mode as installed (hooks.d: no env) or as a test installs it (HARDSHIM_POLICY of
	 * the policy in force: t_policy_load's file is gone, so only the no-env form here) */
	run(&f, eg,
	    "\"createRuntime\":[{\"path\":\"/usr/local/bin/"
	    "hardshim\",\"args\":[\"hardshim\",\"hook\",\"createRuntime\"]}],"
	    "\"prestart\":[{\"path\":\"/usr/local/bin/"
	    "hardshim\",\"args\":[\"hardshim\",\"hook\",\"prestart\"]}]",
	    false);
	assert_int_equal(t_count(&f, "hooks."), 0);
	t_done(&f);
	/* ...but not in another stage than its own */
	expect(eg,
	       "\"poststart\":[{\"path\":\"/usr/local/bin/"
	       "hardshim\",\"args\":[\"hardshim\",\"hook\",\"createRuntime\"]}]",
	       "hooks.not-allowlisted", "hooks.poststart[0].path");
	expect(eg,
	       "\"prestart\":[{\"path\":\"/usr/local/bin/"
	       "hardshim\",\"args\":[\"hardshim\",\"hook\",\"createRuntime\"]}]",
	       "hooks.not-allowlisted", "hooks.prestart[0].path");
	/* egress switched off: hardshim injects nothing, so admits nothing */
	expect(NULL, own, "hooks.not-allowlisted", NULL);
	/* in hook mode (no rewrite), the injected hook of a config hardshim wrote passes */
	run(&f, eg, own, true);
	assert_int_equal(t_count(&f, "hooks."), 0);
	t_done(&f);
}

/* The devices control's `hardshim hook devices` (denies of the runtimes' own grants) passes
 * as it writes it, in createRuntime with no env; it can only take access away, yet nothing
 * else under that name does: another device, another stage, an environment. */
static void test_own_devices_hook(void **state)
{
	/* the devices control off: it would replace any hook of that name with its own */
	const char *off = "\"devices\":{\"enabled\":false}";
	struct hs_t f;

	run(&f, off,
	    "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\","
	    "\"hook\",\"devices\",\"c 10:200 rwm\",\"c 5:1 rwm\"],\"timeout\":10}]",
	    false);
	assert_int_equal(t_count(&f, "hooks."), 0);
	t_done(&f);
	expect(off,
	       "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\","
	       "\"hook\",\"devices\",\"c 1:3 rwm\"]}]",
	       "hooks.not-allowlisted", "hooks.createRuntime[0].path");
	expect(off,
	       "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\","
	       "\"hook\",\"devices\"]}]",
	       "hooks.not-allowlisted", "hooks.createRuntime[0].path");
	expect(off,
	       "\"prestart\":[{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\","
	       "\"hook\",\"devices\",\"c 5:1 rwm\"]}]",
	       "hooks.not-allowlisted", "hooks.prestart[0].path");
	expect(off,
	       "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\","
	       "\"hook\",\"devices\",\"c 5:1 rwm\"],\"env\":[\"LD_PRELOAD=/tmp/x.so\"]}]",
	       "hooks.not-allowlisted", "hooks.createRuntime[0].path");
}

/* `hardshim hook devices-egress RULE... ARGS` (one process for both, on run and restore) passes
 * exactly as the egress control writes it: one or two of the devices hook's denies, then the
 * egress section in force, in createRuntime with no env. A forged or extended one is refused
 * at its own path: one more argument (a wider allow), a third rule, another device, no rule,
 * no egress half, another binary, an environment, another stage, egress switched off. */
#define DE_HEAD                                                                             \
	"\"createRuntime\":[{\"path\":\"/usr/libexec/oci/ok\"},{\"path\":\"/usr/local/bin/" \
	"hardshim\","                                                                       \
	"\"args\":[\"hardshim\",\"hook\",\"devices-egress\","
static void test_own_devices_egress_hook(void **state)
{
	/* the devices control off: it would take the hook's denies as its own to redo */
	const char *eg = "\"devices\":{\"enabled\":false},\"egress\":{},"
			 "\"hooks\":{\"allow\":[{\"path\":\"/usr/libexec/oci/ok\"}]}";
	static const char *const forged[] = {
		DE_HEAD "\"c 10:200 rwm\",\"--default\",\"deny\",\"--allow\",\"0.0.0.0/0\"]}]",
		DE_HEAD "\"c 10:200 rwm\",\"c 5:1 rwm\",\"c 5:1 rwm\",\"--default\",\"deny\"]}]",
		DE_HEAD "\"c 1:3 rwm\",\"--default\",\"deny\"]}]",
		DE_HEAD "\"--default\",\"deny\"]}]",
		DE_HEAD "\"c 10:200 rwm\",\"c 5:1 rwm\"]}]",
		DE_HEAD "\"c 10:200 rwm\",\"--default\",\"allow\"]}]",
		DE_HEAD "\"c 10:200 rwm\",\"--default\",\"deny\"],\"env\":[\"LD_PRELOAD=/x.so\"]}]",
		"\"createRuntime\":[{\"path\":\"/usr/libexec/oci/ok\"},{\"path\":\"/opt/world/"
		"hook\","
		"\"args\":[\"hardshim\",\"hook\",\"devices-egress\",\"c 10:200 rwm\",\"--default\","
		"\"deny\"]}]",
	};
	struct hs_t f;

	run(&f, eg,
	    "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\","
	    "\"hook\",\"devices-egress\",\"c 10:200 rwm\",\"c 5:1 rwm\",\"--default\",\"deny\"],"
	    "\"timeout\":10}]",
	    false);
	assert_int_equal(t_count(&f, "hooks."), 0);
	t_done(&f);
	run(&f, eg,
	    "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\","
	    "\"hook\",\"devices-egress\",\"c 5:1 m\",\"--default\",\"deny\"]}]",
	    true);
	assert_int_equal(t_count(&f, "hooks."), 0);
	t_done(&f);
	for (size_t i = 0; i < HS_ARRAY_SIZE(forged); i++) {
		/* an allowlisted hook before it: the path names the forged one */
		expect(eg, forged[i], "hooks.not-allowlisted", "hooks.createRuntime[1].path");
	}
	expect("\"devices\":{\"enabled\":false},\"egress\":{},\"hooks\":{}",
	       "\"prestart\":[{\"path\":\"/usr/local/bin/"
	       "hardshim\",\"args\":[\"hardshim\",\"hook\","
	       "\"devices-egress\",\"c 10:200 rwm\",\"--default\",\"deny\"]}]",
	       "hooks.not-allowlisted", "hooks.prestart[0].path");
	/* egress switched off: hardshim writes no such hook, so admits none */
	expect("\"devices\":{\"enabled\":false},\"egress\":{\"enabled\":false},\"hooks\":{}",
	       "\"createRuntime\":[{\"path\":\"/usr/local/bin/hardshim\",\"args\":[\"hardshim\","
	       "\"hook\",\"devices-egress\",\"c 10:200 rwm\",\"--default\",\"deny\"]}]",
	       "hooks.not-allowlisted", "hooks.createRuntime[0].path");
}

static void test_rewrite_strips_and_hook_mode(void **state)
{
	struct hs_t f;

	run(&f, "\"hooks\":{\"action\":\"rewrite\",\"allow\":[{\"path\":\"/usr/libexec/oci/ok\"}]}",
	    "\"prestart\":[{\"path\":\"/tmp/evil\"},{\"path\":\"/usr/libexec/oci/"
	    "ok\"}],\"poststop\":[{\"path\":\"/bin/sh\"}]",
	    false);
	assert_false(f.report->refused);
	/* (the devices control's own createRuntime hook is added to every create) */
	assert_non_null(strstr(t_emit(&f), "\"hooks\":{\"prestart\":[{\"path\":\"/usr/libexec/oci/"
					   "ok\"}],\"poststop\":[],\"createRuntime\":[{\"path\":"));
	t_done(&f);
	run(&f, "\"hooks\":{\"action\":\"rewrite\"}", "\"prestart\":[{\"path\":\"/tmp/evil\"}]",
	    true);
	assert_true(f.report->refused);
	t_done(&f);
}

/* An allowlisted binary with the config's LD_PRELOAD runs the image's library as root on the
 * host: the hook's env is the administrator's, exactly. */
static void test_env_is_the_admins(void **state)
{
	static const char pol[] =
	    "\"hooks\":{\"allow\":[{\"path\":\"/usr/libexec/oci/ok\",\"stages\":[\"prestart\"]},"
	    "{\"path\":\"/usr/libexec/oci/args\",\"env\":[\"A=1\"]}]}";
	struct hs_t f;

	expect(pol,
	       "\"prestart\":[{\"path\":\"/usr/libexec/oci/ok\",\"env\":[\"LD_PRELOAD=/run/"
	       "containers/x/rootfs/evil.so\"]}]",
	       "hooks.env", "hooks.prestart[0].env");
	expect(pol, "\"poststop\":[{\"path\":\"/usr/libexec/oci/args\",\"env\":[\"A=1\",\"B=2\"]}]",
	       "hooks.env", "hooks.poststop[0].env");
	expect(pol, "\"poststop\":[{\"path\":\"/usr/libexec/oci/args\"}]", "hooks.env",
	       "hooks.poststop[0].env");
	expect(pol, "\"poststop\":[{\"path\":\"/usr/libexec/oci/args\",\"env\":[\"A=1\"]}]", NULL,
	       NULL);
	expect(pol, "\"prestart\":[{\"path\":\"/usr/libexec/oci/ok\",\"env\":[]}]", NULL, NULL);
	/* rewrite: the administrator's env in its place */
	run(&f,
	    "\"hooks\":{\"action\":\"rewrite\",\"allow\":[{\"path\":\"/usr/libexec/oci/ok\"},"
	    "{\"path\":\"/usr/libexec/oci/args\",\"env\":[\"A=1\"]}]}",
	    "\"prestart\":[{\"path\":\"/usr/libexec/oci/ok\",\"env\":[\"LD_PRELOAD=/x.so\"]}],"
	    "\"poststop\":[{\"path\":\"/usr/libexec/oci/args\",\"env\":[\"LD_PRELOAD=/x.so\"]}]",
	    false);
	assert_false(f.report->refused);
	assert_non_null(strstr(t_emit(&f), "\"prestart\":[{\"path\":\"/usr/libexec/oci/ok\"}]"));
	assert_non_null(strstr(t_emit(&f), "\"env\":[\"A=1\"]"));
	assert_null(strstr(t_emit(&f), "LD_PRELOAD"));
	t_done(&f);
}

static void test_disabled(void **state)
{
	struct hs_t f;

	run(&f, "\"hooks\":{\"enabled\":false}", "\"prestart\":[{\"path\":\"/tmp/evil\"}]", false);
	assert_int_equal(t_count(&f, "hooks."), 0);
	t_done(&f);
}

static void test_policy_section_refusals(void **state)
{
	t_policy_refused("\"hooks\":{\"allow\":[{\"path\":\"hook\"}]}", NULL, "policy.hooks",
			 "controls.hooks");
	t_policy_refused("\"hooks\":{\"allow\":[{\"path\":\"/a/../b\"}]}", NULL, "policy.hooks",
			 NULL);
	t_policy_refused("\"hooks\":{\"allow\":[{\"path\":\"/a\",\"stages\":[\"precreate\"]}]}",
			 NULL, "policy.hooks", NULL);
	t_policy_refused("\"hooks\":{\"allow\":[{\"path\":\"/a\",\"timeout\":1}]}", NULL,
			 "policy.unknown-key", "controls.hooks.allow[0].timeout");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowlisted_root_owned_passes),
		cmocka_unit_test(test_not_allowlisted),
		cmocka_unit_test(test_unsafe_files),
		cmocka_unit_test(test_host_failure_fails_closed),
		cmocka_unit_test(test_own_hook_admitted),
		cmocka_unit_test(test_rewrite_strips_and_hook_mode),
		cmocka_unit_test(test_own_devices_hook),
		cmocka_unit_test(test_own_devices_egress_hook),
		cmocka_unit_test(test_env_is_the_admins),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_policy_section_refusals),
	};
	return cmocka_run_group_tests_name("hooks", tests, NULL, NULL);
}
