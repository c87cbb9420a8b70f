/* SPDX-License-Identifier: Apache-2.0
 * The one ordered table of policy controls. Order matters where a control reads what an
 * earlier one decided (seccomp's capability-conditional rules read the final capabilities). */
#include "hs-policy.h"

const struct hs_control *const hs_controls[] = {
	NULL,
};

const size_t hs_n_controls = HS_ARRAY_SIZE(hs_controls) - 1;
