#!/bin/sh
# Run the test suites and sum them. Every suite speaks TAP; the last line is
# "N passed, N failed, N skipped" over all of them. Usage: tests/run.sh [SUITE|FILE.bats...]
# Suites: unit integration redteam e2e workloads fuzz differential lint sanitize valgrind (default: all,
# in that order); a .bats file runs that file alone, with the environment the suites get.
# redteam: tests/redteam, attacks on the policy under runc and crun. sanitize: the unit and
# integration tests with SANITIZE=1 (ASan+UBSan, build-san/); valgrind: the plain unit tests
# under memcheck; lint: scripts/lint.sh.
#
# The suites run in two lanes side by side on a machine with 2 or more cores (HS_LANES=0: one
# after the other, in the order given; a 1-core machine always does that):
#   containers: integration, redteam, e2e, workloads, differential (and .bats files named), one
#               after the other: everything that starts real containers with build/hardshim
#               (runc, crun, Podman, containerd), makes network namespaces or cgroups.
#   sanitizer:  the workloads image ahead of the workloads suite when it is scheduled (see
#               below), the sanitizer build, then the integration suite again with
#               build-san/hardshim (its core ASan+UBSan): the longest suite, beside the plain
#               ones. The integration tests keep what they make to themselves (per-test runtime
#               --root, bundle, policy, launch log and cgroupsPath; network namespaces named by
#               a hash of pid and test; ids of their own in the engines' real configs), and
#               what the machine has only one of (the kernel's audit daemon slot, the fixed
#               host paths of an engine's real config) they take in turn under a machine lock
#               (hs_machine_lock, tests/lib/env.bash), so two runs of a suite at once do not meet.
#   either:     unit, lint, fuzz, valgrind (and the sanitizer build when the ASan integration
#               pass is not scheduled). These start no container and touch no machine state
#               (the unit tests that need a network namespace unshare a private one): whichever
#               lane is done with its own suites first takes the next of them, so the two lanes
#               end close together whatever this machine's speed.
# The workloads image (tests/workloads/image.sh: built once per recipe, under a lock, renamed
# into place when complete) is made first in the sanitizer lane, so a cold cache's build
# overlaps the container lane instead of waiting in front of the workloads suite.
# Each suite's TAP goes to its own file; the sum is over all.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
export HS_TOP="$top" HS_BUILD="$top/$BUILD" HS_BIN="$top/$BUILD/hardshim"
suites=${*:-unit integration redteam e2e workloads fuzz differential lint sanitize valgrind}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# unit_one NAME CMD...: one test binary's TAP, plus a failure of its own when the binary reports
# no failure but exits non-zero, or reports fewer results than it planned (it crashed or
# exited part way: the tests it never reached would otherwise count as nothing).
unit_one() {
	name=$1
	shift
	log=$(mktemp "$out/unit.XXXXXX")
	"$@" >"$log" 2>&1
	rc=$?
	# cmocka writes a skip() as "not ok N # SKIP NAME"; in TAP that is a skip, not a failure.
	# Where the test says why, it says so on the lines above.
	sed -i -E 's/^not ok ([0-9]+) # SKIP (.*)$/ok \1 - \2 # skip (cmocka skip(): see the output above)/' "$log"
	cat "$log"
	awk -v name="$name" -v rc="$rc" '
		/^1\.\.[0-9]+/ { split($0, a, /\.\./); plan += a[2] + 0; planned = 1 }
		/^ok / { got++ } /^not ok / { got++; bad++ }
		END {
			if (rc != 0 && !bad) printf "not ok - %s exited %d without reporting a failure\n", name, rc
			else if (!bad && (!planned || got < plan)) printf "not ok - %s reported %d of %s planned results\n", name, got, planned ? plan : "no"
		}' "$log"
	rm -f "$log"
}

run_unit() {
	for t in "$BUILD"/tests/test-*; do
		[ -x "$t" ] || continue
		echo "# unit: $t"
		unit_one "$t" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	done
}

# The unit tests again, built with ASan+UBSan into build-san (a build failure is a failure).
# Its result is left in $out/san-built for the integration half below.
run_sanitize_build() {
	mkdir -p build-san
	if ! make -s -j"$jobs" SANITIZE=1 test-build >build-san/build.log 2>&1; then
		echo "not ok 1 - SANITIZE=1 build failed"
		tail -20 build-san/build.log | sed 's/^/# /'
		echo failed >"$out/san-built.new"
		mv "$out/san-built.new" "$out/san-built"
		return
	fi
	echo ok >"$out/san-built.new"
	mv "$out/san-built.new" "$out/san-built"
	for t in build-san/tests/test-*; do
		[ -x "$t" ] || continue
		echo "# sanitize: $t"
		unit_one "$t under ASan/UBSan" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	done
}

# The integration suite with build-san/hardshim: every runtime call, hook and refusal of it
# but a cached fast path runs in its core, instrumented (the front, static-pie, carries no
# sanitizer: the Makefile's SANITIZE block says why). Reports go to files (so they do not
# change what a test reads), and each report is a failure of its own. LeakSanitizer's exit
# check in the core scans its roots without the sanitizers' own runtimes
# (src/front/lsan-roots.c).
run_sanitize_integration() {
	# The build is the host lane's; without it scheduled (the suite named alone), build here.
	case " $order " in *" sanitize-build "*) ;; *) run_sanitize_build | grep -v '^ok ' ;; esac
	while [ ! -e "$out/san-built" ]; do sleep 2; done
	[ "$(cat "$out/san-built")" = ok ] || return 0 # the build's failure is already counted
	# Without an instrumented core this pass would prove nothing: say so, and stop.
	if ! readelf -d build-san/hardshim-core-* 2>/dev/null | grep -q 'NEEDED.*\[libasan\.so'; then
		echo "not ok - build-san/hardshim-core-* is not built with ASan"
		return 0
	fi
	echo "# sanitize: tests/integration with build-san/hardshim"
	rm -rf build-san/reports && mkdir -p build-san/reports
	HS_BUILD="$top/build-san" HS_BIN="$top/build-san/hardshim" \
		ASAN_OPTIONS="detect_leaks=1:log_path=$top/build-san/reports/asan" \
		UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$top/build-san/reports/ubsan" \
		run_bats tests/integration
	for r in build-san/reports/*; do
		[ -e "$r" ] || continue
		echo "not ok - sanitizer report $r"
		head -30 "$r" | sed 's/^/# /'
	done
}

run_bats() {
	dir=$1
	set -- "$dir"/*.bats
	[ -e "$1" ] || return 0
	bats --tap "$@" 2>&1
}

# The workloads suite's image, fetched ahead (comments only: the workloads suite's own setup
# finds it in the cache, or builds it again and fails there with the build's log).
prefetch_images() {
	if img=$(sh tests/workloads/image.sh 2>"$out/images.err"); then
		echo "# images: $img"
	else
		echo "# images: building the workloads image failed (the workloads suite tries again):"
		tail -5 "$out/images.err" | sed 's/^/#   /'
	fi
}

run_suite() {
	case $1 in
	images) prefetch_images ;;
	unit) run_unit ;;
	integration) run_bats tests/integration ;;
	redteam) run_bats tests/redteam ;;
	e2e) run_bats tests/e2e ;;
	workloads) run_bats tests/workloads ;;
	fuzz) FUZZ_SECONDS=${FUZZ_SECONDS:-30} sh tests/fuzz/run.sh ;;
	differential) run_bats tests/differential ;;
	# The machine's cores, not the lane's share: cppcheck run with -j1 adds its whole-program
	# (CTU) pass, and lint's verdict must not depend on how the suites were scheduled.
	lint) LINT_JOBS=$cores sh scripts/lint.sh ;;
	sanitize-build) run_sanitize_build ;;
	sanitize-integration) run_sanitize_integration ;;
	valgrind) BUILD=$BUILD sh scripts/memcheck.sh ;;
	*.bats) if [ -f "$1" ]; then bats --tap "$1" 2>&1; else echo "not ok - no file $1"; fi ;;
	*) echo "not ok - unknown suite $1" ;;
	esac
}

# run_lane SUITE...: the suites in order, each into $out/<suite>.tap and the console (the sum is
# taken from the files: two lanes' lines may interleave on the console), with its wall-clock
# time.
run_lane() {
	for s in "$@"; do
		echo "# suite: $s"
		start=$(date +%s)
		tap=$out/$(echo "$s" | tr / _).tap
		run_suite "$s" 2>&1 | tee "$tap"
		echo "# suite: $s took $(($(date +%s) - start))s"
		echo "$s $(($(date +%s) - start))" >>"$out/times"
	done
}

# "sanitize" is two halves: the build, and the integration suite run with it.
order=""
for s in $suites; do
	case $s in
	sanitize) order="$order sanitize-build sanitize-integration" ;;
	*) order="$order $s" ;;
	esac
done
containers="" sanitizer="" either=""
case " $order " in *" sanitize-integration "*) san_pinned=1 ;; *) san_pinned=0 ;; esac
for s in $order; do
	case $s in
	integration | redteam | e2e | workloads | differential | *.bats) containers="$containers $s" ;;
	sanitize-integration) sanitizer="$sanitizer $s" ;;
	sanitize-build) if [ "$san_pinned" = 1 ]; then sanitizer="$s $sanitizer"; else either="$either $s"; fi ;;
	*) either="$either $s" ;;
	esac
done

# The workloads image ahead of the workloads suite, in the sanitizer lane (not a suite of its
# own: no TAP, not in the sum).
case " $containers " in *" workloads "*) sanitizer="images $sanitizer" ;; esac

# The suites either lane may run, one per line, taken in order by whichever lane asks first.
# shellcheck disable=SC2086 # a list of suite names
printf '%s\n' $either >"$out/either"
take_either() {
	# shellcheck disable=SC2016 # the inner shell's $1
	flock "$out/either.lock" sh -c 'head -n 1 "$1"; sed -i 1d "$1"' sh "$out/either"
}

# run_lane_then_either SUITE...: the lane's own suites, then the others' until none is left.
run_lane_then_either() {
	run_lane "$@"
	while s=$(take_either) && [ -n "$s" ]; do
		run_lane "$s"
	done
}

cores=$(nproc 2>/dev/null || echo 1)
# shellcheck disable=SC2086 # a list of suite names
set -- $order
if [ "${HS_LANES:-1}" = 1 ] && [ "$cores" -ge 2 ] && [ $# -ge 2 ]; then
	# One core for each lane's own parallelism (make -j, lint takes the machine's).
	jobs=$((cores - 1))
	# shellcheck disable=SC2086 # lists of suite names
	run_lane_then_either $sanitizer &
	# shellcheck disable=SC2086
	run_lane_then_either $containers
	wait
else
	jobs=$cores
	# shellcheck disable=SC2086
	run_lane $order
fi

# TAP: "ok N ... # skip why" is a skip, "ok" a pass, "not ok" a failure. A bats file that
# dies before its plan shows up as a "not ok" line bats prints itself.
echo "# wall-clock per suite (seconds):"
sed 's/^/#   /' "$out/times"
for s in $order; do cat "$out/$(echo "$s" | tr / _).tap"; done | awk '
	/^ok / { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else p++; next }
	/^not ok / { if ($0 ~ /# TODO/) s++; else f++; next }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit (f > 0 || p == 0) }
'
