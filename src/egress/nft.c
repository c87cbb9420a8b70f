/* SPDX-License-Identifier: Apache-2.0
 * Installing the egress table: is it there (one netlink request, by hand), create it or
 * replace it (batch.c, one transaction each); reading its counters (batch.c's dump). No
 * libnftables: only the unit tests load it, to compare listings (tests/unit/support/nft-text.c).
 * Everything runs in the network namespace the caller is in: join the container's first
 * (netns.c). */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

#include "hs-audit.h"
#include "hs-egress.h"

/* nftables keeps a table's comment in its userdata as type-length-value records; type 0 is
 * the comment, its terminating NUL included. */
#define UDATA_TABLE_COMMENT 0

static bool userdata_comment_is(const struct nlattr *ud, const char *want)
{
	const unsigned char *p = (const unsigned char *)ud + NLA_HDRLEN;
	size_t left = ud->nla_len - NLA_HDRLEN, wl = strlen(want);

	while (left >= 2) {
		size_t len = p[1];

		if (len + 2 > left)
			return false;
		if (p[0] == UDATA_TABLE_COMMENT)
			return len == wl + 1 && p[2 + wl] == '\0' && memcmp(p + 2, want, wl) == 0;
		p += 2 + len;
		left -= 2 + len;
	}
	return false;
}

/* The table's attributes, after the nfgenmsg header: is its comment `want`? */
static bool table_comment_is(const struct nlmsghdr *nh, const char *want)
{
	const char *p = (const char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(struct nfgenmsg));
	size_t left;

	if (!want || nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)))
		return false;
	left = nh->nlmsg_len - NLMSG_LENGTH(sizeof(struct nfgenmsg));
	while (left >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t step = NLA_ALIGN(a->nla_len);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > left)
			return false;
		if ((a->nla_type & NLA_TYPE_MASK) == NFTA_TABLE_USERDATA)
			return userdata_comment_is(a, want);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	return false;
}

struct table_ask {
	const char *want;
	int state;
};

static int table_answer(const struct nlmsghdr *nh, void *data)
{
	struct table_ask *a = data;

	if (nh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE))
		return -EIO;
	a->state = table_comment_is(nh, a->want) ? HS_EGRESS_TABLE_SAME : HS_EGRESS_TABLE_OTHER;
	return 0;
}

/* Does the network namespace of nf_tables' socket fd (the one it was made in, whichever
 * thread uses it) have hardshim's table, and does its comment name the ruleset `want` (NULL:
 * never the same)? One read-only request (NFT_MSG_GETTABLE): no transaction, no library, no
 * memory allocated. < 0: cannot tell (the caller then replaces, as if another table were
 * there). The answer is a hint: a table may appear before the caller commits, and then its
 * create fails and it replaces. HS_EGRESS_TABLE_SAME is trusted as far as the table itself
 * is: whoever could set that comment (CAP_NET_ADMIN in this namespace) could as well rewrite
 * or delete the rules right after hardshim installed them. */
int hs_egress_table_state(int fd, const char *want)
{
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg nf;
		struct nlattr na;
		char name[NLA_ALIGN(sizeof(HS_EGRESS_TABLE))];
	} req;
	struct table_ask a = { want, -EIO };
	int r;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.nf.nfgen_family = NFPROTO_INET;
	req.nf.version = NFNETLINK_V0;
	req.na.nla_len = NLA_HDRLEN + sizeof(HS_EGRESS_TABLE);
	req.na.nla_type = NFTA_TABLE_NAME;
	memcpy(req.name, HS_EGRESS_TABLE, sizeof(HS_EGRESS_TABLE));
	r = hs_nl_request(fd, &req.nh, table_answer, &a);
	if (r == -ENOENT)
		return HS_EGRESS_TABLE_NONE;
	return r < 0 ? r : a.state;
}

/* The comment that names a ruleset: the sha256 of its (comment-less) text. */
int hs_egress_ruleset_name(const struct hs_egress_cfg *cfg, char out[HS_EGRESS_NAME_SIZE])
{
	_cleanup_free_ char *text = NULL;
	uint8_t d[32];
	int r;

	r = hs_egress_ruleset(cfg, &text);
	if (r < 0)
		return r;
	r = hs_sha256(text, strlen(text), d, NULL);
	if (r < 0)
		return r;
	memcpy(out, HS_EGRESS_COMMENT_PREFIX, sizeof(HS_EGRESS_COMMENT_PREFIX) - 1);
	hs_hex(d, sizeof(d), out + sizeof(HS_EGRESS_COMMENT_PREFIX) - 1);
	return 0;
}

int hs_egress_install_on(int fd, const struct hs_egress_cfg *cfg, const char *name, int state,
			 bool *ret_replaced, struct hs_error *err)
{
	int r;

	if (ret_replaced)
		*ret_replaced = false;
	/* The same ruleset is already there (a pod's later container, same policy). */
	if (state == HS_EGRESS_TABLE_SAME)
		return 0;
	/* A new container's namespace has no table: create it, deleting nothing, so the kernel
	 * has no destroy work for the socket's last close to wait for. If the table appeared
	 * meanwhile (a pod's containers started together), the create fails, changing nothing,
	 * and the table is replaced below. */
	if (state == HS_EGRESS_TABLE_NONE) {
		struct hs_error cerr = HS_ERROR_INIT;

		r = hs_egress_nl_send(fd, cfg, name, false, &cerr);
		if (r != -EEXIST) {
			if (r < 0 && err && !err->code)
				*err = cerr;
			return r;
		}
	}
	/* Another table (or none by now, or no answer): replaced in one transaction, the old
	 * table deleted and the new one made at once. */
	if (ret_replaced)
		*ret_replaced = true;
	return hs_egress_nl_send(fd, cfg, name, true, err);
}

/* comment: the ruleset's name (hs_egress_ruleset_name) when the caller has it; NULL: named
 * here (and left without a name if that fails: never the same, always installed). One socket
 * for the question and the batch; a process about to exit leaves the slow last close after a
 * replace to a detached child (netlink.c). */
static int install(const struct hs_egress_cfg *cfg, const char *comment, bool exiting,
		   pid_t *ret_child, struct hs_error *err)
{
	char name[HS_EGRESS_NAME_SIZE];
	bool replaced = false;
	int fd, r;

	if (!comment && hs_egress_ruleset_name(cfg, name) == 0)
		comment = name;
	fd = hs_nl_open();
	if (fd < 0)
		return hs_error_set(err, fd, "egress.nftables", "", -1,
				    "cannot open nf_tables' netlink socket: %s", hs_strerror(fd));
	r = hs_egress_install_on(fd, cfg, comment, hs_egress_table_state(fd, comment), &replaced,
				 err);
	if (r == 0 && replaced && exiting)
		hs_nl_close_detached(fd, ret_child);
	else
		close(fd);
	return r;
}

int hs_egress_install(const struct hs_egress_cfg *cfg, struct hs_error *err)
{
	return install(cfg, NULL, false, NULL, err);
}

int hs_egress_install_exiting(const struct hs_egress_cfg *cfg, pid_t *ret_child,
			      struct hs_error *err)
{
	return install(cfg, NULL, true, ret_child, err);
}

int hs_egress_install_exiting_named(const struct hs_egress_cfg *cfg, const char *name,
				    pid_t *ret_child, struct hs_error *err)
{
	return install(cfg, name, true, ret_child, err);
}

/* The table first (GETTABLE: a dump of its counters would be empty without it, not an
 * error), then its counters (a GETOBJ dump, parsed with libnftnl: batch.c). */
int hs_egress_counters(struct hs_egress_counter *ret, size_t max, struct hs_error *err)
{
	int fd = hs_nl_open(), state;

	if (fd < 0)
		return hs_error_set(err, fd, "egress.nftables", "", -1,
				    "cannot open nf_tables' netlink socket: %s", hs_strerror(fd));
	state = hs_egress_table_state(fd, NULL);
	close(fd);
	if (state == HS_EGRESS_TABLE_NONE)
		return hs_error_set(err, -ENOENT, "egress.no-table", "", -1,
				    "no hardshim egress table in this network namespace");
	if (state < 0)
		return hs_error_set(err, state, "egress.nftables", "", -1,
				    "cannot ask for the egress table: %s", hs_strerror(state));
	return hs_egress_nl_counters(ret, max, err);
}
