/* SPDX-License-Identifier: Apache-2.0
 * What every `hardshim hook STAGE` shares (src/cli/hook-devices.c): the reason said where
 * the runtime's caller sees it, stdin read with a size limit and a deadline, and the state
 * document parsed strictly. The devices hook is whole in that file, so that the front
 * (src/front/front.c) runs it without the core: it loads no policy. */
#pragma once

#include <sys/types.h>

#include "hs-util.h"

#define HS_HOOK_STDIN_MS   5000         /* the runtime writes the state at once, then closes */
#define HS_HOOK_DEADLINE_S 30           /* hooks.d timeouts are shorter; this is the backstop */
#define HS_HOOK_STATE_MAX  (256u << 10) /* a few hundred bytes; annotations add some */

/* The stage the hook's lines name ("devices", "devices-egress (egress)"...). */
extern const char *hs_hook_stage;

struct hs_hook_state {
	pid_t pid;
	const char *bundle, *id;
};

/* The whole process under an alarm of HS_HOOK_DEADLINE_S: a hook must never hang its runtime. */
void hs_hook_deadline(void);
/* line on stderr, and where the runtime's own stderr goes when ours is /dev/null (crun). */
void hs_hook_say(const char *line);
/* "hardshim: hook STAGE: refused: ERR" said; returns 1 (the hook's exit code). */
int hs_hook_fail(const struct hs_error *err);
/* All of stdin, at most max bytes, within HS_HOOK_STDIN_MS. */
int hs_hook_read_stdin(size_t max, char **ret, size_t *ret_len, struct hs_error *err);
/* The state document on stdin, strictly (specs.State's shape, a pid in [2, INT_MAX]). */
int hs_hook_read_state(struct hs_arena *a, struct hs_hook_state *ret, struct hs_error *err);
/* Every RULE one the devices control writes (hs_devices_deny_arg_ok), at least one. */
int hs_hook_check_denies(int argc, char **argv, struct hs_error *err);
/* `hardshim hook devices RULE...`: argv[0] is "devices". The exit code. */
int hs_cmd_hook_devices(int argc, char **argv);
