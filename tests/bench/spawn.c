/* SPDX-License-Identifier: Apache-2.0
 * spawn: what starting one hook process costs its parent, by the way the parent starts it
 * (tests/bench/hook-cost.sh; docs/performance-log.md, "What a createRuntime hook costs the
 * runtime", 2026-12-05 #6). Usage: spawn MODE HEAP_KB TOUCH_KB PROG [ARG...]
 *   The process first writes HEAP_KB of anonymous memory (crun's parent holds ~470 KiB when it
 *   runs a hook), then, by MODE:
 *     none   starts nothing
 *     fork   fork(), the child execs PROG (crun's way: run_process_with_stdin_timeout_envp),
 *            the parent waits
 *     vfork  posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK), no copy of the page tables;
 *            Go's os/exec, runc's way, does the same)
 *   and then writes one byte in each page of the first TOUCH_KB again, as the runtime goes on
 *   using its heap after the hook (after a fork() each of those writes is a fault: the pages
 *   were made read-only for copy-on-write).
 * Time it with alt.c (CPU of the process and the child it waited for): fork - none and
 * vfork - none are what one hook's start costs the parent plus the hook program. */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: spawn none|fork|vfork HEAP_KB TOUCH_KB PROG [ARG...]\n");
		return 2;
	}
	const char *mode = argv[1];
	size_t heap = strtoul(argv[2], NULL, 10) * 1024, touch = strtoul(argv[3], NULL, 10) * 1024;
	volatile char *mem = malloc(heap ? heap : 1);

	if (!mem || touch > heap)
		return 2;
	for (size_t i = 0; i < heap; i += 4096)
		mem[i] = 1;

	pid_t pid = -1;
	int status = 0;

	if (!strcmp(mode, "fork")) {
		pid = fork();
		if (pid == 0) {
			execv(argv[4], argv + 4);
			_exit(127);
		}
	} else if (!strcmp(mode, "vfork")) {
		if (posix_spawn(&pid, argv[4], NULL, NULL, argv + 4, environ) != 0)
			return 1;
	} else if (strcmp(mode, "none") != 0) {
		return 2;
	}
	if (pid > 0 &&
	    (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
		return 1;
	if (pid < 0 && strcmp(mode, "none") != 0)
		return 1;
	for (size_t i = 0; i < touch; i += 4096)
		mem[i] = 2;
	free((void *)mem);
	return 0;
}
