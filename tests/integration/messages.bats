#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# What a person reads when hardshim says no (issue 14, "messages that mislead"): a privileged
# request is named as such, once, not as the first of its host devices; the "hardshim:"
# prefix is left out when the caller (Podman's conmon) puts the runtime's name there itself;
# and audit mode records a command line it cannot read and hands it to the runtime, as it
# would any other. Each with the opposite asserted.

load ../lib/bundle

setup() { hs_setup runc; }
teardown() { hs_teardown; }

# What podman --privileged writes: every capability, no masked paths, host devices.
privileged_config() {
	hs_config '.process.capabilities = {"bounding": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"],
			"effective": ["CAP_SYS_ADMIN"], "permitted": ["CAP_SYS_ADMIN"]}
		| del(.linux.maskedPaths) | del(.linux.readonlyPaths)
		| .linux.devices = [{"path": "/dev/loop0", "type": "b", "major": 7, "minor": 0},
				    {"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11},
				    {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]'
}

@test "messages: a privileged request is named once, as privileged" {
	hs_policy_default
	hs_bundle
	privileged_config
	run hs_run p1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == "hardshim: privileged: (document): a privileged container (podman --privileged, Kubernetes securityContext.privileged)"*"(3 refusals, first devices.not-allowed: linux.devices["*"--cap-add, --device"* ]]
	[[ "$output" != *"more refusals"* ]]
	[ "$(echo "$output" | wc -l)" = 1 ]
	# opposite: the same devices asked for by an ordinary (masked) config: the device is named
	hs_config '.linux.maskedPaths = ["/proc/kcore"]'
	run hs_run p2
	echo "$output"
	[[ "$output" == "hardshim: devices.not-allowed: linux.devices["*"]: device /dev/"*"(and 2 more refusals)" ]]
}

@test "messages: the hardshim: prefix is left to conmon, which names the runtime itself" {
	hs_policy_default
	hs_bundle
	hs_config '.mounts += [{"destination": "/host", "type": "bind", "source": "/etc", "options": ["rbind"]}]'
	hs_place_config c1
	# a parent named conmon (a copy of bash), as Podman runs its runtime
	cp "$(command -v bash)" "$HS_TMP/conmon"
	run "$HS_TMP/conmon" -c '"$0" "$@"; exit $?' "$HS_BIN" --root "$HS_STATE" run --bundle "$HS_BUNDLE" c1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == "mounts.sensitive-source: mounts["*"].source: bind source /etc"* ]]
	# opposite: any other caller (containerd's shim, a shell) reads hardshim's name first
	cp "$(command -v bash)" "$HS_TMP/containerd-shim"
	run "$HS_TMP/containerd-shim" -c '"$0" "$@"; exit $?' "$HS_BIN" --root "$HS_STATE" run --bundle "$HS_BUNDLE" c1
	[[ "$output" == "hardshim: mounts.sensitive-source: mounts["*"].source: bind source /etc"* ]]
}

# -b=DIR: runc's flag package reads the bundle DIR, crun's argp "=DIR": hardshim cannot tell
# what the runtime will load, so enforce mode refuses it.
@test "messages: audit mode records a command line it cannot read and hands it on (runc)" {
	hs_policy_default '.mode = "audit"'
	hs_bundle
	hs_args echo ran
	hs_place_config a1
	hs_track a1
	run hs_rt run -b="$HS_BUNDLE" a1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	last=$(tail -n 1 "$HS_LAUNCHES")
	[ "$(jq -r .verdict <<<"$last")" = allowed ]
	[ "$(jq -r .event <<<"$last")" = run ]
	[ "$(jq -r '.findings[0].rule' <<<"$last")" = cli.ambiguous-option ]
	[[ "$(jq -r '.findings[0].message' <<<"$last")" == *"(audit mode: handed to the runtime as it came)" ]]
	# an unknown command is recorded too
	run hs_rt frobnicate a1
	[ "$(tail -n 1 "$HS_LAUNCHES" | jq -r '.event + " " + .findings[0].rule')" = "command cli.unknown-command" ]
	# opposite: enforce mode refuses it, nothing runs
	hs_policy_default
	hs_place_config a2
	hs_track a2
	run hs_rt run -b="$HS_BUNDLE" a2
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == "hardshim: cli.ambiguous-option: -b="* ]]
	[[ "$output" != *ran* ]]
}
