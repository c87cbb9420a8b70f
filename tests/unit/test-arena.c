/* SPDX-License-Identifier: Apache-2.0
 * The arena (src/util/arena.c): hs_arena_printf formats straight into the current chunk's free
 * room when the string fits, and through a new allocation when it does not; either way the
 * string is whole, and what the arena hands out afterwards is aligned and does not overlap. Each
 * fails if the room is taken as one byte larger. Strings are packed, nodes at their own
 * alignment (test_packed). And hs_heap_keep: a free at the heap's top does not lower the break.
 * hs_memory_populate: the stack below the caller and the heap malloc hands out next are given
 * at once, so first writes to them take (almost) no page fault, where the same writes without
 * it take one per page (counted by the kernel: getrusage's ru_minflt). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#include "hs-util.h"

#define ALIGNED(p) (((uintptr_t)(p) % _Alignof(max_align_t)) == 0)

static void test_printf_fits_and_overflows(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_free_ char *big = malloc(100 * 1024 + 1);
	const char *s[3000];
	char want[128];

	assert_non_null(a);
	assert_non_null(big);
	/* a new arena: the first string makes its first chunk */
	assert_string_equal(hs_arena_printf(a, "%s %d %09ld %o", "x", -7, 42L, 0755u),
			    "x -7 000000042 755");
	/* enough small strings to fill several 64 KB chunks: each ends where the room ends
	 * at some point, and then goes to the next chunk */
	for (int i = 0; i < 3000; i++) {
		s[i] = hs_arena_printf(a, "string %d of the arena, padded to some length %*s", i,
				       i % 37, "");
		assert_non_null(s[i]);
		/* strings take no alignment: each starts right after the one before, or at
		 * a new chunk's start */
		assert_true(i == 0 || s[i] == s[i - 1] + strlen(s[i - 1]) + 1 || ALIGNED(s[i]));
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(want, sizeof(want), "string %d of the arena, padded to some length %*s", i,
			 i % 37, "");
		assert_string_equal(s[i], want);
	}
	/* longer than any chunk's room: formatted again into its own allocation */
	memset(big, 'b', 100 * 1024);
	big[100 * 1024] = '\0';
	const char *p = hs_arena_printf(a, "<%s>", big);
	assert_non_null(p);
	assert_int_equal(strlen(p), 100 * 1024 + 2);
	assert_true(p[0] == '<' && p[1] == 'b' && p[100 * 1024] == 'b' && p[100 * 1024 + 1] == '>');
	/* and the arena goes on: an allocation after it is zeroed and aligned, the strings
	 * before it are untouched */
	unsigned char *z = hs_arena_alloc(a, 100);
	assert_non_null(z);
	assert_true(ALIGNED(z));
	for (int i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	const char *after = hs_arena_printf(a, "%s", "after");
	assert_string_equal(after, "after");
	assert_true(after >= (const char *)z + 100 || after + 6 <= (const char *)z);
	assert_string_equal(s[2999], want);
	assert_string_equal(p + 100 * 1024 + 1, ">");
}

/* The boundaries: a string of exactly the room's size less one fits; one more char does not
 * (arena.c's chunks are 64 KB: the first allocation leaves 32 bytes of room). */
static void test_printf_at_the_room(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	const char *p, *q;

	assert_non_null(a);
	assert_non_null(hs_arena_alloc(a, 64 * 1024 - 32));
	p = hs_arena_printf(a, "%031d", 7); /* 31 chars + NUL: the whole room */
	assert_non_null(p);
	assert_int_equal(strlen(p), 31);
	assert_true(p[30] == '7');
	assert_non_null(hs_arena_alloc(a, 64 * 1024 - 32)); /* a new chunk, 32 left */
	q = hs_arena_printf(a, "%032d", 8); /* 32 chars + NUL: one more than the room */
	assert_non_null(q);
	assert_int_equal(strlen(q), 32);
	assert_true(q[31] == '8');
	assert_int_equal(strlen(p), 31);
}

/* What the arena hands out is packed at each kind's own alignment: strings one after the other
 * (no rounding to 16), objects of hs_arena_alloc_aligned at theirs (a 40-byte node at 8, the
 * next one 40 bytes on), hs_arena_alloc at max_align_t whatever came before; a bad alignment
 * is refused. The old arena rounded every size to 16: the first check fails there. */
static void test_packed(void **state)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	char *s1, *s2, *s3;
	unsigned char *n1, *n2, *z;

	assert_non_null(a);
	s1 = hs_arena_strdup(a, "abc");
	s2 = hs_arena_strndup(a, "defgh", 2);
	s3 = hs_arena_printf(a, "%d", 42);
	assert_non_null(s1);
	assert_ptr_equal(s2, s1 + 4);
	assert_ptr_equal(s3, s2 + 3);
	assert_string_equal(s1, "abc");
	assert_string_equal(s2, "de");
	assert_string_equal(s3, "42");
	n1 = hs_arena_alloc_aligned(a, 40, 8);
	n2 = hs_arena_alloc_aligned(a, 40, 8);
	assert_non_null(n1);
	assert_true((uintptr_t)n1 % 8 == 0 && n1 >= (unsigned char *)s3 + 3 &&
		    n1 < (unsigned char *)s3 + 3 + 8);
	assert_ptr_equal(n2, n1 + 40);
	z = hs_arena_alloc(a, 1);
	assert_true(ALIGNED(z) && z >= n2 + 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(n1[i] | n2[i], 0);
	assert_null(hs_arena_alloc_aligned(a, 8, 3));
	assert_null(hs_arena_alloc_aligned(a, 8, 0));
	assert_null(hs_arena_alloc_aligned(a, 8, 2 * _Alignof(max_align_t)));
}

/* hs_heap_keep: freeing a megabyte of arena chunks at the heap's top leaves the break where it
 * was (glibc's default trims the top once 128 KiB are free: the break would drop). Under ASan
 * or valgrind, whose malloc does not use brk, the break does not move either way. Last: the
 * setting is the process's. */
static void test_heap_keep(void **state)
{
	struct hs_arena *a = hs_arena_new();
	void *top;

	assert_non_null(a);
	hs_heap_keep();
	for (int i = 0; i < 16; i++)
		assert_non_null(hs_arena_alloc(a, 60 * 1024)); /* one 64 KiB chunk each */
	top = sbrk(0);
	hs_arena_free(a);
	assert_ptr_equal(sbrk(0), top);
}

static long minflt(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_THREAD, &ru), 0);
	return ru.ru_minflt;
}

/* 40 KiB of this function's own stack written, a byte per page (10 pages and the frame) */
static __attribute__((noinline)) void write_stack(void)
{
	volatile char buf[40 * 1024];

	for (size_t i = 0; i < sizeof(buf); i += 4096)
		buf[i] = 1;
	buf[sizeof(buf) - 1] = 1;
}

static void *stack_faults(void *populate)
{
	long before;

	if (populate)
		hs_memory_populate(0, 64 * 1024);
	before = minflt();
	write_stack();
	return (void *)(minflt() - before);
}

/* Each run on a fresh stack of its own (never touched: mmap'd for it), so that neither sees
 * pages the other or an earlier test faulted in. */
static long faults_on_fresh_stack(bool populate)
{
	size_t size = 1024 * 1024;
	void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0),
	     *ret = NULL;
	pthread_attr_t attr;
	pthread_t t;

	assert_true(stack != MAP_FAILED);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstack(&attr, stack, size), 0);
	assert_int_equal(pthread_create(&t, &attr, stack_faults, populate ? "" : NULL), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	pthread_attr_destroy(&attr);
	munmap(stack, size);
	return (long)ret;
}

/* Without it the 40 KiB take 10 faults or more; with it at most 2 (under ASan its shadow of the
 * new stack pages faults too, alike in both: compared, not counted). */
static void test_populate_stack(void **state)
{
	long plain, populated;

	if (RUNNING_ON_VALGRIND) {
		print_message("# test_populate_stack: skipped under valgrind, whose own writes "
			      "fault too; it runs in the plain unit pass\n");
		skip();
		return;
	}
	plain = faults_on_fresh_stack(false);
	populated = faults_on_fresh_stack(true);
	print_message("# stack: %ld faults plain, %ld populated\n", plain, populated);
	assert_true(plain >= 10);
	assert_true(populated + 8 <= plain);
}

/* 12 blocks of 16 KiB written, a byte per page: on fresh heap 48 faults; on what
 * hs_memory_populate gave, (nearly) none. Earlier tests left written pages at the heap's top:
 * 64 KiB blocks are held until one lies above the break as it was (new to the process), then
 * the first 12 blocks, also held, so the next come from the heap's top, where the populated
 * pieces went back. glibc's malloc only: ASan's and valgrind's keep freed blocks aside
 * (quarantine), the next malloc does not reuse them. Last (after test_heap_keep): it sets
 * hs_heap_keep too. */
static long write_blocks(void **b)
{
	long before = minflt();

	for (size_t i = 0; i < 12; i++) {
		assert_non_null(b[i] = malloc(16 * 1024));
		for (size_t k = 0; k < 16 * 1024; k += 4096)
			((volatile char *)b[i])[k] = 1;
	}
	return minflt() - before;
}

static void test_populate_heap(void **state)
{
	void *old[256], *held[12], *b[12];
	char *brk0 = sbrk(0);
	size_t n = 0;
	long plain, populated;

	if (RUNNING_ON_VALGRIND || UNDER_ASAN) {
		print_message("# test_populate_heap: skipped under %s, whose allocator keeps freed "
			      "blocks aside (quarantine); it runs in the plain unit pass\n",
			      RUNNING_ON_VALGRIND ? "valgrind" : "ASan");
		skip();
		return;
	}
	hs_heap_keep();
	do
		assert_non_null(old[n] = malloc(64 * 1024));
	while ((char *)old[n++] < brk0 && n < 256);
	plain = write_blocks(held);
	hs_memory_populate(256 * 1024, 0);
	populated = write_blocks(b);
	print_message("# heap: %ld faults plain, %ld populated\n", plain, populated);
	for (size_t i = 0; i < 12; i++) {
		free(b[i]);
		free(held[i]);
	}
	while (n)
		free(old[--n]);
	assert_true(plain >= 40);
	assert_true(populated <= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_fits_and_overflows),
		cmocka_unit_test(test_printf_at_the_room),
		cmocka_unit_test(test_packed),
		cmocka_unit_test(test_heap_keep),
		cmocka_unit_test(test_populate_stack),
		cmocka_unit_test(test_populate_heap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
