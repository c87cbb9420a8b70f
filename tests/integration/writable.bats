#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Issue 14 causes 2 and 3: the writable places hardshim gives a read-only root work behind
# runc as behind crun, for the uid the process finally runs as, and never hide the engine's
# own mounts beneath them. Observed from inside the container.

load ../lib/bundle

setup() { hs_setup runc; }
teardown() { hs_teardown; }

# A root process (remapped by the default policy) with a /run that is root's 0755 in the
# image, as in every Debian image; the engine's mounts beneath /run and /var/run (a secret, a
# tmpfs of the user's own), and a tmpfs of the user's without options.
bundle_with_run_mounts() {
	hs_bundle "$HS_TMP/b-$1"
	chmod 0755 "$HS_BUNDLE/rootfs/run"
	mkdir -p "$HS_BUNDLE/rootfs/data" "$HS_BUNDLE/rootfs/var"
	ln -s ../run "$HS_BUNDLE/rootfs/var/run"
	echo s3cret >"$HS_TMP/secret-$1"
	hs_config '.process.user = {uid: 0, gid: 0}
		| .mounts += [
		  {destination: "/run/secrets/token", type: "bind", source: $s, options: ["rbind", "ro"]},
		  {destination: "/var/run/x", type: "tmpfs", source: "tmpfs", options: ["exec"]},
		  {destination: "/data", type: "tmpfs", source: "tmpfs"}]' --arg s "$HS_TMP/secret-$1"
}

check_writable() {
	hs_use_runtime "$1"
	hs_policy_default
	bundle_with_run_mounts w
	hs_args sh -c 'id -u; for d in /tmp /run /var/tmp /data /run/x; do
		touch $d/probe && echo "$d writable"; done
		cat /run/secrets/token; cat /proc/self/mountinfo'
	run hs_run w1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 65534 ]
	for d in /tmp /run /var/tmp /data /run/x; do
		grep -qx "$d writable" <<<"$output"
	done
	# the secret beneath /run is not hidden by hardshim's /run
	grep -qx s3cret <<<"$output"
	# every tmpfs, the user's too ("exec" asked for), is nosuid,nodev,noexec and capped
	for d in /tmp /run /var/tmp /data /run/x; do
		awk -v d="$d" '$5 == d && / - tmpfs / && $6 ~ /nosuid/ && $6 ~ /nodev/ &&
			$6 ~ /noexec/ && /size=/ { f = 1 } END { exit !f }' <<<"$output"
	done
}

@test "writable: /tmp /run /var/tmp and the user's tmpfs are writable by the final uid, nothing beneath /run is hidden (runc)" { check_writable runc; }
@test "writable: /tmp /run /var/tmp and the user's tmpfs are writable by the final uid, nothing beneath /run is hidden (crun)" { check_writable crun; }

# The same bundle behind runc with the tmpfs as they were before the fix (no owner, mode=1777,
# appended last): hardshim's /run hides the secret and runc leaves /run unwritable. This is
# what the test above would see without it.
@test "writable: control: runc given the old tmpfs (no uid=, appended after /run/secrets) hides the secret and /run is unwritable" {
	hs_use_runtime runc
	bundle_with_run_mounts c
	hs_config '.process.user = {uid: 65534, gid: 65534} | .root.readonly = true
		| .mounts += [{destination: "/run", type: "tmpfs", source: "tmpfs",
		  options: ["nosuid", "nodev", "noexec", "mode=1777", "size=64m"]}]'
	hs_args sh -c 'touch /run/probe && echo "/run writable"; cat /run/secrets/token'
	HS_VIA=direct run hs_run c1
	echo "$output"
	[[ $output != *"/run writable"* ]]
	[[ $output != *s3cret* ]]
}

# The rewrite is hardshim's: the config the runtime got shows the order and the options.
@test "writable: hardshim's /run goes before the mounts beneath it, with the final uid's ownership" {
	hs_policy_default
	bundle_with_run_mounts o
	hs_config '.process.user = {uid: 1000, gid: 1001}'
	hs_args true
	run hs_run o1
	[ "$status" -eq 0 ]
	hs_final_config | jq -e '
		(.mounts | map(.destination) | index("/run")) < (.mounts | map(.destination) | index("/run/secrets/token"))
		and ([.mounts[] | select(.destination == "/run") | .options[]] | index("uid=1000") != null)
		and ([.mounts[] | select(.destination == "/run") | .options[]] | index("gid=1001") != null)
		and ([.mounts[] | select(.destination == "/data") | .options[]] | index("uid=1000") != null)
		and ([.mounts[] | select(.destination == "/dev") | .options[]] | index("uid=1000") == null)
		and ([.mounts[] | select(.destination == "/var/run/x") | .options[]] | index("exec") == null)'
}
