#!/usr/bin/env bats
# The hostile-config corpus for the devices, sysctl, resources, annotations and hooks controls
# (tests/corpus/resctl, index in EXPECT: file, rule, JSON path, action): `hardshim check` with
# the shipped policy reports each case's finding with its rule, path and action; with that
# control switched off the finding is gone, so every case fails if its defence is removed.
# (json.* cases are the strict core's: no switch turns it off.)

load resctl

CORPUS=$HS_TOP/tests/corpus/resctl

setup() {
	hs_setup runc
	hs_policy_default
}

teardown() { hs_teardown; }

# has_finding JSON RULE PATH ACTION
has_finding() {
	jq -e --arg r "$2" --arg p "$3" --arg a "$4" \
		'[.findings[] | select(.rule == $r and .path == $p and .action == $a)] | length > 0' <<<"$1" >/dev/null
}

@test "corpus: every hostile config is reported with its rule, path and action" {
	local file rule path action n=0
	while IFS=$'\t' read -r file rule path action; do
		run "$HS_BIN" check --format json "$CORPUS/$file"
		if ! has_finding "$output" "$rule" "$path" "$action"; then
			echo "$file: want $action $rule at $path, got: $output" >&2
			return 1
		fi
		if [ "$action" = refuse ] && [ "$status" -ne 1 ]; then
			echo "$file: refused finding but exit $status" >&2
			return 1
		fi
		n=$((n + 1))
	done <"$CORPUS/EXPECT"
	[ "$n" -ge 40 ]
}

@test "corpus: each case's finding disappears with its control off" {
	local file rule path action control n=0
	while IFS=$'\t' read -r file rule path action; do
		control=${rule%%.*}
		[ "$control" != json ] || continue
		hs_policy_default '.controls[$c].enabled = false' --arg c "$control"
		run "$HS_BIN" check --format json "$CORPUS/$file"
		if jq -e --arg r "$rule" '[.findings[] | select(.rule == $r)] | length > 0' <<<"$output" >/dev/null; then
			echo "$file: $rule still reported with controls.$control off" >&2
			return 1
		fi
		n=$((n + 1))
	done <"$CORPUS/EXPECT"
	[ "$n" -ge 30 ]
}

@test "corpus: the runtimes' own config (runc spec, busybox) passes with rewrites only" {
	hs_bundle
	run "$HS_BIN" check --format json "$HS_CONFIG"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq '[.findings[] | select(.rule | test("^(devices|sysctl|resources|annotations|hooks)\\.")) | select(.action == "refuse")] | length' <<<"$output")" = 0 ]
}
