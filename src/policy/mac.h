/* SPDX-License-Identifier: Apache-2.0
 * The mac control's pure helpers, exposed for its unit tests. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* "s0:cA,cB" with 0 <= A < B <= 1023 chosen from r (two random draws). buf >= 16 bytes. */
void hs_mac_mcs_level(uint32_t r1, uint32_t r2, char *buf, size_t size);
