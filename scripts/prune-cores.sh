#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# prune-cores.sh DIR ID: after `make install` has put the front DIR/hardshim in place (renamed
# over the old one), remove the cores DIR/hardshim-core-* of earlier builds: every one but
# DIR/hardshim-core-ID, the installed front's own. Without it each update left the old core
# behind, forever.
#
# Safe for the node's running containers:
#   - a core already running (or a front that has opened it: the front opens the core by name,
#     checks that open file and execveat's the fd, src/front/front.c) holds its inode: the
#     unlink does not reach it;
#   - an old front that has started but not yet opened its core would find it gone
#     (front.core-missing, the create refused). Such a process runs a deleted file in DIR
#     (/proc/PID/exe reads "DIR/NAME (deleted)"): while one does, the prune waits, up to
#     5 s; if one still does then, no core is removed (the next install removes them) and it
#     says so. Processes whose /proc/PID/exe cannot be read (another user's, when not root)
#     are not seen. Left: an exec of the old front that the kernel had begun (the file opened)
#     before the rename and had not finished when the prune looked: no /proc file shows it.
# Only regular files named hardshim-core-HEX are removed; a symbolic link is never followed
# (rm removes the link itself), nothing outside DIR is touched.
set -eu

[ "$#" -eq 2 ] || {
	echo "usage: prune-cores.sh DIR ID" >&2
	exit 2
}
dir=$(cd "$1" && pwd -P)
id=$2
case $id in
'' | *[!0-9a-f]*)
	echo "prune-cores: '$id' is not a build id" >&2
	exit 2
	;;
esac
[ -f "$dir/hardshim-core-$id" ] || {
	echo "prune-cores: $dir/hardshim-core-$id (the front's core) is missing: nothing removed" >&2
	exit 1
}

# old_fronts: the pids running a deleted executable of DIR other than a core (an old front).
# One find for every process (a readlink per process costs a fork each).
old_fronts() {
	find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$dir/*" -printf '%h %l\n' 2>/dev/null |
		while read -r p exe; do
			case $exe in
			"$dir"/hardshim-core-*) ;;
			"$dir"/*" (deleted)") echo "${p#/proc/}" ;;
			esac
		done
}

deadline=$(($(date +%s) + 5))
while running=$(old_fronts) && [ -n "$running" ]; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		echo "prune-cores: an old hardshim is still starting (pid $(echo "$running" | tr "\n" " ")): the old cores in $dir are kept; the next install removes them" >&2
		exit 0
	fi
	sleep 0.1
done

for f in "$dir"/hardshim-core-*; do
	name=${f##*/}
	case ${name#hardshim-core-} in
	"$id" | '' | *[!0-9a-f]*) continue ;;
	esac
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	rm -f "$f"
	echo "prune-cores: removed $f (an earlier build's core)"
done
