/* SPDX-License-Identifier: Apache-2.0
 * The unit tests' libnftables (dlopen'ed): hardshim itself no longer loads it (src/egress/
 * sends libnftnl batches), the tests use it to list what the kernel holds and to compare
 * batch.c's table with what libnftables makes of the same text. */
#pragma once

#include "hs-util.h"

/* Run nft commands in the current network namespace; the output (numeric) into *ret_output
 * when not NULL (malloc'ed). nft's message into err (rule egress.nftables). */
int nft_text_run(const char *cmds, char **ret_output, struct hs_error *err);
