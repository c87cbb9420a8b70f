#!/usr/bin/env bats
# Policy selection end to end: an exception matched by an orchestrator annotation relaxes one
# control for the containers it matches (seen inside the container), the finding records it
# (check and the launch), and nothing else is relaxed. Without the exception in the policy,
# the same container is refused (the opposite).

load resctl

teardown() { hs_teardown; }

EXC='.exceptions = [{"name": "ingress",
	"match": {"annotations": {"io.kubernetes.cri.sandbox-namespace": "ingress"}},
	"controls": {"sysctl": {"allow": ["net.core.somaxconn"]}}}]'

exception_relaxes() {
	rc_setup "$1" "$EXC"
	hs_config '.linux.sysctl = {"net.core.somaxconn": "99"}'
	hs_args cat /proc/sys/net/core/somaxconn
	# another namespace: base policy, refused
	hs_config '.annotations = {"io.kubernetes.cri.sandbox-namespace": "default"}'
	run hs_run e1
	rc_refused sysctl.not-allowed 'linux.sysctl["net.core.somaxconn"]'
	# the matched namespace: applied, visible inside
	hs_config '.annotations = {"io.kubernetes.cri.sandbox-namespace": "ingress"}'
	run hs_run e2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 99 ]
	# the exception relaxes only what it names: a pids limit above the maximum is still refused
	hs_config '.linux.resources.pids = {"limit": 99999}'
	run hs_run e3
	rc_refused resources.pids-max linux.resources.pids.limit
	# opposite: the same config, without the exception in the policy
	rc_policy '.'
	hs_config 'del(.linux.resources.pids)'
	run hs_run e4
	rc_refused sysctl.not-allowed 'linux.sysctl["net.core.somaxconn"]'
}
@test "exceptions/runc: an annotation-matched exception relaxes the sysctl list, nothing else" { exception_relaxes runc; }
@test "exceptions/crun: an annotation-matched exception relaxes the sysctl list, nothing else" { exception_relaxes crun; }

@test "exceptions: check records the exception on every finding made under it" {
	rc_setup runc "$EXC"
	hs_config '.linux.sysctl = {"net.core.somaxconn": "99"} | .annotations = {"io.kubernetes.cri.sandbox-namespace": "ingress"}'
	run "$HS_BIN" check --format json "$HS_CONFIG"
	echo "$output"
	[ "$status" -eq 0 ]
	# rewrites made under the exception name it; no sysctl finding but hardshim's own port start
	[ "$(jq -r '[.findings[] | select(.rule | startswith("resources."))][0].exception' <<<"$output")" = ingress ]
	[ "$(jq '[.findings[] | select(.rule | startswith("sysctl.")) | select(.rule != "sysctl.unprivileged-ports")] | length' <<<"$output")" = 0 ]
	run "$HS_BIN" check "$HS_CONFIG"
	[[ "$output" == *"[exception ingress]"* ]]
	# a near miss (case of the value) selects nothing
	hs_config '.annotations = {"io.kubernetes.cri.sandbox-namespace": "Ingress"}'
	run "$HS_BIN" check --format json "$HS_CONFIG"
	[ "$status" -eq 1 ]
	[ "$(jq -r '.findings[] | select(.rule == "sysctl.not-allowed") | .exception' <<<"$output")" = null ]
}

@test "exceptions: a policy whose exception matches on image metadata is refused whole" {
	rc_setup runc '.exceptions = [{"name": "img", "match": {"annotations": {"org.opencontainers.image.title": "x"}}, "controls": {}}]'
	run hs_create p1
	rc_refused policy.exception 'exceptions[0]'
}
