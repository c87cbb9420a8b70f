/* SPDX-License-Identifier: Apache-2.0
 * The devices deny: in a container's cgroup v1 devices controller, the grants its runtime
 * made on its own after the config's rules (src/policy/devices.c, runtime_extras). Called by
 * create once the runtime's create returned, by hook mode, and by `hardshim hook devices` (a
 * createRuntime hook), each under its own rule id: the runtime has placed the container's init
 * in its cgroups and written its device rules, and no process of the container's image has run
 * yet, so nothing the container does can have moved it or raced this write.
 *
 * The cgroup is the one /proc/<pid>/cgroup names for the devices hierarchy, read in the
 * runtime's cgroup namespace (the host's: the hook inherits it); it is opened beneath
 * /sys/fs/cgroup/devices with no symlink and no other file system on the way. After the
 * writes, devices.list is read back: an access still granted is a failure (fail closed), not
 * a warning.
 *
 * cgroup v2 (no devices hierarchy): each runtime filters devices with its own eBPF program;
 * the program is the runtime's and there is no file to deny in. The step says so and does
 * nothing (docs/runtime-differences.md). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hs-host.h"
#include "hs-util.h"

#define DEVICES_ROOT "/sys/fs/cgroup/devices"
#define LIST_MAX     (64u << 10)

/* The devices hierarchy's path for pid ("/..."), in buf; 0 if found, -ENOENT if the process
 * has no v1 devices cgroup (cgroup v2), other negative on error. */
static int devices_path(pid_t pid, char *buf, size_t size)
{
	char file[64], line[4096];
	FILE *f;
	int r = -ENOENT;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	f = fopen(file, "re");
	if (!f) /* not -ENOENT: that means "no devices hierarchy", never "no such process" */
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		char *ctrls = strchr(line, ':'), *path, *c, *save = NULL;

		path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		for (c = strtok_r(ctrls + 1, ",", &save); c; c = strtok_r(NULL, ",", &save))
			if (!strcmp(c, "devices"))
				break;
		if (!c)
			continue;
		if (path[0] != '/' || strlen(path) >= size)
			r = -EINVAL;
		else {
			snprintf(buf, size, "%s", path);
			r = 0;
		}
		break;
	}
	fclose(f);
	return r;
}

static int open_cgroup(const char *path, const char *rule, struct hs_error *err)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	_cleanup_close_ int root = open(DEVICES_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sfs = { 0 };
	struct stat rst, cst;
	int fd;

	if (root < 0 || fstatfs(root, &sfs) < 0 || sfs.f_type != CGROUP_SUPER_MAGIC)
		return hs_error_set(err, root < 0 ? -errno : -EINVAL, rule, DEVICES_ROOT, -1,
				    "not the cgroup v1 devices hierarchy");
	/* "/" is the hierarchy's root: RESOLVE_BENEATH wants a relative name */
	while (*path == '/')
		path++;
	fd = (int)syscall(SYS_openat2, root, *path ? path : ".", &how, sizeof(how));
	if (fd < 0)
		return hs_error_set(err, -errno, rule, path, -1,
				    "cannot open the container's devices cgroup: %s",
				    strerror(errno));
	/* The hierarchy's root is the host's own cgroup, never a container's (the cgroups control
	 * refuses a cgroupsPath of "/"), and it is where /proc/<pid>/cgroup puts an init that has
	 * exited and is not reaped yet. A deny written there would take the device from every
	 * process of the host: refused, however the path was spelled. */
	if (fstat(root, &rst) < 0 || fstat(fd, &cst) < 0 ||
	    (rst.st_dev == cst.st_dev && rst.st_ino == cst.st_ino)) {
		close(fd);
		return hs_error_set(err, -EPERM, rule, DEVICES_ROOT, -1,
				    "the process is in the root: the host's own cgroup, not a "
				    "container's (has it exited?)");
	}
	return fd;
}

/* rule "c MAJ:MIN ACC": is any of ACC still granted on exactly that device in list? (A
 * wildcard line such as the runtimes' "c *:* m" is not the grant being taken back.) */
static bool still_granted(const char *list, const char *rule)
{
	char num[24] = "", acc[8] = "";
	const char *l;

	if (sscanf(rule, "c %23s %7s", num, acc) != 2)
		return true;
	/* devices.list lines: "c 10:200 rwm" (type, major:minor, access) */
	for (l = list; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char type[4] = "", have_num[24] = "", have[8] = "";

		if (sscanf(l, "%3s %23s %7s", type, have_num, have) != 3)
			continue;
		if (strcmp(type, "c") || strcmp(have_num, num))
			continue;
		for (size_t i = 0; acc[i]; i++)
			if (strchr(have, acc[i]))
				return true;
	}
	return false;
}

/* The whole of devices.list (a seq file: read until EOF). */
static ssize_t read_list(int cg, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(cg, "devices.list", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		if ((len += (size_t)n) >= size - 1)
			return -E2BIG;
	if (n < 0)
		return -errno;
	buf[len] = '\0';
	return (ssize_t)len;
}

int hs_host_devices_deny(pid_t pid, char *const *rules, size_t n, const char *rule,
			 struct hs_error *err)
{
	char path[4096] = "", list[LIST_MAX] = "";
	_cleanup_close_ int cg = -1, deny = -1;
	ssize_t len;
	int r = devices_path(pid, path, sizeof(path));

	if (r == -ENOENT)
		return 1; /* cgroup v2: nothing to write (see above) */
	if (r < 0)
		return hs_error_set(err, r, rule, "", -1,
				    "cannot read the devices cgroup of pid %d", (int)pid);
	cg = open_cgroup(path, rule, err);
	if (cg < 0)
		return cg;
	deny = openat(cg, "devices.deny", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (deny < 0)
		return hs_error_set(err, -errno, rule, path, -1, "cannot open devices.deny: %s",
				    strerror(errno));
	for (size_t i = 0; i < n; i++) {
		/* one rule per write: the kernel parses a write as one rule */
		if (write(deny, rules[i], strlen(rules[i])) < 0)
			return hs_error_set(err, -errno, rule, path, -1, "cannot deny %s: %s",
					    rules[i], strerror(errno));
	}
	len = read_list(cg, list, sizeof(list));
	if (len < 0)
		return hs_error_set(err, (int)len, rule, path, -1,
				    "cannot read devices.list back: %s", strerror((int)-len));
	for (size_t i = 0; i < n; i++)
		if (still_granted(list, rules[i]))
			return hs_error_set(err, -EPERM, rule, path, -1,
					    "%s is still granted after the deny", rules[i]);
	return 0;
}
