/* SPDX-License-Identifier: Apache-2.0
 * Who launched: the caller's uids, the audit login uid and session (set at login by
 * pam_loginuid and kept across sudo and Podman's fork/exec chain), the parent processes up
 * to the container engine, and what sudo says. The environment and annotations are claims
 * (anyone can set them); the uids and the audit ids are the kernel's. docs/threats.md §12. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "hs-audit.h"

/* Engines: the walk stops after one of these, the caller that speaks for a user. comm is cut
 * at 15 bytes by the kernel ("containerd-shim-runc-v2" reads "containerd-shim"). */
static const char *const engines[] = {
	"conmon", "containerd-shim", "containerd", "podman", "crio", "dockerd", "buildah", NULL,
};

static bool is_engine(const char *comm)
{
	for (size_t i = 0; engines[i]; i++)
		if (!strcmp(comm, engines[i]))
			return true;
	return false;
}

static int read_small(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	buf[0] = '\0'; /* a caller that misreads a failure sees an empty string, not garbage */
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

bool hs_audit_parse_id(const char *text, uint32_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || (*end && *end != '\n') || text[0] == '-' || v >= UINT32_MAX)
		return false; /* (uint32_t)-1 is the kernel's "unset" */
	*ret = (uint32_t)v;
	return true;
}

/* /proc/<pid>/stat: "pid (comm) state ppid ...". comm may hold spaces and ')', so the
 * fields after it are found from the last ')'. The uid is the real one, from status. */
static int read_proc_files(const char *procfs, pid_t pid, struct hs_audit_proc *p, pid_t *ret_ppid)
{
	char path[128], buf[1024];
	const char *open_paren, *close_paren, *uid_line;
	int ppid;
	unsigned uid;

	snprintf(path, sizeof(path), "%s/%d/stat", procfs, (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren ||
	    sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return -EINVAL;
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(close_paren - open_paren - 1),
		 open_paren + 1);
	snprintf(path, sizeof(path), "%s/%d/status", procfs, (int)pid);
	p->uid = (uid_t)-1;
	if (read_small(path, buf, sizeof(buf)) >= 0 && (uid_line = strstr(buf, "\nUid:")) &&
	    sscanf(uid_line + 5, "%u", &uid) == 1)
		p->uid = uid;
	*ret_ppid = ppid;
	return 0;
}

/* The kernel's own answer for a pidfd (Linux 6.13, PIDFD_GET_INFO): the parent and the real
 * uid without /proc/<pid>/status, which the kernel formats in full (some forty lines) for the
 * one number read from it: two thirds of the walk's CPU. Declared here, as the kernel's uapi
 * has it (the first version of the struct, 64 bytes), for the headers of older systems. */
struct who_pidfd_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid, spare;
};
#define WHO_PIDFD_GET_INFO   _IOWR(0xFF, 11, struct who_pidfd_info)
#define WHO_PIDFD_INFO_CREDS (1ULL << 1)

/* The same three facts as read_proc_files, for the real /proc: ppid and the real uid from the
 * pidfd, comm from /proc/<pid>/comm (the same bytes as stat's, unescaped). The pidfd pins the
 * process: it is asked once, after comm is read, so an answer says the process had not been
 * reaped by then (its pid not free for another) and the comm is its own; a comm read after it
 * had gone is not taken (ESRCH). -ENOTTY (an older kernel, no PIDFD_GET_INFO): the caller
 * reads the files (the comm read here is then wasted, on those kernels only). */
static int read_proc_pidfd(pid_t pid, struct hs_audit_proc *p, pid_t *ret_ppid)
{
	struct who_pidfd_info info = { .mask = WHO_PIDFD_INFO_CREDS };
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0U);
	char path[64], comm[64];
	int n;

	if (pidfd < 0)
		return errno == ENOSYS ? -ENOTTY : -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	n = read_small(path, comm, sizeof(comm));
	if (ioctl(pidfd, WHO_PIDFD_GET_INFO, &info) < 0)
		return errno == ESRCH ? -ESRCH : -ENOTTY;
	if (!(info.mask & WHO_PIDFD_INFO_CREDS))
		return -ENOTTY;
	if (n <= 0 || comm[n - 1] != '\n')
		return -ESRCH;
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%.*s", n - 1, comm);
	p->uid = info.ruid;
	*ret_ppid = (pid_t)info.ppid;
	return 0;
}

static int read_proc(const char *procfs, pid_t pid, struct hs_audit_proc *p, pid_t *ret_ppid)
{
	if (!strcmp(procfs, "/proc")) {
		int r = read_proc_pidfd(pid, p, ret_ppid);

		if (r != -ENOTTY)
			return r;
	}
	return read_proc_files(procfs, pid, p, ret_ppid);
}

/* The caller's name, from the passwd file alone: no NSS. getpwuid_r goes where
 * /etc/nsswitch.conf says ("files systemd", "files ldap"...): it reads that file, asks nscd over
 * a socket and, for a uid the file lacks, loads the configured modules, code chosen by
 * configuration run inside root's create path (and, in a static program, a second libc: the
 * static core prototype died there). The name is a convenience beside the uid, which the
 * kernel gives and the record always holds: a uid the file does not name, a line too long, a
 * name that does not fit, a file too large or unreadable, all give no name, never an error.
 * The first line with the uid wins, as NSS's files module reads it. */
/* One passwd line "name:password:uid:...": 1 and the name when its uid is uid, 0 for another
 * uid (or not a user line), -1 when it is uid's line but the name does not fit: a cut name
 * would name someone else. */
static int line_names(const char *line, uid_t uid, char *ret, size_t size)
{
	const char *colon = strchr(line, ':'), *uid_text;
	char *end;
	unsigned long long v;

	if (!colon || !(uid_text = strchr(colon + 1, ':')))
		return 0;
	uid_text++;
	errno = 0;
	v = strtoull(uid_text, &end, 10);
	if (errno || end == uid_text || *end != ':' || uid_text[0] == '-' || v != uid ||
	    colon == line || line[0] == '+' || line[0] == '-')
		return 0;
	if ((size_t)(colon - line) >= size)
		return -1;
	memcpy(ret, line, (size_t)(colon - line));
	ret[colon - line] = '\0';
	return 1;
}

bool hs_audit_user_name(const char *passwd, uid_t uid, char *ret, size_t size)
{
	char line[HS_AUDIT_PASSWD_LINE];
	size_t len = 0, total = 0;
	bool odd = false;
	struct stat st;
	int fd, c, r = 0;
	FILE *f;

	ret[0] = '\0';
	fd = open(passwd, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return false;
	}
	/* A line longer than the buffer or holding a NUL is skipped whole, never read in pieces;
	 * the first line with the uid names it, or nothing does. */
	while (r == 0 && total++ < HS_AUDIT_PASSWD_MAX) {
		c = getc_unlocked(f);
		if (c != EOF && c != '\n') {
			if (c == '\0' || len + 1 >= sizeof(line))
				odd = true;
			else
				line[len++] = (char)c;
			continue;
		}
		line[len] = '\0';
		if (!odd)
			r = line_names(line, uid, ret, size);
		if (c == EOF)
			break;
		len = 0;
		odd = false;
	}
	fclose(f);
	return r == 1;
}

void hs_audit_who_get(struct hs_audit_who *w, const char *procfs)
{
	char path[128], buf[64];
	pid_t pid;

	*w = (struct hs_audit_who){ 0 };
	w->uid = getuid();
	w->euid = geteuid();
	w->gid = getgid();
	hs_audit_user_name(HS_AUDIT_PASSWD, w->uid, w->user, sizeof(w->user));

	snprintf(path, sizeof(path), "%s/self/loginuid", procfs);
	if (read_small(path, buf, sizeof(buf)) > 0)
		w->loginuid_set = hs_audit_parse_id(buf, &w->loginuid);
	snprintf(path, sizeof(path), "%s/self/sessionid", procfs);
	if (read_small(path, buf, sizeof(buf)) > 0)
		w->sessionid_set = hs_audit_parse_id(buf, &w->sessionid);

	/* The environment is read as it is: these are claims, recorded as claims. */
	w->sudo_uid = getenv("SUDO_UID");
	w->sudo_user = getenv("SUDO_USER");

	for (pid = getppid(); pid > 0 && w->n_parents < HS_AUDIT_MAX_PARENTS;) {
		struct hs_audit_proc *p = &w->parents[w->n_parents];
		pid_t ppid;

		if (read_proc(procfs, pid, p, &ppid) < 0)
			break;
		w->n_parents++;
		if (pid == 1 || is_engine(p->comm))
			break;
		pid = ppid;
	}
}
