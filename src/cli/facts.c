/* SPDX-License-Identifier: Apache-2.0
 * Who the engine says this container is, from facts the config's author cannot write.
 *
 * The admit patterns name a pod's files by `{sandbox-id}` and `{pod-uid}`. The config's
 * annotations claim both, and the config is the attacker's: a claimed id turns the pattern
 * into "any pod's files" (docs/threats.md, class 4). What we rely on instead:
 * - containerd runs the runtime as a child of its shim, and starts one shim per pod with
 *   `-id <sandbox id>`; the parent's executable (/proc/PPID/exe, set by the kernel) and its
 *   command line (containerd's) are outside the config.
 * - the pod uid is in the sandbox container's own config, which containerd's CRI plugin wrote
 *   (its annotations win over the pod's), in the sandbox's bundle beside this one. We read it
 *   only for another container of the pod: the sandbox's own config is the one being judged.
 * Anything else leaves the fact unknown, and an unknown fact matches nothing.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "hs-cli.h"

#define CMDLINE_MAX        8192
#define SANDBOX_CONFIG_MAX ((size_t)4 << 20)

static bool hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static bool uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	}
	return true;
}

/* Is the parent a containerd shim? By the executable the kernel names, not by its argv[0],
 * which the process sets itself. */
static bool parent_is_shim(const char *procfs, pid_t ppid)
{
	char path[128], target[4096];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/exe", procfs, (int)ppid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	return strncmp(base, "containerd-shim-", strlen("containerd-shim-")) == 0;
}

/* The value of the shim's -id flag (Go's flag package: -id V, --id V, -id=V, --id=V). */
static void shim_id(const char *procfs, pid_t ppid, char *ret, size_t size)
{
	char path[128], buf[CMDLINE_MAX + 1];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	ret[0] = '\0';
	snprintf(path, sizeof(path), "%s/%d/cmdline", procfs, (int)ppid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, CMDLINE_MAX);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (const char *arg = buf, *end = buf + n; arg < end; arg += strlen(arg) + 1) {
		const char *v = NULL;

		if (strcmp(arg, "-id") == 0 || strcmp(arg, "--id") == 0)
			v = arg + strlen(arg) + 1 < end ? arg + strlen(arg) + 1 : NULL;
		else if (strncmp(arg, "-id=", 4) == 0)
			v = arg + 4;
		else if (strncmp(arg, "--id=", 5) == 0)
			v = arg + 5;
		if (v && hex64(v)) {
			snprintf(ret, size, "%s", v);
			return;
		}
		if (v)
			return; /* not a sandbox id: unknown */
	}
}

/* The pod uid from the sandbox's config, beside our bundle (containerd names each bundle by
 * its container id), when that config is root's and nobody else can write it. */
static void sandbox_pod_uid(const char *bundle, const char *container_id, const char *sandbox_id,
			    char *ret, size_t size)
{
	_cleanup_arena_ struct hs_arena *a = hs_arena_new();
	_cleanup_free_ char *dir = NULL, *buf = NULL;
	struct hs_json_limits lim = HS_JSON_LIMITS_DEFAULT;
	struct hs_error err = HS_ERROR_INIT;
	_cleanup_close_ int fd = -1;
	const struct hs_json *ann;
	struct hs_json *config;
	const char *base, *type, *uid;
	struct stat st;
	size_t len;

	ret[0] = '\0';
	base = strrchr(bundle, '/');
	if (!a || !base || strcmp(base + 1, container_id) != 0 || base == bundle)
		return;
	if (asprintf(&dir, "%.*s/%s/config.json", (int)(base - bundle), bundle, sandbox_id) < 0) {
		dir = NULL;
		return;
	}
	fd = open(dir, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    hs_check_owner(&st, "config.permissions", dir, &err) < 0)
		return;
	if (hs_read_fd(fd, SANDBOX_CONFIG_MAX, &buf, &len, &err) < 0 ||
	    hs_json_parse(a, buf, len, &lim, &config, &err) < 0)
		return;
	ann = hs_json_get_type(config, "annotations", HS_JSON_OBJECT);
	type = hs_json_get_string(ann, "io.kubernetes.cri.container-type");
	uid = hs_json_get_string(ann, "io.kubernetes.cri.sandbox-uid");
	if (type && strcmp(type, "sandbox") == 0 && uid && uuid(uid))
		snprintf(ret, size, "%s", uid);
}

void hs_engine_facts_get(const char *procfs, pid_t ppid, const char *bundle,
			 const char *container_id, struct hs_engine_facts *ret)
{
	*ret = (struct hs_engine_facts){ 0 };
	if (!parent_is_shim(procfs, ppid))
		return;
	shim_id(procfs, ppid, ret->sandbox_id, sizeof(ret->sandbox_id));
	if (ret->sandbox_id[0] && bundle && container_id &&
	    strcmp(ret->sandbox_id, container_id) != 0)
		sandbox_pod_uid(bundle, container_id, ret->sandbox_id, ret->pod_uid,
				sizeof(ret->pod_uid));
}
