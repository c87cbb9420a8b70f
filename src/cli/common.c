/* SPDX-License-Identifier: Apache-2.0
 * What the policy paths of the runtime commands share: the owner rule for documents an
 * attacker may have shaped, asking the runtime about a container, and handing the runtime a
 * checked document nobody can change. */
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hs-cli.h"

extern char **environ;

#define STATE_MAX_BYTES ((size_t)256 * 1024)

int hs_check_owner(const struct stat *st, const char *rule, const char *path, struct hs_error *err)
{
	/* Anyone but root (or us) who can write it could swap it between the check and the
	 * runtime's read. */
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return hs_error_set(err, -HS_EPOLICY, rule, path, -1,
				    "owned by uid %u, not by root: it could be changed after the "
				    "check",
				    (unsigned)st->st_uid);
	if (st->st_mode & 0022)
		return hs_error_set(err, -HS_EPOLICY, rule, path, -1,
				    "writable by group or others (mode %04o): it could be changed "
				    "after the check",
				    (unsigned)(st->st_mode & 07777));
	return 0;
}

int hs_runtime_ask(const char *runtime, const char *root, const char *const *args, size_t max,
		   const char *rule, char **ret, size_t *ret_len, struct hs_error *err)
{
	const char *argv[16];
	_cleanup_close_ int rfd = -1;
	posix_spawn_file_actions_t fa;
	int fds[2], status = 0, r;
	size_t n = 0;
	pid_t pid;

	argv[n++] = runtime;
	if (root) { /* no --root: the runtime's default state directory */
		argv[n++] = "--root";
		argv[n++] = root;
	}
	for (; *args && n < HS_ARRAY_SIZE(argv) - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	if (*args) /* never a shortened question */
		return hs_error_set(err, -E2BIG, rule, runtime, -1,
				    "too many arguments for the runtime");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return hs_error_set(err, -errno, rule, runtime, -1, "pipe: %s", strerror(errno));
	rfd = fds[0];
	/* Only --root: --log would add the runtime's own lines to the caller's log. stdin and
	 * stderr on /dev/null: the caller's stdin may be a container's, and what the runtime
	 * complains about is ours to word. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	r = posix_spawn(&pid, runtime, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0)
		return hs_error_set(err, -r, rule, runtime, -1, "cannot run the runtime: %s",
				    strerror(r));
	{
		/* read under the caller's rule: the runtime's answer is not a JSON document of
		 * the user's (json.size, io.read would send a reader to the wrong place) */
		struct hs_error rerr = HS_ERROR_INIT;

		r = hs_read_fd(rfd, max, ret, ret_len, &rerr);
		if (r < 0 && r != -ENOMEM)
			hs_error_set(err, r, rule, runtime, -1,
				     "cannot read the runtime's answer: %s", rerr.msg);
	}
	/* Closed before the wait: a runtime still writing past max gets EPIPE, not a hang. */
	close(TAKE_FD(rfd));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(*ret);
		*ret = NULL;
		return -ECHILD;
	}
	return 0;
}

int hs_runtime_state(const char *runtime, const char *root, const char *id, const char *rule,
		     struct hs_arena *ar, struct hs_json **ret, struct hs_error *err)
{
	const char *args[] = { "state", id, NULL };
	struct hs_json_limits lim = HS_JSON_LIMITS_DEFAULT;
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	int r = hs_runtime_ask(runtime, root, args, STATE_MAX_BYTES, rule, &out, &len, err);

	if (r == -ECHILD)
		return hs_error_set(err, -ENOENT, rule, id, -1,
				    "no such container (the runtime's state command failed)");
	if (r < 0)
		return r;
	lim.max_bytes = STATE_MAX_BYTES;
	return hs_json_parse(ar, out, len, &lim, ret, err);
}

int hs_sealed_memfd(const char *name, const char *data, size_t len, int min_fd,
		    struct hs_error *err)
{
	_cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int hi;

	if (fd < 0 || hs_write_all(fd, data, len) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return hs_error_set(err, -errno, "runtime.memfd", name, -1,
				    "cannot hold the checked document: %s", strerror(errno));
	/* F_DUPFD, not F_DUPFD_CLOEXEC: this one must survive execve into the runtime. */
	hi = fcntl(fd, F_DUPFD, min_fd < 3 ? 3 : min_fd);
	if (hi < 0)
		return hs_error_set(err, -errno, "runtime.memfd", name, -1, "dup: %s",
				    strerror(errno));
	return hi;
}

const char *hs_policy_view_for(const struct hs_policy *p, const struct hs_json *state,
			       struct hs_policy *view)
{
	struct hs_error err = HS_ERROR_INIT;
	const struct hs_exception *e;
	const struct hs_json *ann;

	*view = *p;
	ann = state ? hs_json_get_type(state, "annotations", HS_JSON_OBJECT) : NULL;
	if (!ann || hs_schema_check(ann, &hs_schema_string_map, "annotations", HS_UNKNOWN_PRESERVE,
				    &err) < 0)
		return NULL;
	e = hs_policy_exception_for(p, ann);
	if (!e)
		return NULL;
	view->controls = e->controls;
	view->exceptions = NULL;
	view->n_exceptions = 0;
	return e->name;
}

const char *hs_policy_for_container(const struct hs_argv *a, const struct hs_policy *p,
				    const char *rule, struct hs_policy *view)
{
	_cleanup_arena_ struct hs_arena *arena = NULL;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *state = NULL;

	*view = *p;
	if (!p->n_exceptions || a->first_positional < 0 || !(arena = hs_arena_new()) ||
	    hs_runtime_state(p->runtime, a->root, a->argv[a->first_positional], rule, arena, &state,
			     &err) < 0)
		return NULL;
	/* The name is the policy's (e->name), not the arena's: it outlives the state. */
	return hs_policy_view_for(p, state, view);
}
