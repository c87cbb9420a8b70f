#!/usr/bin/env bats
# class 1 and class 4 of issue 13: paths judged before they are used, and facts the attacker
# sets. hardshim (root) gives a fresh volume to the image's data owner at create
# (user.volume-owner). Whoever writes the config names the source and the image names the
# owner: a volume that is not fresh (a symlink to one, one behind a swappable directory, a
# non-empty or sticky or another user's directory) must keep its owner.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# vol_begin RUNTIME [SOURCE]: the image gives /data to 999:998, the process is root at /, and
# SOURCE (default $VOL: an empty root-owned 0777 directory, as ctr --mount users and kubelet's
# emptyDir make one) is bound at /data. The probe prints the process's ids, then chmods its
# data directory as initdb does and prints what /data is.
vol_begin() {
	rt_begin "$1"
	mkdir -p "$HS_BUNDLE/rootfs/data" && chown 999:998 "$HS_BUNDLE/rootfs/data" &&
		chmod 0700 "$HS_BUNDLE/rootfs/data"
	VOLS=$HS_TMP/vols
	VOL=$VOLS/pg
	mkdir -p "$VOL" && chmod 0755 "$VOLS" && chmod 0777 "$VOL"
	hs_config '.process.cwd = "/" | .process.user = {uid: 0, gid: 0} |
		.mounts += [{destination: "/data", type: "bind", source: $s, options: ["rbind", "rw"]}]' \
		--arg s "${2:-$VOL}"
	rt_inside_probe 'echo "$(id -u):$(id -g)"; chmod 700 /data 2>/dev/null; stat -c "%u:%g %a" /data'
}

# not_given OWNER MODE: the process ran as 65534 and the volume kept OWNER and MODE
not_given() {
	rt_neutralised '[ "$(head -n 1 <<<"$RT_OUT")" = 65534:65534 ]'
	[ "$(stat -c '%u:%g %a' "$VOL")" = "$1 $2" ]
	! grep -q '"user.volume-owner"' "$HS_LAUNCHES"
}

# Not an attack: what the rule is for. The volume becomes the data owner's, the process runs
# as it and can make its data directory 0700 (initdb's step); the launch record says so.
fresh() {
	vol_begin "$1"
	rt_neutralised '[ "$RT_OUT" = "999:998
999:998 700" ]'
	[ "$(stat -c %u:%g "$VOL")" = 999:998 ]
	grep -q '"user.volume-owner"' "$HS_LAUNCHES"
	# the same config again: the volume is no longer root's, nothing more is given
	chmod 0777 "$VOL"
	rt_neutralised '[ "$(head -n 1 <<<"$RT_OUT")" = 999:998 ]'
}
@test "runc: an empty root-owned 0777 volume is given to the image's data owner" { fresh runc; }
@test "crun: an empty root-owned 0777 volume is given to the image's data owner" { fresh crun; }

# A symlink to a fresh volume: the runtime binds its target, but a link could aim the chown
# at any host directory, so nothing is given.
via_symlink() {
	vol_begin "$1"
	ln -s pg "$VOLS/link"
	vol_begin "$1" "$VOLS/link"
	not_given 0:0 777
}
@test "runc: a symlink to an empty 0777 directory is not given" { via_symlink runc; }
@test "crun: a symlink to an empty 0777 directory is not given" { via_symlink crun; }

# A symlinked directory above it.
via_symlinked_parent() {
	vol_begin "$1"
	ln -s vols "$HS_TMP/vlink"
	vol_begin "$1" "$HS_TMP/vlink/pg"
	not_given 0:0 777
}
@test "runc: a volume behind a symlinked directory is not given" { via_symlinked_parent runc; }
@test "crun: a volume behind a symlinked directory is not given" { via_symlinked_parent crun; }

# Someone's data in a shared world-writable directory: neither it nor its contents change owner.
not_empty() {
	vol_begin "$1"
	echo keep >"$VOL/someone-else" && chmod 0600 "$VOL/someone-else"
	not_given 0:0 777
	[ "$(stat -c %u "$VOL/someone-else")" = 0 ]
}
@test "runc: a non-empty 0777 directory is not given" { not_empty runc; }
@test "crun: a non-empty 0777 directory is not given" { not_empty crun; }

# A sticky shared directory (/var/tmp-like): its owner could delete everyone's files.
sticky() {
	vol_begin "$1"
	chmod 1777 "$VOL"
	not_given 0:0 1777
}
@test "runc: an empty sticky 1777 directory is not given" { sticky runc; }
@test "crun: an empty sticky 1777 directory is not given" { sticky crun; }

# Behind a directory anyone can write: someone could have put it there, or swap it. The
# mounts control refuses such a source outright; nothing is given before that.
swappable() {
	vol_begin "$1"
	chmod 0777 "$VOLS"
	rt_refused mounts.source-replaceable
	[ "$(stat -c '%u:%g %a' "$VOL")" = "0:0 777" ]
}
@test "runc: a volume in a world-writable directory is not given" { swappable runc; }
@test "crun: a volume in a world-writable directory is not given" { swappable crun; }
