/* SPDX-License-Identifier: Apache-2.0
 * How a refusal reaches the person behind containerd or Podman (docs/runtime-differences.md): they
 * read the last error line of --log (containerd, Podman with runtime_supports_json) or stderr. */
#include <fcntl.h>
#include <string.h>
#include <syslog.h>

#include "hs-cli.h"

static void write_log_line(const char *path, const char *format, const char *msg)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_free_ char *line = NULL;
	_cleanup_close_ int fd = -1;
	struct hs_json *obj;
	char now[64];
	size_t len;

	hs_format_time(now, sizeof(now));
	if (format && !strcmp(format, "json")) {
		if (!a || !(obj = hs_json_new(a, HS_JSON_OBJECT)) ||
		    hs_json_set(a, obj, "level", hs_json_new_string(a, "error")) < 0 ||
		    hs_json_set(a, obj, "msg", hs_json_new_string(a, msg)) < 0 ||
		    hs_json_set(a, obj, "time", hs_json_new_string(a, now)) < 0 ||
		    hs_json_emit(obj, &line, &len) < 0)
			return;
	} else {
		/* logrus text format, as runc writes it; quotes in msg escaped. */
		_cleanup_free_ char *esc = malloc(strlen(msg) * 2 + 1);
		char *e = esc;

		if (!esc)
			return;
		for (const char *s = msg; *s; s++) {
			if (*s == '"' || *s == '\\')
				*e++ = '\\';
			*e++ = *s == '\n' ? ' ' : *s;
		}
		*e = '\0';
		if (asprintf(&line, "time=\"%s\" level=error msg=\"%s\"", now, esc) < 0)
			return;
		len = strlen(line);
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return;
	line[len] = '\n'; /* emit/asprintf left room: the NUL */
	(void)hs_write_all(fd, line, len + 1);
}

void hs_report_to_caller(const struct hs_argv *a, const char *msg)
{
	if (a && a->log && a->log_is_file) {
		write_log_line(a->log, a->log_format, msg);
		return;
	}
	if (a && a->log) {
		/* crun's journald: and syslog: targets. */
		syslog(LOG_ERR, "%s", msg);
	}
	fprintf(stderr, "%s\n", msg);
}

/* Podman puts the runtime's name before its error line ("OCI runtime error: hardshim: ...",
 * the name of the [engine.runtimes] entry) and runs the runtime from conmon; containerd's
 * shim does not ("OCI runtime create failed: ..."). Said twice, "hardshim: hardshim:" reads
 * like an error inside an error. Only the wording depends on this guess. */
static bool caller_names_runtime(void)
{
	char path[64], comm[32] = "";
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || (n = read(fd, comm, sizeof(comm) - 1)) <= 0)
		return false;
	comm[n] = '\0';
	return !strcmp(comm, "conmon\n");
}

void hs_report_error(const struct hs_argv *a, const struct hs_error *err)
{
	char buf[HS_LINE_MAX], msg[HS_LINE_MAX + 32];

	hs_error_format(err, buf, sizeof(buf));
	snprintf(msg, sizeof(msg), "%s%s", caller_names_runtime() ? "" : "hardshim: ", buf);
	hs_report_to_caller(a, msg);
}
