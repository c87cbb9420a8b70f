#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Where create+start+delete through hardshim spends its time over the bare runtime, one
# ingredient at a time (medians, same bundle and rootfs throughout):
#   bare, pristine config       the runtime on `runc spec`'s config, as a user would run it
#   bare, hardened config       the runtime on the config hardshim writes (seccomp filter, extra
#                               namespaces and mounts, the egress createRuntime hook...): what
#                               the hardened container itself costs the runtime
#   ... without the egress hook the same, egress control off: the hook's share
#   hardshim, default policy    + hardshim's parse, checks and durable launch record
#   hardshim, no fsync          the record's fsync's share
#   hardshim, no record         the record's share (file, syslog, kernel audit all off)
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
NL=${BENCH_LIFECYCLE_N:-30}
# On /var/tmp (a disk here, not tmpfs) so that fsync means what it means in production.
bench_workdir /var/tmp/hardshim-bench-create.XXXXXX

bench_pristine

# The image tree is beside the bundles: admitted (controls.rootfs.admit_roots), as in start.sh.
policy() { # runtime name jq-filter
	jq --arg rt "/usr/bin/$1" --arg log "$work/$2/launches.jsonl" --arg root "$work/rootfs" \
		".runtime = \$rt | .log.path = \$log | .controls.rootfs.admit_roots = [\$root] | $3" \
		"$top/profiles/policy/default.json" >"$work/$1-$2.json"
	chmod 0644 "$work/$1-$2.json"
}
bundle() { # name config-file
	mkdir -p "$work/$1"
	cp "$2" "$work/$1/config.json"
	chmod 0644 "$work/$1/config.json"
}
harden() { # policy-file name
	bundle "$2" "$work/pristine.json"
	HARDSHIM_POLICY=$1 "$hs" check --output "$work/$2/config.json.h" "$work/$2" >/dev/null 2>&1 || true
	mv "$work/$2/config.json.h" "$work/$2/config.json"
	chmod 0644 "$work/$2/config.json"
}
life() { # binary bundle-name tag
	med -n "$NL" -w 2 "$1" --root "$st" create --bundle "$work/$2" "$3{i}" ";;" \
		"$1" --root "$st" start "$3{i}" ";;" "$1" --root "$st" delete --force "$3{i}"
}

printf '%-46s %12s %12s\n' "create+start+delete (median µs, $NL runs)" "runc" "crun"
for rt in runc crun; do
	st="$work/state-$rt"
	policy $rt default '.'
	policy $rt noegress '.controls.egress = {"enabled": false}'
	policy $rt nofsync '.log.fsync = false'
	policy $rt norecord '.log.file = false | .log.syslog = false | .log.kernel_audit = false'
	bundle "pristine-$rt" "$work/pristine.json"
	harden "$work/$rt-default.json" "hardened-$rt"
	harden "$work/$rt-noegress.json" "noegress-$rt"
	eval "bare_$rt=\$(life /usr/bin/$rt pristine-$rt p)"
	eval "hard_$rt=\$(life /usr/bin/$rt hardened-$rt q)"
	eval "noeg_$rt=\$(life /usr/bin/$rt noegress-$rt r)"
	export HARDSHIM_POLICY="$work/$rt-default.json"
	eval "hs_$rt=\$(life \"$hs\" hardened-$rt s)"
	export HARDSHIM_POLICY="$work/$rt-nofsync.json"
	eval "nofsync_$rt=\$(life \"$hs\" hardened-$rt t)"
	export HARDSHIM_POLICY="$work/$rt-norecord.json"
	eval "norec_$rt=\$(life \"$hs\" hardened-$rt u)"
	unset HARDSHIM_POLICY
done
# shellcheck disable=SC2154 # the variables are made by eval above
{
	printf '%-46s %12s %12s\n' "bare runtime, pristine config" "$bare_runc" "$bare_crun"
	printf '%-46s %12s %12s\n' "bare runtime, hardened config" "$hard_runc" "$hard_crun"
	printf '%-46s %12s %12s\n' "bare runtime, hardened, egress control off" "$noeg_runc" "$noeg_crun"
	printf '%-46s %12s %12s\n' "hardshim, default policy (hardened config)" "$hs_runc" "$hs_crun"
	printf '%-46s %12s %12s\n' "hardshim, record without fsync" "$nofsync_runc" "$nofsync_crun"
	printf '%-46s %12s %12s\n' "hardshim, no record at all" "$norec_runc" "$norec_crun"
}
