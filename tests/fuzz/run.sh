#!/bin/sh
# Run every libFuzzer harness for FUZZ_SECONDS each, after replaying its committed crash
# reproducers (tests/fuzz/regressions/<harness>/). Speaks TAP, one line per harness and per
# reproducer, so `make check` counts them. Seeds: tests/fuzz/corpus/<harness>/ (real configs
# from runc, crun, Podman and containerd; hook states; runtime command lines) plus the JSON
# corpus (tests/corpus/json) for the JSON and pipeline harnesses.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
secs=${FUZZ_SECONDS:-30}
out=build-fuzz
n=0
for bin in "$out"/fuzz-*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	for repro in tests/fuzz/regressions/"$name"/*; do
		[ -f "$repro" ] || continue
		n=$((n + 1))
		if "$bin" "$repro" >/dev/null 2>&1; then
			echo "ok $n - $name reproducer $(basename "$repro") no longer fails"
		else
			echo "not ok $n - $name reproducer $(basename "$repro") fails again"
		fi
	done
	work="$out/corpus/$name"
	mkdir -p "$work" "$out/crashes/$name"
	# Seeds: the committed corpus, and the hostile JSON corpus for the harnesses that read
	# a config (fuzz-pipeline's first byte picks the schema: "0" makes each a config.json).
	set -- "$work"
	[ -d "tests/fuzz/corpus/$name" ] && set -- "$@" "tests/fuzz/corpus/$name"
	case $name in
	fuzz-json) set -- "$@" tests/corpus/json ;;
	fuzz-pipeline)
		mkdir -p "$out/seeds/$name"
		for f in tests/corpus/json/*.json; do
			{ printf 0; cat "$f"; } >"$out/seeds/$name/$(basename "$f")"
		done
		set -- "$@" "$out/seeds/$name" ;;
	esac
	n=$((n + 1))
	log="$out/$name.log"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -dict=tests/fuzz/oci.dict \
		-artifact_prefix="$out/crashes/$name/" "$@" \
		>"$log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
		[ -n "$execs" ] || execs=$(grep -Eo '#[0-9]+' "$log" | tail -1)
		echo "ok $n - $name ran ${secs}s ($execs executions) without a finding"
	else
		echo "not ok $n - $name found a crash: see $log and $out/crashes/$name/"
		tail -30 "$log" | sed 's/^/# /'
	fi
done
[ "$n" -gt 0 ] || echo "not ok 1 - no fuzz harness was built"
