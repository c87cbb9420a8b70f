/* SPDX-License-Identifier: Apache-2.0
 * sha256 for the chain and the config digests. nettle is dlopen'ed on first use, never
 * linked: linking costs every exec, including the fast path that never hashes. */
#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include <string.h>

#include "hs-audit.h"
#include "hs-dlopen.h"

static __typeof__(&nettle_sha256_init) sym_nettle_sha256_init;
static __typeof__(&nettle_sha256_update) sym_nettle_sha256_update;
static __typeof__(&nettle_sha256_digest) sym_nettle_sha256_digest;
static __typeof__(&nettle_hmac_sha256_set_key) sym_nettle_hmac_sha256_set_key;
static __typeof__(&nettle_hmac_sha256_update) sym_nettle_hmac_sha256_update;
static __typeof__(&nettle_hmac_sha256_digest) sym_nettle_hmac_sha256_digest;

static int load_nettle(struct hs_error *err)
{
	static void *dl;

	return hs_dlopen_many(&dl, "libnettle.so.8", err, HS_DLSYM(nettle_sha256_init),
			      HS_DLSYM(nettle_sha256_update), HS_DLSYM(nettle_sha256_digest),
			      HS_DLSYM(nettle_hmac_sha256_set_key),
			      HS_DLSYM(nettle_hmac_sha256_update),
			      HS_DLSYM(nettle_hmac_sha256_digest), HS_DLSYM_END);
}

int hs_sha256(const void *data, size_t len, uint8_t out[32], struct hs_error *err)
{
	struct sha256_ctx ctx;
	int r = load_nettle(err);

	if (r < 0)
		return r;
	sym_nettle_sha256_init(&ctx);
	sym_nettle_sha256_update(&ctx, len, data);
	sym_nettle_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
	return 0;
}

int hs_hmac_sha256(const uint8_t key[32], const void *data, size_t len, uint8_t out[32],
		   struct hs_error *err)
{
	struct hmac_sha256_ctx ctx;
	int r = load_nettle(err);

	if (r < 0)
		return r;
	sym_nettle_hmac_sha256_set_key(&ctx, 32, key);
	sym_nettle_hmac_sha256_update(&ctx, len, data);
	sym_nettle_hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
	return 0;
}

/* key_{n+1} = sha256("hardshim-seal-evolve" || key_n): one way, so holding key_n says nothing
 * about the keys before it. */
int hs_seal_evolve(uint8_t key[32], struct hs_error *err)
{
	static const char label[] = "hardshim-seal-evolve";
	uint8_t buf[sizeof(label) - 1 + 32];

	memcpy(buf, label, sizeof(label) - 1);
	memcpy(buf + sizeof(label) - 1, key, 32);
	return hs_sha256(buf, sizeof(buf), key, err);
}

void hs_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}
