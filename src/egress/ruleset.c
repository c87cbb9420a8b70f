/* SPDX-License-Identifier: Apache-2.0
 * The nftables transaction for one egress policy. Order of the output chain, and why:
 *   loopback accept        - not egress; the shipped default must leave it working
 *   rate ceiling           - "everything that leaves", replies included
 *   established,related    - replies to inbound connections, and the rest of allowed flows
 *   IPv6 neighbour discovery - link-local only, and without it no IPv6 peer is reachable
 *   deny entries           - carve-outs win over allows
 *   allow entries
 *   default                - refuse (counted) or accept
 * Refusing is a reject, not a silent drop: TCP gets a reset (connect fails at once with
 * ECONNREFUSED), everything else ICMP administratively-prohibited (EHOSTUNREACH, EACCES for
 * IPv6). A dropped SYN is retried for seconds, and the application's own timeout then names
 * neither hardshim nor the policy; the reject costs the attacker nothing it did not know (its
 * own packet was refused), and the counters still say what was refused. The chain's policy
 * stays drop: a packet no rule judged is never let out. The rate ceiling still drops: that is
 * how a rate is held (TCP slows down), not a refusal.
 * Everything is made from parsed binary entries, never from policy text. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "hs-egress.h"

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void HS_PRINTF(2, 3) put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
		char *np = realloc(b->p, ncap);

		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

#define RULE "add rule inet " HS_EGRESS_TABLE " output "

/* The match part of a rule for one entry. */
static void put_match(struct buf *b, const struct hs_egress_entry *e)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(e->family, e->addr, a, sizeof(a));
	put(b, "%s daddr %s/%u ", e->family == AF_INET6 ? "ip6" : "ip", a, e->prefix);
	if (e->port_lo) {
		const char *l4 = e->proto == HS_EGRESS_TCP   ? "tcp"
				 : e->proto == HS_EGRESS_UDP ? "udp"
							     : "{ tcp, udp }";

		put(b, "meta l4proto %s th dport ", l4);
		if (e->port_lo == e->port_hi)
			put(b, "%u ", e->port_lo);
		else
			put(b, "%u-%u ", e->port_lo, e->port_hi);
	} else if (e->proto != HS_EGRESS_ANY) {
		put(b, "meta l4proto %s ", e->proto == HS_EGRESS_TCP ? "tcp" : "udp");
	}
}

int hs_egress_ruleset(const struct hs_egress_cfg *cfg, char **ret)
{
	return hs_egress_ruleset_as(cfg, false, NULL, ret);
}

int hs_egress_ruleset_as(const struct hs_egress_cfg *cfg, bool create, const char *comment,
			 char **ret)
{
	struct buf b = { 0 };

	if (!create) {
		/* add+delete+add: one transaction that works whether or not the table exists. */
		put(&b, "add table inet " HS_EGRESS_TABLE "\n");
		put(&b, "delete table inet " HS_EGRESS_TABLE "\n");
	}
	/* create: fails, changing nothing, if the table exists by commit time. */
	put(&b, "%s table inet " HS_EGRESS_TABLE, create ? "create" : "add");
	if (comment)
		put(&b, " { comment \"%s\"; }", comment);
	put(&b, "\n");
	put(&b, "add counter inet " HS_EGRESS_TABLE " " HS_EGRESS_COUNTER_DROPPED "\n");
	put(&b, "add counter inet " HS_EGRESS_TABLE " " HS_EGRESS_COUNTER_DENIED "\n");
	put(&b, "add counter inet " HS_EGRESS_TABLE " " HS_EGRESS_COUNTER_RATE "\n");
	put(&b,
	    "add chain inet " HS_EGRESS_TABLE
	    " output { type filter hook output priority filter; policy %s; }\n",
	    cfg->default_allow ? "accept" : "drop");
	/* The refusal, one place for deny entries and the default. The reset and the ICMP
	 * error are addressed to the container itself, so they leave through "lo" (accepted
	 * first in output) and never off the node. */
	put(&b, "add chain inet " HS_EGRESS_TABLE " " HS_EGRESS_CHAIN_REFUSE "\n");
	put(&b, "add rule inet " HS_EGRESS_TABLE " " HS_EGRESS_CHAIN_REFUSE
		" meta l4proto tcp reject with tcp reset\n");
	put(&b, "add rule inet " HS_EGRESS_TABLE " " HS_EGRESS_CHAIN_REFUSE
		" reject with icmpx admin-prohibited\n");
	put(&b, RULE "oifname \"lo\" accept\n");
	if (cfg->rate)
		put(&b,
		    RULE "limit rate over %llu bytes/second counter name \"" HS_EGRESS_COUNTER_RATE
			 "\" drop\n",
		    (unsigned long long)cfg->rate);
	put(&b, RULE "ct state established,related accept\n");
	put(&b, RULE
	    "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept\n");
	for (size_t i = 0; i < cfg->n_deny; i++) {
		put(&b, RULE);
		put_match(&b, &cfg->deny[i]);
		put(&b, "counter name \"" HS_EGRESS_COUNTER_DENIED "\" goto " HS_EGRESS_CHAIN_REFUSE
			"\n");
	}
	for (size_t i = 0; i < cfg->n_allow; i++) {
		put(&b, RULE);
		put_match(&b, &cfg->allow[i]);
		put(&b, "accept\n");
	}
	if (!cfg->default_allow)
		put(&b, RULE "counter name \"" HS_EGRESS_COUNTER_DROPPED
			     "\" goto " HS_EGRESS_CHAIN_REFUSE "\n");
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*ret = b.p;
	return 0;
}
