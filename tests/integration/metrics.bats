#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `hardshim metrics` (issue 16): the launch log as Prometheus text, parsed by the reference
# parser (python3-prometheus-client, tests/lib/prom-parse.py), and every count checked twice:
# against the launches this test made (known numbers) and against the log itself (jq). The
# launches are real hardshim decisions; the runtime behind hardshim is the recording fake
# (tests/helpers/record-runtime), since what is counted is hardshim's record, not a container.

load ../lib/bundle

setup() {
	[ -x "$HS_BUILD/helpers/record-runtime" ] || {
		echo "build/helpers/record-runtime missing: make test-build" >&2
		return 1
	}
	hs_setup "$HS_BUILD/helpers/record-runtime"
	REC=$HS_RUNTIME_PATH
	export HS_RECORD=$HS_TMP/record.jsonl
	hs_bundle
	hs_args true
	EXC='.exceptions = [{"name": "ingress",
		"match": {"annotations": {"io.kubernetes.cri.sandbox-namespace": "ingress"}},
		"controls": {"sysctl": {"allow": ["net.core.somaxconn"]}}}]'
	hs_policy_default "$EXC | .log.syslog = false | .log.kernel_audit = false"
}

teardown() { hs_teardown; }

# metrics_json [ARGS...]: hardshim metrics, parsed; fails when the text does not parse.
metrics_json() {
	"$HS_BIN" metrics "$@" >"$HS_TMP/metrics.prom" || return 1
	/usr/bin/python3 "$HS_TOP/tests/lib/prom-parse.py" <"$HS_TMP/metrics.prom"
}

# sample NAME [LABELS-JSON]: the value of the one sample with that name and exactly those
# labels ("" when there is none).
sample() {
	jq -r --arg n "$1" --argjson l "${2:-"{}"}" \
		'[.[] | select(.name == $n and .labels == $l) | .value] |
		if length == 1 then .[0] | floor else "" end' "$HS_TMP/metrics.json"
}

# The log of known contents: 3 plain runs (rewritten: the spec asks for uid 0), 2 refused
# (a bind of /etc), 1 under the "ingress" exception, 1 in audit mode with the /etc bind
# (allowed, its refusal only recorded).
known_log() {
	local i
	for i in 1 2 3; do
		run hs_run "plain$i"
		[ "$status" -eq 0 ] || return 1
	done
	cp "$HS_CONFIG" "$HS_TMP/config.base"
	hs_config '.mounts += [{"destination": "/host", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]}]'
	for i in 1 2; do
		run hs_run "etc$i"
		[ "$status" -ne 0 ] || return 1
	done
	hs_policy_default "$EXC | .log.syslog = false | .log.kernel_audit = false | .mode = \"audit\""
	run hs_run audit1
	[ "$status" -eq 0 ] || return 1
	hs_policy_default "$EXC | .log.syslog = false | .log.kernel_audit = false"
	cp "$HS_TMP/config.base" "$HS_CONFIG"
	hs_config '.linux.sysctl = {"net.core.somaxconn": "99"} |
		.annotations = {"io.kubernetes.cri.sandbox-namespace": "ingress"}'
	run hs_run exc1
	[ "$status" -eq 0 ] || return 1
}

@test "metrics: a known launch log's counts, parsed by the Prometheus parser, add up" {
	known_log
	[ "$(wc -l <"$HS_LAUNCHES")" -eq 7 ]
	metrics_json >"$HS_TMP/metrics.json"
	cat "$HS_TMP/metrics.prom"
	L=$(jq -nc --arg rt "$REC" '{event: "run", runtime: $rt}')
	[ "$(sample hardshim_launches_total "$(jq -c '. + {verdict: "rewritten"}' <<<"$L")")" = 4 ]
	[ "$(sample hardshim_launches_total "$(jq -c '. + {verdict: "refused"}' <<<"$L")")" = 2 ]
	[ "$(sample hardshim_launches_total "$(jq -c '. + {verdict: "allowed"}' <<<"$L")")" = 1 ]
	# Only the two enforce-mode refusals count as refusals; the audit one is a finding.
	[ "$(sample hardshim_refusals_total '{"rule": "mounts.sensitive-source"}')" = 2 ]
	[ "$(sample hardshim_audit_findings_total '{"rule": "mounts.sensitive-source", "action": "refuse"}')" = 1 ]
	# Every run that ran rewrote the uid (the spec's uid 0): 3 plain + 1 under the exception.
	[ "$(sample hardshim_rewrites_total '{"rule": "user.root"}')" = 4 ]
	[ "$(sample hardshim_exception_launches_total '{"exception": "ingress"}')" = 1 ]
	[ "$(sample hardshim_log_records)" = 7 ]
	[ "$(sample hardshim_log_last_seq)" = 7 ]
	[ "$(sample hardshim_log_chain_intact)" = 1 ]
	[ "$(sample hardshim_log_unreadable_lines)" = 0 ]
	[ "$(sample hardshim_policy_valid)" = 1 ]
	[ "$(sample hardshim_policy_info "$(jq -nc --arg p "$HARDSHIM_POLICY" \
		--arg h "$(sha256sum "$HARDSHIM_POLICY" | cut -d' ' -f1)" '{path: $p, sha256: $h}')")" = 1 ]
	# The same sums from the log itself: launches and refusals add up, per series.
	[ "$(jq -s length "$HS_LAUNCHES")" = "$(jq '[.[] | select(.name == "hardshim_launches_total") | .value] | add' "$HS_TMP/metrics.json")" ]
	[ "$(jq -s '[.[] | select(.verdict == "rewritten") | .findings[] | select(.action == "rewrite")] | length' "$HS_LAUNCHES")" = \
		"$(jq '[.[] | select(.name == "hardshim_rewrites_total") | .value] | add' "$HS_TMP/metrics.json")" ]
}

@test "metrics: an edited log shows a broken chain; a policy the loader refuses shows invalid" {
	known_log
	sed -i '2s/"verdict":"rewritten"/"verdict":"allowed"/' "$HS_LAUNCHES"
	metrics_json >"$HS_TMP/metrics.json"
	[ "$(sample hardshim_log_chain_intact)" = 0 ]
	[ "$(sample hardshim_log_last_seq)" = 1 ]
	# The counts are still shown (they are what the file says), flagged by the chain.
	[ "$(sample hardshim_log_records)" = 7 ]
	echo '{"runtime": "/usr/bin/runc", "mystery": 1}' >"$HS_TMP/bad.json"
	metrics_json --policy "$HS_TMP/bad.json" --log "$HS_LAUNCHES" >"$HS_TMP/metrics.json"
	[ "$(sample hardshim_policy_valid)" = 0 ]
}

@test "metrics: an operator's reanchor is a record of its own, not an unreadable line" {
	known_log
	run "$HS_BIN" log reanchor
	echo "$output"
	[ "$status" -eq 0 ]
	tail -n 1 "$HS_LAUNCHES" | jq -e '.event == "reanchor"'
	metrics_json >"$HS_TMP/metrics.json"
	cat "$HS_TMP/metrics.prom"
	[ "$(sample hardshim_log_records)" = 8 ]
	[ "$(sample hardshim_log_unreadable_lines)" = 0 ]
	[ "$(sample hardshim_log_reanchors_total)" = 1 ]
	[ "$(sample hardshim_log_chain_intact)" = 1 ]
	[ "$(sample hardshim_log_last_seq)" = 8 ]
	# Not a launch: the launches still add up to the 7 decisions.
	[ "$(jq '[.[] | select(.name == "hardshim_launches_total") | .value] | add' "$HS_TMP/metrics.json")" = 7 ]
}

@test "metrics: a usage error names the option and exits 2, printing no metrics" {
	run "$HS_BIN" metrics --runtime /usr/bin/runc
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "hardshim: metrics: "*--runtime*--unmanaged ]]
	[[ "$output" != *hardshim_launches_total* ]]
	run "$HS_BIN" unmanaged --root /run/runc
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "hardshim: unmanaged: "*--root*--runtime ]]
}

@test "metrics: --output writes the textfile collector's file whole; no log yet counts zero" {
	mkdir -p "$HS_TMP/textfile"
	run "$HS_BIN" metrics --output "$HS_TMP/textfile/hardshim.prom"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	ls -A "$HS_TMP/textfile"
	[ "$(ls -A "$HS_TMP/textfile")" = hardshim.prom ]
	/usr/bin/python3 "$HS_TOP/tests/lib/prom-parse.py" <"$HS_TMP/textfile/hardshim.prom" >"$HS_TMP/metrics.json"
	[ "$(sample hardshim_log_records)" = 0 ]
	[ "$(sample hardshim_log_chain_intact)" = 1 ]
	# An unreadable log directory is an error, not zeros.
	run "$HS_BIN" metrics --log "$HS_TMP/textfile"
	[ "$status" -eq 2 ]
}

@test "metrics --unmanaged: a container started around hardshim is counted; a failed listing is an error" {
	hs_use_runtime runc '.log.syslog = false | .log.kernel_audit = false'
	hs_bundle
	hs_create managed
	# Its own bundle: the runtime keeps reading the managed one's config.json.
	hs_bundle "$HS_TMP/rogue-bundle"
	HS_VIA=direct hs_create rogue
	"$HS_BIN" metrics --unmanaged --runtime /usr/bin/runc --root "$HS_STATE" >"$HS_TMP/metrics.prom"
	/usr/bin/python3 "$HS_TOP/tests/lib/prom-parse.py" <"$HS_TMP/metrics.prom" >"$HS_TMP/metrics.json"
	cat "$HS_TMP/metrics.prom"
	[ "$(sample hardshim_containers_listed)" = 2 ]
	[ "$(sample hardshim_unmanaged_containers)" = 1 ]
	# The listing cannot be made: no number at all, an error.
	run "$HS_BIN" metrics --unmanaged --runtime /nonexistent/runc
	[ "$status" -eq 2 ]
	run "$HS_BIN" metrics --runtime /usr/bin/runc
	[ "$status" -eq 2 ]
}
