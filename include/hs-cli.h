/* SPDX-License-Identifier: Apache-2.0
 * Verbs of hardshim's own (src/cli/), and the router that tells them from runtime commands. */
#pragma once

#include <sys/stat.h>

#include "hs-argv.h"
#include "hs-host.h"

int hs_main(int argc, char **argv);

/* hardshim's own verbs; each returns the process exit code. argv[0] is the verb. policy_file is
 * the policy file this invocation uses (hs_policy_path, worked out once by hs_main). */
int hs_cmd_check(const char *policy_file, int argc, char **argv);
int hs_cmd_hook(const char *policy_file, int argc, char **argv);
int hs_cmd_log(const char *policy_file, int argc, char **argv);
/* `log show`: argv[0] is "show"; default_log (may be NULL) is read when no FILE is given. */
int hs_cmd_log_show(int argc, char **argv, const char *default_log);
/* The containers the runtimes know with no launch record. */
int hs_cmd_unmanaged(const char *policy_file, int argc, char **argv);
int hs_cmd_egress(const char *policy_file, int argc, char **argv);
/* From a refused config, a check report or the launch log: the flags, fields or policy
 * lines that would let it run, and their cost (src/cli/suggest.c). */
int hs_cmd_suggest(const char *policy_file, int argc, char **argv);
/* The launch log as Prometheus text. */
int hs_cmd_metrics(const char *policy_file, int argc, char **argv);
/* policy lint: exceptions' governance. */
int hs_cmd_policy(const char *policy_file, int argc, char **argv);
int hs_cmd_version(const char *policy_file, int argc, char **argv); /* "hardshim VERSION" */
int hs_cmd_help(const char *policy_file, int argc, char **argv);    /* hardshim's own usage */
/* `hardshim --help` (or -h) alone while no policy file exists: answered with hs_cmd_help. */
bool hs_help_without_policy(const char *policy_file, int argc, char **argv);
struct hs_abuf;
/* The metrics text for the launch log files (oldest first; a missing one counts as empty)
 * and, when policy_path is set, the policy's hash and validity (src/cli/metrics.c). */
int hs_metrics_render(char *const *logs, size_t n_logs, const char *policy_path,
		      struct hs_abuf *out, struct hs_error *err);
/* Runtime commands: everything else. argv is hardshim's whole argv. Does not return on
 * success (the runtime is exec'ed). */
int hs_cmd_runtime(const char *policy_file, int argc, char **argv);

/* What a gate (and every policy path) decides. Anything but ALLOW stops the command; err
 * says why (rule and place). */
enum hs_decision {
	HS_DECISION_ALLOW = 0,  /* let the command through, possibly after a rewrite */
	HS_DECISION_REFUSE = 1, /* the input is refused (a finding, or an unreadable input) */
	HS_DECISION_ERROR = 2,  /* hardshim itself failed (memory, a check that could not run) */
};

/*
 * The one gate (src/cli/gate.c): read -> pipeline -> verdict -> delivery -> launch record.
 * An entry point fills the "in" part and calls hs_gate_run; nothing else judges a document.
 */
enum hs_source_kind {
	HS_SOURCE_BYTES, /* bytes the adapter built (exec flags folded, update flags) */
	HS_SOURCE_FILE,  /* name in dirfd: no symlink, a regular file, the owner rule */
	HS_SOURCE_PATH,  /* a path or "-" (stdin) the runtime would read itself: copied */
};
/* The rule ids a file source is refused with, so each entry point keeps its own.
 * permissions NULL: no owner rule (check's CONFIG: a file nothing will run from). */
struct hs_source_rules {
	const char *open, *symlink, *type, *permissions;
};
struct hs_source {
	enum hs_source_kind kind;
	int dirfd;                           /* FILE */
	const char *name;                    /* FILE: in dirfd */
	const char *path;                    /* PATH */
	const char *where;                   /* the flag or file errors name: "--process" */
	const char *display;                 /* FILE: the file as messages spell it */
	const struct hs_source_rules *rules; /* FILE, PATH */
	const char *bytes;                   /* BYTES (copied) */
	size_t len;
};
/* Where the checked bytes go (bits; both for exec --process). */
enum hs_delivery {
	HS_DELIVER_NONE = 0,    /* the runtime reads what it was given (unchanged flags) */
	HS_DELIVER_REWRITE = 1, /* FILE: a new file beside it, fsync'ed, renamed over it */
	HS_DELIVER_MEMFD = 2,   /* a sealed memfd (g->memfd) the adapter points the runtime at */
	HS_DELIVER_STDOUT = 4,  /* the bytes and a newline on stdout (hook precreate) */
};
struct hs_launch;
struct hs_gate;
struct hs_gate {
	/* in */
	const struct hs_argv
	    *argv; /* the caller's command line: --root, the id, where warnings go */
	const struct hs_policy *policy;
	const struct hs_host *host; /* NULL: the real one */
	const struct hs_schema *schema;
	enum hs_event event;
	bool no_rewrite;
	bool systemd_cgroup;   /* the runtime was told --systemd-cgroup */
	bool egress_at_create; /* hs_check_ctx.egress_at_create (create adapter, check) */
	const char *bundle, *container_id, *exception;
	/* Non-zero: the bundle's owner (hs_bundle_open), admitted only when the config's own
	 * user namespace maps container uid 0 to it (bundle.permissions). */
	uid_t bundle_owner;
	const char *sandbox_id, *pod_uid; /* trusted engine facts (hs_engine_facts), or NULL */
	const struct hs_json *container;  /* exec: the container's config (hs_check_ctx) */
	struct hs_source source;
	unsigned delivery; /* enum hs_delivery bits */
	/* REWRITE: keep the engine's file under this name: the very inode read and judged (a
	 * second name), or a 0600 copy where it cannot be linked. */
	const char *keep_original;
	bool no_fsync;          /* REWRITE: neither name is fsync'ed (create: see runtime.c) */
	bool hook;              /* entered as an OCI hook: the record's event is "hook" */
	bool no_record;         /* check, suggest: nothing runs, so there is no launch record */
	const char *memfd_name; /* MEMFD */
	int memfd_min;          /* MEMFD: the lowest descriptor it may take */
	/* Optional, after the read and before the pipeline: make the host what it must be
	 * while it is judged (create: hold a user-namespace bundle's bind-source directories). */
	int (*before)(struct hs_gate *g, struct hs_error *err);
	/* Optional, after the check: findings' paths spelled as the flags that set them. */
	void (*annotate)(struct hs_gate *g);
	/* Optional: the flag that put a refused value there ("user" for -u), or NULL. */
	const char *(*origin)(const struct hs_gate *g, const struct hs_finding *f);
	/* Optional, on ALLOW after the delivery and before the record: the last step that can
	 * still stop the command (hook createRuntime loads the egress rules). A negative
	 * return (err set) makes the decision ERROR, and the record says so. */
	int (*commit)(struct hs_gate *g, struct hs_error *err);
	/* Optional: where a warning line goes (log.fail_open); NULL: hs_report_to_caller. */
	void (*warn)(const char *line);
	const void *data; /* the adapter's, for those callbacks */
	/* out; hs_gate_done frees them */
	struct hs_pipeline pl;
	char *original; /* the bytes judged */
	size_t original_len;
	mode_t mode;  /* FILE: its permission bits, kept by a rewrite */
	int fd;       /* FILE: the descriptor read (for keep_original), or -1 */
	bool rewrote; /* enforced and changed */
	int memfd;    /* MEMFD: the descriptor delivered, or -1 */
};
/* Fill err (the first error wins) and return d: one statement for a refusal or an error. */
enum hs_decision hs_decide(struct hs_error *err, enum hs_decision d, int code, const char *rule,
			   const char *path, long long offset, const char *fmt, ...)
    HS_PRINTF(7, 8);
enum hs_decision hs_gate_run(struct hs_gate *g, struct hs_error *err);
void hs_gate_done(struct hs_gate *g);
/* The launch record, durable before the runtime runs: the one writer for every runtime entry
 * point (the gate, and refusals that came before any document was read). A record that cannot
 * be written turns ALLOW into REFUSE (err says why) unless the policy fails open: then the
 * caller is warned. Returns the decision to go on with. */
enum hs_decision hs_gate_record(const struct hs_argv *a, const struct hs_policy *p,
				struct hs_launch *l, enum hs_decision d, struct hs_error *err);
/* The same, for an entry point with no runtime command line (a hook): warnings go to warn. */
enum hs_decision hs_gate_record_warn(void (*warn)(const char *line), const struct hs_policy *p,
				     struct hs_launch *l, enum hs_decision d, struct hs_error *err);

/*
 * The policy paths of the runtime commands: thin adapters over the gate. Each returns the
 * decision (ALLOW possibly after rewriting files or a->argv). They never exec and never exit.
 */
/* What create does once the runtime's create has succeeded and before the container's
 * process can run (it waits for `start`): hs_create_prepare fills it (from its own findings:
 * devices.runtime-grants at linux.resources.devices, egress.after-create), hs_runtime_wait
 * does it. Owned by the caller; hs_after_create_done frees what it holds. */
struct hs_egress_cfg;
struct hs_after_create {
	char deny[2][HS_DEVICES_DENY_MAX]; /* hs_devices_runtime_denies */
	size_t n_deny;
	struct hs_egress_cfg *egress; /* the section in force, in arena; NULL: nothing */
	struct hs_arena *arena;
};
void hs_after_create_done(struct hs_after_create *ac);
/* after: NULL, or where create's after-create work goes (zeroed, for hs_runtime_wait). */
enum hs_decision hs_create_prepare(struct hs_argv *a, const struct hs_policy *p,
				   struct hs_after_create *after, struct hs_error *err);
/* The bundle as create opens it (and `check --bundle`): the directory itself, not through a
 * symlink, root's and writable by its owner only (bundle.symlink, bundle.open,
 * bundle.permissions). On ALLOW *ret_abs (malloc'ed, lexically absolute), *ret_dirfd and *st
 * are set, and *ret_owner: 0, or the non-root owner of a user-namespace bundle (see
 * runtime.c), which the caller must put in hs_gate.bundle_owner. */
enum hs_bundle_userns {
	HS_BUNDLE_ROOT_ONLY,   /* run, restore: root's only */
	HS_BUNDLE_USERNS_HOLD, /* create: held (root's, 0711) until hs_bundle_release */
	HS_BUNDLE_USERNS_LOOK, /* check: nothing held, chosen only (hs_bundle_as_held) */
};
enum hs_decision hs_bundle_open(const char *bundle, char **ret_abs, int *ret_dirfd, struct stat *st,
				enum hs_bundle_userns userns, uid_t *ret_owner,
				struct hs_error *err);
/* Give a bundle held by create back to its owner, as it was (idempotent); check: forget the
 * directories it looked at. */
void hs_bundle_release(void);
/* The restorer (restorer.c): gives the directories create holds back if hardshim dies first,
 * once the runtime has exited too. start: fork it (once); hold: tell it one directory and how
 * it was, before it is changed; runtime: from the runtime child before its exec, its pidfd
 * (0 when there is no restorer); done: everything was given back, it exits and is waited
 * for. Negative errno on failure. */
int hs_restorer_start(void);
int hs_restorer_hold(int dirfd, uid_t uid, gid_t gid, mode_t mode);
int hs_restorer_runtime(void);
void hs_restorer_done(void);
/* Give one held directory back as it was (create's release, the failed hold of a bind
 * source's directory, the restorer after hardshim died): best effort, errors ignored. */
void hs_give_back(int dirfd, uid_t uid, gid_t gid, mode_t mode);
/* hs_gate.before for a user-namespace bundle (hs_bundle_open's owner non-zero): hold the
 * owner's bind-source directories too (create), or only choose them (check). */
int hs_bundle_hold_sources(struct hs_gate *g, struct hs_error *err);
/* check --bundle: base, except that the directories create would hold (the bundle and those
 * hs_bundle_hold_sources chose) read root's, 0711, as create judges them; base itself when
 * nothing is looked at. The view is the caller's and must outlive the host returned. */
struct hs_held_view {
	struct hs_host host; /* first: its canonicalize finds the view from it */
	const struct hs_host *base;
};
const struct hs_host *hs_bundle_as_held(const struct hs_host *base, struct hs_held_view *view);
/* The gate's source for the config NAME in that bundle, with create's config.* rule ids. */
struct hs_source hs_bundle_config(int dirfd, const char *name);
/* create: hardshim runs the runtime as its child and waits, so that a runtime failure after
 * the launch record is recorded too ("runtime-failed", src/cli/wait-runtime.c). */
bool hs_runtime_waits(const struct hs_argv *a);
/* Run p->runtime with a->argv, wait, record a failure. Once the runtime's create succeeded,
 * do what `after` says (NULL: nothing): deny its rules in the container's devices cgroup,
 * install its egress rules in the container init's own network namespace; if either fails
 * the container is deleted and create fails, recorded. Returns the runtime's exit status
 * (a runtime killed by a signal kills hardshim with it), 1 when the after-create work failed,
 * or a negative errno when it could not be run. */
int hs_runtime_wait(struct hs_argv *a, const struct hs_policy *p,
		    const struct hs_after_create *after);
enum hs_decision hs_exec_prepare(struct hs_argv *a, const struct hs_policy *p,
				 struct hs_error *err);
enum hs_decision hs_update_prepare(struct hs_argv *a, const struct hs_policy *p,
				   struct hs_error *err);

/* Who the engine says the container is, from facts the config cannot write (src/cli/facts.c):
 * the containerd shim that is our parent (procfs/PPID/exe and its -id) names the pod's
 * sandbox; the sandbox's config beside our bundle names the pod uid. Empty when unknown: the
 * admit patterns that name them then match nothing (docs/threats.md, class 4). */
struct hs_engine_facts {
	char sandbox_id[65];
	char pod_uid[37];
};
void hs_engine_facts_get(const char *procfs, pid_t ppid, const char *bundle,
			 const char *container_id, struct hs_engine_facts *ret);

/* path made absolute against the cwd, lexically (as create names its bundle); malloc'ed. */
char *hs_absolute(const char *path);

/* Shared by those paths (src/cli/common.c). */
/* A document an attacker may have shaped must be owned by root (or us) and writable by its
 * owner only: otherwise it can change between the check and the runtime's read. */
int hs_check_owner(const struct stat *st, const char *rule, const char *path, struct hs_error *err);
/* The one way hardshim asks a runtime something: `RUNTIME [--root ROOT] ARGS...` (root may be
 * NULL), stdin and stderr on /dev/null, stdout read whole up to max bytes into *ret (malloc'ed,
 * NUL-terminated). Failures carry rule; a runtime that exits non-zero gives -ECHILD with err
 * untouched, for the caller to word. */
int hs_runtime_ask(const char *runtime, const char *root, const char *const *args, size_t max,
		   const char *rule, char **ret, size_t *ret_len, struct hs_error *err);
/* `RUNTIME [--root ROOT] state ID`, parsed (bounded, strict); a container the runtime does not
 * know is -ENOENT. Failures carry rule. *ret is arena-owned. */
int hs_runtime_state(const char *runtime, const char *root, const char *id, const char *rule,
		     struct hs_arena *ar, struct hs_json **ret, struct hs_error *err);
/*
 * Policy selection for a container that already exists (exec, update). Their documents carry
 * no annotations, but the container was created under the exception its config's
 * annotations chose. The runtime's state (`RUNTIME state ID`, kept by the runtime under its
 * --root, which nothing in the container can write) has the annotations of the config
 * hardshim checked and handed on: choose the same way. *view is p with the exception's
 * sections in place of the base ones; returns the exception's name (owned by p), or NULL —
 * also when anything fails: the base policy, the stricter one.
 */
const char *hs_policy_view_for(const struct hs_policy *p, const struct hs_json *state,
			       struct hs_policy *view);
const char *hs_policy_for_container(const struct hs_argv *a, const struct hs_policy *p,
				    const char *rule, struct hs_policy *view);
/* A sealed memfd holding data, at a descriptor >= min_fd that survives execve: the runtime
 * reads exactly what was checked (as /proc/self/fd/N) and nobody can change it. Returns the
 * descriptor or a negative code. */
int hs_sealed_memfd(const char *name, const char *data, size_t len, int min_fd,
		    struct hs_error *err);

/* `check`'s summary (src/cli/check-summary.c): user, writable paths, capabilities held,
 * ports, egress, limits, rewrites per control, and warnings (a mount hidden by a later one,
 * a working directory or tmpfs the final user cannot write), read from the checked tree.
 * bundle_dir (or NULL) is where the image is looked at. controls (or NULL): the sections in
 * force (struct hs_pipeline.controls), for what is not in the tree (egress the create path
 * installs). *ret is allocated in a. */
struct hs_control_cfg;
int hs_check_summarize(struct hs_arena *a, const struct hs_policy *p, const struct hs_json *tree,
		       const struct hs_report *rep, const struct hs_control_cfg *controls,
		       const char *bundle_dir, struct hs_json **ret);
void hs_check_summary_print(const struct hs_json *summary);
/* A rewrite the text output counts rather than lists (capabilities.*, seccomp.*). */
bool hs_check_folded(const struct hs_finding *f);

/* Tell the caller why: one JSON line to --log when given (containerd and Podman read it
 * there), a plain line on stderr otherwise. Never stdout: it is the container's. */
void hs_report_to_caller(const struct hs_argv *a, const char *msg);
/* Format err as "hardshim: rule: path: why" and report it. */
void hs_report_error(const struct hs_argv *a, const struct hs_error *err);
