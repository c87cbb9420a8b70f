/* SPDX-License-Identifier: Apache-2.0
 * The libmnl functions libnftnl.a calls, and only those (its undefined mnl_* symbols: the
 * core links libnftnl from its static archive, and Debian ships libmnl as a shared library
 * only). hardshim's own code calls none of them: src/egress/batch.c builds its batch with
 * libnftnl, which puts and parses netlink attributes with these, and netlink.c sends it.
 *
 * Written from libmnl's documented interface (<libmnl/libmnl.h>, whose prototypes these
 * definitions are checked against) and behaviour: the same bytes built, the same parse and
 * validation results and errno, malformed and truncated input included (libnftnl parses the
 * kernel's replies with them). tests/unit/test-mnl.c holds each function against Debian's
 * libmnl.so side by side. Two deliberate differences: an attribute's padding is written as
 * zeroes (libmnl 1.0.4 leaves it as the buffer held it), and mnl_cb_run stops at a message
 * whose length is 2 GiB or more (libmnl reads outside the buffer there).
 *
 * nftnl_batch_is_supported (in libnftnl.a's object with nftnl_batch_begin, which hardshim
 * calls) brings the socket functions and mnl_cb_run in; hardshim never calls it, and they
 * behave as libmnl's do. Symbols stay hidden (-fvisibility=hidden): nothing outside the core
 * binds to them, and a process that also loads libmnl.so (the unit tests load libnftables)
 * keeps both apart. */
#include <errno.h>
#include <limits.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Attributes */

uint16_t mnl_attr_get_type(const struct nlattr *attr)
{
	return attr->nla_type & NLA_TYPE_MASK;
}

uint16_t mnl_attr_get_payload_len(const struct nlattr *attr)
{
	return attr->nla_len - MNL_ATTR_HDRLEN;
}

void *mnl_attr_get_payload(const struct nlattr *attr)
{
	return (void *)((char *)attr + MNL_ATTR_HDRLEN);
}

bool mnl_attr_ok(const struct nlattr *attr, int len)
{
	return len >= (int)sizeof(struct nlattr) && attr->nla_len >= sizeof(struct nlattr) &&
	       (int)attr->nla_len <= len;
}

struct nlattr *mnl_attr_next(const struct nlattr *attr)
{
	return (struct nlattr *)((char *)attr + MNL_ALIGN(attr->nla_len));
}

int mnl_attr_type_valid(const struct nlattr *attr, uint16_t max)
{
	if (mnl_attr_get_type(attr) > max) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return 1;
}

/* The payload's length a type must have exactly (0: any length). */
static size_t type_len(enum mnl_attr_data_type type)
{
	switch (type) {
	case MNL_TYPE_U8: return sizeof(uint8_t);
	case MNL_TYPE_U16: return sizeof(uint16_t);
	case MNL_TYPE_U32: return sizeof(uint32_t);
	case MNL_TYPE_U64:
	case MNL_TYPE_MSECS: return sizeof(uint64_t);
	default: return 0;
	}
}

int mnl_attr_validate(const struct nlattr *attr, enum mnl_attr_data_type type)
{
	const char *data = mnl_attr_get_payload(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);
	size_t exp;

	if ((unsigned)type >= MNL_TYPE_MAX) {
		errno = EINVAL;
		return -1;
	}
	exp = type_len(type);
	if (len < exp) {
		errno = ERANGE;
		return -1;
	}
	switch (type) {
	case MNL_TYPE_FLAG:
		if (len > 0) {
			errno = ERANGE;
			return -1;
		}
		break;
	case MNL_TYPE_NUL_STRING:
		if (len == 0) {
			errno = ERANGE;
			return -1;
		}
		if (data[len - 1] != '\0') {
			errno = EINVAL;
			return -1;
		}
		break;
	case MNL_TYPE_STRING:
		if (len == 0) {
			errno = ERANGE;
			return -1;
		}
		break;
	case MNL_TYPE_NESTED:
		if (len != 0 && len < MNL_ATTR_HDRLEN) {
			errno = ERANGE;
			return -1;
		}
		break;
	default: break;
	}
	if (exp && len > exp) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

/* Each attribute from attr while whole inside [attr, end): cb's MNL_CB_STOP or
 * MNL_CB_ERROR ends the walk with that value. */
static int attr_walk(const struct nlattr *attr, const char *end, mnl_attr_cb_t cb, void *data)
{
	int r = MNL_CB_OK;

	for (; mnl_attr_ok(attr, (int)(end - (const char *)attr)); attr = mnl_attr_next(attr)) {
		r = cb(attr, data);
		if (r <= MNL_CB_STOP)
			return r;
	}
	return r;
}

int mnl_attr_parse(const struct nlmsghdr *nlh, unsigned int offset, mnl_attr_cb_t cb, void *data)
{
	const char *first = (const char *)nlh + MNL_NLMSG_HDRLEN + MNL_ALIGN(offset);

	return attr_walk((const struct nlattr *)first,
			 (const char *)nlh + MNL_ALIGN(nlh->nlmsg_len), cb, data);
}

int mnl_attr_parse_nested(const struct nlattr *nested, mnl_attr_cb_t cb, void *data)
{
	const char *first = mnl_attr_get_payload(nested);

	return attr_walk((const struct nlattr *)first, first + mnl_attr_get_payload_len(nested), cb,
			 data);
}

uint8_t mnl_attr_get_u8(const struct nlattr *attr)
{
	return *(const uint8_t *)mnl_attr_get_payload(attr);
}

uint16_t mnl_attr_get_u16(const struct nlattr *attr)
{
	uint16_t v;

	memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return v;
}

uint32_t mnl_attr_get_u32(const struct nlattr *attr)
{
	uint32_t v;

	memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return v;
}

uint64_t mnl_attr_get_u64(const struct nlattr *attr)
{
	uint64_t v;

	memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return v;
}

const char *mnl_attr_get_str(const struct nlattr *attr)
{
	return mnl_attr_get_payload(attr);
}

/* The message's end, where the next attribute goes. */
static struct nlattr *tail(const struct nlmsghdr *nlh)
{
	return (struct nlattr *)((char *)nlh + MNL_ALIGN(nlh->nlmsg_len));
}

void mnl_attr_put(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data)
{
	struct nlattr *attr = tail(nlh);
	uint16_t attr_len = MNL_ALIGN(sizeof(struct nlattr)) + len;

	attr->nla_type = type;
	attr->nla_len = attr_len;
	if (len)
		memcpy(mnl_attr_get_payload(attr), data, len);
	memset((char *)mnl_attr_get_payload(attr) + len, 0, MNL_ALIGN(len) - len);
	nlh->nlmsg_len += MNL_ALIGN(attr_len);
}

void mnl_attr_put_u8(struct nlmsghdr *nlh, uint16_t type, uint8_t data)
{
	mnl_attr_put(nlh, type, sizeof(data), &data);
}

void mnl_attr_put_u16(struct nlmsghdr *nlh, uint16_t type, uint16_t data)
{
	mnl_attr_put(nlh, type, sizeof(data), &data);
}

void mnl_attr_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t data)
{
	mnl_attr_put(nlh, type, sizeof(data), &data);
}

void mnl_attr_put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t data)
{
	mnl_attr_put(nlh, type, sizeof(data), &data);
}

void mnl_attr_put_str(struct nlmsghdr *nlh, uint16_t type, const char *data)
{
	mnl_attr_put(nlh, type, strlen(data), data);
}

void mnl_attr_put_strz(struct nlmsghdr *nlh, uint16_t type, const char *data)
{
	mnl_attr_put(nlh, type, strlen(data) + 1, data);
}

/* The nest's length is written by mnl_attr_nest_end, once its attributes are in. */
struct nlattr *mnl_attr_nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *start = tail(nlh);

	start->nla_type = NLA_F_NESTED | type;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(struct nlattr));
	return start;
}

void mnl_attr_nest_end(struct nlmsghdr *nlh, struct nlattr *start)
{
	start->nla_len = (char *)tail(nlh) - (char *)start;
}

/* Messages */

struct nlmsghdr *mnl_nlmsg_put_header(void *buf)
{
	struct nlmsghdr *nlh = buf;

	memset(buf, 0, MNL_NLMSG_HDRLEN);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
	return nlh;
}

void *mnl_nlmsg_put_extra_header(struct nlmsghdr *nlh, size_t size)
{
	char *p = (char *)nlh + nlh->nlmsg_len;
	size_t len = MNL_ALIGN(size);

	nlh->nlmsg_len += len;
	memset(p, 0, len);
	return p;
}

void *mnl_nlmsg_get_payload(const struct nlmsghdr *nlh)
{
	return (void *)((char *)nlh + MNL_NLMSG_HDRLEN);
}

/* Batches: messages one after another in the caller's buffer, up to limit bytes. */

struct mnl_nlmsg_batch {
	char *buf;
	size_t limit, len;
	char *cur;
	bool overflow;
};

struct mnl_nlmsg_batch *mnl_nlmsg_batch_start(void *buf, size_t limit)
{
	struct mnl_nlmsg_batch *b = malloc(sizeof(*b));

	if (!b)
		return NULL;
	*b = (struct mnl_nlmsg_batch){ .buf = buf, .limit = limit, .cur = buf };
	return b;
}

void mnl_nlmsg_batch_stop(struct mnl_nlmsg_batch *b)
{
	free(b);
}

/* The current message (at cur) joins the batch if it fits under the limit. */
bool mnl_nlmsg_batch_next(struct mnl_nlmsg_batch *b)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->cur;

	if (b->len + nlh->nlmsg_len > b->limit) {
		b->overflow = true;
		return false;
	}
	b->cur = b->buf + b->len + nlh->nlmsg_len;
	b->len += nlh->nlmsg_len;
	return true;
}

size_t mnl_nlmsg_batch_size(struct mnl_nlmsg_batch *b)
{
	return b->len;
}

void *mnl_nlmsg_batch_head(struct mnl_nlmsg_batch *b)
{
	return b->buf;
}

void *mnl_nlmsg_batch_current(struct mnl_nlmsg_batch *b)
{
	return b->cur;
}

bool mnl_nlmsg_batch_is_empty(struct mnl_nlmsg_batch *b)
{
	return b->len == 0;
}

/* Sockets */

struct mnl_socket {
	int fd;
	struct sockaddr_nl addr;
};

struct mnl_socket *mnl_socket_open(int bus)
{
	struct mnl_socket *nl = calloc(1, sizeof(*nl));

	if (!nl)
		return NULL;
	nl->fd = socket(AF_NETLINK, SOCK_RAW, bus);
	if (nl->fd < 0) {
		free(nl);
		return NULL;
	}
	return nl;
}

int mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	socklen_t len = sizeof(nl->addr);

	nl->addr = (struct sockaddr_nl){ .nl_family = AF_NETLINK,
					 .nl_groups = groups,
					 .nl_pid = (uint32_t)pid };
	if (bind(nl->fd, (struct sockaddr *)&nl->addr, sizeof(nl->addr)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&nl->addr, &len) < 0)
		return -1;
	if (len != sizeof(nl->addr) || nl->addr.nl_family != AF_NETLINK) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

unsigned int mnl_socket_get_portid(const struct mnl_socket *nl)
{
	return nl->addr.nl_pid;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	return sendto(nl->fd, buf, len, 0, (const struct sockaddr *)&kernel, sizeof(kernel));
}

/* One datagram; a datagram cut to bufsiz is ENOSPC, a sender not of netlink EINVAL. */
ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t bufsiz)
{
	struct sockaddr_nl addr;
	struct iovec iov = { .iov_base = buf, .iov_len = bufsiz };
	struct msghdr msg = {
		.msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = &iov, .msg_iovlen = 1
	};
	ssize_t n = recvmsg(nl->fd, &msg, 0);

	if (n < 0)
		return n;
	if (msg.msg_flags & MSG_TRUNC) {
		errno = ENOSPC;
		return -1;
	}
	if (msg.msg_namelen != sizeof(addr)) {
		errno = EINVAL;
		return -1;
	}
	return n;
}

int mnl_socket_close(struct mnl_socket *nl)
{
	int r = close(nl->fd);

	free(nl);
	return r;
}

/* Callbacks: each whole message of buf in turn. A message of another sender (portid) is
 * ESRCH, of another request (seq) EPROTO, a dump the kernel interrupted EINTR; data messages
 * go to cb_data, NLMSG_ERROR ends the run (an ack: MNL_CB_STOP; an error: MNL_CB_ERROR with
 * its errno; too short to hold one: EBADMSG), NLMSG_DONE stops it, NLMSG_NOOP and
 * NLMSG_OVERRUN are MNL_CB_OK, other control types are passed over. */
static int control(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
			errno = EBADMSG;
			return MNL_CB_ERROR;
		}
		errno = e->error < 0 ? -e->error : e->error;
		return e->error == 0 ? MNL_CB_STOP : MNL_CB_ERROR;
	case NLMSG_DONE: return MNL_CB_STOP;
	default: /* NLMSG_NOOP, NLMSG_OVERRUN */ return MNL_CB_OK;
	}
}

int mnl_cb_run(const void *buf, size_t numbytes, unsigned int seq, unsigned int portid,
	       mnl_cb_t cb_data, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)numbytes, r = MNL_CB_OK;

	/* nlmsg_len <= INT_MAX: the one difference from libmnl 1.0.4, whose (int) cast takes a
	 * length of 2 GiB or more for a short one and steps outside the buffer. */
	while (len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= INT_MAX && (int)nlh->nlmsg_len <= len) {
		if (nlh->nlmsg_pid && portid && nlh->nlmsg_pid != portid) {
			errno = ESRCH;
			return -1;
		}
		if (nlh->nlmsg_seq && seq && nlh->nlmsg_seq != seq) {
			errno = EPROTO;
			return -1;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			errno = EINTR;
			return -1;
		}
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			if (cb_data) {
				r = cb_data(nlh, data);
				if (r <= MNL_CB_STOP)
					return r;
			}
		} else if (nlh->nlmsg_type >= NLMSG_NOOP && nlh->nlmsg_type <= NLMSG_OVERRUN) {
			r = control(nlh);
			if (r <= MNL_CB_STOP)
				return r;
		}
		len -= MNL_ALIGN(nlh->nlmsg_len);
		nlh = (const struct nlmsghdr *)((const char *)nlh + MNL_ALIGN(nlh->nlmsg_len));
	}
	return r;
}
