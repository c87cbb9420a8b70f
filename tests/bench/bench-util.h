/* SPDX-License-Identifier: Apache-2.0
 * What the bench drivers (timeit.c, alt.c) share: their common options (-n N runs, -w WARMUP
 * runs, -p PAUSE_MS), the untimed pause, the order of two samples, and "{i}" in a command
 * word made the iteration number (container ids that differ per run). Header-only:
 * each driver is one `cc` of one file (tests/bench/lib.sh, start.sh). */
#ifndef HS_BENCH_UTIL_H
#define HS_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* -n, -w, -p: true when c was one of them (its value stored) */
static inline int bench_option(int c, int *n, int *warm, int *pause_ms)
{
	int *to = c == 'n' ? n : c == 'w' ? warm : c == 'p' ? pause_ms : NULL;

	if (to)
		*to = atoi(optarg);
	return to != NULL;
}

/* -p: untimed, before a run, for commands that leave work behind them (the egress hook's
 * detached close) which the next run would otherwise queue behind */
static inline void bench_pause(int pause_ms)
{
	struct timespec p = { pause_ms / 1000, (long)(pause_ms % 1000) * 1000000L };

	if (pause_ms > 0)
		nanosleep(&p, NULL);
}

/* qsort order of doubles (µs samples) */
static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* arg with its first "{i}" replaced by i; malloc'ed, NULL when out of memory */
static inline char *bench_subst(const char *arg, int i)
{
	const char *p = strstr(arg, "{i}");
	char *r;

	if (!p)
		return strdup(arg);
	if (asprintf(&r, "%.*s%d%s", (int)(p - arg), arg, i, p + 3) < 0)
		return NULL;
	return r;
}

#endif
