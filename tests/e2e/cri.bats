#!/usr/bin/env bats
# containerd's CRI plugin — the path the kubelet takes — with hardshim as the runtime handler:
# the config.toml entry "hardshim" (runtime_type io.containerd.runc.v2, options.BinaryName =
# the installed hardshim), runc or crun behind it. Pods and containers are asked for over
# gRPC exactly as the kubelet asks (tests/e2e/cri/cri-call; crictl is not packaged in
# Debian 12). The daemon is this suite's own (root, state, socket, config under
# build/e2e/cri-containerd), started inside a network namespace the suite made, so the CNI
# bridge and the pods' veths (198.18.200.0/24, no routes) never touch the host's network;
# it is stopped by its recorded pid.

load ../lib/e2e

# This suite's daemon (set here, not in setup_file: every test loads the library again).
CD=$E2E/cri-containerd
CD_SOCK=$CD/containerd.sock
# (named after this checkout, so two checkouts on one machine do not share it)
CD_NETNS=hs-cri-$(echo "$CD" | md5sum | cut -c1-8)
CD_SANDBOX_IMAGE=$E2E_PAUSE_IMAGE
export CD CD_SOCK CD_NETNS CD_SANDBOX_IMAGE

setup_file() {
	e2e_require
	/usr/bin/python3 -c 'import grpc, google.protobuf' && command -v protoc >/dev/null || {
		echo "python3-grpcio, python3-protobuf or protoc missing: run scripts/install-deps.sh" >&2
		return 1
	}
	e2e_install
	e2e_policy runc
	podman_setup
	cri_netns_start "$CD_NETNS"
	cri_cni_config
	containerd_start
	cri_images
}

teardown_file() {
	local d
	cri_cleanup
	containerd_stop
	cri_netns_stop "$CD_NETNS"
	# The pods' parent cgroup (cgroup_parent below), empty once the pods are gone.
	for d in /sys/fs/cgroup/*/hs-cri; do
		[ ! -d "$d" ] || rmdir "$d" 2>/dev/null || true
	done
}

teardown() {
	[ -z "${E2E_RUNTIME:-}" ] || e2e_policy "$E2E_RUNTIME"
	cri_cleanup
}

# assert_proc_hardened PID: the same, read from the host's /proc.
assert_proc_hardened() {
	local st=/proc/$1/status
	grep -E '^(Uid|Gid|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' "$st"
	[ "$(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' "$st")" = 65534655346553465534 ]
	[ "$(awk '$1 == "Gid:" { print $2 }' "$st")" = 65534 ]
	# nothing beyond NET_BIND_SERVICE, and what is listed is held: the same mask in every set
	local eff set
	eff=$(awk '$1 == "CapEff:" { print $2 }' "$st")
	[ "$eff" = 0000000000000000 ] || [ "$eff" = 0000000000000400 ]
	for set in CapPrm CapInh CapBnd CapAmb; do
		[ "$(awk -v f="$set:" '$1 == f { print $2 }' "$st")" = "$eff" ]
	done
	[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "$st")" = 1 ]
	[ "$(awk '$1 == "Seccomp:" { print $2 }' "$st")" = 2 ]
}

# pod_config NAME [LINUX-SANDBOX-SECURITY-CONTEXT]: a PodSandboxConfig as the kubelet sends it
# (no hostname for a pod in the node's network namespace, as the kubelet does).
pod_config() {
	mkdir -p "$CD/pods/$1"
	jq -n --arg n "$1" --arg d "$CD/pods/$1" --argjson sc "${2:-"{}"}" \
		--arg ns "${POD_NAMESPACE:-hs-e2e}" '{
		metadata: { name: $n, uid: ("uid-" + $n), namespace: $ns },
		hostname: (if $sc.namespace_options.network == "NODE" then "" else $n end),
		log_directory: $d, linux: { cgroup_parent: "/hs-cri", security_context: $sc } }'
}

# run_pod NAME [SECURITY-CONTEXT]: RunPodSandbox with the hardshim handler; the id in $POD,
# its config in $POD_CONFIG (CreateContainer sends it again).
run_pod() {
	POD_CONFIG=$(pod_config "$@")
	run cri RunPodSandbox "$(jq -n --argjson c "$POD_CONFIG" \
		'{ config: $c, runtime_handler: "hardshim" }')"
	echo "$output"
	POD=$(jq -r .pod_sandbox_id <<<"$output" 2>/dev/null) || POD=
}

# create_ctr NAME JQ-CONFIG: CreateContainer in $POD with the busybox image, the config
# edited by JQ-CONFIG; the id in $CTR.
create_ctr() {
	local req
	req=$(jq -n --arg pod "$POD" --argjson sc "$POD_CONFIG" --arg n "$1" \
		--arg img "$E2E_IMAGE" '{ pod_sandbox_id: $pod, sandbox_config: $sc,
		config: { metadata: { name: $n }, image: { image: $img }, log_path: ($n + ".log") } }' |
		jq "$2")
	CTR=$(cri CreateContainer "$req" | jq -r .container_id)
	[ -n "$CTR" ]
}

# info_pid ID pod|ctr: the pid the CRI plugin reports (verbose status info).
info_pid() {
	if [ "$2" = pod ]; then
		cri PodSandboxStatus "{\"pod_sandbox_id\": \"$1\", \"verbose\": true}"
	else
		cri ContainerStatus "{\"container_id\": \"$1\", \"verbose\": true}"
	fi | jq -r '.info.info | fromjson | .pid'
}

# wait_exited ID: until the container has exited (10 s at most); its status in $output.
wait_exited() {
	local _
	for _ in $(seq 1 100); do
		output=$(cri ContainerStatus "{\"container_id\": \"$1\"}")
		[ "$(jq -r .status.state <<<"$output")" = CONTAINER_EXITED ] && return 0
		sleep 0.1
	done
	echo "$output"
	return 1
}

record_of() {
	grep -F "\"id\":\"$1\"" "$E2E/launches.jsonl" | tail -n 1
}

scenario_pod() {
	local spid cpid
	e2e_policy "$1"
	run_pod "pod-$1"
	[ "$status" -eq 0 ]
	run cri PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\"}"
	echo "$output"
	[ "$(jq -r .status.state <<<"$output")" = SANDBOX_READY ]
	[ "$(jq -r .status.runtime_handler <<<"$output")" = hardshim ]
	[[ "$(jq -r .status.network.ip <<<"$output")" == 198.18.200.* ]]
	# The sandbox ("pause") container went through hardshim, rewritten, with $1 behind it.
	[ "$(record_of "$POD" | jq -r .verdict)" = rewritten ]
	[ "$(record_of "$POD" | jq -r .runtime)" = "$E2E_RUNTIME" ]
	spid=$(info_pid "$POD" pod)
	assert_proc_hardened "$spid"
	# Egress rules are in the pod's network namespace (installed by hardshim's hook).
	nsenter --net="/proc/$spid/ns/net" nft list table inet hardshim >/dev/null
	[ "$(stat -L -c %i "/proc/$spid/ns/net")" != "$(stat -L -c %i "/run/netns/$CD_NETNS")" ]

	# A hostile container spec: uid 0, SYS_ADMIN and NET_RAW added, no_new_privs off.
	create_ctr app '.config.command = ["sleep", "1000"] |
		.config.linux.security_context = { run_as_user: { value: 0 },
		capabilities: { add_capabilities: ["SYS_ADMIN", "NET_RAW"] } }'
	run cri StartContainer "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	[ "$(record_of "$CTR" | jq -r .verdict)" = rewritten ]
	cpid=$(info_pid "$CTR" ctr)
	assert_proc_hardened "$cpid"
	# In the pod's network namespace, not the daemon's.
	[ "$(stat -L -c %i "/proc/$cpid/ns/net")" = "$(stat -L -c %i "/proc/$spid/ns/net")" ]

	# ExecSync (what `kubectl exec` and exec probes use): hardened too, and recorded.
	run cri ExecSync "$(jq -n --arg c "$CTR" --arg sh "$E2E_INSIDE" \
		'{ container_id: $c, cmd: ["sh", "-c", $sh], timeout: 30 }')"
	[ "$status" -eq 0 ]
	[ "$(jq -r .exit_code <<<"$output")" = 0 ]
	output=$(jq -r .stdout <<<"$output")
	mapfile -t lines <<<"$output"
	assert_hardened
	[ "$(tail -n 1 "$E2E/launches.jsonl" | jq -r '.event + " " + .id')" = "exec $CTR" ]

	run cri StopContainer "{\"container_id\": \"$CTR\", \"timeout\": 0}"
	[ "$status" -eq 0 ]
	wait_exited "$CTR"
	run cri RemoveContainer "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	run cri StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
	[ "$status" -eq 0 ]
	run cri RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
	[ "$status" -eq 0 ]
	[ "$(cri ListPodSandbox '{}' | jq '.items | length')" = 0 ]
	[ ! -e "/proc/$cpid" ] || [ "$(awk '$1 == "State:" { print $2 }' "/proc/$cpid/status")" = Z ]
}

@test "CRI pod + hostile container + ExecSync through the hardshim handler: hardened (runc)" { scenario_pod runc; }
@test "CRI pod + hostile container + ExecSync through the hardshim handler: hardened (crun)" { scenario_pod crun; }

# The container's own output, read from the CRI log file ("<time> <stream> <tag> <line>").
scenario_log() {
	e2e_policy "$1"
	run_pod "log-$1"
	[ "$status" -eq 0 ]
	create_ctr inside ".config.command = [\"sh\", \"-c\", $(jq -Rs . <<<"$E2E_INSIDE")]"
	run cri StartContainer "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	wait_exited "$CTR"
	[ "$(jq -r .status.exit_code <<<"$output")" = 0 ]
	output=$(cut -d' ' -f4- "$(jq -r .status.log_path <<<"$output")")
	mapfile -t lines <<<"$output"
	assert_hardened
	# The exit status reaches the kubelet through hardshim, the runtime and the shim.
	create_ctr seven '.config.command = ["sh", "-c", "exit 7"]'
	run cri StartContainer "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	wait_exited "$CTR"
	[ "$(jq -r .status.exit_code <<<"$output")" = 7 ]
}

@test "CRI container that exits: hardened in its log, exit status kept (runc)" { scenario_log runc; }
@test "CRI container that exits: hardened in its log, exit status kept (crun)" { scenario_log crun; }

# The kubelet shows the runtime's error: RunPodSandbox / StartContainer fail with hardshim's
# reason, and the container's status message (what `kubectl describe pod` prints) keeps it.
PREFIX='cri-call: %s: UNKNOWN: failed to create containerd task: failed to create shim task: OCI runtime create failed: hardshim: %s: unknown'

scenario_refused() {
	local want
	e2e_policy "$1"
	# hostNetwork: true
	run_pod "hostnet-$1" '{ "namespace_options": { "network": "NODE" } }'
	[ "$status" -ne 0 ]
	# shellcheck disable=SC2059
	want=$(printf "$PREFIX" RunPodSandbox "namespaces.missing: linux.namespaces: no network namespace: the container would share the host's (and 1 more refusals)")
	[ "$output" = "$want" ]
	[ "$(tail -n 1 "$E2E/launches.jsonl" | jq -r .verdict)" = refused ]

	# hostPID: true
	run_pod "hostpid-$1" '{ "namespace_options": { "pid": "NODE" } }'
	[ "$status" -ne 0 ]
	# shellcheck disable=SC2059
	want=$(printf "$PREFIX" RunPodSandbox "namespaces.missing: linux.namespaces: no pid namespace: the container would share the host's")
	[ "$output" = "$want" ]

	# hostIPC: true brings the host's /dev/shm.
	run_pod "hostipc-$1" '{ "namespace_options": { "ipc": "NODE" } }'
	[ "$status" -ne 0 ]
	# shellcheck disable=SC2059
	want=$(printf "$PREFIX" RunPodSandbox "mounts.sensitive-source: mounts[6].source: bind source /dev/shm resolves to /dev/shm, beneath the sensitive path /dev")
	[ "$output" = "$want" ]

	# A hostPath volume of /etc, in an ordinary pod.
	run_pod "vol-$1"
	[ "$status" -eq 0 ]
	create_ctr etc '.config.command = ["sleep", "1000"] |
		.config.mounts = [{ container_path: "/host", host_path: "/etc", readonly: true }]'
	run cri StartContainer "{\"container_id\": \"$CTR\"}"
	[ "$status" -ne 0 ]
	# shellcheck disable=SC2059
	want=$(printf "$PREFIX" StartContainer "mounts.sensitive-source: mounts[6].source: bind source /etc resolves to /etc, the sensitive path /etc")
	[ "$output" = "$want" ]
	run cri ContainerStatus "{\"container_id\": \"$CTR\"}"
	[ "$(jq -r .status.reason <<<"$output")" = StartError ]
	[ "$(jq -r .status.message <<<"$output")" = "${want#cri-call: StartContainer: UNKNOWN: }" ]
	[ "$(record_of "$CTR" | jq -r .verdict)" = refused ]

	# privileged: true (the pod must allow it): every capability and host device, refused
	# and named as what it is (the first refused device depends on the host).
	run_pod "priv-$1" '{ "privileged": true }'
	[ "$status" -eq 0 ]
	create_ctr priv '.config.command = ["sleep", "1000"] |
		.config.linux.security_context = { privileged: true }'
	run cri StartContainer "{\"container_id\": \"$CTR\"}"
	echo "$output"
	[ "$status" -ne 0 ]
	assert_refusal 'cri-call: StartContainer: UNKNOWN: failed to create containerd task: failed to create shim task: OCI runtime create failed: ' privileged '(document)'
	grep -qE 'first devices\.not-allowed: linux\.devices\[[0-9]+\]' <<<"$output"
}

@test "CRI hostNetwork, hostPID, hostIPC, hostPath /etc, privileged: refused, reason shown (runc)" { scenario_refused runc; }
@test "CRI hostNetwork, hostPID, hostIPC, hostPath /etc, privileged: refused, reason shown (crun)" { scenario_refused crun; }

@test "CRI control runs: with the controls off, the hostile pods and containers run as asked" {
	local spid
	e2e_policy runc '.controls.namespaces.enabled = false | .controls.egress.enabled = false'
	run_pod hostnet '{ "namespace_options": { "network": "NODE" } }'
	[ "$status" -eq 0 ]
	spid=$(info_pid "$POD" pod)
	# The daemon's network namespace (the "host" of this suite).
	[ "$(stat -L -c %i "/proc/$spid/ns/net")" = "$(stat -L -c %i "/run/netns/$CD_NETNS")" ]
	cri_cleanup

	e2e_policy runc '.controls.mounts.enabled = false'
	run_pod ipc '{ "namespace_options": { "ipc": "NODE" } }'
	[ "$status" -eq 0 ]
	create_ctr etc '.config.command = ["sh", "-c", "cat /host/hostname; sleep 1000"] |
		.config.mounts = [{ container_path: "/host", host_path: "/etc", readonly: true }]'
	run cri StartContainer "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	run cri ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"cat\", \"/host/hostname\"]}"
	[ "$(jq -r .stdout <<<"$output")" = "$(cat /etc/hostname)" ]
	cri_cleanup

	e2e_policy runc '.controls.user.enabled = false | .controls.capabilities.enabled = false'
	run_pod root
	[ "$status" -eq 0 ]
	create_ctr root '.config.command = ["sleep", "1000"] |
		.config.linux.security_context = { run_as_user: { value: 0 },
		capabilities: { add_capabilities: ["SYS_ADMIN"] } }'
	run cri StartContainer "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	spid=$(info_pid "$CTR" ctr)
	[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$spid/status")" = 0 ]
	hs_cap_has "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$spid/status")" 21
	cri_cleanup

	e2e_policy runc '.controls.devices.enabled = false'
	run_pod priv '{ "privileged": true }'
	[ "$status" -eq 0 ]
	create_ctr priv '.config.command = ["sleep", "1000"] |
		.config.linux.security_context = { privileged: true }'
	run cri StartContainer "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	run cri ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"ls\", \"/dev\"]}"
	grep -qxE '(vd|sd|nvme|loop)[a-z0-9]*' <<<"$(jq -r .stdout <<<"$output")"
}

# A node agent's pod (hostNetwork) under a policy exception matched on the Kubernetes
# namespace the CRI plugin writes into the sandbox's annotations: it runs there, and the same
# pod in another namespace is still refused.
@test "CRI exception by namespace: a hostNetwork pod in kube-system runs, elsewhere refused" {
	local spid
	e2e_policy runc '.exceptions = [{ name: "node-agents",
		match: { annotations: { "io.kubernetes.cri.sandbox-namespace": "kube-system" } },
		controls: { namespaces: { enabled: false }, egress: { enabled: false } } }]'
	POD_NAMESPACE=kube-system run_pod agent '{ "namespace_options": { "network": "NODE" } }'
	[ "$status" -eq 0 ]
	spid=$(info_pid "$POD" pod)
	[ "$(stat -L -c %i "/proc/$spid/ns/net")" = "$(stat -L -c %i "/run/netns/$CD_NETNS")" ]
	# Still hardened otherwise, and the record names the exception.
	assert_proc_hardened "$spid"
	record_of "$POD" | jq -e '[.findings[].exception] | index("node-agents")'
	POD_NAMESPACE=default run_pod agent2 '{ "namespace_options": { "network": "NODE" } }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: namespaces.missing: linux.namespaces: "* ]]
}
