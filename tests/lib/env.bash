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
# from its own directory (hardshim-core-BUILDID.so).
hs_copy_hardshim() {
	install -m 0755 "$HS_BIN" "$(dirname "$HS_BIN")"/hardshim-core-*.so "$1/"
}
