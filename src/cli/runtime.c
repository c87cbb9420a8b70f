/* SPDX-License-Identifier: Apache-2.0
 * The runtime command line: the fast path for commands that need no policy, and the policy
 * paths for create/run/restore (here), exec and update (exec.c, update.c). The only place
 * hardshim execs the real runtime; create runs it as a child and waits (wait-runtime.c), so a
 * runtime failure after the launch record is recorded too. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-audit.h"
#include "hs-cli.h"
#include "hs-host.h"

extern char **environ;

/* execve the runtime with hardshim's own argv, environment and fds: the caller (conmon,
 * containerd-shim) keeps its child, its stdio and its signals. */
static int exec_runtime(const struct hs_argv *a, const char *runtime, struct hs_error *err)
{
	a->argv[0] = (char *)runtime;
	execve(runtime, a->argv, environ);
	return hs_error_set(err, -errno, "runtime.exec", runtime, -1,
			    "cannot execute the runtime: %s", strerror(errno));
}

char *hs_absolute(const char *path)
{
	_cleanup_free_ char *cwd = NULL;
	char *r;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (!cwd || asprintf(&r, "%s/%s", cwd, strcmp(path, ".") ? path : "") < 0)
		return NULL;
	if (r[strlen(r) - 1] == '/' && strlen(r) > 1)
		r[strlen(r) - 1] = '\0';
	return r;
}

/* AUDIT (src/audit/): write the launch record. A record that cannot be written stops a
 * launch that was going to start (rule audit.write), unless the policy fails open: then the
 * caller is warned and the launch goes on. Returns the prepare result to go on with. */
static int record_launch(const struct hs_argv *a, const struct hs_policy *p, struct hs_launch *l,
			 int r, struct hs_error *err)
{
	struct hs_error aerr = HS_ERROR_INIT;
	char buf[1400], msg[1500];
	int ar;

	if (a->cmd)
		l->event = a->cmd->event;
	l->root = a->root;
	if (a->first_positional >= 0)
		l->container_id = a->argv[a->first_positional];
	ar = hs_audit_launch(p, l, &aerr);
	if (ar > 0 && r == 0) {
		hs_error_format(&aerr, buf, sizeof(buf));
		snprintf(msg, sizeof(msg), "hardshim: warning: %s (log.fail_open: starting anyway)",
			 buf);
		hs_report_to_caller(a, msg);
	}
	if (ar < 0 && r == 0) {
		if (err)
			*err = aerr;
		return 1;
	}
	return r;
}

/* Keep what the engine wrote, for forensics, then replace the config atomically. The original
 * is the very inode hardshim read and judged (a second name, no copy), and its bytes' sha256
 * is in the launch record. Neither name is fsync'ed: the runtime reads the new config from the
 * page cache within milliseconds, and a container does not outlive a crash: whatever starts
 * it again runs `create` through hardshim again, which judges whatever config.json then holds
 * (the engine's, or hardshim's, or an empty file, refused). Each fsync cost the create path a
 * disk flush (docs/performance.md); the launch record stays durable before the runtime runs. */
static int replace_config(int dirfd, int fd, const char *name, const char *buf, size_t len,
			  const struct hs_pipeline *pl, mode_t mode, struct hs_error *err)
{
	int r = hs_link_fd_as(fd, dirfd, "config.json.orig");

	if (r < 0) /* a config that is a mount point of its own, or no CAP_DAC_READ_SEARCH */
		r = hs_replace_file(dirfd, "config.json.orig", buf, len, 0600, false, err);
	if (r >= 0)
		r = hs_replace_file(dirfd, name, pl->final, pl->final_len, mode, false, err);
	return r;
}

int hs_create_prepare(struct hs_argv *a, const struct hs_policy *p, struct hs_error *err)
{
	const char *bundle = hs_argv_value(a, "bundle");
	const char *name = hs_argv_value(a, "config");
	_cleanup_free_ char *bundle_abs = NULL, *buf = NULL;
	_cleanup_close_ int dirfd = -1, fd = -1;
	struct hs_pipeline pl = { 0 };
	struct hs_engine_facts facts;
	struct stat st;
	size_t len;
	int r;

	if (!bundle)
		bundle = "."; /* containerd runs create with the bundle as cwd */
	if (!name)
		name = "config.json";
	else if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
		return hs_error_set(err, -HS_EUSAGE, "cli.bad-value", "--config", -1,
				    "must name a file in the bundle");
	bundle_abs = hs_absolute(bundle);
	if (!bundle_abs)
		return -ENOMEM;

	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return hs_error_set(err, -errno,
				    errno == ELOOP || errno == ENOTDIR ? "bundle.symlink"
								       : "bundle.open",
				    bundle_abs, -1, "cannot open the bundle: %s",
				    errno == ELOOP || errno == ENOTDIR
					? "not a directory (or a symlink)"
					: strerror(errno));
	if (fstat(dirfd, &st) < 0)
		return -errno;
	r = hs_check_owner(&st, "bundle.permissions", bundle_abs, err);
	if (r < 0)
		return 1;
	if (hs_argv_value(a, "config")) {
		struct stat cwd;

		/* crun opens --config FILE from the cwd, not from the bundle: only when the two
		 * are one directory is the file checked here the one the runtime reads. */
		if (stat(".", &cwd) < 0 || cwd.st_dev != st.st_dev || cwd.st_ino != st.st_ino)
			return hs_error_set(err, -HS_EUSAGE, "cli.config-cwd", "--config", -1,
					    "--config %s: crun reads it from the working "
					    "directory, "
					    "which is not the bundle %s",
					    name, bundle_abs),
			       1;
	}

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return hs_error_set(err, -errno, errno == ELOOP ? "config.symlink" : "config.open",
				    name, -1, "cannot open %s: %s", name,
				    errno == ELOOP ? "it is a symlink" : strerror(errno)),
		       1;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return hs_error_set(err, -EINVAL, "config.type", name, -1, "not a regular file"), 1;
	r = hs_check_owner(&st, "config.permissions", name, err);
	if (r < 0)
		return 1;
	r = hs_read_fd(fd, p->limits.max_bytes, &buf, &len, err);
	if (r == -EFBIG)
		return 1;
	if (r < 0)
		return r;

	hs_engine_facts_get("/proc", getppid(), bundle_abs, a->argv[a->first_positional], &facts);
	pl = (struct hs_pipeline){
		.policy = p,
		.host = hs_host_real(),
		.schema = &hs_oci_spec,
		.event = a->cmd->event,
		.bundle = bundle_abs,
		.container_id = a->argv[a->first_positional],
		.systemd_cgroup = a->systemd_cgroup,
		.sandbox_id = facts.sandbox_id[0] ? facts.sandbox_id : NULL,
		.pod_uid = facts.pod_uid[0] ? facts.pod_uid : NULL,
	};
	r = hs_pipeline_run(&pl, buf, len, err);
	if (r < 0)
		goto out;

	if (p->mode == HS_MODE_AUDIT) {
		r = 0; /* observe only: the original bytes go to the runtime */
		goto out;
	}
	if (pl.report->refused) {
		char summary[1024];

		hs_report_summary(pl.report, summary, sizeof(summary));
		hs_error_set(err, -HS_EPOLICY, "", "", -1, "%s", summary);
		r = 1;
		goto out;
	}
	if (pl.changed)
		r = replace_config(dirfd, fd, name, buf, len, &pl, st.st_mode & 0644, err);
out:
	/* AUDIT (src/audit/): the launch record, durable before the runtime runs. */
	{
		bool rewrote = r == 0 && pl.changed && p->mode == HS_MODE_ENFORCE;
		bool by_findings = r != 0 && pl.report && pl.report->refused;
		struct hs_launch l = {
			.verdict = r != 0    ? HS_VERDICT_REFUSED
				   : rewrote ? HS_VERDICT_REWRITTEN
					     : HS_VERDICT_ALLOWED,
			.bundle = bundle_abs,
			.report = pl.report,
			.error = r != 0 && !by_findings ? err : NULL,
			.original = buf,
			.original_len = len,
			.final = r != 0    ? NULL
				 : rewrote ? pl.final
					   : buf,
			.final_len = rewrote ? pl.final_len : len,
			.annotations = pl.tree ? hs_json_get(pl.tree, "annotations") : NULL,
			.waits = r == 0 && hs_runtime_waits(a),
		};

		r = record_launch(a, p, &l, r, err);
	}
	hs_pipeline_done(&pl);
	return r;
}

/* A command line hardshim does not understand (a newer runtime's option, a command it does
 * not know) is refused in enforce mode: it cannot be judged. Audit mode observes and must
 * not break what the runtime would run: record it and hand it on as it came. */
static void audit_pass_through(struct hs_argv *a, const struct hs_error *why)
{
	_cleanup_policy_ struct hs_policy *p = NULL;
	_cleanup_report_ struct hs_report *rep = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_check_ctx ctx;

	if (hs_policy_load(hs_policy_path(), &p, &err) < 0 || p->mode != HS_MODE_AUDIT ||
	    !(rep = hs_report_new()))
		return;
	ctx = (struct hs_check_ctx){ .report = rep };
	if (hs_finding(&ctx, why->rule[0] ? why->rule : "cli.arguments", why->path, HS_ACTION_WARN,
		       "%s (audit mode: handed to the runtime as it came)", why->msg) < 0)
		return;
	{
		struct hs_launch l = {
			.event = a->cmd ? a->cmd->event : HS_EVENT_COMMAND,
			.verdict = HS_VERDICT_ALLOWED,
			.report = rep,
		};

		if (record_launch(a, p, &l, 0, &err) != 0)
			return; /* not recorded (and not failing open): nothing runs unrecorded */
	}
	exec_runtime(a, p->runtime, &err);
}

int hs_cmd_runtime(int argc, char **argv)
{
	_cleanup_policy_ struct hs_policy *policy = NULL;
	_cleanup_free_ char *runtime = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_argv a;
	int r;

	r = hs_argv_parse(argc, argv, &a, &err);
	if (r < 0) {
		if (r != -ENOMEM)
			audit_pass_through(&a, &err); /* returns only when not in audit mode */
		hs_report_error(&a, &err);
		return 2;
	}
	/* Before hardshim opens anything: the fds the caller means to pass must be its own. */
	if (hs_argv_check_preserve_fds(&a, &err) < 0) {
		hs_report_error(&a, &err);
		return 2;
	}
	if (!a.cmd || a.cmd->kind == HS_CMD_FAST) {
		/* Fast path: which runtime, nothing more. */
		r = hs_policy_load_runtime(hs_policy_path(), &runtime, &err);
		if (r >= 0)
			exec_runtime(&a, runtime, &err); /* returns only on failure, err set */
		hs_report_error(&a, &err);
		return 1;
	}

	r = hs_policy_load(hs_policy_path(), &policy, &err);
	if (r >= 0) {
		switch (a.cmd->kind) {
		case HS_CMD_CREATE: r = hs_create_prepare(&a, policy, &err); break;
		case HS_CMD_EXEC: r = hs_exec_prepare(&a, policy, &err); break;
		case HS_CMD_UPDATE: r = hs_update_prepare(&a, policy, &err); break;
		default: r = -EINVAL;
		}
	}
	/* AUDIT: every decision leaves a record. The rooms that know its details write it
	 * (create above); this writes the rest: refusals before any check (an unreadable
	 * bundle), and exec/update until their rooms record with details. */
	if (policy && !hs_audit_recorded()) {
		struct hs_launch l = {
			.verdict = r == 0 ? HS_VERDICT_ALLOWED : HS_VERDICT_REFUSED,
			.error = r != 0 && err.code ? &err : NULL,
		};

		r = record_launch(&a, policy, &l, r, &err);
	}
	if (r == 0 && policy && hs_runtime_waits(&a)) {
		r = hs_runtime_wait(&a, policy);
		if (r >= 0)
			return r; /* the runtime's own exit status */
		hs_error_set(&err, r, "runtime.exec", policy->runtime, -1,
			     "cannot execute the runtime: %s", strerror(-r));
	} else if (r == 0 && policy) {
		r = exec_runtime(&a, policy->runtime, &err);
	}
	if (err.code == 0)
		hs_error_set(&err, r < 0 ? r : -HS_EPOLICY, "internal", "", -1, "%s",
			     r < 0 && r > -4096 ? strerror(-r) : "refused");
	hs_report_error(&a, &err);
	return 1;
}
