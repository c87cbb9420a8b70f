#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Where `hardshim run`'s time goes beyond the bare runtime (issue 17's goal: run <= 1.05x the
# bare runtime on the hardened config without egress), side by side, alternating (alt.c), each
# run on a fresh copy of the engine's config, process `true`:
#   C  bare runtime, hardshim's hardened config (egress off): the goal's denominator
#   T  C + a createRuntime hook that is /bin/true: what any hook costs the runtime
#   P  C, then /bin/true started by alt.c itself (posix_spawn): one process start outside the
#      runtime; T - P is what the runtime's own way of starting a hook adds to that process
#      (crun: fork(); runc: Go's os/exec; tests/bench/hook-cost.sh counts it process by process)
#   K  C + the devices createRuntime hook `run` writes on cgroup v1 (`hardshim hook devices
#      c 10:200 rwm c 5:1 rwm`, through this build): K - T is hardshim's hook process
#   E  `hardshim run` on the engine's config, egress off: E - K is hardshim's own create path
#      (the config E hands the runtime is K's: the script diffs them and says so)
# With BEFORE=DIR (another build's directory, e.g. a worktree of main built there), rows Kb
# and Eb are K and E through that build's hardshim, in the same alternation.
# BENCH_RUN_N runs (40), BENCH_RUN_RT runtimes ("runc crun"). Medians of CPU (user + system of
# the runtime and every process it waited for, hooks included): the wall clock on a loaded
# machine mostly measures the run queue. Never pass/fail.
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
NS=${BENCH_RUN_N:-40}
bench_workdir /var/tmp/hardshim-bench-run.XXXXXX
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
bench_pristine
fresh() { echo "rm -f $work/b$2/config.json.orig ;; cp $1 $work/b$2/config.json"; }
mkdir -p "$work/h" "$work/bC" "$work/bT" "$work/bP" "$work/bK" "$work/bE" "$work/bKb" "$work/bEb"
before=${BEFORE:+$BEFORE/build/hardshim}
for rt in ${BENCH_RUN_RT:-runc crun}; do
	st="$work/state-$rt"
	bench_policy "$work/$rt.json" "/usr/bin/$rt" '.controls.egress = {"enabled": false}'
	cp "$work/pristine.json" "$work/h/config.json"
	HARDSHIM_POLICY="$work/$rt.json" "$hs" check --output "$work/C.json" "$work/h" >/dev/null 2>&1 || true
	chmod 0644 "$work/C.json"
	hook() { # hardshim
		jq --arg b "$1" '.hooks.createRuntime = [{"path": $b,
		"args": ["hardshim", "hook", "devices", "c 10:200 rwm", "c 5:1 rwm"], "timeout": 10}]' \
			"$work/C.json" >"$2"
		chmod 0644 "$2"
	}
	hook "$hs" "$work/K.json"
	jq '.hooks.createRuntime = [{"path": "/bin/true", "args": ["true"], "timeout": 10}]' \
		"$work/C.json" >"$work/T.json"
	chmod 0644 "$work/T.json"
	run() { echo "/usr/bin/$rt --root $st run --bundle $work/b$1 $1{i}"; }
	set -- C "$(fresh "$work/C.json" C)" "$(run C)" \
		T "$(fresh "$work/T.json" T)" "$(run T)" \
		P "$(fresh "$work/C.json" P)" "$(run P) ;; /bin/true" \
		K "$(fresh "$work/K.json" K)" "$(run K)" \
		E "$(fresh "$work/pristine.json" E)" "$hs --root $st run --bundle $work/bE E{i}"
	if [ -n "$before" ]; then
		hook "$before" "$work/Kb.json"
		set -- "$@" Kb "$(fresh "$work/Kb.json" Kb)" "$(run Kb)" \
			Eb "$(fresh "$work/pristine.json" Eb)" "$before --root $st run --bundle $work/bEb Eb{i}"
	fi
	HARDSHIM_POLICY="$work/$rt.json" "$out/alt" -n "$NS" -w 3 -b C "$@" >"$work/$rt.txt"
	get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work/$rt.txt"; }
	printf '%-44s %9s %9s %7s %9s\n' "$rt ($NS runs each, alternating)" "median ms" "cpu ms" "x C" "cpu - C"
	for k in C T P K E ${before:+Kb Eb}; do
		printf '%-44s %9.1f %9.1f %7.3f %9.1f\n' "$k" "$(echo "$(get "$k" 3) / 1000" | bc -l)" \
			"$(echo "$(get "$k" 7) / 1000" | bc -l)" "$(get "$k" 6)" \
			"$(echo "($(get "$k" 7) - $(get C 7)) / 1000" | bc -l)"
	done
	# What `hardshim run` handed the runtime, against K (the hook's path is this build's).
	if jq -S . "$work/bE/config.json" | cmp -s - "$(jq -S . "$work/K.json" >"$work/K.s" && echo "$work/K.s")"; then
		echo "  E's config (as hardshim handed it to $rt) is K's, byte for byte after jq -S"
	else
		echo "  E's config differs from K's:"
		jq -S . "$work/bE/config.json" | diff "$work/K.s" - | head -20 || true
	fi
done
