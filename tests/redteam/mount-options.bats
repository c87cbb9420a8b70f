#!/usr/bin/env bats
# class 2 of issue 13 (inputs no control owned), the mount options: the recursive attributes
# that clear what hardshim adds, idmapped mounts, and options the runtimes hand to the kernel
# as data. The mounts control admits options from an allowlist (docs/mount-options.md).

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# bind_with OPTIONS_JSON: a bind of a plain root-owned host directory at /mnt.
bind_with() {
	mkdir -p "$HS_TMP/data"
	hs_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": $o}]' \
		--arg s "$HS_TMP/data" --argjson o "$1"
}
last_mount() { jq '.mounts | length - 1' "$HS_CONFIG"; }

# The mount's per-mount options as the container sees them (field 6 of mountinfo).
mnt_opts='awk '\''$5 == "/mnt" { print $6 }'\'' /proc/self/mountinfo'

# hardshim adds nosuid; rsuid clears MOUNT_ATTR_NOSUID after the flags are applied.
rsuid_undoes_nosuid() {
	rt_begin "$1"
	bind_with '["rbind", "nosuid", "rsuid"]'
	rt_inside_probe "$mnt_opts"
	rt_works_direct '[ -n "$RT_OUT" ] && [[ "$RT_OUT" != *nosuid* ]]'
	rt_refused mounts.option "mounts[$(last_mount)].options[2]"
}
@test "runc: rsuid on a bind undoes the nosuid hardshim adds" { rsuid_undoes_nosuid runc; }
@test "crun: rsuid on a bind undoes the nosuid hardshim adds" { rsuid_undoes_nosuid crun; }

rdev_undoes_nodev() {
	rt_begin "$1"
	bind_with '["rbind", "nodev", "rdev"]'
	rt_inside_probe "$mnt_opts"
	rt_works_direct '[ -n "$RT_OUT" ] && [[ "$RT_OUT" != *nodev* ]]'
	rt_refused mounts.option "mounts[$(last_mount)].options[2]"
}
@test "runc: rdev on a bind undoes the nodev hardshim adds" { rdev_undoes_nodev runc; }
@test "crun: rdev on a bind undoes the nodev hardshim adds" { rdev_undoes_nodev crun; }

# runc applies rrw after ro (the mount is rw); crun 1.8 here leaves it ro, but a config may be
# run by either runtime.
rrw_undoes_ro() {
	rt_begin "$1"
	bind_with '["rbind", "ro", "rrw"]'
	rt_inside_probe "$mnt_opts"
	if [ "$1" = runc ]; then rt_works_direct '[[ "$RT_OUT" == rw* ]]'; fi
	rt_refused mounts.option "mounts[$(last_mount)].options[2]"
}
@test "runc: rrw on a bind undoes ro" { rrw_undoes_ro runc; }
@test "crun: rrw on a bind undoes ro" { rrw_undoes_ro crun; }

# Mount-level id mappings (an idmapped bind under crun; runc 1.1 ignores them). Refused for both:
# the same config may be run by either.
mount_idmap() {
	rt_begin "$1"
	bind_with '["rbind"]'
	hs_config '.mounts[-1].uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
	rt_refused mounts.idmap "mounts[$(last_mount)].uidMappings"
}
@test "runc: mount-level uidMappings (an idmapped bind)" { mount_idmap runc; }
@test "crun: mount-level uidMappings (an idmapped bind)" { mount_idmap crun; }

idmap_option() {
	rt_begin "$1"
	bind_with '["rbind", "idmap"]'
	rt_refused mounts.option "mounts[$(last_mount)].options[1]"
}
@test "runc: the idmap mount option" { idmap_option runc; }
@test "crun: the idmap mount option" { idmap_option crun; }
