/* SPDX-License-Identifier: Apache-2.0
 * Fuzz the whole check pipeline on a config against the shipped policy and a fixed invented
 * host. Invariant (idempotence): what hardshim writes passes its own checks unchanged — no
 * refusal, no rewrite, the same bytes. Also fuzzes the exec process document and the update
 * resources document (first byte picks the schema). */
#include <string.h>

#include "fake-host.h"
#include "hs-policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hs_policy *policy;
static struct hs_fake_host *host;

static void init(void)
{
	struct hs_error err = HS_ERROR_INIT;
	const char *path = getenv("HS_FUZZ_POLICY");

	if (hs_policy_load(path ? path : "profiles/policy/default.json", &policy, &err) < 0) {
		fprintf(stderr, "fuzz-pipeline: policy: %s %s %s\n", err.rule, err.path, err.msg);
		abort();
	}
	host = hs_fake_host_new_default();
	/* The egress control points its hook at hardshim's own binary, which the invented host
	 * names HS_FAKE_HOST_SELF: it has that file, root-owned, so a second pass can vet it. */
	hs_fake_host_add_file(host, HS_FAKE_HOST_SELF, 0, 0, 0755);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct hs_schema *const schemas[] = { &hs_oci_spec, &hs_oci_process,
							   &hs_oci_resources };
	struct hs_pipeline pl = { 0 }, pl2 = { 0 };
	struct hs_error err = HS_ERROR_INIT;
	const struct hs_schema *schema;

	if (!policy)
		init();
	if (size < 1)
		return 0;
	schema = schemas[data[0] % 3];
	pl = (struct hs_pipeline){ .policy = policy,
				   .host = hs_fake_host_get(host),
				   .schema = schema,
				   .event = schema == &hs_oci_spec      ? HS_EVENT_CREATE
					    : schema == &hs_oci_process ? HS_EVENT_EXEC
									: HS_EVENT_UPDATE,
				   .bundle = "/run/bundle",
				   .container_id = "fuzz" };
	if (hs_pipeline_run(&pl, (const char *)data + 1, size - 1, &err) == 0 && pl.tree &&
	    !pl.report->refused) {
		pl2 = pl;
		pl2.arena = NULL;
		pl2.report = NULL;
		pl2.tree = NULL;
		pl2.final = NULL;
		if (hs_pipeline_run(&pl2, pl.final, pl.final_len, &err) != 0 || !pl2.tree)
			__builtin_trap();
		for (size_t i = 0; i < pl2.report->len; i++)
			if (pl2.report->items[i].action != HS_ACTION_WARN) {
				fprintf(stderr, "not idempotent: %s %s %s\n",
					pl2.report->items[i].rule, pl2.report->items[i].path,
					pl2.report->items[i].message);
				__builtin_trap();
			}
		if (pl2.changed) {
			fprintf(stderr, "not idempotent: the second pass changed\n%.*s\n%.*s\n",
				(int)pl.final_len, pl.final, (int)pl2.final_len, pl2.final);
			__builtin_trap();
		}
		hs_pipeline_done(&pl2);
	}
	hs_pipeline_done(&pl);
	return 0;
}
