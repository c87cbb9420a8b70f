/* SPDX-License-Identifier: Apache-2.0
 * The front: the `hardshim` executable. It holds only what the fast path needs (issue 17): the
 * policy's path, the runtime's command line, the policy cache's read and the exec. Every
 * `state`, `kill`, `delete`... that containerd and Podman send pays the dynamic loader for
 * what the executable links, before main; the front binds ~60 libc symbols and ~100
 * relocations where the whole of hardshim binds ~180 and ~2 100.
 *
 * Everything else (hardshim's own verbs, create/run/restore/exec/update, a cache miss, every
 * error) is the core, hardshim-core-BUILDID.so, which the front loads and calls with its
 * argv unchanged: the core decides exactly as the whole program did, fast path included.
 *
 * Threat: hardshim runs as root with the caller's environment and argv[0]. Whoever chooses
 * which core root's hardshim loads, runs code as root. So the core is found only through a
 * fact the caller cannot set, the directory of the executable the kernel ran
 * (/proc/self/exe), never argv[0], PATH, the working directory, LD_LIBRARY_PATH or a soname;
 * its name carries the build id of the core this front was built with; as root it is loaded
 * only when root alone could have written it and no one else can swap a directory on its way
 * (the judgement the policy cache's entry gets); and after loading, its own GNU build id
 * note must be the one the front was built with, else nothing of it is called (a fleet
 * update that renamed a core from another build into place). Each refusal names its rule
 * and both paths, and exits 2 without running the runtime.
 */
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs-argv.h"
#include "hs-cli-verbs.h"
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

/* The loaded core's GNU build id, as hex (129 bytes). */
struct core_note {
	ElfW(Addr) base;
	char hex[129];
};

static int find_core_note(struct dl_phdr_info *info, size_t size, void *data)
{
	struct core_note *n = data;

	(void)size;
	if (info->dlpi_addr != n->base)
		return 0;
	hs_elf_build_id(info, n->hex);
	return 1;
}

static int call_core(int argc, char **argv)
{
	char self[PATH_MAX] = "", core[PATH_MAX + 64] = "", msg[HS_LINE_MAX];
	struct hs_error err = HS_ERROR_INIT;
	struct core_note note = { 0 };
	struct link_map *lm = NULL;
	int (*entry)(int, char **);
	char *slash;
	void *h;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self) - 1 || self[0] != '/')
		return refuse("front.core-missing", "", "/proc/self/exe",
			      "cannot read the path of hardshim's own executable");
	self[n] = '\0';
	slash = strrchr(self, '/');
	snprintf(core, sizeof(core), "%.*s/hardshim-core-%s.so", (int)(slash - self), self,
		 HS_CORE_ID);
	/* As root: a file only root can have written, on a path no one else can swap. */
	if (geteuid() == 0) {
		_cleanup_arena_ struct hs_arena *a = hs_arena_new();

		if (!a)
			return refuse("front.core-untrusted", core, self, "out of memory");
		if (hs_judge_root_file(a, core, &err) < 0 && err.code == -ENOENT)
			return refuse("front.core-missing", core, self,
				      "no core of this build beside the executable");
		if (err.code < 0) {
			size_t len = strlen(core);

			/* "host.untrusted-file: CORE: why" said once: "CORE: why (rule)" */
			snprintf(msg, sizeof(msg), "%s (%s)",
				 strncmp(err.msg, core, len) || err.msg[len] != ':'
				     ? err.msg
				     : err.msg + len + 2,
				 err.rule);
			return refuse("front.core-untrusted", core, self, msg);
		}
	} else if (access(core, F_OK) < 0)
		return refuse("front.core-missing", core, self,
			      "no core of this build beside the executable");
	h = dlopen(core, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return refuse("front.core-missing", core, self, dlerror());
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) < 0 || !lm)
		return refuse("front.core-build", core, self, "cannot find the loaded core");
	note.base = lm->l_addr;
	dl_iterate_phdr(find_core_note, &note);
	if (strcmp(note.hex, HS_CORE_ID)) {
		snprintf(msg, sizeof(msg), "its build id is %s, this front's core is %s",
			 note.hex[0] ? note.hex : "(none)", HS_CORE_ID);
		return refuse("front.core-build", core, self, msg);
	}
	entry = (int (*)(int, char **))dlsym(h, "hardshim_core_main");
	if (!entry)
		return refuse("front.core-build", core, self, "no entry hardshim_core_main");
	return entry(argc, argv);
}

int main(int argc, char **argv)
{
	fast_path(argc, argv);
	return call_core(argc, argv);
}
