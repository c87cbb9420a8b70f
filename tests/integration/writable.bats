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
	# and a writable path the policy names, over an image directory root's 0755
	hs_policy_default '.controls.rootfs.tmpfs += ["/srv/cache"]'
	bundle_with_run_mounts w
	mkdir -p "$HS_BUNDLE/rootfs/srv/cache"
	chmod 0755 "$HS_BUNDLE/rootfs/srv/cache"
	hs_args sh -c 'id -u; for d in /tmp /run /var/tmp /data /run/x /srv/cache; do
		touch $d/probe && echo "$d writable"; done
		cat /run/secrets/token; cat /proc/self/mountinfo'
	run hs_run w1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 65534 ]
	for d in /tmp /run /var/tmp /data /run/x /srv/cache; do
		grep -qx "$d writable" <<<"$output"
	done
	# the secret beneath /run is not hidden by hardshim's /run
	grep -qx s3cret <<<"$output"
	# every tmpfs, the user's too ("exec" asked for), is nosuid,nodev,noexec and capped
	for d in /tmp /run /var/tmp /data /run/x /srv/cache; do
		awk -v d="$d" '$5 == d && / - tmpfs / && $6 ~ /nosuid/ && $6 ~ /nodev/ &&
			$6 ~ /noexec/ && /size=/ { f = 1 } END { exit !f }' <<<"$output"
	done
}

@test "writable: /tmp /run /var/tmp, a policy-named path and the user's tmpfs are writable by the final uid, nothing beneath /run is hidden (runc)" { check_writable runc; }
@test "writable: /tmp /run /var/tmp, a policy-named path and the user's tmpfs are writable by the final uid, nothing beneath /run is hidden (crun)" { check_writable crun; }

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

# Issue 14: postgres' image has /run/postgresql (postgres', 2775); an empty /run hid it and
# postgres could not make its lock file. hardshim's tmpfs start with the image's content
# (tmpcopyup), owners kept, under both runtimes. runc copies a directory's mode through its
# umask (2775 arrives as 0755), crun keeps it: the owner can write either way.
check_copyup() {
	hs_use_runtime "$1"
	hs_policy_default
	hs_bundle "$HS_TMP/b-cu"
	mkdir -p "$HS_BUNDLE/rootfs/run/pg" "$HS_BUNDLE/rootfs/tmp/keep"
	chown 70:70 "$HS_BUNDLE/rootfs/run/pg" && chmod 2775 "$HS_BUNDLE/rootfs/run/pg"
	echo kept >"$HS_BUNDLE/rootfs/tmp/keep/f"
	hs_config '.process.user = {uid: 70, gid: 70}'
	hs_args sh -c 'stat -c "%u" /run/pg; cat /tmp/keep/f; touch /run/pg/lock && echo locked
		grep " /run " /proc/self/mountinfo'
	run hs_run cu1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 70 ]
	[ "${lines[1]}" = kept ]
	[ "${lines[2]}" = locked ]
	[[ ${lines[3]} == *" - tmpfs "* ]]
}

@test "writable: the image's content under /run and /tmp is kept in hardshim's tmpfs, owner too (runc)" { check_copyup runc; }
@test "writable: the image's content under /run and /tmp is kept in hardshim's tmpfs, owner too (crun)" { check_copyup crun; }

# Issue 14 cause 4: a non-root process binds port 80 in the container's own network
# namespace (ip_unprivileged_port_start=0 there), and the host's value is untouched.
check_port80() {
	local before
	hs_use_runtime "$1"
	hs_policy_default
	before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	# no capability granted (Podman's --user): the sysctl alone lets it bind
	hs_port80_bundle p80 '.process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE"]}'
	run hs_run p80
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 33 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = "CapEff:	0000000000000000" ]
	[ "${lines[3]}" = "CapAmb:	0000000000000000" ]
	[ "${lines[4]}" = bound ]
	[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = "$before" ]
}

@test "writable: a non-root process without capabilities listens on port 80 in its own netns (runc)" { check_port80 runc; }
@test "writable: a non-root process without capabilities listens on port 80 in its own netns (crun)" { check_port80 crun; }

@test "writable: control: the bare runtime, same bundle without the sysctl, cannot bind port 80" {
	hs_use_runtime runc
	hs_bundle "$HS_TMP/b-p80c"
	hs_config '.process.user = {uid: 33, gid: 33} | .process.capabilities = {}'
	hs_args sh -c 'httpd -p 80 -h /tmp && echo bound'
	HS_VIA=direct run hs_run p80c
	echo "$output"
	[[ $output != *bound* ]]
}

# Issue 14: a root image's own directories on the read-only root. The working directory
# (root's in the image, the app's file in it) and an empty state directory under /var/lib are
# writable by the final uid with the image's content; a non-empty one stays read-only.
# A working directory or a /var/lib entry that is a symlink to /etc in the image is left alone
# (the runtime would mount where the link points), and so is a config's cwd of /etc: /etc
# stays read-only. Observed from inside. (A mount that must not be there: awk exits 1 when it
# finds it; bats does not fail a test on a negated command.)
image_dirs_bundle() {
	hs_bundle "$HS_TMP/b-$1"
	mkdir -p "$HS_BUNDLE/rootfs/app" "$HS_BUNDLE/rootfs/var/lib/svc" "$HS_BUNDLE/rootfs/var/lib/full"
	echo app-file >"$HS_BUNDLE/rootfs/app/data.txt"
	echo pkg >"$HS_BUNDLE/rootfs/var/lib/full/status"
	ln -s /etc "$HS_BUNDLE/rootfs/work"
	# an "empty state directory" that is a link to /etc: the runtime would mount over /etc
	ln -s /etc "$HS_BUNDLE/rootfs/var/lib/evil"
}

check_image_dirs() {
	hs_use_runtime "$1"
	hs_policy_default
	image_dirs_bundle wd
	hs_config '.process.user = {uid: 0, gid: 0} | .process.cwd = "/app"'
	hs_args sh -c 'id -u; cat data.txt; touch db && echo app writable
		touch /var/lib/svc/x && echo svc writable; touch /var/lib/full/x 2>/dev/null || echo full read-only
		cat /proc/self/mountinfo'
	run hs_run wd1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 65534 ]
	[ "${lines[1]}" = app-file ]
	[ "${lines[2]}" = "app writable" ]
	[ "${lines[3]}" = "svc writable" ]
	[ "${lines[4]}" = "full read-only" ]
	for d in /app /var/lib/svc; do
		awk -v d="$d" '$5 == d && / - tmpfs / && $6 ~ /nosuid/ && $6 ~ /nodev/ &&
			$6 ~ /noexec/ && /size=/ { f = 1 } END { exit !f }' <<<"$output"
	done
	awk '($5 == "/etc" || $5 == "/var/lib/evil") { f = 1 } END { exit f }' <<<"$output"

	image_dirs_bundle wl
	hs_config '.process.user = {uid: 0, gid: 0} | .process.cwd = "/work"'
	hs_args sh -c 'touch /etc/x 2>/dev/null || echo etc read-only; cat /proc/self/mountinfo'
	run hs_run wd2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "etc read-only" ]
	awk '($5 == "/etc" || $5 == "/work") { f = 1 } END { exit f }' <<<"$output"

	# a config naming /etc as the working directory does not get a writable /etc
	image_dirs_bundle we
	hs_config '.process.user = {uid: 0, gid: 0} | .process.cwd = "/etc"'
	hs_args sh -c 'touch /etc/x 2>/dev/null || echo etc read-only; cat /proc/self/mountinfo'
	run hs_run wd3
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "etc read-only" ]
	awk '$5 == "/etc" { f = 1 } END { exit f }' <<<"$output"
}

@test "writable: a root image's working directory and empty /var/lib dir are writable, a symlinked one is not (runc)" { check_image_dirs runc; }
@test "writable: a root image's working directory and empty /var/lib dir are writable, a symlinked one is not (crun)" { check_image_dirs crun; }
