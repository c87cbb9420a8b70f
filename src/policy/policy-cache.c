/* SPDX-License-Identifier: Apache-2.0
 * The fast path's policy cache. `state`, `kill`, `delete`, `ps`... need one fact from the
 * policy, the runtime's path, yet each used to parse and schema-check the whole file (about
 * half of its instructions) so that a broken policy is refused there too. Here a policy that
 * passed that strict read leaves its runtime in a file under /run/hardshim, keyed by everything
 * the kernel says of the policy's inode and by hardshim's own build (the core's build id); the
 * next fast path that finds the same key uses it instead of parsing.
 *
 * Threat: whoever can write the cache, or make hardshim read another file as the cache,
 * chooses the binary every fast-path command execs as root, and a stale entry would keep a
 * policy hardshim never validated (or one the administrator changed) in force. So: only root
 * uses it; the file is read only when root alone could have written it and no one else can
 * swap a directory on its way (hs_host.read_root_file); it holds the policy's path, device,
 * inode, size, owner, mode, mtime and ctime (any write, rename over, chmod, chown or touch
 * changes the ctime, which no one can set back) and hardshim's build id (a new hardshim may
 * refuse what the old admitted); it is written only for a policy whose ctime is at least
 * HS_POLICY_CACHE_SETTLE seconds old (a file system's timestamp granularity could give a
 * second write within the same tick the same ctime); anything that does not match byte for
 * byte is a miss, and a miss is the full strict read: never an error, never fail open.
 *
 * Here the read side (the front, src/front/front.c, links it); the write side is
 * policy-cache-store.c.
 */
#include <fcntl.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs-host.h"
#include "hs-policy.h"

#define CACHE_MAGIC "hardshim policy cache 1\n"

const char *hs_policy_cache_dir(void)
{
	const char *d = secure_getenv("HARDSHIM_POLICY_CACHE");

	if (!d)
		return HS_POLICY_CACHE_DIR;
	return d[0] == '/' ? d : NULL; /* "" (or anything relative): no cache */
}

/* The object's notes are at its load address (dlpi_addr, what the loader added to every
 * p_vaddr) plus their p_vaddr. For the main program PT_PHDR says the same (the headers' address
 * less their p_vaddr); a -static-pie program has no PT_PHDR, and glibc gives its dlpi_addr
 * (static dl_iterate_phdr, _dl_relocate_static_pie's load address): the static core and the
 * test program tests/unit/static/elf-self.c find their id this way. Where both are there they
 * must agree: a disagreement is no id (and so no cache), never a wrong one. */
bool hs_elf_build_id(const struct dl_phdr_info *info, char hex[129])
{
	/* NOLINTNEXTLINE(performance-no-int-to-ptr): the loader gives it as an integer */
	const char *base = (const char *)info->dlpi_addr;

	hex[0] = '\0';
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_PHDR &&
		    (const char *)info->dlpi_phdr - info->dlpi_phdr[i].p_vaddr != base)
			return false;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_NOTE &&
		    hs_elf_notes_build_id(base + ph->p_vaddr, ph->p_memsz, hex))
			return true;
	}
	return false;
}

/* The build an entry belongs to: the core's GNU build id. The core is the main program where
 * it runs (its own note, found from its load address); the front, a static program, gives the id of the
 * core it was built with (hs_policy_cache_use_build_id), the only core it runs. Any change to
 * the code that writes or reads an entry (the core links every object, the front some of the
 * same objects) changes the core's id: a different build, however it was installed, never
 * reads this one's entries. No note: no build id, no cache. */
static const char *given_build_id;

void hs_policy_cache_use_build_id(const char *hex)
{
	given_build_id = hex;
}

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	hs_elf_build_id(info, data);
	return 1;
}

/* "hardshim policy cache 1\nbuild ID\npolicy PATH\nfile DEV INO ...\n": everything the entry
 * is valid for, in the bytes the entry must start with (arena-owned). NULL when nothing can
 * be cached: no build id, a path that would not read back as one line. */
const char *hs_policy_cache_key(struct hs_arena *a, const char *policy, const struct stat *st)
{
	char build[129] = "";

	if (given_build_id)
		snprintf(build, sizeof(build), "%s", given_build_id);
	else
		dl_iterate_phdr(find_build_id, build);
	if (!build[0] || strchr(policy, '\n'))
		return NULL;
	return hs_arena_printf(
	    a, CACHE_MAGIC "build %s\npolicy %s\nfile %llu %llu %lld %lld.%09ld %lld.%09ld %u %o\n",
	    build, policy, (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
	    (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
	    (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, (unsigned)st->st_uid,
	    (unsigned)st->st_mode);
}

/* One entry per policy path, "policy-HASH.cache": FNV-1a of the path (a collision only costs
 * a miss: the entry holds the whole path). */
const char *hs_policy_cache_entry(struct hs_arena *a, const char *dir, const char *policy)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)policy; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return hs_arena_printf(a, "%s/policy-%016llx.cache", dir, (unsigned long long)h);
}

/* What the strict read demands of the policy file (policy.c read_policy), as root. */
bool hs_policy_cache_file_ok(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_uid == 0 && !(st->st_mode & 0022);
}

int hs_policy_cache_lookup(const char *dir, const char *policy, char **ret_runtime)
{
	_cleanup_arena_ struct hs_arena *a = NULL;
	struct hs_error err = HS_ERROR_INIT;
	const char *buf, *key, *path, *rt, *nl;
	size_t len, klen;
	struct stat st;

	if (!dir || geteuid() != 0 || stat(policy, &st) < 0 || !hs_policy_cache_file_ok(&st) ||
	    !(a = hs_arena_new()) || !(key = hs_policy_cache_key(a, policy, &st)) ||
	    !(path = hs_policy_cache_entry(a, dir, policy)) ||
	    hs_read_root_file(a, path, HS_POLICY_CACHE_MAX, &buf, &len, &err) < 0)
		return 0;
	klen = strlen(key);
	if (len <= klen || memcmp(buf, key, klen) || strncmp(buf + klen, "runtime /", 9))
		return 0;
	/* The runtime: the rest of the file, one absolute path, one final newline. */
	rt = buf + klen + 8;
	nl = memchr(rt, '\n', len - klen - 8);
	if (!nl || nl != buf + len - 1 || memchr(rt, '\0', (size_t)(nl - rt)))
		return 0;
	if (!(*ret_runtime = strndup(rt, (size_t)(nl - rt))))
		return 0;
	return 1;
}
