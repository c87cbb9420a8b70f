/* SPDX-License-Identifier: Apache-2.0
 * Fuzz what `hardshim hook` reads from the runtime (src/cli/hook.c). The first byte picks:
 *   even  the state document on stdin: the strict core with STATE_MAX and the hs_oci_state
 *         shape, then the pid the hook would join (read_state does exactly this);
 *   odd   the egress hook's arguments (NUL-separated words), as the injected hook gets them.
 * Invariants: never crash or leak; an accepted state has a pid in [2, INT_MAX] and its
 * canonical form re-parses; accepted egress arguments survive format -> parse unchanged (what
 * the control writes into the hook is what the hook enforces) and make a ruleset. */
#include <limits.h>
#include <string.h>

#include "hs-egress.h"
#include "hs-json.h"
#include "hs-schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STATE_MAX (256u << 10) /* as src/cli/hook.c */
#define MAX_WORDS 512

static void fuzz_state(struct hs_arena *a, const char *buf, size_t len)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	struct hs_error err = HS_ERROR_INIT;
	const struct hs_json *pid;
	struct hs_json *tree, *again;
	char *out = NULL;
	size_t out_len;
	int64_t v;

	limits.max_bytes = STATE_MAX;
	if (hs_json_parse(a, buf, len, &limits, &tree, &err) < 0)
		return;
	if (hs_schema_check(tree, &hs_oci_state, "", HS_UNKNOWN_PRESERVE, &err) < 0)
		return;
	pid = hs_json_get(tree, "pid");
	if (pid && hs_json_get_i64(pid, 2, INT_MAX, &v) == 0 && (v < 2 || v > INT_MAX))
		__builtin_trap();
	(void)hs_json_get_string(tree, "bundle");
	(void)hs_json_get_string(tree, "id");
	if (hs_json_emit(tree, &out, &out_len) != 0)
		__builtin_trap();
	if (hs_json_parse(a, out, out_len, &limits, &again, &err) != 0 ||
	    hs_schema_check(again, &hs_oci_state, "", HS_UNKNOWN_PRESERVE, &err) != 0)
		__builtin_trap(); /* our canonical state must be acceptable to us */
	free(out);
}

static bool entries_equal(const struct hs_egress_entry *x, const struct hs_egress_entry *y,
			  size_t n)
{
	char bx[HS_EGRESS_ENTRY_MAX + 16], by[HS_EGRESS_ENTRY_MAX + 16];

	for (size_t i = 0; i < n; i++) {
		hs_egress_entry_format(&x[i], bx, sizeof(bx));
		hs_egress_entry_format(&y[i], by, sizeof(by));
		if (strcmp(bx, by))
			return false;
	}
	return true;
}

static void fuzz_egress_args(struct hs_arena *a, char *buf, size_t len)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_egress_cfg cfg, cfg2;
	char *argv[MAX_WORDS + 1], **argv2, *rules = NULL;
	size_t n2;
	int argc = 0;

	for (char *p = buf; p < buf + len && argc < MAX_WORDS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (hs_egress_args_parse(a, argc, argv, &cfg, &err) < 0)
		return;
	if (hs_egress_args(a, &cfg, &argv2, &n2) < 0)
		__builtin_trap();
	if (hs_egress_args_parse(a, (int)n2, argv2, &cfg2, &err) < 0) {
		fprintf(stderr, "egress args do not re-parse: %s %s %s\n", err.rule, err.path,
			err.msg);
		__builtin_trap();
	}
	if (cfg.default_allow != cfg2.default_allow || cfg.rate != cfg2.rate ||
	    cfg.n_allow != cfg2.n_allow || cfg.n_deny != cfg2.n_deny ||
	    !entries_equal(cfg.allow, cfg2.allow, cfg.n_allow) ||
	    !entries_equal(cfg.deny, cfg2.deny, cfg.n_deny))
		__builtin_trap();
	if (hs_egress_ruleset(&cfg, &rules) < 0 || !rules)
		__builtin_trap();
	free(rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_arena *a;
	char *buf;

	if (size < 1 || size > STATE_MAX + 1)
		return 0;
	a = hs_arena_new();
	buf = malloc(size);
	if (!a || !buf)
		abort();
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	if (data[0] % 2 == 0)
		fuzz_state(a, buf, size - 1);
	else
		fuzz_egress_args(a, buf, size - 1);
	free(buf);
	hs_arena_free(a);
	return 0;
}
