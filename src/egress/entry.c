/* SPDX-License-Identifier: Apache-2.0
 * Egress policy entries: CIDR[:PORT[-PORT]][/tcp|/udp]. Parsed strictly into binary form, so
 * the nftables text made from them can never carry anything the policy author did not mean
 * (no text from the policy reaches nft verbatim). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "hs-egress.h"

#define REFUSE(...) hs_error_set(err, -HS_EPOLICY, "egress.entry", path, -1, __VA_ARGS__)

/* Decimal without sign or leading zero, at most max. n bytes of s. */
static int parse_dec(const char *s, size_t n, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;

	if (n == 0 || n > 10 || (s[0] == '0' && n > 1))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int parse_port(const char *s, size_t n, uint16_t *ret)
{
	unsigned long v;

	if (parse_dec(s, n, 65535, &v) < 0 || v == 0)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

static bool host_bits_zero(const uint8_t *addr, unsigned bits, unsigned prefix)
{
	for (unsigned i = prefix; i < bits; i++)
		if (addr[i / 8] & (0x80u >> (i % 8)))
			return false;
	return true;
}

/* ADDR[/PREFIX] of n bytes. */
static int parse_cidr(const char *s, size_t n, bool v6, struct hs_egress_entry *e, const char *path,
		      struct hs_error *err)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	unsigned bits = v6 ? 128 : 32;
	unsigned long prefix = bits;

	if (alen == 0 || alen >= sizeof(buf))
		return REFUSE("\"%.*s\" is not an IPv%c address", (int)alen, s, v6 ? '6' : '4');
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, e->addr) != 1)
		return REFUSE("\"%s\" is not an IPv%c address%s", buf, v6 ? '6' : '4',
			      v6 ? ""
				 : " (an IPv6 address with a port is written [ADDR/PREFIX]:PORT)");
	if (v6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)e->addr))
		return REFUSE("\"%s\" is an IPv4-mapped IPv6 address, which never matches IPv4 "
			      "traffic: write the IPv4 address",
			      buf);
	if (slash && parse_dec(slash + 1, n - alen - 1, bits, &prefix) < 0)
		return REFUSE("\"%.*s\" is not a prefix length from 0 to %u", (int)(n - alen - 1),
			      slash + 1, bits);
	if (!host_bits_zero(e->addr, bits, (unsigned)prefix))
		return REFUSE("%s/%lu has host bits set: write the network address", buf, prefix);
	e->family = v6 ? AF_INET6 : AF_INET;
	e->prefix = (unsigned)prefix;
	return 0;
}

int hs_egress_entry_parse(const char *s, const char *path, struct hs_egress_entry *ret,
			  struct hs_error *err)
{
	struct hs_egress_entry e = { 0 };
	size_t n = strlen(s);
	const char *cidr, *ports = NULL;
	size_t cidr_len, ports_len = 0;
	bool v6;

	if (n == 0)
		return REFUSE("empty entry");
	if (n > HS_EGRESS_ENTRY_MAX)
		return REFUSE("entry is longer than %d bytes", HS_EGRESS_ENTRY_MAX);
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF.:/[]-tcpudTCPUD", s[i]))
			return REFUSE("character %s%c%s is not allowed in an entry "
				      "(CIDR[:PORT[-PORT]][/tcp|/udp])",
				      s[i] > 0x20 && s[i] < 0x7f ? "'" : "0x",
				      s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?',
				      s[i] > 0x20 && s[i] < 0x7f ? "'" : "");

	/* Protocol suffix: the last "/tcp" or "/udp" (lower case only: one spelling). */
	if (n > 4 && (strcmp(s + n - 4, "/tcp") == 0 || strcmp(s + n - 4, "/udp") == 0)) {
		e.proto = s[n - 3] == 't' ? HS_EGRESS_TCP : HS_EGRESS_UDP;
		n -= 4;
	}
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close)
			return REFUSE("'[' without ']'");
		cidr = s + 1;
		cidr_len = (size_t)(close - s - 1);
		if ((size_t)(close - s) + 1 < n) {
			if (close[1] != ':')
				return REFUSE(
				    "after ']' only :PORT[-PORT] and /tcp or /udp may follow");
			ports = close + 2;
			ports_len = n - (size_t)(ports - s);
		}
		v6 = true;
	} else if (memchr(s, ']', n)) {
		return REFUSE("']' without '['");
	} else if (memchr(s, '.', n) && !memchr(s, '[', n)) {
		/* IPv4 (an IPv6 address in dotted form would be v4-mapped: refused below) */
		const char *colon = memchr(s, ':', n);

		cidr = s;
		cidr_len = colon ? (size_t)(colon - s) : n;
		if (colon) {
			ports = colon + 1;
			ports_len = n - cidr_len - 1;
		}
		v6 = false;
		if (colon && memchr(ports, ':', ports_len))
			return REFUSE("an IPv6 address with a port is written [ADDR/PREFIX]:PORT");
	} else {
		/* IPv6 without brackets: no port possible. */
		cidr = s;
		cidr_len = n;
		v6 = true;
	}
	if (memchr(cidr, '[', cidr_len) || memchr(cidr, ']', cidr_len))
		return REFUSE("misplaced bracket");
	if (parse_cidr(cidr, cidr_len, v6, &e, path, err) < 0)
		return err ? err->code : -HS_EPOLICY;

	if (ports) {
		const char *dash = memchr(ports, '-', ports_len);
		size_t lo_len = dash ? (size_t)(dash - ports) : ports_len;

		if (parse_port(ports, lo_len, &e.port_lo) < 0)
			return REFUSE("\"%.*s\" is not a port from 1 to 65535", (int)lo_len, ports);
		e.port_hi = e.port_lo;
		if (dash) {
			size_t hi_len = ports_len - lo_len - 1;

			if (parse_port(dash + 1, hi_len, &e.port_hi) < 0)
				return REFUSE("\"%.*s\" is not a port from 1 to 65535", (int)hi_len,
					      dash + 1);
			if (e.port_hi < e.port_lo)
				return REFUSE("port range %u-%u runs backwards", e.port_lo,
					      e.port_hi);
		}
	}
	*ret = e;
	return 0;
}

void hs_egress_entry_format(const struct hs_egress_entry *e, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], ports[16] = "";
	const char *proto = e->proto == HS_EGRESS_TCP   ? "/tcp"
			    : e->proto == HS_EGRESS_UDP ? "/udp"
							: "";
	bool v6 = e->family == AF_INET6;

	inet_ntop(e->family, e->addr, a, sizeof(a));
	if (e->port_lo && e->port_lo == e->port_hi)
		snprintf(ports, sizeof(ports), ":%u", e->port_lo);
	else if (e->port_lo)
		snprintf(ports, sizeof(ports), ":%u-%u", e->port_lo, e->port_hi);
	snprintf(buf, size, "%s%s/%u%s%s%s", v6 ? "[" : "", a, e->prefix, v6 ? "]" : "", ports,
		 proto);
}
