/* SPDX-License-Identifier: Apache-2.0
 * Routes argv: hardshim's own verbs by name as the first argument, everything else is a
 * runtime command line. */
#include <string.h>

#include "hs-cli-verbs.h"
#include "hs-cli.h"

static const struct {
	const char *name;
	int (*run)(const char *policy_file, int argc, char **argv);
} verbs[] = {
	{ "check", hs_cmd_check },     { "hook", hs_cmd_hook },
	{ "log", hs_cmd_log },         { "unmanaged", hs_cmd_unmanaged },
	{ "egress", hs_cmd_egress },   { "suggest", hs_cmd_suggest },
	{ "metrics", hs_cmd_metrics }, { "policy", hs_cmd_policy },
	{ "version", hs_cmd_version }, { "help", hs_cmd_help },
};

int hs_main(int argc, char **argv)
{
	struct hs_error err = HS_ERROR_INIT;
	char policy_file[HS_POLICY_PATH_MAX];

	hs_heap_keep();
	if (hs_policy_path(argc > 0 ? argv[0] : NULL, policy_file, &err) < 0) {
		char msg[HS_LINE_MAX];

		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "hardshim: %s\n", msg);
		return 2;
	}
	if (hs_help_without_policy(policy_file, argc, argv))
		return hs_cmd_help(policy_file, argc, argv);
	/* A runtime command line never starts with these words (no runc or crun command is
	 * named so, and a container id only comes after a command). runc's "help" command is
	 * the one exception, deliberately taken: `hardshim help` is about hardshim. */
	if (argc >= 2 && hs_cli_own_verb(argv[1])) {
		for (size_t i = 0; i < HS_ARRAY_SIZE(verbs); i++)
			if (!strcmp(argv[1], verbs[i].name))
				return verbs[i].run(policy_file, argc - 1, argv + 1);
		fprintf(stderr, "hardshim: internal: verb %s has no entry\n", argv[1]);
		return 2;
	}
	return hs_cmd_runtime(policy_file, argc, argv);
}
