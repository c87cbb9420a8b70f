#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The fast path's policy cache (src/policy/policy-cache.c), through the binary, under runc and
# crun. `state`, `kill`, `delete`... read the runtime from a root-only entry instead of
# parsing the policy, only while the entry matches the policy file as it is now. Each test
# first shows the entry in use (an entry edited to name a marker runtime is what the fast path
# runs), then that a change to the policy, or an entry someone else could have written, is
# not used: the next call runs what the policy says, or refuses a broken policy as before.

load ../lib/bundle
bats_require_minimum_version 1.5.0

# The policies of every test, written once: an entry is only written for a policy whose last
# change is HS_POLICY_CACHE_SETTLE (2) seconds old, so they age together, once.
setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	local d=$BATS_FILE_TMPDIR/policies rt t
	mkdir -p "$d"
	for rt in runc crun; do
		for t in inplace rename broken entry swap base lifecycle; do
			jq -nc --arg rt "/usr/bin/$rt" '{runtime: $rt}' >"$d/$t-$rt.json"
			chmod 0644 "$d/$t-$rt.json"
		done
		# hardshim-named-RT's policy: the base policy's very inode under another name
		ln "$d/base-$rt.json" "$d/named-$rt.json"
	done
	sleep 2.2
}

setup() {
	hs_setup runc
	HS_POLICIES=$BATS_FILE_TMPDIR/policies
	HARDSHIM_POLICY_CACHE=$HS_TMP/cache
	export HS_POLICIES HARDSHIM_POLICY_CACHE
	printf '#!/bin/sh\necho "marker $*"\n' >"$HS_TMP/marker"
	chmod 0755 "$HS_TMP/marker"
}
teardown() { hs_teardown; }

other() { if [ "$1" = runc ]; then echo crun; else echo runc; fi; }

# fast [ARGV0]: `state nosuch` through hardshim (or a link to it named ARGV0), the policy
# $HARDSHIM_POLICY: what answered is in $output (runc, crun or the marker).
fast() {
	run --separate-stderr "${1:-$HS_BIN}" --root "$HS_STATE" state nosuch
}

# Who answered `state nosuch`.
answered_by() {
	case $1 in
	runc) [[ "$stderr" == *"container does not exist"* ]] ;;
	crun) [[ "$stderr" == *"error opening file"*"nosuch/status"* ]] ;;
	marker) [ "$status" -eq 0 ] && [ "$output" = "marker --root $HS_STATE state nosuch" ] ;;
	esac
}

# The cache's entry for the policy POLICY (default $HARDSHIM_POLICY): exactly one.
entry() {
	local e
	e=$(grep -lx "policy ${1:-$HARDSHIM_POLICY}" "$HARDSHIM_POLICY_CACHE"/policy-*.cache)
	[ -n "$e" ] && [ "$(wc -l <<<"$e")" = 1 ] && echo "$e"
}

# use_policy NAME RT: $HARDSHIM_POLICY is that aged policy; the first fast call writes its
# entry; then the entry is edited (root's, 0600, as hardshim writes it) to name the marker,
# and the next call runs the marker: the entry is read, the policy is not.
cached_policy() {
	export HARDSHIM_POLICY=$HS_POLICIES/$1-$2.json
	fast
	[ "$status" -ne 0 ]
	answered_by "$2"
	E=$(entry)
	[ "$(stat -c '%u %a' "$E")" = "0 600" ]
	grep -qx "runtime /usr/bin/$2" "$E"
	# keyed by the core's own build id (its file name carries it): the core found its note
	core=$(basename "$(dirname "$HS_BIN")"/hardshim-core-*)
	grep -qx "build ${core#hardshim-core-}" "$E"
	plant_marker
	fast
	answered_by marker
}

# The entry $E, root's 0600 as hardshim writes it, naming the marker.
plant_marker() {
	sed -i "s|^runtime .*|runtime $HS_TMP/marker|" "$E"
	chown 0:0 "$E"
	chmod 0600 "$E"
}

# Write the line TEXT over the policy in place (same size) and give it back its mtime.
rewrite_in_place() { # FILE TEXT
	local m
	m=$(stat -c %y "$1")
	[ "$((${#2} + 1))" = "$(stat -c %s "$1")" ]
	printf '%s\n' "$2" 1<>"$1"
	touch -m -d "$m" "$1"
	[ "$(stat -c %y "$1")" = "$m" ]
}

policy_changed_in_place() {
	local rt=$1 p
	cached_policy inplace "$rt"
	p=$HARDSHIM_POLICY
	rewrite_in_place "$p" "$(jq -nc --arg rt "/usr/bin/$(other "$rt")" '{runtime: $rt}')"
	fast
	answered_by "$(other "$rt")"
}
@test "policy-cache runc: a policy changed in place (same size, same mtime) is seen at once" { policy_changed_in_place runc; }
@test "policy-cache crun: a policy changed in place (same size, same mtime) is seen at once" { policy_changed_in_place crun; }

policy_renamed_over() {
	local rt=$1 p m
	cached_policy rename "$rt"
	p=$HARDSHIM_POLICY
	m=$(stat -c %y "$p")
	jq -nc --arg rt "/usr/bin/$(other "$rt")" '{runtime: $rt}' >"$p.new"
	chmod 0644 "$p.new"
	touch -m -d "$m" "$p.new"
	[ "$(stat -c %s "$p.new")" = "$(stat -c %s "$p")" ]
	mv "$p.new" "$p"
	fast
	answered_by "$(other "$rt")"
}
@test "policy-cache runc: a policy renamed over (same size, same mtime) is seen at once" { policy_renamed_over runc; }
@test "policy-cache crun: a policy renamed over (same size, same mtime) is seen at once" { policy_renamed_over crun; }

broken_policy() {
	local rt=$1 p expect
	cached_policy broken "$rt"
	p=$HARDSHIM_POLICY
	rewrite_in_place "$p" "$(jq -nc --arg rt "/usr/bin/$rt" '{runtime: $rt}' | sed 's/}$/]/')"
	fast
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	# the refusal without any cache, byte for byte
	expect=$(HARDSHIM_POLICY_CACHE='' "$HS_BIN" --root "$HS_STATE" state nosuch 2>&1 || true)
	[[ "$expect" == "hardshim: policy.syntax: "*"in policy $p (at byte "*")" ]]
	[ "$stderr" = "$expect" ]
}
@test "policy-cache runc: a policy broken after it was cached is refused, rule and byte offset" { broken_policy runc; }
@test "policy-cache crun: a policy broken after it was cached is refused, rule and byte offset" { broken_policy crun; }

entry_not_roots() {
	local rt=$1
	cached_policy entry "$rt"
	chown 65534 "$E"
	fast
	answered_by "$rt"
	# (the miss wrote a good entry over it: plant the marker again)
	plant_marker
	chmod 0620 "$E"
	fast
	answered_by "$rt"
	plant_marker
	chmod 0606 "$E"
	fast
	answered_by "$rt"
	# the same bytes, root's alone: used
	plant_marker
	fast
	answered_by marker
}
@test "policy-cache runc: an entry owned by another uid or group-writable is ignored" { entry_not_roots runc; }
@test "policy-cache crun: an entry owned by another uid or group-writable is ignored" { entry_not_roots crun; }

swappable_cache_dir() {
	local rt=$1
	cached_policy swap "$rt"
	# someone else's directory on the way: uid 65534 could swap the entry
	chown 65534 "$HARDSHIM_POLICY_CACHE"
	fast
	answered_by "$rt"
	chown 0 "$HARDSHIM_POLICY_CACHE"
	chmod 0777 "$HARDSHIM_POLICY_CACHE"
	fast
	answered_by "$rt"
	chmod 0755 "$HARDSHIM_POLICY_CACHE"
	fast
	answered_by marker
	# a cache named by a symlink the entry's judgement walks through: the link's directory
	# is root's, the target too: still used (the canonical path is judged)
	ln -s "$HARDSHIM_POLICY_CACHE" "$HS_TMP/cache-link"
	HARDSHIM_POLICY_CACHE=$HS_TMP/cache-link fast
	answered_by marker
	# no cache at all
	HARDSHIM_POLICY_CACHE='' fast
	answered_by "$rt"
}
@test "policy-cache runc: a cache directory someone else could swap is ignored" { swappable_cache_dir runc; }
@test "policy-cache crun: a cache directory someone else could swap is ignored" { swappable_cache_dir crun; }

# hardshim-NAME reads NAME.json beside the base policy: the base's entry, laid under NAME's
# entry's name, is not used for it, even when NAME.json is the very same inode (a hard link:
# only the path in the entry tells them apart).
other_policy_path() {
	local rt=$1 e_named
	cached_policy base "$rt"
	mkdir -p "$HS_TMP/bin"
	ln -sf "$HS_BIN" "$HS_TMP/bin/hardshim-named-$rt"
	fast "$HS_TMP/bin/hardshim-named-$rt"
	answered_by "$rt"
	e_named=$(entry "$HS_POLICIES/named-$rt.json")
	[ "$e_named" != "$E" ]
	cp "$E" "$e_named"
	fast "$HS_TMP/bin/hardshim-named-$rt"
	answered_by "$rt"
	# the base policy's entry itself is still in use
	fast
	answered_by marker
}
@test "policy-cache runc: another policy path's entry is not used (hardshim-NAME)" { other_policy_path runc; }
@test "policy-cache crun: another policy path's entry is not used (hardshim-NAME)" { other_policy_path crun; }

# A real container's lifecycle through the fast path with the entry in use: state, kill and
# delete reach the runtime the entry names.
lifecycle() {
	local rt=$1
	hs_use_runtime "$rt"
	hs_bundle
	hs_create_start lc
	export HARDSHIM_POLICY=$HS_POLICIES/lifecycle-$rt.json
	run "$HS_BIN" --root "$HS_STATE" state lc
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]
	grep -qx "runtime /usr/bin/$rt" "$(entry)"
	run "$HS_BIN" --root "$HS_STATE" state lc
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]
	run "$HS_BIN" --root "$HS_STATE" kill lc KILL
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do # up to 10 s on a loaded machine
		[ "$("$HS_BIN" --root "$HS_STATE" state lc | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	[ "$("$HS_BIN" --root "$HS_STATE" state lc | jq -r .status)" = stopped ]
	run "$HS_BIN" --root "$HS_STATE" delete lc
	[ "$status" -eq 0 ]
	run "$HS_RUNTIME_PATH" --root "$HS_STATE" state lc
	[ "$status" -ne 0 ]
}
@test "policy-cache runc: state, kill, delete of a real container through the cached entry" { lifecycle runc; }
@test "policy-cache crun: state, kill, delete of a real container through the cached entry" { lifecycle crun; }
