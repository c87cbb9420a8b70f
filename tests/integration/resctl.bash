# SPDX-License-Identifier: Apache-2.0
# Shared by resources, devices-sysctl, hooks-annotations, update and exceptions .bats: the
# bundle library, the shipped default policy, and reading a container's cgroup files from the
# host (hybrid cgroups here: v1 controllers, v2 "unified" for the rest).

# shellcheck source=../lib/bundle.bash
. "${HS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/lib/bundle.bash"

# rc_setup RUNTIME [JQ-FILTER [jq args]]: per-test dirs, a bundle, and the shipped policy
# (profiles/policy/default.json) naming RUNTIME, edited by the filter.
rc_setup() {
	local rt=$1
	shift
	hs_setup "$rt"
	hs_policy_default "${@:-.}"
	hs_bundle
}

# rc_policy [JQ-FILTER [jq args]]: the shipped policy again, with another edit.
rc_policy() {
	hs_policy_default "$@"
}

# rc_cgroup_file ID CONTROLLER FILE: path of FILE in the container init's CONTROLLER cgroup,
# from /proc/<pid>/cgroup as the host sees it (v1 hierarchy if the controller has one, else
# the v2 unified one).
rc_cgroup_file() {
	local pid line path
	pid=$(hs_pid "$1") || return 1
	line=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print }' \
		"/proc/$pid/cgroup" | head -n1)
	if [ -n "$line" ]; then
		path=${line#*:*:}
		echo "/sys/fs/cgroup/$2$path/$3"
		return 0
	fi
	line=$(grep '^0::' "/proc/$pid/cgroup") || return 1
	echo "/sys/fs/cgroup/unified${line#0::}/$3"
}

# rc_cgroup ID CONTROLLER FILE: its content.
rc_cgroup() {
	local f
	f=$(rc_cgroup_file "$@") || return 1
	cat "$f"
}

# rc_start ID: create + start detached, wait until running.
rc_start() {
	hs_create_start "$1" && hs_wait_state "$1" running
}

# rc_refused: the last `run` was refused by hardshim with RULE at PATH (as the user sees it).
rc_refused() {
	local rule=$1 path=$2
	echo "status=$status output=$output" >&2
	[ "$status" -ne 0 ] || return 1
	[[ "$output" == *"hardshim: "*"$rule: $path"* ]] || return 1
}
