#!/usr/bin/env bats
# class 1 of issue 13: paths judged before the runtime resolves them. The mount table read
# as strings: a mount listed at a path is not what the path reaches once another mount covers
# a parent. A host kernel interface (procfs's sys) is bound under a path the table lists as a
# tmpfs. Shown to work against the bare runtime first.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# The filesystem type of the container's /mnt, as its own mount table says.
mnt_type='awk '\''$5 == "/mnt" { for (i = 7; $i != "-"; i++); print $(i + 1) }'\'' /proc/self/mountinfo'

# A tmpfs at k/sys, then a procfs over k (root on the host, or any engine's volume plugin that
# mounts in order): the table still lists "k/sys tmpfs", and k/sys is procfs's /proc/sys, with
# kernel/core_pattern, the host kernel's (not namespaced). Bound rbind into the container.
sys_under_listed_tmpfs() {
	rt_begin "$1"
	local k="$HS_TMP/k"
	mkdir -p "$k/sys"
	RT_HOST_MOUNTS="$k $k/sys" # unmounted in this order by rt_teardown
	mount -t tmpfs -o size=64k tmpfs "$k/sys"
	mount -t proc proc "$k"
	hs_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind"]}]' \
		--arg s "$k/sys"
	rt_inside_probe "$mnt_type; cat /mnt/kernel/core_pattern"
	rt_works_direct '[ "$RT_OUT" = "$(printf "proc\n%s" "$(cat /proc/sys/kernel/core_pattern)")" ]'
	rt_refused mounts.source-kernel-fs "mounts[$(jq '.mounts | length - 1' "$HS_CONFIG")].source"
}
@test "runc: procfs's sys bound from a path the mount table lists as a tmpfs" { sys_under_listed_tmpfs runc; }
@test "crun: procfs's sys bound from a path the mount table lists as a tmpfs" { sys_under_listed_tmpfs crun; }
