/* SPDX-License-Identifier: Apache-2.0
 * rootfs.path-owner (issue 13): root.path is this container's own directory — beneath its
 * bundle, the engine's storage for this very container id (Podman's layer named by its
 * root-owned containers.json), or a directory the operator admitted — never another
 * container's image, another pod's volume, nor a host directory the config picked.
 * containers.json is a file of the fake host, read by its read_root_file, which judges it as
 * src/host/rootfile.c does (the real walk, who could swap it, owner and mode). */
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
#define ADMIT    "{\"tmpfs\":[],\"admit_roots\":[\"/srv/img\",\"/etc\"]}"
#define OV_B1    G "/overlay-containers/" ID1 "/userdata" /* Podman's bundle for ID1 */
#define VFS_B1   G "/vfs-containers/" ID1 "/userdata"
#define OV_JSON  G "/overlay-containers/containers.json"
#define VFS_JSON G "/vfs-containers/containers.json"
/* Podman's create of ID1 with its layer L1: the rows below vary one thing of it */
#define PODMAN1 .bundle = OV_B1, .id = ID1, .json = OV_JSON
#define MERGED1 .root = ROOT(G "/overlay/" L1 "/merged")

/* One create: ROOT under BUNDLE for container ID (NULL: none known), the engine's store at
 * JSON holding BODY (owner uid 0 mode 0644 unless JSON_UID/JSON_MODE), the directory OWNED
 * given to uid 1000 (0700); then no finding, or the one refusal RULE (default
 * rootfs.path-owner) at root.path whose message says SAYS. */
struct rp_case {
	const char *root, *bundle, *id;
	const char *json, *body;
	uid_t json_uid;
	mode_t json_mode;
	const char *owned;
	const char *policy;
	bool allowed;
	const char *rule, *says;
};

#define HAND .bundle = "/srv/bundle", .id = "x" /* a bundle run by hand */

static const struct rp_case cases[] = {
	/* a bundle run by hand, containerd's task directory: the root beneath the bundle */
	{ .root = ROOT("rootfs"), HAND, .allowed = true },
	{ .root = ROOT("/srv/bundle/rootfs"), .bundle = "/srv/bundle", .allowed = true },
	/* another bundle's rootfs, a host directory, the bundle itself, a symlink in the bundle */
	{ .root = ROOT("/srv/other-bundle/rootfs"), HAND, .says = "neither beneath" },
	{ .root = ROOT("../other-bundle/rootfs"), HAND, .says = "neither beneath" },
	{ .root = ROOT("/srv/img"), HAND, .says = "resolves to /srv/img," },
	{ .root = ROOT("."), HAND, .says = "resolves to /srv/bundle," },
	{ .root = ROOT("link"), HAND, .says = "resolves to /srv/other-bundle/rootfs" },
	/* Podman: the bundle G/overlay-containers/ID/userdata and the layer containers.json
	 * names; the store is read where the bundle's driver keeps it (no other one exists) */
	{ MERGED1, PODMAN1, .allowed = true },
	{ .root = ROOT(G "/vfs/dir/" L1),
	  .bundle = VFS_B1,
	  .id = ID1,
	  .json = VFS_JSON,
	  .allowed = true },
	{ MERGED1, .bundle = OV_B1, .id = ID1, .json = VFS_JSON, .says = "does not exist" },
	/* the other container's layer, from this container's bundle and id; the id must be the
	 * one the bundle is for; the layer dir itself, not its merged view */
	{ .root = ROOT(G "/overlay/" L2 "/merged"), PODMAN1, .says = L1 "/merged" },
	{ .root = ROOT(G "/overlay/" L2 "/merged"),
	  .bundle = OV_B1,
	  .id = ID2,
	  .json = OV_JSON,
	  .says = "not an engine's " ID2 "/userdata" },
	{ .root = ROOT(G "/overlay/" L1), PODMAN1, .says = L1 "/merged" },
	/* the layer's directory could be swapped by a user between the check and the pivot */
	{ MERGED1, PODMAN1, .owned = G "/overlay/" L1, .says = "owned by uid 1000" },
	/* a containers.json that says nothing of this container, or nothing sound */
	{ MERGED1, PODMAN1, .body = "[]", .says = "gives container " ID1 " no layer" },
	{ MERGED1, PODMAN1, .body = "{}", .says = "not a list" },
	{ MERGED1, PODMAN1, .body = "[{\"id\":\"" ID1 "\"}]", .says = "no layer" },
	{ MERGED1, PODMAN1, .body = "[{\"id\":\"" ID1 "\",\"layer\":\"../" L1 "\"}]",
	  .says = "no layer" },
	{ MERGED1, PODMAN1, .body = "[{\"id\":\"" ID1 "\",\"layer\":\"..\"}]", .says = "no layer" },
	{ MERGED1, PODMAN1, .body = "not json", .says = "cannot be trusted" },
	/* a containers.json someone but root could have written: its mode, its owner, a
	 * directory on its way */
	{ MERGED1, PODMAN1, .json_mode = 0666, .says = "not root's alone" },
	{ MERGED1, PODMAN1, .json_uid = 1000, .says = "not root's alone" },
	{ MERGED1, PODMAN1, .owned = G "/overlay-containers", .says = "owned by uid 1000" },
	/* without a bundle or an id (check of a lone config, a precreate hook) an absolute root
	 * cannot be shown to be this container's; a relative one is judged lexically */
	{ MERGED1, .id = ID1, .json = OV_JSON, .says = "no bundle" },
	{ MERGED1, .bundle = OV_B1, .json = OV_JSON, .says = "no container id" },
	{ .root = ROOT("rootfs"), .allowed = true },
	/* the operator admits a directory (Podman --rootfs DIR) and all below it, by resolved
	 * path (/srv/img2 is not below /srv/img); never a sensitive one: rootfs.path first */
	{ .root = ROOT("/srv/img/sub"), HAND, .policy = ADMIT, .allowed = true },
	{ .root = ROOT("/srv/img-link"), .policy = ADMIT, .allowed = true },
	{ .root = ROOT("/srv/img2"), HAND, .policy = ADMIT, .says = "resolves to /srv/img2," },
	{ .root = ROOT("/etc/kubernetes"), HAND, .policy = ADMIT, .rule = "rootfs.path" },
};

static void rp_tree(struct hs_fake_host *fh, const struct rp_case *c)
{
	static const char *const dirs[] = {
		OV_B1,
		G "/overlay-containers/" ID2 "/userdata",
		G "/overlay/" L1 "/merged",
		G "/overlay/" L2 "/merged",
		VFS_B1,
		G "/vfs/dir/" L1,
		G "/vfs/dir/" L2,
		"/srv/img/sub",
		"/srv/img2",
		"/srv/other-bundle/rootfs",
	};

	for (size_t i = 0; i < HS_ARRAY_SIZE(dirs); i++)
		assert_int_equal(hs_fake_host_add_dir(fh, dirs[i], 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_symlink(fh, "/srv/bundle/link",
						  "/srv/other-bundle/rootfs"),
			 0);
	assert_int_equal(hs_fake_host_add_symlink(fh, "/srv/img-link", "/srv/img"), 0);
	if (c->json)
		assert_int_equal(hs_fake_host_add_file_body(fh, c->json, c->json_uid, 0,
							    c->json_mode ? c->json_mode : 0644,
							    c->body ? c->body : STORE),
				 0);
	if (c->owned)
		assert_int_equal(hs_fake_host_add_dir(fh, c->owned, 1000, 1000, 0700), 0);
}

/* Run c->root with c's bundle (none: no bundle at all) and container id through the whole
 * pipeline on host (NULL: the invented one). */
static void rp_run(struct hs_t *h, const struct hs_host *host, const struct rp_case *c)
{
	char doc[1024];

	snprintf(doc, sizeof(doc), T_CONFIG("%s", T_GOOD_PROCESS), c->root);
	h->bundle = c->bundle;
	h->no_bundle = !c->bundle;
	h->container_id = c->id;
	h->host = host;
	t_run(h, doc);
}

static void rp_verdict(struct hs_t *h, const struct rp_case *c)
{
	const struct hs_report *rep = h->pl.report;

	if (c->allowed) {
		if (rep->len)
			t_dump(h);
		assert_int_equal(rep->len, 0);
		return;
	}
	t_expect(h, c->rule ? c->rule : "rootfs.path-owner", "root.path", HS_ACTION_REFUSE);
	assert_true(rep->refused);
	assert_int_equal(rep->len, 1);
	print_message("#   %s\n", rep->items[0].message);
	if (c->says && !strstr(rep->items[0].message, c->says))
		fail_msg("'%s' does not say '%s'", rep->items[0].message, c->says);
}

static void test_root_owner(void **state)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(cases); i++) {
		struct hs_t h;

		print_message("# case %zu: %s bundle %s id %s\n", i, cases[i].root,
			      cases[i].bundle ? cases[i].bundle : "-",
			      cases[i].id ? cases[i].id : "-");
		t_pipeline(&h, "rootfs", cases[i].policy ? cases[i].policy : NO_TMPFS);
		rp_tree(h.fh, &cases[i]);
		rp_run(&h, NULL, &cases[i]);
		rp_verdict(&h, &cases[i]);
		t_done(&h);
	}
}

/* A host that cannot read files answers nothing: refused, and says why. */
static void test_host_without_read_root_file(void **state)
{
	const struct rp_case c = { .root = ROOT(G "/overlay/" L1 "/merged"),
				   .bundle = OV_B1,
				   .id = ID1,
				   .json = OV_JSON,
				   .says = "cannot read" };
	struct hs_host host;
	struct hs_t h;

	t_pipeline(&h, "rootfs", NO_TMPFS);
	rp_tree(h.fh, &c);
	host = *hs_fake_host_get(h.fh);
	host.read_root_file = NULL;
	rp_run(&h, &host, &c);
	rp_verdict(&h, &c);
	t_done(&h);
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
		cmocka_unit_test(test_root_owner),
		cmocka_unit_test(test_host_without_read_root_file),
		cmocka_unit_test(test_admit_roots_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
