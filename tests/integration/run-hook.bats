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

# With egress off, `run`'s hook is `hardshim hook devices RULE...` alone. It loads no policy,
# so the front runs it itself (src/cli/hook-devices.c), without exec'ing the core (issue 17:
# the second core start per container). The runtime's own grant is gone from the container's
# devices cgroup (from the host), and the container ran.
devices_only() {
	local pid
	[ -d /sys/fs/cgroup/devices ] || skip "no cgroup v1 devices hierarchy"
	hs_use_runtime "$1" '.controls.egress.enabled = false'
	hs_bundle
	hs_args sh -c 'echo ran; exec sleep 1000'
	hs_run $C1 --detach --pid-file "$HS_TMP/$C1.pid" >"$HS_TMP/$C1.out" 2>"$HS_TMP/$C1.err" || {
		cat "$HS_TMP/$C1.err" >&2
		return 1
	}
	pid=$(cat "$HS_TMP/$C1.pid")
	echo "$pid" >>"$HS_PIDS"
	jq -c '.hooks.createRuntime' "$HS_BUNDLE/config.json"
	jq -e --arg b "$HS_BIN" '[.hooks.createRuntime[] | select(.path == $b)] |
		length == 1 and .[0].args == ["hardshim", "hook", "devices", "c 10:200 rwm", "c 5:1 rwm"]' \
		"$HS_BUNDLE/config.json"
	devices_list "$pid"
	run grep -cE '^c (10:200|5:1) ' <(devices_list "$pid")
	[ "$output" = 0 ]
	for _ in $(seq 50); do grep -qx ran "$HS_TMP/$C1.out" && break; sleep 0.1; done
	grep -qx ran "$HS_TMP/$C1.out"
}

@test "run, egress off: the devices hook alone takes the runtime's grant back (runc)" {
	devices_only runc
}

@test "run, egress off: the devices hook alone takes the runtime's grant back (crun)" {
	devices_only crun
}

# A devices hook that refuses fails the start under both runtimes, with the reason where the
# runtime's caller sees it (crun runs hooks with stderr on /dev/null: the front's line goes to
# the runtime's own stderr, as the core's did). `run` would replace a config's own `hook
# devices` with the one it writes, so the bare runtime runs this config: a rule hardshim never
# writes, as a node's hooks.d or an engine could hand it.
devices_refused() {
	hs_use_runtime "$1" '.controls.egress.enabled = false'
	hs_bundle
	hs_config '.hooks.createRuntime = [{path: $b, args: ["hardshim", "hook", "devices",
		"c 1:3 rwm"]}]' --arg b "$HS_BIN"
	hs_args sh -c 'echo ran'
	hs_track $C1
	hs_place_config $C1
	run hs_rt_direct run --bundle "$HS_BUNDLE" $C1 </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	! grep -qx ran <<<"$output" || false
	[[ "$output" == *'hardshim: hook devices: refused: hook.devices: c 1:3 rwm: not a runtime grant hardshim denies'* ]]
	[ -z "$(hs_rt_direct state $C1 2>/dev/null | jq -r 'select(.status == "running") | .pid')" ]
}

@test "hook devices: a refusal fails the bare runtime's start (runc)" {
	devices_refused runc
}

@test "hook devices: a refusal fails the bare runtime's start (crun)" {
	devices_refused crun
}

# The front runs `hook devices` itself: one execve (hardshim's), no execveat of the core, and
# the grants are denied in a devices cgroup of the test's own. The same checks as the core's:
# a rule hardshim never writes, a state with a pid below 2 or with a field of the wrong type,
# and a process in the hierarchy's root (the host's own cgroup) are refused, each naming why.
@test "hook devices: the front denies the grants itself, without exec'ing the core, and refuses as the core did" {
	[ -d /sys/fs/cgroup/devices ] || skip "no cgroup v1 devices hierarchy"
	command -v strace >/dev/null || skip "strace is not installed"
	local cg=/sys/fs/cgroup/devices/hs-rh-$$ pid state st=
	mkdir "$cg"
	sleep 1000 &
	pid=$!
	echo "$pid" >"$cg/cgroup.procs"
	echo a >"$cg/devices.deny"
	echo 'c 10:200 rwm' >"$cg/devices.allow"
	echo 'c 5:1 rwm' >"$cg/devices.allow"
	state='{"ociVersion":"1.0.2","id":"x","status":"created","pid":%d,"bundle":"/"}'
	printf "$state" "$pid" >"$HS_TMP/state.json"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq \
		-e trace=execve,execveat -o "$HS_TMP/hook.trace" \
		"$HS_BIN" hook devices 'c 10:200 rwm' 'c 5:1 rwm' <"$HS_TMP/state.json" || st=failed
	cat "$HS_TMP/hook.trace"
	cat "$cg/devices.list"
	grep -qE '^c (10:200|5:1) ' "$cg/devices.list" && st=granted
	# a pid below 2 (no container's), then pid 2 (kthreadd: always in the hierarchy's root)
	run "$HS_BIN" hook devices 'c 10:200 rwm' < <(printf "$state" 1)
	echo "$output"
	[ "$status" = 1 ] && [[ "$output" == *"hook.state: pid"* ]] || st=pid1
	run "$HS_BIN" hook devices 'c 10:200 rwm' < <(printf "$state" 2)
	echo "$output"
	[ "$status" = 1 ] && [[ "$output" == *"the host's own cgroup"* ]] || st=root
	run "$HS_BIN" hook devices 'c 10:200 rwm' 'c 10:200 rw x' < "$HS_TMP/state.json"
	[ "$status" = 1 ] && [[ "$output" == *'hook.devices: c 10:200 rw x: not a runtime grant'* ]] || st=rule
	run "$HS_BIN" hook devices 'c 10:200 rwm' < <(echo '{"ociVersion":"1.0.2","id":1,"status":"created","pid":2,"bundle":"/"}')
	echo "$output"
	[ "$status" = 1 ] && [[ "$output" == *"hardshim: hook devices: refused:"*id* ]] || st=state
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.2; done
	[ -z "$st" ]
	grep -c execve "$HS_TMP/hook.trace" | grep -qx 1
	! grep -q execveat "$HS_TMP/hook.trace"
}
