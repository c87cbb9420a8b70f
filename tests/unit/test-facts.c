/* SPDX-License-Identifier: Apache-2.0
 * The engine's facts: the sandbox id comes from the containerd shim that is our parent (by
 * its executable, then its -id), the pod uid from the sandbox's own config beside our bundle.
 * A parent that is not a shim, an id that is not a sandbox id, a sandbox config anyone could
 * write, and the sandbox judging itself all leave the facts unknown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs-cli.h"

#define SB   "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define CID  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID_ "3f1c2a9e-7b4d-4e2f-9a1b-5c6d7e8f9a0b"

static char dir[] = "/tmp/hs-test-facts-XXXXXX";
static char procfs[64], tasks[64], bundle[160];

static void put(const char *path, const void *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* A parent process 42 whose executable is exe and whose command line is args (NUL-separated,
 * len bytes). */
static void parent(const char *exe, const char *args, size_t len)
{
	char p[256], target[256];

	snprintf(p, sizeof(p), "%s/42/exe", procfs);
	unlink(p);
	snprintf(target, sizeof(target), "%s/bin/%s", dir, exe);
	assert_int_equal(symlink(target, p), 0);
	snprintf(p, sizeof(p), "%s/42/cmdline", procfs);
	put(p, args, len, 0444);
}

static void sandbox_config(const char *text, mode_t mode)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/" SB "/config.json", tasks);
	put(p, text, strlen(text), mode);
}

static int setup(void **state)
{
	char p[1024];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(procfs, sizeof(procfs), "%s/proc", dir);
	snprintf(tasks, sizeof(tasks), "%s/tasks/k8s.io", dir);
	snprintf(bundle, sizeof(bundle), "%s/" CID, tasks);
	snprintf(p, sizeof(p), "mkdir -p %s/42 %s/bin %s %s/" SB, procfs, dir, bundle, tasks);
	assert_int_equal(system(p), 0);
	return 0;
}

static int teardown(void **state)
{
	char p[256];

	(void)state;
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	return system(p);
}

static const char shim_args[] = "/usr/bin/containerd-shim-runc-v2\0-namespace\0k8s.io\0-id\0" SB
				"\0-address\0/run/containerd/containerd.sock";
static const char sandbox_ok[] = "{\"annotations\":{\"io.kubernetes.cri.container-type\":"
				 "\"sandbox\",\"io.kubernetes.cri.sandbox-uid\":\"" UID_ "\"}}";

static void test_shim_names_sandbox_and_pod(void **state)
{
	struct hs_engine_facts f;

	(void)state;
	parent("containerd-shim-runc-v2", shim_args, sizeof(shim_args));
	sandbox_config(sandbox_ok, 0644);
	hs_engine_facts_get(procfs, 42, bundle, CID, &f);
	assert_string_equal(f.sandbox_id, SB);
	assert_string_equal(f.pod_uid, UID_);

	/* the sandbox itself: its own config is the one being judged, so no pod uid */
	snprintf(bundle, sizeof(bundle), "%s/" SB, tasks);
	hs_engine_facts_get(procfs, 42, bundle, SB, &f);
	assert_string_equal(f.sandbox_id, SB);
	assert_string_equal(f.pod_uid, "");
	snprintf(bundle, sizeof(bundle), "%s/" CID, tasks);

	/* -id=VALUE and --id VALUE are Go's flag spellings too */
	static const char eq[] = "containerd-shim-runc-v2\0-namespace\0k8s.io\0-id=" SB;
	parent("containerd-shim-runc-v2", eq, sizeof(eq));
	hs_engine_facts_get(procfs, 42, bundle, CID, &f);
	assert_string_equal(f.sandbox_id, SB);
	static const char dd[] = "containerd-shim-runc-v2\0--id\0" SB;
	parent("containerd-shim-runc-v2", dd, sizeof(dd));
	hs_engine_facts_get(procfs, 42, bundle, CID, &f);
	assert_string_equal(f.sandbox_id, SB);
}

static void test_untrusted_sources_give_nothing(void **state)
{
	struct hs_engine_facts f;

	(void)state;
	sandbox_config(sandbox_ok, 0644);
	/* a parent that calls itself a shim in its argv but is a shell */
	parent("bash", shim_args, sizeof(shim_args));
	hs_engine_facts_get(procfs, 42, bundle, CID, &f);
	assert_string_equal(f.sandbox_id, "");
	assert_string_equal(f.pod_uid, "");

	/* no parent at all */
	hs_engine_facts_get(procfs, 4242, bundle, CID, &f);
	assert_string_equal(f.sandbox_id, "");

	/* a shim whose id is not a sandbox id (a plain containerd container name) */
	static const char plain[] = "containerd-shim-runc-v2\0-id\0web\0-id\0" SB;
	parent("containerd-shim-runc-v2", plain, sizeof(plain));
	hs_engine_facts_get(procfs, 42, bundle, CID, &f);
	assert_string_equal(f.sandbox_id, "");

	/* the sandbox config is writable by others: its pod uid could be anyone's */
	parent("containerd-shim-runc-v2", shim_args, sizeof(shim_args));
	sandbox_config(sandbox_ok, 0666);
	hs_engine_facts_get(procfs, 42, bundle, CID, &f);
	assert_string_equal(f.sandbox_id, SB);
	assert_string_equal(f.pod_uid, "");

	/* a "sandbox" config that is not a sandbox's, or a uid that is not a uid */
	sandbox_config("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
		       "\"io.kubernetes.cri.sandbox-uid\":\"" UID_ "\"}}",
		       0644);
	hs_engine_facts_get(procfs, 42, bundle, CID, &f);
	assert_string_equal(f.pod_uid, "");
	sandbox_config("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
		       "\"io.kubernetes.cri.sandbox-uid\":\"../../x\"}}",
		       0644);
	hs_engine_facts_get(procfs, 42, bundle, CID, &f);
	assert_string_equal(f.pod_uid, "");

	/* a bundle not named by the container id: not containerd's layout */
	sandbox_config(sandbox_ok, 0644);
	hs_engine_facts_get(procfs, 42, bundle, SB "x", &f);
	assert_string_equal(f.sandbox_id, SB);
	assert_string_equal(f.pod_uid, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shim_names_sandbox_and_pod),
		cmocka_unit_test(test_untrusted_sources_give_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
