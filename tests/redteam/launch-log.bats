#!/usr/bin/env bats
# class 4 of issue 13 (matching on facts the attacker controls), in the launch log (issue 18):
# a launch record vouched for any later container of the same name (even one whose runtime
# failed), and records cut off the end of the log went unnoticed. Each attack is shown working against the bare runtime, then
# caught: by `hardshim unmanaged`, by `hardshim log verify` and the divergence alarm.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# The config an attacker starts with the bare runtime: root, CAP_SYS_ADMIN, the host network.
evil_config() {
	hs_config 'del(.hooks) | .process.user = {uid: 0, gid: 0} |
		.process.capabilities = ({} | .bounding = ["CAP_SYS_ADMIN"] |
			.effective = ["CAP_SYS_ADMIN"] | .permitted = ["CAP_SYS_ADMIN"]) |
		.process.noNewPrivileges = false |
		.linux.namespaces |= map(select(.type != "network"))'
}

unmanaged_json() {
	"$HS_BIN" unmanaged --runtime "$HS_RUNTIME_PATH" --root "$HS_STATE" --log "$HS_LAUNCHES" \
		--json "$@"
}

# hardshim launches ID; the container goes (deleted here; a runtime that failed after
# hardshim admitted the launch is the other way); the attacker starts ID with the bare runtime.
stale_record() {
	local id pid rc=0
	rt_begin "$1"
	id=$(rt_id)
	hs_create "$id"
	hs_rt_direct delete --force "$id"
	evil_config
	hs_place_config "$id"
	hs_rt_direct create --bundle "$HS_BUNDLE" "$id" </dev/null >/dev/null 2>&1
	# The attack is real: from /proc, root with CAP_SYS_ADMIN in the host's network.
	pid=$(hs_rt_direct state "$id" | jq -r .pid)
	hs_cap_has "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$pid/status")" 21
	! hs_ns_differs "$id" net || false
	# Caught: the record names the id, runtime and root, but not this bundle's config.
	unmanaged_json --check >"$HS_TMP/u.json" || rc=$?
	cat "$HS_TMP/u.json" >&2
	[ "$rc" = 1 ]
	jq -e --arg id "$id" '.[] | select(.id == $id) | .recorded == false and
		(.reason | test("config.json .* is not the one hardshim handed"))' "$HS_TMP/u.json"
}
@test "runc: a stale launch record vouches for a root, CAP_SYS_ADMIN, host-network container of its name" { stale_record runc; }
@test "crun: a stale launch record vouches for a root, CAP_SYS_ADMIN, host-network container of its name" { stale_record crun; }

# hardshim admits ID, the runtime fails it (the image lacks the program: the attacker's doing,
# or chance); the attacker then restores the program and starts ID with the bare runtime from
# the same bundle, the very bytes hardshim handed on. Only the runtime-failed record after the
# launch tells this container from the one hardshim launched.
failed_launch() {
	local id rc=0
	rt_begin "$1"
	rt_id >/dev/null && id=$RT_ID
	rm "$HS_BUNDLE/rootfs/bin/sleep"
	hs_create "$id" 2>/dev/null || rc=$?
	[ "$rc" != 0 ]
	ln -s busybox "$HS_BUNDLE/rootfs/bin/sleep"
	hs_rt_direct create --bundle "$HS_BUNDLE" "$id" </dev/null >/dev/null 2>&1
	[ "$(hs_state "$id")" = created ] # the attack is real: a container under the recorded id
	rc=0
	unmanaged_json --check >"$HS_TMP/u.json" || rc=$?
	cat "$HS_TMP/u.json" >&2
	[ "$rc" = 1 ]
	jq -e --arg id "$id" '.[] | select(.id == $id) | .recorded == false and
		(.reason | startswith("the runtime failed the launch recorded for this id"))' "$HS_TMP/u.json"
}
@test "runc: a launch whose runtime failed vouches for a bare-runtime container of its name and bundle" { failed_launch runc; }
@test "crun: a launch whose runtime failed vouches for a bare-runtime container of its name and bundle" { failed_launch crun; }

# Two launches recorded; the attacker cuts the last record off the end of the log (the unkeyed
# chain of what is left still holds). Caught: verify compares the end with the head, and the
# next launch refuses (audit.diverged) rather than chain on from the cut.
cut_log_end() {
	local a b c rc=0 out
	rt_begin "$1"
	# rt_id counts in this shell: not in $(...)
	rt_id >/dev/null && a=$RT_ID
	rt_id >/dev/null && b=$RT_ID
	rt_id >/dev/null && c=$RT_ID
	hs_create "$a"
	hs_create "$b"
	[ "$(wc -l <"$HS_LAUNCHES")" = 2 ]
	head -n 1 "$HS_LAUNCHES" >"$HS_TMP/cut" && cat "$HS_TMP/cut" >"$HS_LAUNCHES"
	# What is left is a chain on its own: without the head the cut does not show.
	"$HS_BIN" log verify --no-head "$HS_TMP/cut"
	rc=0
	out=$("$HS_BIN" log verify "$HS_LAUNCHES") || rc=$?
	echo "$out" >&2
	[ "$rc" = 1 ]
	[[ "$out" == *BROKEN* ]]
	rc=0
	hs_create "$c" 2>"$HS_TMP/c.err" || rc=$?
	cat "$HS_TMP/c.err" >&2
	[ "$rc" != 0 ]
	grep -q audit.diverged "$HS_TMP/c.err"
	! hs_rt_direct state "$c" >/dev/null 2>&1 || false
	[ "$(wc -l <"$HS_LAUNCHES")" = 1 ] # nothing chained on from the cut
}
@test "runc: records cut off the end of the launch log go unnoticed" { cut_log_end runc; }
@test "crun: records cut off the end of the launch log go unnoticed" { cut_log_end crun; }

# last_argv KEY: the last launch record's KEY (argv, runtime_argv) as one line of JSON.
last_argv() {
	tail -n 1 "$HS_LAUNCHES" | jq -c ".$1"
}

# The options hardshim passes on act in the runtime (--log, --cgroup, -p=FILE are read by the
# runtime, not by hardshim's controls): a record that names only the id and the document's
# hash leaves no trace of an exec --cgroup or a -p= someone tried. Each token is on record, as
# received, and, where hardshim changes the command line (exec's folded flags), as the
# runtime got it. The exec'd process shows from inside that it ran with the flags recorded.
options_on_record() {
	local a out want
	rt_begin "$1"
	hs_args sleep 1000
	rt_id >/dev/null && a=$RT_ID
	hs_track "$a"
	hs_place_config "$a"
	hs_cmd --root "$HS_STATE" --log "$HS_TMP/rt.log" --log-format json create \
		--bundle "$HS_BUNDLE" --pid-file "$HS_TMP/$a.pid" --no-new-keyring "$a" \
		</dev/null >"$HS_TMP/$a.out" 2>&1 || { cat "$HS_TMP/$a.out" >&2; return 1; }
	cat "$HS_TMP/$a.pid" >>"$HS_PIDS"
	want=$(jq -cn --args '$ARGS.positional' -- --root "$HS_STATE" --log "$HS_TMP/rt.log" \
		--log-format json create --bundle "$HS_BUNDLE" --pid-file "$HS_TMP/$a.pid" \
		--no-new-keyring "$a")
	[ "$(last_argv argv)" = "$want" ]
	[ "$(last_argv runtime_argv)" = null ] # handed on as it came
	hs_start "$a"
	hs_wait_state "$a" running

	# admitted, the flags folded into a sealed process document
	out=$(hs_exec "$a" --env HS_MARK=on-record --cwd /tmp -- sh -c 'echo "$HS_MARK $PWD"')
	[ "$out" = "on-record /tmp" ]
	want=$(jq -cn --args '$ARGS.positional' -- --root "$HS_STATE" exec --env \
		HS_MARK=on-record --cwd /tmp "$a" sh -c 'echo "$HS_MARK $PWD"')
	[ "$(last_argv argv)" = "$want" ]
	last_argv runtime_argv >&2
	tail -n 1 "$HS_LAUNCHES" | jq -e --arg id "$a" --arg root "$HS_STATE" '.verdict != "refused" and
		(.runtime_argv | .[0:4] == ["--root", $root, "exec", "--process"] and
		(.[4] | startswith("/proc/self/fd/")) and .[5] == $id and length == 6)'

	# refused: what was tried is on record all the same
	! hs_exec "$a" --cgroup "../${a}x" -- true 2>/dev/null || false
	tail -n 1 "$HS_LAUNCHES" | jq -e --arg id "$a" '.verdict == "refused" and .event == "exec"
		and (.argv | index("--cgroup")) != null and (.argv | index("../\($id)x")) != null'
	cd "$HS_TMP"
	! hs_exec "$a" -p=p.json 2>/dev/null || false
	tail -n 1 "$HS_LAUNCHES" | jq -e --arg id "$a" '.verdict == "refused" and
		.argv[-2:] == ["-p=p.json", $id]'
}
@test "runc: the options an exec passes to the runtime (--cgroup, -p=, folded flags) leave no trace" { options_on_record runc; }
@test "crun: the options an exec passes to the runtime (--cgroup, -p=, folded flags) leave no trace" { options_on_record crun; }
