/* SPDX-License-Identifier: Apache-2.0
 * Knowing the grammar is a security control (docs/threats.md §4): a flag hardshim misreads is a
 * flag the runtime obeys unchecked. Go's flag package accepts -name and --name alike and
 * stops at the first positional argument; argp permutes. On the commands that matter,
 * anything the two could read differently is refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "hs-argv.h"
#include "hs-owners.h"

#define V true
#define B false

static const struct hs_opt_spec global_opts[] = {
	{ "debug", 0, B },          { "log", 0, V },      { "log-format", 0, V },
	{ "log-level", 0, V },      { "root", 0, V },     { "criu", 0, V },
	{ "systemd-cgroup", 0, B }, { "rootless", 0, V }, { "cgroup-manager", 0, V },
	{ "version", 'v', B },      { "help", 'h', B },   { NULL, 0, B },
};

#define CREATE_OPTS                                                                     \
	{ "bundle", 'b', V }, { "console-socket", 0, V }, { "pid-file", 0, V },         \
	    { "no-pivot", 0, B }, { "no-new-keyring", 0, B }, { "preserve-fds", 0, V }, \
	{                                                                               \
		"config", 'f', V                                                        \
	}

static const struct hs_opt_spec create_opts[] = { CREATE_OPTS, { NULL, 0, B } };
static const struct hs_opt_spec run_opts[] = {
	CREATE_OPTS,    { "detach", 'd', B }, { "keep", 0, B }, { "no-subreaper", 0, B },
	{ NULL, 0, B },
};
static const struct hs_opt_spec restore_opts[] = {
	{ "bundle", 'b', V },
	{ "console-socket", 0, V },
	{ "pid-file", 0, V },
	{ "detach", 'd', B },
	{ "image-path", 0, V },
	{ "work-path", 0, V },
	{ "parent-path", 0, V },
	{ "no-subreaper", 0, B },
	{ "tcp-established", 0, B },
	{ "ext-unix-sk", 0, B },
	{ "shell-job", 0, B },
	{ "file-locks", 0, B },
	{ "manage-cgroups-mode", 0, V },
	{ "empty-ns", 0, V },
	{ "auto-dedup", 0, B },
	{ "lazy-pages", 0, B },
	{ "status-fd", 0, V },
	{ "page-server", 0, V },
	{ "no-pivot", 0, B },
	{ "lsm-profile", 0, V },
	{ "lsm-mount-context", 0, V },
	{ "preserve-fds", 0, V },
	{ NULL, 0, B },
};
static const struct hs_opt_spec exec_opts[] = {
	{ "console-socket", 0, V }, { "cwd", 0, V },          { "env", 'e', V },
	{ "tty", 't', B },          { "user", 'u', V },       { "additional-gids", 'g', V },
	{ "process", 'p', V },      { "detach", 'd', B },     { "pid-file", 0, V },
	{ "process-label", 0, V },  { "apparmor", 0, V },     { "no-new-privs", 0, B },
	{ "cap", 'c', V },          { "preserve-fds", 0, V }, { "ignore-paused", 0, B },
	{ "cgroup", 0, V },         { NULL, 0, B },
};
static const struct hs_opt_spec update_opts[] = {
	{ "resources", 'r', V },        { "blkio-weight", 0, V },      { "cpu-period", 0, V },
	{ "cpu-quota", 0, V },          { "cpu-share", 0, V },         { "cpu-rt-period", 0, V },
	{ "cpu-rt-runtime", 0, V },     { "cpuset-cpus", 0, V },       { "cpuset-mems", 0, V },
	{ "kernel-memory", 0, V },      { "kernel-memory-tcp", 0, V }, { "memory", 0, V },
	{ "memory-reservation", 0, V }, { "memory-swap", 0, V },       { "pids-limit", 0, V },
	{ "l3-cache-schema", 0, V },    { "mem-bw-schema", 0, V },     { NULL, 0, B },
};

static const struct hs_cmd_spec commands[] = {
	{ "create", HS_CMD_CREATE, HS_EVENT_CREATE, create_opts },
	{ "run", HS_CMD_CREATE, HS_EVENT_RUN, run_opts },
	{ "restore", HS_CMD_CREATE, HS_EVENT_RESTORE, restore_opts },
	{ "exec", HS_CMD_EXEC, HS_EVENT_EXEC, exec_opts },
	{ "update", HS_CMD_UPDATE, HS_EVENT_UPDATE, update_opts },
	/* Commands that start no process and change no privilege. */
	{ "start", HS_CMD_FAST, 0, NULL },
	{ "state", HS_CMD_FAST, 0, NULL },
	{ "kill", HS_CMD_FAST, 0, NULL },
	{ "delete", HS_CMD_FAST, 0, NULL },
	{ "ps", HS_CMD_FAST, 0, NULL },
	{ "list", HS_CMD_FAST, 0, NULL },
	{ "events", HS_CMD_FAST, 0, NULL },
	{ "pause", HS_CMD_FAST, 0, NULL },
	{ "resume", HS_CMD_FAST, 0, NULL },
	{ "features", HS_CMD_FAST, 0, NULL },
	{ "spec", HS_CMD_FAST, 0, NULL },
	{ "checkpoint", HS_CMD_FAST, 0, NULL },
	{ "help", HS_CMD_FAST, 0, NULL },
	{ "h", HS_CMD_FAST, 0, NULL },
	{ NULL, 0, 0, NULL },
};

const struct hs_opt_spec *hs_argv_global_specs(void)
{
	return global_opts;
}

const struct hs_cmd_spec *hs_argv_command_specs(void)
{
	return commands;
}

/* Match an option token against specs. Go's flag package reads -name and --name alike;
 * argp reads -x as a short option. Returns the spec, or NULL; *ret_value points into the
 * token after '=' when present. */
static const struct hs_opt_spec *match_opt(const struct hs_opt_spec *specs, const char *tok,
					   const char **ret_value)
{
	const char *name = tok + 1, *eq;
	size_t n;

	*ret_value = NULL;
	if (*name == '-')
		name++;
	eq = strchr(name, '=');
	n = eq ? (size_t)(eq - name) : strlen(name);
	for (const struct hs_opt_spec *s = specs; s->name; s++)
		if ((strlen(s->name) == n && !strncmp(s->name, name, n)) ||
		    (s->short_name && n == 1 && name[0] == s->short_name && tok[1] != '-')) {
			if (eq)
				*ret_value = eq + 1;
			return s;
		}
	return NULL;
}

static bool is_option(const char *tok)
{
	return tok[0] == '-' && tok[1] != '\0';
}

static int add_opt(struct hs_argv *a, const struct hs_opt_spec *s, const char *value, int index,
		   struct hs_error *err)
{
	if (a->n_opts == HS_ARGV_MAX_OPTS)
		return hs_error_set(err, -HS_EUSAGE, "cli.too-many-options", a->argv[index], -1,
				    "more than %d options", HS_ARGV_MAX_OPTS);
	a->opts[a->n_opts++] = (struct hs_argv_opt){ .spec = s, .value = value, .index = index };
	return 0;
}

/* Options of one command, from argv[i]. Sets *ret_end to the first positional. */
static int parse_opts(struct hs_argv *a, const struct hs_opt_spec *specs, int i, bool global,
		      int *ret_end, struct hs_error *err)
{
	for (; i < a->argc && is_option(a->argv[i]); i++) {
		const char *tok = a->argv[i], *value;
		const struct hs_opt_spec *s;
		const struct hs_cli_owner *owner;
		int r;

		if (!strcmp(tok, "--")) {
			i++;
			break;
		}
		/* "-b=/x" and "-bundle=/x": Go's flag package reads bundle "/x", crun's argp reads
		 * -b with the rest of the token as its value ("=/x", "undle=/x", a path relative to
		 * the cwd): the runtime would load another config than the one checked. exec's are
		 * read here and folded into the checked process document, never passed on. */
		if (tok[1] != '-' && strchr(tok, '=') && (global || a->cmd->kind != HS_CMD_EXEC))
			return hs_error_set(err, -HS_EUSAGE, "cli.ambiguous-option", tok, -1,
					    "a single-dash option with '=' means another value to "
					    "runc "
					    "than to crun: write --name=value or -x value");
		s = match_opt(specs, tok, &value);
		if (!s)
			return hs_error_set(err, -HS_EUSAGE,
					    global ? "cli.unknown-global-option"
						   : "cli.unknown-option",
					    tok, -1,
					    "%s option hardshim does not know: refused so "
					    "that nothing reaches the runtime unchecked",
					    global ? "a global" : "an");
		/* The ownership table's refused options (src/policy/owners.c). */
		owner = hs_cli_owner_of(global ? "global" : a->cmd->name, s->name);
		if (owner && owner->kind == HS_OWNER_REFUSED)
			return hs_error_set(err, -HS_EUSAGE, "cli.refused-option", tok, -1,
					    "refused: %s", owner->why);
		if (s->takes_value && !value) {
			if (i + 1 >= a->argc)
				return hs_error_set(err, -HS_EUSAGE, "cli.missing-value", tok, -1,
						    "option needs a value");
			value = a->argv[++i];
		} else if (!s->takes_value && value && strcmp(value, "true") &&
			   strcmp(value, "false")) {
			return hs_error_set(err, -HS_EUSAGE, "cli.bad-value", tok, -1,
					    "a boolean option takes only =true or =false");
		}
		if (global) {
			if (!strcmp(s->name, "log") && value) {
				a->log_is_file =
				    strncmp(value, "journald:", 9) && strncmp(value, "syslog:", 7);
				a->log = !strncmp(value, "file:", 5) ? value + 5 : value;
			} else if (!strcmp(s->name, "log-format")) {
				a->log_format = value;
			} else if (!strcmp(s->name, "root")) {
				a->root = value;
			} else if (!strcmp(s->name, "systemd-cgroup")) {
				a->systemd_cgroup = !value || strcmp(value, "false");
			} else if (!strcmp(s->name, "cgroup-manager")) {
				/* crun's "disabled" creates no cgroup at all: no limit, no device
				 * rule would be applied. */
				if (!value ||
				    (strcmp(value, "systemd") && strcmp(value, "cgroupfs")))
					return hs_error_set(err, -HS_EUSAGE, "cli.cgroup-manager",
							    tok, -1,
							    "\"%s\": only \"cgroupfs\" or "
							    "\"systemd\" "
							    "(\"disabled\" would apply no limits)",
							    value ? value : "");
				a->systemd_cgroup = !strcmp(value, "systemd");
			}
		}
		r = add_opt(a, s, value, i, err);
		if (r < 0)
			return r;
	}
	*ret_end = i;
	return 0;
}

/* The parse, into *a as far as it gets: on an error the caller still has the global options
 * read so far (--log, --log-format), where the runtime's caller looks for the error. */
static int parse(struct hs_argv *a, struct hs_error *err)
{
	int argc = a->argc, i, r;
	char **argv = a->argv;

	r = parse_opts(a, global_opts, 1, true, &i, err);
	if (r < 0)
		return r;
	/* --version and --help need no command. */
	if (i >= argc)
		return 0;
	a->cmd_index = i;
	for (const struct hs_cmd_spec *c = commands; c->name; c++)
		if (!strcmp(c->name, argv[i]))
			a->cmd = c;
	if (!a->cmd)
		return hs_error_set(err, -HS_EUSAGE, "cli.unknown-command", argv[i], -1,
				    "not a runtime command hardshim knows: refused (fail closed)");
	if (a->cmd->kind == HS_CMD_FAST)
		return 0;
	a->n_opts = 0; /* from here on opts are the command's own */
	r = parse_opts(a, a->cmd->opts, i + 1, false, &i, err);
	if (r < 0)
		return r;
	if (i < argc) {
		a->first_positional = i;
		a->n_positional = argc - i;
	}
	/* runc (Go's flag package) and crun (argp, ARGP_IN_ORDER) both stop reading options at
	 * the container id; for exec what follows is the command to run. For the others an
	 * option after the id is a usage error in both, refused here before either sees it. */
	for (int k = i + 1; a->cmd->kind != HS_CMD_EXEC && k < argc; k++)
		if (is_option(argv[k]))
			return hs_error_set(err, -HS_EUSAGE, "cli.option-after-id", argv[k], -1,
					    "option after the container id; put options before it");
	if (a->cmd->kind != HS_CMD_EXEC && a->n_positional != 1)
		return hs_error_set(err, -HS_EUSAGE, "cli.arguments", a->cmd->name, -1,
				    "%s takes exactly one container id, got %d", a->cmd->name,
				    a->n_positional);
	if (a->cmd->kind == HS_CMD_EXEC && a->n_positional < 1)
		return hs_error_set(err, -HS_EUSAGE, "cli.arguments", "exec", -1,
				    "exec needs a container id");
	return 0;
}

int hs_argv_parse(int argc, char **argv, struct hs_argv *ret, struct hs_error *err)
{
	*ret = (struct hs_argv){ .argc = argc,
				 .argv = argv,
				 .received = argv,
				 .received_argc = argc,
				 .cmd_index = -1,
				 .first_positional = -1 };
	return parse(ret, err);
}

const char *hs_argv_value(const struct hs_argv *a, const char *name)
{
	for (size_t i = a->n_opts; i-- > 0;)
		if (!strcmp(a->opts[i].spec->name, name))
			return a->opts[i].value ? a->opts[i].value : "true";
	return NULL;
}

bool hs_argv_has(const struct hs_argv *a, const char *name)
{
	const char *v = hs_argv_value(a, name);

	return v && strcmp(v, "false");
}

int hs_argv_check_preserve_fds(const struct hs_argv *a, struct hs_error *err)
{
	const char *v = hs_argv_value(a, "preserve-fds");
	unsigned long n = 0;
	char *end;

	if (!v)
		return 0;
	errno = 0;
	if (*v >= '0' && *v <= '9')
		n = strtoul(v, &end, 10);
	if (!(*v >= '0' && *v <= '9') || errno || *end || n > 4096)
		return hs_error_set(err, -HS_EUSAGE, "cli.preserve-fds", "--preserve-fds", -1,
				    "\"%s\" is not a number of file descriptors", v);
	for (unsigned long fd = 3; fd < 3 + n; fd++)
		if (fcntl((int)fd, F_GETFD) < 0)
			return hs_error_set(err, -HS_EUSAGE, "cli.preserve-fds", "--preserve-fds",
					    -1,
					    "fd %lu is not open: the runtime would hand the "
					    "container "
					    "one of its own instead (runc's is a host directory)",
					    fd);
	return 0;
}
