/* SPDX-License-Identifier: Apache-2.0
 * user: never uid 0, gid 0 or supplementary group 0; umask with 022; on create and exec. */
#include "harness.h"

#define CFG_USER(user)                                      \
	T_CONFIG("{\"path\":\"rootfs\",\"readonly\":true}", \
		 "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":" user "}")

static void test_root_remapped(void **state)
{
	struct hs_t h;
	const struct hs_json *u;

	t_pipeline(&h, "user", NULL);
	t_run(&h, CFG_USER("{\"uid\":0,\"gid\":0,\"additionalGids\":[10,0,0,20]}"));
	t_expect(&h, "user.root", "process.user.uid", HS_ACTION_REWRITE);
	t_expect(&h, "user.root-group", "process.user.gid", HS_ACTION_REWRITE);
	/* paths name the index in the input, even after earlier removals */
	t_expect(&h, "user.additional-gids", "process.user.additionalGids[1]", HS_ACTION_REWRITE);
	t_expect(&h, "user.additional-gids", "process.user.additionalGids[2]", HS_ACTION_REWRITE);
	assert_false(h.pl.report->refused);
	u = hs_json_get(hs_json_get(h.pl.tree, "process"), "user");
	assert_true(
	    t_out_has(&h, "\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10,20]}"));
	assert_non_null(u);
	t_done(&h);
}

/* Issue 14 cause 2: every tmpfs but /dev's belongs to the final uid and gid (runc gives a
 * tmpfs the image directory's root ownership and mode otherwise); an owner the config gave
 * is kept. */
static void test_tmpfs_owned_by_final_user(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "user", NULL);
	t_run(&h, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
		  "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
		  "\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"t\"},"
		  "{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"t\"},"
		  "{\"destination\":\"/data\",\"type\":\"tmpfs\",\"source\":\"t\","
		  "\"options\":[\"uid=7\"]}]}");
	t_expect(&h, "user.tmpfs-owner", "mounts[1]", HS_ACTION_REWRITE);
	/* one finding a tmpfs, naming what it adds (it was one for uid=, one for gid=) */
	assert_int_equal(t_count(&h, "user.tmpfs-owner"), 2);
	assert_non_null(
	    strstr(t_find(&h, "user.tmpfs-owner", "mounts[1]")->message, "(uid=65534,gid=65534)"));
	assert_non_null(
	    strstr(t_find(&h, "user.tmpfs-owner", "mounts[2]")->message, "(gid=65534)"));
	assert_true(t_out_has(&h, "\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"t\","
				  "\"options\":[\"uid=65534\",\"gid=65534\"]"));
	assert_true(t_out_has(&h, "\"options\":[\"uid=7\",\"gid=65534\"]"));
	assert_true(
	    t_out_has(&h, "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"t\"}"));
	t_done(&h);
}

#define DATA_CFG(cwd, mounts)                                                                      \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"]," \
	"\"cwd\":\"" cwd "\",\"user\":{\"uid\":0,\"gid\":0}},\"mounts\":[" mounts "]}"

#define DATA_CFG_USER(uid, gid)                                                                    \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"]," \
	"\"cwd\":\"/data\",\"user\":{\"uid\":" uid ",\"gid\":" gid "}}}"

/* Issue 14 cause 1: a root image whose working directory, or only writable volume, belongs
 * to a service user runs as that user (redis's /data, postgres's PGDATA), never as 0 and
 * never with group 0; otherwise as the policy's 65534. */
static void test_root_runs_as_data_owner(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "user", NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/data", 999, 998, 0755), 0);
	t_run(&h, DATA_CFG("/data", ""));
	t_expect(&h, "user.root", "process.user.uid", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"user\":{\"uid\":999,\"gid\":998}"));
	t_done(&h);

	/* a volume over the working directory: its host directory's owner decides */
	t_pipeline(&h, "user", NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/data", 999, 998, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/pg", 70, 0, 0700), 0);
	t_run(&h, DATA_CFG("/data", "{\"destination\":\"/data\",\"type\":\"bind\","
				    "\"source\":\"/vol/pg\",\"options\":[\"rbind\"]}"));
	assert_true(t_out_has(&h, "\"user\":{\"uid\":70,\"gid\":65534}"));
	t_done(&h);

	/* cwd root's: the one writable volume's owner; a read-only one does not count */
	t_pipeline(&h, "user", NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/pg", 70, 71, 0700), 0);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/other", 80, 80, 0700), 0);
	t_run(&h, DATA_CFG("/", "{\"destination\":\"/var/lib/pg\",\"type\":\"bind\","
				"\"source\":\"/vol/pg\",\"options\":[\"rbind\"]},"
				"{\"destination\":\"/x\",\"type\":\"bind\","
				"\"source\":\"/vol/other\",\"options\":[\"rbind\",\"ro\"]}"));
	assert_true(t_out_has(&h, "\"user\":{\"uid\":70,\"gid\":71}"));
	t_done(&h);

	/* two writable volumes of different owners: no single answer, the policy's uid */
	t_pipeline(&h, "user", NULL);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol", 0, 0, 0755), 0);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/pg", 70, 71, 0700), 0);
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/vol/other", 80, 80, 0700), 0);
	t_run(&h, DATA_CFG("/", "{\"destination\":\"/a\",\"type\":\"bind\","
				"\"source\":\"/vol/pg\",\"options\":[\"rbind\"]},"
				"{\"destination\":\"/b\",\"type\":\"bind\","
				"\"source\":\"/vol/other\",\"options\":[\"rbind\"]}"));
	assert_true(t_out_has(&h, "\"user\":{\"uid\":65534,\"gid\":65534}"));
	/* and the message gives no owner's reason for the policy's uid */
	assert_non_null(t_find(&h, "user.root", "process.user.uid"));
	assert_null(strstr(t_find(&h, "user.root", "process.user.uid")->message, "owner"));
	t_done(&h);

	/* switched off by the policy */
	t_pipeline(&h, "user", "{\"root_as_data_owner\":false}");
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/data", 999, 998, 0755), 0);
	t_run(&h, DATA_CFG("/data", ""));
	assert_true(t_out_has(&h, "\"user\":{\"uid\":65534,\"gid\":65534}"));
	t_done(&h);
}

/* Issue 14 cause 7: in a user namespace the config makes, whose mapping gives container 0 a
 * (non-zero) host id, uid 0 is not the host's root and is left alone. */
static void test_root_in_user_namespace_admitted(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "user", NULL);
	t_run(&h, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
		  "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
		  "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"
		  "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
		  "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]}}");
	assert_int_equal(h.pl.report->len, 0);
	assert_true(t_out_has(&h, "\"user\":{\"uid\":0,\"gid\":0}"));
	t_done(&h);

	/* the mappings without a user namespace entry mean nothing: remapped */
	t_pipeline(&h, "user", NULL);
	t_run(&h,
	      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
	      "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
	      "\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1}]}}");
	t_expect(&h, "user.root", "process.user.uid", HS_ACTION_REWRITE);
	t_done(&h);
}

static void test_absent_user_is_root(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "user", NULL);
	t_run(&h, T_CONFIG("{\"path\":\"rootfs\"}", "{\"args\":[\"sh\"],\"cwd\":\"/\"}"));
	t_expect(&h, "user.root", "process.user", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"user\":{\"uid\":65534,\"gid\":65534}"));
	t_done(&h);

	/* uid given, gid absent: gid 0 by default */
	t_pipeline(&h, "user", NULL);
	t_run(&h, CFG_USER("{\"uid\":1000}"));
	assert_null(t_find(&h, "user.root", NULL));
	t_expect(&h, "user.root-group", "process.user.gid", HS_ACTION_REWRITE);
	t_done(&h);
}

static void test_policy_ids_and_refuse(void **state)
{
	const struct hs_finding *f;
	struct hs_t h;

	t_pipeline(&h, "user", "{\"uid\":1234,\"gid\":4321}");
	t_run(&h, CFG_USER("{\"uid\":0,\"gid\":0}"));
	assert_true(t_out_has(&h, "\"user\":{\"uid\":1234,\"gid\":4321}"));
	t_done(&h);

	t_pipeline(&h, "user", "{\"action\":\"refuse\"}");
	t_run(&h, CFG_USER("{\"uid\":0,\"gid\":1000}"));
	t_expect(&h, "user.root", "process.user.uid", HS_ACTION_REFUSE);
	assert_true(h.pl.report->refused);
	/* issue 14 cause 8: the refusal names the fix, not what a rewrite would have done */
	f = t_find(&h, "user.root", "process.user.uid");
	assert_non_null(strstr(f->message, "--user UID:GID"));
	assert_non_null(strstr(f->message, "runAsUser"));
	assert_non_null(strstr(f->message, "service user"));
	assert_null(strstr(f->message, "remap"));
	t_done(&h);

	/* the image's data owner is named as the user to pick */
	t_pipeline(&h, "user", "{\"action\":\"refuse\"}");
	assert_int_equal(hs_fake_host_add_dir(h.fh, "/srv/bundle/rootfs/data", 999, 998, 0755), 0);
	t_run(&h, DATA_CFG("/data", ""));
	f = t_find(&h, "user.root", "process.user.uid");
	assert_non_null(strstr(f->message, "this image's would be 999:998, the owner of the "
					   "working directory /data"));
	t_done(&h);

	/* no user object at all */
	t_pipeline(&h, "user", "{\"action\":\"refuse\"}");
	t_run(&h, T_CONFIG("{\"path\":\"rootfs\"}", "{\"args\":[\"sh\"],\"cwd\":\"/\"}"));
	f = t_find(&h, "user.root", "process.user");
	assert_non_null(strstr(f->message, "runAsUser"));
	assert_null(strstr(f->message, "policy sets"));
	t_done(&h);

	t_pipeline(&h, "user", "{\"action\":\"warn\"}");
	t_run(&h, CFG_USER("{\"uid\":0,\"gid\":0}"));
	t_expect(&h, "user.root", "process.user.uid", HS_ACTION_WARN);
	assert_false(h.pl.changed);
	t_done(&h);
}

static void test_umask(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "user", NULL);
	t_run(&h, CFG_USER("{\"uid\":1000,\"gid\":1000,\"umask\":2}"));
	t_expect(&h, "user.umask", "process.user.umask", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"umask\":18")); /* 002 | 022 = 022 */
	t_done(&h);

	t_pipeline(&h, "user", NULL);
	t_run(&h, CFG_USER("{\"uid\":1000,\"gid\":1000,\"umask\":63}")); /* 077 is fine */
	assert_int_equal(h.pl.report->len, 0);
	assert_false(h.pl.changed);
	t_done(&h);
}

static void test_exec_process_document(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "user", NULL);
	t_run_exec(&h, "{\"args\":[\"id\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}");
	/* paths of a process document are relative to it */
	t_expect(&h, "user.root", "user.uid", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"user\":{\"uid\":65534,\"gid\":65534}"));
	t_done(&h);
}

/* Issue 14 cause 9: exec as root joins as the user create chose for the main process (here
 * the data owner 999:998), not the policy's 65534; a root main process (an exception's) or
 * none gives the policy's ids, never 0; in the container's user namespace uid 0 stays. */
static void test_exec_as_the_container_user(void **state)
{
	static const char root_doc[] = "{\"args\":[\"id\"],\"cwd\":\"/\",\"user\":{\"uid\":0}}";
	struct hs_t h;

	t_pipeline(&h, "user", NULL);
	h.container = DATA_CFG_USER("999", "998");
	t_run_exec(&h, root_doc);
	t_expect(&h, "user.root", "user.uid", HS_ACTION_REWRITE);
	assert_true(t_out_has(&h, "\"user\":{\"uid\":999,\"gid\":998}"));
	assert_non_null(strstr(t_find(&h, "user.root", "user.uid")->message, "main process"));
	t_done(&h);

	/* a root main process (an exception's): the policy's ids */
	t_pipeline(&h, "user", NULL);
	h.container = DATA_CFG_USER("0", "0");
	t_run_exec(&h, root_doc);
	assert_true(t_out_has(&h, "\"user\":{\"uid\":65534,\"gid\":65534}"));
	t_done(&h);

	/* a non-root main process with gid 0 (an exception's): never group 0 */
	t_pipeline(&h, "user", NULL);
	h.container = DATA_CFG_USER("70", "0");
	t_run_exec(&h, root_doc);
	assert_true(t_out_has(&h, "\"user\":{\"uid\":70,\"gid\":65534}"));
	t_done(&h);

	/* the container's own user namespace maps 0 away from host root: kept */
	t_pipeline(&h, "user", NULL);
	h.container = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
		      "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/"
		      "\",\"user\":{\"uid\":0,\"gid\":0}},"
		      "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"
		      "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
		      "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]}}";
	t_run_exec(&h, "{\"args\":[\"id\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}");
	assert_null(t_find(&h, "user.root", NULL));
	assert_false(h.pl.changed);
	t_done(&h);
}

/* A user namespace mapping any container id to host 0: the remapped uid 65534 would be the
 * host's root (seen as Uid 0 in /proc/<pid>/status with runc and crun). */
static void test_mapping_to_host_root_refused(void **state)
{
	struct hs_t h;

	t_pipeline(&h, "user", NULL);
	t_run(&h,
	      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
	      "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000}},"
	      "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"
	      "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1000},"
	      "{\"containerID\":1000,\"hostID\":0,\"size\":1}],"
	      "\"gidMappings\":[{\"containerID\":65534,\"hostID\":0,\"size\":1}]}}");
	t_expect(&h, "user.host-root-mapping", "linux.uidMappings[1]", HS_ACTION_REFUSE);
	t_expect(&h, "user.host-root-mapping", "linux.gidMappings[0]", HS_ACTION_REFUSE);
	assert_true(h.pl.report->refused);
	t_done(&h);

	/* a mapping that stays away from host 0 is fine */
	t_pipeline(&h, "user", NULL);
	t_run(&h,
	      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
	      "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000}},"
	      "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"
	      "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
	      "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]}}");
	assert_null(t_find(&h, "user.host-root-mapping", NULL));
	assert_false(h.pl.report->refused);
	t_done(&h);
}

static void test_case_variant_key_refused(void **state)
{
	struct hs_t h;

	/* "UID" would be read by Go as "uid": the schema refuses it before the control runs. */
	t_pipeline(&h, "user", NULL);
	t_run(&h, CFG_USER("{\"uid\":1000,\"gid\":1000,\"UID\":0}"));
	assert_true(h.pl.report->refused);
	assert_non_null(t_find(&h, "json.case-variant-key", "process.user.UID"));
	t_done(&h);
}

static void test_policy_section_strict(void **state)
{
	struct hs_t h = { 0 };

	assert_true(t_pipeline_policy(&h, "user", "{\"uid\":0}", NULL) < 0);
	assert_string_equal(h.err.rule, "policy.user");
	assert_true(t_pipeline_policy(&h, "user", "{\"gid\":-1}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "user", "{\"Uid\":5}", NULL) < 0);
	assert_true(t_pipeline_policy(&h, "user", "{\"umask_required\":512}", NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_remapped),
		cmocka_unit_test(test_tmpfs_owned_by_final_user),
		cmocka_unit_test(test_root_runs_as_data_owner),
		cmocka_unit_test(test_root_in_user_namespace_admitted),
		cmocka_unit_test(test_absent_user_is_root),
		cmocka_unit_test(test_policy_ids_and_refuse),
		cmocka_unit_test(test_umask),
		cmocka_unit_test(test_exec_process_document),
		cmocka_unit_test(test_exec_as_the_container_user),
		cmocka_unit_test(test_mapping_to_host_root_refused),
		cmocka_unit_test(test_case_variant_key_refused),
		cmocka_unit_test(test_policy_section_strict),
	};
	return cmocka_run_group_tests_name("user", tests, NULL, NULL);
}
