/* SPDX-License-Identifier: Apache-2.0
 * Shared by the unit tests of rootfs, user, capabilities, process and exec: a policy with only
 * the control under test switched on, the whole pipeline (strict parse, schema, controls,
 * canonical bytes) over a document, and lookups of findings. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fake-host.h"
#include "findings.h"
#include "hs-policy.h"
#include "resctl-fixture.h"

struct harness {
	struct hs_policy *policy;
	struct hs_fake_host *fh;
	const char
	    *bundle; /* the pipeline's bundle; NULL: /srv/bundle (h_setup makes its rootfs) */
	const char *container;  /* exec: the container's config (JSON text); NULL: none */
	struct hs_arena *arena; /* holds the parsed container config */
	struct hs_pipeline pl;
	struct hs_error err;
};

/* Policy with every control but `only` (a name or a comma-separated list) switched off;
 * `section` is the section of each of them (NULL or "" = {}). */
static inline int h_policy(struct harness *h, const char *only, const char *section,
			   const char *extra_top)
{
	const struct hs_t_policy spec = {
		.on = only,
		.section = section && *section ? section : "{}",
		.extra_top = extra_top,
	};

	h->err = (struct hs_error)HS_ERROR_INIT;
	return hs_t_policy_load(&spec, &h->policy, &h->err);
}

static inline void h_setup(struct harness *h, const char *only, const char *section)
{
	memset(h, 0, sizeof(*h));
	if (h_policy(h, only, section, NULL) < 0)
		fail_msg("policy refused: %s: %s: %s", h->err.rule, h->err.path, h->err.msg);
	h->fh = hs_fake_host_new_default();
	assert_non_null(h->fh);
	assert_int_equal(hs_fake_host_add_dir(h->fh, "/srv/bundle/rootfs", 0, 0, 0755), 0);
}

/* Run the pipeline over doc (a config when schema is hs_oci_spec, else a process); returns
 * what hs_pipeline_run returns, its error in h->err (for the tests of that error). */
static inline int h_try_event(struct harness *h, const struct hs_schema *schema, const char *doc,
			      enum hs_event ev)
{
	struct hs_json *container = NULL;

	if (h->container) {
		if (!h->arena)
			h->arena = hs_arena_new();
		assert_non_null(h->arena);
		h->err = (struct hs_error)HS_ERROR_INIT;
		if (hs_json_parse(h->arena, h->container, strlen(h->container), &h->policy->limits,
				  &container, &h->err) < 0)
			fail_msg("bad container config: %s: %s", h->err.rule, h->err.msg);
	}
	h->pl = (struct hs_pipeline){
		.policy = h->policy,
		.host = hs_fake_host_get(h->fh),
		.schema = schema,
		.event = ev,
		.bundle = h->bundle ? h->bundle : "/srv/bundle",
		.container = container,
	};
	h->err = (struct hs_error)HS_ERROR_INIT;
	return hs_pipeline_run(&h->pl, doc, strlen(doc), &h->err);
}

/* The same, for a document the pipeline must judge (an error fails the test). */
static inline void h_run_event(struct harness *h, const struct hs_schema *schema, const char *doc,
			       enum hs_event ev)
{
	if (h_try_event(h, schema, doc, ev) < 0)
		fail_msg("pipeline error: %s: %s", h->err.rule, h->err.msg);
}

static inline void h_run(struct harness *h, const char *config)
{
	h_run_event(h, &hs_oci_spec, config, HS_EVENT_CREATE);
}

/* An exec's process document, under h->container's config when the test set one. */
static inline void h_run_exec(struct harness *h, const char *process)
{
	h_run_event(h, &hs_oci_process, process, HS_EVENT_EXEC);
}

static inline void h_done(struct harness *h)
{
	hs_pipeline_done(&h->pl);
	hs_policy_free(h->policy);
	hs_fake_host_free(h->fh);
	hs_arena_free(h->arena);
}

/* findings.h's find and expect over the pipeline's report. */
static inline const struct hs_finding *h_find(struct harness *h, const char *rule, const char *path)
{
	return hs_t_find(h->pl.report, rule, path);
}

static inline void h_dump(struct harness *h)
{
	hs_t_dump(h->pl.report);
}

static inline void h_expect(struct harness *h, const char *rule, const char *path,
			    enum hs_action act)
{
	hs_t_expect(h->pl.report, rule, path, act);
}

/* The whole pipeline over one config, under a policy with ONLY on (SECTION): the finding RULE
 * at PATH with ACTION. */
static inline void h_run_expect(const char *only, const char *section, const char *config,
				const char *rule, const char *path, enum hs_action act)
{
	struct harness h;

	h_setup(&h, only, section);
	h_run(&h, config);
	h_expect(&h, rule, path, act);
	h_done(&h);
}

/* Does the canonical output contain this text? */
static inline bool h_out_has(struct harness *h, const char *text)
{
	return h->pl.final && strstr(h->pl.final, text) != NULL;
}

/* A minimal valid config around a process (JSON object text) and a root. */
#define H_CONFIG(root, process) \
	"{\"ociVersion\":\"1.0.2\",\"root\":" root ",\"process\":" process "}"
#define H_GOOD_PROCESS                                                                 \
	"{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000},"       \
	"\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[],\"effective\":[]," \
	"\"permitted\":[],\"inheritable\":[],\"ambient\":[]}}"
