/* SPDX-License-Identifier: Apache-2.0
 * `hardshim log verify [FILE...]`: check the launch log's hash chain (src/audit/verify.c).
 * Files are given oldest first (launches.jsonl.2 launches.jsonl.1 launches.jsonl); the chain
 * must run unbroken across them. Without FILE, the policy's log. Exit 0 intact, 1 broken
 * (the first broken record is named: file, line, why), 2 on an error. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/file.h>

#include "hs-audit.h"
#include "hs-cli.h"

#define LOG_MAX_BYTES ((size_t)4 << 30)

static void usage(FILE *f)
{
	fputs("usage: hardshim log verify [--quiet] [FILE...]\n"
	      "  Check the launch log's hash chain. FILEs oldest first; default: the policy's\n"
	      "  \"log\".\"path\". Exit 0: intact, 1: broken (first broken record named), 2: "
	      "error.\n",
	      f);
}

/* The policy's log path, or the built-in default when no policy file exists at all. */
static int policy_log_path(char **ret, struct hs_error *err)
{
	_cleanup_policy_ struct hs_policy *p = NULL;
	const struct hs_audit_cfg *cfg;
	const char *path = hs_policy_path();
	int r;

	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*ret = strdup(HS_AUDIT_DEFAULT_PATH);
		return *ret ? 0 : -ENOMEM;
	}
	r = hs_policy_load(path, &p, err);
	if (r < 0)
		return r;
	cfg = p->audit ? p->audit : &hs_audit_cfg_default;
	*ret = strdup(cfg->path);
	return *ret ? 0 : -ENOMEM;
}

static int verify_files(char **files, size_t n, bool quiet)
{
	struct hs_verify_result res = { 0 };
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_close_ int lockfd = -1;
	_cleanup_free_ char *dir = NULL;
	char msg[1024];
	int r = 0;

	/* Writers append under an exclusive lock on the log's directory: a shared one here
	 * gives a consistent end of file to compare with the head. */
	dir = strdup(files[n - 1]);
	if (dir && strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	else if (dir)
		strcpy(dir, ".");
	if (dir && (lockfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		(void)flock(lockfd, LOCK_SH);

	for (size_t i = 0; i < n && r == 0; i++) {
		_cleanup_free_ char *buf = NULL;
		_cleanup_close_ int fd = open(files[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);
		size_t len;

		if (fd < 0) {
			fprintf(stderr, "hardshim: log verify: %s: %s\n", files[i],
				strerror(errno));
			return 2;
		}
		r = hs_read_fd(fd, LOG_MAX_BYTES, &buf, &len, &err);
		if (r == 0)
			r = hs_audit_verify_buf(files[i], buf, len, &res, &err);
	}
	if (r == 0)
		r = hs_audit_verify_head(files[n - 1], &res, &err);
	if (r < 0) {
		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "hardshim: log verify: %s\n", msg);
		return 2;
	}
	if (r > 0) {
		if (res.line)
			printf("%s:%zu: BROKEN: %s\n", res.file, res.line, res.why);
		else
			printf("%s: at the end (after seq %llu): BROKEN: %s\n", res.file,
			       (unsigned long long)res.last_seq, res.why);
		printf("%zu records verified before the break\n", res.records);
		return 1;
	}
	if (!quiet)
		printf("ok: %zu records, chain intact up to seq %llu (hash %s)\n", res.records,
		       (unsigned long long)res.last_seq, res.records ? res.last_hash : "-");
	return 0;
}

int hs_cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_free_ char *path = NULL;
	bool quiet = false;
	int c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "verify")) {
		fprintf(stderr, "hardshim: log: unknown subcommand \"%s\"\n", argv[1]);
		usage(stderr);
		return 2;
	}
	argc--, argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		return verify_files(argv + optind, (size_t)(argc - optind), quiet);
	if (policy_log_path(&path, &err) < 0) {
		char msg[1024];

		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr,
			"hardshim: log verify: cannot read the policy (name the log FILE): %s\n",
			msg);
		return 2;
	}
	return verify_files(&path, 1, quiet);
}
