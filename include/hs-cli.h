/* SPDX-License-Identifier: Apache-2.0
 * Verbs of hardshim's own (src/cli/), and the router that tells them from runtime commands. */
#pragma once

#include "hs-util.h"

int hs_main(int argc, char **argv);

/* hardshim's own verbs; each returns the process exit code. argv[0] is the verb. */
int hs_cmd_check(int argc, char **argv);
int hs_cmd_hook(int argc, char **argv);
int hs_cmd_log(int argc, char **argv);
int hs_cmd_ps(int argc, char **argv);
int hs_cmd_egress(int argc, char **argv);
/* Runtime commands: everything else. argv is hardshim's whole argv. Does not return on
 * success (the runtime is exec'ed). */
int hs_cmd_runtime(int argc, char **argv);
