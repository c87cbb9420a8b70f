/* SPDX-License-Identifier: Apache-2.0
 * The launch audit trail (src/audit/): one durable, hash-chained record per decision.
 * NIST SP 800-190 §4.5: every container creation tied to a user identity and logged.
 *
 * Record format (one JSON line, fields in this order):
 *   {"v":1,"seq":N,"prev":"<sha256 hex of the previous record>", ...the launch...,
 *    "hash":"<sha256 hex of every byte of the line before ,"hash">"}
 * The hash field is the fixed 75-byte suffix `,"hash":"<64 hex>"}` of the line, so the hashed
 * body is exact bytes, not a re-serialization. seq counts from 1 over the whole chain, across
 * rotations; the first record of a new file carries the previous file's last hash (kept in
 * "<log>.head" beside the log, see src/audit/file.c) and "file_start":true. */
#pragma once

#include "hs-policy.h"

/* The policy's top-level "log" section:
 *   "log": { "path": "/var/log/hardshim/launches.jsonl", "file": true, "fsync": true,
 *            "fail_open": false, "syslog": true, "kernel_audit": true }
 * Absent keys take these defaults. */
struct hs_audit_cfg {
	const char *path;  /* absolute */
	bool file;         /* the durable file record (the audit trail itself) */
	bool fsync;        /* fsync the record (and the directory when creating) before start */
	bool fail_open;    /* if the file record cannot be written, start anyway (warn) */
	bool syslog;       /* same event to syslog(3), LOG_AUTHPRIV */
	bool kernel_audit; /* AUDIT_VIRT_CONTROL via libaudit, where available and permitted */
};
#define HS_AUDIT_DEFAULT_PATH "/var/log/hardshim/launches.jsonl"
extern const struct hs_audit_cfg hs_audit_cfg_default;

/* Parse the (possibly NULL) "log" section; *ret_cfg is a struct hs_audit_cfg in the arena.
 * Strict: unknown keys, wrong types, a relative path are refused (rule "policy.log"). */
int hs_audit_load_policy(struct hs_arena *a, const struct hs_json *section, void **ret_cfg,
			 struct hs_error *err);

enum hs_verdict {
	HS_VERDICT_AUTO = 0, /* derive: error -> refused; audit mode -> allowed; report->refused
			      * -> refused; a rewrite finding -> rewritten; else allowed */
	HS_VERDICT_ALLOWED,
	HS_VERDICT_REWRITTEN,
	HS_VERDICT_REFUSED,
};
const char *hs_verdict_name(enum hs_verdict v);

/* One decision, as the create/run/restore/exec/update/hook paths know it. Only event is
 * required; every pointer may be NULL. Nothing is kept after the call. */
struct hs_launch {
	/* out, optional: what was recorded (the caller's; hs_audit_launch fills it) */
	struct hs_audit_mark *mark;
	enum hs_event event;
	enum hs_verdict verdict;
	const char *container_id;
	const char *bundle;             /* absolute bundle path */
	const char *root;               /* the runtime's --root, if given */
	const char *runtime;            /* NULL: the policy's runtime */
	const struct hs_report *report; /* the findings */
	const struct hs_error *error;   /* refused by an error rather than a finding (a parse
					  * error, an unreadable config): recorded as a finding */
	const void *original; /* the document as received: config.json, --process, --resources */
	size_t original_len;
	const void *final; /* as handed to the runtime; NULL when refused */
	size_t final_len;
	const struct hs_json *annotations; /* config.annotations: identity claims come from it */
	/* hardshim waits for the runtime (create) and records its failure: the record says so
	 * ("waits":true), so a reader knows that no runtime-failed record after it means the
	 * runtime exited 0. */
	bool waits;
	/* The command line as hardshim received it, without argv[0] (hardshim itself), and, when
	 * hardshim changed it (exec and update point the runtime at a sealed copy of the
	 * document), as handed to the runtime: every option the runtime acts on is on record. */
	char *const *argv;
	size_t argc;
	char *const *runtime_argv; /* NULL: the runtime got argv unchanged */
	size_t runtime_argc;
};

/*
 * Record l: the file record (write + fsync under an flock, chained), then syslog and the
 * kernel audit stream, each as the policy (p->audit; defaults when NULL or p NULL) says.
 * Call it before exec'ing the runtime, for refusals too.
 * Returns 0 when recorded. When the file record cannot be written: a negative code with
 * err rule "audit.write" (the caller must not start the container), or with "fail_open"
 * 1 and err describing what failed (the caller warns and goes on). Sink failures other
 * than the file's are not errors (the sinks are where operators look, not the trail).
 */
int hs_audit_launch(const struct hs_policy *p, const struct hs_launch *l, struct hs_error *err);

/* ---- Pieces, exposed for the CLI (log verify, ps) and the unit tests. ---- */

#define HS_SHA256_HEX_LEN 64

/* What one command has recorded, kept by its caller (struct hs_argv.mark) and filled by
 * hs_audit_launch through hs_launch.mark: whether it tried to record at all (the runtime path
 * records a refusal that came before any document was judged, e.g. an unreadable bundle,
 * only once), and the hash of the file record it appended ("" when none: what a
 * runtime-failed record points back to). */
struct hs_audit_mark {
	bool recorded;
	char hash[HS_SHA256_HEX_LEN + 1];
};
/* sha256 through nettle (linked into the core). out: 32 bytes. Returns 0. */
int hs_sha256(const void *data, size_t len, uint8_t out[32], struct hs_error *err);
void hs_hex(const uint8_t *in, size_t len, char *out); /* out: 2*len+1 */
/* 64 hex digits -> 32 bytes: 0 or -EINVAL. */
int hs_unhex32(const char *hex, uint8_t out[32]);
int hs_hmac_sha256(const uint8_t key[32], const void *data, size_t len, uint8_t out[32],
		   struct hs_error *err);

/* ---- Forward-secure sealing (src/audit/seal.c, file.c) ----
 * "<log>.seal" holds the current sealing key key_n (and n, and the seq of the last record it
 * accounts for). Each record gets ,"seal":{"n":N,"mac":HMAC(key_N, line before ,"seal")}
 * before its hash; then key_{N+1} = hs_seal_evolve(key_N) overwrites key_N. key_0 (the
 * verification key) is printed once by `log seal` and is not kept on the node; the first
 * sealed record uses key_1. */
#define HS_SEAL_SUFFIX ".seal"
struct hs_seal_state {
	uint64_t n, sealed_upto;
	uint8_t key[32];
};
int hs_seal_evolve(uint8_t key[32], struct hs_error *err);
/* The seq and hash at the end of one record line (no newline): 0 or -EINVAL. */
int hs_audit_line_tail(const char *line, size_t len, uint64_t *ret_seq,
		       char ret_hash[HS_SHA256_HEX_LEN + 1]);
/* The seal in one record line (no newline): 0 and n, the mac and the length of the sealed
 * prefix; -ENOENT when the record has no seal; -EINVAL when one is there but malformed. */
int hs_audit_line_seal(const char *line, size_t len, uint64_t *ret_n,
		       char ret_mac[HS_SHA256_HEX_LEN + 1], size_t *ret_prefix);
/* `hardshim log seal`: start sealing the log: key_0 from getrandom, in ret_seed (hex) for the
 * operator to keep off the node; the state starts at key_1, so key_0 is never stored. Refused
 * when already sealing. */
int hs_audit_seal_init(const struct hs_audit_cfg *cfg, char ret_seed[HS_SHA256_HEX_LEN + 1],
		       struct hs_error *err);
/* Read "<log>.seal": 0, -ENOENT, -EINVAL. */
int hs_seal_state_read(const char *log_path, struct hs_seal_state *st);
#define HS_AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* A growable byte buffer with JSON emission, for records. */
struct hs_abuf {
	char *buf;
	size_t len, cap;
	bool oom;
};
void hs_abuf_free(struct hs_abuf *b);
void hs_abuf_put(struct hs_abuf *b, const char *s, size_t n);
void hs_abuf_puts(struct hs_abuf *b, const char *s);
void hs_abuf_printf(struct hs_abuf *b, const char *fmt, ...) HS_PRINTF(2, 3);
/* A JSON string literal; invalid UTF-8 becomes U+FFFD, controls are escaped; strings longer
 * than max bytes are cut (at a character boundary) and marked "...[truncated]". NULL -> null. */
void hs_abuf_json_string(struct hs_abuf *b, const char *s, size_t max);

/* Who asked: gathered from the process (src/audit/who.c), or invented by a test. */
#define HS_AUDIT_MAX_PARENTS 16
struct hs_audit_proc {
	pid_t pid;
	uid_t uid;
	char comm[32];
};
struct hs_audit_who {
	uid_t uid, euid;
	gid_t gid;
	char user[64];                    /* "" when the uid has no name */
	bool loginuid_set, sessionid_set; /* false: unset ((uint32_t)-1) or not available */
	uint32_t loginuid, sessionid;
	struct hs_audit_proc parents[HS_AUDIT_MAX_PARENTS]; /* parent first, up to the engine */
	size_t n_parents;
	const char *sudo_uid, *sudo_user; /* from the environment: claims */
};
/* Fill w for this process; procfs is where /proc is (tests pass a fake tree). */
void hs_audit_who_get(struct hs_audit_who *w, const char *procfs);
/* The name of uid in a passwd file (HS_AUDIT_PASSWD for the record), never through NSS: false
 * and "" when the file does not name it within its first HS_AUDIT_PASSWD_MAX bytes, or the
 * name does not fit size (src/audit/who.c says why). */
#define HS_AUDIT_PASSWD      "/etc/passwd"
#define HS_AUDIT_PASSWD_MAX  (8u << 20)
#define HS_AUDIT_PASSWD_LINE 1024
bool hs_audit_user_name(const char *passwd, uid_t uid, char *ret, size_t size);
/* Reading of /proc/<pid>/loginuid or sessionid content: false for the unset value. */
bool hs_audit_parse_id(const char *text, uint32_t *ret);

/* Everything in a record but the chain: the facts of the moment. */
struct hs_audit_facts {
	const char *time; /* RFC 3339, ns */
	const char *host;
	const char *runtime;
	enum hs_mode mode;
	pid_t pid; /* this process: it becomes the runtime on exec */
	const struct hs_audit_who *who;
	const char *original_sha256, *final_sha256; /* hex or NULL */
};
/* The record without its chain head and hash: `"time":...,...` (no braces). Pure. */
int hs_audit_format_body(const struct hs_launch *l, const struct hs_audit_facts *f,
			 enum hs_verdict verdict, struct hs_abuf *out);
enum hs_verdict hs_audit_verdict(const struct hs_launch *l, enum hs_mode mode);

/* What the runtime did with a launch hardshim admitted and waited for (create): it exited
 * non-zero, was killed by a signal, or could not be executed. */
struct hs_runtime_failure {
	const char *of;      /* the launch record's hash */
	enum hs_event event; /* the launch's command */
	const char *container_id, *root, *runtime;
	pid_t pid;         /* the runtime's process (0 when it never ran) */
	int exit_status;   /* -1 when killed or never run */
	int signal;        /* 0 unless killed */
	const char *error; /* why it never ran (execve's error), or NULL */
};
/* The body of a "runtime-failed" record (no braces, as hs_audit_format_body). Pure. */
int hs_audit_format_failure(const struct hs_runtime_failure *o, const struct hs_audit_facts *f,
			    struct hs_abuf *out);
/* Append the runtime-failed record, chained after the launch, and tell syslog when the policy
 * does. 0, or negative with err set (the container is not running: nothing to stop). */
int hs_audit_runtime_failed(const struct hs_policy *p, const struct hs_runtime_failure *o,
			    struct hs_error *err);

/* Wrap a body into a full line: {"v":1,"seq":seq,"prev":prev,["file_start":true,]<body>,
 * "hash":H}\n. file_start marks the first record written into a (new, rotated) file, so that
 * deleting a file's first record is seen. ret_hash gets H (hex). */
int hs_audit_seal(const char *body, size_t body_len, uint64_t seq, const char *prev_hex,
		  bool file_start, const struct hs_seal_state *seal, struct hs_abuf *out,
		  char ret_hash[HS_SHA256_HEX_LEN + 1], struct hs_error *err);

/* Append one sealed record to the log file under the policy: lock, find the chain head, seal,
 * write, fsync, update the head file. body from hs_audit_format_body. */
int hs_audit_append(const struct hs_audit_cfg *cfg, const char *body, size_t body_len,
		    char ret_hash[HS_SHA256_HEX_LEN + 1], struct hs_error *err);

/* The chain across files given in order (oldest first). */
struct hs_verify_result {
	size_t records; /* good records before the first break */
	char file[512]; /* where the first break is ("" when none) */
	size_t line;    /* its line number, 1-based */
	char why[256];
	uint64_t last_seq;
	char last_hash[HS_SHA256_HEX_LEN + 1];
	/* With a verification key (log verify --key): the key of the next sealed record. */
	bool keyed, sealing;
	uint64_t seal_n;
	uint8_t seal_key[32], seal_seed[32]; /* the caller sets seal_seed and keyed */
	/* Set by the caller before a buffer that does not start its file (the writer checking
	 * what follows the head): the first line is then not the file's first. Reset after use. */
	size_t lines_before;
};
/* Verify a buffer holding one file's lines, continuing from *state (seq 0 / "" for the
 * start: the first record's prev is then taken as given). Returns 0 when the chain holds,
 * 1 when broken (res says where), negative on error. */
int hs_audit_verify_buf(const char *name, const char *buf, size_t len, struct hs_verify_result *res,
			struct hs_error *err);
/* Check the head file "<log>.head" against the end of the chain (records removed from the
 * end of the live log, the log emptied or replaced). A missing head is a break unless
 * no_head (the caller says explicitly that this log has no anchor, e.g. a copy or a rotated
 * file). Returns 0 ok, 1 mismatch (res->why). */
int hs_audit_verify_head(const char *log_path, bool no_head, struct hs_verify_result *res,
			 struct hs_error *err);

/* With res->keyed: the sealing state "<log_path>.seal" must be where the sealed records say
 * the key stands, and hold the key the verification key gives for it. 0 ok, 1 broken. */
int hs_audit_verify_seal_state(const char *log_path, struct hs_verify_result *res,
			       struct hs_error *err);

/* `hardshim log reanchor`: accept the live log as it is after a divergence alarm (rule
 * "audit.diverged"). Appends a "reanchor" record naming what the head said and where the
 * log ended, chained to the log's last whole record, and moves the head there. */
int hs_audit_reanchor(const struct hs_audit_cfg *cfg, char ret_hash[HS_SHA256_HEX_LEN + 1],
		      struct hs_error *err);

/* Sinks (src/audit/sinks.c). msg for the kernel: values encoded by libaudit. */
void hs_audit_syslog(const struct hs_launch *l, enum hs_verdict v, const char *record_hash,
		     const struct hs_audit_who *who);
int hs_audit_kernel(const struct hs_launch *l, enum hs_verdict v, const char *record_hash,
		    pid_t pid, struct hs_error *err);
/* The kernel message body, e.g. `virt=hardshim op=start vm="c1" uuid=... vm-pid=42
 * reason=allowed`, values encoded with audit_encode_nv_string. Owned by caller. */
int hs_audit_kernel_message(const struct hs_launch *l, enum hs_verdict v, const char *record_hash,
			    pid_t pid, char **ret, struct hs_error *err);
