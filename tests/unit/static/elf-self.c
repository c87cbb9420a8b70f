/* SPDX-License-Identifier: Apache-2.0
 * Linked -static-pie as the front is (Makefile: $(BUILD)/tests/elf-self-static), run by
 * test-elf-file: prints the build id the policy cache keys entries by in a program without
 * PT_PHDR (hs_policy_cache_key, the main program's own note), or "none". A static core finds
 * its id this way. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-policy.h"

int main(void)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	const char *key, *build;
	struct stat st;

	if (!a || stat("/", &st) < 0)
		return 2;
	key = hs_policy_cache_key(a, "/policy.json", &st);
	build = key ? strstr(key, "\nbuild ") : NULL;
	if (!build) {
		puts("none");
		return 1;
	}
	build += strlen("\nbuild ");
	printf("%.*s\n", (int)strcspn(build, "\n"), build);
	return 0;
}
