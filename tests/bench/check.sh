#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `hardshim check` on a typical config (runc's spec) and on generated configs from 4 KiB up
# to the policy's size cap (json.max_bytes), growing mounts, env, annotations and seccomp
# rules together: median wall time and peak RSS, per size and per KiB, to show how the cost
# grows. Run by tests/bench/run.sh after its table (make bench), or alone.
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
N=${BENCH_CHECK_N:-30}
work=$(mktemp -d /tmp/hardshim-bench-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

cap=$(jq '.json.max_bytes' "$top/profiles/policy/default.json")
jq --arg log "$work/launches.jsonl" '.runtime = "/usr/bin/runc" | .log.path = $log' \
	"$top/profiles/policy/default.json" >"$work/policy.json"
chmod 0644 "$work/policy.json"
export HARDSHIM_POLICY="$work/policy.json"
(cd "$work" && runc spec && mv config.json base.json)

printf '%-34s %9s %7s %11s %9s %9s %8s\n' "check (median of $N)" "bytes" "items" "median µs" "µs/KiB" "peak KiB" "verdict"
one() { # label file items
	med=$("$out/timeit" -n "$N" -w 2 "$hs" check "$2" 2>/dev/null | cut -d' ' -f1) || med=""
	if [ -z "$med" ]; then
		# check exits 1 for a refusal; time it through a wrapper that ignores the verdict.
		med=$("$out/timeit" -n "$N" -w 2 /bin/sh -c "\"$hs\" check \"$2\" >/dev/null 2>&1; true" | cut -d' ' -f1)
	fi
	rss=$(/usr/bin/time -f %M "$hs" check "$2" 2>&1 >/dev/null | tail -n 1)
	verdict=$("$hs" check --format json "$2" 2>/dev/null | jq -r .verdict)
	bytes=$(wc -c <"$2")
	printf '%-34s %9s %7s %11s %9s %9s %8s\n' "$1" "$bytes" "$3" "$med" \
		"$(echo "scale=1; $med * 1024 / $bytes" | bc)" "$rss" "$verdict"
}
one "typical (runc spec)" "$work/base.json" 0
size=4096
while [ "$size" -lt "$cap" ]; do
	f="$work/gen-$size.json"
	k=$(python3 "$top/tests/bench/gen-config.py" "$work/base.json" "$size" 2>&1 >"$f")
	chmod 0644 "$f"
	one "generated, $((size / 1024)) KiB target" "$f" "4x$k"
	size=$((size * 4))
done
# At the cap exactly and one byte over (refused by size before parsing: the cost of saying no).
k=$(python3 "$top/tests/bench/gen-config.py" "$work/base.json" "$cap" 2>&1 >"$work/cap.json")
one "generated, at the cap" "$work/cap.json" "4x$k"
{ cat "$work/cap.json"; printf '%*s' $((cap - $(wc -c <"$work/cap.json") + 1)) ''; } >"$work/over.json"
one "one byte over the cap (refused)" "$work/over.json" "-"
