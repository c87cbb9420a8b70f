#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What one createRuntime hook costs the runtime, process by process (issue 17: run's gap to the
# bare runtime). For runc and crun, `RUNTIME run` on hardshim's hardened config (egress off,
# process `true`): C without a hook, T with a createRuntime hook that is a copy of /bin/true
# named `hooktrue` (so its samples and faults are told apart from the container's `true`).
#   1. Page faults (perf record -e page-faults -c 1: every fault that trapped, by process and
#      name), HOOK_COST_N runs (5) of each, means per run:
#        runtime  the runtime's own process (the one this script starts)
#        hook/rt  the hook's process before its exec (the runtime's copy of itself)
#        hook     the hook's program (hooktrue)
#        other    everything else (the container's init and its stages, `true`)
#   2. System calls per role (strace -f; a call split by another task's counted once), one run
#      of each.
#   3. The tasks a run makes (processes and threads: the pids strace -f saw).
#   4. What starting one /bin/true costs a parent by the way it starts it (tests/bench/spawn.c,
#      a parent that first writes 472 KiB as crun's does, and 120 KiB of it again after), alt.c
#      CPU medians, HOOK_COST_ALT_N (300) alternating: none, fork (crun's way), vfork (posix_spawn,
#      as Go's os/exec and so runc), and /bin/true started by alt.c beside `none`.
# Load-free counts: what CPU a fault or a process start costs on this machine is in
# docs/performance-log.md ("What a createRuntime hook costs the runtime", 2026-12-05 #6).
# Never pass/fail. As root.
# shellcheck disable=SC2154 # out, top, work, hs: set by lib.sh
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_workdir /var/tmp/hs-hookcost.XXXXXX
bench_pristine
cc -O2 -o "$out/alt" "$top/tests/bench/alt.c"
cc -O2 -o "$out/spawn" "$top/tests/bench/spawn.c"
N=${HOOK_COST_N:-5}
cp /bin/true "$work/hooktrue"
mkdir -p "$work/h"
# roles PIDFILE: page-fault samples (perf script -F comm,pid on stdin) -> "runtime hook/rt hook other"
roles() {
	awk -v rt="$(cat "$1")" '{ n[$2 " " $1]++; if ($1 == "hooktrue") hook[$2] = 1 }
		END { for (k in n) { split(k, a, " "); p = a[1]; c = a[2]
			if (p == rt) r += n[k]; else if (p in hook) { if (c == "hooktrue") h += n[k]; else hr += n[k] }
			else o += n[k] }
			printf "%d %d %d %d\n", r, hr, h, o }'
}
for rt in ${HOOK_COST_RT:-runc crun}; do
	bench_policy "$work/$rt.json" "/usr/bin/$rt" '.controls.egress = {"enabled": false}'
	cp "$work/pristine.json" "$work/h/config.json"
	HARDSHIM_POLICY="$work/$rt.json" "$hs" check --output "$work/C.json" "$work/h" >/dev/null 2>&1 || true
	mkdir -p "$work/bC-$rt" "$work/bT-$rt"
	cp "$work/C.json" "$work/bC-$rt/config.json"
	jq --arg p "$work/hooktrue" '.hooks.createRuntime = [{"path": $p, "args": ["hooktrue"], "timeout": 10}]' \
		"$work/C.json" >"$work/bT-$rt/config.json"
	st="$work/state-$rt"
	echo "== $rt: page faults per run (mean of $N): runtime, hook before its exec, hook program, other, total"
	for v in C T; do
		: >"$work/pf.$v"
		i=0
		while [ $i -lt "$N" ]; do
			# shellcheck disable=SC2016 # $$ and $@ are the inner shell's
			perf record -q -e page-faults -c 1 -o "$work/pf.data" -- \
				sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/pid" \
				"/usr/bin/$rt" --root "$st" run --bundle "$work/b$v-$rt" "pf$v$i" >/dev/null 2>&1
			perf script -i "$work/pf.data" -F comm,pid 2>/dev/null | roles "$work/pid" >>"$work/pf.$v"
			i=$((i + 1))
		done
		awk -v v="$v" '{ for (j = 1; j <= 4; j++) s[j] += $j }
			END { printf "  %s  runtime %6.1f  hook/rt %5.1f  hook %5.1f  other %6.1f  total %6.1f\n",
				v, s[1] / NR, s[2] / NR, s[3] / NR, s[4] / NR, (s[1] + s[2] + s[3] + s[4]) / NR }' "$work/pf.$v"
	done
	echo "== $rt: system calls of one run (strace -f): runtime, hook before its exec, hook program, other; tasks"
	for v in C T; do
		strace -f -qq -o "$work/st.txt" "/usr/bin/$rt" --root "$st" run --bundle "$work/b$v-$rt" "st$v" >/dev/null 2>&1
		# the runtime is the first pid of the trace; the hook, the pid that execs hooktrue
		awk -v v="$v" 'NR == 1 { rt = $1 }
			$2 == "<..." { next } # a call strace split in two is counted once
			/execve\(".*hooktrue"/ { hook = $1 }
			!($1 in n) { tasks++ }
			{ n[$1]++; if ($0 ~ /execve\(/ && $1 == hook) ex[$1] = NR; line[NR] = $1 }
			END { for (k = 1; k <= NR; k++) { if (!(k in line)) continue; p = line[k]
				if (p == rt) r++; else if (p == hook) { if (k < ex[p]) hr++; else h++ } else o++ }
				printf "  %s  runtime %5d  hook/rt %4d  hook %4d  other %5d  total %5d  tasks %d\n",
					v, r, hr, h, o, r + hr + h + o, tasks }' "$work/st.txt"
	done
done
echo "== one /bin/true started by a parent holding 472 KiB (alt.c, ${HOOK_COST_ALT_N:-300} alternating; CPU median µs, last column)"
sp="$out/spawn"
"$out/alt" -n "${HOOK_COST_ALT_N:-300}" -w 3 -b none none - "$sp none 472 120 /bin/true" \
	fork - "$sp fork 472 120 /bin/true" vfork - "$sp vfork 472 120 /bin/true" \
	apart - "$sp none 472 120 /bin/true ;; /bin/true"
