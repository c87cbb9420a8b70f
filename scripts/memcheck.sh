#!/bin/sh
# Suite "valgrind": every unit test under valgrind memcheck (full leak check; any error or
# definite/indirect leak fails the test), as TAP, one line per test binary. Uses the plain
# build ($BUILD, default build): valgrind and ASan do not mix.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
case $BUILD in *-san) BUILD=build ;; esac
n=0
for t in "$BUILD"/tests/test-*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	log="$BUILD/memcheck-$(basename "$t").log"
	# cmocka forks nothing; --child-silent-after-fork keeps tests that run helpers quiet.
	if CMOCKA_MESSAGE_OUTPUT=TAP valgrind -q --tool=memcheck --error-exitcode=99 \
		--suppressions=scripts/memcheck.supp \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --child-silent-after-fork=yes \
		--track-fds=no "$t" >"$log" 2>&1; then
		echo "ok $n - memcheck $(basename "$t"): no errors, no leaks"
	else
		rc=$?
		echo "not ok $n - memcheck $(basename "$t") (exit $rc): see $log"
		grep -E '^==[0-9]+==|^not ok' "$log" | head -30 | sed 's/^/# /'
	fi
done
[ "$n" -gt 0 ] || echo "not ok 1 - no unit test binaries in $BUILD/tests (make test-build)"
