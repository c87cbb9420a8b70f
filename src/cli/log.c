/* SPDX-License-Identifier: Apache-2.0
 * `hardshim log verify [FILE...]`: check the launch log's hash chain (src/audit/verify.c).
 * Files are given oldest first (launches.jsonl.2 launches.jsonl.1 launches.jsonl); the chain
 * must run unbroken across them, and the last must agree with its head file. Without FILE,
 * the policy's log. Exit 0 intact, 1 broken (the first broken record is named: file, line,
 * why), 2 on an error.
 * `hardshim log reanchor`: after the divergence alarm (audit.diverged), accept the live log as
 * it is — recorded in the chain itself, so the acceptance is evidence too. */
#include <syslog.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/file.h>

#include "hs-audit.h"
#include "hs-cli.h"

#define LOG_MAX_BYTES ((size_t)4 << 30)

static void usage(FILE *f)
{
	fputs("usage: hardshim log verify [--quiet] [--no-head] [FILE...]\n"
	      "       hardshim log reanchor\n"
	      "  verify: check the launch log's hash chain. FILEs oldest first; default: the\n"
	      "  policy's \"log\".\"path\". The last FILE must agree with its head file\n"
	      "  (FILE.head) unless --no-head (a copy or a rotated file has none).\n"
	      "  Exit 0: intact, 1: broken (first broken record named), 2: error.\n"
	      "  reanchor: accept the policy's live log as it is after a divergence alarm\n"
	      "  (audit.diverged): a reanchor record is appended and the head moved to it.\n",
	      f);
}

/* The policy's log section, or the built-in default when no policy file exists at all. */
static int policy_log_cfg(struct hs_audit_cfg *ret, char **ret_path, struct hs_error *err)
{
	_cleanup_policy_ struct hs_policy *p = NULL;
	const char *path = hs_policy_path();
	int r;

	*ret = hs_audit_cfg_default;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*ret_path = strdup(HS_AUDIT_DEFAULT_PATH);
	} else {
		r = hs_policy_load(path, &p, err);
		if (r < 0)
			return r;
		if (p->audit)
			*ret = *(const struct hs_audit_cfg *)p->audit;
		*ret_path = strdup(ret->path);
	}
	ret->path = *ret_path;
	return *ret_path ? 0 : -ENOMEM;
}

static int policy_log_path(char **ret, struct hs_error *err)
{
	struct hs_audit_cfg cfg;

	return policy_log_cfg(&cfg, ret, err);
}

static int reanchor(void)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_audit_cfg cfg;
	_cleanup_free_ char *path = NULL;
	char hash[HS_SHA256_HEX_LEN + 1], msg[1024];

	if (policy_log_cfg(&cfg, &path, &err) < 0 || hs_audit_reanchor(&cfg, hash, &err) < 0) {
		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "hardshim: log reanchor: %s\n", msg);
		return 2;
	}
	if (cfg.syslog) {
		openlog("hardshim", LOG_PID, LOG_AUTHPRIV);
		syslog(LOG_WARNING, "log reanchor: %s accepted as it is by uid %u record=%s", path,
		       (unsigned)getuid(), hash);
		closelog();
	}
	printf("reanchored %s: the reanchor record %s is the new head\n", path, hash);
	return 0;
}

static int verify_files(char **files, size_t n, bool quiet, bool no_head)
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
		r = hs_audit_verify_head(files[n - 1], no_head, &res, &err);
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
		{ "no-head", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_free_ char *path = NULL;
	bool quiet = false, no_head = false;
	int c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "reanchor") && argc == 2)
		return reanchor();
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
		case 'H': no_head = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		return verify_files(argv + optind, (size_t)(argc - optind), quiet, no_head);
	if (policy_log_path(&path, &err) < 0) {
		char msg[1024];

		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr,
			"hardshim: log verify: cannot read the policy (name the log FILE): %s\n",
			msg);
		return 2;
	}
	return verify_files(&path, 1, quiet, no_head);
}
