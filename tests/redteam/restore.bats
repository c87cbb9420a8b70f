#!/usr/bin/env bats
# class 3 of issue 13: a wrong model of what the runtimes do. Egress limits are installed by
# the createRuntime hook hardshim adds. runc runs that hook on restore too (from criu's
# setup-namespaces notification); crun 1.8 runs no hooks on restore, so a container restored
# under crun would have no egress rules at all. criu is not installed on this machine, so the
# restore itself cannot run here: what is tested is hardshim's decision.

load ../lib/bundle
load ../lib/redteam

setup() { rt_setup; }
teardown() { rt_teardown; }

# hs restore under the default policy (egress applies: the container has its own netns).
restore_attempt() {
	local id
	id=$(rt_id)
	hs_track "$id"
	hs_place_config "$id" || return 1
	mkdir -p "$HS_TMP/checkpoint"
	RT_STATUS=0
	hs_rt restore --bundle "$HS_BUNDLE" --image-path "$HS_TMP/checkpoint" --detach "$id" \
		</dev/null >"$HS_TMP/$id.out" 2>&1 || RT_STATUS=$?
	RT_OUT=$(cat "$HS_TMP/$id.out")
	RT_ID=$id
	printf '# %s restore via hardshim: status %s\n# %s\n' "$HS_RUNTIME" "$RT_STATUS" "$RT_OUT" >&2
}

# restore_without_hook RUNTIME CONTROL RULE: restore with CONTROL's createRuntime hook the only
# one (the other hook's control off, so RULE alone decides). crun runs no hooks on restore:
# refused before it runs, RULE and place named, no container. runc runs them: admitted, and the
# config it got carries the hook.
restore_without_hook() {
	local control=$2 rule=$3 other=egress
	[ "$control" = egress ] && other=devices
	rt_begin "$1" ".controls.$other.enabled = false"
	restore_attempt
	case $1 in
	crun)
		[ "$RT_STATUS" != 0 ]
		[[ "$RT_OUT" == *"$rule: hooks.createRuntime"* ]]
		! hs_rt_direct state "$RT_ID" >/dev/null 2>&1
		;;
	runc)
		[[ "$RT_OUT" != *"$rule"* ]]
		jq -e --arg c "$control" '[.hooks.createRuntime[]? | select(.args[1:3] == ["hook", $c])] | length == 1' \
			"$HS_BUNDLE/config.json"
		command -v criu >/dev/null ||
			skip "criu is not installed here: runc's restore (and the hook it runs) cannot be observed"
		;;
	esac
}

# Egress: a container restored under crun would have no egress rules at all.
@test "runc: restore to escape the egress hook (crun runs no hooks on restore)" { restore_without_hook runc egress egress.restore-without-hooks; }
@test "crun: restore to escape the egress hook (crun runs no hooks on restore)" { restore_without_hook crun egress egress.restore-without-hooks; }

# The devices hook (devices.runtime-grants): crun's own c 5:1 grant (the host's console) would
# stay on a crun restore.
@test "runc: restore to keep the runtime's own device grant (crun runs no hooks on restore)" { restore_without_hook runc devices devices.restore-without-hooks; }
@test "crun: restore to keep the runtime's own device grant (crun runs no hooks on restore)" { restore_without_hook crun devices devices.restore-without-hooks; }
