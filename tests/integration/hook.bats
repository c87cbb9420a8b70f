#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# hardshim as an OCI hook (issue 7), invoked by plain runc and plain crun (HS_VIA=direct:
# hardshim is not the runtime here, only the hook in config.json): the node's policy refuses
# and allows as expected, rewrites count as refusals, egress rules are installed and the
# runtimes' own device grants denied, decisions reach the audit trail; malformed state, missing bundle, symlinked config.json refused.

load ../lib/bundle

setup() {
	hs_setup runc
	export HS_VIA=direct
	AUDIT=$HS_TMP/audit.jsonl
}

# Container ids unique to the run: runtimes derive cgroup paths from them, and a cgroup the
# previous test's runtime could not remove yet must not be shared.
C1=hs$$-$BATS_TEST_NUMBER-1
C2=hs$$-$BATS_TEST_NUMBER-2

teardown() {
	hs_teardown
}

# hook_policy RUNTIME [JQ]: the node policy, with the audit trail in the test's directory.
hook_policy() {
	local rt=$1
	shift
	hs_use_runtime "$rt" ".log = {\"path\": \"$AUDIT\", \"syslog\": false, \"kernel_audit\": false} | ${1:-.}"
}

# with_hook STAGE: add `hardshim hook STAGE` to the bundle's config, as a node admin would.
with_hook() {
	hs_config '.hooks[$s] = [{"path": $bin, "args": ["hardshim", "hook", $s],
		"env": ["HARDSHIM_POLICY=" + $pol], "timeout": 10}]' \
		--arg s "$1" --arg bin "$HS_BIN" --arg pol "$HARDSHIM_POLICY"
}

# benign_bundle: a config the policy accepts as it is (what `hardshim check` makes of the
# runc default, less the hook hardshim injects: the hook under test is the only one).
benign_bundle() {
	hs_bundle
	hs_config '.process.args = ["sh", "-c", "echo started; exec sleep 1000"]'
	"$HS_BIN" check --output "$HS_TMP/rewritten.json" "$HS_CONFIG" >/dev/null
	jq 'del(.hooks)' "$HS_TMP/rewritten.json" >"$HS_CONFIG"
}

benign_allowed() {
	hook_policy "$1" '.controls.egress = {"allow": ["198.18.0.2:8080/tcp"]}'
	benign_bundle
	with_hook "$2"
	hs_create_start $C1
	hs_wait_state $C1 running
	# the hook put the egress table into the container's own namespace
	run "$HS_BIN" egress show "$(hs_pid $C1)"
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *dropped*denied*rate_dropped* ]]
	# took back the runtime's own device grant (runc c 10:200, crun c 5:1) in the container's
	# devices cgroup (devices.runtime-grants): neither is listed
	cg=$(awk -F: '$2 ~ /(^|,)devices(,|$)/ {print $3}' "/proc/$(hs_pid $C1)/cgroup")
	run grep -cE '^c (10:200|5:1) ' "/sys/fs/cgroup/devices$cg/devices.list"
	echo "devices.list of $cg: $output"
	[ "$output" = 0 ]
	# and recorded the decision
	jq -e -s '[.[] | select(.event == "hook" and .id == $id)] | length == 1 and .[0].verdict == "allowed"' --arg id "$C1" "$AUDIT"
}

@test "hook: a benign config passes the createRuntime hook and gets its egress table (runc)" {
	benign_allowed runc createRuntime
}

@test "hook: a benign config passes the createRuntime hook and gets its egress table (crun)" {
	benign_allowed crun createRuntime
}

@test "hook: a benign config passes the prestart hook (runc)" {
	benign_allowed runc prestart
}

@test "hook: a benign config passes the prestart hook (crun)" {
	benign_allowed crun prestart
}

hostile_refused() {
	hook_policy "$1"
	benign_bundle
	# the host's root filesystem mounted into the container
	hs_config '.mounts += [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind", "rw"]}]'
	with_hook createRuntime
	run hs_create $C1
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"hardshim: hook createRuntime: refused: mounts."*"mounts[".*"]"* ]] ||
		[[ "$output" == *"hardshim: hook createRuntime: refused: mounts."* ]]
	[ "$(hs_state $C1)" != running ]
	! grep -q started "$HS_TMP/$C1.out" || false
	jq -e -s '[.[] | select(.event == "hook" and .id == $id)][0].verdict == "refused"' --arg id "$C1" "$AUDIT"
}

@test "hook: a hostile config (host root bind-mounted) is refused with a readable message (runc)" {
	hostile_refused runc
}

@test "hook: a hostile config (host root bind-mounted) is refused with a readable message (crun)" {
	hostile_refused crun
}

rewrite_refused() {
	hook_policy "$1"
	hs_bundle
	hs_config '.process.args = ["sh", "-c", "echo started; exec sleep 1000"]'
	# the runc default: hardshim would rewrite it (seccomp, namespaces), a hook cannot
	with_hook createRuntime
	run hs_create $C1
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"refused: seccomp.default: linux.seccomp:"*"hook mode cannot rewrite: refused"* ]]
	! grep -q started "$HS_TMP/$C1.out" || false
}

@test "hook: a finding the policy would rewrite is a refusal in hook mode, and says so (runc)" {
	rewrite_refused runc
}

@test "hook: a finding the policy would rewrite is a refusal in hook mode, and says so (crun)" {
	rewrite_refused crun
}

@test "hook: audit mode reports but lets the container run" {
	hook_policy runc '.mode = "audit"'
	hs_bundle
	hs_config '.process.args = ["sh", "-c", "echo started; exec sleep 1000"]'
	with_hook createRuntime
	hs_create_start $C1
	hs_wait_state $C1 running
	# reported, not enforced: the findings are in the trail, the verdict is "allowed"
	jq -e -s '[.[] | select(.event == "hook" and .id == $id)][0] |
		.verdict == "allowed" and ([.findings[].rule] | index("seccomp.default") != null)' --arg id "$C1" "$AUDIT"
}

# state JSON STRING: run `hardshim hook createRuntime` with STRING on stdin.
hook_stdin() {
	printf '%s' "$1" | "$HS_BIN" hook createRuntime
}

@test "hook: malformed state JSON is refused with the parser's reason" {
	hook_policy runc
	run hook_stdin '{"ociVersion":"1.0.2","id":"x","pid":1234,"pid":1234,"bundle":"/tmp"}'
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"refused: json.duplicate-key: pid:"* ]]
	run hook_stdin '{"ociVersion":"1.0.2","id":"x","pid":"1234","bundle":"/tmp"}'
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"refused: json.type: pid:"* ]]
	run hook_stdin '{"ociVersion":"1.0.2","id":"x",'
	[ "$status" = 1 ]
	[[ "$output" == *"refused: json."* ]]
	run hook_stdin ''
	[ "$status" = 1 ]
	# a state past the size limit is not read to the end
	run sh -c "head -c 400000 /dev/zero | tr '\\0' ' ' | '$HS_BIN' hook createRuntime"
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"json.size"* ]]
	# every refusal is in the audit trail
	[ "$(jq -s '[.[] | select(.event == "hook" and .verdict == "refused")] | length' "$AUDIT")" -ge 5 ]
}

@test "hook: a state that never ends does not hang the runtime" {
	hook_policy runc
	local start=$SECONDS
	# a writer that never closes: a fifo this shell holds open
	mkfifo "$HS_TMP/stdin"
	exec 8<>"$HS_TMP/stdin"
	run "$HS_BIN" hook createRuntime <"$HS_TMP/stdin"
	exec 8>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"hook.stdin"*"no end of input"* ]]
	[ $((SECONDS - start)) -lt 15 ]
}

@test "hook: a missing bundle is refused" {
	hook_policy runc
	run hook_stdin '{"ociVersion":"1.0.2","id":"x","status":"creating","pid":'$$',"bundle":"/nonexistent/hs-bundle"}'
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"refused: bundle.open: /nonexistent/hs-bundle: cannot open the bundle"* ]]
	run hook_stdin '{"ociVersion":"1.0.2","id":"x","status":"creating","pid":'$$'}'
	[ "$status" = 1 ]
	[[ "$output" == *"hook.state: bundle"* ]]
}

@test "hook: a config.json swapped for a symlink is refused, not followed" {
	hook_policy runc
	benign_bundle
	hs_place_config x
	mv "$HS_BUNDLE/config.json" "$HS_TMP/real-config.json"
	ln -s "$HS_TMP/real-config.json" "$HS_BUNDLE/config.json"
	run hook_stdin '{"ociVersion":"1.0.2","id":"x","status":"creating","pid":'$$',"bundle":"'"$HS_BUNDLE"'"}'
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"refused:"*"config.json"* ]]
	[[ "$output" == *"symbolic link"* || "$output" == *"symlink"* ]]
	# the bundle directory itself as a symlink too
	ln -s "$HS_BUNDLE" "$HS_TMP/bundle-link"
	run hook_stdin '{"ociVersion":"1.0.2","id":"x","status":"creating","pid":'$$',"bundle":"'"$HS_TMP/bundle-link"'"}'
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"refused: bundle.symlink"* ]]
}

@test "hook: precreate writes the rewritten canonical config, or refuses with the reason" {
	hook_policy runc
	hs_bundle
	run sh -c "'$HS_BIN' hook precreate <'$HS_CONFIG' 2>'$HS_TMP/pre.err' >'$HS_TMP/pre.json'"
	[ "$status" = 0 ]
	cat "$HS_TMP/pre.err"
	# rewritten: a seccomp profile, the one hook that denies the runtimes' own device grants and
	# installs the egress rules (plain runc runs it); canonical: exactly what the emitter writes
	jq -e '.linux.seccomp.defaultAction and (.hooks.createRuntime[-1].args[0:3] == ["hardshim","hook","devices-egress"])
		and (.hooks.createRuntime[-1].args | index("--default")) and (.hooks.createRuntime | length == 1)' "$HS_TMP/pre.json"
	[ "$(jq -c . "$HS_TMP/pre.json")" = "$(cat "$HS_TMP/pre.json")" ]
	# hostile: refused, nothing on stdout
	hs_config '.mounts += [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}]'
	run sh -c "'$HS_BIN' hook precreate <'$HS_CONFIG' 2>'$HS_TMP/pre.err' >'$HS_TMP/pre.json'"
	cat "$HS_TMP/pre.err"
	[ "$status" = 1 ]
	grep -q "hardshim: hook precreate: refused: mounts\." "$HS_TMP/pre.err"
	[ ! -s "$HS_TMP/pre.json" ]
}
