#!/usr/bin/env bats
# class 1 of issue 13: paths judged before the runtime resolves them. Bind sources and
# destinations, and root.path, written so that what hardshim reads is not what runc or crun
# will mount. Each attack is shown to work against the bare runtime first.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# A host file the container must never read: /etc/debian_version (not in the busybox image).
host_secret() { cat /etc/debian_version; }

symlink_to_etc() {
	rt_begin "$1"
	ln -s /etc "$HS_TMP/innocent"
	hs_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind"]}]' \
		--arg s "$HS_TMP/innocent"
	rt_inside_probe 'cat /mnt/debian_version'
	rt_works_direct '[ "$RT_OUT" = "$(host_secret)" ]'
	rt_refused mounts.sensitive-source "mounts[$(jq '.mounts | length - 1' "$HS_CONFIG")].source"
}
@test "runc: a bind source that is a host symlink to /etc" { symlink_to_etc runc; }
@test "crun: a bind source that is a host symlink to /etc" { symlink_to_etc crun; }

proc_self_root() {
	rt_begin "$1"
	hs_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": "/proc/self/root/etc", "options": ["rbind"]}]'
	rt_inside_probe 'cat /mnt/debian_version'
	rt_works_direct '[ "$RT_OUT" = "$(host_secret)" ]'
	rt_refused mounts.source-unsafe "mounts[$(jq '.mounts | length - 1' "$HS_CONFIG")].source"
}
@test "runc: an absolute bind source through /proc/self/root (a magic link)" { proc_self_root runc; }
@test "crun: an absolute bind source through /proc/self/root (a magic link)" { proc_self_root crun; }

# The image ships an empty directory proc/self/root. When hardshim looks, rootfs/proc/self/root
# is that directory. When the runtime binds it, the container's /proc is already mounted at
# rootfs/proc, and proc/self/root is the runtime's own root: the host's /.
relative_into_proc() {
	rt_begin "$1"
	mkdir -p "$HS_BUNDLE/rootfs/proc/self/root"
	hs_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": "rootfs/proc/self/root", "options": ["rbind"]}]'
	rt_inside_probe 'cat /mnt/etc/debian_version'
	rt_works_direct '[ "$RT_OUT" = "$(host_secret)" ]'
	rt_refused mounts.source-in-rootfs "mounts[$(jq '.mounts | length - 1' "$HS_CONFIG")].source"
}
@test "runc: a relative bind source rootfs/proc/self/root (the host's / once /proc is mounted)" { relative_into_proc runc; }
@test "crun: a relative bind source rootfs/proc/self/root (the host's / once /proc is mounted)" { relative_into_proc crun; }

# The image ships x -> /proc. Destination /x/sys looks like an ordinary directory to a lexical
# check; both runtimes follow the link inside the rootfs and put the tmpfs over /proc/sys,
# hiding its read-only mount.
symlink_dest_to_proc() {
	rt_begin "$1"
	ln -s /proc "$HS_BUNDLE/rootfs/x"
	hs_config '.mounts += [{"destination": "/x/sys", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}]'
	rt_inside_probe 'awk '\''$5 == "/proc/sys" { print $9 }'\'' /proc/self/mountinfo'
	rt_works_direct '[[ "$RT_OUT" == *tmpfs* ]]'
	rt_refused mounts.destination-system "mounts[$(jq '.mounts | length - 1' "$HS_CONFIG")].destination"
}
@test "runc: a symlink in the image turns destination /x/sys into /proc/sys" { symlink_dest_to_proc runc; }
@test "crun: a symlink in the image turns destination /x/sys into /proc/sys" { symlink_dest_to_proc crun; }
