#!/bin/sh
# staticfront: before (main 01b16d9: dynamic front + dlopen'ed core) vs after (static-pie front
# + exec'd core), side by side: create (runtime /bin/true, fresh config) and the fast path.
# shellcheck disable=SC2154 # out, top, work, hs: set by lib.sh
set -eu
. "$(dirname "$0")/lib.sh"
bench_workdir /var/tmp/hs-sfba.XXXXXX
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
cc -O2 -DRUNTIME='"/bin/true"' -o "$out/floor-true" "$top/tests/bench/floor.c"
cc -O2 -DRUNTIME='"/usr/bin/runc"' -o "$out/floor-runc" "$top/tests/bench/floor.c"
bench_pristine
B=${BEFORE:-/tmp/staticfront-before/build/hardshim}
fresh() { echo "rm -f $work/b$2/config.json.orig ;; cp $1 $work/b$2/config.json"; }
mkdir -p "$work/bFb" "$work/bFa"
if [ "${ROWS:-cf}" != f ]; then
bench_policy "$work/true-b.json" /bin/true '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
bench_policy "$work/true-a.json" /bin/true '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
echo "== create, runtime /bin/true"
"$out/alt" -n "${N2:-200}" -w 5 -b floor \
	floor - "$out/floor-true --root $work/st create --bundle $work/bFb x" \
	before "$(fresh "$work/pristine.json" Fb)" "env HARDSHIM_POLICY=$work/true-b.json $B --root $work/st create --bundle $work/bFb Fb{i}" \
	after "$(fresh "$work/pristine.json" Fa)" "env HARDSHIM_POLICY=$work/true-a.json $hs --root $work/st create --bundle $work/bFa Fa{i}"
fi
# The fast path without an `env` process (the floor has none): HARDSHIM_POLICY exported as a
# base, each build invoked as hardshim-NAME (a symlink: /proc/self/exe still finds its core),
# which picks NAME.json beside the base: separate policies, so separate cache entries.
mkdir -p "$work/nb" "$work/na"
ln -sf "$B" "$work/nb/hardshim-frb"
ln -sf "$hs" "$work/na/hardshim-fra"
ln -sf "$B" "$work/nb/hardshim-ftb"
ln -sf "$hs" "$work/na/hardshim-fta"
bench_policy "$work/frb.json" /usr/bin/runc '.'
bench_policy "$work/fra.json" /usr/bin/runc '.'
bench_policy "$work/ftb.json" /bin/true '.'
bench_policy "$work/fta.json" /bin/true '.'
touch -d '-1 min' "$work/frb.json" "$work/fra.json" "$work/ftb.json" "$work/fta.json"
HARDSHIM_POLICY=$work/base.json
export HARDSHIM_POLICY
for n in nb/hardshim-frb na/hardshim-fra nb/hardshim-ftb na/hardshim-fta; do
	"$work/$n" --root "$work/state-runc" state nosuch >/dev/null 2>&1 || true
done
echo "== fast path, runc state nosuch"
"$out/alt" -n "${N3:-${N2:-200}}" -w 5 -b floor \
	floor - "! $out/floor-runc --root $work/state-runc state nosuch" \
	before - "! $work/nb/hardshim-frb --root $work/state-runc state nosuch" \
	after - "! $work/na/hardshim-fra --root $work/state-runc state nosuch"
echo "== fast path, runtime /bin/true, state nosuch"
"$out/alt" -n "${N3:-${N2:-200}}" -w 5 -b floor \
	floor - "$out/floor-true --root $work/state-runc state nosuch" \
	before - "$work/nb/hardshim-ftb --root $work/state-runc state nosuch" \
	after - "$work/na/hardshim-fta --root $work/state-runc state nosuch"
