#!/usr/bin/env bats
# class 1 of issue 13: paths judged before the runtime resolves them. root.path names the
# directory the runtime runs as the container's /: any directory at all. A config that points
# it at another container's files (a sibling bundle's rootfs, another container's layer in
# Podman's storage) gets that container's image and data. Shown against the bare runtime first.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# A victim container's tree: a runnable image holding a secret.
victim_tree() {
	hs_rootfs "$1" && echo "victim-secret-$$" >"$1/secret"
}

# Another bundle's rootfs, named by absolute path or climbed to from this bundle.
sibling_bundle() {
	rt_begin "$1"
	victim_tree "$HS_TMP/victim/rootfs"
	hs_config '.root.path = $p' --arg p "$HS_TMP/victim/rootfs"
	rt_inside_probe 'cat /secret'
	rt_works_direct '[ "$RT_OUT" = "victim-secret-$$" ]'
	rt_refused rootfs.path-owner root.path
	hs_config '.root.path = "../victim/rootfs"'
	rt_refused rootfs.path-owner root.path
}
@test "runc: root.path is another bundle's rootfs" { sibling_bundle runc; }
@test "crun: root.path is another bundle's rootfs" { sibling_bundle crun; }

# Podman's storage laid out as containers/storage lays it out (G/overlay-containers/ID/userdata
# is the bundle, G/overlay/LAYER/merged the image, G/overlay-containers/containers.json, root's,
# says which layer is whose). The id is the engine's command line's.
RP_LAYER=1111aaaa
RP_VICTIM=2222bbbb
podman_store() {
	RP_G=$HS_TMP/storage
	RP_ID=rp-$HS_RUNTIME-$BATS_TEST_NUMBER-$$
	hs_bundle "$RP_G/overlay-containers/$RP_ID/userdata" || return 1
	hs_rootfs "$RP_G/overlay/$RP_LAYER/merged"
	victim_tree "$RP_G/overlay/$RP_VICTIM/merged"
	jq -n --arg id "$RP_ID" --arg l "$RP_LAYER" --arg v "$RP_VICTIM" \
		'[{id: $id, layer: $l}, {id: "victim", layer: $v}]' >"$RP_G/overlay-containers/containers.json"
	chmod 0644 "$RP_G/overlay-containers/containers.json"
}

# run_as VIA ID: the bundle run in the foreground as container ID; stdout in $RT_OUT.
run_as() {
	RT_STATUS=0
	HS_VIA=$1 hs_run "$2" >"$HS_TMP/$2.out" 2>"$HS_TMP/$2.err" || RT_STATUS=$?
	RT_OUT=$(cat "$HS_TMP/$2.out")
	hs_rt_direct delete --force "$2" >/dev/null 2>&1 || true
	printf '# %s via %s: status %s\n# out: %s\n# err: %s\n' "$HS_RUNTIME" "$1" "$RT_STATUS" \
		"$RT_OUT" "$(cat "$HS_TMP/$2.err")" >&2
}

another_layer() {
	rt_begin "$1"
	podman_store
	hs_config '.root.path = $p' --arg p "$RP_G/overlay/$RP_VICTIM/merged"
	rt_inside_probe 'cat /secret'
	run_as direct "$RP_ID"
	[ "$RT_OUT" = "victim-secret-$$" ]
	run_as hardshim "$RP_ID"
	[ "$RT_STATUS" != 0 ]
	grep -q "rootfs.path-owner: root.path: .*$RP_LAYER/merged" "$HS_TMP/$RP_ID.err"
	# check, given the bundle and id create gets, predicts the same; without the id it cannot
	# look the storage up
	hs_place_config "$RP_ID"
	run "$HS_BIN" check --bundle "$HS_BUNDLE" --id "$RP_ID"
	[ "$status" = 1 ] && [[ "$output" == *"rootfs.path-owner root.path"* ]]
	# its own layer runs (the engine's storage is read on the real host)
	hs_config '.root.path = $p' --arg p "$RP_G/overlay/$RP_LAYER/merged"
	hs_place_config "$RP_ID"
	run "$HS_BIN" check --bundle "$HS_BUNDLE" --id "$RP_ID"
	[ "$status" = 0 ] && [[ "$output" != *"rootfs.path-owner"* ]]
	run "$HS_BIN" check --bundle "$HS_BUNDLE"
	[ "$status" = 1 ] && [[ "$output" == *"rootfs.path-owner root.path"*"no container id"* ]]
	rt_inside_probe 'echo own; cat /secret 2>/dev/null'
	run_as hardshim "$RP_ID"
	[ "$RT_STATUS" = 0 ] && [ "$RT_OUT" = own ]
	# a containers.json anyone may write could name the victim's layer: not trusted
	jq --arg id "$RP_ID" --arg v "$RP_VICTIM" 'map(if .id == $id then .layer = $v else . end)' \
		"$RP_G/overlay-containers/containers.json" >"$HS_TMP/c.json"
	cat "$HS_TMP/c.json" >"$RP_G/overlay-containers/containers.json"
	chmod 0666 "$RP_G/overlay-containers/containers.json"
	hs_config '.root.path = $p' --arg p "$RP_G/overlay/$RP_VICTIM/merged"
	rt_inside_probe 'cat /secret'
	run_as hardshim "$RP_ID"
	[ "$RT_STATUS" != 0 ]
	grep -q "rootfs.path-owner: root.path: .*cannot be trusted" "$HS_TMP/$RP_ID.err"
}
@test "runc: root.path is another container's layer in Podman's storage" { another_layer runc; }
@test "crun: root.path is another container's layer in Podman's storage" { another_layer crun; }
