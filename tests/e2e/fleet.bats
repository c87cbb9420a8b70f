#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The fleet installer (issue 16) on a node of the test's own (tests/lib/fleet.bash): a real
# containerd in a private mount namespace with its own /etc, /usr/local and /opt, the
# installer run as a privileged container through ctr with the node at /host and the policy
# ConfigMap in Kubernetes' ..data layout. Then pods through the CRI plugin with
# runtime_handler "hardshim" (tests/e2e/cri/cri-call, as the kubelet calls), a ConfigMap
# update picked up by the watching installer with containerd not restarted, a broken policy
# refused, and an uninstall that leaves the node as it was. The tests run in order: each
# starts from the node the previous one left.

load ../lib/e2e
load ../lib/fleet

# The CRI helpers of tests/lib/e2e.bash talk to this node's daemon.
CD=$FL
CD_SOCK=$FL_SOCK
CD_NETNS=$FL_NETNS
CD_SANDBOX_IMAGE=$E2E_PAUSE_IMAGE
export CD CD_SOCK CD_NETNS CD_SANDBOX_IMAGE

IMPORTS_LINE='imports = ["/etc/containerd/conf.d/hardshim.toml"] # added by hardshim-node; removed by its uninstall'

setup_file() {
	e2e_require
	/usr/bin/python3 -c 'import grpc, google.protobuf' && command -v protoc >/dev/null || {
		echo "python3-grpcio, python3-protobuf or protoc missing: run scripts/install-deps.sh" >&2
		return 1
	}
	e2e_install
	podman_setup
	mkdir -p "$FL"
	fl_stop
	# A fresh daemon state: pods of an earlier run would hold names (images are re-imported).
	rm -rf "$FL/root" "$FL/state" "$FL/cni-ipam" "$FL/pods"
	cri_netns_start "$FL_NETNS"
	fl_host_prepare
	fl_start
	cri_cni_config
	cri_images
	rm -rf "$FL_CM" "$FL/launches.jsonl"*
	mkdir -p "$FL_CM"
	fl_policy '.' >"$FL/policy-v1.json"
	fl_configmap "$FL/policy-v1.json"
	fl_installer_rootfs
	fl_podman_conf
	# The node before install: every path (and each file's hash) under its own /etc,
	# /usr/local and /opt.
	fl_snapshot >"$FL/before.list"
	cp -p "$FL/host/etc/containerd/config.toml" "$FL/config.before"
	cp -p "$FL/host/etc/containers/containers.conf" "$FL/containers.conf.before"
}

teardown_file() {
	local d
	cri_cleanup
	fl_ctr tasks kill -s KILL fleet-installer-watch >/dev/null 2>&1 || true
	fl_ctr tasks delete -f fleet-installer-watch >/dev/null 2>&1 || true
	fl_ctr containers delete fleet-installer-watch >/dev/null 2>&1 || true
	fl_stop
	cri_netns_stop "$FL_NETNS"
	for d in /sys/fs/cgroup/*/hs-fleet; do
		[ ! -d "$d" ] || rmdir "$d" 2>/dev/null || true
	done
}

# fl_policy JQ-FILTER: the shipped policy, runc behind hardshim, the log in $FL.
fl_policy() {
	jq --arg log "$FL/launches.jsonl" '.runtime = "/usr/bin/runc" | .log.path = $log |
		.log.syslog = false | .log.kernel_audit = false' \
		"$HS_TOP/profiles/policy/default.json" | jq "$1"
}

# fl_snapshot: the node's files (containerd's own state under /opt/containerd excepted).
fl_snapshot() {
	(cd "$FL/host" && find etc usr-local opt -path opt/containerd -prune -o -print0 |
		sort -z | xargs -0 -I{} sh -c 'if [ -f "{}" ] && [ ! -L "{}" ]; then
			echo "{} $(sha256sum <"{}" | cut -c1-64)"; else echo "{} $(stat -c %F "{}")"; fi')
}

# fl_pod NAME: a pod through the hardshim handler; its sandbox pid in $SPID.
fl_pod() {
	local cfg out
	mkdir -p "$FL/pods/$1"
	cfg=$(jq -n --arg n "$1" --arg d "$FL/pods/$1" '{ metadata: { name: $n, uid: ("uid-" + $n),
		namespace: "default" }, hostname: $n, log_directory: $d,
		linux: { cgroup_parent: "/hs-fleet", security_context: {} } }')
	run cri RunPodSandbox "$(jq -n --argjson c "$cfg" '{ config: $c, runtime_handler: "hardshim" }')"
	echo "$output"
	[ "$status" -eq 0 ] || return 1
	POD=$(jq -r .pod_sandbox_id <<<"$output")
	SPID=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\", \"verbose\": true}" |
		jq -r '.info.info | fromjson | .pid')
	grep -E '^(Uid|Gid|CapEff|NoNewPrivs|Seccomp):' "/proc/$SPID/status"
}

# fl_wait_policy FILE: until the node's installed policy is FILE (60 s at most: the watcher
# polls the ConfigMap every second, once its container has started and installed).
fl_wait_policy() {
	local _
	for _ in $(seq 1 600); do
		cmp -s "$1" "$FL/host/etc/hardshim/policy.json" && return 0
		sleep 0.1
	done
	diff "$1" "$FL/host/etc/hardshim/policy.json" | head -5
	return 1
}

@test "fleet: install as a privileged container: drop-in only, one restart, pods hardened" {
	run fl_installer install
	echo "$output"
	[ "$status" -eq 0 ]
	# The main config: the one imports line on top of the bytes it had, nothing else.
	[ "$(head -n 1 "$FL/host/etc/containerd/config.toml")" = "$IMPORTS_LINE" ]
	tail -n +2 "$FL/host/etc/containerd/config.toml" | cmp - "$FL/config.before"
	[ -f "$FL/host/etc/containerd/conf.d/hardshim.toml" ]
	[ "$(readlink "$FL/host/usr-local/bin/hardshim")" = \
		"/usr/local/lib/hardshim/$(sha256sum "$HS_BIN" | cut -c1-16)/hardshim" ]
	cmp "$FL/policy-v1.json" "$FL/host/etc/hardshim/policy.json"
	[ "$(cat "$FL/host/opt/hardshim-node-run/ready")" = "$(sha256sum <"$FL/policy-v1.json" | cut -c1-64)" ]
	# The registration changed: a restart was asked for (and is done, as systemd would).
	[ -e "$FL/host$FL_RESTART_FLAG" ]
	pid=$(cat "$FL/containerd.pid")
	fl_restart_if_requested
	[ "$(cat "$FL/containerd.pid")" != "$pid" ]
	# Installed again (a DaemonSet pod restart): nothing changed, no restart asked for.
	run fl_installer install
	[ "$status" -eq 0 ]
	[ ! -e "$FL/host$FL_RESTART_FLAG" ]
	# A pod with the hardshim handler: through the installed binary and policy, hardened.
	fl_pod p1
	[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$SPID/status")" = 65534 ]
	# nothing beyond NET_BIND_SERVICE, and what is listed is held (ambient equals bounding)
	local eff
	eff=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$SPID/status")
	[ "$eff" = 0000000000000000 ] || [ "$eff" = 0000000000000400 ]
	[ "$(awk '$1 == "CapAmb:" { print $2 }' "/proc/$SPID/status")" = "$eff" ]
	[ "$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$SPID/status")" = "$eff" ]
	[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$SPID/status")" = 1 ]
	[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$SPID/status")" = 2 ]
	tail -n 1 "$FL/launches.jsonl" | jq -e --arg id "$POD" '.id == $id and .verdict == "rewritten"'
	cri_cleanup
}

@test "fleet: Podman runs hardshim through the installer's containers.conf.d drop-in, hardened" {
	# The installer's one Podman change is its drop-in; the node's containers.conf is as it was.
	printf '[engine.runtimes]\nhardshim = ["/usr/local/bin/hardshim"]\n' |
		cmp - "$FL/host/etc/containers/containers.conf.d/hardshim.conf"
	cmp "$FL/containers.conf.before" "$FL/host/etc/containers/containers.conf"
	n=$(wc -l <"$FL/launches.jsonl")
	rm -f "$FL/pm1.cid"
	# "hardshim" resolves only through the drop-in; the installed binary reads the installed
	# policy (/etc/hardshim/policy.json on the node), whose log is $FL/launches.jsonl.
	run fl_podman run --rm --runtime hardshim --cidfile "$FL/pm1.cid" "$E2E_IMAGE" \
		sh -c "$E2E_INSIDE"
	assert_hardened
	# Podman's launch is in the node's launch log: its container, decided by hardshim.
	[ "$(wc -l <"$FL/launches.jsonl")" -gt "$n" ]
	tail -n "+$((n + 1))" "$FL/launches.jsonl" | jq -se --arg id "$(cat "$FL/pm1.cid")" \
		'map(select(.id == $id and .event == "create")) | length == 1 and
		(.[0].verdict == "rewritten") and (.[0].runtime == "/usr/bin/runc")'
	"$HS_BIN" log verify "$FL/launches.jsonl"
}

@test "fleet: a ConfigMap update reaches the next pod; containerd is not restarted" {
	pid=$(cat "$FL/containerd.pid")
	fl_installer watch -d
	fl_policy '.controls.user.uid = 4242 | .controls.user.gid = 4242' >"$FL/policy-v2.json"
	fl_configmap "$FL/policy-v2.json"
	fl_wait_policy "$FL/policy-v2.json"
	cmp "$FL/policy-v1.json" "$FL/host/etc/hardshim/policy.json.prev"
	fl_pod p2
	[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$SPID/status")" = 4242 ]
	[ "$(cat "$FL/containerd.pid")" = "$pid" ]
	kill -0 "$pid"
	[ ! -e "$FL/host$FL_RESTART_FLAG" ]
	cri_cleanup
}

@test "fleet: a broken policy is refused and the one in force stays" {
	echo '{"runtime": "/usr/bin/runc", "controls": {"user": {"uid": "nobody"}}}' >"$FL/policy-bad.json"
	fl_configmap "$FL/policy-bad.json"
	# Step 3 alone, as the watcher runs it on the swap: refused, nothing replaced.
	run fl_installer policy
	echo "$output"
	[ "$status" -ne 0 ]
	# Facts, not sentences: hardshim's loader named the rule and the place, and the installer
	# failed at its policy step (the words around them may be reworded).
	[[ "$output" == *"policy.type: controls.user.uid: "* ]]
	grep -q '^hardshim-node: FAILED: policy: ' <<<"$output"
	cmp "$FL/policy-v2.json" "$FL/host/etc/hardshim/policy.json"
	[ ! -e "$FL/host/etc/hardshim/policy.json.new" ]
	fl_pod p3
	[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$SPID/status")" = 4242 ]
	cri_cleanup
}

# fl_payload_update N: the installer image's front made a new build (bytes added after the ELF
# image: the same program, another sha256, so another directory under lib/hardshim).
fl_payload_update() {
	printf 'update %s\n' "$1" >>"$FL/installer/opt/hardshim-deploy/hardshim"
	echo "/usr/local/lib/hardshim/$(sha256sum "$FL/installer/opt/hardshim-deploy/hardshim" | cut -c1-16)"
}

@test "fleet: an update removes the builds before the previous one, which it keeps" {
	local lib=$FL/host/usr-local/lib/hardshim first a b c
	first=/usr/local/lib/hardshim/$(sha256sum "$HS_BIN" | cut -c1-16)
	[ -x "$FL/host/usr-local${first#/usr/local}/hardshim" ]
	# the ConfigMap back to the policy in force (the test above left a broken one, which the
	# installer's node check would refuse); the watcher (1 s polls) finds it unchanged
	fl_configmap "$FL/policy-v2.json"
	sleep 3
	a=$(fl_payload_update a)
	run fl_installer install
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(readlink "$FL/host/usr-local/bin/hardshim")" = "$a/hardshim" ]
	# the previous build stays for one update (containers created before the switch run its hooks)
	[ -d "$lib/${first##*/}" ] && [ -d "$lib/${a##*/}" ]
	b=$(fl_payload_update b)
	run fl_installer install
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$lib/${first##*/}" ]
	grep -qx "hardshim-node: install: removed the earlier build $first" <<<"$output"
	! grep -q "^${first}" "$FL/host/opt/hardshim-node-state/created" || false
	[ -d "$lib/${a##*/}" ] && [ -d "$lib/${b##*/}" ]
	# and so on: a is removed at the next update, b stays
	c=$(fl_payload_update c)
	run fl_installer install
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$lib/${a##*/}" ] && [ -d "$lib/${b##*/}" ] && [ -d "$lib/${c##*/}" ]
	[ "$(ls "$lib" | wc -l)" = 2 ]
	[ "$(readlink "$FL/host/usr-local/bin/hardshim")" = "$c/hardshim" ]
	# what runs is the current build: a pod, hardened, through it
	fl_pod p5
	[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$SPID/status")" = 1 ]
	cri_cleanup
}

@test "fleet: uninstall leaves the node as it was: config.toml byte-identical, no file left" {
	fl_ctr tasks kill -s KILL fleet-installer-watch
	for _ in $(seq 1 50); do
		fl_ctr tasks ls | grep -qE '^fleet-installer-watch .*RUNNING' || break
		sleep 0.1
	done
	fl_ctr tasks delete -f fleet-installer-watch || true
	fl_ctr containers delete fleet-installer-watch
	run fl_installer uninstall
	echo "$output"
	[ "$status" -eq 0 ]
	[ -e "$FL/host$FL_RESTART_FLAG" ]
	fl_restart_if_requested
	cmp "$FL/config.before" "$FL/host/etc/containerd/config.toml"
	# Podman's registration is gone with its directory; the node's containers.conf untouched.
	[ ! -e "$FL/host/etc/containers/containers.conf.d" ]
	cmp "$FL/containers.conf.before" "$FL/host/etc/containers/containers.conf"
	fl_snapshot >"$FL/after.list"
	diff "$FL/before.list" "$FL/after.list"
	# The handler is gone from containerd: a pod asking for it is refused.
	run fl_pod p4
	[ "$status" -ne 0 ]
	[[ "$output" == *"no runtime for \"hardshim\" is configured"* ]]
	# And from Podman: "hardshim" no longer names a runtime; nothing is launched or recorded.
	n=$(wc -l <"$FL/launches.jsonl")
	run fl_podman run --rm --runtime hardshim "$E2E_IMAGE" true
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(wc -l <"$FL/launches.jsonl")" -eq "$n" ]
}
