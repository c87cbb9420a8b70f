#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Governed exceptions (issue 16) with real runc and crun: an exception with an owner, a reason
# and an expiry relaxes its control until it expires (seen inside the container), then the
# base policy decides again and the launch record names the expired exception; the record of
# a launch under an exception says what the base policy would have refused; `hardshim
# policy lint` warns ahead of expiry (expiries set relative to the real clock); `hardshim
# metrics` counts both kinds of launch.

load resctl

teardown() { hs_teardown; }

# exc EXPIRES: the policy filter for one governed exception on the ingress namespace.
exc() {
	printf '.exceptions = [{"name": "ingress", "owner": "team-net", "reason": "NET-42",
		"expires": "%s",
		"match": {"annotations": {"io.kubernetes.cri.sandbox-namespace": "ingress"}},
		"controls": {"sysctl": {"allow": ["net.core.somaxconn"]}}}]' "$1"
}

governed() {
	local future past
	future=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
	past=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
	rc_setup "$1" "$(exc "$future")"
	hs_config '.linux.sysctl = {"net.core.somaxconn": "99"} |
		.annotations = {"io.kubernetes.cri.sandbox-namespace": "ingress"}'
	hs_args cat /proc/sys/net/core/somaxconn
	# Valid: applied, seen inside; the record names it and what the base would refuse.
	run hs_run g1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 99 ]
	tail -n 1 "$HS_LAUNCHES" | jq -e '.exception == "ingress" and
		(.exception_would_refuse | map(.rule) | index("sysctl.not-allowed")) != null and
		.exception_expired == null'
	# Expired (the same policy, the expiry a minute ago): refused by the base policy.
	rc_policy "$(exc "$past")"
	run hs_run g2
	rc_refused sysctl.not-allowed 'linux.sysctl["net.core.somaxconn"]'
	tail -n 1 "$HS_LAUNCHES" | jq -e '.verdict == "refused" and
		.exception_expired == "ingress" and .exception == null and
		all(.findings[]; .exception == null)'
	# The metrics count one launch under it and one refused because it had expired.
	"$HS_BIN" metrics | /usr/bin/python3 "$HS_TOP/tests/lib/prom-parse.py" >"$HS_TMP/m.json"
	jq -e '[.[] | select(.name == "hardshim_exception_launches_total" and
		.labels.exception == "ingress") | .value] == [1]' "$HS_TMP/m.json"
	jq -e '[.[] | select(.name == "hardshim_exception_expired_launches_total" and
		.labels.exception == "ingress") | .value] == [1]' "$HS_TMP/m.json"
}

@test "governed/runc: a valid exception applies; once expired it does not, and the record says so" { governed runc; }
@test "governed/crun: a valid exception applies; once expired it does not, and the record says so" { governed crun; }

# iso SECONDS: that time as the policy writes it.
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# Expiries relative to the real clock (the core is a static program: a preloaded fake clock
# does not reach it); each margin is half an hour, far more than a lint takes.
@test "governed: policy lint warns ahead of expiry and reports expired ones" {
	local now
	now=$(date +%s)
	rc_setup runc "$(exc "$(iso $((now + 40 * 86400)))")"
	run "$HS_BIN" policy lint
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "ok: $HARDSHIM_POLICY (1 exceptions)" ]
	# 216 h and a half ahead: within the default 14 days, said in whole hours
	rc_policy "$(exc "$(iso $((now + 216 * 3600 + 1800)))")"
	run "$HS_BIN" policy lint
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "warning: exception \"ingress\" (owner team-net) expires at $(iso $((now + 216 * 3600 + 1800))), in 216 h: the containers it covers will be judged by the base policy from then on" ]
	run "$HS_BIN" policy lint --warn-days 7
	[ "$status" -eq 0 ]
	rc_policy "$(exc "$(iso $((now - 1800)))")"
	run "$HS_BIN" policy lint
	[ "$status" -eq 1 ]
	[[ "$output" == "expired: exception \"ingress\" (owner team-net) expired at $(iso $((now - 1800)))"* ]]
	# Ungoverned (no owner, reason, expiry) is a warning; a malformed expiry is refused.
	rc_policy '.exceptions = [{"name": "x", "match": {"annotations": {"a": "b"}}, "controls": {}}]'
	run "$HS_BIN" policy lint
	[ "$status" -eq 1 ]
	[[ "$output" == 'warning: exception "x": no "owner"'* ]]
	rc_policy "$(exc 2027-01-10)"
	run "$HS_BIN" policy lint
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *'policy.exception: exceptions[0]: "expires": "2027-01-10" is not an RFC 3339 time'* ]]
}
