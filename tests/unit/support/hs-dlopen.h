/* SPDX-License-Identifier: Apache-2.0
 * Libraries are loaded by the room that needs them, when it needs them (systemd's pattern):
 * linking libseccomp, libselinux (with libpcre2) and libnftables costs ~1 ms per exec, more
 * than the fast path's whole budget. (nettle, libcap-ng and libaudit, which every create uses,
 * are linked into the core from their static archives instead.)
 *
 * In a room:
 *   static __typeof__(&seccomp_init) sym_seccomp_init;
 *   static int load_seccomp(struct hs_error *err) {
 *           static void *dl;
 *           return hs_dlopen_many(&dl, "libseccomp.so.2", err,
 *                                 HS_DLSYM(seccomp_init), HS_DLSYM_END);
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
