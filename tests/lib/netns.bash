# SPDX-License-Identifier: Apache-2.0
# Two network namespaces joined by a veth pair, for the egress tests. Addresses only from the
# benchmarking ranges: 198.18.0.0/15 (RFC 2544) and its IPv6 counterpart 2001:2::/48
# (RFC 5180); no routes but the connected ones. The peer namespace runs netprobe listeners.
#
#   hs_netns_setup              # $HS_NS (container side), $HS_PEER_NS; peer addresses:
#                               #   198.18.0.2 198.18.0.3 2001:2::2 2001:2::3
#   hs_netns_listen 8080 8081   # background listener in the peer (pid recorded)
#   hs_netns_teardown           # kills only the listeners it started, deletes both namespaces
#
# The names are the machine's (/run/netns, interfaces in them): a test's tag must not be another
# run's, even when two runs of the suite (plain and ASan, two worktrees) share the machine.
# Callers pass what makes it theirs (the test process's pid, the test number, separated); the
# names carry 8 hex digits of its hash (an interface name holds at most 15 bytes), never a
# truncation or a bare concatenation ("1"+"21234" was "12"+"1234").

hs_netns_setup() {
	local tag
	tag=$(printf '%s' "${1:-$$-$RANDOM-$RANDOM}" | md5sum | cut -c1-8)
	HS_NS=hs-c-$tag
	HS_PEER_NS=hs-p-$tag
	HS_NETNS_PIDS=${BATS_TEST_TMPDIR:-/tmp}/netns-pids.$tag
	export HS_NS HS_PEER_NS HS_NETNS_PIDS
	: >"$HS_NETNS_PIDS"
	ip netns add "$HS_NS"
	ip netns add "$HS_PEER_NS"
	ip link add "hsc$tag" netns "$HS_NS" type veth peer name "hsp$tag" netns "$HS_PEER_NS"
	ip -n "$HS_NS" link set lo up
	ip -n "$HS_PEER_NS" link set lo up
	ip -n "$HS_NS" addr add 198.18.0.1/24 dev "hsc$tag"
	ip -n "$HS_NS" addr add 2001:2::1/64 dev "hsc$tag" nodad
	ip -n "$HS_PEER_NS" addr add 198.18.0.2/24 dev "hsp$tag"
	ip -n "$HS_PEER_NS" addr add 198.18.0.3/24 dev "hsp$tag"
	ip -n "$HS_PEER_NS" addr add 2001:2::2/64 dev "hsp$tag" nodad
	ip -n "$HS_PEER_NS" addr add 2001:2::3/64 dev "hsp$tag" nodad
	ip -n "$HS_NS" link set "hsc$tag" up
	ip -n "$HS_PEER_NS" link set "hsp$tag" up
}

# hs_netns_listen PORT...: netprobe listeners in the peer namespace; waits until they listen.
hs_netns_listen() {
	local out=${BATS_TEST_TMPDIR:-/tmp}/listen.$$.$RANDOM _
	ip netns exec "$HS_PEER_NS" "$HS_BUILD/helpers/netprobe" listen "$@" >"$out" 2>&1 &
	echo $! >>"$HS_NETNS_PIDS"
	for _ in $(seq 50); do
		grep -q listening "$out" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "listener did not start: $(cat "$out")" >&2
	return 1
}

hs_netns_teardown() {
	local pid
	if [ -n "${HS_NETNS_PIDS:-}" ] && [ -f "$HS_NETNS_PIDS" ]; then
		while read -r pid; do
			[ -n "$pid" ] && kill "$pid" 2>/dev/null
		done <"$HS_NETNS_PIDS"
		while read -r pid; do
			[ -n "$pid" ] && wait "$pid" 2>/dev/null
		done <"$HS_NETNS_PIDS"
	fi
	[ -n "${HS_NS:-}" ] && ip netns del "$HS_NS" 2>/dev/null
	[ -n "${HS_PEER_NS:-}" ] && ip netns del "$HS_PEER_NS" 2>/dev/null
	return 0
}
