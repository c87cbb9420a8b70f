/* SPDX-License-Identifier: Apache-2.0
 * Lexical paths: no I/O. Container paths live in the container's rootfs and are never resolved
 * on the host; host paths are resolved by the host seam (include/hs-host.h), not here. */
#pragma once

#include "hs-util.h"

/* Lexical normalization of an absolute or relative path into an absolute clean one: "//" and
 * "." dropped, ".." pops (never above "/"), a relative path taken from "/". Never touches the
 * host: container destinations live in the container's rootfs. Arena-owned; NULL on ENOMEM. */
char *hs_path_clean(struct hs_arena *a, const char *path);

enum hs_path_rel {
	HS_PATH_UNRELATED,
	HS_PATH_EQUAL,
	HS_PATH_ANCESTOR,   /* a is a proper ancestor of b */
	HS_PATH_DESCENDANT, /* a is a proper descendant of b */
};
/* Relation of two clean absolute paths, by whole components ("/run" is not an ancestor of
 * "/running"). */
enum hs_path_rel hs_path_relation(const char *a, const char *b);
/* Is clean absolute path at or beneath prefix (by components)? */
bool hs_path_at_or_under(const char *path, const char *prefix);
/* Step to the next component of a path: skips slashes, sets *ret_len, returns the component's
 * start, or NULL at the end. *p moves past it. */
const char *hs_path_next(const char **p, size_t *ret_len);
static inline bool hs_path_is_dot(const char *c, size_t len)
{
	return len == 1 && c[0] == '.';
}
static inline bool hs_path_is_dotdot(const char *c, size_t len)
{
	return len == 2 && c[0] == '.' && c[1] == '.';
}

/*
 * Anchored source patterns for the engines' own per-container files. Components:
 *   literal            exact match
 *   *                  one component (never "." or "..")
 *   {container-id}     64 lowercase hex equal to vars->container_id
 *   {sandbox-id}       64 lowercase hex equal to vars->sandbox_id
 *   {pod-uid}          a UUID (8-4-4-4-12 hex) equal to vars->pod_uid
 * A variable that is unknown (NULL) matches nothing.
 *   **                 last only: one or more further components
 */
struct hs_path_vars {
	const char *container_id, *sandbox_id, *pod_uid; /* NULL when unknown */
};
/* 0 valid, -EINVAL otherwise (for the policy loader). */
int hs_path_pattern_valid(const char *pattern);
bool hs_path_pattern_match(const char *pattern, const char *path, const struct hs_path_vars *vars);
