/* SPDX-License-Identifier: Apache-2.0
 * The runtimes' own device grants, and the check of a deny `hardshim hook devices` may write.
 * A file of its own: the front (src/front/front.c) runs that hook and links this, not the
 * devices control (src/policy/devices.c). */
#include <stdio.h>
#include <string.h>

#include "hs-policy.h"

/* The grant each runtime adds on its own after the config's rules, which the other does not
 * make (docs/runtime-differences.md): runc 1.1 allows c 10:200 (/dev/net/tun), crun 1.8
 * c 5:1 (/dev/console). No config entry can take them back (on cgroup v1 the last matching
 * rule wins, and theirs come last), so `hardshim hook devices` denies them in the
 * container's devices cgroup from a createRuntime hook, after the runtime has written its
 * rules and before the container's process runs: then a node shipped in the image (the rootfs
 * is not nodev) opens the same way under both runtimes. Denying a grant the runtime did not
 * make changes nothing, so the hook denies both whichever runtime runs. */
const struct hs_devices_extra hs_devices_extras[HS_DEVICES_N_EXTRAS] = { { 10, 200 }, { 5, 1 } };

bool hs_devices_deny_arg_ok(const char *arg)
{
	unsigned maj, min;
	char acc[8], tail;

	if (!arg || sscanf(arg, "c %u:%u %7s%c", &maj, &min, acc, &tail) != 3)
		return false;
	for (size_t i = 0; acc[i]; i++)
		if (!strchr("rwm", acc[i]) || strchr(acc + i + 1, acc[i]))
			return false;
	for (size_t i = 0; i < HS_DEVICES_N_EXTRAS; i++) {
		char want[48];

		snprintf(want, sizeof(want), "c %lld:%lld %s",
			 (long long)hs_devices_extras[i].major,
			 (long long)hs_devices_extras[i].minor, acc);
		if (!strcmp(arg, want))
			return true;
	}
	return false;
}
