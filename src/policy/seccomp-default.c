/* SPDX-License-Identifier: Apache-2.0
 * hardshim's default seccomp profile, resolved for one container: the generated rule table
 * filtered by the host's architecture family and by the capabilities the container finally
 * holds, written out as an OCI linux.seccomp tree. Also the libseccomp name resolution the
 * control uses to read a config's own profile (libseccomp is linked from its static archive). */
#include <seccomp.h>
#include <string.h>

#include "seccomp-profile.h"

const struct hs_sc_arch hs_sc_arches[] = {
	{ "SCMP_ARCH_X86_64", "x86_64", HS_SC_ARCH_X86_64 },
	{ "SCMP_ARCH_X86", "x86", HS_SC_ARCH_X86 },
	{ "SCMP_ARCH_X32", "x32", HS_SC_ARCH_X32 },
	{ "SCMP_ARCH_AARCH64", "aarch64", HS_SC_ARCH_AARCH64 },
	{ "SCMP_ARCH_ARM", "arm", HS_SC_ARCH_ARM },
	{ "SCMP_ARCH_S390X", "s390x", HS_SC_ARCH_S390X },
	{ "SCMP_ARCH_S390", "s390", HS_SC_ARCH_S390 },
	{ "SCMP_ARCH_PPC64LE", "ppc64le", HS_SC_ARCH_PPC64LE },
	{ "SCMP_ARCH_RISCV64", "riscv64", HS_SC_ARCH_RISCV64 },
};
const size_t hs_sc_n_arches = HS_ARRAY_SIZE(hs_sc_arches);

const struct hs_sc_arch *hs_sc_arch_by_oci(const char *oci)
{
	for (size_t i = 0; i < hs_sc_n_arches; i++)
		if (strcmp(hs_sc_arches[i].oci, oci) == 0)
			return &hs_sc_arches[i];
	return NULL;
}

/* The family is fixed at build time: hardshim runs on the machine it was built for, and the
 * real runtime next to it loads the filter for this kernel. */
#if defined(__x86_64__)
#define FAMILY  (HS_SC_ARCH_X86_64 | HS_SC_ARCH_X86)
#define ALLOWED (FAMILY | HS_SC_ARCH_X32)
#define NATIVE  HS_SC_ARCH_X86_64
#elif defined(__aarch64__)
#define FAMILY  (HS_SC_ARCH_AARCH64 | HS_SC_ARCH_ARM)
#define ALLOWED FAMILY
#define NATIVE  HS_SC_ARCH_AARCH64
#elif defined(__s390x__)
#define FAMILY  (HS_SC_ARCH_S390X | HS_SC_ARCH_S390)
#define ALLOWED FAMILY
#define NATIVE  HS_SC_ARCH_S390X
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FAMILY  HS_SC_ARCH_PPC64LE
#define ALLOWED FAMILY
#define NATIVE  HS_SC_ARCH_PPC64LE
#elif defined(__riscv) && __riscv_xlen == 64
#define FAMILY  HS_SC_ARCH_RISCV64
#define ALLOWED FAMILY
#define NATIVE  HS_SC_ARCH_RISCV64
#else
#error "hardshim's seccomp profile has no architecture family for this target"
#endif

unsigned hs_sc_host_family(void)
{
	return FAMILY;
}
unsigned hs_sc_host_allowed_arches(void)
{
	return ALLOWED;
}
unsigned hs_sc_host_native(void)
{
	return NATIVE;
}

static bool list_has(const struct hs_json *arr, const char *s)
{
	struct hs_json *it;
	hs_json_foreach_item(it, arr, i)
		if (it->type == HS_JSON_STRING && strcmp(it->u.string.s, s) == 0)
			return true;
	return false;
}

/* Held means usable: a capability only in the bounding set cannot be raised (no_new_privs
 * ignores file capabilities), one only in permitted is not what the kernel would keep. */
bool hs_sc_caps_hold(const struct hs_sc_caps *caps, const char *cap)
{
	return caps && list_has(caps->permitted, cap) && list_has(caps->bounding, cap);
}

static bool any_held(const char (*list)[HS_SC_CAP_SIZE], const struct hs_sc_caps *caps)
{
	for (size_t i = 0; i < HS_SC_CAPS_MAX && list[i][0]; i++)
		if (hs_sc_caps_hold(caps, list[i]))
			return true;
	return false;
}

bool hs_sc_rule_applies(const struct hs_sc_rule *r, unsigned family, const struct hs_sc_caps *caps)
{
	bool any_name = false;
	for (const struct hs_sc_name *n = hs_sc_rule_names(r); n->name[0]; n++)
		any_name |= (n->arches & family) != 0;
	if (!any_name)
		return false;
	if (r->caps[0][0] && !any_held(r->caps, caps))
		return false;
	if (r->unless[0][0] && any_held(r->unless, caps))
		return false;
	return true;
}

/* The profile is built on every create from a fresh config (~40 rules, ~440 names): its
 * arrays and objects are allocated at their final size, and the names, actions, operators and
 * keys point into the rule table and the literals here instead of being copied. Nothing edits
 * a string in place (struct hs_json's strings are immutable), so sharing them is safe. */
static struct hs_json *new_container(struct hs_arena *a, enum hs_json_type t, size_t n)
{
	struct hs_json *v = hs_json_new(a, t);

	return v && hs_json_reserve(a, v, n) == 0 ? v : NULL;
}

static struct hs_json *rule_entry(struct hs_arena *a, const struct hs_sc_rule *r, unsigned family)
{
	bool errno_action = r->action == HS_SC_ERRNO;
	size_t n_names = 0;

	for (const struct hs_sc_name *n = hs_sc_rule_names(r); n->name[0]; n++)
		n_names += (n->arches & family) != 0;
	struct hs_json *e = new_container(a, HS_JSON_OBJECT, 2 + errno_action + r->has_arg),
		       *names = new_container(a, HS_JSON_ARRAY, n_names);
	if (!e || !names || hs_json_set_static(a, e, "names", names) < 0)
		return NULL;
	for (const struct hs_sc_name *n = hs_sc_rule_names(r); n->name[0]; n++)
		if ((n->arches & family) &&
		    hs_json_append(a, names, hs_json_new_static_string(a, n->name)) < 0)
			return NULL;
	if (hs_json_set_static(a, e, "action",
			       hs_json_new_static_string(a, errno_action ? "SCMP_ACT_ERRNO"
									 : "SCMP_ACT_ALLOW")) < 0)
		return NULL;
	if (errno_action &&
	    hs_json_set_static(a, e, "errnoRet", hs_json_new_u64(a, (uint64_t)r->errno_ret)) < 0)
		return NULL;
	if (r->has_arg) {
		struct hs_json *args = new_container(a, HS_JSON_ARRAY, 1),
			       *arg = new_container(a, HS_JSON_OBJECT, 4);
		if (!args || !arg || hs_json_append(a, args, arg) < 0 ||
		    hs_json_set_static(a, arg, "index", hs_json_new_u64(a, r->arg.index)) < 0 ||
		    hs_json_set_static(a, arg, "value", hs_json_new_u64(a, r->arg.value)) < 0 ||
		    hs_json_set_static(a, arg, "valueTwo", hs_json_new_u64(a, r->arg.value_two)) <
			0 ||
		    hs_json_set_static(a, arg, "op", hs_json_new_static_string(a, r->arg.op)) < 0 ||
		    hs_json_set_static(a, e, "args", args) < 0)
			return NULL;
	}
	return e;
}

struct hs_json *hs_sc_default_profile(struct hs_arena *a, unsigned family,
				      const struct hs_sc_caps *caps)
{
	size_t n_arches = 0, n_calls = 0;

	for (size_t i = 0; i < hs_sc_n_arches; i++)
		n_arches += (hs_sc_arches[i].bit & family) != 0;
	for (size_t i = 0; i < hs_sc_n_rules; i++)
		n_calls += hs_sc_rule_applies(&hs_sc_rules[i], family, caps);
	struct hs_json *p = new_container(a, HS_JSON_OBJECT, 4);
	struct hs_json *arches = new_container(a, HS_JSON_ARRAY, n_arches),
		       *calls = new_container(a, HS_JSON_ARRAY, n_calls);
	/* ERRNO(ENOSYS) for everything not named: see profiles/seccomp/default.seccomp. */
	if (!p || !arches || !calls ||
	    hs_json_set_static(a, p, "defaultAction",
			       hs_json_new_static_string(a, "SCMP_ACT_ERRNO")) < 0 ||
	    hs_json_set_static(a, p, "defaultErrnoRet", hs_json_new_u64(a, ENOSYS)) < 0 ||
	    hs_json_set_static(a, p, "architectures", arches) < 0 ||
	    hs_json_set_static(a, p, "syscalls", calls) < 0)
		return NULL;
	for (size_t i = 0; i < hs_sc_n_arches; i++)
		if ((hs_sc_arches[i].bit & family) &&
		    hs_json_append(a, arches, hs_json_new_static_string(a, hs_sc_arches[i].oci)) <
			0)
			return NULL;
	for (size_t i = 0; i < hs_sc_n_rules; i++) {
		if (!hs_sc_rule_applies(&hs_sc_rules[i], family, caps))
			continue;
		struct hs_json *e = rule_entry(a, &hs_sc_rules[i], family);
		if (!e || hs_json_append(a, calls, e) < 0)
			return NULL;
	}
	return p;
}

struct hs_sc_judged hs_sc_judged;

int hs_sc_resolve(const struct hs_sc_arch *arch, const char *name, int *ret_nr,
		  struct hs_error *err)
{
	uint32_t token = seccomp_arch_resolve_name(arch->scmp);
	if (token == 0)
		return hs_error_set(err, -EINVAL, "seccomp.libseccomp", arch->oci, -1,
				    "libseccomp does not know architecture %s", arch->scmp);
	int nr = seccomp_syscall_resolve_name_arch(token, name);
	/* __PNR_socket (-101) .. the ipc() pseudo numbers (-2xx): libseccomp rewrites these to
	 * the multiplexer on architectures that have one. Other negative numbers mean the
	 * syscall does not exist on this architecture; __NR_SCMP_ERROR that it exists nowhere. */
	if (nr >= 0 || (nr > -300 && nr <= -100)) {
		*ret_nr = nr;
		return HS_SC_NAME_PRESENT;
	}
	return nr == __NR_SCMP_ERROR ? HS_SC_NAME_UNKNOWN : HS_SC_NAME_ABSENT;
}
