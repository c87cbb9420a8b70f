/* SPDX-License-Identifier: Apache-2.0
 * Who owns each input (issue 13): every leaf of every document hardshim judges, and every
 * runtime command-line option, has exactly one owner: the control that judges it, `inert`
 * (with the reason it cannot add privilege), or `refused`. tests/unit/test-owners.c derives
 * the leaves from the schema tables and the options from the grammar, and fails on any
 * without an owner; docs/coverage.md is generated from these tables (make coverage-doc). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hs-argv.h"
#include "hs-schema.h"

enum hs_owner_kind {
	HS_OWNER_CONTROL, /* judged by `who` */
	HS_OWNER_INERT,   /* passed on unjudged: `why` it cannot add privilege */
	HS_OWNER_REFUSED, /* present: refused (rule owners.refused / cli.refused-option) */
};

/* The rows hold their strings in fixed arrays, not pointers: a pointer in a constant table
 * of a PIE is a relocation ld.so writes at every exec of hardshim, into a page that then
 * stops being shared, and every `state` or `kill` paid for ~700 of them here without reading
 * a row. "" is an absent who or why. test-owners fails on a string that fills its array (C
 * would drop the terminating NUL without a word). */
#define HS_OWNER_DOC_SIZE     12  /* "resources" */
#define HS_OWNER_PATTERN_SIZE 48  /* the longest pattern is 42 */
#define HS_OWNER_WHO_SIZE     16  /* a control's name */
#define HS_OWNER_WHY_SIZE     128 /* the longest reason is 126 */
#define HS_CLI_CMD_SIZE       8   /* "restore" */
#define HS_CLI_OPT_SIZE       24  /* the longest option is 19 */
#define HS_CLI_TEXT_SIZE      120 /* who and why of an option: the longest is 112 */

struct hs_owner {
	char doc[HS_OWNER_DOC_SIZE];         /* "config", "process", "resources", "state" */
	char pattern[HS_OWNER_PATTERN_SIZE]; /* fnmatch(3) pattern over the leaf's schema
					      * path, e.g. "$.hooks.*[].env[]" */
	enum hs_owner_kind kind;
	char who[HS_OWNER_WHO_SIZE]; /* the control that judges it */
	char why[HS_OWNER_WHY_SIZE]; /* for inert and refused */
};

struct hs_cli_owner {
	char cmd[HS_CLI_CMD_SIZE]; /* "global", or a command of the grammar */
	char opt[HS_CLI_OPT_SIZE]; /* the option's long name */
	enum hs_owner_kind kind;
	char who[HS_CLI_TEXT_SIZE]; /* the control or code that judges it */
	char why[HS_CLI_TEXT_SIZE];
};

extern const struct hs_owner hs_owners[];
extern const size_t hs_n_owners;
extern const struct hs_cli_owner hs_cli_owners[];
extern const size_t hs_n_cli_owners;

/* The documents and their schemas, in order. */
struct hs_owned_doc {
	const char *doc;
	const struct hs_schema *schema;
};
extern const struct hs_owned_doc hs_owned_docs[];
extern const size_t hs_n_owned_docs;

/* Call fn for every leaf (string, number, bool, any, and each map's values) of schema, with
 * its path rendered as "$.a.b[].c{}". Stops at the first non-zero return and returns it. */
int hs_schema_walk_leaves(const struct hs_schema *schema, int (*fn)(const char *path, void *data),
			  void *data);
/* The rows of doc matching path (at most n written); returns how many match. */
size_t hs_owners_match(const char *doc, const char *path, const struct hs_owner **ret, size_t n);
/* The owner of option opt of command cmd ("global" for the global options), or NULL. */
const struct hs_cli_owner *hs_cli_owner_of(const char *cmd, const char *opt);
const char *hs_owner_kind_name(enum hs_owner_kind k);

struct hs_check_ctx;
struct hs_json;
/* A finding owners.refused (always a refusal) for every present leaf of tree (a document
 * `doc` of this schema) whose row is refused. 0, or -ENOMEM. */
int hs_owners_check(struct hs_check_ctx *ctx, const char *doc, const struct hs_json *tree,
		    const struct hs_schema *schema);
