/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

#include "hs-dlopen.h"

#define DL_FLAGS (RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)

struct loaded_object {
	uintptr_t addr;   /* an address inside the object */
	const char *name; /* its file, as ld.so named it */
};

static int find_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct loaded_object *o = data;

	(void)size;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && o->addr >= start && o->addr - start < ph->p_memsz) {
			o->name = info->dlpi_name;
			return 1;
		}
	}
	return 0;
}

/* The directory ld.so loaded libc from, with its slash ("/lib/x86_64-linux-gnu/"), or ""
 * when ld.so did not name it by an absolute path. The object is found by an address of
 * libc's (dladdr would also search libc's symbol table for the nearest name). */
static const char *libc_dir(void)
{
	static char dir[PATH_MAX];
	static bool done;
	struct loaded_object o = { .addr = (uintptr_t)gnu_get_libc_version };
	const char *slash;

	if (done)
		return dir;
	done = true;
	dl_iterate_phdr(find_object, &o);
	if (o.name && o.name[0] == '/' && (slash = strrchr(o.name, '/')) &&
	    (size_t)(slash - o.name) + 1 < sizeof(dir))
		memcpy(dir, o.name, (size_t)(slash - o.name) + 1);
	return dir;
}

/* The library beside libc, by its full path; only when it is not there, by its soname. A
 * soname makes ld.so search: it maps /etc/ld.so.cache, looks the name up and unmaps the cache
 * again, for every dlopen. The unmap flushes the TLB, which traps to the hypervisor on a VM
 * (~0.2 ms of CPU per library on the build machine; create loads three). The system's
 * libraries sit beside libc (a distribution's multiarch directory); an environment's search
 * path (LD_LIBRARY_PATH) does not choose them. */
static void *open_library(const char *soname)
{
	const char *dir = libc_dir();
	char path[PATH_MAX];
	void *dl;

	if (dir[0] && snprintf(path, sizeof(path), "%s%s", dir, soname) < (int)sizeof(path) &&
	    (dl = dlopen(path, DL_FLAGS)))
		return dl;
	return dlopen(soname, DL_FLAGS);
}

int hs_dlopen_many(void **handle, const char *soname, struct hs_error *err, ...)
{
	void *dl;
	va_list ap;
	int r = 0;

	if (*handle)
		return 0;
	dl = open_library(soname);
	if (!dl)
		return hs_error_set(err, -EOPNOTSUPP, "host.library", soname, -1,
				    "cannot load %s: %s", soname, dlerror());
	va_start(ap, err);
	for (;;) {
		struct hs_dlsym s = va_arg(ap, struct hs_dlsym);

		if (!s.fn)
			break;
		*s.fn = dlsym(dl, s.name);
		if (!*s.fn) {
			r = hs_error_set(err, -EOPNOTSUPP, "host.library", soname, -1,
					 "%s has no symbol %s", soname, s.name);
			break;
		}
	}
	va_end(ap);
	if (r < 0) {
		dlclose(dl);
		return r;
	}
	*handle = dl;
	return 0;
}
