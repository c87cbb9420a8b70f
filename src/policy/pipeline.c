/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "hs-policy.h"

int hs_pipeline_run(struct hs_pipeline *pl, const char *buf, size_t len, struct hs_error *err)
{
	struct hs_error perr = HS_ERROR_INIT;
	struct hs_check_ctx ctx;
	int r;

	pl->arena = hs_arena_new();
	pl->report = hs_report_new();
	if (!pl->arena || !pl->report)
		return -ENOMEM;

	r = hs_json_parse(pl->arena, buf, len, &pl->policy->limits, &pl->tree, &perr);
	if (r >= 0)
		r = hs_schema_check(pl->tree, pl->schema, "", pl->policy->unknown_keys, &perr);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		/* The input is refused as a whole: nothing of it is handed on. */
		struct hs_check_ctx fctx = { .report = pl->report };
		char msg[sizeof(perr.msg) + 32];

		pl->tree = NULL;
		if (perr.offset >= 0)
			snprintf(msg, sizeof(msg), "%s (at byte %lld)", perr.msg, perr.offset);
		else
			snprintf(msg, sizeof(msg), "%s", perr.msg);
		r = hs_finding(&fctx, perr.rule[0] ? perr.rule : "json.syntax", perr.path,
			       HS_ACTION_REFUSE, "%s", msg);
		return r < 0 ? r : 0;
	}

	ctx = (struct hs_check_ctx){
		.arena = pl->arena,
		.policy = pl->policy,
		.host = pl->host,
		.report = pl->report,
		.event = pl->event,
		.no_rewrite = pl->no_rewrite,
		.bundle = pl->bundle,
		.container_id = pl->container_id,
		.systemd_cgroup = pl->systemd_cgroup,
		.egress_at_create = pl->egress_at_create,
		.sandbox_id = pl->sandbox_id,
		.pod_uid = pl->pod_uid,
		.exception = pl->exception,
		.container = pl->container,
	};
	if (pl->schema == &hs_oci_spec) {
		ctx.config = pl->tree;
		/* Before the controls rewrite what gave it away. */
		pl->report->privileged = hs_config_is_privileged(pl->tree);
	} else if (pl->schema == &hs_oci_process) {
		ctx.process = pl->tree;
		ctx.process_path = "";
	} else if (pl->schema == &hs_oci_resources) {
		ctx.resources = pl->tree;
	}
	r = hs_policy_check(&ctx);
	pl->controls = ctx.controls;
	if (r < 0) {
		/* Fail closed, and say which control could not decide: "<control>.check-failed"
		 * is the rule an operator alerts on (docs/policy.md, errors). */
		char rule[sizeof(err->rule)];

		snprintf(rule, sizeof(rule), "%s.check-failed",
			 ctx.failed_control ? ctx.failed_control : "policy");
		return hs_error_set(err, r, rule, "", -1,
				    "the %s control could not check the document: %s",
				    ctx.failed_control ? ctx.failed_control : "policy",
				    hs_strerror(r));
	}
	r = hs_json_emit(pl->tree, &pl->final, &pl->final_len);
	if (r < 0)
		return r;
	pl->changed = pl->final_len != len || memcmp(pl->final, buf, len) != 0;
	return 0;
}

void hs_pipeline_done(struct hs_pipeline *pl)
{
	free(pl->final);
	hs_report_free(pl->report);
	hs_arena_free(pl->arena);
	pl->final = NULL;
	pl->report = NULL;
	pl->arena = NULL;
	pl->tree = NULL;
}

void hs_report_summary(const struct hs_report *r, char *buf, size_t size)
{
	size_t refusals = 0;
	const struct hs_finding *first = NULL;

	buf[0] = '\0';
	for (size_t i = 0; i < r->len; i++)
		if (r->items[i].action == HS_ACTION_REFUSE && !refusals++)
			first = &r->items[i];
	if (!first)
		return;
	if (r->privileged) {
		/* Named once, as what it is: not the first of 94 host devices. */
		snprintf(buf, size,
			 "privileged: (document): a privileged container (podman --privileged, "
			 "Kubernetes securityContext.privileged) gets every capability and host "
			 "device, and hardshim does not run one (%zu refusal%s, first %s: %s): run "
			 "it "
			 "without privileged and add only what the workload needs (--cap-add, "
			 "--device, with the policy's capabilities.allow, devices.allow)",
			 refusals, refusals > 1 ? "s" : "", first->rule,
			 first->path[0] ? first->path : "(document)");
		return;
	}
	if (refusals > 1)
		snprintf(buf, size, "%s: %s: %s (and %zu more refusals)", first->rule,
			 first->path[0] ? first->path : "(document)", first->message, refusals - 1);
	else
		snprintf(buf, size, "%s: %s: %s", first->rule,
			 first->path[0] ? first->path : "(document)", first->message);
}
