#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Rule ids are a stable interface (operators alert on them): docs/policy.md's "Rule ids" list of
# the policy.* area and the code may not drift apart, and the retired CONTROL.policy spelling
# may not come back. Reads the tree only (no build, no root).

load ../lib/env

# The control names, from the table that runs them (src/policy/controls.c).
controls() {
	grep -oE '&hs_control_[a-z_0-9]+' "$HS_TOP/src/policy/controls.c" | sed 's/&hs_control_//'
}

# The policy.NAME ids the "Rule ids" section of docs/policy.md names (not the placeholders).
documented() {
	sed -n '/^### Rule ids/,/^## /p' "$HS_TOP/docs/policy.md" |
		grep -oE '`policy\.[a-z-]+`' | tr -d '`' | grep -vxE 'policy\.(NAME|CONTROL)' | sort -u
}

# The policy.* string literals in the code.
in_code() {
	grep -rhoE '"policy\.[a-z-]+"' "$HS_TOP/src" "$HS_TOP/include" | tr -d '"' | sort -u
}

@test "rule ids: every policy.NAME docs/policy.md names is one the code makes" {
	local id n=0 missing=0
	for id in $(documented); do
		n=$((n + 1))
		# policy.syntax and the like are the parser's json.* renamed for the policy file
		grep -rqF "\"$id\"" "$HS_TOP/src" ||
			grep -rqF "\"json.${id#policy.}\"" "$HS_TOP/src" || {
			echo "docs/policy.md names $id; no code makes it" >&2
			missing=1
		}
	done
	[ "$n" -ge 10 ]
	[ "$missing" = 0 ]
}

@test "rule ids: every policy.* id the code makes is in docs/policy.md or names a control" {
	local id docs ctl n=0 missing=0
	docs=$(documented)
	ctl=$(controls)
	[ "$(echo "$ctl" | wc -l)" -ge 10 ]
	for id in $(in_code); do
		n=$((n + 1))
		grep -qxF "$id" <<<"$docs" && continue
		grep -qxF "${id#policy.}" <<<"$ctl" && continue
		echo "the code makes $id; add it to \"Rule ids\" in docs/policy.md" >&2
		missing=1
	done
	[ "$n" -ge 10 ]
	[ "$missing" = 0 ]
}

@test "rule ids: no CONTROL.policy id (a bad policy section is policy.CONTROL)" {
	local c hits=""
	for c in $(controls); do
		hits+=$(grep -rnF "\"$c.policy\"" "$HS_TOP/src" "$HS_TOP/include" "$HS_TOP/tests" "$HS_TOP/docs" || true)
	done
	[ -z "$hits" ] || {
		echo "$hits" >&2
		return 1
	}
}
