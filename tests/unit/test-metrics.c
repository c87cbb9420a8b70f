/* SPDX-License-Identifier: Apache-2.0
 * `hardshim metrics` counting (src/cli/metrics.c): which findings count as refusals, rewrites
 * or audit findings, exceptions counted once per launch, label values escaped so a hostile
 * string cannot forge a sample, and lines that are not records counted apart, not guessed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs-audit.h"
#include "hs-cli.h"

static char *render(const char *log)
{
	char path[] = "/tmp/hs-test-metrics-XXXXXX";
	struct hs_error err = HS_ERROR_INIT;
	struct hs_abuf out = { 0 };
	char *files[1] = { path };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(hs_write_all(fd, log, strlen(log)), 0);
	close(fd);
	assert_int_equal(hs_metrics_render(files, 1, NULL, &out, &err), 0);
	unlink(path);
	assert_false(out.oom);
	return out.buf;
}

#define REC(mode, verdict, findings)                                                 \
	"{\"event\":\"create\",\"runtime\":\"/usr/bin/runc\",\"mode\":\"" mode "\"," \
	"\"verdict\":\"" verdict "\",\"findings\":[" findings "]}\n"
#define F(rule, action) "{\"rule\":\"" rule "\",\"action\":\"" action "\"}"
#define FX(rule, action, e) \
	"{\"rule\":\"" rule "\",\"action\":\"" action "\",\"exception\":\"" e "\"}"

static void test_counts_by_verdict_and_mode(void **state)
{
	char *t = render(REC("enforce", "refused",
			     F("mounts.sensitive-source", "refuse") "," F("user.root", "rewrite"))
			     REC("enforce", "rewritten", F("user.root", "rewrite"))
				 REC("audit", "allowed", F("mounts.sensitive-source", "refuse")));

	assert_non_null(strstr(t, "hardshim_launches_total{verdict=\"refused\",event=\"create\","
				  "runtime=\"/usr/bin/runc\"} 1\n"));
	assert_non_null(strstr(t, "hardshim_refusals_total{rule=\"mounts.sensitive-source\"} 1\n"));
	/* The refused launch's rewrite was never applied: one rewrite, not two. */
	assert_non_null(strstr(t, "hardshim_rewrites_total{rule=\"user.root\"} 1\n"));
	assert_non_null(strstr(t, "hardshim_audit_findings_total{rule=\"mounts.sensitive-source\","
				  "action=\"refuse\"} 1\n"));
	assert_non_null(strstr(t, "hardshim_log_records 3\n"));
	/* Hand-made lines carry no hash: the chain is reported broken. */
	assert_non_null(strstr(t, "hardshim_log_chain_intact 0\n"));
	free(t);
}

static void test_exception_once_per_launch(void **state)
{
	char *t =
	    render(REC("enforce", "rewritten",
		       FX("user.root", "rewrite",
			  "ingress") "," FX("caps.drop", "rewrite",
					    "ingress")) "{\"event\":\"create\",\"verdict\":"
							"\"allowed\",\"exception\":\"agents\","
							"\"findings\":[]}\n"
							"{\"event\":\"create\",\"verdict\":"
							"\"rewritten\",\"exception_expired\":"
							"\"old\",\"findings\":[]}\n");

	assert_non_null(strstr(t, "hardshim_exception_launches_total{exception=\"ingress\"} 1\n"));
	assert_non_null(strstr(t, "hardshim_exception_launches_total{exception=\"agents\"} 1\n"));
	assert_non_null(
	    strstr(t, "hardshim_exception_expired_launches_total{exception=\"old\"} 1\n"));
	free(t);
}

static void test_hostile_strings_and_junk(void **state)
{
	char *t = render("{\"event\":\"create\",\"runtime\":\"/x\\\"} 99\\n# a\\\\\","
			 "\"verdict\":\"allowed\",\"findings\":[]}\n"
			 "not json\n\n{\"event\":\"create\"}\n");

	/* The quote, newline and backslash are escaped: still one sample, one line. */
	assert_non_null(strstr(t, "runtime=\"/x\\\"} 99\\n# a\\\\\"} 1\n"));
	assert_non_null(strstr(t, "hardshim_log_records 1\n"));
	assert_non_null(strstr(t, "hardshim_log_unreadable_lines 2\n"));
	free(t);
}

static void test_runtime_failures(void **state)
{
	char *t = render("{\"event\":\"create\",\"runtime\":\"/r\",\"verdict\":\"rewritten\","
			 "\"findings\":[]}\n"
			 "{\"event\":\"runtime-failed\",\"command\":\"create\",\"runtime\":\"/r\","
			 "\"of\":\"x\",\"exit\":1}\n");

	(void)state;
	/* A failure is its own series, not a launch and not an unreadable line. */
	assert_non_null(
	    strstr(t, "hardshim_runtime_failures_total{command=\"create\",runtime=\"/r\"} 1\n"));
	assert_non_null(strstr(t, "hardshim_launches_total{verdict=\"rewritten\",event=\"create\","
				  "runtime=\"/r\"} 1\n"));
	assert_non_null(strstr(t, "hardshim_log_records 2\n"));
	assert_non_null(strstr(t, "hardshim_log_unreadable_lines 0\n"));
	free(t);
}

static void test_reanchor_is_a_record(void **state)
{
	char *t = render("{\"event\":\"create\",\"runtime\":\"/r\",\"verdict\":\"allowed\","
			 "\"findings\":[]}\n"
			 "{\"time\":\"2026-12-04T12:00:00Z\",\"event\":\"reanchor\","
			 "\"head_was\":\"missing\",\"log_was\":{\"seq\":1,\"size\":80,\"cut\":0},"
			 "\"pid\":1,\"who\":{\"uid\":0}}\n");

	(void)state;
	/* An operator's reanchor is a record of its own, counted apart: not a launch and not a
	 * damaged line (before, it raised hardshim_log_unreadable_lines). */
	assert_non_null(strstr(t, "hardshim_log_records 2\n"));
	assert_non_null(strstr(t, "hardshim_log_unreadable_lines 0\n"));
	assert_non_null(strstr(t, "# TYPE hardshim_log_reanchors_total counter\n"
				  "hardshim_log_reanchors_total 1\n"));
	assert_null(strstr(t, "event=\"reanchor\""));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_by_verdict_and_mode),
		cmocka_unit_test(test_exception_once_per_launch),
		cmocka_unit_test(test_hostile_strings_and_junk),
		cmocka_unit_test(test_runtime_failures),
		cmocka_unit_test(test_reanchor_is_a_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
