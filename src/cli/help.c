/* SPDX-License-Identifier: Apache-2.0
 * `hardshim version` and `hardshim help`: hardshim's own identity and usage. Neither needs a
 * policy, so both work on a fresh install before the administrator has written one. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hs-cli.h"
#include "hs-policy.h"

static const char usage[] =
    "usage: hardshim [GLOBAL OPTIONS] COMMAND [OPTIONS] ARGS   (as runc or crun, through the "
    "policy)\n"
    "       hardshim check [--policy FILE] [--format text|json] [--diff] BUNDLE|CONFIG\n"
    "       hardshim hook precreate|createRuntime|prestart\n"
    "       hardshim log verify [--quiet] [--no-head] [FILE...] | log reanchor\n"
    "       hardshim unmanaged [--runtime PATH [--root DIR]]... [--json] [--check]\n"
    "       hardshim egress show [--root DIR] [--json] CONTAINER-ID|PID\n"
    "       hardshim metrics [--policy FILE] [--log FILE]... [--output FILE]\n"
    "       hardshim policy lint [--warn-days N] [FILE]\n"
    "       hardshim version | help\n"
    "\n"
    "A hardened OCI runtime wrapper: create, run, restore, exec and update are judged\n"
    "against the node's policy (HARDSHIM_POLICY, default " HS_SYSCONFDIR "/hardshim/policy.json),\n"
    "rewritten or refused, recorded, and handed to the runtime the policy names; every other\n"
    "command passes through. See hardshim(1) and hardshim-policy(5).\n";

int hs_cmd_version(const char *policy_file, int argc, char **argv)
{
	if (argc > 1) {
		fputs("usage: hardshim version\n", stderr);
		return 2;
	}
	printf("hardshim %s\n", hs_version());
	return 0;
}

int hs_cmd_help(const char *policy_file, int argc, char **argv)
{
	fputs(usage, stdout);
	return 0;
}

/* `hardshim --help` is the runtime's help once a policy names a runtime (a caller may want
 * the runtime's own); before that there is no runtime to ask, and "cannot open policy" would
 * be the whole answer on a fresh install. */
bool hs_help_without_policy(const char *policy_file, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "--help") && strcmp(argv[1], "-h")))
		return false;
	return access(policy_file, F_OK) != 0;
}
