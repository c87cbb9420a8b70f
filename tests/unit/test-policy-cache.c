/* SPDX-License-Identifier: Apache-2.0
 * The fast path's policy cache (src/policy/policy-cache.c) trusts an entry only when root
 * alone could have written it, on a path no one else can swap, for exactly this policy file
 * as it is now and this build of hardshim. Each test shows one way an entry must stop being
 * used, next to the case where the same entry is used (so the miss is the judgement's, not a
 * broken fixture). Needs root: entries and directories are chown'ed. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "hs-policy.h"
#include "hs-util.h"

struct fx {
	char dir[64];     /* the test's own directory, root's 0700 */
	char cache[96];   /* the cache directory in it, root's 0755 */
	char policy[96];  /* a policy file in it, root's 0644 */
	char entry[4200]; /* the entry's path once stored */
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *read_text(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	assert_true(getdelim(&buf, &len, '\0', f) > 0);
	fclose(f);
	return buf;
}

/* What the strict read would have seen: the file as it is, read well after its last change
 * (HS_POLICY_CACHE_SETTLE), so that the store's own rule lets it through. */
static struct hs_policy_seen seen_settled(const char *path)
{
	struct hs_policy_seen s;

	assert_int_equal(stat(path, &s.st), 0);
	s.at = s.st.st_ctim;
	s.at.tv_sec += HS_POLICY_CACHE_SETTLE + 1;
	return s;
}

static void find_entry(struct fx *f)
{
	DIR *d = opendir(f->cache);
	struct dirent *e;

	assert_non_null(d);
	f->entry[0] = '\0';
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "policy-", 7))
			snprintf(f->entry, sizeof(f->entry), "%s/%s", f->cache, e->d_name);
	closedir(d);
	assert_true(f->entry[0] != '\0');
}

/* A directory, a cache in it and a policy whose entry is stored (and used). */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hs_policy_seen s;

	if (!f || geteuid() != 0) {
		free(f);
		*state = NULL;
		return 0;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/hs-pcache-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->cache, sizeof(f->cache), "%s/cache", f->dir);
	snprintf(f->policy, sizeof(f->policy), "%s/policy.json", f->dir);
	write_file(f->policy, "{\"runtime\": \"/usr/bin/runc\"}\n", 0644);
	s = seen_settled(f->policy);
	assert_int_equal(hs_policy_cache_store(f->cache, f->policy, &s, "/usr/bin/runc"), 1);
	find_entry(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	if (f) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		assert_int_equal(system(cmd), 0);
		free(f);
	}
	return 0;
}

#define NEED_ROOT(f)                                                                       \
	do {                                                                               \
		if (!(f))                                                                  \
			skip(); /* not root: entries and directories cannot be chown'ed */ \
	} while (0)

/* 1 with RUNTIME, or 0. */
static int lookup(const struct fx *f, const char *policy, const char *runtime)
{
	char *rt = NULL;
	int r = hs_policy_cache_lookup(f->cache, policy, &rt);

	if (r > 0)
		assert_string_equal(rt, runtime);
	else
		assert_null(rt);
	free(rt);
	return r;
}

static void test_stored_entry_is_used(void **state)
{
	struct fx *f = *state;
	struct stat st;

	NEED_ROOT(f);
	assert_int_equal(lookup(f, f->policy, "/usr/bin/runc"), 1);
	/* the entry: root's alone, 0600 */
	assert_int_equal(stat(f->entry, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

/* A policy changed less than HS_POLICY_CACHE_SETTLE s before its read gets no entry: a
 * second write in the same timestamp tick would keep its ctime. */
static void test_fresh_policy_not_stored(void **state)
{
	struct fx *f = *state;
	struct hs_policy_seen s;

	NEED_ROOT(f);
	assert_int_equal(unlink(f->entry), 0);
	s = seen_settled(f->policy);
	s.at.tv_sec = s.st.st_ctim.tv_sec + HS_POLICY_CACHE_SETTLE - 1;
	assert_int_equal(hs_policy_cache_store(f->cache, f->policy, &s, "/usr/bin/runc"), 0);
	assert_int_equal(access(f->entry, F_OK), -1);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
}

/* Rewrite the policy in place with TEXT (same size), keep its mtime, until the kernel has
 * given it a ctime other than the stored one (a write within the same clock tick keeps it:
 * the store's settle rule is what covers that, not this test). */
static void rewrite_in_place(const struct fx *f, const char *text)
{
	struct stat before, after;
	struct timespec times[2];

	assert_int_equal(stat(f->policy, &before), 0);
	for (int i = 0; i < 2000; i++) {
		int fd = open(f->policy, O_WRONLY | O_CLOEXEC);

		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, text, strlen(text), 0), (ssize_t)strlen(text));
		times[0] = before.st_atim;
		times[1] = before.st_mtim;
		assert_int_equal(futimens(fd, times), 0);
		close(fd);
		assert_int_equal(stat(f->policy, &after), 0);
		if (after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
		    after.st_ctim.tv_nsec != before.st_ctim.tv_nsec)
			break;
		usleep(1000);
	}
	assert_int_equal(after.st_size, before.st_size);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	assert_true(after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
		    after.st_ctim.tv_nsec != before.st_ctim.tv_nsec);
}

static void test_in_place_change_same_size_same_mtime(void **state)
{
	struct fx *f = *state;

	NEED_ROOT(f);
	rewrite_in_place(f, "{\"runtime\": \"/usr/bin/crun\"}\n");
	assert_int_equal(lookup(f, f->policy, NULL), 0);
}

static void test_renamed_over_same_size_same_mtime(void **state)
{
	struct fx *f = *state;
	char other[128];
	struct stat st;
	struct timespec times[2];

	NEED_ROOT(f);
	assert_int_equal(stat(f->policy, &st), 0);
	snprintf(other, sizeof(other), "%s/new.json", f->dir);
	write_file(other, "{\"runtime\": \"/usr/bin/crun\"}\n", 0644);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	assert_int_equal(utimensat(AT_FDCWD, other, times, 0), 0);
	assert_int_equal(rename(other, f->policy), 0);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
}

/* The policy itself stops being root's alone: the fast path's full read refuses it, and so
 * no entry may answer for it. */
static void test_policy_made_group_writable(void **state)
{
	struct fx *f = *state;

	NEED_ROOT(f);
	assert_int_equal(chmod(f->policy, 0664), 0);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
}

static void test_entry_not_roots_alone(void **state)
{
	struct fx *f = *state;

	NEED_ROOT(f);
	assert_int_equal(chown(f->entry, 65534, 0), 0);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
	assert_int_equal(chown(f->entry, 0, 0), 0);
	assert_int_equal(chmod(f->entry, 0620), 0);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
	assert_int_equal(chmod(f->entry, 0602), 0);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
	/* the same bytes, root's alone again: used */
	assert_int_equal(chmod(f->entry, 0600), 0);
	assert_int_equal(lookup(f, f->policy, "/usr/bin/runc"), 1);
}

/* The cache directory (or one above it) could be swapped by someone other than root: its
 * entries are never read, and nothing is written there. */
static void test_swappable_directory(void **state)
{
	struct fx *f = *state;
	struct hs_policy_seen s;

	NEED_ROOT(f);
	s = seen_settled(f->policy);
	assert_int_equal(chown(f->cache, 65534, 65534), 0);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
	assert_true(hs_policy_cache_store(f->cache, f->policy, &s, "/usr/bin/runc") < 0);
	assert_int_equal(chown(f->cache, 0, 0), 0);
	assert_int_equal(chmod(f->cache, 0775), 0);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
	assert_int_equal(chmod(f->cache, 0755), 0);
	/* a directory above it */
	assert_int_equal(chown(f->dir, 65534, 0), 0);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
	assert_int_equal(chown(f->dir, 0, 0), 0);
	assert_int_equal(lookup(f, f->policy, "/usr/bin/runc"), 1);
}

/* Another policy path (hardshim-NAME's NAME.json, or the same inode under another name)
 * never uses this policy's entry, even laid under its own entry's name. */
static void test_other_policy_path(void **state)
{
	struct fx *f = *state;
	struct hs_policy_seen s;
	char other[128], *text;
	struct fx g;

	NEED_ROOT(f);
	snprintf(other, sizeof(other), "%s/db.json", f->dir);
	assert_int_equal(link(f->policy, other), 0);
	g = *f;
	assert_int_equal(unlink(f->entry), 0);
	s = seen_settled(other);
	assert_int_equal(hs_policy_cache_store(f->cache, other, &s, "/usr/bin/runc"), 1);
	find_entry(&g); /* db.json's entry, the only one now */
	s = seen_settled(f->policy);
	assert_int_equal(hs_policy_cache_store(f->cache, f->policy, &s, "/usr/bin/runc"), 1);
	text = read_text(f->entry);
	write_file(g.entry, text, 0600);
	free(text);
	assert_int_equal(lookup(f, other, NULL), 0);
	assert_int_equal(lookup(f, f->policy, "/usr/bin/runc"), 1);
}

/* Whatever does not read back exactly as an entry of this build for this file is a miss. */
static void test_entry_must_match_exactly(void **state)
{
	struct fx *f = *state;
	static const char *const bad_tails[] = {
		"runtime /usr/bin/runc\nruntime /bin/sh\n", /* a second line */
		"runtime /usr/bin/runc",                    /* no final newline */
		"runtime usr/bin/runc\n",                   /* not absolute */
		"runtime \n",                               /* empty */
		"",                                         /* no runtime */
	};
	char *text, *rt, buf[8192];

	NEED_ROOT(f);
	text = read_text(f->entry);
	rt = strstr(text, "runtime /usr/bin/runc\n");
	assert_non_null(rt);
	for (size_t i = 0; i < HS_ARRAY_SIZE(bad_tails); i++) {
		snprintf(buf, sizeof(buf), "%.*s%s", (int)(rt - text), text, bad_tails[i]);
		write_file(f->entry, buf, 0600);
		assert_int_equal(lookup(f, f->policy, NULL), 0);
	}
	/* another build of hardshim */
	snprintf(buf, sizeof(buf), "%s", text);
	buf[strlen("hardshim policy cache 1\nbuild ")] ^= 1;
	write_file(f->entry, buf, 0600);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
	/* another format version */
	snprintf(buf, sizeof(buf), "%s", text);
	buf[strlen("hardshim policy cache ")] = '2';
	write_file(f->entry, buf, 0600);
	assert_int_equal(lookup(f, f->policy, NULL), 0);
	/* the entry as stored: used */
	write_file(f->entry, text, 0600);
	assert_int_equal(lookup(f, f->policy, "/usr/bin/runc"), 1);
	free(text);
}

/* The runtime is one absolute line: anything else is not stored. */
static void test_unstorable_runtime(void **state)
{
	struct fx *f = *state;
	struct hs_policy_seen s;

	NEED_ROOT(f);
	s = seen_settled(f->policy);
	assert_int_equal(hs_policy_cache_store(f->cache, f->policy, &s, "runc"), 0);
	assert_int_equal(hs_policy_cache_store(f->cache, f->policy, &s, "/usr/bin/ru\nnc"), 0);
	assert_int_equal(lookup(f, f->policy, "/usr/bin/runc"), 1);
}

/* The key carries this program's own build id, the one its file holds: a program whose id is
 * not found (a -static-pie before hs_elf_build_id read the load address: test-elf-file's
 * static_pie_program) would get no key, and so silently no cache. */
static void test_key_has_own_build_id(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	char hex[129], want[160];
	const char *key;
	struct stat st;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(hs_elf_fd_build_id(fd, hex), 0);
	close(fd);
	assert_int_equal(stat("/", &st), 0);
	key = hs_policy_cache_key(a, "/etc/hardshim/policy.json", &st);
	assert_non_null(key);
	snprintf(want, sizeof(want), "\nbuild %s\n", hex);
	assert_non_null(strstr(key, want));
	/* a path that would not read back as one line: no key */
	assert_null(hs_policy_cache_key(a, "/etc/a\nb", &st));
}

static void test_cache_dir_from_environment(void **state)
{
	(void)state;
	assert_int_equal(unsetenv("HARDSHIM_POLICY_CACHE"), 0);
	assert_string_equal(hs_policy_cache_dir(), HS_POLICY_CACHE_DIR);
	assert_int_equal(setenv("HARDSHIM_POLICY_CACHE", "", 1), 0);
	assert_null(hs_policy_cache_dir());
	assert_int_equal(setenv("HARDSHIM_POLICY_CACHE", "rel/dir", 1), 0);
	assert_null(hs_policy_cache_dir());
	assert_int_equal(setenv("HARDSHIM_POLICY_CACHE", "/x/y", 1), 0);
	assert_string_equal(hs_policy_cache_dir(), "/x/y");
	assert_int_equal(unsetenv("HARDSHIM_POLICY_CACHE"), 0);
	/* no directory: never a hit */
	assert_int_equal(hs_policy_cache_lookup(NULL, "/etc/hardshim/policy.json",
						&(char *){ NULL }),
			 0);
}

/* hs_policy_load_runtime end to end: an entry answers; a policy broken since (in place, same
 * size, same mtime) is refused exactly as without a cache, naming the rule and the byte
 * offset. */
static void test_load_runtime_sees_broken_policy(void **state)
{
	struct fx *f = *state;
	struct hs_error err = HS_ERROR_INIT, plain = HS_ERROR_INIT;
	char *rt = NULL;

	NEED_ROOT(f);
	assert_int_equal(setenv("HARDSHIM_POLICY_CACHE", f->cache, 1), 0);
	assert_int_equal(hs_policy_load_runtime(f->policy, &rt, &err), 0);
	assert_string_equal(rt, "/usr/bin/runc");
	free(rt);
	rt = NULL;
	rewrite_in_place(f, "{\"runtime\": \"/usr/bin/runc\"]\n");
	assert_true(hs_policy_load_runtime(f->policy, &rt, &err) < 0);
	assert_null(rt);
	assert_string_equal(err.rule, "policy.syntax");
	assert_true(err.offset > 0); /* printed "(at byte N)" */
	/* the same refusal without a cache */
	assert_int_equal(setenv("HARDSHIM_POLICY_CACHE", "", 1), 0);
	assert_true(hs_policy_load_runtime(f->policy, &rt, &plain) < 0);
	assert_string_equal(err.rule, plain.rule);
	assert_string_equal(err.msg, plain.msg);
	assert_int_equal(err.offset, plain.offset);
	assert_int_equal(unsetenv("HARDSHIM_POLICY_CACHE"), 0);
}

/* PATH in the test's directory: a policy naming runc, stored (root's 0644, settled). */
static void store_policy(const struct fx *f, const char *name, char *path, size_t size)
{
	struct hs_policy_seen s;

	snprintf(path, size, "%s/%s", f->dir, name);
	write_file(path, "{\"runtime\": \"/usr/bin/runc\"}\n", 0644);
	s = seen_settled(path);
	assert_int_equal(hs_policy_cache_store(f->cache, path, &s, "/usr/bin/runc"), 1);
}

/* The entry NAME of the cache, or "" when it does not exist; the entry's name for POLICY. */
static bool cache_has(const struct fx *f, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", f->cache, name);
	return !lstat(path, &st);
}

static const char *entry_of(const char *policy)
{
	static char name[64];
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();

	assert_non_null(a);
	snprintf(name, sizeof(name), "%s", hs_policy_cache_entry(a, "", policy) + 1);
	return name;
}

static int count_entries(const struct fx *f)
{
	DIR *d = opendir(f->cache);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "policy-", 7);
	closedir(d);
	return n;
}

/* A write prunes what no lookup could use any more: another build's entry, the entry of a
 * policy removed or changed since, an entry under another policy's name, a dead writer's
 * temporary file. It keeps the live entries of other policies, a writer's fresh temporary
 * file, and whatever is not a regular file with a name hardshim gives. */
static void test_store_prunes_dead_entries(void **state)
{
	struct fx *f = *state;
	char gone[128], changed[128], live[128], odd[256], path[4300], *text, *b;
	struct timespec old[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
	struct hs_policy_seen s;
	char other_build[32];
	const char *stale_temp = ".policy-0123456789abcdef.cache.hardshim-12345";
	const char *fresh_temp = ".policy-0123456789abcdef.cache.hardshim-12346";

	NEED_ROOT(f);
	store_policy(f, "gone.json", gone, sizeof(gone));
	store_policy(f, "changed.json", changed, sizeof(changed));
	store_policy(f, "live.json", live, sizeof(live));
	/* another build's entry: live.json's, its build line changed, under a name of its own */
	snprintf(path, sizeof(path), "%s/%s", f->cache, entry_of(live));
	text = read_text(path);
	assert_non_null(b = strstr(text, "\nbuild "));
	b[7] = b[7] == '0' ? '1' : '0';
	snprintf(other_build, sizeof(other_build), "policy-00000000000000b1.cache");
	snprintf(path, sizeof(path), "%s/%s", f->cache, other_build);
	write_file(path, text, 0600);
	free(text);
	/* f->policy's entry under another policy's name: never looked up */
	text = read_text(f->entry);
	snprintf(path, sizeof(path), "%s/policy-00000000000000c2.cache", f->cache);
	write_file(path, text, 0600);
	free(text);
	assert_int_equal(unlink(gone), 0);
	write_file(changed, "{\"runtime\": \"/usr/bin/crun\"}\n", 0644);
	snprintf(path, sizeof(path), "%s/%s", f->cache, stale_temp);
	write_file(path, "x", 0600);
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	snprintf(path, sizeof(path), "%s/%s", f->cache, fresh_temp);
	write_file(path, "x", 0600);
	/* not hardshim's names, or not regular files: never touched */
	snprintf(path, sizeof(path), "%s/notes", f->cache);
	write_file(path, "x", 0600);
	snprintf(path, sizeof(path), "%s/policy-00000000000000d3.cache", f->cache);
	assert_int_equal(symlink(gone, path), 0);
	snprintf(path, sizeof(path), "%s/policy-00000000000000e4.cache", f->cache);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(odd, sizeof(odd), "%s/policy-00000000000000F5.cache", f->cache);
	write_file(odd, "x", 0600);
	assert_true(cache_has(f, entry_of(gone)) && cache_has(f, entry_of(changed)));

	s = seen_settled(f->policy);
	assert_int_equal(hs_policy_cache_store(f->cache, f->policy, &s, "/usr/bin/runc"), 1);
	assert_false(cache_has(f, entry_of(gone)));
	assert_false(cache_has(f, entry_of(changed)));
	assert_false(cache_has(f, other_build));
	assert_false(cache_has(f, "policy-00000000000000c2.cache"));
	assert_false(cache_has(f, stale_temp));
	assert_true(cache_has(f, fresh_temp));
	assert_true(cache_has(f, "notes"));
	assert_true(cache_has(f, "policy-00000000000000d3.cache"));
	assert_true(cache_has(f, "policy-00000000000000e4.cache"));
	assert_true(cache_has(f, "policy-00000000000000F5.cache"));
	assert_int_equal(access(gone, F_OK), -1); /* the symlink's target was not created */
	/* the live ones are used */
	assert_int_equal(lookup(f, live, "/usr/bin/runc"), 1);
	assert_int_equal(lookup(f, f->policy, "/usr/bin/runc"), 1);
}

/* Beyond HS_POLICY_CACHE_ENTRIES live entries, a write removes the least recently written;
 * never the one it wrote. */
static void test_store_bounds_entries(void **state)
{
	struct fx *f = *state;
	char name[32], path[4300], last[128];
	struct timespec t[2];
	struct hs_policy_seen s;

	NEED_ROOT(f);
	/* f->policy's entry plus 63 more: exactly the bound, nothing removed */
	for (int i = 1; i < HS_POLICY_CACHE_ENTRIES; i++) {
		snprintf(name, sizeof(name), "p%02d.json", i);
		store_policy(f, name, path, sizeof(path));
	}
	assert_int_equal(count_entries(f), HS_POLICY_CACHE_ENTRIES);
	/* written in the order p01 ... p63, then f->policy's (the oldest of all: its own entry
	 * is never the one a write removes) */
	for (int i = 1; i < HS_POLICY_CACHE_ENTRIES; i++) {
		snprintf(path, sizeof(path), "%s/p%02d.json", f->dir, i);
		snprintf(path, sizeof(path), "%s/%s", f->cache, entry_of(path));
		t[0] = t[1] = (struct timespec){ .tv_sec = 1500000000 + i };
		assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
	}
	t[0] = t[1] = (struct timespec){ .tv_sec = 1400000000 };
	assert_int_equal(utimensat(AT_FDCWD, f->entry, t, 0), 0);
	store_policy(f, "last.json", last, sizeof(last));
	assert_int_equal(count_entries(f), HS_POLICY_CACHE_ENTRIES);
	assert_true(cache_has(f, entry_of(last)));
	snprintf(path, sizeof(path), "%s/p01.json", f->dir);
	assert_true(cache_has(f, entry_of(path)));
	assert_false(cache_has(f, strrchr(f->entry, '/') + 1)); /* the least recently written */
	/* f->policy stored again: its entry back, p01's (now the oldest) gone */
	s = seen_settled(f->policy);
	assert_int_equal(hs_policy_cache_store(f->cache, f->policy, &s, "/usr/bin/runc"), 1);
	assert_int_equal(count_entries(f), HS_POLICY_CACHE_ENTRIES);
	assert_int_equal(lookup(f, f->policy, "/usr/bin/runc"), 1);
	assert_false(cache_has(f, entry_of(path)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stored_entry_is_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_policy_not_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_place_change_same_size_same_mtime, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_renamed_over_same_size_same_mtime, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_made_group_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_not_roots_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swappable_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_policy_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_must_match_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unstorable_runtime, setup, teardown),
		cmocka_unit_test(test_cache_dir_from_environment),
		cmocka_unit_test(test_key_has_own_build_id),
		cmocka_unit_test_setup_teardown(test_load_runtime_sees_broken_policy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_prunes_dead_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_bounds_entries, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
