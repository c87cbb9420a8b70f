#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The cost of the durable launch record, per launch: the same create through hardshim with the
# file record off, on without fsync, and on with fsync (the default). The policy's runtime is
# /bin/true, so what is timed is hardshim's own path (parse, controls, record) and an exec;
# the differences between the rows are what the record costs. syslog and kernel audit are off
# (they are measured by their own row at the end); the devices and egress controls are off
# (their steps after the runtime's create need a container). Medians of N runs (timeit, no shell).
# Usage: tests/bench/audit.sh   (BENCH_N: runs, default 200; BUILD: build dir)
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-200}
# The log on the disk /var/log is on, not a tmpfs: fsync must reach a device to mean anything.
tmp=$(mktemp -d /var/tmp/hs-bench-audit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/b/rootfs/bin"
cp /bin/busybox "$tmp/b/rootfs/bin/busybox"
/usr/bin/runc spec --bundle "$tmp/b"
chmod 0644 "$tmp/b/config.json"

policy() { # name file fsync syslog kernel_audit
	jq -n --arg log "$tmp/$1/launches.jsonl" --argjson file "$2" --argjson fsync "$3" \
		--argjson syslog "$4" --argjson ka "$5" \
		'{runtime: "/bin/true", log: {path: $log, file: $file, fsync: $fsync, syslog: $syslog, kernel_audit: $ka},
		  controls: {devices: {enabled: false}, egress: {enabled: false}}}' \
		>"$tmp/$1.json"
	chmod 0644 "$tmp/$1.json"
}
med() { # policy-name
	HARDSHIM_POLICY=$tmp/$1.json "$out/timeit" -n "$N" -w 5 \
		"$hs" --root "$tmp/state" create --bundle "$tmp/b" "c{i}" | cut -d' ' -f1
}

policy off false false false false
policy nosync true false false false
policy sync true true false false
policy sinks true true true true
off=$(med off)
nosync=$(med nosync)
sync=$(med sync)
sinks=$(med sinks)
"$hs" log verify --quiet "$tmp/sync/launches.jsonl"

fs=$(df --output=fstype "$tmp" | tail -n 1)
printf '%-52s %10s %10s\n' "audit record (median µs, $N runs, log on $fs)" "launch" "record" | tee "$out/audit.txt"
row() { printf '%-52s %10s %10s\n' "$1" "$2" "$(echo "$2 - $off" | bc)" | tee -a "$out/audit.txt"; }
row "create, no file record" "$off"
row "create, record written, no fsync" "$nosync"
row "create, record written + fsync (default)" "$sync"
row "create, record + fsync + syslog + kernel audit" "$sinks"
