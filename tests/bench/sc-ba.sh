#!/bin/sh
# staticcore: before (BEFORE, a build of main with the dynamic core) vs after (this build, the
# -static-pie core), runtime /bin/true on a fresh runc-spec config (devices and egress off):
# create; create with a seccomp profile of the config's own (hardshim's default less one
# allowed call: checked name by name with libseccomp, which the dynamic core dlopens); the fast
# path (`state nosuch`, runc, cached policy). alt.c CPU medians against the exec floor; then
# instructions (callgrind, front + core, the runtime child skipped) and page faults (perf stat,
# the whole command with its children, mean of NF fresh creates).
#   BEFORE=/tmp/staticcore-before/build/hardshim N=200 sh tests/bench/sc-ba.sh
# shellcheck disable=SC2154 # out, top, work, hs: set by lib.sh
set -eu
. "$(dirname "$0")/lib.sh"
bench_workdir /var/tmp/hs-scba.XXXXXX
chmod 0755 "$work"
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
cc -O2 -DRUNTIME='"/bin/true"' -o "$out/floor-true" "$top/tests/bench/floor.c"
cc -O2 -DRUNTIME='"/usr/bin/runc"' -o "$out/floor-runc" "$top/tests/bench/floor.c"
bench_pristine
B=${BEFORE:-/tmp/staticcore-before/build/hardshim}
bench_policy "$work/true.json" /bin/true '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
export HARDSHIM_POLICY="$work/true.json"
jq --slurpfile p "$top/profiles/seccomp/default.json" '.linux.seccomp = ($p[0]
	| (.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names) |= .[1:])' \
	"$work/pristine.json" >"$work/seccomp.json"
fresh() { echo "rm -f $2/config.json.orig ;; cp $1 $2/config.json"; }
mkdir -p "$work/bF" "$work/bb" "$work/ba" "$work/st"
ROWS=${ROWS:-csf}
case $ROWS in *c*)
echo "== create, runtime /bin/true, fresh config: alt.c, ${N:-200} alternating"
"$out/alt" -n "${N:-200}" -w 5 -b floor \
	floor - "$out/floor-true --root $work/st create --bundle $work/bF x" \
	before "$(fresh "$work/pristine.json" "$work/bb")" "$B --root $work/st create --bundle $work/bb b{i}" \
	after "$(fresh "$work/pristine.json" "$work/ba")" "$hs --root $work/st create --bundle $work/ba a{i}"
;; esac
case $ROWS in *s*)
echo "== create with the config's own seccomp profile, the same: alt.c, ${N:-200} alternating"
"$out/alt" -n "${N:-200}" -w 5 -b floor \
	floor - "$out/floor-true --root $work/st create --bundle $work/bF x" \
	before "$(fresh "$work/seccomp.json" "$work/bb")" "$B --root $work/st create --bundle $work/bb sb{i}" \
	after "$(fresh "$work/seccomp.json" "$work/ba")" "$hs --root $work/st create --bundle $work/ba sa{i}"
;; esac
case $ROWS in *f*)
bench_policy "$work/runc.json" /usr/bin/runc '.'
touch -d '-1 min' "$work/runc.json"
for b in "$B" "$hs"; do
	HARDSHIM_POLICY="$work/runc.json" "$b" --root "$work/state-runc" state nosuch >/dev/null 2>&1 || true
done
echo "== fast path, runc state nosuch (cached policy): alt.c, ${NF:-300} alternating"
HARDSHIM_POLICY="$work/runc.json" "$out/alt" -n "${NF:-300}" -w 5 -b floor \
	floor - "! $out/floor-runc --root $work/state-runc state nosuch" \
	before - "! $B --root $work/state-runc state nosuch" \
	after - "! $hs --root $work/state-runc state nosuch"
;; esac
[ -n "${SKIP_COUNTS:-}" ] && exit 0
n=0
# instructions of hardshim's process (front + core; the execveat keeps the process), runtime
# child not traced. Under valgrind the core starts by its own file name, so the policy it
# looks up is core-ID.json beside the base policy: the same policy, copied there.
cg() { # VARIANT BINARY CONFIG
	for c in "$(dirname "$2")"/hardshim-core-*; do
		cp "$work/true.json" "$work/core-${c##*/hardshim-core-}.json"
	done
	n=$((n + 1))
	mkdir -p "$work/cg$n" && cp "$3" "$work/cg$n/config.json"
	valgrind --tool=callgrind --trace-children=yes --trace-children-skip=/bin/true \
		--callgrind-out-file="$work/cg.%p" "$2" --root "$work/st" create --bundle "$work/cg$n" cg$n \
		>/dev/null 2>"$work/cg.err"
	echo "$1: $(grep -o 'Collected : [0-9]*' "$work/cg.err" | awk '{ s += $3 } END { print s }') instructions"
	rm -f "$work"/cg.[0-9]*
}
pf() { # VARIANT BINARY CONFIG: mean page faults of NF fresh creates (with children)
	tot=0
	for _ in $(seq "${NF:-50}"); do
		n=$((n + 1))
		mkdir -p "$work/cg$n" && cp "$3" "$work/cg$n/config.json"
		perf stat -x, -e page-faults -o "$work/pf" "$2" --root "$work/st" create \
			--bundle "$work/cg$n" cg$n >/dev/null 2>&1
		tot=$((tot + $(awk -F, '/page-faults/ { print $1 }' "$work/pf")))
	done
	echo "$1: $(echo "$tot ${NF:-50}" | awk '{ printf "%.1f", $1 / $2 }') page faults"
}
for cfg in pristine seccomp; do
	echo "== $cfg config: callgrind (front + core), perf stat page faults (${NF:-50} creates)"
	pf floor "$out/floor-true" "$work/$cfg.json"
	for v in before after; do
		case $v in before) b=$B ;; *) b=$hs ;; esac
		cg "$v" "$b" "$work/$cfg.json"
		pf "$v" "$b" "$work/$cfg.json"
	done
done
