/* SPDX-License-Identifier: Apache-2.0
 * timeit: wall time of a sequence of commands, N times, with no shell in the way.
 * Usage: timeit -n N [-w WARMUP] [-p PAUSE_MS] CMD ARGS... [';;' CMD ARGS...]...
 * "{i}" in an argument becomes the iteration number (container ids). Prints
 * "median_us p10_us p90_us" for the whole sequence. -p: an untimed pause before each run, for
 * commands that leave work behind them (the egress hook's detached close) which the next run
 * would otherwise queue behind. A command that fails makes timeit exit 1:
 * a benchmark of failing commands measures nothing. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"

extern char **environ;

static int run(char **cmd, int n, int i)
{
	posix_spawn_file_actions_t fa;
	char *argv[128];
	int status, k, rc = 0;
	pid_t pid;

	for (k = 0; k < n && k < 127; k++)
		argv[k] = bench_subst(cmd[k], i);
	argv[k] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0 ||
	    waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "timeit: %s %s ... failed\n", argv[0], argv[1] ? argv[1] : "");
		rc = -1;
	}
	for (k = 0; argv[k]; k++)
		free(argv[k]);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

int main(int argc, char **argv)
{
	int n = 100, warm = 5, pause_ms = 0, c, ncmd = 0, start[16], len[16];
	double *t;

	while ((c = getopt(argc, argv, "+n:w:p:")) != -1)
		if (!bench_option(c, &n, &warm, &pause_ms))
			return 2;
	for (int i = optind; i < argc && ncmd < 16;) {
		int j = i;

		while (j < argc && strcmp(argv[j], ";;"))
			j++;
		start[ncmd] = i;
		len[ncmd++] = j - i;
		i = j + 1;
	}
	if (ncmd == 0 || n < 1 || !(t = calloc((size_t)n, sizeof(*t))))
		return 2;
	for (int i = -warm; i < n; i++) {
		struct timespec a, b;

		bench_pause(pause_ms);
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int k = 0; k < ncmd; k++)
			if (run(argv + start[k], len[k], i + warm) < 0)
				return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (i >= 0)
			t[i] = (double)(b.tv_sec - a.tv_sec) * 1e6 +
			       (double)(b.tv_nsec - a.tv_nsec) / 1e3;
	}
	qsort(t, (size_t)n, sizeof(*t), bench_cmp);
	printf("%.1f %.1f %.1f\n", t[n / 2], t[n / 10], t[n * 9 / 10]);
	return 0;
}
