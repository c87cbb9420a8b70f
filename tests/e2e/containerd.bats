#!/usr/bin/env bats
# containerd (containerd-shim-runc-v2) with hardshim as the runc binary, runc or crun behind it:
# `ctr run --runc-binary`, and the config.toml runtime entry with options.BinaryName. The daemon
# is the tests' own (root, state, socket, config under build/e2e/containerd), started here and
# stopped by its recorded pid. The image is the Podman-built busybox, moved as an OCI archive.

load ../lib/e2e

setup_file() {
	e2e_require
	e2e_install
	e2e_policy runc
	podman_setup
	containerd_start
	containerd_image
}

teardown_file() {
	containerd_cleanup
	containerd_stop
}

teardown() {
	[ -z "${E2E_RUNTIME:-}" ] || e2e_policy "$E2E_RUNTIME"
	containerd_cleanup
}

ctr_run() {
	cr run --runc-binary "$E2E_BIN" "$@"
}

scenario_run_rm() {
	e2e_policy "$1"
	run ctr_run --rm "$E2E_IMAGE" "rm-$1" sh -c "$E2E_INSIDE"
	[ "$status" -eq 0 ]
	assert_hardened
	last=$(tail -n 1 "$E2E/launches.jsonl")
	[ "$(jq -r .runtime <<<"$last")" = "$E2E_RUNTIME" ]
	[ "$(jq -r .id <<<"$last")" = "rm-$1" ]
	[ "$(jq -r .verdict <<<"$last")" = rewritten ]
	# The exit status reaches ctr through hardshim, the runtime and the shim.
	run ctr_run --rm "$E2E_IMAGE" "rm7-$1" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	[ -z "$(cr containers ls -q)" ]
}

@test "ctr run --rm --runc-binary hardshim: hardened from inside (runc)" { scenario_run_rm runc; }
@test "ctr run --rm --runc-binary hardshim: hardened from inside (crun)" { scenario_run_rm crun; }

scenario_detached() {
	e2e_policy "$1"
	run ctr_run -d "$E2E_IMAGE" "d-$1" sleep 1000
	[ "$status" -eq 0 ]
	run cr tasks ls
	grep -E "^d-$1 +[0-9]+ +RUNNING" <<<"$output"
	pid=$(cr tasks ls | awk -v id="d-$1" '$1 == id { print $2 }')
	[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")" = 65534 ]
	[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$pid/status")" = 1 ]
	[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$pid/status")" = 2 ]
	run cr tasks kill -s KILL "d-$1"
	[ "$status" -eq 0 ]
	for _ in $(seq 1 50); do
		cr tasks ls | grep -qE "^d-$1 .*STOPPED" && break
		sleep 0.1
	done
	cr tasks ls | grep -E "^d-$1 .*STOPPED"
	run cr tasks rm "d-$1"
	[ "$status" -eq 0 ]
	run cr containers rm "d-$1"
	[ "$status" -eq 0 ]
	[ -z "$(cr containers ls -q)" ]
	[ ! -e "/proc/$pid" ] || [ "$(awk '$1 == "State:" { print $2 }' "/proc/$pid/status")" = Z ]
}

@test "ctr run -d + kill + rm (runc)" { scenario_detached runc; }
@test "ctr run -d + kill + rm (crun)" { scenario_detached crun; }

scenario_exec() {
	e2e_policy "$1"
	ctr_run -d "$E2E_IMAGE" "x-$1" sleep 1000
	run cr tasks exec --exec-id e1 "x-$1" sh -c "$E2E_INSIDE"
	[ "$status" -eq 0 ]
	assert_hardened
	# ctr's exec process is the container's process with a new args: a hostile uid/caps there
	# would come from the container's spec, which hardshim already rewrote; the exec path
	# must hold on its own all the same (its process file is checked, not trusted).
	run cr tasks exec --exec-id e2 --cwd /tmp "x-$1" sh -c "$E2E_INSIDE"
	[ "$status" -eq 0 ]
	assert_hardened
	run cr tasks kill -s KILL "x-$1"
	[ "$status" -eq 0 ]
	for _ in $(seq 1 50); do
		cr tasks ls | grep -qE "^x-$1 .*STOPPED" && break
		sleep 0.1
	done
	run cr tasks rm "x-$1"
	[ "$status" -eq 0 ]
	run cr containers rm "x-$1"
	[ "$status" -eq 0 ]
}

@test "ctr run -d + task exec hardened + kill + rm (runc)" { scenario_exec runc; }
@test "ctr run -d + task exec hardened + kill + rm (crun)" { scenario_exec crun; }

scenario_hostile_rewritten() {
	local flags
	e2e_policy "$1"
	# ctr 1.6 has no --user: the image has no USER, so every ctr container asks for uid 0.
	for flags in "" "--cap-add CAP_SYS_ADMIN" "--allow-new-privs" \
		"--allow-new-privs --cap-add CAP_SYS_ADMIN --cap-add CAP_NET_RAW"; do
		echo "# $flags"
		# shellcheck disable=SC2086
		run ctr_run --rm $flags "$E2E_IMAGE" "h-$1" sh -c "$E2E_INSIDE"
		[ "$status" -eq 0 ]
		assert_hardened
	done
}

@test "ctr hostile uid 0 (image default) / --cap-add / --allow-new-privs: run hardened (runc)" { scenario_hostile_rewritten runc; }
@test "ctr hostile uid 0 (image default) / --cap-add / --allow-new-privs: run hardened (crun)" { scenario_hostile_rewritten crun; }

# ctr reads only the last error line of --log: the user sees hardshim's reason there.
scenario_hostile_refused() {
	e2e_policy "$1"
	run ctr_run --rm --mount type=bind,src=/etc,dst=/host,options=rbind:ro "$E2E_IMAGE" "r1-$1" true
	echo "$output"
	[ "$status" -ne 0 ]
	assert_refusal 'ctr: failed to create shim task: OCI runtime create failed: ' mounts.sensitive-source 'mounts[7].source'

	run ctr_run --rm --net-host "$E2E_IMAGE" "r2-$1" true
	echo "$output"
	[ "$status" -ne 0 ]
	# ctr --net-host also binds the host's /etc/hosts and /etc/resolv.conf: the first refusal
	# the user reads is that one, with the count of the others (the missing netns among them).
	assert_refusal 'ctr: failed to create shim task: OCI runtime create failed: ' mounts.sensitive-source 'mounts[7].source'
	grep -qF '/etc/hosts' <<<"$output"
	# and every refusal is on the trail by rule and place (not the count in the sentence): the
	# other host file, and no network namespace (for the namespaces and the egress controls)
	tail -n 1 "$E2E/launches.jsonl" | jq -e --arg id "r2-$1" '.id == $id and
		([.findings[] | select(.action == "refuse") | "\(.rule) \(.path)"] | sort) ==
		["egress.host-network linux.namespaces", "mounts.sensitive-source mounts[7].source",
			"mounts.sensitive-source mounts[8].source", "namespaces.missing linux.namespaces"]'

	# The host's pid namespace, named through our own process (pid 1's is not readable here).
	run ctr_run --rm --with-ns "pid:/proc/$$/ns/pid" "$E2E_IMAGE" "r3-$1" true
	echo "$output"
	[ "$status" -ne 0 ]
	assert_refusal 'ctr: failed to create shim task: OCI runtime create failed: ' namespaces.host 'linux.namespaces[0].path'
	grep -qF "/proc/$$/ns/pid" <<<"$output"

	# --privileged brings every capability and host device node: refused, and named as
	# what it is (the first refusal's device, and how many more, depend on the host).
	run ctr_run --rm --privileged "$E2E_IMAGE" "r4-$1" true
	echo "$output"
	[ "$status" -ne 0 ]
	assert_refusal 'ctr: failed to create shim task: OCI runtime create failed: ' privileged '(document)'
	grep -qE 'first devices\.not-allowed: linux\.devices\[[0-9]+\]' <<<"$output"

	[ -z "$(cr tasks ls -q)" ]
	[ "$(tail -n 1 "$E2E/launches.jsonl" | jq -r .verdict)" = refused ]
}

@test "ctr hostile bind /etc, --net-host, host pid ns, --privileged: refused, reason shown (runc)" { scenario_hostile_refused runc; }
@test "ctr hostile bind /etc, --net-host, host pid ns, --privileged: refused, reason shown (crun)" { scenario_hostile_refused crun; }

@test "ctr control runs: with user, capabilities, mounts, devices off, the hostile requests go through" {
	e2e_policy runc '.controls.user.enabled = false | .controls.capabilities.enabled = false'
	run ctr_run --rm --cap-add CAP_SYS_ADMIN "$E2E_IMAGE" c1 sh -c "$E2E_INSIDE"
	echo "$output"
	[ "${lines[0]}" = 0 ]
	hs_cap_has "$(awk '$1 == "CapEff:" { print $2 }' <<<"$output")" 21

	e2e_policy runc '.controls.mounts.enabled = false'
	run ctr_run --rm --mount type=bind,src=/etc,dst=/host,options=rbind:ro "$E2E_IMAGE" c2 cat /host/hostname
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat /etc/hostname)" ]

	e2e_policy runc '.controls.devices.enabled = false'
	run ctr_run --rm --privileged "$E2E_IMAGE" c3 ls /dev
	[ "$status" -eq 0 ]
	grep -qxE '(vd|sd|nvme|loop)[a-z0-9]*' <<<"$output"
}

# Issue 14: a per-workload policy without annotations. A runtime binary named hardshim-db (a
# handler's options.BinaryName, here ctr's --runc-binary) runs under db.json beside the
# installed policy (root remapped to 4242); the plain name keeps the base policy.
scenario_handler_name() {
	e2e_policy "$1"
	jq '.controls.user.uid = 4242 | .controls.user.gid = 4242' "$E2E_POLICY" >"${E2E_POLICY%/*}/db.json"
	chmod 0644 "${E2E_POLICY%/*}/db.json"
	ln -sf hardshim "$E2E/usr/bin/hardshim-db"
	run cr run --rm --runc-binary "$E2E/usr/bin/hardshim-db" "$E2E_IMAGE" "db-$1" sh -c 'id -u; id -g'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '4242\n4242')" ]
	# opposite: the plain name, same image, the base policy
	run ctr_run --rm "$E2E_IMAGE" "nodb-$1" sh -c 'id -u; id -g'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '65534\n65534')" ]
}
@test "ctr --runc-binary hardshim-db: the binary's name selects db.json (runc)" { scenario_handler_name runc; }
@test "ctr --runc-binary hardshim-db: the binary's name selects db.json (crun)" { scenario_handler_name crun; }

# containerd's CRI plugin reaches hardshim through the config.toml runtime entry
# (runtime_type io.containerd.runc.v2, options.BinaryName): the entry this suite's daemon has.
# Pods and containers through it, with the kubelet's CRI calls: cri.bats.
@test "containerd config.toml runtime entry (options.BinaryName) is loaded by the daemon" {
	run ctr --address "$CD_SOCK" plugins ls
	echo "$output"
	awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" { print $NF }' <<<"$output" | grep -qx ok
	grep -qF "Runtimes:map[hardshim:{Type:io.containerd.runc.v2 " "$CD/containerd.log"
	grep -qF "Options:map[BinaryName:$E2E_BIN]" "$CD/containerd.log"
	grep -qF "RestrictOOMScoreAdj:true" "$CD/containerd.log"
}
