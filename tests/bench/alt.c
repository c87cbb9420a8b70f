/* SPDX-License-Identifier: Apache-2.0
 * alt: time several variants of a command side by side, alternating, so that the load of
 * everything else on the machine (other builds, other tests) falls on all of them alike.
 * Usage: alt -n N [-w WARMUP] [-p PAUSE_MS] [-b BASE] LABEL PREP CMD [LABEL PREP CMD]...
 * Each iteration runs every variant once, starting from a different one each time. PREP
 * (untimed, "-" for none) runs right before the variant's timed CMD: the fresh copy of the
 * engine's config that every real create gets. PREP and CMD are words split on spaces (no
 * shell); " ;; " separates commands run in sequence; "{i}" becomes the iteration number. A
 * CMD whose first word is "!" may exit non-zero (`state nosuch`); any other failure stops
 * the run: a benchmark of failing commands measures nothing.
 * Prints one line per variant: "LABEL mean median p10 p90 ratio cpu" in µs, where ratio is the
 * median over iterations of (this variant / variant BASE in the same iteration; default 1)
 * and cpu the median CPU time (user + system) of CMD's processes and the descendants they
 * waited for (wait4): on a loaded machine the wall clock mostly measures the run queue. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"

#define MAXV 16
#define MAXW 128

extern char **environ;

struct variant {
	const char *label;
	char *prep[MAXW], *cmd[MAXW];
	int nprep, ncmd, may_fail;
	double *t, *cpu;
};

static int split(const char *s, char **w)
{
	char *copy = strdup(s), *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(copy, " ", &save); tok && n < MAXW - 1;
	     tok = strtok_r(NULL, " ", &save))
		w[n++] = tok;
	w[n] = NULL;
	return n;
}

static double tv_us(struct timeval t)
{
	return (double)t.tv_sec * 1e6 + (double)t.tv_usec;
}

/* Runs words[0..n) as ";;"-separated commands. Returns 0, or -1 on a failure not allowed.
 * *cpu (may be NULL): the CPU µs the commands used. */
static int run(char **words, int n, int i, int may_fail, double *cpu)
{
	for (int s = 0; s < n;) {
		posix_spawn_file_actions_t fa;
		char *argv[MAXW];
		int e = s, k = 0, status, bad;
		struct rusage ru;
		pid_t pid;

		while (e < n && strcmp(words[e], ";;"))
			e++;
		for (int j = s; j < e; j++)
			argv[k++] = bench_subst(words[j], i);
		argv[k] = NULL;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		bad = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0 ||
		      wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
		      (WEXITSTATUS(status) != 0 && !may_fail);
		if (bad)
			fprintf(stderr, "alt: %s %s ... failed\n", argv[0], argv[1] ? argv[1] : "");
		else if (cpu)
			*cpu += tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
		for (k = 0; argv[k]; k++)
			free(argv[k]);
		posix_spawn_file_actions_destroy(&fa);
		if (bad)
			return -1;
		s = e + 1;
	}
	return 0;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void report(struct variant *v, const double *base, int n)
{
	double *s = calloc((size_t)n, sizeof(*s)), *r = calloc((size_t)n, sizeof(*r)), sum = 0;
	double *c = calloc((size_t)n, sizeof(*c));

	if (!s || !r || !c)
		exit(2);
	for (int i = 0; i < n; i++) {
		sum += v->t[i];
		s[i] = v->t[i];
		r[i] = base ? v->t[i] / base[i] : 1.0;
		c[i] = v->cpu[i];
	}
	qsort(s, (size_t)n, sizeof(*s), bench_cmp);
	qsort(r, (size_t)n, sizeof(*r), bench_cmp);
	qsort(c, (size_t)n, sizeof(*c), bench_cmp);
	printf("%s %.1f %.1f %.1f %.1f %.4f %.1f\n", v->label, sum / n, s[n / 2], s[n / 10],
	       s[n * 9 / 10], r[n / 2], c[n / 2]);
	free(s);
	free(r);
	free(c);
}

int main(int argc, char **argv)
{
	static struct variant v[MAXV];
	int n = 40, warm = 3, pause_ms = 0, c, nv = 0, base = -1;
	const char *base_label = NULL;

	while ((c = getopt(argc, argv, "+n:w:p:b:")) != -1) {
		if (c == 'b')
			base_label = optarg;
		else if (!bench_option(c, &n, &warm, &pause_ms))
			return 2;
	}
	if (n < 1 || (argc - optind) % 3 != 0 || argc - optind == 0 || (argc - optind) / 3 > MAXV)
		return 2;
	for (int i = optind; i < argc; i += 3, nv++) {
		v[nv].label = argv[i];
		v[nv].nprep = strcmp(argv[i + 1], "-") ? split(argv[i + 1], v[nv].prep) : 0;
		v[nv].ncmd = split(argv[i + 2], v[nv].cmd);
		v[nv].may_fail = v[nv].ncmd > 0 && !strcmp(v[nv].cmd[0], "!");
		v[nv].t = calloc((size_t)n, sizeof(double));
		v[nv].cpu = calloc((size_t)n, sizeof(double));
		if (!v[nv].t || !v[nv].cpu || v[nv].ncmd <= v[nv].may_fail)
			return 2;
		if (base_label && !strcmp(base_label, argv[i]))
			base = nv;
	}
	if (base_label && base < 0)
		return 2;
	for (int i = -warm; i < n; i++) {
		for (int k = 0; k < nv; k++) {
			struct variant *x = &v[((i + warm) + k) % nv];
			int id = (i + warm) * nv + k;
			double a, cpu = 0;

			bench_pause(pause_ms);
			if (run(x->prep, x->nprep, id, 0, NULL) < 0)
				return 1;
			a = now_us();
			if (run(x->cmd + x->may_fail, x->ncmd - x->may_fail, id, x->may_fail,
				&cpu) < 0)
				return 1;
			if (i >= 0) {
				x->t[i] = now_us() - a;
				x->cpu[i] = cpu;
			}
		}
	}
	for (int k = 0; k < nv; k++)
		report(&v[k], base >= 0 ? v[base].t : NULL, n);
	return 0;
}
