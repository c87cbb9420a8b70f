#!/bin/sh
# shellcheck shell=dash # busybox ash or dash: both have local
# SPDX-License-Identifier: Apache-2.0
# hardshim's node installer: the entry point of the hardshim-node DaemonSet
# (deploy/kubernetes/). It runs in a privileged container with the node's root filesystem at
# $HOST (/host) and the policy ConfigMap at $CONFIG (/config, Kubernetes' ..data layout), and
# changes the node only through files it owns, each step failing closed:
#
#   install   1. check the node: the libraries hardshim loads, the runtime its policy names,
#                a canary `hardshim check` of the runtime's own default spec;
#             2. the binary to $PREFIX/lib/hardshim/<sha256>/hardshim, the symlink
#                $PREFIX/bin/hardshim switched by rename;
#             3. the policy from the ConfigMap, validated by that binary's strict loader, then
#                installed by rename; the previous one kept as policy.json.prev;
#             4. registration: a containerd drop-in (and one `imports` entry in config.toml,
#                the only line ever added to a file this script does not own) and a Podman
#                containers.conf.d file;
#             5. containerd restarted only when the registration changed;
#             6. readiness: $HOST/run/hardshim-node/ready (the DaemonSet's readiness probe)
#                and, with kubectl and NODE_NAME, the node label hardshim.io/ready=true.
#   watch     install, then follow the ConfigMap: on every ..data swap the policy is
#             validated and re-installed (step 3 only; nothing is restarted: hardshim reads
#             its policy on every call).
#   uninstall the reverse: registration removed, containerd restarted, then the binary, the
#             policy and every file and directory install made; config.toml back to its
#             bytes before install.
#   policy    step 3 alone (what watch does on a change).
#
# What it made is listed in $STATE/created (one path a line), so uninstall removes exactly
# that and nothing the node had before.
set -eu

HOST=${HARDSHIM_HOST:-/host}
CONFIG=${HARDSHIM_CONFIG:-/config}
PAYLOAD=${HARDSHIM_PAYLOAD:-/opt/hardshim-deploy/hardshim}
# The front (PAYLOAD) execs its core, hardshim-core-BUILDID, from its own directory: the core
# is shipped beside it and always installed beside it, before the front.
PREFIX=${HARDSHIM_PREFIX:-/usr/local}
CONTAINERD_CONFIG=${HARDSHIM_CONTAINERD_CONFIG:-/etc/containerd/config.toml}
CONTAINERD_DROPIN_DIR=${HARDSHIM_CONTAINERD_DROPIN_DIR:-/etc/containerd/conf.d}
PODMAN_DROPIN_DIR=${HARDSHIM_PODMAN_DROPIN_DIR:-/etc/containers/containers.conf.d}
# How the node restarts containerd (run on the host, through chroot). Without systemd,
# an operator names their own.
RESTART=${HARDSHIM_RESTART_CONTAINERD:-systemctl restart containerd}
WATCH_INTERVAL=${HARDSHIM_WATCH_INTERVAL:-2}
STATE_REL=${HARDSHIM_STATE_DIR:-/var/lib/hardshim-node}
READY_REL=${HARDSHIM_READY_DIR:-/run/hardshim-node}
STATE=$HOST$STATE_REL
POLICY_REL=/etc/hardshim/policy.json
BIN_REL=$PREFIX/bin/hardshim
DROPIN_REL=$CONTAINERD_DROPIN_DIR/hardshim.toml
IMPORTS_LINE="imports = [\"$DROPIN_REL\"] # added by hardshim-node; removed by its uninstall"
# Shared libraries the node must have for hardshim: none. The front and the core are both
# -static-pie programs, every library linked in (README, "License").
LIBS=""

say() { echo "hardshim-node: $*" >&2; }
# payload_core: the core beside the payload (exactly one).
payload_core() {
	set -- "$(dirname "$PAYLOAD")"/hardshim-core-*
	[ "$#" -eq 1 ] && [ -f "$1" ] || die "the payload's core (hardshim-core-* beside $PAYLOAD) is missing or not one"
	echo "$1"
}
die() {
	say "FAILED: $*"
	exit 1
}

# on_host CMD...: a command on the node, as the node would run it.
on_host() { chroot "$HOST" "$@"; }

# created PATH (host-relative): remember that install made it.
created() {
	grep -qxF "$1" "$STATE/created" 2>/dev/null || echo "$1" >>"$STATE/created"
}

# mkdirs DIR (host-relative): make DIR and the parents missing, each recorded.
mkdirs() {
	[ -d "$HOST$1" ] && return 0
	mkdirs "$(dirname "$1")"
	mkdir -m 0755 "$HOST$1"
	created "$1"
}

# The ConfigMap version everything below reads: the directory Kubernetes' ..data symlink
# named when it was taken (config_take). Reading through that name, not through ..data,
# ties what is installed to the version the watcher remembers: a swap in between is seen
# on the next poll instead of being taken for the version already installed.
CM_VERSION=

# config_take: the version ..data names now, in CM_VERSION.
config_take() {
	CM_VERSION=$(readlink "$CONFIG/..data") || die "no ..data symlink in the ConfigMap at $CONFIG"
}

# policy_file: the taken version's policy; when Kubernetes swapped it away since (the old
# directory is removed after the swap), the version ..data names now. The watcher still
# remembers the one it took, so it sees the swap on its next poll and installs again.
policy_file() {
	[ -f "$CONFIG/$CM_VERSION/policy.json" ] || config_take
	[ -f "$CONFIG/$CM_VERSION/policy.json" ] ||
		die "no policy.json in the ConfigMap at $CONFIG (version $CM_VERSION)"
	echo "$CONFIG/$CM_VERSION/policy.json"
}

# policy_copy DEST: the taken version's policy copied to DEST. Kubernetes removes the old
# version's directory right after a swap, which can fall between policy_file's look and the
# copy (seen in e2e/fleet.bats: the watcher died on its first install): then once more, from
# the version ..data names now.
policy_copy() {
	cp "$(policy_file)" "$1" 2>/dev/null && return 0
	config_take
	cp "$(policy_file)" "$1"
}

# 1. The node can run hardshim: its libraries, the runtime the policy names, a canary check.
check_node() {
	local lib rt staged canary rc core
	for lib in $LIBS; do
		on_host /sbin/ldconfig -p 2>/dev/null | grep -qF "$lib " ||
			die "check: the node lacks $lib (hardshim loads it)"
	done
	mkdir -p "$STATE"
	staged=$STATE_REL/hardshim.staged
	core=$(payload_core)
	cp "$core" "$STATE/" && chmod 0755 "${STATE:?}/$(basename "$core")"
	cp "$PAYLOAD" "$HOST$staged" && chmod 0755 "$HOST$staged"
	policy_copy "$STATE/policy.check.json" && chmod 0644 "$STATE/policy.check.json"
	rt=$(sed -n 's/^ *"runtime" *: *"\([^"]*\)".*/\1/p' "$STATE/policy.check.json" | head -n 1)
	[ -n "$rt" ] && [ -x "$HOST$rt" ] ||
		die "check: the runtime the policy names (${rt:-none}) is not on the node"
	canary=$STATE_REL/canary
	rm -rf "$HOST$canary" && mkdir -p "$HOST$canary"
	on_host "$rt" spec --bundle "$canary" >/dev/null 2>&1 ||
		die "check: $rt spec failed on the node"
	rc=0
	on_host "$staged" check --policy "$STATE_REL/policy.check.json" "$canary" >/dev/null 2>&1 ||
		rc=$?
	rm -rf "$HOST$canary" "$STATE/policy.check.json" "${STATE:?}/$(basename "$core")"
	# 0: runs (rewritten), 1: refused; 2: hardshim itself cannot work here.
	[ "$rc" -le 1 ] || die "check: the canary hardshim check failed (exit $rc)"
	say "check: node ok (libraries, runtime $rt, canary check)"
}

# 2. The binary to a path named by its content (the front carries its core's build id), its
# core first; the symlink switched by rename: a node starting containers meanwhile runs the old
# front with the old core or the new front with the new core, never one with the other's.
install_binary() {
	local sum dir target core prev
	core=$(payload_core)
	sum=$(sha256sum "$PAYLOAD" | cut -c1-16)
	dir=$PREFIX/lib/hardshim/$sum
	target=$dir/hardshim
	if [ -e "$HOST$BIN_REL" ] || [ -L "$HOST$BIN_REL" ]; then
		# Never replace a hardshim the node had before (a package's): fail closed.
		grep -qxF "$BIN_REL" "$STATE/created" 2>/dev/null ||
			die "install: $BIN_REL exists and is not hardshim-node's"
	fi
	mkdirs "$dir"
	mkdirs "$(dirname "$BIN_REL")"
	if [ ! -f "$HOST$dir/$(basename "$core")" ]; then
		cp "$core" "$HOST$dir/.core.new" && chmod 0755 "$HOST$dir/.core.new"
		mv -f "$HOST$dir/.core.new" "$HOST$dir/$(basename "$core")"
		created "$dir/$(basename "$core")"
	fi
	if [ ! -x "$HOST$target" ]; then
		cp "$PAYLOAD" "$HOST$target.new" && chmod 0755 "$HOST$target.new"
		mv -f "$HOST$target.new" "$HOST$target"
		created "$target"
	fi
	prev=$(readlink "$HOST$BIN_REL" 2>/dev/null) || prev=
	ln -sfn "$target" "$HOST$BIN_REL.new"
	mv -f "$HOST$BIN_REL.new" "$HOST$BIN_REL"
	created "$BIN_REL"
	rm -f "$HOST$STATE_REL/hardshim.staged"
	say "install: $BIN_REL -> $target"
	prune_binaries "$dir" "${prev%/hardshim}"
}

# prune_binaries CURRENT PREVIOUS (host-relative dirs): the build directories of
# $PREFIX/lib/hardshim that install made (in $STATE/created) other than the current one and the
# one the symlink named before this install are removed, each with the files install made in
# it. The previous build is kept for one update: a container that an engine created before the
# switch and starts after it runs hooks that name that build's front (the path its core was
# given), and a front that resolved the old symlink just before the switch opens its core by
# that directory's name. An older build's front would have to have resolved the symlink before
# the previous update and still not opened its core. A process already running an older core
# keeps its inode. So at most two builds stay.
prune_binaries() {
	local d f rel
	for d in "$HOST$PREFIX/lib/hardshim"/*; do
		rel=${d#"$HOST"}
		[ "$rel" != "$1" ] && [ "$rel" != "$2" ] || continue
		[ -d "$d" ] && [ ! -L "$d" ] || continue
		# Only what this installer made: never a directory the node had before.
		grep -qxF "$rel" "$STATE/created" 2>/dev/null || continue
		for f in "$d"/*; do
			[ -f "$f" ] && [ ! -L "$f" ] && grep -qxF "${f#"$HOST"}" "$STATE/created" || continue
			rm -f "$f"
		done
		if ! rmdir "$d" 2>/dev/null; then
			say "install: $rel holds files install did not make, kept"
			continue
		fi
		awk -v r="$rel" '$0 != r && index($0, r "/") != 1' "$STATE/created" >"$STATE/created.new"
		mv -f "$STATE/created.new" "$STATE/created"
		say "install: removed the earlier build $rel"
	done
}

# 3. The ConfigMap's policy, validated by the installed binary's strict loader, installed
#    by rename; the one in force is kept as policy.json.prev. A refused policy changes
#    nothing.
install_policy() {
	local new rc
	mkdirs "$(dirname "$POLICY_REL")"
	new=$POLICY_REL.new
	policy_copy "$HOST$new" && chmod 0644 "$HOST$new"
	rc=0
	on_host "$BIN_REL" policy lint "$new" >"$STATE/lint.out" 2>&1 || rc=$?
	if [ "$rc" -ge 2 ]; then
		cat "$STATE/lint.out" >&2
		rm -f "$HOST$new" "$STATE/lint.out"
		die "policy: refused by hardshim's loader; the policy in force is unchanged"
	fi
	# Warnings (exceptions near expiry) are shown, not fatal.
	[ "$rc" -eq 0 ] || cat "$STATE/lint.out" >&2
	rm -f "$STATE/lint.out"
	if [ -f "$HOST$POLICY_REL" ]; then
		cmp -s "$HOST$new" "$HOST$POLICY_REL" && { rm -f "$HOST$new"; return 0; }
		grep -qxF "$POLICY_REL" "$STATE/created" 2>/dev/null ||
			die "policy: $POLICY_REL exists and is not hardshim-node's"
		cp -p "$HOST$POLICY_REL" "$HOST$POLICY_REL.prev.new"
		mv -f "$HOST$POLICY_REL.prev.new" "$HOST$POLICY_REL.prev"
		created "$POLICY_REL.prev"
	fi
	mv -f "$HOST$new" "$HOST$POLICY_REL"
	created "$POLICY_REL"
	say "policy: installed ($(sha256sum "$HOST$POLICY_REL" | cut -c1-16))"
}

# write_if_changed PATH CONTENT: returns 0 when the file changed.
write_if_changed() {
	if [ -f "$HOST$1" ] && [ "$(cat "$HOST$1")" = "$2" ]; then
		return 1
	fi
	printf '%s\n' "$2" >"$HOST$1.new"
	chmod 0644 "$HOST$1.new"
	mv -f "$HOST$1.new" "$HOST$1"
	created "$1"
	return 0
}

# dropin MAIN: the drop-in's content. containerd 1.6 merges an imported file over the main
# one plugin by plugin: the import's CRI table replaces the main file's whole CRI table (its
# sandbox image, CNI settings, runtimes, the default runc entry). So the drop-in carries the
# main file's CRI tables as they are, the default runc entry when the main file leaves it
# implicit, and the hardshim entry. An edit of the main file's CRI section then needs the
# installer run again (it rewrites the drop-in when it differs; the DaemonSet's restart does).
dropin() {
	echo "version = 2"
	awk '/^[[:space:]]*\[/ { cri = ($0 ~ /^[[:space:]]*\[plugins\."io\.containerd\.grpc\.v1\.cri"/) }
		cri { print }' "$1"
	grep -qF '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]' "$1" || printf '%s\n' \
		'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]' \
		'  runtime_type = "io.containerd.runc.v2"'
	printf '%s\n' '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardshim]' \
		'  runtime_type = "io.containerd.runc.v2"' \
		'  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardshim.options]' \
		"    BinaryName = \"$BIN_REL\""
}

# 4. Registration: drop-ins only, plus one imports line in containerd 1.x's config.toml.
#    Sets CHANGED=1 when containerd must restart to see it.
register() {
	local main=$HOST$CONTAINERD_CONFIG
	CHANGED=0
	[ -f "$main" ] || die "register: no containerd config at $CONTAINERD_CONFIG"
	mkdirs "$CONTAINERD_DROPIN_DIR"
	if write_if_changed "$DROPIN_REL" "$(dropin "$main")"; then
		CHANGED=1
	fi
	if ! grep -qxF "$IMPORTS_LINE" "$main"; then
		# An imports list of the operator's own: adding to it would rewrite their line.
		! grep -q '^[[:space:]]*imports[[:space:]]*=' "$main" ||
			die "register: $CONTAINERD_CONFIG has its own imports; add $DROPIN_REL to it"
		cp -p "$main" "$STATE/config.toml.orig"
		{ echo "$IMPORTS_LINE"; cat "$main"; } >"$main.hardshim-new"
		chmod "$(stat -c %a "$main")" "$main.hardshim-new"
		mv -f "$main.hardshim-new" "$main"
		CHANGED=1
	fi
	if [ -d "$HOST$(dirname "$PODMAN_DROPIN_DIR")" ]; then
		mkdirs "$PODMAN_DROPIN_DIR"
		write_if_changed "$PODMAN_DROPIN_DIR/hardshim.conf" "[engine.runtimes]
hardshim = [\"$BIN_REL\"]" || true
	fi
	say "register: containerd drop-in $DROPIN_REL (changed: $CHANGED)"
}

restart_containerd() {
	say "restart: containerd ($RESTART)"
	# shellcheck disable=SC2086 # the command is a word list by design
	on_host $RESTART || die "restart: '$RESTART' failed"
}

ready() {
	mkdirs "$READY_REL"
	sha256sum "$HOST$POLICY_REL" | cut -c1-64 >"$HOST$READY_REL/ready.new"
	mv -f "$HOST$READY_REL/ready.new" "$HOST$READY_REL/ready"
	created "$READY_REL/ready"
	if [ -n "${NODE_NAME:-}" ] && command -v kubectl >/dev/null; then
		kubectl label node "$NODE_NAME" hardshim.io/ready=true --overwrite >/dev/null ||
			die "ready: could not label node $NODE_NAME"
	fi
	say "ready"
}

do_install() {
	mkdir -p "$STATE"
	touch "$STATE/created"
	check_node
	install_binary
	install_policy
	register
	[ "$CHANGED" = 0 ] || restart_containerd
	ready
}

do_watch() {
	local seen now
	config_take
	seen=$CM_VERSION
	do_install
	while :; do
		sleep "$WATCH_INTERVAL"
		now=$(readlink "$CONFIG/..data") || continue
		[ "$now" = "$seen" ] && continue
		seen=$now
		CM_VERSION=$now
		# A refused policy leaves the one in force; the agent keeps watching.
		if (install_policy); then
			ready
		else
			say "watch: ConfigMap $now refused, old policy kept"
		fi
	done
}

do_uninstall() {
	local main=$HOST$CONTAINERD_CONFIG path
	[ -f "$STATE/created" ] || { say "uninstall: nothing installed"; return 0; }
	if [ -n "${NODE_NAME:-}" ] && command -v kubectl >/dev/null; then
		kubectl label node "$NODE_NAME" hardshim.io/ready- >/dev/null || true
	fi
	rm -f "$HOST$READY_REL/ready"
	# Registration first, and containerd restarted, before the binary goes: no pod may be
	# started with a handler whose binary is missing.
	CHANGED=0
	if [ -f "$main" ] && grep -qxF "$IMPORTS_LINE" "$main"; then
		# The bytes from before install when nothing else changed since; else only our line
		# goes.
		if [ -f "$STATE/config.toml.orig" ] &&
			{ echo "$IMPORTS_LINE"; cat "$STATE/config.toml.orig"; } | cmp -s - "$main"; then
			cp "$STATE/config.toml.orig" "$main.hardshim-new"
		else
			grep -vxF "$IMPORTS_LINE" "$main" >"$main.hardshim-new" || true
		fi
		chmod "$(stat -c %a "$main")" "$main.hardshim-new"
		mv -f "$main.hardshim-new" "$main"
		CHANGED=1
	fi
	[ ! -f "$HOST$DROPIN_REL" ] || { rm -f "$HOST$DROPIN_REL" && CHANGED=1; }
	rm -f "$HOST$PODMAN_DROPIN_DIR/hardshim.conf"
	[ "$CHANGED" = 0 ] || restart_containerd
	# Then every file install made, deepest first; directories only when empty.
	sort -r "$STATE/created" | while IFS= read -r path; do
		if [ -d "$HOST$path" ] && [ ! -L "$HOST$path" ]; then
			rmdir "$HOST$path" 2>/dev/null || say "uninstall: $path is not empty, kept"
		else
			rm -f "$HOST$path"
		fi
	done
	rm -rf "$STATE"
	say "uninstalled"
}

case ${1:-} in
install)
	config_take
	do_install
	;;
watch) do_watch ;;
uninstall) do_uninstall ;;
policy)
	config_take
	mkdir -p "$STATE"
	touch "$STATE/created"
	install_policy
	;;
*)
	echo "usage: hardshim-node.sh install|watch|uninstall|policy" >&2
	exit 2
	;;
esac
