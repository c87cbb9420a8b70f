/* SPDX-License-Identifier: Apache-2.0
 * sha256 for the chain and the config digests, with nettle linked into the core (its static
 * archive: the fast path, which never hashes, runs in the front and never loads the core). The
 * functions cannot fail; they keep the int and err of the days nettle was dlopen'ed, so that
 * their callers' error paths stay as they are. */
#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include <string.h>

#include "hs-audit.h"

int hs_sha256(const void *data, size_t len, uint8_t out[32], struct hs_error *err)
{
	struct sha256_ctx ctx;

	nettle_sha256_init(&ctx);
	nettle_sha256_update(&ctx, len, data);
	nettle_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
	return 0;
}

int hs_hmac_sha256(const uint8_t key[32], const void *data, size_t len, uint8_t out[32],
		   struct hs_error *err)
{
	struct hmac_sha256_ctx ctx;

	nettle_hmac_sha256_set_key(&ctx, 32, key);
	nettle_hmac_sha256_update(&ctx, len, data);
	nettle_hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
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
