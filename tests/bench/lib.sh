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

# bench_pristine: $work/rootfs (busybox, `true`) and $work/pristine.json, `runc spec`'s config
# running `true` in it: the engine's config, as every timed create gets a fresh copy of it.
bench_pristine() {
	mkdir -p "$work/rootfs/bin"
	cp /bin/busybox "$work/rootfs/bin/busybox"
	ln -sf busybox "$work/rootfs/bin/true"
	(cd "$work" && runc spec && jq '.process.terminal=false | .process.args=["true"] | .root.path=$r' \
		--arg r "$work/rootfs" config.json >pristine.json && rm config.json)
}

# bench_policy FILE RUNTIME JQ-FILTER: the default policy with RUNTIME, the log in $work and
# the image tree beside the bundles admitted (controls.rootfs.admit_roots, as an engine's
# storage would be), then JQ-FILTER; root-owned 0644, as hardshim requires of a policy.
bench_policy() {
	jq --arg rt "$2" --arg log "$work/launches.jsonl" --arg root "$work/rootfs" \
		".runtime = \$rt | .log.path = \$log | .controls.rootfs.admit_roots = [\$root] | $3" \
		"$top/profiles/policy/default.json" >"$1"
	chmod 0644 "$1"
}

# bench_egress_hook RUNTIME IN OUT: OUT is config IN plus hardshim's egress createRuntime hook
# for the default policy's egress section, as `run` writes it for a bare runtime (from `hook
# precreate`, with the devices control off: otherwise the hook is the combined `hook
# devices-egress`). `check` judges as create, which installs after the runtime's create and
# writes no hook, so a hardened config from `check` has none.
bench_egress_hook() {
	bench_policy "$work/egress-only-$1.json" "/usr/bin/$1" '.controls.devices = {"enabled": false}'
	HARDSHIM_POLICY="$work/egress-only-$1.json" "$hs" hook precreate <"$work/pristine.json" 2>/dev/null |
		jq '[.hooks.createRuntime[]? | select(.args[1:3] == ["hook", "egress"])]' >"$work/hook.json"
	[ "$(jq length "$work/hook.json")" = 1 ]
	jq --slurpfile h "$work/hook.json" '.hooks.createRuntime = $h[0]' "$2" >"$3"
	chmod 0644 "$3"
}
