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

# installed DEST: the build id of the core DEST/usr/bin/hardshim carries (the one make installs).
installed_id() {
	sed -n 's/^#define HS_CORE_ID "\(.*\)"$/\1/p' "$E2E/build/core-id.h"
}

# An old front still starting, as the prune sees one: a program run from the old front's file
# (sleep SECONDS copied over DEST's front, which the next install renames over, so its
# /proc/PID/exe reads "... (deleted)"), with an earlier build's core beside it again. Uses the
# calling test's bin, id and old; sets pid.
old_front_starting() {
	cp "$bin/hardshim-core-$id" "$bin/hardshim-core-$old"
	cp /bin/sleep "$bin/hardshim"
	"$bin/hardshim" "$1" &
	pid=$!
	for _ in $(seq 100); do
		[ "$(readlink "/proc/$pid/exe")" != "$bin/hardshim" ] || return 0
		sleep 0.05
	done
	echo "the old front $pid never ran from $bin/hardshim"
	return 1
}

@test "make install removes earlier builds' cores once no old front is starting; never the front's own" {
	dest=$BATS_TEST_TMPDIR/dest
	bin=$dest/usr/bin
	inst() { make -s -C "$HS_TOP" install BUILD="$E2E/build" DESTDIR="$dest" PREFIX=/usr SYSCONFDIR=/etc; }
	run inst
	[ "$status" -eq 0 ]
	id=$(installed_id)
	[ -n "$id" ] && [ -f "$bin/hardshim-core-$id" ]
	old=0123456789abcdef0123456789abcdef01234567
	# An update: the earlier build's core beside the new front goes, the front's own stays.
	cp "$bin/hardshim-core-$id" "$bin/hardshim-core-$old"
	# Not an earlier build's core (not a regular file named hardshim-core-HEX): left alone.
	echo outside >"$BATS_TEST_TMPDIR/outside"
	ln -s "$BATS_TEST_TMPDIR/outside" "$bin/hardshim-core-abcd"
	echo notes >"$bin/hardshim-core-notes"
	run inst
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "prune-cores: removed $bin/hardshim-core-$old (an earlier build's core)" <<<"$output"
	[ ! -e "$bin/hardshim-core-$old" ]
	[ -f "$bin/hardshim-core-$id" ]
	[ "$(readlink "$bin/hardshim-core-abcd")" = "$BATS_TEST_TMPDIR/outside" ]
	[ "$(cat "$BATS_TEST_TMPDIR/outside")" = outside ] && [ -f "$bin/hardshim-core-notes" ]
	HARDSHIM_POLICY="$HS_TOP/profiles/policy/default.json" "$bin/hardshim" version

	# An old front still starting: the prune waits for it.
	old_front_starting 2
	run inst
	echo "$output"
	[ "$status" -eq 0 ]
	# it had ended (the sleep of 2 s) when the core went
	! kill -0 "$pid" 2>/dev/null || false
	[ ! -e "$bin/hardshim-core-$old" ]
	# One that does not end within the prune's 5 s: the old core is kept, and the install says so.
	old_front_starting 60
	run inst
	echo "$output"
	kill "$pid"
	wait "$pid" || true
	[ "$status" -eq 0 ]
	grep -q "prune-cores: an old hardshim is still starting (pid $pid ).*kept" <<<"$output"
	[ -f "$bin/hardshim-core-$old" ]
	# ... and the next install removes it.
	run inst
	[ "$status" -eq 0 ]
	[ ! -e "$bin/hardshim-core-$old" ]

	# A front that has opened its core runs it even when the core is removed before the exec:
	# the front execveat's the open file. The exec is held 3 s (strace) while a prune for
	# another build removes this front's core.
	cp "$bin/hardshim-core-$id" "$bin/hardshim-core-$old"
	strace -f -qq -o /dev/null -e trace=execveat -e inject=execveat:delay_enter=3000000 \
		env HARDSHIM_POLICY="$HS_TOP/profiles/policy/default.json" "$bin/hardshim" version \
		>"$BATS_TEST_TMPDIR/version.out" 2>&1 &
	pid=$!
	# the front (strace's child) held in execveat's entry: /proc/PID/syscall names it (322)
	for _ in $(seq 100); do
		front=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null) || front=
		[ -z "$front" ] || [ "$(cut -d' ' -f1 "/proc/${front% }/syscall" 2>/dev/null)" != 322 ] || break
		sleep 0.05
	done
	[ "$(readlink "/proc/${front% }/exe")" = "$bin/hardshim" ]
	[ "$(cut -d' ' -f1 "/proc/${front% }/syscall")" = 322 ]
	run sh "$HS_TOP/scripts/prune-cores.sh" "$bin" "$old"
	echo "$output"
	[ ! -e "$bin/hardshim-core-$id" ]
	wait "$pid"
	cat "$BATS_TEST_TMPDIR/version.out"
	grep -q '^hardshim ' "$BATS_TEST_TMPDIR/version.out"
	# put back: the front's own core, installed again
	run inst
	[ "$status" -eq 0 ]
	[ -f "$bin/hardshim-core-$id" ] && [ ! -e "$bin/hardshim-core-$old" ]
	HARDSHIM_POLICY="$HS_TOP/profiles/policy/default.json" "$bin/hardshim" version
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
