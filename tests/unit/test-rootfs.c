/* SPDX-License-Identifier: Apache-2.0
 * rootfs: read-only root, tmpfs companions, root.path never the host's. */
#include "harness.h"

#define RO "{\"path\":\"rootfs\",\"readonly\":true}"

static void test_writable_root_rewritten(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "rootfs", NULL);
	t_run(&h, T_CONFIG("{\"path\":\"rootfs\",\"readonly\":false}", T_GOOD_PROCESS));
	t_expect(&h, "rootfs.readonly", "root.readonly", HS_ACTION_REWRITE);
	assert_true(hs_json_get(hs_json_get(h.pl.tree, "root"), "readonly")->u.boolean);
	assert_false(h.pl.report->refused);
	t_done(&h);

	/* absent = writable */
	t_pipeline_expect("rootfs", NULL, T_CONFIG("{\"path\":\"rootfs\"}", T_GOOD_PROCESS),
			  "rootfs.readonly", "root.readonly", HS_ACTION_REWRITE);
}

static void test_readonly_refuse_and_warn(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "rootfs", "{\"action\":\"refuse\"}");
	t_run(&h, T_CONFIG("{\"path\":\"rootfs\"}", T_GOOD_PROCESS));
	t_expect(&h, "rootfs.readonly", "root.readonly", HS_ACTION_REFUSE);
	assert_true(h.pl.report->refused);
	t_done(&h);

	t_pipeline(&h, "rootfs", "{\"action\":\"warn\"}");
	t_run(&h, T_CONFIG("{\"path\":\"rootfs\"}", T_GOOD_PROCESS));
	t_expect(&h, "rootfs.readonly", "root.readonly", HS_ACTION_WARN);
	t_expect(&h, "rootfs.tmpfs", "mounts", HS_ACTION_WARN);
	assert_false(h.pl.changed);
	t_done(&h);
}

static void test_tmpfs_added_unless_mounted(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "rootfs", NULL);
	/* /tmp/ (trailing slash) and //run are the same destinations as /tmp and /run. */
	t_run(&h,
	      "{\"ociVersion\":\"1.0.2\",\"root\":" RO ",\"process\":" T_GOOD_PROCESS
	      ",\"mounts\":[{\"destination\":\"/tmp/\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	      "{\"destination\":\"//run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]}");
	/* the user's two tmpfs, without options, get nosuid,nodev,noexec and a size */
	assert_int_equal(h.pl.report->len, 3);
	t_expect(&h, "rootfs.tmpfs", "mounts", HS_ACTION_REWRITE);
	t_expect(&h, "rootfs.tmpfs-options", "mounts[0]", HS_ACTION_REWRITE);
	t_expect(&h, "rootfs.tmpfs-options", "mounts[1]", HS_ACTION_REWRITE);
	assert_int_equal(hs_json_len(hs_json_get(h.pl.tree, "mounts")), 3);
	assert_true(
	    t_out_has(&h, "{\"destination\":\"/var/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
			  "\"options\":[\"nosuid\",\"nodev\",\"noexec\",\"mode=1777\","
			  "\"tmpcopyup\",\"size=64m\"]}"));
	t_done(&h);

	t_pipeline(&h, "rootfs", "{\"tmpfs\":[\"/scratch\"],\"tmpfs_size_mb\":8}");
	t_run(&h, T_CONFIG(RO, T_GOOD_PROCESS));
	assert_int_equal(h.pl.report->len, 1);
	assert_true(t_out_has(&h, "\"destination\":\"/scratch\""));
	assert_true(t_out_has(&h, "\"size=8m\""));
	t_done(&h);
}

/* Issue 14 cause 3: hardshim's /run goes before the engine's mounts beneath /run and
 * /var/run (a symlink to /run in images), not after them, where it would hide them. */
static void test_tmpfs_placed_before_mounts_beneath(void **state)
{
	struct hs_t h;
	const struct hs_json *m;

	t_pipeline(&h, "rootfs", "{\"tmpfs\":[\"/run\",\"/tmp\"]}");
	t_run(&h, "{\"ociVersion\":\"1.0.2\",\"root\":" RO ",\"process\":" T_GOOD_PROCESS
		  ",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		  "{\"destination\":\"/var/run/secrets\",\"type\":\"bind\",\"source\":\"/s\"},"
		  "{\"destination\":\"/run/.containerenv\",\"type\":\"bind\",\"source\":\"/e\"}]}");
	m = hs_json_get(h.pl.tree, "mounts");
	assert_int_equal(hs_json_len(m), 5);
	assert_string_equal(hs_json_get_string(m->u.array.items[1], "destination"), "/run");
	assert_string_equal(hs_json_get_string(m->u.array.items[2], "destination"),
			    "/var/run/secrets");
	assert_string_equal(hs_json_get_string(m->u.array.items[4], "destination"), "/tmp");
	t_done(&h);

	/* a mount at /var/run is a mount at /run: nothing added there */
	t_pipeline(&h, "rootfs", "{\"tmpfs\":[\"/run\"]}");
	t_run(&h, "{\"ociVersion\":\"1.0.2\",\"root\":" RO ",\"process\":" T_GOOD_PROCESS
		  ",\"mounts\":[{\"destination\":\"/var/run\",\"type\":\"tmpfs\",\"source\":\"t\","
		  "\"options\":[\"nosuid\",\"nodev\",\"noexec\",\"size=1m\"]}]}");
	assert_int_equal(h.pl.report->len, 0);
	t_done(&h);
}

/* A user's tmpfs asking for exec, suid, dev or an unlimited size gets the same options as
 * hardshim's own; the runtime's /dev tmpfs (device nodes) is left alone. */
static void test_user_tmpfs_hardened(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "rootfs", "{\"tmpfs\":[]}");
	t_run(&h, "{\"ociVersion\":\"1.0.2\",\"root\":" RO ",\"process\":" T_GOOD_PROCESS
		  ",\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		  "\"options\":[\"nosuid\",\"mode=755\"]},"
		  "{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		  "\"options\":[\"exec\",\"suid\",\"dev\",\"size=0\",\"mode=1777\"]}]}");
	assert_int_equal(h.pl.report->len, 1);
	t_expect(&h, "rootfs.tmpfs-options", "mounts[1]", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"options\":[\"mode=1777\",\"nosuid\",\"nodev\",\"noexec\","
				  "\"size=64m\"]"));
	assert_true(t_out_has(&h, "\"options\":[\"nosuid\",\"mode=755\"]"));
	t_done(&h);
}

static void test_root_path_host(void **state)
{
	static const char *const bad[] = {
		"/",
		"/etc",
		"/usr",
		"/var",
		"/var/lib",
		"/proc/1/root",
		"/proc/self/fd/3",
		"/sys/fs",
		"rootfs/../../..",
		"/bin",
		"/srv/bundle/etc-link",
		"/dev/shm-x",
	};
	struct hs_t h;

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		char config[512];

		t_pipeline(&h, "rootfs", NULL);
		assert_int_equal(hs_fake_host_add_symlink(h.fh, "/srv/bundle/etc-link",
							  "../../etc"),
				 0);
		assert_int_equal(hs_fake_host_add_dir(h.fh, "/dev/shm-x", 0, 0, 0755), 0);
		snprintf(config, sizeof(config),
			 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\",\"readonly\":true},"
			 "\"process\":" T_GOOD_PROCESS "}",
			 bad[i]);
		t_run(&h, config);
		if (!t_find(&h, "rootfs.path", "root.path"))
			fail_msg("root.path %s was not refused", bad[i]);
		assert_true(h.pl.report->refused);
		t_done(&h);
	}
}

static void test_root_path_alias_by_identity(void **state)
{
	struct hs_t h;
	struct hs_file_id etc;

	t_pipeline(&h, "rootfs", NULL);
	/* A bind mount of /etc at /srv/images/x: another name, the same inode. */
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/images/x", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_get_id(h.fh, "/etc", &etc), 0);
	assert_int_equal(hs_fake_host_set_id(h.fh, "/srv/images/x", etc.dev, etc.ino), 0);
	t_run(&h, T_CONFIG("{\"path\":\"/srv/images/x\",\"readonly\":true}", T_GOOD_PROCESS));
	t_expect(&h, "rootfs.path", "root.path", HS_ACTION_REFUSE);
	t_done(&h);
}

/* Below a forbidden tree: another pod's Secret volume, reached directly, through a symlink
 * and through a bind-mounted alias of /var/lib/kubelet (same inode, another name). */
static void test_root_path_below_tree(void **state)
{
	static const char *const bad[] = {
		"/var/lib/kubelet/pods/p1/volumes/kubernetes.io~secret/tok",
		"/srv/bundle/secret-link",
		"/srv/kube/pods/p1/volumes/kubernetes.io~secret/tok",
		"/etc/kubernetes/x",
		"/var/log/pods/x",
	};
	struct hs_t h;
	struct hs_file_id kubelet;

	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		char config[512];

		t_pipeline(&h, "rootfs", NULL);
		assert_int_equal(hs_fake_host_add_dir(h.fh,
						      "/var/lib/kubelet/pods/p1/volumes/"
						      "kubernetes.io~secret/tok",
						      0, 0, 0755),
				 0);
		assert_int_equal(hs_fake_host_add_symlink(h.fh, "/srv/bundle/secret-link",
							  "/var/lib/kubelet/pods/p1/volumes/"
							  "kubernetes.io~secret/tok"),
				 0);
		assert_int_equal(hs_fake_host_add_dir(h.fh,
						      "/srv/kube/pods/p1/volumes/"
						      "kubernetes.io~secret/tok",
						      0, 0, 0755),
				 0);
		assert_int_equal(hs_fake_host_get_id(h.fh, "/var/lib/kubelet", &kubelet), 0);
		assert_int_equal(hs_fake_host_set_id(h.fh, "/srv/kube", kubelet.dev, kubelet.ino),
				 0);
		assert_int_equal(hs_fake_host_add_dir(h.fh, "/etc/kubernetes/x", 0, 0, 0755), 0);
		assert_int_equal(hs_fake_host_add_dir(h.fh, "/var/log/pods/x", 0, 0, 0755), 0);
		snprintf(config, sizeof(config),
			 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\",\"readonly\":true},"
			 "\"process\":" T_GOOD_PROCESS "}",
			 bad[i]);
		t_run(&h, config);
		if (!t_find(&h, "rootfs.path", "root.path"))
			fail_msg("root.path %s was not refused", bad[i]);
		assert_true(h.pl.report->refused);
		t_done(&h);
	}
}

/* Two bundles side by side under containerd's tree; the pipeline's is c1. */
static void two_bundles(struct hs_t *h)
{
	t_pipeline(h, "rootfs", "{\"tmpfs\":[]}");
	assert_int_equal(hs_fake_host_add_dir(h->fh, "/run/containerd/t/k8s/c1/rootfs", 0, 0, 0755),
			 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, "/run/containerd/t/k8s/c2/rootfs", 0, 0, 0755),
			 0);
	h->bundle = "/run/containerd/t/k8s/c1";
}

/* A tree may hold this container's own bundle (containerd's under /run/containerd): a root
 * beneath the bundle is the engine's choice; a sibling bundle's rootfs is not. */
static void test_root_path_tree_own_bundle(void **state)
{
	struct hs_t h;

	two_bundles(&h);
	t_run(&h, T_CONFIG("{\"path\":\"rootfs\",\"readonly\":true}", T_GOOD_PROCESS));
	assert_int_equal(h.pl.report->len, 0);
	t_done(&h);

	two_bundles(&h);
	t_run(&h, T_CONFIG("{\"path\":\"../c2/rootfs\",\"readonly\":true}", T_GOOD_PROCESS));
	t_expect(&h, "rootfs.path", "root.path", HS_ACTION_REFUSE);
	t_done(&h);
}

static void test_root_path_fine_and_missing(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "rootfs", "{\"tmpfs\":[]}");
	t_run(&h, T_CONFIG("{\"path\":\"/srv/bundle/rootfs\",\"readonly\":true}", T_GOOD_PROCESS));
	assert_int_equal(h.pl.report->len, 0);
	t_done(&h);

	t_pipeline_expect("rootfs", NULL,
			  "{\"ociVersion\":\"1.0.2\",\"process\":" T_GOOD_PROCESS "}",
			  "rootfs.path", "root", HS_ACTION_REFUSE);
}

static void test_host_failure_fails_closed(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "rootfs", NULL);
	assert_int_equal(hs_fake_host_fail(h.fh, "canonicalize", EIO), 0);
	t_run(&h, T_CONFIG(RO, T_GOOD_PROCESS));
	t_expect(&h, "rootfs.path", "root.path", HS_ACTION_REFUSE);
	t_done(&h);
}

static void test_policy_section_strict(void **state)
{
	struct hs_t h = { 0 };

	assert_true(t_pipeline_policy(&h, "rootfs", "{\"readOnly\":true}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "rootfs", "{\"action\":\"ignore\"}", NULL) < 0);
	assert_string_equal(h.err.rule, "policy.rootfs");
	assert_true(t_pipeline_policy(&h, "rootfs", "{\"tmpfs\":[\"tmp\"]}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "rootfs", "{\"tmpfs\":[\"/tmp/../etc\"]}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "rootfs", "{\"tmpfs_size_mb\":0}", NULL) < 0);
	assert_int_equal(t_pipeline_policy(&h, "rootfs", "{\"enabled\":false}", NULL), 0);
	hs_policy_free(h.policy);
}

static void test_disabled(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "none", NULL);
	t_run(&h, T_CONFIG("{\"path\":\"/\"}", T_GOOD_PROCESS));
	assert_int_equal(h.pl.report->len, 0);
	t_done(&h);
}

/* Issue 14: a root image's own writable directories on a read-only root. */
#define ROOT_PROC(cwd)                                                                           \
	"{\"args\":[\"python3\",\"app.py\"],\"cwd\":\"" cwd "\",\"user\":{\"uid\":0,\"gid\":0}," \
	"\"noNewPrivileges\":true}"
#define IMG "/srv/bundle/rootfs"

static void image_tree(struct hs_t *h)
{
	assert_int_equal(hs_fake_host_add_dir(h->fh, IMG "/app", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(h->fh, IMG "/app/app.py", 0, 0, 0644), 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, IMG "/var/lib/nginx", 0, 0, 0750), 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, IMG "/var/lib/dpkg", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(h->fh, IMG "/var/lib/dpkg/status", 0, 0, 0644), 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, IMG "/var/log/apt", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, IMG "/etc", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(h->fh, IMG "/etc/passwd", 0, 0, 0644), 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, IMG "/srv/site", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(h->fh, IMG "/srv/site/server", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_symlink(h->fh, IMG "/work", "/etc"), 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, IMG "/data", 999, 999, 0755), 0);
}

static size_t n_writable(struct hs_t *h)
{
	size_t n = 0;

	for (size_t i = 0; i < h->pl.report->len; i++)
		if (!strcmp(h->pl.report->items[i].rule, "rootfs.writable-dir") &&
		    h->pl.report->items[i].action == HS_ACTION_REWRITE)
			n++;
	return n;
}

static void test_image_dirs_of_root_image(void **state)
{
	struct hs_t h;
	const struct hs_json *m;

	/* the working directory and the empty state directories, nothing else */
	t_pipeline(&h, "rootfs,user", NULL);
	image_tree(&h);
	t_run(&h, T_CONFIG(RO, ROOT_PROC("/app")));
	assert_int_equal(n_writable(&h), 3);
	assert_true(t_out_has(&h,
			      "{\"destination\":\"/app\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
			      "\"options\":[\"nosuid\",\"nodev\",\"noexec\",\"mode=0755\","
			      "\"tmpcopyup\",\"size=64m\",\"uid=65534\",\"gid=65534\"]}"));
	assert_true(t_out_has(&h,
			      "\"destination\":\"/var/lib/nginx\",\"type\":\"tmpfs\","
			      "\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"nodev\",\"noexec\","
			      "\"mode=0750\""));
	assert_true(t_out_has(&h, "\"destination\":\"/var/log/apt\""));
	assert_false(t_out_has(&h, "\"destination\":\"/var/lib/dpkg\""));
	assert_false(h.pl.report->refused);
	/* placed like hardshim's other tmpfs: before a mount beneath (a volume in /app) */
	t_done(&h);

	t_pipeline(&h, "rootfs", NULL);
	image_tree(&h);
	t_run(&h, "{\"ociVersion\":\"1.0.2\",\"root\":" RO
		  ",\"process\":" ROOT_PROC("/app") ",\"mounts\":[{\"destination\":\"/app/"
						    "data\",\"type\":\"bind\",\"source\":\"/v\","
						    "\"options\":[\"rbind\"]}]}");
	m = hs_json_get(h.pl.tree, "mounts");
	assert_string_equal(hs_json_get_string(m->u.array.items[0], "destination"), "/app");
	assert_string_equal(hs_json_get_string(m->u.array.items[1], "destination"), "/app/data");
	t_done(&h);
}

static void test_image_dirs_not_made(void **state)
{
	static const char *const configs[] = {
		/* the system's: a config cannot make /etc writable, by any spelling */
		T_CONFIG(RO, ROOT_PROC("/etc")),
		T_CONFIG(RO, ROOT_PROC("/etc/../etc")),
		/* a symlink to /etc in the image: the runtime would mount where it points */
		T_CONFIG(RO, ROOT_PROC("/work")),
		/* hardshim's own tmpfs is there already */
		T_CONFIG(RO, ROOT_PROC("/tmp")),
		T_CONFIG(RO, ROOT_PROC("/")),
		T_CONFIG(RO, ROOT_PROC("/var/lib")),
		/* absent: the runtime makes it, empty */
		T_CONFIG(RO, ROOT_PROC("/nonexistent")),
		/* a service user's (redis's /data): the user control runs it as that owner */
		T_CONFIG(RO, ROOT_PROC("/data")),
	};
	struct hs_t h;

	for (size_t i = 0; i < HS_ARRAY_SIZE(configs); i++) {
		t_pipeline(&h, "rootfs", "{\"tmpfs\":[\"/tmp\"]}");
		image_tree(&h);
		t_run(&h, configs[i]);
		/* the empty state directories, never the working directory */
		assert_int_equal(n_writable(&h), 2);
		assert_false(t_out_has(&h, "\"destination\":\"/etc\""));
		assert_false(t_out_has(&h, "\"destination\":\"/work\""));
		assert_false(t_out_has(&h, "\"destination\":\"/nonexistent\""));
		assert_false(t_out_has(&h, "\"destination\":\"/data\""));
		assert_false(t_out_has(&h, "\"destination\":\"/\","));
		t_done(&h);
	}

	/* not root: the image did not expect to write as root, nothing is added */
	t_pipeline(&h, "rootfs", NULL);
	image_tree(&h);
	t_run(&h, T_CONFIG(RO, T_GOOD_PROCESS));
	assert_int_equal(n_writable(&h), 0);
	t_done(&h);
}

static void test_image_dirs_cwd_with_executables(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "rootfs", NULL);
	image_tree(&h);
	t_run(&h, T_CONFIG(RO, ROOT_PROC("/srv/site")));
	t_expect(&h, "rootfs.writable-dir", "process.cwd", HS_ACTION_WARN);
	assert_false(t_out_has(&h, "\"destination\":\"/srv/site\""));
	assert_int_equal(n_writable(&h), 2); /* the state directories still */
	t_done(&h);

	/* the policy turns it off */
	t_pipeline(&h, "rootfs", "{\"writable_image_dirs\":false}");
	image_tree(&h);
	t_run(&h, T_CONFIG(RO, ROOT_PROC("/app")));
	assert_int_equal(n_writable(&h), 0);
	assert_false(t_out_has(&h, "\"destination\":\"/app\""));
	t_done(&h);

	/* nor when the root stays writable (nothing to work around) */
	t_pipeline(&h, "rootfs", "{\"readonly\":false}");
	image_tree(&h);
	t_run(&h, T_CONFIG("{\"path\":\"rootfs\"}", ROOT_PROC("/app")));
	assert_int_equal(n_writable(&h), 0);
	t_done(&h);
}

/* An image with more empty state directories than the cap is refused, naming the fix. */
static void test_image_dirs_capped(void **state)
{
	struct hs_t h;
	char p[128];

	t_pipeline(&h, "rootfs", NULL);
	for (int i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), IMG "/var/cache/d%02d", i);
		assert_int_equal(hs_fake_host_add_dir(h.fh, p, 0, 0, 0755), 0);
	}
	t_run(&h, T_CONFIG(RO, ROOT_PROC("/")));
	t_expect(&h, "rootfs.writable-dirs-max", "root.path", HS_ACTION_REFUSE);
	assert_true(h.pl.report->refused);
	assert_int_equal(n_writable(&h), 0);
	t_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writable_root_rewritten),
		cmocka_unit_test(test_readonly_refuse_and_warn),
		cmocka_unit_test(test_tmpfs_added_unless_mounted),
		cmocka_unit_test(test_tmpfs_placed_before_mounts_beneath),
		cmocka_unit_test(test_user_tmpfs_hardened),
		cmocka_unit_test(test_root_path_host),
		cmocka_unit_test(test_root_path_alias_by_identity),
		cmocka_unit_test(test_root_path_below_tree),
		cmocka_unit_test(test_root_path_tree_own_bundle),
		cmocka_unit_test(test_root_path_fine_and_missing),
		cmocka_unit_test(test_host_failure_fails_closed),
		cmocka_unit_test(test_policy_section_strict),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_image_dirs_of_root_image),
		cmocka_unit_test(test_image_dirs_not_made),
		cmocka_unit_test(test_image_dirs_cwd_with_executables),
		cmocka_unit_test(test_image_dirs_capped),
	};
	return cmocka_run_group_tests_name("rootfs", tests, NULL, NULL);
}
