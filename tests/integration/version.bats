#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# hardshim's own identity (issue 15): `hardshim version` is the tree's release and commit,
# every launch record names it, and `hardshim help` (or `--help` on a fresh install, with no
# policy yet) is hardshim's usage, not "cannot open policy".

load ../lib/bundle

setup() { hs_setup runc; }
teardown() { hs_teardown; }

@test "version: hardshim version is the VERSION file's release and the commit it was built from" {
	run "$HS_BIN" version
	[ "$status" -eq 0 ]
	want="hardshim $(cat "$HS_TOP/VERSION")"
	if commit=$(git -C "$HS_TOP" rev-parse --short=12 HEAD 2>/dev/null); then want="$want+g$commit"; fi
	echo "$output / $want"
	# the commit is the one `make` saw; a build older than HEAD names its own
	[[ "$output" == "hardshim $(cat "$HS_TOP/VERSION")+g"* ]] || [ "$output" = "$want" ]
	run "$HS_BIN" version extra
	[ "$status" -eq 2 ]
}

@test "version: a launch record names the hardshim that decided" {
	hs_bundle
	hs_args true
	run hs_run hs-version-$$
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.event == "create" or .event == "run") | .hardshim' "$HS_LAUNCHES" | tail -1)" = \
		"$("$HS_BIN" version | cut -d' ' -f2)" ]
}

@test "help: hardshim help, and --help with no policy installed, print hardshim's usage" {
	run "$HS_BIN" help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: hardshim "* ]]
	[[ "$output" == *"hardshim check "* ]]
	HARDSHIM_POLICY=$BATS_TEST_TMPDIR/none.json run "$HS_BIN" --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: hardshim "* ]]
	[[ "$output" != *"policy.open"* ]]
	# with a policy, --help is the runtime's own (runc's help names runc)
	run "$HS_BIN" --help
	[ "$status" -eq 0 ]
	[[ "$output" != "usage: hardshim "* ]]
	[[ "$output" == *runc* ]]
}
