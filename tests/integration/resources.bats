#!/usr/bin/env bats
# Resource limits through hardshim with the real runc and crun, seen in the container's own
# cgroup files on the host: "unlimited" in the config becomes the policy's default, a limit
# above the maximum is refused. Each case also runs with the control switched off
# ("enabled": false) and shows the opposite, so it fails if the control is removed.

load resctl

teardown() { hs_teardown; }

# pids.limit -1 (unlimited, and 0 too) -> the policy default in pids.max.
pids_unlimited() {
	rc_setup "$1" '.controls.resources.pids_default = 123'
	hs_config '.linux.resources.pids = {"limit": -1}'
	rc_start r1
	[ "$(rc_cgroup r1 pids pids.max)" = 123 ]
	hs_config '.linux.resources.pids = {"limit": 0}'
	rc_start r0
	[ "$(rc_cgroup r0 pids pids.max)" = 123 ]
	# control off: the runtime gets 0 and the container has no pids limit (crun 1.8.1 cannot
	# even write -1 to a v1 pids.max)
	rc_policy '.controls.resources.enabled = false'
	rc_start r2
	[ "$(rc_cgroup r2 pids pids.max)" = max ]
}
@test "resources/runc: pids.limit -1 or 0 gets the policy default (pids.max)" { pids_unlimited runc; }
@test "resources/crun: pids.limit -1 or 0 gets the policy default (pids.max)" { pids_unlimited crun; }

# launched ID: the create record of container ID in the launch log.
launched() {
	jq -c --arg id "$1" 'select(.id == $id and .event == "create")' "$HS_LAUNCHES" | tail -n 1
}

# memory.limit absent or -1 -> the policy default in memory.limit_in_bytes (v1 here).
memory_unlimited() {
	rc_setup "$1" '.controls.resources.memory_default = 209715200'
	hs_config '.linux.resources.memory = {"limit": -1}'
	rc_start m1
	[ "$(rc_cgroup m1 memory memory.limit_in_bytes)" = 209715200 ]
	hs_config 'del(.linux.resources.memory)'
	rc_start m2
	[ "$(rc_cgroup m2 memory memory.limit_in_bytes)" = 209715200 ]
	# issue 14 cause 6: the launch record says which limits were the policy's default
	[ "$(launched m2 | jq -c .defaulted)" = '["memory","pids"]' ]
	hs_config '.linux.resources.memory = {"limit": 104857600} | .linux.resources.pids = {"limit": 50}'
	rc_start m4
	[ "$(rc_cgroup m4 memory memory.limit_in_bytes)" = 104857600 ]
	[ "$(launched m4 | jq -c .defaulted)" = null ]
	hs_config 'del(.linux.resources.memory) | del(.linux.resources.pids)'
	rc_policy '.controls.resources.enabled = false'
	rc_start m3
	[ "$(rc_cgroup m3 memory memory.limit_in_bytes)" != 209715200 ]
	[ "$(rc_cgroup m3 memory memory.limit_in_bytes)" -gt 1000000000000 ] # the v1 "unlimited"
}
@test "resources/runc: memory.limit absent or -1 gets the policy default (memory.limit_in_bytes)" { memory_unlimited runc; }
@test "resources/crun: memory.limit absent or -1 gets the policy default (memory.limit_in_bytes)" { memory_unlimited crun; }

# Above the maximum: refused with the rule and the JSON path; nothing is created.
over_max() {
	rc_setup "$1" '.controls.resources.pids_max = 500 | .controls.resources.pids_default = 100'
	hs_config '.linux.resources.pids = {"limit": 100000}'
	run hs_create big
	rc_refused resources.pids-max linux.resources.pids.limit
	[[ "$output" == *"above the policy's maximum 500"* ]]
	[ -z "$(hs_state big)" ]
	# with "rewrite" it is lowered to the maximum instead
	rc_policy '.controls.resources += {"pids_max": 500, "pids_default": 100, "action": "rewrite"}'
	rc_start clamped
	[ "$(rc_cgroup clamped pids pids.max)" = 500 ]
	rc_policy '.controls.resources.enabled = false'
	rc_start big2
	[ "$(rc_cgroup big2 pids pids.max)" = 100000 ]
}
@test "resources/runc: pids.limit above the maximum refused (rewrite: lowered)" { over_max runc; }
@test "resources/crun: pids.limit above the maximum refused (rewrite: lowered)" { over_max crun; }

# A cgroup v2 "unified" key that would lift a limit is refused before the runtime sees it.
@test "resources: linux.resources.unified pids.max=max refused" {
	rc_setup runc
	hs_config '.linux.resources.unified = {"pids.max": "max"}'
	run hs_create u1
	rc_refused resources.unified 'linux.resources.unified["pids.max"]'
	rc_policy '.controls.resources.enabled = false'
	run hs_create u2
	[[ "$output" != *resources.unified* ]]
}
