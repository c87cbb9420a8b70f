# SPDX-License-Identifier: Apache-2.0
# End-to-end helpers: hardshim installed the way an operator installs it (make install, policy
# at SYSCONFDIR/hardshim/policy.json), Podman (with conmon) and containerd configured to call
# it, and a busybox image built offline. Everything lives under $E2E (build/e2e), owned by
# the tests: Podman's root/runroot/tmp, containerd's root/state/socket, and the daemon's pid.
#
# Why install instead of $HS_BIN + HARDSHIM_POLICY: Podman calls the runtime with only
# XDG_RUNTIME_DIR and PATH in its environment (docs/runtime-differences.md), so hardshim must find
# its policy at the built-in path, exactly as on an operator's machine. The e2e copy is built with
# SYSCONFDIR=$E2E/etc, so the machine's /etc is never touched.

# shellcheck source=tests/lib/bundle.bash
source "${BASH_SOURCE[0]%/*}/bundle.bash"

: "${E2E:=$HS_BUILD/e2e}"
E2E_BIN=$E2E/usr/bin/hardshim
E2E_POLICY=$E2E/etc/hardshim/policy.json
E2E_IMAGE=localhost/hs-busybox:latest
PM=$E2E/podman
CD=$E2E/containerd
CD_SOCK=$CD/containerd.sock
CD_NS=hs-e2e
export E2E E2E_BIN E2E_POLICY E2E_IMAGE PM CD CD_SOCK CD_NS

e2e_require() {
	[ "$(id -u)" = 0 ] || skip "needs root (containers are created for real)"
	local c
	for c in podman conmon containerd ctr containerd-shim-runc-v2 runc crun busybox jq; do
		command -v "$c" >/dev/null || {
			echo "$c is not installed: run scripts/install-deps.sh" >&2
			return 1
		}
	done
	sh "$HS_TOP/scripts/prepare-host.sh"
}

# e2e_install: make install into $E2E (its own build dir, SYSCONFDIR=$E2E/etc). Serialized
# with a lock: the podman and containerd suites may share it. A fresh machine builds all of
# hardshim here: with the machine's cores (install's recipe runs after everything it names is
# built, as in `make -j`).
e2e_install() {
	mkdir -p "$E2E"
	(
		flock 9
		make -s -j"$(nproc)" -C "$HS_TOP" install BUILD="$E2E/build" PREFIX="$E2E/usr" \
			SYSCONFDIR="$E2E/etc" >"$E2E/install.log" 2>&1
	) 9>"$E2E/.install.lock" || {
		cat "$E2E/install.log" >&2
		return 1
	}
	[ -x "$E2E_BIN" ]
}

# e2e_policy RUNTIME [JQ-FILTER [jq args...]]: the shipped default policy with RUNTIME (runc,
# crun) behind hardshim and the launch trail in $E2E, edited by an optional jq filter.
e2e_policy() {
	local rt filter=${2:-.}
	rt=$(hs_runtime_path "$1") || return 1
	shift 2 || shift $#
	mkdir -p "${E2E_POLICY%/*}"
	jq --arg rt "$rt" --arg log "$E2E/launches.jsonl" '.runtime = $rt | .log.path = $log' \
		"$HS_TOP/profiles/policy/default.json" | jq "$@" "$filter" >"$E2E_POLICY.new" &&
		chmod 0644 "$E2E_POLICY.new" && mv "$E2E_POLICY.new" "$E2E_POLICY"
	E2E_RUNTIME=$rt
	export E2E_RUNTIME
}

# e2e_rootfs_tar: a busybox-static rootfs as a tarball, for `podman import`.
e2e_rootfs_tar() {
	local tar=$E2E/busybox-rootfs.tar
	[ -s "$tar" ] && { echo "$tar"; return 0; }
	rm -rf "$E2E/rootfs"
	hs_rootfs "$E2E/rootfs" >&2 || return 1
	tar -C "$E2E/rootfs" -cf "$tar.new" . && mv "$tar.new" "$tar" && echo "$tar"
}

# What every hardened container must show from inside: uid 65534, no capability beyond
# NET_BIND_SERVICE, and that one really held (the engines grant it to a root image: hardshim
# remaps the uid and puts it in ambient, so every set shows it), no_new_privs, seccomp
# filtering, a read-only root and a writable /tmp.
# shellcheck disable=SC2034 # used by the suites that load this library
E2E_INSIDE='id -u; id -g; grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status;
touch /probe 2>&1; touch /tmp/probe && echo tmp-writable'

# assert_hardened: $output (and $lines) are what $E2E_INSIDE printed in the container.
# shellcheck disable=SC2154 # output and lines are bats' (set by `run`)
assert_hardened() {
	echo "$output"
	[ "${lines[0]}" = 65534 ]
	[ "${lines[1]}" = 65534 ]
	local set
	for set in CapInh CapPrm CapEff CapBnd CapAmb; do
		grep -qx "$set:	0000000000000400" <<<"$output"
	done
	grep -qx 'NoNewPrivs:	1' <<<"$output"
	grep -qx 'Seccomp:	2' <<<"$output"
	grep -qx 'touch: /probe: Read-only file system' <<<"$output"
	grep -qx 'tmp-writable' <<<"$output"
}

# assert_refusal ENGINE-PREFIX RULE PATH: $output has a line that starts with the engine's own
# prefix, then hardshim's single "hardshim: ", the refusal's rule id and its JSON path. Rule ids
# and paths are the stable interface operators match (docs/policy.md, "Rule ids"); the sentence
# after them is for people and may be reworded without breaking this.
# shellcheck disable=SC2154 # output is bats' (set by `run`)
assert_refusal() {
	local want="$1hardshim: $2: $3: "
	awk -v w="$want" 'index($0, w) == 1 { found = 1 } END { exit !found }' <<<"$output" || {
		echo "no line starting with: $want" >&2
		return 1
	}
}

# --- Podman ---------------------------------------------------------------------------------

# podman_setup: containers.conf and storage.conf of the tests' own (cgroupfs, file events,
# ulimits within this machine's hard limits, file locks, hardshim as the runtime and in
# runtime_supports_json so Podman shows hardshim's error lines), then the busybox image.
podman_setup() {
	local nofile nproc
	mkdir -p "$PM"/{root,runroot,tmp,netconf}
	nofile=$(ulimit -Hn)
	nproc=$(ulimit -Hu)
	[ "$nofile" = unlimited ] && nofile=1048576
	[ "$nproc" = unlimited ] && nproc=32768
	[ "$nofile" -gt 1048576 ] && nofile=1048576
	[ "$nproc" -gt 32768 ] && nproc=32768
	cat >"$PM/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$PM/root"
		runroot = "$PM/runroot"
	EOF
	cat >"$PM/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
		log_driver = "k8s-file"
		netns = "none"

		[network]
		network_config_dir = "$PM/netconf"

		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PM/events.log"
		lock_type = "file"
		tmp_dir = "$PM/tmp"
		volume_path = "$PM/root/volumes"
		runtime = "hardshim"
		runtime_supports_json = ["hardshim", "crun", "runc"]

		[engine.runtimes]
		hardshim = ["$E2E_BIN"]
	EOF
	export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf
	if ! pm image exists "$E2E_IMAGE"; then
		pm import --change 'CMD ["sh"]' "$(e2e_rootfs_tar)" "$E2E_IMAGE" >/dev/null || return 1
	fi
}

# pm ARGS...: podman with the tests' configuration (and a timeout: a hang fails the test).
pm() {
	CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf \
		timeout -k 5 "${E2E_TIMEOUT:-120}" podman "$@"
}

# podman_cleanup: remove every container of the tests' store (it is the tests' own).
podman_cleanup() {
	[ -f "$PM/containers.conf" ] || return 0
	pm rm --all --force --time 0 >/dev/null 2>&1 || true
}

# --- containerd -----------------------------------------------------------------------------

# containerd_start [EXTRA-TOML]: a containerd daemon of the tests' own: root, state, socket
# and config under $CD (CRI with restrict_oom_score_adj, a "hardshim" runtime entry with
# options.BinaryName), its pid recorded in $CD/containerd.pid. Idempotent.
containerd_start() {
	local _
	if [ -s "$CD/containerd.pid" ] && kill -0 "$(cat "$CD/containerd.pid")" 2>/dev/null; then
		return 0
	fi
	mkdir -p "$CD"/{root,state}
	cat >"$CD/config.toml" <<-EOF
		version = 2
		root = "$CD/root"
		state = "$CD/state"
		[grpc]
		  address = "$CD_SOCK"
		[ttrpc]
		  address = "$CD/containerd.sock.ttrpc"
		[debug]
		  address = "$CD/debug.sock"
		[plugins."io.containerd.grpc.v1.cri"]
		  restrict_oom_score_adj = true
		  sandbox_image = "${CD_SANDBOX_IMAGE:-$E2E_IMAGE}"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$CD/cni"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "hardshim"
		  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardshim]
		    runtime_type = "io.containerd.runc.v2"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardshim.options]
		      BinaryName = "$E2E_BIN"
		${1:-}
	EOF
	mkdir -p "$CD/cni"
	# In CD_NETNS (a test-made network namespace) when set: the CRI suite's CNI bridge and its
	# pods' veths then never touch the host's network. nsenter execs, so $! is containerd.
	${CD_NETNS:+nsenter --net="/run/netns/$CD_NETNS"} \
		containerd --config "$CD/config.toml" >"$CD/containerd.log" 2>&1 &
	echo $! >"$CD/containerd.pid"
	for _ in $(seq 1 100); do
		[ -S "$CD_SOCK" ] && cr version >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$CD/containerd.pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "containerd did not start:" >&2
	tail -20 "$CD/containerd.log" >&2
	return 1
}

# containerd_stop: stop the daemon this suite started, by its recorded pid only.
containerd_stop() {
	local pid _
	[ -s "$CD/containerd.pid" ] || return 0
	pid=$(cat "$CD/containerd.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	rm -f "$CD/containerd.pid"
}

# cr ARGS...: ctr against the tests' daemon, in the tests' namespace.
cr() {
	timeout -k 5 "${E2E_TIMEOUT:-120}" ctr --address "$CD_SOCK" --namespace "$CD_NS" "$@"
}

# containerd_image: the Podman-built image, moved over as an OCI archive.
containerd_image() {
	cr images ls -q | grep -qxF "$E2E_IMAGE" && return 0
	rm -f "$E2E/busybox-oci.tar"
	pm save --format oci-archive -o "$E2E/busybox-oci.tar" "$E2E_IMAGE" >/dev/null || return 1
	cr images import --base-name "${E2E_IMAGE%:*}" "$E2E/busybox-oci.tar" >/dev/null || return 1
	cr images ls -q | grep -qxF "$E2E_IMAGE"
}

# containerd_cleanup: kill and delete every task and container of the tests' namespace.
containerd_cleanup() {
	local id
	[ -S "$CD_SOCK" ] || return 0
	for id in $(cr tasks ls -q 2>/dev/null); do
		cr tasks kill -s KILL "$id" >/dev/null 2>&1 || true
	done
	for id in $(cr containers ls -q 2>/dev/null); do
		cr tasks delete -f "$id" >/dev/null 2>&1 || true
		cr containers delete "$id" >/dev/null 2>&1 || true
	done
}

# --- containerd's CRI plugin: the kubelet's path -------------------------------------------
# The CRI suite runs a daemon of its own ($CD points elsewhere there) inside a network
# namespace it made (CD_NETNS): its CNI bridge and the pods' veths live there, addressed from
# 198.18.200.0/24 with no route anywhere. Pods go through the config.toml runtime entry
# ("hardshim", options.BinaryName); tests/e2e/cri/cri-call is the CRI client (gRPC, as the
# kubelet calls), since crictl is not packaged in Debian 12.

CRI_CALL=$HS_TOP/tests/e2e/cri/cri-call
E2E_PAUSE_IMAGE=localhost/hs-pause:latest
export CRI_CALL E2E_PAUSE_IMAGE

# cri METHOD [REQUEST-JSON]: one CRI RuntimeService call to the tests' daemon.
cri() {
	CRI_PB_DIR=$E2E/cri-pb timeout -k 5 "${E2E_TIMEOUT:-120}" "$CRI_CALL" "$CD_SOCK" "$@"
}

# cri_netns_start NAME: the test-made network namespace the daemon runs in (loopback up: the
# CRI streaming server listens on 127.0.0.1).
cri_netns_start() {
	ip netns list | grep -qw "$1" || ip netns add "$1" || return 1
	ip -n "$1" link set lo up
}

# cri_netns_stop NAME: remove it (after the daemon and every pod are gone).
cri_netns_stop() {
	! ip netns list | grep -qw "$1" || ip netns del "$1"
}

# cri_cni_config: one bridge network inside the daemon's namespace, no gateway, no masquerade,
# no routes; host-local addresses from 198.18.200.0/24, its state under $CD.
cri_cni_config() {
	mkdir -p "$CD/cni"
	cat >"$CD/cni/10-hs-cri.conflist" <<-EOC
		{
		  "cniVersion": "0.4.0",
		  "name": "hs-cri",
		  "plugins": [{
		    "type": "bridge", "bridge": "hs-cri0", "isGateway": false, "ipMasq": false,
		    "ipam": {
		      "type": "host-local", "dataDir": "$CD/cni-ipam",
		      "ranges": [[{ "subnet": "198.18.200.0/24" }]]
		    }
		  }]
		}
	EOC
}

# cri_images: the busybox image and a "pause" image (the same rootfs, sleeping) in the CRI
# plugin's namespace, k8s.io, moved over from Podman as OCI archives.
cri_images() {
	local img
	if ! pm image exists "$E2E_PAUSE_IMAGE"; then
		pm import --change 'CMD ["/bin/sleep", "2147483647"]' "$(e2e_rootfs_tar)" \
			"$E2E_PAUSE_IMAGE" >/dev/null || return 1
	fi
	for img in "$E2E_IMAGE" "$E2E_PAUSE_IMAGE"; do
		CD_NS=k8s.io cr images ls -q | grep -qxF "$img" && continue
		rm -f "$E2E/cri-image.tar"
		pm save --format oci-archive -o "$E2E/cri-image.tar" "$img" >/dev/null || return 1
		CD_NS=k8s.io cr images import --base-name "${img%:*}" "$E2E/cri-image.tar" >/dev/null ||
			return 1
		CD_NS=k8s.io cr images ls -q | grep -qxF "$img" || return 1
	done
}

# cri_cleanup: stop and remove every pod of the tests' daemon (their containers go with them).
cri_cleanup() {
	local id
	[ -S "$CD_SOCK" ] || return 0
	for id in $(cri ListPodSandbox '{}' 2>/dev/null | jq -r '.items[]?.id'); do
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null || true
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null || true
	done
}
