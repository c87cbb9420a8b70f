#!/usr/bin/env bats
# The MAC control end to end: hardshim's AppArmor profile parses with the real parser, and
# `hardshim check --target apparmor|selinux|none` evaluates a real bundle as it would be on a
# node with that MAC (this machine has neither; docs/runtime-differences.md).

load ../lib/env

setup() {
	work=$(mktemp -d /tmp/hs-mac.XXXXXX)
	mkdir -p "$work/b/rootfs"
	(cd "$work/b" && runc spec && jq '.process.terminal=false' config.json >c && mv c config.json)
	chmod 0644 "$work/b/config.json"
	sed -e "s|/var/log/hardshim/launches.jsonl|$work/launches.jsonl|" "$HS_TOP/profiles/policy/default.json" >"$work/policy.json"
	chmod 0644 "$work/policy.json"
	export HARDSHIM_POLICY="$work/policy.json"
}

teardown() {
	rm -rf "$work"
}

@test "mac: profiles/apparmor/hardshim-default passes apparmor_parser -Q" {
	command -v apparmor_parser >/dev/null || skip "apparmor_parser is not installed (package apparmor)"
	run apparmor_parser -Q -K "$HS_TOP/profiles/apparmor/hardshim-default"
	echo "$output"
	[ "$status" -eq 0 ]
	# and the parser does reject a broken profile (the check can fail)
	sed 's/deny mount,/deny mount/' "$HS_TOP/profiles/apparmor/hardshim-default" >"$work/broken"
	run apparmor_parser -Q -K "$work/broken"
	[ "$status" -ne 0 ]
}

@test "mac: check --target apparmor sets hardshim-default (assumed loaded on the target node)" {
	run "$HS_BIN" check --target apparmor "$work/b"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"mac.apparmor-default process.apparmorProfile: no AppArmor profile: hardshim-default applied"* ]]
	[[ "$output" != *"mac.apparmor-not-loaded"* ]]
	# a profile the policy does not list is still refused
	jq '.process.apparmorProfile="docker-default"' "$work/b/config.json" >"$work/c.json"
	run "$HS_BIN" check --target apparmor "$work/c.json"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"process.apparmorProfile"* ]]
}

@test "mac: check --target apparmor refuses unconfined" {
	jq '.process.apparmorProfile="unconfined"' "$work/b/config.json" >"$work/c.json"
	run "$HS_BIN" check --target apparmor "$work/c.json"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"mac.apparmor-unconfined process.apparmorProfile"* ]]
}

@test "mac: check --target selinux generates container_t with an MCS pair and the matching mount label" {
	run "$HS_BIN" check --target selinux "$work/b"
	echo "$output"
	label=$(grep -o 'system_u:system_r:container_t:s0:c[0-9]*,c[0-9]*' <<<"$output" | head -1)
	[ -n "$label" ]
	level=${label#system_u:system_r:container_t:}
	a=${level#s0:c}; a=${a%%,*}; b=${level##*,c}
	[ "$a" -lt "$b" ] && [ "$b" -le 1023 ]
	[[ "$output" == *"system_u:object_r:container_file_t:$level applied"* ]]
	# no SELinux policy is loaded here: the label is judged by its shape for the target node
	[ "$status" -eq 0 ]
	jq '.process.selinuxLabel="container_t"' "$work/b/config.json" >"$work/c.json"
	run "$HS_BIN" check --target selinux "$work/c.json"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"process.selinuxLabel"* ]]
}

@test "mac: check --target selinux refuses spc_t and unconfined_t" {
	for label in system_u:system_r:spc_t:s0 unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023; do
		jq --arg l "$label" '.process.selinuxLabel=$l' "$work/b/config.json" >"$work/c.json"
		run "$HS_BIN" check --target selinux "$work/c.json"
		echo "$output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"mac.selinux-privileged process.selinuxLabel"* ]]
	done
}

@test "mac: check --target none warns by default and refuses when the policy says so" {
	run "$HS_BIN" check --target none "$work/b"
	echo "$output"
	[[ "$output" == *"warn     mac.none"* ]]
	[[ "$output" != *"mac.apparmor"* ]]
	jq '.controls.mac={"no_mac":"refuse"}' "$work/policy.json" >"$work/refuse.json"
	chmod 0644 "$work/refuse.json"
	HARDSHIM_POLICY="$work/refuse.json" run "$HS_BIN" check --target none "$work/b"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"refuse   mac.none"* ]]
}
