/* SPDX-License-Identifier: Apache-2.0
 * The ownership table (src/policy/owners.c) against what hardshim reads: every leaf of every
 * judged document, derived from the schema tables, and every option of the runtime grammar
 * in every spelling, derived from the grammar's own tables, has exactly one owner. A new
 * runtime-spec field or flag added to the schema or the grammar fails here until it is
 * given one. With --markdown it prints docs/coverage.md (make coverage-doc). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "hs-argv.h"
#include "hs-owners.h"

extern const struct hs_control hs_control_cgroups;

struct leaf_check {
	const char *doc;
	unsigned *hits; /* per row of hs_owners */
	int bad;
};

static int check_leaf(const char *path, void *data)
{
	struct leaf_check *c = data;
	const struct hs_owner *o[4];
	size_t n = hs_owners_match(c->doc, path, o, 4);

	if (n != 1) {
		print_error("%s %s: %zu owners (want exactly one)\n", c->doc, path, n);
		c->bad++;
	}
	for (size_t i = 0; i < n && i < 4; i++)
		c->hits[o[i] - hs_owners]++;
	return 0;
}

static bool is_control(const char *who)
{
	size_t n = strcspn(who, " ");

	if (n == 4 && !strncmp(who, "hook", 4))
		return true; /* cli/hook.c reads the state */
	for (size_t i = 0; i < hs_n_controls; i++)
		if (strlen(hs_controls[i]->name) == n && !strncmp(hs_controls[i]->name, who, n))
			return true;
	return false;
}

static void test_every_leaf_has_one_owner(void **state)
{
	unsigned hits[512] = { 0 };
	int bad = 0;

	assert_true(hs_n_owners < HS_ARRAY_SIZE(hits));
	for (size_t d = 0; d < hs_n_owned_docs; d++) {
		struct leaf_check c = { .doc = hs_owned_docs[d].doc, .hits = hits };

		assert_int_equal(hs_schema_walk_leaves(hs_owned_docs[d].schema, check_leaf, &c), 0);
		bad += c.bad;
	}
	for (size_t i = 0; i < hs_n_owners; i++) {
		const struct hs_owner *o = &hs_owners[i];

		if (!hits[i]) {
			print_error("row %s %s owns no leaf (stale)\n", o->doc, o->pattern);
			bad++;
		}
		if (o->kind == HS_OWNER_CONTROL && (!o->who[0] || !is_control(o->who))) {
			print_error("row %s %s: \"%s\" is not a control\n", o->doc, o->pattern,
				    o->who);
			bad++;
		}
		if (o->kind != HS_OWNER_CONTROL && !o->why[0]) {
			print_error("row %s %s: no reason\n", o->doc, o->pattern);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The table fails a leaf that is not in it: a made-up field is unowned. */
static void test_unknown_leaf_is_unowned(void **state)
{
	const struct hs_owner *o;

	assert_int_equal(hs_owners_match("config", "$.linux.newThing", &o, 1), 0);
	assert_int_equal(hs_owners_match("config", "$.process.user.uid", &o, 1), 1);
	assert_string_equal(o->who, "user");
}

static int parse_line(char **argv, int argc, struct hs_argv *a, struct hs_error *err)
{
	return hs_argv_parse(argc, argv, a, err);
}

/* One option of one command in one spelling: accepted means the grammar read that very option
 * (and its owner is not "refused"); refused means a cli.* rule. */
static int try_spelling(const char *cmd, const struct hs_opt_spec *s, const char *tok,
			const char *value, const struct hs_cli_owner *o)
{
	char *argv[16];
	int argc = 0, r;
	struct hs_argv a;
	struct hs_error err = HS_ERROR_INIT;
	bool global = !strcmp(cmd, "global");

	argv[argc++] = "runc";
	if (global) {
		argv[argc++] = (char *)tok;
		if (value)
			argv[argc++] = (char *)value;
		argv[argc++] = "create";
	} else {
		argv[argc++] = (char *)cmd;
		argv[argc++] = (char *)tok;
		if (value)
			argv[argc++] = (char *)value;
	}
	argv[argc++] = "id";
	if (!strcmp(cmd, "exec"))
		argv[argc++] = "true";
	argv[argc] = NULL;
	r = parse_line(argv, argc, &a, &err);
	if (r < 0) {
		if (strncmp(err.rule, "cli.", 4)) {
			print_error("%s %s: refused without a cli rule (%s)\n", cmd, tok, err.rule);
			return 1;
		}
		return 0;
	}
	if (o->kind == HS_OWNER_REFUSED) {
		print_error("%s %s: owner says refused, the grammar accepted it\n", cmd, tok);
		return 1;
	}
	if (!global) {
		bool found = false;

		for (size_t i = 0; i < a.n_opts; i++)
			found = found || a.opts[i].spec == s;
		if (!found) {
			print_error("%s %s: accepted as another option\n", cmd, tok);
			return 1;
		}
	}
	return 0;
}

static int check_option(const char *cmd, const struct hs_opt_spec *s)
{
	const struct hs_cli_owner *o = hs_cli_owner_of(cmd, s->name);
	char tok[96];
	int bad = 0;
	const char *v = s->takes_value ? "x" : NULL;

	if (!o) {
		print_error("%s --%s: no owner\n", cmd, s->name);
		return 1;
	}
	if (o->kind == HS_OWNER_CONTROL ? !o->who[0] : !o->why[0]) {
		print_error("%s --%s: owner row incomplete\n", cmd, s->name);
		return 1;
	}
	/* the value for cgroup-manager must be one it takes */
	if (!strcmp(s->name, "cgroup-manager"))
		v = "cgroupfs";
	snprintf(tok, sizeof(tok), "--%s", s->name);
	bad += try_spelling(cmd, s, tok, v, o);
	snprintf(tok, sizeof(tok), "-%s", s->name);
	bad += try_spelling(cmd, s, tok, v, o);
	snprintf(tok, sizeof(tok), "--%s=%s", s->name, v ? v : "true");
	bad += try_spelling(cmd, s, tok, NULL, o);
	snprintf(tok, sizeof(tok), "-%s=%s", s->name, v ? v : "true");
	bad += try_spelling(cmd, s, tok, NULL, o);
	if (s->short_name) {
		snprintf(tok, sizeof(tok), "-%c", s->short_name);
		bad += try_spelling(cmd, s, tok, v, o);
		snprintf(tok, sizeof(tok), "-%c=%s", s->short_name, v ? v : "true");
		bad += try_spelling(cmd, s, tok, NULL, o);
	}
	return bad;
}

static void test_every_option_has_one_owner(void **state)
{
	int bad = 0;
	size_t n_opts = 0;

	for (const struct hs_opt_spec *s = hs_argv_global_specs(); s->name; s++, n_opts++)
		bad += check_option("global", s);
	for (const struct hs_cmd_spec *c = hs_argv_command_specs(); c->name; c++)
		for (const struct hs_opt_spec *s = c->opts; s && s->name; s++, n_opts++)
			bad += check_option(c->name, s);
	/* and no row names an option the grammar does not have */
	for (size_t i = 0; i < hs_n_cli_owners; i++) {
		const struct hs_cli_owner *o = &hs_cli_owners[i];
		bool found = false;

		if (!strcmp(o->cmd, "global"))
			for (const struct hs_opt_spec *s = hs_argv_global_specs(); s->name; s++)
				found = found || !strcmp(s->name, o->opt);
		for (const struct hs_cmd_spec *c = hs_argv_command_specs(); c->name; c++)
			for (const struct hs_opt_spec *s = c->opts;
			     s && !strcmp(c->name, o->cmd) && s->name; s++)
				found = found || !strcmp(s->name, o->opt);
		if (!found) {
			print_error("row %s --%s: no such option (stale)\n", o->cmd, o->opt);
			bad++;
		}
	}
	assert_int_equal(n_opts, hs_n_cli_owners);
	assert_int_equal(bad, 0);
}

/* A refused row is enforced: restore --lsm-profile is refused by the grammar, an idmapped
 * mount by the pipeline's ownership check. */
static void test_refused_rows_enforced(void **state)
{
	char *argv[] = { "runc", "restore", "--lsm-profile", "unconfined", "id", NULL };
	struct hs_argv a;
	struct hs_error err = HS_ERROR_INIT;
	struct hs_t f;
	const struct hs_json *doc;

	assert_int_equal(hs_argv_parse(5, argv, &a, &err), -HS_EUSAGE);
	assert_string_equal(err.rule, "cli.refused-option");

	t_control(&f, &hs_control_cgroups);
	f.ctx.arena = f.arena;
	f.ctx.report = f.report;
	doc =
	    t_parse(&f, "{\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":"
			"\"/srv\",\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":1}]}],"
			"\"linux\":{\"personality\":{\"domain\":\"LINUX\"}}}");
	assert_int_equal(hs_owners_check(&f.ctx, "config", doc, &hs_oci_spec), 0);
	assert_non_null(t_find(&f, "owners.refused", "mounts[0].uidMappings[0].containerID"));
	assert_non_null(t_find(&f, "owners.refused", "linux.personality.domain"));
	assert_true(f.report->refused);
	t_done(&f);
	/* an ordinary mount and process: nothing */
	t_control(&f, &hs_control_cgroups);
	f.ctx.arena = f.arena;
	f.ctx.report = f.report;
	doc = t_parse(&f,
		      "{\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":"
		      "\"/srv\",\"options\":[\"rbind\",\"ro\"]}],\"process\":{\"args\":[\"sh\"]}}");
	assert_int_equal(hs_owners_check(&f.ctx, "config", doc, &hs_oci_spec), 0);
	assert_int_equal(f.report->len, 0);
	t_done(&f);
}

/* Each string of each row ends inside its array: C takes a literal exactly as long as the
 * array without its NUL, and without a warning. */
#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

static void test_rows_terminated(void **state)
{
	for (size_t i = 0; i < hs_n_owners; i++) {
		const struct hs_owner *o = &hs_owners[i];

		if (!TERMINATED(o->doc) || !TERMINATED(o->pattern) || !TERMINATED(o->who) ||
		    !TERMINATED(o->why))
			fail_msg("row %zu (%.12s): a string fills its array", i, o->doc);
	}
	for (size_t i = 0; i < hs_n_cli_owners; i++) {
		const struct hs_cli_owner *o = &hs_cli_owners[i];

		if (!TERMINATED(o->cmd) || !TERMINATED(o->opt) || !TERMINATED(o->who) ||
		    !TERMINATED(o->why))
			fail_msg("option row %zu: a string fills its array", i);
	}
}

/* --- docs/coverage.md --- */

static int print_leaf(const char *path, void *data)
{
	const struct hs_owner *o = NULL;

	if (hs_owners_match(data, path, &o, 1) != 1)
		return -1;
	printf("| `%s` | %s | %s |\n", path + 2, hs_owner_kind_name(o->kind),
	       o->kind == HS_OWNER_CONTROL ? o->who : o->why);
	return 0;
}

static int markdown(void)
{
	printf("# Coverage: who owns each input\n\n"
	       "Generated by `make coverage-doc` from the ownership table in "
	       "`src/policy/owners.c`; do not edit by hand. `tests/unit/test-owners.c` fails when "
	       "a leaf of a judged document (derived from the schema tables in "
	       "`src/oci/spec-schema.c`) or an option of the runtime grammar (`src/cli/argv.c`, in "
	       "every spelling) has no owner, or more than one.\n\n"
	       "An owner is a control (the one that judges the input), `inert` (passed on "
	       "unjudged, with the reason it cannot add privilege) or `refused` (rule "
	       "`owners.refused` for a leaf present in a document, `cli.refused-option` for an "
	       "option).\n");
	for (size_t d = 0; d < hs_n_owned_docs; d++) {
		printf("\n## %s\n\n| leaf | owner | control or reason |\n|---|---|---|\n",
		       hs_owned_docs[d].doc);
		if (hs_schema_walk_leaves(hs_owned_docs[d].schema, print_leaf,
					  (void *)hs_owned_docs[d].doc))
			return 1;
	}
	printf("\n## command-line options\n\n| command | option | owner | control or reason |\n"
	       "|---|---|---|---|\n");
	for (size_t i = 0; i < hs_n_cli_owners; i++) {
		const struct hs_cli_owner *o = &hs_cli_owners[i];

		printf("| %s | `--%s` | %s | %s |\n", o->cmd, o->opt, hs_owner_kind_name(o->kind),
		       o->kind == HS_OWNER_CONTROL ? o->who : o->why);
	}
	printf("\nEvery spelling the grammar accepts (`--name`, `-name`, `--name=V`, `-x`; "
	       "`-x=V` and `-name=V` only where runc and crun read them alike) reaches the same "
	       "owner.\n");
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_leaf_has_one_owner),
		cmocka_unit_test(test_unknown_leaf_is_unowned),
		cmocka_unit_test(test_every_option_has_one_owner),
		cmocka_unit_test(test_refused_rows_enforced),
		cmocka_unit_test(test_rows_terminated),
	};

	if (argc > 1 && !strcmp(argv[1], "--markdown"))
		return markdown();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
