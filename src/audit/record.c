/* SPDX-License-Identifier: Apache-2.0
 * The launch record: what was decided, about what, for whom. Pure formatting — the facts
 * (time, identity, digests) come in, so tests can pin every byte. Every string that an
 * attacker could influence (ids, paths, annotations, comm, sudo variables) goes through the
 * escaper and a length cap, so one record cannot grow without bound or break the line. */
#include <string.h>

#include "hs-audit.h"

#define MAX_STR      1024 /* one id, path, claim value */
#define MAX_MSG      512  /* one finding's message */
#define MAX_FINDINGS 256
#define MAX_CLAIMS   64
#define MAX_ARGS     256   /* tokens of one command line */
#define MAX_ARGV     16384 /* bytes of one command line: a record stays far below file.c's cap */

const char *hs_verdict_name(enum hs_verdict v)
{
	switch (v) {
	case HS_VERDICT_ALLOWED: return "allowed";
	case HS_VERDICT_REWRITTEN: return "rewritten";
	case HS_VERDICT_REFUSED: return "refused";
	case HS_VERDICT_AUTO: break;
	}
	return "unknown";
}

enum hs_verdict hs_audit_verdict(const struct hs_launch *l, enum hs_mode mode)
{
	if (l->verdict != HS_VERDICT_AUTO)
		return l->verdict;
	if (l->error && l->error->code)
		return HS_VERDICT_REFUSED;
	/* Audit mode observes: findings are recorded, nothing is refused or changed. */
	if (mode == HS_MODE_AUDIT)
		return HS_VERDICT_ALLOWED;
	if (l->report && l->report->refused)
		return HS_VERDICT_REFUSED;
	if (l->report)
		for (size_t i = 0; i < l->report->len; i++)
			if (l->report->items[i].action == HS_ACTION_REWRITE)
				return HS_VERDICT_REWRITTEN;
	return HS_VERDICT_ALLOWED;
}

/* Annotations that say who asked, per orchestrator. Claims: whoever wrote the config could
 * have written them. */
static const char *const claim_prefixes[] = {
	"io.kubernetes.",
	"io.podman.",
	"io.containerd.",
	"io.container.manager",
	"org.opencontainers.image.",
	NULL,
};

static bool is_claim(const char *key)
{
	for (size_t i = 0; claim_prefixes[i]; i++)
		if (!strncmp(key, claim_prefixes[i], strlen(claim_prefixes[i])))
			return true;
	return false;
}

static void key(struct hs_abuf *b, const char *k)
{
	hs_abuf_printf(b, ",\"%s\":", k);
}

static void str_member(struct hs_abuf *b, const char *k, const char *v)
{
	key(b, k);
	hs_abuf_json_string(b, v, MAX_STR);
}

/* A command line as a JSON array of its tokens, each capped like any string. The caller
 * chooses the command line: past MAX_ARGS tokens or MAX_ARGV bytes, the record says how many
 * tokens it left out instead of growing without bound. */
static void format_argv(struct hs_abuf *b, const char *k, char *const *argv, size_t argc)
{
	size_t n = 0, bytes = 0;

	key(b, k);
	hs_abuf_puts(b, "[");
	for (; n < argc && n < MAX_ARGS; n++) {
		size_t len = strnlen(argv[n], MAX_STR);

		if (bytes + len > MAX_ARGV)
			break;
		bytes += len;
		if (n)
			hs_abuf_puts(b, ",");
		hs_abuf_json_string(b, argv[n], MAX_STR);
	}
	hs_abuf_puts(b, "]");
	if (argc > n)
		hs_abuf_printf(b, ",\"%s_dropped\":%zu", k, argc - n);
}

static void format_findings(struct hs_abuf *b, const struct hs_launch *l)
{
	size_t n = 0, dropped = 0;

	key(b, "findings");
	hs_abuf_puts(b, "[");
	if (l->error && l->error->code) {
		hs_abuf_puts(b, "{\"rule\":");
		hs_abuf_json_string(b, l->error->rule[0] ? l->error->rule : "error", MAX_STR);
		str_member(b, "path", l->error->path);
		str_member(b, "action", "refuse");
		key(b, "message");
		hs_abuf_json_string(b,
				    l->error->msg[0] ? l->error->msg : hs_strerror(l->error->code),
				    MAX_MSG);
		hs_abuf_puts(b, "}");
		n++;
	}
	for (size_t i = 0; l->report && i < l->report->len; i++) {
		const struct hs_finding *f = &l->report->items[i];

		if (n >= MAX_FINDINGS) {
			dropped++;
			continue;
		}
		hs_abuf_puts(b, n++ ? ",{\"rule\":" : "{\"rule\":");
		hs_abuf_json_string(b, f->rule, MAX_STR);
		str_member(b, "path", f->path);
		str_member(b, "action", hs_action_name(f->action));
		if (f->exception)
			str_member(b, "exception", f->exception);
		key(b, "message");
		hs_abuf_json_string(b, f->message, MAX_MSG);
		hs_abuf_puts(b, "}");
	}
	hs_abuf_puts(b, "]");
	if (dropped)
		hs_abuf_printf(b, ",\"findings_dropped\":%zu", dropped);
}

/* Which exception decided this launch (and what the base policy would have refused), or
 * which one matched but had expired: the trail an exception's owner answers for. */
static void format_exception(struct hs_abuf *b, const struct hs_report *rep)
{
	if (!rep)
		return;
	if (rep->exception) {
		str_member(b, "exception", rep->exception);
		key(b, "exception_would_refuse");
		hs_abuf_puts(b, "[");
		for (size_t i = 0; i < rep->n_would_refuse; i++) {
			hs_abuf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
			hs_abuf_json_string(b, rep->would_refuse[i].rule, MAX_STR);
			str_member(b, "path", rep->would_refuse[i].path);
			hs_abuf_puts(b, "}");
		}
		hs_abuf_puts(b, "]");
	}
	if (rep->exception_expired)
		str_member(b, "exception_expired", rep->exception_expired);
}

/* The limits the config left unset (or unlimited) that hardshim set to the policy's default:
 * a container killed at its 1 GiB default (exit 137) otherwise says nothing of where the
 * limit came from. Named by the resources control's findings, only when one was set. */
static void format_defaulted(struct hs_abuf *b, const struct hs_report *rep)
{
	static const struct {
		const char *rule, *name;
	} limits[] = {
		{ "resources.memory-unlimited", "memory" },
		{ "resources.pids-unlimited", "pids" },
		{ "resources.cpu-unlimited", "cpu" },
	};
	size_t n = 0;

	for (size_t k = 0; rep && k < HS_ARRAY_SIZE(limits); k++) {
		bool set = false;

		for (size_t i = 0; i < rep->len && !set; i++)
			set = rep->items[i].action == HS_ACTION_REWRITE &&
			      !strcmp(rep->items[i].rule, limits[k].rule);
		if (!set)
			continue;
		hs_abuf_puts(b, n++ ? "," : ",\"defaulted\":[");
		hs_abuf_json_string(b, limits[k].name, 16);
	}
	if (n)
		hs_abuf_puts(b, "]");
}

static void format_id(struct hs_abuf *b, const char *k, bool set, uint32_t v)
{
	key(b, k);
	if (set)
		hs_abuf_printf(b, "%u", v);
	else
		hs_abuf_puts(b, "null"); /* unset: never (uint32_t)-1, never 0 */
}

static void format_who(struct hs_abuf *b, const struct hs_audit_who *w)
{
	hs_abuf_printf(b, ",\"who\":{\"uid\":%u,\"euid\":%u,\"gid\":%u", (unsigned)w->uid,
		       (unsigned)w->euid, (unsigned)w->gid);
	str_member(b, "user", w->user[0] ? w->user : NULL);
	format_id(b, "loginuid", w->loginuid_set, w->loginuid);
	format_id(b, "sessionid", w->sessionid_set, w->sessionid);
	hs_abuf_puts(b, ",\"parents\":[");
	for (size_t i = 0; i < w->n_parents; i++) {
		const struct hs_audit_proc *p = &w->parents[i];

		hs_abuf_printf(b, "%s{\"pid\":%d,\"comm\":", i ? "," : "", (int)p->pid);
		hs_abuf_json_string(b, p->comm, sizeof(p->comm));
		if (p->uid == (uid_t)-1)
			hs_abuf_puts(b, ",\"uid\":null}");
		else
			hs_abuf_printf(b, ",\"uid\":%u}", (unsigned)p->uid);
	}
	hs_abuf_puts(b, "]}");
}

static void format_claims(struct hs_abuf *b, const struct hs_launch *l,
			  const struct hs_audit_who *w)
{
	const struct hs_json_member *m;
	size_t n = 0;

	hs_abuf_puts(b, ",\"claims\":{");
	hs_abuf_puts(b, "\"sudo_uid\":");
	hs_abuf_json_string(b, w ? w->sudo_uid : NULL, 32);
	str_member(b, "sudo_user", w ? w->sudo_user : NULL);
	hs_abuf_puts(b, ",\"annotations\":{");
	hs_json_foreach_member(m, l->annotations, i) {
		if (!is_claim(m->key) || !hs_json_is(m->value, HS_JSON_STRING))
			continue;
		if (n >= MAX_CLAIMS)
			break;
		if (n++)
			hs_abuf_puts(b, ",");
		hs_abuf_json_string(b, m->key, MAX_STR);
		hs_abuf_puts(b, ":");
		hs_abuf_json_string(b, m->value->u.string.s, MAX_STR);
	}
	hs_abuf_puts(b, "}}");
}

static const char *document_name(enum hs_event e)
{
	switch (e) {
	case HS_EVENT_EXEC: return "process";
	case HS_EVENT_UPDATE: return "resources";
	default: return "config";
	}
}

int hs_audit_format_body(const struct hs_launch *l, const struct hs_audit_facts *f,
			 enum hs_verdict verdict, struct hs_abuf *b)
{
	hs_abuf_puts(b, "\"time\":");
	hs_abuf_json_string(b, f->time, 64);
	str_member(b, "host", f->host);
	str_member(b, "hardshim", hs_version());
	str_member(b, "event", hs_event_name(l->event));
	str_member(b, "id", l->container_id);
	str_member(b, "bundle", l->bundle);
	if (l->root)
		str_member(b, "root", l->root);
	str_member(b, "runtime", l->runtime ? l->runtime : f->runtime);
	if (l->argv)
		format_argv(b, "argv", l->argv, l->argc);
	if (l->runtime_argv)
		format_argv(b, "runtime_argv", l->runtime_argv, l->runtime_argc);
	str_member(b, "mode", f->mode == HS_MODE_AUDIT ? "audit" : "enforce");
	str_member(b, "verdict", hs_verdict_name(verdict));
	format_findings(b, l);
	format_exception(b, l->report);
	if (verdict == HS_VERDICT_REWRITTEN) /* audit mode observes: nothing was set */
		format_defaulted(b, l->report);
	key(b, "sha256");
	hs_abuf_puts(b, "{\"document\":");
	hs_abuf_json_string(b, document_name(l->event), 16);
	str_member(b, "original", f->original_sha256);
	str_member(b, "final", f->final_sha256);
	hs_abuf_puts(b, "}");
	hs_abuf_printf(b, ",\"pid\":%d", (int)f->pid);
	if (l->waits)
		hs_abuf_puts(b, ",\"waits\":true");
	if (f->who)
		format_who(b, f->who);
	format_claims(b, l, f->who);
	return b->oom ? -ENOMEM : 0;
}

/* A runtime that failed after hardshim admitted the launch. The record points back to the
 * launch by its hash, so a reader ties the failure to that launch and no other: a stale launch
 * record must not vouch for a container someone starts later under the same id. */
int hs_audit_format_failure(const struct hs_runtime_failure *o, const struct hs_audit_facts *f,
			    struct hs_abuf *b)
{
	hs_abuf_puts(b, "\"time\":");
	hs_abuf_json_string(b, f->time, 64);
	str_member(b, "host", f->host);
	str_member(b, "hardshim", hs_version());
	str_member(b, "event", "runtime-failed");
	str_member(b, "of", o->of);
	str_member(b, "command", hs_event_name(o->event));
	str_member(b, "id", o->container_id);
	if (o->root)
		str_member(b, "root", o->root);
	str_member(b, "runtime", o->runtime ? o->runtime : f->runtime);
	key(b, "exit");
	if (o->exit_status >= 0)
		hs_abuf_printf(b, "%d", o->exit_status);
	else
		hs_abuf_puts(b, "null");
	key(b, "signal");
	if (o->signal > 0)
		hs_abuf_printf(b, "%d", o->signal);
	else
		hs_abuf_puts(b, "null");
	if (o->error)
		str_member(b, "error", o->error);
	hs_abuf_printf(b, ",\"pid\":%d", (int)o->pid);
	return b->oom ? -ENOMEM : 0;
}

int hs_audit_seal(const char *body, size_t body_len, uint64_t seq, const char *prev_hex,
		  bool file_start, const struct hs_seal_state *seal, struct hs_abuf *out,
		  char ret_hash[HS_SHA256_HEX_LEN + 1], struct hs_error *err)
{
	uint8_t digest[32];
	char mac[HS_SHA256_HEX_LEN + 1];
	int r;

	out->len = 0;
	hs_abuf_printf(out, "{\"v\":1,\"seq\":%llu,\"prev\":\"%s\",", (unsigned long long)seq,
		       prev_hex);
	if (file_start)
		hs_abuf_puts(out, "\"file_start\":true,");
	hs_abuf_put(out, body, body_len);
	if (out->oom)
		return -ENOMEM;
	if (seal) {
		/* The mac covers the record as far as here, prev included: the chain too. */
		r = hs_hmac_sha256(seal->key, out->buf, out->len, digest, err);
		if (r < 0)
			return r;
		hs_hex(digest, sizeof(digest), mac);
		hs_abuf_printf(out, ",\"seal\":{\"n\":%llu,\"mac\":\"%s\"}",
			       (unsigned long long)seal->n, mac);
		if (out->oom)
			return -ENOMEM;
	}
	r = hs_sha256(out->buf, out->len, digest, err);
	if (r < 0)
		return r;
	hs_hex(digest, sizeof(digest), ret_hash);
	hs_abuf_printf(out, ",\"hash\":\"%s\"}\n", ret_hash);
	return out->oom ? -ENOMEM : 0;
}
