#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Podman's `--network container:X`: a container that joins another container's network
# namespace (Podman gives the runtime X's /proc/PID/ns/net). Are hardshim's egress rules there,
# and enforced, for the joiner? Shown from inside both containers, under runc and crun: X runs
# in a namespace the test made (ns:/run/netns/..., tests/lib/netns.bash: a veth to a peer
# namespace holding listeners, 198.18.0.0/15 only, no other route), Y joins X's namespace;
# the allowed port connects from Y, the denied one is refused; the same probes without any
# rules (the namespace before X) reach both, so a broken fixture cannot pass as "blocked".
# Nothing is sent to any address outside 198.18.0.0/15.

load ../lib/e2e
load ../lib/netns

setup_file() {
	e2e_require
	e2e_install
	podman_setup
}

setup() {
	hs_netns_setup "$$-$BATS_TEST_NUMBER-pme"
	hs_netns_listen 8080 8081
}

teardown() {
	[ -z "${E2E_RUNTIME:-}" ] || e2e_policy "$E2E_RUNTIME"
	podman_cleanup
	hs_netns_teardown
}

NP=/usr/local/bin/netprobe

# joiner X: a new container in X's network namespace (--network container:X): its namespace,
# then how a connection to the allowed port and to the denied one ended
joiner() {
	pm run --rm --network "container:$1" -v "$HS_BUILD/helpers/netprobe:$NP:ro" "$E2E_IMAGE" \
		sh -c "readlink /proc/self/ns/net; $NP why tcp 198.18.0.2 8080 3000 2>/dev/null; $NP why tcp 198.18.0.2 8081 3000 2>/dev/null"
}

scenario_container_network() {
	local rt=$1 x=hspme-x-$1 xpid
	# the fixture, no rules yet: both ports reachable from the container's namespace
	[ "$(ip netns exec "$HS_NS" "$HS_BUILD/helpers/netprobe" why tcp 198.18.0.2 8080 3000 | cut -d' ' -f1)" = ok ]
	[ "$(ip netns exec "$HS_NS" "$HS_BUILD/helpers/netprobe" why tcp 198.18.0.2 8081 3000 | cut -d' ' -f1)" = ok ]
	e2e_policy "$rt" '.controls.egress = {"default": "deny", "allow": ["198.18.0.2:8080/tcp"], "deny": []}'
	run pm run -d --name "$x" --network "ns:/run/netns/$HS_NS" -v "$HS_BUILD/helpers/netprobe:$NP:ro" \
		"$E2E_IMAGE" sleep 600
	echo "$output"
	[ "$status" -eq 0 ]
	xpid=$(pm inspect -f '{{.State.Pid}}' "$x")
	# X itself: allowed port connects, the other is refused
	run pm exec "$x" sh -c "$NP why tcp 198.18.0.2 8080 3000 2>/dev/null; $NP why tcp 198.18.0.2 8081 3000 2>/dev/null"
	echo "$output"
	[ "$(cut -d' ' -f1 <<<"${lines[0]}")" = ok ]
	[ "$(cut -d' ' -f1 <<<"${lines[1]}")" = ECONNREFUSED ]
	# Y joins X's namespace: the same namespace (from inside), the same rules, enforced
	run joiner "$x"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$xpid/ns/net")" ]
	[ "$(cut -d' ' -f1 <<<"${lines[1]}")" = ok ]
	[ "$(cut -d' ' -f1 <<<"${lines[2]}")" = ECONNREFUSED ]
	[ "$(tail -n 1 "$E2E/launches.jsonl" | jq -r .verdict)" = rewritten ]
	# and X's rules are still in force after Y (Y's create did not take them away)
	run pm exec "$x" sh -c "$NP why tcp 198.18.0.2 8081 3000 2>/dev/null"
	[ "$(cut -d' ' -f1 <<<"${lines[0]}")" = ECONNREFUSED ]
	pm rm -f -t 0 "$x" >/dev/null
}

@test "podman --network container:X: the joiner is held to the egress rules, seen from inside (runc)" { scenario_container_network runc; }
@test "podman --network container:X: the joiner is held to the egress rules, seen from inside (crun)" { scenario_container_network crun; }
