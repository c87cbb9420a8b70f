/* SPDX-License-Identifier: Apache-2.0
 * hs_audit_launch: the one call the create/run/restore/exec/update and hook paths make
 * before exec'ing the runtime. The file record is the audit trail and gates the start; the
 * sinks are best effort. */
#include <string.h>
#include <syslog.h>

#include "hs-audit.h"

static int digest_hex(const void *data, size_t len, char *out, struct hs_error *err)
{
	uint8_t d[32];
	int r = hs_sha256(data, len, d, err);

	if (r < 0)
		return r;
	hs_hex(d, sizeof(d), out);
	return 0;
}

int hs_audit_launch(const struct hs_policy *p, const struct hs_launch *l, struct hs_error *err)
{
	const struct hs_audit_cfg *cfg = p && p->audit ? p->audit : &hs_audit_cfg_default;
	struct hs_error e = HS_ERROR_INIT;
	struct hs_abuf body = { 0 };
	struct hs_audit_who who;
	struct hs_audit_facts f = { 0 };
	char now[64], host[256] = "", orig[HS_SHA256_HEX_LEN + 1], fin[HS_SHA256_HEX_LEN + 1];
	char hash[HS_SHA256_HEX_LEN + 1] = "";
	enum hs_verdict v;
	int r = 0;

	if (l->mark) {
		l->mark->recorded = true;
		l->mark->hash[0] = '\0';
	}
	hs_format_time(now, sizeof(now));
	(void)gethostname(host, sizeof(host) - 1);
	hs_audit_who_get(&who, "/proc");
	f.time = now;
	f.host = host;
	f.runtime = p ? p->runtime : NULL;
	f.mode = p ? p->mode : HS_MODE_ENFORCE;
	f.pid = getpid();
	f.who = &who;
	v = hs_audit_verdict(l, f.mode);
	if (l->original && (r = digest_hex(l->original, l->original_len, orig, &e)) == 0)
		f.original_sha256 = orig;
	if (r == 0 && l->final && (r = digest_hex(l->final, l->final_len, fin, &e)) == 0)
		f.final_sha256 = fin;
	if (r == 0)
		r = hs_audit_format_body(l, &f, v, &body);

	if (r == 0 && cfg->file)
		r = hs_audit_append(cfg, body.buf, body.len, hash, &e);
	else if (r == 0 && (r = digest_hex(body.buf, body.len, hash, &e)) < 0)
		hash[0] = '\0';
	hs_abuf_free(&body);
	if (r == 0 && cfg->file && l->mark)
		memcpy(l->mark->hash, hash, sizeof(l->mark->hash));

	if (r < 0 && !e.code)
		hs_error_set(&e, r, "audit.write", cfg->path, -1,
			     "cannot build the launch record: %s", hs_strerror(r));
	if (r < 0 && strcmp(e.rule, "audit.write") && strcmp(e.rule, "audit.diverged")) {
		/* Whatever failed underneath (ENOMEM, say), the rule is the audit's. */
		char msg[sizeof(e.msg)];

		hs_error_format(&e, msg, sizeof(msg));
		e = (struct hs_error)HS_ERROR_INIT;
		hs_error_set(&e, r, "audit.write", cfg->path, -1, "%s", msg);
	}
	if (cfg->syslog) {
		if (r < 0) {
			openlog("hardshim", LOG_PID, LOG_AUTHPRIV);
			/* A diverged log is an intrusion alarm, not a full disk. */
			syslog(strcmp(e.rule, "audit.diverged") ? LOG_ERR : LOG_ALERT,
			       "%s: %s: launch record not written%s: %s", e.rule, e.path,
			       cfg->fail_open ? " (fail_open: starting anyway)" : ", refusing",
			       e.msg);
			closelog();
		}
		hs_audit_syslog(l, r < 0 && !cfg->fail_open ? HS_VERDICT_REFUSED : v,
				hash[0] ? hash : NULL, &who);
	}
	if (cfg->kernel_audit)
		(void)hs_audit_kernel(l, r < 0 && !cfg->fail_open ? HS_VERDICT_REFUSED : v,
				      hash[0] ? hash : NULL, f.pid, NULL);
	if (r < 0) {
		if (err && !err->code)
			*err = e;
		return cfg->fail_open ? 1 : r;
	}
	return 0;
}

int hs_audit_runtime_failed(const struct hs_policy *p, const struct hs_runtime_failure *o,
			    struct hs_error *err)
{
	const struct hs_audit_cfg *cfg = p && p->audit ? p->audit : &hs_audit_cfg_default;
	struct hs_abuf body = { 0 }, id = { 0 };
	struct hs_audit_facts f = { 0 };
	char now[64], host[256] = "", hash[HS_SHA256_HEX_LEN + 1] = "";
	int r;

	hs_format_time(now, sizeof(now));
	(void)gethostname(host, sizeof(host) - 1);
	f.time = now;
	f.host = host;
	f.runtime = p ? p->runtime : NULL;
	r = hs_audit_format_failure(o, &f, &body);
	if (r == 0 && cfg->file)
		r = hs_audit_append(cfg, body.buf, body.len, hash, err);
	hs_abuf_free(&body);
	if (cfg->syslog) {
		hs_abuf_json_string(&id, o->container_id, 256);
		openlog("hardshim", LOG_PID, LOG_AUTHPRIV);
		syslog(LOG_WARNING,
		       "runtime-failed event=%s id=%s exit=%d signal=%d of=%s record=%s",
		       hs_event_name(o->event), id.oom ? "?" : id.buf, o->exit_status, o->signal,
		       o->of ? o->of : "none", hash[0] ? hash : "none");
		closelog();
		hs_abuf_free(&id);
	}
	return r;
}
