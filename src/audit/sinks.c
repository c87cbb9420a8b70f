/* SPDX-License-Identifier: Apache-2.0
 * Where operators already look: syslog (journald picks it up) and the kernel audit stream
 * (AUDIT_VIRT_CONTROL, as libvirt writes it). Both carry the file record's seq-independent
 * hash, so an operator can match them to the chain — an anchor outside the log file that
 * an intruder who rewrites the file does not control. Names are encoded so that a container
 * id cannot inject fields (audit_encode_nv_string; JSON quoting for syslog). */
#include <libaudit.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <linux/netlink.h>

#include "hs-audit.h"

void hs_audit_syslog(const struct hs_launch *l, enum hs_verdict v, const char *record_hash,
		     const struct hs_audit_who *who)
{
	struct hs_abuf id = { 0 }, bundle = { 0 };
	char loginuid[16] = "unset", sessionid[16] = "unset";

	hs_abuf_json_string(&id, l->container_id, 256);
	hs_abuf_json_string(&bundle, l->bundle, 512);
	if (who && who->loginuid_set)
		snprintf(loginuid, sizeof(loginuid), "%u", who->loginuid);
	if (who && who->sessionid_set)
		snprintf(sessionid, sizeof(sessionid), "%u", who->sessionid);
	openlog("hardshim", LOG_PID, LOG_AUTHPRIV);
	syslog(v == HS_VERDICT_REFUSED ? LOG_WARNING : LOG_NOTICE,
	       "launch event=%s id=%s bundle=%s verdict=%s findings=%zu uid=%u loginuid=%s "
	       "sessionid=%s record=%s",
	       hs_event_name(l->event), id.oom ? "?" : id.buf, bundle.oom ? "?" : bundle.buf,
	       hs_verdict_name(v), (l->report ? l->report->len : 0) + (l->error && l->error->code),
	       who ? (unsigned)who->uid : (unsigned)getuid(), loginuid, sessionid,
	       record_hash ? record_hash : "none");
	closelog();
	hs_abuf_free(&id);
	hs_abuf_free(&bundle);
}

static const char *kernel_op(enum hs_event e)
{
	switch (e) {
	case HS_EVENT_EXEC: return "exec";
	case HS_EVENT_UPDATE: return "update";
	default: return "start";
	}
}

int hs_audit_kernel_message(const struct hs_launch *l, enum hs_verdict v, const char *record_hash,
			    pid_t pid, char **ret, struct hs_error *err)
{
	_cleanup_free_ char *vm = NULL;
	const char *id = l->container_id ? l->container_id : "";
	char uuid[37] = "00000000-0000-0000-0000-000000000000";
	char *msg;

	vm = audit_encode_nv_string("vm", id, (unsigned)strlen(id));
	if (!vm)
		return -ENOMEM;
	/* A container has no uuid; the record's hash (first 128 bits) names the record that
	 * holds the whole decision. */
	if (record_hash && strlen(record_hash) >= 32)
		snprintf(uuid, sizeof(uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", record_hash,
			 record_hash + 8, record_hash + 12, record_hash + 16, record_hash + 20);
	/* vm-pid: the container's init does not exist yet; this process becomes the runtime. */
	if (asprintf(&msg, "virt=hardshim op=%s reason=%s %s uuid=%s vm-pid=%d",
		     kernel_op(l->event), hs_verdict_name(v), vm, uuid, (int)pid) < 0)
		return -ENOMEM;
	*ret = msg;
	return 0;
}

int hs_audit_kernel(const struct hs_launch *l, enum hs_verdict v, const char *record_hash,
		    pid_t pid, struct hs_error *err)
{
	_cleanup_free_ char *msg = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	/* No audit in this kernel or network namespace: stop before the message is made. The
	 * socket is the one the message goes on (what libaudit's audit_open makes: one socket,
	 * not two). */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return hs_error_set(err, -errno, "audit.kernel", "", -1, "no kernel audit here: %s",
				    strerror(errno));
	r = hs_audit_kernel_message(l, v, record_hash, pid, &msg, err);
	if (r < 0)
		return r;
	set_aumessage_mode(MSG_QUIET, DBG_NO);
	r = audit_log_user_message(fd, AUDIT_VIRT_CONTROL, msg, NULL, NULL, NULL,
				   v != HS_VERDICT_REFUSED);
	if (r <= 0)
		return hs_error_set(err, r < 0 ? r : -EIO, "audit.kernel", "", -1,
				    "audit_log_user_message failed (%d): no CAP_AUDIT_WRITE?", r);
	return 0;
}
