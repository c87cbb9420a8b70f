#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 17: `hardshim run` as create + start + a wait (src/cli/run.c) against the exec path it
# replaced, side by side, alternating (tests/bench/alt.c), each run on a fresh copy of the
# engine's config, process `true`:
#   C  the bare runtime's `run` on hardshim's hardened config, egress off      (the base)
#   E  `hardshim run` (create, after-create deny + egress, start, wait, delete; the init's pid
#      for the after-create work is hardshim's only child: no pid file, no `RUNTIME state`)
#   P  the same with a --pid-file (the runtime writes it; hardshim still takes its child)
#   O  `hardshim run --no-subreaper`: execs `RUNTIME run` with the devices and egress
#      createRuntime hooks, which is what every `hardshim run` did before
# "cpu" is the median CPU time of the timed processes and the children they waited for.
# Never pass/fail. Usage: tests/bench/run-split.sh (BENCH_START_N runs per row, default 40)
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
NS=${BENCH_START_N:-40}
bench_workdir /var/tmp/hardshim-bench-run-split.XXXXXX
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
mkdir -p "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/busybox"
ln -sf busybox "$work/rootfs/bin/true"
(cd "$work" && runc spec && jq '.process.terminal=false | .process.args=["true"] | .root.path=$r' \
	--arg r "$work/rootfs" config.json >pristine.json && rm config.json)
policy() { # file runtime jq-filter
	jq --arg rt "$2" --arg log "$work/launches.jsonl" --arg root "$work/rootfs" \
		".runtime = \$rt | .log.path = \$log | .controls.rootfs.admit_roots = [\$root] | $3" \
		"$top/profiles/policy/default.json" >"$1"
	chmod 0644 "$1"
}
fresh() { echo "rm -f $work/b$2/config.json.orig ;; cp $1 $work/b$2/config.json"; }
line() { printf '%-62s %9s %9s %9s %7s %8s\n' "$@" | tee -a "$out/run-split.txt"; }
: >"$out/run-split.txt"
mkdir -p "$work/bC" "$work/bE" "$work/bP" "$work/bO" "$work/h"
for rt in runc crun; do
	st="$work/state-$rt"
	policy "$work/$rt.json" "/usr/bin/$rt" '.'
	policy "$work/$rt-noegress.json" "/usr/bin/$rt" '.controls.egress = {"enabled": false}'
	cp "$work/pristine.json" "$work/h/config.json"
	chmod 0644 "$work/h/config.json"
	HARDSHIM_POLICY="$work/$rt-noegress.json" "$hs" check --output "$work/C.json" "$work/h" \
		>/dev/null 2>&1 || true
	chmod 0644 "$work/C.json"
	HARDSHIM_POLICY="$work/$rt.json" "$out/alt" -n "$NS" -w 3 -b C \
		C "$(fresh "$work/C.json" C)" "/usr/bin/$rt --root $st run --bundle $work/bC C{i}" \
		E "$(fresh "$work/pristine.json" E)" "$hs --root $st run --bundle $work/bE E{i}" \
		P "$(fresh "$work/pristine.json" P)" \
		"$hs --root $st run --pid-file $work/P.pid --bundle $work/bP P{i}" \
		O "$(fresh "$work/pristine.json" O)" \
		"$hs --root $st run --no-subreaper --bundle $work/bO O{i}" >"$work/r-$rt.txt"
	get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work/r-$rt.txt"; }
	ms() { printf '%.1f' "$(echo "$(get "$1" "$2") / 1000" | bc -l)"; }
	line "run, $rt ($NS runs each, alternating)" "mean ms" "median" "p90" "x C" "cpu ms"
	for r in "C:bare $rt run, hardened config, egress off" "E:hardshim run (create + start)" \
		"P:hardshim run --pid-file (create + start)" "O:hardshim run --no-subreaper (exec + hooks)"; do
		k=${r%%:*}
		line "  $k ${r#*:}" "$(ms "$k" 2)" "$(ms "$k" 3)" "$(ms "$k" 5)" \
			"$(printf '%.3f' "$(get "$k" 6)")" "$(ms "$k" 7)"
	done
done
