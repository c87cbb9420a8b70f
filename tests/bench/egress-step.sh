#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 17: the egress step at create alone, without a container: `hardshim create` with
# /bin/true as the runtime, on a fresh copy of the engine's config that joins a network
# namespace by path (a pod's), side by side, alternating (tests/bench/alt.c):
#   off    egress control off                                       (the base)
#   new    egress on, the namespace has no table (PREP deletes it: a pod's first container),
#          on a node where netfilter is in use elsewhere (another namespace holds hardshim's
#          table: any other pod's; kube-proxy's and the host firewall's rules do the same)
#   idle   the same, on a node where nothing else uses netfilter's output hooks and
#          conntrack (PREP deletes the other namespace's table too): the kernel then turns
#          on the hooks' static keys inside the timed commit, patching its own code on every
#          CPU (text_poke, IPIs), which costs more than the rest of the step together
#   same   egress on, the namespace already holds the same rules (a pod's later container)
#   other  egress on, the namespace holds another ruleset's table (PREP loads it: replaced)
# and, with BEFORE=path/to/another/hardshim, the same five rows for that binary (b-off, ...),
# so that both builds share every minute of the machine's load. The step is ROW - off of the
# same binary; "cpu" is the median CPU time (user + system) of hardshim and the children it
# waited for. Devices off: its step after the runtime's create needs a container. Never
# pass/fail. Usage: tests/bench/egress-step.sh (BENCH_STEP_N runs per row, default 60;
# BENCH_STEP_ROWS: which rows besides off, default "new idle same other"; BUILD; BEFORE)
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
N=${BENCH_STEP_N:-60}
rows="off ${BENCH_STEP_ROWS:-new idle same other}"
bench_workdir /var/tmp/hardshim-bench-egress-step.XXXXXX
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"

ns=hsbench-step-$$
keep=hsbench-keep-$$
ip netns add "$ns"
ip netns add "$keep"
trap 'ip netns del "$ns" 2>/dev/null; ip netns del "$keep" 2>/dev/null; bench_cleanup' EXIT
mkdir -p "$work/rootfs/bin"
(cd "$work" && runc spec && jq '.process.terminal=false | .process.args=["true"] | .root.path=$r |
	.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
	--arg r "$work/rootfs" --arg p "/run/netns/$ns" config.json >pristine.json && rm config.json)

policy() { # file jq-filter
	jq --arg log "$work/launches.jsonl" --arg root "$work/rootfs" \
		".runtime = \"/bin/true\" | .log.path = \$log | .controls.rootfs.admit_roots = [\$root] |
		.controls.devices = {\"enabled\": false} | $2" "$top/profiles/policy/default.json" >"$1"
	chmod 0644 "$1"
}
policy "$work/off.json" '.controls.egress = {"enabled": false}'
policy "$work/on.json" '.controls.egress = {"default": "deny", "allow": ["198.18.0.0/15:443/tcp", "[2001:2::/48]:443/tcp"]}'
# another ruleset's table, loaded before each "other" run
printf 'table inet hardshim {\n\tcomment "another ruleset"\n}\n' >"$work/other.nft"

fresh() { echo "rm -f $work/b$1/config.json.orig ;; cp $work/pristine.json $work/b$1/config.json"; }
del="ip netns exec $ns nft add table inet hardshim ;; ip netns exec $ns nft delete table inet hardshim"
other="$del ;; ip netns exec $ns nft -f $work/other.nft"
# the "same" row's rules: what hardshim itself installs, listed once and loaded before each run
mkdir -p "$work/bx"
cp "$work/pristine.json" "$work/bx/config.json"
HARDSHIM_POLICY="$work/on.json" "$hs" --root "$work/st" create --bundle "$work/bx" x0 >/dev/null
ip netns exec "$ns" nft list table inet hardshim >"$work/same.nft"
same="$del ;; ip netns exec $ns nft -f $work/same.nft"
# the other namespace's table: there for every row but "idle"
kdel="ip netns exec $keep nft add table inet hardshim ;; ip netns exec $keep nft delete table inet hardshim"
kept="$kdel ;; ip netns exec $keep nft -f $work/same.nft"
variants() { # prefix binary
	for r in $rows; do
		p=$work/on.json
		pre="$(fresh "$1$r") ;; $kept"
		[ "$r" = off ] && p=$work/off.json
		[ "$r" = new ] && pre="$pre ;; $del"
		[ "$r" = idle ] && pre="$(fresh "$1$r") ;; $kdel ;; $del"
		[ "$r" = same ] && pre="$pre ;; $same"
		[ "$r" = other ] && pre="$pre ;; $other"
		mkdir -p "$work/b$1$r"
		printf '%s\n%s\n%s\n' "$1$r" "$pre" "env HARDSHIM_POLICY=$p $2 --root $work/st create --bundle $work/b$1$r $1$r{i}"
	done
}
{
	variants "" "$hs"
	[ -z "${BEFORE:-}" ] || variants b- "$BEFORE"
} >"$work/args"
# one argument per line: the labels, PREPs and CMDs carry spaces
(
	set --
	while IFS= read -r a; do set -- "$@" "$a"; done <"$work/args"
	"$out/alt" -n "$N" -w 3 -b off "$@"
) >"$work/step.txt"
get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work/step.txt"; }
d() { printf '%+.2f' "$(echo "($(get "$1" "$3") - $(get "$2" "$3")) / 1000" | bc -l)"; }
printf '%-44s %9s %9s %9s %9s\n' "egress step at create ($N runs each)" "wall ms" "cpu ms" \
	"step wall" "step cpu" | tee "$out/egress-step.txt"
for p in "" ${BEFORE:+b-}; do
	for r in $rows; do
		printf '%-44s %9.2f %9.2f %9s %9s\n' "${p:-this build, }${p:+BEFORE, }$r" \
			"$(echo "$(get "$p$r" 3) / 1000" | bc -l)" "$(echo "$(get "$p$r" 7) / 1000" | bc -l)" \
			"$(d "$p$r" "${p}off" 3)" "$(d "$p$r" "${p}off" 7)"
	done
done | tee -a "$out/egress-step.txt"
echo "goal: step cpu <= 2 ms (new, idle), <= 0.5 ms (same)" | tee -a "$out/egress-step.txt"
