/* SPDX-License-Identifier: Apache-2.0
 * Small helpers every room uses: scope-bound cleanup, hand-off, the error object. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define HS_EXPORT        __attribute__((visibility("default")))
#define HS_PRINTF(a, b)  __attribute__((format(printf, a, b)))
#define HS_ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

static inline void hs_freep(void *p)
{
	free(*(void **)p);
}
static inline void hs_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void hs_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(hs_freep)
#define _cleanup_close_  _cleanup_(hs_closep)
#define _cleanup_fclose_ _cleanup_(hs_fclosep)

/* Hand ownership out of a cleanup-scoped variable. */
#define TAKE_PTR(p)                     \
	({                              \
		__typeof__(p) _p = (p); \
		(p) = NULL;             \
		_p;                     \
	})
#define TAKE_FD(fd)             \
	({                      \
		int _fd = (fd); \
		(fd) = -1;      \
		_fd;            \
	})

/*
 * The one error contract (see docs/architecture.md): a function that can fail returns a
 * negative errno (or -HS_E*), and where the message matters fills a caller-provided
 * struct hs_error with what, where and why. ret_ parameters are untouched on failure.
 */
enum {
	HS_EPARSE = 1000, /* malformed input: offset is set */
	HS_EPOLICY,       /* input refused by a rule */
	HS_EUSAGE,        /* bad command line */
	HS_ECONFIG,       /* bad policy file */
};

struct hs_error {
	int code;         /* negative errno or -HS_E*; 0 while unset */
	char rule[64];    /* rule id, e.g. "json.duplicate-key", "user.root" */
	char path[256];   /* JSON path ("mounts[3].source"), flag ("--cap") or file */
	long long offset; /* byte offset into the input, or -1 */
	char msg[768];    /* why, for a person */
};

#define HS_ERROR_INIT        \
	{                    \
		.offset = -1 \
	}

/* Fill err (if not NULL and not already set) and return code. The first error wins:
 * it is the one closest to the cause. */
int hs_error_set(struct hs_error *err, int code, const char *rule, const char *path,
		 long long offset, const char *fmt, ...) HS_PRINTF(6, 7);
int hs_error_setv(struct hs_error *err, int code, const char *rule, const char *path,
		  long long offset, const char *fmt, va_list ap) HS_PRINTF(6, 0);
#ifdef __clang_analyzer__
/* The static analyzer cannot see, across files, that hs_error_set returns its code: without
 * this it walks error paths as if they succeeded (scripts/lint.sh, clang-tidy). */
#define hs_error_set(err, code, ...) (hs_error_set((err), (code), __VA_ARGS__), (code))
#endif
/* The longest line hardshim writes for a person (an error, a finding): every buffer that
 * formats one is this size, plus room for a fixed prefix where one is added. */
#define HS_LINE_MAX 1400
/* What a code means, for a person: strerror for an errno, hardshim's own words for -HS_E*
 * (never "Unknown error 1003"). Either sign is accepted. */
const char *hs_strerror(int code);
/* "rule: path: msg (at byte N)" into buf. */
void hs_error_format(const struct hs_error *err, char *buf, size_t size);

/*
 * Arena: one owner for every node of a parsed document and every string a check makes.
 * Freed at once; allocation never fails silently (returns NULL, callers return -ENOMEM).
 */
struct hs_arena;
struct hs_arena *hs_arena_new(void);
void hs_arena_free(struct hs_arena *a);
void *hs_arena_alloc(struct hs_arena *a, size_t size); /* zeroed, aligned for any type */
/* Zeroed, aligned to align (a power of two, at most _Alignof(max_align_t); else NULL): for
 * many small objects of one type, _Alignof that type. Strings (strdup, printf) take no
 * alignment. */
void *hs_arena_alloc_aligned(struct hs_arena *a, size_t size, size_t align);
char *hs_arena_strndup(struct hs_arena *a, const char *s, size_t n);
char *hs_arena_strdup(struct hs_arena *a, const char *s);
char *hs_arena_printf(struct hs_arena *a, const char *fmt, ...) HS_PRINTF(2, 3);
static inline void hs_arena_freep(struct hs_arena **a)
{
	hs_arena_free(*a);
}
#define _cleanup_arena_ _cleanup_(hs_arena_freep)
/* For a process that lives for one command (every hardshim process): free() never gives the
 * heap's top back to the kernel. Each give-back is a brk that unmaps pages and flushes the TLB
 * (a trap to the hypervisor on a guest) for memory the process's exit frees anyway; create paid
 * four of them freeing its documents before the runtime starts. Call once, first thing. */
void hs_heap_keep(void);
/* Gives the process, in one kernel entry each, the next heap bytes malloc hands out and the
 * stack bytes below the caller's frame, instead of one page fault per page as they are first
 * written: for a command that will use them (create: HS_CREATE_HEAP, HS_CREATE_STACK). On a
 * hypervisor that traps user page faults a fault costs ~13 us of CPU here, a page populated
 * ~1 us plus ~6 us at its first touch (docs/performance-log.md, "The create path's page
 * faults"). Best effort, never fails: without MADV_POPULATE_WRITE (Linux < 5.14) nothing
 * changes. Call after hs_heap_keep. */
void hs_memory_populate(size_t heap, size_t stack);
#define HS_CREATE_HEAP  ((size_t)256 * 1024)
#define HS_CREATE_STACK ((size_t)64 * 1024)

/* Safe file I/O. */
/* Read a whole regular file opened with O_NOFOLLOW|O_CLOEXEC, refusing one larger than max.
 * *ret_buf is NUL-terminated and owned by the caller. */
int hs_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
		    struct hs_error *err);
int hs_read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len, struct hs_error *err);
/* Write data to a new file beside path, fsync it, rename it over path, fsync the directory. */
int hs_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			 struct hs_error *err);
/* The same; durable false skips both fsyncs: readers see the whole old or the whole new file,
 * but after a crash the name may hold either (or nothing at all, on some filesystems). */
int hs_replace_file(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		    bool durable, struct hs_error *err);
/* Give the file open on fd a second name in dirfd, replacing whatever had that name (linkat
 * AT_EMPTY_PATH: needs CAP_DAC_READ_SEARCH). No data is copied, nothing is fsync'ed. */
int hs_link_fd_as(int fd, int dirfd, const char *name);
int hs_write_all(int fd, const void *data, size_t len);
/* The NT_GNU_BUILD_ID note of the ELF file open on fd (read with pread: the offset is not
 * moved), as hex into HEX (129 bytes): 0; -ENOEXEC (HEX "") for a file that is not an ELF
 * file of this machine's class and byte order, is malformed or has no such note; -errno when
 * reading failed (src/util/elf-file.c). */
int hs_elf_fd_build_id(int fd, char hex[129]);
/* The same from a note segment already in memory (len bytes): true when found. */
bool hs_elf_notes_build_id(const void *notes, size_t len, char hex[129]);

/* RFC 3339 UTC time with nanoseconds, e.g. 2026-11-22T01:56:17.123456789Z. */
void hs_format_time(char *buf, size_t size);

/* hardshim's version, "RELEASE+gCOMMIT" (src/util/version.c). */
const char *hs_version(void);
