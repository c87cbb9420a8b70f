/* SPDX-License-Identifier: Apache-2.0
 * `hardshim hook STAGE`: hardshim as an OCI hook, for nodes that keep plain runc or crun
 * (Podman, CRI-O hooks.d) and for the egress step hardshim injects into configs it rewrites.
 *   egress ARGS...           state on stdin; load the egress ruleset ARGS describe into the
 *                            container's network namespace (injected by src/policy/egress.c)
 *   devices RULE...          state on stdin; deny the runtimes' own device grants RULE in the
 *                            container's devices cgroup (injected by src/policy/devices.c;
 *                            src/cli/hook-devices.c, which the front runs without the core)
 *   devices-egress RULE... ARGS...  both, in that order, in one process (when both apply)
 *   createRuntime|prestart   state on stdin; full policy check of the bundle's config.json,
 *                            where a rewrite counts as a refusal (the runtime has already
 *                            loaded the config); then the egress rules
 *   precreate                config.json on stdin (Podman), rewritten canonical config out
 * A hook runs for every container and must never hang the runtime: stdin is read with a
 * size limit and a deadline, and the whole process with an alarm (include/hs-hook.h). Refusal:
 * exit 1, reason on stderr (the runtime shows it with the hook's failure). */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-audit.h"
#include "hs-cli.h"
#include "hs-egress.h"
#include "hs-hook.h"
#include "hs-host.h"
#include "hs-policy.h"

#define CONFIG_MAX (16u << 20) /* hard ceiling; the policy's json.max_bytes is the real one */

static int join_and_install(const struct hs_egress_cfg *cfg, pid_t pid, struct hs_error *err)
{
	int r = hs_egress_join_netns_pid(pid, err);

	/* The hook exits right after: the slow close of nftables' socket is left behind. */
	return r < 0 ? r : hs_egress_install_exiting(cfg, NULL, err);
}

static int hook_egress(int argc, char **argv)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_egress_cfg cfg;
	struct hs_hook_state st = { 0 };

	if (!a)
		return 1;
	if (hs_egress_args_parse(a, argc, argv, &cfg, &err) < 0 ||
	    hs_hook_read_state(a, &st, &err) < 0 || join_and_install(&cfg, st.pid, &err) < 0)
		return hs_hook_fail(&err);
	return 0;
}

/* `hook devices-egress RULE... ARGS...`: both of the above in one process, as the two hooks
 * ran (src/policy/egress.c makes one of them when both apply): the denies, then the egress
 * install. The RULEs are the arguments before the first option (ARGS start at "--default");
 * either half failing fails the hook, so the runtime does not start the container. */
static int hook_devices_egress(int argc, char **argv)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_egress_cfg cfg;
	struct hs_hook_state st = { 0 };
	int n = 0;

	if (!a)
		return 1;
	while (n < argc && strncmp(argv[n], "--", 2))
		n++;
	if (n > 2) {
		hs_error_set(&err, -EINVAL, "hook.devices", argv[2], -1,
			     "at most two rules to deny (one per runtime's own grant)");
		return hs_hook_fail(&err);
	}
	if (hs_hook_check_denies(n, argv, &err) < 0 ||
	    hs_egress_args_parse(a, argc - n, argv + n, &cfg, &err) < 0 ||
	    hs_hook_read_state(a, &st, &err) < 0)
		return hs_hook_fail(&err);
	hs_hook_stage = "devices-egress (devices)";
	if (hs_host_devices_deny(st.pid, argv, (size_t)n, "hook.devices", &err) < 0)
		return hs_hook_fail(&err);
	hs_hook_stage = "devices-egress (egress)";
	return join_and_install(&cfg, st.pid, &err) < 0 ? hs_hook_fail(&err) : 0;
}

/* Findings on stderr, one line each; in hook mode a rewrite is a refusal, and says why. */
static void print_findings(const struct hs_report *rep, bool hook_mode)
{
	for (size_t i = 0; i < rep->len; i++) {
		const struct hs_finding *f = &rep->items[i];
		char line[HS_LINE_MAX + 128];
		bool refuses =
		    f->action == HS_ACTION_REFUSE || (hook_mode && f->action == HS_ACTION_REWRITE);

		char exc[160] = "";

		if (f->exception)
			snprintf(exc, sizeof(exc), " [exception %s]", f->exception);
		snprintf(line, sizeof(line), "hardshim: hook %s: %s: %s: %s: %s%s%s\n",
			 hs_hook_stage, refuses ? "refused" : hs_action_name(f->action), f->rule,
			 f->path[0] ? f->path : "(document)", f->message,
			 hook_mode && f->action == HS_ACTION_REWRITE
			     ? " (the policy would rewrite this, but a hook cannot change a config "
			       "the runtime has already loaded: refused)"
			     : "",
			 exc);
		hs_hook_say(line);
	}
}

/* A warning from the record writer (log.fail_open), where the runtime's caller sees it. */
static void warn_line(const char *msg)
{
	char line[HS_LINE_MAX + 160];

	snprintf(line, sizeof(line), "%s (hook %s)\n", msg, hs_hook_stage);
	hs_hook_say(line);
}

/* What stopped the hook before any document could be judged (the state, the bundle, stdin):
 * recorded through the gate's writer, then said. */
static int refuse_early(const struct hs_policy *p, const struct hs_hook_state *st,
			struct hs_error *err)
{
	struct hs_launch l = {
		.event = HS_EVENT_HOOK,
		.verdict = HS_VERDICT_REFUSED,
		.container_id = st ? st->id : NULL,
		.bundle = st ? st->bundle : NULL,
		.error = err,
	};

	hs_gate_record_warn(warn_line, p, &l, HS_DECISION_REFUSE, err);
	return hs_hook_fail(err);
}

/* After the gate: every finding on stderr; an error (not a refusal by findings) as one line. */
static int outcome(const struct hs_gate *g, enum hs_decision d, bool hook_mode,
		   const struct hs_error *err)
{
	bool by_findings = d == HS_DECISION_REFUSE && g->pl.report && g->pl.report->refused;

	if (g->pl.report)
		print_findings(g->pl.report, hook_mode);
	if (d == HS_DECISION_ALLOW)
		return 0;
	return by_findings ? 1 : hs_hook_fail(err);
}

/* The bundle's config.json, as the runtime read it: no symlink at the last component of the
 * bundle or of config.json (a swapped file is refused, not followed). */
static int read_config(const char *bundle, char **ret, size_t *ret_len, struct hs_error *err)
{
	_cleanup_close_ int dirfd = -1;

	if (!bundle || bundle[0] != '/')
		return hs_error_set(err, -HS_EPARSE, "hook.state", "bundle", -1,
				    "the state has no absolute bundle path");
	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return hs_error_set(err, -errno,
				    errno == ELOOP || errno == ENOTDIR ? "bundle.symlink"
								       : "bundle.open",
				    bundle, -1, "cannot open the bundle: %s", strerror(errno));
	return hs_read_file_at(dirfd, "config.json", CONFIG_MAX, ret, ret_len, err);
}

/* Egress: the section the check ran with (after any exception), unless the control is off.
 * Installed before the record says "allowed" (the gate's commit step). */
static int install_egress(struct hs_gate *g, struct hs_error *err)
{
	const struct hs_hook_state *st = g->data;
	const struct hs_egress_cfg *egress = hs_egress_in_force(g->pl.controls);

	return egress ? join_and_install(egress, st->pid, err) : 0;
}

/* Hook mode: the runtime loaded the engine's config, with no devices hook of hardshim's in it
 * and no hardshim create waiting behind it, so this hook takes back the runtimes' own extra
 * device grants itself (devices.runtime-grants), in the container's devices cgroup, while its
 * init waits for `start` (or for the prestart hooks). Audit mode changes nothing. */
static int deny_devices(struct hs_gate *g, struct hs_error *err)
{
	const struct hs_hook_state *st = g->data;
	char rules[2][HS_DEVICES_DENY_MAX], *args[2];
	const struct hs_json *res;
	size_t n;
	int r;

	if (g->policy->mode == HS_MODE_AUDIT || !g->pl.tree || !hs_devices_in_force(g->pl.controls))
		return 0;
	res = hs_json_get(hs_json_get(g->pl.tree, "linux"), "resources");
	n = hs_devices_runtime_denies(hs_json_get_type(res, "devices", HS_JSON_ARRAY), rules,
				      HS_ARRAY_SIZE(rules));
	for (size_t i = 0; i < n; i++)
		args[i] = rules[i];
	r = n ? hs_host_devices_deny(st->pid, args, n, "devices.runtime-grants", err) : 0;
	return r < 0 ? r : 0;
}

/* The hook's steps once the config is admitted: egress rules, then the devices deny. */
static int commit_hook(struct hs_gate *g, struct hs_error *err)
{
	int r = install_egress(g, err);

	return r < 0 ? r : deny_devices(g, err);
}

/* createRuntime / prestart: the node's policy on a config the runtime has already loaded. */
static int hook_check(const char *policy_file)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_policy_ struct hs_policy *p = NULL;
	_cleanup_free_ char *buf = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_hook_state st = { 0 };
	enum hs_decision d;
	struct hs_gate g;
	size_t len = 0;
	int r;

	if (!a)
		return 1;
	r = hs_policy_load(policy_file, &p, &err);
	if (r < 0)
		return hs_hook_fail(&err);
	r = hs_hook_read_state(a, &st, &err);
	if (r >= 0)
		r = read_config(st.bundle, &buf, &len, &err);
	if (r < 0)
		return refuse_early(p, &st, &err);
	g = (struct hs_gate){
		.policy = p,
		.schema = &hs_oci_spec,
		.event = HS_EVENT_HOOK,
		.hook = true,
		/* The runtime has already loaded the config: a rewrite is a refusal. */
		.no_rewrite = true,
		.bundle = st.bundle,
		.container_id = st.id,
		.source = { .kind = HS_SOURCE_BYTES,
			    .bytes = buf,
			    .len = len,
			    .where = "config.json" },
		.delivery = HS_DELIVER_NONE,
		.commit = commit_hook,
		.warn = warn_line,
		.data = &st,
	};
	d = hs_gate_run(&g, &err);
	r = outcome(&g, d, true, &err);
	hs_gate_done(&g);
	return r;
}

/* precreate (Podman): config on stdin, the checked and rewritten canonical config on stdout,
 * exactly as the create path would hand it to the runtime. The decision is create's, the
 * entry point a hook. */
static int hook_precreate(const char *policy_file)
{
	_cleanup_policy_ struct hs_policy *p = NULL;
	_cleanup_free_ char *buf = NULL;
	struct hs_error err = HS_ERROR_INIT;
	enum hs_decision d;
	struct hs_gate g;
	size_t len = 0;
	int r;

	r = hs_policy_load(policy_file, &p, &err);
	if (r < 0)
		return hs_hook_fail(&err);
	r = hs_hook_read_stdin(p->limits.max_bytes < CONFIG_MAX ? p->limits.max_bytes : CONFIG_MAX,
			       &buf, &len, &err);
	if (r < 0)
		return refuse_early(p, NULL, &err);
	g = (struct hs_gate){
		.policy = p,
		.schema = &hs_oci_spec,
		.event = HS_EVENT_CREATE,
		.hook = true,
		.source = { .kind = HS_SOURCE_BYTES, .bytes = buf, .len = len, .where = "stdin" },
		.delivery = HS_DELIVER_STDOUT,
		.warn = warn_line,
	};
	d = hs_gate_run(&g, &err);
	r = outcome(&g, d, false, &err);
	hs_gate_done(&g);
	return r;
}

int hs_cmd_hook(const char *policy_file, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "devices"))
		return hs_cmd_hook_devices(argc - 1, argv + 1); /* as the front runs it */
	hs_hook_deadline();
	if (argc < 2) {
		fprintf(stderr, "usage: hardshim hook egress ARGS | devices RULE... | "
				"devices-egress RULE... "
				"ARGS | createRuntime | prestart | precreate\n");
		return 2;
	}
	hs_hook_stage = argv[1];
	if (!strcmp(argv[1], "egress"))
		return hook_egress(argc - 2, argv + 2);
	if (!strcmp(argv[1], "devices-egress"))
		return hook_devices_egress(argc - 2, argv + 2);
	if (argc == 2 && (!strcmp(argv[1], "createRuntime") || !strcmp(argv[1], "prestart")))
		return hook_check(policy_file);
	if (argc == 2 && !strcmp(argv[1], "precreate"))
		return hook_precreate(policy_file);
	fprintf(stderr, "hardshim: hook: unknown stage or arguments \"%s\"\n", argv[1]);
	return 2;
}
