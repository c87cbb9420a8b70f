/* SPDX-License-Identifier: Apache-2.0
 * The policy cache's write side (the threat and the read side: policy-cache.c): an entry is
 * written only after a strict read, into a directory root alone can write, by rename. Each
 * write also prunes the directory (prune, below), so that a node whose policies or builds
 * change keeps a bounded cache. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hs-host.h"
#include "hs-policy.h"

/* The cache's directory, made if missing, and opened only when root alone can write it and
 * no one else can swap a directory on its way (the judgement the lookup makes of the entry). */
static int open_cache_dir(struct hs_arena *a, const char *dir)
{
	const struct hs_host *h = hs_host_real();
	struct hs_canonical_path cp;
	const struct hs_path_component *last;
	char *parent = hs_arena_strdup(a, dir);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!slash)
		return -ENOMEM;
	if (slash != parent) {
		*slash = '\0';
		(void)mkdir(parent, 0755);
	}
	(void)mkdir(dir, 0755);
	if (h->canonicalize(h, a, dir, &cp, NULL) < 0 || !cp.exists || !cp.n_components ||
	    hs_canonical_path_replaceable(a, &cp))
		return -EPERM;
	last = &cp.components[cp.n_components - 1];
	fd = open(cp.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != last->id.dev ||
	    st.st_ino != last->id.ino || st.st_uid != 0 || (st.st_mode & 0022))
		return -EPERM;
	return TAKE_FD(fd);
}

/* "policy-" 16 hex digits ".cache": a name hs_policy_cache_entry gives. */
static bool entry_name(const char *n)
{
	if (strncmp(n, "policy-", 7) || strlen(n) != 7 + 16 + 6 || strcmp(n + 23, ".cache"))
		return false;
	for (int i = 7; i < 23; i++)
		if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
			return false;
	return true;
}

/* ".ENTRY.hardshim-PID": hs_replace_file's temporary file for an entry (util/file.c). */
static bool temp_name(const char *n)
{
	char entry[7 + 16 + 6 + 1];
	const char *pid;

	if (n[0] != '.' || strlen(n) < 1 + sizeof(entry) - 1 + 10 + 1)
		return false;
	memcpy(entry, n + 1, sizeof(entry) - 1);
	entry[sizeof(entry) - 1] = '\0';
	pid = n + sizeof(entry);
	if (!entry_name(entry) || strncmp(pid, ".hardshim-", 10) || !pid[10])
		return false;
	return strspn(pid + 10, "0123456789") == strlen(pid + 10);
}

/* Whether the entry NAME in DFD could still be used by a lookup: a regular file (not
 * followed) of at most HS_POLICY_CACHE_MAX bytes whose first two lines are BUILD's (the
 * format's magic and this build's id), named as its policy's entry, and whose key is the one
 * its policy file gives now. Anything else would only ever be a miss. */
static bool entry_live(int dfd, const char *name, const char *build, size_t build_len,
		       ino_t *ret_ino)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_close_ int fd = -1;
	char buf[HS_POLICY_CACHE_MAX + 1], *policy, *nl;
	const char *key, *want;
	struct stat st;
	size_t len = 0;
	ssize_t n;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (!a || fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > HS_POLICY_CACHE_MAX)
		return false;
	*ret_ino = st.st_ino;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (len <= build_len || memcmp(buf, build, build_len) ||
	    strncmp(buf + build_len, "policy ", 7))
		return false;
	policy = buf + build_len + 7;
	if (!(nl = strchr(policy, '\n')))
		return false;
	*nl = '\0';
	if (policy[0] != '/' || stat(policy, &st) < 0 || !hs_policy_cache_file_ok(&st) ||
	    !(want = hs_policy_cache_entry(a, "", policy)) || strcmp(want + 1, name))
		return false;
	if (!(key = hs_policy_cache_key(a, policy, &st)))
		return false;
	*nl = '\n';
	return len > strlen(key) && !memcmp(buf, key, strlen(key));
}

struct kept {
	char name[32];
	struct timespec mtime;
};

static int older_first(const void *x, const void *y)
{
	const struct kept *p = x, *q = y;

	if (p->mtime.tv_sec != q->mtime.tv_sec)
		return p->mtime.tv_sec < q->mtime.tv_sec ? -1 : 1;
	if (p->mtime.tv_nsec != q->mtime.tv_nsec)
		return p->mtime.tv_nsec < q->mtime.tv_nsec ? -1 : 1;
	return strcmp(p->name, q->name);
}

/* After the entry OURS was written with KEY: every other entry no lookup could use any more
 * (another build's, a policy file removed or changed since, a name that is not its policy's)
 * is removed, and temporary files of writes that died (older than a minute); then, while more
 * than HS_POLICY_CACHE_ENTRIES entries remain, the least recently written. Only regular files
 * with the names hardshim gives, in the directory already judged root's alone (DFD), each
 * removed by unlinkat (a name in DFD: no link followed, nothing outside). Best effort: what it
 * cannot read or remove stays, and removing an entry only ever costs a later miss (a write of
 * the same entry racing this one: its inode is checked again right before the unlink). */
static void prune(int dfd, const char *ours, const char *key)
{
	const char *policy_line = strstr(key, "\npolicy ");
	_cleanup_free_ struct kept *kept = NULL;
	size_t n_kept = 0, cap = 0, build_len;
	struct timespec now;
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd;

	if (!policy_line || clock_gettime(CLOCK_REALTIME, &now) < 0)
		return;
	build_len = (size_t)(policy_line - key) + 1;
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		ino_t ino = 0;

		if (temp_name(e->d_name)) {
			if (!fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
			    S_ISREG(st.st_mode) && st.st_mtim.tv_sec < now.tv_sec - 60)
				(void)unlinkat(dfd, e->d_name, 0);
			continue;
		}
		if (!entry_name(e->d_name) || !strcmp(e->d_name, ours) ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!entry_live(dfd, e->d_name, key, build_len, &ino)) {
			if (!fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
			    S_ISREG(st.st_mode) && (!ino || st.st_ino == ino))
				(void)unlinkat(dfd, e->d_name, 0);
			continue;
		}
		if (n_kept == cap) {
			struct kept *k = reallocarray(kept, cap ? 2 * cap : 64, sizeof(*k));

			if (!k)
				break;
			kept = k;
			cap = cap ? 2 * cap : 64;
		}
		memcpy(kept[n_kept].name, e->d_name, strlen(e->d_name) + 1); /* entry_name: 29 */
		kept[n_kept++].mtime = st.st_mtim;
	}
	closedir(d);
	if (n_kept + 1 <= HS_POLICY_CACHE_ENTRIES)
		return;
	qsort(kept, n_kept, sizeof(*kept), older_first);
	for (size_t i = 0; i < n_kept + 1 - HS_POLICY_CACHE_ENTRIES; i++)
		(void)unlinkat(dfd, kept[i].name, 0);
}

int hs_policy_cache_store(const char *dir, const char *policy, const struct hs_policy_seen *seen,
			  const char *runtime)
{
	_cleanup_arena_ struct hs_arena *a = NULL;
	_cleanup_close_ int dfd = -1;
	const char *key, *path, *text;
	size_t len;

	if (!dir || geteuid() != 0 || !hs_policy_cache_file_ok(&seen->st) || runtime[0] != '/' ||
	    strchr(runtime, '\n') || strlen(runtime) >= PATH_MAX)
		return 0;
	/* Settled: a write after this read gets a later ctime even on a file system that keeps
	 * whole seconds (seen->at was taken right after the fstat, before the read). */
	if (seen->st.st_ctim.tv_sec > seen->at.tv_sec - HS_POLICY_CACHE_SETTLE)
		return 0;
	if (!(a = hs_arena_new()))
		return -ENOMEM;
	if (!(key = hs_policy_cache_key(a, policy, &seen->st)) ||
	    !(path = hs_policy_cache_entry(a, dir, policy)))
		return 0;
	text = hs_arena_printf(a, "%sruntime %s\n", key, runtime);
	if (!text || (len = strlen(text)) >= HS_POLICY_CACHE_MAX)
		return 0;
	dfd = open_cache_dir(a, dir);
	if (dfd < 0)
		return dfd;
	/* a new file renamed over the old: a reader sees a whole entry, old or new */
	if (hs_replace_file(dfd, strrchr(path, '/') + 1, text, len, 0600, false, NULL) < 0)
		return -EIO;
	prune(dfd, strrchr(path, '/') + 1, key);
	return 1;
}
