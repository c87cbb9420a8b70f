/* SPDX-License-Identifier: Apache-2.0
 * Fuzz the runtime grammar: NUL-separated words. Invariants: never crash; an accepted policy
 * command names a container id inside argv. */
#include <string.h>

#include "hs-argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[65];
	struct hs_error err = HS_ERROR_INIT;
	struct hs_argv a;
	int argc = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)"hardshim";
	for (char *p = buf; p < buf + size && argc < 64; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (hs_argv_parse(argc, argv, &a, &err) == 0 && a.cmd && a.cmd->kind != HS_CMD_FAST) {
		if (a.first_positional <= a.cmd_index || a.first_positional >= argc)
			__builtin_trap();
		for (size_t i = 0; i < a.n_opts; i++)
			if (a.opts[i].index <= a.cmd_index || a.opts[i].index >= a.first_positional)
				__builtin_trap();
	}
	free(buf);
	return 0;
}
