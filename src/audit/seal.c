/* SPDX-License-Identifier: Apache-2.0
 * Forward-secure sealing of the launch log, after journald's Forward Secure Sealing but per
 * record and without a daemon. The node holds only the current key key_n in "<log>.seal";
 * each record is MACed with it, then key_{n+1} = sha256(label || key_n) overwrites it. Whoever
 * takes the node later holds key_n for some n and cannot compute an earlier key: records
 * sealed before cannot be rewritten, the state cannot be wound back to hide records cut off
 * the end. key_0, printed once by `hardshim log seal`, stays off the node: with it `log verify
 * --key` recomputes every key. This file: the record's seal suffix and the state file. */
#include <fcntl.h>
#include <string.h>

#include "internal.h"

int hs_unhex32(const char *hex, uint8_t out[32])
{
	for (size_t i = 0; i < 32; i++) {
		unsigned v = 0;

		for (size_t j = 0; j < 2; j++) {
			char ch = hex[2 * i + j];

			if (ch >= '0' && ch <= '9')
				v = v * 16 + (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v = v * 16 + (unsigned)(ch - 'a' + 10);
			else
				return -EINVAL;
		}
		out[i] = (uint8_t)v;
	}
	return hex[64] == '\0' || hex[64] == '\n' ? 0 : -EINVAL;
}

/* The line ends ,"seal":{"n":N,"mac":"<64 hex>"},"hash":"<64 hex>"}: read backwards from the
 * fixed hash suffix, so nothing inside the record can pose as the seal. */
int hs_audit_line_seal(const char *line, size_t len, uint64_t *ret_n,
		       char ret_mac[HS_SHA256_HEX_LEN + 1], size_t *ret_prefix)
{
	static const char head[] = ",\"seal\":{\"n\":", mid[] = ",\"mac\":\"";
	const size_t hash_suffix = sizeof(",\"hash\":\"") - 1 + HS_SHA256_HEX_LEN + 2;
	const char *end, *mac, *digits;
	unsigned long long n = 0;
	uint8_t tmp[32];
	char hex[HS_SHA256_HEX_LEN + 1];

	if (len < hash_suffix + sizeof(head) - 1 + 1 + sizeof(mid) - 1 + HS_SHA256_HEX_LEN + 2)
		return -ENOENT;
	end = line + len - hash_suffix;
	if (memcmp(end - 2, "\"}", 2))
		return -ENOENT;
	mac = end - 2 - HS_SHA256_HEX_LEN;
	if (memcmp(mac - (sizeof(mid) - 1), mid, sizeof(mid) - 1))
		return -ENOENT;
	memcpy(hex, mac, HS_SHA256_HEX_LEN);
	hex[HS_SHA256_HEX_LEN] = '\0';
	if (hs_unhex32(hex, tmp) < 0)
		return -EINVAL;
	digits = mac - (sizeof(mid) - 1);
	while (digits > line && digits[-1] >= '0' && digits[-1] <= '9' &&
	       (size_t)(mac - (sizeof(mid) - 1) - digits) < 20)
		digits--;
	if (digits == mac - (sizeof(mid) - 1) || (size_t)(digits - line) < sizeof(head) - 1 ||
	    memcmp(digits - (sizeof(head) - 1), head, sizeof(head) - 1))
		return -EINVAL;
	for (const char *p = digits; p < mac - (sizeof(mid) - 1); p++)
		n = n * 10 + (unsigned long long)(*p - '0');
	*ret_n = n;
	memcpy(ret_mac, hex, sizeof(hex));
	*ret_prefix = (size_t)(digits - (sizeof(head) - 1) - line);
	return 0;
}

int hs_seal_state_read(const char *log_path, struct hs_seal_state *st)
{
	char path[600], buf[200], hex[HS_SHA256_HEX_LEN + 2];
	unsigned long long n, upto;
	_cleanup_close_ int fd = -1;
	ssize_t got;

	if (snprintf(path, sizeof(path), "%s" HS_SEAL_SUFFIX, log_path) >= (int)sizeof(path))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	if (got <= 0)
		return -EINVAL;
	buf[got] = '\0';
	if (sscanf(buf, "hardshim-seal 1 %llu %llu %65s", &n, &upto, hex) != 3 ||
	    strlen(hex) != HS_SHA256_HEX_LEN || hs_unhex32(hex, st->key) < 0)
		return -EINVAL;
	st->n = n;
	st->sealed_upto = upto;
	return 0;
}
