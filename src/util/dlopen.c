/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>

#include "hs-dlopen.h"

int hs_dlopen_many(void **handle, const char *soname, struct hs_error *err, ...)
{
	void *dl;
	va_list ap;
	int r = 0;

	if (*handle)
		return 0;
	dl = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
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
