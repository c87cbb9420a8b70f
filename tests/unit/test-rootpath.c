/* SPDX-License-Identifier: Apache-2.0
 * rootfs.path-owner (issue 13): root.path is this container's own directory — beneath its
 * bundle, the engine's storage for this very container id (Podman's layer named by its
 * root-owned containers.json), or a directory the operator admitted — never another
 * container's image, another pod's volume, nor a host directory the config picked. */
#include "harness.h"

#define G   "/var/lib/containers/storage"
#define ID1 "c1c1c1"
#define ID2 "c2c2c2"
#define L1  "aaaa1111"
#define L2  "bbbb2222"
#define STORE \
	"[{\"id\":\"" ID1 "\",\"layer\":\"" L1 "\"},{\"id\":\"" ID2 "\",\"layer\":\"" L2 "\"}]"
#define ROOT(p)  "{\"path\":\"" p "\",\"readonly\":true}"
#define NO_TMPFS "{\"tmpfs\":[]}"

/* What the fake engine's containers.json holds, or the error reading it gives. */
static const char *store_json = STORE;
static int store_err;
static const char *store_path_read;

static int fake_read_root_file(const struct hs_host *h, struct hs_arena *a, const char *path,
			       size_t max, const char **ret, size_t *ret_len, struct hs_error *err)
{
	(void)h;
	(void)a;
	(void)max;
	store_path_read = path;
	if (store_err)
		return hs_error_set(err, -store_err, "host.untrusted-file", path, -1,
				    "not root's alone");
	*ret = store_json;
	*ret_len = strlen(store_json);
	return 0;
}

struct rp {
	struct hs_t h;
	struct hs_host host; /* the fake host, with containers.json answered here */
};

static void rp_setup(struct rp *t, const char *section)
{
	t_pipeline(&t->h, "rootfs", section ? section : NO_TMPFS);
	t->host = *hs_fake_host_get(t->h.fh);
	t->host.read_root_file = fake_read_root_file;
	store_json = STORE;
	store_err = 0;
	store_path_read = NULL;
	for (const char *const *d =
		 (const char *const[]){ G "/overlay-containers/" ID1 "/userdata",
					G "/overlay-containers/" ID2 "/userdata",
					G "/overlay/" L1 "/merged", G "/overlay/" L2 "/merged",
					G "/vfs-containers/" ID1 "/userdata", G "/vfs/dir/" L1,
					G "/vfs/dir/" L2, "/srv/img", "/srv/other-bundle/rootfs",
					NULL };
	     *d; d++)
		assert_int_equal(hs_fake_host_add_dir(t->h.fh, *d, 0, 0, 0755), 0);
}

/* Run root (a root object) with this bundle and container id; NULL bundle: a lone config. */
static void rp_run(struct rp *t, const char *root, const char *bundle, const char *id)
{
	const char *doc = NULL;
	char buf[1024];
	struct hs_error err = HS_ERROR_INIT;

	snprintf(buf, sizeof(buf), T_CONFIG("%s", T_GOOD_PROCESS), root);
	doc = buf;
	t->h.pl = (struct hs_pipeline){
		.policy = t->h.policy,
		.host = &t->host,
		.schema = &hs_oci_spec,
		.event = HS_EVENT_CREATE,
		.bundle = bundle,
		.container_id = id,
	};
	if (hs_pipeline_run(&t->h.pl, doc, strlen(doc), &err) < 0)
		fail_msg("pipeline error: %s: %s", err.rule, err.msg);
}

static void rp_allowed(struct rp *t)
{
	if (t->h.pl.report->len) {
		t_dump(&t->h);
		fail_msg("expected no finding");
	}
}

static void rp_refused(struct rp *t)
{
	t_expect(&t->h, "rootfs.path-owner", "root.path", HS_ACTION_REFUSE);
	assert_true(t->h.pl.report->refused);
	assert_int_equal(t->h.pl.report->len, 1);
}

/* A bundle run by hand, containerd's task directory: the root beneath the bundle. */
static void test_beneath_bundle(void **state)
{
	struct rp t;

	rp_setup(&t, NULL);
	rp_run(&t, ROOT("rootfs"), "/srv/bundle", "x");
	rp_allowed(&t);
	t_done(&t.h);

	rp_setup(&t, NULL);
	rp_run(&t, ROOT("/srv/bundle/rootfs"), "/srv/bundle", NULL);
	rp_allowed(&t);
	t_done(&t.h);
}

/* Another bundle's rootfs, a host directory, the bundle itself, one reached through a symlink
 * in the bundle: not this container's. */
static void test_elsewhere_refused(void **state)
{
	static const char *const roots[] = { ROOT("/srv/other-bundle/rootfs"),
					     ROOT("../other-bundle/rootfs"), ROOT("/srv/img"),
					     ROOT("."), ROOT("link") };
	struct rp t;

	for (size_t i = 0; i < HS_ARRAY_SIZE(roots); i++) {
		rp_setup(&t, NULL);
		assert_int_equal(hs_fake_host_add_symlink(t.h.fh, "/srv/bundle/link",
							  "/srv/other-bundle/rootfs"),
				 0);
		rp_run(&t, roots[i], "/srv/bundle", "x");
		rp_refused(&t);
		t_done(&t.h);
	}
}

/* Podman: the bundle G/overlay-containers/ID/userdata and the layer containers.json names. */
static void test_engine_storage(void **state)
{
	struct rp t;

	rp_setup(&t, NULL);
	rp_run(&t, ROOT(G "/overlay/" L1 "/merged"), G "/overlay-containers/" ID1 "/userdata", ID1);
	rp_allowed(&t);
	assert_string_equal(store_path_read, G "/overlay-containers/containers.json");
	t_done(&t.h);

	/* the other container's layer, from this container's bundle and id */
	rp_setup(&t, NULL);
	rp_run(&t, ROOT(G "/overlay/" L2 "/merged"), G "/overlay-containers/" ID1 "/userdata", ID1);
	rp_refused(&t);
	assert_non_null(strstr(t.h.pl.report->items[0].message, L1 "/merged"));
	t_done(&t.h);

	/* the id must be the one the bundle is for */
	rp_setup(&t, NULL);
	rp_run(&t, ROOT(G "/overlay/" L2 "/merged"), G "/overlay-containers/" ID1 "/userdata", ID2);
	rp_refused(&t);
	t_done(&t.h);

	/* vfs */
	rp_setup(&t, NULL);
	rp_run(&t, ROOT(G "/vfs/dir/" L1), G "/vfs-containers/" ID1 "/userdata", ID1);
	rp_allowed(&t);
	assert_string_equal(store_path_read, G "/vfs-containers/containers.json");
	t_done(&t.h);

	/* the layer's directory could be swapped by a user between the check and the pivot */
	rp_setup(&t, NULL);
	assert_int_equal(hs_fake_host_add_dir(t.h.fh, G "/overlay/" L1, 1000, 1000, 0700), 0);
	rp_run(&t, ROOT(G "/overlay/" L1 "/merged"), G "/overlay-containers/" ID1 "/userdata", ID1);
	rp_refused(&t);
	assert_non_null(strstr(t.h.pl.report->items[0].message, "owned by uid 1000"));
	t_done(&t.h);

	/* the layer dir itself, not its merged view */
	rp_setup(&t, NULL);
	rp_run(&t, ROOT(G "/overlay/" L1), G "/overlay-containers/" ID1 "/userdata", ID1);
	rp_refused(&t);
	t_done(&t.h);
}

/* containers.json that cannot be trusted or says nothing of this container: refused. */
static void test_engine_storage_untrusted(void **state)
{
	static const char *const stores[] = {
		"[]",
		"{}",
		"[{\"id\":\"" ID1 "\"}]",
		"[{\"id\":\"" ID1 "\",\"layer\":\"../" L1 "\"}]",
		"[{\"id\":\"" ID1 "\",\"layer\":\"..\"}]",
		"not json",
	};
	struct rp t;

	for (size_t i = 0; i < HS_ARRAY_SIZE(stores); i++) {
		rp_setup(&t, NULL);
		store_json = stores[i];
		rp_run(&t, ROOT(G "/overlay/" L1 "/merged"),
		       G "/overlay-containers/" ID1 "/userdata", ID1);
		rp_refused(&t);
		t_done(&t.h);
	}
	rp_setup(&t, NULL);
	store_err = EPERM;
	rp_run(&t, ROOT(G "/overlay/" L1 "/merged"), G "/overlay-containers/" ID1 "/userdata", ID1);
	rp_refused(&t);
	assert_non_null(strstr(t.h.pl.report->items[0].message, "not root's alone"));
	t_done(&t.h);

	/* a host that cannot read files answers nothing: refused */
	rp_setup(&t, NULL);
	t.host.read_root_file = NULL;
	rp_run(&t, ROOT(G "/overlay/" L1 "/merged"), G "/overlay-containers/" ID1 "/userdata", ID1);
	rp_refused(&t);
	t_done(&t.h);
}

/* Without a bundle or an id (check of a lone config, a precreate hook) an absolute root
 * cannot be shown to be this container's; a relative one is judged lexically as before. */
static void test_unknown_bundle_or_id(void **state)
{
	struct rp t;

	rp_setup(&t, NULL);
	rp_run(&t, ROOT(G "/overlay/" L1 "/merged"), NULL, ID1);
	rp_refused(&t);
	assert_non_null(strstr(t.h.pl.report->items[0].message, "no bundle"));
	t_done(&t.h);

	rp_setup(&t, NULL);
	rp_run(&t, ROOT(G "/overlay/" L1 "/merged"), G "/overlay-containers/" ID1 "/userdata",
	       NULL);
	rp_refused(&t);
	assert_non_null(strstr(t.h.pl.report->items[0].message, "no container id"));
	t_done(&t.h);

	rp_setup(&t, NULL);
	rp_run(&t, ROOT("rootfs"), NULL, NULL);
	rp_allowed(&t);
	t_done(&t.h);
}

/* The operator admits a directory (Podman --rootfs DIR) and all below it, by resolved path;
 * never a sensitive one (rootfs.path still decides first). */
static void test_admit_roots(void **state)
{
	const char *pol = "{\"tmpfs\":[],\"admit_roots\":[\"/srv/img\",\"/etc\"]}";
	struct rp t;

	rp_setup(&t, pol);
	assert_int_equal(hs_fake_host_add_dir(t.h.fh, "/srv/img/sub", 0, 0, 0755), 0);
	rp_run(&t, ROOT("/srv/img/sub"), "/srv/bundle", "x");
	rp_allowed(&t);
	t_done(&t.h);

	rp_setup(&t, pol);
	assert_int_equal(hs_fake_host_add_symlink(t.h.fh, "/srv/img-link", "/srv/img"), 0);
	rp_run(&t, ROOT("/srv/img-link"), NULL, NULL);
	rp_allowed(&t);
	t_done(&t.h);

	/* /srv/img2 is not below /srv/img */
	rp_setup(&t, pol);
	assert_int_equal(hs_fake_host_add_dir(t.h.fh, "/srv/img2", 0, 0, 0755), 0);
	rp_run(&t, ROOT("/srv/img2"), "/srv/bundle", "x");
	rp_refused(&t);
	t_done(&t.h);

	rp_setup(&t, pol);
	rp_run(&t, ROOT("/etc/kubernetes"), "/srv/bundle", "x");
	t_expect(&t.h, "rootfs.path", "root.path", HS_ACTION_REFUSE);
	assert_null(t_find(&t.h, "rootfs.path-owner", "root.path"));
	t_done(&t.h);
}

static void test_admit_roots_policy(void **state)
{
	struct hs_t h = { 0 };

	assert_true(t_pipeline_policy(&h, "rootfs", "{\"admit_roots\":[\"srv\"]}", NULL) < 0);
	assert_string_equal(h.err.rule, "policy.rootfs");
	assert_true(t_pipeline_policy(&h, "rootfs", "{\"admit_roots\":[\"/srv/../etc\"]}", NULL) <
		    0);
	assert_true(t_pipeline_policy(&h, "rootfs", "{\"admit_roots\":\"/srv\"}", NULL) < 0);
	assert_int_equal(t_pipeline_policy(&h, "rootfs", "{\"admit_roots\":[\"/srv/img\"]}", NULL),
			 0);
	hs_policy_free(h.policy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_beneath_bundle),
		cmocka_unit_test(test_elsewhere_refused),
		cmocka_unit_test(test_engine_storage),
		cmocka_unit_test(test_engine_storage_untrusted),
		cmocka_unit_test(test_unknown_bundle_or_id),
		cmocka_unit_test(test_admit_roots),
		cmocka_unit_test(test_admit_roots_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
