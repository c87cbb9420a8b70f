/* SPDX-License-Identifier: Apache-2.0
 * libnftables for the unit tests (nft-text.h). */
#include <nftables/libnftables.h>
#include <string.h>

#include "hs-dlopen.h"
#include "nft-text.h"

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

static int nft_run(const char *cmds, char **ret_output, struct hs_error *err)
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

int nft_text_run(const char *cmds, char **ret_output, struct hs_error *err)
{
	return nft_run(cmds, ret_output, err);
}
