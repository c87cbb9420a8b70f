/* SPDX-License-Identifier: Apache-2.0
 * The mounts control on the fake host: every defence of docs/threats.md §8, each finding with its
 * rule id and JSON path. */
#include <sys/stat.h>

#include "harness.h"

extern const struct hs_control hs_control_mounts;

#define CID    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CID2   "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define PODUID "3f1c2a9e-7b4d-4e2f-9a1b-5c6d7e8f9a0b"

/* One bind mount of src at /mnt, with defaults everywhere else. */
static int check_bind(struct hs_t *f, const char *src)
{
	char config[1024];

	snprintf(config, sizeof(config),
		 "{\"mounts\":[{\"destination\":\"/mnt\",\"type\":\"bind\",\"source\":\"%s\","
		 "\"options\":[\"rbind\"]}]}",
		 src);
	return t_check(f, config);
}

/* A bind of src at /mnt is refused with rule at the source; the finding. */
static const struct hs_finding *bind_refused(struct hs_t *f, const char *src, const char *rule)
{
	assert_int_equal(check_bind(f, src), 0);
	return t_expect(f, rule, "mounts[0].source", HS_ACTION_REFUSE);
}

static void refused_source(const char *src, const char *rule)
{
	struct hs_t f;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_symlink(f.fh, "/srv/etc-link", "/etc"), 0);
	bind_refused(&f, src, rule);
	assert_true(f.report->refused);
	t_done(&f);
}

/* The last check admitted its mount's source (WHAT names the case in a failure). */
static void source_admitted(struct hs_t *f, const char *what)
{
	if (t_find(f, "mounts.sensitive-source", NULL) || t_find(f, "mounts.source-unsafe", NULL) ||
	    t_find(f, "mounts.source-replaceable", NULL) ||
	    t_find(f, "mounts.source-missing", NULL))
		fail_msg("%s refused: %s", what, f->report->items[0].message);
	assert_false(f->report->refused);
}

static void allowed_source(struct hs_t *f, const char *src)
{
	assert_int_equal(check_bind(f, src), 0);
	source_admitted(f, src);
}

static void test_sensitive_by_components(void **state)
{
	refused_source("/etc", "mounts.sensitive-source");
	refused_source("/srv/etc-link", "mounts.sensitive-source");            /* symlink to /etc */
	refused_source("/srv/etc-link/kubernetes", "mounts.sensitive-source"); /* and beneath */
	refused_source("/srv/data/../../etc", "mounts.sensitive-source");      /* .. */
	refused_source("//etc//./", "mounts.sensitive-source");
	refused_source("/run", "mounts.sensitive-source");
	refused_source("/var/run", "mounts.sensitive-source"); /* alias of /run */
	refused_source("/var/run/containerd/containerd.sock", "mounts.sensitive-source");
	refused_source("/var", "mounts.sensitive-source");     /* ancestor of /var/lib/docker */
	refused_source("/var/lib", "mounts.sensitive-source"); /* ancestor */
	refused_source("/", "mounts.sensitive-source");
	refused_source("/home/alice", "mounts.sensitive-source"); /* descendant */
	refused_source("/bin", "mounts.sensitive-source");        /* -> /usr/bin */
	refused_source("/lib64", "mounts.sensitive-source");      /* /lib* */
	refused_source("/sys/fs/cgroup", "mounts.sensitive-source");
	refused_source("/dev/null", "mounts.sensitive-source");
	refused_source("/var/lib/kubelet/pods", "mounts.sensitive-source");
	refused_source("/var/log", "mounts.sensitive-source");
}

static void test_sensitive_message(void **state)
{
	struct hs_t f;
	const struct hs_finding *x;

	t_control(&f, &hs_control_mounts);
	x = bind_refused(&f, "/var/run/containerd/containerd.sock", "mounts.sensitive-source");
	assert_non_null(strstr(x->message, "/run/containerd/containerd.sock"));
	assert_non_null(strstr(x->message, "beneath"));
	t_done(&f);
}

/* ALIAS (made at DIR, a directory beneath it) is the sensitive SENSITIVE by identity (a bind
 * mount of it under an innocent name); a bind of SOURCE is refused with WORD in the message. */
static void refused_by_identity(const char *sensitive, const char *alias, const char *dir,
				const char *source, const char *word)
{
	struct hs_t f;
	struct hs_file_id id;
	const struct hs_finding *x;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_get_id(f.fh, sensitive, &id), 0);
	assert_int_equal(hs_fake_host_add_dir(f.fh, dir, 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_set_id(f.fh, alias, id.dev, id.ino), 0);
	x = bind_refused(&f, source, "mounts.sensitive-source");
	assert_non_null(strstr(x->message, word));
	t_done(&f);
}

static void test_sensitive_by_identity(void **state)
{
	/* a bind-mount alias of /etc under an innocent name */
	refused_by_identity("/etc", "/srv/innocent", "/srv/innocent", "/srv/innocent",
			    "the sensitive path /etc");
	/* beneath such an alias */
	refused_by_identity("/etc", "/srv/innocent", "/srv/innocent/sub", "/srv/innocent/sub",
			    "beneath");
	/* an alias of an ancestor (/var) */
	refused_by_identity("/var", "/srv/v", "/srv/v", "/srv/v", "ancestor");
}

static void test_unsafe_sources(void **state)
{
	struct hs_t f;

	refused_source("/proc/self/root/etc", "mounts.source-unsafe");
	refused_source("/proc/self/root", "mounts.source-unsafe");
	refused_source("/proc/1/root", "mounts.source-unsafe");
	refused_source("/proc/self/fd/3", "mounts.source-unsafe");
	refused_source("/proc/1/cwd/x", "mounts.source-unsafe");
	refused_source("/srv/data/nothing-here", "mounts.source-missing");
	refused_source("/etc/passwd/x", "mounts.source-unsafe"); /* not a directory */
	refused_source("", "mounts.source-unsafe");

	/* loops */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_symlink(f.fh, "/srv/l1", "l2"), 0);
	assert_int_equal(hs_fake_host_add_symlink(f.fh, "/srv/l2", "/srv/l1"), 0);
	assert_non_null(strstr(bind_refused(&f, "/srv/l1", "mounts.source-unsafe")->message,
			       "host.symlink-loop"));
	t_done(&f);

	/* a host that cannot answer: refused, never admitted */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_fail(f.fh, "canonicalize", EIO), 0);
	bind_refused(&f, "/srv/data", "mounts.source-unsafe");
	t_done(&f);

	/* a relative source is read from the bundle */
	t_control(&f, &hs_control_mounts);
	f.ctx.bundle = "/srv/bundle";
	assert_int_equal(hs_fake_host_add_file(f.fh, "/srv/bundle/hosts", 0, 0, 0644), 0);
	allowed_source(&f, "hosts");
	t_done(&f);
	t_control(&f, &hs_control_mounts);
	f.ctx.bundle = "/srv/bundle";
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/bundle", 0, 0, 0755), 0);
	bind_refused(&f, "../../etc", "mounts.sensitive-source");
	t_done(&f);
	t_control(&f, &hs_control_mounts);
	assert_int_equal(check_bind(&f, "hosts"), 0); /* no bundle known */
	t_expect(&f, "mounts.source-unsafe", "mounts[0].source", HS_ACTION_REFUSE);
	t_done(&f);
}

/* One bind of src at /mnt in a bundle /srv/bundle whose root.path is root. */
static int check_bind_in_bundle(struct hs_t *f, const char *root, const char *src)
{
	char config[1024];

	f->ctx.bundle = "/srv/bundle";
	snprintf(config, sizeof(config),
		 "{\"root\":{\"path\":\"%s\"},\"mounts\":[{\"destination\":\"/mnt\",\"type\":"
		 "\"bind\",\"source\":\"%s\",\"options\":[\"rbind\"]}]}",
		 root, src);
	return t_check(f, config);
}

/* The runtime binds a source after it has mounted /proc (and the config's mounts) inside the
 * rootfs: rootfs/proc/self/root is then the host's /. Nothing in the rootfs is a source. */
static void test_source_in_rootfs(void **state)
{
	static const struct {
		const char *root, *src;
	} refused[] = {
		{ "rootfs", "rootfs/proc/self/root" }, /* the example */
		{ "rootfs", "rootfs" },                /* the rootfs itself */
		{ "rootfs", "./rootfs/./proc/../proc/self/root" },
		{ "/srv/bundle/rootfs", "/srv/bundle/rootfs/proc/self/root" }, /* absolute */
		{ "rootfs", "/srv/alias/proc/self/root" },     /* a bind alias of the rootfs */
		{ "rootfs", "/srv/to-rootfs/proc/self/root" }, /* a symlink into it */
		{ "root-link", "rootfs/proc/self/root" },      /* root.path through a symlink */
	};
	struct hs_t f;
	struct hs_file_id root;

	for (size_t i = 0; i < HS_ARRAY_SIZE(refused); i++) {
		t_control(&f, &hs_control_mounts);
		assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/bundle/rootfs/proc/self/root", 0,
						      0, 0755),
				 0);
		assert_int_equal(hs_fake_host_add_symlink(f.fh, "/srv/bundle/root-link", "rootfs"),
				 0);
		assert_int_equal(hs_fake_host_add_symlink(f.fh, "/srv/to-rootfs", "bundle/rootfs"),
				 0);
		assert_int_equal(hs_fake_host_get_id(f.fh, "/srv/bundle/rootfs", &root), 0);
		assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/alias/proc/self/root", 0, 0,
						      0755),
				 0);
		assert_int_equal(hs_fake_host_set_id(f.fh, "/srv/alias", root.dev, root.ino), 0);
		assert_int_equal(check_bind_in_bundle(&f, refused[i].root, refused[i].src), 0);
		if (!t_find(&f, "mounts.source-in-rootfs", "mounts[0].source"))
			fail_msg("root %s, source %s admitted", refused[i].root, refused[i].src);
		assert_true(f.report->refused);
		t_done(&f);
	}

	/* the bundle's own files beside the rootfs are not in it */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/bundle/rootfs/proc", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_file(f.fh, "/srv/bundle/hosts", 0, 0, 0644), 0);
	assert_int_equal(check_bind_in_bundle(&f, "rootfs", "hosts"), 0);
	assert_null(t_find(&f, "mounts.source-in-rootfs", NULL));
	assert_false(f.report->refused);
	t_done(&f);
	/* nor is a directory whose name begins like the rootfs's */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/bundle/rootfs", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/bundle/rootfs2", 0, 0, 0755), 0);
	assert_int_equal(check_bind_in_bundle(&f, "rootfs", "rootfs2"), 0);
	assert_false(f.report->refused);
	t_done(&f);
}

static void option_verdict(const char *type, const char *opt, bool admitted)
{
	struct hs_t f;
	char config[1024];
	const char *src = strcmp(type, "bind") == 0 ? "/srv/data" : type;

	t_control(&f, &hs_control_mounts);
	snprintf(config, sizeof(config),
		 "{\"mounts\":[{\"destination\":\"/mnt\",\"type\":\"%s\",\"source\":\"%s\","
		 "\"options\":[\"nosuid\",\"%s\"]}]}",
		 type, src, opt);
	assert_int_equal(t_check(&f, config), 0);
	if (admitted && t_find(&f, "mounts.option", NULL))
		fail_msg("%s on %s refused", opt, type);
	if (!admitted && !t_find(&f, "mounts.option", "mounts[0].options[1]"))
		fail_msg("%s on %s admitted", opt, type);
	assert_int_equal(f.report->refused, !admitted);
	t_done(&f);
}

/* The recursive attributes that clear, idmaps and anything unknown are refused; what only
 * restricts is admitted; filesystem data only on its own filesystem. */
static void test_option_allowlist(void **state)
{
	static const char *const refused_everywhere[] = {
		"rsuid",
		"rdev",
		"rexec",
		"rrw",
		"idmap",
		"idmap=uids=0-1000-10;gids=0-1000-10",
		"ridmap",
		"remount",
		"mand",
		"copy-symlink",
		"context=system_u:object_r:etc_t:s0",
		"x-unknown",
		"RSUID",
		"rsuid ",
		"",
	};
	static const char *const admitted_everywhere[] = {
		"ro",          "nodev",       "noexec",   "rro",    "rnosuid",
		"rnodev",      "rnoexec",     "rprivate", "rslave", "relatime",
		"strictatime", "nosymfollow", "rnoatime",
	};

	for (size_t i = 0; i < HS_ARRAY_SIZE(refused_everywhere); i++) {
		option_verdict("bind", refused_everywhere[i], false);
		option_verdict("tmpfs", refused_everywhere[i], false);
	}
	for (size_t i = 0; i < HS_ARRAY_SIZE(admitted_everywhere); i++) {
		option_verdict("bind", admitted_everywhere[i], true);
		option_verdict("tmpfs", admitted_everywhere[i], true);
	}
	option_verdict("tmpfs", "size=64m", true);
	option_verdict("tmpfs", "mode=1777", true);
	option_verdict("tmpfs", "tmpcopyup", true);
	option_verdict("bind", "size=64m", false); /* data the kernel ignores on a bind: not ours */
	option_verdict("bind", "mode=1777", false);
	option_verdict("bind", "tmpcopyup", false);
	option_verdict("bind", "uid=0", false);
}

static void test_mount_idmap(void **state)
{
	t_control_expect(&hs_control_mounts, NULL,
			 "{\"mounts\":[{\"destination\":\"/mnt\",\"type\":\"bind\","
			 "\"source\":\"/srv/"
			 "data\",\"options\":[\"rbind\"],\"uidMappings\":[{"
			 "\"containerID\":0,\"hostID\":0,\"size\":1}]}]}",
			 "mounts.idmap", "mounts[0].uidMappings", HS_ACTION_REFUSE);
	t_control_expect(&hs_control_mounts, NULL,
			 "{\"mounts\":[{\"destination\":\"/mnt\",\"type\":\"bind\","
			 "\"source\":\"/srv/"
			 "data\",\"options\":[\"rbind\"],\"gidMappings\":[]}]}",
			 "mounts.idmap", "mounts[0].gidMappings", HS_ACTION_REFUSE);
}

/* A kernel interface under an innocent name: a second cgroup2 or devtmpfs mount elsewhere. */
static void test_source_on_kernel_fs(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/cg/memory", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_mount(f.fh, "/srv/cg", "cgroup2"), 0);
	assert_non_null(
	    strstr(bind_refused(&f, "/srv/cg/memory", "mounts.source-kernel-fs")->message,
		   "cgroup2"));
	t_done(&f);

	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/mnt/devices", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_mount(f.fh, "/mnt/devices", "devtmpfs"), 0);
	bind_refused(&f, "/mnt/devices", "mounts.source-kernel-fs");
	t_done(&f);

	/* an ordinary filesystem mounted over a kernel one's place is ordinary */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/data2", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_mount(f.fh, "/srv", "cgroup2"), 0);
	assert_int_equal(hs_fake_host_add_mount(f.fh, "/srv", "xfs"), 0);
	allowed_source(&f, "/srv/data2");
	assert_null(t_find(&f, "mounts.source-kernel-fs", NULL));
	t_done(&f);

	/* the mount table cannot be read: refused, never admitted */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_fail(f.fh, "mount_fstype", EIO), 0);
	bind_refused(&f, "/srv/data", "mounts.source-unsafe");
	t_done(&f);
}

static void test_replaceable_components(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/user", 1000, 1000, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/user/data", 0, 0, 0755), 0);
	assert_non_null(
	    strstr(bind_refused(&f, "/srv/user/data", "mounts.source-replaceable")->message,
		   "uid 1000"));
	t_done(&f);

	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/shared", 0, 0, 0775), 0);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/shared/d", 0, 0, 0755), 0);
	bind_refused(&f, "/srv/shared/d", "mounts.source-replaceable");
	t_done(&f);

	/* sticky /tmp: a root-owned entry is safe, a user's is not */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/tmp/rootdir", 0, 0, 0755), 0);
	allowed_source(&f, "/tmp/rootdir");
	t_done(&f);
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/tmp/userdir", 1000, 1000, 0755), 0);
	bind_refused(&f, "/tmp/userdir", "mounts.source-replaceable");
	t_done(&f);

	/* the object itself may belong to a user when its parent is root's */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/data/mine", 1000, 1000, 0777), 0);
	allowed_source(&f, "/srv/data/mine");
	t_done(&f);
}

#define UD  "/var/lib/containers/storage/overlay-containers/" CID "/userdata"
#define RUD "/run/containers/storage/overlay-containers/" CID "/userdata"
#define SB  "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/" CID2
#define POD "/var/lib/kubelet/pods/" PODUID

/* A host object an engine made for a container, what the engine names about the container
 * (argv, its shim, the bundle: facts the config cannot set), the config's own claims (its
 * annotations), and whether a bind of the object is admitted. */
struct engine_case {
	const char *why;
	const char *container_id, *sandbox_id, *pod_uid, *bundle; /* what the engine names */
	const char *path;
	char kind;          /* 'f' a root file 0644, 'd' a root directory (mode), 'l' a symlink */
	mode_t mode;        /* 'd' */
	const char *target; /* 'l' */
	const char *annotations; /* the config's annotations object; NULL: none */
	bool admitted;
};

static const struct engine_case engine_cases[] = {
	{ "Podman, tied to the container's id", CID, NULL, NULL, NULL, UD "/resolv.conf", 'f', 0,
	  NULL, NULL, true },
	{ "Podman, its run directory", CID, NULL, NULL, NULL, RUD "/.containerenv", 'f', 0, NULL,
	  NULL, true },
	{ "another container's files", CID2, NULL, NULL, NULL, UD "/resolv.conf", 'f', 0, NULL,
	  NULL, false },
	{ "the userdata directory itself", CID, NULL, NULL, NULL, UD, 'd', 0700, NULL, NULL,
	  false },
	{ "an admitted name that is a symlink to /etc is judged by where it leads", CID, NULL, NULL,
	  NULL, UD "/hosts", 'l', 0, "/etc/passwd", NULL, false },
	{ "without an id on the command line, Podman's bundle names it", NULL, NULL, NULL, UD,
	  UD "/hosts", 'f', 0, NULL, NULL, true },
	{ "another container's bundle", NULL, NULL, NULL,
	  "/var/lib/containers/storage/overlay-containers/" CID2 "/userdata", UD "/hosts", 'f', 0,
	  NULL, NULL, false },
	{ "Podman named volume", NULL, NULL, NULL, NULL,
	  "/var/lib/containers/storage/volumes/data1/_data", 'd', 0755, NULL, NULL, true },
	{ "no container id known (check without --id, no Podman bundle): no container's files",
	  NULL, NULL, NULL, NULL, UD "/resolv.conf", 'f', 0, NULL, NULL, false },
	{ "containerd CRI sandbox files, tied to the sandbox id the engine names (its shim)", NULL,
	  CID2, NULL, NULL, SB "/hostname", 'f', 0, NULL,
	  "{\"io.kubernetes.cri.sandbox-id\":\"" CID2 "\"}", true },
	{ "the config claims the sandbox (its annotation), the engine named none: a forged "
	  "annotation would admit any pod's files",
	  NULL, NULL, NULL, NULL, SB "/hostname", 'f', 0, NULL,
	  "{\"io.kubernetes.cri.sandbox-id\":\"" CID2 "\","
	  "\"io.kubernetes.cri-o.SandboxID\":\"" CID2 "\"}",
	  false },
	{ "the engine names another sandbox than the files'", NULL, CID, NULL, NULL, SB "/hostname",
	  'f', 0, NULL, "{\"io.kubernetes.cri.sandbox-id\":\"" CID2 "\"}", false },
	{ "kubelet pod volumes (emptyDir is root-owned 0777), for the pod the engine names", NULL,
	  NULL, PODUID, NULL, POD "/volumes/kubernetes.io~empty-dir/cache", 'd', 0777, NULL, NULL,
	  true },
	{ "no pod named by the engine: the config's pod uid annotations are claims", NULL, NULL,
	  NULL, NULL, POD "/volumes/kubernetes.io~secret/token", 'd', 0755, NULL,
	  "{\"io.kubernetes.cri.sandbox-uid\":\"" PODUID "\","
	  "\"io.kubernetes.pod.uid\":\"" PODUID "\"}",
	  false },
	{ "kubelet etc-hosts", NULL, NULL, PODUID, NULL, POD "/etc-hosts", 'f', 0, NULL, NULL,
	  true },
	{ "the pod's other kubelet directories", NULL, NULL, PODUID, NULL, POD "/plugins", 'd',
	  0755, NULL, NULL, false },
};

static void engine_case(const struct engine_case *c)
{
	struct hs_t f;
	char config[1024];
	int r = 0;

	t_control(&f, &hs_control_mounts);
	f.ctx.container_id = c->container_id;
	f.ctx.sandbox_id = c->sandbox_id;
	f.ctx.pod_uid = c->pod_uid;
	f.ctx.bundle = c->bundle;
	if (c->kind == 'f')
		r = hs_fake_host_add_file(f.fh, c->path, 0, 0, 0644);
	else if (c->kind == 'd')
		r = hs_fake_host_add_dir(f.fh, c->path, 0, 0, c->mode);
	else
		r = hs_fake_host_add_symlink(f.fh, c->path, c->target);
	assert_int_equal(r, 0);
	snprintf(config, sizeof(config),
		 "{\"annotations\":%s,\"mounts\":[{\"destination\":\"/mnt\",\"type\":\"bind\","
		 "\"source\":\"%s\",\"options\":[\"rbind\",\"ro\"]}]}",
		 c->annotations ? c->annotations : "{}", c->path);
	assert_int_equal(t_check(&f, config), 0);
	if (c->admitted) {
		source_admitted(&f, c->why);
	} else {
		if (!t_find(&f, "mounts.sensitive-source", "mounts[0].source"))
			print_message("not refused: %s\n", c->why);
		t_expect(&f, "mounts.sensitive-source", "mounts[0].source", HS_ACTION_REFUSE);
	}
	t_done(&f);
}

/* The files an engine makes for this container are admitted, tied to what the engine names;
 * the same names for another container, or named only by the config, are not. */
static void test_engine_subtrees_admitted(void **state)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(engine_cases); i++)
		engine_case(&engine_cases[i]);
	refused_source("/var/lib/containers/storage", "mounts.sensitive-source");
	refused_source("/var/lib/containers/storage/volumes", "mounts.sensitive-source");
	refused_source("/run/containerd/io.containerd.grpc.v1.cri", "mounts.sensitive-source");
}

/* A destination beneath an earlier bind is resolved by the runtime inside the bound host
 * directory: a symlink there (x -> /proc) moves the mount. Plain directories, missing ones
 * and a destination beneath a tmpfs are fine; the same path with no bind above it is judged
 * in the image as before. */
static void test_destination_through_bind(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(hs_fake_host_add_dir(f.fh, "/srv/data/plain", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_symlink(f.fh, "/srv/data/x", "/proc"), 0);
	assert_int_equal(hs_fake_host_add_symlink(f.fh, "/srv/data/up", ".."), 0);
	assert_int_equal(
	    t_check(&f,
		    "{\"mounts\":["
		    "{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/srv/data\","
		    "\"options\":[\"rbind\"]},"
		    "{\"destination\":\"/a/x/sys\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"/a/plain/y\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"/a/missing/z\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"/a/up/etc\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"/t/x/sys\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]}"),
	    0);
	t_expect(&f, "mounts.destination-through-bind", "mounts[1].destination", HS_ACTION_REFUSE);
	assert_null(t_find(&f, "mounts.destination-through-bind", "mounts[2].destination"));
	assert_null(t_find(&f, "mounts.destination-through-bind", "mounts[3].destination"));
	t_expect(&f, "mounts.destination-through-bind", "mounts[4].destination", HS_ACTION_REFUSE);
	assert_null(t_find(&f, "mounts.destination-through-bind", "mounts[6].destination"));
	t_done(&f);
}

static void test_destinations(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *out = NULL;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(
	    t_check(&f,
		    "{\"mounts\":[{\"destination\":\"/a/../b//c/"
		    ".\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"data\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"/x/../../proc/"
		    "sys\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"/proc\",\"type\":\"bind\",\"source\":\"/srv/data\"},"
		    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		    "{\"destination\":\"/mnt/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		    "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"/srv/"
		    "data\",\"options\":[\"rbind\"]},"
		    "{\"destination\":\"/dev/sda\",\"type\":\"bind\",\"source\":\"/srv/data\"},"
		    "{\"destination\":\"/sys/kernel\",\"type\":\"sysfs\",\"source\":\"sysfs\"},"
		    "{\"destination\":\"/\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		    "{\"destination\":\"/sys/fs/"
		    "cgroup\",\"type\":\"cgroup2\",\"source\":\"cgroup\",\"options\":[\"ro\"]}]}"),
	    0);
	t_expect(&f, "mounts.destination", "mounts[0].destination", HS_ACTION_REWRITE);
	t_expect(&f, "mounts.destination", "mounts[1].destination", HS_ACTION_REWRITE);
	out = t_emit_json(hs_json_get(f.ctx.config, "mounts"));
	assert_non_null(strstr(out, "{\"destination\":\"/b/c\""));
	assert_non_null(strstr(out, "{\"destination\":\"/data\""));
	t_expect(&f, "mounts.destination-system", "mounts[2].destination", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.destination-system", "mounts[3].destination", HS_ACTION_REFUSE);
	assert_null(t_find(&f, "mounts.destination-system", "mounts[4].destination"));
	t_expect(&f, "mounts.destination-system", "mounts[5].destination", HS_ACTION_REFUSE);
	assert_null(t_find(&f, "mounts.destination-system", "mounts[6].destination"));
	t_expect(&f, "mounts.destination-system", "mounts[7].destination", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.destination-system", "mounts[8].destination", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.destination-system", "mounts[9].destination", HS_ACTION_REFUSE);
	assert_null(t_find(&f, "mounts.destination-system", "mounts[10].destination"));
	assert_null(t_find(&f, "mounts.destination", "mounts[4].destination"));
	t_done(&f);

	/* refusing normalization is a policy choice */
	t_control_expect(&hs_control_mounts, "{\"on_destination\":\"refuse\"}",
			 "{\"mounts\":[{\"destination\":\"/tmp/../"
			 "tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]}",
			 "mounts.destination", "mounts[0].destination", HS_ACTION_REFUSE);
}

static void test_types(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(t_check(&f, "{\"mounts\":[{\"destination\":\"/"
				     "x\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":"
				     "[\"lowerdir=/etc\"]},"
				     "{\"destination\":\"/y\",\"source\":\"/dev/sda1\"},"
				     "{\"destination\":\"/z\",\"type\":\"ext4\",\"source\":\"/dev/"
				     "sda1\"},"
				     "{\"destination\":\"/w\",\"type\":\"tmpfs\",\"source\":\"/"
				     "etc\",\"options\":[\"bind\"]}]}"),
			 0);
	t_expect(&f, "mounts.type", "mounts[0].type", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.type", "mounts[1].type", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.type", "mounts[2].type", HS_ACTION_REFUSE);
	/* bind in the options makes it a bind whatever the type says */
	t_expect(&f, "mounts.sensitive-source", "mounts[3].source", HS_ACTION_REFUSE);
	t_done(&f);
}

static void test_bind_options(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *o1 = NULL, *o2 = NULL;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(
	    t_check(&f, "{\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/srv/"
			"data\",\"options\":[\"rbind\",\"suid\",\"rw\"]},"
			"{\"destination\":\"/b\",\"source\":\"/srv/"
			"data\",\"options\":[\"bind\",\"nosuid\",\"nodev\"]},"
			"{\"destination\":\"/c\",\"type\":\"bind\",\"source\":\"/srv/data\"}]}"),
	    0);
	t_expect(&f, "mounts.bind-options", "mounts[0].options", HS_ACTION_REWRITE);
	assert_null(t_find(&f, "mounts.bind-options", "mounts[1].options"));
	t_expect(&f, "mounts.bind-options", "mounts[2].options", HS_ACTION_REWRITE);
	o1 = t_emit_json(
	    hs_json_get(hs_json_get(f.ctx.config, "mounts")->u.array.items[0], "options"));
	assert_string_equal(o1, "[\"rbind\",\"rw\",\"nosuid\",\"nodev\"]");
	o2 = t_emit_json(
	    hs_json_get(hs_json_get(f.ctx.config, "mounts")->u.array.items[2], "options"));
	assert_string_equal(o2, "[\"nosuid\",\"nodev\"]");
	assert_false(f.report->refused);
	t_done(&f);

	/* noexec and ro by policy */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(t_load(&f, "{\"bind_noexec\":true,\"bind_readonly\":true}", NULL), 0);
	assert_int_equal(t_check(&f, "{\"mounts\":[{\"destination\":\"/"
				     "a\",\"type\":\"bind\",\"source\":\"/srv/"
				     "data\",\"options\":[\"rbind\",\"exec\",\"rw\"]}]}"),
			 0);
	o1 = (free(o1),
	      t_emit_json(
		  hs_json_get(hs_json_get(f.ctx.config, "mounts")->u.array.items[0], "options")));
	assert_string_equal(o1, "[\"rbind\",\"nosuid\",\"nodev\",\"noexec\",\"ro\"]");
	t_done(&f);
}

static void test_propagation_and_kernel_fs(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *o = NULL;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(
	    t_check(
		&f,
		"{\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/srv/"
		"data\",\"options\":[\"rbind\",\"rshared\"]},"
		"{\"destination\":\"/"
		"sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"rw\"]},"
		"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"}],"
		"\"linux\":{\"rootfsPropagation\":\"shared\"}}"),
	    0);
	t_expect(&f, "mounts.propagation", "mounts[0].options", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.propagation", "linux.rootfsPropagation", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.kernel-fs-readonly", "mounts[1].options", HS_ACTION_REWRITE);
	t_expect(&f, "mounts.kernel-fs-readonly", "mounts[2].options", HS_ACTION_REWRITE);
	o = t_emit_json(hs_json_get(f.ctx.config, "mounts"));
	assert_non_null(strstr(o, "\"options\":[\"nosuid\",\"ro\"]"));
	assert_non_null(
	    strstr(o, "\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"ro\"]"));
	t_done(&f);

	t_control(&f, &hs_control_mounts);
	assert_int_equal(t_load(&f, "{\"on_propagation\":\"rewrite\"}", NULL), 0);
	assert_int_equal(t_check(&f, "{\"mounts\":[{\"destination\":\"/"
				     "a\",\"type\":\"bind\",\"source\":\"/srv/"
				     "data\",\"options\":[\"rbind\",\"shared\"]}],"
				     "\"linux\":{\"rootfsPropagation\":\"rshared\"}}"),
			 0);
	free(o);
	o = t_emit_json(f.ctx.config);
	assert_null(strstr(o, "shared"));
	assert_false(f.report->refused);
	t_done(&f);
}

static void test_masked_and_readonly_paths(void **state)
{
	struct hs_t f;
	_cleanup_free_ char *m = NULL, *r = NULL;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(t_check(&f, "{\"linux\":{\"maskedPaths\":[\"/proc//kcore\",\"/custom\"],"
				     "\"readonlyPaths\":[\"/proc/sys\"]}}"),
			 0);
	t_expect(&f, "mounts.masked-paths", "linux.maskedPaths", HS_ACTION_REWRITE);
	t_expect(&f, "mounts.readonly-paths", "linux.readonlyPaths", HS_ACTION_REWRITE);
	m = t_emit_json(hs_json_get(hs_json_get(f.ctx.config, "linux"), "maskedPaths"));
	assert_string_equal(m, "[\"/proc//kcore\",\"/custom\",\"/proc/acpi\",\"/proc/asound\",\"/"
			       "proc/keys\","
			       "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\","
			       "\"/proc/sched_debug\",\"/proc/scsi\",\"/sys/firmware\","
			       "\"/sys/devices/virtual/powercap\"]");
	r = t_emit_json(hs_json_get(hs_json_get(f.ctx.config, "linux"), "readonlyPaths"));
	assert_string_equal(r, "[\"/proc/sys\",\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/"
			       "sysrq-trigger\"]");
	t_done(&f);

	/* absent linux: created; complete lists: nothing to say */
	t_control(&f, &hs_control_mounts);
	assert_int_equal(t_check(&f, "{}"), 0);
	assert_int_equal(hs_json_len(
			     hs_json_get(hs_json_get(f.ctx.config, "linux"), "maskedPaths")),
			 11);
	assert_int_equal(hs_json_len(
			     hs_json_get(hs_json_get(f.ctx.config, "linux"), "readonlyPaths")),
			 5);
	t_done(&f);
}

static void test_policy_section(void **state)
{
	struct hs_t f;
	struct hs_error err = HS_ERROR_INIT;

	t_control(&f, &hs_control_mounts);
	assert_int_equal(t_load(&f, "{\"sensitive_paths\":[\"/srv/data\"]}", NULL), 0);
	bind_refused(&f, "/srv/data", "mounts.sensitive-source");
	t_done(&f);

	t_control(&f, &hs_control_mounts);
	assert_int_equal(
	    t_load(&f, "{\"admit_sources\":[\"/var/lib/myengine/{container-id}/files/**\"]}", NULL),
	    0);
	assert_int_equal(hs_fake_host_add_file(f.fh, "/var/lib/docker/x", 0, 0, 0644), 0);
	assert_int_equal(hs_fake_host_add_file(f.fh, "/var/lib/myengine/" CID "/files/hosts", 0, 0,
					       0644),
			 0);
	f.ctx.container_id = CID;
	allowed_source(&f, "/var/lib/myengine/" CID "/files/hosts");
	t_done(&f);

	t_control(&f, &hs_control_mounts);
	assert_int_equal(t_load(&f, "{\"on_source\":\"warn\"}", NULL), 0);
	assert_int_equal(check_bind(&f, "/etc"), 0);
	t_expect(&f, "mounts.sensitive-source", "mounts[0].source", HS_ACTION_WARN);
	assert_false(f.report->refused);
	t_done(&f);

	static const struct {
		const char *section, *path;
	} bad[] = {
		{ "{\"on_source\":\"rewrite\"}", "controls.mounts.on_source" },
		{ "{\"on_options\":\"maybe\"}", "controls.mounts.on_options" },
		{ "{\"sensitive_paths\":[\"etc\"]}", "controls.mounts.sensitive_paths[0]" },
		{ "{\"admit_sources\":[\"/**\"]}", "controls.mounts.admit_sources[0]" },
		{ "{\"admit_sources\":[\"/var/**/x\"]}", "controls.mounts.admit_sources[0]" },
		{ "{\"admit_sources\":[\"/var/{bogus}\"]}", "controls.mounts.admit_sources[0]" },
		{ "{\"admit_sources\":[\"/var/../etc\"]}", "controls.mounts.admit_sources[0]" },
	};
	for (size_t i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		t_control(&f, &hs_control_mounts);
		err = (struct hs_error)HS_ERROR_INIT;
		assert_true(t_load(&f, bad[i].section, &err) < 0);
		if (strcmp(err.path, bad[i].path) != 0)
			fail_msg("%s: got %s at %s", bad[i].section, err.rule, err.path);
		t_done(&f);
	}
	t_control(&f, &hs_control_mounts);
	err = (struct hs_error)HS_ERROR_INIT;
	assert_true(t_load(&f, "{\"sensitive\":[]}", &err) < 0);
	assert_string_equal(err.rule, "json.unknown-key");
	t_done(&f);
}

/* The config Podman 4 generates for `podman run busybox` (abridged to the mounts it binds). */
static void test_podman_config_passes(void **state)
{
	struct hs_t f;
	char config[4096];
	const char *ud = "/var/lib/containers/storage/overlay-containers/" CID "/userdata";
	const char *rud = "/run/containers/storage/overlay-containers/" CID "/userdata";
	static const char *const files[] = { "resolv.conf", "hosts", "hostname" };

	t_control(&f, &hs_control_mounts);
	f.ctx.container_id = CID;
	for (size_t i = 0; i < 3; i++) {
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", rud, files[i]);
		assert_int_equal(hs_fake_host_add_file(f.fh, p, 0, 0, 0644), 0);
	}
	{
		char p[512];
		snprintf(p, sizeof(p), "%s/shm", ud);
		assert_int_equal(hs_fake_host_add_dir(f.fh, p, 0, 0, 01777), 0);
		snprintf(p, sizeof(p), "%s/.containerenv", rud);
		assert_int_equal(hs_fake_host_add_file(f.fh, p, 0, 0, 0644), 0);
	}
	snprintf(config, sizeof(config),
		 "{\"mounts\":[{\"destination\":\"/"
		 "proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\","
		 "\"nodev\"]},"
		 "{\"destination\":\"/"
		 "dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
		 "\"strictatime\",\"mode=755\",\"size=65536k\"]},"
		 "{\"destination\":\"/"
		 "sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\","
		 "\"nodev\",\"ro\"]},"
		 "{\"destination\":\"/dev/"
		 "pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\","
		 "\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
		 "{\"destination\":\"/dev/"
		 "mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":[\"nosuid\","
		 "\"noexec\",\"nodev\"]},"
		 "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"%s/"
		 "resolv.conf\",\"options\":[\"bind\",\"rprivate\"]},"
		 "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"%s/"
		 "hosts\",\"options\":[\"bind\",\"rprivate\"]},"
		 "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"%s/"
		 "shm\",\"options\":[\"bind\",\"rprivate\",\"nosuid\",\"noexec\",\"nodev\"]},"
		 "{\"destination\":\"/etc/hostname\",\"type\":\"bind\",\"source\":\"%s/"
		 "hostname\",\"options\":[\"bind\",\"rprivate\"]},"
		 "{\"destination\":\"/run/.containerenv\",\"type\":\"bind\",\"source\":\"%s/"
		 ".containerenv\",\"options\":[\"bind\",\"rprivate\"]},"
		 "{\"destination\":\"/sys/fs/"
		 "cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"rprivate\","
		 "\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
		 "\"linux\":{\"maskedPaths\":[\"/proc/acpi\",\"/proc/kcore\",\"/proc/keys\",\"/"
		 "proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/"
		 "sched_debug\",\"/proc/scsi\",\"/sys/firmware\",\"/sys/fs/selinux\",\"/sys/dev/"
		 "block\"],"
		 "\"readonlyPaths\":[\"/proc/asound\",\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/"
		 "proc/sys\",\"/proc/sysrq-trigger\"]}}",
		 rud, rud, ud, rud, rud);
	assert_int_equal(t_check(&f, config), 0);
	for (size_t i = 0; i < f.report->len; i++)
		if (f.report->items[i].action != HS_ACTION_REWRITE)
			fail_msg("%s %s: %s", f.report->items[i].rule, f.report->items[i].path,
				 f.report->items[i].message);
	assert_false(f.report->refused);
	t_expect(&f, "mounts.bind-options", "mounts[5].options", HS_ACTION_REWRITE);
	assert_null(t_find(&f, "mounts.bind-options", "mounts[7].options"));
	t_done(&f);
}

/* The mounts containerd's CRI plugin generates for a Kubernetes pod's container: kubelet's
 * etc-hosts, termination log and projected token, the sandbox's hostname, resolv.conf and
 * shm. All admitted, tied to the sandbox id and pod uid the engine names (pod_uid here); the
 * annotations (which claim PODUID) decide nothing. */
static void cri_config(struct hs_t *f, const char *pod_uid)
{
	const char *pod = "/var/lib/kubelet/pods/" PODUID;
	const char *sbl = "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/" CID2;
	const char *sbr = "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/" CID2;
	char p[4096];

	snprintf(p, sizeof(p), "%s/etc-hosts", pod);
	assert_int_equal(hs_fake_host_add_file(f->fh, p, 0, 0, 0644), 0);
	snprintf(p, sizeof(p), "%s/containers/app/1a2b3c4d", pod);
	assert_int_equal(hs_fake_host_add_file(f->fh, p, 0, 0, 0666), 0);
	snprintf(p, sizeof(p), "%s/volumes/kubernetes.io~projected/kube-api-access-x7k2p", pod);
	assert_int_equal(hs_fake_host_add_dir(f->fh, p, 0, 0, 01777), 0);
	snprintf(p, sizeof(p), "%s/hostname", sbl);
	assert_int_equal(hs_fake_host_add_file(f->fh, p, 0, 0, 0644), 0);
	snprintf(p, sizeof(p), "%s/resolv.conf", sbl);
	assert_int_equal(hs_fake_host_add_file(f->fh, p, 0, 0, 0644), 0);
	snprintf(p, sizeof(p), "%s/shm", sbr);
	assert_int_equal(hs_fake_host_add_dir(f->fh, p, 0, 0, 01777), 0);
	f->ctx.container_id = CID;
	f->ctx.sandbox_id = CID2;
	f->ctx.pod_uid = pod_uid;
	snprintf(p, sizeof(p),
		 "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
		 "\"io.kubernetes.cri.sandbox-id\":\"" CID2
		 "\",\"io.kubernetes.cri.sandbox-uid\":\"" PODUID "\"},"
		 "\"mounts\":[{\"destination\":\"/"
		 "proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\","
		 "\"nodev\"]},"
		 "{\"destination\":\"/"
		 "dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
		 "\"strictatime\",\"mode=755\",\"size=65536k\"]},"
		 "{\"destination\":\"/dev/"
		 "pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\","
		 "\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
		 "{\"destination\":\"/dev/"
		 "mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":[\"nosuid\","
		 "\"noexec\",\"nodev\"]},"
		 "{\"destination\":\"/"
		 "sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\","
		 "\"nodev\",\"ro\"]},"
		 "{\"destination\":\"/sys/fs/"
		 "cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"nosuid\","
		 "\"noexec\",\"nodev\",\"relatime\",\"ro\"]},"
		 "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"%s/"
		 "etc-hosts\",\"options\":[\"rbind\",\"rprivate\",\"rw\"]},"
		 "{\"destination\":\"/dev/termination-log\",\"type\":\"bind\",\"source\":\"%s/"
		 "containers/app/1a2b3c4d\",\"options\":[\"rbind\",\"rprivate\",\"rw\"]},"
		 "{\"destination\":\"/etc/hostname\",\"type\":\"bind\",\"source\":\"%s/"
		 "hostname\",\"options\":[\"rbind\",\"rprivate\",\"rw\"]},"
		 "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"%s/"
		 "resolv.conf\",\"options\":[\"rbind\",\"rprivate\",\"rw\"]},"
		 "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"%s/"
		 "shm\",\"options\":[\"rbind\",\"rprivate\",\"rw\"]},"
		 "{\"destination\":\"/var/run/secrets/kubernetes.io/"
		 "serviceaccount\",\"type\":\"bind\","
		 "\"source\":\"%s/volumes/kubernetes.io~projected/"
		 "kube-api-access-x7k2p\",\"options\":[\"rbind\",\"rprivate\",\"ro\"]}]}",
		 pod, pod, sbl, sbl, sbr, pod);
	assert_int_equal(t_check(f, p), 0);
}

static void test_containerd_cri_config_passes(void **state)
{
	struct hs_t f;

	t_control(&f, &hs_control_mounts);
	cri_config(&f, PODUID);
	for (size_t i = 0; i < f.report->len; i++)
		if (f.report->items[i].action != HS_ACTION_REWRITE)
			fail_msg("%s %s: %s", f.report->items[i].rule, f.report->items[i].path,
				 f.report->items[i].message);
	assert_false(f.report->refused);
	t_done(&f);

	/* the engine names another pod than the one the annotations claim: kubelet's files are
	 * refused, the sandbox's (named by the shim) admitted */
	t_control(&f, &hs_control_mounts);
	cri_config(&f, "00000000-0000-4000-8000-000000000000");
	t_expect(&f, "mounts.sensitive-source", "mounts[6].source", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.sensitive-source", "mounts[7].source", HS_ACTION_REFUSE);
	t_expect(&f, "mounts.sensitive-source", "mounts[11].source", HS_ACTION_REFUSE);
	assert_null(t_find(&f, "mounts.sensitive-source", "mounts[8].source"));
	t_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sensitive_by_components),
		cmocka_unit_test(test_sensitive_message),
		cmocka_unit_test(test_sensitive_by_identity),
		cmocka_unit_test(test_unsafe_sources),
		cmocka_unit_test(test_source_in_rootfs),
		cmocka_unit_test(test_option_allowlist),
		cmocka_unit_test(test_mount_idmap),
		cmocka_unit_test(test_replaceable_components),
		cmocka_unit_test(test_source_on_kernel_fs),
		cmocka_unit_test(test_engine_subtrees_admitted),
		cmocka_unit_test(test_destinations),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_bind_options),
		cmocka_unit_test(test_destination_through_bind),
		cmocka_unit_test(test_propagation_and_kernel_fs),
		cmocka_unit_test(test_masked_and_readonly_paths),
		cmocka_unit_test(test_policy_section),
		cmocka_unit_test(test_podman_config_passes),
		cmocka_unit_test(test_containerd_cri_config_passes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
