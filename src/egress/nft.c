/* SPDX-License-Identifier: Apache-2.0
 * libnftables, dlopen'ed here only (it pulls libnftnl, libmnl, libjansson, libgmp, libxtables:
 * far too much to link into every exec of hardshim). Everything runs in the network namespace
 * the caller is in: join the container's first (netns.c). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "hs-audit.h"
#include "hs-dlopen.h"
#include "hs-egress.h"

static __typeof__(&nft_ctx_new) sym_nft_ctx_new;
static __typeof__(&nft_ctx_free) sym_nft_ctx_free;
static __typeof__(&nft_ctx_buffer_output) sym_nft_ctx_buffer_output;
static __typeof__(&nft_ctx_buffer_error) sym_nft_ctx_buffer_error;
static __typeof__(&nft_ctx_get_output_buffer) sym_nft_ctx_get_output_buffer;
static __typeof__(&nft_ctx_get_error_buffer) sym_nft_ctx_get_error_buffer;
static __typeof__(&nft_ctx_output_set_flags) sym_nft_ctx_output_set_flags;
static __typeof__(&nft_run_cmd_from_buffer) sym_nft_run_cmd_from_buffer;

static int load_nftables(struct hs_error *err)
{
	static void *dl;

	return hs_dlopen_many(&dl, "libnftables.so.1", err, HS_DLSYM(nft_ctx_new),
			      HS_DLSYM(nft_ctx_free), HS_DLSYM(nft_ctx_buffer_output),
			      HS_DLSYM(nft_ctx_buffer_error), HS_DLSYM(nft_ctx_get_output_buffer),
			      HS_DLSYM(nft_ctx_get_error_buffer),
			      HS_DLSYM(nft_ctx_output_set_flags), HS_DLSYM(nft_run_cmd_from_buffer),
			      HS_DLSYM_END);
}

/* nft's error text spans lines (message, the command, a caret line): keep the first line,
 * which says what was wrong, and the offending command. */
static void first_lines(const char *s, char *out, size_t size)
{
	size_t n = 0;
	bool second = false;

	for (; *s && n + 3 < size; s++) {
		if (*s == '\n') {
			if (second)
				break;
			second = true;
			out[n++] = ':';
			out[n++] = ' ';
			continue;
		}
		out[n++] = (*s == '\t') ? ' ' : *s;
	}
	out[n] = '\0';
}

/* Releasing the last reference to an nftables netlink socket blocks 8-12 ms: the kernel
 * (nft_rcv_nl_event) flushes nf_tables' pending transaction-destroy work, which waits for an
 * RCU grace period, and every replacing transaction leaves such work. The rules are in force
 * before that: the batch is committed inside sendmsg and its errors are read back before
 * nft_run_cmd_from_buffer returns. So for a process about to exit (the hook, which the
 * runtime waits for), a child holds a reference to the socket until this process has exited,
 * then drops it and bears the wait; this process frees its context (a cheap close, no longer
 * the last) and goes on. The child is never this process's zombie (it outlives it); as an
 * orphan it is reaped by init or the runtime's subreaper, holding meanwhile only the socket
 * and the pidfd. */
#define DETACHED_CLOSE_DEADLINE_MS (30 * 1000) /* the hook's own backstop */

static bool is_nft_socket(int fd)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 || v != AF_NETLINK)
		return false;
	len = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 && v == NETLINK_NETFILTER;
}

/* The child: nothing of the runtime's (its stdio pipes, anything inherited), only the
 * nftables sockets and the parent's pidfd. sync_fd is closed last: the parent goes on once
 * it sees EOF there. */
static _Noreturn void detached_close(struct nft_ctx *ctx, int pidfd, int sync_fd)
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
		    fd == sync_fd || is_nft_socket((int)fd))
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
	sym_nft_ctx_free(ctx);
	_exit(0);
}

/* Free ctx, leaving the last close of its socket to a detached child (above). Falls back to
 * a plain free whenever the child cannot be set up: slower, never less safe. */
static void nft_ctx_free_detached(struct nft_ctx *ctx, pid_t *ret_child)
{
	int sync[2], pidfd;
	pid_t pid;
	char c;

	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0) {
		sym_nft_ctx_free(ctx);
		return;
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		close(pidfd);
		sym_nft_ctx_free(ctx);
		return;
	}
	pid = fork();
	if (pid == 0)
		detached_close(ctx, pidfd, sync[1]);
	close(sync[1]);
	/* Until the child has let go of the runtime's stdio: the runtime reads the hook's
	 * stdout and stderr to EOF. EOF too if the child died. */
	if (pid > 0)
		while (read(sync[0], &c, 1) < 0 && errno == EINTR)
			;
	close(sync[0]);
	close(pidfd);
	sym_nft_ctx_free(ctx);
	if (pid > 0 && ret_child)
		*ret_child = pid;
}

static int nft_run(const char *cmds, char **ret_output, bool detach, pid_t *ret_child,
		   struct hs_error *err)
{
	struct nft_ctx *ctx;
	int r;

	r = load_nftables(err);
	if (r < 0)
		return r;
	ctx = sym_nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return hs_error_set(err, -ENOMEM, "egress.nftables", "", -1, "nft_ctx_new failed");
	if (sym_nft_ctx_buffer_output(ctx) < 0 || sym_nft_ctx_buffer_error(ctx) < 0) {
		sym_nft_ctx_free(ctx);
		return -ENOMEM;
	}
	/* Numeric output: names from /etc/services and friends would make parsing depend on
	 * the host's files. */
	sym_nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_NUMERIC_ALL);
	if (sym_nft_run_cmd_from_buffer(ctx, cmds) != 0) {
		const char *e = sym_nft_ctx_get_error_buffer(ctx);
		char line[512];

		first_lines(e && *e ? e : "(no message)", line, sizeof(line));
		r = hs_error_set(err, -HS_EPOLICY, "egress.nftables", "", -1,
				 "nftables refused the egress ruleset: %s", line);
		sym_nft_ctx_free(ctx);
		return r;
	}
	if (ret_output) {
		const char *o = sym_nft_ctx_get_output_buffer(ctx);
		char *copy = strdup(o ? o : "");

		if (!copy) {
			sym_nft_ctx_free(ctx);
			return -ENOMEM;
		}
		*ret_output = copy;
	}
	if (detach)
		nft_ctx_free_detached(ctx, ret_child);
	else
		sym_nft_ctx_free(ctx);
	return 0;
}

int hs_egress_nft_run(const char *cmds, char **ret_output, struct hs_error *err)
{
	return nft_run(cmds, ret_output, false, NULL, err);
}

enum table_state { TABLE_NONE, TABLE_OTHER, TABLE_SAME };

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

/* Does this network namespace have hardshim's table, and does its comment name the ruleset
 * `want`? One read-only request (NFT_MSG_GETTABLE) on a socket of its own: no transaction,
 * no library. < 0: cannot tell (the caller then replaces, as if another table were there).
 * The answer is a hint: a table may appear before the caller commits, and then its create
 * fails and it replaces. TABLE_SAME is trusted as far as the table itself is: whoever could
 * set that comment (CAP_NET_ADMIN in this namespace) could as well rewrite the rules. */
static int table_state(const char *want)
{
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg nf;
		struct nlattr na;
		char name[NLA_ALIGN(sizeof(HS_EGRESS_TABLE))];
	} req;
	union {
		struct nlmsghdr nh;
		char buf[8192];
	} resp;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	ssize_t n;

	if (fd < 0)
		return -errno;
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
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	/* The kernel has answered by the time sendto returns: never wait here. */
	n = recv(fd, &resp, sizeof(resp), MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (n < (ssize_t)NLMSG_HDRLEN || resp.nh.nlmsg_len > (size_t)n)
		return -EIO;
	if (resp.nh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&resp.nh);

		if (resp.nh.nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
			return -EIO;
		return e->error == -ENOENT ? TABLE_NONE : e->error < 0 ? e->error : -EIO;
	}
	if (resp.nh.nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE))
		return -EIO;
	return table_comment_is(&resp.nh, want) ? TABLE_SAME : TABLE_OTHER;
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

/* comment: the ruleset's name (hs_egress_ruleset_name) when the caller has it; NULL: named
 * here (and left without a name if that fails: never the same, always installed). */
static int install(const struct hs_egress_cfg *cfg, const char *comment, bool exiting,
		   pid_t *ret_child, struct hs_error *err)
{
	_cleanup_free_ char *cmds = NULL;
	char name[HS_EGRESS_NAME_SIZE];
	int r, state;

	if (!comment && hs_egress_ruleset_name(cfg, name) == 0)
		comment = name;
	state = table_state(comment);

	/* The same ruleset is already there (a pod's later container, same policy). */
	if (state == TABLE_SAME)
		return 0;
	/* A new container's namespace has no table: create it, deleting nothing, so the kernel
	 * has no destroy work for the socket's last close to wait for (no detached child
	 * either), and with a batch built here rather than libnftables' loading and parsing
	 * (batch.c). If the table appeared meanwhile (a pod's containers started together), or
	 * the kernel refused any of it, the create fails, changing nothing, and the table is
	 * replaced below by libnftables, as always (its message then names a refusal). */
	if (state == TABLE_NONE && hs_egress_nl_create(cfg, comment) == 0)
		return 0;
	r = hs_egress_ruleset_as(cfg, false, comment, &cmds);
	if (r < 0)
		return r;
	return nft_run(cmds, NULL, exiting, ret_child, err);
}

bool hs_egress_install_quick(const struct hs_egress_cfg *cfg, const char *name)
{
	int state;

	if (!name)
		return false;
	state = table_state(name);
	return state == TABLE_SAME || (state == TABLE_NONE && hs_egress_nl_create(cfg, name) == 0);
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

/* `list counters table inet hardshim` prints, per counter:
 *	counter NAME {
 *		packets N bytes N
 *	}
 */
int hs_egress_counters(struct hs_egress_counter *ret, size_t max, struct hs_error *err)
{
	_cleanup_free_ char *out = NULL;
	struct hs_error nerr = HS_ERROR_INIT;
	size_t n = 0;
	char *line, *save = NULL;
	int r;

	r = hs_egress_nft_run("list counters table inet " HS_EGRESS_TABLE, &out, &nerr);
	if (r < 0) {
		if (strstr(nerr.msg, "No such file or directory"))
			return hs_error_set(err, -ENOENT, "egress.no-table", "", -1,
					    "no hardshim egress table in this network namespace");
		if (err && !err->code)
			*err = nerr;
		return r;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		unsigned long long p, b;

		if (sscanf(line, " counter %31s {", name) == 1) {
			if (n >= max)
				break;
			memset(&ret[n], 0, sizeof(ret[n]));
			snprintf(ret[n].name, sizeof(ret[n].name), "%s", name);
			n++;
		} else if (n > 0 && sscanf(line, " packets %llu bytes %llu", &p, &b) == 2) {
			ret[n - 1].packets = p;
			ret[n - 1].bytes = b;
		}
	}
	return (int)n;
}
