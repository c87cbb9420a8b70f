# Minimal bundle helpers for the mounts and namespaces suites (until tests/lib has a shared one):
# a busybox-static rootfs, runc's own default spec, a policy naming runc or crun, and
# hardshim run/create with a private state root. All paths live under $BATS_TEST_TMPDIR.
# shellcheck shell=bash

BUSYBOX=${BUSYBOX:-/usr/bin/busybox}

# make_bundle DIR CMD: a bundle whose process is `sh -c CMD`, not a terminal.
make_bundle() {
	local dir=$1 cmd=$2 c
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" \
		"$dir/rootfs/etc" "$dir/rootfs/mnt" "$dir/rootfs/tmp"
	cp "$BUSYBOX" "$dir/rootfs/bin/busybox"
	for c in sh cat ls sleep grep readlink echo touch; do
		ln -sf busybox "$dir/rootfs/bin/$c"
	done
	(cd "$dir" && runc spec)
	jq_edit "$dir" --arg cmd "$cmd" '.process.terminal = false | .process.args = ["sh", "-c", $cmd]'
}

# jq_edit DIR [jq args...] FILTER: edit DIR/config.json in place.
jq_edit() {
	local dir=$1
	shift
	jq "$@" "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

# add_bind DIR SOURCE DEST [OPTIONS_JSON]
add_bind() {
	jq_edit "$1" --arg s "$2" --arg d "$3" --argjson o "${4:-[\"rbind\"]}" \
		'.mounts += [{"destination": $d, "type": "bind", "source": $s, "options": $o}]'
}

# write_hs_policy RUNTIME: the shipped default policy with RUNTIME, at $HS_POLICY_FILE.
write_hs_policy() {
	HS_POLICY_FILE="$BATS_TEST_TMPDIR/policy-$(basename "$1").json"
	jq --arg r "$1" '.runtime = $r | .log = {"path": "'"$BATS_TEST_TMPDIR"'/launches.jsonl"}' \
		"$HS_TOP/profiles/policy/default.json" >"$HS_POLICY_FILE"
	export HS_POLICY_FILE
}

# hs RUNTIME ARGS...: hardshim with the policy for RUNTIME and a private state root.
hs() {
	local rt=$1
	shift
	write_hs_policy "$rt"
	mkdir -p "$BATS_TEST_TMPDIR/state"
	HARDSHIM_POLICY="$HS_POLICY_FILE" "$HS_BIN" --root "$BATS_TEST_TMPDIR/state" "$@"
}

# container_exists RUNTIME ID: the runtime knows the container (it was created).
container_exists() {
	"$1" --root "$BATS_TEST_TMPDIR/state" state "$2" >/dev/null 2>&1
}

# cleanup_containers RUNTIME: delete what this test created, by id, through the runtime.
cleanup_containers() {
	local rt=$1 id
	[ -d "$BATS_TEST_TMPDIR/state" ] || return 0
	for id in $("$rt" --root "$BATS_TEST_TMPDIR/state" list -q 2>/dev/null); do
		"$rt" --root "$BATS_TEST_TMPDIR/state" delete --force "$id" >/dev/null 2>&1 || true
	done
}
