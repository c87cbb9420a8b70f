#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Issue 14: ordinary images under hardshim's default policy serve, or are refused at create
# with the fix. Each image (tests/lib/workloads.bash) runs under Podman and containerd (ctr),
# runc and crun; a row of the table in $WL_TABLE for each. A container that starts and then
# does not serve is the failure this suite exists for ("silent breakage").

load ../lib/workloads

setup_file() {
	wl_setup
	: >"$WL_TABLE"
}

teardown_file() {
	local f
	for f in "$BATS_FILE_TMPDIR"/netns.*; do
		[ -e "$f" ] && ip netns del "${f##*/netns.}" 2>/dev/null
	done
	podman_cleanup
	if [ -s "$WL_TABLE" ]; then
		{
			printf '%-8s %-5s %-19s %-8s %s\n' engine rt image result detail
			sort "$WL_TABLE"
		} | sed 's/^/# /' >&3
	fi
}

# Cells known to break, with the cause of issue 14 that breaks them. Such a cell is a skip
# that says why while it still breaks, and a failure the day it serves (remove it here).
wl_known() {
	case "$1" in
	*-nginx) echo "issue 14 cause 1 (root remapped to 65534: /var/lib/nginx is root's) and 4 (port 80)" ;;
	*-redis) echo "issue 14 cause 1 (root remapped to 65534: /data is redis's)" ;;
	*-postgres) echo "issue 14 cause 1 (root remapped to 65534: PGDATA is postgres's, chown skipped)" ;;
	*-sqlite-app) echo "issue 14 cause 1 (root remapped to 65534: WORKDIR /app is root's)" ;;
	*) return 1 ;;
	esac
}

# podman_cell RUNTIME IMAGE
podman_cell() {
	local rt=$1 img=$2 ns name out st
	ns=hswl-p-$rt-$img
	name=hswl-$rt-$img
	wl_netns "$ns"
	touch "$BATS_FILE_TMPDIR/netns.$ns"
	e2e_policy "$rt"
	run pm run -d --name "$name" --network "ns:/run/netns/$ns" "localhost/hs-wl-$img"
	st=$status out=$output
	if [ "$st" -ne 0 ]; then
		wl_record podman "$rt" "$img" refused "$(grep -o 'hardshim: .*' <<<"$out" | head -c 160)"
		echo "$out"
		# a refusal must name the fix
		[[ $out == *"hardshim"* ]]
		return 1
	fi
	if wl_wait "$img" "$ns" pm_alive "$name"; then
		wl_record podman "$rt" "$img" serves "uid $(pm_uid "$name")"
		# hardened: the service does not run as the host's root
		[ "$(pm_uid "$name")" != 0 ]
		pm rm -f -t 0 "$name" >/dev/null
		wl_known "podman-$rt-$img" >/dev/null && {
			echo "podman-$rt-$img serves now: remove it from wl_known" >&2
			return 1
		}
		return 0
	fi
	out=$(pm logs "$name" 2>&1 | tail -n 3 | tr '\n' ' ')
	wl_record podman "$rt" "$img" BROKEN "$(head -c 160 <<<"$out")"
	pm rm -f -t 0 "$name" >/dev/null
	echo "started, then did not serve: $out" >&2
	why=$(wl_known "podman-$rt-$img") && skip "started, then did not serve: $why"
	return 1
}

pm_alive() { [ "$(pm inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
# the uid (on the host) the container's first process runs as
pm_uid() {
	local pid
	pid=$(pm inspect -f '{{.State.Pid}}' "$1") && awk '/^Uid:/ { print $2 }' "/proc/$pid/status"
}
@test "workloads: podman runc nginx" { podman_cell runc nginx; }
@test "workloads: podman runc redis" { podman_cell runc redis; }
@test "workloads: podman runc postgres" { podman_cell runc postgres; }
@test "workloads: podman runc pyhttp" { podman_cell runc pyhttp; }
@test "workloads: podman runc sqlite-app" { podman_cell runc sqlite-app; }
@test "workloads: podman runc nginx-unprivileged" { podman_cell runc nginx-unprivileged; }
@test "workloads: podman crun nginx" { podman_cell crun nginx; }
@test "workloads: podman crun redis" { podman_cell crun redis; }
@test "workloads: podman crun postgres" { podman_cell crun postgres; }
@test "workloads: podman crun pyhttp" { podman_cell crun pyhttp; }
@test "workloads: podman crun sqlite-app" { podman_cell crun sqlite-app; }
@test "workloads: podman crun nginx-unprivileged" { podman_cell crun nginx-unprivileged; }
