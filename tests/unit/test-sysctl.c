/* SPDX-License-Identifier: Apache-2.0
 * The sysctl control: "/" separators normalized before the allowlist, CVE-2022-0811 values,
 * net.* and kernel.shm* only with the container's own namespace, duplicates after
 * normalization, rewrite (strip) and the policy section. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "harness.h"

#define NS_ALL                                                                                    \
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":" \
	"\"mount\"}]"
#define PORT_START "net.ipv4.ip_unprivileged_port_start"
#define NS_NO_NET  "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"mount\"}]"
#define NS_USER_JOINED_NET                                                                 \
	"\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\",\"path\":\"/run/netns/" \
	"cni-1111\"}]"

static char *config(const char *ns, const char *sysctl)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
		 "\"root\":{\"path\":\"rootfs\"},\"linux\":{%s,\"sysctl\":{%s}}}",
		 ns, sysctl);
	return buf;
}

static void test_safe_set_allowed(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL,
		 config(NS_ALL,
			"\"kernel.shm_rmid_forced\":\"1\",\"net.ipv4.ip_local_port_range\":\"1024 "
			"65000\","
			"\"net/ipv4/tcp_syncookies\":\"1\",\"net.ipv4.ping_group_range\":\"0 0\","
			"\"net.ipv4.ip_unprivileged_port_start\":\"80\",\"net.ipv4.tcp_keepalive_"
			"time\":\"60\","
			"\"net.ipv4.tcp_keepalive_intvl\":\"10\",\"net.ipv4.tcp_keepalive_probes\":"
			"\"3\","
			"\"net.ipv4.tcp_fin_timeout\":\"30\",\"net.ipv4.ip_local_reserved_ports\":"
			"\"8080\""),
		 HS_EVENT_CREATE);
	if (t_count(&f, "sysctl."))
		t_dump(&f);
	assert_int_equal(t_count(&f, "sysctl."), 0);
	assert_false(f.report->refused);
	t_done(&f);
}

static void test_not_allowed_slash_and_dot(void **state)
{
	struct hs_t f;
	const struct hs_finding *x;

	t_policy(&f, NULL, NULL,
		 config(NS_ALL, "\"kernel/core_pattern\":\"|/x\",\"kernel.domainname\":\"x\""),
		 HS_EVENT_CREATE);
	x = t_find(&f, "sysctl.not-allowed", "linux.sysctl[\"kernel/core_pattern\"]");
	assert_non_null(x);
	assert_int_equal(x->action, HS_ACTION_REFUSE);
	assert_non_null(strstr(x->message, "kernel.core_pattern"));
	assert_non_null(t_find(&f, "sysctl.not-allowed", "linux.sysctl[\"kernel.domainname\"]")
			    ?: t_find(&f, "sysctl.not-allowed", "linux.sysctl.kernel.domainname"));
	assert_true(f.report->refused);
	t_done(&f);
}

static void test_cr8escape_values(void **state)
{
	static const char *const bad[] = { "1+kernel.core_pattern=|/x", "1=2", "1\\nkernel.x=1",
					   "1\\r" };

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_t f;
		char s[256];

		snprintf(s, sizeof(s), "\"kernel.shm_rmid_forced\":\"%s\"", bad[i]);
		t_policy(&f, NULL, NULL, config(NS_ALL, s), HS_EVENT_CREATE);
		if (!t_find(&f, "sysctl.unsafe-value", "linux.sysctl.kernel.shm_rmid_forced") &&
		    !t_find(&f, "sysctl.unsafe-value", NULL))
			fail_msg("value %s not refused", bad[i]);
		assert_true(f.report->refused);
		t_done(&f);
	}
}

static void test_net_needs_own_netns(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL, config(NS_NO_NET, "\"net.ipv4.tcp_syncookies\":\"1\""),
		 HS_EVENT_CREATE);
	assert_non_null(
	    t_find(&f, "sysctl.host-network", "linux.sysctl[\"net.ipv4.tcp_syncookies\"]"));
	assert_true(f.report->refused);
	t_done(&f);
	/* A joined netns (a path) counts as the container's: the namespaces control vets it. */
	t_policy(&f, NULL, NULL,
		 config("\"namespaces\":[{\"type\":\"network\",\"path\":\"/run/netns/cni-1111\"}]",
			"\"net.ipv4.tcp_syncookies\":\"1\""),
		 HS_EVENT_CREATE);
	assert_false(f.report->refused);
	t_done(&f);
	/* ... but the host's own netns joined by path is the host's, by any name */
	static const char *const host_paths[] = { "/proc/1/ns/net", "/proc/self/ns/net",
						  "/proc/4000/ns/net" };
	for (size_t i = 0; i < HS_ARRAY_SIZE(host_paths); i++) {
		char ns[256];

		snprintf(ns, sizeof(ns), "\"namespaces\":[{\"type\":\"network\",\"path\":\"%s\"}]",
			 host_paths[i]);
		t_policy(&f, NULL, NULL, config(ns, "\"net.ipv4.tcp_syncookies\":\"1\""),
			 HS_EVENT_CREATE);
		if (!t_find(&f, "sysctl.host-network", NULL))
			fail_msg("%s not seen as the host's netns", host_paths[i]);
		t_done(&f);
	}
	/* a path the host cannot answer for: fail closed */
	t_policy(&f, NULL, NULL,
		 config("\"namespaces\":[{\"type\":\"network\",\"path\":\"/run/netns/missing\"}]",
			"\"net.ipv4.tcp_syncookies\":\"1\""),
		 HS_EVENT_CREATE);
	assert_non_null(
	    t_find(&f, "sysctl.host-network", "linux.sysctl[\"net.ipv4.tcp_syncookies\"]"));
	t_done(&f);
}

/* pid 1's namespaces out of reach (EACCES), as on a host whose pid 1 is not dumpable (this
 * machine): Podman's config joins a fresh netns by path and was refused as "the host's" there. */
static void pid1_unreadable(struct hs_fake_host *fh)
{
	assert_int_equal(hs_fake_host_fail(fh, "ns_host_pid1", EACCES), 0);
}

/* The harness's checks on doc on that host. */
static void run_pid1_unreadable(struct hs_t *f, const char *doc)
{
	t_policy_with(f, NULL, NULL, doc, HS_EVENT_CREATE,
		      &(struct t_opts){ .host_setup = pid1_unreadable });
}

static void test_net_own_netns_pid1_unreadable(void **state)
{
	struct hs_t f;

	run_pid1_unreadable(&f, config("\"namespaces\":[{\"type\":\"network\",\"path\":\"/run/"
				       "netns/cni-1111\"}]",
				       "\"net.ipv4.tcp_syncookies\":\"1\""));
	if (t_count(&f, "sysctl."))
		t_dump(&f);
	assert_null(t_find(&f, "sysctl.host-network", NULL));
	t_done(&f);
	/* hardshim's own netns is still the host's */
	run_pid1_unreadable(&f, config("\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/"
				       "self/ns/net\"}]",
				       "\"net.ipv4.tcp_syncookies\":\"1\""));
	assert_non_null(
	    t_find(&f, "sysctl.host-network", "linux.sysctl[\"net.ipv4.tcp_syncookies\"]"));
	t_done(&f);
}

static void test_ipc_sysctl_needs_ipc_ns(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL,
		 config("\"namespaces\":[{\"type\":\"network\"}]",
			"\"kernel.shm_rmid_forced\":\"1\""),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "sysctl.host-ipc", "linux.sysctl[\"kernel.shm_rmid_forced\"]"));
	t_done(&f);
}

static void test_duplicate_after_normalization(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL,
		 config(NS_ALL,
			"\"net.ipv4.tcp_syncookies\":\"1\",\"net/ipv4/tcp_syncookies\":\"0\""),
		 HS_EVENT_CREATE);
	assert_non_null(
	    t_find(&f, "sysctl.duplicate", "linux.sysctl[\"net.ipv4.tcp_syncookies\"]"));
	assert_true(f.report->refused);
	t_done(&f);
}

static void test_rewrite_strips(void **state)
{
	struct hs_t f;

	t_policy(&f, "\"sysctl\":{\"action\":\"rewrite\"}", NULL,
		 config(NS_ALL, "\"kernel.core_pattern\":\"|/x\",\"net.ipv4.tcp_syncookies\":\"1\","
				"\"kernel.shm_rmid_forced\":\"1+x=y\""),
		 HS_EVENT_CREATE);
	assert_false(f.report->refused);
	assert_non_null(strstr(t_emit(&f), "\"sysctl\":{\"net.ipv4.tcp_syncookies\":\"1\","
					   "\"" PORT_START "\":\"0\"}"));
	t_done(&f);
	/* Hook mode cannot rewrite: the same finding refuses. */
	t_policy_with(&f, "\"sysctl\":{\"action\":\"rewrite\"}", NULL,
		      config(NS_ALL, "\"kernel.core_pattern\":\"|/x\""), HS_EVENT_HOOK,
		      &(struct t_opts){ .no_rewrite = true });
	assert_true(f.report->refused);
	t_done(&f);
}

/* Issue 14 cause 4: a non-root process cannot bind port 80, and CAP_NET_BIND_SERVICE is never
 * held by one. In the container's own netns, ports start at 0 (Docker does the same). */
static void test_unprivileged_ports(void **state)
{
	struct hs_t f;

	t_policy(&f, NULL, NULL, config(NS_ALL, ""), HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "sysctl.unprivileged-ports", "linux.sysctl"));
	assert_false(f.report->refused);
	assert_non_null(strstr(t_emit(&f), "\"sysctl\":{\"" PORT_START "\":\"0\"}"));
	t_done(&f);
	/* no sysctl map at all: one is made */
	t_policy(&f, NULL, NULL,
		 "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
		 "\"root\":{\"path\":\"rootfs\"},\"linux\":{" NS_ALL "}}",
		 HS_EVENT_CREATE);
	assert_non_null(strstr(t_emit(&f), "\"sysctl\":{\"" PORT_START "\":\"0\"}"));
	t_done(&f);
	/* added even when the admin's allowlist lacks it: it is hardshim's own, not judged */
	t_policy(&f, "\"sysctl\":{\"allow\":[\"net.core.somaxconn\"]}", NULL, config(NS_ALL, ""),
		 HS_EVENT_CREATE);
	assert_false(f.report->refused);
	assert_non_null(strstr(t_emit(&f), PORT_START "\":\"0\""));
	t_done(&f);
	/* the config's own value (any spelling) is kept */
	t_policy(&f, NULL, NULL, config(NS_ALL, "\"net/ipv4/ip_unprivileged_port_start\":\"80\""),
		 HS_EVENT_CREATE);
	assert_null(t_find(&f, "sysctl.unprivileged-ports", NULL));
	assert_null(strstr(t_emit(&f), "\"0\""));
	t_done(&f);
	/* never in the host's network namespace (none of its own) */
	t_policy(&f, NULL, NULL, config(NS_NO_NET, ""), HS_EVENT_CREATE);
	assert_null(t_find(&f, "sysctl.unprivileged-ports", NULL));
	assert_null(strstr(t_emit(&f), PORT_START));
	t_done(&f);
	/* a new user namespace joining a netns by path does not own it: the runtime could not
	 * write the sysctl (Podman --userns=auto --network ns:PATH); a netns made with the user
	 * namespace gets it */
	t_policy(&f, NULL, NULL, config(NS_USER_JOINED_NET, ""), HS_EVENT_CREATE);
	assert_null(t_find(&f, "sysctl.unprivileged-ports", NULL));
	assert_null(strstr(t_emit(&f), PORT_START));
	t_done(&f);
	t_policy(&f, NULL, NULL,
		 config("\"namespaces\":[{\"type\":\"user\"},{\"type\":\"network\"}]", ""),
		 HS_EVENT_CREATE);
	assert_non_null(t_find(&f, "sysctl.unprivileged-ports", "linux.sysctl"));
	t_done(&f);
	/* the policy can turn it off */
	t_policy(&f, "\"sysctl\":{\"unprivileged_ports\":false}", NULL, config(NS_ALL, ""),
		 HS_EVENT_CREATE);
	assert_null(strstr(t_emit(&f), PORT_START));
	t_done(&f);
	/* a hook cannot rewrite: left out, not refused */
	t_policy_with(&f, NULL, NULL, config(NS_ALL, ""), HS_EVENT_HOOK,
		      &(struct t_opts){ .no_rewrite = true });
	assert_int_equal(t_count(&f, "sysctl."), 0);
	assert_null(t_find(&f, "sysctl.unprivileged-ports", NULL));
	t_done(&f);
}

static void test_policy_allowlist_and_disabled(void **state)
{
	struct hs_t f;

	t_policy(&f, "\"sysctl\":{\"allow\":[\"net/core/somaxconn\"]}", NULL,
		 config(NS_ALL, "\"net.core.somaxconn\":\"1024\""), HS_EVENT_CREATE);
	assert_false(f.report->refused);
	t_done(&f);
	/* The admin's list replaces the default set. */
	t_policy(&f, "\"sysctl\":{\"allow\":[\"net.core.somaxconn\"]}", NULL,
		 config(NS_ALL, "\"net.ipv4.tcp_syncookies\":\"1\""), HS_EVENT_CREATE);
	assert_true(f.report->refused);
	t_done(&f);
	t_policy(&f, "\"sysctl\":{\"enabled\":false}", NULL,
		 config(NS_ALL, "\"kernel.core_pattern\":\"|/x\""), HS_EVENT_CREATE);
	assert_int_equal(t_count(&f, "sysctl."), 0);
	t_done(&f);
}

static void test_policy_section_refusals(void **state)
{
	t_policy_refused("\"sysctl\":{\"action\":\"drop\"}", NULL, "policy.sysctl",
			 "controls.sysctl.action");
	t_policy_refused("\"sysctl\":{\"allow\":[\"net.*\"]}", NULL, "policy.sysctl",
			 "controls.sysctl");
	t_policy_refused("\"sysctl\":{\"allow\":[\"\"]}", NULL, "policy.sysctl", "controls.sysctl");
	t_policy_refused("\"sysctl\":{\"allow\":\"net.core.somaxconn\"}", NULL, "policy.type",
			 "controls.sysctl.allow");
	t_policy_refused("\"sysctl\":{\"alow\":[]}", NULL, "policy.unknown-key",
			 "controls.sysctl.alow");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_set_allowed),
		cmocka_unit_test(test_not_allowed_slash_and_dot),
		cmocka_unit_test(test_cr8escape_values),
		cmocka_unit_test(test_net_needs_own_netns),
		cmocka_unit_test(test_net_own_netns_pid1_unreadable),
		cmocka_unit_test(test_ipc_sysctl_needs_ipc_ns),
		cmocka_unit_test(test_duplicate_after_normalization),
		cmocka_unit_test(test_rewrite_strips),
		cmocka_unit_test(test_unprivileged_ports),
		cmocka_unit_test(test_policy_allowlist_and_disabled),
		cmocka_unit_test(test_policy_section_refusals),
	};
	return cmocka_run_group_tests_name("sysctl", tests, NULL, NULL);
}
