#!/usr/bin/env bats
# class 1 of issue 13: paths judged before the runtime resolves them. Bind sources and
# destinations, and root.path, written so that what hardshim reads is not what runc or crun
# will mount. Each attack is shown to work against the bare runtime first.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() {
	secret_volume_cleanup
	rt_teardown
}

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

# Another pod's Secret volume as the container's root: root.path below /var/lib/kubelet passes a
# check that only refuses the directory itself and its ancestors. The "volume" holds a runnable
# tree (busybox) so the bare runtime visibly runs in it and reads the token.
# (teardown removes the pod directory only: /var/lib/kubelet/pods is shared with any other
# run of this suite on the machine, and removing it under a concurrent run's mkdir -p made
# that run fail.)
secret_volume_dir() {
	mkdir -p /var/lib/kubelet/pods
	RT_POD=$(mktemp -d /var/lib/kubelet/pods/hs-redteam-XXXXXX) || return 1
	RT_SECRET=$RT_POD/volumes/kubernetes.io~secret/token
	mkdir -p "$RT_SECRET" && hs_rootfs "$RT_SECRET" &&
		echo "hs-redteam-secret-$$" >"$RT_SECRET/token"
}
secret_volume_cleanup() {
	[ -n "${RT_POD:-}" ] && rm -rf "$RT_POD"
	return 0
}
root_in_secret_volume() {
	rt_begin "$1"
	secret_volume_dir
	hs_config '.root.path = $p' --arg p "$RT_SECRET"
	rt_inside_probe 'cat /token'
	rt_works_direct '[ "$RT_OUT" = "hs-redteam-secret-$$" ]'
	rt_refused rootfs.path root.path
}
@test "runc: root.path is another pod's Secret volume (below /var/lib/kubelet)" { root_in_secret_volume runc; }
@test "crun: root.path is another pod's Secret volume (below /var/lib/kubelet)" { root_in_secret_volume crun; }

# The same, reached through a symlink in the bundle: judged after resolution. crun follows it;
# runc 1.1 refuses a root.path with a symlink in it ("invalid rootfs"), but a config may be run
# by either runtime.
root_via_symlink_to_secret() {
	rt_begin "$1"
	secret_volume_dir
	rm -rf "$HS_BUNDLE/rootfs"
	ln -s "$RT_SECRET" "$HS_BUNDLE/rootfs"
	rt_inside_probe 'cat /token'
	if [ "$1" = crun ]; then rt_works_direct '[ "$RT_OUT" = "hs-redteam-secret-$$" ]'; fi
	rt_refused rootfs.path root.path
}
@test "runc: root.path rootfs is a symlink to another pod's Secret volume" { root_via_symlink_to_secret runc; }
@test "crun: root.path rootfs is a symlink to another pod's Secret volume" { root_via_symlink_to_secret crun; }

# A destination beneath an earlier bind of the same config: the runtime resolves the rest of it
# inside the bound host directory, after that bind. A symlink there (x -> /proc) puts the tmpfs
# over /proc/sys although the image has no such link: judged in the image alone, /a/x/sys was
# an ordinary path.
dest_through_bind() {
	rt_begin "$1"
	mkdir -p "$HS_TMP/h"
	ln -s /proc "$HS_TMP/h/x"
	hs_config '.mounts += [{"destination": "/a", "type": "bind", "source": $s, "options": ["rbind"]},
		{"destination": "/a/x/sys", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}]' \
		--arg s "$HS_TMP/h"
	rt_inside_probe 'awk '\''$5 == "/proc/sys" { print $9 }'\'' /proc/self/mountinfo'
	rt_works_direct '[[ "$RT_OUT" == *tmpfs* ]]'
	rt_refused mounts.destination-through-bind "mounts[$(jq '.mounts | length - 1' "$HS_CONFIG")].destination"
}
@test "runc: a symlink in an earlier bind's host directory turns /a/x/sys into /proc/sys" { dest_through_bind runc; }
@test "crun: a symlink in an earlier bind's host directory turns /a/x/sys into /proc/sys" { dest_through_bind crun; }
