#!/bin/sh
# make bench: hardshim's cost, measured side by side in one run against the bare runtime and
# against the exec floor (a program that only execs the runtime). Medians; never pass/fail.
# Results: the tables on stdout and $BUILD/bench/results.txt. BENCH_N, BENCH_LIFECYCLE_N and
# BENCH_START_N (start.sh: container starts per row), BENCH_STEP_N (egress-step.sh) set the
# run counts.
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
# First issue 17's table: container start, fresh configs, alternating, as ratios.
echo "# start.sh" | tee "$out/results.txt"
BUILD="$BUILD" sh "$top/tests/bench/start.sh" 2>&1 | tee -a "$out/results.txt" || true
# Then the egress step of a namespace the runtime makes, in the lifecycle (no hook).
echo "# egress-create.sh" | tee -a "$out/results.txt"
BUILD="$BUILD" sh "$top/tests/bench/egress-create.sh" 2>/dev/null | tee -a "$out/results.txt" || true
# And the egress step at create alone (runtime /bin/true), a namespace that exists before it.
echo "# egress-step.sh" | tee -a "$out/results.txt"
BUILD="$BUILD" sh "$top/tests/bench/egress-step.sh" 2>/dev/null | tee -a "$out/results.txt" || true
N=${BENCH_N:-200}
NL=${BENCH_LIFECYCLE_N:-30}
bench_workdir /tmp/hardshim-bench.XXXXXX

for rt in runc crun; do
	cc -O2 -DRUNTIME="\"/usr/bin/$rt\"" -o "$out/floor-$rt" "$top/tests/bench/floor.c"
done

bundle() { # dir
	mkdir -p "$1/rootfs/bin"
	cp /bin/busybox "$1/rootfs/bin/busybox"
	ln -sf busybox "$1/rootfs/bin/true"
	ln -sf busybox "$1/rootfs/bin/sleep"
	(cd "$1" && runc spec && jq '.process.terminal=false | .process.args=["true"] | .process.user={"uid":1000,"gid":1000}' config.json >c && mv c config.json)
	chmod 0644 "$1/config.json"
}

printf '%-44s %12s %12s %12s %10s %9s %9s\n' "measurement (median µs, $N runs)" "runtime" "floor" \
	"hardshim" "added µs" "hs/floor" "hs/rt" | tee -a "$out/results.txt"
row() { # label runtime-median floor-median hardshim-median
	printf '%-44s %12s %12s %12s %10s %9s %9s\n' "$1" "$2" "$3" "$4" "$(echo "$4 - $3" | bc)" \
		"$(echo "scale=3; $4 / $3" | bc)" "$(echo "scale=3; $4 / $2" | bc)" | tee -a "$out/results.txt"
}

for rt in runc crun; do
	policy="$work/policy-$rt.json"
	sed -e "s|\"runtime\": *\"[^\"]*\"|\"runtime\": \"/usr/bin/$rt\"|" \
	    -e "s|/var/log/hardshim/launches.jsonl|$work/launches-$rt.jsonl|" \
	    "$top/profiles/policy/default.json" >"$policy"
	chmod 0644 "$policy"
	export HARDSHIM_POLICY="$policy"
	st="$work/state-$rt"
	bundle "$work/b-$rt"

	# A long-lived container for `state`.
	(cd "$work/b-$rt" && jq '.process.args=["sleep","1000"]' config.json >c && mv c config.json && chmod 0644 config.json)
	/usr/bin/$rt --root "$st" create --bundle "$work/b-$rt" bench-state >/dev/null
	row "$rt --version (fast path)" "$(med -n "$N" /usr/bin/$rt --version)" \
		"$(med -n "$N" "$out/floor-$rt" --version)" "$(med -n "$N" "$hs" --version)"
	row "$rt state (fast path)" "$(med -n "$N" /usr/bin/$rt --root "$st" state bench-state)" \
		"$(med -n "$N" "$out/floor-$rt" --root "$st" state bench-state)" \
		"$(med -n "$N" "$hs" --root "$st" state bench-state)"
	/usr/bin/$rt --root "$st" delete --force bench-state >/dev/null

	(cd "$work/b-$rt" && jq '.process.args=["true"]' config.json >c && mv c config.json && chmod 0644 config.json)
	# hardshim rewrites the config once; every later create reads, checks and keeps it.
	"$hs" check --output "$work/b-$rt/config.json.hardened" "$work/b-$rt" >/dev/null 2>&1 &&
		mv "$work/b-$rt/config.json.hardened" "$work/b-$rt/config.json" && chmod 0644 "$work/b-$rt/config.json" || true
	life() { # binary prefix
		med -n "$NL" -w 2 "$1" --root "$st" create --bundle "$work/b-$rt" "l$2{i}" ";;" \
			"$1" --root "$st" start "l$2{i}" ";;" "$1" --root "$st" delete --force "l$2{i}"
	}
	row "$rt create+start+delete ($NL runs)" "$(life /usr/bin/$rt r)" "$(life "$out/floor-$rt" f)" "$(life "$hs" h)"
done

for f in "$top"/tests/bench/*.sh; do
	case ${f##*/} in run.sh | lib.sh | start.sh) continue ;; esac
	echo "# $(basename "$f")" | tee -a "$out/results.txt"
	BUILD="$BUILD" sh "$f" 2>&1 | tee -a "$out/results.txt" || true
done
echo "results: $out/results.txt ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
