#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 17, `hardshim run`'s createRuntime work: with the shipped policy (devices and egress
# on) and a network namespace the runtime makes, `run` leaves the devices deny and the egress
# install to a hook. Side by side, alternating (tests/bench/alt.c), each run on a fresh copy
# of the engine's config, process `true`:
#   C   the bare runtime on hardshim's hardened config without the egress step (the goal's
#       denominator, as in tests/bench/start.sh)
#   EB  `hardshim run` of BEFORE= (another build's hardshim, e.g. main's: two hook processes)
#   E   `hardshim run` of this build (one hook process, `hook devices-egress`)
# "cpu" is the median CPU time
# (user + system) of the process tree: the loaded machine disturbs it far less than the wall
# clock. Never pass/fail.
#   BEFORE=/path/to/other/hardshim BENCH_START_N=40 sh tests/bench/run-hook.sh
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
NS=${BENCH_START_N:-40}
before=${BEFORE:-$hs}
bench_workdir /var/tmp/hardshim-bench-runhook.XXXXXX
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"

bench_pristine
fresh() { echo "rm -f $work/b$2/config.json.orig ;; cp $1 $work/b$2/config.json"; }
mkdir -p "$work/bC" "$work/bEB" "$work/bE"
line() { printf '%-52s %9s %9s %9s %7s %8s\n' "$@" | tee -a "$out/run-hook.txt"; }
: >"$out/run-hook.txt"
for rt in runc crun; do
	st="$work/state-$rt"
	bench_policy "$work/$rt.json" "/usr/bin/$rt" '.'
	bench_policy "$work/$rt-noegress.json" "/usr/bin/$rt" '.controls.egress = {"enabled": false}'
	mkdir -p "$work/h"
	cp "$work/pristine.json" "$work/h/config.json"
	chmod 0644 "$work/h/config.json"
	HARDSHIM_POLICY="$work/$rt-noegress.json" "$hs" check --output "$work/C.json" "$work/h" \
		>/dev/null 2>&1 || true
	chmod 0644 "$work/C.json"
	run() { echo "/usr/bin/$rt --root $st run --bundle $work/b$1 $1{i}"; }
	HARDSHIM_POLICY="$work/$rt.json" "$out/alt" -n "$NS" -w 3 -b C \
		C "$(fresh "$work/C.json" C)" "$(run C)" \
		EB "$(fresh "$work/pristine.json" EB)" "$before --root $st run --bundle $work/bEB EB{i}" \
		E "$(fresh "$work/pristine.json" E)" "$hs --root $st run --bundle $work/bE E{i}" \
		>"$work/$rt.txt"
	get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work/$rt.txt"; }
	ms() { printf '%.2f' "$(echo "$(get "$1" "$2") / 1000" | bc -l)"; }
	line "hardshim run, $rt ($NS runs each, alternating)" "mean ms" "median" "p90" "x C" "cpu ms"
	for r in "C:bare $rt, hardened config, no egress step" "EB:hardshim run, BEFORE=" \
		"E:hardshim run, this build"; do
		k=${r%%:*}
		line "$k ${r#*:}" "$(ms "$k" 2)" "$(ms "$k" 3)" "$(ms "$k" 5)" \
			"$(printf '%.3f' "$(get "$k" 6)")" "$(ms "$k" 7)"
	done
done

