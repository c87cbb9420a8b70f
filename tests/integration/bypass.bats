#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Red team: attempts, as the attacker of docs/threats.md, to get a container past hardshim (shipped
# default policy) that runs as root, holds a capability, writes its root, reaches a host path
# or device, joins a host namespace, or makes the runtime or hardshim do something unchecked —
# through create, run, restore, exec, update, hooks, argv and JSON. Every attempt must be
# REFUSED (nothing starts) or NEUTRALISED (it starts, and from inside or /proc/<pid> it is
# plain uid 65534 with no capability, read-only root, its own namespaces), with runc and crun.
# Where an attempt once worked, a control-off or direct-runtime run shows it is real.

load ../lib/bundle

setup() { hs_setup runc; }
teardown() {
	hs_teardown
	if [ -n "${HS_TMP:-}" ] && [ -f "$HS_TMP/victims" ]; then
		while read -r p; do kill "$p" 2>/dev/null || true; done <"$HS_TMP/victims"
	fi
	if [ -n "${HS_TMP:-}" ] && [ -f "$HS_TMP/cgroups" ]; then
		# a killed victim leaves its cgroup only once it has exited
		tac "$HS_TMP/cgroups" | while read -r d; do
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				rmdir "$d" 2>/dev/null || [ ! -d "$d" ] && break
				sleep 0.3
			done
		done
	fi
	[ -z "${HS_TMP:-}" ] || umount "$HS_TMP/ns/bound" 2>/dev/null || true
}

policy() { hs_policy_default "$@"; }

# refused: the last `run` failed, said hardshim's RULE, and no container ID runs.
refused() { # refused RULE ID
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: $1"* ]]
	[ "$(hs_state "$2")" != running ]
}

# neutral ID: the container's init is plain: not root anywhere, no capability beyond the
# policy's allowlist (NET_BIND_SERVICE, bit 10: held when granted, so then in every set, ambient
# included, else in none), no_new_privs, and its root is read-only (a write from inside fails).
neutral() {
	[ "$(hs_status "$1" Uid)" = "65534 65534 65534 65534" ]
	[ "$(hs_status "$1" Gid)" = "65534 65534 65534 65534" ]
	[[ " $(hs_status "$1" Groups) " != *" 0 "* ]]
	local set eff
	eff=$(hs_status "$1" CapEff)
	[ "$eff" = 0000000000000000 ] || [ "$eff" = 0000000000000400 ]
	for set in CapBnd CapPrm CapInh CapAmb; do
		[ "$(hs_status "$1" $set)" = "$eff" ] || { echo "$set $(hs_status "$1" $set) vs CapEff $eff"; false; }
	done
	[ "$(hs_status "$1" NoNewPrivs)" = 1 ]
	run hs_exec "$1" -- sh -c 'touch /hs-rootfs-write 2>&1; echo rc=$?'
	[[ "$output" == *"Read-only file system"* ]]
	local ns
	for ns in mnt pid ipc uts net cgroup; do hs_ns_differs "$1" $ns; done
}

ALL='["CAP_SYS_ADMIN","CAP_NET_ADMIN","CAP_DAC_OVERRIDE","CAP_SETUID","CAP_NET_BIND_SERVICE"]'

hostile() { # hostile [DIR]: root, every set, writable root, no_new_privs off
	hs_bundle "${1:-$HS_TMP/bundle}"
	hs_config '.root.readonly = false | .process.user = {uid: 0, gid: 0, additionalGids: [0]}
		| .process.noNewPrivileges = false
		| .process.capabilities = {bounding: $a, effective: $a, permitted: $a, inheritable: $a, ambient: $a}' \
		--argjson a "$ALL"
}

# ---- user namespaces ------------------------------------------------------------------------

userns_host_root() {
	hs_use_runtime "$1"
	policy
	hs_bundle
	chmod 0755 "$HS_TMP" "$HS_BUNDLE"
	hs_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 65534, "hostID": 0, "size": 1}, {"containerID": 0, "hostID": 100000, "size": 1000}]
		| .linux.gidMappings = [{"containerID": 65534, "hostID": 0, "size": 1}, {"containerID": 0, "hostID": 100000, "size": 1000}]'
	hs_args sleep 1000
	run hs_create_start n1
	refused "user.host-root-mapping: linux.uidMappings[0]" n1
	# real: without the check, the remapped "65534" is the host's root
	policy '.controls.user.enabled = false'
	hs_config '.process.user = {uid: 65534, gid: 65534}'
	hs_create_start n2
	[ "$(hs_status n2 Uid)" = "0 0 0 0" ]
}

@test "bypass: a user namespace mapping container 65534 to host 0 is refused (it made Uid 0 on the host) (runc)" { userns_host_root runc; }
@test "bypass: a user namespace mapping container 65534 to host 0 is refused (it made Uid 0 on the host) (crun)" { userns_host_root crun; }

# ---- devices --------------------------------------------------------------------------------

device_grant() {
	local mark=hs-redteam-kmsg-$RANDOM$RANDOM
	hs_use_runtime "$1"
	policy
	hs_bundle
	# what an image layer can carry: a device node (the root is not mounted nodev)
	mknod -m 0666 "$HS_BUNDLE/rootfs/kmsg" c 1 11
	hs_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	hs_args sh -c "echo $mark > /kmsg && echo wrote"
	run hs_run d1
	refused "devices.cgroup-not-allowed: linux.resources.devices[1]" d1
	! dmesg | grep -q "$mark" || false
	# without the rule's grant, the node alone is useless: the default cgroup denies it
	hs_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	run hs_run d2
	[[ "$output" != *wrote* ]]
	! dmesg | grep -q "$mark" || false
	# real: with the devices control off, uid 65534 writes the host's kernel log
	policy '.controls.devices.enabled = false'
	hs_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	run hs_run d3
	[[ "$output" == *wrote* ]]
	dmesg | grep -q "$mark"
}

@test "bypass: a device-cgroup grant for one host device plus a node in the image is refused (runc)" { device_grant runc; }
@test "bypass: a device-cgroup grant for one host device plus a node in the image is refused (crun)" { device_grant crun; }

device_bind() {
	hs_use_runtime "$1"
	policy
	hs_bundle
	mkdir -m 0755 "$HS_TMP/devs"
	mknod -m 0666 "$HS_TMP/devs/kmsg" c 1 11
	chmod 0755 "$HS_TMP"
	hs_config '.mounts += [{"destination": "/mnt/kmsg", "type": "bind", "source": $s, "options": ["bind"]}]' \
		--arg s "$HS_TMP/devs/kmsg"
	hs_args sh -c 'echo x > /mnt/kmsg && echo wrote; grep " /mnt/kmsg " /proc/self/mountinfo'
	run hs_run b1
	echo "$output"
	[[ "$output" != *wrote* ]]
	# neutralised twice: nosuid,nodev on the bind and the device cgroup
	[[ "$output" == *"/mnt/kmsg"*nodev* ]]
}

@test "bypass: a bind of a host device node from outside /dev is neutralised (nodev, device cgroup) (runc)" { device_bind runc; }
@test "bypass: a bind of a host device node from outside /dev is neutralised (nodev, device cgroup) (crun)" { device_bind crun; }

# ---- hardshim's own hook --------------------------------------------------------------------

own_hook() {
	local pwned=$HS_TMP/host-file-written-by-hook
	hs_use_runtime "$1"
	policy
	hs_bundle
	chmod 0755 "$HS_TMP" "$HS_BUNDLE"
	# the attacker's policy, shipped in the image: audit mode, and a log wherever it likes
	jq -n --arg rt "$HS_RUNTIME_PATH" --arg log "$pwned" \
		'{runtime: $rt, mode: "audit", log: {path: $log, syslog: false, kernel_audit: false}}' \
		>"$HS_BUNDLE/rootfs/p.json"
	chmod 0644 "$HS_BUNDLE/rootfs/p.json"
	hs_config '.hooks = {
		prestart: [{path: $bin, args: ["hardshim", "hook", "createRuntime"], env: ["HARDSHIM_POLICY=" + $p]}],
		poststart: [{path: $bin, args: ["hardshim", "hook", "egress", "--default", "allow"]}]}' \
		--arg bin "$HS_BIN" --arg p "$HS_BUNDLE/rootfs/p.json"
	hs_args sleep 1000
	run hs_create_start h1
	refused "hooks.not-allowlisted: hooks.prestart[0].path" h1
	"$HS_BIN" check --format json "$HS_CONFIG" | jq -e '[.findings[] | select(.rule == "hooks.not-allowlisted"
		and .action == "refuse") | .path] == ["hooks.prestart[0].path", "hooks.poststart[0].path"]'
	[ ! -e "$pwned" ]
	# real: with the hooks control off, hardshim runs as root on the host under the
	# attacker's policy and writes where that policy says
	policy '.controls.hooks.enabled = false'
	hs_config 'del(.hooks.poststart)'
	hs_create_start h2
	[ -s "$pwned" ]
	[ "$(stat -c %u "$pwned")" = 0 ]
}

@test "bypass: hardshim's own binary as a config hook (attacker's policy, egress --default allow) is refused (runc)" { own_hook runc; }
@test "bypass: hardshim's own binary as a config hook (attacker's policy, egress --default allow) is refused (crun)" { own_hook crun; }

# ---- fds ------------------------------------------------------------------------------------

preserve_fds() {
	hs_use_runtime "$1"
	policy
	hs_bundle
	hs_args sh -c 'ls /proc/self/fd/3/../../../etc/hostname && echo HOST-REACHED'
	# fds 3..6 closed here: the runtime would fill them with its own
	run hs_run p1 --preserve-fds 4 3<&- 4<&- 5<&- 6<&-
	refused "cli.preserve-fds: --preserve-fds: fd 3 is not open" p1
	[[ "$output" != *HOST-REACHED* ]]
	# the caller's own fds are passed as asked
	hs_args sh -c 'cat <&3'
	run hs_run p2 --preserve-fds 1 3< <(echo from-the-caller)
	[[ "$output" == *from-the-caller* ]]
	if [ "$1" = runc ]; then
		# real: runc alone hands over a directory of the host's /sys/fs/cgroup
		hs_args sh -c 'ls /proc/self/fd/3/../../../etc/hostname && echo HOST-REACHED'
		HS_VIA=direct run hs_run p3 --preserve-fds 4 3<&- 4<&- 5<&- 6<&-
		[[ "$output" == *HOST-REACHED* ]]
	fi
}

@test "bypass: --preserve-fds naming fds the caller lacks is refused (runc leaked a host cgroupfs dirfd) (runc)" { preserve_fds runc; }
@test "bypass: --preserve-fds naming fds the caller lacks is refused (crun)" { preserve_fds crun; }

# ---- argv shapes of create/run ----------------------------------------------------------------

argv_shapes() {
	local n=0 form forms
	hs_use_runtime "$1"
	policy
	hostile
	hs_args sleep 1000
	forms=("--bundle=" "-b" "--bundle")
	# Go's flag package reads -bundle as --bundle; crun's argp reads -b "undle" (and then
	# fails on the extra argument): hardshim checks what runc reads
	[ "$1" = crun ] || forms+=("-bundle")
	for form in "${forms[@]}"; do
		n=$((n + 1))
		hs_track a$n
		hs_place_config a$n
		case $form in
		*=) hs_rt create "$form$HS_BUNDLE" a$n </dev/null >/dev/null 2>&1 ;;
		*) hs_rt create "$form" "$HS_BUNDLE" a$n </dev/null >/dev/null 2>&1 ;;
		esac
		hs_rt_direct state a$n | jq -e '.status == "created"'
		hs_rt_direct state a$n | jq -r .pid >>"$HS_PIDS"
		hs_start a$n
		neutral a$n
	done
	# -b=DIR and -bundle=DIR: runc reads DIR, crun "=DIR" / "undle=DIR" (relative to the
	# cwd): another config than the one checked. Refused.
	for form in "-b=" "-bundle="; do
		n=$((n + 1))
		hs_place_config a$n
		run hs_rt create "$form$HS_BUNDLE" a$n
		refused "cli.ambiguous-option" a$n
	done
	# relative bundle with cwd = the bundle (containerd's shape)
	hs_track a9
	hs_place_config a9
	(cd "$HS_BUNDLE" && hs_rt create a9 </dev/null >/dev/null 2>&1)
	hs_rt_direct state a9 | jq -r .pid >>"$HS_PIDS"
	hs_start a9
	neutral a9
	# options after the id are refused before the runtime sees them
	run hs_rt create a10 --bundle "$HS_BUNDLE"
	refused "cli.option-after-id" a10
	run hs_rt create --bundle "$HS_BUNDLE" a11 --no-pivot
	refused "cli.option-after-id" a11
	# an option after -- is an id for Go's flag package: two ids, refused
	run hs_rt create -- --bundle "$HS_BUNDLE" a12
	refused "cli.arguments" a12
}

@test "bypass: create with --bundle=, -b, -bundle (runc), cwd bundle: checked (neutral); -b=, -bundle=, options after the id refused (runc)" { argv_shapes runc; }
@test "bypass: create with --bundle=, -b, cwd bundle: checked (neutral); -b=, -bundle=, options after the id refused (crun)" { argv_shapes crun; }

two_bundles() {
	hs_use_runtime "$1"
	policy
	hostile "$HS_TMP/evil"
	local evil=$HS_BUNDLE
	hs_place_config t1
	hostile "$HS_TMP/other"
	hs_args sleep 1000
	hs_place_config t1
	# the runtime uses the last --bundle; so does hardshim: both configs get checked the same
	hs_track t1
	hs_rt create --bundle "$evil" --bundle "$HS_BUNDLE" t1 </dev/null >/dev/null 2>&1
	hs_rt_direct state t1 | jq -r .pid >>"$HS_PIDS"
	hs_start t1
	neutral t1
	[ "$(jq -r .bundle <(hs_rt_direct state t1))" = "$HS_BUNDLE" ]
}

@test "bypass: two --bundle options: the one the runtime uses is the one checked (runc)" { two_bundles runc; }
@test "bypass: two --bundle options: the one the runtime uses is the one checked (crun)" { two_bundles crun; }

crun_config_option() {
	hs_use_runtime crun
	policy
	hostile
	hs_args sleep 1000
	hs_place_config f1
	# the bundle's other.json is what hardshim would check; crun reads --config from the cwd
	cp "$HS_BUNDLE/config.json" "$HS_BUNDLE/other.json"
	chmod 0644 "$HS_BUNDLE/other.json"
	mkdir -m 0755 "$HS_TMP/cwd"
	jq --arg r "$HS_BUNDLE/rootfs" '.root.path = $r' "$HS_BUNDLE/config.json" >"$HS_TMP/cwd/other.json"
	run bash -c 'cd "$1" && shift && "$@"' _ "$HS_TMP/cwd" "$HS_BIN" --root "$HS_STATE" create \
		--bundle "$HS_BUNDLE" --config other.json f1
	refused "cli.config-cwd: --config" f1
	# real: crun alone runs the cwd's file, as root
	hs_track f2
	(cd "$HS_TMP/cwd" && /usr/bin/crun --root "$HS_STATE" create --bundle "$HS_BUNDLE" --config other.json f2 \
		</dev/null >/dev/null 2>&1)
	hs_rt_direct state f2 | jq -r .pid >>"$HS_PIDS"
	[ "$(hs_status f2 Uid)" = "0 0 0 0" ]
	# with the cwd in the bundle, both read the same file: checked, neutral (a cgroup of its
	# own: f2 holds f1's)
	hs_place_config f3
	cp "$HS_BUNDLE/config.json" "$HS_BUNDLE/other.json"
	chmod 0644 "$HS_BUNDLE/other.json"
	hs_track f3
	(cd "$HS_BUNDLE" && hs_rt create --bundle "$HS_BUNDLE" --config other.json f3 </dev/null >"$HS_TMP/f3.out" 2>&1) || { cat "$HS_TMP/f3.out"; false; }
	hs_rt_direct state f3 | jq -r .pid >>"$HS_PIDS"
	hs_start f3
	neutral f3
	# a name outside the bundle: refused
	run hs_rt create --bundle "$HS_BUNDLE" --config ../evil.json f4
	refused "cli.bad-value: --config" f4
}

@test "bypass: crun create --config FILE (read from the cwd by crun) is refused unless the cwd is the bundle" { crun_config_option; }

# ---- exec -----------------------------------------------------------------------------------

exec_flags() {
	local f out
	hs_use_runtime "$1"
	policy
	hs_bundle
	hs_args sleep 1000
	hs_create_start e1
	for f in "--user=0" "--user 0" "-u 0" "-u 0:0" "--user=0:0 --additional-gids=0" "-u 0 -g 0" \
		"--cap CAP_SYS_ADMIN" "-c CAP_SYS_ADMIN" "--cap=CAP_SYS_ADMIN" "--cap CAP_SYS_ADMIN -u 0" \
		"--no-new-privs=false" "-u 0 --cap=CAP_DAC_OVERRIDE --no-new-privs=false"; do
		# shellcheck disable=SC2086
		out=$(hs_rt exec $f e1 sh -c 'id; grep -E "^(Cap|NoNewPrivs)" /proc/self/status' </dev/null 2>&1)
		echo "== $f: $out"
		[[ "$out" == *"uid=65534(nobody) gid=65534(nogroup)"* ]]
		[[ "$out" != *"groups="*"0(root)"* ]]
		# the container's own sets: NET_BIND_SERVICE held (every set), nothing the flag named
		[[ "$out" == *"CapEff:"*0000000000000400* ]]
		[[ "$out" == *"CapBnd:"*0000000000000400* ]]
		[[ "$out" == *"CapInh:"*0000000000000400* ]]
		[[ "$out" == *"CapAmb:"*0000000000000400* ]]
		[[ "$out" == *"NoNewPrivs:"*1* ]]
	done
	# refused outright
	for f in "--cwd /proc/self/fd/7" "--cwd=/proc/self/fd/7" "--cwd /proc/../proc/self/fd/7" "-u0" \
		"--cwd /dev/shm"; do
		# shellcheck disable=SC2086
		run hs_rt exec $f e1 pwd
		echo "== $f: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *hardshim:* ]]
		[[ "$output" != /proc* ]]
	done
	# options after the id are the command's: the runtime does not read them as flags
	run hs_rt exec e1 --user=0 id
	[ "$status" -ne 0 ]
	[[ "$output" != *"uid=0"* ]]
	run hs_rt exec e1 -- id
	[[ "$output" != *"uid=0"* ]]
}

@test "bypass: exec --user/-u 0, -g 0, --cap/-c, --no-new-privs=false, --cwd /proc/self/fd/7, options after the id (runc)" { exec_flags runc; }
@test "bypass: exec --user/-u 0, -g 0, --cap/-c, --no-new-privs=false, --cwd /proc/self/fd/7, options after the id (crun)" { exec_flags crun; }

exec_process_file() {
	hs_use_runtime "$1"
	policy
	hs_bundle
	hs_args sleep 1000
	hs_create_start x1
	jq -n --argjson a "$ALL" '{args: ["sh", "-c", "id; grep -E \"^(Cap|NoNewPrivs)\" /proc/self/status"], cwd: "/",
		env: ["PATH=/bin:/sbin"],
		user: {uid: 0, gid: 0, additionalGids: [0]}, noNewPrivileges: false,
		capabilities: {bounding: $a, effective: $a, permitted: $a, inheritable: $a, ambient: $a}}' >"$HS_TMP/p.json"
	chmod 0644 "$HS_TMP/p.json"
	run hs_rt exec --process "$HS_TMP/p.json" x1
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *"uid=65534(nobody) gid=65534(nogroup)"* ]]
	# of every capability asked for, only the allowlist's NET_BIND_SERVICE, held (ambient)
	[[ "$output" == *"CapEff:"*0000000000000400* ]]
	[[ "$output" == *"CapBnd:"*0000000000000400* ]]
	[[ "$output" == *"CapInh:"*0000000000000400* ]]
	[[ "$output" == *"CapAmb:"*0000000000000400* ]]
	[[ "$output" == *"NoNewPrivs:"*1* ]]
	# a cwd through a leaked fd, an empty args, a case-variant key: refused
	jq '.cwd = "/proc/self/fd/7"' "$HS_TMP/p.json" >"$HS_TMP/q.json"
	chmod 0644 "$HS_TMP/q.json"
	run hs_rt exec --process "$HS_TMP/q.json" x1
	[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: process.cwd"* ]]
	jq -c '.user = {uid: 1000, gid: 1000}' "$HS_TMP/p.json" | sed 's/"uid":1000/"uid":1000,"UID":0/' >"$HS_TMP/r.json"
	chmod 0644 "$HS_TMP/r.json"
	run hs_rt exec --process "$HS_TMP/r.json" x1
	[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: json.case-variant-key"* ]]
	# process flags next to --process would be ignored by the runtime: refused
	run hs_rt exec --process "$HS_TMP/p.json" --user 0 x1
	[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: exec.flag-with-process"* ]]
	# a process file that is a symlink, or writable by others: refused
	ln -s "$HS_TMP/p.json" "$HS_TMP/link.json"
	run hs_rt exec --process "$HS_TMP/link.json" x1
	[ "$status" -ne 0 ] && [[ "$output" == *hardshim:* ]]
	cp "$HS_TMP/p.json" "$HS_TMP/ww.json" && chmod 0666 "$HS_TMP/ww.json"
	run hs_rt exec --process "$HS_TMP/ww.json" x1
	[ "$status" -ne 0 ] && [[ "$output" == *hardshim:* ]]
}

@test "bypass: exec --process with uid 0, every capability, no_new_privs off is neutralised; cwd /proc/self/fd/7, UID, flags, symlink refused (runc)" { exec_process_file runc; }
@test "bypass: exec --process with uid 0, every capability, no_new_privs off is neutralised; cwd /proc/self/fd/7, UID, flags, symlink refused (crun)" { exec_process_file crun; }

exec_labels() {
	hs_use_runtime "$1"
	policy
	hs_bundle
	hs_args sleep 1000
	hs_create_start l1
	# no AppArmor or SELinux here: nothing may start with a label the host cannot apply
	run hs_rt exec --apparmor unconfined l1 id
	echo "$output"
	[[ "$output" != *"uid=0"* ]]
	if [ "$status" = 0 ]; then [[ "$output" == *"uid=65534"* ]]; fi
	run hs_rt exec --process-label system_u:system_r:spc_t:s0 l1 id
	echo "$output"
	[[ "$output" != *"uid=0"* ]]
	if [ "$status" = 0 ]; then [[ "$output" == *"uid=65534"* ]]; fi
}

@test "bypass: exec --apparmor unconfined / --process-label spc_t gives nothing more (runc)" { exec_labels runc; }
@test "bypass: exec --apparmor unconfined / --process-label spc_t gives nothing more (crun)" { exec_labels crun; }

# ---- update ---------------------------------------------------------------------------------

update_limits() {
	local cg f
	hs_use_runtime "$1"
	policy
	hs_bundle
	hs_args sleep 1000
	hs_create_start u1
	cg=$(jq -r .linux.cgroupsPath "$HS_BUNDLE/config.json")
	[ "$(cat "/sys/fs/cgroup/pids$cg/pids.max")" = 1024 ]
	for f in "--pids-limit -1" "--pids-limit=-1" "--pids-limit 0" "--pids-limit 99999999" "--memory -1" \
		"--memory=-1"; do
		# shellcheck disable=SC2086
		run hs_rt update $f u1
		echo "== $f: $output"
		[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: resources."* ]]
	done
	run hs_rt update --resources - u1 <<<'{"pids": {"limit": -1}, "memory": {"limit": -1}}'
	[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: resources.pids-unlimited"* ]]
	run hs_rt update --resources - u1 <<<'{"pids": {"limit": 50}, "PIDS": {"limit": -1}}'
	[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: json.case-variant-key"* ]]
	run hs_rt update --resources - u1 <<<'{"pids": {"limit": 50}, "pids": {"limit": -1}}'
	[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: json.duplicate-key"* ]]
	run hs_rt update --resources - u1 <<<'{"devices": [{"allow": true, "type": "b", "major": 8, "minor": 0, "access": "rw"}]}'
	[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: devices.cgroup-not-allowed"* ]]
	run hs_rt update --resources - --pids-limit -1 u1 <<<'{"pids": {"limit": 50}}'
	[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: update.mixed-options"* ]]
	[ "$(cat "/sys/fs/cgroup/pids$cg/pids.max")" = 1024 ]
	[ "$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes")" = 1073741824 ]
	# a limit within the policy goes through
	hs_rt update --pids-limit 500 u1
	[ "$(cat "/sys/fs/cgroup/pids$cg/pids.max")" = 500 ]
}

@test "bypass: update --pids-limit -1/0, --memory -1, --resources - (unlimited, case variant, duplicate, device grant) refused (runc)" { update_limits runc; }
@test "bypass: update --pids-limit -1/0, --memory -1, --resources - (unlimited, case variant, duplicate, device grant) refused (crun)" { update_limits crun; }

# ---- cgroups -------------------------------------------------------------------------------

cgroup_of_others() {
	local v=hs-redteam-victim-$$-$1 c vp
	hs_use_runtime "$1"
	policy
	# a host service's cgroup (as /system.slice/x.service is under systemd)
	for c in pids memory devices freezer cpu; do mkdir -p "/sys/fs/cgroup/$c/$v"; done
	sleep 1000 </dev/null >/dev/null 2>&1 &
	vp=$!
	echo "$vp" >>"$HS_TMP/victims"
	for c in pids memory devices freezer cpu; do echo "$vp" >"/sys/fs/cgroup/$c/$v/cgroup.procs"; done
	hs_bundle
	hs_config '.linux.cgroupsPath = $p' --arg p "/$v"
	hs_args sleep 1000
	run hs_create_start g1
	refused "cgroups.in-use: linux.cgroupsPath" g1
	[ "$(cat "/sys/fs/cgroup/devices/$v/devices.list")" = "a *:* rwm" ]
	[ "$(cat "/sys/fs/cgroup/pids/$v/pids.max")" = max ]
	# real: with the control off, the runtime takes the cgroup over and kill --all kills it
	policy '.controls.cgroups.enabled = false'
	hs_create_start g2
	[ "$(cat "/sys/fs/cgroup/pids/$v/pids.max")" = 1024 ]
	[ "$(head -1 "/sys/fs/cgroup/devices/$v/devices.list")" != "a *:* rwm" ]
	hs_rt kill --all g2 KILL
	# the host's process is gone (up to 5 s for the shell to reap it under load)
	for _ in $(seq 50); do kill -0 "$vp" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$vp" 2>/dev/null || false
	hs_teardown
	for c in pids memory devices freezer cpu; do rmdir "/sys/fs/cgroup/$c/$v" 2>/dev/null || true; done
}

@test "bypass: a cgroupsPath naming a cgroup that holds host processes is refused (runc took it over and killed them) (runc)" { cgroup_of_others runc; }
@test "bypass: a cgroupsPath naming a cgroup that holds host processes is refused (runc took it over and killed them) (crun)" { cgroup_of_others crun; }

# A ':' in cgroupsPath is the systemd form only to the systemd driver; the cgroupfs driver
# (both runtimes' default, and this machine's) cleans "/x:y/../victim" to /victim.
cgroup_colon() {
	local v=hs-redteam-colon-$$-$1 c vp
	hs_use_runtime "$1"
	policy
	for c in pids memory devices freezer cpu; do
		mkdir -p "/sys/fs/cgroup/$c/$v"
		echo "/sys/fs/cgroup/$c/$v" >>"$HS_TMP/cgroups"
	done
	sleep 1000 </dev/null >/dev/null 2>&1 &
	vp=$!
	echo "$vp" >>"$HS_TMP/victims"
	for c in pids memory devices freezer cpu; do echo "$vp" >"/sys/fs/cgroup/$c/$v/cgroup.procs"; done
	hs_bundle
	hs_config '.linux.cgroupsPath = $p' --arg p "/hs-x:y/../$v"
	hs_args sleep 1000
	run hs_create_start k1
	refused "cgroups.in-use: linux.cgroupsPath" k1
	[ "$(cat "/sys/fs/cgroup/pids/$v/pids.max")" = max ]
	[ "$(cat "/sys/fs/cgroup/devices/$v/devices.list")" = "a *:* rwm" ]
	[ "$(cat "/sys/fs/cgroup/pids/$v/cgroup.procs")" = "$vp" ]
	# told --systemd-cgroup, the same string is not the systemd form: refused as such
	run hs_rt --systemd-cgroup create --bundle "$HS_BUNDLE" k2
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardshim: cgroups.systemd-form: linux.cgroupsPath"* ]]
}

@test "bypass: cgroupsPath /x:y/../victim is a path to the cgroupfs driver: refused, the victim's cgroup untouched (runc)" { cgroup_colon runc; }
@test "bypass: cgroupsPath /x:y/../victim is a path to the cgroupfs driver: refused, the victim's cgroup untouched (crun)" { cgroup_colon crun; }

# The v1 hierarchies a process can be moved into without setup (cpuset wants cpus and mems).
hierarchies() {
	local h
	for h in /sys/fs/cgroup/*; do
		[ -d "$h" ] && [ ! -L "$h" ] && [ "${h##*/}" != cpuset ] && echo "$h"
	done
}

# in_cgroup NAME CMD...: CMD in a subshell that first moves itself into /NAME everywhere.
in_cgroup() {
	local cg=$1 h
	shift
	(
		for h in $(hierarchies); do echo "$BASHPID" >"$h/$cg/cgroup.procs" || exit 99; done
		"$@"
	)
}

# A relative cgroupsPath: runc joins it below its own cgroup in each hierarchy (hardshim's:
# exec keeps it), crun 1.8 below the root. Judged from / alone, "victim" passed while runc put
# the container into <own>/victim, a cgroup holding someone else's process.
cgroup_relative() {
	local own=hs-redteam-own-$$-$1 h vp
	hs_use_runtime "$1"
	policy
	sleep 1000 </dev/null >/dev/null 2>&1 &
	vp=$!
	echo "$vp" >>"$HS_TMP/victims"
	for h in $(hierarchies); do
		mkdir -p "$h/$own/victim"
		printf '%s\n' "$h/$own" "$h/$own/victim" >>"$HS_TMP/cgroups"
		echo "$vp" >"$h/$own/victim/cgroup.procs"
	done
	[ ! -e "/sys/fs/cgroup/pids/victim" ]
	hs_bundle
	hs_config '.linux.cgroupsPath = "victim"'
	hs_args sleep 1000
	run in_cgroup "$own" hs_create_start r1
	refused "cgroups.in-use: linux.cgroupsPath" r1
	[[ "$output" == *"cgroup victim (relative: from / or from the runtime's own cgroup) already holds processes"* ]]
	[ "$(cat "/sys/fs/cgroup/pids/$own/victim/pids.max")" = max ]
	if [ "$1" = runc ]; then
		# real: with the control off, runc takes <own>/victim over, beside the victim
		policy '.controls.cgroups.enabled = false'
		in_cgroup "$own" hs_create_start r2
		[ "$(cat "/sys/fs/cgroup/pids/$own/victim/pids.max")" = 1024 ]
		grep -qx "$(hs_pid r2)" "/sys/fs/cgroup/pids/$own/victim/cgroup.procs"
		grep -qx "$vp" "/sys/fs/cgroup/pids/$own/victim/cgroup.procs"
	fi
}

@test "bypass: a relative cgroupsPath reaching a busy cgroup below the runtime's own is refused (runc took it over) (runc)" { cgroup_relative runc; }
@test "bypass: a relative cgroupsPath reaching a busy cgroup below the runtime's own is refused (crun)" { cgroup_relative crun; }

# ---- restore --------------------------------------------------------------------------------

restore_checked() {
	hs_use_runtime "$1"
	# crun runs no hooks on restore, so with egress limits or the devices deny hook in force
	# hardshim refuses a restore under crun outright (tests/redteam/restore.bats): the rest is
	# judged without them
	if [ "$1" = crun ]; then
		policy '.controls.egress.enabled = false | .controls.devices.enabled = false'
	else
		policy
	fi
	hostile
	hs_place_config r1
	mkdir -p "$HS_TMP/img"
	# no CRIU on this machine: the restore itself fails, but only after hardshim rewrote the
	# config the runtime would restore into
	run hs_rt restore --bundle "$HS_BUNDLE" --image-path "$HS_TMP/img" r1
	echo "$output"
	jq -e '.process.user.uid == 65534 and .root.readonly == true and .process.noNewPrivileges == true
		and .process.capabilities.effective == ["CAP_NET_BIND_SERVICE"]
		and .process.capabilities.ambient == ["CAP_NET_BIND_SERVICE"]
		and .process.capabilities.inheritable == ["CAP_NET_BIND_SERVICE"]
		and .process.capabilities.bounding == ["CAP_NET_BIND_SERVICE"]' "$HS_BUNDLE/config.json"
	# and a hostile mount is refused before the runtime runs
	hs_config '.mounts += [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}]'
	hs_place_config r2
	run hs_rt restore --bundle "$HS_BUNDLE" --image-path "$HS_TMP/img" r2
	refused "mounts.sensitive-source" r2
}

@test "bypass: restore --bundle goes through the same checks (runc)" { restore_checked runc; }
@test "bypass: restore --bundle goes through the same checks (crun)" { restore_checked crun; }

# ---- mounts and namespaces on real containers ---------------------------------------------------

mount_tricks() {
	local src
	hs_use_runtime "$1"
	policy
	hs_bundle
	hs_args sleep 1000
	hs_create_start m0
	chmod 0755 "$HS_TMP"
	mkdir -p "$HS_TMP/fx/user/data" "$HS_TMP/fx/ok"
	chown 1000 "$HS_TMP/fx/user"
	chmod 0755 "$HS_TMP/fx" "$HS_TMP/fx/user" "$HS_TMP/fx/ok"
	ln -s /etc "$HS_TMP/fx/etc-link"
	local n=0
	for src in /proc/$(hs_pid m0)/root /proc/$(hs_pid m0)/root/etc /proc/self/root/etc /proc/1/root \
		/var/run /var/run/../../etc "$HS_TMP/fx/etc-link" "$HS_TMP/fx/user/data" //etc /sys /dev/null; do
		n=$((n + 1))
		hs_bundle "$HS_TMP/b$n"
		hs_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind"]}]' --arg s "$src"
		hs_args ls /mnt
		run hs_run m$n
		echo "== $src: $output"
		[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: mounts."* ]]
	done
	# "type": "none" with bind in the options, rbind of /sys, tmpfs carrying rbind
	for m in '{"destination": "/mnt", "type": "none", "source": "/etc", "options": ["bind"]}' \
		'{"destination": "/mnt", "type": "sysfs", "source": "/sys", "options": ["rbind", "rw"]}' \
		'{"destination": "/mnt", "type": "tmpfs", "source": "/", "options": ["rbind"]}' \
		'{"destination": "/proc/sys", "type": "bind", "source": "'"$HS_TMP/fx/ok"'", "options": ["rbind"]}' \
		'{"destination": "/mnt", "type": "bind", "source": "'"$HS_TMP/fx/ok"'", "options": ["rbind", "rshared"]}'; do
		n=$((n + 1))
		hs_bundle "$HS_TMP/b$n"
		hs_config '.mounts += [$m]' --argjson m "$m"
		hs_args ls /mnt
		run hs_run m$n
		echo "== $m: $output"
		[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: mounts."* ]]
	done
	# a plain root-owned host dir: mounted, but nosuid,nodev
	hs_bundle "$HS_TMP/b99"
	hs_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "suid", "dev", "rw"]}]' --arg s "$HS_TMP/fx/ok"
	hs_args sh -c 'grep " /mnt " /proc/self/mountinfo'
	run hs_run m99
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *nosuid* ]] && [[ "$output" == *nodev* ]]
}

@test "bypass: bind sources /proc/<container>/root, /proc/self/root/etc, /var/run, .., symlink to /etc, user-owned, /sys; type none+bind; rshared; /proc/sys destination (runc)" { mount_tricks runc; }
@test "bypass: bind sources /proc/<container>/root, /proc/self/root/etc, /var/run, .., symlink to /etc, user-owned, /sys; type none+bind; rshared; /proc/sys destination (crun)" { mount_tricks crun; }

ns_tricks() {
	local p n=0
	hs_use_runtime "$1"
	policy
	mkdir -m 0755 "$HS_TMP/ns"
	chmod 0755 "$HS_TMP"
	ln -s /proc/self/ns/net "$HS_TMP/ns/link-to-self"
	ln -s /proc/1/ns/net "$HS_TMP/ns/link-to-1"
	touch "$HS_TMP/ns/bound"
	mount --bind /proc/self/ns/net "$HS_TMP/ns/bound"
	for p in /proc/self/ns/net /proc/thread-self/ns/net /proc/$$/ns/net /proc/1/ns/net \
		"$HS_TMP/ns/link-to-self" "$HS_TMP/ns/link-to-1" "$HS_TMP/ns/bound" /proc/self/ns/pid; do
		n=$((n + 1))
		hs_bundle "$HS_TMP/b$n"
		hs_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "$p"
		hs_args sleep 1000
		run hs_create_start s$n
		echo "== $p: $output"
		[ "$status" -ne 0 ] && [[ "$output" == *"hardshim: namespaces."* ]]
		[ "$(hs_state s$n)" != running ]
	done
	umount "$HS_TMP/ns/bound"
	# another container's namespace named through a directory uid 1000 owns: swappable to
	# the host's between the check and the runtime's open (it won 8 of 30 races for the pid
	# namespace before this was refused)
	hs_bundle "$HS_TMP/pod0"
	hs_args sleep 1000
	hs_create_start pod0
	mkdir -m 0755 "$HS_TMP/ns/user"
	chown 1000 "$HS_TMP/ns/user"
	ln -s "/proc/$(hs_pid pod0)/ns/pid" "$HS_TMP/ns/user/pid"
	hs_bundle "$HS_TMP/swap"
	hs_config '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' --arg p "$HS_TMP/ns/user/pid"
	hs_args sleep 1000
	run hs_create_start swap
	refused "namespaces.path-replaceable" swap
	# another container's namespace (a pod) is allowed, and is not the host's
	hs_bundle "$HS_TMP/pod"
	hs_args sleep 1000
	hs_create_start pod
	hs_bundle "$HS_TMP/member"
	hs_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/proc/$(hs_pid pod)/ns/net"
	hs_args sleep 1000
	hs_create_start member
	[ "$(readlink /proc/"$(hs_pid member)"/ns/net)" = "$(readlink /proc/"$(hs_pid pod)"/ns/net)" ]
	hs_ns_differs member net
}

@test "bypass: host netns by /proc/self, /proc/thread-self, /proc/\$\$, /proc/1, a symlink, an nsfs bind mount, a pid ns path, a swappable path are refused; a pod's is joined (runc)" { ns_tricks runc; }
@test "bypass: host netns by /proc/self, /proc/thread-self, /proc/\$\$, /proc/1, a symlink, an nsfs bind mount, a pid ns path, a swappable path are refused; a pod's is joined (crun)" { ns_tricks crun; }

# ---- annotations and JSON on real containers ----------------------------------------------------

annotations_json() {
	hs_use_runtime "$1"
	policy
	hostile
	hs_args sleep 1000
	local k n=0
	for k in run.oci.hooks.stdout run.oci.keep_original_groups org.systemd.property.DeviceAllow \
		org.criu.config bundle RUN.OCI.hooks.stderr; do
		n=$((n + 1))
		hs_config '.annotations = {($k): "/etc/shadow"}' --arg k "$k"
		run hs_create_start an$n
		refused "annotations.unsafe" an$n
	done
	# crun's seccomp annotations are stripped, never obeyed: the container starts with the
	# default profile (Seccomp: 2)
	hs_config '.annotations = {"run.oci.seccomp_bpf_data": "AAAA"}'
	hs_create_start an9
	[ "$(hs_status an9 Seccomp)" = 2 ]
	neutral an9
	# the JSON the runtime would misread never reaches it
	hs_config '.annotations = {}'
	hs_place_config an10
	sed -i 's/"readonly": *false/"readonly": true, "READONLY": false/; s/"readonly":false/"readonly":true,"READONLY":false/' "$HS_BUNDLE/config.json"
	grep -q READONLY "$HS_BUNDLE/config.json"
	hs_track an10
	run hs_rt create --bundle "$HS_BUNDLE" an10
	refused "json.case-variant-key" an10
}

@test "bypass: unsafe annotations refused, crun's seccomp annotation stripped, a case-variant key refused (runc)" { annotations_json runc; }
@test "bypass: unsafe annotations refused, crun's seccomp annotation stripped, a case-variant key refused (crun)" { annotations_json crun; }
