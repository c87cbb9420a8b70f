/* SPDX-License-Identifier: Apache-2.0
 * `hardshim log verify [FILE...]`: check the launch log's hash chain (src/audit/verify.c).
 * Files are given oldest first (launches.jsonl.2 launches.jsonl.1 launches.jsonl); the chain
 * must run unbroken across them, and the last must agree with its head file. Without FILE,
 * the policy's log. Exit 0 intact, 1 broken (the first broken record is named: file, line,
 * why), 2 on an error.
 * `hardshim log show`: the records for a person (src/cli/log-show.c).
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
	fputs("usage: hardshim log verify [--quiet] [--no-head] [--key KEYFILE] [--against "
	      "FILE]...\n"
	      "                           [FILE...]\n"
	      "       hardshim log show [--json] [--id ID] [FILE...]\n"
	      "       hardshim log reanchor\n"
	      "       hardshim log seal\n"
	      "  verify: check the launch log's hash chain. FILEs oldest first; default: the\n"
	      "  policy's \"log\".\"path\". The last FILE must agree with its head file\n"
	      "  (FILE.head) unless --no-head (a copy or a rotated file has none).\n"
	      "  --key: the verification key `log seal` printed (a file, - for stdin): every\n"
	      "  record since sealing began must carry a valid seal, and FILE.seal must be where\n"
	      "  they say. --against: a syslog or kernel audit log whose copies of record hashes\n"
	      "  must all be in the log.\n"
	      "  Exit 0: intact, 1: broken (first broken record named), 2: error.\n"
	      "  show: one line per record, with what the runtime did (a create whose runtime\n"
	      "  failed reads FAILED); hardshim log show --help.\n"
	      "  seal: start forward-secure sealing; prints the verification key once.\n"
	      "  reanchor: accept the policy's live log as it is after a divergence alarm\n"
	      "  (audit.diverged): a reanchor record is appended and the head moved to it.\n",
	      f);
}

/* The policy's log section, or the built-in default when no policy file exists at all. */
static int policy_log_cfg(const char *path, struct hs_audit_cfg *ret, char **ret_path,
			  struct hs_error *err)
{
	_cleanup_policy_ struct hs_policy *p = NULL;
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

static int policy_log_path(const char *policy_file, char **ret, struct hs_error *err)
{
	struct hs_audit_cfg cfg;

	return policy_log_cfg(policy_file, &cfg, ret, err);
}

static int reanchor(const char *policy_file)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_audit_cfg cfg;
	_cleanup_free_ char *path = NULL;
	char hash[HS_SHA256_HEX_LEN + 1], msg[HS_LINE_MAX];

	if (policy_log_cfg(policy_file, &cfg, &path, &err) < 0 ||
	    hs_audit_reanchor(&cfg, hash, &err) < 0) {
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

struct verify_opts {
	bool quiet, no_head;
	const char *key_file;
	const char *against[8];
	size_t n_against;
};

/* The record hashes of the verified files, in order, for --against. */
struct hashes {
	char (*h)[HS_SHA256_HEX_LEN + 1];
	size_t n, cap;
};

static int collect_hashes(struct hashes *hs, const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - buf) - pos : len - pos;
		uint64_t seq;

		if (hs->n == hs->cap) {
			size_t ncap = hs->cap ? hs->cap * 2 : 256;
			void *nh = realloc(hs->h, ncap * sizeof(*hs->h));

			if (!nh)
				return -ENOMEM;
			hs->h = nh;
			hs->cap = ncap;
		}
		if (hs_audit_line_tail(buf + pos, n, &seq, hs->h[hs->n]) == 0)
			hs->n++;
		pos += n + 1;
	}
	return 0;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The record hash an outside copy names on one line: syslog's "record=<64 hex>" (the last on
 * the line: the container id before it is the runtime caller's text), or the kernel audit
 * record's "uuid=" (the first 128 bits, dashed) on a virt=hardshim line. ret: 64 or 32 hex. */
static size_t anchor_of(const char *line, char ret[HS_SHA256_HEX_LEN + 1])
{
	const char *p = NULL, *q;
	size_t k = 0;

	for (q = strstr(line, "record="); q; q = strstr(q + 1, "record="))
		p = q;
	if (p && is_hex(p + 7, HS_SHA256_HEX_LEN)) {
		memcpy(ret, p + 7, HS_SHA256_HEX_LEN);
		ret[HS_SHA256_HEX_LEN] = '\0';
		return HS_SHA256_HEX_LEN;
	}
	if (!strstr(line, "virt=hardshim") || !(p = strstr(line, " uuid=")))
		return 0;
	for (p += 6; *p && k < 32; p++) {
		if (*p == '-')
			continue;
		if (!is_hex(p, 1))
			return 0;
		ret[k++] = *p;
	}
	ret[k] = '\0';
	return k == 32 && strcmp(ret, "00000000000000000000000000000000") ? 32 : 0;
}

/* --against FILE: every record hash FILE holds a copy of (syslog, the kernel audit log) must
 * be in the verified log. A rewritten or truncated log loses hashes the outside saw. Records
 * with no copy are counted, not failed: syslog may drop, and a copy may be rotated away. */
static int check_against(const char *file, const struct hashes *hs, bool quiet)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, lineno = 0, anchors = 0, first = SIZE_MAX, last = 0, copied = 0;
	bool *seen = calloc(hs->n ? hs->n : 1, sizeof(bool));
	int rc = 0;

	if (!f || !seen) {
		fprintf(stderr, "hardshim: log verify: %s: %s\n", file, strerror(errno));
		free(seen);
		return 2;
	}
	while (getline(&line, &cap, f) >= 0) {
		char a[HS_SHA256_HEX_LEN + 1];
		size_t k = anchor_of(line, a), i;

		lineno++;
		if (!k)
			continue;
		anchors++;
		for (i = 0; i < hs->n && strncmp(hs->h[i], a, k); i++)
			;
		if (i == hs->n) {
			printf("%s:%zu: BROKEN: the outside copy names record %.16s... which the "
			       "log "
			       "does not hold: it was removed or rewritten\n",
			       file, lineno, a);
			rc = 1;
			continue;
		}
		seen[i] = true;
		first = i < first ? i : first;
		last = i > last ? i : last;
	}
	for (size_t i = first; i != SIZE_MAX && i <= last; i++)
		copied += seen[i];
	if (!quiet && rc == 0)
		printf("against %s: %zu copies, all in the log%s", file, anchors,
		       anchors ? "" : " (none found)\n");
	if (!quiet && rc == 0 && anchors)
		printf("; %zu of the %zu records between the first and last copied one have no "
		       "copy\n",
		       last - first + 1 - copied, last - first + 1);
	free(seen);
	return rc;
}

static int read_key(const char *file, uint8_t key[32])
{
	char buf[128] = "";
	_cleanup_fclose_ FILE *f = strcmp(file, "-") ? fopen(file, "re") : NULL;
	FILE *in = strcmp(file, "-") ? f : stdin;
	int r;

	if (!in || !fgets(buf, sizeof(buf), in))
		return -EINVAL;
	buf[strcspn(buf, "\r\n")] = '\0';
	r = strlen(buf) == HS_SHA256_HEX_LEN ? hs_unhex32(buf, key) : -EINVAL;
	explicit_bzero(buf, sizeof(buf));
	return r;
}

static int verify_files(char **files, size_t n, const struct verify_opts *o)
{
	struct hs_verify_result res = { 0 };
	struct hashes hs = { 0 };
	int rc;
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_close_ int lockfd = -1;
	_cleanup_free_ char *dir = NULL;
	char msg[HS_LINE_MAX];
	int r = 0;

	if (o->key_file) {
		if (read_key(o->key_file, res.seal_seed) < 0) {
			fprintf(stderr,
				"hardshim: log verify: --key %s: not a verification key (64 hex "
				"digits, as hardshim log seal printed it)\n",
				o->key_file);
			return 2;
		}
		res.keyed = true;
	}
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
		if (r == 0 && o->n_against && collect_hashes(&hs, buf, len) < 0)
			r = -ENOMEM;
	}
	if (r == 0)
		r = hs_audit_verify_head(files[n - 1], o->no_head, &res, &err);
	if (r == 0 && res.keyed && !o->no_head)
		r = hs_audit_verify_seal_state(files[n - 1], &res, &err);
	explicit_bzero(res.seal_key, sizeof(res.seal_key));
	explicit_bzero(res.seal_seed, sizeof(res.seal_seed));
	if (r < 0) {
		free(hs.h);
		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "hardshim: log verify: %s\n", msg);
		return 2;
	}
	if (r > 0) {
		free(hs.h);
		if (res.line)
			printf("%s:%zu: BROKEN: %s\n", res.file, res.line, res.why);
		else
			printf("%s: at the end (after seq %llu): BROKEN: %s\n", res.file,
			       (unsigned long long)res.last_seq, res.why);
		printf("%zu records verified before the break\n", res.records);
		return 1;
	}
	rc = 0;
	for (size_t i = 0; i < o->n_against; i++) {
		int ar = check_against(o->against[i], &hs, o->quiet);

		rc = ar > rc ? ar : rc;
	}
	free(hs.h);
	if (rc)
		return rc;
	if (!o->quiet)
		printf("ok: %zu records, chain intact up to seq %llu (hash %s)%s\n", res.records,
		       (unsigned long long)res.last_seq, res.records ? res.last_hash : "-",
		       !res.keyed    ? ""
		       : res.sealing ? ", seals verified"
				     : ", nothing sealed yet");
	return 0;
}

static int seal_init(const char *policy_file)
{
	struct hs_error err = HS_ERROR_INIT;
	struct hs_audit_cfg cfg;
	_cleanup_free_ char *path = NULL;
	char seed[HS_SHA256_HEX_LEN + 1], msg[HS_LINE_MAX];

	if (policy_log_cfg(policy_file, &cfg, &path, &err) < 0 ||
	    hs_audit_seal_init(&cfg, seed, &err) < 0) {
		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "hardshim: log seal: %s\n", msg);
		return 2;
	}
	fprintf(stderr,
		"hardshim: log seal: %s is sealed from its next record on. The verification key\n"
		"follows on standard output: keep it OFF this node (it is not stored here); give\n"
		"it to hardshim log verify --key FILE.\n",
		path);
	printf("%s\n", seed);
	explicit_bzero(seed, sizeof(seed));
	return 0;
}

int hs_cmd_log(const char *policy_file, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-head", no_argument, NULL, 'H' },
		{ "key", required_argument, NULL, 'k' },
		{ "against", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_free_ char *path = NULL;
	struct verify_opts o = { 0 };
	int c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "reanchor") && argc == 2)
		return reanchor(policy_file);
	if (!strcmp(argv[1], "seal") && argc == 2)
		return seal_init(policy_file);
	if (!strcmp(argv[1], "show")) {
		/* Without FILE, the policy's log; with FILEs, a broken policy does not matter. */
		if (policy_log_path(policy_file, &path, &err) < 0)
			path = NULL;
		return hs_cmd_log_show(argc - 1, argv + 1, path);
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
		case 'q': o.quiet = true; break;
		case 'H': o.no_head = true; break;
		case 'k': o.key_file = optarg; break;
		case 'a':
			if (o.n_against == HS_ARRAY_SIZE(o.against)) {
				fputs("hardshim: log verify: too many --against\n", stderr);
				return 2;
			}
			o.against[o.n_against++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		return verify_files(argv + optind, (size_t)(argc - optind), &o);
	if (policy_log_path(policy_file, &path, &err) < 0) {
		char msg[HS_LINE_MAX];

		hs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr,
			"hardshim: log verify: cannot read the policy (name the log FILE): %s\n",
			msg);
		return 2;
	}
	return verify_files(&path, 1, &o);
}
