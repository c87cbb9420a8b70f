#!/usr/bin/env bats
# class 3 of issue 13 (wrong models of what the runtimes do): /dev/console assumed to be a node
# the runtime makes anyway, and a cgroupsPath with ':' assumed to be the systemd form. Each is
# shown to work against the bare runtime, then stopped by hardshim; the proof is read from
# inside the container or from the cgroup files /proc/<pid>/cgroup names.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() {
	rt_teardown
	local p d
	if [ -f "$HS_TMP/victims" ]; then
		while read -r p; do kill "$p" 2>/dev/null || true; done <"$HS_TMP/victims"
	fi
	if [ -f "$HS_TMP/cgroups" ]; then
		# a killed victim (or runc's killed init) leaves its cgroup only once it has exited
		while read -r d; do
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				rmdir "$d" 2>/dev/null && break
				[ -d "$d" ] || break
				sleep 0.3
			done
		done <"$HS_TMP/cgroups"
	fi
	return 0
}

# No runtime creates /dev/console for a container without a terminal (its console is its pty,
# bound there when it has one); a config asking for the node c 5:1 gets the host's console.
console_node() {
	rt_begin "$1"
	hs_config '.linux.devices = [{"path": "/dev/console", "type": "c", "major": 5, "minor": 1, "fileMode": 438}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 5, "minor": 1, "access": "rwm"}]'
	rt_inside_probe 'test -c /dev/console && test -w /dev/console && echo writable || echo absent'
	rt_works_direct '[ "$RT_OUT" = writable ]'
	rt_refused devices.not-allowed 'linux.devices[0]'
}
@test "runc: a /dev/console node (c 5:1) and its grant: the host's console" { console_node runc; }
@test "crun: a /dev/console node (c 5:1) and its grant: the host's console" { console_node crun; }

# victim NAME: a v1 cgroup NAME in the usual hierarchies holding a host process (a service's),
# recorded for teardown. Sets RT_VICTIM_PID.
victim() {
	local c
	sleep 1000 </dev/null >/dev/null 2>&1 &
	RT_VICTIM_PID=$!
	echo "$RT_VICTIM_PID" >>"$HS_TMP/victims"
	for c in pids memory devices freezer cpu; do
		mkdir -p "/sys/fs/cgroup/$c/$1"
		grep -qxF "/sys/fs/cgroup/$c/$1" "$HS_TMP/cgroups" 2>/dev/null ||
			echo "/sys/fs/cgroup/$c/$1" >>"$HS_TMP/cgroups"
		echo "$RT_VICTIM_PID" >"/sys/fs/cgroup/$c/$1/cgroup.procs"
	done
}

# The cgroupfs driver (both runtimes' default, this machine's) cleans "/hs-x:y/../VICTIM" as a
# path: the container joins the victim's cgroup, sets its limits and device rules on it.
cgroup_colon() {
	local v=hs-redteam-colon-$$-$1 a
	rt_begin "$1"
	hs_config '.linux.cgroupsPath = $p' --arg p "/hs-x:y/../$v"
	victim "$v"
	a=$(rt_id)
	HS_VIA=direct hs_create_start "$a"
	hs_wait_state "$a" running
	hs_proc "$a" cgroup | grep -q ":pids:/$v\$" ||
		{ echo "bare $HS_RUNTIME did not put the container in /$v" >&2; return 1; }
	# runc warns that it cannot remove the victim's busy cgroup: its status is not the point
	hs_rt_direct delete --force "$a" 2>/dev/null || true
	# a fresh victim: the bare run left its limits on the first (and crun's delete killed it)
	v=$v-b
	hs_config '.linux.cgroupsPath = $p' --arg p "/hs-x:y/../$v"
	victim "$v"
	rt_refused cgroups.in-use linux.cgroupsPath
	[ "$(cat "/sys/fs/cgroup/pids/$v/pids.max")" = max ]
	[ "$(cat "/sys/fs/cgroup/devices/$v/devices.list")" = "a *:* rwm" ]
	grep -qx "$RT_VICTIM_PID" "/sys/fs/cgroup/pids/$v/cgroup.procs"
}
@test "runc: cgroupsPath /hs-x:y/../victim joins a host service's cgroup (cgroupfs driver)" { cgroup_colon runc; }
@test "crun: cgroupsPath /hs-x:y/../victim joins a host service's cgroup (cgroupfs driver)" { cgroup_colon crun; }

# Each runtime grants one device of its own after the config's rules (on cgroup v1 the last
# matching rule wins, so no config rule takes it back): runc 1.1 c 10:200 (/dev/net/tun), crun
# 1.8 c 5:1 (the host's console). Neither makes the node in /dev, but the rootfs is not nodev:
# an image that ships the node opens it. Through `run`, hardshim's createRuntime hook (`hook
# devices`) denies both, so the container's devices.list is the same under both runtimes and holds neither.
# Read from inside (the container's own devices cgroup, as the runtime mounts it) and tried
# with the tun node the image ships.
# grants_attack RUNTIME: the bundle with the tun node, the probe, and the grant shown to work
# against the bare runtime.
grants_attack() {
	rt_begin "$1"
	mkdir -p "$HS_BUNDLE/rootfs/nodes"
	mknod -m 0666 "$HS_BUNDLE/rootfs/nodes/tun" c 10 200
	rt_inside_probe 'grep -E "^c (10:200|5:1) " /sys/fs/cgroup/devices/devices.list | tr "\n" ";"
		if (exec 3</nodes/tun) 2>/dev/null; then echo tun-opens; else echo tun-denied; fi'
	case $1 in
	runc) rt_works_direct '[[ "$RT_OUT" == *"c 10:200 rwm;"* && "$RT_OUT" == *tun-opens ]]' ;;
	crun) rt_works_direct '[[ "$RT_OUT" == *"c 5:1 rwm;"* && "$RT_OUT" == *tun-denied ]]' ;;
	esac
}
default_grants() {
	grants_attack "$1"
	rt_neutralised '[ "$RT_STATUS" = 0 ] && [ "$RT_OUT" = tun-denied ]'
}
@test "runc: a runtime's own device grant (runc c 10:200 tun, crun c 5:1 console) opens a node the image ships" { default_grants runc; }
@test "crun: a runtime's own device grant (runc c 10:200 tun, crun c 5:1 console) opens a node the image ships" { default_grants crun; }

# The same grants, with the container made as engines make it: `create`, then `start`.
# hardshim's create waits for the runtime's create and denies both grants itself, in the
# cgroup of the init the runtime made (parked until `start`): the config the runtime got has
# no devices hook (no second hardshim per container). The init's pid comes from the engine's
# --pid-file only when root alone could have written it: a pid file in a directory another
# uid owns (who could swap in a victim's pid after the runtime wrote it) is not read, the
# runtime's own state names the init instead; shown here to still deny (the race itself is
# not reproducible on demand).
default_grants_create() {
	local id piddir how
	grants_attack "$1"
	piddir="$HS_TMP/nobody-pids"
	mkdir -m 0755 "$piddir"
	chown 65534 "$piddir"
	for how in engine untrusted; do
		rt_id >/dev/null # not in a subshell: each turn its own id
		id=$RT_ID
		if [ "$how" = engine ]; then
			hs_create "$id"
		else
			hs_track "$id"
			hs_place_config "$id"
			hs_rt create --bundle "$HS_BUNDLE" --pid-file "$piddir/$id.pid" "$id" \
				</dev/null >"$HS_TMP/$id.out" 2>"$HS_TMP/$id.err" || {
				cat "$HS_TMP/$id.err" >&2
				return 1
			}
		fi
		# no hook: the create path did it, before anything of the image ran
		jq -e '[.hooks.createRuntime[]? | select(.args[1] == "hook" and (.args[2] | test("devices")))] | length == 0' \
			"$HS_BUNDLE/config.json"
		[ "$(hs_state "$id")" = created ]
		hs_start "$id"
		hs_wait_state "$id" stopped
		echo "# $how: $(cat "$HS_TMP/$id.out")" >&2
		[ "$(cat "$HS_TMP/$id.out")" = tun-denied ]
	done
}
@test "runc: a runtime's own device grant, container made by create + start (no devices hook)" { default_grants_create runc; }
@test "crun: a runtime's own device grant, container made by create + start (no devices hook)" { default_grants_create crun; }

# Where the init cannot be found (here a runtime whose `state` names a pid that has exited, as
# a pid reused or a lying state would), the deny cannot be done: create fails closed, the
# container the runtime made is deleted before anything of it ran, and the launch log says
# the create failed after the runtime.
# create_whose_state_says PID: hardshim create through the runtime, whose `state` names PID as
# the container's init (the rest is the real runtime's). Sets id, status and output (run).
create_whose_state_says() {
	cat >"$HS_TMP/runtime" <<-EOF
		#!/bin/sh
		for a; do
		    [ "\$a" = state ] && exec echo '{"ociVersion":"1.0.2","id":"x","pid":$1,"status":"created","bundle":"/"}'
		done
		exec $HS_RUNTIME_PATH "\$@"
	EOF
	chmod 0755 "$HS_TMP/runtime"
	hs_policy_default '.runtime = $rt' --arg rt "$HS_TMP/runtime"
	rt_id >/dev/null
	id=$RT_ID
	hs_track "$id"
	hs_place_config "$id"
	run hs_rt create --bundle "$HS_BUNDLE" "$id"
	echo "$output"
}

# The create failed after the runtime's: the container is gone and the launch log says so,
# naming RULE.
failed_after_runtime() {
	! hs_rt_direct state "$id" >/dev/null 2>&1 || false
	tail -n 1 "$HS_LAUNCHES" | jq -e --arg id "$id" --arg rule "$1" \
		'.event == "runtime-failed" and .id == $id and .exit == 0 and (.error | contains($rule))'
	"$HS_BIN" log show "$HS_LAUNCHES" | grep -F "$id" | grep -q 'FAILED: after the runtime'
}

deny_fails_closed() {
	local id dead
	rt_begin "$1"
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	create_whose_state_says "$dead"
	[ "$status" = 1 ]
	[[ "$output" == *"devices.runtime-grants"*"pid $dead"* ]]
	failed_after_runtime devices.runtime-grants
}
@test "runc: the devices deny at create cannot find the container's init: create fails, container deleted" { deny_fails_closed runc; }
@test "crun: the devices deny at create cannot find the container's init: create fails, container deleted" { deny_fails_closed crun; }

# An init that has exited but is not reaped yet reads, in /proc/<pid>/cgroup, as in the devices
# hierarchy's root: the host's own cgroup. A deny written there would take tun (c 10:200) and
# the console (c 5:1) from every process of the host. Here the runtime's `state` names such a
# process: the deny is refused, under create's own rule (devices.runtime-grants, not the
# hook's), and the container goes as above.
deny_in_root_refused() {
	local id z=
	rt_begin "$1"
	# a parent that never reaps and its child that has exited (a shell may reap on its own)
	python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
open(sys.argv[1] + ".new", "w").write(str(pid))
os.rename(sys.argv[1] + ".new", sys.argv[1])
time.sleep(1000)' "$HS_TMP/zombie" </dev/null >/dev/null 2>&1 &
	echo $! >>"$HS_TMP/victims"
	for _ in $(seq 100); do
		[ -f "$HS_TMP/zombie" ] && z=$(cat "$HS_TMP/zombie") &&
			[ "$(awk '{ print $3 }' "/proc/$z/stat")" = Z ] && break
		sleep 0.1
	done
	[ "$(awk '{ print $3 }' "/proc/$z/stat")" = Z ]
	grep -qx '[0-9]*:devices:/' "/proc/$z/cgroup" ||
		skip "no cgroup v1 devices hierarchy, or this kernel keeps an exited process's cgroup"
	create_whose_state_says "$z"
	[ "$status" = 1 ]
	[[ "$output" == *"devices.runtime-grants: /sys/fs/cgroup/devices: the process is in the root: the host's own cgroup"* ]]
	[[ "$output" != *"hook.devices"* ]]
	failed_after_runtime "devices.runtime-grants: /sys/fs/cgroup/devices"
}
@test "runc: the devices deny at create finds its init in the hierarchy's root (exited): refused there, container deleted" { deny_in_root_refused runc; }
@test "crun: the devices deny at create finds its init in the hierarchy's root (exited): refused there, container deleted" { deny_in_root_refused crun; }

# Issue 17: create installs the egress rules of a network namespace the runtime makes in the
# container init's own namespace, found by pid after the runtime's create. Aimed at the host
# (rules there cut the node off), an attacker would make that pid name a host process.
# (1) The pid file: the engine named it, but in a directory its owner (here nobody, as a
# user-namespace bundle's uid or a config author could own one) can swap it after the runtime
# wrote it; the runtime here does exactly that swap, to a host process's pid. hardshim does not
# trust that file: it asks the runtime's state, installs in the real init's namespace, and the
# host and the victim's namespace get nothing.
egress_pidfile_swapped() {
	local id piddir victim pid
	rt_begin "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	victim=$!
	echo "$victim" >>"$HS_TMP/victims"
	piddir="$HS_TMP/nobody-pids"
	mkdir -m 0755 "$piddir"
	chown 65534 "$piddir"
	cat >"$HS_TMP/runtime" <<-EOF
		#!/bin/sh
		pf= prev= create=
		for a; do
		    [ "\$prev" = --pid-file ] && pf=\$a
		    [ "\$a" = create ] && create=1
		    prev=\$a
		done
		$HS_RUNTIME_PATH "\$@" || exit \$?
		if [ -n "\$create" ] && [ -n "\$pf" ]; then
		    echo $victim >"\$pf.new" && chown 65534 "\$pf.new" && mv "\$pf.new" "\$pf"
		fi
		exit 0
	EOF
	chmod 0755 "$HS_TMP/runtime"
	hs_policy_default '.runtime = $rt | .controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}' \
		--arg rt "$HS_TMP/runtime"
	rt_id >/dev/null
	id=$RT_ID
	hs_track "$id"
	hs_place_config "$id"
	hs_rt create --bundle "$HS_BUNDLE" --pid-file "$piddir/$id.pid" "$id" \
		</dev/null >"$HS_TMP/$id.out" 2>"$HS_TMP/$id.err" || {
		cat "$HS_TMP/$id.err" >&2
		return 1
	}
	# the swap happened: the file names the victim, owned by nobody
	[ "$(cat "$piddir/$id.pid")" = "$victim" ]
	[ "$(stat -c %u "$piddir/$id.pid")" = 65534 ]
	# the rules are in the container init's own namespace, not the victim's (the host's)
	pid=$(hs_rt_direct state "$id" | jq -r .pid)
	[ "$pid" != "$victim" ]
	nsenter -t "$pid" -n nft list table inet hardshim | grep -q 'hardshim ruleset sha256:'
	[ "$(readlink /proc/$victim/ns/net)" = "$(readlink /proc/self/ns/net)" ]
	! nft list table inet hardshim 2>/dev/null || false
	jq -e '[.hooks.createRuntime[]? | select(.args[1] == "hook" and (.args[2] | test("egress")))] | length == 0' \
		"$HS_BUNDLE/config.json"
}
@test "runc: a swapped pid file cannot aim create's egress install at a host process" { egress_pidfile_swapped runc; }
@test "crun: a swapped pid file cannot aim create's egress install at a host process" { egress_pidfile_swapped crun; }

# (2) A pid that names a host process by the time hardshim looks (a reused pid, a stale state:
# here a runtime whose `state` names a live host process): the namespace is judged, not
# trusted. It is the host's, so nothing is installed; create fails closed, the container the
# runtime made is deleted before anything of it ran, and the launch log says so. (Devices off:
# the egress step is the only one after the runtime's create here.)
egress_host_init_refused() {
	local id victim
	rt_begin "$1"
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	victim=$!
	echo "$victim" >>"$HS_TMP/victims"
	cat >"$HS_TMP/runtime" <<-EOF
		#!/bin/sh
		for a; do
		    [ "\$a" = state ] && exec echo '{"ociVersion":"1.0.2","id":"x","pid":$victim,"status":"created","bundle":"/"}'
		done
		exec $HS_RUNTIME_PATH "\$@"
	EOF
	chmod 0755 "$HS_TMP/runtime"
	hs_policy_default '.runtime = $rt | .controls.devices = {"enabled": false}
		| .controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}' --arg rt "$HS_TMP/runtime"
	rt_id >/dev/null
	id=$RT_ID
	hs_track "$id"
	hs_place_config "$id"
	run hs_rt create --bundle "$HS_BUNDLE" "$id"
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"egress.host-netns"*"/proc/$victim/ns/net"* ]]
	! hs_rt_direct state "$id" >/dev/null 2>&1 || false
	! nft list table inet hardshim 2>/dev/null || false
	kill -0 "$victim"
	tail -n 1 "$HS_LAUNCHES" | jq -e --arg id "$id" \
		'.event == "runtime-failed" and .id == $id and .exit == 0 and (.error | test("egress.host-netns"))'
	"$HS_BIN" log show "$HS_LAUNCHES" | grep -F "$id" | grep -q 'FAILED: after the runtime'
}
@test "runc: create's egress install refuses an init pid in the host's network namespace: create fails, container deleted" { egress_host_init_refused runc; }
@test "crun: create's egress install refuses an init pid in the host's network namespace: create fails, container deleted" { egress_host_init_refused crun; }
