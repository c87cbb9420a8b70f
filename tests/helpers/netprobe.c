/* SPDX-License-Identifier: Apache-2.0
 * Network probe for the egress tests (static; copied into busybox bundles).
 *   netprobe listen PORT...         TCP sink + UDP echo on every PORT, IPv4 and IPv6. A TCP
 *                                   peer that sends data and shuts down gets back
 *                                   "BYTES MILLISECONDS\n" (measured here, at the receiver).
 *   netprobe tcp ADDR PORT [MS]     exit 0 if a connection is made within MS (default 2000)
 *   netprobe udp ADDR PORT [MS]     exit 0 if a datagram comes back from the echo within MS
 *   netprobe why tcp|udp ADDR PORT MS  how the attempt ended, and when: prints "OUTCOME MS",
 *                                   OUTCOME one of ok, timeout, or the errno's name
 *                                   (ECONNREFUSED, EHOSTUNREACH, EACCES, EPERM, ...); exit 0
 *   netprobe blast ADDR PORT BYTES  send BYTES, print the receiver's "bytes ms rate" line
 *   netprobe nftdel TABLE           ask the kernel (raw nfnetlink, no nft binary needed) to
 *                                   delete table inet TABLE; exit 0 only if it did */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int addr_of(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	fprintf(stderr, "netprobe: bad address %s\n", host);
	exit(2);
}

/* The outcome of the last attempt, for `why`: 0 ok, -1 timed out, else the errno. */
static int last_outcome;

static int connect_timeout(const char *host, int port, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, e = 0;
	socklen_t elen = sizeof(e);
	struct pollfd p;

	addr_of(host, port, &ss, &len);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		last_outcome = errno;
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		last_outcome = errno;
		fprintf(stderr, "netprobe: connect %s:%d: %s\n", host, port, strerror(errno));
		return -1;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, ms) != 1) {
		last_outcome = -1;
		fprintf(stderr, "netprobe: connect %s:%d: timed out\n", host, port);
		return -1;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen);
	if (e) {
		last_outcome = e;
		fprintf(stderr, "netprobe: connect %s:%d: %s\n", host, port, strerror(e));
		return -1;
	}
	fcntl(fd, F_SETFL, 0);
	return fd;
}

static void serve_tcp(int c)
{
	char buf[65536], out[64];
	long long bytes = 0, start = now_ms();
	ssize_t n;

	while ((n = read(c, buf, sizeof(buf))) > 0)
		bytes += n;
	snprintf(out, sizeof(out), "%lld %lld\n", bytes, now_ms() - start);
	(void)!write(c, out, strlen(out));
	_exit(0);
}

static int do_listen(int n, char **ports)
{
	struct pollfd p[64];
	int np = 0, one = 1, zero = 0;

	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < n && np + 2 <= 64; i++) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6,
					  .sin6_port = htons(atoi(ports[i])),
					  .sin6_addr = IN6ADDR_ANY_INIT };
		int t = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int u = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(t, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(t, 64) < 0 ||
		    bind(u, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("netprobe: listen");
			return 2;
		}
		p[np++] = (struct pollfd){ .fd = t, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = u, .events = POLLIN };
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		if (poll(p, np, -1) < 0 && errno != EINTR)
			return 2;
		for (int i = 0; i < np; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			if (i % 2 == 0) {
				int c = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC);

				if (c >= 0 && fork() == 0)
					serve_tcp(c);
				if (c >= 0)
					close(c);
			} else {
				char buf[2048];
				struct sockaddr_storage from;
				socklen_t fl = sizeof(from);
				ssize_t r = recvfrom(p[i].fd, buf, sizeof(buf), 0,
						     (struct sockaddr *)&from, &fl);

				if (r > 0)
					sendto(p[i].fd, buf, (size_t)r, 0, (struct sockaddr *)&from,
					       fl);
			}
		}
	}
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case -1: return "timeout";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENETUNREACH: return "ENETUNREACH";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ECONNRESET: return "ECONNRESET";
	default: return "EOTHER";
	}
}

static int do_udp(const char *host, int port, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[64];
	int fd;
	long long end = now_ms() + ms;

	addr_of(host, port, &ss, &len);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		last_outcome = errno;
		perror("netprobe: udp");
		return 1;
	}
	/* a few tries: the first datagram may wait for neighbour discovery */
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (send(fd, "ping", 4, 0) < 0) {
			last_outcome = errno;
			fprintf(stderr, "netprobe: udp send %s:%d: %s\n", host, port,
				strerror(errno));
			return 1;
		}
		if (poll(&p, 1, 300) == 1) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);

			if (n == 4)
				return 0;
			if (n < 0) {
				/* an ICMP error the kernel matched to this socket */
				last_outcome = errno;
				fprintf(stderr, "netprobe: udp %s:%d: %s\n", host, port,
					strerror(errno));
				return 1;
			}
		}
	}
	last_outcome = -1;
	fprintf(stderr, "netprobe: udp %s:%d: no reply\n", host, port);
	return 1;
}

static int do_blast(const char *host, int port, long long bytes)
{
	static char buf[16384];
	char reply[128] = "";
	long long sent = 0, got_bytes, got_ms;
	int fd = connect_timeout(host, port, 3000);
	ssize_t n;

	if (fd < 0)
		return 1;
	while (sent < bytes) {
		size_t chunk =
		    bytes - sent < (long long)sizeof(buf) ? (size_t)(bytes - sent) : sizeof(buf);

		n = write(fd, buf, chunk);
		if (n <= 0) {
			perror("netprobe: blast write");
			return 1;
		}
		sent += n;
	}
	shutdown(fd, SHUT_WR);
	n = read(fd, reply, sizeof(reply) - 1);
	if (n <= 0 || sscanf(reply, "%lld %lld", &got_bytes, &got_ms) != 2) {
		fprintf(stderr, "netprobe: blast: no report from the receiver\n");
		return 1;
	}
	if (got_ms < 1)
		got_ms = 1;
	printf("%lld %lld %lld\n", got_bytes, got_ms, got_bytes * 1000 / got_ms);
	return 0;
}

static void put_msg(char *buf, size_t *off, uint16_t type, uint16_t flags, uint32_t seq,
		    uint8_t family, uint16_t res_id, const char *table)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(buf + *off);
	struct nfgenmsg *g = (struct nfgenmsg *)NLMSG_DATA(nh);

	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*g));
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | flags;
	nh->nlmsg_seq = seq;
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	if (table) {
		struct nlattr *a = (struct nlattr *)(buf + *off + NLMSG_ALIGN(nh->nlmsg_len));
		size_t l = strlen(table) + 1;

		a->nla_type = NFTA_TABLE_NAME;
		a->nla_len = NLA_HDRLEN + l;
		memcpy((char *)a + NLA_HDRLEN, table, l);
		nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	}
	*off += NLMSG_ALIGN(nh->nlmsg_len);
}

static int do_nftdel(const char *table)
{
	char buf[1024] = { 0 }, reply[4096];
	size_t off = 0;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "netprobe: nftdel: socket: %s\n", strerror(errno));
		return 1;
	}
	put_msg(buf, &off, NFNL_MSG_BATCH_BEGIN, 0, 1, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NULL);
	put_msg(buf, &off, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE, NLM_F_ACK, 2,
		NFPROTO_INET, 0, table);
	put_msg(buf, &off, NFNL_MSG_BATCH_END, 0, 3, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NULL);
	if (sendto(fd, buf, off, 0, (struct sockaddr *)&k, sizeof(k)) < 0) {
		fprintf(stderr, "netprobe: nftdel: send: %s\n", strerror(errno));
		return 1;
	}
	n = recv(fd, reply, sizeof(reply), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		fprintf(stderr, "netprobe: nftdel: no answer\n");
		return 1;
	}
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		int e = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;

		if (e) {
			fprintf(stderr, "netprobe: nftdel: %s\n", strerror(-e));
			return 1;
		}
	}
	printf("deleted table inet %s\n", table);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "nftdel") == 0)
		return do_nftdel(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "listen") == 0)
		return do_listen(argc - 2, argv + 2);
	if (argc >= 4 && strcmp(argv[1], "tcp") == 0) {
		int fd = connect_timeout(argv[2], atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 2000);

		return fd < 0 ? 1 : 0;
	}
	if (argc == 6 && strcmp(argv[1], "why") == 0) {
		long long start = now_ms();
		int ms = atoi(argv[5]), r;

		if (strcmp(argv[2], "tcp") == 0) {
			int fd = connect_timeout(argv[3], atoi(argv[4]), ms);

			r = fd < 0 ? 1 : 0;
			if (fd >= 0)
				last_outcome = 0;
		} else {
			r = do_udp(argv[3], atoi(argv[4]), ms);
			if (r == 0)
				last_outcome = 0;
		}
		(void)r;
		printf("%s %lld\n", errno_name(last_outcome), now_ms() - start);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "udp") == 0)
		return do_udp(argv[2], atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 2000);
	if (argc == 5 && strcmp(argv[1], "blast") == 0) {
		alarm(60);
		return do_blast(argv[2], atoi(argv[3]), atoll(argv[4]));
	}
	fprintf(stderr,
		"usage: netprobe listen PORT... | tcp|udp ADDR PORT [MS] | why tcp|udp ADDR "
		"PORT MS | blast ADDR PORT BYTES\n");
	return 2;
}
