/* SPDX-License-Identifier: Apache-2.0
 * The policy cache's write side (the threat and the read side: policy-cache.c): an entry is
 * written only after a strict read, into a directory root alone can write, by rename. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
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
	return 1;
}
