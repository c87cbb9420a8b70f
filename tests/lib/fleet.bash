# SPDX-License-Identifier: Apache-2.0
# tests/e2e/fleet.bats' node: a containerd of its own in a private mount namespace whose /etc,
# /usr/local and /opt are directories of the test ($FL/host/...), in a network namespace of
# its own. The installer (deploy/node/hardshim-node.sh) runs as a privileged container of
# that containerd, through ctr, with the node's root at /host and the policy ConfigMap at
# /config in Kubernetes' ..data layout, exactly as the DaemonSet runs it.
# shellcheck shell=bash

FL=$E2E/fleet
FL_SOCK=$FL/containerd.sock
FL_NETNS=hs-fleet-$(echo "$FL" | md5sum | cut -c1-8)
FL_CM=$FL/configmap
# The node restarts containerd through this command (run on the node by the installer): it
# leaves a request the test's supervisor (fl_restart_if_requested) carries out.
FL_RESTART_FLAG=/opt/.hs-fleet-restart
export FL FL_SOCK FL_NETNS FL_CM FL_RESTART_FLAG

# fl_host_prepare: the node's own /etc (a copy of the machine's, containerd's config
# replaced), an empty /usr/local and /opt.
fl_host_prepare() {
	rm -rf "$FL/host"
	mkdir -p "$FL/host/usr-local/bin" "$FL/host/opt" "$FL/root" "$FL/state"
	cp -a /etc "$FL/host/etc"
	rm -rf "$FL/host/etc/containerd" "$FL/host/etc/hardshim" "$FL/host/etc/containers/containers.conf.d"
	mkdir -p "$FL/host/etc/containerd" "$FL/cni"
	cat >"$FL/host/etc/containerd/config.toml" <<-EOF2
		version = 2
		root = "$FL/root"
		state = "$FL/state"
		[grpc]
		  address = "$FL_SOCK"
		[ttrpc]
		  address = "$FL/containerd.sock.ttrpc"
		[plugins."io.containerd.grpc.v1.cri"]
		  restrict_oom_score_adj = true
		  sandbox_image = "$E2E_PAUSE_IMAGE"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$FL/cni"
	EOF2
	chmod 0644 "$FL/host/etc/containerd/config.toml"
}

# fl_start: containerd in the node's namespaces; its pid in $FL/containerd.pid.
fl_start() {
	local _
	unshare -m --propagation private sh -c '
		mount --bind "$1/host/etc" /etc && mount --bind "$1/host/usr-local" /usr/local &&
		mount --bind "$1/host/opt" /opt &&
		exec nsenter --net="/run/netns/$2" containerd --config /etc/containerd/config.toml
	' fleet "$FL" "$FL_NETNS" >>"$FL/containerd.log" 2>&1 &
	echo $! >"$FL/containerd.pid"
	for _ in $(seq 1 100); do
		[ -S "$FL_SOCK" ] && ctr --address "$FL_SOCK" version >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$FL/containerd.pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "containerd did not start:" >&2
	tail -20 "$FL/containerd.log" >&2
	return 1
}

fl_stop() {
	local pid _
	[ -s "$FL/containerd.pid" ] || return 0
	pid=$(cat "$FL/containerd.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	rm -f "$FL/containerd.pid" "$FL_SOCK"
}

# fl_podman_conf: the node's own containers.conf: the tests' Podman settings (their store,
# cgroupfs, file locks: podman_setup) with no hardshim runtime in it, so that only the
# installer's containers.conf.d drop-in can make `--runtime hardshim` resolve.
fl_podman_conf() {
	mkdir -p "$FL/host/etc/containers"
	# the [engine.runtimes] table up to the next table, wherever it sits
	awk '/^\[/ { skip = ($0 == "[engine.runtimes]") } !skip && $0 != "runtime = \"hardshim\""' \
		"$PM/containers.conf" >"$FL/host/etc/containers/containers.conf"
	chmod 0644 "$FL/host/etc/containers/containers.conf"
	! grep -q '^hardshim *=' "$FL/host/etc/containers/containers.conf"
}

# fl_podman ARGS...: podman as a user on the node runs it: in a private mount namespace with
# the node's /etc, /usr/local and /opt, reading the node's containers.conf and its
# containers.conf.d (CONTAINERS_CONF unset: Podman 4.3 reads that one file alone when it is
# set), on the tests' image store.
fl_podman() {
	env -u CONTAINERS_CONF CONTAINERS_STORAGE_CONF="$PM/storage.conf" \
		timeout -k 5 "${E2E_TIMEOUT:-120}" unshare -m --propagation private sh -c '
		mount --bind "$1/host/etc" /etc && mount --bind "$1/host/usr-local" /usr/local &&
		mount --bind "$1/host/opt" /opt && shift && exec podman "$@"
	' fleet "$FL" "$@"
}

# fl_restart_if_requested: what systemctl restart containerd does on a node.
fl_restart_if_requested() {
	[ -e "$FL/host$FL_RESTART_FLAG" ] || return 0
	rm -f "$FL/host$FL_RESTART_FLAG"
	fl_stop && fl_start
}

# fl_configmap JSON-FILE: a new version of the ConfigMap, swapped in as the kubelet does
# (a new timestamped directory, ..data re-pointed by rename, the old directory removed).
fl_configmap() {
	local v old
	v="..$(date +%Y_%m_%d_%H_%M_%S.%N)"
	mkdir -p "$FL_CM/$v"
	cp "$1" "$FL_CM/$v/policy.json"
	old=$(readlink "$FL_CM/..data" 2>/dev/null || true)
	ln -sfn "$v" "$FL_CM/..data_tmp"
	mv -T "$FL_CM/..data_tmp" "$FL_CM/..data"
	[ -e "$FL_CM/policy.json" ] || ln -s ..data/policy.json "$FL_CM/policy.json"
	[ -z "$old" ] || rm -rf "${FL_CM:?}/$old"
}

# fl_installer_rootfs: the installer image's content: busybox, the script, the binary.
fl_installer_rootfs() {
	rm -rf "$FL/installer"
	hs_rootfs "$FL/installer" >/dev/null
	mkdir -p "$FL/installer/opt/hardshim-deploy" "$FL/installer/host" "$FL/installer/config"
	install -m 0755 "$HS_TOP/deploy/node/hardshim-node.sh" "$FL/installer/opt/hardshim-deploy/"
	hs_copy_hardshim "$FL/installer/opt/hardshim-deploy"
}

# fl_ctr ARGS...: ctr against the node's containerd.
fl_ctr() {
	timeout -k 5 "${E2E_TIMEOUT:-120}" ctr --address "$FL_SOCK" --namespace hs-fleet "$@"
}

# fl_installer VERB [-d]: the installer as the DaemonSet runs it, in the foreground and
# removed after, or detached with -d (watch).
fl_installer() {
	local verb=$1 mode=--rm
	[ "${2:-}" != -d ] || mode=-d
	fl_ctr run "$mode" --privileged --rootfs \
		--mount type=rbind,src=/,dst=/host,options=rbind:rw \
		--mount "type=rbind,src=$FL_CM,dst=/config,options=rbind:ro" \
		--env "HARDSHIM_RESTART_CONTAINERD=touch $FL_RESTART_FLAG" \
		--env HARDSHIM_WATCH_INTERVAL=1 --env HARDSHIM_STATE_DIR=/opt/hardshim-node-state \
		--env HARDSHIM_READY_DIR=/opt/hardshim-node-run \
		"$FL/installer" "fleet-installer-$verb" /opt/hardshim-deploy/hardshim-node.sh "$verb"
}
