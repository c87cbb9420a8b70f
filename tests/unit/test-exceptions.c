/* SPDX-License-Identifier: Apache-2.0
 * Policy selection (issue 3 item 10): a named exception, matched by annotations the
 * orchestrator sets, relaxes specific controls for the containers it matches; every finding
 * made under it records its name; nothing else is relaxed; the loader refuses exceptions
 * that could be selected by the image or that do not say what they relax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "harness.h"

#define NS "\"namespaces\":[{\"type\":\"network\"},{\"type\":\"ipc\"}]"

static char *config(const char *ann)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"annotations\":{%s},"
		 "\"linux\":{" NS ",\"sysctl\":{\"net.core.somaxconn\":\"4096\"},"
		 "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
		 "\"pids\":{\"limit\":2000},\"memory\":{\"limit\":268435456}}}}",
		 ann);
	return buf;
}

#define CONTROLS                                                                              \
	"\"resources\":{\"pids_default\":100,\"pids_max\":1000,\"memory_default\":268435456," \
	"\"memory_max\":1073741824}"
#define EXC_SYSCTL                                                                       \
	"{\"name\":\"ingress\",\"match\":{\"annotations\":{\"io.kubernetes.cri.sandbox-" \
	"namespace\":\"ingress\"}},"                                                     \
	"\"controls\":{\"sysctl\":{\"allow\":[\"net.core.somaxconn\"]}}}"
#define EXC_PIDS                                                                                \
	"{\"name\":\"builders\",\"match\":{\"annotations\":{\"io.kubernetes.cri.sandbox-"       \
	"namespace\":\"ci\","                                                                   \
	"\"io.kubernetes.cri.container-name\":\"build\"}},\"controls\":{\"resources\":{\"pids_" \
	"max\":4096}}}"

static void test_matched_exception_relaxes_one_control(void **state)
{
	struct hs_t f;
	const struct hs_finding *x;

	/* Without the annotation: somaxconn refused, pids over the maximum refused. */
	t_policy(&f, CONTROLS, EXC_SYSCTL "," EXC_PIDS,
		 config("\"io.kubernetes.cri.sandbox-namespace\":\"default\""), HS_EVENT_CREATE);
	assert_non_null((x = t_find(&f, "sysctl.not-allowed", NULL)));
	assert_null(x->exception);
	assert_non_null(t_find(&f, "resources.pids-max", "linux.resources.pids.limit"));
	t_done(&f);

	/* With it: somaxconn allowed, but the pids maximum still holds — and its finding
	 * records the exception that was in force. */
	t_policy(&f, CONTROLS, EXC_SYSCTL "," EXC_PIDS,
		 config("\"io.kubernetes.cri.sandbox-namespace\":\"ingress\""), HS_EVENT_CREATE);
	assert_null(t_find(&f, "sysctl.not-allowed", NULL));
	assert_non_null((x = t_find(&f, "resources.pids-max", NULL)));
	assert_non_null(x->exception);
	assert_string_equal(x->exception, "ingress");
	assert_true(f.report->refused);
	t_done(&f);
}

static void test_every_annotation_must_match(void **state)
{
	struct hs_t f;
	const struct hs_finding *x;

	t_policy(&f, CONTROLS, EXC_PIDS, config("\"io.kubernetes.cri.sandbox-namespace\":\"ci\""),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "resources.pids-max", "linux.resources.pids.limit"));
	t_done(&f);
	t_policy(&f, CONTROLS, EXC_PIDS,
		 config("\"io.kubernetes.cri.sandbox-namespace\":\"ci\",\"io.kubernetes.cri."
			"container-name\":\"build\""),
		 HS_EVENT_CREATE);
	assert_null(t_find(&f, "resources.pids-max", NULL));
	/* the exception's section is merged over the base: the base default still applies */
	assert_non_null((x = t_find(&f, "sysctl.not-allowed", NULL)));
	assert_string_equal(x->exception, "builders");
	t_done(&f);
}

static void test_near_misses_do_not_match(void **state)
{
	static const char *const anns[] = {
		"\"io.kubernetes.cri.sandbox-namespace\":\"Ingress\"",
		"\"io.kubernetes.cri.sandbox-namespace\":\"ingress \"",
		"\"IO.kubernetes.cri.sandbox-namespace\":\"ingress\"",
		"\"io.kubernetes.cri.sandbox-namespace.\":\"ingress\"",
		"\"x\":\"io.kubernetes.cri.sandbox-namespace\"",
	};

	for (size_t i = 0; i < HS_ARRAY_SIZE(anns); i++) {
		struct hs_t f;

		t_policy(&f, CONTROLS, EXC_SYSCTL, config(anns[i]), HS_EVENT_CREATE);
		if (!t_find(&f, "sysctl.not-allowed", NULL))
			fail_msg("exception selected by %s", anns[i]);
		t_done(&f);
	}
}

static void test_first_match_wins(void **state)
{
	struct hs_t f;
	const char *two =
	    "{\"name\":\"first\",\"match\":{\"annotations\":{\"a\":\"1\"}},\"controls\":{"
	    "\"sysctl\":{\"enabled\":false}}},"
	    "{\"name\":\"second\",\"match\":{\"annotations\":{\"a\":\"1\"}},\"controls\":{}}";

	t_policy(&f, CONTROLS, two, config("\"a\":\"1\""), HS_EVENT_CREATE);
	assert_int_equal(t_count(&f, "sysctl."), 0);
	assert_string_equal(t_find(&f, "resources.pids-max", NULL)->exception, "first");
	t_done(&f);
}

static void test_disabling_a_control_by_exception(void **state)
{
	struct hs_t f;
	const char *exc = "{\"name\":\"legacy\",\"match\":{\"annotations\":{\"io.kubernetes.cri."
			  "sandbox-namespace\":\"legacy\"}},"
			  "\"controls\":{\"resources\":{\"enabled\":false}}}";

	t_policy(&f, CONTROLS, exc, config("\"io.kubernetes.cri.sandbox-namespace\":\"legacy\""),
		 HS_EVENT_CREATE);
	assert_int_equal(t_count(&f, "resources."), 0);
	assert_non_null(t_find(&f, "sysctl.not-allowed", "linux.sysctl[\"net.core.somaxconn\"]"));
	t_done(&f);
}

static void test_update_and_hook_paths(void **state)
{
	struct hs_t f;

	/* An update document carries no annotations: the base policy applies. */
	t_policy(&f, CONTROLS, EXC_PIDS, "{\"pids\":{\"limit\":2000}}", HS_EVENT_UPDATE);
	assert_non_null(t_find(&f, "resources.pids-max", "pids.limit"));
	assert_null(t_find(&f, "resources.pids-max", "pids.limit")->exception);
	t_done(&f);
	/* Hook mode re-reads the same config: the same exception. */
	t_policy_with(&f, CONTROLS, EXC_SYSCTL,
		      config("\"io.kubernetes.cri.sandbox-namespace\":\"ingress\""), HS_EVENT_HOOK,
		      &(struct t_opts){ .no_rewrite = true });
	assert_null(t_find(&f, "sysctl.not-allowed", NULL));
	t_done(&f);
}

static void test_loader_refusals(void **state)
{
	t_policy_refused(CONTROLS,
			 "{\"name\":\"x\",\"match\":{\"annotations\":{\"org.opencontainers.image."
			 "title\":\"x\"}},\"controls\":{}}",
			 "policy.exception", "exceptions[0]");
	t_policy_refused(CONTROLS,
			 "{\"name\":\"x\",\"match\":{\"annotations\":{}},\"controls\":{}}",
			 "policy.exception", "exceptions[0]");
	t_policy_refused(CONTROLS,
			 "{\"name\":\"\",\"match\":{\"annotations\":{\"a\":\"1\"}},\"controls\":{}"
			 "}",
			 "policy.exception", "exceptions[0]");
	t_policy_refused(CONTROLS, "{\"match\":{\"annotations\":{\"a\":\"1\"}},\"controls\":{}}",
			 "policy.exception", "exceptions[0]");
	t_policy_refused(
	    CONTROLS,
	    "{\"name\":\"x\",\"match\":{\"annotations\":{\"a\":\"1\"}},\"controls\":{}},"
	    "{\"name\":\"x\",\"match\":{\"annotations\":{\"b\":\"1\"}},\"controls\":{}}",
	    "policy.exception", "exceptions[1]");
	t_policy_refused(CONTROLS,
			 "{\"name\":\"x\",\"match\":{\"annotations\":{\"a\":\"1\"}},\"controls\":{"
			 "\"sysctls\":{}}}",
			 "policy.unknown-control", "exceptions[0].controls.sysctls");
	t_policy_refused(CONTROLS,
			 "{\"name\":\"x\",\"match\":{\"annotations\":{\"a\":\"1\"}},\"controls\":{"
			 "\"sysctl\":{\"allowed\":[]}}}",
			 "policy.unknown-key", "exceptions[0].controls.sysctl.allowed");
	t_policy_refused(CONTROLS,
			 "{\"name\":\"x\",\"match\":{\"annotations\":{\"a\":\"1\"}},\"controls\":{"
			 "\"resources\":{\"pids_max\":10}}}",
			 "policy.resources", "exceptions[0].controls.resources");
	t_policy_refused(CONTROLS,
			 "{\"name\":\"x\",\"match\":{\"annotations\":{\"a\":1}},\"controls\":{}}",
			 "policy.type", NULL);
	t_policy_refused(CONTROLS,
			 "{\"name\":\"x\",\"match\":{\"labels\":{\"a\":\"1\"}},\"controls\":{}}",
			 "policy.unknown-key", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matched_exception_relaxes_one_control),
		cmocka_unit_test(test_every_annotation_must_match),
		cmocka_unit_test(test_near_misses_do_not_match),
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_disabling_a_control_by_exception),
		cmocka_unit_test(test_update_and_hook_paths),
		cmocka_unit_test(test_loader_refusals),
	};
	return cmocka_run_group_tests_name("exceptions", tests, NULL, NULL);
}
