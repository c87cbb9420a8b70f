#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The front and its core (src/front/front.c): `hardshim` holds the fast path only and loads
# everything else from hardshim-core-BUILDID beside itself. A cache hit needs no core (the
# fast path is the front's own); a miss, create and every verb do. A core that is missing, from
# another build (a fleet update that renamed one file before the other) or writable by someone
# other than root is refused with its rule, both paths and exit 2, and the runtime never runs.

load ../lib/bundle
bats_require_minimum_version 1.5.0

# A policy per runtime, aged once: the cache writes an entry only for a policy whose last change
# is HS_POLICY_CACHE_SETTLE (2) seconds old.
setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	local d=$BATS_FILE_TMPDIR/policies rt
	mkdir -p "$d"
	for rt in runc crun; do
		jq -nc --arg rt "/usr/bin/$rt" '{runtime: $rt}' >"$d/fast-$rt.json"
		chmod 0644 "$d/fast-$rt.json"
	done
	sleep 2.2
}

setup() {
	hs_setup runc
	HARDSHIM_POLICY_CACHE=$HS_TMP/cache
	export HARDSHIM_POLICY_CACHE
	FB=$HS_TMP/bin
	mkdir -p "$FB"
	chmod 0755 "$HS_TMP" "$FB"
	hs_copy_hardshim "$FB"
	CORE=$(echo "$FB"/hardshim-core-*)
	[ -f "$CORE" ]
}
teardown() { hs_teardown; }

# `state nosuch` through the copied front: who answered is in $stderr.
fast() {
	run --separate-stderr "$FB/hardshim" --root "$HS_STATE" state nosuch
}
answered_by() {
	case $1 in
	runc) [[ "$stderr" == *"container does not exist"* ]] ;;
	crun) [[ "$stderr" == *"error opening file"*"nosuch/status"* ]] ;;
	esac
}

cache_hit_without_core() {
	export HARDSHIM_POLICY=$BATS_FILE_TMPDIR/policies/fast-$1.json
	fast # a miss: the core reads the policy strictly and writes the entry
	answered_by "$1"
	ls "$HARDSHIM_POLICY_CACHE"/policy-*.cache
	rm "$CORE"
	fast # a hit: the front alone
	answered_by "$1"
	[[ "$stderr" != *front.core* ]]
	# a miss needs the core: the policy changed (its ctime), no entry matches
	chmod 0600 "$HARDSHIM_POLICY" && chmod 0644 "$HARDSHIM_POLICY"
	fast
	[ "$status" -eq 2 ]
	[[ "$stderr" == "hardshim: front.core-missing: $CORE: "*"(front $FB/hardshim)"* ]]
	! answered_by "$1" || false
}
@test "front: runc: a cache hit needs no core, a miss does" { cache_hit_without_core runc; }
@test "front: crun: a cache hit needs no core, a miss does" { cache_hit_without_core crun; }

# create through the copied front with a recording runtime (egress and devices off: their steps
# ask the runtime for the container's state, which the recorder does not give): did it run?
create_recorded() {
	hs_policy_default
	jq --arg rt "$HS_BUILD/helpers/record-runtime" '.runtime = $rt | .controls.egress = {"enabled": false} |
		.controls.devices = {"enabled": false}' "$HARDSHIM_POLICY" >"$HS_TMP/rec.json"
	chmod 0644 "$HS_TMP/rec.json"
	hs_bundle
	hs_place_config fr-$$
	RECORD=$HS_TMP/record.jsonl
	: >"$RECORD"
	run --separate-stderr env HARDSHIM_POLICY="$HS_TMP/rec.json" HS_RECORD="$RECORD" \
		"$FB/hardshim" --root "$HS_STATE" create --bundle "$HS_BUNDLE" fr-$$
	echo "# create: status $status: $stderr" >&2
}

@test "front: the core is loaded for create (the runtime runs through it)" {
	create_recorded
	[ "$status" -eq 0 ]
	[ -s "$RECORD" ]
}

@test "front: a missing core: named, exit 2, the runtime not run" {
	rm "$CORE"
	create_recorded
	[ "$status" -eq 2 ]
	[[ "$stderr" == "hardshim: front.core-missing: $CORE: no core of this build beside the executable (front $FB/hardshim)"* ]]
	[ ! -s "$RECORD" ]
	run --separate-stderr "$FB/hardshim" version
	[ "$status" -eq 2 ]
	[[ "$stderr" == *front.core-missing* ]]
}

@test "front: a core from another build under this build's name is refused before it is called" {
	# another build: the same core with one byte of its GNU build id note changed
	local id other
	id=$(readelf -n "$CORE" | awk '/Build ID:/ { print $3 }')
	python3 - "$CORE" "$id" <<-'PY'
		import sys
		p, hexid = sys.argv[1], sys.argv[2]
		b = bytearray(open(p, "rb").read())
		i = b.find(b"GNU\0" + bytes.fromhex(hexid))
		assert i > 0 and b.find(b"GNU\0" + bytes.fromhex(hexid), i + 1) < 0
		b[i + 4] ^= 0xff
		open(p, "wb").write(b)
	PY
	other=$(readelf -n "$CORE" | awk '/Build ID:/ { print $3 }')
	[ "$other" != "$id" ]
	create_recorded
	[ "$status" -eq 2 ]
	[[ "$stderr" == "hardshim: front.core-build: $CORE: its build id is $other, this front's core is $id (front $FB/hardshim)"* ]]
	[ ! -s "$RECORD" ]
}

@test "front: as root, a core or a directory someone else can write is refused" {
	chmod g+w "$CORE"
	create_recorded
	[ "$status" -eq 2 ]
	[[ "$stderr" == "hardshim: front.core-untrusted: $CORE: not root's alone (owner or mode) (host.untrusted-file) (front $FB/hardshim)"* ]]
	[ ! -s "$RECORD" ]
	chmod g-w "$CORE"
	chown 65534 "$CORE"
	create_recorded
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"front.core-untrusted: $CORE: not root's alone"* ]]
	chown 0 "$CORE"
	chmod o+w "$FB"
	create_recorded
	[ "$status" -eq 2 ]
	[[ "$stderr" == "hardshim: front.core-untrusted: $CORE: "* ]]
	[ ! -s "$RECORD" ]
	chmod o-w "$FB"
	create_recorded
	[ "$status" -eq 0 ]
	[ -s "$RECORD" ]
}

@test "front: a static-pie front that carries its core's build id; the core a static-pie program too" {
	# the front: position-independent (ASLR), no interpreter, no library, full RELRO, bound now;
	# in the sanitizer build too (SANITIZE=1 builds the same front, without the sanitizers:
	# only its core carries them)
	run readelf -hldW "$FB/hardshim"
	[[ "$output" == *"Type:"*"DYN"* ]]
	[[ "$output" != *INTERP* ]]
	[[ "$output" != *NEEDED* ]]
	[[ "$output" == *GNU_RELRO* ]]
	[[ "$output" == *BIND_NOW* ]]
	# the core: a program of its own, -static-pie as well; in the sanitizer build a dynamic
	# PIE (ASan cannot be linked static: tests/integration/linked-libs.bats)
	run readelf -hldW "$CORE"
	[[ "$output" == *"Type:"*"DYN"* ]]
	[[ "$output" == *GNU_RELRO* ]]
	[[ "$output" == *BIND_NOW* ]]
	if [[ "$output" != *"NEEDED"*"[libasan.so"* ]]; then
		[[ "$output" != *INTERP* ]]
		[[ "$output" != *NEEDED* ]]
	fi
	id=$(readelf -n "$CORE" | awk '/Build ID:/ { print $3 }')
	[ "$(basename "$CORE")" = "hardshim-core-$id" ]
	grep -qa "$id" "$FB/hardshim"
}

# The core gets the front's argv unchanged, argv[0] included (the policy's path may depend on
# it), and the front's own path, whatever the caller set: a caller's HARDSHIM_FRONT is not
# what the core takes for hardshim's own path, nor does it reach the runtime.
@test "front: the core gets argv as it came and the front's path, not the caller's" {
	local out
	create_recorded
	[ "$status" -eq 0 ]
	: >"$RECORD"
	# no cache: the core answers; invoked as hardshim-rec: the core's policy is rec.json beside
	# the base policy only when argv[0] reached it as it came
	run --separate-stderr env HARDSHIM_POLICY_CACHE= HARDSHIM_POLICY="$HS_TMP/base.json" \
		HS_RECORD="$RECORD" HARDSHIM_FRONT=/tmp/not-hardshim \
		bash -c 'exec -a hardshim-rec "$0" "$@"' "$FB/hardshim" --root "$HS_STATE" state fr-$$
	echo "# state: status $status: $stderr" >&2
	[ "$status" -eq 0 ]
	out=$(cat "$RECORD")
	echo "$out" >&2
	[[ "$out" == *'"state"'* ]]
	[[ "$out" != *HARDSHIM_FRONT* ]]
	[[ "$out" != *not-hardshim* ]]
}
