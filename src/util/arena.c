/* SPDX-License-Identifier: Apache-2.0
 * A bump allocator: a parsed document is thousands of small nodes with one lifetime. */
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hs-util.h"

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct hs_arena {
	struct chunk *head;
};

#define CHUNK_MIN ((size_t)64 * 1024)

struct hs_arena *hs_arena_new(void)
{
	return calloc(1, sizeof(struct hs_arena));
}

void hs_arena_free(struct hs_arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void hs_heap_keep(void)
{
	/* mallopt takes an int: INT_MAX (2 GiB) is above any heap hardshim makes. Setting it
	 * also fixes the mmap threshold at its default: blocks of 128 KiB and more still come
	 * from mmap, and go back to the kernel when freed. */
	(void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* The pages of [lo, hi) given in one kernel entry. Best effort: an older kernel (EINVAL), a
 * range the stack's mapping does not reach (ENOMEM) or a sanitizer's allocator only leave
 * the pages to be faulted in one by one, as before. */
static void populate(char *lo, char *hi)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);

	lo += (pg - (uintptr_t)lo % pg) % pg;
	hi -= (uintptr_t)hi % pg;
	if (hi > lo)
		(void)madvise(lo, (size_t)(hi - lo), MADV_POPULATE_WRITE);
}

/* The heap: pieces below glibc's mmap threshold (128 KiB) come from the heap's top, one
 * after the other, and go back to it when freed (hs_heap_keep: the break stays), so the
 * documents parsed next land on the pages populated here. */
#define POPULATE_PIECE  ((size_t)64 * 1024)
#define POPULATE_PIECES 16

void hs_memory_populate(size_t heap, size_t stack)
{
	void *piece[POPULATE_PIECES];
	size_t n = 0;

	for (size_t got = 0; got < heap && n < POPULATE_PIECES; got += POPULATE_PIECE) {
		if (!(piece[n] = malloc(POPULATE_PIECE)))
			break;
		n++;
	}
	if (n) {
		char *lo = piece[0], *hi = (char *)piece[n - 1] + POPULATE_PIECE;

		/* one range when they lie one after the other (glibc's heap), else piece by piece */
		if (hi > lo && (size_t)(hi - lo) <= 2 * n * POPULATE_PIECE)
			populate(lo, hi);
		else
			for (size_t i = 0; i < n; i++)
				populate(piece[i], (char *)piece[i] + POPULATE_PIECE);
	}
	while (n)
		free(piece[--n]);
	if (stack) {
		char *sp = __builtin_frame_address(0);

		if ((uintptr_t)sp > stack)
			populate(sp - stack, sp);
	}
}

/* size bytes at the next multiple of align (a power of two, at most max_align_t's) in the
 * current chunk, or at the start of a new one. Strings take align 1 and nodes their own type's
 * (8): rounding every allocation up to max_align_t (16) spent 16 % of a create's arena, some
 * 16 KB, four pages that each cost a fault. */
static void *take(struct hs_arena *a, size_t size, size_t align)
{
	struct chunk *c = a->head;
	size_t at = 0;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (c)
		at = (c->used + align - 1) & ~(align - 1);
	if (!c || at > c->size || c->size - at < size) {
		size_t want = size > CHUNK_MIN ? size : CHUNK_MIN;

		c = malloc(sizeof(*c) + want);
		if (!c)
			return NULL;
		c->size = want;
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	p = (char *)c->data + at;
	c->used = at + size;
	return memset(p, 0, size);
}

void *hs_arena_alloc(struct hs_arena *a, size_t size)
{
	return take(a, size, _Alignof(max_align_t));
}

void *hs_arena_alloc_aligned(struct hs_arena *a, size_t size, size_t align)
{
	if (!align || align > _Alignof(max_align_t) || (align & (align - 1)))
		return NULL;
	return take(a, size, align);
}

char *hs_arena_strndup(struct hs_arena *a, const char *s, size_t n)
{
	char *p = take(a, n + 1, 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

char *hs_arena_strdup(struct hs_arena *a, const char *s)
{
	return hs_arena_strndup(a, s, strlen(s));
}

char *hs_arena_printf(struct hs_arena *a, const char *fmt, ...)
{
	struct chunk *c;
	va_list ap;
	size_t room;
	int n;
	char *p;

	/* Formatted once, straight into the free room of the current chunk, when it fits (it
	 * nearly always does): a measuring pass first doubled the cost of every such string.
	 * A string takes no alignment: it starts where the chunk's use ends. */
	if (!take(a, 0, 1)) /* a chunk, even for a new arena */
		return NULL;
	c = a->head;
	room = c->size - c->used;
	p = (char *)c->data + c->used;
	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if ((size_t)n < room) {
		c->used += (size_t)n + 1;
		return p;
	}
	if (!(p = take(a, (size_t)n + 1, 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
