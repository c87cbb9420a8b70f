/* SPDX-License-Identifier: Apache-2.0
 * The ownership table's rows for the runtime's command line (include/hs-owners.h; the
 * configs' rows are in owners.c): who answers for every option of the grammar. Its own file:
 * the argv reader needs it, and the front (src/front/front.c) links the argv reader without
 * the controls. */
#include <string.h>

#include "hs-owners.h"
#include "owner-rows.h"

#define ENGINE "set by the engine that calls the runtime, never from a config or pod spec"
#define CREATE_ROWS(cmd)                                                                      \
	C(cmd, "bundle", "create (cli/runtime.c: the config read, judged, rewritten)"),       \
	    C(cmd, "config", "create (cli/runtime.c: crun's --config is the config judged)"), \
	    I(cmd, "console-socket", "receives the container's own pty; " ENGINE),            \
	    I(cmd, "pid-file", "where the runtime writes the pid; " ENGINE),                  \
	    C(cmd, "no-pivot",                                                                \
	      "capabilities (chroot instead of pivot_root: escaping needs CAP_SYS_CHROOT, "   \
	      "dropped)"),                                                                    \
	    C(cmd, "no-new-keyring",                                                          \
	      "seccomp (the caller's keyring stays: keyctl, add_key, request_key denied)"),   \
	    C(cmd, "preserve-fds", "argv (every fd passed must be open in hardshim)")

const struct hs_cli_owner hs_cli_owners[] = {
	I("global", "debug", "more runtime logging"),
	I("global", "log", "where the runtime writes its log; " ENGINE),
	I("global", "log-format", "the runtime's log format"),
	I("global", "log-level", "the runtime's log level"),
	C("global", "root", "cli (the runtime's state is read with the same --root)"),
	I("global", "criu", "the criu binary; " ENGINE),
	C("global", "systemd-cgroup", "cgroups (what a ':' in cgroupsPath means)"),
	C("global", "cgroup-manager", "cgroups (systemd or cgroupfs; \"disabled\" refused)"),
	I("global", "rootless", "asks the runtime for fewer privileges"),
	I("global", "version", "prints the version"),
	I("global", "help", "prints help"),

	CREATE_ROWS("create"),
	CREATE_ROWS("run"),
	I("run", "detach", "the runtime returns after start"),
	I("run", "keep", "the container's state is kept after it exits"),
	I("run", "no-subreaper", "who reaps the runtime's children"),

	C("restore", "bundle", "create (the config judged as for create)"),
	I("restore", "console-socket", "receives the container's own pty; " ENGINE),
	I("restore", "pid-file", "where the runtime writes the pid; " ENGINE),
	I("restore", "detach", "the runtime returns after the restore"),
	I("restore", "image-path", "the checkpoint to restore; " ENGINE),
	I("restore", "work-path", "criu's work directory; " ENGINE),
	I("restore", "parent-path", "a parent checkpoint; " ENGINE),
	I("restore", "no-subreaper", "who reaps the runtime's children"),
	I("restore", "tcp-established", "criu restores the container's own sockets"),
	I("restore", "ext-unix-sk", "criu restores the container's own sockets"),
	I("restore", "shell-job", "criu restores the container's own session"),
	I("restore", "file-locks", "criu restores the container's own locks"),
	I("restore", "manage-cgroups-mode", "how criu restores the container's own cgroups"),
	R("restore", "empty-ns",
	  "a namespace left empty for the engine to fill: the namespaces control could not "
	  "judge what joins it"),
	I("restore", "auto-dedup", "criu frees the image's pages"),
	I("restore", "lazy-pages", "criu fetches pages on demand"),
	I("restore", "status-fd", "criu reports readiness on an fd of the engine's"),
	I("restore", "page-server", "where criu fetches pages; " ENGINE),
	C("restore", "no-pivot",
	  "capabilities (chroot instead of pivot_root: escaping needs CAP_SYS_CHROOT, "
	  "dropped)"),
	R("restore", "lsm-profile",
	  "replaces the AppArmor/SELinux label the mac control chose for the process"),
	R("restore", "lsm-mount-context",
	  "replaces the SELinux mount context the mac control chose"),
	C("restore", "preserve-fds", "argv (every fd passed must be open in hardshim)"),

	I("exec", "console-socket", "receives the process's own pty; " ENGINE),
	C("exec", "cwd", "exec (folded into the process document: process)"),
	C("exec", "env", "exec (folded into the process document: process)"),
	C("exec", "tty", "exec (folded into the process document)"),
	C("exec", "user", "exec (folded into the process document: user)"),
	C("exec", "additional-gids", "exec (folded into the process document: user)"),
	C("exec", "process", "exec (the document judged, handed on as a sealed memfd)"),
	I("exec", "detach", "the runtime returns after the process starts"),
	I("exec", "pid-file", "where the runtime writes the pid; " ENGINE),
	C("exec", "process-label", "exec (folded into the process document: mac)"),
	C("exec", "apparmor", "exec (folded into the process document: mac)"),
	C("exec", "no-new-privs", "exec (folded into the process document: capabilities)"),
	C("exec", "cap", "exec (folded into the process document: capabilities)"),
	C("exec", "preserve-fds", "argv (every fd passed must be open in hardshim)"),
	I("exec", "ignore-paused", "runs in a paused container"),
	C("exec", "cgroup", "exec (one plain sub-cgroup path below the container's)"),

	C("update", "resources", "update (the document judged by resources and devices)"),
	I("update", "blkio-weight", OWN_CGROUP_SHARE),
	C("update", "cpu-period", "update (resources)"),
	C("update", "cpu-quota", "update (resources)"),
	C("update", "cpu-share", "update (resources)"),
	I("update", "cpu-rt-period", "a period without realtime runtime is no time"),
	C("update", "cpu-rt-runtime", "update (resources)"),
	I("update", "cpuset-cpus", "pins inside the parent cpuset"),
	I("update", "cpuset-mems", "pins inside the parent cpuset"),
	I("update", "kernel-memory", "a further limit on kernel memory"),
	I("update", "kernel-memory-tcp", "a further limit on TCP buffer memory"),
	C("update", "memory", "update (resources)"),
	I("update", "memory-reservation", "a soft limit below memory.limit"),
	C("update", "memory-swap", "update (resources: only with --memory)"),
	C("update", "pids-limit", "update (resources)"),
	I("update", "l3-cache-schema",
	  "the container's own resctrl group (intelRdt is refused at create)"),
	I("update", "mem-bw-schema",
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
