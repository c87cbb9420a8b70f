/* SPDX-License-Identifier: Apache-2.0
 * The one gate: every entry point that judges a document (create/run/restore, exec --process
 * and its flags, update --resources and its flags, the hooks, check and suggest) goes through
 * hs_gate_run, which owns the read, the pipeline, the verdict, the delivery and the launch
 * record (none for check and suggest: nothing runs). Copies of this flow
 * drifted before (update wrote no record of its own, its flags skipped the pipeline): an
 * attacker picks the entry point whose copy forgot a step. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-audit.h"
#include "hs-cli.h"
#include "hs-host.h"

enum hs_decision hs_decide(struct hs_error *err, enum hs_decision d, int code, const char *rule,
			   const char *path, long long offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hs_error_setv(err, code, rule, path, offset, fmt, ap);
	va_end(ap);
	return d;
}

/* --- read --- */

/* name in dirfd: not through a symlink, a regular file, shaped by nobody but root (or us). */
static int read_file(struct hs_gate *g, size_t max, struct hs_error *err)
{
	const struct hs_source *s = &g->source;
	const struct hs_source_rules *rules = s->rules;
	_cleanup_close_ int fd =
	    openat(s->dirfd, s->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int r;

	if (fd < 0)
		return hs_error_set(err, -errno, errno == ELOOP ? rules->symlink : rules->open,
				    s->where, -1, "cannot open %s: %s", s->display,
				    errno == ELOOP ? "it is a symlink" : strerror(errno));
	if (fstat(fd, &st) < 0)
		return hs_error_set(err, -errno, rules->open, s->where, -1, "cannot stat %s: %s",
				    s->display, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hs_error_set(err, -EINVAL, rules->type, s->where, -1,
				    "%s is not a regular file", s->display);
	if (rules->permissions && hs_check_owner(&st, rules->permissions, s->where, err) < 0)
		return -HS_EPOLICY;
	g->mode = st.st_mode & 0644;
	r = hs_read_fd(fd, max, &g->original, &g->original_len, err);
	if (r >= 0)
		g->fd = TAKE_FD(fd); /* keep_original links this very inode */
	return r;
}

/* A path the runtime would read itself, or "-" for stdin: copied, then only the copy is used,
 * so who owns it does not matter. O_NONBLOCK: a FIFO must not hang the caller. */
static int read_path(struct hs_gate *g, size_t max, struct hs_error *err)
{
	const struct hs_source *s = &g->source;
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!strcmp(s->path, "-"))
		return hs_read_fd(STDIN_FILENO, max, &g->original, &g->original_len, err);
	fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return hs_error_set(err, -errno, s->rules->open, s->where, -1, "cannot open %s: %s",
				    s->path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return hs_error_set(err, -EINVAL, s->rules->type, s->where, -1,
				    "%s is not a regular file", s->path);
	return hs_read_fd(fd, max, &g->original, &g->original_len, err);
}

static int gate_read(struct hs_gate *g, struct hs_error *err)
{
	size_t max = g->policy->limits.max_bytes;
	int r;

	switch (g->source.kind) {
	case HS_SOURCE_FILE: r = read_file(g, max, err); break;
	case HS_SOURCE_PATH: r = read_path(g, max, err); break;
	default:
		if (!(g->original = malloc(g->source.len + 1)))
			return -ENOMEM;
		memcpy(g->original, g->source.bytes, g->source.len);
		g->original[g->source.len] = '\0';
		g->original_len = g->source.len;
		return 0;
	}
	if (r < 0 && !err->path[0])
		snprintf(err->path, sizeof(err->path), "%s", g->source.where);
	return r;
}

/* --- verdict and delivery --- */

static void refusal(struct hs_gate *g, struct hs_error *err)
{
	char summary[HS_LINE_MAX];
	const char *flag = NULL;

	hs_report_summary(g->pl.report, summary, sizeof(summary));
	for (size_t i = 0; g->origin && i < g->pl.report->len; i++)
		if (g->pl.report->items[i].action == HS_ACTION_REFUSE) {
			flag = g->origin(g, &g->pl.report->items[i]);
			break;
		}
	hs_error_set(err, -HS_EPOLICY, "", "", -1, "%s%s%s%s", summary, flag ? " (from --" : "",
		     flag ? flag : "", flag ? ")" : "");
}

static int deliver(struct hs_gate *g, const char *data, size_t len, struct hs_error *err)
{
	const struct hs_source *s = &g->source;
	int r = 0;

	/* Unchanged, or observed only: the file stays as it came. */
	if ((g->delivery & HS_DELIVER_REWRITE) && data != g->original) {
		/* Keep what the engine wrote, for forensics: the inode read and judged, under a
		 * second name (no copy; its sha256 is in the record); a copy where it cannot be
		 * linked (a config that is a mount point of its own, no CAP_DAC_READ_SEARCH). */
		if (g->keep_original &&
		    (g->fd < 0 || hs_link_fd_as(g->fd, s->dirfd, g->keep_original) < 0))
			r = hs_replace_file(s->dirfd, g->keep_original, g->original,
					    g->original_len, 0600, !g->no_fsync, err);
		/* Then replace the file atomically. */
		if (r >= 0)
			r = hs_replace_file(s->dirfd, s->name, data, len, g->mode, !g->no_fsync,
					    err);
		if (r < 0)
			return r;
	}
	if (g->delivery & HS_DELIVER_MEMFD) {
		r = hs_sealed_memfd(g->memfd_name, data, len, g->memfd_min, err);
		if (r < 0)
			return r;
		g->memfd = r;
	}
	if ((g->delivery & HS_DELIVER_STDOUT) && (hs_write_all(STDOUT_FILENO, data, len) < 0 ||
						  hs_write_all(STDOUT_FILENO, "\n", 1) < 0))
		return hs_error_set(err, -errno, "hook.stdout", "stdout", -1,
				    "cannot write the config to stdout: %s", strerror(errno));
	return 0;
}

/* A bundle owned by a non-root uid (hs_bundle_open: one only root can reach) is a user
 * namespace's: admitted only when the config makes its own user namespace and maps container
 * uid 0 to exactly that owner. Any other owner is someone else's directory. */
static bool owner_is_mapped_root(const struct hs_json *config, uid_t owner)
{
	uint32_t host;

	return hs_userns_host_id(config, "uidMappings", 0, &host) && host == owner;
}

static enum hs_decision judge(struct hs_gate *g, struct hs_error *err)
{
	bool observe = g->policy->mode == HS_MODE_AUDIT;

	int r = gate_read(g, err);

	/* What is wrong with the input (too large, a symlink, someone else's file) refuses it;
	 * only running out of memory is hardshim's own failure. */
	if (r < 0)
		return r == -ENOMEM ? HS_DECISION_ERROR : HS_DECISION_REFUSE;
	if (g->before && g->before(g, err) < 0)
		return HS_DECISION_ERROR;
	g->pl = (struct hs_pipeline){
		.policy = g->policy,
		.host = g->host ? g->host : hs_host_real(),
		.schema = g->schema,
		.event = g->event,
		.no_rewrite = g->no_rewrite,
		.bundle = g->bundle,
		.container_id = g->container_id,
		.exception = g->exception,
		.systemd_cgroup = g->systemd_cgroup,
		.egress_at_create = g->egress_at_create,
		.sandbox_id = g->sandbox_id,
		.pod_uid = g->pod_uid,
		.container = g->container,
	};
	if (hs_pipeline_run(&g->pl, g->original, g->original_len, err) < 0)
		return HS_DECISION_ERROR;
	if (g->bundle_owner && !owner_is_mapped_root(g->pl.tree, g->bundle_owner)) {
		/* in every mode: as a root-only bundle's owner rule (hs_bundle_open) */
		struct hs_check_ctx fctx = { .report = g->pl.report };

		if (hs_finding(&fctx, "bundle.permissions", "linux.uidMappings", HS_ACTION_REFUSE,
			       "the bundle %s is owned by uid %u, not by root, and the config's "
			       "own user namespace does not map container uid 0 to it: it could "
			       "be changed after the check",
			       g->bundle ? g->bundle : "", (unsigned)g->bundle_owner) < 0)
			return HS_DECISION_ERROR;
		refusal(g, err);
		return HS_DECISION_REFUSE;
	}
	if (g->annotate)
		g->annotate(g);
	if (!observe && g->pl.report->refused) {
		refusal(g, err);
		return HS_DECISION_REFUSE;
	}
	/* Observe only (audit mode): the runtime gets the bytes as they came. With no delivery
	 * (a hook, update flags) nothing is rewritten: the runtime goes on with what it has. */
	g->rewrote = !observe && g->pl.changed && g->delivery != HS_DELIVER_NONE;
	if (deliver(g, g->rewrote ? g->pl.final : g->original,
		    g->rewrote ? g->pl.final_len : g->original_len, err) < 0)
		return HS_DECISION_ERROR;
	if (g->commit && g->commit(g, err) < 0)
		return HS_DECISION_ERROR;
	return HS_DECISION_ALLOW;
}

enum hs_decision hs_gate_run(struct hs_gate *g, struct hs_error *err)
{
	enum hs_decision d;
	bool by_findings;

	g->memfd = -1;
	g->fd = -1;
	d = judge(g, err);
	if (g->no_record)
		return d;
	by_findings = d == HS_DECISION_REFUSE && g->pl.report && g->pl.report->refused;
	struct hs_launch l = {
		.event = g->hook ? HS_EVENT_HOOK : g->event,
		.verdict = d != HS_DECISION_ALLOW ? HS_VERDICT_REFUSED
			   : g->rewrote           ? HS_VERDICT_REWRITTEN
						  : HS_VERDICT_ALLOWED,
		.container_id = g->container_id,
		.bundle = g->bundle,
		.report = g->pl.report,
		.error = d != HS_DECISION_ALLOW && !by_findings ? err : NULL,
		.original = g->original,
		.original_len = g->original_len,
		.final = d != HS_DECISION_ALLOW ? NULL
			 : g->rewrote           ? g->pl.final
						: g->original,
		.final_len = g->rewrote ? g->pl.final_len : g->original_len,
		.annotations =
		    g->pl.tree ? hs_json_get_type(g->pl.tree, "annotations", HS_JSON_OBJECT) : NULL,
		/* create: hardshim waits for the runtime and records its failure */
		.waits = d == HS_DECISION_ALLOW && g->argv && hs_runtime_waits(g->argv),
	};
	return g->argv ? hs_gate_record(g->argv, g->policy, &l, d, err)
		       : hs_gate_record_warn(g->warn, g->policy, &l, d, err);
}

void hs_gate_done(struct hs_gate *g)
{
	hs_pipeline_done(&g->pl);
	free(g->original);
	g->original = NULL;
	if (g->fd >= 0)
		close(TAKE_FD(g->fd));
}

/* --- the launch record: the only caller of hs_audit_launch on the runtime paths --- */

static enum hs_decision record(const struct hs_argv *a, void (*warn)(const char *line),
			       const struct hs_policy *p, struct hs_launch *l, enum hs_decision d,
			       struct hs_error *err)
{
	struct hs_error aerr = HS_ERROR_INIT;
	int r;

	if (a) {
		l->mark = a->mark;
		l->root = a->root;
		/* argv[0] is hardshim (or, once exec'ed, the runtime: "runtime" names it). */
		if (a->received && a->received_argc > 0) {
			l->argv = a->received + 1;
			l->argc = (size_t)a->received_argc - 1;
		}
		if (a->received && a->argv != a->received && a->argc > 0) {
			l->runtime_argv = a->argv + 1;
			l->runtime_argc = (size_t)a->argc - 1;
		}
		if (a->first_positional >= 0 && !l->container_id)
			l->container_id = a->argv[a->first_positional];
	}
	r = hs_audit_launch(p, l, &aerr);
	if (r > 0 && d == HS_DECISION_ALLOW) {
		char buf[HS_LINE_MAX], msg[HS_LINE_MAX + 128];

		hs_error_format(&aerr, buf, sizeof(buf));
		snprintf(msg, sizeof(msg), "hardshim: warning: %s (log.fail_open: starting anyway)",
			 buf);
		if (warn)
			warn(msg);
		else
			hs_report_to_caller(a, msg);
	}
	/* A record that cannot be written stops a launch that was going to start. */
	if (r < 0 && d == HS_DECISION_ALLOW) {
		if (err)
			*err = aerr;
		return HS_DECISION_REFUSE;
	}
	return d;
}

enum hs_decision hs_gate_record(const struct hs_argv *a, const struct hs_policy *p,
				struct hs_launch *l, enum hs_decision d, struct hs_error *err)
{
	return record(a, NULL, p, l, d, err);
}

enum hs_decision hs_gate_record_warn(void (*warn)(const char *line), const struct hs_policy *p,
				     struct hs_launch *l, enum hs_decision d, struct hs_error *err)
{
	return record(NULL, warn, p, l, d, err);
}
