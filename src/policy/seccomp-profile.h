/* SPDX-License-Identifier: Apache-2.0
 * The seccomp room's own interface: the generated rule table (seccomp-profile.c, from
 * profiles/seccomp/default.seccomp), its resolution into an OCI linux.seccomp tree for one
 * architecture family and one capability set, and syscall-name resolution through
 * libseccomp (linked into the core). Not used outside src/policy/seccomp*.c and its tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hs-json.h"

/* libseccomp architectures hardshim knows, as bits (the generator uses the same values). */
enum {
	HS_SC_ARCH_X86_64 = 1u << 0,
	HS_SC_ARCH_X86 = 1u << 1,
	HS_SC_ARCH_AARCH64 = 1u << 2,
	HS_SC_ARCH_ARM = 1u << 3,
	HS_SC_ARCH_S390X = 1u << 4,
	HS_SC_ARCH_S390 = 1u << 5,
	HS_SC_ARCH_PPC64LE = 1u << 6,
	HS_SC_ARCH_RISCV64 = 1u << 7,
	HS_SC_ARCH_X32 = 1u << 8, /* accepted in a config's list, never in the default */
};

struct hs_sc_arch {
	const char *oci;  /* "SCMP_ARCH_X86_64" */
	const char *scmp; /* libseccomp's name: "x86_64" */
	unsigned bit;
};
extern const struct hs_sc_arch hs_sc_arches[];
extern const size_t hs_sc_n_arches;
const struct hs_sc_arch *hs_sc_arch_by_oci(const char *oci);

/* The family of the architecture hardshim was built for: the default profile lists these;
 * a config may list these (and x32 on x86_64) and no others. */
unsigned hs_sc_host_family(void);
unsigned hs_sc_host_allowed_arches(void);
unsigned hs_sc_host_native(void);

enum hs_sc_action {
	HS_SC_ALLOW,
	HS_SC_ERRNO,
};

/* The tables below hold no pointers: every string is a fixed array in the entry itself, and a
 * rule finds its names by index. A pointer in a constant table of a PIE is a relocation that
 * ld.so writes at every exec of hardshim, into a page that then stops being shared: the fast
 * path (`state`, `kill`...) paid for ~700 of them here without ever reading the table. The
 * generator refuses a name, capability or operator too long for its array. */
#define HS_SC_NAME_SIZE 30 /* the longest syscall name (28) + NUL: an entry is 32 bytes */
#define HS_SC_CAP_SIZE  24 /* "CAP_CHECKPOINT_RESTORE" + NUL */
#define HS_SC_CAPS_MAX  2  /* capabilities in one qualifier list */
#define HS_SC_OP_SIZE   20 /* "SCMP_CMP_MASKED_EQ" + NUL */

struct hs_sc_name {
	char name[HS_SC_NAME_SIZE]; /* "": the end of a rule's names */
	uint16_t arches;            /* where libseccomp knows it, within its rule's architectures */
};
/* Every rule's names, each rule's list ended by an entry whose name is "". */
extern const struct hs_sc_name hs_sc_names[];

struct hs_sc_arg {
	unsigned index;
	char op[HS_SC_OP_SIZE]; /* OCI spelling: "SCMP_CMP_MASKED_EQ" */
	uint64_t value, value_two;
};

struct hs_sc_rule {
	uint16_t names; /* its first name in hs_sc_names: use hs_sc_rule_names */
	enum hs_sc_action action;
	int errno_ret;
	/* Lists of up to HS_SC_CAPS_MAX names, ended early by "". */
	char caps[HS_SC_CAPS_MAX][HS_SC_CAP_SIZE]; /* present only if one is held; empty: always */
	char unless[HS_SC_CAPS_MAX][HS_SC_CAP_SIZE]; /* dropped if one is held; empty: never */
	bool has_arg;
	struct hs_sc_arg arg;
};
extern const struct hs_sc_rule hs_sc_rules[];
extern const size_t hs_sc_n_rules;

/* Capabilities the container holds: in both its permitted and bounding sets. */
struct hs_sc_caps {
	const struct hs_json *permitted, *bounding; /* arrays of strings, or NULL */
};
bool hs_sc_caps_hold(const struct hs_sc_caps *caps, const char *cap);
/* The rule's names: iterate while n->name[0]. */
static inline const struct hs_sc_name *hs_sc_rule_names(const struct hs_sc_rule *r)
{
	return &hs_sc_names[r->names];
}
bool hs_sc_rule_applies(const struct hs_sc_rule *r, unsigned family, const struct hs_sc_caps *caps);

/* The default profile for family and caps, as a new OCI linux.seccomp tree (arena-owned). */
struct hs_json *hs_sc_default_profile(struct hs_arena *a, unsigned family,
				      const struct hs_sc_caps *caps);

/* How the control judged the profiles configs carried (for tests): recognised as its own
 * default (nothing to check), or checked rule by rule. */
struct hs_sc_judged {
	unsigned long own_default, full;
};
extern struct hs_sc_judged hs_sc_judged;

/* libseccomp. Resolve name on one architecture: PRESENT and
 * *ret_nr when it is a syscall there (a real number, or a socketcall/ipc pseudo number that
 * libseccomp turns into a rule on the multiplexer), ABSENT when libseccomp knows the name but
 * not on this architecture, UNKNOWN when libseccomp knows no such syscall at all; negative
 * (an unknown architecture) refuses. */
enum { HS_SC_NAME_UNKNOWN, HS_SC_NAME_ABSENT, HS_SC_NAME_PRESENT };
int hs_sc_resolve(const struct hs_sc_arch *arch, const char *name, int *ret_nr,
		  struct hs_error *err);
