#!/bin/sh
# staticprep: before (BEFORE, a build of main before the change) vs after (this build): create
# with runtime /bin/true on a fresh config, as root (named by the first line of /etc/passwd) and
# as a uid /etc/passwd lacks (NSS went on to its modules for that one before). alt.c CPU
# medians against the exec floor; syscalls of hardshim's own process (strace -c, front + core:
# the execveat keeps the process; the runtime child not followed).
#   BEFORE=/tmp/staticprep-before/hardshim N=200 sh tests/bench/who-ba.sh
# shellcheck disable=SC2154 # out, top, work, hs: set by lib.sh
set -eu
. "$(dirname "$0")/lib.sh"
bench_workdir /var/tmp/hs-whoba.XXXXXX
chmod 0755 "$work"
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
cc -O2 -DRUNTIME='"/bin/true"' -o "$out/floor-true" "$top/tests/bench/floor.c"
bench_pristine
B=${BEFORE:-/tmp/staticprep-before/hardshim}
U=${BENCH_UID:-54321}
! grep -q "^[^:]*:[^:]*:$U:" /etc/passwd || { echo "uid $U is in /etc/passwd" >&2; exit 1; }
bench_policy "$work/true.json" /bin/true '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
export HARDSHIM_POLICY="$work/true.json"
fresh() { echo "rm -f $2/config.json.orig ;; cp $1 $2/config.json"; }
mkdir -p "$work/bF" "$work/bb" "$work/ba" "$work/st"
# the uid's own state and log, bundles it may rewrite
mkdir -p "$work/u" "$work/u/st" "$work/u/log" "$work/u/bb" "$work/u/ba" "$work/u/bF"
chown "$U:$U" "$work/u/st" "$work/u/log" "$work/u/bb" "$work/u/ba" "$work/u/bF"
chmod 0755 "$work/u"
jq --arg l "$work/u/log/launches.jsonl" '.log.path = $l' "$work/true.json" >"$work/u/true.json"
chmod 0644 "$work/u/true.json"
[ -n "${SKIP_ROOT:-}" ] || {
echo "== create as root, runtime /bin/true, fresh config: alt.c, ${N:-200} alternating"
"$out/alt" -n "${N:-200}" -w 5 -b floor \
	floor - "$out/floor-true --root $work/st create --bundle $work/bF x" \
	before "$(fresh "$work/pristine.json" "$work/bb")" "$B --root $work/st create --bundle $work/bb b{i}" \
	after "$(fresh "$work/pristine.json" "$work/ba")" "$hs --root $work/st create --bundle $work/ba a{i}"
}
echo "== create as uid $U (not in /etc/passwd) through setpriv, the same: alt.c, ${N:-200} alternating"
sp="setpriv --reuid $U --regid $U --clear-groups"
HARDSHIM_POLICY="$work/u/true.json" "$out/alt" -n "${N:-200}" -w 5 -b floor \
	floor - "$sp $out/floor-true --root $work/u/st create --bundle $work/u/bF x" \
	before "$(fresh "$work/pristine.json" "$work/u/bb")" "$sp $B --root $work/u/st create --bundle $work/u/bb b{i}" \
	after "$(fresh "$work/pristine.json" "$work/u/ba")" "$sp $hs --root $work/u/st create --bundle $work/u/ba a{i}"
echo "== strace -c of hardshim's process (front + core), one create as root"
for v in before after; do
	case $v in before) b=$B d=bb ;; *) b=$hs d=ba ;; esac
	rm -f "$work/$d/config.json.orig" && cp "$work/pristine.json" "$work/$d/config.json"
	strace -qq -c -o "$work/sc.$v" "$b" --root "$work/st" create --bundle "$work/$d" sc$v >/dev/null
	echo "$v $(awk '/total/ { print $4, "calls", $5, "errors" }' "$work/sc.$v")"
	rm -f "$work/$d/config.json.orig" && cp "$work/pristine.json" "$work/$d/config.json"
	strace -qq -e trace=openat,connect -o "$work/tr.$v" "$b" --root "$work/st" create --bundle "$work/$d" tr$v >/dev/null
	echo "$v nsswitch/nscd/libnss lines: $(grep -cE 'nsswitch|nscd|libnss_' "$work/tr.$v" || true)"
done
