#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Issue 14: ordinary images under hardshim's default policy serve, or are refused at create
# with the fix. Each image (tests/lib/workloads.bash) runs under Podman and containerd (ctr),
# runc and crun; a row of the table in $WL_TABLE for each. A container that starts and then
# does not serve is the failure this suite exists for ("silent breakage").

load ../lib/workloads

setup_file() {
	wl_setup
	wl_containerd
	: >"$WL_TABLE"
}

teardown_file() {
	local f
	for f in "$BATS_FILE_TMPDIR"/netns.*; do
		[ -e "$f" ] && ip netns del "${f##*/netns.}" 2>/dev/null
	done
	podman_cleanup
	containerd_cleanup
	containerd_stop
	if [ -s "$WL_TABLE" ]; then
		{
			printf '%-8s %-5s %-19s %-8s %s\n' engine rt image result detail
			sort "$WL_TABLE"
		} | sed 's/^/# /' >&3
	fi
}

# wl_ns CELL: the cell's network namespace, named for this run: /run/netns is the machine's,
# and two runs at once (two worktrees, or the plain and sanitizer builds) must not delete or
# join each other's. The run's part names bats' own run directory (unique while the run lasts).
WL_RUN=$(printf '%s' "$BATS_RUN_TMPDIR" | md5sum | cut -c1-8)
wl_ns() {
	echo "hswl-$WL_RUN-$1"
}

# Cells known to break, with the cause of issue 14 that breaks them. Such a cell is a skip
# that says why while it still breaks, and a failure the day it serves (remove it here).
wl_known() {
	case "$1" in
	*) return 1 ;;
	esac
}

# serves ENGINE RT IMAGE UID: a cell that serves, as a non-root host uid
serves() {
	wl_record "$1" "$2" "$3" serves "uid $4"
	[ -n "$4" ] && [ "$4" != 0 ]
	! wl_known "$1-$2-$3" >/dev/null || {
		echo "$1-$2-$3 serves now: remove it from wl_known" >&2
		return 1
	}
}

# refused ENGINE RT IMAGE OUTPUT: refused at create; the message must name the fix
refused() {
	wl_record "$1" "$2" "$3" refused "$(grep -o 'hardshim: .*' <<<"$4" | head -c 160)"
	echo "$4"
	[[ $4 == *"--user"* || $4 == *runAsUser* ]]
}

# broken ENGINE RT IMAGE LOGS: started, then did not serve
broken() {
	local why
	wl_record "$1" "$2" "$3" BROKEN "$(tr '\n' ' ' <<<"$4" | head -c 160)"
	echo "started, then did not serve: $4" >&2
	why=$(wl_known "$1-$2-$3") && skip "started, then did not serve: $why"
	return 1
}

# ctr_cell RUNTIME IMAGE
ctr_cell() {
	local rt=$1 img=$2 ns name out pid uid st
	ns=$(wl_ns "c-$rt-$img")
	name=hswl-$rt-$img
	wl_netns "$ns"
	touch "$BATS_FILE_TMPDIR/netns.$ns"
	e2e_policy "$rt"
	# shellcheck disable=SC2046 # one option or none
	ctr_rm "$name"
	rm -f "$E2E/ctr-$name.log"
	run cr run -d --log-uri "file://$E2E/ctr-$name.log" --runc-binary "$E2E_BIN" \
		--with-ns "network:/run/netns/$ns" \
		$(wl_volume_mounts "$img") "localhost/hs-wl-$img:latest" "$name"
	[ "$status" -eq 0 ] || {
		refused ctr "$rt" "$img" "$output"
		return
	}
	if wl_wait "$img" "$ns" ctr_alive "$name"; then
		pid=$(cr tasks ls | awk -v n="$name" '$1 == n { print $2 }')
		uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
		serves ctr "$rt" "$img" "$uid"
		st=$?
		# the image's VOLUME, an empty root 0777 directory (wl_volume_mounts): given to the
		# uid the service runs as (user.volume-owner), or postgres could not own PGDATA
		case $img in
		redis | postgres)
			[ "$(stat -c %u "$E2E/vol/$img")" = "$uid" ] || {
				echo "the volume $E2E/vol/$img is not the service's (uid $uid)" >&2
				st=1
			}
			;;
		esac
		ctr_rm "$name"
		return $st
	fi
	out=$(tail -n 3 "$E2E/ctr-$name.log" 2>/dev/null)
	ctr_rm "$name"
	broken ctr "$rt" "$img" "$out"
}

ctr_alive() { cr tasks ls | awk -v n="$1" '$1 == n && $3 == "RUNNING" { f = 1 } END { exit !f }'; }
ctr_rm() {
	cr tasks kill -s KILL "$1" >/dev/null 2>&1 || true
	for _ in $(seq 1 50); do ctr_alive "$1" || break; sleep 0.1; done
	cr tasks delete -f "$1" >/dev/null 2>&1 || true
	cr containers delete "$1" >/dev/null 2>&1 || true
}

# podman_cell RUNTIME IMAGE
# podman_cell RUNTIME IMAGE [LABEL PODMAN-RUN-OPTION...]: with options, the cell is the
# image with the fix a team applies (docs/running-images.md), named LABEL in the table.
podman_cell() {
	local rt=$1 img=$2 label=${3:-$2} ns name out st uid
	shift $(($# < 3 ? $# : 3))
	ns=$(wl_ns "p-$rt-$label")
	name=hswl-$rt-$label
	wl_netns "$ns"
	touch "$BATS_FILE_TMPDIR/netns.$ns"
	e2e_policy "$rt"
	run pm run -d --name "$name" --network "ns:/run/netns/$ns" "$@" "localhost/hs-wl-$img"
	[ "$status" -eq 0 ] || {
		refused podman "$rt" "$label" "$output"
		return
	}
	if wl_wait "$img" "$ns" pm_alive "$name"; then
		uid=$(pm_uid "$name")
		pm rm -f -t 0 "$name" >/dev/null
		serves podman "$rt" "$label" "$uid"
		return
	fi
	out=$(pm logs "$name" 2>&1 | tail -n 3)
	pm rm -f -t 0 "$name" >/dev/null
	broken podman "$rt" "$label" "$out"
}

pm_alive() { [ "$(pm inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
# the uid (on the host) the container's first process runs as
pm_uid() {
	local pid
	pid=$(pm inspect -f '{{.State.Pid}}' "$1") && awk '/^Uid:/ { print $2 }' "/proc/$pid/status"
}
# Podman --userns=auto (what Kubernetes hostUsers: false does): Podman picks a range of the
# "containers" entries of /etc/subuid and /etc/subgid, makes the user namespace and hands the
# bundle to its root. hardshim admits it and keeps uid 0 of the namespace (not the host's
# root: never remapped into an id the map may lack). Shown from the host: the process's uid
# is the range's first id, not 0, and its uid_map maps 0 there; and it serves.
WL_SUBID_BASE=2000000
wl_subids_set() {
	[ -e "$BATS_FILE_TMPDIR/subids" ] || {
		mkdir -p "$BATS_FILE_TMPDIR/subids"
		cp -p /etc/subuid /etc/subgid "$BATS_FILE_TMPDIR/subids/" 2>/dev/null || true
	}
	local f
	for f in subuid subgid; do
		grep -q "^containers:$WL_SUBID_BASE:" "/etc/$f" 2>/dev/null ||
			echo "containers:$WL_SUBID_BASE:200000" >>"/etc/$f"
	done
}
# the files as they were (their content: the inode others may hold stays)
wl_subids_restore() {
	local f
	[ -d "$BATS_FILE_TMPDIR/subids" ] || return 0
	for f in subuid subgid; do
		if [ -e "$BATS_FILE_TMPDIR/subids/$f" ]; then
			cat "$BATS_FILE_TMPDIR/subids/$f" >"/etc/$f"
		else
			rm -f "/etc/$f"
		fi
	done
	rm -rf "$BATS_FILE_TMPDIR/subids"
}
teardown() { wl_subids_restore; }

podman_userns_cell() {
	local rt=$1 img=pyhttp label=pyhttp-userns-auto ns name pid uid map st=0
	ns=$(wl_ns "p-$rt-$label")
	name=hswl-$rt-$label
	ip netns del "$ns" 2>/dev/null || true
	e2e_policy "$rt"
	wl_subids_set
	# The network namespace is the runtime's, made in the user namespace, as Podman makes it
	# for one (a netns joined by path belongs to the host's user namespace: runc cannot mount
	# /sys for it there, with or without hardshim). The client joins it by a name given to it.
	run pm run -d --name "$name" --network none --userns=auto "localhost/hs-wl-$img"
	echo "$output"
	[ "$status" -eq 0 ] || {
		wl_record podman "$rt" "$label" REFUSED "$(grep -o 'hardshim: .*' <<<"$output" | head -c 160)"
		return 1
	}
	pid=$(pm inspect -f '{{.State.Pid}}' "$name")
	ip netns attach "$ns" "$pid" && ip -n "$ns" link set lo up
	touch "$BATS_FILE_TMPDIR/netns.$ns"
	if ! wl_wait "$img" "$ns" pm_alive "$name"; then
		map=$(pm logs "$name" 2>&1 | tail -n 3)
		pm rm -f -t 0 "$name" >/dev/null 2>&1
		broken podman "$rt" "$label" "$map"
		return
	fi
	grep -E '^(Uid|Gid|NoNewPrivs|Seccomp):' "/proc/$pid/status"
	cat "/proc/$pid/uid_map"
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
	map=$(awk 'NR == 1 { print $1, $2 }' "/proc/$pid/uid_map")
	# uid 0 of the namespace, which is the range's first host id, inside the subuid range
	[ "$map" = "0 $uid" ] || st=1
	[ "$uid" -ge "$WL_SUBID_BASE" ] && [ "$uid" -lt $((WL_SUBID_BASE + 200000)) ] || st=1
	[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$pid/status")" = 1 ] || st=1
	[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$pid/status")" = 2 ] || st=1
	pm rm -f -t 0 "$name" >/dev/null 2>&1 || {
		sleep 1 # Podman 4.3's EBUSY on userdata/shm in a user namespace (see e2e podman.bats)
		pm rm -f -t 0 "$name" >/dev/null
	}
	serves podman "$rt" "$label" "$uid" || st=1
	return $st
}
@test "workloads: podman runc pyhttp --userns=auto serves as the namespace's root, a subuid" { podman_userns_cell runc; }
@test "workloads: podman crun pyhttp --userns=auto serves as the namespace's root, a subuid" { podman_userns_cell crun; }

# Issue 14 cause 9: `podman exec` into a root image that runs as its data owner (redis: uid
# of redis, not 65534) runs as that same uid, judged under what create decided, and can write
# the data directory as the service does. Without it the exec'd shell was 65534.
podman_exec_cell() {
	local rt=$1 img=redis label=redis-exec ns name uid
	ns=$(wl_ns "p-$rt-$label")
	name=hswl-$rt-$label
	wl_netns "$ns"
	touch "$BATS_FILE_TMPDIR/netns.$ns"
	e2e_policy "$rt"
	run pm run -d --name "$name" --network "ns:/run/netns/$ns" "localhost/hs-wl-$img"
	echo "$output"
	[ "$status" -eq 0 ]
	wl_wait "$img" "$ns" pm_alive "$name"
	uid=$(pm_uid "$name")
	run pm exec "$name" sh -c 'id -u; touch /data/exec-probe && echo written'
	echo "$output"
	pm rm -f -t 0 "$name" >/dev/null
	[ "$status" -eq 0 ]
	[ "$uid" != 0 ] && [ "$uid" != 65534 ]
	[ "${lines[0]}" = "$uid" ]
	[ "${lines[1]}" = written ]
}
@test "workloads: podman runc redis: exec runs as the uid create chose (the data owner)" { podman_exec_cell runc; }
@test "workloads: podman crun redis: exec runs as the uid create chose (the data owner)" { podman_exec_cell crun; }

@test "workloads: podman runc nginx" { podman_cell runc nginx; }
@test "workloads: podman runc nginx, fixed with --tmpfs /var/lib/nginx" { podman_cell runc nginx nginx-tmpfs --tmpfs /var/lib/nginx; }
@test "workloads: podman runc redis" { podman_cell runc redis; }
@test "workloads: podman runc postgres" { podman_cell runc postgres; }
@test "workloads: podman runc pyhttp" { podman_cell runc pyhttp; }
@test "workloads: podman runc sqlite-app" { podman_cell runc sqlite-app; }
@test "workloads: podman runc nginx-unprivileged" { podman_cell runc nginx-unprivileged; }
@test "workloads: podman crun nginx" { podman_cell crun nginx; }
@test "workloads: podman crun nginx, fixed with --tmpfs /var/lib/nginx" { podman_cell crun nginx nginx-tmpfs --tmpfs /var/lib/nginx; }
@test "workloads: podman crun redis" { podman_cell crun redis; }
@test "workloads: podman crun postgres" { podman_cell crun postgres; }
@test "workloads: podman crun pyhttp" { podman_cell crun pyhttp; }
@test "workloads: podman crun sqlite-app" { podman_cell crun sqlite-app; }
@test "workloads: podman crun nginx-unprivileged" { podman_cell crun nginx-unprivileged; }
@test "workloads: ctr runc nginx" { ctr_cell runc nginx; }
@test "workloads: ctr runc redis" { ctr_cell runc redis; }
@test "workloads: ctr runc postgres" { ctr_cell runc postgres; }
@test "workloads: ctr runc pyhttp" { ctr_cell runc pyhttp; }
@test "workloads: ctr runc sqlite-app" { ctr_cell runc sqlite-app; }
@test "workloads: ctr runc nginx-unprivileged" { ctr_cell runc nginx-unprivileged; }
@test "workloads: ctr crun nginx" { ctr_cell crun nginx; }
@test "workloads: ctr crun redis" { ctr_cell crun redis; }
@test "workloads: ctr crun postgres" { ctr_cell crun postgres; }
@test "workloads: ctr crun pyhttp" { ctr_cell crun pyhttp; }
@test "workloads: ctr crun sqlite-app" { ctr_cell crun sqlite-app; }
@test "workloads: ctr crun nginx-unprivileged" { ctr_cell crun nginx-unprivileged; }
