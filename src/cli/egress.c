/* SPDX-License-Identifier: Apache-2.0
 * `hardshim egress show [--root DIR] CONTAINER-ID|PID` and `hardshim egress show --netns PATH`:
 * what the egress rules dropped, read from the container's network namespace, so an
 * operator can see what was blocked. A container id is resolved to its pid by asking the
 * policy's runtime (`RUNTIME [--root DIR] state ID`), the same runtime hardshim runs. */
#include <limits.h>
#include <string.h>

#include "hs-cli.h"
#include "hs-egress.h"
#include "hs-policy.h"

static void usage(void)
{
	fprintf(stderr, "usage: hardshim egress show [--root DIR] [--json] CONTAINER-ID|PID\n"
			"       hardshim egress show [--json] --netns PATH\n");
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The runtime's own account of the container: `runtime [--root DIR] state ID`. */
static int pid_of(const char *policy_file, const char *id, const char *root, pid_t *ret,
		  struct hs_error *err)
{
	_cleanup_free_ char *runtime = NULL;
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	struct hs_json *tree;
	int64_t v;
	int r;

	if (!a)
		return -ENOMEM;
	r = hs_policy_load_runtime(policy_file, &runtime, err);
	if (r < 0)
		return r;
	r = hs_runtime_state(runtime, root, id, "egress.container", a, &tree, err);
	if (r < 0)
		return r;
	if (!hs_json_get(tree, "pid") ||
	    hs_json_get_i64(hs_json_get(tree, "pid"), 1, INT_MAX, &v) < 0 || v < 2)
		return hs_error_set(err, -ESRCH, "egress.container", id, -1,
				    "container %s has no running process", id);
	*ret = (pid_t)v;
	return 0;
}

int hs_cmd_egress(const char *policy_file, int argc, char **argv)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_egress_counter c[16];
	const char *root = NULL, *netns = NULL, *target = NULL;
	bool json = false;
	pid_t pid = 0;
	int n;

	if (argc < 2 || strcmp(argv[1], "show") != 0) {
		usage();
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc)
			root = argv[++i];
		else if (!strcmp(argv[i], "--netns") && i + 1 < argc)
			netns = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] != '-' && !target)
			target = argv[i];
		else {
			usage();
			return 2;
		}
	}
	if (!!target == !!netns) {
		usage();
		return 2;
	}
	if (target && all_digits(target)) {
		char *end;
		long v = strtol(target, &end, 10);

		if (v < 2 || v > INT_MAX) {
			usage();
			return 2;
		}
		pid = (pid_t)v;
	} else if (target && pid_of(policy_file, target, root, &pid, &err) < 0) {
		goto fail;
	}
	if ((netns ? hs_egress_join_netns_path(netns, &err) : hs_egress_join_netns_pid(pid, &err)) <
	    0)
		goto fail;
	n = hs_egress_counters(c, HS_ARRAY_SIZE(c), &err);
	if (n < 0)
		goto fail;
	if (json) {
		printf("{");
		for (int i = 0; i < n; i++)
			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "",
			       c[i].name, (unsigned long long)c[i].packets,
			       (unsigned long long)c[i].bytes);
		printf("}\n");
	} else {
		for (int i = 0; i < n; i++)
			printf("%-14s packets %llu bytes %llu\n", c[i].name,
			       (unsigned long long)c[i].packets, (unsigned long long)c[i].bytes);
	}
	return 0;
fail : {
	char buf[HS_LINE_MAX];

	hs_error_format(&err, buf, sizeof(buf));
	fprintf(stderr, "hardshim: egress show: %s\n", buf);
	return 1;
}
}
