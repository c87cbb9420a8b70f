#!/bin/sh
# mntid: before (BEFORE, a build of main before the change) vs after (this build): create with
# runtime /bin/true on a fresh config, without and with one bind mount (the mounts control asks
# which filesystem holds the source: libmount dlopen'ed before, statx + /proc/self/mountinfo
# after). alt.c CPU medians against the exec floor; callgrind instructions of the core; page
# faults of front + core (perf stat --no-inherit: the execveat keeps the process).
#   BEFORE=/tmp/mntid-before/build/hardshim N=300 NPF=100 sh tests/bench/mountinfo-ba.sh
# shellcheck disable=SC2154 # out, top, work, hs: set by lib.sh
set -eu
. "$(dirname "$0")/lib.sh"
bench_workdir /var/tmp/hs-miba.XXXXXX
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
cc -O2 -DRUNTIME='"/bin/true"' -o "$out/floor-true" "$top/tests/bench/floor.c"
bench_pristine
B=${BEFORE:-/tmp/mntid-before/build/hardshim}
mkdir -p "$work/data"
jq --arg s "$work/data" '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
	"$work/pristine.json" >"$work/bind.json"
bench_policy "$work/true.json" /bin/true '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
# the core run by its own name (callgrind below) takes core-ID.json beside the base policy
for b in "$B" "$hs"; do
	id=$(basename "$(dirname "$b")"/hardshim-core-*)
	cp "$work/true.json" "$work/${id#hardshim-}.json"
done
export HARDSHIM_POLICY="$work/true.json"
fresh() { echo "rm -f $work/b$2/config.json.orig ;; cp $1 $work/b$2/config.json"; }
mkdir -p "$work/bF" "$work/bb" "$work/ba"
for cfg in pristine bind; do
	# both admit it, with the same verdict
	for b in "$B" "$hs"; do
		"$b" check "$work/$cfg.json" >"$work/check.out" 2>&1 || { cat "$work/check.out"; exit 1; }
	done
	echo "== create, runtime /bin/true, $cfg config: alt.c, ${N:-300} alternating"
	"$out/alt" -n "${N:-300}" -w 5 -b floor \
		floor - "$out/floor-true --root $work/st create --bundle $work/bF x" \
		before "$(fresh "$work/$cfg.json" b)" "$B --root $work/st create --bundle $work/bb b{i}" \
		after "$(fresh "$work/$cfg.json" a)" "$hs --root $work/st create --bundle $work/ba a{i}"
	# The core run directly, as the front runs it (the front's own part does not change here)
	echo "== callgrind instructions of the core (not the runtime child), $cfg config"
	for v in before after; do
		case $v in before) b=$B d=bb ;; *) b=$hs d=ba ;; esac
		rm -f "$work/$d/config.json.orig" && cp "$work/$cfg.json" "$work/$d/config.json"
		HARDSHIM_FRONT=$b valgrind -q --tool=callgrind --callgrind-out-file="$work/cg.out" \
			"$(dirname "$b")"/hardshim-core-* --root "$work/st" create --bundle "$work/$d" cg$v >/dev/null
		echo "$v $(awk '/^(summary|totals):/ { print $2; exit }' "$work/cg.out")"
	done
	echo "== page faults of hardshim's processes (front + core, not the runtime), ${NPF:-100} creates each"
	for v in before after; do
		case $v in before) b=$B d=bb ;; *) b=$hs d=ba ;; esac
		n=0 sum=0
		while [ $n -lt "${NPF:-100}" ]; do
			rm -f "$work/$d/config.json.orig" && cp "$work/$cfg.json" "$work/$d/config.json"
			f=$(perf stat -x, -e page-faults --no-inherit "$b" --root "$work/st" create --bundle "$work/$d" pf$n 2>&1 >/dev/null |
				awk -F, '/page-faults/ { print $1 }')
			sum=$((sum + f)) n=$((n + 1))
		done
		echo "$v $((sum * 10 / n))e-1"
	done
done
