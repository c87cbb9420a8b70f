#!/usr/bin/env bats
# class 2 of issue 13 (inputs no control owned): a hook's env, `exec -p=FILE`, `exec --cgroup`,
# and `update --memory-swap` without `--memory`. Each is shown to work against the bare runtime, then stopped by hardshim;
# the proof is read on the host (the hook's marker) or from the container's cgroup (/proc).

load ../lib/bundle
load ../lib/redteam

setup() {
	rt_setup
	# The administrator's hooks live in a root-owned directory (every ancestor root-owned).
	RT_HOOKDIR=$(mktemp -d /run/hs-redteam-hooks.XXXXXX)
	chmod 0755 "$RT_HOOKDIR"
}
teardown() {
	rt_teardown
	rm -rf "$RT_HOOKDIR"
	if [ -f "$HS_TMP/cgroups" ]; then
		sleep 0.2
		tac "$HS_TMP/cgroups" | while read -r d; do rmdir "$d" 2>/dev/null || true; done
	fi
	return 0
}

# An allowlisted hook (path and args are the administrator's) given an env of the config's:
# LD_PRELOAD of a library the image ships runs that library as root on the host, in the hook.
hook_env_preload() {
	rt_begin "$1" '.controls.hooks.allow = [{"path": $p, "args": ["good"]}]' \
		--arg p "$RT_HOOKDIR/good"
	printf '#!/bin/sh\nexit 0\n' >"$RT_HOOKDIR/good"
	chmod 0755 "$RT_HOOKDIR/good"
	mkdir -p "$HS_BUNDLE/rootfs/lib"
	printf '#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void x(void) { FILE *f = fopen("%s/marker", "w"); if (f) { fprintf(f, "uid=%%d\\n", (int)getuid()); fclose(f); } }\n' \
		"$HS_TMP" >"$HS_TMP/evil.c"
	cc -shared -fPIC -o "$HS_BUNDLE/rootfs/lib/evil.so" "$HS_TMP/evil.c"
	hs_config '.hooks = {"createRuntime": [{"path": $p, "args": ["good"], "env": [$e]}]}' \
		--arg p "$RT_HOOKDIR/good" --arg e "LD_PRELOAD=$HS_BUNDLE/rootfs/lib/evil.so"
	rt_inside_probe 'true'
	rt_works_direct '[ "$(cat "$HS_TMP/marker" 2>/dev/null)" = uid=0 ]'
	rm -f "$HS_TMP/marker"
	rt_refused hooks.env 'hooks.createRuntime[0].env'
	[ ! -e "$HS_TMP/marker" ] || { echo "the image's library ran on the host" >&2; return 1; }
}
@test "runc: an allowlisted hook's env carries LD_PRELOAD of an image library (root on the host)" { hook_env_preload runc; }
@test "crun: an allowlisted hook's env carries LD_PRELOAD of an image library (root on the host)" { hook_env_preload crun; }

# memsw ID: memory.memsw.limit_in_bytes of the container's memory cgroup, found through
# /proc/<init pid>/cgroup.
memsw() {
	local path
	path=$(hs_proc "$1" cgroup | awk -F: '$2 == "memory" { print $3 }') || return 1
	cat "/sys/fs/cgroup/memory$path/memory.memsw.limit_in_bytes"
}

# --memory-swap alone: the runtimes write the swap ceiling with no memory limit beside it to
# judge it against; -1 lifts the ceiling on memory+swap altogether.
swap_without_memory() {
	local a b
	rt_begin "$1"
	hs_config '.linux.resources.memory = {"limit": 268435456, "swap": 402653184}'
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] ||
		skip "no cgroup v1 memory.memsw here (swap accounting off): the ceiling cannot be read"
	a=$(rt_id)
	HS_VIA=direct hs_create_start "$a"
	hs_wait_state "$a" running
	[ "$(memsw "$a")" = 402653184 ]
	hs_rt_direct update --memory-swap -1 "$a"
	[ "$(memsw "$a")" != 402653184 ] || { echo "bare $HS_RUNTIME did not lift the ceiling" >&2; return 1; }
	hs_rt_direct delete --force "$a" # its cgroup (the config's cgroupsPath) is free again
	b=$(rt_id)
	hs_create_start "$b"
	hs_wait_state "$b" running
	[ "$(memsw "$b")" = 402653184 ]
	run hs_rt update --memory-swap -1 "$b"
	echo "$output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" == *"resources.swap-without-memory"* ]]
	[ "$(memsw "$b")" = 402653184 ]
}
@test "runc: update --memory-swap -1 without --memory lifts the swap ceiling" { swap_without_memory runc; }
@test "crun: update --memory-swap -1 without --memory lifts the swap ceiling" { swap_without_memory crun; }

# process_file FILE UID: an exec process document that reports its own Uid line.
process_file() {
	jq -n --argjson u "$2" '{args: ["grep", "^Uid:", "/proc/self/status"], cwd: "/",
		env: ["PATH=/bin"], user: {uid: $u, gid: $u}}' >"$1"
	chmod 0600 "$1"
}

# exec -p=FILE: runc's flag package reads FILE; crun's argp reads "=FILE", a file of its own
# relative to the cwd. A checker that reads FILE lets crun run "=FILE" unchecked. (runc reads
# what is checked: the attack is crun's, the refusal holds for both.)
exec_p_equals() {
	local a
	rt_begin "$1"
	hs_args sleep 1000
	a=$(rt_id)
	hs_create_start "$a"
	hs_wait_state "$a" running
	cd "$HS_TMP"
	process_file "$HS_TMP/p.json" 65534
	process_file "$HS_TMP/=p.json" 0
	if [ "$1" = crun ]; then
		run hs_rt_direct exec -p=p.json "$a"
		echo "# bare crun: $output" >&2
		[[ "$output" == "Uid:"*"0"*"0"*"0"*"0" ]] && [[ "$output" != *65534* ]] ||
			{ echo "bare crun did not run =p.json" >&2; return 1; }
	fi
	run hs_exec "$a" -p=p.json
	echo "# via hardshim: $output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" == *"exec.ambiguous-option"* ]]
	[[ "$output" != *"Uid:"* ]]
}
@test "runc: exec -p=FILE (crun runs \"=FILE\", not the FILE checked)" { exec_p_equals runc; }
@test "crun: exec -p=FILE (crun runs \"=FILE\", not the FILE checked)" { exec_p_equals crun; }

# exec --cgroup: runc joins the value to the container's cgroup and checks only a string prefix
# ("../<own>x" passes for "<own>"); crun 1.8 checks nothing. The sibling "<own>x" is a host
# cgroup: the exec'd process runs outside the container's limits and device rules.
exec_cgroup_sibling() {
	local a base
	rt_begin "$1"
	hs_args sleep 1000
	a=$(rt_id)
	hs_create_start "$a"
	hs_wait_state "$a" running
	base=$(hs_proc "$a" cgroup | awk -F: '$2 == "memory" { print $3 }')
	[ -n "$base" ] || skip "no cgroup v1 memory hierarchy here"
	hs_cgroup_beside "$a" x
	run hs_rt_direct exec --cgroup "../${base##*/}x" "$a" cat /proc/self/cgroup
	echo "# bare $1: $output" >&2
	grep -Eq ":memory:(/\.\.|.*/${base##*/}x\$)" <<<"$output" ||
		{ echo "bare $1 did not put the process outside its cgroup" >&2; return 1; }
	run hs_exec "$a" --cgroup "../${base##*/}x" -- cat /proc/self/cgroup
	echo "# via hardshim: $output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" == *"exec.cgroup"* ]]
	[[ "$output" != *":memory:"* ]]
}
@test "runc: exec --cgroup ../<own>x runs the process in a host cgroup beside the container's" { exec_cgroup_sibling runc; }
@test "crun: exec --cgroup ../<own>x runs the process in a host cgroup beside the container's" { exec_cgroup_sibling crun; }
