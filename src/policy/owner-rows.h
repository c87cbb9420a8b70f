/* SPDX-License-Identifier: Apache-2.0
 * A row of an ownership table (include/hs-owners.h): owners.c (the configs' leaves) and
 * cli-owners.c (the runtime's options) only. Both tables are { where, what, kind, who, why },
 * so one set of short names keeps each row on one line: C names the control that judges it,
 * I why it is inert, R why it is refused. */
#ifndef HS_POLICY_OWNER_ROWS_H
#define HS_POLICY_OWNER_ROWS_H

#define C(where, what, who)                            \
	{                                              \
		where, what, HS_OWNER_CONTROL, who, "" \
	}
#define I(where, what, why)                          \
	{                                            \
		where, what, HS_OWNER_INERT, "", why \
	}
#define R(where, what, why)                            \
	{                                              \
		where, what, HS_OWNER_REFUSED, "", why \
	}

/* The cgroup weights and limits both tables call inert. */
#define OWN_CGROUP_SHARE                                                                       \
	"a weight or limit inside the container's own cgroup: it can only share out or lower " \
	"what the parent cgroup gives"

#endif
