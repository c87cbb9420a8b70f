#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hook mode: what `hardshim hook createRuntime` (the full policy check of a bundle a runtime
# has loaded, plus the egress rules) and `hardshim hook egress` (the rules alone, as the
# injected hook) cost per container. The state arrives on stdin, so each run goes through
# /bin/sh -c '... < state'; the shell's own cost is measured and subtracted. The container is
# stood in for by `unshare -n sleep`: a process in a network namespace of its own.
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-200}
work=$(mktemp -d /tmp/hardshim-bench-hook.XXXXXX)
unshare -n sleep 600 &
netpid=$!
trap 'kill "$netpid" 2>/dev/null; rm -rf "$work"' EXIT
med() { "$out/timeit" -n "$N" -w 5 "$@" | cut -d' ' -f1; }

policy() { # file egress-section
	jq --arg log "$work/launches.jsonl" --argjson e "$2" \
		'.runtime = "/usr/bin/runc" | .log.path = $log | .controls.egress = $e' \
		"$top/profiles/policy/default.json" >"$1"
	chmod 0644 "$1"
}
policy "$work/off.json" '{"enabled": false}'
policy "$work/on.json" '{"default": "deny", "allow": ["198.18.0.0/15:443/tcp"], "rate": 1000000}'

mkdir -p "$work/b/rootfs"
(cd "$work/b" && runc spec)
chmod 0644 "$work/b/config.json"
# The bundle as hardshim's create leaves it (hardened once), so the hook finds nothing to refuse.
for p in off on; do
	mkdir -p "$work/b-$p/rootfs"
	HARDSHIM_POLICY="$work/$p.json" "$hs" check --output "$work/b-$p/config.json" "$work/b" >/dev/null 2>&1 || true
	chmod 0644 "$work/b-$p/config.json"
	jq -n --arg b "$work/b-$p" --argjson pid "$netpid" \
		'{ociVersion: "1.2.0", id: "bench", status: "creating", pid: $pid, bundle: $b}' >"$work/state-$p.json"
done
args=$(jq -r '.hooks.createRuntime[] | select(.args[1] == "hook") | .args[2:] | join(" ")' "$work/b-on/config.json")

shell=$(med /bin/sh -c ": <'$work/state-off.json' 2>/dev/null")
row() { printf '%-52s %10s %10s\n' "$1" "$2" "$(echo "$2 - $shell" | bc)"; }
printf '%-52s %10s %10s\n' "hook mode (median µs, $N runs)" "with sh" "hook"
row "sh -c ': < state' (subtracted)" "$shell"
row "hook createRuntime, egress off (check only)" \
	"$(HARDSHIM_POLICY="$work/off.json" med /bin/sh -c "'$hs' hook createRuntime <'$work/state-off.json' 2>/dev/null")"
row "hook createRuntime, egress on (check + rules)" \
	"$(HARDSHIM_POLICY="$work/on.json" med /bin/sh -c "'$hs' hook createRuntime <'$work/state-on.json' 2>/dev/null")"
# shellcheck disable=SC2086 # the hook's own argument words
row "hook egress (the injected hook: rules only)" \
	"$(med /bin/sh -c "'$hs' hook $args <'$work/state-on.json' 2>/dev/null")"
# The rows above run back to back in one namespace: each run's transaction waits for the
# commit mutex the previous run's detached close holds while it flushes. 50 ms apart:
row "hook createRuntime, egress on, runs 50 ms apart" \
	"$(HARDSHIM_POLICY="$work/on.json" med -p 50 /bin/sh -c "'$hs' hook createRuntime <'$work/state-on.json' 2>/dev/null")"
# shellcheck disable=SC2086 # the hook's own argument words
row "hook egress, runs 50 ms apart" \
	"$(med -p 50 /bin/sh -c "'$hs' hook $args <'$work/state-on.json' 2>/dev/null")"
