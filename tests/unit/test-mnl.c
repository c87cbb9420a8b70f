/* SPDX-License-Identifier: Apache-2.0
 * src/egress/mnl.c against Debian's libmnl.so, side by side (a differential test): the core
 * links libnftnl.a with hardshim's own libmnl functions, so each must do what libmnl's does.
 * libmnl.so is dlopen'ed (its symbols, by dlsym on its handle, are libmnl's; this program's
 * mnl_* are hidden and are hardshim's). Compared: the bytes each builder writes (a message of
 * every attribute kind and length, nests in nests); every parse and validation result with its
 * errno, on well-formed, malformed, truncated and random input (libnftnl parses the kernel's
 * replies with these); batches at their limits; mnl_cb_run's result, errno and callbacks on
 * message streams of every control type, wrong seq/portid, short errors and cut messages; and
 * the socket functions on a real NETLINK_ROUTE socket. The one deliberate difference, zeroed
 * attribute padding, is checked on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs-util.h"

struct ref {
	__typeof__(&mnl_attr_get_type) get_type;
	__typeof__(&mnl_attr_get_payload_len) get_payload_len;
	__typeof__(&mnl_attr_get_payload) get_payload;
	__typeof__(&mnl_attr_ok) ok;
	__typeof__(&mnl_attr_next) next;
	__typeof__(&mnl_attr_type_valid) type_valid;
	__typeof__(&mnl_attr_validate) validate;
	__typeof__(&mnl_attr_parse) parse;
	__typeof__(&mnl_attr_parse_nested) parse_nested;
	__typeof__(&mnl_attr_get_u8) get_u8;
	__typeof__(&mnl_attr_get_u16) get_u16;
	__typeof__(&mnl_attr_get_u32) get_u32;
	__typeof__(&mnl_attr_get_u64) get_u64;
	__typeof__(&mnl_attr_get_str) get_str;
	__typeof__(&mnl_attr_put) put;
	__typeof__(&mnl_attr_put_u8) put_u8;
	__typeof__(&mnl_attr_put_u16) put_u16;
	__typeof__(&mnl_attr_put_u32) put_u32;
	__typeof__(&mnl_attr_put_u64) put_u64;
	__typeof__(&mnl_attr_put_str) put_str;
	__typeof__(&mnl_attr_put_strz) put_strz;
	__typeof__(&mnl_attr_nest_start) nest_start;
	__typeof__(&mnl_attr_nest_end) nest_end;
	__typeof__(&mnl_nlmsg_put_header) put_header;
	__typeof__(&mnl_nlmsg_put_extra_header) put_extra_header;
	__typeof__(&mnl_nlmsg_get_payload) nlmsg_get_payload;
	__typeof__(&mnl_nlmsg_batch_start) batch_start;
	__typeof__(&mnl_nlmsg_batch_stop) batch_stop;
	__typeof__(&mnl_nlmsg_batch_next) batch_next;
	__typeof__(&mnl_nlmsg_batch_size) batch_size;
	__typeof__(&mnl_nlmsg_batch_head) batch_head;
	__typeof__(&mnl_nlmsg_batch_current) batch_current;
	__typeof__(&mnl_nlmsg_batch_is_empty) batch_is_empty;
	__typeof__(&mnl_socket_open) socket_open;
	__typeof__(&mnl_socket_bind) socket_bind;
	__typeof__(&mnl_socket_get_portid) socket_get_portid;
	__typeof__(&mnl_socket_sendto) socket_sendto;
	__typeof__(&mnl_socket_recvfrom) socket_recvfrom;
	__typeof__(&mnl_socket_close) socket_close;
	__typeof__(&mnl_cb_run) cb_run;
};

/* The two implementations: [0] hardshim's, [1] libmnl.so's. */
static struct ref impl[2];

#define OURS(f, m) impl[0].m = f
#define THEIRS(f, m)                                           \
	do {                                                   \
		*(void **)&impl[1].m = dlsym(dl, #f);          \
		if (!impl[1].m)                                \
			fail_msg("libmnl.so.0 has no %s", #f); \
	} while (0)
#define BOTH(f, m)            \
	do {                  \
		OURS(f, m);   \
		THEIRS(f, m); \
	} while (0)

static int setup(void **state)
{
	void *dl = dlopen("libmnl.so.0", RTLD_NOW | RTLD_LOCAL);

	if (!dl) {
		fprintf(stderr, "libmnl.so.0: %s\n", dlerror());
		return -1;
	}
	BOTH(mnl_attr_get_type, get_type);
	BOTH(mnl_attr_get_payload_len, get_payload_len);
	BOTH(mnl_attr_get_payload, get_payload);
	BOTH(mnl_attr_ok, ok);
	BOTH(mnl_attr_next, next);
	BOTH(mnl_attr_type_valid, type_valid);
	BOTH(mnl_attr_validate, validate);
	BOTH(mnl_attr_parse, parse);
	BOTH(mnl_attr_parse_nested, parse_nested);
	BOTH(mnl_attr_get_u8, get_u8);
	BOTH(mnl_attr_get_u16, get_u16);
	BOTH(mnl_attr_get_u32, get_u32);
	BOTH(mnl_attr_get_u64, get_u64);
	BOTH(mnl_attr_get_str, get_str);
	BOTH(mnl_attr_put, put);
	BOTH(mnl_attr_put_u8, put_u8);
	BOTH(mnl_attr_put_u16, put_u16);
	BOTH(mnl_attr_put_u32, put_u32);
	BOTH(mnl_attr_put_u64, put_u64);
	BOTH(mnl_attr_put_str, put_str);
	BOTH(mnl_attr_put_strz, put_strz);
	BOTH(mnl_attr_nest_start, nest_start);
	BOTH(mnl_attr_nest_end, nest_end);
	BOTH(mnl_nlmsg_put_header, put_header);
	BOTH(mnl_nlmsg_put_extra_header, put_extra_header);
	BOTH(mnl_nlmsg_get_payload, nlmsg_get_payload);
	BOTH(mnl_nlmsg_batch_start, batch_start);
	BOTH(mnl_nlmsg_batch_stop, batch_stop);
	BOTH(mnl_nlmsg_batch_next, batch_next);
	BOTH(mnl_nlmsg_batch_size, batch_size);
	BOTH(mnl_nlmsg_batch_head, batch_head);
	BOTH(mnl_nlmsg_batch_current, batch_current);
	BOTH(mnl_nlmsg_batch_is_empty, batch_is_empty);
	BOTH(mnl_socket_open, socket_open);
	BOTH(mnl_socket_bind, socket_bind);
	BOTH(mnl_socket_get_portid, socket_get_portid);
	BOTH(mnl_socket_sendto, socket_sendto);
	BOTH(mnl_socket_recvfrom, socket_recvfrom);
	BOTH(mnl_socket_close, socket_close);
	BOTH(mnl_cb_run, cb_run);
	/* not libmnl's own copy by accident: the two differ */
	assert_ptr_not_equal(impl[0].put, impl[1].put);
	assert_ptr_not_equal(impl[0].cb_run, impl[1].cb_run);
	return 0;
}

/* A deterministic generator (xorshift), so that a failure can be reproduced. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

/* One message of every kind of attribute, built by impl i in buf. */
static void build(int i, char *buf)
{
	const struct ref *m = &impl[i];
	static const char bytes[9] = "abcdefgh";
	struct nlmsghdr *nlh = m->put_header(buf);
	struct nlattr *outer, *inner;
	char *extra;

	nlh->nlmsg_type = 0x0a10;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE;
	nlh->nlmsg_seq = 7;
	extra = m->put_extra_header(nlh, 3); /* aligned to 4, zeroed */
	extra[0] = 2;
	m->put_u8(nlh, 1, 0xab);
	m->put_u16(nlh, 2, 0xbeef);
	m->put_u32(nlh, 3, 0xdeadbeef);
	m->put_u64(nlh, 4, 0x0102030405060708u);
	m->put_str(nlh, 5, "str");
	m->put_strz(nlh, 6, "strz");
	m->put_str(nlh, 7, "");
	m->put_strz(nlh, 8, "");
	for (size_t len = 0; len <= 9; len++)
		m->put(nlh, (uint16_t)(9 + len), len, bytes);
	outer = m->nest_start(nlh, 20);
	m->put_u32(nlh, 1, 1);
	inner = m->nest_start(nlh, 2);
	m->put_str(nlh, 1, "in");
	m->nest_end(nlh, inner);
	inner = m->nest_start(nlh, 3); /* empty nest */
	m->nest_end(nlh, inner);
	m->nest_end(nlh, outer);
	m->put(nlh, NLA_F_NET_BYTEORDER | 21, 2, bytes);
}

static void builders_write_the_same_bytes(void **state)
{
	char a[1024], b[1024];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	build(0, a);
	build(1, b);
	assert_int_equal(((struct nlmsghdr *)a)->nlmsg_len, ((struct nlmsghdr *)b)->nlmsg_len);
	assert_memory_equal(a, b, sizeof(a));
	/* what each call returns points at the same place in its buffer */
	for (int i = 0; i < 2; i++) {
		char *buf = i ? b : a;
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		assert_ptr_equal(impl[i].nlmsg_get_payload(nlh), buf + MNL_NLMSG_HDRLEN);
	}
}

/* Padding: hardshim writes zeroes where libmnl 1.0.4 leaves the buffer's bytes. Outside the
 * padding, both write the same into a buffer that is not zeroed. */
static void padding_is_zeroed(void **state)
{
	char a[1024], b[1024];
	struct nlmsghdr *nlh;
	struct nlattr *at;

	memset(a, 0x5a, sizeof(a));
	nlh = impl[0].put_header(a);
	impl[0].put(nlh, 1, 1, "x");
	impl[0].put_strz(nlh, 2, "ab"); /* 3 bytes + 1 */
	at = (struct nlattr *)(a + MNL_NLMSG_HDRLEN);
	assert_int_equal(at->nla_len, 5);
	assert_memory_equal((char *)at + 4, "x\0\0\0", 4);
	assert_memory_equal((char *)at + 8 + 4, "ab\0\0", 4);
	assert_int_equal(nlh->nlmsg_len, MNL_NLMSG_HDRLEN + 16);
	memset(b, 0x5a, sizeof(b));
	nlh = impl[1].put_header(b);
	impl[1].put(nlh, 1, 1, "x");
	impl[1].put_strz(nlh, 2, "ab");
	/* the same bytes but libmnl's padding: 3 after "x", 1 after "ab\0" */
	memcpy(b + MNL_NLMSG_HDRLEN + 5, "\0\0\0", 3);
	b[MNL_NLMSG_HDRLEN + 8 + 7] = 0;
	assert_memory_equal(a, b, sizeof(a));
}

/* Everything the parsers say about one attribute, in one record. */
struct seen {
	unsigned offset;
	uint16_t type, plen;
	int valid[MNL_TYPE_MAX + 1], valid_errno[MNL_TYPE_MAX + 1];
	int type_valid, type_valid_errno;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	int nested_ret, nested_errno, nested_n;
};

struct log {
	int i; /* which implementation */
	const char *base;
	struct seen s[512];
	int n, stop_at; /* stop_at: the callback's MNL_CB_STOP at that record */
};

static int nested_cb(const struct nlattr *attr, void *data)
{
	int *n = data;

	(*n)++;
	return MNL_CB_OK;
}

static int record(const struct nlattr *attr, void *data)
{
	struct log *l = data;
	const struct ref *m = &impl[l->i];
	struct seen *s;

	if (l->n >= (int)HS_ARRAY_SIZE(l->s))
		return MNL_CB_ERROR;
	s = &l->s[l->n++];
	memset(s, 0, sizeof(*s));
	s->offset = (unsigned)((const char *)attr - l->base);
	s->type = m->get_type(attr);
	s->plen = m->get_payload_len(attr);
	assert_ptr_equal(m->get_payload(attr), (const char *)attr + 4);
	assert_ptr_equal(m->get_str(attr), (const char *)attr + 4);
	for (int t = 0; t <= MNL_TYPE_MAX; t++) {
		errno = 0;
		s->valid[t] = m->validate(attr, (enum mnl_attr_data_type)t);
		s->valid_errno[t] = errno;
	}
	errno = 0;
	s->type_valid = m->type_valid(attr, 7);
	s->type_valid_errno = errno;
	/* the getters read a payload as long as their type: only where it is there */
	if (s->plen >= 1)
		s->u8 = m->get_u8(attr);
	if (s->plen >= 2)
		s->u16 = m->get_u16(attr);
	if (s->plen >= 4)
		s->u32 = m->get_u32(attr);
	if (s->plen >= 8)
		s->u64 = m->get_u64(attr);
	if (s->valid[MNL_TYPE_NESTED] == 0) {
		errno = 0;
		s->nested_ret = m->parse_nested(attr, nested_cb, &s->nested_n);
		s->nested_errno = errno;
	}
	return l->n == l->stop_at ? MNL_CB_STOP : MNL_CB_OK;
}

/* Parse buf as one message at offset with both implementations: the same calls, the same
 * results. */
static void parse_both(char *buf, unsigned offset, int stop_at)
{
	static struct log l[2];
	int r[2], e[2];

	for (int i = 0; i < 2; i++) {
		memset(&l[i], 0, sizeof(l[i]));
		l[i].i = i;
		l[i].base = buf;
		l[i].stop_at = stop_at;
		errno = 0;
		r[i] = impl[i].parse((struct nlmsghdr *)buf, offset, record, &l[i]);
		e[i] = errno;
	}
	assert_int_equal(r[0], r[1]);
	assert_int_equal(e[0], e[1]);
	assert_int_equal(l[0].n, l[1].n);
	assert_memory_equal(l[0].s, l[1].s, sizeof(l[0].s[0]) * (size_t)l[0].n);
}

static void parsers_agree_on_well_formed_input(void **state)
{
	char buf[1024];

	memset(buf, 0, sizeof(buf));
	build(0, buf);
	parse_both(buf, 4, 0);
	parse_both(buf, 0, 0); /* the extra header read as an attribute */
	parse_both(buf, 3, 0);
	parse_both(buf, 4, 5); /* the callback stops the walk */
}

/* Every cut of a well-formed message (nlmsg_len shortened, attribute lengths too big or too
 * small), then random bytes after a header. */
static void parsers_agree_on_malformed_input(void **state)
{
	char good[1024], buf[1024];
	uint32_t len;

	memset(good, 0, sizeof(good));
	build(0, good);
	len = ((struct nlmsghdr *)good)->nlmsg_len;
	for (uint32_t cut = 0; cut <= len + 8; cut++) {
		memcpy(buf, good, sizeof(buf));
		((struct nlmsghdr *)buf)->nlmsg_len = cut;
		parse_both(buf, 4, 0);
	}
	for (int round = 0; round < 3000; round++) {
		memcpy(buf, good, sizeof(buf));
		/* one attribute's length or type changed at random */
		unsigned at = MNL_NLMSG_HDRLEN + 4 * (rnd() % ((len - MNL_NLMSG_HDRLEN) / 4));
		struct nlattr *a = (struct nlattr *)(buf + at);

		if (rnd() & 1)
			a->nla_len = (uint16_t)(rnd() % 80);
		else
			a->nla_type = (uint16_t)rnd();
		parse_both(buf, 4, 0);
	}
	for (int round = 0; round < 3000; round++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		unsigned n = rnd() % 200;

		memset(buf, 0, sizeof(buf));
		for (unsigned k = 0; k < n; k++)
			buf[MNL_NLMSG_HDRLEN + k] = (char)(rnd() % 4 ? rnd() % 24 : rnd());
		nlh->nlmsg_len = MNL_NLMSG_HDRLEN + (rnd() % 2 ? n : rnd() % 256);
		parse_both(buf, rnd() % 3 ? 0 : rnd() % 12, 0);
	}
}

/* mnl_attr_ok and mnl_attr_next on their own, lengths at and around every boundary. */
static void attr_ok_and_next_agree(void **state)
{
	_Alignas(4) char buf[64] = { 0 };
	struct nlattr *a = (struct nlattr *)buf;

	for (int nla_len = 0; nla_len < 40; nla_len++)
		for (int len = -8; len < 48; len++) {
			a->nla_len = (uint16_t)nla_len;
			assert_int_equal(impl[0].ok(a, len), impl[1].ok(a, len));
			assert_ptr_equal(impl[0].next(a), impl[1].next(a));
		}
	a->nla_len = 0xffff;
	assert_int_equal(impl[0].ok(a, 0x7fffffff), impl[1].ok(a, 0x7fffffff));
	assert_ptr_equal(impl[0].next(a), impl[1].next(a));
	for (int max = 0; max < 8; max++)
		for (unsigned type = 0; type < 0x10000; type += 0x1001) {
			int r[2], e[2];

			a->nla_type = (uint16_t)type;
			for (int i = 0; i < 2; i++) {
				errno = 0;
				r[i] = impl[i].type_valid(a, (uint16_t)max);
				e[i] = errno;
			}
			assert_int_equal(r[0], r[1]);
			assert_int_equal(e[0], e[1]);
		}
}

static void check_batch(size_t limit, const uint32_t *lens, int n)
{
	_Alignas(8) static char buf[2][4096];
	struct mnl_nlmsg_batch *b[2];

	for (int i = 0; i < 2; i++) {
		b[i] = impl[i].batch_start(buf[i], limit);
		assert_non_null(b[i]);
		assert_true(impl[i].batch_is_empty(b[i]));
	}
	for (int k = 0; k < n; k++) {
		bool r[2];

		for (int i = 0; i < 2; i++) {
			struct nlmsghdr *cur = impl[i].batch_current(b[i]);

			assert_true((char *)cur >= buf[i] && (char *)cur < buf[i] + 2048);
			cur->nlmsg_len = lens[k];
			r[i] = impl[i].batch_next(b[i]);
		}
		assert_int_equal(r[0], r[1]);
		assert_int_equal(impl[0].batch_size(b[0]), impl[1].batch_size(b[1]));
		assert_int_equal(impl[0].batch_is_empty(b[0]), impl[1].batch_is_empty(b[1]));
		assert_int_equal((char *)impl[0].batch_current(b[0]) - buf[0],
				 (char *)impl[1].batch_current(b[1]) - buf[1]);
		assert_ptr_equal(impl[0].batch_head(b[0]), buf[0]);
		assert_ptr_equal(impl[1].batch_head(b[1]), buf[1]);
		if (!r[0])
			break; /* libnftnl starts a new page here */
	}
	for (int i = 0; i < 2; i++)
		impl[i].batch_stop(b[i]);
}

static void batches_agree(void **state)
{
	static const uint32_t lens[] = { 20, 36, 16, 100, 64, 512, 20, 1024, 300 };

	for (size_t limit = 0; limit < 2100; limit += 7)
		check_batch(limit, lens, (int)HS_ARRAY_SIZE(lens));
	for (int round = 0; round < 500; round++) {
		uint32_t l[12];

		for (int k = 0; k < 12; k++)
			l[k] = 16 + 4 * (rnd() % 40);
		check_batch(rnd() % 2048, l, 12);
	}
}

/* mnl_cb_run */

struct cb_log {
	int n, ret_at, ret;
	unsigned offsets[64];
	const char *base;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cb_log *l = data;

	if (l->n < 64)
		l->offsets[l->n] = (unsigned)((const char *)nlh - l->base);
	return ++l->n == l->ret_at ? l->ret : MNL_CB_OK;
}

static void run_both(const char *buf, size_t len, unsigned seq, unsigned portid, int ret_at,
		     int ret, bool with_cb)
{
	struct cb_log l[2];
	int r[2], e[2];

	for (int i = 0; i < 2; i++) {
		memset(&l[i], 0, sizeof(l[i]));
		l[i].base = buf;
		l[i].ret_at = ret_at;
		l[i].ret = ret;
		errno = 0;
		r[i] = impl[i].cb_run(buf, len, seq, portid, with_cb ? data_cb : NULL, &l[i]);
		e[i] = errno;
	}
	assert_int_equal(r[0], r[1]);
	assert_int_equal(e[0], e[1]);
	assert_int_equal(l[0].n, l[1].n);
	assert_memory_equal(l[0].offsets, l[1].offsets, sizeof(l[0].offsets));
}

/* A message at p: type, flags, seq, pid and a payload of plen bytes (an nlmsgerr's error
 * first when it is one). Returns its aligned length. */
static size_t put_msg(char *p, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
		      uint32_t plen, int error)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)p;

	memset(p, 0, MNL_NLMSG_HDRLEN + MNL_ALIGN(plen));
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + plen;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	if (plen >= sizeof(int))
		memcpy(p + MNL_NLMSG_HDRLEN, &error, sizeof(error));
	return MNL_NLMSG_HDRLEN + MNL_ALIGN(plen);
}

/* Whether libmnl's walk over buf stays inside it: no message on the way whose length, taken
 * as an int, is negative. */
static bool bounded(const char *buf, size_t numbytes)
{
	int len = (int)numbytes;

	for (const struct nlmsghdr *nlh = (const void *)buf;
	     len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	     (int)nlh->nlmsg_len <= len;
	     nlh = (const void *)((const char *)nlh + MNL_ALIGN(nlh->nlmsg_len))) {
		if (nlh->nlmsg_len > INT_MAX)
			return false;
		len -= (int)MNL_ALIGN(nlh->nlmsg_len);
	}
	return true;
}

/* A message of 2 GiB or more stops hardshim's walk (libmnl's would go on outside buf). */
static void cb_run_stops_at_huge_lengths(void **state)
{
	_Alignas(8) char buf[64] = { 0 };
	struct cb_log l = { .base = buf };
	size_t n = put_msg(buf, 0x10, 0, 0, 0, 4, 0);

	put_msg(buf + n, 0x10, 0, 0, 0, 4, 0);
	((struct nlmsghdr *)(buf + n))->nlmsg_len = 0xfffffc18;
	assert_int_equal(impl[0].cb_run(buf, sizeof(buf), 0, 0, data_cb, &l), MNL_CB_OK);
	assert_int_equal(l.n, 1);
}

static void cb_run_agrees(void **state)
{
	_Alignas(8) static char buf[8192];
	static const int errors[] = { 0, -EPERM, -ENOENT, EEXIST, -1000 };
	static const int rets[] = { MNL_CB_ERROR, MNL_CB_STOP, MNL_CB_OK, 2 };

	int huge = 0;

	for (int round = 0; round < 4000; round++) {
		size_t len = 0;
		int n = (int)(rnd() % 8);

		for (int k = 0; k < n && len + 256 < sizeof(buf); k++) {
			uint16_t type =
			    rnd() % 3 ? (uint16_t)(0x10 + rnd() % 8) : (uint16_t)(rnd() % 0x12);
			uint16_t flags = rnd() % 10 ? NLM_F_MULTI : NLM_F_DUMP_INTR;
			uint32_t seq = rnd() % 6 ? 5 : rnd() % 3;
			uint32_t pid = rnd() % 6 ? 77 : rnd() % 3;
			uint32_t plen = type == NLMSG_ERROR && rnd() % 3
					    ? (uint32_t)sizeof(struct nlmsgerr) -
						  rnd() % 2 * (uint32_t)(rnd() % 20)
					    : rnd() % 40;

			len += put_msg(buf + len, type, flags, seq, pid, plen,
				       errors[rnd() % HS_ARRAY_SIZE(errors)]);
		}
		/* cut, over-long and exact lengths */
		size_t give = rnd() % 4 ? len : rnd() % (len + 24);

		if (rnd() % 8 == 0 && len >= MNL_NLMSG_HDRLEN)
			((struct nlmsghdr *)buf)->nlmsg_len = rnd() % 64;
		if (!bounded(buf, give)) {
			/* libmnl would step outside buf: only hardshim's runs, and stops there */
			struct cb_log l = { .base = buf };

			impl[0].cb_run(buf, give, 0, 0, data_cb, &l);
			huge++;
			continue;
		}
		run_both(buf, give, rnd() % 4 ? 5 : rnd() % 3, rnd() % 4 ? 77 : rnd() % 3,
			 (int)(rnd() % 5), rets[rnd() % HS_ARRAY_SIZE(rets)], rnd() % 5 != 0);
	}
	assert_true(huge < 400); /* most rounds compared */
}

/* The socket functions on a real NETLINK_ROUTE socket each: a request with an ack, the
 * kernel's reply read whole (the same length), and read into a buffer too small (ENOSPC). */
static void sockets_agree(void **state)
{
	ssize_t got[2];
	int e[2];

	for (int i = 0; i < 2; i++) {
		const struct ref *m = &impl[i];
		struct mnl_socket *nl = m->socket_open(NETLINK_ROUTE);
		_Alignas(8) char req[64], reply[8192];
		struct nlmsghdr *nlh;
		struct rtgenmsg *g;
		unsigned portid;

		assert_non_null(nl);
		assert_int_equal(m->socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
		portid = m->socket_get_portid(nl);
		assert_int_not_equal(portid, 0);
		nlh = m->put_header(req);
		nlh->nlmsg_type = RTM_GETLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = 42;
		g = m->put_extra_header(nlh, sizeof(*g));
		g->rtgen_family = AF_UNSPEC;
		/* no ifindex/name: the kernel answers with an error (an ack carrying errno) */
		assert_int_equal(m->socket_sendto(nl, req, nlh->nlmsg_len), nlh->nlmsg_len);
		got[i] = m->socket_recvfrom(nl, reply, sizeof(reply));
		assert_true(got[i] > 0);
		errno = 0;
		e[i] = m->cb_run(reply, (size_t)got[i], 42, portid, NULL, NULL);
		e[i] = e[i] * 1000 + errno;
		/* the same request again, read into 8 bytes: the datagram is cut */
		assert_int_equal(m->socket_sendto(nl, req, nlh->nlmsg_len), nlh->nlmsg_len);
		errno = 0;
		assert_int_equal(m->socket_recvfrom(nl, reply, 8), -1);
		assert_int_equal(errno, ENOSPC);
		assert_int_equal(m->socket_close(nl), 0);
	}
	assert_int_equal(got[0], got[1]);
	assert_int_equal(e[0], e[1]);
	/* a bus that does not exist */
	for (int i = 0; i < 2; i++) {
		errno = 0;
		assert_null(impl[i].socket_open(1000));
		e[i] = errno;
	}
	assert_int_equal(e[0], e[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builders_write_the_same_bytes),
		cmocka_unit_test(padding_is_zeroed),
		cmocka_unit_test(parsers_agree_on_well_formed_input),
		cmocka_unit_test(parsers_agree_on_malformed_input),
		cmocka_unit_test(attr_ok_and_next_agree),
		cmocka_unit_test(batches_agree),
		cmocka_unit_test(cb_run_agrees),
		cmocka_unit_test(cb_run_stops_at_huge_lengths),
		cmocka_unit_test(sockets_agree),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
