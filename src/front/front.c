/* SPDX-License-Identifier: Apache-2.0
 * The front: the `hardshim` executable, built -static-pie (ASLR kept; full RELRO, stack
 * protector and FORTIFY as the rest of the build). It holds only what the fast path needs
 * (issue 17): the policy's path, the runtime's command line, the policy cache's read and the
 * exec. Every `state`, `kill`, `delete`... that containerd and Podman send pays what the
 * executable needs before main: a static front maps no ld.so and no libc.so and binds no
 * symbol (the dynamic front it replaced spent ~0.9 ms of CPU on that alone).
 *
 * The front also runs `hardshim hook devices RULE...` itself (src/cli/hook-devices.c): the
 * createRuntime hook `run` writes on cgroup v1 loads no policy, and a second core start per
 * container was most of what that hook cost.
 *
 * Everything else (hardshim's own verbs, create/run/restore/exec/update, a cache miss, every
 * error) is the core, the executable hardshim-core-BUILDID, which the front execs with its
 * argv unchanged (src/front/core.c): the core decides exactly as the whole program did, fast
 * path included. A static program cannot dlopen a dynamic core safely: so the core is a
 * program of its own, as the single binary was.
 *
 * Threat: hardshim runs as root with the caller's environment and argv[0]. Whoever chooses
 * which core root's hardshim runs, runs code as root. So the core is found only through a fact
 * the caller cannot set, the directory of the executable the kernel ran (/proc/self/exe),
 * never argv[0], PATH, the working directory, LD_LIBRARY_PATH or a soname; its name carries
 * the build id of the core this front was built with; as root it is opened only when root
 * alone could have written it and no one else can swap a directory on its way (the judgement
 * the policy cache's entry gets), and the opened file is the object that was judged; its own
 * GNU build id note, read from that open file, must be the one the front was built with (a
 * fleet update that renamed a core from another build into place); and what runs is that open
 * file (execveat AT_EMPTY_PATH), not a path looked up again. Each refusal names its rule and
 * both paths, and exits 2 without running the runtime.
 *
 * The core learns the front's path (hardshim's own path, which the hooks it writes call) from
 * HARDSHIM_FRONT, which the front sets here over whatever the caller passed: see
 * src/front/core.c for what a caller that execs the core directly can do with it.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs-argv.h"
#include "hs-cli-verbs.h"
#include "hs-hook.h"
#include "hs-host.h"
#include "hs-policy.h"

/* HS_CORE_ID: the core's build id, written by the Makefile (scripts/lint.sh defines its own) */
#ifndef HS_CORE_ID
#include "core-id.h"
#endif

extern char **environ;

/* A fast-path command whose policy is in the cache: exec its runtime. Returns when it is
 * not (anything else, and an exec that failed: the core says why). */
static void fast_path(int argc, char **argv)
{
	char policy[HS_POLICY_PATH_MAX];
	struct hs_error err = HS_ERROR_INIT;
	char *runtime = NULL;
	struct hs_argv a;

	/* hardshim's own verbs, and `--help` alone (answered without a policy): the core's */
	if (argc < 2 || hs_cli_own_verb(argv[1]) ||
	    (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))))
		return;
	if (hs_policy_path(argv[0], policy, &err) < 0 || hs_argv_parse(argc, argv, &a, &err) < 0 ||
	    (a.cmd && a.cmd->kind != HS_CMD_FAST) || hs_argv_check_preserve_fds(&a, &err) < 0 ||
	    hs_policy_cache_lookup(hs_policy_cache_dir(), policy, &runtime) <= 0)
		return;
	a.argv[0] = runtime;
	unsetenv(HS_FRONT_ENV); /* hardshim's (src/front/core.c), never the runtime's */
	execve(runtime, a.argv, environ);
	argv[0] = (char *)a.received[0]; /* a.argv is argv: the core gets it as it came */
	free(runtime);
}

static int refuse(const char *rule, const char *core, const char *self, const char *why)
{
	fprintf(stderr, "hardshim: %s: %s: %s (front %s); reinstall hardshim\n", rule,
		core[0] ? core : "(no core path)", why, self);
	return 2;
}

static int call_core(int argc, char **argv)
{
	char self[PATH_MAX] = "", core[PATH_MAX + 64] = "", msg[HS_LINE_MAX], id[129];
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_close_ int fd = -1;
	char *slash;
	ssize_t n;
	int r;

	(void)argc;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self) - 1 || self[0] != '/')
		return refuse("front.core-missing", "", "/proc/self/exe",
			      "cannot read the path of hardshim's own executable");
	self[n] = '\0';
	slash = strrchr(self, '/');
	snprintf(core, sizeof(core), "%.*s/hardshim-core-%s", (int)(slash - self), self,
		 HS_CORE_ID);
	/* As root: a file only root can have written, on a path no one else can swap; the fd is
	 * of the object judged. */
	if (geteuid() == 0) {
		_cleanup_arena_ struct hs_arena *a = hs_arena_new();

		if (!a)
			return refuse("front.core-untrusted", core, self, "out of memory");
		fd = hs_open_root_file(a, core, &err);
		if (fd < 0 && err.code == -ENOENT)
			return refuse("front.core-missing", core, self,
				      "no core of this build beside the executable");
		if (fd < 0) {
			size_t len = strlen(core);

			/* "host.untrusted-file: CORE: why" said once: "CORE: why (rule)" */
			snprintf(msg, sizeof(msg), "%s (%s)",
				 strncmp(err.msg, core, len) || err.msg[len] != ':'
				     ? err.msg
				     : err.msg + len + 2,
				 err.rule);
			return refuse("front.core-untrusted", core, self, msg);
		}
	} else if ((fd = open(core, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return refuse("front.core-missing", core, self,
				      "no core of this build beside the executable");
		snprintf(msg, sizeof(msg), "cannot open it: %s", strerror(errno));
		return refuse("front.core-missing", core, self, msg);
	}
	r = hs_elf_fd_build_id(fd, id);
	if (r < 0 && r != -ENOEXEC) {
		snprintf(msg, sizeof(msg), "cannot read it: %s", strerror(-r));
		return refuse("front.core-build", core, self, msg);
	}
	if (strcmp(id, HS_CORE_ID)) {
		snprintf(msg, sizeof(msg), "its build id is %s, this front's core is %s",
			 id[0] ? id : "(none)", HS_CORE_ID);
		return refuse("front.core-build", core, self, msg);
	}
	/* hardshim's own path for the core, over whatever the caller passed (src/front/core.c) */
	if (setenv(HS_FRONT_ENV, self, 1) < 0)
		return refuse("front.core-missing", core, self, "out of memory");
	execveat(fd, "", argv, environ, AT_EMPTY_PATH);
	snprintf(msg, sizeof(msg), "cannot run it: %s", strerror(errno));
	return refuse("front.core-missing", core, self, msg);
}

/* `hook devices RULE...`, the createRuntime hook `run` and `restore` write on cgroup v1: it
 * loads no policy (src/cli/hook-devices.c), so the front runs it, as the core would, without
 * the core's exec and start. The policy's name is worked out first, as the core does before any
 * verb (a name it refuses: the core says why, -1 here). Not inlined: its buffers stay off
 * main's frame, which every fast-path command's stack starts below. */
static __attribute__((noinline)) int hook_devices(int argc, char **argv)
{
	char policy[HS_POLICY_PATH_MAX];
	struct hs_error err = HS_ERROR_INIT;

	if (hs_policy_path(argv[0], policy, &err) < 0)
		return -1;
	return hs_cmd_hook_devices(argc - 2, argv + 2);
}

int main(int argc, char **argv)
{
	int r;

	if (argc >= 3 && !strcmp(argv[1], "hook") && !strcmp(argv[2], "devices") &&
	    (r = hook_devices(argc, argv)) >= 0)
		return r;
	hs_policy_cache_use_build_id(HS_CORE_ID);
	fast_path(argc, argv);
	return call_core(argc, argv);
}
