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

static int read_input(const char *path, size_t max, char **buf, size_t *len, struct hs_error *err)
{
	struct stat st;
	_cleanup_free_ char *cfg = NULL;

	if (!strcmp(path, "-"))
		return hs_read_fd(STDIN_FILENO, max, buf, len, err);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (asprintf(&cfg, "%s/config.json", path) < 0)
			return -ENOMEM;
		path = cfg;
	}
	return hs_read_file_at(AT_FDCWD, path, max, buf, len, err);
}

/* --bundle DIR: DIR/config.json read as create reads it. The directory and the file must be
 * root's and writable by their owner only, and neither a symlink: otherwise create refuses
 * (bundle.permissions, config.permissions, ...), and so does check (-HS_EPOLICY). */
static int read_bundle(const char *dir, size_t max, char **buf, size_t *len, struct hs_error *err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	struct stat st;

	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return hs_error_set(err, -HS_EPOLICY,
				    errno == ELOOP || errno == ENOTDIR ? "bundle.symlink"
								       : "bundle.open",
				    dir, -1, "cannot open the bundle: %s", strerror(errno));
	if (fstat(dirfd, &st) < 0 || hs_check_owner(&st, "bundle.permissions", dir, err) < 0)
		return -HS_EPOLICY;
	fd = openat(dirfd, "config.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return hs_error_set(err, -HS_EPOLICY,
				    errno == ELOOP ? "config.symlink" : "config.open",
				    "config.json", -1, "cannot open config.json: %s",
				    errno == ELOOP ? "it is a symlink" : strerror(errno));
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return hs_error_set(err, -HS_EPOLICY, "config.type", "config.json", -1,
				    "not a regular file");
	if (hs_check_owner(&st, "config.permissions", "config.json", err) < 0)
		return -HS_EPOLICY;
	return hs_read_fd(fd, max, buf, len, err);
}

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

int hs_cmd_check(int argc, char **argv)
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
	const char *policy_path = NULL, *format = "text", *output = NULL, *target = NULL;
	const char *bundle = NULL, *id = NULL, *input;
	_cleanup_policy_ struct hs_policy *policy = NULL;
	_cleanup_free_ char *buf = NULL, *bundle_abs = NULL;
	struct hs_engine_facts facts = { 0 };
	bool systemd_cgroup = false;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_pipeline pl = { 0 };
	const struct hs_host *host;
	bool diff = false, all = false;
	struct hs_json *summary = NULL;
	size_t len = 0;
	int c, r, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': policy_path = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'd': diff = true; break;
		case 't': target = optarg; break;
		case 'a': all = true; break;
		case 'b': bundle = optarg; break;
		case 'i': id = optarg; break;
		case 's': systemd_cgroup = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - (bundle ? 0 : 1) || !format ||
	    (strcmp(format, "text") && strcmp(format, "json"))) {
		usage(stderr);
		return 2;
	}
	input = bundle ? bundle : argv[optind];
	if (bundle) {
		/* judged as create judges it: the same bundle path, container id and engine facts
		 * (docs/threats.md, class 4) */
		bundle_abs = hs_absolute(bundle);
		if (!bundle_abs)
			return 2;
		hs_engine_facts_get("/proc", getppid(), bundle_abs, id, &facts);
	}
	host = hs_host_real();
	if (target) {
		if (!strcmp(target, "apparmor"))
			host = hs_host_with_mac(HS_MAC_APPARMOR);
		else if (!strcmp(target, "selinux"))
			host = hs_host_with_mac(HS_MAC_SELINUX);
		else if (!strcmp(target, "none"))
			host = hs_host_with_mac(HS_MAC_NONE);
		else {
			fprintf(stderr,
				"hardshim: check: --target: must be apparmor, selinux or none\n");
			return 2;
		}
	}
	r = hs_policy_load(policy_path ? policy_path : hs_policy_path(), &policy, &err);
	if (r < 0)
		goto fail;
	if (bundle)
		r = read_bundle(bundle_abs, policy->limits.max_bytes, &buf, &len, &err);
	else
		r = read_input(input, policy->limits.max_bytes, &buf, &len, &err);
	if (r == -EFBIG || r == -HS_EPOLICY) {
		/* Too large to read, or a bundle create would refuse, is a refusal of the config,
		 * not a tool error. */
		struct hs_report *rep = hs_report_new();
		struct hs_check_ctx fctx = { .report = rep };

		if (!rep)
			return 2;
		hs_finding(&fctx, err.rule, r == -HS_EPOLICY ? err.path : "", HS_ACTION_REFUSE,
			   "%s", err.msg);
		if (!strcmp(format, "json"))
			print_json(rep, NULL);
		else
			print_text(rep, NULL, all);
		hs_report_free(rep);
		return 1;
	}
	if (r < 0)
		goto fail;
	pl = (struct hs_pipeline){
		.policy = policy,
		.host = host,
		.schema = &hs_oci_spec,
		.event = HS_EVENT_CHECK,
		.bundle = bundle_abs,
		.container_id = id,
		.systemd_cgroup = systemd_cgroup,
		.sandbox_id = facts.sandbox_id[0] ? facts.sandbox_id : NULL,
		.pod_uid = facts.pod_uid[0] ? facts.pod_uid : NULL,
	};
	r = hs_pipeline_run(&pl, buf, len, &err);
	if (r < 0)
		goto fail;
	if (pl.tree) {
		_cleanup_free_ char *dir = bundle_dir(input);

		r = hs_check_summarize(pl.arena, policy, pl.tree, pl.report, dir, &summary);
		if (r < 0) {
			hs_pipeline_done(&pl);
			goto fail;
		}
	}
	if (!strcmp(format, "json"))
		r = print_json(pl.report, summary);
	else
		print_text(pl.report, summary, all);
	if (diff && pl.tree) {
		_cleanup_free_ char *before = NULL, *after = NULL;
		_cleanup_arena_ struct hs_arena *a = hs_arena_new();
		struct hs_json *orig;
		size_t blen, alen;
		struct hs_error perr = HS_ERROR_INIT;

		if (a && hs_json_parse(a, buf, len, &policy->limits, &orig, &perr) == 0 &&
		    hs_json_emit_pretty(orig, &before, &blen) == 0 &&
		    hs_json_emit_pretty(pl.tree, &after, &alen) == 0)
			print_diff(before, blen, after, alen);
	}
	if (output && pl.tree && !pl.report->refused) {
		_cleanup_close_ int fd =
		    open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || hs_write_all(fd, pl.final, pl.final_len) < 0) {
			hs_error_set(&err, -errno, "check.output", output, -1, "cannot write: %s",
				     strerror(errno));
			r = -1;
		}
	}
	rc = r < 0 ? 2 : pl.report->refused ? 1 : 0;
	if (r < 0) {
		hs_pipeline_done(&pl);
		goto fail;
	}
	hs_pipeline_done(&pl);
	return rc;
fail : {
	char msg[HS_LINE_MAX];

	hs_error_format(&err, msg, sizeof(msg));
	fprintf(stderr, "hardshim: check: %s\n", msg);
	return 2;
}
}
