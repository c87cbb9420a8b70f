/* SPDX-License-Identifier: Apache-2.0
 * nf_tables' netlink socket, by hand (no libmnl): open it, send a batch and read every
 * answer, make a request (a dump too) with a callback per answer, and the detached last close.
 * libnftnl builds and parses the messages (batch.c, counters in nft.c); what goes over the
 * socket is here. Every function runs in the caller's network namespace (a network namespace
 * is per thread: setns first, netns.c). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hs-egress.h"

/* One receive: the kernel's dump pages are at most 8 KiB less its own overhead
 * (NLMSG_GOODSIZE) unless a reader asked with a larger buffer before; a larger answer is
 * refused (-EMSGSIZE), never cut. */
#define NL_RECV_SIZE 16384

int hs_nl_open(void)
{
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (fd < 0)
		return -errno;
	/* Errors without a copy of the refused message (its header stays: its sequence
	 * number names it). Older kernels lack the option: they copy, which only costs room. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

/* One datagram of answers; -errno, or the byte count (> 0). */
static ssize_t nl_recv(int fd, void *buf, size_t size, int flags)
{
	for (;;) {
		ssize_t n = recv(fd, buf, size, flags | MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > size)
			return -EMSGSIZE;
		if (n == 0)
			return -EIO;
		return n;
	}
}

/* The error answer's code (0: an acknowledgement); -EIO when the answer is cut. */
static int nl_error_of(const struct nlmsghdr *nh, uint32_t *ret_seq)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return -EIO;
	*ret_seq = e->msg.nlmsg_seq;
	return e->error > 0 ? -EIO : e->error;
}

/* nfnetlink runs a batch inside sendmsg: by its return, every answer is queued (an error for
 * each refused message, then the acknowledgement the last one asked for, NLM_F_ACK), so they
 * are read without waiting. Success is that acknowledgement with no error before it. A
 * refused message aborts the whole transaction: nothing of it stays. */
int hs_nl_send_batch(int fd, const struct iovec *iov, size_t n, uint32_t ack_seq, uint32_t *ret_seq)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &kernel,
			      .msg_namelen = sizeof(kernel),
			      .msg_iov = (struct iovec *)iov,
			      .msg_iovlen = n };
	union {
		struct nlmsghdr nh;
		char buf[NL_RECV_SIZE];
	} u;
	int refused = 0;
	bool acked = false;

	*ret_seq = 0;
	while (sendmsg(fd, &msg, 0) < 0)
		if (errno != EINTR)
			return -errno;
	for (;;) {
		ssize_t got = nl_recv(fd, u.buf, sizeof(u.buf), MSG_DONTWAIT);
		size_t left;

		if (got == -EAGAIN || got == -EWOULDBLOCK)
			break;
		if (got < 0)
			return (int)got;
		left = (size_t)got;
		for (const struct nlmsghdr *nh = &u.nh; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			uint32_t seq = 0;
			int e;

			if (nh->nlmsg_type != NLMSG_ERROR)
				return -EIO; /* a batch answers with errors and acks only */
			e = nl_error_of(nh, &seq);
			if (e < 0 && !refused) {
				refused = e;
				*ret_seq = seq;
			} else if (e == 0 && seq == ack_seq) {
				acked = true;
			}
		}
	}
	if (refused)
		return refused;
	return acked ? 0 : -EIO;
}

/* The answers to one request: data messages to cb; a dump ends with NLMSG_DONE, any other
 * request with its one answer or its error. The first part of a dump is queued by the send,
 * the rest is made as it is read: a blocking read always has something coming. */
int hs_nl_request(int fd, const struct nlmsghdr *req, hs_nl_cb cb, void *data)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	union {
		struct nlmsghdr nh;
		char buf[NL_RECV_SIZE];
	} u;

	while (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		if (errno != EINTR)
			return -errno;
	for (;;) {
		ssize_t got = nl_recv(fd, u.buf, sizeof(u.buf), dump ? 0 : MSG_DONTWAIT);
		size_t left;

		if (got < 0)
			return (int)got;
		left = (size_t)got;
		for (const struct nlmsghdr *nh = &u.nh; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			uint32_t seq = 0;
			int r;

			if (nh->nlmsg_seq != req->nlmsg_seq)
				continue; /* not this request's */
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				r = nl_error_of(nh, &seq);
				if (r < 0 || !dump)
					return r;
				continue;
			}
			r = cb(nh, data);
			if (r < 0)
				return r;
			if (!dump)
				return 0;
		}
	}
}

/* Releasing the last reference to an nf_tables netlink socket blocks 8-12 ms after a
 * transaction that deleted anything (a replaced table): the kernel (nft_rcv_nl_event)
 * flushes nf_tables' pending transaction-destroy work, which waits for an RCU grace period.
 * The rules are in force before that: the batch is committed inside sendmsg, its answers read
 * back. So for a process about to exit (the hook, which the runtime waits for; the create
 * path's child), a child holds a reference to the socket until this process has exited, then
 * drops it and bears the wait; this process closes its own (a cheap close, no longer the
 * last) and goes on. The child is never this process's zombie (it outlives it); as an orphan
 * it is reaped by init or the runtime's subreaper, holding meanwhile only the socket and the
 * pidfd. */
#define DETACHED_CLOSE_DEADLINE_MS (30 * 1000) /* the hook's own backstop */

/* The child: nothing of the runtime's (its stdio pipes, anything inherited), only the socket
 * and the parent's pidfd. sync_fd is closed last: the parent goes on once it sees EOF
 * there. */
static _Noreturn void detached_close(int sock, int pidfd, int sync_fd)
{
	DIR *d;
	struct dirent *de;
	int null;

	(void)setsid();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)
		if (null < 0 || dup2(null, fd) < 0)
			close(fd);
	if (null > 2)
		close(null);
	/* Without /proc nothing can be kept with certainty: close everything and let the
	 * parent's close be the last (slow, but nothing is held). */
	d = opendir("/proc/self/fd");
	if (!d)
		_exit(0);
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd < 3 || fd == dirfd(d) || fd == pidfd ||
		    fd == sync_fd || fd == sock)
			continue;
		close((int)fd);
	}
	closedir(d);
	close(sync_fd);
	/* POLLIN on a pidfd: the process has exited (its files, and its copy of the socket,
	 * were released before that). */
	for (;;) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int r = poll(&p, 1, DETACHED_CLOSE_DEADLINE_MS);

		if (r >= 0 || errno != EINTR)
			break;
	}
	close(sock);
	_exit(0);
}

void hs_nl_close_detached(int fd, pid_t *ret_child)
{
	int sync[2], pidfd;
	pid_t pid;
	char c;

	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0) {
		close(fd);
		return;
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		close(pidfd);
		close(fd);
		return;
	}
	pid = fork();
	if (pid == 0)
		detached_close(fd, pidfd, sync[1]);
	close(sync[1]);
	/* Until the child has let go of the runtime's stdio: the runtime reads the hook's
	 * stdout and stderr to EOF. EOF too if the child died. */
	if (pid > 0)
		while (read(sync[0], &c, 1) < 0 && errno == EINTR)
			;
	close(sync[0]);
	close(pidfd);
	close(fd);
	if (pid > 0 && ret_child)
		*ret_child = pid;
}
