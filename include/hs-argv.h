/* SPDX-License-Identifier: Apache-2.0
 * The runtime command line, as runc (urfave/cli over Go's flag package) and crun (argp)
 * read it: global options, a command, its options, positional arguments. */
#pragma once

#include "hs-policy.h"

struct hs_audit_mark;

enum hs_cmd_kind {
	HS_CMD_FAST,   /* needs no policy: exec the runtime at once */
	HS_CMD_CREATE, /* create, run, restore: a whole config */
	HS_CMD_EXEC,
	HS_CMD_UPDATE,
};

struct hs_opt_spec {
	const char *name; /* long name, without dashes */
	char short_name;  /* or 0 */
	bool takes_value;
};

struct hs_cmd_spec {
	const char *name;
	enum hs_cmd_kind kind;
	enum hs_event event;
	const struct hs_opt_spec *opts; /* NULL for fast commands: not parsed */
};

struct hs_argv_opt {
	const struct hs_opt_spec *spec;
	const char *value; /* NULL for a boolean given without "=value" */
	int index;         /* argv index of the option token */
};

#define HS_ARGV_MAX_OPTS 64

struct hs_argv {
	int argc;
	char **argv; /* as it goes to the runtime (exec and update point it at a sealed copy) */
	/* As hardshim received it (argv[0] included): the launch record names every token of
	 * it, so an option the runtime reads (exec --cgroup, a -p=FILE) leaves a trace. Never
	 * changed: an adapter that changes the command line builds a new array in argv. */
	char *const *received;
	int received_argc;
	const char *log; /* --log, without crun's "file:" prefix */
	bool log_is_file;
	const char *log_format; /* --log-format */
	const char *root;       /* --root */
	bool systemd_cgroup;    /* --systemd-cgroup or crun's --cgroup-manager systemd (the last
				 * one given counts, as both runtimes read them in order) */
	int cmd_index;          /* -1: no command (--version, --help) */
	const struct hs_cmd_spec *cmd;
	struct hs_argv_opt opts[HS_ARGV_MAX_OPTS];
	size_t n_opts;
	int first_positional; /* argv index of the container id, or -1 */
	int n_positional;
	/* out, optional: what this command recorded (hs_gate_record fills it), or NULL */
	struct hs_audit_mark *mark;
};

/* Parse argv (hardshim's own, argv[0] included). Refuses (rule cli.*, the flag as path):
 * an unknown global option, an unknown command, and for the policy commands an unknown
 * option or an option whose reading differs between runc and crun. *ret is always set: on
 * a refusal it holds what was read before it (the global --log, where the error goes). */
int hs_argv_parse(int argc, char **argv, struct hs_argv *ret, struct hs_error *err);
/* The grammar's tables (the ownership test walks them): NULL-name terminated. */
const struct hs_opt_spec *hs_argv_global_specs(void);
const struct hs_cmd_spec *hs_argv_command_specs(void);
/* The value of the last occurrence of option name (long name), or NULL. */
const char *hs_argv_value(const struct hs_argv *a, const char *name);
bool hs_argv_has(const struct hs_argv *a, const char *name);
/* --preserve-fds N hands fds 3..3+N-1 of the runtime process to the container. Those this
 * process does not have open, the runtime fills with its own (runc 1.1: a directory fd of the
 * host's /sys/fs/cgroup, from which ".." reaches the host's /): refused (rule
 * cli.preserve-fds) unless every one is open here, before hardshim opens anything. */
int hs_argv_check_preserve_fds(const struct hs_argv *a, struct hs_error *err);
