/* SPDX-License-Identifier: Apache-2.0
 * The ownership table's rows for the runtime's command line (include/hs-owners.h; the
 * configs' rows are in owners.c): who answers for every option of the grammar. Its own file:
 * the argv reader needs it, and the front (src/front/front.c) links the argv reader without
 * the controls. */
#include <string.h>

#include "hs-owners.h"

#define OWN_CGROUP_SHARE                                                                       \
	"a weight or limit inside the container's own cgroup: it can only share out or lower " \
	"what the parent cgroup gives"

#define CLI_C(cmd, opt, who)                        \
	{                                           \
		cmd, opt, HS_OWNER_CONTROL, who, "" \
	}
#define CLI_I(cmd, opt, why)                      \
	{                                         \
		cmd, opt, HS_OWNER_INERT, "", why \
	}
#define CLI_R(cmd, opt, why)                        \
	{                                           \
		cmd, opt, HS_OWNER_REFUSED, "", why \
	}

#define ENGINE "set by the engine that calls the runtime, never from a config or pod spec"
#define CREATE_ROWS(cmd)                                                                          \
	CLI_C(cmd, "bundle", "create (cli/runtime.c: the config read, judged, rewritten)"),       \
	    CLI_C(cmd, "config", "create (cli/runtime.c: crun's --config is the config judged)"), \
	    CLI_I(cmd, "console-socket", "receives the container's own pty; " ENGINE),            \
	    CLI_I(cmd, "pid-file", "where the runtime writes the pid; " ENGINE),                  \
	    CLI_C(cmd, "no-pivot",                                                                \
		  "capabilities (chroot instead of pivot_root: escaping needs CAP_SYS_CHROOT, "   \
		  "dropped)"),                                                                    \
	    CLI_C(cmd, "no-new-keyring",                                                          \
		  "seccomp (the caller's keyring stays: keyctl, add_key, request_key denied)"),   \
	    CLI_C(cmd, "preserve-fds", "argv (every fd passed must be open in hardshim)")

const struct hs_cli_owner hs_cli_owners[] = {
	CLI_I("global", "debug", "more runtime logging"),
	CLI_I("global", "log", "where the runtime writes its log; " ENGINE),
	CLI_I("global", "log-format", "the runtime's log format"),
	CLI_I("global", "log-level", "the runtime's log level"),
	CLI_C("global", "root", "cli (the runtime's state is read with the same --root)"),
	CLI_I("global", "criu", "the criu binary; " ENGINE),
	CLI_C("global", "systemd-cgroup", "cgroups (what a ':' in cgroupsPath means)"),
	CLI_C("global", "cgroup-manager", "cgroups (systemd or cgroupfs; \"disabled\" refused)"),
	CLI_I("global", "rootless", "asks the runtime for fewer privileges"),
	CLI_I("global", "version", "prints the version"),
	CLI_I("global", "help", "prints help"),

	CREATE_ROWS("create"),
	CREATE_ROWS("run"),
	CLI_I("run", "detach", "the runtime returns after start"),
	CLI_I("run", "keep", "the container's state is kept after it exits"),
	CLI_I("run", "no-subreaper", "who reaps the runtime's children"),

	CLI_C("restore", "bundle", "create (the config judged as for create)"),
	CLI_I("restore", "console-socket", "receives the container's own pty; " ENGINE),
	CLI_I("restore", "pid-file", "where the runtime writes the pid; " ENGINE),
	CLI_I("restore", "detach", "the runtime returns after the restore"),
	CLI_I("restore", "image-path", "the checkpoint to restore; " ENGINE),
	CLI_I("restore", "work-path", "criu's work directory; " ENGINE),
	CLI_I("restore", "parent-path", "a parent checkpoint; " ENGINE),
	CLI_I("restore", "no-subreaper", "who reaps the runtime's children"),
	CLI_I("restore", "tcp-established", "criu restores the container's own sockets"),
	CLI_I("restore", "ext-unix-sk", "criu restores the container's own sockets"),
	CLI_I("restore", "shell-job", "criu restores the container's own session"),
	CLI_I("restore", "file-locks", "criu restores the container's own locks"),
	CLI_I("restore", "manage-cgroups-mode", "how criu restores the container's own cgroups"),
	CLI_R("restore", "empty-ns",
	      "a namespace left empty for the engine to fill: the namespaces control could not "
	      "judge what joins it"),
	CLI_I("restore", "auto-dedup", "criu frees the image's pages"),
	CLI_I("restore", "lazy-pages", "criu fetches pages on demand"),
	CLI_I("restore", "status-fd", "criu reports readiness on an fd of the engine's"),
	CLI_I("restore", "page-server", "where criu fetches pages; " ENGINE),
	CLI_C("restore", "no-pivot",
	      "capabilities (chroot instead of pivot_root: escaping needs CAP_SYS_CHROOT, "
	      "dropped)"),
	CLI_R("restore", "lsm-profile",
	      "replaces the AppArmor/SELinux label the mac control chose for the process"),
	CLI_R("restore", "lsm-mount-context",
	      "replaces the SELinux mount context the mac control chose"),
	CLI_C("restore", "preserve-fds", "argv (every fd passed must be open in hardshim)"),

	CLI_I("exec", "console-socket", "receives the process's own pty; " ENGINE),
	CLI_C("exec", "cwd", "exec (folded into the process document: process)"),
	CLI_C("exec", "env", "exec (folded into the process document: process)"),
	CLI_C("exec", "tty", "exec (folded into the process document)"),
	CLI_C("exec", "user", "exec (folded into the process document: user)"),
	CLI_C("exec", "additional-gids", "exec (folded into the process document: user)"),
	CLI_C("exec", "process", "exec (the document judged, handed on as a sealed memfd)"),
	CLI_I("exec", "detach", "the runtime returns after the process starts"),
	CLI_I("exec", "pid-file", "where the runtime writes the pid; " ENGINE),
	CLI_C("exec", "process-label", "exec (folded into the process document: mac)"),
	CLI_C("exec", "apparmor", "exec (folded into the process document: mac)"),
	CLI_C("exec", "no-new-privs", "exec (folded into the process document: capabilities)"),
	CLI_C("exec", "cap", "exec (folded into the process document: capabilities)"),
	CLI_C("exec", "preserve-fds", "argv (every fd passed must be open in hardshim)"),
	CLI_I("exec", "ignore-paused", "runs in a paused container"),
	CLI_C("exec", "cgroup", "exec (one plain sub-cgroup path below the container's)"),

	CLI_C("update", "resources", "update (the document judged by resources and devices)"),
	CLI_I("update", "blkio-weight", OWN_CGROUP_SHARE),
	CLI_C("update", "cpu-period", "update (resources)"),
	CLI_C("update", "cpu-quota", "update (resources)"),
	CLI_C("update", "cpu-share", "update (resources)"),
	CLI_I("update", "cpu-rt-period", "a period without realtime runtime is no time"),
	CLI_C("update", "cpu-rt-runtime", "update (resources)"),
	CLI_I("update", "cpuset-cpus", "pins inside the parent cpuset"),
	CLI_I("update", "cpuset-mems", "pins inside the parent cpuset"),
	CLI_I("update", "kernel-memory", "a further limit on kernel memory"),
	CLI_I("update", "kernel-memory-tcp", "a further limit on TCP buffer memory"),
	CLI_C("update", "memory", "update (resources)"),
	CLI_I("update", "memory-reservation", "a soft limit below memory.limit"),
	CLI_C("update", "memory-swap", "update (resources: only with --memory)"),
	CLI_C("update", "pids-limit", "update (resources)"),
	CLI_I("update", "l3-cache-schema",
	      "the container's own resctrl group (intelRdt is refused at create)"),
	CLI_I("update", "mem-bw-schema",
	      "the container's own resctrl group (intelRdt is refused at create)"),
};
const size_t hs_n_cli_owners = HS_ARRAY_SIZE(hs_cli_owners);

const struct hs_cli_owner *hs_cli_owner_of(const char *cmd, const char *opt)
{
	for (size_t i = 0; i < hs_n_cli_owners; i++)
		if (!strcmp(hs_cli_owners[i].cmd, cmd) && !strcmp(hs_cli_owners[i].opt, opt))
			return &hs_cli_owners[i];
	return NULL;
}
