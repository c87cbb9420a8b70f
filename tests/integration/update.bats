#!/usr/bin/env bats
# `update` through hardshim on running runc and crun containers, read back from the
# container's cgroup files: unlimited or huge limits refused (the cgroup keeps its value),
# sane ones applied, from flags, from a file and from stdin. With the resources control off,
# the same unlimited update goes through (the opposite).

load resctl

teardown() { hs_teardown; }

update_flags() {
	rc_setup "$1" '.controls.resources += {"pids_default": 200, "pids_max": 1000, "memory_default": 268435456, "memory_max": 536870912}'
	rc_start up
	[ "$(rc_cgroup up pids pids.max)" = 200 ]
	run hs_rt update --pids-limit -1 up
	rc_refused resources.pids-unlimited --pids-limit
	run hs_rt update --pids-limit=-2 up
	rc_refused resources.pids-unlimited --pids-limit
	run hs_rt update --memory 1073741824 up
	rc_refused resources.memory-max --memory
	run hs_rt update --memory -1 up
	rc_refused resources.memory-unlimited --memory
	run hs_rt update --pids-limit 5000 up
	rc_refused resources.pids-max --pids-limit
	run hs_rt update --pids-limit 010 up # runc reads 8, crun 10
	rc_refused update.bad-value --pids-limit
	[ "$(rc_cgroup up pids pids.max)" = 200 ]
	[ "$(rc_cgroup up memory memory.limit_in_bytes)" = 268435456 ]
	# 0 is "not set" to both runtimes: passed on, and the limits stay
	run hs_rt update --pids-limit=0 up
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup up pids pids.max)" = 200 ]
	run hs_rt update --pids-limit 321 --memory 402653184 up
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup up pids pids.max)" = 321 ]
	[ "$(rc_cgroup up memory memory.limit_in_bytes)" = 402653184 ]
	rc_policy '.controls.resources.enabled = false'
	run hs_rt update --pids-limit 5000 up
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup up pids pids.max)" = 5000 ]
	if [ "$1" = runc ]; then # crun 1.8.1 cannot write -1 to a v1 pids.max at all
		run hs_rt update --pids-limit -1 up
		echo "$output"
		[ "$status" -eq 0 ]
		[ "$(rc_cgroup up pids pids.max)" = max ]
	fi
}
# --memory-swap alone: the runtimes write the swap ceiling without a memory limit beside it,
# so its ceiling (memory * swap_factor) cannot be judged: refused, the cgroup keeps its value.
update_swap_alone() {
	rc_setup "$1" '.controls.resources += {"memory_default": 268435456, "memory_max": 536870912}'
	hs_config '.linux.resources.memory = {"limit": 268435456, "swap": 402653184}'
	rc_start us
	local memsw
	memsw=$(rc_cgroup us memory memory.memsw.limit_in_bytes)
	[ "$memsw" = 402653184 ]
	for v in -1 9223372036854771712 1073741824; do
		run hs_rt update --memory-swap "$v" us
		rc_refused resources.swap-without-memory --memory-swap
		[ "$(rc_cgroup us memory memory.memsw.limit_in_bytes)" = "$memsw" ]
	done
	# with the limit beside it: judged and applied
	run hs_rt update --memory 268435456 --memory-swap 536870912 us
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup us memory memory.memsw.limit_in_bytes)" = 536870912 ]
}
@test "update/runc: --memory-swap without --memory refused, memory.memsw.limit_in_bytes unchanged" { update_swap_alone runc; }
@test "update/crun: --memory-swap without --memory refused, memory.memsw.limit_in_bytes unchanged" { update_swap_alone crun; }

@test "update/runc: --pids-limit -1, huge or -1 --memory refused, 0 unchanged; sane flags applied; control off: applied" { update_flags runc; }
@test "update/crun: --pids-limit -1, huge or -1 --memory refused, 0 unchanged; sane flags applied; control off: applied" { update_flags crun; }

update_resources() {
	rc_setup "$1" '.controls.resources += {"pids_default": 200, "pids_max": 1000}'
	rc_start ur
	# stdin: checked, then handed on (the runtime reads the checked copy)
	run sh -c 'echo "{\"pids\":{\"limit\":-1}}" | "$HS_BIN" --root "$HS_STATE" update --resources - ur'
	rc_refused resources.pids-unlimited pids.limit
	run sh -c 'echo "{\"pids\":{\"limit\":77}}" | "$HS_BIN" --root "$HS_STATE" update --resources=- ur'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup ur pids pids.max)" = 77 ]
	# a file, as Podman passes it; strict core: a duplicate key is refused whole
	printf '{"pids":{"limit":88,"limit":-1}}' >"$HS_TMP/res.json"
	run hs_rt update --resources "$HS_TMP/res.json" ur
	rc_refused json.duplicate-key pids.limit
	printf '{"unified":{"pids.max":"max"}}' >"$HS_TMP/res.json"
	run hs_rt update -r "$HS_TMP/res.json" ur
	rc_refused resources.unified 'unified["pids.max"]'
	[ "$(rc_cgroup ur pids pids.max)" = 77 ]
	printf '{"pids":{"limit":99}}' >"$HS_TMP/res.json"
	run hs_rt update --resources "$HS_TMP/res.json" ur
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup ur pids pids.max)" = 99 ]
	printf '{"pids":{"limit":5000}}' >"$HS_TMP/res.json"
	run hs_rt update --resources "$HS_TMP/res.json" ur
	rc_refused resources.pids-max pids.limit
	rc_policy '.controls.resources.enabled = false'
	run sh -c '"$HS_BIN" --root "$HS_STATE" update --resources - ur <"$HS_TMP/res.json"'
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup ur pids pids.max)" = 5000 ]
}
@test "update/runc: --resources - and FILE checked by the strict core, applied from the checked copy" { update_resources runc; }
@test "update/crun: --resources - and FILE checked by the strict core, applied from the checked copy" { update_resources crun; }

# The exception a container was created under applies to its updates too: hardshim asks the
# runtime for the container's state (its annotations, from the config hardshim handed on).
update_exception() {
	rc_setup "$1" '.controls.resources += {"pids_default": 200, "pids_max": 1000}
		| .exceptions = [{"name": "builders",
			"match": {"annotations": {"io.kubernetes.cri.sandbox-namespace": "ci"}},
			"controls": {"resources": {"pids_max": 4096}}}]'
	hs_config '.annotations = {"io.kubernetes.cri.sandbox-namespace": "ci"}'
	rc_start ci
	hs_config '.annotations = {"io.kubernetes.cri.sandbox-namespace": "default"}'
	rc_start plain
	run hs_rt update --pids-limit 3000 ci
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup ci pids pids.max)" = 3000 ]
	printf '{"pids":{"limit":3500}}' >"$HS_TMP/res.json"
	run hs_rt update --resources "$HS_TMP/res.json" ci
	[ "$status" -eq 0 ]
	[ "$(rc_cgroup ci pids pids.max)" = 3500 ]
	run hs_rt update --pids-limit 5000 ci
	rc_refused resources.pids-max --pids-limit
	run hs_rt update --pids-limit 3000 plain
	rc_refused resources.pids-max --pids-limit
	[ "$(rc_cgroup plain pids pids.max)" = 200 ]
	# opposite: without the exception in the policy, the ci container gets the base maximum
	rc_policy '.controls.resources += {"pids_default": 200, "pids_max": 1000}'
	run hs_rt update --pids-limit 2000 ci
	rc_refused resources.pids-max --pids-limit
	[ "$(rc_cgroup ci pids pids.max)" = 3500 ]
}
@test "update/runc: the container's exception (from its annotations) applies to update" { update_exception runc; }
@test "update/crun: the container's exception (from its annotations) applies to update" { update_exception crun; }
