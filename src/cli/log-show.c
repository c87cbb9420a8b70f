/* SPDX-License-Identifier: Apache-2.0
 * `hardshim log show [--json] [--id ID] [FILE...]`: the launch log for a person, one line per
 * decision, with what the runtime then did. A create whose runtime failed after hardshim
 * admitted it must not read like a launch: an investigator looking for what ran would take it
 * for a container. The runtime-failed record (src/cli/wait-runtime.c) points back to its
 * launch by hash, so it is shown on that launch's line and no other.
 * The chain is checked as the files are read: lines after the first break could have been
 * written by anyone and are marked UNVERIFIED (`hardshim log verify` says more). */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "hs-audit.h"
#include "hs-cli.h"

#define SHOW_LOG_MAX ((size_t)4 << 30)

struct shown {
	const struct hs_json *rec;
	const char *file;
	size_t line;
	bool verified;
	const struct hs_json *failure; /* the runtime-failed record for this launch */
	uint64_t failure_seq;
	bool is_failure, attached;
};

struct show_ctx {
	struct hs_arena *arena;
	struct shown *v;
	size_t n, cap;
	const char *id;
	bool json;
	struct hs_verify_result chain;
	bool broken;
};

static int push(struct show_ctx *c, const struct hs_json *rec, const char *file, size_t line,
		bool verified)
{
	const char *event = hs_json_get_string(rec, "event");

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 128;
		struct shown *nv = realloc(c->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		c->v = nv;
		c->cap = ncap;
	}
	c->v[c->n++] = (struct shown){
		.rec = rec,
		.file = file,
		.line = line,
		.verified = verified,
		.is_failure = event && !strcmp(event, "runtime-failed"),
	};
	return 0;
}

/* A verified runtime-failed record goes on the line of the launch it names. */
static void attach(struct show_ctx *c, struct shown *f)
{
	const char *of = hs_json_get_string(f->rec, "of");

	if (!of || !f->verified)
		return;
	for (size_t i = c->n - 1; i-- > 0;) {
		struct shown *s = &c->v[i];
		const char *h = hs_json_get_string(s->rec, "hash");

		if (!s->is_failure && h && !strcmp(h, of)) {
			s->failure = f->rec;
			(void)hs_json_get_u64(hs_json_get(f->rec, "seq"), UINT64_MAX,
					      &s->failure_seq);
			f->attached = true;
			return;
		}
	}
}

static int load(struct show_ctx *c, const char *file)
{
	struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char *buf = NULL;
	size_t len, pos = 0, lineno = 0, good = SIZE_MAX;
	int r;

	if (fd < 0)
		return -errno;
	r = hs_read_fd(fd, SHOW_LOG_MAX, &buf, &len, NULL);
	if (r < 0)
		return r;
	if (!c->broken) {
		r = hs_audit_verify_buf(file, buf, len, &c->chain, NULL);
		if (r < 0) {
			free(buf);
			return r;
		}
		if (r > 0) {
			c->broken = true;
			good = c->chain.line - 1;
			fprintf(stderr,
				"hardshim: log show: %s:%zu: the chain is broken (%s): records "
				"from "
				"there on are marked UNVERIFIED (see hardshim log verify)\n",
				file, c->chain.line, c->chain.why);
		}
	} else {
		good = 0;
	}
	while (pos < len && r >= 0) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - buf) - pos : len - pos;
		struct hs_json *rec;

		lineno++;
		/* The arena keeps the parsed records (and their strings) until the end. */
		if (hs_json_parse(c->arena, buf + pos, n, &limits, &rec, NULL) == 0 &&
		    hs_json_is(rec, HS_JSON_OBJECT)) {
			r = push(c, rec, file, lineno, lineno <= good);
			if (r == 0 && c->v[c->n - 1].is_failure)
				attach(c, &c->v[c->n - 1]);
		}
		pos += n + 1;
	}
	free(buf);
	return r < 0 ? r : 0;
}

/* What the runtime did, as far as the log says. */
static const char *runtime_result(const struct shown *s, char *buf, size_t len)
{
	const char *verdict = hs_json_get_string(s->rec, "verdict");
	const struct hs_json *waits = hs_json_get_type(s->rec, "waits", HS_JSON_BOOL);
	int64_t exit_status = -1, sig = 0;
	const char *error;

	if (!verdict)
		return "-";
	if (!strcmp(verdict, "refused"))
		return "not run";
	if (!s->failure)
		/* A waited-for runtime that failed leaves a record: none means it exited 0. */
		return waits && waits->u.boolean ? "ok" : "not awaited";
	(void)hs_json_get_i64(hs_json_get(s->failure, "exit"), 0, 255, &exit_status);
	(void)hs_json_get_i64(hs_json_get(s->failure, "signal"), 1, 64, &sig);
	error = hs_json_get_string(s->failure, "error");
	if (error && exit_status == 0) /* the runtime's create worked, hardshim's step after it
					* did not (devices.runtime-grants): the container is gone */
		snprintf(buf, len, "FAILED: after the runtime: %.100s (seq %llu)", error,
			 (unsigned long long)s->failure_seq);
	else if (error)
		snprintf(buf, len, "FAILED: not executed: %.100s (seq %llu)", error,
			 (unsigned long long)s->failure_seq);
	else if (sig > 0)
		snprintf(buf, len, "FAILED: killed by signal %lld (seq %llu)", (long long)sig,
			 (unsigned long long)s->failure_seq);
	else
		snprintf(buf, len, "FAILED: exit %lld (seq %llu)", (long long)exit_status,
			 (unsigned long long)s->failure_seq);
	return buf;
}

static const char *result_word(const char *text)
{
	if (!strncmp(text, "FAILED", 6))
		return "failed";
	if (!strcmp(text, "ok"))
		return "ok";
	if (!strcmp(text, "not run"))
		return "not-run";
	if (!strcmp(text, "not awaited"))
		return "not-awaited";
	return "none";
}

static void put_json(struct hs_abuf *b, const struct shown *s, const char *result, bool first)
{
	const struct hs_json *findings = hs_json_get_type(s->rec, "findings", HS_JSON_ARRAY);
	const struct hs_json *f;
	uint64_t seq = 0;
	size_t k = 0;

	(void)hs_json_get_u64(hs_json_get(s->rec, "seq"), UINT64_MAX, &seq);
	hs_abuf_printf(b, "%s{\"seq\":%llu,\"time\":", first ? "" : ",", (unsigned long long)seq);
	hs_abuf_json_string(b, hs_json_get_string(s->rec, "time"), 64);
	hs_abuf_puts(b, ",\"event\":");
	hs_abuf_json_string(b, hs_json_get_string(s->rec, "event"), 64);
	hs_abuf_puts(b, ",\"id\":");
	hs_abuf_json_string(b, hs_json_get_string(s->rec, "id"), 1024);
	hs_abuf_puts(b, ",\"verdict\":");
	hs_abuf_json_string(b, hs_json_get_string(s->rec, "verdict"), 32);
	hs_abuf_puts(b, ",\"rules\":[");
	hs_json_foreach_item(f, findings, i)
		if (hs_json_get_string(f, "rule")) {
			hs_abuf_puts(b, k++ ? "," : "");
			hs_abuf_json_string(b, hs_json_get_string(f, "rule"), 256);
		}
	hs_abuf_puts(b, "],\"runtime\":");
	hs_abuf_json_string(b, result_word(result), 16);
	if (s->failure) {
		int64_t v = -1;

		hs_abuf_printf(b, ",\"runtime_failure\":{\"seq\":%llu,\"exit\":",
			       (unsigned long long)s->failure_seq);
		if (hs_json_get_i64(hs_json_get(s->failure, "exit"), 0, 255, &v) == 0)
			hs_abuf_printf(b, "%lld", (long long)v);
		else
			hs_abuf_puts(b, "null");
		hs_abuf_puts(b, ",\"signal\":");
		if (hs_json_get_i64(hs_json_get(s->failure, "signal"), 1, 64, &v) == 0)
			hs_abuf_printf(b, "%lld", (long long)v);
		else
			hs_abuf_puts(b, "null");
		hs_abuf_puts(b, ",\"error\":");
		hs_abuf_json_string(b, hs_json_get_string(s->failure, "error"), 256);
		hs_abuf_puts(b, "}");
	}
	hs_abuf_printf(b, ",\"verified\":%s,\"file\":", s->verified ? "true" : "false");
	hs_abuf_json_string(b, s->file, 1024);
	hs_abuf_printf(b, ",\"line\":%zu}", s->line);
}

static void put_text(struct hs_abuf *b, const struct shown *s, const char *result)
{
	const char *id = hs_json_get_string(s->rec, "id");
	const char *event = hs_json_get_string(s->rec, "event");
	const char *verdict = hs_json_get_string(s->rec, "verdict");
	const char *time = hs_json_get_string(s->rec, "time");
	struct hs_abuf q = { 0 };
	uint64_t seq = 0;

	(void)hs_json_get_u64(hs_json_get(s->rec, "seq"), UINT64_MAX, &seq);
	/* Ids are the caller's text: quoted through the escaper, no control character passes. */
	hs_abuf_json_string(&q, id, 256);
	hs_abuf_printf(b, "%-6llu %-30.30s %-14.14s %-30s %-9.9s %s%s\n", (unsigned long long)seq,
		       time ? time : "?", event ? event : "?", q.oom ? "?" : q.buf,
		       verdict ? verdict : "-", result, s->verified ? "" : "  UNVERIFIED");
	hs_abuf_free(&q);
}

static int render(struct show_ctx *c)
{
	struct hs_abuf b = { 0 };
	bool first = true;
	char buf[200];

	if (c->json)
		hs_abuf_puts(&b, "[");
	else
		hs_abuf_printf(&b, "%-6s %-30s %-14s %-30s %-9s %s\n", "SEQ", "TIME", "EVENT", "ID",
			       "VERDICT", "RUNTIME");
	for (size_t i = 0; i < c->n; i++) {
		const struct shown *s = &c->v[i];
		const char *id = hs_json_get_string(s->rec, "id");
		const char *result;

		if (s->attached || (c->id && (!id || strcmp(id, c->id))))
			continue;
		result = s->is_failure ? "FAILED (its launch record is not in these files)"
				       : runtime_result(s, buf, sizeof(buf));
		if (c->json)
			put_json(&b, s, result, first);
		else
			put_text(&b, s, result);
		first = false;
	}
	if (c->json)
		hs_abuf_puts(&b, "]\n");
	if (b.oom) {
		hs_abuf_free(&b);
		return -ENOMEM;
	}
	fwrite(b.buf, 1, b.len, stdout);
	hs_abuf_free(&b);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: hardshim log show [--json] [--id ID] [FILE...]\n"
	      "  One line per record: seq, time, event, id, verdict, and what the runtime did:\n"
	      "  ok (hardshim waited and it exited 0), FAILED (exit status or signal, from the\n"
	      "  runtime-failed record), not run (refused), not awaited (run, exec, update:\n"
	      "  hardshim became the runtime). FILEs oldest first; default: the policy's log and\n"
	      "  its first rotation. Records after a break in the chain are marked UNVERIFIED.\n",
	      f);
}

int hs_cmd_log_show(int argc, char **argv, const char *default_log)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_arena_ struct hs_arena *arena = hs_arena_new();
	struct show_ctx c = { .arena = arena };
	char rotated[4200];
	int ch, r = 0;

	if (!arena)
		return 2;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': c.json = true; break;
		case 'i': c.id = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc && !default_log) {
		fputs("hardshim: log show: cannot read the policy (name the log FILE)\n", stderr);
		return 2;
	}
	if (optind == argc) {
		snprintf(rotated, sizeof(rotated), "%s.1", default_log);
		if (access(rotated, F_OK) == 0)
			r = load(&c, rotated);
		if (r == 0)
			r = load(&c, default_log);
		if (r < 0)
			fprintf(stderr, "hardshim: log show: %s: %s\n", default_log,
				hs_strerror(r));
	}
	for (int i = optind; i < argc && r == 0; i++) {
		r = load(&c, argv[i]);
		if (r < 0)
			fprintf(stderr, "hardshim: log show: %s: %s\n", argv[i], hs_strerror(r));
	}
	if (r == 0)
		r = render(&c);
	free(c.v);
	return r < 0 ? 2 : 0;
}
