#!/bin/sh
# faults: before (BEFORE, a build of main before the change) vs after (this build): create with
# runtime /bin/true on a fresh runc-spec config, as root. alt.c CPU medians against the exec
# floor (two before rows: their difference is this run's noise); page faults of the whole
# create (front + core + the runtime child: perf stat, one create per run, FAULTS_N runs); the
# system calls of hardshim's own process (strace -c, front + core); what one page fault costs
# here against a page populated first (tests/bench/populate.c).
#   BEFORE=/tmp/faults-before/build/hardshim N=200 sh tests/bench/faults-ba.sh
# shellcheck disable=SC2154 # out, top, work, hs: set by lib.sh
set -eu
. "$(dirname "$0")/lib.sh"
bench_workdir /var/tmp/hs-faultsba.XXXXXX
chmod 0755 "$work"
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
cc -O2 -o "$out/populate" "$top/tests/bench/populate.c"
cc -O2 -DRUNTIME='"/bin/true"' -o "$out/floor-true" "$top/tests/bench/floor.c"
bench_pristine
# both builds copied to directories of one depth: the front walks its own directory to the core
mkdir -p "$work/before" "$work/after"
install -m 0755 "${BEFORE:-/tmp/faults-before/build/hardshim}" "$(dirname "${BEFORE:-/tmp/faults-before/build/hardshim}")"/hardshim-core-* "$work/before/"
install -m 0755 "$hs" "$(dirname "$hs")"/hardshim-core-* "$work/after/"
B=$work/before/hardshim
hs=$work/after/hardshim
bench_policy "$work/true.json" /bin/true '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
export HARDSHIM_POLICY="$work/true.json"
fresh() { echo "rm -f $2/config.json.orig ;; cp $1 $2/config.json"; }
mkdir -p "$work/bF" "$work/bb" "$work/bb2" "$work/ba" "$work/st"
echo "== one page: fault vs populated (µs of CPU per page, 40 pages, 300 rounds)"
"$out/populate" 40 300
echo "== page faults of one create (perf stat page-faults: the ones that trapped), ${FAULTS_N:-30} each"
for v in floor before after; do
	case $v in floor) b=$out/floor-true d=bF ;; before) b=$B d=bb ;; *) b=$hs d=ba ;; esac
	: >"$work/pf.$v"
	i=0
	while [ $i -lt "${FAULTS_N:-30}" ]; do
		rm -f "$work/$d/config.json.orig" && cp "$work/pristine.json" "$work/$d/config.json"
		perf stat -x, -e page-faults -o "$work/pf.one" "$b" --root "$work/st" create --bundle "$work/$d" "pf$v$i" >/dev/null 2>&1
		grep page-faults "$work/pf.one" | cut -d, -f1 >>"$work/pf.$v"
		i=$((i + 1))
	done
	echo "$v $(awk '{ s += $1 } END { printf "%.1f", s / NR }' "$work/pf.$v")"
done
echo "== strace -c of hardshim's process (front + core), one create"
for v in before after; do
	case $v in before) b=$B d=bb ;; *) b=$hs d=ba ;; esac
	rm -f "$work/$d/config.json.orig" && cp "$work/pristine.json" "$work/$d/config.json"
	strace -qq -c -o "$work/sc.$v" "$b" --root "$work/st" create --bundle "$work/$d" sc$v >/dev/null
	echo "$v $(awk '/total/ { print $4, "calls", $5, "errors" }' "$work/sc.$v")"
done
echo "== create, runtime /bin/true, fresh config: alt.c, ${N:-200} alternating"
"$out/alt" -n "${N:-200}" -w 5 -b floor \
	floor - "$out/floor-true --root $work/st create --bundle $work/bF x" \
	before "$(fresh "$work/pristine.json" "$work/bb")" "$B --root $work/st create --bundle $work/bb b{i}" \
	before2 "$(fresh "$work/pristine.json" "$work/bb2")" "$B --root $work/st create --bundle $work/bb2 c{i}" \
	after "$(fresh "$work/pristine.json" "$work/ba")" "$hs --root $work/st create --bundle $work/ba a{i}"
