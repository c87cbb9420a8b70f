#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `hardshim suggest`: from a refused config, a check report or the launch log, the Podman
# flags, Kubernetes fields or policy lines that would let the container run, and their cost.
# The policy line it names is then applied, and the container runs (or check no longer warns).

load ../lib/bundle

setup() { hs_setup runc; }
teardown() { hs_teardown; }

@test "suggest: a refused sysctl gets the policy line, and with that line the container runs" {
	hs_policy_default
	hs_bundle
	hs_config '.linux.sysctl = {"net.core.somaxconn": "99"} | .process.user = {"uid": 1000, "gid": 1000}'
	hs_args cat /proc/sys/net/core/somaxconn
	hs_place_config s1
	run hs_run s1
	[ "$status" -ne 0 ]
	run "$HS_BIN" suggest "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'sysctl.not-allowed linux.sysctl["net.core.somaxconn"]: '* ]]
	[[ "$output" == *'  podman      drop --sysctl net.core.somaxconn'* ]]
	[[ "$output" == *'  policy      "sysctl": {"allow": [..., "net.core.somaxconn"]}'* ]]
	[[ "$output" == *'  costs       the container sets net.core.somaxconn in its own namespace'* ]]
	# the line, applied: it runs and the value is seen inside
	hs_policy_default '.controls.sysctl.allow += ["net.core.somaxconn"]'
	run hs_run s2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 99 ]
	# the launch log of the refusal gives the same suggestion
	run "$HS_BIN" suggest --id s1 "$HS_LAUNCHES"
	echo "$output"
	[[ "$output" == *'  policy      "sysctl": {"allow": [..., "net.core.somaxconn"]}'* ]]
}

@test "suggest: a privileged request is one suggestion, not one per device" {
	hs_policy_default
	hs_bundle
	hs_config '.process.capabilities = {"bounding": ["CAP_SYS_ADMIN"], "effective": ["CAP_SYS_ADMIN"], "permitted": ["CAP_SYS_ADMIN"]}
		| del(.linux.maskedPaths)
		| .linux.devices = [{"path": "/dev/loop0", "type": "b", "major": 7, "minor": 0},
				    {"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]'
	run "$HS_BIN" suggest "$HS_CONFIG"
	echo "$output"
	[[ "$output" == *"  podman      run it without --privileged;"* ]]
	[[ "$output" != *"devices.not-allowed"* ]]
	# opposite: the same devices in a masked config are named one by one
	hs_config '.linux.maskedPaths = ["/proc/kcore"]'
	run "$HS_BIN" suggest "$HS_CONFIG"
	[[ "$output" == *'  podman      --device /dev/loop0 only'* ]]
	[[ "$output" == *'  policy      "devices": {"allow": [{"path": "/dev/kmsg"}]}'* ]]
	[[ "$output" != *"without --privileged"* ]]
}

@test "suggest: from a check report, the working directory on the read-only root and root" {
	hs_policy_default
	hs_bundle
	mkdir -p "$HS_BUNDLE/rootfs/app"
	hs_config '.process.cwd = "/app" | .process.user = {"uid": 0, "gid": 0}'
	"$HS_BIN" check --format json "$HS_CONFIG" >"$HS_TMP/report.json" || true
	run "$HS_BIN" suggest "$HS_TMP/report.json"
	echo "$output"
	[[ "$output" == *"check.cwd-not-writable process.cwd: /app is on the read-only root"* ]]
	[[ "$output" == *"  podman      -v NAME:/app (a volume) or --tmpfs /app"* ]]
	[[ "$output" == *'"rootfs": {"tmpfs": ["/tmp", "/run", "/var/tmp", "/app"]}'* ]]
	[[ "$output" == *"user.root process.user.uid: "* ]]
	[[ "$output" == *"  kubernetes  securityContext.runAsUser and runAsGroup"* ]]
	# the policy line, applied: check no longer warns about the working directory
	hs_policy_default '.controls.rootfs.tmpfs += ["/app"]'
	run "$HS_BIN" check --format json "$HS_CONFIG"
	jq -e '[.summary.warnings[].rule] | index("check.cwd-not-writable") == null' <<<"$output"
	# nothing to fix
	hs_policy_default
	hs_config '.process.cwd = "/" | .process.user = {"uid": 1000, "gid": 1000}
		| .linux.resources = {"memory": {"limit": 268435456}, "pids": {"limit": 100}}'
	mkdir -p "$HS_BUNDLE/rootfs/run" "$HS_BUNDLE/rootfs/tmp"
	chmod 1777 "$HS_BUNDLE/rootfs/run" "$HS_BUNDLE/rootfs/tmp"
	run "$HS_BIN" suggest "$HS_CONFIG"
	echo "$output"
	[ "$output" = "nothing to fix: it runs under this policy as it is" ]
}
