#!/usr/bin/env bats
# The red-team suite's own rules (tests/lib/redteam.bash): every attack runs under both runtimes,
# and every file says which class of issue 13 it attacks. Fails when a new attack is added for
# one runtime only.

@test "every attack in tests/redteam has a runc: and a crun: test of the same name" {
	local f missing=0
	for f in "$BATS_TEST_DIRNAME"/*.bats; do
		[ "$(basename "$f")" = suite.bats ] && continue
		diff <(sed -n 's/^@test "runc: \(.*\)" {.*/\1/p' "$f" | sort) \
			<(sed -n 's/^@test "crun: \(.*\)" {.*/\1/p' "$f" | sort) || {
			echo "$f: the attacks above run under one runtime only" >&2
			missing=1
		}
		if grep '^@test "' "$f" | grep -Ev '^@test "(runc|crun): '; then
			echo "$f: a test not named for its runtime" >&2
			missing=1
		fi
	done
	[ "$missing" = 0 ]
}

@test "every red-team file names the class it attacks" {
	local f missing=0
	for f in "$BATS_TEST_DIRNAME"/*.bats; do
		[ "$(basename "$f")" = suite.bats ] && continue
		sed -n '2,6p' "$f" | grep -qE '^# class [1-4]' || {
			echo "$f: no '# class N' line in its header" >&2
			missing=1
		}
	done
	[ "$missing" = 0 ]
}
