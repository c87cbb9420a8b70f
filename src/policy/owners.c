/* SPDX-License-Identifier: Apache-2.0
 * The ownership table (include/hs-owners.h): for every leaf hardshim judges and every option
 * of the runtime grammar, who answers for it. A row is a control, `inert` with the reason it
 * cannot add privilege, or `refused`. The attacker's question for each row: what does the
 * runtime do with this value after hardshim has looked at it?
 *
 * The refused rows are enforced here (owners.refused, for a present leaf; argv refuses a
 * refused option as cli.refused-option): a table that only described would drift. */
#include <stdio.h>
#include <string.h>

#include "hs-owners.h"
#include "hs-policy.h"
#include "owner-rows.h"

#define NOT_LINUX "a section for another platform: runc 1.1 and crun 1.8 on Linux never read it"

/* The resources leaves, in the config ("$.linux.resources.") and in an update document
 * ("$."): the same owners. */
#define RESOURCES(doc, p)                                                                        \
	C(doc, p "memory.limit", "resources"), C(doc, p "memory.swap", "resources"),             \
	    I(doc, p "memory.reservation", "a soft limit below memory.limit"),                   \
	    I(doc, p "memory.kernel", "a further limit on kernel memory"),                       \
	    I(doc, p "memory.kernelTCP", "a further limit on TCP buffer memory"),                \
	    I(doc, p "memory.swappiness", "how the kernel reclaims the container's own memory"), \
	    I(doc, p "memory.disableOOMKiller",                                                  \
	      "at its own limit the container waits instead of being killed; the host's "        \
	      "memory stays bounded by memory.limit"),                                           \
	    I(doc, p "memory.useHierarchy", "accounting mode of its own cgroup"),                \
	    I(doc, p "memory.checkBeforeUpdate", "makes an update fail sooner"),                 \
	    C(doc, p "cpu.shares", "resources"), C(doc, p "cpu.quota", "resources"),             \
	    C(doc, p "cpu.period", "resources"), C(doc, p "cpu.realtimeRuntime", "resources"),   \
	    I(doc, p "cpu.realtimePeriod",                                                       \
	      "a period without realtimeRuntime (refused) is no time"),                          \
	    I(doc, p "cpu.burst", "borrows only the container's own unused quota"),              \
	    I(doc, p "cpu.idle", "lowers the container's own priority"),                         \
	    I(doc, p "cpu.cpus", "pins inside the parent cpuset"),                               \
	    I(doc, p "cpu.mems", "pins inside the parent cpuset"),                               \
	    C(doc, p "pids.limit", "resources"), I(doc, p "blockIO.*", OWN_CGROUP_SHARE),        \
	    I(doc, p "hugepageLimits[].*", "a further limit on huge pages"),                     \
	    R(doc, p "network.*",                                                                \
	      "net_cls/net_prio tags the host's traffic control and firewall may match on: a "   \
	      "container could take another's class or priority"),                               \
	    I(doc, p "rdma{}.*", "a further limit on RDMA handles and objects"),                 \
	    C(doc, p "unified{}", "resources"), C(doc, p "devices[].*", "devices")

const struct hs_owner hs_owners[] = {
	/* config.json */
	I("config", "$.ociVersion",
	  "compared by the runtimes only; the strict core judges its shape"),
	C("config", "$.annotations{}", "annotations"),
	I("config", "$.hostname",
	  "set in the container's own UTS namespace (namespaces requires one)"),
	I("config", "$.domainname",
	  "set in the container's own UTS namespace (namespaces requires one)"),
	C("config", "$.hooks.*[].path", "hooks"),
	C("config", "$.hooks.*[].args[]", "hooks"),
	C("config", "$.hooks.*[].env[]", "hooks"),
	I("config", "$.hooks.*[].timeout", "only ends an admitted hook sooner"),
	C("config", "$.root.path", "rootfs"),
	C("config", "$.root.readonly", "rootfs"),
	C("config", "$.mounts[].destination", "mounts"),
	C("config", "$.mounts[].source", "mounts"),
	C("config", "$.mounts[].type", "mounts"),
	C("config", "$.mounts[].options[]", "mounts"),
	R("config", "$.mounts[].uidMappings[].*",
	  "an idmapped mount (crun 1.8) makes files the container writes appear owned by any host "
	  "uid, root's included"),
	R("config", "$.mounts[].gidMappings[].*",
	  "an idmapped mount (crun 1.8) makes files the container writes appear owned by any host "
	  "gid"),
	C("config", "$.process.args[]", "process"),
	C("config", "$.process.commandLine", "process"),
	C("config", "$.process.cwd", "process"),
	C("config", "$.process.env[]", "process"),
	C("config", "$.process.rlimits[].*", "process"),
	C("config", "$.process.oomScoreAdj", "process"),
	I("config", "$.process.terminal", "a pty for the container's own stdio"),
	I("config", "$.process.consoleSize.*", "the size of the container's own pty"),
	C("config", "$.process.user.uid", "user"),
	C("config", "$.process.user.gid", "user"),
	C("config", "$.process.user.additionalGids[]", "user"),
	C("config", "$.process.user.umask", "user"),
	I("config", "$.process.user.username", "Windows only: runc and crun ignore it"),
	C("config", "$.process.capabilities.*[]", "capabilities"),
	C("config", "$.process.noNewPrivileges", "capabilities"),
	C("config", "$.process.apparmorProfile", "mac"),
	C("config", "$.process.selinuxLabel", "mac"),
	C("config", "$.linux.namespaces[].*", "namespaces"),
	C("config", "$.linux.uidMappings[].*", "user"),
	C("config", "$.linux.gidMappings[].*", "user"),
	C("config", "$.linux.devices[].path", "devices"),
	C("config", "$.linux.devices[].type", "devices"),
	C("config", "$.linux.devices[].major", "devices"),
	C("config", "$.linux.devices[].minor", "devices"),
	I("config", "$.linux.devices[].fileMode", "mode of a node the devices control admitted"),
	I("config", "$.linux.devices[].uid", "owner of a node the devices control admitted"),
	I("config", "$.linux.devices[].gid", "group of a node the devices control admitted"),
	C("config", "$.linux.cgroupsPath", "cgroups"),
	RESOURCES("config", "$.linux.resources."),
	C("config", "$.linux.sysctl{}", "sysctl"),
	C("config", "$.linux.seccomp.defaultAction", "seccomp"),
	C("config", "$.linux.seccomp.architectures[]", "seccomp"),
	C("config", "$.linux.seccomp.flags[]", "seccomp"),
	C("config", "$.linux.seccomp.listenerPath", "seccomp"),
	I("config", "$.linux.seccomp.listenerMetadata",
	  "sent only to a listener, which the seccomp control refuses"),
	I("config", "$.linux.seccomp.defaultErrnoRet", "which errno a denied call returns"),
	C("config", "$.linux.seccomp.syscalls[].names[]", "seccomp"),
	C("config", "$.linux.seccomp.syscalls[].action", "seccomp"),
	C("config", "$.linux.seccomp.syscalls[].args[].*", "seccomp"),
	I("config", "$.linux.seccomp.syscalls[].errnoRet", "which errno a denied call returns"),
	C("config", "$.linux.rootfsPropagation", "mounts"),
	C("config", "$.linux.maskedPaths[]", "mounts"),
	C("config", "$.linux.readonlyPaths[]", "mounts"),
	C("config", "$.linux.mountLabel", "mac"),
	R("config", "$.linux.intelRdt.*",
	  "closID names a host resctrl group the runtime joins or creates: another workload's "
	  "cache and memory-bandwidth class"),
	R("config", "$.linux.personality.*",
	  "the runtime sets it before the seccomp filter (crun 1.8): ADDR_NO_RANDOMIZE turns "
	  "address randomisation off in the container"),
	I("config", "$.solaris.*", NOT_LINUX),
	I("config", "$.windows.*", NOT_LINUX),
	I("config", "$.vm.*", NOT_LINUX),
	I("config", "$.zos.*", NOT_LINUX),

	/* exec --process: the same controls as config.process */
	C("process", "$.args[]", "process"),
	C("process", "$.commandLine", "process"),
	C("process", "$.cwd", "process"),
	C("process", "$.env[]", "process"),
	C("process", "$.rlimits[].*", "process"),
	C("process", "$.oomScoreAdj", "process"),
	I("process", "$.terminal", "a pty for the process's own stdio"),
	I("process", "$.consoleSize.*", "the size of the process's own pty"),
	C("process", "$.user.uid", "user"),
	C("process", "$.user.gid", "user"),
	C("process", "$.user.additionalGids[]", "user"),
	C("process", "$.user.umask", "user"),
	I("process", "$.user.username", "Windows only: runc and crun ignore it"),
	C("process", "$.capabilities.*[]", "capabilities"),
	C("process", "$.noNewPrivileges", "capabilities"),
	C("process", "$.apparmorProfile", "mac"),
	C("process", "$.selinuxLabel", "mac"),

	/* update --resources */
	RESOURCES("resources", "$."),

	/* the hook state on stdin (hook mode, cli/hook.c) */
	C("state", "$.ociVersion", "hook"),
	C("state", "$.id", "hook"),
	C("state", "$.status", "hook"),
	C("state", "$.pid", "hook"),
	C("state", "$.bundle", "hook"),
	C("state", "$.annotations{}", "hook"),
};
const size_t hs_n_owners = HS_ARRAY_SIZE(hs_owners);

const struct hs_owned_doc hs_owned_docs[] = {
	{ "config", &hs_oci_spec },
	{ "process", &hs_oci_process },
	{ "resources", &hs_oci_resources },
	{ "state", &hs_oci_state },
};
const size_t hs_n_owned_docs = HS_ARRAY_SIZE(hs_owned_docs);

const char *hs_owner_kind_name(enum hs_owner_kind k)
{
	return k == HS_OWNER_CONTROL ? "control" : k == HS_OWNER_INERT ? "inert" : "refused";
}

static int walk(const struct hs_schema *s, char *path, size_t len, size_t size,
		int (*fn)(const char *path, void *data), void *data)
{
	int r = 0;

	switch (s->kind) {
	case HS_S_STRUCT:
		for (const struct hs_schema_field *f = s->fields; f->name && !r; f++) {
			if ((size_t)snprintf(path + len, size - len, ".%s", f->name) >= size - len)
				return -ENAMETOOLONG;
			r = walk(f->schema, path, len + strlen(path + len), size, fn, data);
		}
		break;
	case HS_S_ARRAY:
	case HS_S_MAP:
		if ((size_t)snprintf(path + len, size - len, s->kind == HS_S_ARRAY ? "[]" : "{}") >=
		    size - len)
			return -ENAMETOOLONG;
		r = walk(s->item, path, len + 2, size, fn, data);
		break;
	default: r = fn(path, data); break;
	}
	path[len] = '\0';
	return r;
}

int hs_schema_walk_leaves(const struct hs_schema *schema, int (*fn)(const char *path, void *data),
			  void *data)
{
	char path[512] = "$";

	return walk(schema, path, 1, sizeof(path), fn, data);
}

/* '*' matches any run of characters (dots and brackets included); the rest is literal. */
static bool glob(const char *pat, const char *s)
{
	if (*pat == '\0')
		return *s == '\0';
	if (*pat == '*')
		return glob(pat + 1, s) || (*s && glob(pat, s + 1));
	return *pat == *s && glob(pat + 1, s + 1);
}

size_t hs_owners_match(const char *doc, const char *path, const struct hs_owner **ret, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < hs_n_owners; i++)
		if (!strcmp(hs_owners[i].doc, doc) && glob(hs_owners[i].pattern, path)) {
			if (k < n)
				ret[k] = &hs_owners[i];
			k++;
		}
	return k;
}

/* --- enforcement of the refused rows over a parsed document --- */

struct refuse_walk {
	struct hs_check_ctx *ctx;
	/* This document's refused rows, in table order, picked once per document: a create
	 * walks every leaf (a few hundred) and the table has a hundred-odd rows. */
	const struct hs_owner *refused[HS_ARRAY_SIZE(hs_owners)];
	size_t n_refused;
};

/* Only the refused rows are asked: the unit test guarantees a leaf matches exactly one row,
 * so a refused row's match is its owner. */
static int refuse_leaf(struct refuse_walk *w, const char *spath, const char *jpath)
{
	for (size_t i = 0; i < w->n_refused; i++) {
		const struct hs_owner *o = w->refused[i];

		if (!glob(o->pattern, spath))
			continue;
		return hs_finding(w->ctx, "owners.refused", jpath, HS_ACTION_REFUSE, "%s", o->why) <
			       0
			   ? -ENOMEM
			   : 0;
	}
	return 0;
}

static int refuse_walk(struct refuse_walk *w, const struct hs_json *v, const struct hs_schema *s,
		       const char *spath, const char *jpath)
{
	char sp[512], jp[512];
	int r = 0;

	if (!v || v->type == HS_JSON_NULL)
		return 0;
	switch (s->kind) {
	case HS_S_STRUCT:
	case HS_S_MAP:
		if (v->type != HS_JSON_OBJECT)
			return 0; /* the schema has refused it */
		for (size_t i = 0; i < v->u.object.len && !r; i++) {
			const struct hs_json_member *m = &v->u.object.members[i];
			const struct hs_schema *sub = NULL;

			if (s->kind == HS_S_MAP) {
				sub = s->item;
				hs_json_path_cat(sp, sizeof(sp), spath, "{}", "");
			} else {
				for (const struct hs_schema_field *f = s->fields; f->name && !sub;
				     f++)
					if (!strcmp(f->name, m->key))
						sub = f->schema;
				hs_json_path_cat(sp, sizeof(sp), spath, ".", m->key);
			}
			if (!sub)
				continue; /* an unknown key: the strict core's business */
			hs_json_path_key(jp, sizeof(jp), jpath, m->key);
			r = refuse_walk(w, m->value, sub, sp, jp);
		}
		return r;
	case HS_S_ARRAY:
		if (v->type != HS_JSON_ARRAY)
			return 0;
		hs_json_path_cat(sp, sizeof(sp), spath, "[]", "");
		for (size_t i = 0; i < v->u.array.len && !r; i++) {
			hs_json_path_index(jp, sizeof(jp), jpath, i);
			r = refuse_walk(w, v->u.array.items[i], s->item, sp, jp);
		}
		return r;
	default: return refuse_leaf(w, spath, jpath);
	}
}

int hs_owners_check(struct hs_check_ctx *ctx, const char *doc, const struct hs_json *tree,
		    const struct hs_schema *schema)
{
	struct refuse_walk w = { .ctx = ctx };

	for (size_t i = 0; i < hs_n_owners; i++) {
		const struct hs_owner *o = &hs_owners[i];

		if (o->kind == HS_OWNER_REFUSED && !strcmp(o->doc, doc))
			w.refused[w.n_refused++] = o;
	}
	return refuse_walk(&w, tree, schema, "$", "");
}

/* --- the control: the refused rows of the table, in every document --- */

static const struct hs_schema_field no_fields[] = { { NULL, NULL } };
static const struct hs_schema owners_schema = { .kind = HS_S_STRUCT, .fields = no_fields };

static int owners_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		       struct hs_error *err)
{
	static const char none;

	*ret_cfg = (void *)&none;
	return 0;
}

static int owners_check_config(struct hs_check_ctx *ctx, const void *cfg)
{
	return hs_owners_check(ctx, "config", ctx->config, &hs_oci_spec);
}

/* exec's process document; a config's process is walked with the config. */
static int owners_check_process(struct hs_check_ctx *ctx, const void *cfg)
{
	return ctx->config ? 0 : hs_owners_check(ctx, "process", ctx->process, &hs_oci_process);
}

static int owners_check_resources(struct hs_check_ctx *ctx, const void *cfg)
{
	return hs_owners_check(ctx, "resources", ctx->resources, &hs_oci_resources);
}

const struct hs_control hs_control_owners = {
	.name = "owners",
	.policy_schema = &owners_schema,
	.load = owners_load,
	.check_config = owners_check_config,
	.check_process = owners_check_process,
	.check_resources = owners_check_resources,
};
