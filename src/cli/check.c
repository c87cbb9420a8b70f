/* SPDX-License-Identifier: Apache-2.0
 * `hardshim check`: the create path's verdict without running anything, for CI pipelines.
 * Exit 0: would run (possibly after rewrites), 1: would be refused, 2: usage or policy error. */
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hs-cli.h"
#include "hs-host.h"

extern char **environ;

static void usage(FILE *f)
{
	fprintf(f, "usage: hardshim check [--policy FILE] [--format text|json] [--output FILE] "
		   "[--diff] [--all]\n"
		   "                      [--target apparmor|selinux|none] BUNDLE|CONFIG\n"
		   "       hardshim check [options] [--systemd-cgroup] --bundle DIR [--id ID]\n");
}

static int print_json(const struct hs_report *rep, struct hs_json *summary)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_free_ char *out = NULL;
	struct hs_json *root, *list;
	size_t len;

	if (!a || !(root = hs_json_new(a, HS_JSON_OBJECT)) ||
	    !(list = hs_json_new(a, HS_JSON_ARRAY)))
		return -ENOMEM;
	if (hs_json_set(a, root, "verdict",
			hs_json_new_string(a, rep->refused ? "refuse" : "allow")) < 0 ||
	    hs_json_set(a, root, "findings", list) < 0 ||
	    (summary && hs_json_set(a, root, "summary", summary) < 0))
		return -ENOMEM;
	for (size_t i = 0; i < rep->len; i++) {
		const struct hs_finding *f = &rep->items[i];
		struct hs_json *o = hs_json_new(a, HS_JSON_OBJECT);

		if (!o || hs_json_set(a, o, "rule", hs_json_new_string(a, f->rule)) < 0 ||
		    hs_json_set(a, o, "path", hs_json_new_string(a, f->path)) < 0 ||
		    hs_json_set(a, o, "action", hs_json_new_string(a, hs_action_name(f->action))) <
			0 ||
		    hs_json_set(a, o, "message", hs_json_new_string(a, f->message)) < 0 ||
		    (f->exception &&
		     hs_json_set(a, o, "exception", hs_json_new_string(a, f->exception)) < 0) ||
		    hs_json_append(a, list, o) < 0)
			return -ENOMEM;
	}
	if (hs_json_emit(root, &out, &len) < 0)
		return -ENOMEM;
	printf("%s\n", out);
	return 0;
}

/* The summary first (what the container will be able to do), then the findings, with the
 * capability and seccomp rewrites folded into the summary's counts unless --all. */
static void print_text(const struct hs_report *rep, const struct hs_json *summary, bool all)
{
	size_t n[3] = { 0 }, folded = 0;

	if (summary)
		hs_check_summary_print(summary);
	for (size_t i = 0; i < rep->len; i++) {
		const struct hs_finding *f = &rep->items[i];

		n[f->action]++;
		if (!all && summary && hs_check_folded(f)) {
			folded++;
			continue;
		}
		printf("%-8s %s %s: %s%s%s%s\n", hs_action_name(f->action), f->rule,
		       f->path[0] ? f->path : "(document)", f->message,
		       f->exception ? " [exception " : "", f->exception ? f->exception : "",
		       f->exception ? "]" : "");
	}
	if (folded)
		printf("(%zu capability and seccomp rewrites counted above; --all lists them)\n",
		       folded);
	printf("verdict: %s (%zu refused, %zu rewritten, %zu warnings)\n",
	       rep->refused ? "refuse" : "allow", n[HS_ACTION_REFUSE], n[HS_ACTION_REWRITE],
	       n[HS_ACTION_WARN]);
}

/* --diff: what the rewrite changed, as `diff -u` of the indented forms. */
static int print_diff(const char *before, size_t blen, const char *after, size_t alen)
{
	char a[] = "/tmp/hardshim-check-a.XXXXXX", b[] = "/tmp/hardshim-check-b.XXXXXX";
	_cleanup_close_ int fa = mkstemp(a), fb = mkstemp(b);
	char *argv[] = { "diff", "-u", "--label", "original", "--label", "hardened", a, b, NULL };
	int status = 0;
	pid_t pid;

	if (fa < 0 || fb < 0 || hs_write_all(fa, before, blen) < 0 ||
	    hs_write_all(fb, after, alen) < 0)
		goto out;
	fflush(stdout);
	if (posix_spawn(&pid, "/usr/bin/diff", NULL, NULL, argv, environ) == 0)
		waitpid(pid, &status, 0);
out:
	unlink(a);
	unlink(b);
	return 0;
}

/* CONFIG as given (a directory: its config.json): not through a symlink, a regular file. No
 * owner rule: nothing will run from it. */
static const struct hs_source_rules input_rules = {
	.open = "file.open",
	.symlink = "file.symlink",
	.type = "file.type",
};

/* The bundle the input sits in (its rootfs is where the image's ownership is read), or NULL
 * for stdin. */
static char *bundle_dir(const char *input)
{
	_cleanup_free_ char *copy = NULL;
	struct stat st;

	if (!strcmp(input, "-"))
		return NULL;
	if (stat(input, &st) == 0 && S_ISDIR(st.st_mode))
		return strdup(input);
	copy = strdup(input);
	return copy ? strdup(dirname(copy)) : NULL;
}

struct check_opts {
	const char *format, *output;
	bool diff, all;
};

/* --diff: the original and the hardened document, indented. */
static void diff_documents(const struct hs_gate *g)
{
	_cleanup_free_ char *before = NULL, *after = NULL;
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	struct hs_error perr = HS_ERROR_INIT;
	struct hs_json *orig;
	size_t blen, alen;

	if (a &&
	    hs_json_parse(a, g->original, g->original_len, &g->policy->limits, &orig, &perr) == 0 &&
	    hs_json_emit_pretty(orig, &before, &blen) == 0 &&
	    hs_json_emit_pretty(g->pl.tree, &after, &alen) == 0)
		print_diff(before, blen, after, alen);
}

/* What the gate judged: the summary and the findings, --diff, and --output (the canonical
 * document create would hand the runtime, only when it would run). */
static int print_verdict(const struct check_opts *o, const struct hs_gate *g, const char *input,
			 struct hs_error *err)
{
	struct hs_json *summary = NULL;
	int r = 0;

	if (g->pl.tree) {
		_cleanup_free_ char *dir = bundle_dir(input);

		r = hs_check_summarize(g->pl.arena, g->policy, g->pl.tree, g->pl.report,
				       g->pl.controls, dir, &summary);
		if (r < 0)
			return r;
	}
	if (!strcmp(o->format, "json"))
		r = print_json(g->pl.report, summary);
	else
		print_text(g->pl.report, summary, o->all);
	if (o->diff && g->pl.tree)
		diff_documents(g);
	if (o->output && g->pl.tree && !g->pl.report->refused) {
		_cleanup_close_ int fd =
		    open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || hs_write_all(fd, g->pl.final, g->pl.final_len) < 0)
			return hs_error_set(err, -errno, "check.output", o->output, -1,
					    "cannot write: %s", strerror(errno));
	}
	return r;
}

/* Was the document refused for its size (rule json.size)? That is a verdict on the document,
 * named by its rule id (the stable interface, docs/policy.md), never by an errno. */
static bool too_large(const struct hs_error *err)
{
	return !strcmp(err->rule, "json.size");
}

/* A document refused before it was judged (a bundle create would refuse, a config too large
 * to read): one finding, exit 1. */
static int print_unread(const struct check_opts *o, const struct hs_error *err)
{
	_cleanup_report_ struct hs_report *rep = hs_report_new();
	struct hs_check_ctx fctx = { .report = rep };

	if (!rep)
		return 2;
	/* too large: the whole document, as the pipeline names it */
	hs_finding(&fctx, err->rule, too_large(err) ? "" : err->path, HS_ACTION_REFUSE, "%s",
		   err->msg);
	if (!strcmp(o->format, "json"))
		print_json(rep, NULL);
	else
		print_text(rep, NULL, o->all);
	return 1;
}

static int fail(const struct hs_error *err)
{
	char msg[HS_LINE_MAX];

	hs_error_format(err, msg, sizeof(msg));
	fprintf(stderr, "hardshim: check: %s\n", msg);
	return 2;
}

static const struct hs_host *target_host(const char *target)
{
	if (!target)
		return hs_host_real();
	if (!strcmp(target, "apparmor"))
		return hs_host_with_mac(HS_MAC_APPARMOR);
	if (!strcmp(target, "selinux"))
		return hs_host_with_mac(HS_MAC_SELINUX);
	if (!strcmp(target, "none"))
		return hs_host_with_mac(HS_MAC_NONE);
	return NULL;
}

/* The gate's source: --bundle DIR as create opens it (bundle and config owner rules, the same
 * bundle path and engine facts: docs/threats.md, class 4), or CONFIG ("-": stdin), or a
 * bundle directory given as CONFIG (judged against that directory, without the owner rules
 * and engine facts: a CI checkout is not root-owned and no engine called check). */
static enum hs_decision source(struct hs_gate *g, const char *bundle, const char *input,
			       char **bundle_abs, char **path, int *dirfd,
			       struct hs_engine_facts *facts, struct hs_held_view *view,
			       struct hs_error *err)
{
	struct stat st;
	enum hs_decision d;

	if (bundle) {
		d = hs_bundle_open(bundle, bundle_abs, dirfd, &st, HS_BUNDLE_USERNS_LOOK,
				   &g->bundle_owner, err);
		if (d != HS_DECISION_ALLOW)
			return d;
		hs_engine_facts_get("/proc", getppid(), *bundle_abs, g->container_id, facts);
		g->bundle = *bundle_abs;
		g->sandbox_id = facts->sandbox_id[0] ? facts->sandbox_id : NULL;
		g->pod_uid = facts->pod_uid[0] ? facts->pod_uid : NULL;
		g->source = hs_bundle_config(*dirfd, "config.json");
		if (g->bundle_owner) {
			/* judged as create judges it once held; nothing is changed */
			g->before = hs_bundle_hold_sources;
			g->host = hs_bundle_as_held(g->host, view);
		}
		return HS_DECISION_ALLOW;
	}
	if (!strcmp(input, "-")) {
		g->source = (struct hs_source){
			.kind = HS_SOURCE_PATH, .path = "-", .where = "stdin", .rules = &input_rules
		};
		return HS_DECISION_ALLOW;
	}
	if (stat(input, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* A bundle directory: a relative root.path and relative bind sources are read
		 * from it, as create and `check --bundle` read them; otherwise the image's
		 * directories and owners would go unseen and the verdict would differ. */
		if (asprintf(path, "%s/config.json", input) < 0 ||
		    !(*bundle_abs = hs_absolute(input)))
			return hs_decide(err, HS_DECISION_ERROR, -ENOMEM, "internal", "", -1,
					 "out of memory");
		g->bundle = *bundle_abs;
		input = *path;
	}
	g->source = (struct hs_source){ .kind = HS_SOURCE_FILE,
					.dirfd = AT_FDCWD,
					.name = input,
					.where = input,
					.display = input,
					.rules = &input_rules };
	return HS_DECISION_ALLOW;
}

int hs_cmd_check(const char *policy_file, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "diff", no_argument, NULL, 'd' },
		{ "target", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "id", required_argument, NULL, 'i' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check_opts o = { .format = "text" };
	const char *policy_path = NULL, *target = NULL, *bundle = NULL, *id = NULL, *input;
	_cleanup_policy_ struct hs_policy *policy = NULL;
	_cleanup_free_ char *bundle_abs = NULL, *path = NULL;
	_cleanup_close_ int dirfd = -1;
	struct hs_engine_facts facts = { 0 };
	struct hs_held_view view;
	bool systemd_cgroup = false;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_gate g;
	enum hs_decision d;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': policy_path = optarg; break;
		case 'f': o.format = optarg; break;
		case 'o': o.output = optarg; break;
		case 'd': o.diff = true; break;
		case 't': target = optarg; break;
		case 'a': o.all = true; break;
		case 'b': bundle = optarg; break;
		case 'i': id = optarg; break;
		case 's': systemd_cgroup = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - (bundle ? 0 : 1) || !o.format ||
	    (strcmp(o.format, "text") && strcmp(o.format, "json"))) {
		usage(stderr);
		return 2;
	}
	input = bundle ? bundle : argv[optind];
	if (!target_host(target)) {
		fprintf(stderr, "hardshim: check: --target: must be apparmor, selinux or none\n");
		return 2;
	}
	if (hs_policy_load(policy_path ? policy_path : policy_file, &policy, &err) < 0)
		return fail(&err);
	/* The create path's gate with nothing delivered and nothing recorded. */
	g = (struct hs_gate){
		.policy = policy,
		.host = target_host(target),
		.schema = &hs_oci_spec,
		.event = HS_EVENT_CHECK,
		.container_id = id,
		.systemd_cgroup = systemd_cgroup,
		.egress_at_create = true, /* as the create adapter: same findings */
		.delivery = HS_DELIVER_NONE,
		.no_record = true,
		.fd = -1,
	};
	d = source(&g, bundle, input, &bundle_abs, &path, &dirfd, &facts, &view, &err);
	if (d == HS_DECISION_ALLOW)
		d = hs_gate_run(&g, &err);
	if (d == HS_DECISION_ERROR) {
		rc = fail(&err);
	} else if (!g.pl.report) {
		/* Refused before it was judged. A bundle create would refuse and a document too
		 * large to read are verdicts; a CONFIG that cannot be opened is the caller's. */
		rc = bundle || too_large(&err) ? print_unread(&o, &err) : fail(&err);
	} else {
		rc = print_verdict(&o, &g, input, &err) < 0 ? fail(&err)
		     : g.pl.report->refused                 ? 1
							    : 0;
	}
	hs_gate_done(&g);
	hs_bundle_release();
	return rc;
}
