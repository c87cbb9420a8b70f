/* SPDX-License-Identifier: Apache-2.0
 * Could someone other than root swap a path between hardshim's check and the runtime's use?
 * Pure logic over a canonical path the host walk produced: no I/O. */
#include <sys/stat.h>

#include "hs-host.h"

const char *hs_canonical_path_replaceable(struct hs_arena *a, const struct hs_canonical_path *cp)
{
	/* A component can be renamed or replaced by whoever can write its parent: the parent's
	 * non-root owner, or anyone when the parent is group/other-writable — unless the parent
	 * is sticky (/tmp), where only the component's owner can (then a non-root owner is
	 * refused). */
	for (size_t i = 1; i < cp->n_components; i++) {
		const struct hs_path_component *parent = &cp->components[i - 1],
					       *c = &cp->components[i];

		if (parent->uid != 0)
			return hs_arena_printf(a, "%s is owned by uid %u, who can replace %s",
					       parent->path, (unsigned)parent->uid, c->path);
		if (parent->mode & (S_IWGRP | S_IWOTH)) {
			if (!(parent->mode & S_ISVTX))
				return hs_arena_printf(
				    a, "%s is writable by group or others (mode %04o)",
				    parent->path, (unsigned)(parent->mode & 07777));
			if (c->uid != 0)
				return hs_arena_printf(a, "%s is owned by uid %u in sticky %s",
						       c->path, (unsigned)c->uid, parent->path);
		}
	}
	return NULL;
}
