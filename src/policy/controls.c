/* SPDX-License-Identifier: Apache-2.0
 * The one ordered table of policy controls. Order matters where a control reads what an
 * earlier one decided: seccomp resolves its capability-conditional rules against the
 * capabilities left after `capabilities` ran; `egress` adds a hook after `hooks` has
 * vetted the config's own. A control that has not landed yet is a commented line: the
 * helper that writes it declares it below and uncomments its row. */
#include "hs-policy.h"

extern const struct hs_control hs_control_rootfs;
extern const struct hs_control hs_control_user;
extern const struct hs_control hs_control_capabilities;
extern const struct hs_control hs_control_process;
extern const struct hs_control hs_control_mounts;
extern const struct hs_control hs_control_namespaces;
extern const struct hs_control hs_control_devices;
extern const struct hs_control hs_control_sysctl;
extern const struct hs_control hs_control_resources;
extern const struct hs_control hs_control_cgroups;
extern const struct hs_control hs_control_annotations;
extern const struct hs_control hs_control_hooks;
extern const struct hs_control hs_control_seccomp;
extern const struct hs_control hs_control_mac;
extern const struct hs_control hs_control_egress;
extern const struct hs_control hs_control_owners;

/* One row per control, in the order they run (tests read this table): */
/* clang-format off */
const struct hs_control *const hs_controls[] = {
	&hs_control_rootfs,
	&hs_control_user,
	&hs_control_capabilities,
	&hs_control_process,
	&hs_control_mounts,
	&hs_control_namespaces,
	&hs_control_devices,
	&hs_control_sysctl,
	&hs_control_resources,
	&hs_control_cgroups,
	&hs_control_annotations,
	&hs_control_hooks,
	&hs_control_seccomp,
	&hs_control_mac,
	&hs_control_egress,
	&hs_control_owners,
	NULL,
};
/* clang-format on */

const size_t hs_n_controls = HS_ARRAY_SIZE(hs_controls) - 1;
