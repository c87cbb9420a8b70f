#!/usr/bin/env bats
# `hardshim run` as the runtime's create + start + a wait for the init (src/cli/run.c), with
# the real runc and crun: what the caller of `runtime run` sees stays (exit status, stdio,
# signals, the container gone afterwards, --detach, --keep), every control is in force in the
# running init, and the runtime's config carries no devices hook (the deny is create's own).
# A terminal without --console-socket keeps `runtime run` with its hooks: tested too.

load ../lib/bundle
bats_require_minimum_version 1.5.0

setup() { hs_setup "${RT:-runc}"; }
teardown() {
	local p
	for p in "${HS_BG[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	hs_teardown
}

HS_BG=()

# bg_run ID [run options...]: hardshim run in the background (its own pid in $HS_BG_PID, not
# a wrapper's: signals go to hardshim itself), the container's stdio in $HS_TMP/ID.out/.err.
bg_run() {
	local id=$1
	shift
	hs_track "$id"
	hs_place_config "$id" || return 1
	"$HS_BIN" --root "$HS_STATE" run --bundle "$HS_BUNDLE" --pid-file "$HS_TMP/$id.pid" "$@" \
		"$id" </dev/null >"$HS_TMP/$id.out" 2>"$HS_TMP/$id.err" 3>&- &
	HS_BG_PID=$!
	HS_BG+=("$HS_BG_PID")
}

# wait_file FILE [PATTERN]: until FILE exists (and holds PATTERN), 20 s at most.
wait_file() {
	local i
	for ((i = 0; i < 200; i++)); do
		if [ -s "$1" ] && { [ -z "${2:-}" ] || grep -q "$2" "$1"; }; then return 0; fi
		sleep 0.1
	done
	echo "$1 never came (${2:-})" >&2
	return 1
}

# The runtime's config has no createRuntime hook of hardshim's (neither devices nor egress:
# run went as create + start, and create does both itself).
no_hook() {
	hs_final_config | jq -e '[.hooks.createRuntime // [] | .[] | select(.args[1] == "hook")] | length == 0'
}

exit_and_stdio() {
	RT=$1 setup
	hs_bundle
	hs_args sh -c 'echo out; echo err >&2; exit 3'
	run --separate-stderr hs_run x3
	echo "status=$status out=$output err=$stderr"
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	[[ "$stderr" == *err* ]]
	no_hook
	# stdin is the caller's: read through to the container's stdout
	hs_args sh -c 'read -r l; echo "got $l"'
	hs_track x4
	hs_place_config x4
	printf 'line\n' >"$HS_TMP/in"
	run hs_rt run --bundle "$HS_BUNDLE" x4 <"$HS_TMP/in"
	[ "$status" -eq 0 ]
	[ "$output" = "got line" ]
	# deleted after a foreground run, as `runtime run` does
	run hs_rt_direct state x4
	[ "$status" -ne 0 ]
	# one launch record per run, event "run", that says hardshim waits for the runtime
	jq -e -s '[.[] | select(.id == "x4")] | length == 1 and .[0].event == "run" and .[0].waits == true' "$HS_LAUNCHES"
}
@test "run/runc: exit status, stdout, stderr and stdin pass through; deleted after; one run record" { exit_and_stdio runc; }
@test "run/crun: exit status, stdout, stderr and stdin pass through; deleted after; one run record" { exit_and_stdio crun; }

# A container killed by SIGKILL: hardshim exits 137, as `runtime run` does (compared with the
# bare runtime's run of the same bundle).
killed() {
	local via code pid
	RT=$1 setup
	hs_bundle
	hs_args sleep 1000
	for via in hardshim direct; do
		hs_track "k-$via"
		hs_place_config "k-$via"
		if [ "$via" = direct ]; then
			"$HS_RUNTIME_PATH" --root "$HS_STATE" run --bundle "$HS_BUNDLE" \
				--pid-file "$HS_TMP/k-$via.pid" "k-$via" </dev/null >/dev/null 2>&1 3>&- &
		else
			"$HS_BIN" --root "$HS_STATE" run --bundle "$HS_BUNDLE" \
				--pid-file "$HS_TMP/k-$via.pid" "k-$via" </dev/null >/dev/null 2>&1 3>&- &
		fi
		HS_BG+=("$!")
		wait_file "$HS_TMP/k-$via.pid"
		hs_wait_state "k-$via" running 20
		pid=$(cat "$HS_TMP/k-$via.pid")
		kill -KILL "$pid"
		code=0
		wait "${HS_BG[-1]}" || code=$?
		echo "$via: $code"
		eval "code_$via=$code"
	done
	[ "$code_hardshim" -eq 137 ]
	[ "$code_hardshim" -eq "$code_direct" ]
}
@test "run/runc: an init killed by SIGKILL gives 137, as runc run" { killed runc; }
@test "run/crun: an init killed by SIGKILL gives 137, as crun run" { killed crun; }

# SIGTERM to hardshim reaches the container's init; every control is in force in it.
term_and_controls() {
	local pid cg code
	RT=$1 setup
	hs_bundle
	hs_args sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	bg_run t1
	wait_file "$HS_TMP/t1.out" ready
	pid=$(cat "$HS_TMP/t1.pid")
	# the init is hardshim's child (the subreaper), not the runtime's
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$HS_BG_PID" ]
	hs_proc t1 status | grep -E '^(Seccomp|NoNewPrivs|Cap|Uid)'
	[ "$(hs_status t1 Seccomp)" = 2 ]
	[ "$(hs_status t1 NoNewPrivs)" = 1 ]
	# nothing beyond net_bind_service (runc spec's, which the policy keeps)
	[ $((16#$(hs_status t1 CapBnd) & ~16#400)) -eq 0 ]
	[ "$(hs_status t1 Uid | cut -d' ' -f1)" != 0 ]
	no_hook
	# the deny the hook used to do, done by run's create (cgroup v1 devices)
	cg=$(awk -F: '$2 ~ /(^|,)devices(,|$)/ {print $3}' "/proc/$pid/cgroup")
	if [ -n "$cg" ]; then
		run grep -cE '^c (10:200|5:1) ' "/sys/fs/cgroup/devices$cg/devices.list"
		echo "devices.list: $output"
		[ "$output" = 0 ]
	fi
	# the egress rules, installed by run's create in the init's own network namespace
	nsenter --net="/proc/$pid/ns/net" nft list table inet hardshim | grep -q 'policy drop'
	kill -TERM "$HS_BG_PID"
	code=0
	wait "$HS_BG_PID" || code=$?
	cat "$HS_TMP/t1.out" "$HS_TMP/t1.err"
	[ "$code" -eq 7 ]
	grep -q got-term "$HS_TMP/t1.out"
	run hs_rt_direct state t1
	[ "$status" -ne 0 ]
}
@test "run/runc: SIGTERM to hardshim reaches the init; seccomp, NoNewPrivs, caps, user, devices deny, egress table in force" { term_and_controls runc; }
@test "run/crun: SIGTERM to hardshim reaches the init; seccomp, NoNewPrivs, caps, user, devices deny, egress table in force" { term_and_controls crun; }

# --detach returns once the container runs; --keep leaves the stopped container.
detach_keep() {
	local code
	RT=$1 setup
	hs_bundle
	hs_args sleep 1000
	hs_track d1
	hs_place_config d1
	# (not under bats' run: the container keeps the stdio it is given)
	code=0
	hs_rt run -d --bundle "$HS_BUNDLE" d1 </dev/null >"$HS_TMP/d1.out" 2>"$HS_TMP/d1.err" 3>&- || code=$?
	cat "$HS_TMP/d1.err"
	[ "$code" -eq 0 ]
	[ "$(hs_state d1)" = running ]
	no_hook
	hs_args true
	run hs_run k1 --keep
	[ "$status" -eq 0 ]
	[ "$(hs_state k1)" = stopped ]
}
@test "run/runc: -d returns with the container running; --keep keeps it stopped" { detach_keep runc; }
@test "run/crun: -d returns with the container running; --keep keeps it stopped" { detach_keep crun; }

# A terminal without --console-socket: only `runtime run` can give the container the caller's
# terminal, so hardshim execs it, with the devices hook (the deny still happens).
terminal() {
	RT=$1 setup
	hs_bundle
	hs_config '.process.terminal = true'
	hs_args sh -c 'echo tty-ok'
	hs_track tt1
	hs_place_config tt1
	run script -qec "$HS_BIN --root $HS_STATE run --bundle $HS_BUNDLE tt1" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *tty-ok* ]]
	hs_final_config | jq -e '[.hooks.createRuntime[] | select(.args[1] == "hook") | .args[2]] | index("devices") != null'
	! no_hook || false
}
@test "run/runc: a terminal without --console-socket execs runc run, devices hook kept" { terminal runc; }
@test "run/crun: a terminal without --console-socket execs crun run, devices hook kept" { terminal crun; }
