#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The core is one -static-pie program (Makefile: CORE_LDFLAGS, LINKED_STATIC): libseccomp,
# libapparmor, libselinux, libnftnl (with hardshim's own libmnl functions), libaudit, libcap-ng,
# nettle, yajl and glibc are in it; nothing is dlopen'ed. A create that used them (a config's
# own seccomp profile resolved by name, capability names, the launch record's sha256 chain, the
# kernel audit message) has no shared object mapped at all; the sanitizer build's core is a
# dynamic PIE (ASan cannot be linked static) with the same archives: it maps libc and the
# sanitizers' runtimes, none of those libraries' files. Seen from /proc:
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

# The sanitizer build's core (dynamic, with ASan)?
core_is_san() {
	readelf -d "$(echo "$(dirname "$HS_BIN")"/hardshim-core-*)" | grep -q 'NEEDED.*\[libasan\.so'
}

created_without_library_files() {
	local rt
	rt=$(maps_runtime)
	hs_policy_default '.runtime = $rt' --arg rt "$rt"
	hs_bundle
	# a profile of the config's own (hardshim's default less one allowed call: not the default,
	# so hardshim checks it name by name, with libseccomp)
	hs_config '.linux.seccomp = ($p[0] | (.syscalls[] | select(.action == "SCMP_ACT_ALLOW")
		| .names) |= .[1:])' --slurpfile p "$HS_TOP/profiles/seccomp/default.json"
	hs_create ll1
	# the parent was hardshim with its core, and it did what needs the three libraries
	grep -Eq '/hardshim-core-[0-9a-f]+(\.so)?$' "$HS_TMP/maps"
	grep -q '"id":"ll1"' "$HS_LAUNCHES"
	[ "$(jq -r '.hash | length' <(grep '"id":"ll1"' "$HS_LAUNCHES" | tail -n 1))" = 64 ]
	run grep -E '/lib(nettle|audit|cap-ng|seccomp|apparmor|selinux|pcre2-8|nftnl|mnl|yajl)\.so' "$HS_TMP/maps"
	echo "# mapped: $output" >&2
	[ "$status" -eq 1 ]
	core_is_san && return 0
	# the plain core: no shared object, not even ld.so or libc
	run grep -E '\.so([.][0-9]+)*$' "$HS_TMP/maps"
	echo "# mapped: $output" >&2
	[ "$status" -eq 1 ]
}

@test "runc: a create maps no library file: they are in the core" {
	created_without_library_files
}
@test "crun: a create maps no library file: they are in the core" {
	created_without_library_files
}

# A -static-pie core: no interpreter, no NEEDED, still PIE (ASLR), full RELRO, bound now,
# stack-protected and fortified; the sanitizer build's needs libc and the sanitizers' runtimes
# only. The libraries' symbols are in it and none is exported.
@test "runc: the core is -static-pie (the sanitizer build's: libc only) and exports none of the linked libraries' symbols" {
	local core
	core=$(echo "$(dirname "$HS_BIN")"/hardshim-core-*)
	[ -f "$core" ]
	run readelf -hldW "$core"
	[[ "$output" == *"Type:"*"DYN"* ]]
	[[ "$output" == *GNU_RELRO* ]]
	[[ "$output" == *BIND_NOW* ]]
	if core_is_san; then
		run sh -c "readelf -d '$core' | sed -n 's/.*(NEEDED).*\\[\\(.*\\)\\]/\\1/p'"
		[[ "$output" == *libc.so.6* ]]
		run sh -c "echo '$output' | grep -vxE 'libc\\.so\\.6|ld-linux-x86-64\\.so\\.2|lib(a|ub)san\\.so\\.[0-9]+|libm\\.so\\.6|libgcc_s\\.so\\.1|libstdc\\+\\+\\.so\\.6'"
		echo "# other NEEDED: $output" >&2
		[ "$status" -eq 1 ]
	else
		[[ "$output" != *INTERP* ]]
		[[ "$output" != *NEEDED* ]]
		[[ "$output" == *"Flags: NOW PIE"* ]]
		run nm "$core"
		[[ "$output" == *" __stack_chk_fail"* ]]
		[[ "$output" == *" __memcpy_chk"* || "$output" == *" __snprintf_chk"* ]]
	fi
	run sh -c "readelf -W --dyn-syms '$core' | grep -E ' (nettle|capng|audit|seccomp|aa|selinux|security|nftnl|mnl|pcre2|yajl)_'"
	[ "$status" -eq 1 ]
	# and they are in it: an entry of each library's, and hardshim's libmnl functions
	run sh -c "nm '$core' | grep -cE ' (nettle_sha256_digest|audit_log_user_message|capng_name_to_capability|seccomp_syscall_resolve_name_arch|aa_is_enabled|security_check_context|nftnl_batch_begin|mnl_attr_put|yajl_parse)$'"
	[ "$output" = 9 ]
}
