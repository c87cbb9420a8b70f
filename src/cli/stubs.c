/* SPDX-License-Identifier: Apache-2.0
 * Weak stand-ins for rooms that are still being built, so the tree links while they land.
 * Each fails closed. A room's real definition (a strong symbol) replaces its stand-in; when
 * all have landed this file goes. */
#include "hs-cli.h"
#include "hs-host.h"

#define WEAK __attribute__((weak))

static int not_built(const char *what)
{
	fprintf(stderr, "hardshim: %s is not built into this hardshim\n", what);
	return 2;
}

WEAK int hs_cmd_hook(int argc, char **argv) { return not_built("hook"); }
WEAK int hs_cmd_log(int argc, char **argv) { return not_built("log"); }
WEAK int hs_cmd_ps(int argc, char **argv) { return not_built("unmanaged"); }
WEAK int hs_cmd_egress(int argc, char **argv) { return not_built("egress"); }

WEAK int hs_exec_prepare(struct hs_argv *a, const struct hs_policy *p, struct hs_error *err)
{
	return hs_error_set(err, -HS_EPOLICY, "exec.unchecked", "exec", -1,
			    "this hardshim cannot check exec yet: refused"), 1;
}

WEAK int hs_update_prepare(struct hs_argv *a, const struct hs_policy *p, struct hs_error *err)
{
	return hs_error_set(err, -HS_EPOLICY, "update.unchecked", "update", -1,
			    "this hardshim cannot check update yet: refused"), 1;
}

static const struct hs_host no_host;
WEAK const struct hs_host *hs_host_real(void) { return &no_host; }
WEAK const struct hs_host *hs_host_with_mac(enum hs_mac mac) { return &no_host; }
