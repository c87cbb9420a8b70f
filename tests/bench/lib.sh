# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh
# What every bench script starts with (sourced, after `set -eu`): the tree ($top), the build
# ($BUILD, $out for the results, $hs the hardshim under test), and the timer, built fresh
# ($out/timeit; tests/bench/timeit.c). med ARGS...: the median µs of one timeit run.
# shellcheck disable=SC2034 # the variables are the sourcing script's
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
out="$top/$BUILD/bench"
hs="$top/$BUILD/hardshim"
mkdir -p "$out"
cc -O2 -o "$out/timeit" "$top/tests/bench/timeit.c"

med() { "$out/timeit" "$@" | cut -d' ' -f1; }

# bench_workdir TEMPLATE: $work (mktemp -d TEMPLATE), removed on exit together with every
# container still in its runc or crun state root ($work/state-runc, $work/state-crun).
bench_workdir() {
	work=$(mktemp -d "$1")
	trap bench_cleanup EXIT
}

bench_cleanup() {
	for rt in runc crun; do
		for id in $(/usr/bin/$rt --root "$work/state-$rt" list -q 2>/dev/null); do
			/usr/bin/$rt --root "$work/state-$rt" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$work"
}
