#!/usr/bin/env bats
# Hooks and annotations through hardshim with the real runc and crun. A hook would leave a
# marker file on the host when it runs: a refused hook's marker must not exist. crun's
# run.oci.hooks.stdout annotation makes crun write a host file: refused, the file must not
# exist. Each case runs again with its control off ("enabled": false) to show the opposite.

load resctl

setup() {
	# Hooks live in a root-owned directory under /run (every ancestor root-owned, 0755), as
	# an administrator's would; removed in teardown.
	HOOKDIR=$(mktemp -d /run/hs-test-hooks.XXXXXX)
	chmod 0755 "$HOOKDIR"
}

teardown() {
	hs_teardown
	rm -rf "$HOOKDIR"
}

# mkhook NAME: a hook that records that it ran (and prints "leak" on stdout).
mkhook() {
	printf '#!/bin/sh\ncat >/dev/null\necho ran >"%s/marker-%s"\necho leak\n' "$HS_TMP" "$1" >"$HOOKDIR/$1"
	chmod 0755 "$HOOKDIR/$1"
}

with_hook() { # STAGE PATH
	hs_config ".hooks = {\"$1\": [{\"path\": \"$2\", \"args\": [\"$(basename "$2")\"]}]}"
}

hook_not_allowlisted() {
	rc_setup "$1"
	mkhook evil
	with_hook createRuntime "$HOOKDIR/evil"
	run hs_create h1
	rc_refused hooks.not-allowlisted 'hooks.createRuntime[0].path'
	[ ! -e "$HS_TMP/marker-evil" ]
	[ -z "$(hs_state h1)" ]
	rc_policy '.controls.hooks.enabled = false'
	rc_start h2
	[ -e "$HS_TMP/marker-evil" ] # off: the runtime ran it, as root, on the host
}
@test "hooks/runc: a hook not on the allowlist is refused and does not run" { hook_not_allowlisted runc; }
@test "hooks/crun: a hook not on the allowlist is refused and does not run" { hook_not_allowlisted crun; }

hook_not_root_owned() {
	rc_setup "$1"
	mkhook userhook
	chown 1000:1000 "$HOOKDIR/userhook"
	with_hook createRuntime "$HOOKDIR/userhook"
	rc_policy '.controls.hooks.allow = [{"path": $p}]' --arg p "$HOOKDIR/userhook"
	run hs_create u1
	rc_refused hooks.unsafe-file 'hooks.createRuntime[0].path'
	[[ "$output" == *"not owned by root (uid 1000"* ]]
	[ ! -e "$HS_TMP/marker-userhook" ]
	# a group-writable directory above a root-owned hook: refused too
	chown 0:0 "$HOOKDIR/userhook"
	chmod 0775 "$HOOKDIR"
	run hs_create u2
	rc_refused hooks.unsafe-file 'hooks.createRuntime[0].path'
	[[ "$output" == *"writable by group or others"* ]]
	[ ! -e "$HS_TMP/marker-userhook" ]
	chmod 0755 "$HOOKDIR"
	chown 1000:1000 "$HOOKDIR/userhook"
	rc_policy '.controls.hooks.enabled = false'
	rc_start u3
	[ -e "$HS_TMP/marker-userhook" ]
}
@test "hooks/runc: an allowlisted hook a non-root user could replace is refused and does not run" { hook_not_root_owned runc; }
@test "hooks/crun: an allowlisted hook a non-root user could replace is refused and does not run" { hook_not_root_owned crun; }

hook_allowed() {
	rc_setup "$1"
	mkhook good
	with_hook createRuntime "$HOOKDIR/good"
	rc_policy '.controls.hooks.allow = [{"path": $p, "args": ["good"], "stages": ["createRuntime"]}]' \
		--arg p "$HOOKDIR/good"
	rc_start g1
	[ -e "$HS_TMP/marker-good" ]
	# the same file with other arguments is another hook
	hs_config '.hooks.createRuntime[0].args = ["good", "--extra"]'
	rm -f "$HS_TMP/marker-good"
	run hs_create g2
	rc_refused hooks.not-allowlisted 'hooks.createRuntime[0].path'
	[ ! -e "$HS_TMP/marker-good" ]
}
@test "hooks/runc: an allowlisted root-owned hook runs; other arguments refused" { hook_allowed runc; }
@test "hooks/crun: an allowlisted root-owned hook runs; other arguments refused" { hook_allowed crun; }

# An allowlisted, root-owned hook with the config's LD_PRELOAD: a library shipped in the image
# runs as root on the host. The hook's env must be the administrator's (none here): refused,
# nothing ran; the administrator's own env admitted; control off, the image's code ran as root.
hook_env_preload() {
	rc_setup "$1"
	mkhook good
	mkdir -p "$HS_BUNDLE/rootfs/lib"
	printf '#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void x(void) { FILE *f = fopen("%s/marker-preload", "w"); if (f) { fprintf(f, "uid=%%d\\n", (int)getuid()); fclose(f); } }\n' \
		"$HS_TMP" >"$HS_TMP/evil.c"
	cc -shared -fPIC -o "$HS_BUNDLE/rootfs/lib/evil.so" "$HS_TMP/evil.c"
	hs_config '.hooks = {"createRuntime": [{"path": $p, "args": ["good"], "env": [$e]}]}' \
		--arg p "$HOOKDIR/good" --arg e "LD_PRELOAD=$HS_BUNDLE/rootfs/lib/evil.so"
	rc_policy '.controls.hooks.allow = [{"path": $p, "args": ["good"]}]' --arg p "$HOOKDIR/good"
	run hs_create p1
	rc_refused hooks.env 'hooks.createRuntime[0].env'
	[ ! -e "$HS_TMP/marker-preload" ]
	[ ! -e "$HS_TMP/marker-good" ]
	# the administrator's env, exactly: admitted, and the hook runs
	hs_config '.hooks.createRuntime[0].env = ["HOOK_MODE=x"]'
	rc_policy '.controls.hooks.allow = [{"path": $p, "args": ["good"], "env": ["HOOK_MODE=x"]}]' \
		--arg p "$HOOKDIR/good"
	rc_start p2
	[ -e "$HS_TMP/marker-good" ]
	[ ! -e "$HS_TMP/marker-preload" ]
	# control off: the image's library ran as root on the host
	hs_config '.hooks.createRuntime[0].env = [$e]' --arg e "LD_PRELOAD=$HS_BUNDLE/rootfs/lib/evil.so"
	rc_policy '.controls.hooks.enabled = false'
	rc_start p3
	[ "$(cat "$HS_TMP/marker-preload")" = uid=0 ]
}
@test "hooks/runc: an allowlisted hook's env is the admin's: LD_PRELOAD from the image refused, nothing ran" { hook_env_preload runc; }
@test "hooks/crun: an allowlisted hook's env is the admin's: LD_PRELOAD from the image refused, nothing ran" { hook_env_preload crun; }

# run.oci.hooks.stdout: crun writes the hooks' stdout to this host path.
annotation_unsafe() {
	rc_setup "$1"
	mkhook talk
	with_hook createRuntime "$HOOKDIR/talk"
	hs_config '.annotations = {"run.oci.hooks.stdout": $f}' --arg f "$HS_TMP/leaked"
	rc_policy '.controls.hooks.allow = [{"path": $p}]' --arg p "$HOOKDIR/talk"
	run hs_create a1
	rc_refused annotations.unsafe 'annotations["run.oci.hooks.stdout"]'
	[ ! -e "$HS_TMP/leaked" ]
	[ ! -e "$HS_TMP/marker-talk" ]
	rc_policy '.controls.hooks.allow = [{"path": $p}] | .controls.annotations.enabled = false' \
		--arg p "$HOOKDIR/talk"
	rc_start a2
	[ -e "$HS_TMP/marker-talk" ]
	if [ "$1" = crun ]; then
		grep -qx leak "$HS_TMP/leaked" # crun wrote a host file the config named
	fi
}
@test "annotations/runc: run.oci.hooks.stdout refused; control off: accepted" { annotation_unsafe runc; }
@test "annotations/crun: run.oci.hooks.stdout refused; control off: crun writes the host file" { annotation_unsafe crun; }

@test "annotations: org.systemd.property.*, org.criu.config, bundle refused; allowlist lets one through" {
	rc_setup runc
	for key in org.systemd.property.DeviceAllow org.criu.config bundle RUN.OCI.keep_original_groups; do
		hs_config '.annotations = {($k): "x"}' --arg k "$key"
		run hs_create x1
		if [ "$key" = bundle ]; then
			rc_refused annotations.unsafe annotations.bundle # a plain name is not quoted
		else
			rc_refused annotations.unsafe "annotations[\"$key\"]"
		fi
	done
	rc_policy '.controls.annotations.allow = ["org.criu.config"]'
	hs_config '.annotations = {"org.criu.config": "/dev/null"}'
	rc_start x2
}

# The egress control's createRuntime hook runs hardshim itself (`hardshim hook devices-egress`
# on run, with the devices deny in the same process; on create, the devices deny and the
# egress install are done by create itself, with no hook: src/cli/wait-runtime.c; `run` keeps
# its hook, so the container here is run -d), and
# the hook re-checks the config it sits in: hardshim's own binary is admitted without a policy
# entry (every container above ran through that re-check). A copy of it elsewhere, root-owned
# and with the same arguments, is not hardshim's binary: refused, never run.
@test "hooks: hardshim's own hook passes the hook-mode re-check; a planted copy is refused" {
	rc_setup runc
	hs_run own -d >"$HS_TMP/own.out" 2>&1
	hs_wait_state own running
	hs_final_config | jq -e --arg b "$(readlink -f "$HS_BIN")" \
		'.hooks.createRuntime | map(select(.path == $b and .args[1] == "hook")) | map(.args[2]) == ["devices-egress"]'
	install -m 0755 "$HS_BIN" "$HOOKDIR/hardshim"
	hs_config '.hooks = {"createRuntime": [{"path": $p, "args": ["hardshim", "hook", "egress"]}]}' \
		--arg p "$HOOKDIR/hardshim"
	run hs_create planted
	rc_refused hooks.not-allowlisted 'hooks.createRuntime[0].path'
}
