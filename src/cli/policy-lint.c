/* SPDX-License-Identifier: Apache-2.0
 * `hardshim policy lint [--warn-days N] [FILE]`: the policy through the strict loader, then
 * each exception's governance: an expired one (no longer applied: the pods it covered are
 * refused again), one expiring within N days (default 14), one without an owner, a reason or
 * an expiry. Exit 0: nothing to say, 1: warnings, 2: the policy is refused or usage. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs-cli.h"

static void usage(FILE *f)
{
	fputs("usage: hardshim policy lint [--warn-days N] [FILE]\n"
	      "  Load the policy (default: the one hardshim reads) strictly and warn about\n"
	      "  exceptions that have expired, expire within N days (14), or lack an owner,\n"
	      "  a reason or an expiry. Exit 0: clean, 1: warnings, 2: policy refused.\n",
	      f);
}

static void when(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

/* One exception's warnings; returns how many. */
static int lint_exception(const struct hs_policy *p, const struct hs_exception *e, int warn_days)
{
	const char *owner = e->owner ? e->owner : "nobody";
	char at[64];
	int n = 0;

	if (!e->owner || !e->reason || e->expires < 0) {
		printf("warning: exception \"%s\": no %s: an exception should say who owns it, "
		       "why, and until when\n",
		       e->name,
		       !e->owner    ? "\"owner\""
		       : !e->reason ? "\"reason\""
				    : "\"expires\"");
		n++;
	}
	if (e->expires < 0)
		return n;
	when(e->expires, at, sizeof(at));
	if (hs_exception_expired(p, e)) {
		printf("expired: exception \"%s\" (owner %s) expired at %s: it is no longer "
		       "applied; renew \"expires\" or remove it\n",
		       e->name, owner, at);
		n++;
	} else if (e->expires - p->now <= (int64_t)warn_days * 86400) {
		printf("warning: exception \"%s\" (owner %s) expires at %s, in %lld h: the "
		       "containers it covers will be judged by the base policy from then on\n",
		       e->name, owner, at, (long long)((e->expires - p->now) / 3600));
		n++;
	}
	return n;
}

static int lint(const char *policy_file, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "warn-days", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_policy_ struct hs_policy *p = NULL;
	struct hs_error err = HS_ERROR_INIT;
	const char *path = policy_file;
	long warn_days = 14;
	char msg[HS_LINE_MAX], *end;
	int c, n = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			errno = 0;
			warn_days = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || warn_days < 0 || warn_days > 3650) {
				fprintf(stderr,
					"hardshim: policy lint: --warn-days: %s is not a "
					"number of days (0-3650)\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 < argc) {
		usage(stderr);
		return 2;
	}
	if (optind < argc)
		path = argv[optind];
	if (hs_policy_load(path, &p, &err) < 0) {
		hs_error_format(&err, msg, sizeof(msg));
		printf("refused: %s: %s\n", path, msg);
		return 2;
	}
	for (size_t i = 0; i < p->n_exceptions; i++)
		n += lint_exception(p, &p->exceptions[i], (int)warn_days);
	if (!n)
		printf("ok: %s (%zu exceptions)\n", path, p->n_exceptions);
	return n ? 1 : 0;
}

int hs_cmd_policy(const char *policy_file, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "lint"))
		return lint(policy_file, argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
