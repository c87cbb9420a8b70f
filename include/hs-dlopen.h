/* SPDX-License-Identifier: Apache-2.0
 * Libraries are loaded by the room that needs them, when it needs them (systemd's pattern):
 * linking libseccomp, libmount (and through it libselinux, libblkid, libpcre2), libnftables
 * and libaudit costs ~1 ms per exec, more than the fast path's whole budget.
 *
 * In a room:
 *   static __typeof__(&capng_name_to_capability) sym_capng_name_to_capability;
 *   static int load_capng(struct hs_error *err) {
 *           static void *dl;
 *           return hs_dlopen_many(&dl, "libcap-ng.so.0", err,
 *                                 HS_DLSYM(capng_name_to_capability), HS_DLSYM_END);
 *   }
 * The prototypes come from the library's own header, so types are checked. */
#pragma once

#include "hs-util.h"

struct hs_dlsym {
	void **fn;
	const char *name;
};

#define HS_DLSYM(f)  ((const struct hs_dlsym){ (void **)&sym_##f, #f })
#define HS_DLSYM_END ((const struct hs_dlsym){ NULL, NULL })

/* Load soname once (*handle caches it) and resolve every symbol; all or nothing. */
int hs_dlopen_many(void **handle, const char *soname, struct hs_error *err, ...);
