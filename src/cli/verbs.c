/* SPDX-License-Identifier: Apache-2.0
 * hardshim's own verbs by name (include/hs-cli-verbs.h). */
#include <string.h>

#include "hs-cli-verbs.h"

const char *const hs_cli_verbs[] = {
	"check",   "hook",   "log",     "unmanaged", "egress", "suggest",
	"metrics", "policy", "version", "help",      NULL,
};

bool hs_cli_own_verb(const char *word)
{
	for (size_t i = 0; hs_cli_verbs[i]; i++)
		if (!strcmp(word, hs_cli_verbs[i]))
			return true;
	return false;
}
