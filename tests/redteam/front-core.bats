#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# class 4 of issue 13 (matching on facts the attacker controls): which core root's hardshim runs.
# The `hardshim` executable is a small static front that execs everything else (create, run,
# every verb) from the program hardshim-core-BUILDID. Whoever makes root's hardshim run another
# core runs code as root: a caller chooses the environment (PATH, LD_LIBRARY_PATH, and
# HARDSHIM_FRONT, by which the front tells its core hardshim's own path), argv[0] and the
# working directory, so a core of the right name planted there must never run, and a planted
# "hardshim" named by the caller must never be what the core takes for its own path (the hooks
# it writes call it). The planted programs are shown to act when run; through hardshim the
# container runs as always and neither ever runs.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# plant DIR: a core named exactly as the real one and carrying its build id (only where it is
# found from defends), and a "hardshim", each leaving a mark when run (programs: the core is
# exec'd; and a shared object of the core's name, for a loader).
plant() {
	local name id
	name=$(basename "$(dirname "$HS_BIN")"/hardshim-core-*)
	id=${name#hardshim-core-}
	mkdir -p "$1"
	cat >"$HS_TMP/evil.c" <<-C
		#include <stdio.h>
		static void mark(const char *why)
		{
			FILE *f = fopen("$HS_TMP/planted-ran", "a");
			if (f) { fprintf(f, "%s\n", why); fclose(f); }
		}
		__attribute__((constructor)) static void ctor(void) { mark("constructor"); }
		int main(void) { mark("main"); return 0; }
	C
	cc -fPIE -pie -Wl,--build-id=0x"$id" -o "$1/$name" "$HS_TMP/evil.c"
	[ "$(readelf -n "$1/$name" | awk '/Build ID:/ { print $3 }')" = "$id" ]
	cp "$1/$name" "$1/hardshim"
	cc -shared -fPIC -o "$1/$name.so" "$HS_TMP/evil.c"
	# the planted programs act when they are run at all
	rm -f "$HS_TMP/planted-ran"
	"$1/$name"
	"$1/hardshim"
	[ "$(cat "$HS_TMP/planted-ran")" = "$(printf 'constructor\nmain\nconstructor\nmain')" ]
	rm -f "$HS_TMP/planted-ran"
}

# via KIND: hardshim as a caller that controls KIND starts it (a wrapper stands for the caller).
via() {
	local evil=$HS_TMP/evil wrap=$HS_TMP/caller-$1 real=$HS_BIN
	plant "$evil"
	case $1 in
	env) printf '#!/bin/bash\nPATH=%q:$PATH LD_LIBRARY_PATH=%q HARDSHIM_FRONT=%q exec %q "$@"\n' \
		"$evil" "$evil" "$evil/hardshim" "$real" >"$wrap" ;;
	argv0) printf '#!/bin/bash\nexec -a %q %q "$@"\n' "$evil/hardshim" "$real" >"$wrap" ;;
	cwd) printf '#!/bin/bash\ncd %q && exec %q "$@"\n' "$evil" "$real" >"$wrap" ;;
	esac
	chmod 0755 "$wrap"
	HS_BIN=$wrap
}

planted_core() {
	rt_begin "$1"
	rt_inside_probe 'echo ran'
	via "$2"
	rt_neutralised '[ "$RT_STATUS" = 0 ] && [ "$RT_OUT" = ran ]'
	[ ! -e "$HS_TMP/planted-ran" ]
	# hardshim's own verb, through the same caller
	run "$HS_BIN" version
	[ "$status" -eq 0 ]
	[[ "$output" == "hardshim "* ]]
	[ ! -e "$HS_TMP/planted-ran" ]
}
@test "runc: a core on the caller's PATH or LD_LIBRARY_PATH, a HARDSHIM_FRONT of the caller's: not run" { planted_core runc env; }
@test "crun: a core on the caller's PATH or LD_LIBRARY_PATH, a HARDSHIM_FRONT of the caller's: not run" { planted_core crun env; }
@test "runc: a core beside the caller's argv[0] is not run" { planted_core runc argv0; }
@test "crun: a core beside the caller's argv[0] is not run" { planted_core crun argv0; }
@test "runc: a core in the caller's working directory is not run" { planted_core runc cwd; }
@test "crun: a core in the caller's working directory is not run" { planted_core crun cwd; }
