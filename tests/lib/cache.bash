# SPDX-License-Identifier: Apache-2.0
# The test cache: slow fixtures (root filesystems, images) built once per machine and reused
# by later runs. An entry is $HS_TEST_CACHE/SUITE/KEY; KEY must change whenever what went into
# the entry changes, so a stale entry is never found (hs_cache_key hashes the inputs).
#
#   load ../lib/cache
#   key=$(hs_cache_key tests/workloads/build-rootfs.sh <<<"nginx redis $(dpkg-query -W mmdebstrap)")
#   rootfs=$(hs_cache workloads "$key" build_rootfs nginx)   # build_rootfs nginx DIR fills DIR
#
# The builder fills a private directory that is renamed into place only when it succeeded:
# a failed or interrupted build leaves nothing behind, and two runs building the same key
# never share a half-built entry. `rm -rf /var/cache/hardshim-tests` is always safe.
# shellcheck shell=bash

: "${HS_TEST_CACHE:=/var/cache/hardshim-tests}"
export HS_TEST_CACHE

# hs_cache_key [FILE...]: a short hash of the files' contents and of stdin (when it is not a
# terminal).
hs_cache_key() {
	{
		[ -t 0 ] || cat
		[ $# -eq 0 ] || cat -- "$@"
	} | sha256sum | cut -c1-16
}

# hs_cache SUITE KEY BUILDER [ARGS...]: print the entry's path, building it first with
# `BUILDER ARGS... DIR` when it is not there yet.
hs_cache() {
	local suite=$1 key=$2 dir tmp
	shift 2
	case $suite$key in */* | .*) echo "hs_cache: bad suite or key" >&2; return 1 ;; esac
	dir=$HS_TEST_CACHE/$suite/$key
	if [ ! -d "$dir" ]; then
		mkdir -p "$HS_TEST_CACHE/$suite" || return 1
		tmp=$(mktemp -d "$dir.tmp.XXXXXX") || return 1
		if ! "$@" "$tmp"; then
			rm -rf "$tmp"
			echo "hs_cache: building $suite/$key failed" >&2
			return 1
		fi
		# Another run may have finished the same key first: then keep its entry.
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
	echo "$dir"
}
