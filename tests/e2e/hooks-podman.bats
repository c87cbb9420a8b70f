#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Podman with plain runc and a test hooks directory holding hardshim's hooks.d files (issue 7):
# the node's policy applies though hardshim is not the runtime. With precreate + createRuntime
# a benign container runs visibly rewritten (read-only root, non-root uid) and a hostile one
# (privileged, host root mounted, root user) is refused with a readable message; with
# createRuntime alone the hostile one is refused too. Every decision is in the audit trail.

load ../lib/bundle

setup() {
	hs_setup runc
	command -v podman >/dev/null || skip "podman is not installed"
	PT=$HS_TMP/podman
	mkdir -p "$PT/hooks.d" "$PT/hooks-createruntime.d" "$PT/empty.d"
	hs_rootfs "$PT/rootfs"
	# `podman --rootfs DIR`: a directory neither in the bundle nor Podman's storage for the
	# container, so the operator admits it (rootfs.path-owner)
	admit_rootfs
	# the installed hooks.d files, pointing at the binary under test and the test's policy
	for h in "$HS_TOP"/hooks/*.json.in; do
		sed "s|@BINDIR@|$(dirname "$HS_BIN")|" "$h" |
			jq --arg p "$HARDSHIM_POLICY" '.hook.env = ["HARDSHIM_POLICY=" + $p]' \
				>"$PT/hooks.d/$(basename "$h" .in)"
	done
	cp "$PT/hooks.d/hardshim-createruntime.json" "$PT/hooks-createruntime.d/"
}

admit_rootfs() {
	hs_policy '.controls.rootfs.admit_roots = [$r]' --arg r "$(realpath "$PT/rootfs")"
}

teardown() {
	[ -n "${PT:-}" ] && podman_cmd rm -af >/dev/null 2>&1
	hs_teardown
	return 0
}

podman_cmd() {
	# Storage and state of the test's own (vfs: no overlay mount left behind); cgroupfs (no
	# systemd here).
	timeout 120 podman --root "$PT/root" --runroot "$PT/runroot" --storage-driver vfs \
		--runtime /usr/bin/runc --cgroup-manager cgroupfs --events-backend file "$@"
}

# prun HOOKS-DIR [podman run options...] -- CMD...: podman run --rm on the busybox rootfs.
prun() {
	local hooks=$1
	shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	# This machine's limits are below Podman's default nofile/nproc: given explicitly.
	podman_cmd --hooks-dir "$hooks" run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		"${opts[@]}" --rootfs "$PT/rootfs" "$@"
}

records() { # jq filter over the audit trail's records
	jq -s "$1" "$HS_LAUNCHES"
}

@test "podman+runc hooks: a benign container runs, rewritten by precreate (read-only root, non-root uid)" {
	# control: the same container without hardshim's hooks runs as root on a writable root
	run prun "$PT/empty.d" -- sh -c 'id -u; touch /probe && echo writable || echo read-only'
	echo "$output"
	[ "$status" = 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = writable ]
	run prun "$PT/hooks.d" -- sh -c 'id -u; touch /probe 2>/dev/null && echo writable || echo read-only'
	echo "$output"
	[ "$status" = 0 ]
	echo "$output" | grep -qx 65534
	echo "$output" | grep -qx read-only
	! echo "$output" | grep -qx 0 || false
	! echo "$output" | grep -qx writable || false
	# the trail: precreate's rewrite, then the createRuntime hook's allowed check
	records '[.[] | select(.event == "hook")] | map(.verdict)' | tee /dev/stderr |
		jq -e 'index("rewritten") != null and index("allowed") != null'
}

@test "podman+runc hooks: a hostile container (privileged, host root, root user) is refused with a readable message" {
	run prun "$PT/hooks.d" --privileged -v /:/host --user 0 -- sh -c 'echo started'
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" != *started* ]]
	# the rule id and the place (the words after them are for people and may change)
	grep -qE 'hardshim: hook precreate: refused: mounts\.sensitive-source: mounts\[[0-9]+\]\.source: ' <<<"$output"
	records '[.[] | select(.event == "hook")][-1].verdict' | grep -qx '"refused"'
}

@test "podman+runc hooks: with createRuntime alone the hostile container is refused too" {
	run prun "$PT/hooks-createruntime.d" --privileged -v /:/host --user 0 -- sh -c 'echo started'
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" != *started* ]]
	grep -qE 'hardshim: hook createRuntime: refused: mounts\.sensitive-source: mounts\[[0-9]+\]\.source: ' <<<"$output"
	records '[.[] | select(.event == "hook")][-1] | .verdict, .id' | head -1 | grep -qx '"refused"'
}

@test "podman+runc hooks: createRuntime alone refuses what it would have to rewrite, and says so" {
	# Podman's own seccomp profile allows syscalls hardshim's default denies: a hook cannot
	# rewrite the loaded config, so the container is refused (precreate is what rewrites).
	run prun "$PT/hooks-createruntime.d" -- sh -c 'echo started'
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" != *started* ]]
	# Rules that create rewrites (rootfs.readonly, user.root) are refusals here: the first one
	# the user reads, by rule id and place; and in the record no finding is a rewrite.
	grep -qF 'hardshim: hook createRuntime: refused: rootfs.readonly: root.readonly: ' <<<"$output"
	records '[.[] | select(.event == "hook")][-1]' | jq -e '.verdict == "refused"
		and ([.findings[] | select(.rule == "rootfs.readonly" or .rule == "user.root") | .action] == ["refuse", "refuse"])
		and ([.findings[] | select(.action == "rewrite")] | length == 0)'
}

@test "podman+runc hooks: a --rootfs directory the operator did not admit is refused by either hook" {
	hs_policy
	run prun "$PT/hooks.d" -- sh -c 'echo started'
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" != *started* ]]
	[[ "$output" == *"hardshim: hook precreate: refused: rootfs.path-owner: root.path: "* ]]
	run prun "$PT/hooks-createruntime.d" -- sh -c 'echo started'
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"hardshim: hook createRuntime: refused: rootfs.path-owner: root.path: "* ]]
	# admitted, it runs
	admit_rootfs
	run prun "$PT/hooks.d" -- sh -c 'echo started'
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *started* ]]
}
