#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# class 4 of issue 13 (matching on facts the attacker controls): which core root's hardshim loads.
# The `hardshim` executable is a small front that loads everything else (create, run, every
# verb) from hardshim-core-BUILDID.so. Whoever makes root's hardshim load another core runs code
# as root: a caller chooses the environment (LD_LIBRARY_PATH), argv[0] and the working directory,
# so a core of the right name planted there must never be loaded. The planted core is shown to
# act when something does load it (LD_PRELOAD into a plain program); through hardshim the
# container runs as always and the planted core never runs.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# plant DIR: a core named exactly as the real one, whose constructor and entry leave a mark.
plant() {
	local name
	name=$(basename "$(dirname "$HS_BIN")"/hardshim-core-*.so)
	mkdir -p "$1"
	cat >"$HS_TMP/evil.c" <<-C
		#include <stdio.h>
		static void mark(const char *why)
		{
			FILE *f = fopen("$HS_TMP/planted-ran", "a");
			if (f) { fprintf(f, "%s\n", why); fclose(f); }
		}
		__attribute__((constructor)) static void ctor(void) { mark("constructor"); }
		int hardshim_core_main(int argc, char **argv) { mark("entry"); return 0; }
	C
	cc -shared -fPIC -o "$1/$name" "$HS_TMP/evil.c"
	# the planted core acts when it is loaded at all
	rm -f "$HS_TMP/planted-ran"
	LD_PRELOAD="$1/$name" /bin/true
	grep -qx constructor "$HS_TMP/planted-ran"
	rm -f "$HS_TMP/planted-ran"
}

# via KIND: hardshim as a caller that controls KIND starts it (a wrapper stands for the caller).
via() {
	local evil=$HS_TMP/evil wrap=$HS_TMP/caller-$1 real=$HS_BIN
	plant "$evil"
	case $1 in
	env) printf '#!/bin/bash\nLD_LIBRARY_PATH=%q exec %q "$@"\n' "$evil" "$real" >"$wrap" ;;
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
@test "runc: a core on the caller's LD_LIBRARY_PATH is not loaded" { planted_core runc env; }
@test "crun: a core on the caller's LD_LIBRARY_PATH is not loaded" { planted_core crun env; }
@test "runc: a core beside the caller's argv[0] is not loaded" { planted_core runc argv0; }
@test "crun: a core beside the caller's argv[0] is not loaded" { planted_core crun argv0; }
@test "runc: a core in the caller's working directory is not loaded" { planted_core runc cwd; }
@test "crun: a core in the caller's working directory is not loaded" { planted_core crun cwd; }
