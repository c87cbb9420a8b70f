/* SPDX-License-Identifier: Apache-2.0
 * `hardshim suggest`: from a refused config (checked now), a `check --format json` report or
 * the launch log, the exact engine flags (Podman), Kubernetes fields or policy lines that
 * would let the container run, and what each costs. Suggestions are words: nothing here
 * changes a verdict, and a policy line is only ever shown, never written. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-cli.h"
#include "hs-host.h"

#define INPUT_MAX (64u << 20)

enum detail {
	D_NONE,
	D_DEVICE, /* "/dev/..." in the message */
	D_KEY,    /* ["key"] in the path */
	D_CAP,    /* "CAP_..." in the message */
	D_HEAD,   /* the message's first word (a path) */
	D_SOURCE, /* "bind source X" in the message */
};

/* root: the engine's user flag, for the uid and the gid alike */
#define ROOT_PODMAN                                                                     \
	"--user UID:GID of the image's service user (the owner of its data or working " \
	"directory)"
#define ROOT_KUBERNETES "securityContext.runAsUser and runAsGroup: that user; runAsNonRoot: true"
#define ROOT_POLICY \
	"a per-workload policy (hardshim-NAME) with \"user\": {\"uid\": UID, \"gid\": GID}"
#define ROOT_COST                                                                              \
	"none beyond the image's own design; root-only entrypoint steps (chown, gosu) do not " \
	"run"

/* "{}" in a text stands for the detail. */
static const struct fix {
	const char *prefix; /* rule, or rule prefix ending in '.' */
	enum detail detail;
	const char *podman, *kubernetes, *policy, *cost;
} fixes[] = {
	{ "privileged", D_NONE,
	  "run it without --privileged; add only the capability (--cap-add NAME) or device "
	  "(--device PATH) the workload needs",
	  "securityContext.privileged: false, allowPrivilegeEscalation: false",
	  "none: hardshim runs no privileged container", "none: the workload keeps what it needs" },
	{ "devices.not-allowed", D_DEVICE, "--device {} only, and only if the workload needs it",
	  "a device plugin that hands out {} (not privileged: true)",
	  "\"devices\": {\"allow\": [{\"path\": \"{}\"}]}",
	  "the container can use the host's {} (a disk or memory device is the host)" },
	{ "devices.", D_NONE, "drop the --device-cgroup-rule that grants it",
	  "not privileged: true", "\"devices\": {\"allow\": [...]} naming the device",
	  "the container can open that host device" },
	{ "mounts.sensitive-source", D_SOURCE,
	  "mount a directory made for the container, or a named volume, instead of {}",
	  "a configMap, secret, emptyDir or persistentVolumeClaim instead of a hostPath of {}",
	  "none: a sensitive host path is never mounted",
	  "the files must be copied or provided another way" },
	{ "mounts.", D_NONE, "fix the -v/--mount option at that place (see the message)",
	  "fix the volumeMount at that place", "\"mounts\": see docs/mounts-namespaces.md",
	  "depends on the mount" },
	{ "namespaces.", D_NONE,
	  "drop --network host, --pid host, --ipc host or --uts host (the namespace named)",
	  "hostNetwork, hostPID, hostIPC: false", "none: host namespaces are never shared",
	  "publish ports (-p) instead of sharing the host's network" },
	{ "user.root", D_NONE, ROOT_PODMAN, ROOT_KUBERNETES, ROOT_POLICY, ROOT_COST },
	{ "user.root-group", D_NONE, ROOT_PODMAN, ROOT_KUBERNETES, ROOT_POLICY, ROOT_COST },
	{ "user.host-root-mapping", D_NONE,
	  "--userns=auto, or --uidmap/--gidmap ranges that start above host id 0",
	  "hostUsers: false (the kubelet picks unprivileged host ranges)",
	  "none: no container id is ever the host's root",
	  "none: the container's root is an unprivileged host id" },
	{ "user.additional-gids", D_NONE, "drop --group-add 0 (or --group-add root)",
	  "drop 0 from securityContext.supplementalGroups",
	  "\"user\": {\"action\": \"rewrite\"} (the default: group 0 is removed)",
	  "files only group 0 can read stay unreadable" },
	{ "user.", D_NONE, "--umask 0022 (or stricter), and no --group-add 0",
	  "none (the kubelet writes no umask)",
	  "\"user\": {\"action\": \"rewrite\"} (the default: hardshim sets them)",
	  "files the container creates are not group- or world-writable" },
	/* A capability the policy allows, in a non-root process's bounding and permitted sets:
	 * only the rewrite (the default) writes it into inheritable and ambient, where it survives
	 * execve; neither engine nor Kubernetes has a field for ambient. */
	{ "capabilities.held", D_CAP,
	  "none needed for a port below 1024 (hardshim sets net.ipv4.ip_unprivileged_port_start=0 "
	  "in the container's network namespace); otherwise drop --cap-add {} if the workload "
	  "does not use it",
	  "none needed for a port below 1024; else drop {} from securityContext.capabilities.add",
	  "\"capabilities\": {\"action\": \"rewrite\"} (the default: {} is added to "
	  "inheritable and ambient, so the process holds it after exec)",
	  "the non-root process holds {} (already in the policy's allowlist)" },
	/* An allowed name a non-root process cannot hold (Podman and Docker put --cap-add in
	 * bounding only for --user): removing it changes nothing the process could do. */
	{ "capabilities.not-held", D_CAP,
	  "drop --cap-add {}: with --user it reaches bounding only, and the process never holds "
	  "it (a port below 1024 needs no capability here)",
	  "keep {} in securityContext.capabilities.add with runAsUser: the kubelet grants it in "
	  "bounding and permitted, and hardshim's rewrite makes it held",
	  "\"capabilities\": {\"action\": \"rewrite\"} (the default: the name is removed)",
	  "none: the process could never use {}" },
	{ "rootfs.path", D_NONE,
	  "none: the engine wrote a root that does not exist or is "
	  "not a directory",
	  "none", "none", "none" },
	{ "rootfs.path-owner", D_NONE,
	  "for --rootfs DIR: the operator admits DIR in the policy (see policy)",
	  "none: the kubelet's roots are the engine's own",
	  "\"rootfs\": {\"admit_roots\": [\"DIR\"]}",
	  "the container may run any tree under DIR, whoever placed it there" },
	{ "rootfs.writable-dirs-max", D_NONE,
	  "--user UID:GID of the image's service user, with -v volumes for its data",
	  "securityContext.runAsUser with volumes for the data",
	  "\"rootfs\": {\"writable_image_dirs\": false}",
	  "without the tmpfs copies, a root image's own directories are read-only" },
	{ "rootfs.", D_NONE,
	  "--read-only, with --tmpfs PATH:nosuid,nodev,noexec,size=64m for each path the policy's "
	  "rootfs.tmpfs names",
	  "readOnlyRootFilesystem: true, with an emptyDir (medium: Memory) at each such path",
	  "\"rootfs\": {\"action\": \"rewrite\"} (the default: hardshim makes them)",
	  "none: the same container the rewrite makes" },
	{ "process.oom-score-adj", D_NONE, "drop --oom-score-adj below 0",
	  "none (the kubelet sets it from the QoS class)",
	  "\"process\": {\"oom_score_adj_min\": N}",
	  "the node's OOM killer spares this container before others" },
	{ "process.rlimits", D_NONE, "--ulimit NAME=SOFT:HARD within the policy's maximum",
	  "none (the runtime's defaults)", "\"process\": {\"rlimits\": {\"RLIMIT_NAME\": MAX}}",
	  "one container may hold more of the node's files, processes or locked memory" },
	{ "cgroups.in-use", D_NONE,
	  "drop --cgroup-parent/--cgroups options that name a cgroup holding processes",
	  "none (the kubelet names a fresh cgroup)", "none: a cgroup in use is never taken",
	  "none" },
	{ "check.cwd-not-writable", D_HEAD, "-v NAME:{} (a volume) or --tmpfs {}",
	  "an emptyDir or persistentVolumeClaim mounted at {}",
	  "a per-workload policy (hardshim-NAME) with \"rootfs\": {\"tmpfs\": [\"/tmp\", "
	  "\"/run\", \"/var/tmp\", \"{}\"]}",
	  "a tmpfs is memory and is empty at every start; a volume keeps the data" },
	{ "check.mount-not-writable", D_HEAD,
	  "--tmpfs {}:uid=UID,gid=GID (runc keeps uid=/gid= but gives the tmpfs the image "
	  "directory's mode), or run with crun",
	  "securityContext.fsGroup: GID with an emptyDir at {}",
	  "\"runtime\": \"/usr/bin/crun\" (crun honours mode=)", "none" },
	{ "check.mount-hidden", D_NONE,
	  "mount the hidden path somewhere else; the later mount covers it",
	  "mount the hidden path somewhere else",
	  "\"rootfs\": {\"tmpfs\": [...]} without the covering destination",
	  "the covering tmpfs is gone: its path is read-only" },
	{ "sysctl.not-allowed", D_KEY, "drop --sysctl {}", "drop {} from securityContext.sysctls",
	  "\"sysctl\": {\"allow\": [..., \"{}\"]}", "the container sets {} in its own namespace" },
	{ "sysctl.", D_KEY, "drop --sysctl {}", "drop {} from securityContext.sysctls", "none",
	  "none" },
	{ "resources.memory-unlimited", D_NONE,
	  "--memory SIZE, what the workload needs (the policy's default applies otherwise, and "
	  "a process over it is killed: exit 137)",
	  "resources.limits.memory", "\"resources\": {\"memory_default\": BYTES}",
	  "a larger limit lets one container take more of the node" },
	{ "resources.pids-unlimited", D_NONE, "--pids-limit N", "the kubelet's podPidsLimit",
	  "\"resources\": {\"pids_default\": N}", "a larger limit lets one container fork more" },
	{ "resources.", D_NONE, "--memory, --pids-limit, --cpus within the policy's maximum",
	  "resources.limits within the policy's maximum",
	  "\"resources\": {\"memory_max\" | \"pids_max\" | \"cpu_millicores_max\": ...}",
	  "a higher ceiling lets one container take more of the node" },
	{ "capabilities.unknown", D_CAP, "fix the name: --cap-add takes names such as NET_ADMIN",
	  "fix the name in securityContext.capabilities.add", "none", "none" },
	{ "capabilities.", D_CAP, "drop --cap-add {} unless the workload needs it",
	  "drop {} from securityContext.capabilities.add",
	  "\"capabilities\": {\"allow\": [\"CAP_NET_BIND_SERVICE\", \"{}\"]}",
	  "the process may hold {}" },
	{ "seccomp.", D_NONE, "drop --security-opt seccomp=...: hardshim's default profile applies",
	  "securityContext.seccompProfile: {type: RuntimeDefault}",
	  "\"seccomp\": {\"action\": \"rewrite\"}", "system calls the default denies stay denied" },
	{ "mac.", D_NONE, "drop --security-opt apparmor=unconfined or label=disable",
	  "leave appArmorProfile and seLinuxOptions unset",
	  "\"mac\": {\"apparmor\": {\"allowed\": [...]}} or \"selinux\": {\"allowed_types\": "
	  "[...]}",
	  "a profile of the workload's own confines it less than hardshim's" },
	{ "annotations.", D_KEY, "drop --annotation {}", "drop the annotation {}",
	  "\"annotations\": {\"allow\": [\"{}\"]}",
	  "the runtime obeys {} (a side channel around the other controls)" },
	{ "hooks.", D_NONE, "drop the hook (or --hooks-dir that adds it)", "none",
	  "\"hooks\": {\"allow\": [{\"path\": \"/abs/path\"}]}",
	  "the hook runs as root on the host" },
	{ "cli.", D_NONE, "write options as --name=value or -x value, before the container id",
	  "none (the engine writes the command line)", "\"mode\": \"audit\" records and passes it",
	  "audit mode enforces nothing" },
	{ "egress.", D_NONE, "none", "none", "\"egress\": {\"allow\": [\"CIDR:PORT/tcp\"]}",
	  "the container can reach those destinations" },
	{ "policy.", D_NONE, "none", "none", "fix the policy file (the message names the key)",
	  "none" },
	{ "", D_NONE, "none: fix the config itself (no flag makes hardshim accept it)", "none",
	  "none", "none" },
};

static const struct fix *fix_for(const char *rule)
{
	for (size_t i = 0; i < HS_ARRAY_SIZE(fixes); i++) {
		size_t n = strlen(fixes[i].prefix);

		if (n && fixes[i].prefix[n - 1] == '.' ? !strncmp(rule, fixes[i].prefix, n)
						       : !strcmp(rule, fixes[i].prefix) || !n)
			return &fixes[i];
	}
	return &fixes[HS_ARRAY_SIZE(fixes) - 1];
}

/* The word the fix is about, from the finding. */
static void detail_of(enum detail d, const char *path, const char *msg, char *buf, size_t size)
{
	const char *s = NULL, *e;

	buf[0] = '\0';
	switch (d) {
	case D_DEVICE: s = strstr(msg, "/dev/"); break;
	case D_CAP: s = strstr(msg, "CAP_"); break;
	case D_HEAD: s = msg; break;
	case D_SOURCE:
		s = strstr(msg, "bind source ");
		s = s ? s + 12 : NULL;
		break;
	case D_KEY:
		s = strstr(path, "[\"");
		s = s ? s + 2 : NULL;
		break;
	case D_NONE: return;
	}
	if (!s)
		return;
	e = s + strcspn(s, d == D_KEY ? "\"" : " ,:)");
	snprintf(buf, size, "%.*s", (int)(e - s), s);
}

static void print_with(const char *label, const char *text, const char *detail)
{
	printf("  %-12s", label);
	for (const char *p = text; *p; p++) {
		if (p[0] == '{' && p[1] == '}') {
			fputs(detail[0] ? detail : "...", stdout);
			p++;
		} else {
			putchar(*p);
		}
	}
	putchar('\n');
}

struct seen {
	const struct fix *fix;
	char detail[256];
};

/* One block per (fix, detail); the privileged request stands for its devices and
 * capabilities. Returns how many blocks were printed. */
static size_t suggest_one(struct seen *seen, size_t *n_seen, size_t max, bool privileged,
			  const char *rule, const char *path, const char *msg)
{
	const struct fix *f = fix_for(rule);
	char detail[256];

	if (privileged && (!strncmp(rule, "devices.", 8) || !strncmp(rule, "capabilities.", 13)))
		return 0;
	detail_of(f->detail, path, msg, detail, sizeof(detail));
	for (size_t i = 0; i < *n_seen; i++)
		if (seen[i].fix == f && !strcmp(seen[i].detail, detail))
			return 0;
	if (*n_seen < max) {
		seen[*n_seen].fix = f;
		snprintf(seen[*n_seen].detail, sizeof(seen[*n_seen].detail), "%s", detail);
		(*n_seen)++;
	}
	printf("%s %s: %s\n", rule, path[0] ? path : "(document)", msg);
	print_with("podman", f->podman, detail);
	print_with("kubernetes", f->kubernetes, detail);
	print_with("policy", f->policy, detail);
	print_with("costs", f->cost, detail);
	return 1;
}

/* A finding is worth a fix when it stops the container, or breaks it after it starts: a
 * refusal, a check warning, and the rewrites that change what the workload gets. */
static bool worth(const char *rule, const char *action)
{
	static const char *const breaking[] = { "user.root", "resources.memory-unlimited",
						"resources.pids-unlimited" };

	if (!strcmp(action, "refuse") || !strncmp(rule, "check.", 6))
		return true;
	for (size_t i = 0; i < HS_ARRAY_SIZE(breaking); i++)
		if (!strcmp(rule, breaking[i]))
			return true;
	return false;
}

static size_t suggest_list(const struct hs_json *list, const char *dflt_action, bool privileged,
			   struct seen *seen, size_t *n_seen, size_t max)
{
	const struct hs_json *f;
	size_t n = 0;

	hs_json_foreach_item(f, list, i) {
		const char *rule = hs_json_get_string(f, "rule"),
			   *path = hs_json_get_string(f, "path");
		const char *msg = hs_json_get_string(f, "message");
		const char *action = hs_json_get_string(f, "action");

		if (!rule || !msg)
			continue;
		if (!worth(rule, action ? action : dflt_action))
			continue;
		n += suggest_one(seen, n_seen, max, privileged, rule, path ? path : "", msg);
	}
	return n;
}

/* A report as `check --format json` prints it, or a launch record: findings, and the
 * summary's warnings when there is one. */
static size_t suggest_report(const struct hs_json *doc)
{
	struct seen seen[64];
	size_t n_seen = 0, n = 0;
	const struct hs_json *f;
	bool privileged = false;

	hs_json_foreach_item(f, hs_json_get(doc, "findings"), i) {
		const char *rule = hs_json_get_string(f, "rule");

		privileged = privileged || (rule && !strcmp(rule, "privileged"));
	}
	n += suggest_list(hs_json_get(doc, "findings"), "warn", privileged, seen, &n_seen,
			  HS_ARRAY_SIZE(seen));
	n += suggest_list(hs_json_get(hs_json_get(doc, "summary"), "warnings"), "warn", privileged,
			  seen, &n_seen, HS_ARRAY_SIZE(seen));
	return n;
}

/* A config: the pipeline and check's summary now, then the same. */
static int suggest_config(const struct hs_policy *p, const char *buf, size_t len,
			  const char *bundle_dir, size_t *ret_n, struct hs_error *err)
{
	/* check's gate: nothing delivered, nothing recorded */
	struct hs_gate g = {
		.policy = p,
		.schema = &hs_oci_spec,
		.event = HS_EVENT_CHECK,
		.source = { .kind = HS_SOURCE_BYTES, .bytes = buf, .len = len },
		.delivery = HS_DELIVER_NONE,
		.no_record = true,
	};
	const struct hs_pipeline *pl = &g.pl;
	struct hs_json *summary = NULL, *doc, *list;
	int r = hs_gate_run(&g, err) == HS_DECISION_ERROR ? (err->code ? err->code : -ENOMEM) : 0;

	if (r >= 0 && pl->tree)
		r = hs_check_summarize(pl->arena, p, pl->tree, pl->report, pl->controls, bundle_dir,
				       &summary);
	if (r >= 0) {
		doc = hs_json_new(pl->arena, HS_JSON_OBJECT);
		list = hs_json_new(pl->arena, HS_JSON_ARRAY);
		if (!doc || !list || hs_json_set(pl->arena, doc, "findings", list) < 0 ||
		    (summary && hs_json_set(pl->arena, doc, "summary", summary) < 0))
			r = -ENOMEM;
		if (r >= 0 && pl->report->privileged && pl->report->refused) {
			struct hs_json *o = hs_json_new(pl->arena, HS_JSON_OBJECT);

			r = !o ||
				    hs_json_set(pl->arena, o, "rule",
						hs_json_new_string(pl->arena, "privileged")) < 0 ||
				    hs_json_set(pl->arena, o, "action",
						hs_json_new_string(pl->arena, "refuse")) < 0 ||
				    hs_json_set(pl->arena, o, "message",
						hs_json_new_string(pl->arena,
								   "a privileged container")) < 0 ||
				    hs_json_append(pl->arena, list, o) < 0
				? -ENOMEM
				: 0;
		}
		for (size_t i = 0; r >= 0 && i < pl->report->len; i++) {
			const struct hs_finding *f = &pl->report->items[i];
			struct hs_json *o = hs_json_new(pl->arena, HS_JSON_OBJECT);

			if (!o ||
			    hs_json_set(pl->arena, o, "rule",
					hs_json_new_string(pl->arena, f->rule)) < 0 ||
			    hs_json_set(pl->arena, o, "path",
					hs_json_new_string(pl->arena, f->path)) < 0 ||
			    hs_json_set(pl->arena, o, "action",
					hs_json_new_string(pl->arena, hs_action_name(f->action))) <
				0 ||
			    hs_json_set(pl->arena, o, "message",
					hs_json_new_string(pl->arena, f->message)) < 0 ||
			    hs_json_append(pl->arena, list, o) < 0)
				r = -ENOMEM;
		}
		if (r >= 0)
			*ret_n = suggest_report(doc);
	}
	hs_gate_done(&g);
	return r;
}

/* The launch log: the last record, or the last one of container id. A runtime-failed record
 * (the runtime failed a launch after hardshim admitted it) holds no findings: the launch
 * before it does. */
static const char *pick_record(char *buf, size_t len, const char *id, size_t *ret_len)
{
	const char *best = NULL;
	char *line = buf, *end = buf + len;

	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t l = nl ? (size_t)(nl - line) : (size_t)(end - line);
		char want[320];

		snprintf(want, sizeof(want), "\"id\":\"%s\"", id ? id : "");
		if (l && (!id || memmem(line, l, want, strlen(want))) &&
		    !memmem(line, l, "\"event\":\"runtime-failed\"", 24)) {
			best = line;
			*ret_len = l;
		}
		line += l + 1;
	}
	return best;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hardshim suggest [--policy FILE] [--id ID] BUNDLE|CONFIG|REPORT|LOG\n"
		   "  a config (checked now), `hardshim check --format json` output, or the "
		   "launch log\n  (its last record, or the last for container ID)\n");
}

static int run(const char *policy_path, const char *input, const char *id)
{
	_cleanup_policy_ struct hs_policy *p = NULL;
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_free_ char *buf = NULL, *path = NULL, *dir = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json_limits lim = HS_JSON_LIMITS_DEFAULT;
	struct hs_json *doc = NULL;
	const char *rec;
	struct stat st;
	size_t len = 0, rlen = 0, n = 0;
	int r;

	if (!a)
		return -ENOMEM;
	r = hs_policy_load(policy_path, &p, &err);
	if (r >= 0 && strcmp(input, "-") && stat(input, &st) == 0 && S_ISDIR(st.st_mode)) {
		dir = strdup(input);
		r = asprintf(&path, "%s/config.json", input) < 0 || !dir ? -ENOMEM : 0;
		input = path;
	}
	if (r >= 0)
		r = !strcmp(input, "-")
			? hs_read_fd(STDIN_FILENO, INPUT_MAX, &buf, &len, &err)
			: hs_read_file_at(AT_FDCWD, input, INPUT_MAX, &buf, &len, &err);
	if (r < 0)
		goto fail;
	lim.max_bytes = INPUT_MAX;
	/* One JSON document (a config, a report) or JSON lines (the launch log). */
	if (hs_json_parse(a, buf, len, &lim, &doc, &err) < 0 || id) {
		rec = pick_record(buf, len, id, &rlen);
		err = (struct hs_error)HS_ERROR_INIT;
		if (!rec) {
			hs_error_set(&err, -ENOENT, "suggest.input", input, -1,
				     id ? "no launch record for that container"
					: "not a config, a check report or a launch log");
			goto fail;
		}
		if (hs_json_parse(a, rec, rlen, &lim, &doc, &err) < 0)
			goto fail;
	}
	if (hs_json_get(doc, "findings")) {
		n = suggest_report(doc);
	} else {
		if (!dir && strcmp(input, "-")) {
			_cleanup_free_ char *copy = strdup(input);
			char *slash = copy ? strrchr(copy, '/') : NULL;

			if (slash) {
				*slash = '\0';
				dir = strdup(copy[0] ? copy : "/");
			}
		}
		r = suggest_config(p, buf, len, dir, &n, &err);
		if (r < 0)
			goto fail;
	}
	if (!n)
		printf("nothing to fix: it runs under this policy as it is\n");
	return 0;
fail : {
	char msg[HS_LINE_MAX];

	hs_error_format(&err, msg, sizeof(msg));
	fprintf(stderr, "hardshim: suggest: %s\n", msg);
	return 2;
}
}

int hs_cmd_suggest(const char *policy_file, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy = NULL, *id = NULL;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': policy = optarg; break;
		case 'i': id = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	r = run(policy ? policy : policy_file, argv[optind], id);
	return r < 0 ? 2 : r;
}
