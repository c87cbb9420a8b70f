#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `hardshim run` execs `RUNTIME run`, so what hardshim does after the runtime's create is a
# createRuntime hook: the devices deny of the runtimes' own grants (runc: c 10:200, crun:
# c 5:1) and the egress install in the network namespace the runtime makes. When both apply
# they are ONE hardshim process (`hardshim hook devices-egress`, issue 17). Shown from the host's
# view of the container (its devices.list, its namespace's table) and from inside (an allowed
# port connects, another is refused), under runc and crun; a failing half fails the start.

load ../lib/bundle
load ../lib/netns

setup() {
	hs_setup runc
	hs_netns_setup "rh-$$-$BATS_TEST_NUMBER"
	hs_netns_listen 8080 8081
}

teardown() {
	hs_teardown
	hs_netns_teardown
}

C1=hs$$-rh$BATS_TEST_NUMBER-1

# The devices.list of pid's devices cgroup (cgroup v1), from the host.
devices_list() {
	local cg
	cg=$(awk -F: '$2 ~ /(^|,)devices(,|$)/ {print $3}' "/proc/$1/cgroup")
	cat "/sys/fs/cgroup/devices$cg/devices.list"
}

one_hook() {
	local pid tag=${HS_NS#hs-c-} i
	[ -d /sys/fs/cgroup/devices ] || skip "no cgroup v1 devices hierarchy"
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	hs_bundle
	hs_rootfs_add_helper netprobe
	# the runtime makes the network namespace (no path): its rules can only come from a hook;
	# the container waits for the veth the test moves in, then probes the peer
	hs_args sh -c 'r() { "$@" >/dev/null 2>&1; echo $?; }
		for i in $(seq 100); do ip addr | grep -q "inet 198.18.0.1/" && break; sleep 0.1; done
		echo ok=$(r netprobe tcp 198.18.0.2 8080 3000)
		echo port=$(r netprobe tcp 198.18.0.2 8081 1000)
		echo done; exec sleep 1000'
	hs_run $C1 --detach --pid-file "$HS_TMP/$C1.pid" >"$HS_TMP/$C1.out" 2>"$HS_TMP/$C1.err" || {
		cat "$HS_TMP/$C1.err" >&2
		return 1
	}
	pid=$(cat "$HS_TMP/$C1.pid")
	echo "$pid" >>"$HS_PIDS"
	# exactly one hook of hardshim's in the config the runtime ran, doing both
	jq -c '.hooks.createRuntime' "$HS_BUNDLE/config.json"
	jq -e --arg b "$HS_BIN" '[.hooks.createRuntime[] | select(.path == $b)] | length == 1' \
		"$HS_BUNDLE/config.json"
	jq -e '.hooks.createRuntime[-1].args[0:5] ==
		["hardshim", "hook", "devices-egress", "c 10:200 rwm", "c 5:1 rwm"]' "$HS_BUNDLE/config.json"
	# the runtime's own grant is gone from the container's devices cgroup
	devices_list "$pid"
	run grep -cE '^c (10:200|5:1) ' <(devices_list "$pid")
	[ "$output" = 0 ]
	# the egress table is in the container's own namespace, and enforced from inside
	nsenter -t "$pid" -n nft list table inet hardshim | grep -q 'hardshim ruleset sha256:'
	ip -n "$HS_NS" link set "hsc$tag" netns "$pid"
	# up first: the address the container waits for is then usable at once
	nsenter -t "$pid" -n ip link set "hsc$tag" up
	nsenter -t "$pid" -n ip addr add 198.18.0.1/24 dev "hsc$tag"
	for i in $(seq 100); do grep -qx done "$HS_TMP/$C1.out" && break; sleep 0.1; done
	cat "$HS_TMP/$C1.out"
	grep -qx ok=0 "$HS_TMP/$C1.out"
	grep -qx port=1 "$HS_TMP/$C1.out"
}

@test "run: one hook process denies the runtime's grant and installs the egress rules (runc)" {
	one_hook runc
}

@test "run: one hook process denies the runtime's grant and installs the egress rules (crun)" {
	one_hook crun
}

# Either half failing fails the hook, so the runtime does not start the container: here the
# hooks section only warns, so a config's own `hook devices-egress` whose egress half hardshim
# would never write (no --default) reaches the runtime, and the hook refuses it before doing
# anything. The container's process never runs; the runtime's error carries the hook's reason.
failing_half() {
	hs_use_runtime "$1" '.controls.egress.enabled = false | .controls.hooks.action = "warn"'
	hs_bundle
	hs_config '.hooks.createRuntime = [{path: $b, args: ["hardshim", "hook", "devices-egress",
		"c 10:200 rwm", "--allow", "198.18.0.2/32:8080/tcp"]}]' --arg b "$HS_BIN"
	hs_args sh -c 'echo ran'
	run hs_run $C1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" != *ran* ]]
	[[ "$output" == *"hardshim: hook devices-egress: refused: usage: --default"* ]]
	[ -z "$(hs_rt_direct state $C1 2>/dev/null | jq -r 'select(.status == "running") | .pid')" ]
}

@test "run: a failing half of the combined hook fails the start (runc)" {
	failing_half runc
}

@test "run: a failing half of the combined hook fails the start (crun)" {
	failing_half crun
}

# The halves in order, on a process outside any container: the denies are written into a
# devices cgroup of the test's own, then the egress half refuses the host's network namespace
# (egress.host-netns): the hook fails, having denied first, as the devices hook ran first.
@test "run: the combined hook denies first, then fails on the host's namespace (egress.host-netns)" {
	[ -d /sys/fs/cgroup/devices ] || skip "no cgroup v1 devices hierarchy"
	local cg=/sys/fs/cgroup/devices/hs-rh-$$ pid state
	mkdir "$cg"
	sleep 1000 &
	pid=$!
	echo "$pid" >"$cg/cgroup.procs"
	# deny by default, the one grant the hook takes back (as runc writes it)
	echo a >"$cg/devices.deny"
	echo 'c 10:200 rwm' >"$cg/devices.allow"
	grep -qx 'c 10:200 rwm' "$cg/devices.list"
	state='{"ociVersion":"1.0.2","id":"x","status":"created","pid":%d,"bundle":"/"}'
	run sh -c "printf '$state' $pid | '$HS_BIN' hook devices-egress 'c 10:200 rwm' --default deny"
	echo "$output"
	cat "$cg/devices.list"
	! grep -q '^c 10:200 ' "$cg/devices.list" || st=bad
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.2; done
	[ "$status" = 1 ]
	[[ "$output" == *"egress.host-netns"* ]]
	[ "${st:-}" != bad ]
}
