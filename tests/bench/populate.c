/* SPDX-License-Identifier: Apache-2.0
 * populate: what a page costs this machine's kernel (and hypervisor) when a process first
 * writes it, against the same page given first by madvise(MADV_POPULATE_WRITE) (what
 * hs_memory_populate does for a create), and a populated page the process never touches.
 * Usage: populate PAGES ROUNDS. Prints µs of CPU (user + system) per page. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double cpu_us(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 +
	       (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

static void touch(char *p, long pages)
{
	for (long i = 0; i < pages; i++)
		((volatile char *)p)[i * 4096] = 1;
}

int main(int argc, char **argv)
{
	long pages = argc > 1 ? atol(argv[1]) : 40, rounds = argc > 2 ? atol(argv[2]) : 300;
	size_t len = (size_t)pages * 4096;
	double fault = 0, populated = 0, untouched = 0, t;

	if (pages <= 0 || rounds <= 0)
		return 2;
	for (long r = 0; r < rounds; r++) {
		char *a =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *b =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *c =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (a == MAP_FAILED || b == MAP_FAILED || c == MAP_FAILED)
			return 1;
		t = cpu_us();
		touch(a, pages);
		fault += cpu_us() - t;
		t = cpu_us();
		if (madvise(b, len, MADV_POPULATE_WRITE) < 0) {
			perror("madvise(MADV_POPULATE_WRITE)");
			return 1;
		}
		touch(b, pages);
		populated += cpu_us() - t;
		t = cpu_us();
		(void)madvise(c, len, MADV_POPULATE_WRITE);
		untouched += cpu_us() - t;
		munmap(a, len);
		munmap(b, len);
		munmap(c, len);
	}
	printf("faulted %.2f | populated then written %.2f | populated, never written %.2f\n",
	       fault / (double)(rounds * pages), populated / (double)(rounds * pages),
	       untouched / (double)(rounds * pages));
	return 0;
}
