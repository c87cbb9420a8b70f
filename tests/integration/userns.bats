#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Engine-made user namespaces (issue 14 cause 7). Podman --uidmap and --userns=auto chown the
# container's bundle to the host uid its root maps to, make the directories above it
# searchable (0711), and chown the image to the mapped ids. hardshim admits such a bundle on
# create when the config's own user namespace maps container uid 0 to exactly the bundle's
# owner, holds it (root's, 0711) until the runtime has read the config, and gives it back;
# uid 0 stays the namespace's own uid 0 (host uid 100000 here), never remapped to a uid the
# mapping lacks. Seen from /proc/<pid>/status and uid_map, under runc and crun.

load ../lib/bundle

setup() { hs_setup runc; }
teardown() {
	hs_teardown
	case ${UNS_DIR:-} in /tmp/hs-userns.?*) rm -rf "$UNS_DIR" ;; esac
}

# userns_bundle HOSTID [MAPPED-TO]: a bundle laid out as Podman lays one out for
# --uidmap 0:MAPPED-TO:65536: the bundle dir owned by HOSTID (mode 0700), the parent 0711,
# the image owned by the mapped ids; the config makes a user namespace with that mapping and
# runs uid 0.
userns_bundle() {
	local owner=$1 to=${2:-$1}
	UNS_DIR=$(mktemp -d /tmp/hs-userns.XXXXXX)
	chmod 0711 "$UNS_DIR"
	hs_policy_default
	hs_bundle "$UNS_DIR/bundle"
	chown -R "$to:$to" "$HS_BUNDLE/rootfs"
	hs_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": $h, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $h, "size": 65536}]
		| .process.user = {uid: 0, gid: 0}' --argjson h "$to"
	chown "$owner:$owner" "$HS_BUNDLE"
	chmod 0700 "$HS_BUNDLE"
	# the engine's per-container files (Podman's runroot userdata), bound over /etc/hosts:
	# their directory is the same owner's
	mkdir -p "$UNS_DIR/run"
	echo "198.18.0.1 userns-host" >"$UNS_DIR/run/hosts"
	chown "$owner:$owner" "$UNS_DIR/run"
	chmod 0700 "$UNS_DIR/run"
	hs_config '.mounts += [{"destination": "/etc/hosts", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
		--arg s "$UNS_DIR/run/hosts"
}

admitted() {
	hs_use_runtime "$1"
	userns_bundle 100000
	hs_args sh -c 'touch /tmp/x && echo tmp-writable; cat /etc/hosts; exec sleep 1000'
	hs_create_start u1
	echo "Uid: $(hs_status u1 Uid)"
	[ "$(hs_status u1 Uid)" = "100000 100000 100000 100000" ]
	[ "$(hs_status u1 Gid)" = "100000 100000 100000 100000" ]
	[ "$(hs_proc u1 uid_map | awk '{print $1, $2, $3}')" = "0 100000 65536" ]
	[ "$(cat "$HS_TMP/u1.out")" = "tmp-writable
198.18.0.1 userns-host" ]
	hs_status u1 NoNewPrivs | grep -qx 1
	# capabilities of its own namespace, and no more than the policy allows
	# (NET_BIND_SERVICE at most)
	hs_status u1 CapEff
	hs_status u1 CapBnd
	(((16#$(hs_status u1 CapEff) & ~0x400) == 0))
	(((16#$(hs_status u1 CapBnd) & ~0x400) == 0))
	# the bundle and the bind source's directory are their owner's again, as they were
	[ "$(stat -c '%u %a' "$HS_BUNDLE")" = "100000 700" ]
	[ "$(stat -c '%u %a' "$UNS_DIR/run")" = "100000 700" ]
	# uid 0 of the namespace: not remapped
	! jq -e '.process.user.uid != 0' "$HS_BUNDLE/config.json"
}

@test "userns: a bundle owned by the uid its root maps to starts, as uid 0 of its own namespace = host 100000 (runc)" { admitted runc; }
@test "userns: a bundle owned by the uid its root maps to starts, as uid 0 of its own namespace = host 100000 (crun)" { admitted crun; }

# The window: the owner could rename its own config.json over the judged one until the
# runtime has read it, or swap a bind source in its directory (for a symlink to a host file)
# until the runtime has mounted it. A runtime that looks at both while it runs sees them
# root's, 0711.
@test "userns: the bundle is root's (0711) while the runtime runs, and its owner's after" {
	userns_bundle 100000
	printf '#!/bin/sh\nstat -c "%%u %%a" "%s" "%s" >>"%s"\nexec /usr/bin/runc "$@"\n' \
		"$HS_BUNDLE" "$UNS_DIR/run" "$HS_TMP/seen" >"$HS_TMP/rt"
	chmod 0755 "$HS_TMP/rt"
	hs_policy_default '.runtime = $r' --arg r "$HS_TMP/rt"
	hs_args sleep 1000
	hs_create u7
	cat "$HS_TMP/seen"
	[ "$(cat "$HS_TMP/seen")" = "0 711
0 711" ]
	[ "$(stat -c '%u %a' "$HS_BUNDLE")" = "100000 700" ]
	[ "$(stat -c '%u %a' "$UNS_DIR/run")" = "100000 700" ]
}

# hardshim killed between the hold and the release (SIGKILL from its caller, the OOM killer):
# the restorer it forked before holding gives the bundle and the bind source's directory back
# (without it they stayed root's 0711 and the engine could not clean up), and only once the
# runtime is gone too: until then the owner must not be able to swap what the runtime reads.
given_back() {
	local i
	for i in $(seq 100); do
		[ "$(stat -c '%u %a' "$HS_BUNDLE") $(stat -c '%u %a' "$UNS_DIR/run")" = "100000 700 100000 700" ] &&
			return 0
		sleep 0.1
	done
	stat -c '%n %u %a' "$HS_BUNDLE" "$UNS_DIR/run"
	return 1
}

@test "userns: a create killed with SIGKILL gives the bundle back" {
	userns_bundle 100000
	# the runtime kills hardshim, its parent (and dies with it: PDEATHSIG)
	printf '#!/bin/sh\nstat -c "%%u %%a" "%s" >"%s"\nkill -9 $PPID\nsleep 10\n' \
		"$HS_BUNDLE" "$HS_TMP/seen" >"$HS_TMP/rt"
	chmod 0755 "$HS_TMP/rt"
	hs_policy_default '.runtime = $r' --arg r "$HS_TMP/rt"
	hs_args sleep 1000
	run hs_create u10
	[ "$status" -eq 137 ]
	[ "$(cat "$HS_TMP/seen")" = "0 711" ]
	given_back
}

@test "userns: after a SIGKILLed create, the bundle stays held while the runtime lives" {
	userns_bundle 100000
	# a runtime that outlives hardshim (it clears the death signal hardshim gave it), looks
	# at the bundle after hardshim is gone, then exits
	cat >"$HS_TMP/rt" <<-PY
		#!/usr/bin/python3
		import ctypes, os, time
		ctypes.CDLL(None, use_errno=True).prctl(1, 0, 0, 0, 0)
		os.kill(os.getppid(), 9)
		time.sleep(1)
		st = os.stat("$HS_BUNDLE")
		open("$HS_TMP/seen", "w").write("%d %o\n" % (st.st_uid, st.st_mode & 0o7777))
	PY
	chmod 0755 "$HS_TMP/rt"
	hs_policy_default '.runtime = $r' --arg r "$HS_TMP/rt"
	hs_args sleep 1000
	run hs_create u11
	[ "$status" -eq 137 ]
	for _ in $(seq 100); do [ -s "$HS_TMP/seen" ] && break; sleep 0.1; done
	[ "$(cat "$HS_TMP/seen")" = "0 711" ]
	given_back
}

@test "userns: a bundle owned by another uid than the mapped root is refused, and given back" {
	userns_bundle 100000 200000
	run hs_create_start u2
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: bundle.permissions: linux.uidMappings: the bundle $HS_BUNDLE is owned by uid 100000, not by root, and the config's own user namespace does not map container uid 0 to it"* ]]
	[ "$(hs_state u2)" = "" ]
	[ "$(stat -c '%u %a' "$HS_BUNDLE")" = "100000 700" ]
}

@test "userns: a bind source in a directory of another non-root owner is still refused" {
	userns_bundle 100000
	chown 100001 "$UNS_DIR/run"
	run hs_create_start u8
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts.source-replaceable"*"owned by uid 100001"* ]]
	[ "$(stat -c '%u %a' "$UNS_DIR/run")" = "100001 700" ]
	[ "$(stat -c '%u %a' "$HS_BUNDLE")" = "100000 700" ]
}

@test "userns: a non-root bundle without a user namespace is refused" {
	userns_bundle 100000
	hs_config 'del(.linux.uidMappings, .linux.gidMappings) | .linux.namespaces |= map(select(.type != "user"))'
	run hs_create_start u3
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"bundle.permissions"*"owned by uid 100000"* ]]
	[ "$(stat -c '%u %a' "$HS_BUNDLE")" = "100000 700" ]
}

@test "userns: run (no create to wait on) refuses a user-namespace bundle" {
	userns_bundle 100000
	run hs_run u4
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"bundle.permissions"*"admitted on create, not here"* ]]
}

# check changes nothing on the host, yet must predict create, which holds the bundle and the
# owner's bind-source directories before it judges: check judges exactly those directories as
# held (root's, 0711). Without that it said mounts.source-replaceable for the engine's
# /etc/hosts in the owner's directory, where create admits it.
@test "userns: check --bundle predicts create for the engine's files in the owner's directory, and changes nothing" {
	userns_bundle 100000
	hs_place_config u9
	run "$HS_BIN" check --bundle "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"source-replaceable"* ]]
	[ "$(stat -c '%u %a' "$HS_BUNDLE")" = "100000 700" ]
	[ "$(stat -c '%u %a' "$UNS_DIR/run")" = "100000 700" ]
	# and create agrees
	hs_args sleep 1000
	hs_create u9
	# a directory create would not hold (another non-root owner's) is judged as it is
	chown 100001 "$UNS_DIR/run"
	run "$HS_BIN" check --bundle "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"mounts.source-replaceable"*"owned by uid 100001"* ]]
	[ "$(stat -c '%u %a' "$UNS_DIR/run")" = "100001 700" ]
}

@test "userns: check --bundle judges a user-namespace bundle as create does" {
	userns_bundle 100000
	hs_config '.mounts |= map(select(.destination != "/etc/hosts"))'
	hs_place_config u5
	run "$HS_BIN" check --bundle "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	rm -rf "$UNS_DIR"
	userns_bundle 100000 200000
	hs_config '.mounts |= map(select(.destination != "/etc/hosts"))'
	hs_place_config u6
	run "$HS_BIN" check --bundle "$HS_BUNDLE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"refuse   bundle.permissions linux.uidMappings: the bundle $HS_BUNDLE is owned by uid 100000"* ]]
}
