# SPDX-License-Identifier: Apache-2.0
# Bundle helpers for hardshim's bats tests: build a busybox-static OCI bundle, run it through
# $HS_BIN with runc or crun behind it, look at the container's init from /proc, clean up.
#
#   load ../lib/bundle
#   setup()    { hs_setup runc; }        # or crun; writes a policy, exports HARDSHIM_POLICY
#   teardown() { hs_teardown; }          # delete --force every container this test made
#
#   @test "x" {
#       hs_bundle                        # $HS_BUNDLE: rootfs + $HS_CONFIG (runc spec, edited)
#       hs_args sh -c 'id -u'
#       run hs_run c1                    # foreground `run` through hardshim
#       hs_args sleep 1000; hs_create_start c2; hs_status c2 NoNewPrivs
#   }
#
# HS_VIA=direct runs the real runtime instead of hardshim (to test a bundle or a helper alone).
# Every container runs with --root "$HS_STATE" (a per-test runtime state dir), so tests never
# touch the machine's own /run/runc or /run/crun, and cleanup knows exactly what it made.

# shellcheck source=tests/lib/env.bash
source "${BASH_SOURCE[0]%/*}/env.bash"
# shellcheck source=tests/lib/cache.bash
source "${BASH_SOURCE[0]%/*}/cache.bash"

# Absolute path of a runtime by short name (never searched in PATH by hardshim either).
hs_runtime_path() {
	case $1 in
	runc) echo /usr/bin/runc ;;
	crun) echo /usr/bin/crun ;;
	/*) echo "$1" ;;
	*) echo "hs_runtime_path: unknown runtime $1" >&2; return 1 ;;
	esac
}

# hs_setup RUNTIME: per-test dirs, and a policy naming RUNTIME. Call from setup().
hs_setup() {
	[ "$(id -u)" = 0 ] || skip "needs root (containers are created for real)"
	HS_TMP=${BATS_TEST_TMPDIR:-$(mktemp -d)}
	HS_STATE=$HS_TMP/state
	HS_IDS=$HS_TMP/ids
	HS_PIDS=$HS_TMP/pids
	mkdir -p "$HS_STATE"
	: >"$HS_IDS"
	: >"$HS_PIDS"
	export HS_TMP HS_STATE HS_IDS HS_PIDS
	hs_use_runtime "${1:-runc}"
}

# hs_use_runtime NAME [JQ-FILTER [jq args...]]: write $HS_TMP/policy.json naming the runtime,
# optionally edited by a jq filter (e.g. '.mode = "audit"' or '.controls.user.enabled = false'),
# and export HARDSHIM_POLICY. Switching runtimes mid-test is fine; cleanup asks both.
hs_use_runtime() {
	local name=$1
	shift
	HS_RUNTIME=$name
	HS_RUNTIME_PATH=$(hs_runtime_path "$name") || return 1
	export HS_RUNTIME HS_RUNTIME_PATH
	hs_policy "${@:-.}"
}

# hs_policy [JQ-FILTER [jq args...]]: rewrite the test's policy from
# {"runtime": ..., "log": {"path": "$HS_TMP/launches.jsonl"}} through a jq filter (absent
# control sections: their secure defaults). The launch trail stays in the test's dir
# ($HS_LAUNCHES). The file is root-owned 0644, as hardshim wants an administrator's to be.
# hs_policy_default [JQ-FILTER...] starts from profiles/policy/default.json instead.
hs_policy() {
	hs_policy_from "$(jq -n --arg rt "$HS_RUNTIME_PATH" '{runtime: $rt}')" "$@"
}

hs_policy_default() {
	hs_policy_from "$(jq --arg rt "$HS_RUNTIME_PATH" '.runtime = $rt' \
		"$HS_TOP/profiles/policy/default.json")" "$@"
}

hs_policy_from() {
	local base=$1 filter=${2:-.}
	shift 2 || shift $#
	HARDSHIM_POLICY=$HS_TMP/policy.json
	HS_LAUNCHES=$HS_TMP/launches.jsonl
	export HARDSHIM_POLICY HS_LAUNCHES
	printf '%s' "$base" | jq --arg log "$HS_LAUNCHES" '.log.path = $log' |
		jq "$@" "$filter" >"$HARDSHIM_POLICY.new" &&
		chmod 0644 "$HARDSHIM_POLICY.new" && mv "$HARDSHIM_POLICY.new" "$HARDSHIM_POLICY"
}

# hs_rootfs DIR: a busybox-static root filesystem (/bin/busybox and one symlink per applet),
# with the directories runtimes mount over and an /etc/passwd that knows uid 65534.
# The tree is made once per machine by hs_rootfs_tree into the test cache (keyed by the busybox
# binary and hs_rootfs_tree's own text, so a new busybox or a changed recipe makes a new one) and
# copied from there: one `cp -a` instead of one `ln` process per applet (~270), which cost
# 0.5-20 s per bundle on a loaded 2-core machine. DIR gets its own copy (never links into the
# cache): tests edit their rootfs. DIR itself keeps its mode when it exists already.
hs_rootfs() {
	local root=$1 bb key tree
	bb=$(command -v busybox) || { echo "busybox-static is not installed" >&2; return 1; }
	key=$(hs_cache_key "$bb" <<<"$(declare -f hs_rootfs_tree)") || return 1
	tree=$(hs_cache rootfs "$key" hs_rootfs_tree "$bb") || return 1
	mkdir -p "$root" && cp -a --remove-destination "$tree"/* "$root"/
}

# hs_rootfs_tree BUSYBOX DIR: what hs_rootfs copies.
hs_rootfs_tree() {
	local bb=$1 root=$2 applet
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,var/tmp,root,home}
	chmod 1777 "$root/tmp" "$root/var/tmp"
	cp "$bb" "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/sh' \
		>"$root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
}

# hs_port80_bundle NAME JQ-EDIT: a bundle ($HS_TMP/b-NAME) whose process, uid 33:33 (the
# config further edited by JQ-EDIT: capabilities, sysctl), prints its uid, its network
# namespace's ip_unprivileged_port_start, its CapEff and CapAmb lines, then binds port 80 and
# prints "bound": how a port below 1024 for non-root is shown from inside (issue 14 cause 4).
# httpd's refusal goes to stdout too: runc copies a foreground container's stdout and stderr
# through two pipes of its own, so under load an error line could come before the lines
# printed ahead of it (seen with the suite's two lanes: "httpd: bind: Permission denied"
# before CapEff).
hs_port80_bundle() {
	hs_bundle "$HS_TMP/b-$1"
	hs_config ".process.user = {uid: 33, gid: 33} | $2"
	hs_args sh -c 'id -u; cat /proc/sys/net/ipv4/ip_unprivileged_port_start
		grep -E "^Cap(Eff|Amb):" /proc/self/status; httpd -p 80 -h /tmp 2>&1 && echo bound'
}

# hs_rootfs_add_helper NAME [DIR]: copy the static test program build/helpers/NAME into the
# bundle's rootfs as /bin/NAME.
hs_rootfs_add_helper() {
	local src=$HS_BUILD/helpers/$1 dir=${2:-$HS_BUNDLE}
	[ -x "$src" ] || { echo "missing helper $src (make test-build)" >&2; return 1; }
	install -m 0755 "$src" "$dir/rootfs/bin/$1"
}

# hs_bundle [DIR]: a bundle in DIR (default $HS_TMP/bundle): busybox rootfs, config from
# `runc spec` with terminal off and args `sleep 1000`. Sets and exports HS_BUNDLE and HS_CONFIG.
#
# The test's config lives in $HS_CONFIG (config.src.json; edit it with hs_config/hs_args or
# write it directly). hardshim rewrites config.json in place (keeping config.json.orig), so
# hs_run/hs_create copy $HS_CONFIG to config.json before every start: each run begins from
# the test's config, never from a previous run's rewritten one. They also give each container
# its own cgroupsPath, so ids reused across tests (or by other suites) never share a cgroup.
hs_bundle() {
	HS_BUNDLE=${1:-$HS_TMP/bundle}
	HS_CONFIG=$HS_BUNDLE/config.src.json
	export HS_BUNDLE HS_CONFIG
	mkdir -p "$HS_BUNDLE"
	hs_rootfs "$HS_BUNDLE/rootfs" || return 1
	rm -f "$HS_BUNDLE/config.json" "$HS_BUNDLE/config.json.orig"
	runc spec --bundle "$HS_BUNDLE" || return 1
	mv "$HS_BUNDLE/config.json" "$HS_CONFIG"
	hs_config '.process.terminal = false | .process.args = ["sleep", "1000"]'
}

# hs_config JQ-FILTER [jq options...]: edit the test's config ($HS_CONFIG), e.g.
#   hs_config '.process.user.uid = $u' --argjson u 0
hs_config() {
	local filter=$1
	shift
	jq "$@" "$filter" "$HS_CONFIG" >"$HS_CONFIG.new" || return 1
	mv "$HS_CONFIG.new" "$HS_CONFIG"
}

# hs_args ARG...: set process.args.
hs_args() {
	local a
	a=$(jq -cn '$ARGS.positional' --args -- "$@") || return 1
	hs_config '.process.args = $a' --argjson a "$a"
}

# hs_place_config ID: config.json for the next start: the test's config, with a cgroupsPath of
# its own unless the test set one. Mode 0644, as hardshim wants a bundle's config to be.
hs_place_config() {
	local tag
	tag=$(printf '%s' "$HS_TMP" | md5sum | cut -c1-10)
	rm -f "$HS_BUNDLE/config.json.orig"
	jq --arg cg "/hs-$tag-$1" '.linux.cgroupsPath //= $cg' "$HS_CONFIG" >"$HS_BUNDLE/config.json.new" &&
		chmod 0644 "$HS_BUNDLE/config.json.new" &&
		mv "$HS_BUNDLE/config.json.new" "$HS_BUNDLE/config.json"
}

# hs_final_config: config.json as the runtime got it (after hardshim's rewrite).
hs_final_config() {
	cat "$HS_BUNDLE/config.json"
}

# The command that plays the runtime: hardshim, or the real runtime when HS_VIA=direct.
hs_cmd() {
	# A hung container must fail the test, not hang the suite.
	if [ "${HS_VIA:-hardshim}" = direct ]; then
		timeout -k 5 "${HS_TIMEOUT:-120}" "$HS_RUNTIME_PATH" "$@"
	else
		timeout -k 5 "${HS_TIMEOUT:-120}" "$HS_BIN" "$@"
	fi
}

# hs_rt ARGS...: the runtime command line as a client sends it, with the test's --root.
hs_rt() {
	hs_cmd --root "$HS_STATE" "$@"
}

# hs_rt_direct ARGS...: the real runtime, bypassing hardshim (state, cleanup, comparisons).
hs_rt_direct() {
	"$HS_RUNTIME_PATH" --root "$HS_STATE" "$@"
}

# Record "RUNTIME-PATH ID" for cleanup: only the runtime that made a container may delete it
# (runc's `delete --force` on crun's state dir removes the dir and leaves the process).
hs_track() {
	grep -qxF "$HS_RUNTIME_PATH $1" "$HS_IDS" 2>/dev/null || echo "$HS_RUNTIME_PATH $1" >>"$HS_IDS"
}

# hs_run ID [run options...]: `run --bundle` in the foreground; stdin is /dev/null.
hs_run() {
	local id=$1
	shift
	hs_track "$id"
	hs_place_config "$id" || return 1
	hs_rt run --bundle "$HS_BUNDLE" "$@" "$id" </dev/null
}

# hs_create ID [create options...]: create detached. The container's stdio goes to
# $HS_TMP/ID.out and ID.err (a pipe held by the container would hang bats' `run`).
# The runtime's own messages go there too: on failure they are printed to stderr.
hs_create() {
	local id=$1 rc=0
	shift
	hs_track "$id"
	hs_place_config "$id" || return 1
	hs_rt create --bundle "$HS_BUNDLE" --pid-file "$HS_TMP/$id.pid" "$@" "$id" \
		</dev/null >"$HS_TMP/$id.out" 2>"$HS_TMP/$id.err" || rc=$?
	if [ "$rc" != 0 ]; then
		cat "$HS_TMP/$id.out" "$HS_TMP/$id.err" >&2
		return "$rc"
	fi
	[ -s "$HS_TMP/$id.pid" ] && cat "$HS_TMP/$id.pid" >>"$HS_PIDS"
	return 0
}

hs_start() {
	hs_rt start "$1"
}

hs_create_start() {
	hs_create "$@" && hs_start "$1"
}

# hs_pid ID: pid of the container's init (pid file written at create, else the runtime's state).
hs_pid() {
	if [ -s "$HS_TMP/$1.pid" ]; then
		cat "$HS_TMP/$1.pid"
	else
		hs_rt_direct state "$1" | jq -r .pid
	fi
}

# hs_state ID: the runtime's status string (created, running, stopped...).
hs_state() {
	hs_rt_direct state "$1" 2>/dev/null | jq -r .status
}

# hs_proc ID FILE: /proc/<init pid>/FILE of the container (status, mountinfo, ns/net...).
hs_proc() {
	local pid
	pid=$(hs_pid "$1") || return 1
	[ -n "$pid" ] && [ "$pid" != 0 ] || return 1
	cat "/proc/$pid/$2"
}

# hs_cgroup_beside ID SUFFIX: the container's cgroup path + SUFFIX made in every hierarchy it
# is in (cpuset's cpus and mems copied from the parent, or nothing can join it), each listed in
# $HS_TMP/cgroups for the test's teardown to remove, deepest first. SUFFIX "x" makes the
# sibling "<own>x" (a host cgroup beside the container's), "/sub" a real sub-cgroup.
hs_cgroup_beside() {
	local line ctrls path dir
	while IFS= read -r line; do
		ctrls=${line#*:}
		path=${ctrls#*:}
		ctrls=${ctrls%%:*}
		case $ctrls in
		"") dir=unified ;;
		name=*) dir=${ctrls#name=} ;;
		*) dir=$ctrls ;;
		esac
		dir=/sys/fs/cgroup/$dir${path%/}$2
		[ -d "${dir%/*}" ] || continue
		mkdir -p "$dir"
		echo "$dir" >>"$HS_TMP/cgroups"
		if [ -f "$dir/cpuset.cpus" ]; then
			cat "${dir%/*}/cpuset.cpus" >"$dir/cpuset.cpus"
			cat "${dir%/*}/cpuset.mems" >"$dir/cpuset.mems"
		fi
	done < <(hs_proc "$1" cgroup)
}

# hs_status ID FIELD: one field of /proc/<init pid>/status, value only (e.g. NoNewPrivs -> 1;
# Uid -> "65534 65534 65534 65534", fields joined by single spaces).
hs_status() {
	hs_proc "$1" status | awk -v f="$2:" '$1 == f { $1 = ""; sub(/^[ \t]+/, ""); print; exit }'
}

# hs_ns_differs ID NS: true when the container's namespace NS is not the host's. The host's is
# pid 1's where readable; on this machine pid 1 is not dumpable (readlink /proc/1/ns/* gives
# EACCES even to root), so the test's own namespace stands in (tests run in the host's).
hs_ns_differs() {
	local pid mine host
	pid=$(hs_pid "$1") || return 1
	mine=$(readlink "/proc/$pid/ns/$2") || return 2
	host=$(readlink "/proc/1/ns/$2" 2>/dev/null) || host=$(readlink "/proc/self/ns/$2")
	[ "$mine" != "$host" ]
}

# hs_cap_has HEX CAPNUM: true when capability number CAPNUM is set in the mask (CapEff etc.).
hs_cap_has() {
	(((16#$1 >> $2) & 1))
}

# hs_exec ID [exec options...] -- CMD...: exec in the container through the runtime command.
hs_exec() {
	local id=$1
	shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	hs_rt exec "${opts[@]}" "$id" "$@" </dev/null
}

# hs_wait_state ID STATE [SECONDS]: poll until the runtime reports STATE.
hs_wait_state() {
	local i n=$((${3:-10} * 10))
	for ((i = 0; i < n; i++)); do
		[ "$(hs_state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1 never reached $2 (is: $(hs_state "$1"))" >&2
	return 1
}

# hs_teardown: delete --force every container the test made, with the real runtime that made
# it (so cleanup does not depend on the code under test), then kill any recorded pid still
# alive in another pid namespace.
hs_teardown() {
	local id pid rt
	[ -n "${HS_IDS:-}" ] && [ -f "$HS_IDS" ] || return 0
	while read -r rt id; do
		[ -n "$id" ] || continue
		"$rt" --root "$HS_STATE" delete --force "$id" >/dev/null 2>&1 || true
	done <"$HS_IDS"
	while read -r pid; do
		# Only a process still in another pid namespace than ours: a container's init,
		# not a host process that reused the number.
		[ -n "$pid" ] && [ -e "/proc/$pid" ] || continue
		[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] &&
			kill -9 "$pid" 2>/dev/null
	done <"$HS_PIDS"
	return 0
}
