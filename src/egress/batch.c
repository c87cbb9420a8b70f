/* SPDX-License-Identifier: Apache-2.0
 * hardshim's egress table as one nf_tables netlink batch, built with libnftnl (the objects
 * and their messages) and sent on netlink.c's socket, without libnftables (which would cost
 * ~2-3 ms of CPU for a new table, ~19 ms for a replace: its dynamic loader, libjansson,
 * libgmp, libxtables, its text parser). libnftnl is linked from its static archive; the libmnl
 * functions it calls are hardshim's own (src/egress/mnl.c: Debian ships no libmnl.a).
 *
 * The batch is what libnftables makes of hs_egress_ruleset_as(cfg, true, comment), expression
 * for expression (the same register, the same prefix and range encodings, the same anonymous
 * sets with the same key types and userdata), so `nft list` prints the same table and the
 * kernel runs the same rules. tests/unit/test-egress-room.c compares the two listings for
 * every shape of entry. A replace puts `add table; delete table` in front of the same
 * messages, in the same transaction: the old rules give way to the new ones at once. The
 * kernel refuses a batch whole (nothing of it stays); the error names the message it refused
 * (which rule, for which entry) and its errno. */
#include <arpa/inet.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hs-egress.h"

/* Everything below loads into register 1 (libnftables' choice, kept so listings agree). */
#define REG1 NFT_REG_1

/* What a message of the batch makes, by its sequence number: a refusal names it. */
struct nb_label {
	uint32_t seq;
	const char *what;                 /* "table", "the rate ceiling's rule", ... */
	const struct hs_egress_entry *en; /* an entry's rule or set, or NULL */
	bool deny;
};

/* The batch being built: libnftnl's pages, the next sequence number and anonymous set id,
 * the last nf_tables message (it asks for the acknowledgement), whether anything failed
 * (out of memory: the batch is then not sent), and every message's label (the current one
 * in `at`). */
struct nb {
	struct nftnl_batch *batch;
	uint32_t seq, set_id;
	struct nlmsghdr *last;
	bool failed;
	int pages;          /* libnftnl's pages so far */
	char *clean;        /* the current page is zeroed up to here */
	uint32_t page_size; /* past it, libnftnl starts a new page */
	struct nb_label at, *labels;
	size_t n_labels, max_labels;
};

/* From here on, messages make `what` (of entry en, when not NULL). */
static void nb_at(struct nb *b, const char *what, const struct hs_egress_entry *en, bool deny)
{
	b->at = (struct nb_label){ 0, what, en, deny };
}

static void nb_label(struct nb *b, uint32_t seq)
{
	if (b->n_labels == b->max_labels) {
		size_t max = b->max_labels ? b->max_labels * 2 : 64;
		struct nb_label *l = reallocarray(b->labels, max, sizeof(*l));

		if (!l) {
			b->failed = true;
			return;
		}
		b->labels = l;
		b->max_labels = max;
	}
	b->labels[b->n_labels] = b->at;
	b->labels[b->n_labels++].seq = seq;
}

/* Room after any message start in a page: libnftnl starts a new page once a message ends
 * past the page size, so one whole message always fits in this much more. libmnl's own
 * MNL_SOCKET_BUFFER_SIZE (8 KiB, or the page size if smaller) calls sysconf: a constant here,
 * also the receive buffer. */
#define NB_OVERRUN ((size_t)8192)

/* Where the next message goes, zeroed as far as it can reach: libmnl 1.0.4 leaves attribute
 * padding as malloc left it, and those bytes go to the kernel (harmless there; valgrind
 * rightly objects). Zeroed ahead in chunks of two messages' room, never past the page's end
 * (its size less what it holds, plus the overrun): each byte about once or twice. */
static char *nb_buffer(struct nb *b)
{
	char *p = nftnl_batch_buffer(b->batch);
	int pages = nftnl_batch_iovec_len(b->batch);

	if (pages != b->pages || p + NB_OVERRUN > b->clean) {
		size_t room = b->page_size + NB_OVERRUN - nftnl_batch_buffer_len(b->batch);
		size_t n = room < 2 * NB_OVERRUN ? room : 2 * NB_OVERRUN;

		memset(p, 0, n);
		b->clean = p + n;
		b->pages = pages;
	}
	return p;
}

/* The header of the next nf_tables message, in the batch's current page. */
static struct nlmsghdr *nb_msg(struct nb *b, int type, uint16_t flags)
{
	nb_label(b, b->seq);
	b->last =
	    nftnl_nlmsg_build_hdr(nb_buffer(b), (uint16_t)type, NFPROTO_INET, flags, b->seq++);
	return b->last;
}

/* The message is complete: the batch moves on (a new page when this one is full). */
static void nb_next(struct nb *b)
{
	if (nftnl_batch_update(b->batch) < 0)
		b->failed = true;
}

/* A rule being built; r is NULL once anything failed (its expressions are then skipped). */
struct rb {
	struct nb *b;
	struct nftnl_rule *r;
};

/* An expression of the rule (NULL: out of memory; the rule is then dropped). */
static struct nftnl_expr *ex(struct rb *rb, const char *name)
{
	struct nftnl_expr *e;

	if (!rb->r)
		return NULL;
	e = nftnl_expr_alloc(name);
	if (!e) {
		nftnl_rule_free(rb->r);
		rb->r = NULL;
		rb->b->failed = true;
		return NULL;
	}
	nftnl_rule_add_expr(rb->r, e);
	return e;
}

static struct rb rule_begin(struct nb *b, const char *chain)
{
	struct rb rb = { b, nftnl_rule_alloc() };

	if (!rb.r) {
		b->failed = true;
		return rb;
	}
	nftnl_rule_set_str(rb.r, NFTNL_RULE_TABLE, HS_EGRESS_TABLE);
	nftnl_rule_set_str(rb.r, NFTNL_RULE_CHAIN, chain);
	return rb;
}

static void rule_end(struct rb *rb)
{
	if (!rb->r)
		return;
	nftnl_rule_nlmsg_build_payload(nb_msg(rb->b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND),
				       rb->r);
	nb_next(rb->b);
	nftnl_rule_free(rb->r);
	rb->r = NULL;
}

/* An expression with its 32-bit attributes, given as type, value pairs; the few others are
 * set by the caller on what this returns (NULL: out of memory, nothing to set). */
static struct nftnl_expr *ex_u32(struct rb *rb, const char *name, const uint32_t *kv, size_t n)
{
	struct nftnl_expr *e = ex(rb, name);

	for (size_t i = 0; e && i + 1 < n; i += 2)
		nftnl_expr_set_u32(e, (uint16_t)kv[i], kv[i + 1]);
	return e;
}
#define EX(rb, name, ...)                                   \
	ex_u32(rb, name, (const uint32_t[]){ __VA_ARGS__ }, \
	       sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static void e_meta(struct rb *rb, uint32_t key)
{
	EX(rb, "meta", NFTNL_EXPR_META_KEY, key, NFTNL_EXPR_META_DREG, REG1);
}

static void e_cmp(struct rb *rb, uint32_t op, const void *v, size_t len)
{
	struct nftnl_expr *e = EX(rb, "cmp", NFTNL_EXPR_CMP_SREG, REG1, NFTNL_EXPR_CMP_OP, op);

	if (e)
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, v, (uint32_t)len);
}

static void e_cmp_u8(struct rb *rb, uint8_t v)
{
	e_cmp(rb, NFT_CMP_EQ, &v, 1);
}

static void e_payload(struct rb *rb, uint32_t base, uint32_t offset, uint32_t len)
{
	EX(rb, "payload", NFTNL_EXPR_PAYLOAD_DREG, REG1, NFTNL_EXPR_PAYLOAD_BASE, base,
	   NFTNL_EXPR_PAYLOAD_OFFSET, offset, NFTNL_EXPR_PAYLOAD_LEN, len);
}

static void e_bitwise(struct rb *rb, const void *mask, size_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e =
	    EX(rb, "bitwise", NFTNL_EXPR_BITWISE_SREG, REG1, NFTNL_EXPR_BITWISE_DREG, REG1,
	       NFTNL_EXPR_BITWISE_LEN, (uint32_t)len);

	if (!e)
		return;
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, (uint32_t)len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, (uint32_t)len);
}

static void e_verdict(struct rb *rb, int code, const char *chain)
{
	struct nftnl_expr *e = EX(rb, "immediate", NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT,
				  NFTNL_EXPR_IMM_VERDICT, (uint32_t)code);

	if (e && chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
}

static void e_counter_ref(struct rb *rb, const char *name)
{
	struct nftnl_expr *e = EX(rb, "objref", NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);

	if (e)
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
}

static void e_reject(struct rb *rb, uint32_t type, uint8_t code)
{
	struct nftnl_expr *e = EX(rb, "reject", NFTNL_EXPR_REJECT_TYPE, type);

	if (e)
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
}

static void e_lookup(struct rb *rb, uint32_t set_id)
{
	struct nftnl_expr *e =
	    EX(rb, "lookup", NFTNL_EXPR_LOOKUP_SREG, REG1, NFTNL_EXPR_LOOKUP_SET_ID, set_id);

	if (e)
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set%d");
}

/* `limit rate over N bytes/second`, its counter, drop. */
static void e_rate(struct rb *rb, uint64_t rate)
{
	struct nftnl_expr *e = EX(rb, "limit", NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKT_BYTES,
				  NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);

	if (!e)
		return;
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
}

/* `ct state established,related` */
static void e_ct_est_rel(struct rb *rb)
{
	static const uint32_t est_rel =
	    NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
	static const uint32_t none;

	EX(rb, "ct", NFTNL_EXPR_CT_KEY, NFT_CT_STATE, NFTNL_EXPR_CT_DREG, REG1);
	e_bitwise(rb, &est_rel, 4);
	e_cmp(rb, NFT_CMP_NEQ, &none, 4);
}

/* An anonymous constant set of one-byte keys, as libnftables declares `{ a, b }`: key type
 * and userdata (key byte order, and the `typeof` expression it lists the keys with) copied
 * from what it sends, so the listing names the keys alike. Returns the set's batch id. */
static uint32_t anon_set_u8(struct nb *b, uint32_t key_type, const void *udata, size_t ulen,
			    const uint8_t *keys, size_t n)
{
	uint32_t id = ++b->set_id;
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s) {
		b->failed = true;
		return id;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, HS_EGRESS_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, "__set%d");
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 1);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)n);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, udata, (uint32_t)ulen);
	nftnl_set_nlmsg_build_payload(nb_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE), s);
	nb_next(b);
	for (size_t i = 0; i < n; i++) {
		struct nftnl_set_elem *el = nftnl_set_elem_alloc();

		if (!el) {
			b->failed = true;
			break;
		}
		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, &keys[i], 1);
		nftnl_set_elem_add(s, el);
	}
	nftnl_set_elems_nlmsg_build_payload(nb_msg(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE), s);
	nb_next(b);
	nftnl_set_free(s);
	return id;
}

/* nftables' datatype numbers (its src/datatype.h: TYPE_INET_PROTOCOL, TYPE_ICMP6_TYPE). */
#define NFT_TYPE_INET_PROTOCOL 12
#define NFT_TYPE_ICMP6_TYPE    29
/* Set userdata as libnftables 1.0 writes it (its own type-length-value records, opaque to
 * libnftnl): key byte order (host 1, big-endian 2), then the typeof expression: `meta
 * l4proto`, `icmpv6 type`. */
static const uint8_t udata_l4proto[] = { 0, 4, 1, 0, 0, 0, 3, 14, 0, 4, 9,
					 0, 0, 0, 1, 6, 0, 4, 16, 0, 0, 0 };
static const uint8_t udata_icmp6[] = { 0, 4,  2, 0, 0,  0, 3, 20, 0, 4, 7, 0, 0, 0,
				       1, 12, 0, 4, 14, 0, 0, 0,  1, 4, 1, 0, 0, 0 };

/* `ip[6] daddr A/P`: a byte-aligned prefix loads just its bytes; any other (/0 included) the
 * whole address, masked. */
static void match_daddr(struct rb *rb, const struct hs_egress_entry *en)
{
	bool v6 = en->family == AF_INET6;
	size_t full = v6 ? 16 : 4, len = full;
	uint8_t mask[16] = { 0 }, addr[16];

	e_meta(rb, NFT_META_NFPROTO);
	e_cmp_u8(rb, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	for (size_t i = 0; i < full; i++) {
		unsigned bits = en->prefix > i * 8 ? en->prefix - (unsigned)i * 8 : 0;

		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
		addr[i] = en->addr[i] & mask[i];
	}
	if (en->prefix % 8 == 0 && en->prefix > 0)
		len = en->prefix / 8;
	e_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, (uint32_t)len);
	if (len == full && en->prefix < full * 8)
		e_bitwise(rb, mask, len);
	e_cmp(rb, NFT_CMP_EQ, addr, len);
}

/* `{ tcp, udp }` takes an anonymous set, declared before the rule that looks it up. */
static uint32_t entry_set(struct nb *b, const struct hs_egress_entry *en)
{
	static const uint8_t both[] = { IPPROTO_TCP, IPPROTO_UDP };

	if (!en->port_lo || en->proto != HS_EGRESS_ANY)
		return 0;
	return anon_set_u8(b, NFT_TYPE_INET_PROTOCOL, udata_l4proto, sizeof(udata_l4proto), both,
			   2);
}

static void match_entry(struct rb *rb, const struct hs_egress_entry *en, uint32_t set_id)
{
	match_daddr(rb, en);
	if (set_id) {
		e_meta(rb, NFT_META_L4PROTO);
		e_lookup(rb, set_id);
	} else if (en->port_lo || en->proto != HS_EGRESS_ANY) {
		e_meta(rb, NFT_META_L4PROTO);
		e_cmp_u8(rb, en->proto == HS_EGRESS_TCP ? IPPROTO_TCP : IPPROTO_UDP);
	}
	if (en->port_lo) {
		uint16_t lo = htons(en->port_lo), hi = htons(en->port_hi);

		e_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
		if (en->port_lo == en->port_hi) {
			e_cmp(rb, NFT_CMP_EQ, &lo, 2);
		} else {
			e_cmp(rb, NFT_CMP_GTE, &lo, 2);
			e_cmp(rb, NFT_CMP_LTE, &hi, 2);
		}
	}
}

/* EXCL: "create", fails if the table exists by commit time. Its comment is userdata record
 * 0 (NFTNL_UDATA_TABLE_COMMENT), NUL included: nft.c reads it back. */
static void table(struct nb *b, const char *comment)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_udata_buf *ud = NULL;

	if (!t) {
		b->failed = true;
		return;
	}
	nb_at(b, "table", NULL, false);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, HS_EGRESS_TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0);
	if (comment && strlen(comment) < 255) {
		ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
		if (ud && nftnl_udata_put_strz(ud, 0, comment))
			nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
					     nftnl_udata_buf_len(ud));
		else
			b->failed = true;
	}
	nftnl_table_nlmsg_build_payload(nb_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL), t);
	nb_next(b);
	if (ud)
		nftnl_udata_buf_free(ud);
	nftnl_table_free(t);
}

static void counter(struct nb *b, const char *name)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o) {
		b->failed = true;
		return;
	}
	nb_at(b, name, NULL, false);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, HS_EGRESS_TABLE);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_BYTES, 0);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_PKTS, 0);
	nftnl_obj_nlmsg_build_payload(nb_msg(b, NFT_MSG_NEWOBJ, NLM_F_CREATE), o);
	nb_next(b);
	nftnl_obj_free(o);
}

/* A base chain (hooked at output, priority filter, with the default's policy) or, with
 * base false, a regular one. */
static void chain(struct nb *b, const char *name, bool base, bool accept)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c) {
		b->failed = true;
		return;
	}
	nb_at(b, name, NULL, false);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, HS_EGRESS_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (base) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, accept ? NF_ACCEPT : NF_DROP);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_OUT);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	}
	nftnl_chain_nlmsg_build_payload(nb_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
	nb_next(b);
	nftnl_chain_free(c);
}

static void table_and_chains(struct nb *b, const struct hs_egress_cfg *cfg, const char *comment)
{
	table(b, comment);
	counter(b, HS_EGRESS_COUNTER_DROPPED);
	counter(b, HS_EGRESS_COUNTER_DENIED);
	counter(b, HS_EGRESS_COUNTER_RATE);
	chain(b, "output", true, cfg->default_allow);
	chain(b, HS_EGRESS_CHAIN_REFUSE, false, false);
}

/* The fixed head of the output chain: loopback, the rate ceiling, replies, IPv6 neighbour
 * discovery; and the refuse chain. */
static void fixed_rules(struct nb *b, const struct hs_egress_cfg *cfg)
{
	static const uint8_t nd[] = { 135, 136 }; /* nd-neighbor-solicit, nd-neighbor-advert */
	static const char lo[16] = "lo";
	struct rb r;
	uint32_t id;

	nb_at(b, "refuse chain's rules", NULL, false);
	r = rule_begin(b, HS_EGRESS_CHAIN_REFUSE);
	e_meta(&r, NFT_META_L4PROTO);
	e_cmp_u8(&r, IPPROTO_TCP);
	e_reject(&r, NFT_REJECT_TCP_RST, 0);
	rule_end(&r);
	r = rule_begin(b, HS_EGRESS_CHAIN_REFUSE);
	e_reject(&r, NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
	rule_end(&r);

	nb_at(b, "loopback rule", NULL, false);
	r = rule_begin(b, "output");
	e_meta(&r, NFT_META_OIFNAME);
	e_cmp(&r, NFT_CMP_EQ, lo, sizeof(lo));
	e_verdict(&r, NF_ACCEPT, NULL);
	rule_end(&r);
	if (cfg->rate) {
		nb_at(b, "rate ceiling's rule", NULL, false);
		r = rule_begin(b, "output");
		e_rate(&r, cfg->rate);
		e_counter_ref(&r, HS_EGRESS_COUNTER_RATE);
		e_verdict(&r, NF_DROP, NULL);
		rule_end(&r);
	}
	nb_at(b, "replies' rule", NULL, false);
	r = rule_begin(b, "output");
	e_ct_est_rel(&r);
	e_verdict(&r, NF_ACCEPT, NULL);
	rule_end(&r);

	nb_at(b, "IPv6 neighbour discovery rule", NULL, false);
	id = anon_set_u8(b, NFT_TYPE_ICMP6_TYPE, udata_icmp6, sizeof(udata_icmp6), nd, 2);
	r = rule_begin(b, "output");
	e_meta(&r, NFT_META_NFPROTO);
	e_cmp_u8(&r, NFPROTO_IPV6);
	e_meta(&r, NFT_META_L4PROTO);
	e_cmp_u8(&r, IPPROTO_ICMPV6);
	e_payload(&r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
	e_lookup(&r, id);
	e_payload(&r, NFT_PAYLOAD_NETWORK_HEADER, 7, 1); /* hop limit */
	e_cmp_u8(&r, 255);
	e_verdict(&r, NF_ACCEPT, NULL);
	rule_end(&r);
}

/* One entry's rule: a deny entry counts and refuses, an allow entry accepts. */
static void entry_rule(struct nb *b, const struct hs_egress_entry *en, bool deny)
{
	uint32_t id;
	struct rb r;

	nb_at(b, "rule", en, deny);
	id = entry_set(b, en);
	r = rule_begin(b, "output");

	match_entry(&r, en, id);
	if (deny) {
		e_counter_ref(&r, HS_EGRESS_COUNTER_DENIED);
		e_verdict(&r, NFT_GOTO, HS_EGRESS_CHAIN_REFUSE);
	} else {
		e_verdict(&r, NF_ACCEPT, NULL);
	}
	rule_end(&r);
}

/* The order and the meaning of every rule: ruleset.c's header. */
static void rules(struct nb *b, const struct hs_egress_cfg *cfg)
{
	fixed_rules(b, cfg);
	for (size_t i = 0; i < cfg->n_deny; i++)
		entry_rule(b, &cfg->deny[i], true);
	for (size_t i = 0; i < cfg->n_allow; i++)
		entry_rule(b, &cfg->allow[i], false);
	if (!cfg->default_allow) {
		struct rb r;

		nb_at(b, "default deny rule", NULL, false);
		r = rule_begin(b, "output");

		e_counter_ref(&r, HS_EGRESS_COUNTER_DROPPED);
		e_verdict(&r, NFT_GOTO, HS_EGRESS_CHAIN_REFUSE);
		rule_end(&r);
	}
}

/* `add table inet hardshim; delete table inet hardshim`: whatever table there is goes, in
 * the transaction that makes the new one (there may be none by now: the add makes one to
 * delete). */
static void delete_table(struct nb *b)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t) {
		b->failed = true;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, HS_EGRESS_TABLE);
	nb_at(b, "table there was (add, to delete)", NULL, false);
	nftnl_table_nlmsg_build_payload(nb_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE), t);
	nb_next(b);
	nb_at(b, "table there was (delete)", NULL, false);
	nftnl_table_nlmsg_build_payload(nb_msg(b, NFT_MSG_DELTABLE, 0), t);
	nb_next(b);
	nftnl_table_free(t);
}

/* Build the batch; its last nf_tables message asks for the acknowledgement. Pages of
 * NB_PAGE bytes, each with room past its end for one whole message (libnftnl starts a new
 * page once a message crosses the first bound); the kernel gets them all in one sendmsg, as
 * one datagram, however many there are. nft's own 32 machine pages (128 KiB) made every
 * batch an mmap of its own (malloc's threshold), and a munmap; hardshim's table for a
 * policy of a few entries is ~3 KiB, and a 24 KiB page comes from the heap. */
#define NB_PAGE ((uint32_t)16384)

static int build(const struct hs_egress_cfg *cfg, const char *comment, bool replace, struct nb *b)
{
	b->page_size = NB_PAGE;
	b->batch = nftnl_batch_alloc(b->page_size, (uint32_t)NB_OVERRUN);
	if (!b->batch)
		return -ENOMEM;
	b->seq = 1;
	nftnl_batch_begin(nb_buffer(b), b->seq++);
	nb_next(b);
	if (replace)
		delete_table(b);
	table_and_chains(b, cfg, comment);
	rules(b, cfg);
	if (b->failed || !b->last)
		return -ENOMEM;
	b->last->nlmsg_flags |= NLM_F_ACK;
	nftnl_batch_end(nb_buffer(b), b->seq++);
	nb_next(b);
	return b->failed ? -ENOMEM : 0;
}

/* What the message with sequence number seq made, for an error: "rule for deny entry
 * 10.0.0.0/8", "rate ceiling's rule", "table". */
static void label_of(const struct nb *b, uint32_t seq, char *out, size_t size)
{
	for (size_t i = 0; i < b->n_labels; i++) {
		const struct nb_label *l = &b->labels[i];
		char e[HS_EGRESS_ENTRY_MAX + 8];

		if (l->seq != seq)
			continue;
		if (!l->en) {
			snprintf(out, size, "%s", l->what);
			return;
		}
		hs_egress_entry_format(l->en, e, sizeof(e));
		snprintf(out, size, "%s for %s entry %s", l->what, l->deny ? "deny" : "allow", e);
		return;
	}
	snprintf(out, size, "batch (no single message named)");
}

/* The batch's pages on nf_tables' socket fd; a refusal names its message. */
static int send_batch(struct nb *b, int fd, struct hs_error *err)
{
	int n = nftnl_batch_iovec_len(b->batch), r;
	_cleanup_free_ struct iovec *iov = n > 0 ? calloc((size_t)n, sizeof(*iov)) : NULL;
	uint32_t seq = 0;
	char what[160];

	if (!iov)
		return n > 0 ? -ENOMEM : -EIO;
	nftnl_batch_iovec(b->batch, iov, (uint32_t)n);
	r = hs_nl_send_batch(fd, iov, (size_t)n, b->last->nlmsg_seq, &seq);
	if (r == 0)
		return 0;
	label_of(b, seq, what, sizeof(what));
	return hs_error_set(err, r == -EEXIST ? -EEXIST : -HS_EPOLICY, "egress.nftables", "", -1,
			    "nftables refused the egress ruleset: the kernel refused its %s: %s",
			    what, hs_strerror(r));
}

int hs_egress_nl_send(int fd, const struct hs_egress_cfg *cfg, const char *comment, bool replace,
		      struct hs_error *err)
{
	struct nb b = { 0 };
	int r;

	r = build(cfg, comment, replace, &b);
	if (r == 0)
		r = send_batch(&b, fd, err);
	else
		r = hs_error_set(err, r, "egress.nftables", "", -1,
				 "cannot build the egress ruleset's batch: %s", hs_strerror(r));
	if (b.batch)
		nftnl_batch_free(b.batch);
	free(b.labels);
	return r;
}

int hs_egress_nl_load(const struct hs_egress_cfg *cfg, const char *comment, bool replace,
		      bool detach, pid_t *ret_child, struct hs_error *err)
{
	int fd = hs_nl_open(), r;

	if (fd < 0)
		return hs_error_set(err, fd, "egress.nftables", "", -1,
				    "cannot open nf_tables' netlink socket: %s", hs_strerror(fd));
	r = hs_egress_nl_send(fd, cfg, comment, replace, err);
	if (r == 0 && detach)
		hs_nl_close_detached(fd, ret_child);
	else
		close(fd);
	return r;
}

int hs_egress_nl_create(const struct hs_egress_cfg *cfg, const char *comment)
{
	struct hs_error err = HS_ERROR_INIT;
	int r = hs_egress_nl_load(cfg, comment, false, false, NULL, &err);

	return r == -EEXIST ? -EEXIST : r < 0 ? -EIO : 0;
}

struct counters {
	struct hs_egress_counter *ret;
	size_t max, n;
	int error;
};

/* One object of the dump: hardshim's table's counters, in the kernel's order (the order of
 * their creation). Anything else (a kernel that ignores the dump's filter) is skipped. */
static int counter_answer(const struct nlmsghdr *nh, void *data)
{
	struct counters *c = data;
	struct nftnl_obj *o;
	const char *table, *name;

	if (nh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWOBJ))
		return -EIO;
	o = nftnl_obj_alloc();
	if (!o)
		return -ENOMEM;
	if (nftnl_obj_nlmsg_parse(nh, o) < 0) {
		nftnl_obj_free(o);
		return -EIO;
	}
	table = nftnl_obj_get_str(o, NFTNL_OBJ_TABLE);
	name = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
	if (table && name && !strcmp(table, HS_EGRESS_TABLE) &&
	    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_COUNTER && c->n < c->max) {
		struct hs_egress_counter *r = &c->ret[c->n++];

		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", name);
		r->packets = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
		r->bytes = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES);
	}
	nftnl_obj_free(o);
	return 0;
}

int hs_egress_nl_counters(struct hs_egress_counter *ret, size_t max, struct hs_error *err)
{
	union {
		struct nlmsghdr nh;
		char buf[512];
	} req;
	struct counters c = { ret, max, 0, 0 };
	struct nftnl_obj *o;
	int fd, r;

	o = nftnl_obj_alloc();
	if (!o)
		return hs_error_set(err, -ENOMEM, "egress.nftables", "", -1, "out of memory");
	memset(&req, 0, sizeof(req));
	/* GETOBJ, dump, filtered by the kernel to the table's counters */
	nftnl_nlmsg_build_hdr(req.buf, NFT_MSG_GETOBJ, NFPROTO_INET, NLM_F_DUMP, 1);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, HS_EGRESS_TABLE);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_nlmsg_build_payload(&req.nh, o);
	nftnl_obj_free(o);
	fd = hs_nl_open();
	if (fd < 0)
		return hs_error_set(err, fd, "egress.nftables", "", -1,
				    "cannot open nf_tables' netlink socket: %s", hs_strerror(fd));
	r = hs_nl_request(fd, &req.nh, counter_answer, &c);
	close(fd);
	if (r < 0)
		return hs_error_set(err, r, "egress.nftables", "", -1,
				    "cannot read the egress counters: %s", hs_strerror(r));
	return (int)c.n;
}
