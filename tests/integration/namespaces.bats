#!/usr/bin/env bats
# The namespaces control through the real runtimes (docs/threats.md §7): the host's network
# namespace named by /proc/1/ns/net, /proc/self/ns/net or a bind mount of it is refused, a
# missing network namespace is refused, a pod joining a sandbox's netns is allowed, and a
# permitted container's namespaces all differ from the host's, seen in /proc/<pid>/ns.

load hs-bundle

setup() {
	B="$BATS_TEST_TMPDIR/bundle"
	make_bundle "$B" 'for t in mnt pid ipc uts net cgroup; do echo "$t $(readlink /proc/self/ns/$t)"; done'
	ID="hs-ns-$$-$BATS_TEST_NUMBER"
	NETNS=""
	ALIAS=""
}

teardown() {
	cleanup_containers /usr/bin/runc
	cleanup_containers /usr/bin/crun
	if [ -n "$ALIAS" ]; then umount "$ALIAS" 2>/dev/null; rm -f "$ALIAS"; fi
	if [ -n "$NETNS" ]; then ip netns del "$NETNS" 2>/dev/null || true; fi
}

# join_net PATH: the bundle's network namespace entry names PATH.
join_net() {
	jq_edit "$B" --arg p "$1" '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": $p}]'
}

net_index() { jq '.linux.namespaces | map(.type) | index("network")' "$B/config.json"; }

# refused RUNTIME RULE_REGEX PATH: create fails naming a rule matching RULE_REGEX at PATH, and
# the container does not exist.
refused() {
	status=0
	hs "$1" create --bundle "$B" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
	echo "$output"
	[ "$status" -ne 0 ]
	echo "$output" | grep -E "($2): $3"
	! container_exists "$1" "$ID" || false
}

pid1_net() {
	join_net /proc/1/ns/net
	# On a host where pid 1 is beyond ptrace reach, hardshim cannot open it either: refused as
	# an invalid path; elsewhere as the host's namespace. Refused by hardshim in both cases.
	refused "$1" 'namespaces\.host|namespaces\.path-invalid' "linux.namespaces\[$(net_index)\]\.path"
}
@test "runc: the host netns by /proc/1/ns/net is refused" { pid1_net /usr/bin/runc; }
@test "crun: the host netns by /proc/1/ns/net is refused" { pid1_net /usr/bin/crun; }

self_net() {
	join_net /proc/self/ns/net
	refused "$1" 'namespaces\.host' "linux.namespaces\[$(net_index)\]\.path"
}
@test "runc: the host netns by /proc/self/ns/net is refused" { self_net /usr/bin/runc; }
@test "crun: the host netns by /proc/self/ns/net is refused" { self_net /usr/bin/crun; }

alias_net() {
	ALIAS="$BATS_TEST_TMPDIR/hostnet"
	touch "$ALIAS"
	mount --bind /proc/self/ns/net "$ALIAS"
	join_net "$ALIAS"
	refused "$1" 'namespaces\.host' "linux.namespaces\[$(net_index)\]\.path"
}
@test "runc: the host netns under another name (a bind mount of it) is refused" { alias_net /usr/bin/runc; }
@test "crun: the host netns under another name (a bind mount of it) is refused" { alias_net /usr/bin/crun; }

wrong_type() {
	jq_edit "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": "/proc/self/ns/pid"}]'
	refused "$1" 'namespaces\.path-type' "linux.namespaces\[$(net_index)\]\.path"
}
@test "runc: a pid namespace file given as the network namespace is refused" { wrong_type /usr/bin/runc; }
@test "crun: a pid namespace file given as the network namespace is refused" { wrong_type /usr/bin/crun; }

missing_net() {
	jq_edit "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")]'
	refused "$1" 'namespaces\.missing' 'linux\.namespaces'
}
@test "runc: no network namespace (host network) is refused" { missing_net /usr/bin/runc; }
@test "crun: no network namespace (host network) is refused" { missing_net /usr/bin/crun; }

# Every namespace differs from the host's; ipc/uts/cgroup dropped from the bundle are added back.
private() {
	jq_edit "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "ipc" and .type != "uts" and .type != "cgroup")]'
	run hs "$1" run --bundle "$B" "$ID"
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
@test "runc: a permitted container's namespaces all differ from the host's" { private /usr/bin/runc; }
@test "crun: a permitted container's namespaces all differ from the host's" { private /usr/bin/crun; }

# A pod: joining a network namespace another sandbox owns (one this test creates) is allowed,
# and the container is in it, seen from /proc/<pid>/ns while it runs.
pod() {
	NETNS="hs-pod-$$-$BATS_TEST_NUMBER"
	ip netns add "$NETNS"
	join_net "/var/run/netns/$NETNS"
	jq_edit "$B" '.process.args = ["sleep", "30"]'
	hs "$1" create --bundle "$B" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || { cat "$BATS_TEST_TMPDIR/out"; false; }
	local pid
	pid=$("$1" --root "$BATS_TEST_TMPDIR/state" state "$ID" | jq -r .pid)
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/run/netns/$NETNS")" ]
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" != "$(stat -L -c %i /proc/self/ns/net)" ]
	[ "$(stat -L -c %i "/proc/$pid/ns/pid")" != "$(stat -L -c %i /proc/self/ns/pid)" ]
}
@test "runc: joining a pod sandbox's network namespace is allowed" { pod /usr/bin/runc; }
@test "crun: joining a pod sandbox's network namespace is allowed" { pod /usr/bin/crun; }
