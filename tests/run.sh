#!/bin/sh
# Run the test suites and sum them. Every suite speaks TAP; the last line is
# "N passed, N failed, N skipped" over all of them. Usage: tests/run.sh [SUITE...]
# Suites: unit integration redteam e2e fuzz differential lint sanitize valgrind (default: all,
# in that order). redteam: tests/redteam, attacks on the policy under runc and crun. sanitize: the unit and integration tests with SANITIZE=1 (ASan+UBSan, build-san/);
# valgrind: the plain unit tests under memcheck; lint: scripts/lint.sh.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
export HS_TOP="$top" HS_BUILD="$top/$BUILD" HS_BIN="$top/$BUILD/hardshim"
suites=${*:-unit integration redteam e2e fuzz differential lint sanitize valgrind}
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

run_unit() {
	for t in "$BUILD"/tests/test-*; do
		[ -x "$t" ] || continue
		echo "# unit: $t"
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1
	done
}

# The unit tests again, built with ASan+UBSan into build-san (a build failure is a failure),
# then the integration suite with that hardshim: every runtime call, hook and refusal of it
# runs instrumented. Reports go to files (so they do not change what a test reads), and each
# report is a failure of its own.
run_sanitize() {
	mkdir -p build-san
	if ! make -s SANITIZE=1 test-build >build-san/build.log 2>&1; then
		echo "not ok 1 - SANITIZE=1 build failed"
		tail -20 build-san/build.log | sed 's/^/# /'
		return
	fi
	for t in build-san/tests/test-*; do
		[ -x "$t" ] || continue
		echo "# sanitize: $t"
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1 || echo "not ok - $t exited $? under ASan/UBSan"
	done
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

for s in $suites; do
	echo "# suite: $s"
	case $s in
	unit) run_unit ;;
	integration) run_bats tests/integration ;;
	redteam) run_bats tests/redteam ;;
	e2e) run_bats tests/e2e ;;
	fuzz) FUZZ_SECONDS=${FUZZ_SECONDS:-30} sh tests/fuzz/run.sh ;;
	differential) run_bats tests/differential ;;
	lint) sh scripts/lint.sh ;;
	sanitize) run_sanitize ;;
	valgrind) BUILD=$BUILD sh scripts/memcheck.sh ;;
	*) echo "not ok - unknown suite $s" ;;
	esac
done | tee "$tap"

# TAP: "ok N ... # skip why" is a skip, "ok" a pass, "not ok" a failure. A bats file that
# dies before its plan shows up as a "not ok" line bats prints itself.
awk '
	/^ok / { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else p++; next }
	/^not ok / { if ($0 ~ /# TODO/) s++; else f++; next }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit (f > 0 || p == 0) }
' "$tap"
