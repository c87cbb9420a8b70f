#!/usr/bin/env bats
# make install as an operator runs it (PREFIX, DESTDIR, SYSCONFDIR): the binary and its core, the default
# policy, the hooks.d files and the man pages land where they should, the man pages render
# with `man -l` without a warning, and a binary built with SYSCONFDIR finds its policy there
# with no environment at all (as Podman calls it).

load ../lib/e2e

setup_file() {
	e2e_require
	e2e_install
}

@test "make install DESTDIR PREFIX SYSCONFDIR: binary, policy, hooks.d, man pages" {
	dest=$BATS_TEST_TMPDIR/dest
	run make -s -C "$HS_TOP" install BUILD="$E2E/build" DESTDIR="$dest" PREFIX=/usr SYSCONFDIR=/etc
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$dest/usr/bin/hardshim")" = 755 ]
	# the core beside the front, under the build id the front carries; the front runs with it
	core=$(echo "$dest"/usr/bin/hardshim-core-*)
	[ "$(stat -c %a "$core")" = 755 ]
	[ "$(basename "$core")" = "hardshim-core-$(readelf -n "$core" | awk '/Build ID:/ { print $3 }')" ]
	HARDSHIM_POLICY="$HS_TOP/profiles/policy/default.json" "$dest/usr/bin/hardshim" version
	[ "$(stat -c %a "$dest/etc/hardshim/policy.json")" = 644 ]
	cmp "$dest/etc/hardshim/policy.json" "$HS_TOP/profiles/policy/default.json"
	cmp "$dest/etc/hardshim/policy.json.default" "$HS_TOP/profiles/policy/default.json"
	# a reinstall keeps the administrator's edited policy
	echo '{"runtime":"/usr/bin/crun"}' >"$dest/etc/hardshim/policy.json"
	run make -s -C "$HS_TOP" install BUILD="$E2E/build" DESTDIR="$dest" PREFIX=/usr SYSCONFDIR=/etc
	[ "$status" -eq 0 ]
	[ "$(jq -r .runtime "$dest/etc/hardshim/policy.json")" = /usr/bin/crun ]
	for h in hardshim-precreate hardshim-createruntime; do
		f=$dest/usr/share/containers/oci/hooks.d/$h.json
		[ "$(jq -r .version "$f")" = 1.0.0 ]
		[ "$(jq -r .hook.path "$f")" = /usr/bin/hardshim ]
	done
	[ -f "$dest/usr/share/man/man1/hardshim.1" ]
	[ -f "$dest/usr/share/man/man5/hardshim-policy.5" ]
}

@test "man pages render with man -l, without warnings, with their sections" {
	for page in "$E2E/usr/share/man/man1/hardshim.1" "$E2E/usr/share/man/man5/hardshim-policy.5"; do
		[ -f "$page" ]
		warnings=$(MANWIDTH=100 LC_ALL=C.UTF-8 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$warnings" ] || { echo "warnings from $page: $warnings"; false; }
		text=$(MANWIDTH=100 LC_ALL=C.UTF-8 man -l "$page" 2>/dev/null)
		for section in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
			grep -qx "$section" <<<"$text" || { echo "$page: no $section"; false; }
		done
	done
	MANWIDTH=100 man -l "$E2E/usr/share/man/man1/hardshim.1" 2>/dev/null | grep -q 'runtime_supports_json'
	MANWIDTH=100 man -l "$E2E/usr/share/man/man5/hardshim-policy.5" 2>/dev/null | grep -q 'exceptions'
}

@test "an installed hardshim finds SYSCONFDIR/hardshim/policy.json with an empty environment" {
	e2e_policy runc
	run env -i "$E2E_BIN" --version
	[ "$status" -eq 0 ]
	grep -q '^runc version' <<<"$output"
	e2e_policy crun
	run env -i "$E2E_BIN" --version
	[ "$status" -eq 0 ]
	grep -q '^crun version' <<<"$output"
}
