# SPDX-License-Identifier: Apache-2.0
# Where the tree and the build are: HS_TOP, HS_BUILD, HS_BIN, as tests/run.sh exports them, so
# every .bats file also runs as plain `bats FILE` from anywhere. Every file that uses them loads
# this, directly (`load ../lib/env`) or through a library that sources it (bundle.bash does);
# tests/integration/lib-bundle.bats checks that none is left out.
# shellcheck shell=bash

: "${HS_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${HS_BUILD:=$HS_TOP/build}"
: "${HS_BIN:=$HS_BUILD/hardshim}"
export HS_TOP HS_BUILD HS_BIN

# hs_copy_hardshim DIR: hardshim as built into DIR: the front and, beside it, the core it loads
# from its own directory (hardshim-core-BUILDID).
hs_copy_hardshim() {
	install -m 0755 "$HS_BIN" "$(dirname "$HS_BIN")"/hardshim-core-* "$1/"
}

# hs_machine_lock NAME: take the machine-wide lock NAME and hold it until this test's process
# exits (after its teardown; from setup_file: until the file's last test and teardown_file are
# done), for tests that use something the machine has only one of: the kernel's audit daemon
# slot, container ids without a cgroupsPath (the runtime makes /<id>), the fixed host paths,
# cgroup and network namespace that an engine's real config names. Two runs of a suite at once
# (tests/run.sh runs the integration suite with build/ and with build-san/ side by side; two
# worktrees) take turns there instead of taking each other's. HS_LOCK_FD is the descriptor
# (exported: a process the test starts in the background and kills in teardown can be given
# it closed, `{HS_LOCK_FD}>&-`). A process left running keeps the lock (it inherits the
# descriptor): the wait is bounded (HS_LOCK_WAIT seconds, 900), then the test fails naming it.
hs_machine_lock() {
	local dir=/run/lock/hardshim-tests wait=${HS_LOCK_WAIT:-900}
	mkdir -p "$dir" || return 1
	exec {HS_LOCK_FD}>>"$dir/$1.lock" || return 1
	export HS_LOCK_FD
	flock -w "$wait" "$HS_LOCK_FD" && return 0
	echo "machine lock $dir/$1.lock: still held by another run after $wait s" >&2
	return 1
}
