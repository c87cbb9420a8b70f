#!/usr/bin/env bats
# The namespaces control through the real runtimes (docs/threats.md §7): the host's network
# namespace named by /proc/1/ns/net, /proc/self/ns/net or a bind mount of it is refused, a
# missing network namespace is refused, a pod joining a sandbox's netns is allowed, and a
# permitted container's namespaces all differ from the host's, seen in /proc/<pid>/ns.

load ../lib/bundle

setup() {
	hs_setup runc
	hs_bundle
	hs_args sh -c 'for t in mnt pid ipc uts net cgroup; do echo "$t $(readlink /proc/self/ns/$t)"; done'
	ID="hs-ns-$$-$BATS_TEST_NUMBER"
	NETNS=""
	ALIAS=""
}

teardown() {
	hs_teardown
	if [ -n "$ALIAS" ]; then umount "$ALIAS" 2>/dev/null; rm -f "$ALIAS"; fi
	if [ -n "$NETNS" ]; then ip netns del "$NETNS" 2>/dev/null || true; fi
}

# join_net PATH: the bundle's network namespace entry names PATH.
join_net() {
	hs_config '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": $p}]' --arg p "$1"
}

net_index() { jq '.linux.namespaces | map(.type) | index("network")' "$HS_CONFIG"; }

# on RUNTIME: the shipped default policy, naming RUNTIME.
on() {
	hs_use_runtime "$1"
	hs_policy_default
}

# refused RUNTIME RULE_REGEX PATH: create fails naming a rule matching RULE_REGEX at PATH, and
# the container does not exist.
refused() {
	on "$1"
	status=0
	hs_create "$ID" 2>"$HS_TMP/out" || status=$?
	output=$(cat "$HS_TMP/out")
	echo "$output"
	[ "$status" -ne 0 ]
	echo "$output" | grep -E "($2): $3"
	! hs_rt_direct state "$ID" >/dev/null 2>&1 || false
}

pid1_net() {
	join_net /proc/1/ns/net
	# On a host where pid 1 is beyond ptrace reach, hardshim cannot open it either: refused as
	# an invalid path; elsewhere as the host's namespace. Refused by hardshim in both cases.
	refused "$1" 'namespaces\.host|namespaces\.path-invalid' "linux.namespaces\[$(net_index)\]\.path"
}
@test "runc: the host netns by /proc/1/ns/net is refused" { pid1_net runc; }
@test "crun: the host netns by /proc/1/ns/net is refused" { pid1_net crun; }

self_net() {
	join_net /proc/self/ns/net
	refused "$1" 'namespaces\.host' "linux.namespaces\[$(net_index)\]\.path"
}
@test "runc: the host netns by /proc/self/ns/net is refused" { self_net runc; }
@test "crun: the host netns by /proc/self/ns/net is refused" { self_net crun; }

alias_net() {
	ALIAS="$HS_TMP/hostnet"
	touch "$ALIAS"
	mount --bind /proc/self/ns/net "$ALIAS"
	join_net "$ALIAS"
	refused "$1" 'namespaces\.host' "linux.namespaces\[$(net_index)\]\.path"
}
@test "runc: the host netns under another name (a bind mount of it) is refused" { alias_net runc; }
@test "crun: the host netns under another name (a bind mount of it) is refused" { alias_net crun; }

wrong_type() {
	hs_config '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": "/proc/self/ns/pid"}]'
	refused "$1" 'namespaces\.path-type' "linux.namespaces\[$(net_index)\]\.path"
}
@test "runc: a pid namespace file given as the network namespace is refused" { wrong_type runc; }
@test "crun: a pid namespace file given as the network namespace is refused" { wrong_type crun; }

missing_net() {
	hs_config '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")]'
	refused "$1" 'namespaces\.missing' 'linux\.namespaces'
}
@test "runc: no network namespace (host network) is refused" { missing_net runc; }
@test "crun: no network namespace (host network) is refused" { missing_net crun; }

# Every namespace differs from the host's; ipc/uts/cgroup dropped from the bundle are added back.
private() {
	hs_config '.linux.namespaces = [.linux.namespaces[] | select(.type != "ipc" and .type != "uts" and .type != "cgroup")]'
	on "$1"
	run hs_run "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	local t inside host
	for t in mnt pid ipc uts net cgroup; do
		inside=$(echo "$output" | sed -n "s/^$t //p")
		host=$(readlink /proc/self/ns/$t)
		echo "$t inside=$inside host=$host"
		[ -n "$inside" ]
		[ "$inside" != "$host" ]
	done
}
@test "runc: a permitted container's namespaces all differ from the host's" { private runc; }
@test "crun: a permitted container's namespaces all differ from the host's" { private crun; }

# A pod: joining a network namespace another sandbox owns (one this test creates) is allowed,
# and the container is in it, seen from /proc/<pid>/ns while it runs.
pod() {
	NETNS="hs-pod-$$-$BATS_TEST_NUMBER"
	ip netns add "$NETNS"
	join_net "/var/run/netns/$NETNS"
	hs_args sleep 30
	on "$1"
	hs_create "$ID"
	local pid
	pid=$(hs_pid "$ID")
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/run/netns/$NETNS")" ]
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" != "$(stat -L -c %i /proc/self/ns/net)" ]
	[ "$(stat -L -c %i "/proc/$pid/ns/pid")" != "$(stat -L -c %i /proc/self/ns/pid)" ]
}
@test "runc: joining a pod sandbox's network namespace is allowed" { pod runc; }
@test "crun: joining a pod sandbox's network namespace is allowed" { pod crun; }
