/* SPDX-License-Identifier: Apache-2.0
 * The namespaces control on the fake host (docs/threats.md §7): required types, host namespaces by
 * path (/proc/1/ns, /proc/self/ns, or another name for them), pods joining a sandbox. */
#include <sched.h>

#include "harness.h"

extern const struct hs_control hs_control_namespaces;

static const char *full =
    "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
    "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}]}}";

/* Check a config where type has only the path entry, at index 5. */
static void join(struct hs_t *f, const char *type, const char *path)
{
	static const char *const all[] = { "pid", "ipc", "uts", "mount", "cgroup", "network" };
	char config[1024] = "{\"linux\":{\"namespaces\":[";

	for (size_t i = 0; i < HS_ARRAY_SIZE(all); i++) {
		if (strcmp(all[i], type) == 0)
			continue;
		snprintf(config + strlen(config), sizeof(config) - strlen(config),
			 "{\"type\":\"%s\"},", all[i]);
	}
	snprintf(config + strlen(config), sizeof(config) - strlen(config),
		 "{\"type\":\"%s\",\"path\":\"%s\"}]}}", type, path);
	assert_int_equal(t_check(f, config), 0);
}

/* The host cannot say which namespace is its own (ns_host fails with e): the check fails
 * with that code, so nothing is admitted. */
static void host_unanswered(int e)
{
	struct hs_t f;
	const char *config = "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},"
			     "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"},"
			     "{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"}]}}";

	t_control(&f, &hs_control_namespaces);
	assert_int_equal(hs_fake_host_fail(f.fh, "ns_host", e), 0);
	assert_int_equal(t_load(&f, NULL, NULL), 0);
	assert_int_equal(t_check(&f, config), -e);
	t_done(&f);
}

static void test_all_private_passes(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_namespaces);
	assert_int_equal(t_check(&f, full), 0);
	assert_int_equal(f.report->len, 0);
	t_done(&f);
}

static void test_missing(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *out = NULL;

	t_control(&f, &hs_control_namespaces);
	assert_int_equal(t_check(&f, "{\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}"), 0);
	/* private network and pid would change a host-network workload: refused */
	t_expect(&f, "namespaces.missing", "linux.namespaces", HS_ACTION_REFUSE);
	assert_true(f.report->refused);
	out = t_emit_json(hs_json_get(hs_json_get(f.ctx.config, "linux"), "namespaces"));
	assert_string_equal(out, "[{\"type\":\"user\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},"
				 "{\"type\":\"uts\"},{\"type\":\"cgroup\"}]");
	size_t refused = 0, rewritten = 0;
	for (size_t i = 0; i < f.report->len; i++) {
		assert_string_equal(f.report->items[i].rule, "namespaces.missing");
		if (f.report->items[i].action == HS_ACTION_REFUSE) {
			refused++;
			assert_true(strstr(f.report->items[i].message, "network") ||
				    strstr(f.report->items[i].message, "pid"));
		} else {
			rewritten++;
		}
	}
	assert_int_equal(refused, 2);
	assert_int_equal(rewritten, 4);
	t_done(&f);

	/* no linux section at all */
	t_control(&f, &hs_control_namespaces);
	assert_int_equal(t_check(&f, "{}"), 0);
	assert_true(f.report->refused);
	assert_int_equal(hs_json_len(hs_json_get(hs_json_get(f.ctx.config, "linux"), "namespaces")),
			 4);
	t_done(&f);

	/* policy: network may be added by rewrite */
	t_control(&f, &hs_control_namespaces);
	assert_int_equal(t_load(&f,
				"{\"add_missing\":[\"network\",\"pid\",\"mount\",\"ipc\",\"uts\","
				"\"cgroup\"]}",
				NULL),
			 0);
	assert_int_equal(t_check(&f, "{\"linux\":{}}"), 0);
	assert_false(f.report->refused);
	assert_int_equal(hs_json_len(hs_json_get(hs_json_get(f.ctx.config, "linux"), "namespaces")),
			 6);
	t_done(&f);

	/* policy: user namespace required too */
	t_control(&f, &hs_control_namespaces);
	assert_int_equal(t_load(&f,
				"{\"required\":[\"mount\",\"pid\",\"ipc\",\"uts\",\"network\","
				"\"cgroup\",\"user\"]}",
				NULL),
			 0);
	assert_int_equal(t_check(&f, full), 0);
	assert_non_null(
	    strstr(t_expect(&f, "namespaces.missing", "linux.namespaces", HS_ACTION_REFUSE)
		       ->message,
		   "user"));
	t_done(&f);
}

static void test_host_namespace_by_path(void **state)
{
	static const struct {
		const char *type, *path;
	} host[] = {
		{ "network", "/proc/1/ns/net" },      { "network", "/proc/self/ns/net" },
		{ "pid", "/proc/1/ns/pid" },          { "ipc", "/proc/self/ns/ipc" },
		{ "mount", "/proc/1/ns/mnt" },        { "uts", "/proc/4000/ns/uts" },
		{ "cgroup", "/proc/self/ns/cgroup" },
	};
	struct hs_t f;

	for (size_t i = 0; i < HS_ARRAY_SIZE(host); i++) {
		t_control(&f, &hs_control_namespaces);
		join(&f, host[i].type, host[i].path);
		t_expect(&f, "namespaces.host", "linux.namespaces[5].path", HS_ACTION_REFUSE);
		assert_true(f.report->refused);
		t_done(&f);
	}

	/* another name for the host's netns (a bind mount of it under /run/netns) */
	t_control(&f, &hs_control_namespaces);
	{
		struct hs_file_id id;
		assert_int_equal(hs_fake_host_get_id(f.fh, "/proc/1/ns/net", &id), 0);
		assert_int_equal(hs_fake_host_add_ns(f.fh, "/run/netns/innocent", CLONE_NEWNET,
						     id.dev, id.ino),
				 0);
	}
	join(&f, "network", "/var/run/netns/innocent");
	t_expect(&f, "namespaces.host", "linux.namespaces[5].path", HS_ACTION_REFUSE);
	t_done(&f);

	/* hardshim's own namespace differs from pid 1's: both are the host's */
	t_control(&f, &hs_control_namespaces);
	assert_int_equal(hs_fake_host_add_ns(f.fh, "/proc/4000/ns/net", CLONE_NEWNET, 4, 99), 0);
	assert_int_equal(hs_fake_host_set_host_ns(f.fh, "network", 0, 4, 99), 0);
	join(&f, "network", "/proc/self/ns/net");
	assert_non_null(
	    strstr(t_expect(&f, "namespaces.host", "linux.namespaces[5].path", HS_ACTION_REFUSE)
		       ->message,
		   "/proc/self/ns"));
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	assert_int_equal(hs_fake_host_set_host_ns(f.fh, "network", 0, 4, 99), 0);
	join(&f, "network", "/proc/1/ns/net");
	assert_non_null(
	    strstr(t_expect(&f, "namespaces.host", "linux.namespaces[5].path", HS_ACTION_REFUSE)
		       ->message,
		   "/proc/1/ns"));
	t_done(&f);
}

static void test_pod_join_allowed(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_namespaces);
	join(&f, "network", "/proc/4242/ns/net");
	assert_int_equal(f.report->len, 0);
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	join(&f, "network", "/var/run/netns/cni-1111");
	assert_int_equal(f.report->len, 0);
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	join(&f, "ipc", "/proc/4242/ns/ipc");
	assert_int_equal(f.report->len, 0);
	t_done(&f);
}

/* A namespace path the runtime opens again later must not be swappable in between: a
 * symlink in a directory uid 1000 owns (swapped to /proc/self/ns/pid, it put 8 of 30 runc
 * containers in the host's pid namespace), or in a world-writable one. /proc is exempt. */
static void test_replaceable_path(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_namespaces);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/home/alice/ns", 1000, 1000, 0755), 0);
	assert_int_equal(hs_fake_host_add_symlink(f.fh, "/home/alice/ns/l", "/proc/4242/ns/pid"),
			 0);
	join(&f, "pid", "/home/alice/ns/l");
	assert_non_null(t_find(&f, "namespaces.path-replaceable", "linux.namespaces[5].path"));
	assert_true(f.report->refused);
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/ww", 0, 0, 0777), 0);
	assert_int_equal(hs_fake_host_add_symlink(f.fh, "/srv/ww/l", "/proc/4242/ns/net"), 0);
	join(&f, "network", "/srv/ww/l");
	assert_non_null(t_find(&f, "namespaces.path-replaceable", "linux.namespaces[5].path"));
	t_done(&f);
	/* a root-owned directory, and /proc/<pid> (owned by the process's user): fine */
	t_control(&f, &hs_control_namespaces);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/proc/4242", 65534, 65534, 0555), 0);
	assert_int_equal(hs_fake_host_add_ns(f.fh, "/proc/4242/ns/pid", CLONE_NEWPID, 7, 4242), 0);
	join(&f, "pid", "/proc/4242/ns/pid");
	assert_null(t_find(&f, "namespaces.path-replaceable", NULL));
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	join(&f, "network", "/var/run/netns/cni-1111");
	assert_int_equal(f.report->len, 0);
	t_done(&f);
}

static void test_bad_paths(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_namespaces);
	join(&f, "network", "/proc/4242/ns/pid"); /* wrong type */
	t_expect(&f, "namespaces.path-type", "linux.namespaces[5].path", HS_ACTION_REFUSE);
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	join(&f, "network", "/etc/passwd");
	t_expect(&f, "namespaces.path-invalid", "linux.namespaces[5].path", HS_ACTION_REFUSE);
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	join(&f, "network", "/run/netns/gone");
	t_expect(&f, "namespaces.path-invalid", "linux.namespaces[5].path", HS_ACTION_REFUSE);
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	join(&f, "network", "proc/1/ns/net");
	t_expect(&f, "namespaces.path-invalid", "linux.namespaces[5].path", HS_ACTION_REFUSE);
	t_done(&f);

	/* a host that cannot answer: the check fails, nothing is admitted */
	host_unanswered(EIO);
	/* ENOENT too: the path was a network namespace, so a missing host entry means /proc
	 * is not what it should be. This copy once skipped it (and admitted the path) while
	 * the sysctl control refused: one answer now, hs_host_ns_is_host. */
	host_unanswered(ENOENT);
	t_control(&f, &hs_control_namespaces);
	assert_int_equal(hs_fake_host_fail(f.fh, "ns_inspect", EIO), 0);
	join(&f, "network", "/proc/4242/ns/net");
	t_expect(&f, "namespaces.path-invalid", "linux.namespaces[5].path", HS_ACTION_REFUSE);
	t_done(&f);
}

static void test_duplicate_and_unknown(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_namespaces);
	assert_int_equal(t_check(&f,
				 "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":"
				 "\"network\"},{\"type\":\"ipc\"},"
				 "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"},"
				 "{\"type\":\"network\",\"path\":\"/proc/1/ns/"
				 "net\"},{\"type\":\"Network\"}]}}"),
			 0);
	t_expect(&f, "namespaces.duplicate", "linux.namespaces[6].type", HS_ACTION_REFUSE);
	t_expect(&f, "namespaces.unknown-type", "linux.namespaces[7].type", HS_ACTION_REFUSE);
	t_done(&f);
}

static void test_policy_section(void **state)
{
	struct hs_t f;
	struct hs_error err = HS_ERROR_INIT;

	t_control(&f, &hs_control_namespaces);
	assert_int_equal(t_load(&f, "{\"on_violation\":\"warn\"}", NULL), 0);
	join(&f, "network", "/proc/1/ns/net");
	t_expect(&f, "namespaces.host", "linux.namespaces[5].path", HS_ACTION_WARN);
	assert_false(f.report->refused);
	t_done(&f);

	t_control(&f, &hs_control_namespaces);
	assert_true(t_load(&f, "{\"required\":[\"net\"]}", &err) < 0);
	assert_string_equal(err.path, "controls.namespaces.required[0]");
	t_done(&f);
	t_control(&f, &hs_control_namespaces);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(t_load(&f, "{\"on_violation\":\"rewrite\"}", &err) < 0);
	assert_string_equal(err.path, "controls.namespaces.on_violation");
	t_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_private_passes),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_host_namespace_by_path),
		cmocka_unit_test(test_pod_join_allowed),
		cmocka_unit_test(test_replaceable_path),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_duplicate_and_unknown),
		cmocka_unit_test(test_policy_section),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
