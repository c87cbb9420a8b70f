/* SPDX-License-Identifier: Apache-2.0
 * A new container's egress table as one nf_tables netlink batch built here, with no library.
 * libnftables would cost a new table ~2-3 ms of CPU, most of it the dynamic loader (it pulls
 * libnftnl, libmnl, libjansson, libgmp, libxtables) and its text parser; the batch itself is
 * a few KiB that the kernel commits in well under a millisecond.
 *
 * The batch is what libnftables makes of hs_egress_ruleset_as(cfg, true, comment), expression
 * for expression (the same register, the same prefix and range encodings, the same anonymous
 * sets with the same key types and userdata), so `nft list` prints the same table and the
 * kernel runs the same rules. tests/unit/test-egress-room.c compares the two listings for
 * every shape of entry. Anything this path cannot do (the table appeared meanwhile, a kernel
 * that refuses a message) fails the whole batch, which changes nothing; the caller then loads
 * the text with libnftables as before, whose message names the problem. */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

#include "hs-egress.h"

/* Everything below loads into register 1 (libnftables' choice, kept so listings agree). */
#define REG1 NFT_REG_1

struct nlb {
	char *p;
	size_t len, cap;
	bool oom;
	uint32_t seq, set_id;
	size_t last; /* the last nf_tables message */
};

/* n zeroed bytes (aligned) at the end of the buffer; its offset, or SIZE_MAX when out of
 * memory. Offsets, not pointers: the buffer moves when it grows. */
static size_t reserve(struct nlb *b, size_t n)
{
	size_t at = b->len, need = b->len + NLMSG_ALIGN(n);

	if (b->oom)
		return SIZE_MAX;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 8192;
		char *np;

		while (cap < need)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return SIZE_MAX;
		}
		b->p = np;
		b->cap = cap;
	}
	memset(b->p + at, 0, need - at);
	b->len = need;
	return at;
}

static void attr(struct nlb *b, uint16_t type, const void *data, size_t len)
{
	size_t at = reserve(b, NLA_HDRLEN + len);
	struct nlattr *a;

	if (at == SIZE_MAX)
		return;
	a = (struct nlattr *)(b->p + at);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(b->p + at + NLA_HDRLEN, data, len);
}

static void attr_str(struct nlb *b, uint16_t type, const char *s)
{
	attr(b, type, s, strlen(s) + 1);
}

static void attr_be32(struct nlb *b, uint16_t type, uint32_t v)
{
	v = htonl(v);
	attr(b, type, &v, sizeof(v));
}

static void attr_be64(struct nlb *b, uint16_t type, uint64_t v)
{
	uint32_t be[2] = { htonl((uint32_t)(v >> 32)), htonl((uint32_t)v) };

	attr(b, type, be, sizeof(be));
}

static size_t nest_begin(struct nlb *b, uint16_t type)
{
	size_t at = reserve(b, NLA_HDRLEN);

	if (at != SIZE_MAX)
		((struct nlattr *)(b->p + at))->nla_type = type | NLA_F_NESTED;
	return at;
}

static void nest_end(struct nlb *b, size_t at)
{
	if (!b->oom)
		((struct nlattr *)(b->p + at))->nla_len = (uint16_t)(b->len - at);
}

/* One message: netlink header, nfgenmsg, then its attributes until msg_end. */
static size_t msg_begin(struct nlb *b, uint16_t type, uint8_t family, uint16_t flags,
			uint16_t res_id)
{
	size_t at = reserve(b, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	struct nlmsghdr *nh;
	struct nfgenmsg *nf;

	if (at == SIZE_MAX)
		return at;
	nh = (struct nlmsghdr *)(b->p + at);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | flags;
	nh->nlmsg_seq = ++b->seq;
	nf = (struct nfgenmsg *)(b->p + at + NLMSG_HDRLEN);
	nf->nfgen_family = family;
	nf->version = NFNETLINK_V0;
	nf->res_id = htons(res_id);
	return at;
}

static void msg_end(struct nlb *b, size_t at)
{
	if (!b->oom)
		((struct nlmsghdr *)(b->p + at))->nlmsg_len = (uint32_t)(b->len - at);
}

static size_t nft_msg(struct nlb *b, int type, uint16_t flags)
{
	size_t at =
	    msg_begin(b, (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | type), NFPROTO_INET, flags, 0);

	b->last = at;
	attr_str(b, 1 /* NFTA_*_TABLE, NFTA_TABLE_NAME */, HS_EGRESS_TABLE);
	return at;
}

/* NFTA_DATA_VALUE inside a nest of type `type`. */
static void data_value(struct nlb *b, uint16_t type, const void *v, size_t len)
{
	size_t n = nest_begin(b, type);

	attr(b, NFTA_DATA_VALUE, v, len);
	nest_end(b, n);
}

/* An expression: its name, and its data nest (closed by expr_end). */
struct expr {
	size_t elem, data;
};

static struct expr expr_begin(struct nlb *b, const char *name)
{
	struct expr e;

	e.elem = nest_begin(b, NFTA_LIST_ELEM);
	attr_str(b, NFTA_EXPR_NAME, name);
	e.data = nest_begin(b, NFTA_EXPR_DATA);
	return e;
}

static void expr_end(struct nlb *b, struct expr e)
{
	nest_end(b, e.data);
	nest_end(b, e.elem);
}

static void e_meta(struct nlb *b, uint32_t key)
{
	struct expr e = expr_begin(b, "meta");

	attr_be32(b, NFTA_META_KEY, key);
	attr_be32(b, NFTA_META_DREG, REG1);
	expr_end(b, e);
}

static void e_cmp(struct nlb *b, uint32_t op, const void *v, size_t len)
{
	struct expr e = expr_begin(b, "cmp");

	attr_be32(b, NFTA_CMP_SREG, REG1);
	attr_be32(b, NFTA_CMP_OP, op);
	data_value(b, NFTA_CMP_DATA, v, len);
	expr_end(b, e);
}

static void e_cmp_u8(struct nlb *b, uint8_t v)
{
	e_cmp(b, NFT_CMP_EQ, &v, 1);
}

static void e_payload(struct nlb *b, uint32_t base, uint32_t offset, uint32_t len)
{
	struct expr e = expr_begin(b, "payload");

	attr_be32(b, NFTA_PAYLOAD_DREG, REG1);
	attr_be32(b, NFTA_PAYLOAD_BASE, base);
	attr_be32(b, NFTA_PAYLOAD_OFFSET, offset);
	attr_be32(b, NFTA_PAYLOAD_LEN, len);
	expr_end(b, e);
}

static void e_bitwise(struct nlb *b, const void *mask, size_t len)
{
	static const uint8_t zero[16];
	struct expr e = expr_begin(b, "bitwise");

	attr_be32(b, NFTA_BITWISE_SREG, REG1);
	attr_be32(b, NFTA_BITWISE_DREG, REG1);
	attr_be32(b, NFTA_BITWISE_LEN, (uint32_t)len);
	data_value(b, NFTA_BITWISE_MASK, mask, len);
	data_value(b, NFTA_BITWISE_XOR, zero, len);
	expr_end(b, e);
}

static void e_verdict(struct nlb *b, int code, const char *chain)
{
	struct expr e = expr_begin(b, "immediate");
	size_t d, v;

	attr_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	d = nest_begin(b, NFTA_IMMEDIATE_DATA);
	v = nest_begin(b, NFTA_DATA_VERDICT);
	attr_be32(b, NFTA_VERDICT_CODE, (uint32_t)code);
	if (chain)
		attr_str(b, NFTA_VERDICT_CHAIN, chain);
	nest_end(b, v);
	nest_end(b, d);
	expr_end(b, e);
}

static void e_counter_ref(struct nlb *b, const char *name)
{
	struct expr e = expr_begin(b, "objref");

	attr_be32(b, NFTA_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
	attr_str(b, NFTA_OBJREF_IMM_NAME, name);
	expr_end(b, e);
}

static void e_reject(struct nlb *b, uint32_t type, uint8_t code)
{
	struct expr e = expr_begin(b, "reject");

	attr_be32(b, NFTA_REJECT_TYPE, type);
	attr(b, NFTA_REJECT_ICMP_CODE, &code, 1);
	expr_end(b, e);
}

/* An anonymous constant set of one-byte keys, as libnftables declares `{ a, b }`: key type
 * and userdata (key byte order, and the `typeof` expression it lists the keys with) copied
 * from what it sends, so the listing names the keys alike. Returns the set's batch id. */
static uint32_t anon_set_u8(struct nlb *b, uint32_t key_type, const void *udata, size_t ulen,
			    const uint8_t *keys, size_t n)
{
	uint32_t id = ++b->set_id;
	size_t m, d, l;

	m = nft_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE);
	attr_str(b, NFTA_SET_NAME, "__set%d");
	attr_be32(b, NFTA_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	attr_be32(b, NFTA_SET_KEY_TYPE, key_type);
	attr_be32(b, NFTA_SET_KEY_LEN, 1);
	attr_be32(b, NFTA_SET_ID, id);
	d = nest_begin(b, NFTA_SET_DESC);
	attr_be32(b, NFTA_SET_DESC_SIZE, (uint32_t)n);
	nest_end(b, d);
	attr(b, NFTA_SET_USERDATA, udata, ulen);
	msg_end(b, m);

	m = nft_msg(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
	attr_str(b, NFTA_SET_ELEM_LIST_SET, "__set%d");
	attr_be32(b, NFTA_SET_ELEM_LIST_SET_ID, id);
	l = nest_begin(b, NFTA_SET_ELEM_LIST_ELEMENTS);
	for (size_t i = 0; i < n; i++) {
		size_t el = nest_begin(b, NFTA_LIST_ELEM);

		data_value(b, NFTA_SET_ELEM_KEY, &keys[i], 1);
		nest_end(b, el);
	}
	nest_end(b, l);
	msg_end(b, m);
	return id;
}

static void e_lookup(struct nlb *b, uint32_t set_id)
{
	struct expr e = expr_begin(b, "lookup");

	attr_be32(b, NFTA_LOOKUP_SREG, REG1);
	attr_str(b, NFTA_LOOKUP_SET, "__set%d");
	attr_be32(b, NFTA_LOOKUP_SET_ID, set_id);
	expr_end(b, e);
}

/* nftables' datatype numbers (its src/datatype.h: TYPE_INET_PROTOCOL, TYPE_ICMP6_TYPE). */
#define NFT_TYPE_INET_PROTOCOL 12
#define NFT_TYPE_ICMP6_TYPE    29
/* Set userdata as libnftables 1.0 writes it (type-length-value): key byte order (host 1,
 * big-endian 2), then the typeof expression: `meta l4proto`, `icmpv6 type`. */
static const uint8_t udata_l4proto[] = { 0, 4, 1, 0, 0, 0, 3, 14, 0, 4, 9,
					 0, 0, 0, 1, 6, 0, 4, 16, 0, 0, 0 };
static const uint8_t udata_icmp6[] = { 0, 4,  2, 0, 0,  0, 3, 20, 0, 4, 7, 0, 0, 0,
				       1, 12, 0, 4, 14, 0, 0, 0,  1, 4, 1, 0, 0, 0 };

struct rule {
	size_t msg, exprs;
};

static struct rule rule_begin(struct nlb *b, const char *chain)
{
	struct rule r;

	r.msg = nft_msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	attr_str(b, NFTA_RULE_CHAIN, chain);
	r.exprs = nest_begin(b, NFTA_RULE_EXPRESSIONS);
	return r;
}

static void rule_end(struct nlb *b, struct rule r)
{
	nest_end(b, r.exprs);
	msg_end(b, r.msg);
}

/* `ip[6] daddr A/P`: a byte-aligned prefix loads just its bytes; any other (/0 included) the
 * whole address, masked. */
static void match_daddr(struct nlb *b, const struct hs_egress_entry *en)
{
	bool v6 = en->family == AF_INET6;
	size_t full = v6 ? 16 : 4, len = full;
	uint8_t mask[16] = { 0 }, addr[16];

	e_meta(b, NFT_META_NFPROTO);
	e_cmp_u8(b, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	for (size_t i = 0; i < full; i++) {
		unsigned bits = en->prefix > i * 8 ? en->prefix - (unsigned)i * 8 : 0;

		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
		addr[i] = en->addr[i] & mask[i];
	}
	if (en->prefix % 8 == 0 && en->prefix > 0)
		len = en->prefix / 8;
	e_payload(b, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, (uint32_t)len);
	if (len == full && en->prefix < full * 8)
		e_bitwise(b, mask, len);
	e_cmp(b, NFT_CMP_EQ, addr, len);
}

/* `{ tcp, udp }` takes an anonymous set, declared before the rule that looks it up. */
static uint32_t entry_set(struct nlb *b, const struct hs_egress_entry *en)
{
	static const uint8_t both[] = { IPPROTO_TCP, IPPROTO_UDP };

	if (!en->port_lo || en->proto != HS_EGRESS_ANY)
		return 0;
	return anon_set_u8(b, NFT_TYPE_INET_PROTOCOL, udata_l4proto, sizeof(udata_l4proto), both,
			   2);
}

static void match_entry(struct nlb *b, const struct hs_egress_entry *en, uint32_t set_id)
{
	match_daddr(b, en);
	if (set_id) {
		e_meta(b, NFT_META_L4PROTO);
		e_lookup(b, set_id);
	} else if (en->port_lo || en->proto != HS_EGRESS_ANY) {
		e_meta(b, NFT_META_L4PROTO);
		e_cmp_u8(b, en->proto == HS_EGRESS_TCP ? IPPROTO_TCP : IPPROTO_UDP);
	}
	if (en->port_lo) {
		uint16_t lo = htons(en->port_lo), hi = htons(en->port_hi);

		e_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
		if (en->port_lo == en->port_hi) {
			e_cmp(b, NFT_CMP_EQ, &lo, 2);
		} else {
			e_cmp(b, NFT_CMP_GTE, &lo, 2);
			e_cmp(b, NFT_CMP_LTE, &hi, 2);
		}
	}
}

static void table_and_chains(struct nlb *b, const struct hs_egress_cfg *cfg, const char *comment)
{
	static const char *const counters[] = { HS_EGRESS_COUNTER_DROPPED, HS_EGRESS_COUNTER_DENIED,
						HS_EGRESS_COUNTER_RATE };
	size_t m, n;

	/* EXCL: "create", fails if the table exists by commit time. */
	m = nft_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
	attr_be32(b, NFTA_TABLE_FLAGS, 0);
	if (comment) {
		/* userdata record 0: the comment, its NUL included (nft.c reads it back). */
		uint8_t ud[2 + 255];
		size_t cl = strlen(comment) + 1;

		if (cl <= 255) {
			ud[0] = 0;
			ud[1] = (uint8_t)cl;
			memcpy(ud + 2, comment, cl);
			attr(b, NFTA_TABLE_USERDATA, ud, 2 + cl);
		}
	}
	msg_end(b, m);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		m = nft_msg(b, NFT_MSG_NEWOBJ, NLM_F_CREATE);
		attr_str(b, NFTA_OBJ_NAME, counters[i]);
		attr_be32(b, NFTA_OBJ_TYPE, NFT_OBJECT_COUNTER);
		n = nest_begin(b, NFTA_OBJ_DATA);
		attr_be64(b, NFTA_COUNTER_BYTES, 0);
		attr_be64(b, NFTA_COUNTER_PACKETS, 0);
		nest_end(b, n);
		msg_end(b, m);
	}
	m = nft_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	attr_str(b, NFTA_CHAIN_NAME, "output");
	attr_str(b, NFTA_CHAIN_TYPE, "filter");
	attr_be32(b, NFTA_CHAIN_POLICY, cfg->default_allow ? NF_ACCEPT : NF_DROP);
	n = nest_begin(b, NFTA_CHAIN_HOOK);
	attr_be32(b, NFTA_HOOK_HOOKNUM, NF_INET_LOCAL_OUT);
	attr_be32(b, NFTA_HOOK_PRIORITY, 0);
	nest_end(b, n);
	msg_end(b, m);
	m = nft_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	attr_str(b, NFTA_CHAIN_NAME, HS_EGRESS_CHAIN_REFUSE);
	msg_end(b, m);
}

/* The order and the meaning of every rule: ruleset.c's header. */
static void rules(struct nlb *b, const struct hs_egress_cfg *cfg)
{
	static const uint8_t nd[] = { 135, 136 }; /* nd-neighbor-solicit, nd-neighbor-advert */
	static const char lo[16] = "lo";
	struct rule r;
	uint32_t id;

	r = rule_begin(b, HS_EGRESS_CHAIN_REFUSE);
	e_meta(b, NFT_META_L4PROTO);
	e_cmp_u8(b, IPPROTO_TCP);
	e_reject(b, NFT_REJECT_TCP_RST, 0);
	rule_end(b, r);
	r = rule_begin(b, HS_EGRESS_CHAIN_REFUSE);
	e_reject(b, NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
	rule_end(b, r);

	r = rule_begin(b, "output");
	e_meta(b, NFT_META_OIFNAME);
	e_cmp(b, NFT_CMP_EQ, lo, sizeof(lo));
	e_verdict(b, NF_ACCEPT, NULL);
	rule_end(b, r);
	if (cfg->rate) {
		struct expr e;

		r = rule_begin(b, "output");
		e = expr_begin(b, "limit");
		attr_be64(b, NFTA_LIMIT_RATE, cfg->rate);
		attr_be64(b, NFTA_LIMIT_UNIT, 1);
		attr_be32(b, NFTA_LIMIT_TYPE, NFT_LIMIT_PKT_BYTES);
		attr_be32(b, NFTA_LIMIT_FLAGS, NFT_LIMIT_F_INV);
		expr_end(b, e);
		e_counter_ref(b, HS_EGRESS_COUNTER_RATE);
		e_verdict(b, NF_DROP, NULL);
		rule_end(b, r);
	}
	{
		static const uint32_t est_rel =
		    NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
		static const uint32_t none;
		struct expr e;

		r = rule_begin(b, "output");
		e = expr_begin(b, "ct");
		attr_be32(b, NFTA_CT_KEY, NFT_CT_STATE);
		attr_be32(b, NFTA_CT_DREG, REG1);
		expr_end(b, e);
		e_bitwise(b, &est_rel, 4);
		e_cmp(b, NFT_CMP_NEQ, &none, 4);
		e_verdict(b, NF_ACCEPT, NULL);
		rule_end(b, r);
	}
	id = anon_set_u8(b, NFT_TYPE_ICMP6_TYPE, udata_icmp6, sizeof(udata_icmp6), nd, 2);
	r = rule_begin(b, "output");
	e_meta(b, NFT_META_NFPROTO);
	e_cmp_u8(b, NFPROTO_IPV6);
	e_meta(b, NFT_META_L4PROTO);
	e_cmp_u8(b, IPPROTO_ICMPV6);
	e_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
	e_lookup(b, id);
	e_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 7, 1); /* hop limit */
	e_cmp_u8(b, 255);
	e_verdict(b, NF_ACCEPT, NULL);
	rule_end(b, r);
	for (size_t i = 0; i < cfg->n_deny; i++) {
		id = entry_set(b, &cfg->deny[i]);
		r = rule_begin(b, "output");
		match_entry(b, &cfg->deny[i], id);
		e_counter_ref(b, HS_EGRESS_COUNTER_DENIED);
		e_verdict(b, NFT_GOTO, HS_EGRESS_CHAIN_REFUSE);
		rule_end(b, r);
	}
	for (size_t i = 0; i < cfg->n_allow; i++) {
		id = entry_set(b, &cfg->allow[i]);
		r = rule_begin(b, "output");
		match_entry(b, &cfg->allow[i], id);
		e_verdict(b, NF_ACCEPT, NULL);
		rule_end(b, r);
	}
	if (!cfg->default_allow) {
		r = rule_begin(b, "output");
		e_counter_ref(b, HS_EGRESS_COUNTER_DROPPED);
		e_verdict(b, NFT_GOTO, HS_EGRESS_CHAIN_REFUSE);
		rule_end(b, r);
	}
}

/* Build the batch; *ret_seq: the sequence number of its last nf_tables message, the one that
 * asks for an acknowledgement. */
static int build(const struct hs_egress_cfg *cfg, const char *comment, struct nlb *b,
		 uint32_t *ret_seq)
{
	size_t m;

	m = msg_begin(b, NFNL_MSG_BATCH_BEGIN, AF_UNSPEC, 0, NFNL_SUBSYS_NFTABLES);
	msg_end(b, m);
	table_and_chains(b, cfg, comment);
	rules(b, cfg);
	if (!b->oom) {
		struct nlmsghdr *nh = (struct nlmsghdr *)(b->p + b->last);

		nh->nlmsg_flags |= NLM_F_ACK;
		*ret_seq = nh->nlmsg_seq;
	}
	m = msg_begin(b, NFNL_MSG_BATCH_END, AF_UNSPEC, 0, NFNL_SUBSYS_NFTABLES);
	msg_end(b, m);
	return b->oom ? -ENOMEM : 0;
}

/* The kernel has processed the batch by the time sendto returns (nfnetlink runs it inside
 * the send), so its answers are all queued: read them without waiting. Success is the
 * acknowledgement of the last message and no error for any message; a failed message aborts
 * the whole batch, and the kernel reports it (and still acknowledges the last one). */
static int read_answers(int fd, uint32_t ack_seq)
{
	union {
		struct nlmsghdr nh;
		char buf[8192];
	} resp;
	bool acked = false;
	int first_err = 0;

	for (;;) {
		ssize_t n = recv(fd, &resp, sizeof(resp), MSG_DONTWAIT);
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		left = (size_t)n;
		for (struct nlmsghdr *nh = &resp.nh; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			if (nh->nlmsg_type != NLMSG_ERROR ||
			    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EIO;
			if (e->error < 0 && !first_err)
				first_err = e->error;
			else if (e->error == 0 && nh->nlmsg_seq == ack_seq)
				acked = true;
		}
	}
	if (first_err)
		return first_err;
	return acked ? 0 : -EIO;
}

int hs_egress_nl_create(const struct hs_egress_cfg *cfg, const char *comment)
{
	struct nlb b = { 0 };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_cleanup_close_ int fd = -1;
	uint32_t ack_seq = 0;
	int r, one = 1;

	r = build(cfg, comment, &b, &ack_seq);
	if (r < 0)
		goto out;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	/* Errors without a copy of the failed message: a few bytes each. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (sendto(fd, b.p, b.len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		r = -errno;
		goto out;
	}
	r = read_answers(fd, ack_seq);
out:
	free(b.p);
	return r;
}
