/* SPDX-License-Identifier: Apache-2.0
 * Linked only into the sanitizer build's core (SANITIZE=1, the Makefile): the roots
 * LeakSanitizer's exit check starts from, without the sanitizers' own runtimes.
 *
 * LeakSanitizer (use_globals=1, its default) reads, word by word, the writable segment of
 * every object in the process. Those of libasan.so and libubsan.so are ~5.4 and ~5.8 MiB,
 * almost all of it tables (the stack depot's hash table, ...) no page of which the process
 * has touched: reading them costs ~2900 page faults, ~35 ms of CPU on the project's VM, in
 * every core process the integration suite starts (tests/run.sh, HACKING.md "The whole
 * suite"). Here the core tells LeakSanitizer not to scan globals itself, and at exit, just
 * before its check runs, registers as roots the writable segments of every object then
 * loaded (the core, ld.so, libc, whatever was dlopen'ed) except those two runtimes'. Nothing
 * of the program's heap is referenced only from a sanitizer runtime's tables; and fewer roots
 * can only make more chunks unreachable, so no leak the full scan reports goes unreported.
 * LSAN_OPTIONS=use_globals=1 in the environment restores the full scan.
 */
#include <link.h>
#include <stdlib.h>
#include <string.h>

/* The sanitizers' interface (sanitizer/lsan_interface.h), declared here so that the file
 * reads the same to the tools that analyse src/ without the sanitizers' headers. */
void __lsan_register_root_region(const void *p, size_t size);
const char *__lsan_default_options(void);

__attribute__((visibility("default"))) const char *__lsan_default_options(void)
{
	return "use_globals=0";
}

static int is_sanitizer_runtime(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "libasan.so", strlen("libasan.so")) ||
	       !strncmp(base, "libubsan.so", strlen("libubsan.so"));
}

static int register_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (is_sanitizer_runtime(info->dlpi_name))
		return 0;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) || !ph->p_memsz)
			continue;
		/* NOLINTNEXTLINE(performance-no-int-to-ptr): the loader gives it as an integer */
		__lsan_register_root_region((const void *)(info->dlpi_addr + ph->p_vaddr),
					    ph->p_memsz);
	}
	return 0;
}

/* At exit, before LeakSanitizer's own handler (registered by the runtime's start, before any
 * constructor: atexit handlers run last registered first). */
static void register_roots(void)
{
	dl_iterate_phdr(register_object, NULL);
}

__attribute__((constructor)) static void lsan_roots_init(void)
{
	atexit(register_roots);
}
