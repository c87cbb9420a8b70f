/* SPDX-License-Identifier: Apache-2.0
 * The names of hardshim's own verbs (`hardshim check`, `hardshim hook`...): the router
 * (src/cli/main.c) and the front (src/front/front.c), which must never take one for a
 * runtime command (runc's `help` is a fast-path command), read the same list. */
#pragma once

#include <stdbool.h>

extern const char *const hs_cli_verbs[]; /* NULL-terminated */
bool hs_cli_own_verb(const char *word);
