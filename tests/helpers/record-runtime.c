/* SPDX-License-Identifier: Apache-2.0
 * A fake OCI runtime that records how it was called: one JSON line per call, appended to the
 * file named by $HS_RECORD, with its argv, environment (in order), open fds (readlink of
 * /proc/self/fd/N, taken before it opens anything itself) and cwd. With HS_RECORD_STDIN=1 it
 * also reads stdin to EOF and records the bytes (for `update --resources -`, where the bytes
 * the runtime reads matter, not which pipe carries them). With HS_RECORD_RESOURCES=1 it reads
 * the document named by `--resources[=]FILE` / `-r FILE` ("-": stdin) and records its bytes as
 * "resources". Exits 0, prints nothing.
 * The pass-through tests compare a direct call with a call through hardshim. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
		char *p = realloc(b->p, cap);

		if (!p)
			_exit(99);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A JSON string; bytes >= 0x80 as \u00XX so the line stays ASCII and byte-exact comparable. */
static void put_str(struct buf *b, const char *s, size_t n)
{
	char esc[8];

	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(b, esc, 6);
		} else {
			put(b, (const char *)&c, 1);
		}
	}
	put(b, "\"", 1);
}

static void read_all(int fd, struct buf *in)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(98);
		put(in, chunk, (size_t)n);
	}
}

/* The value of update's --resources option, in any of its spellings, or NULL. */
static const char *resources_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--resources=", 12))
			return argv[i] + 12;
		if ((!strcmp(argv[i], "--resources") || !strcmp(argv[i], "-r")) && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void put_fds(struct buf *b)
{
	int fds[4096], n = 0, self;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		puts_(b, "null");
		return;
	}
	self = dirfd(d);
	while ((e = readdir(d)) && n < 4096) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (e->d_name[0] == '.' || *end || fd == self)
			continue;
		fds[n++] = (int)fd;
	}
	qsort(fds, (size_t)n, sizeof(int), cmp_int);
	puts_(b, "{");
	for (int i = 0; i < n; i++) {
		char path[64], target[PATH_MAX], key[16];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		len = readlink(path, target, sizeof(target));
		if (len < 0)
			len = 0;
		snprintf(key, sizeof(key), "%d", fds[i]);
		if (i)
			puts_(b, ",");
		put_str(b, key, strlen(key));
		puts_(b, ":");
		put_str(b, target, (size_t)len);
	}
	puts_(b, "}");
	closedir(d);
}

int main(int argc, char **argv)
{
	const char *out = getenv("HS_RECORD");
	const char *with_stdin = getenv("HS_RECORD_STDIN");
	const char *with_resources = getenv("HS_RECORD_RESOURCES");
	struct buf b = { 0 };
	char cwd[PATH_MAX];
	int fd;

	/* fds first: nothing of ours is open yet. */
	puts_(&b, "{\"fds\":");
	put_fds(&b);
	puts_(&b, ",\"argv\":[");
	for (int i = 0; i < argc; i++) {
		if (i)
			puts_(&b, ",");
		put_str(&b, argv[i], strlen(argv[i]));
	}
	puts_(&b, "],\"env\":[");
	for (char **e = environ; *e; e++) {
		if (e != environ)
			puts_(&b, ",");
		put_str(&b, *e, strlen(*e));
	}
	puts_(&b, "],\"cwd\":");
	if (getcwd(cwd, sizeof(cwd)))
		put_str(&b, cwd, strlen(cwd));
	else
		puts_(&b, "null");
	if (with_resources && !strcmp(with_resources, "1")) {
		const char *r = resources_arg(argc, argv);
		struct buf in = { 0 };
		int rfd = -1;

		if (r && !strcmp(r, "-"))
			rfd = 0;
		else if (r)
			rfd = open(r, O_RDONLY | O_CLOEXEC);
		puts_(&b, ",\"resources\":");
		if (rfd < 0) {
			puts_(&b, "null");
		} else {
			read_all(rfd, &in);
			put_str(&b, in.p ? in.p : "", in.len);
		}
	}
	if (with_stdin && !strcmp(with_stdin, "1")) {
		struct buf in = { 0 };

		read_all(0, &in);
		puts_(&b, ",\"stdin\":");
		put_str(&b, in.p ? in.p : "", in.len);
	}
	puts_(&b, "}\n");

	if (!out || !*out)
		return 97;
	fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return 96;
	for (size_t off = 0; off < b.len;) {
		ssize_t n = write(fd, b.p + off, b.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 95;
		off += (size_t)n;
	}
	close(fd);
	return 0;
}
