#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 17's table: container start (`RUNTIME run`, process `true`) through each ingredient
# of hardshim's hardening and through hardshim itself, side by side, alternating (tests/bench/
# alt.c: every iteration runs every row once, in a rotating order), each run on a fresh copy of
# the engine's config (an engine hands hardshim a new config.json for every container).
#   A  bare runtime, `runc spec` config (as the engine wrote it)
#   B  bare runtime, hardshim's hardened config without seccomp and without the egress hook
#   C  + hardshim's seccomp profile                     (the goal's denominator)
#   D  + the egress createRuntime hook                  (as `run` writes it: bench_egress_hook)
#   E  `hardshim run` on the engine's config, egress off (goal: E/C <= 1.05); on cgroup v1 the
#      config it hands the runtime is C's plus the devices hook (`hardshim hook devices`)
#   F  `hardshim run` with the egress control on (its hook is `hook devices-egress`): against D
# and the lifecycle engines drive (create --pid-file, start, delete), egress off:
#   LB the bare runtime on C; LK the same with the devices createRuntime hook (what run and
#   restore still carry); LH hardshim on the engine's config        (goal: LH/LB <= 1.05)
# Then the fast path (`state nosuch`) and hardshim's own create path (runtime /bin/true) against
# the exec floor (tests/bench/floor.c: a program that only execs). Ratios are medians of the
# per-iteration ratios; "cpu" is the median CPU time (user + system) of the timed processes,
# which a loaded machine disturbs far less than the wall clock. Never pass/fail: the figures
# depend on the machine and its load.
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
NS=${BENCH_START_N:-40}
N=${BENCH_N:-200}
bench_workdir /var/tmp/hardshim-bench-start.XXXXXX
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
cc -O2 -DRUNTIME='"/bin/true"' -o "$out/floor-true" "$top/tests/bench/floor.c"

bench_pristine

# The bundles share one image tree beside them ($work/rootfs), as an engine's storage would be:
# bench_policy admits it (controls.rootfs.admit_roots), or rootfs.path-owner refuses it.
harden() { # policy-file jq-filter output
	mkdir -p "$work/h"
	cp "$work/pristine.json" "$work/h/config.json"
	chmod 0644 "$work/h/config.json"
	HARDSHIM_POLICY=$1 "$hs" check --output "$work/h/out.json" "$work/h" >/dev/null 2>&1 || true
	jq "$2" "$work/h/out.json" >"$3"
	chmod 0644 "$3"
}
# Each row's bundle (B_X) and the fresh copy of its config that PREP lays before each run.
# The previous run's config.json.orig goes too: an engine's bundle is a new directory, and
# replacing the old one made every timed create free an inode (a discard on this disk).
fresh() { echo "rm -f $work/b$2/config.json.orig ;; cp $1 $work/b$2/config.json"; }
mkdir -p "$work/bA" "$work/bB" "$work/bC" "$work/bD" "$work/bE" "$work/bG" "$work/bT" "$work/bF"
ratio() { printf '%.3f' "$1"; }

line() { printf '%-58s %9s %9s %9s %7s %8s\n' "$@" | tee -a "$out/start.txt"; }
: >"$out/start.txt"
for rt in runc crun; do
	st="$work/state-$rt"
	bench_policy "$work/$rt.json" "/usr/bin/$rt" '.'
	bench_policy "$work/$rt-noegress.json" "/usr/bin/$rt" '.controls.egress = {"enabled": false}'
	harden "$work/$rt-noegress.json" 'del(.linux.seccomp)' "$work/B.json"
	harden "$work/$rt-noegress.json" '.' "$work/C.json"
	bench_egress_hook "$rt" "$work/C.json" "$work/D.json"
	run() { echo "/usr/bin/$rt --root $st run --bundle $work/b$1 $1{i}"; }
	# F: the same hardshim by another name, hardshim-egress, which picks egress.json beside the
	# base policy (no env(1) process in the timed command, as in E)
	mkdir -p "$work/named"
	ln -sf "$hs" "$work/named/hardshim-egress"
	cp "$work/$rt.json" "$work/egress.json"
	HARDSHIM_POLICY="$work/$rt-noegress.json" "$out/alt" -n "$NS" -w 3 -b C \
		A "$(fresh "$work/pristine.json" A)" "$(run A)" \
		B "$(fresh "$work/B.json" B)" "$(run B)" \
		C "$(fresh "$work/C.json" C)" "$(run C)" \
		D "$(fresh "$work/D.json" D)" "$(run D)" \
		E "$(fresh "$work/pristine.json" E)" "$hs --root $st run --bundle $work/bE E{i}" \
		F "$(fresh "$work/pristine.json" G)" "$work/named/hardshim-egress --root $st run --bundle $work/bG G{i}" \
		>"$work/$rt.txt"
	get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work/$rt.txt"; }
	ms() { printf '%.1f' "$(echo "$(get "$1" "$2") / 1000" | bc -l)"; }
	line "container start, $rt ($NS runs each, alternating)" "mean ms" "median" "p90" "x C" "cpu ms"
	for r in "A:bare $rt, \`runc spec\` config" "B:bare $rt, hardened config, no seccomp, no egress" \
		"C:+ hardshim's seccomp profile" "D:+ the egress createRuntime hook" \
		"E:\`hardshim run\` on the engine's config, egress off" \
		"F:\`hardshim run\`, egress on (compare with D)"; do
		k=${r%%:*}
		line "$k ${r#*:}" "$(ms "$k" 2)" "$(ms "$k" 3)" "$(ms "$k" 5)" "$(ratio "$(get "$k" 6)")" \
			"$(ms "$k" 7)"
	done
	line "  egress step (D - C, medians)" "" \
		"$(printf '%.1f' "$(echo "($(get D 3) - $(get C 3)) / 1000" | bc -l)")" "" "" \
		"$(printf '%.1f' "$(echo "($(get D 7) - $(get C 7)) / 1000" | bc -l)")"
	line "  hardshim run over the hardened runtime (E - C, medians)" "" \
		"$(printf '%.1f' "$(echo "($(get E 3) - $(get C 3)) / 1000" | bc -l)")" "" "" \
		"$(printf '%.1f' "$(echo "($(get E 7) - $(get C 7)) / 1000" | bc -l)")"
	line "  goal: E / C <= 1.05 (median per-iteration ratio)" "" "" "" "$(ratio "$(get E 6)")" ""

	# What engines do: create (with a --pid-file), start, delete, each through the same
	# binary. hardshim's create denies the runtimes' own device grants itself after the
	# runtime's create (no hook); LK is the bare runtime with the devices hook `run` and
	# `restore` still get (what every create paid before), for comparison.
	jq --arg b "$hs" '.hooks.createRuntime = [{"path": $b,
		"args": ["hardshim", "hook", "devices", "c 10:200 rwm", "c 5:1 rwm"], "timeout": 10}]' \
		"$work/C.json" >"$work/K.json"
	mkdir -p "$work/bLB" "$work/bLK" "$work/bLH"
	life() { # binary bundle-key
		echo "$1 --root $st create --bundle $work/b$2 --pid-file $work/$2.pid $2{i} ;;" \
			"$1 --root $st start $2{i} ;; $1 --root $st delete --force $2{i}"
	}
	HARDSHIM_POLICY="$work/$rt-noegress.json" "$out/alt" -n "$NS" -w 3 -b LB \
		LB "$(fresh "$work/C.json" LB)" "$(life "/usr/bin/$rt" LB)" \
		LK "$(fresh "$work/K.json" LK)" "$(life "/usr/bin/$rt" LK)" \
		LH "$(fresh "$work/pristine.json" LH)" "$(life "$hs" LH)" \
		>"$work/life-$rt.txt"
	get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work/life-$rt.txt"; }
	line "create + start + delete, $rt, egress off ($NS runs each)" "mean ms" "median" "p90" "x LB" "cpu ms"
	for r in "LB:bare $rt, hardened config (C)" "LK:bare $rt, C + the devices hook" \
		"LH:hardshim, engine's config (deny at create)"; do
		k=${r%%:*}
		line "$k ${r#*:}" "$(ms "$k" 2)" "$(ms "$k" 3)" "$(ms "$k" 5)" "$(ratio "$(get "$k" 6)")" \
			"$(ms "$k" 7)"
	done
	line "  goal: LH / LB <= 1.05 (median per-iteration ratio)" "" "" "" "$(ratio "$(get LH 6)")" ""
done

# Issue 17's egress step without a second process: a container that joins a network namespace
# which exists before the runtime runs (a pod's) gets its rules from hardshim's create path.
#   NF  `hardshim run`, namespace by path, egress control off     (the base)
#   NG  the same, egress on, into a namespace without the table   (PREP deletes it)
#   NH  the same, egress on, the namespace already holds the same rules (a pod's later one)
# Each CMD goes through env(1) to pick its policy: the same extra exec for all three.
ns=hsbench-$$
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null; bench_cleanup' EXIT
ip -n "$ns" link set lo up
jq --arg p "/run/netns/$ns" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
	"$work/pristine.json" >"$work/pristine-ns.json"
mkdir -p "$work/bNF" "$work/bNG" "$work/bNH"
line "" "" "" "" "" ""
for rt in runc crun; do
	st="$work/state-$rt"
	hsrun() { echo "env HARDSHIM_POLICY=$work/$1.json $hs --root $st run --bundle $work/b$2 $2{i}"; }
	nodel="ip netns exec $ns nft add table inet hardshim ;; ip netns exec $ns nft delete table inet hardshim"
	"$out/alt" -n "$NS" -w 3 -b NF \
		NF "$(fresh "$work/pristine-ns.json" NF)" "$(hsrun "$rt-noegress" NF)" \
		NG "$(fresh "$work/pristine-ns.json" NG) ;; $nodel" "$(hsrun "$rt" NG)" \
		NH "$(fresh "$work/pristine-ns.json" NH)" "$(hsrun "$rt" NH)" \
		>"$work/ns-$rt.txt"
	get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work/ns-$rt.txt"; }
	ms() { printf '%.1f' "$(echo "$(get "$1" "$2") / 1000" | bc -l)"; }
	line "egress at create, $rt, namespace by path ($NS runs each)" "mean ms" "median" "p90" "x NF" "cpu ms"
	for r in "NF:\`hardshim run\`, egress off" "NG:+ egress installed at create, new table" \
		"NH:+ egress at create, same rules already there"; do
		k=${r%%:*}
		line "$k ${r#*:}" "$(ms "$k" 2)" "$(ms "$k" 3)" "$(ms "$k" 5)" "$(ratio "$(get "$k" 6)")" \
			"$(ms "$k" 7)"
	done
	for k in NG NH; do
		line "  egress step $k - NF (medians; goal <= 2 ms new, <= 0.5 ms same)" "" \
			"$(printf '%.1f' "$(echo "($(get $k 3) - $(get NF 3)) / 1000" | bc -l)")" "" "" \
			"$(printf '%.1f' "$(echo "($(get $k 7) - $(get NF 7)) / 1000" | bc -l)")"
	done
done

# The fast path: hardshim reads the policy's runtime line and execs, against the floor.
bench_policy "$work/runc.json" /usr/bin/runc '.'
cc -O2 -DRUNTIME='"/usr/bin/runc"' -o "$out/floor-runc" "$top/tests/bench/floor.c"
HARDSHIM_POLICY="$work/runc.json" "$out/alt" -n "$N" -w 5 -b floor \
	floor - "! $out/floor-runc --root $work/state-runc state nosuch" \
	hardshim - "! $hs --root $work/state-runc state nosuch" >"$work/fast.txt"
# hardshim's own create path on a fresh config, runtime /bin/true, against the floor.
# (devices and egress off: their steps after the runtime's create need a container, which
# /bin/true does not make; the lifecycle rows below measure them)
bench_policy "$work/true.json" /bin/true '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
HARDSHIM_POLICY="$work/true.json" "$out/alt" -n "$N" -w 5 -b floor \
	floor "$(fresh "$work/pristine.json" F)" "$out/floor-true --root $work/st create --bundle $work/bF F{i}" \
	hardshim "$(fresh "$work/pristine.json" T)" "$hs --root $work/st create --bundle $work/bT T{i}" \
	hardened "$(fresh "$work/C.json" T)" "$hs --root $work/st create --bundle $work/bT T{i}" \
	>"$work/create.txt"
us() { awk -v k="$2" -v f="$3" '$1 == k { print $f }' "$1"; }
line "" "" "" "" "" ""
line "against the exec floor ($N runs each, alternating)" "floor ms" "hs ms" "+ µs" "x floor" "+cpu µs"
for f in "fast path, runc state nosuch:$work/fast.txt:hardshim" \
	"create, runtime /bin/true, engine's config:$work/create.txt:hardshim" \
	"create, runtime /bin/true, already hardened config:$work/create.txt:hardened"; do
	label=${f%%:*} rest=${f#*:}
	file=${rest%%:*} k=${rest#*:}
	line "$label" "$(printf '%.2f' "$(echo "$(us "$file" floor 3) / 1000" | bc -l)")" \
		"$(printf '%.2f' "$(echo "$(us "$file" "$k" 3) / 1000" | bc -l)")" \
		"$(printf '%.0f' "$(echo "$(us "$file" "$k" 3) - $(us "$file" floor 3)" | bc -l)")" \
		"$(ratio "$(us "$file" "$k" 6)")" \
		"$(printf '%.0f' "$(echo "$(us "$file" "$k" 7) - $(us "$file" floor 7)" | bc -l)")"
done
line "goals: fast path <= floor + 100 µs; create path <= floor + 1000 µs (engine's config)" "" "" "" "" ""
