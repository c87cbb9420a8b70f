#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The build and the test runner keep their promises (issue 15, build gaps): a changed header
# rebuilds the unit tests and fuzz objects that include it, the man pages are part of
# test-build, WERROR=0 turns -Werror off, a missing library stops the build with
# pkg-config's words, and a unit test binary that crashes or exits non-zero is a failure in
# tests/run.sh even when its TAP says nothing failed. `make -n` (a dry run) reads the tree and
# writes nothing.

load ../lib/env

dry() { # dry MAKE-ARGS...: what make would run in the tree's build/ (not the caller's $BUILD)
	env -u BUILD -u SANITIZE make -C "$HS_TOP" -n --no-print-directory "$@" 2>&1
}

@test "build: a changed test header rebuilds exactly the unit tests that include it" {
	[ -x "$HS_TOP/build/tests/test-user" ] || skip "build/ is not built (make test-build)"
	[[ "$(dry test-build)" != *"-c tests/unit/"* ]] || skip "build/ is not up to date (make test-build)"
	run dry test-build -W tests/unit/support/harness.h
	[ "$status" -eq 0 ]
	[[ "$output" == *"-c tests/unit/test-user.c"* ]]
	[[ "$output" == *"-c tests/unit/test-process.c"* ]]
	[[ "$output" != *"-c tests/unit/test-argv.c"* ]]
	[[ "$output" == *"-o build/tests/test-user "* ]]
}

@test "build: a changed include/ header recompiles the fuzz objects that include it" {
	[ -x "$HS_TOP/build-fuzz/fuzz-argv" ] || skip "build-fuzz/ is not built (make fuzz-build)"
	[[ "$(dry fuzz-build)" != *" -c "* ]] || skip "build-fuzz/ is not up to date (make fuzz-build)"
	run dry fuzz-build -W include/hs-argv.h
	[ "$status" -eq 0 ]
	[[ "$output" == *"-c src/cli/argv.c -o build-fuzz/obj/src/cli/argv.o"* ]]
	[[ "$output" != *"-c src/util/arena.c"* ]]
	[[ "$output" == *"-o build-fuzz/fuzz-argv tests/fuzz/fuzz-argv.c"* ]]
}

@test "build: test-build renders the man pages" {
	run dry -B BUILD="$BATS_TEST_TMPDIR/b" test-build
	[ "$status" -eq 0 ]
	[[ "$output" == *"scdoc <man/hardshim.1.scd >$BATS_TEST_TMPDIR/b/man/hardshim.1"* ]]
}

@test "build: WERROR=0 compiles without -Werror, the default with it" {
	run dry -B BUILD="$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/b/obj/src/util/arena.o"
	[ "$status" -eq 0 ]
	[[ "$output" == *" -Werror "* ]]
	run dry -B BUILD="$BATS_TEST_TMPDIR/b" WERROR=0 "$BATS_TEST_TMPDIR/b/obj/src/util/arena.o"
	[ "$status" -eq 0 ]
	[[ "$output" == *"src/util/arena.c"* ]]
	[[ "$output" != *"-Werror"* ]]
}

@test "build: a library pkg-config cannot find stops the build, naming it and the fix" {
	printf '#!/bin/sh\nexec env PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH= pkg-config "$@"\n' \
		>"$BATS_TEST_TMPDIR/pkg-config"
	chmod +x "$BATS_TEST_TMPDIR/pkg-config"
	run env -u SANITIZE make -C "$HS_TOP" --no-print-directory BUILD="$BATS_TEST_TMPDIR/b" \
		PKG_CONFIG="$BATS_TEST_TMPDIR/pkg-config" "$BATS_TEST_TMPDIR/b/obj/src/util/arena.o"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Package 'libseccomp', required by 'virtual:world', not found"* ]]
	[[ "$output" == *"sh scripts/install-deps.sh --build"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/b/obj/src/util/arena.o" ]
}

# fake_unit NAME EXIT TAP-LINE...: a "unit test binary" in a scratch build dir.
fake_unit() {
	local name=$1 rc=$2
	shift 2
	mkdir -p "$BATS_TEST_TMPDIR/b/tests"
	{
		echo '#!/bin/sh'
		printf "echo '%s'\n" "$@"
		echo "exit $rc"
	} >"$BATS_TEST_TMPDIR/b/tests/$name"
	chmod +x "$BATS_TEST_TMPDIR/b/tests/$name"
}

@test "run.sh: a unit test that crashes after a passing result is a failure" {
	fake_unit test-crash 139 1..3 "ok 1 - a"
	run env BUILD="$BATS_TEST_TMPDIR/b" sh "$HS_TOP/tests/run.sh" unit
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"not ok - $BATS_TEST_TMPDIR/b/tests/test-crash exited 139 without reporting a failure"* ]]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
}

@test "run.sh: a unit test that stops short of its plan with exit 0 is a failure" {
	fake_unit test-short 0 1..3 "ok 1 - a" "ok 2 - b"
	run env BUILD="$BATS_TEST_TMPDIR/b" sh "$HS_TOP/tests/run.sh" unit
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"test-short reported 2 of 3 planned results"* ]]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
}

@test "run.sh: a unit test's own failure is counted once, a clean one passes" {
	fake_unit test-fails 1 1..2 "ok 1 - a" "not ok 2 - b"
	fake_unit test-good 0 1..1 "ok 1 - c"
	run env BUILD="$BATS_TEST_TMPDIR/b" sh "$HS_TOP/tests/run.sh" unit
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
	rm "$BATS_TEST_TMPDIR/b/tests/test-fails"
	run env BUILD="$BATS_TEST_TMPDIR/b" sh "$HS_TOP/tests/run.sh" unit
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "1 passed, 0 failed, 0 skipped" ]
}

# A builder for the cache tests: counts its runs, fails when asked to.
count_build() { # count_build WHAT DIR
	echo x >>"$BATS_TEST_TMPDIR/builds"
	[ "$1" != fail ] || return 1
	echo "$1" >"$2/content"
}

@test "cache: an entry is built once, reused, and a failed build leaves nothing" {
	load ../lib/cache
	HS_TEST_CACHE=$BATS_TEST_TMPDIR/cache
	run hs_cache suite k1 count_build one
	[ "$status" -eq 0 ]
	[ "$output" = "$HS_TEST_CACHE/suite/k1" ]
	[ "$(cat "$output/content")" = one ]
	run hs_cache suite k1 count_build two
	[ "$(cat "$output/content")" = one ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/builds")" -eq 1 ]
	run hs_cache suite k2 count_build fail
	[ "$status" -ne 0 ]
	[ ! -e "$HS_TEST_CACHE/suite/k2" ]
	[ "$(find "$HS_TEST_CACHE/suite" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]
	[ "$(echo a | hs_cache_key)" != "$(echo b | hs_cache_key)" ]
}

# Every entry point that judges a document (create/run/restore, exec, update, the hooks, check,
# suggest) is an adapter of src/cli/gate.c: a copy of the read-judge-record flow elsewhere is
# where the copies drift (issue 15: update wrote no record of its own).
@test "structure: only the gate runs the pipeline and writes the launch record" {
	calls() { # calls FUNCTION: the files in src/ that call it, its definition left out
		grep -rlE "\\b$1\\(" "$HS_TOP/src" --include='*.c' | sed "s|^$HS_TOP/||" | sort |
			grep -v "^$2\$"
	}
	[ "$(calls hs_pipeline_run src/policy/pipeline.c)" = src/cli/gate.c ]
	[ "$(calls hs_audit_launch src/audit/launch.c)" = src/cli/gate.c ]
}

# The one line-length constant (issue 15, error contract): a line for a person (an error, a
# finding's why) is formatted into HS_LINE_MAX bytes. The 1024-byte copies cut a long error
# (rule, a 256-byte path and a 768-byte message do not fit) in log, unmanaged, metrics...
@test "structure: every buffer that formats an error or a finding for a person is HS_LINE_MAX" {
	run grep -rnE '\bchar\b.*\b(msg|why)\[[1-9][0-9]*\]' "$HS_TOP/src" --include='*.c'
	echo "$output"
	[ -z "$output" ]
}

# Egress and hooks meet only through the pipeline's output (issue 15, facts where they
# belong): the hooks control admits hardshim's own egress hook as the egress section in force
# produces it, taken with hs_egress_in_force like `hook createRuntime`, not by looking the
# control up by its name.
@test "structure: the hooks control reads the egress section in force through hs_egress_in_force" {
	grep -q 'hs_egress_in_force(' "$HS_TOP/src/policy/hooks.c"
	run grep -nE 'hs_controls\[[^]]*\]->name' "$HS_TOP/src/policy/hooks.c"
	echo "$output"
	[ -z "$output" ]
}

# lint's citations check (issue 15: every reference points at a file in the tree): run on a
# tree of its own with one markdown file that cites a present file and, then, a missing one.
@test "lint: a citation of a markdown file that is not in the tree fails the citations check" {
	local t m=md # the extension in a variable: this file cites none of the names below
	t=$(mktemp -d /tmp/hs-lint-cite.XXXXXX)
	mkdir -p "$t/scripts" "$t/docs"
	cp "$HS_TOP/scripts/lint.sh" "$t/scripts/"
	echo "see \`docs/b.$m\` and b.$m" >"$t/docs/a.$m"
	echo 'b' >"$t/docs/b.$m"
	# a repository whose tracked files are the two documents (lint.sh's own comments cite
	# the project's docs, which this tree does not have)
	git -C "$t" init -q && git -C "$t" add docs
	run env LINT_ONLY=citations sh "$t/scripts/lint.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "ok 1 - citations"* ]]
	echo "and \`docs/gone.$m\`" >>"$t/docs/a.$m"
	run env LINT_ONLY=citations sh "$t/scripts/lint.sh"
	echo "$output"
	rm -rf "$t"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not ok 1 - citations"* ]]
	[[ "$output" == *"docs/a.$m:2: cites docs/gone.$m, which is not in the tree"* ]]
}

# lint's bats-negation check: bash's errexit ignores a command negated with '!', so bats fails
# on one only where it is the last of its test (or function). Run on a tree of its own with
# one bats file: each '!' that asserts nothing is named by its line (before another command,
# at the end of a loop's body, continued over two lines, in a case branch not last); the
# forms that do fail (last, last of an if or case branch that is last, '|| false', 'run !')
# and '!' in a string, a command substitution or a here-document are not.
@test "lint: a '!' command that is not the last of its test fails the bats-negation check" {
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/scripts" "$t/tests"
	cp "$HS_TOP/scripts/lint.sh" "$t/scripts/"
	cat >"$t/tests/a.bats" <<-'EOF'
		#!/usr/bin/env bats
		TEST "planted" {
			! grep -q x /etc/hostname
			echo after
		}
		TEST "fine: last" {
			echo before
			! grep -q x /etc/hostname
		}
		TEST "fine: || false, run !, if" {
			! grep -q x /etc/hostname || false
			run ! grep -q x /etc/hostname
			if ! true; then echo; fi
			cat <<-EOF2
				! this is text
			EOF2
			jq -n '1
		! not a command'
			echo "$(echo '!' "x")"
			echo done
		}
		helper() {
			case $1 in
			a)
				! grep -q x /etc/hostname
				;;
			b) echo b ;;
			esac
		}
		loop() {
			for f in a b; do
				! grep -q "$f" /etc/hostname
			done
		}
		cont() {
			! grep -q x \
				/etc/hostname
			echo more
		}
		iflast() {
			if true; then
				! false
			else
				! true
			fi
		}
		casemid() {
			case $1 in
			a) ! grep -q x /etc/hostname ;;
			esac
			echo more
		}
	EOF
	# (written as TEST: bats would take an @test line here, in a here-document, for its own)
	sed -i 's/^TEST /@test /' "$t/tests/a.bats"
	git -C "$t" init -q && git -C "$t" add tests
	run env LINT_ONLY=bats-negation sh "$t/scripts/lint.sh"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == "not ok 1 - bats-negation: 4 finding lines in 1 bats files and helpers"* ]]
	[ "$(grep -o '^# tests/a.bats:[0-9]*:' <<<"$output" | tr '\n' ' ')" = \
		"# tests/a.bats:3: # tests/a.bats:32: # tests/a.bats:36: # tests/a.bats:49: " ]
	# with each fixed as bats wants it ('|| false'), the file is clean
	sed -i '3s/$/ || false/; 32s/$/ || false/; 37s/$/ || false/; 49s/ ;;$/ || false ;;/' "$t/tests/a.bats"
	run env LINT_ONLY=bats-negation sh "$t/scripts/lint.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "ok 1 - bats-negation: 1 bats files and helpers clean"* ]]
}

# README and HACKING say how many packages each install set is: the numbers are
# install-deps.sh's lists (README said 54 while the script installed 58).
@test "docs: README and HACKING name as many packages as install-deps.sh installs" {
	local lists build unit all
	lists=$(sed -n '/^BUILD_PKGS="/,/^"$/p;/^UNIT_PKGS=/p;/^TEST_PKGS="/,/^"$/p' \
		"$HS_TOP/scripts/install-deps.sh")
	build=$(eval "$lists"; echo $BUILD_PKGS | wc -w)
	unit=$(eval "$lists"; echo $BUILD_PKGS $UNIT_PKGS | wc -w)
	all=$(eval "$lists"; echo $BUILD_PKGS $UNIT_PKGS $TEST_PKGS | wc -w)
	echo "build $build unit $unit all $all"
	[ "$build" -gt 0 ] && [ "$unit" -gt "$build" ] && [ "$all" -gt "$unit" ]
	grep -q "CI use, $all packages" "$HS_TOP/README.md"
	grep -q "alone you need $build packages" "$HS_TOP/README.md"
	grep -q "install-deps.sh --unit *# $unit packages" "$HS_TOP/HACKING.md"
	grep -q "need ($build packages)" "$HS_TOP/scripts/install-deps.sh"
}

# docs/threats.md is the specification (issue 15): each threat, the twelve numbered ones and
# the four classes of issue 13, names the code that answers it and the tests that show it, and
# each file it names is in the tree (test-X: tests/unit/test-X.c, fuzz-X: tests/fuzz/fuzz-X.c).
@test "docs: every threat in docs/threats.md names its code and its tests, all in the tree" {
	local doc="$HS_TOP/docs/threats.md" missing="" x
	run awk '
		function done_entry() {
			if (name != "" && (text !~ /\*\*Tests:\*\*/ || text !~ /\*\*Code:\*\*|Where:/))
				print "no code or tests: " name
			name = ""; text = ""
		}
		/^## [0-9]+\./ { done_entry(); name = $0; n++; i13 = 0; next }
		/^## Issue 13/ { done_entry(); i13 = 1; next }
		/^## / { done_entry(); i13 = 0; next }
		i13 && /^[0-9]\. \*\*/ { done_entry(); name = $0; n++ }
		{ text = text "\n" $0 }
		END { done_entry(); print "entries " n }
	' "$doc"
	echo "$output"
	[ "$output" = "entries 16" ]
	for x in $(grep -o '`[^`]*`' "$doc" | tr -d '`' |
		grep -E '^(src|tests|include|scripts)/[^ ]*$|^(test|fuzz)-[a-z0-9-]+$|^[a-z0-9-]+\.bats$' |
		sort -u); do
		case $x in
		*'*'*) continue ;;
		test-*) [ -e "$HS_TOP/tests/unit/$x.c" ] || missing="$missing $x" ;;
		fuzz-*) [ -e "$HS_TOP/tests/fuzz/$x.c" ] || missing="$missing $x" ;;
		*/*) [ -e "$HS_TOP/$x" ] || missing="$missing $x" ;;
		*) [ -n "$(find "$HS_TOP/tests" -name "$x" -print -quit)" ] || missing="$missing $x" ;;
		esac
	done
	echo "missing:$missing"
	[ -z "$missing" ]
}
