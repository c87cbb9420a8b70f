#!/usr/bin/env bats
# The mounts control through the real runtimes (docs/threats.md §8): hostile bind sources and
# destinations are refused before runc or crun ever sees them (the container does not exist
# afterwards), and a permitted bind is seen from inside with nosuid,nodev. Each test fails if
# its defence is removed: the runtime would then create the container.

load ../lib/bundle

setup() {
	hs_setup runc
	hs_bundle
	hs_args sh -c 'grep -E " /mnt | /sys " /proc/self/mountinfo'
	DATA="$HS_TMP/data"
	mkdir -p "$DATA"
	ID="hs-mounts-$$-$BATS_TEST_NUMBER"
}

teardown() {
	local m
	# last mounted first: a mount over a parent hides the ones below it
	for m in ${KFS:-} ${KFS_BELOW:-}; do
		if mountpoint -q "$m"; then umount "$m"; fi
	done
	hs_teardown
}

# on RUNTIME: the shipped default policy, naming RUNTIME.
on() {
	hs_use_runtime "$1"
	hs_policy_default
}

# add_bind SOURCE DEST [OPTIONS_JSON]: one more bind mount in the test's config.
add_bind() {
	hs_config '.mounts += [{"destination": $d, "type": "bind", "source": $s, "options": $o}]' \
		--arg s "$1" --arg d "$2" --argjson o "${3:-[\"rbind\"]}"
}

# refused RUNTIME RULE PATH: create must fail naming RULE at JSON PATH, and create nothing.
# (hs_create sends the container's stdio to files: a container wrongly created would
# otherwise hold bats' pipe open.)
refused() {
	on "$1"
	status=0
	hs_create "$ID" 2>"$HS_TMP/out" || status=$?
	output=$(cat "$HS_TMP/out")
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$2: $3"* ]]
	! hs_rt_direct state "$ID" >/dev/null 2>&1 || false
}

nmounts() { jq '.mounts | length' "$HS_CONFIG"; }

symlink_to_etc() {
	ln -s /etc "$HS_TMP/etc-link"
	add_bind "$HS_TMP/etc-link" /mnt
	refused "$1" mounts.sensitive-source "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: a bind source that is a symlink to /etc is refused" { symlink_to_etc runc; }
@test "crun: a bind source that is a symlink to /etc is refused" { symlink_to_etc crun; }

dotdot() {
	add_bind "$DATA/../../../../../../etc" /mnt
	refused "$1" mounts.sensitive-source "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: a bind source climbing to /etc with .. is refused" { dotdot runc; }
@test "crun: a bind source climbing to /etc with .. is refused" { dotdot crun; }

proc_self_root() {
	add_bind /proc/self/root/etc /mnt
	refused "$1" mounts.source-unsafe "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: /proc/self/root/etc as a bind source is refused (magic link)" { proc_self_root runc; }
@test "crun: /proc/self/root/etc as a bind source is refused (magic link)" { proc_self_root crun; }

var_run() {
	add_bind /var/run /mnt
	refused "$1" mounts.sensitive-source "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: /var/run (alias of /run) as a bind source is refused" { var_run runc; }
@test "crun: /var/run (alias of /run) as a bind source is refused" { var_run crun; }

ancestor() {
	add_bind /var/lib /mnt
	refused "$1" mounts.sensitive-source "mounts[$(($(nmounts) - 1))].source"
	[[ "$output" == *"an ancestor of the sensitive path"* ]]
}
@test "runc: an ancestor of a sensitive path (/var/lib) is refused" { ancestor runc; }
@test "crun: an ancestor of a sensitive path (/var/lib) is refused" { ancestor crun; }

over_proc() {
	hs_config '.mounts += [{"destination": "/mnt/../proc/sys", "type": "tmpfs", "source": "tmpfs"}]'
	refused "$1" mounts.destination-system "mounts[$(($(nmounts) - 1))].destination"
}
@test "runc: a mount over /proc/sys (reached by ..) is refused" { over_proc runc; }
@test "crun: a mount over /proc/sys (reached by ..) is refused" { over_proc crun; }

shared() {
	add_bind "$DATA" /mnt '["rbind","rshared"]'
	refused "$1" mounts.propagation "mounts[$(($(nmounts) - 1))].options"
}
@test "runc: shared propagation on a bind is refused" { shared runc; }
@test "crun: shared propagation on a bind is refused" { shared crun; }

# A kernel interface under an innocent name: a fresh procfs instance mounted in the test's own
# dir. Neither its name nor its identity is /proc's; the mount table says what it is.
kernel_fs() {
	KFS="$HS_TMP/kfs"
	mkdir -p "$KFS"
	mount -t proc proc "$KFS"
	[ "$(stat -c %d "$KFS")" != "$(stat -c %d /proc)" ] # really another instance
	add_bind "$KFS/sys/kernel" /mnt
	refused "$1" mounts.source-kernel-fs "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: a bind into a procfs mounted under another name is refused" { kernel_fs runc; }
@test "crun: a bind into a procfs mounted under another name is refused" { kernel_fs crun; }

# The mount table lists a tmpfs at kfs/sys, mounted before a procfs went over kfs: kfs/sys is
# now procfs's /proc/sys. Judged by the mount the path reaches (its mount id), not by the
# string of the mount point listed for it (libmount's walk, before, admitted it as a tmpfs).
kernel_fs_over() {
	KFS="$HS_TMP/kfs"
	KFS_BELOW="$KFS/sys"
	mkdir -p "$KFS_BELOW"
	mount -t tmpfs -o size=64k tmpfs "$KFS_BELOW"
	mount -t proc proc "$KFS"
	grep -q " $KFS_BELOW rw[^ ]* - tmpfs " /proc/self/mountinfo # still listed
	[ "$(stat -f -c %T "$KFS_BELOW")" = proc ]                    # but proc is what it reaches
	add_bind "$KFS_BELOW" /mnt
	refused "$1" mounts.source-kernel-fs "mounts[$(($(nmounts) - 1))].source"
	[[ "$output" == *"is on a proc filesystem"* ]]
}
@test "runc: a bind of a procfs's sys over which the table lists a tmpfs is refused" { kernel_fs_over runc; }
@test "crun: a bind of a procfs's sys over which the table lists a tmpfs is refused" { kernel_fs_over crun; }

# The other way round: a procfs at kfs/p, hidden by a tmpfs mounted over kfs afterwards. The
# table still lists a proc at kfs/p; the path reaches the tmpfs's own directory p. Admitted
# (libmount's walk refused it), and what the container gets at /mnt is that tmpfs.
kernel_fs_hidden() {
	KFS="$HS_TMP/kfs"
	KFS_BELOW="$KFS/p"
	mkdir -p "$KFS_BELOW"
	mount -t proc proc "$KFS_BELOW"
	mount -t tmpfs -o size=64k,mode=755 tmpfs "$KFS"
	mkdir "$KFS/p"
	grep -q " $KFS_BELOW rw[^ ]* - proc " /proc/self/mountinfo
	add_bind "$KFS/p" /mnt
	hs_args sh -c 'awk '\''$5 == "/mnt" { for (i = 7; $i != "-"; i++); print "TYPE=" $(i + 1) }'\'' /proc/self/mountinfo'
	on "$1"
	run hs_run "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep '^TYPE=')" = TYPE=tmpfs ]
}
@test "runc: a bind of a tmpfs directory over a hidden procfs is admitted (a tmpfs inside)" { kernel_fs_hidden runc; }
@test "crun: a bind of a tmpfs directory over a hidden procfs is admitted (a tmpfs inside)" { kernel_fs_hidden crun; }

# The permitted container: the bind carries nosuid,nodev and sysfs is read-only, although the
# bundle asked for suid,dev and a writable /sys.
permitted() {
	add_bind "$DATA" /mnt '["rbind","suid","dev"]'
	hs_config '(.mounts[] | select(.type == "sysfs") | .options) |= (map(select(. != "ro")) + ["rw"])'
	on "$1"
	run hs_run "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	local mnt sys
	mnt=$(echo "$output" | grep ' /mnt ')
	sys=$(echo "$output" | grep ' /sys ')
	[[ "$(echo "$mnt" | cut -d' ' -f6)" == *nosuid* ]]
	[[ "$(echo "$mnt" | cut -d' ' -f6)" == *nodev* ]]
	[[ "$(echo "$sys" | cut -d' ' -f6)" == ro,* ]]
}
@test "runc: a permitted bind is mounted nosuid,nodev and /sys read-only (seen from inside)" { permitted runc; }
@test "crun: a permitted bind is mounted nosuid,nodev and /sys read-only (seen from inside)" { permitted crun; }
