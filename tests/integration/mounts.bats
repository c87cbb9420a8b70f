#!/usr/bin/env bats
# The mounts control through the real runtimes (docs/threats.md §8): hostile bind sources and
# destinations are refused before runc or crun ever sees them (the container does not exist
# afterwards), and a permitted bind is seen from inside with nosuid,nodev. Each test fails if
# its defence is removed: the runtime would then create the container.

load hs-bundle

setup() {
	B="$BATS_TEST_TMPDIR/bundle"
	make_bundle "$B" 'grep -E " /mnt | /sys " /proc/self/mountinfo'
	DATA="$BATS_TEST_TMPDIR/data"
	mkdir -p "$DATA"
	ID="hs-mounts-$$-$BATS_TEST_NUMBER"
}

teardown() {
	if [ -n "${KFS:-}" ] && mountpoint -q "$KFS"; then umount "$KFS"; fi
	cleanup_containers /usr/bin/runc
	cleanup_containers /usr/bin/crun
}

# refused RUNTIME RULE PATH: create must fail naming RULE at JSON PATH, and create nothing.
refused() {
	# stdio to a file: a container wrongly created would otherwise hold bats' pipe open
	status=0
	hs "$1" create --bundle "$B" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$2: $3"* ]]
	! container_exists "$1" "$ID" || false
}

nmounts() { jq '.mounts | length' "$B/config.json"; }

symlink_to_etc() {
	ln -s /etc "$BATS_TEST_TMPDIR/etc-link"
	add_bind "$B" "$BATS_TEST_TMPDIR/etc-link" /mnt
	refused "$1" mounts.sensitive-source "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: a bind source that is a symlink to /etc is refused" { symlink_to_etc /usr/bin/runc; }
@test "crun: a bind source that is a symlink to /etc is refused" { symlink_to_etc /usr/bin/crun; }

dotdot() {
	add_bind "$B" "$DATA/../../../../../../etc" /mnt
	refused "$1" mounts.sensitive-source "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: a bind source climbing to /etc with .. is refused" { dotdot /usr/bin/runc; }
@test "crun: a bind source climbing to /etc with .. is refused" { dotdot /usr/bin/crun; }

proc_self_root() {
	add_bind "$B" /proc/self/root/etc /mnt
	refused "$1" mounts.source-unsafe "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: /proc/self/root/etc as a bind source is refused (magic link)" { proc_self_root /usr/bin/runc; }
@test "crun: /proc/self/root/etc as a bind source is refused (magic link)" { proc_self_root /usr/bin/crun; }

var_run() {
	add_bind "$B" /var/run /mnt
	refused "$1" mounts.sensitive-source "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: /var/run (alias of /run) as a bind source is refused" { var_run /usr/bin/runc; }
@test "crun: /var/run (alias of /run) as a bind source is refused" { var_run /usr/bin/crun; }

ancestor() {
	add_bind "$B" /var/lib /mnt
	refused "$1" mounts.sensitive-source "mounts[$(($(nmounts) - 1))].source"
	[[ "$output" == *"an ancestor of the sensitive path"* ]]
}
@test "runc: an ancestor of a sensitive path (/var/lib) is refused" { ancestor /usr/bin/runc; }
@test "crun: an ancestor of a sensitive path (/var/lib) is refused" { ancestor /usr/bin/crun; }

over_proc() {
	jq_edit "$B" '.mounts += [{"destination": "/mnt/../proc/sys", "type": "tmpfs", "source": "tmpfs"}]'
	refused "$1" mounts.destination-system "mounts[$(($(nmounts) - 1))].destination"
}
@test "runc: a mount over /proc/sys (reached by ..) is refused" { over_proc /usr/bin/runc; }
@test "crun: a mount over /proc/sys (reached by ..) is refused" { over_proc /usr/bin/crun; }

shared() {
	add_bind "$B" "$DATA" /mnt '["rbind","rshared"]'
	refused "$1" mounts.propagation "mounts[$(($(nmounts) - 1))].options"
}
@test "runc: shared propagation on a bind is refused" { shared /usr/bin/runc; }
@test "crun: shared propagation on a bind is refused" { shared /usr/bin/crun; }

# A kernel interface under an innocent name: a fresh procfs instance mounted in the test's own
# dir. Neither its name nor its identity is /proc's; the mount table says what it is.
kernel_fs() {
	KFS="$BATS_TEST_TMPDIR/kfs"
	mkdir -p "$KFS"
	mount -t proc proc "$KFS"
	[ "$(stat -c %d "$KFS")" != "$(stat -c %d /proc)" ] # really another instance
	add_bind "$B" "$KFS/sys/kernel" /mnt
	refused "$1" mounts.source-kernel-fs "mounts[$(($(nmounts) - 1))].source"
}
@test "runc: a bind into a procfs mounted under another name is refused" { kernel_fs /usr/bin/runc; }
@test "crun: a bind into a procfs mounted under another name is refused" { kernel_fs /usr/bin/crun; }

# The permitted container: the bind carries nosuid,nodev and sysfs is read-only, although the
# bundle asked for suid,dev and a writable /sys.
permitted() {
	add_bind "$B" "$DATA" /mnt '["rbind","suid","dev"]'
	jq_edit "$B" '(.mounts[] | select(.type == "sysfs") | .options) |= (map(select(. != "ro")) + ["rw"])'
	run hs "$1" run --bundle "$B" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	local mnt sys
	mnt=$(echo "$output" | grep ' /mnt ')
	sys=$(echo "$output" | grep ' /sys ')
	[[ "$(echo "$mnt" | cut -d' ' -f6)" == *nosuid* ]]
	[[ "$(echo "$mnt" | cut -d' ' -f6)" == *nodev* ]]
	[[ "$(echo "$sys" | cut -d' ' -f6)" == ro,* ]]
}
@test "runc: a permitted bind is mounted nosuid,nodev and /sys read-only (seen from inside)" { permitted /usr/bin/runc; }
@test "crun: a permitted bind is mounted nosuid,nodev and /sys read-only (seen from inside)" { permitted /usr/bin/crun; }
