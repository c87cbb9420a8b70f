/* SPDX-License-Identifier: Apache-2.0
 * libnftables, dlopen'ed here only (it pulls libnftnl, libmnl, libjansson, libgmp, libxtables:
 * far too much to link into every exec of hardshim). Everything runs in the network namespace
 * the caller is in: join the container's first (netns.c). */
#include <nftables/libnftables.h>
#include <string.h>

#include "hs-dlopen.h"
#include "hs-egress.h"

static __typeof__(&nft_ctx_new) sym_nft_ctx_new;
static __typeof__(&nft_ctx_free) sym_nft_ctx_free;
static __typeof__(&nft_ctx_buffer_output) sym_nft_ctx_buffer_output;
static __typeof__(&nft_ctx_buffer_error) sym_nft_ctx_buffer_error;
static __typeof__(&nft_ctx_get_output_buffer) sym_nft_ctx_get_output_buffer;
static __typeof__(&nft_ctx_get_error_buffer) sym_nft_ctx_get_error_buffer;
static __typeof__(&nft_ctx_output_set_flags) sym_nft_ctx_output_set_flags;
static __typeof__(&nft_run_cmd_from_buffer) sym_nft_run_cmd_from_buffer;

static int load_nftables(struct hs_error *err)
{
	static void *dl;

	return hs_dlopen_many(&dl, "libnftables.so.1", err, HS_DLSYM(nft_ctx_new),
			      HS_DLSYM(nft_ctx_free), HS_DLSYM(nft_ctx_buffer_output),
			      HS_DLSYM(nft_ctx_buffer_error), HS_DLSYM(nft_ctx_get_output_buffer),
			      HS_DLSYM(nft_ctx_get_error_buffer),
			      HS_DLSYM(nft_ctx_output_set_flags), HS_DLSYM(nft_run_cmd_from_buffer),
			      HS_DLSYM_END);
}

/* nft's error text spans lines (message, the command, a caret line): keep the first line,
 * which says what was wrong, and the offending command. */
static void first_lines(const char *s, char *out, size_t size)
{
	size_t n = 0;
	bool second = false;

	for (; *s && n + 3 < size; s++) {
		if (*s == '\n') {
			if (second)
				break;
			second = true;
			out[n++] = ':';
			out[n++] = ' ';
			continue;
		}
		out[n++] = (*s == '\t') ? ' ' : *s;
	}
	out[n] = '\0';
}

int hs_egress_nft_run(const char *cmds, char **ret_output, struct hs_error *err)
{
	struct nft_ctx *ctx;
	int r;

	r = load_nftables(err);
	if (r < 0)
		return r;
	ctx = sym_nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return hs_error_set(err, -ENOMEM, "egress.nftables", "", -1, "nft_ctx_new failed");
	if (sym_nft_ctx_buffer_output(ctx) < 0 || sym_nft_ctx_buffer_error(ctx) < 0) {
		sym_nft_ctx_free(ctx);
		return -ENOMEM;
	}
	/* Numeric output: names from /etc/services and friends would make parsing depend on
	 * the host's files. */
	sym_nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_NUMERIC_ALL);
	if (sym_nft_run_cmd_from_buffer(ctx, cmds) != 0) {
		const char *e = sym_nft_ctx_get_error_buffer(ctx);
		char line[512];

		first_lines(e && *e ? e : "(no message)", line, sizeof(line));
		r = hs_error_set(err, -HS_EPOLICY, "egress.nftables", "", -1,
				 "nftables refused the egress ruleset: %s", line);
		sym_nft_ctx_free(ctx);
		return r;
	}
	if (ret_output) {
		const char *o = sym_nft_ctx_get_output_buffer(ctx);
		char *copy = strdup(o ? o : "");

		if (!copy) {
			sym_nft_ctx_free(ctx);
			return -ENOMEM;
		}
		*ret_output = copy;
	}
	sym_nft_ctx_free(ctx);
	return 0;
}

int hs_egress_install(const struct hs_egress_cfg *cfg, struct hs_error *err)
{
	_cleanup_free_ char *cmds = NULL;
	int r;

	r = hs_egress_ruleset(cfg, &cmds);
	if (r < 0)
		return r;
	return hs_egress_nft_run(cmds, NULL, err);
}

/* `list counters table inet hardshim` prints, per counter:
 *	counter NAME {
 *		packets N bytes N
 *	}
 */
int hs_egress_counters(struct hs_egress_counter *ret, size_t max, struct hs_error *err)
{
	_cleanup_free_ char *out = NULL;
	struct hs_error nerr = HS_ERROR_INIT;
	size_t n = 0;
	char *line, *save = NULL;
	int r;

	r = hs_egress_nft_run("list counters table inet " HS_EGRESS_TABLE, &out, &nerr);
	if (r < 0) {
		if (strstr(nerr.msg, "No such file or directory"))
			return hs_error_set(err, -ENOENT, "egress.no-table", "", -1,
					    "no hardshim egress table in this network namespace");
		if (err && !err->code)
			*err = nerr;
		return r;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		unsigned long long p, b;

		if (sscanf(line, " counter %31s {", name) == 1) {
			if (n >= max)
				break;
			memset(&ret[n], 0, sizeof(ret[n]));
			snprintf(ret[n].name, sizeof(ret[n].name), "%s", name);
			n++;
		} else if (n > 0 && sscanf(line, " packets %llu bytes %llu", &p, &b) == 2) {
			ret[n - 1].packets = p;
			ret[n - 1].bytes = b;
		}
	}
	return (int)n;
}
