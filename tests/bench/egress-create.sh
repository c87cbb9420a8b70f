#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 17: the egress step of a container whose network namespace the runtime makes (ctr,
# Podman without a network, bare `hardshim create`), in the lifecycle engines drive (create
# --pid-file, start, delete), side by side, alternating (tests/bench/alt.c), each create on a
# fresh copy of the engine's config:
#   XC  the bare runtime on hardshim's hardened config, egress off          (the base)
#   XD  the same config + the egress createRuntime hook (what create wrote before: a second
#       hardshim process, libnftables, per container)
#   XN  hardshim on the engine's config, egress off
#   XH  the same, egress on: installed by create itself after the runtime's create
#       (egress.after-create), no hook; XH - XN is the egress step
#   XM  (only with BEFORE=path/to/another/hardshim) that binary on the same config: main's,
#       to compare the two side by side
# "cpu" is the median CPU time of the timed processes and the children they waited for
# (the hook is the runtime's child; create's install child is hardshim's). Never pass/fail.
# Usage: tests/bench/egress-create.sh  (BENCH_START_N runs per row, default 40; BUILD; BEFORE)
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
NS=${BENCH_START_N:-40}
bench_workdir /var/tmp/hardshim-bench-egress-create.XXXXXX
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"

bench_pristine

harden() { # policy-file output
	mkdir -p "$work/h"
	cp "$work/pristine.json" "$work/h/config.json"
	chmod 0644 "$work/h/config.json"
	HARDSHIM_POLICY=$1 "$hs" check --output "$work/h/out.json" "$work/h" >/dev/null 2>&1 || true
	cp "$work/h/out.json" "$2"
	chmod 0644 "$2"
}
fresh() { echo "rm -f $work/b$2/config.json.orig ;; cp $1 $work/b$2/config.json"; }
life() { # binary bundle-key [env-policy]
	echo "$3$1 --root $st create --bundle $work/b$2 --pid-file $work/$2.pid $2{i} ;;" \
		"$3$1 --root $st start $2{i} ;; $3$1 --root $st delete --force $2{i}"
}
line() { printf '%-62s %9s %9s %9s %7s %8s\n' "$@" | tee -a "$out/egress-create.txt"; }
: >"$out/egress-create.txt"
mkdir -p "$work/bXC" "$work/bXD" "$work/bXN" "$work/bXH" "$work/bXM"
for rt in runc crun; do
	st="$work/state-$rt"
	bench_policy "$work/$rt.json" "/usr/bin/$rt" '.'
	bench_policy "$work/$rt-noegress.json" "/usr/bin/$rt" '.controls.egress = {"enabled": false}'
	harden "$work/$rt-noegress.json" "$work/C.json"
	# C + hardshim's egress hook with the policy's section, as create wrote it before
	bench_egress_hook "$rt" "$work/C.json" "$work/D.json"
	# every row through env(1), which picks the policy: the same extra exec for all
	e="env HARDSHIM_POLICY=$work/$rt.json "
	set -- XC "$(fresh "$work/C.json" XC)" "$(life "/usr/bin/$rt" XC "$e")" \
		XD "$(fresh "$work/D.json" XD)" "$(life "/usr/bin/$rt" XD "$e")" \
		XN "$(fresh "$work/pristine.json" XN)" "$(life "$hs" XN "env HARDSHIM_POLICY=$work/$rt-noegress.json ")" \
		XH "$(fresh "$work/pristine.json" XH)" "$(life "$hs" XH "$e")"
	if [ -n "${BEFORE:-}" ]; then
		set -- "$@" XM "$(fresh "$work/pristine.json" XM)" "$(life "$BEFORE" XM "$e")"
	fi
	"$out/alt" -n "$NS" -w 3 -b XC "$@" >"$work/x-$rt.txt"
	get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work/x-$rt.txt"; }
	ms() { printf '%.1f' "$(echo "$(get "$1" "$2") / 1000" | bc -l)"; }
	line "create + start + delete, $rt, own netns ($NS runs each)" "mean ms" "median" "p90" "x XC" "cpu ms"
	for r in "XC:bare $rt, hardened config, egress off" "XD:bare $rt, + the egress hook" \
		"XN:hardshim, egress off" "XH:hardshim, egress installed after the runtime's create" \
		"XM:BEFORE (main's hardshim), same config"; do
		k=${r%%:*}
		[ -n "$(get "$k" 2)" ] || continue
		line "$k ${r#*:}" "$(ms "$k" 2)" "$(ms "$k" 3)" "$(ms "$k" 5)" "$(printf '%.3f' "$(get "$k" 6)")" \
			"$(ms "$k" 7)"
	done
	for k in D:XC H:XN M:XN; do
		a=X${k%%:*} b=${k#*:}
		[ -n "$(get "$a" 2)" ] || continue
		line "  egress step $a - $b (medians; goal <= 2 ms)" "" \
			"$(printf '%.1f' "$(echo "($(get "$a" 3) - $(get "$b" 3)) / 1000" | bc -l)")" "" "" \
			"$(printf '%.1f' "$(echo "($(get "$a" 7) - $(get "$b" 7)) / 1000" | bc -l)")"
	done
done
