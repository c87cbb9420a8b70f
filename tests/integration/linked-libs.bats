#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# nettle, libaudit and libcap-ng are linked into the core (Makefile: LINKED_STATIC), not
# dlopen'ed: a create that used all three (capability names, the launch record's sha256 chain,
# the kernel audit message) has none of them mapped from a file of its own. Seen from /proc:
# the runtime hardshim starts for `create` is its child, and a wrapper in the runtime's place
# reads /proc/$PPID/maps (hardshim's, at the moment the runtime runs, after all three were used)
# before it execs the real runc or crun.

load ../lib/bundle

setup() {
	hs_setup "${BATS_TEST_DESCRIPTION%%:*}"
}
teardown() { hs_teardown; }

# A runtime named like the real one (hardshim tells crun by its name), which saves its parent's
# maps on create and becomes the real runtime.
maps_runtime() {
	local d=$HS_TMP/rt
	mkdir -p "$d"
	chmod 0755 "$HS_TMP" "$d"
	cat >"$d/$HS_RUNTIME" <<-EOF
		#!/bin/sh
		case " \$* " in *" create "*) cat /proc/\$PPID/maps >"$HS_TMP/maps" ;; esac
		exec $HS_RUNTIME_PATH "\$@"
	EOF
	chmod 0755 "$d/$HS_RUNTIME"
	echo "$d/$HS_RUNTIME"
}

created_without_library_files() {
	local rt
	rt=$(maps_runtime)
	hs_policy_default '.runtime = $rt' --arg rt "$rt"
	hs_bundle
	hs_create ll1
	# the parent was hardshim with its core, and it did what needs the three libraries
	grep -Eq '/hardshim-core-[0-9a-f]+(\.so)?$' "$HS_TMP/maps"
	grep -q '"id":"ll1"' "$HS_LAUNCHES"
	[ "$(jq -r '.hash | length' <(grep '"id":"ll1"' "$HS_LAUNCHES" | tail -n 1))" = 64 ]
	run grep -E '/lib(nettle|audit|cap-ng)\.so' "$HS_TMP/maps"
	echo "# mapped: $output" >&2
	[ "$status" -eq 1 ]
}

@test "runc: a create maps no libnettle, libaudit or libcap-ng file: they are in the core" {
	created_without_library_files
}
@test "crun: a create maps no libnettle, libaudit or libcap-ng file: they are in the core" {
	created_without_library_files
}

# (An ASan build's core also needs the sanitizers' runtimes.)
@test "runc: the core needs only libc (and ld.so) and exports none of the linked libraries' symbols" {
	local core
	core=$(echo "$(dirname "$HS_BIN")"/hardshim-core-*)
	[ -f "$core" ]
	run sh -c "readelf -d '$core' | sed -n 's/.*(NEEDED).*\\[\\(.*\\)\\]/\\1/p'"
	[ "$status" -eq 0 ]
	[[ "$output" == *libc.so.6* ]]
	run sh -c "echo '$output' | grep -vxE 'libc\\.so\\.6|ld-linux-x86-64\\.so\\.2|lib(a|ub)san\\.so\\.[0-9]+'"
	echo "# other NEEDED: $output" >&2
	[ "$status" -eq 1 ]
	run sh -c "readelf -W --dyn-syms '$core' | grep -E ' (nettle|capng|audit)_'"
	[ "$status" -eq 1 ]
	# and they are in it: nettle's sha256, libaudit's and libcap-ng's entries
	run sh -c "nm '$core' | grep -cE ' (nettle_sha256_digest|audit_log_user_message|capng_name_to_capability)$'"
	[ "$output" = 3 ]
}
