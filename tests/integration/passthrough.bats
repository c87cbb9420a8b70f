#!/usr/bin/env bats
# Pass-through is exact: for every command shape Podman (through conmon) and containerd send
# (docs/runtime-differences.md, "What the engines send") and the rest of the runc/crun grammar,
# hardshim execs the runtime with the same argv (argv[0] = the runtime path from the policy), the
# same environment, in order, the same open fds (same targets) and the same cwd, and writes nothing
# to stdout. The runtime is a recording fake (tests/helpers/record-runtime.c): each shape is
# called once directly and once through hardshim, and the two records must be equal.
# create/run/restore get a valid bundle, so hardshim checks and rewrites its config (and still
# passes argv through untouched); the test asserts the rewrite happened. The one deliberate
# difference: update's resources document is read once, checked, and handed to the runtime
# as a sealed memfd (--resources=/proc/self/fd/N); the runtime must read the same document.

load ../lib/bundle

setup_file() {
	: "${HS_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
	: "${HS_BUILD:=$HS_TOP/build}"
	[ -x "$HS_BUILD/helpers/record-runtime" ] || {
		echo "build/helpers/record-runtime missing: make test-build" >&2
		return 1
	}
}

setup() {
	hs_setup "$HS_BUILD/helpers/record-runtime"
	# After a runtime's create, hardshim asks it for the container's init, denies the
	# runtimes' own device grants there (devices.runtime-grants) and installs the egress rules
	# in its own network namespace (egress.after-create): the fake makes no container, so
	# those steps would fail the create and add calls to the record. The command lines are
	# what is compared here; the steps are shown with real runtimes (redteam models.bats,
	# integration egress.bats).
	hs_policy '.controls.devices = {"enabled": false} | .controls.egress = {"enabled": false}'
	REC=$HS_RUNTIME_PATH
	hs_bundle
	B=$HS_BUNDLE
	R=$HS_TMP/root/default            # containerd's --root
	L=$B/log.json                     # containerd's --log
	P=$HS_TMP/userdata/pidfile        # conmon's --pid-file
	S=$HS_TMP/conmon-term.sock        # a console socket path (never connected by the fake)
	I=$HS_TMP/checkpoint              # --image-path
	W=$HS_TMP/work                    # --work-path
	X=$HS_TMP/exec                    # podman's exec dir (the exec's cwd)
	mkdir -p "$R" "$HS_TMP/userdata" "$I" "$W" "$X"
	# A process document for exec: the one hardshim itself made for this bundle, so the exec
	# checks have nothing to refuse.
	hs_place_config pt && "$HS_BIN" check --output "$HS_TMP/hardened.json" "$B" >/dev/null
	jq .process "$HS_TMP/hardened.json" >"$X/exec-process-1"
	F=$X/exec-process-1
	echo '{"pids":{"limit":100}}' >"$HS_TMP/resources.json"
	: >"$HS_TMP/fd5"
	RECORD=$HS_TMP/record.jsonl
}

teardown() { hs_teardown; }

# pt_call PROGRAM ARGS...: call PROGRAM as a client would: a fixed environment (in a fixed,
# odd order, with awkward values), stdin from $PT_STDIN, stdout and stderr to files, extra
# fds 3 (over bats' own), 4 (for --preserve-fds), 5 and 7 open, cwd $PT_CWD.
pt_call() {
	(
		cd "$PT_CWD" || exit 90
		exec env -i ZZ_LAST=1 PATH=/usr/bin:/bin XDG_RUNTIME_DIR=/run/user/0 \
			HARDSHIM_POLICY="$HARDSHIM_POLICY" HS_RECORD="$RECORD" \
			HS_RECORD_STDIN="${PT_RECORD_STDIN:-0}" HS_RECORD_RESOURCES="${PT_RECORD_RESOURCES:-0}" \
			'HS_WEIRD=a b	c=d' 'EMPTY=' \
			AA_FIRST=x "$@" \
			<"${PT_STDIN:-/dev/null}" >"$HS_TMP/stdout" 2>"$HS_TMP/stderr" \
			3<"$HS_TMP/fd5" 4<"$B/config.src.json" 5<"$HS_TMP/fd5" 7>>"$HS_TMP/fd5"
	)
}

# pt KIND ARGS...: one shape. KIND: fast (no config), create (bundle checked and rewritten),
# exec, update (a resources document: checked, handed over in a sealed memfd), update-flags.
# Fails with the difference when the two records differ.
pt() {
	local kind=$1 rc n direct via
	shift
	: "${PT_CWD:=$HS_TMP}"
	rm -f "$RECORD"
	[ "$kind" = create ] && { hs_place_config pt || return 1; }
	rc=0
	pt_call "$REC" "$@" || rc=$?
	[ "$rc" = 0 ] || { echo "direct call of the fake failed ($rc): $*" >&2; return 1; }
	rc=0
	pt_call "$HS_BIN" "$@" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "hardshim exited $rc for: $*" >&2
		cat "$HS_TMP/stderr" >&2
		return 1
	fi
	n=$(wc -l <"$RECORD")
	direct=$(sed -n 1p "$RECORD")
	via=$(sed -n 2p "$RECORD")
	if [ "$kind" = exec ]; then
		# exec asks the runtime for the container's state first (to run as the user create
		# chose): a read-only `state ID`, then the exec itself, which must match.
		if [ "$n" != 3 ] ||
			[ "$(jq -c '.argv[-2:]' <<<"$via")" != "$(jq -cn '["state", $id]' --arg id "${!#}")" ]; then
			echo "expected a direct call, a state query and the exec, got $n records for: $*" >&2
			return 1
		fi
		via=$(sed -n 3p "$RECORD")
	else
		[ "$n" = 2 ] || { echo "expected 2 records, got $n for: $*" >&2; return 1; }
	fi
	[ ! -s "$HS_TMP/stdout" ] || {
		echo "hardshim wrote to stdout for: $*" >&2
		cat "$HS_TMP/stdout" >&2
		return 1
	}
	if [ "$kind" = update ]; then
		# update is the one deliberate difference: hardshim reads the resources document
		# once, checks it, and hands the runtime its canonical form in a sealed memfd
		# (--resources=/proc/self/fd/N), so nothing can change it after the check. The
		# runtime must read the same document (as JSON: the canonical form has no trailing
		# newline); everything else must be identical.
		[ "$(jq -c '.resources | fromjson' <<<"$via")" = "$(jq -c . "$HS_TMP/resources.json")" ] || {
			echo "the runtime read other resources through hardshim: $*" >&2
			jq -r .resources <<<"$via" >&2
			return 1
		}
		[ "$(jq -r .resources <<<"$direct")" = "$(cat "$HS_TMP/resources.json")" ]
		local norm
		norm='.argv as $a | .argv = [range($a | length) as $i |
			if ($a[$i] | startswith("--resources=")) then "--resources=<doc>"
			elif $i > 0 and ($a[$i - 1] == "--resources" or $a[$i - 1] == "-r") then "<doc>"
			elif $a[$i] == "-r" then "--resources"
			else $a[$i] end]
			| .fds |= with_entries(select(.value | startswith("/memfd:hardshim") | not))
			| .resources |= (fromjson | tojson)'
		[ -z "${PT_STDIN:-}" ] || norm="$norm | del(.fds[\"0\"])"
		direct=$(jq -c "$norm" <<<"$direct")
		via=$(jq -c "$norm" <<<"$via")
	fi
	if [ "$direct" != "$via" ]; then
		echo "runtime called differently through hardshim for: $*" >&2
		diff <(jq -S . <<<"$direct") <(jq -S . <<<"$via") >&2
		return 1
	fi
	if [ "$kind" = update ]; then
		echo "# ok: $kind $*"
		return 0
	fi
	# argv[0] is the runtime path; the rest is what the client sent, byte for byte.
	[ "$(jq -r '.argv[0]' <<<"$via")" = "$REC" ]
	[ "$(jq -c '.argv[1:]' <<<"$via")" = "$(jq -cn '$ARGS.positional' --args -- "$@")" ] || {
		echo "argv differs from what the client sent: $*" >&2
		return 1
	}
	if [ "$kind" = create ]; then
		[ -f "$B/config.json.orig" ] || {
			echo "create shape took no policy path (config.json not rewritten): $*" >&2
			return 1
		}
	fi
	echo "# ok: $kind $*"
}

@test "passthrough: podman/conmon shapes (create, --log-format=json, console socket, --debug, start, kill, delete, pause, resume, --version)" {
	PT_CWD=$B
	pt create create --bundle "$B" --pid-file "$P" 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	pt create --log-format=json --log "$HS_TMP/userdata/oci-log" create --bundle "$B" --pid-file "$P" c0ffee
	pt create create --bundle "$B" --pid-file "$P" --console-socket "$S" c0ffee
	pt create --debug create --bundle "$B" --pid-file "$P" c0ffee
	PT_CWD=$HS_TMP
	pt fast start c0ffee
	pt fast --debug start c0ffee
	pt fast kill c0ffee 15
	pt fast kill c0ffee 9
	pt fast delete --force c0ffee
	pt fast pause c0ffee
	pt fast resume c0ffee
	pt fast --version
}

@test "passthrough: containerd shim shapes (--root --log --log-format json + create, start, state, kill, kill --all, ps, events, pause, resume, delete)" {
	local g=(--root "$R" --log "$L" --log-format json)
	PT_CWD=$B
	pt create "${g[@]}" create --bundle "$B" --pid-file "$B/init.pid" t1
	pt create "${g[@]}" create --bundle "$B" --pid-file "$B/init.pid" --console-socket "$S" t3
	pt create "${g[@]}" create --bundle "$B" --pid-file "$B/init.pid" --no-pivot --no-new-keyring --preserve-fds 2 t4
	pt create "${g[@]}" --systemd-cgroup create --bundle "$B" --pid-file "$B/init.pid" t5
	pt fast "${g[@]}" start t1
	pt fast "${g[@]}" state t1
	pt fast "${g[@]}" kill t1 15
	pt fast "${g[@]}" kill --all t5 9
	pt fast "${g[@]}" ps --format json t2
	pt fast "${g[@]}" events --stats t2
	pt fast "${g[@]}" pause t2
	pt fast "${g[@]}" resume t2
	pt fast "${g[@]}" delete t1
	pt fast "${g[@]}" delete --force t1
	# containerd-shim-runc-v2 -info: no global options.
	pt fast features
}

@test "passthrough: grammar edge cases (--opt=value, short aliases, -no-subreaper, ids equal to command names, crun globals, run, restore, cwd bundle)" {
	PT_CWD=$B
	pt create --root="$R" --log="$L" --log-format=json create --bundle="$B" --pid-file="$B/init.pid" t1
	pt create create -b "$B" t1
	pt create create --bundle "$B" create
	pt create create --bundle "$B" run
	pt create create --bundle "$B" exec
	pt create create t-cwd-bundle
	pt create run --bundle "$B" --detach r1
	pt create run -d -b "$B" start
	pt create --root "$R" --log "$L" --log-format json restore --image-path "$I" --work-path "$W" \
		--detach -no-subreaper --bundle "$B" --pid-file "$B/init.pid" t1
	pt create --cgroup-manager cgroupfs --log-level debug --log "file:$L" create --bundle "$B" c1
	pt create --rootless false --cgroup-manager=cgroupfs create --bundle "$B" c1
	PT_CWD=$HS_TMP
	pt fast start create
	pt fast start start
	pt fast delete --force run
	pt fast delete -f delete
	pt fast kill exec 9
	pt fast kill -a update KILL
	pt fast state features
	pt fast --root "$R" state --
	pt fast list
	pt fast --root="$R" list --format json
	pt fast --debug --log "$L" --log-format text --root "$R" state t1
	pt fast -v
	pt fast --help
	pt fast -h
	pt fast spec --help
	pt fast checkpoint --image-path "$I" --work-path "$W" --leave-running c1
}

@test "passthrough: exec shapes (podman exec dir, containerd --process, console socket, short -p/-d)" {

	PT_CWD=$X
	pt exec exec --pid-file "$X/exec_pid" --process "$F" --detach c0ffee
	PT_CWD=$B
	pt exec --root "$R" --log "$L" --log-format json exec --process "$F" --detach --pid-file "$B/e1.pid" t2
	pt exec --root "$R" --log "$L" --log-format json exec --process "$F" --console-socket "$S" --detach --pid-file "$B/e2.pid" t5
	pt exec exec -p "$F" -d --pid-file="$B/e3.pid" exec
	pt exec exec --process="$F" --detach start
}

@test "passthrough: update shapes (--resources=-|FILE: the same document reaches the runtime, through a sealed memfd; all else identical)" {

	PT_CWD=$B
	PT_RECORD_RESOURCES=1
	PT_STDIN=$HS_TMP/resources.json \
		pt update --root "$R" --log "$L" --log-format json update --resources=- t2
	PT_STDIN=$HS_TMP/resources.json pt update update -r - c0ffee
	pt update update --resources="$HS_TMP/resources.json" c0ffee
	pt update update --resources "$HS_TMP/resources.json" update
	# Flags alone (no document): passed through exactly.
	pt update-flags --root="$R" update --pids-limit 50 --memory 67108864 c1
}

@test "passthrough: the fake runtime records what it is given (the comparison can fail)" {
	# Without this, a recorder that wrote the same line every time would pass every test above.
	PT_CWD=$HS_TMP
	rm -f "$RECORD"
	pt_call "$REC" start one
	(
		cd "$HS_TMP" && env -i PATH=/usr/bin:/bin HS_RECORD="$RECORD" OTHER=1 "$REC" start two \
			</dev/null >/dev/null 2>&1 9</dev/null
	)
	[ "$(jq -r '.argv[2]' <(sed -n 1p "$RECORD"))" = one ]
	[ "$(jq -r '.argv[2]' <(sed -n 2p "$RECORD"))" = two ]
	[ "$(jq -r '.env | index("OTHER=1")' <(sed -n 2p "$RECORD"))" = 0 ] || \
		[ "$(jq -r '.env | map(select(. == "OTHER=1")) | length' <(sed -n 2p "$RECORD"))" = 1 ]
	[ "$(jq -r '.fds["7"] // "none"' <(sed -n 1p "$RECORD"))" = "$HS_TMP/fd5" ]
	[ "$(jq -r '.fds["7"] // "none"' <(sed -n 2p "$RECORD"))" = none ]
	[ "$(jq -r '.fds["9"]' <(sed -n 2p "$RECORD"))" = /dev/null ]
	[ "$(jq -c '.env[0:2]' <(sed -n 1p "$RECORD"))" = '["ZZ_LAST=1","PATH=/usr/bin:/bin"]' ]
}
