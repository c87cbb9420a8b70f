/* SPDX-License-Identifier: Apache-2.0
 * The restorer: create holds a user-namespace bundle (runtime.c: root's, 0711, so that its
 * owner cannot rename a config.json of its own over the one judged) and gives it back when the
 * runtime has exited. A hardshim killed in between (SIGKILL from the engine, the OOM killer)
 * gave nothing back: the bundle stayed root's, and the engine, which works in it as the
 * mapped root, could not clean it up. So before the first directory is held, hardshim forks
 * this small process, tells it each directory it holds (the descriptor itself, and how it
 * was) and, from the runtime child before its exec, the runtime's pidfd. When hardshim's end
 * of the socket closes without a "done" (hardshim died), it waits until the runtime has
 * exited too, then gives each directory back as hardshim would have. Never earlier: until
 * the runtime is gone, the owner must not be able to swap what it reads or mounts.
 *
 * It keeps nothing of hardshim's (no stdio, no other descriptor: a caller that waits for
 * hardshim's output to close must not wait for it) and leaves the caller's process group.
 * On the normal path hardshim gives the directories back itself, says "done" and waits for
 * it: it never outlives a hardshim that finished.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "hs-cli.h"

#define RESTORER_MAX 16 /* held directories (runtime.c: 8) and runtime pidfds */

enum note_kind { NOTE_HOLD = 1, NOTE_RUNTIME, NOTE_DONE };
struct note {
	uint32_t kind, uid, gid, mode;
};

static int sock = -1; /* hardshim's end; -1: no restorer */
static pid_t restorer;

/* One note, with one descriptor (or -1) alongside it. */
static int send_note(const struct note *n, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)n, .iov_len = sizeof(*n) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		msg.msg_control = ctl;
		msg.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* The restorer's side: one note, its descriptor in *fd (-1: none). 0 at EOF. */
static ssize_t recv_note(int s, struct note *n, int *fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = n, .iov_len = sizeof(*n) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *c;
	ssize_t r;

	*fd = -1;
	do
		r = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	c = r > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return r;
}

/* Nothing of hardshim's stays open here: stdio on /dev/null, the socket alone at 3. */
static int detach(int s)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	(void)setsid();
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
	    dup2(s, 3) < 0)
		return -1;
	return syscall(SYS_close_range, 4U, ~0U, 0U) < 0 ? -1 : 3;
}

static _Noreturn void restorer_main(int s)
{
	struct note held[RESTORER_MAX], n;
	int fds[RESTORER_MAX], pidfds[RESTORER_MAX], fd;
	size_t nheld = 0, npid = 0;

	if ((s = detach(s)) < 0)
		_exit(1);
	while (recv_note(s, &n, &fd) > 0) {
		if (n.kind == NOTE_DONE)
			_exit(0); /* hardshim gave everything back itself */
		if (fd < 0)
			continue;
		if (n.kind == NOTE_HOLD && nheld < RESTORER_MAX) {
			held[nheld] = n;
			fds[nheld++] = fd;
		} else if (n.kind == NOTE_RUNTIME && npid < RESTORER_MAX) {
			pidfds[npid++] = fd;
		} else {
			close(fd);
		}
	}
	/* hardshim is gone: first the runtime (readable pidfd: it has exited) */
	for (size_t i = 0; i < npid; i++) {
		struct pollfd p = { .fd = pidfds[i], .events = POLLIN };

		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
	}
	for (size_t i = 0; i < nheld; i++)
		hs_give_back(fds[i], held[i].uid, held[i].gid, held[i].mode);
	_exit(0);
}

/* Owner first, then mode: whatever the chown changes of the mode (set-id bits) is put back
 * as it was. Errors are ignored: it runs on the way out (or in the restorer, with nobody to
 * tell), and a directory that cannot be given back stays root's, 0711: never more open than
 * it was, only less. */
void hs_give_back(int dirfd, uid_t uid, gid_t gid, mode_t mode)
{
	(void)!fchown(dirfd, uid, gid);
	(void)!fchmod(dirfd, mode);
}

int hs_restorer_start(void)
{
	int sv[2];
	pid_t pid;

	if (sock >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		restorer_main(sv[1]);
	}
	close(sv[1]);
	sock = sv[0];
	restorer = pid;
	return 0;
}

int hs_restorer_hold(int dirfd, uid_t uid, gid_t gid, mode_t mode)
{
	struct note n = { .kind = NOTE_HOLD, .uid = uid, .gid = gid, .mode = mode };

	return sock < 0 ? -ENOTCONN : send_note(&n, dirfd);
}

int hs_restorer_runtime(void)
{
	struct note n = { .kind = NOTE_RUNTIME };
	int pidfd, r;

	if (sock < 0)
		return 0;
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0U);
	if (pidfd < 0)
		return -errno;
	r = send_note(&n, pidfd);
	close(pidfd);
	return r;
}

void hs_restorer_done(void)
{
	struct note n = { .kind = NOTE_DONE };
	int status;

	if (sock < 0)
		return;
	(void)send_note(&n, -1);
	close(TAKE_FD(sock));
	while (waitpid(restorer, &status, 0) < 0 && errno == EINTR)
		;
	restorer = 0;
}
