/* SPDX-License-Identifier: Apache-2.0
 * user.volume-owner (issue 14, ctr/Kubernetes postgres): a root image whose data directory is
 * a fresh volume (an empty root-owned 0777 directory, as ctr --mount users and kubelet's
 * emptyDir give it) runs as the owner the image gives that directory, and the volume is given
 * to that user before the runtime runs. One test per condition: each one broken, the volume
 * is not given and the process runs as the policy's 65534. The host half
 * (hs_host_give_volume) is tested on real directories. */
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hs-argv.h"
#include "hs-cli.h"
#include "harness.h"

#define PG_IMAGE_DIR "/srv/bundle/rootfs/var/lib/postgresql/data"
#define PG_MOUNT(src, opts)                                                                       \
	"{\"destination\":\"/var/lib/postgresql/data\",\"type\":\"bind\",\"source\":\"" src "\"," \
	"\"options\":[" opts "]}"
#define PG_CFG_USER(user, mounts)                                                                  \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"]," \
	"\"cwd\":\"/\"" user "},\"mounts\":[" mounts "]}"
#define PG_CFG(mounts) PG_CFG_USER("", mounts)

/* The fake host of every case: the image's PGDATA is postgres's (999:998), the volume
 * /vol/pg an empty root-owned 0777 directory under root's 0755 /vol. */
static void pg_setup(struct hs_t *h, const char *section)
{
	t_pipeline(h, "user", section);
	assert_int_equal(hs_fake_host_add_dir(h->fh, PG_IMAGE_DIR, 999, 998, 0700), 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, "/vol", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(h->fh, "/vol/pg", 0, 0, 0777), 0);
}

/* Not given: the policy's ids, no user.volume-owner finding. */
static void expect_not_given(struct hs_t *h)
{
	assert_null(t_find(h, "user.volume-owner", NULL));
	assert_true(t_out_has(h, "\"user\":{\"uid\":65534,\"gid\":65534}"));
}

static void test_fresh_volume_given(void **state)
{
	struct hs_t h;
	const struct hs_finding *f;

	pg_setup(&h, NULL);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\",\"rw\"")));
	t_expect(&h, "user.root", "process.user", HS_ACTION_REWRITE);
	f = t_find(&h, "user.volume-owner", "mounts[0].source");
	assert_non_null(f);
	assert_int_equal(f->action, HS_ACTION_REWRITE);
	assert_non_null(strstr(f->message, "given to 999:998"));
	assert_false(h.pl.report->refused);
	assert_true(t_out_has(&h, "\"user\":{\"uid\":999,\"gid\":998}"));
	/* the volume's source is not rewritten: the runtime mounts what the engine made */
	assert_true(t_out_has(&h, "\"source\":\"/vol/pg\""));
	t_done(&h);

	/* uid 0 and gid 0 given explicitly: the same */
	pg_setup(&h, NULL);
	t_run(&h, PG_CFG_USER(",\"user\":{\"uid\":0,\"gid\":0}", PG_MOUNT("/vol/pg", "\"rbind\"")));
	assert_non_null(t_find(&h, "user.volume-owner", "mounts[0].source"));
	assert_true(t_out_has(&h, "\"user\":{\"uid\":999,\"gid\":998}"));
	t_done(&h);
}

/* Someone's data is in it: never given. */
static void test_not_empty(void **state)
{
	struct hs_t h;

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_file(h.fh, "/vol/pg/PG_VERSION", 0, 0, 0644), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);
}

/* Only mode 0777 exactly: 0755 (root chose who writes), 1777 (a sticky /var/tmp-like dir
 * whose owner could delete others' files), 2777 (a group was chosen). */
static void test_mode_not_0777(void **state)
{
	static const mode_t modes[] = { 0755, 01777, 02777, 0770 };
	struct hs_t h;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		pg_setup(&h, NULL);
		assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/pg", 0, 0, modes[i]), 0);
		t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
		expect_not_given(&h);
		t_done(&h);
	}
}

/* Another user's 0777 directory is theirs: not given (the existing owner rule runs the
 * process as that owner instead, and nothing changes owner). */
static void test_not_root_owned(void **state)
{
	struct hs_t h;

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/pg", 1000, 1000, 0777), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
	assert_null(t_find(&h, "user.volume-owner", NULL));
	assert_true(t_out_has(&h, "\"user\":{\"uid\":1000,\"gid\":1000}"));
	t_done(&h);
}

/* A symlink on the way would aim the chown anywhere: not given, whether the link is the
 * source itself or a directory above it. */
static void test_symlink(void **state)
{
	struct hs_t h;

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_symlink(h.fh, "/vol/link", "/vol/pg"), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/link", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_symlink(h.fh, "/volumes", "/vol"), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/volumes/pg", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);
}

/* On a path someone but root could swap (a user's or a world-writable parent): it could be
 * anything by the time of the chown, and root need not have made it. */
static void test_replaceable_parent(void **state)
{
	struct hs_t h;

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol", 0, 0, 0777), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol", 1000, 1000, 0755), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);
}

/* Not a writable bind mount: a read-only bind, or a file. */
static void test_not_writable_dir_bind(void **state)
{
	struct hs_t h;

	pg_setup(&h, NULL);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\",\"ro\"")));
	expect_not_given(&h);
	t_done(&h);

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_file(h.fh, "/vol/file", 0, 0, 0777), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/file", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);
}

/* The image gives the directory to no one but root (or does not have it): nobody to give the
 * volume to. */
static void test_image_dir_root_or_absent(void **state)
{
	struct hs_t h;

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, PG_IMAGE_DIR, 0, 0, 0755), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);

	pg_setup(&h, NULL);
	t_run(&h, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":"
		  "[\"sh\"],\"cwd\":\"/\"},\"mounts\":[{\"destination\":\"/elsewhere\",\"type\":"
		  "\"bind\",\"source\":\"/vol/pg\",\"options\":[\"rbind\"]}]}");
	expect_not_given(&h);
	t_done(&h);
}

/* Two fresh volumes over directories of two owners: no single answer. Two of one owner: both
 * given. */
static void test_two_volumes(void **state)
{
	struct hs_t h;

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/other", 0, 0, 0777), 0);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/other", 70, 70, 0755), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"") ",{\"destination\":\"/other\",\"type\":"
							  "\"bind\",\"source\":\"/vol/other\"}"));
	expect_not_given(&h);
	t_done(&h);

	pg_setup(&h, NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/other", 0, 0, 0777), 0);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/other", 999, 998, 0755), 0);
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"") ",{\"destination\":\"/other\",\"type\":"
							  "\"bind\",\"source\":\"/vol/other\"}"));
	assert_non_null(t_find(&h, "user.volume-owner", "mounts[0].source"));
	assert_non_null(t_find(&h, "user.volume-owner", "mounts[1].source"));
	t_done(&h);
}

/* Only where hardshim rewrites: switched off, under refuse or warn (nothing runs as the
 * target), and with a group the config named (a volume gets no group the config chose). */
static void test_policy_and_config_choices(void **state)
{
	const struct hs_finding *f;
	struct hs_t h;

	pg_setup(&h, "{\"own_empty_volumes\":false}");
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);

	pg_setup(&h, "{\"root_as_data_owner\":false}");
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
	expect_not_given(&h);
	t_done(&h);

	pg_setup(&h, "{\"action\":\"refuse\"}");
	t_run(&h, PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\"")));
	assert_null(t_find(&h, "user.volume-owner", NULL));
	f = t_find(&h, "user.root", "process.user");
	assert_non_null(f);
	assert_int_equal(f->action, HS_ACTION_REFUSE);
	t_done(&h);

	pg_setup(&h, NULL);
	t_run(&h, PG_CFG_USER(",\"user\":{\"uid\":0,\"gid\":5}", PG_MOUNT("/vol/pg", "\"rbind\"")));
	assert_null(t_find(&h, "user.volume-owner", NULL));
	assert_true(t_out_has(&h, "\"user\":{\"uid\":65534,\"gid\":5}"));
	t_done(&h);
	/* a user namespace (here one that does not map 0, so root is remapped): the process's
	 * 999 is not the host's 999, nothing is given */
	pg_setup(&h, NULL);
	t_run(&h, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
		  "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
		  "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"
		  "\"uidMappings\":[{\"containerID\":1,\"hostID\":100001,\"size\":65535}],"
		  "\"gidMappings\":[{\"containerID\":1,\"hostID\":100001,\"size\":65535}]},"
		  "\"mounts\":[" PG_MOUNT("/vol/pg", "\"rbind\"") "]}");
	assert_null(t_find(&h, "user.volume-owner", NULL));
	t_done(&h);
}

/* Hook mode: nothing can be done before the runtime mounts, so nothing is given (the root
 * process is refused there as before). */
static void test_never_in_hook_mode(void **state)
{
	static const char cfg[] = PG_CFG(PG_MOUNT("/vol/pg", "\"rbind\""));
	struct hs_t h;

	pg_setup(&h, NULL);
	h.no_rewrite = true;
	assert_int_equal(t_try_event(&h, &hs_oci_spec, cfg, HS_EVENT_CREATE), 0);
	assert_null(t_find(&h, "user.volume-owner", NULL));
	assert_true(h.pl.report->refused);
	t_done(&h);
}

/* ctr's default spec has a /run tmpfs of its own: without tmpcopyup it hides the image's
 * /run/postgresql (postgres: "could not create lock file"). It gets tmpcopyup as hardshim's
 * own /run has, only where the image has something there; an explicit notmpcopyup is kept. */
#define RUN_CFG(opts)                                                                         \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"         \
	"\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000}}," \
	"\"mounts\":[{\"destination\":\"/"                                                    \
	"run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[" opts "]}]}"

/* Does the first mount (the engine's /run) have tmpcopyup? */
static bool run_copyup(struct hs_t *h)
{
	const struct hs_json *m = hs_json_get_type(h->pl.tree, "mounts", HS_JSON_ARRAY), *o;

	assert_non_null(m);
	hs_json_foreach_item(o, hs_json_get_type(m->u.array.items[0], "options", HS_JSON_ARRAY),
			     i) {
		if (o->type == HS_JSON_STRING && !strcmp(o->u.string.s, "tmpcopyup"))
			return true;
	}
	return false;
}

static void test_engine_run_tmpfs_copyup(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "rootfs", NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/run/postgresql", 999, 998,
					      03777),
			 0);
	t_run(&h, RUN_CFG("\"nosuid\",\"mode=755\""));
	t_expect(&h, "rootfs.tmpfs", "mounts[0]", HS_ACTION_REWRITE);
	assert_true(run_copyup(&h));
	t_done(&h);

	/* nothing in the image's /run: nothing to hide, nothing added */
	t_pipeline(&h, "rootfs", NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/run", 0, 0, 0755), 0);
	t_run(&h, RUN_CFG("\"nosuid\""));
	assert_null(t_find(&h, "rootfs.tmpfs", "mounts[0]"));
	assert_false(run_copyup(&h));
	t_done(&h);

	/* the engine said notmpcopyup: kept */
	t_pipeline(&h, "rootfs", NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/run/postgresql", 999, 998,
					      03777),
			 0);
	t_run(&h, RUN_CFG("\"notmpcopyup\""));
	assert_null(t_find(&h, "rootfs.tmpfs", "mounts[0]"));
	assert_false(run_copyup(&h));
	t_done(&h);
}

/* ---- the host half, on real directories (root only: it chowns) ---- */

struct tmp {
	char dir[64];
	char vol[96];
};

static void tmp_make(struct tmp *t, mode_t mode)
{
	strcpy(t->dir, "/tmp/hs-volume-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	assert_int_equal(chmod(t->dir, 0755), 0);
	snprintf(t->vol, sizeof(t->vol), "%s/vol", t->dir);
	assert_int_equal(mkdir(t->vol, 0700), 0);
	assert_int_equal(chmod(t->vol, mode), 0);
}

static void tmp_remove(struct tmp *t)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
}

static void owner_is(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_uid, uid);
	assert_int_equal(st.st_gid, gid);
}

/* One refused case: the error names the rule and the directory keeps root as its owner. */
static void refused(const char *path, const char *owner_path, uid_t uid, gid_t gid, const char *why)
{
	struct hs_error err = HS_ERROR_INIT;

	assert_true(hs_host_give_volume(path, uid, gid, &err) < 0);
	assert_string_equal(err.rule, "user.volume-owner");
	if (!strstr(err.msg, why))
		fail_msg("%s: '%s' lacks '%s'", path, err.msg, why);
	owner_is(owner_path, 0, 0);
}

static void test_host_give_volume(void **state)
{
	struct hs_error err = HS_ERROR_INIT;
	struct tmp t;
	char p[160];
	int fd;

	if (geteuid() != 0)
		skip(); /* chown needs root (CI runs the unit tests as root) */
	tmp_make(&t, 0777);
	assert_int_equal(hs_host_give_volume(t.vol, 999, 998, &err), 0);
	owner_is(t.vol, 999, 998);
	tmp_remove(&t);

	/* never to root */
	tmp_make(&t, 0777);
	refused(t.vol, t.vol, 0, 998, "never to root");
	refused(t.vol, t.vol, 999, 0, "never to root");
	tmp_remove(&t);

	/* not empty: neither the directory nor what is in it changes owner */
	tmp_make(&t, 0777);
	snprintf(p, sizeof(p), "%s/PG_VERSION", t.vol);
	assert_true((fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) >= 0);
	close(fd);
	refused(t.vol, t.vol, 999, 998, "not empty");
	owner_is(p, 0, 0);
	tmp_remove(&t);

	/* modes other than 0777 */
	tmp_make(&t, 0755);
	refused(t.vol, t.vol, 999, 998, "not 0777");
	assert_int_equal(chmod(t.vol, 01777), 0);
	refused(t.vol, t.vol, 999, 998, "not 0777");
	assert_int_equal(chmod(t.vol, 02777), 0);
	refused(t.vol, t.vol, 999, 998, "not 0777");
	tmp_remove(&t);

	/* another user's */
	tmp_make(&t, 0777);
	assert_int_equal(chown(t.vol, 1000, 1000), 0);
	assert_true(hs_host_give_volume(t.vol, 999, 998, &err) < 0);
	assert_string_equal(err.rule, "user.volume-owner");
	owner_is(t.vol, 1000, 1000);
	tmp_remove(&t);

	/* through a symlink, itself or a directory above it */
	tmp_make(&t, 0777);
	snprintf(p, sizeof(p), "%s/link", t.dir);
	assert_int_equal(symlink("vol", p), 0);
	refused(p, t.vol, 999, 998, "symlink");
	tmp_remove(&t);

	/* a file */
	tmp_make(&t, 0777);
	snprintf(p, sizeof(p), "%s/file", t.dir);
	assert_true((fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0777)) >= 0);
	close(fd);
	assert_int_equal(chmod(p, 0777), 0);
	refused(p, p, 999, 998, "");
	tmp_remove(&t);

	/* a parent anyone could write (no sticky bit): it could be swapped */
	tmp_make(&t, 0777);
	assert_int_equal(chmod(t.dir, 0777), 0);
	refused(t.vol, t.vol, 999, 998, "writable by group or others");
	tmp_remove(&t);

	/* absent, relative */
	refused("/nonexistent-hs-volume", "/", 999, 998, "does not exist");
	refused("relative/vol", "/", 999, 998, "not an absolute path");
}

/* ---- create: the gate's last step gives the volume (src/cli/runtime.c) ---- */

/* hardshim create on a real bundle whose image gives /data to 999:998, with the volume
 * VOL bound there, under a policy with only the user control on, in MODE. */
static enum hs_decision create_in(const char *mode, const char *bundle, const char *vol)
{
	struct hs_t_policy spec = { .on = "user" };
	struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;
	char cfg[512], path[160], top[64],
	    *argv[] = { "hs", "create", "--bundle", (char *)bundle, "c1", NULL };
	struct hs_argv a;
	enum hs_decision d;
	FILE *f;

	snprintf(top, sizeof(top), "\"mode\":\"%s\"", mode);
	spec.extra_top = top;
	assert_int_equal(hs_t_policy_load(&spec, &p, &err), 0);
	snprintf(cfg, sizeof(cfg),
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{"
		 "\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},\"mounts\":[{"
		 "\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"%s\",\"options\":["
		 "\"rbind\"]}]}",
		 vol);
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	fputs(cfg, f);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(hs_argv_parse(5, argv, &a, &err), 0);
	assert_int_equal(chdir(bundle), 0);
	d = hs_create_prepare(&a, p, NULL, &err);
	assert_int_equal(chdir("/"), 0);
	hs_bundle_release();
	hs_policy_free(p);
	return d;
}

static bool log_has(const char *text)
{
	char line[16384];
	bool found = false;
	FILE *f = fopen(t_log_path(), "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	fclose(f);
	return found;
}

static void test_create_gives_volume(void **state)
{
	struct tmp t;
	char bundle[128], data[160];

	struct open_how how = { .flags = O_PATH | O_CLOEXEC };
	int fd;

	if (geteuid() != 0)
		skip(); /* chown needs root (CI runs the unit tests as root) */
	fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* valgrind does not know openat2 (nor do kernels before 5.6): the real host then
		 * cannot say who owns the image's directory, and nothing is given */
		print_message("openat2 is not available here: skipped\n");
		skip();
	}
	if (fd >= 0)
		close(fd);
	tmp_make(&t, 0777);
	snprintf(bundle, sizeof(bundle), "%s/b", t.dir);
	assert_int_equal(mkdir(bundle, 0755), 0);
	snprintf(data, sizeof(data), "%s/rootfs", bundle);
	assert_int_equal(mkdir(data, 0755), 0);
	snprintf(data, sizeof(data), "%s/rootfs/data", bundle);
	assert_int_equal(mkdir(data, 0700), 0);
	assert_int_equal(chown(data, 999, 998), 0);

	/* audit mode: observed, recorded, nothing changes on the host */
	assert_int_equal(create_in("audit", bundle, t.vol), HS_DECISION_ALLOW);
	owner_is(t.vol, 0, 0);
	/* enforce: given before the runtime would run, and the launch record says so */
	assert_int_equal(create_in("enforce", bundle, t.vol), HS_DECISION_ALLOW);
	owner_is(t.vol, 999, 998);
	assert_true(log_has("\"user.volume-owner\""));
	tmp_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_volume_given),
		cmocka_unit_test(test_not_empty),
		cmocka_unit_test(test_mode_not_0777),
		cmocka_unit_test(test_not_root_owned),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_replaceable_parent),
		cmocka_unit_test(test_not_writable_dir_bind),
		cmocka_unit_test(test_image_dir_root_or_absent),
		cmocka_unit_test(test_two_volumes),
		cmocka_unit_test(test_policy_and_config_choices),
		cmocka_unit_test(test_never_in_hook_mode),
		cmocka_unit_test(test_engine_run_tmpfs_copyup),
		cmocka_unit_test(test_host_give_volume),
		cmocka_unit_test(test_create_gives_volume),
	};
	return cmocka_run_group_tests_name("volume-owner", tests, NULL, NULL);
}
