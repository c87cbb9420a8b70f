/* SPDX-License-Identifier: Apache-2.0
 * Control "mounts": its policy section and its secure defaults. The sensitive paths are the
 * union of CIS Docker 5.6/5.32, Kubernetes, Falco and Kyverno lists (docs/threats.md §8); the
 * admitted patterns are exactly the files Podman, containerd's CRI and kubelet bind for one
 * container, tied to that container's id, sandbox id or pod uid. */
#include <string.h>

#include "hs-policy.h"
#include "mounts.h"

static const char *const default_sensitive[] = {
	"/",
	"/boot",
	"/dev",
	"/etc",
	"/lib*",
	"/lib",
	"/lib32",
	"/lib64",
	"/libx32",
	"/usr",
	"/bin",
	"/sbin",
	"/proc",
	"/sys",
	"/sys/fs/cgroup",
	"/sys/fs/bpf",
	"/root",
	"/home",
	"/run",
	"/var/run",
	"/run/docker.sock",
	"/run/containerd",
	"/run/crio",
	"/run/podman",
	"/run/netns",
	"/var/lib/docker",
	"/var/lib/containerd",
	"/var/lib/containers",
	"/var/lib/kubelet",
	"/var/lib/etcd",
	"/etc/kubernetes",
	"/var/log",
	"/lib/modules",
};

static const char *const default_admit[] = {
	/* Podman: hosts, resolv.conf, hostname, .containerenv, shm, secrets of this container */
	"/var/lib/containers/storage/overlay-containers/{container-id}/userdata/**",
	"/run/containers/storage/overlay-containers/{container-id}/userdata/**",
	/* Podman named volumes */
	"/var/lib/containers/storage/volumes/*/_data",
	"/var/lib/containers/storage/volumes/*/_data/**",
	/* containerd CRI: hosts, resolv.conf, hostname, shm of the pod sandbox */
	"/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/{sandbox-id}/**",
	"/run/containerd/io.containerd.grpc.v1.cri/sandboxes/{sandbox-id}/**",
	"/var/lib/containerd/io.containerd.grpc.v1.cri/containers/{container-id}/volumes/**",
	/* kubelet: the pod's volumes (emptyDir, configMap, secret, projected tokens), its
	 * etc-hosts, subPaths and termination log */
	"/var/lib/kubelet/pods/{pod-uid}/volumes/*/*",
	"/var/lib/kubelet/pods/{pod-uid}/volumes/*/*/**",
	"/var/lib/kubelet/pods/{pod-uid}/volume-subpaths/*/*/*",
	"/var/lib/kubelet/pods/{pod-uid}/etc-hosts",
	"/var/lib/kubelet/pods/{pod-uid}/containers/*/*",
};

static const char *const default_types[] = {
	"bind", "tmpfs", "proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2",
};

static const struct hs_schema_field mounts_fields[] = {
	{ "sensitive_paths", &hs_schema_string_array },
	{ "admit_sources", &hs_schema_string_array },
	{ "types", &hs_schema_string_array },
	{ "bind_noexec", &hs_schema_bool },
	{ "bind_readonly", &hs_schema_bool },
	{ "on_source", &hs_schema_string },
	{ "on_destination", &hs_schema_string },
	{ "on_options", &hs_schema_string },
	{ "on_propagation", &hs_schema_string },
	{ "on_kernel_fs", &hs_schema_string },
	{ "on_masked_paths", &hs_schema_string },
	{ NULL, NULL },
};
static const struct hs_schema mounts_schema = { .kind = HS_S_STRUCT, .fields = mounts_fields };

/* defaults followed by the section's array (if any), each checked by valid(). */
static int load_list(struct hs_arena *a, const struct hs_json *section, const char *key,
		     const char *const *defaults, size_t n_defaults, bool replace,
		     int (*valid)(const char *), const char ***ret, size_t *ret_n,
		     struct hs_error *err)
{
	struct hs_json *arr = section ? hs_json_get_type(section, key, HS_JSON_ARRAY) : NULL;
	size_t n = 0, cap = n_defaults + hs_json_len(arr);
	const char **l = hs_arena_alloc(a, (cap + 1) * sizeof(char *));
	struct hs_json *it;

	if (!l)
		return -ENOMEM;
	for (size_t i = 0; !(replace && arr) && i < n_defaults; i++)
		l[n++] = defaults[i];
	hs_json_foreach_item(it, arr, i) {
		char p[128];

		snprintf(p, sizeof(p), "controls.mounts.%s[%zu]", key, i);
		if (it->type != HS_JSON_STRING || (valid && valid(it->u.string.s) < 0))
			return hs_error_set(err, -HS_ECONFIG, "policy.mounts", p, it->offset,
					    "not a valid entry for %s", key);
		l[n++] = it->u.string.s;
	}
	*ret = l;
	*ret_n = n;
	return 0;
}

static int valid_abs(const char *s)
{
	return s[0] == '/' && !strstr(s, "/../") && !strstr(s, "/./") ? 0 : -EINVAL;
}

static int load_action(const struct hs_json *section, const char *key, enum hs_action def,
		       bool may_rewrite, enum hs_action *ret, struct hs_error *err)
{
	return hs_action_load(section, "mounts", key,
			      may_rewrite ? HS_ACTIONS_ALL : HS_ACTIONS_NO_REWRITE, def, ret, err);
}

static int mounts_load(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		       struct hs_error *err)
{
	struct mounts_cfg *c = hs_arena_alloc(a, sizeof(*c));
	struct hs_json *b;
	int r;

	if (!c)
		return -ENOMEM;
	r = load_list(a, section, "sensitive_paths", default_sensitive,
		      HS_ARRAY_SIZE(default_sensitive), false, valid_abs, &c->sensitive,
		      &c->n_sensitive, err);
	if (r == 0)
		r = load_list(a, section, "admit_sources", default_admit,
			      HS_ARRAY_SIZE(default_admit), false, hs_path_pattern_valid, &c->admit,
			      &c->n_admit, err);
	if (r == 0)
		r = load_list(a, section, "types", default_types, HS_ARRAY_SIZE(default_types),
			      true, NULL, &c->types, &c->n_types, err);
	if (r == 0)
		r = load_action(section, "on_source", HS_ACTION_REFUSE, false, &c->on_source, err);
	if (r == 0)
		r = load_action(section, "on_destination", HS_ACTION_REWRITE, true,
				&c->on_destination, err);
	if (r == 0)
		r = load_action(section, "on_options", HS_ACTION_REWRITE, true, &c->on_options,
				err);
	if (r == 0)
		r = load_action(section, "on_propagation", HS_ACTION_REFUSE, true,
				&c->on_propagation, err);
	if (r == 0)
		r = load_action(section, "on_kernel_fs", HS_ACTION_REWRITE, true, &c->on_kernel_fs,
				err);
	if (r == 0)
		r = load_action(section, "on_masked_paths", HS_ACTION_REWRITE, true, &c->on_masked,
				err);
	if (r < 0)
		return r;
	b = section ? hs_json_get_type(section, "bind_noexec", HS_JSON_BOOL) : NULL;
	c->bind_noexec = b && b->u.boolean;
	b = section ? hs_json_get_type(section, "bind_readonly", HS_JSON_BOOL) : NULL;
	c->bind_readonly = b && b->u.boolean;
	*ret_cfg = c;
	return 0;
}

const struct hs_control hs_control_mounts = {
	.name = "mounts",
	.policy_schema = &mounts_schema,
	.load = mounts_load,
	.check_config = hs_mounts_check_config,
};
