/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "hs-util.h"

int hs_error_setv(struct hs_error *err, int code, const char *rule, const char *path,
		  long long offset, const char *fmt, va_list ap)
{
	if (!err || err->code)
		return code;
	err->code = code;
	snprintf(err->rule, sizeof(err->rule), "%s", rule ? rule : "");
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	err->offset = offset;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int(hs_error_set)(struct hs_error *err, int code, const char *rule, const char *path,
		  long long offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hs_error_setv(err, code, rule, path, offset, fmt, ap);
	va_end(ap);
	return code;
}

const char *hs_strerror(int code)
{
	int c = code < 0 ? -code : code;

	switch (c) {
	case HS_EPARSE: return "malformed input";
	case HS_EPOLICY: return "refused by the policy";
	case HS_EUSAGE: return "bad command line";
	case HS_ECONFIG: return "bad policy file";
	default: return c > 0 && c < 4096 ? strerror(c) : "unknown error";
	}
}

void hs_error_format(const struct hs_error *err, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (err->rule[0])
		n += snprintf(buf + n, size - n, "%s: ", err->rule);
	if (n < size && err->path[0])
		n += snprintf(buf + n, size - n, "%s: ", err->path);
	if (n < size)
		n += snprintf(buf + n, size - n, "%s",
			      err->msg[0] ? err->msg : hs_strerror(err->code));
	if (n < size && err->offset >= 0)
		snprintf(buf + n, size - n, " (at byte %lld)", err->offset);
}
