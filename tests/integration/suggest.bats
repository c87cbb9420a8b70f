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

# Rule ids with no fix of their own: the config itself is malformed or names what no flag,
# field or policy line can admit, so "fix the config itself" is the whole answer.
#   process.args process.cwd process.env: no program, a relative or unclean cwd, a bad env
#     entry: no engine writes them; the config is wrong.
#   owners.refused: a field no part of hardshim judges; admitting it unjudged is the bypass.
#   cgroups.systemd-form: a systemd cgroup path that is not slice:prefix:name.
#   check.output: check could not write its own output file (not a finding on a config).
NO_FIX="cgroups.systemd-form check.output owners.refused process.args process.cwd process.env"

# Every rule id of the policy's controls, check and the command line, as the code spells it.
rule_ids() {
	local areas
	areas=$(grep -oE '&hs_control_[a-z_0-9]+' "$HS_TOP/src/policy/controls.c" |
		sed 's/&hs_control_//' | paste -sd'|')
	grep -rhoE "\"($areas|check|cli)\.[a-z][a-z0-9-]*\"" "$HS_TOP/src" | tr -d '"' |
		grep -vE '\.h$' | sort -u
	echo privileged
}

@test "suggest: every rule id the code makes has fix text, or is one of the few that has none" {
	local r out n=0 bad=0
	hs_policy_default
	for r in $(rule_ids); do
		n=$((n + 1))
		out=$(printf '{"findings":[{"rule":"%s","path":"p","action":"refuse","message":"m"}]}' \
			"$r" | "$HS_BIN" suggest -)
		[[ "$out" == "$r p: m"* ]] || {
			echo "$r: no suggestion at all: $out" >&2
			bad=1
		}
		if [[ "$out" == *"  podman      none: fix the config itself"* ]]; then
			[[ " $NO_FIX " == *" $r "* ]] || {
				echo "$r has no fix text in src/cli/suggest.c" >&2
				bad=1
			}
		else
			[[ " $NO_FIX " != *" $r "* ]] || {
				echo "$r has fix text now: take it out of NO_FIX" >&2
				bad=1
			}
		fi
	done
	echo "$n rule ids" >&2
	[ "$n" -ge 100 ]
	[ "$bad" = 0 ]
}

@test "suggest: capabilities.held and not-held each get their own fix, not 'drop --cap-add'" {
	local out
	hs_policy_default
	out=$(printf '%s' '{"findings":[{"rule":"capabilities.held","path":"process.capabilities.ambient","action":"refuse","message":"CAP_NET_BIND_SERVICE is not in ambient"}]}' |
		"$HS_BIN" suggest -)
	echo "$out"
	[[ "$out" == *'  policy      "capabilities": {"action": "rewrite"} (the default: CAP_NET_BIND_SERVICE is added to inheritable and ambient'* ]]
	[[ "$out" == *'  podman      none needed for a port below 1024'* ]]
	out=$(printf '%s' '{"findings":[{"rule":"capabilities.not-held","path":"process.capabilities.bounding[0]","action":"refuse","message":"CAP_NET_BIND_SERVICE: a non-root process cannot hold it"}]}' |
		"$HS_BIN" suggest -)
	echo "$out"
	[[ "$out" == *'  podman      drop --cap-add CAP_NET_BIND_SERVICE: with --user it reaches bounding only'* ]]
	[[ "$out" == *'  costs       none: the process could never use CAP_NET_BIND_SERVICE'* ]]
}
