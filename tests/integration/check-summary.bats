#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `hardshim check` predicts: a summary first (final user, writable paths under this runtime,
# capabilities held, ports, egress, limits and which were defaulted, rewrites counted per
# control), warnings for a working directory the process cannot write and for a mount that a
# later one hides; the capability and seccomp rewrites counted rather than listed. And the
# prediction is checked against the container itself: what check calls writable is, under
# runc and under crun.

load ../lib/bundle

setup() { hs_setup runc; }
teardown() { hs_teardown; }

# The app of issue 14: root, WORKDIR /app on the image, a secret under /run, no limits. /app
# holds the app's executable, so it stays on the read-only root (a noexec tmpfs would stop it:
# rootfs.writable-dir), which check must predict.
app_bundle() {
	hs_policy_default
	hs_bundle
	mkdir -p "$HS_BUNDLE/rootfs/app"
	install -m 0755 /dev/null "$HS_BUNDLE/rootfs/app/run"
	hs_config '.process.user = {"uid": 0, "gid": 0} | .process.cwd = "/app"
		| .mounts += [{"destination": "/run/secrets", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]
		| del(.linux.resources)' --arg s "$HS_TMP"
	hs_place_config c1
}

@test "check: the summary comes first and names user, writable paths, capabilities, egress, limits" {
	app_bundle
	run "$HS_BIN" check "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "summary (runtime runc):" ]
	[ "${lines[1]}" = "  user          65534:65534 (root in the config: remapped)" ]
	# issue 14 cause 4: the remapped process really holds what is allowed (ambient)
	[[ "$output" == *"  capabilities  held: CAP_NET_BIND_SERVICE; bounding: CAP_NET_BIND_SERVICE"$'\n'* ]]
	[[ "$output" == *"  ports         below 1024: bindable"* ]]
	[[ "$output" == *"  egress        default deny; allow: nothing"* ]]
	[[ "$output" == *"  limits        memory 1073741824 (the policy's default: the config set none), pids 1024 (the policy's default: the config set none)"* ]]
	[[ "$output" == *"                the root filesystem is read-only"* ]]
	# the predictions
	[[ "$output" == *"warn     check.cwd-not-writable process.cwd: /app is on the read-only root"* ]]
	# hardshim's /run goes before /run/secrets (issue 14 cause 3): nothing is hidden
	[[ "$output" != *"check.mount-hidden"* ]]
	# capability rewrites counted, not listed; --all lists them
	[[ "$output" == *"  rewrites      "*"capabilities "[0-9]* ]]
	[[ "$output" != *"rewrite  capabilities."* ]]
	[[ "$output" == *"capability and seccomp rewrites counted above; --all lists them"* ]]
	run "$HS_BIN" check --all "$HS_BUNDLE"
	[[ "$output" == *"rewrite  capabilities."* ]]
	# JSON carries the same
	run "$HS_BIN" check --format json "$HS_BUNDLE"
	jq -e '.summary.user == {"uid": 65534, "gid": 65534, "remapped": true}
		and .summary.limits.memory == {"value": 1073741824, "default": true}
		and .summary.limits.pids.default
		and .summary.egress.default == "deny"
		and .summary.capabilities.held == ["CAP_NET_BIND_SERVICE"]
		and .summary.root_readonly
		and .summary.rewrites.capabilities > 0
		and ([.summary.warnings[].rule] | index("check.cwd-not-writable") != null)
		and ([.summary.warnings[].rule] | index("check.mount-hidden") == null)' <<<"$output"
}

@test "check: a non-root process granted no capability holds none, and ports start at 0 in its netns" {
	app_bundle
	# bounding only (what Podman and Docker write for --user): nothing is granted, so the
	# bounding entry is removed rather than listed while not held
	hs_config '.process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE"]}'
	hs_place_config c3
	run "$HS_BIN" check "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"  capabilities  held: none; bounding: none"$'\n'* ]]
	[[ "$output" == *"  ports         below 1024: from 0 up (net.ipv4.ip_unprivileged_port_start)"* ]]
	run "$HS_BIN" check --all "$HS_BUNDLE"
	[[ "$output" == *"capabilities.not-held process.capabilities.bounding[0]"* ]]
}

@test "check: the opposite config gets no warning and no defaulted limit" {
	app_bundle
	# its own limits, a uid of its own, the working directory on its own writable tmpfs,
	# nothing under /run
	hs_config '.process.user = {"uid": 1000, "gid": 1000} | .process.cwd = "/app"
		| .mounts |= map(select(.destination != "/run/secrets"))
		| .mounts += [{"destination": "/app", "type": "tmpfs", "source": "tmpfs", "options": ["uid=1000", "gid=1000", "mode=0700"]}]
		| .linux.resources = {"memory": {"limit": 268435456}, "pids": {"limit": 100}}'
	# the image's /run and /tmp as images ship them (sticky, world-writable)
	mkdir -p "$HS_BUNDLE/rootfs/run" "$HS_BUNDLE/rootfs/tmp"
	chmod 1777 "$HS_BUNDLE/rootfs/run" "$HS_BUNDLE/rootfs/tmp"
	hs_place_config c2
	run "$HS_BIN" check --format json "$HS_BUNDLE"
	echo "$output"
	jq -e '.summary.warnings == [] and .summary.user == {"uid": 1000, "gid": 1000, "remapped": false}
		and .summary.limits.memory == {"value": 268435456, "default": false}
		and .summary.limits.pids.default == false
		and (.summary.writable[] | select(.path == "/app") | .writable)' <<<"$output"
}

# A tmpfs over a 0755 root-owned image directory, mode=1777 asked: runc gives it the image
# directory's mode, crun the asked one. check must say which, and the container must agree.
prediction_holds() {
	hs_use_runtime "$1"
	hs_policy_default
	hs_bundle
	mkdir -p "$HS_BUNDLE/rootfs/data"
	chmod 0755 "$HS_BUNDLE/rootfs/data"
	hs_config '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1777"]}]
		| .process.user = {"uid": 1000, "gid": 1000}'
	hs_args sh -c 'touch /data/x 2>/dev/null && echo wrote || echo denied'
	hs_place_config w1
	run "$HS_BIN" check --format json "$HS_BUNDLE"
	predicted=$(jq -r '.summary.writable[] | select(.path == "/data") | .writable' <<<"$output")
	echo "predicted writable: $predicted"
	[ "$predicted" = "$2" ]
	run hs_run w1
	echo "$output"
	[ "$status" -eq 0 ]
	if [ "$predicted" = true ]; then [ "$output" = wrote ]; else [ "$output" = denied ]; fi
	# and the text says so, with a warning only when it is not writable
	run "$HS_BIN" check "$HS_BUNDLE"
	if [ "$predicted" = false ]; then
		[[ "$output" == *"warn     check.mount-not-writable mounts["*"]: /data (tmpfs, owner 0:0, mode 0755 from the image's directory (runc)) is not writable by the final user 1000:1000"* ]]
	else
		[[ "$output" != *"check.mount-not-writable mounts["*"]: /data"* ]]
	fi
}

# hardshim gives every tmpfs the final uid (uid=/gid=, issue 14 cause 2): writable under runc too
@test "check: a tmpfs over a 0755 image directory is predicted writable under runc (owned by the final uid), and is" { prediction_holds runc true; }
@test "check: the same tmpfs is predicted writable under crun (mode=1777), and is" { prediction_holds crun true; }

# `check DIR` reads a relative root.path from DIR, as create and `check --bundle DIR` do: a
# root image whose working directory belongs to its service user runs as that user (found in
# the image), so both spellings predict 1000:1000 and give the same findings. Without DIR as
# the bundle, the image went unseen and `check DIR` predicted 65534.
@test "check: a bundle directory given as CONFIG is judged like --bundle (the image is read from it)" {
	hs_policy_default
	hs_bundle
	mkdir -p "$HS_BUNDLE/rootfs/app"
	chown 1000:1000 "$HS_BUNDLE/rootfs/app"
	hs_config '.process.user = {"uid": 0, "gid": 0} | .process.cwd = "/app" | .root.path = "rootfs"'
	hs_place_config d1
	run "$HS_BIN" check --format json "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	positional=$output
	jq -e '.summary.user == {"uid": 1000, "gid": 1000, "remapped": true}' <<<"$positional"
	run "$HS_BIN" check --format json --bundle "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -S . <<<"$positional")" = "$(jq -S . <<<"$output")" ]
	# relative to the working directory too
	cd "$HS_BUNDLE/.."
	run "$HS_BIN" check --format json "$(basename "$HS_BUNDLE")"
	[ "$(jq -S . <<<"$positional")" = "$(jq -S . <<<"$output")" ]
}

# The opposite of the app's: a mount the config itself places after another at or above it
# (here /var/run, which is /run, after /run/secrets) hides it, and check says which hides which.
@test "check: a later mount over an earlier one's destination is named as hiding it (/var/run counts as /run)" {
	app_bundle
	hs_config '.mounts += [{"destination": "/var/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=1m"]}]'
	hs_place_config c1
	run "$HS_BIN" check "$HS_BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ "warn     check.mount-hidden mounts["[0-9]+"]: mounts["[0-9]+"] at /var/run hides mounts["[0-9]+"] at /run/secrets, mounted before it" ]]
}
