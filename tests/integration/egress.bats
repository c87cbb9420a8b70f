#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Egress limits, enforced by the kernel in the container's network namespace (issue 5).
# Two namespaces joined by a veth pair (198.18.0.0/15, 2001:2::/48, no other routes); the
# peer runs netprobe listeners on 8080, 8081 (TCP sink) and 5353, 5354 (UDP echo); the
# container joins the first namespace through hardshim with real runc and real crun.
# Every refusal is checked against a control run without rules, so a broken fixture cannot
# pass as "blocked".

load ../lib/bundle
load ../lib/netns

setup() {
	hs_setup runc
	hs_netns_setup "$$-$BATS_TEST_NUMBER"
	hs_netns_listen 8080 8081 5353 5354
}

# Container ids unique to the run: runtimes derive cgroup paths from them, and a cgroup the
# previous test's runtime could not remove yet must not be shared.
C1=hs$$-$BATS_TEST_NUMBER-1
C2=hs$$-$BATS_TEST_NUMBER-2

teardown() {
	hs_teardown
	hs_netns_teardown
	# only the name `ip netns attach` made for the host's namespace: a bind mount
	[ -z "${HOST_NS_NAME:-}" ] || ip netns del "$HOST_NS_NAME" 2>/dev/null || true
}

P=netprobe

# probe CMD...: run netprobe in the container-side namespace from the host (no container).
probe() {
	ip netns exec "$HS_NS" "$HS_BUILD/helpers/netprobe" "$@"
}

# The fixture works: without rules, everything the tests expect to be blocked is reachable.
fixture_reachable() {
	probe tcp 198.18.0.2 8080 2000
	probe tcp 198.18.0.2 8081 2000
	probe tcp 198.18.0.3 8080 2000
	probe tcp 2001:2::2 8080 2000
	probe tcp 2001:2::2 8081 2000
	probe tcp 2001:2::3 8080 2000
	probe udp 198.18.0.2 5353 2000
	probe udp 198.18.0.2 5354 2000
}

# eg_bundle SCRIPT [DIR]: a busybox bundle (in DIR, default hs_bundle's) with netprobe, joined
# to $HS_NS, running SCRIPT under sh; the script ends by printing "done" and sleeping so the
# container stays for counters.
eg_bundle() {
	hs_bundle "${2:-}"
	hs_rootfs_add_helper netprobe
	hs_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/run/netns/$HS_NS"
	hs_config '.process.args = ["sh", "-c", ($s + "\necho done; exec sleep 1000")]' \
		--arg s "r() { \"\$@\" >/dev/null 2>&1; echo \$?; }
$1"
}

# eg_run ID: create and start through hardshim, wait for the script's "done".
eg_run() {
	local i
	hs_create_start "$1" || return 1
	for i in $(seq 300); do
		grep -qx done "$HS_TMP/$1.out" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "container $1 never finished its script:" >&2
	cat "$HS_TMP/$1.out" "$HS_TMP/$1.err" >&2
	return 1
}

# result ID KEY: the value the script printed as KEY=VALUE.
result() {
	sed -n "s/^$2=//p" "$HS_TMP/$1.out"
}

counter() { # counter ID NAME FIELD: from `hardshim egress show --json`
	"$HS_BIN" egress show --root "$HS_STATE" --json "$1" | jq -r ".$2.$3"
}

allow_deny_udp_v6() {
	hs_use_runtime "$1" '.controls.egress = {"default": "deny",
		"allow": ["198.18.0.2:8080/tcp", "[2001:2::2]:8080/tcp", "198.18.0.2:5353/udp"],
		"deny": ["198.18.0.3:8081/tcp"]}'
	fixture_reachable
	eg_bundle '
echo t4ok=$(r netprobe tcp 198.18.0.2 8080 3000)
echo t4port=$(r netprobe tcp 198.18.0.2 8081 1000)
echo t4addr=$(r netprobe tcp 198.18.0.3 8080 1000)
echo t4deny=$(r netprobe tcp 198.18.0.3 8081 1000)
echo u4ok=$(r netprobe udp 198.18.0.2 5353 3000)
echo u4port=$(r netprobe udp 198.18.0.2 5354 1000)
echo t6ok=$(r netprobe tcp 2001:2::2 8080 3000)
echo t6port=$(r netprobe tcp 2001:2::2 8081 1000)
echo t6addr=$(r netprobe tcp 2001:2::3 8080 1000)'
	eg_run $C1
	cat "$HS_TMP/$C1.out"
	[ "$(result $C1 t4ok)" = 0 ]
	[ "$(result $C1 t4port)" = 1 ]
	[ "$(result $C1 t4addr)" = 1 ]
	[ "$(result $C1 t4deny)" = 1 ]
	[ "$(result $C1 u4ok)" = 0 ]
	[ "$(result $C1 u4port)" = 1 ]
	[ "$(result $C1 t6ok)" = 0 ]
	[ "$(result $C1 t6port)" = 1 ]
	[ "$(result $C1 t6addr)" = 1 ]
	# the drops are counted, by container id and by pid
	run "$HS_BIN" egress show --root "$HS_STATE" $C1
	echo "$output"
	[ "$status" = 0 ]
	[ "$(counter $C1 dropped packets)" -ge 4 ]
	[ "$(counter $C1 denied packets)" -ge 1 ]
	[ "$(counter $C1 rate_dropped packets)" = 0 ]
	run "$HS_BIN" egress show "$(hs_pid $C1)"
	[ "$status" = 0 ]
	[[ "$output" == *"dropped "*"packets "* ]]
	# the table is the one hardshim owns, in the container's namespace only
	ip netns exec "$HS_NS" nft list table inet hardshim >/dev/null
	! ip netns exec "$HS_PEER_NS" nft list table inet hardshim 2>/dev/null || false
}

@test "egress: allowed port connects, other port, other address, deny entry, UDP and IPv6 blocked and counted (runc)" {
	allow_deny_udp_v6 runc
}

@test "egress: allowed port connects, other port, other address, deny entry, UDP and IPv6 blocked and counted (crun)" {
	allow_deny_udp_v6 crun
}

# Refused, not dropped (issue 14 cause 5): a connection the policy refuses fails at once
# with the kernel's own error, not after the application's timeout, and the refusal is
# counted where `egress show` reads it. The ports probed have listeners (fixture_reachable
# connects to them without rules), so a refusal can only come from the rules; the probes
# allow 5 s, so "timeout" is what a silent drop would print.
refused_fast() {
	local before after
	hs_use_runtime "$1" '.controls.egress = {"default": "deny",
		"allow": ["198.18.0.2:8080/tcp"], "deny": ["198.18.0.3/32"]}'
	fixture_reachable
	eg_bundle '
echo ok=$(netprobe why tcp 198.18.0.2 8080 5000 2>/dev/null)
echo t4=$(netprobe why tcp 198.18.0.2 8081 5000 2>/dev/null)
echo t4deny=$(netprobe why tcp 198.18.0.3 8080 5000 2>/dev/null)
echo t6=$(netprobe why tcp 2001:2::2 8080 5000 2>/dev/null)
echo u4=$(netprobe why udp 198.18.0.2 5353 5000 2>/dev/null)
echo u6=$(netprobe why udp 2001:2::2 5353 5000 2>/dev/null)'
	eg_run $C1
	cat "$HS_TMP/$C1.out"
	[ "$(result $C1 ok | cut -d' ' -f1)" = ok ]
	# TCP: a reset, so connect() says ECONNREFUSED
	[ "$(result $C1 t4 | cut -d' ' -f1)" = ECONNREFUSED ]
	[ "$(result $C1 t4deny | cut -d' ' -f1)" = ECONNREFUSED ]
	[ "$(result $C1 t6 | cut -d' ' -f1)" = ECONNREFUSED ]
	# UDP: the send itself fails (EPERM), or the ICMP error reaches the socket
	[[ "$(result $C1 u4 | cut -d' ' -f1)" =~ ^(EPERM|EHOSTUNREACH)$ ]]
	[[ "$(result $C1 u6 | cut -d' ' -f1)" =~ ^(EPERM|EACCES)$ ]]
	# counted, and the count shown by `egress show` rises with the next refusal (a probe in
	# the container's namespace passes the same table)
	before=$(counter $C1 dropped packets)
	[ "$before" -ge 4 ]
	[ "$(counter $C1 denied packets)" -ge 1 ]
	[ "$(probe why tcp 198.18.0.2 8081 5000 | cut -d' ' -f1)" = ECONNREFUSED ]
	after=$(counter $C1 dropped packets)
	echo "dropped: $before -> $after"
	[ "$after" -gt "$before" ]
	before=$(counter $C1 denied packets)
	[ "$(probe why tcp 198.18.0.3 8081 5000 | cut -d' ' -f1)" = ECONNREFUSED ]
	[ "$(counter $C1 denied packets)" -gt "$before" ]
}

@test "egress: a refused connection fails at once (reset / ICMP), not by timeout, and is counted (runc)" {
	refused_fast runc
}

@test "egress: a refused connection fails at once (reset / ICMP), not by timeout, and is counted (crun)" {
	refused_fast crun
}

# The documented way to let a container reach its own network (docs/egress.md, "The
# container's own networks"): the network's prefix as an allow line. Here the veth's
# 198.18.0.0/24 stands for a Podman bridge or a pod network; the peer's IPv6 address, outside
# that line, stays refused.
own_network() {
	hs_use_runtime "$1" '.controls.egress = {"default": "deny", "allow": ["198.18.0.0/24"]}'
	fixture_reachable
	eg_bundle '
echo t4=$(r netprobe tcp 198.18.0.2 8080 3000)
echo t4b=$(r netprobe tcp 198.18.0.3 8081 3000)
echo u4=$(r netprobe udp 198.18.0.2 5353 3000)
echo out=$(netprobe why tcp 2001:2::2 8080 5000 2>/dev/null)'
	eg_run $C1
	cat "$HS_TMP/$C1.out"
	[ "$(result $C1 t4)" = 0 ]
	[ "$(result $C1 t4b)" = 0 ]
	[ "$(result $C1 u4)" = 0 ]
	[ "$(result $C1 out | cut -d' ' -f1)" = ECONNREFUSED ]
}

@test "egress: an allow line for the container's own network reaches it, nothing else (runc)" {
	own_network runc
}

@test "egress: an allow line for the container's own network reaches it, nothing else (crun)" {
	own_network crun
}

shipped_default() {
	hs_use_runtime "$1" '.controls.egress = $d[0].controls.egress' \
		--slurpfile d "$HS_TOP/profiles/policy/default.json"
	jq -e '.controls.egress.default == "deny" and (.controls.egress.allow | length) == 0' \
		"$HARDSHIM_POLICY"
	fixture_reachable
	eg_bundle '
netprobe listen 9000 >/dev/null 2>&1 &
for i in 1 2 3 4 5 6 7 8 9 10; do netprobe tcp 127.0.0.1 9000 500 2>/dev/null && break; sleep 0.2; done
echo lo=$(r netprobe tcp 127.0.0.1 9000 2000)
echo lo6=$(r netprobe tcp ::1 9000 2000)
echo t4=$(r netprobe tcp 198.18.0.2 8080 1000)
echo t4b=$(r netprobe tcp 198.18.0.3 8081 1000)
echo u4=$(r netprobe udp 198.18.0.2 5353 1000)
echo t6=$(r netprobe tcp 2001:2::2 8080 1000)'
	eg_run $C1
	cat "$HS_TMP/$C1.out"
	[ "$(result $C1 lo)" = 0 ]
	[ "$(result $C1 lo6)" = 0 ]
	[ "$(result $C1 t4)" = 1 ]
	[ "$(result $C1 t4b)" = 1 ]
	[ "$(result $C1 u4)" = 1 ]
	[ "$(result $C1 t6)" = 1 ]
	[ "$(counter $C1 dropped packets)" -ge 4 ]
}

@test "egress: the shipped default reaches nothing but loopback (runc)" {
	shipped_default runc
}

@test "egress: the shipped default reaches nothing but loopback (crun)" {
	shipped_default crun
}

@test "egress: with no egress section at all the control's defaults deny too (runc)" {
	hs_use_runtime runc 'del(.controls)'
	eg_bundle 'echo t4=$(r netprobe tcp 198.18.0.2 8080 1000)'
	eg_run $C1
	[ "$(result $C1 t4)" = 1 ]
	# the namespace exists before the runtime runs: hardshim installed the control's default
	# itself (no hook), and it denies
	jq -e '[.hooks.createRuntime[]? | select(.args[1] == "hook" and (.args[2] | test("egress")))] | length == 0' \
		"$HS_BUNDLE/config.json"
	ip netns exec "$HS_NS" nft list chain inet hardshim output | grep -q 'policy drop'
}

# Issue 17: a container that joins a namespace which exists before the runtime runs (a
# Kubernetes pod's, Podman's --network ns:PATH) gets its rules from hardshim's create path,
# before the runtime runs: no createRuntime hook, no second hardshim process. Observed after
# `create` and before `start`: the table is in the namespace, the config carries no hook.
at_create() {
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	eg_bundle 'echo t=$(r netprobe tcp 198.18.0.2 8080 2000)'
	! ip netns exec "$HS_NS" nft list table inet hardshim 2>/dev/null || false
	hs_create $C1
	[ "$(hs_state $C1)" = created ]
	ip netns exec "$HS_NS" nft list table inet hardshim | grep -q 'hardshim ruleset sha256:'
	jq -e '[.hooks.createRuntime[]? | select(.args[1] == "hook" and (.args[2] | test("egress")))] | length == 0' \
		"$HS_BUNDLE/config.json"
	hs_start $C1
	for i in $(seq 100); do grep -qx done "$HS_TMP/$C1.out" && break; sleep 0.1; done
	[ "$(result $C1 t)" = 0 ]
	[ "$(counter $C1 dropped packets)" -ge 0 ]
}

@test "egress: a namespace that exists before the runtime gets its rules from the create path, no hook (runc)" {
	at_create runc
}

@test "egress: a namespace that exists before the runtime gets its rules from the create path, no hook (crun)" {
	at_create crun
}

# Issue 17: a namespace the runtime makes (no path) does not exist before it runs: hardshim's
# create installs the rules in the container init's own namespace once the runtime's create has
# returned, before `start` (egress.after-create): no createRuntime hook, no second hardshim
# process. Observed between create and start (the table in the init's namespace, not in the
# host's; the config the runtime got has no hook), then from inside the running container:
# the fixture's veth end is moved into the container's namespace, the allowed port connects,
# the other port of the same peer is refused and counted.
own_netns_after_create() {
	local pid tag=${HS_NS#hs-c-}
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	fixture_reachable
	hs_bundle
	hs_rootfs_add_helper netprobe
	hs_config '.process.args = ["sh", "-c", ($s + "\necho done; exec sleep 1000")]' \
		--arg s "r() { \"\$@\" >/dev/null 2>&1; echo \$?; }
echo tok=\$(r netprobe tcp 198.18.0.2 8080 3000)
echo tport=\$(r netprobe tcp 198.18.0.2 8081 1000)"
	jq -e '[.linux.namespaces[] | select(.type == "network" and (.path // "") == "")] | length == 1' \
		"$HS_CONFIG"
	hs_create $C1
	[ "$(hs_state $C1)" = created ]
	pid=$(hs_pid $C1)
	[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	nsenter -t "$pid" -n nft list table inet hardshim | grep -q 'hardshim ruleset sha256:'
	! nft list table inet hardshim 2>/dev/null || false
	# the config the runtime was given carries no egress hook (nor the runtime's copy of it)
	jq -e '[.hooks.createRuntime[]? | select(.args[1] == "hook" and (.args[2] | test("egress")))] | length == 0' \
		"$HS_BUNDLE/config.json"
	tail -n 1 "$HS_LAUNCHES" | jq -e '[.findings[]? | select(.rule == "egress.after-create")] | length == 1'
	# the container's namespace joins the fixture: the peer's link moves into it
	ip -n "$HS_NS" link set "hsc$tag" netns "$pid"
	nsenter -t "$pid" -n ip link set lo up
	nsenter -t "$pid" -n ip addr add 198.18.0.1/24 dev "hsc$tag"
	nsenter -t "$pid" -n ip link set "hsc$tag" up
	hs_start $C1
	for i in $(seq 100); do grep -qx done "$HS_TMP/$C1.out" && break; sleep 0.1; done
	cat "$HS_TMP/$C1.out"
	[ "$(result $C1 tok)" = 0 ]
	[ "$(result $C1 tport)" = 1 ]
	[ "$(counter $C1 dropped packets)" -ge 1 ]
	# check predicts create: the config it writes is the one the runtime got, without a hook
	# (once the container stopped: a cgroup holding processes is refused by check)
	hs_rt_direct kill $C1 KILL
	hs_wait_state $C1 stopped
	"$HS_BIN" check --output "$HS_TMP/checked.json" "$HS_BUNDLE/config.json.orig" >/dev/null
	cmp "$HS_TMP/checked.json" "$HS_BUNDLE/config.json"
}

@test "egress: a namespace the runtime makes gets its rules from create after the runtime's create, no hook (runc)" {
	own_netns_after_create runc
}

@test "egress: a namespace the runtime makes gets its rules from create after the runtime's create, no hook (crun)" {
	own_netns_after_create crun
}

# A namespace named by /proc/PID/ns/net (Podman's --network container:X): the runtime resolves
# the pid itself, so create installs after the runtime's create too, in the init's own
# namespace (here the fixture's, held by a process of the test), with no hook; the container
# reaches the allowed port and not another.
proc_path_after_create() {
	local holder
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	ip netns exec "$HS_NS" sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	holder=$!
	echo "$holder" >>"$HS_NETNS_PIDS"
	eg_bundle 'echo tok=$(r netprobe tcp 198.18.0.2 8080 3000)
echo tport=$(r netprobe tcp 198.18.0.2 8081 1000)'
	hs_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/proc/$holder/ns/net"
	! ip netns exec "$HS_NS" nft list table inet hardshim 2>/dev/null || false
	hs_create $C1
	ip netns exec "$HS_NS" nft list table inet hardshim | grep -q 'hardshim ruleset sha256:'
	jq -e '[.hooks.createRuntime[]? | select(.args[1] == "hook" and (.args[2] | test("egress")))] | length == 0' \
		"$HS_BUNDLE/config.json"
	tail -n 1 "$HS_LAUNCHES" | jq -e '[.findings[]? | select(.rule == "egress.after-create")] | length == 1'
	hs_start $C1
	for i in $(seq 100); do grep -qx done "$HS_TMP/$C1.out" && break; sleep 0.1; done
	cat "$HS_TMP/$C1.out"
	[ "$(result $C1 tok)" = 0 ]
	[ "$(result $C1 tport)" = 1 ]
}

@test "egress: a namespace named by /proc/PID/ns/net gets its rules from create after the runtime's create (runc)" {
	proc_path_after_create runc
}

@test "egress: a namespace named by /proc/PID/ns/net gets its rules from create after the runtime's create (crun)" {
	proc_path_after_create crun
}

# When the install after the runtime's create fails (here the kernel refuses the byte rate),
# the container goes (runtime delete --force: nothing of the image ran), create fails naming
# the rule, and the launch log records the failure after the launch.
own_netns_install_fails() {
	hs_use_runtime "$1" '.controls.egress = {"rate": 1000000000000}'
	hs_bundle
	hs_config '.process.args = ["sh", "-c", "echo started; exec sleep 1000"]'
	run hs_create $C1
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"egress.nftables"*"nftables refused the egress ruleset"* ]]
	! hs_rt_direct state $C1 >/dev/null 2>&1 || false
	! grep -q started "$HS_TMP/$C1.out" || false
	tail -n 1 "$HS_LAUNCHES" | jq -e --arg id $C1 \
		'.event == "runtime-failed" and .id == $id and .exit == 0 and (.error | test("egress.nftables"))'
	"$HS_BIN" log show "$HS_LAUNCHES" | grep -F "$C1" | grep -q 'FAILED: after the runtime'
	! nft list table inet hardshim 2>/dev/null || false
}

@test "egress: a failed install after the runtime's create leaves no container and a recorded failure (runc)" {
	own_netns_install_fails runc
}

@test "egress: a failed install after the runtime's create leaves no container and a recorded failure (crun)" {
	own_netns_install_fails crun
}

# The create path never loads rules into the host's namespace: a config that names it is
# refused before anything is installed (the namespaces control; egress.host-netns behind it).
host_ns_by_path() {
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	eg_bundle 'echo started'
	# the host's namespace under a netns name, as a careless or hostile engine could give it
	HOST_NS_NAME=hs-h-$$-$BATS_TEST_NUMBER
	ip netns attach "$HOST_NS_NAME" $$
	hs_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/run/netns/$HOST_NS_NAME"
	run hs_create $C1
	cat "$HS_TMP/$C1.err"
	[ "$status" != 0 ]
	grep -Eq 'namespaces\.host|egress\.host-netns' "$HS_TMP/$C1.err"
	! grep -q started "$HS_TMP/$C1.out" || false
	! nft list table inet hardshim 2>/dev/null || false
}

@test "egress: a config joining the host's network namespace by path is refused, nothing installed on the host (runc)" {
	host_ns_by_path runc
}

@test "egress: a config joining the host's network namespace by path is refused, nothing installed on the host (crun)" {
	host_ns_by_path crun
}

rate_capped() {
	local rate=1000000 bytes=6000000 base got
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"], "rate": 1000000}'
	# without rules the link is far faster than the ceiling
	base=$(probe blast 198.18.0.2 8080 $bytes)
	echo "unlimited: $base"
	[ "$(echo "$base" | cut -d' ' -f3)" -gt $((rate * 10)) ]
	eg_bundle "echo blast=\$(netprobe blast 198.18.0.2 8080 $bytes | tr ' ' :)"
	eg_run $C1
	got=$(result $C1 blast)
	echo "limited (bytes:ms:bytes/s): $got"
	[ "$(echo "$got" | cut -d: -f1)" = $bytes ]
	# nftables' byte limit lets one second's worth through at once, then holds the rate:
	# 6 MB at 1 MB/s arrives in ~5 s (1.2 MB/s measured); allow 0.5x to 1.4x.
	[ "$(echo "$got" | cut -d: -f3)" -le $((rate * 14 / 10)) ]
	[ "$(echo "$got" | cut -d: -f3)" -ge $((rate / 2)) ]
	[ "$(counter $C1 rate_dropped packets)" -gt 0 ]
}

@test "egress: the rate ceiling caps throughput, measured at the receiver (runc)" {
	rate_capped runc
}

@test "egress: the rate ceiling caps throughput, measured at the receiver (crun)" {
	rate_capped crun
}

cannot_flush() {
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	eg_bundle '
echo del=$(r netprobe nftdel hardshim)
echo t4=$(r netprobe tcp 198.18.0.2 8081 1000)'
	eg_run $C1
	cat "$HS_TMP/$C1.out"
	[ "$(result $C1 del)" = 1 ]
	[ "$(result $C1 t4)" = 1 ]
	ip netns exec "$HS_NS" nft list table inet hardshim >/dev/null
	# the same helper with CAP_NET_ADMIN (here: root on the host) does delete it, so the
	# refusal above is the container's lack of privilege, not a broken helper
	ip netns exec "$HS_NS" "$HS_BUILD/helpers/netprobe" nftdel hardshim
	! ip netns exec "$HS_NS" nft list table inet hardshim 2>/dev/null || false
}

@test "egress: an unprivileged container process cannot delete the table (runc)" {
	cannot_flush runc
}

@test "egress: an unprivileged container process cannot delete the table (crun)" {
	cannot_flush crun
}

@test "egress: a hostile config granting CAP_NET_ADMIN does not get to delete the table (runc)" {
	# Taking CAP_NET_ADMIN away is the capabilities control's job (policy engine); a build
	# without it cannot pass this, and says so rather than fail on someone else's absence.
	hs_use_runtime runc '.controls.capabilities = {}'
	eg_bundle 'echo del=$(r netprobe nftdel hardshim)'
	run "$HS_BIN" check "$HS_BUNDLE"
	if [[ "$output" == *"policy.unknown-control"* ]]; then
		skip "the capabilities control is not built into this hardshim yet"
	fi
	hs_use_runtime runc '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	hs_config '.process.capabilities |= with_entries(.value += ["CAP_NET_ADMIN"])'
	if ! hs_create_start $C1 2>"$HS_TMP/refusal"; then
		# refused by the capabilities control: fine, if it says so
		cat "$HS_TMP/refusal"
		grep -qi 'cap' "$HS_TMP/refusal"
		return 0
	fi
	for i in $(seq 100); do grep -qx done "$HS_TMP/$C1.out" && break; sleep 0.1; done
	! hs_cap_has "$(hs_status $C1 CapEff)" 12 || false
	[ "$(result $C1 del)" = 1 ]
	ip netns exec "$HS_NS" nft list table inet hardshim >/dev/null
}

nft_rejects() {
	# The kernel refuses a byte rate this large: the hook fails, the container never starts.
	hs_use_runtime "$1" '.controls.egress = {"rate": 1000000000000}'
	eg_bundle 'echo started'
	run hs_create $C1
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"egress.nftables"*"nftables refused the egress ruleset"* ]]
	[ "$(hs_state $C1)" != running ]
	! grep -q started "$HS_TMP/$C1.out" || false
}

@test "egress: a ruleset nftables rejects refuses the container with the reason (runc)" {
	nft_rejects runc
}

@test "egress: a ruleset nftables rejects refuses the container with the reason (crun)" {
	nft_rejects crun
}

missing_netns() {
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	eg_bundle 'echo started'
	hs_config '.linux.namespaces |= map(if .type == "network" then .path = "/run/netns/hs-no-such-ns" else . end)'
	run hs_create $C1
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"/run/netns/hs-no-such-ns"* ]]
	! grep -q started "$HS_TMP/$C1.out" || false
}

@test "egress: a missing network namespace refuses the container (runc)" {
	missing_netns runc
}

@test "egress: a missing network namespace refuses the container (crun)" {
	missing_netns crun
}

@test "egress: the hook refuses a vanished container process and the host's namespace" {
	local state='{"ociVersion":"1.0.2","id":"x","status":"creating","pid":%d,"bundle":"/tmp"}'
	run sh -c "printf '$state' 2147483646 | '$HS_BIN' hook egress --default deny"
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"egress.netns: /proc/2147483646/ns/net: cannot open the network namespace"* ]]
	# a pid in the host's namespace (this shell): never loaded there
	run sh -c "printf '$state' $$ | '$HS_BIN' hook egress --default deny"
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"egress.host-netns"* ]]
	! nft list table inet hardshim 2>/dev/null || false
}

# Issue 17: a pod's later container under the same policy finds its rules in the shared
# namespace and installs nothing: the kernel's table is the very one the first container's
# create made (same handle), and its counters still hold what the first container's refused
# connection added (a new table would start at 0). The rules still hold for the second
# container, seen from inside it. A third container under another ruleset replaces the table
# (new handle, its own comment), and its rules, not the first ones, hold from inside.
eg_handle() { # the handle of hardshim's table in $HS_NS
	ip netns exec "$HS_NS" nft -a list table inet hardshim | sed -n 's/^table inet hardshim { # handle \([0-9]*\)$/\1/p'
}
eg_comment() {
	ip netns exec "$HS_NS" nft list table inet hardshim | sed -n 's/^[[:space:]]*comment "\(.*\)"$/\1/p'
}
pod_same_rules() {
	local h1 c1 d1 h3 i
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	fixture_reachable
	eg_bundle 'echo tok=$(r netprobe tcp 198.18.0.2 8080 3000)
echo tport=$(r netprobe tcp 198.18.0.2 8081 1000)'
	eg_run $C1
	[ "$(result $C1 tok)" = 0 ]
	[ "$(result $C1 tport)" = 1 ]
	h1=$(eg_handle)
	c1=$(eg_comment)
	d1=$(counter $C1 dropped packets)
	[ -n "$h1" ] && [ "$d1" -ge 1 ]
	[[ "$c1" == "hardshim ruleset sha256:"* ]]
	# the pod's second container, the same policy: created, not yet started
	eg_bundle 'echo tok=$(r netprobe tcp 198.18.0.2 8080 3000)
echo tport=$(r netprobe tcp 198.18.0.2 8081 1000)' "$HS_TMP/b2"
	hs_create $C2
	[ "$(eg_handle)" = "$h1" ]
	[ "$(eg_comment)" = "$c1" ]
	[ "$(counter $C1 dropped packets)" -ge "$d1" ]
	hs_start $C2
	for i in $(seq 100); do grep -qx done "$HS_TMP/$C2.out" && break; sleep 0.1; done
	cat "$HS_TMP/$C2.out"
	[ "$(result $C2 tok)" = 0 ]
	[ "$(result $C2 tport)" = 1 ]
	[ "$(counter $C2 dropped packets)" -gt "$d1" ]
	[ "$(eg_handle)" = "$h1" ]
	# another ruleset (8081 allowed instead of 8080): the table is replaced
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:8081/tcp"]}'
	eg_bundle 'echo tok=$(r netprobe tcp 198.18.0.2 8081 3000)
echo tport=$(r netprobe tcp 198.18.0.2 8080 1000)' "$HS_TMP/b3"
	eg_run hs$$-$BATS_TEST_NUMBER-3
	h3=$(eg_handle)
	[ -n "$h3" ] && [ "$h3" != "$h1" ]
	[[ "$(eg_comment)" == "hardshim ruleset sha256:"* ]]
	[ "$(eg_comment)" != "$c1" ]
	[ "$(ip netns exec "$HS_NS" nft list tables | grep -c hardshim)" = 1 ]
	[ "$(result hs$$-$BATS_TEST_NUMBER-3 tok)" = 0 ]
	[ "$(result hs$$-$BATS_TEST_NUMBER-3 tport)" = 1 ]
}

@test "egress: a pod's later container under the same rules installs nothing, and its rules hold (runc)" {
	pod_same_rules runc
}

@test "egress: a pod's later container under the same rules installs nothing, and its rules hold (crun)" {
	pod_same_rules crun
}

@test "egress: every container of a shared namespace gets the same table, replaced atomically" {
	hs_use_runtime runc '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	eg_bundle 'echo t=$(r netprobe tcp 198.18.0.2 8080 2000)'
	eg_run $C1
	local first second
	# the same rules; counter values are left out (a stray packet, IPv6 neighbour discovery
	# on the veth, may land in "dropped" before the first listing and not before the second)
	first=$(ip netns exec "$HS_NS" nft list table inet hardshim | sed 's/packets [0-9]* bytes [0-9]*/packets - bytes -/')
	hs_bundle "$HS_TMP/b2"
	hs_rootfs_add_helper netprobe
	hs_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/run/netns/$HS_NS"
	hs_config '.process.args = ["sh", "-c", "echo t=$(netprobe tcp 198.18.0.2 8080 2000 >/dev/null 2>&1; echo $?); echo done; exec sleep 1000"]'
	hs_use_runtime crun '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	eg_run $C2
	second=$(ip netns exec "$HS_NS" nft list table inet hardshim | sed 's/packets [0-9]* bytes [0-9]*/packets - bytes -/')
	[ "$first" = "$second" ]
	[ "$(ip netns exec "$HS_NS" nft list tables | grep -c hardshim)" = 1 ]
	[ "$(result $C1 t)" = 0 ]
	[ "$(result $C2 t)" = 0 ]
}

# Issue 17: a table with other rules (here made by nft(8), as another tool or an older
# hardshim could leave it) is replaced in one nf_tables transaction, the old table deleted and
# the new one made at once, without libnftables. From inside, the container connects on and on
# to two ports (8080, 8081) while the hook replaces the table 20 times between two rulesets that
# both refuse them: no connection gets through (a moment without a table would let one), so the
# container is still at it after the 20th. Then rules that allow 8080 end its loop: the last
# replacement's rules, not the earlier ones, hold from inside.
replace_under_traffic() {
	local state='{"ociVersion":"1.0.2","id":"x","status":"creating","pid":%d,"bundle":"/tmp"}'
	local pid n args i
	hs_use_runtime "$1" '.controls.egress = {"allow": ["198.18.0.2:5353/udp"]}'
	fixture_reachable
	ip netns exec "$HS_NS" nft -f - <<-'NFT'
		table inet hardshim {
			comment "other rules"
			chain output {
				type filter hook output priority 0; policy accept;
				tcp dport 8081 accept
			}
		}
	NFT
	eg_bundle 'i=0; leak=0
while [ "$(r netprobe tcp 198.18.0.2 8080 300)" != 0 ]; do
	[ "$(r netprobe tcp 198.18.0.2 8081 300)" = 0 ] && leak=$((leak+1)); i=$((i+1))
done
echo probes=$i; echo leak=$leak'
	hs_create $C1
	# create replaced the other table: hardshim's comment, the other rule gone
	[[ "$(eg_comment)" == "hardshim ruleset sha256:"* ]]
	! ip netns exec "$HS_NS" nft list table inet hardshim | grep -q 'dport 8081 accept' || false
	hs_start $C1
	pid=$(hs_pid $C1)
	# the first replacement by the hook, traced: no library opened, by it or its child
	# (libnftnl is linked into the core; the sanitizer build's dynamic core opens libc and the
	# sanitizers' runtimes, nothing else), no NSS file. Under the sanitizer build (tests/run.sh)
	# LeakSanitizer's exit check cannot run in a traced process (it ptraces the process's own
	# threads) and fails it: this one call goes without it; the 21 hooks below keep it.
	printf "$state" "$pid" | ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=openat -o "$HS_TMP/hook.trace" \
		"$HS_BIN" hook egress --default deny --allow 198.18.0.2:5354/udp
	grep -q 'openat' "$HS_TMP/hook.trace"
	! grep -E 'lib(nftables|nftnl|mnl)|nsswitch|libnss' "$HS_TMP/hook.trace" || false
	if ! readelf -d "$(dirname "$HS_BIN")"/hardshim-core-* | grep -q 'NEEDED.*\[libasan'; then
		! grep -E '\.so[".]' "$HS_TMP/hook.trace" || false
	fi
	for n in $(seq 20); do
		if [ $((n % 2)) = 0 ]; then args='--allow 198.18.0.2:5354/udp'; else args='--allow 198.18.0.2:5353/udp'; fi
		# shellcheck disable=SC2086 # two words on purpose
		printf "$state" "$pid" | "$HS_BIN" hook egress --default deny $args
	done
	# still refused all along: the loop has not ended
	! grep -q '^leak=' "$HS_TMP/$C1.out" || false
	printf "$state" "$pid" | "$HS_BIN" hook egress --default deny --allow 198.18.0.2:8080/tcp
	for i in $(seq 300); do grep -qx done "$HS_TMP/$C1.out" && break; sleep 0.1; done
	cat "$HS_TMP/$C1.out"
	grep -qx done "$HS_TMP/$C1.out"
	[ "$(result $C1 leak)" = 0 ]
	[ "$(result $C1 probes)" -ge 1 ]
	[ "$(ip netns exec "$HS_NS" nft list tables | grep -c hardshim)" = 1 ]
	# 8080 now, 8081 still not
	! hs_rt_direct exec $C1 netprobe tcp 198.18.0.2 8081 1000 || false
}

@test "egress: a table with other rules is replaced in one transaction, never a moment without rules, seen from inside (runc)" {
	replace_under_traffic runc
}

@test "egress: a table with other rules is replaced in one transaction, never a moment without rules, seen from inside (crun)" {
	replace_under_traffic crun
}
