/* SPDX-License-Identifier: Apache-2.0
 * The policy file and the ordered controls that apply it. A control is one file in
 * src/policy/, one row in src/policy/controls.c; it never does I/O itself. */
#pragma once

#include <sys/stat.h>
#include <time.h>

#include "hs-json.h"
#include "hs-schema.h"

struct hs_host;

enum hs_action {
	HS_ACTION_REWRITE, /* fix the config and record the change */
	HS_ACTION_REFUSE,
	HS_ACTION_WARN,
};
const char *hs_action_name(enum hs_action a);
/* "rewrite" | "refuse" | "warn" -> action; -EINVAL otherwise. */
int hs_action_parse(const char *s, enum hs_action *ret);

/* Which actions a policy member may name (hs_action_load's ALLOWED). */
#define HS_ACTIONS_ALL \
	((1u << HS_ACTION_REWRITE) | (1u << HS_ACTION_REFUSE) | (1u << HS_ACTION_WARN))
#define HS_ACTIONS_NO_REWRITE ((1u << HS_ACTION_REFUSE) | (1u << HS_ACTION_WARN))

/* The action that member KEY ("action", "on_violation", ...) of control CONTROL's policy section
 * names, or DEF when SECTION or the member is absent. Every control reads its actions here, so a
 * typo in any of them refuses the policy the same way: rule "policy.CONTROL" at
 * "controls.CONTROL.KEY", "\"KEY\" is \"rewrite\", \"refuse\" or \"warn\", not \"X\"". */
int hs_action_load(const struct hs_json *section, const char *control, const char *key,
		   unsigned allowed, enum hs_action def, enum hs_action *ret, struct hs_error *err);

enum hs_mode {
	HS_MODE_ENFORCE,
	HS_MODE_AUDIT, /* report findings, change and refuse nothing */
};

enum hs_event {
	HS_EVENT_CREATE,
	HS_EVENT_RUN,
	HS_EVENT_RESTORE,
	HS_EVENT_EXEC,
	HS_EVENT_UPDATE,
	HS_EVENT_HOOK,
	HS_EVENT_CHECK,
	HS_EVENT_COMMAND, /* a runtime command line hardshim could not read (audit mode) */
};
const char *hs_event_name(enum hs_event e);

struct hs_finding {
	const char *rule; /* "<control>.<what>", e.g. "user.root" */
	const char *path; /* JSON path or flag */
	enum hs_action action;
	const char *message;
	const char *exception; /* name of the policy exception in force, or NULL */
};

struct hs_report {
	struct hs_arena *arena; /* owns findings' strings */
	struct hs_finding *items;
	size_t len, cap;
	bool refused;
	bool privileged;       /* the config asked to be privileged (hs_config_is_privileged) */
	const char *exception; /* the exception in force (the policy's string), or NULL */
	const char *exception_expired; /* the expired exception that matched, not applied */
	/* Under an exception: what the base policy would have refused (rule, path). */
	struct {
		const char *rule, *path;
	} would_refuse[16];
	size_t n_would_refuse;
};

struct hs_control;

struct hs_control_cfg {
	const struct hs_control *control;
	bool enabled;
	void *cfg; /* the control's own parsed section, arena-owned */
};

struct hs_exception {
	const char *name;
	const char *owner, *reason;        /* governance, NULL when the policy does not say */
	int64_t expires;                   /* seconds since the epoch, -1: never */
	struct hs_json *match_annotations; /* object: key -> exact value */
	struct hs_control_cfg *controls;   /* one per control, same order as the table */
};

struct hs_policy {
	struct hs_arena *arena;
	const char *file;    /* where it was read from */
	const char *runtime; /* absolute path of the real runtime */
	enum hs_mode mode;
	struct hs_json_limits limits;
	enum hs_unknown_keys unknown_keys; /* for OCI documents */
	struct hs_json *root;              /* the whole parsed policy: rooms read their sections */
	struct hs_control_cfg *controls;   /* one per control in table order */
	void *audit;                       /* the "log" section, as src/audit/ reads it */
	struct hs_exception *exceptions;
	size_t n_exceptions;
	/* The clock exceptions expire by: the load time (tests set it). An expired exception is
	 * never chosen. */
	int64_t now;
};

/* Is the policy's runtime crun (by the file name of its path, as installed: crun, crun-1.8)?
 * Where the two runtimes differ in what they run (crun 1.8 runs no hooks on restore). */
bool hs_policy_runtime_is_crun(const struct hs_policy *p);

/* A control that enforces through a createRuntime hook hardshim adds, on a restore under crun
 * (crun 1.8 runs no hooks on restore; runc runs createRuntime from criu's setup-namespaces
 * notification): refused, RULE at hooks.createRuntime, "crun runs no hooks on restore, so
 * LAPSE: FIX", rather than the control lapsing in silence. 1 refused, 0 not such a restore,
 * negative on error. */
struct hs_check_ctx;
int hs_refuse_hookless_restore(struct hs_check_ctx *ctx, const char *rule, const char *lapse,
			       const char *fix);

/* Where the policy is for a hardshim invoked as ARGV0 (NULL: plain hardshim), written to
 * BUF: $HARDSHIM_POLICY (read with secure_getenv), else the built-in path; when invoked as
 * `hardshim-NAME`, NAME.json in that file's directory instead, so one binary serves several
 * Podman [engine.runtimes] entries or containerd handlers, each with its own policy. A NAME
 * that is not a plain file name is refused (rule policy.name). main works it out once and
 * hands it to every command (src/cli/main.c). */
#define HS_POLICY_PATH_MAX 4096
int hs_policy_path(const char *argv0, char buf[HS_POLICY_PATH_MAX], struct hs_error *err);
/* Full load: every section understood or the policy is refused (rule "policy.*"). */
int hs_policy_load(const char *path, struct hs_policy **ret, struct hs_error *err);
/* Fast path: only "runtime" is needed; the file is still parsed strictly. */
int hs_policy_load_runtime(const char *path, char **ret_runtime, struct hs_error *err);
void hs_policy_free(struct hs_policy *p);

/* The fast path's cache of the one fact it needs from a validated policy, its runtime
 * (src/policy/policy-cache.c: what it is keyed by and why it can be trusted). Root only. */
#define HS_POLICY_CACHE_DIR "/run/hardshim"
/* Seconds a policy's ctime must lie in the past before an entry is written for it. */
#define HS_POLICY_CACHE_SETTLE 2
/* What the strict read saw of the policy: its inode (fstat of the fd read) and when. */
struct hs_policy_seen {
	struct stat st;
	struct timespec at; /* CLOCK_REALTIME right after the fstat, before the read */
};
/* $HARDSHIM_POLICY_CACHE (secure_getenv) if set: an absolute directory, or "" for no cache;
 * else HS_POLICY_CACHE_DIR. NULL: no cache. */
const char *hs_policy_cache_dir(void);
/* The runtime of POLICY from DIR's entry, when the entry is root's alone on a path no one
 * else can swap and matches POLICY's path, inode, size, owner, mode, mtime, ctime and this
 * build of hardshim byte for byte: 1 (*ret_runtime malloc'd, the caller's). 0 otherwise
 * (DIR NULL, not root, no entry, any mismatch): the caller does the full strict read. */
int hs_policy_cache_lookup(const char *dir, const char *policy, char **ret_runtime);
/* After a strict read of POLICY succeeded (SEEN: what it read) with runtime RUNTIME: write
 * its entry to DIR atomically (made root's 0700 if missing). 1 written; 0 not cacheable (not
 * root, the policy changed less than HS_POLICY_CACHE_SETTLE seconds before the read, a
 * runtime that is no single absolute line); negative when DIR is not root's alone or the
 * write failed. Never an error for the command: a missing entry is only a slower fast path.
 * A write also prunes DIR: entries no lookup could use any more (another build's, a policy
 * removed or changed since), dead writers' temporary files, and beyond
 * HS_POLICY_CACHE_ENTRIES entries the least recently written. */
int hs_policy_cache_store(const char *dir, const char *policy, const struct hs_policy_seen *seen,
			  const char *runtime);
/* Shared by the cache's read and write sides: the most an entry may hold; the bytes an entry
 * for POLICY (as ST says) must start with, NULL when it cannot be cached (arena-owned); the
 * entry's path in DIR (arena-owned); what the strict read demands of the policy file. */
/* The NT_GNU_BUILD_ID note of a loaded object (from its load address, dynamic PIE, shared
 * object and -static-pie alike; a PT_PHDR that disagrees gives none) as hex into HEX; false
 * (HEX "") when it has none. */
struct dl_phdr_info;
bool hs_elf_build_id(const struct dl_phdr_info *info, char hex[129]);
/* The build id entries are keyed by, for a program that is not the core itself (the front:
 * its core's id); without it, the main program's own note. HEX must stay valid. */
void hs_policy_cache_use_build_id(const char *hex);
#define HS_POLICY_CACHE_MAX (2 * PATH_MAX + 512)
/* The most entries a store leaves in the directory (one per policy path in use): beyond it
 * the least recently written go (policy-cache-store.c, prune). */
#define HS_POLICY_CACHE_ENTRIES 64
const char *hs_policy_cache_key(struct hs_arena *a, const char *policy, const struct stat *st);
const char *hs_policy_cache_entry(struct hs_arena *a, const char *dir, const char *policy);
bool hs_policy_cache_file_ok(const struct stat *st);

static inline void hs_policy_freep(struct hs_policy **p)
{
	hs_policy_free(*p);
}
#define _cleanup_policy_ _cleanup_(hs_policy_freep)

/* What a check is looking at. */
struct hs_check_ctx {
	struct hs_arena *arena; /* for new nodes and strings */
	const struct hs_policy *policy;
	const struct hs_host *host;
	struct hs_report *report;
	enum hs_event event;
	bool no_rewrite;           /* hook mode: a rewrite is reported as a refusal */
	const char *bundle;        /* absolute bundle path, or NULL */
	const char *container_id;  /* or NULL */
	struct hs_json *config;    /* the whole config (create/run/restore/hook/check), or NULL */
	struct hs_json *process;   /* config.process or the exec process document, or NULL */
	const char *process_path;  /* JSON path prefix of process: "process" or "" */
	struct hs_json *resources; /* update: the resources document */
	const char *exception;     /* name of the exception in force, or NULL */
	bool systemd_cgroup;       /* the runtime's cgroup driver is systemd (command line) */
	/* exec: the container's config.json as admitted at create (its root-owned bundle), or
	 * NULL: a root exec becomes the user create chose, in the container's user namespace */
	const struct hs_json *container;
	/* hardshim is the runtime's caller (its create adapter, or check predicting it): a
	 * container that joins a network namespace by path gets its egress rules installed by
	 * hardshim before the runtime runs, not by a createRuntime hook (hs_egress_at_create) */
	bool egress_at_create;
	/* the pod this container belongs to, from the engine (never the config's annotations),
	 * or NULL: then {sandbox-id} / {pod-uid} admit nothing */
	const char *sandbox_id, *pod_uid;
	/* Set by hs_policy_check: the sections in force, one per control in table order (the
	 * exception's when one applies). A control that depends on another's section reads it
	 * here, never by looking the exception up again. */
	const struct hs_control_cfg *controls;
	/* Set by hs_policy_check when a control's check could not run (a negative return):
	 * its name, so the error an operator sees says which control failed closed. */
	const char *failed_control;
};

struct hs_control {
	const char *name;                      /* section under "controls" and rule-id prefix */
	const struct hs_schema *policy_schema; /* shape of the section, without "enabled" */
	/* Parse the (schema-checked) section, or NULL when the policy has none: then the
	 * control's secure defaults apply. */
	int (*load)(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
		    struct hs_error *err);
	/* Each may be NULL. Return 0 (findings go to ctx->report) or a negative code for an
	 * error that is not a finding (ENOMEM, a host question that failed: fail closed). */
	int (*check_config)(struct hs_check_ctx *ctx, const void *cfg);
	int (*check_process)(struct hs_check_ctx *ctx, const void *cfg);
	int (*check_resources)(struct hs_check_ctx *ctx, const void *cfg);
};

extern const struct hs_control *const hs_controls[];
extern const size_t hs_n_controls;

/* Record a finding. A REFUSE (or a REWRITE under ctx->no_rewrite) marks the report refused.
 * Returns the action in force, so a control writes:
 *   if (hs_finding(ctx, "user.root", path, cfg->action, "...") == HS_ACTION_REWRITE) fix();
 * Returns -ENOMEM on allocation failure. */
int hs_finding(struct hs_check_ctx *ctx, const char *rule, const char *path, enum hs_action action,
	       const char *fmt, ...) HS_PRINTF(5, 6);

/* RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)) to epoch seconds. */
int hs_parse_rfc3339(const char *s, int64_t *ret);
/* Whether e has expired by p->now. */
bool hs_exception_expired(const struct hs_policy *p, const struct hs_exception *e);
/* The first exception whose every match annotation is present with that exact value, or
 * NULL. Annotations are claims made by whoever built the config: exceptions must name keys
 * the orchestrator itself sets (docs/policy.md). */
const struct hs_exception *hs_policy_exception_for(const struct hs_policy *p,
						   const struct hs_json *annotations);
/* The first expired exception that matches, or NULL (recorded, never applied). */
const struct hs_exception *hs_policy_expired_exception_for(const struct hs_policy *p,
							   const struct hs_json *annotations);

/* Run every enabled control that applies to ctx->event, in table order, choosing the
 * exception (if any) from the config's annotations. */
int hs_policy_check(struct hs_check_ctx *ctx);

struct hs_report *hs_report_new(void);
void hs_report_free(struct hs_report *r);
static inline void hs_report_freep(struct hs_report **r)
{
	hs_report_free(*r);
}
#define _cleanup_report_ _cleanup_(hs_report_freep)

/*
 * The one pipeline every entry point shares: strict parse -> schema -> controls -> canonical
 * bytes. A parse or schema refusal becomes a finding (rule json.*), so `check`, hooks and the
 * create path report it the same way.
 */
struct hs_pipeline {
	/* in */
	const struct hs_policy *policy;
	const struct hs_host *host;
	const struct hs_schema *schema; /* hs_oci_spec, hs_oci_process, hs_oci_resources */
	enum hs_event event;
	bool no_rewrite;
	const char *bundle;
	const char *container_id;
	bool systemd_cgroup;              /* the runtime was told --systemd-cgroup */
	bool egress_at_create;            /* hs_check_ctx.egress_at_create */
	const char *sandbox_id, *pod_uid; /* trusted engine facts (hs_engine_facts), or NULL */
	/* update: the exception the container was created under */
	const char *exception;
	const struct hs_json *container; /* exec: the container's config (hs_check_ctx) */
	/* out (owned by the pipeline; hs_pipeline_done frees them) */
	struct hs_arena *arena;
	struct hs_report *report;
	struct hs_json *tree; /* NULL if the input did not parse */
	char *final;          /* canonical bytes of the checked (and rewritten) tree */
	size_t final_len;
	bool changed; /* final differs from the input bytes */
	/* The sections the controls ran with (ctx.controls), NULL if the input did not parse:
	 * `hook createRuntime` installs the egress section in force from here
	 * (hs_egress_in_force). */
	const struct hs_control_cfg *controls;
};

int hs_pipeline_run(struct hs_pipeline *pl, const char *buf, size_t len, struct hs_error *err);
void hs_pipeline_done(struct hs_pipeline *pl);
/* When the config makes a user namespace of its own (linux.namespaces: "user", no path) and
 * its KEY ("uidMappings" or "gidMappings") maps container id ID: true, *ret_host the host id
 * it becomes. An entry without three readable numbers maps nothing. */
bool hs_userns_host_id(const struct hs_json *config, const char *key, uint32_t id,
		       uint32_t *ret_host);
/* The shape engines give a privileged container (every capability, nothing masked). */
bool hs_config_is_privileged(const struct hs_json *config);
/* The grants runc (c 10:200) and crun (c 5:1) make on their own after the config's rules
 * (src/policy/devices-extras.c). */
#define HS_DEVICES_N_EXTRAS 2
struct hs_devices_extra {
	int64_t major, minor;
};
extern const struct hs_devices_extra hs_devices_extras[HS_DEVICES_N_EXTRAS];
/* Is ARG one deny `hardshim hook devices` may write: "c MAJOR:MINOR ACCESS" for a grant a
 * runtime makes on its own (c 10:200, c 5:1), ACCESS a non-empty subset of "rwm"? */
bool hs_devices_deny_arg_ok(const char *arg);
/* The denies (each as hs_devices_deny_arg_ok accepts it) that take back the runtimes' own
 * extra grants, minus the access the config's own device-cgroup RULES (linux.resources.devices)
 * grant on exactly that device: into out, at most max; how many. */
/* Is the devices control on, in the sections in force (hs_check_ctx.controls)? */
struct hs_control_cfg;
bool hs_devices_in_force(const struct hs_control_cfg *controls);
#define HS_DEVICES_DENY_MAX 24
size_t hs_devices_runtime_denies(const struct hs_json *rules, char (*out)[HS_DEVICES_DENY_MAX],
				 size_t max);
/* hardshim's own createRuntime hooks (src/policy/hooks.c): `hardshim hook devices RULE...`
 * (the devices control's deny of the runtimes' own grants), `hardshim hook egress ARGS...`
 * (the egress control's install), or, when both apply, the two in one process:
 * `hardshim hook devices-egress RULE... ARGS...` (the denies, then the install; 1 or 2 RULEs,
 * each as hs_devices_deny_arg_ok accepts it, then ARGS from "--default" on). */
enum hs_own_hook {
	HS_OWN_HOOK_NONE,
	HS_OWN_HOOK_DEVICES,
	HS_OWN_HOOK_EGRESS,
	HS_OWN_HOOK_DEVICES_EGRESS,
};
/* Which of ours HOOK is, by its path (BIN, hardshim's binary) and its verb (args[2]) only:
 * how an injecting control finds an old one to replace; the hooks control judges the rest.
 * For HS_OWN_HOOK_DEVICES_EGRESS, *ret_rules (may be NULL) is how many RULEs lead its
 * arguments (args[3..3+n)): 0 when they are not 1 or 2 valid ones. */
enum hs_own_hook hs_own_hook_kind(const struct hs_json *hook, const char *bin, size_t *ret_rules);
/* A new hook of ours (path BIN, timeout 10 s) that denies RULES, then installs the egress
 * rules ARGS (hs_egress_args): the devices hook when n_args is 0, the egress hook when
 * n_rules is 0, the combined one when both are given. Arena-owned; NULL: out of memory. */
struct hs_json *hs_own_hook_new(struct hs_arena *a, const char *bin, const char *const *rules,
				size_t n_rules, const char *const *args, size_t n_args);
/* Would the hooks control admit HOOK, in STAGE, as hardshim's own (without a policy entry)? */
bool hs_own_hook_admitted(struct hs_check_ctx *ctx, const char *stage, const struct hs_json *hook);
/* "rule: path: message" of the first refusal, for the one line a user sees; a privileged
 * request is named as such, once. */
void hs_report_summary(const struct hs_report *r, char *buf, size_t size);
