#!/usr/bin/env bats
# The bundle helpers themselves, against the real runtimes directly (HS_VIA=direct): if these
# fail, every other integration test's evidence is suspect.

load ../lib/bundle

teardown() { hs_teardown; }

for_runtimes() {
	local rt
	for rt in runc crun; do
		hs_setup "$rt"
		echo "# runtime: $rt"
		"$@"
		hs_teardown
	done
}

@test "lib: busybox bundle runs in the foreground with runc and crun" {
	export HS_VIA=direct
	check() {
		hs_bundle "$HS_TMP/b-$HS_RUNTIME"
		hs_args sh -c 'echo hello-$(id -u)'
		run hs_run "fg-$HS_RUNTIME"
		[ "$status" -eq 0 ]
		[ "$output" = hello-0 ]
	}
	for_runtimes check
}

@test "lib: detached container: pid, /proc status, namespaces, exec, state, cleanup" {
	export HS_VIA=direct
	check() {
		hs_bundle "$HS_TMP/b-$HS_RUNTIME"
		hs_create_start "d-$HS_RUNTIME"
		hs_wait_state "d-$HS_RUNTIME" running
		pid=$(hs_pid "d-$HS_RUNTIME")
		[ "$pid" -gt 1 ]
		[ "$(hs_status "d-$HS_RUNTIME" Name)" = sleep ]
		[ "$(hs_status "d-$HS_RUNTIME" Uid)" = "0 0 0 0" ]
		hs_ns_differs "d-$HS_RUNTIME" pid
		hs_ns_differs "d-$HS_RUNTIME" mnt
		run hs_ns_differs "d-$HS_RUNTIME" user
		[ "$status" -ne 0 ]
		# runc spec's default capabilities: AUDIT_WRITE(29), KILL(5), NET_BIND_SERVICE(10).
		eff=$(hs_status "d-$HS_RUNTIME" CapEff)
		hs_cap_has "$eff" 5
		hs_cap_has "$eff" 10
		run hs_cap_has "$eff" 21
		[ "$status" -ne 0 ]
		run hs_exec "d-$HS_RUNTIME" --user 65534:65534 -- id -u
		[ "$status" -eq 0 ]
		[ "$output" = 65534 ]
		hs_teardown
		# The init is gone (or a zombie awaiting its reaper), not running.
		for i in 1 2 3 4 5 6 7 8 9 10; do
			st=$(awk '$1 == "State:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
			[ -z "$st" ] || [ "$st" = Z ] && break
			sleep 0.2
		done
		[ -z "$st" ] || [ "$st" = Z ]
		run hs_rt_direct state "d-$HS_RUNTIME"
		[ "$status" -ne 0 ]
	}
	for_runtimes check
}

@test "lib: policy file names the runtime and takes jq edits" {
	hs_setup crun
	[ "$(jq -r .runtime "$HARDSHIM_POLICY")" = /usr/bin/crun ]
	hs_policy '.mode = "audit"'
	[ "$(jq -c . "$HARDSHIM_POLICY")" = "{\"runtime\":\"/usr/bin/crun\",\"log\":{\"path\":\"$HS_TMP/launches.jsonl\"},\"mode\":\"audit\"}" ]
	hs_policy_default '.controls.user.enabled = false'
	[ "$(jq -r .runtime "$HARDSHIM_POLICY")" = /usr/bin/crun ]
	[ "$(jq -r .log.path "$HARDSHIM_POLICY")" = "$HS_TMP/launches.jsonl" ]
	[ "$(jq -r .controls.user.enabled "$HARDSHIM_POLICY")" = false ]
	[ "$(jq -r .controls.rootfs.readonly "$HARDSHIM_POLICY")" = true ]
	[ "$(stat -c %a "$HARDSHIM_POLICY")" = 644 ]
}

@test "lib: the same bundle through hardshim (runc and crun): each run starts from the test's config" {
	check() {
		hs_bundle "$HS_TMP/b-$HS_RUNTIME"
		hs_config '.root.readonly = false'
		hs_args sh -c 'id -u; touch /probe 2>/dev/null && echo rw || echo ro'
		run hs_run "h-$HS_RUNTIME"
		[ "$status" -eq 0 ]
		[ "${lines[-2]}" = 65534 ]
		[ "${lines[-1]}" = ro ]
		[ -f "$HS_BUNDLE/config.json.orig" ]
		[ "$(hs_final_config | jq .root.readonly)" = true ]
		[ "$(jq -r .root.readonly "$HS_CONFIG")" = false ]
		# A second run with the user control off: config.json is re-made from the test's.
		hs_policy '.controls.user.enabled = false'
		run hs_run "h2-$HS_RUNTIME"
		[ "$status" -eq 0 ]
		[ "${lines[-2]}" = 0 ]
	}
	for_runtimes check
}

# lib_names FILE: the libraries FILE loads or sources, by name (bundle, env, resctl, ...).
lib_names() {
	grep -E '^[[:space:]]*(load|source|\.)[[:space:]]' "$1" | while read -r line; do
		if grep -qE '[A-Za-z0-9_-]+\.bash' <<<"$line"; then
			grep -oE '[A-Za-z0-9_-]+\.bash' <<<"$line" | sed 's/\.bash$//'
		else
			set -- $line
			[ "$1" = load ] && basename "${2//\"/}"
		fi
	done
}

# loads_env FILE [DEPTH]: FILE loads tests/lib/env.bash, itself or through a library it loads.
loads_env() {
	local f=$1 depth=${2:-0} name lib
	[ "$depth" -lt 4 ] || return 1
	for name in $(lib_names "$f"); do
		[ "$name" = env ] && return 0
		for lib in "$(dirname "$f")/$name.bash" "$HS_TOP/tests/lib/$name.bash"; do
			[ -f "$lib" ] && loads_env "$lib" $((depth + 1)) && return 0
		done
	done
	return 1
}

@test "lib: every .bats file that uses HS_TOP, HS_BUILD or HS_BIN gets them from tests/lib/env.bash (runs as plain 'bats FILE')" {
	local f n=0 bad=0
	for f in "$HS_TOP"/tests/*/*.bats; do
		grep -qE '\$\{?HS_(TOP|BUILD|BIN)' "$f" || continue
		n=$((n + 1))
		if ! loads_env "$f"; then
			echo "$f: uses HS_TOP/HS_BUILD/HS_BIN without loading tests/lib/env.bash" >&2
			bad=1
		fi
	done
	[ "$n" -ge 20 ]
	[ "$bad" = 0 ]
	# and the library gives them, from anywhere, when nothing exported them
	run env -u HS_TOP -u HS_BUILD -u HS_BIN bash -c \
		'cd / && . "$0" && echo "$HS_TOP $HS_BUILD $HS_BIN"' "$HS_TOP/tests/lib/env.bash"
	[ "$output" = "$HS_TOP $HS_TOP/build $HS_TOP/build/hardshim" ]
}

# Two runs of the suite at once (plain and ASan, tests/run.sh) take turns at what the machine
# has one of: the second holder waits, gives up after HS_LOCK_WAIT naming the lock, and gets it
# once the first holder's process is gone.
@test "lib: hs_machine_lock: a second holder waits, then fails naming the lock; free once the first process exits" {
	local name=lib-test-$$ lock=/run/lock/hardshim-tests/lib-test-$$.lock
	(hs_machine_lock "$name" && : >"$BATS_TEST_TMPDIR/held" && sleep 3) &
	for _ in $(seq 50); do [ -e "$BATS_TEST_TMPDIR/held" ] && break; sleep 0.1; done
	[ -e "$BATS_TEST_TMPDIR/held" ]
	run env HS_LOCK_WAIT=1 bash -c 'source "$1/tests/lib/env.bash" && hs_machine_lock "$2"' _ "$HS_TOP" "$name"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"machine lock $lock: still held by another run after 1 s"* ]]
	wait
	run env HS_LOCK_WAIT=1 bash -c 'source "$1/tests/lib/env.bash" && hs_machine_lock "$2"' _ "$HS_TOP" "$name"
	echo "$output"
	[ "$status" -eq 0 ]
	rm -f "$lock"
}
