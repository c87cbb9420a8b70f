#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# deploy/kubernetes (issue 16), offline (no cluster on this machine): the manifests parse and
# carry what docs/fleet.md promises (tests/lib/k8s-validate.py for the shapes); the ConfigMap's
# policy is admitted by hardshim's own strict loader and is the shipped default.

load ../lib/env

K=$HS_TOP/deploy/kubernetes

# doc KIND NAME: one document as JSON.
doc() {
	/usr/bin/python3 -c '
import json, sys, yaml
for f in sys.argv[3:]:
    for d in yaml.safe_load_all(open(f)):
        if d and d["kind"] == sys.argv[1] and d["metadata"]["name"] == sys.argv[2]:
            print(json.dumps(d))' "$1" "$2" "$K"/*.yaml
}

@test "deploy: every manifest is well-formed (offline shape check)" {
	run /usr/bin/python3 "$HS_TOP/tests/lib/k8s-validate.py" "$K"/*.yaml
	echo "$output"
	[ "$status" -eq 0 ]
	# The check can fail: a DaemonSet whose selector misses its labels is caught.
	/usr/bin/python3 -c 'import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] = "other"
yaml.safe_dump(d, open(sys.argv[2], "w"))' "$K/daemonset.yaml" "$BATS_TEST_TMPDIR/ds.yaml"
	run /usr/bin/python3 "$HS_TOP/tests/lib/k8s-validate.py" "$BATS_TEST_TMPDIR/ds.yaml"
	[ "$status" -eq 1 ]
}

@test "deploy: DaemonSet privileged, system-node-critical, one node at a time, every taint" {
	ds=$(doc DaemonSet hardshim-node)
	jq -e '.metadata.namespace == "hardshim-system" and
		.spec.updateStrategy.rollingUpdate.maxUnavailable == 1 and
		.spec.template.spec.priorityClassName == "system-node-critical" and
		.spec.template.spec.tolerations == [{"operator": "Exists"}] and
		.spec.template.spec.containers[0].securityContext.privileged == true and
		(.spec.template.spec.volumes[] | select(.name == "host") | .hostPath.path) == "/" and
		(.spec.template.spec.containers[0].volumeMounts[] | select(.name == "host") | .mountPath) == "/host" and
		(.spec.template.spec.volumes[] | select(.name == "policy") | .configMap.name) == "hardshim-policy" and
		.spec.template.spec.runtimeClassName == "hardshim-bypass"' <<<"$ds"
}

@test "deploy: RuntimeClass hardshim selects ready nodes; the bypass class keeps plain runc" {
	doc RuntimeClass hardshim | jq -e '.handler == "hardshim" and
		.scheduling.nodeSelector == {"hardshim.io/ready": "true"}'
	doc RuntimeClass hardshim-bypass | jq -e '.handler == "runc"'
	doc Namespace hardshim-system | jq -e '.metadata.name == "hardshim-system"'
}

@test "deploy: the ConfigMap's policy is the shipped default and hardshim's loader admits it" {
	doc ConfigMap hardshim-policy | jq -r '.data["policy.json"]' >"$BATS_TEST_TMPDIR/policy.json"
	[ "$(jq -S . "$BATS_TEST_TMPDIR/policy.json")" = "$(jq -S . "$HS_TOP/profiles/policy/default.json")" ]
	run "$HS_BIN" policy lint "$BATS_TEST_TMPDIR/policy.json"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "deploy: make lint shellchecks the node installer (a bad script under deploy/ is named)" {
	# lint.sh in a tree of its own: the repository's scripts as they are, plus one bad one.
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/scripts" "$t/tests/lib" "$t/tests/e2e" "$t/deploy/node"
	cp "$HS_TOP/scripts/lint.sh" "$t/scripts/"
	printf '#!/bin/sh\necho ok\n' >"$t/tests/e2e/ok.sh"
	cp "$HS_TOP/tests/run.sh" "$t/tests/"
	cp "$HS_TOP/deploy/node/"*.sh "$t/deploy/node/"
	cp "$HS_TOP/tests/lib/"*.bash "$t/tests/lib/"
	run env LINT_ONLY=shellcheck sh "$t/scripts/lint.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	printf '#!/bin/sh\nrm -rf "$HOST"/$DIR\nfor f in $(ls /x); do echo "$f"; done\n' >"$t/deploy/node/bad.sh"
	run env LINT_ONLY=shellcheck sh "$t/scripts/lint.sh"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"deploy/node/bad.sh:"* ]]
}
