#!/usr/bin/env bats
# class 4 of issue 13: decisions on facts the attacker controls. The admit patterns name a
# pod's files by {sandbox-id} and {pod-uid}; the config's io.kubernetes.* annotations claim
# both, and the config's author writes them. Here the author claims another pod's identity to
# bind that pod's files. Each attack is shown to work against the bare runtime first.

load ../lib/bundle
load ../lib/redteam

setup() {
	rt_setup
	RT_FACTS_CREATED=
}
teardown() {
	rt_teardown
	# only what this test made: the victim's own directory (named by a fresh id), then each
	# parent this test had to create, while it is empty (another test may use /var/lib/kubelet)
	local own top d
	for own in $RT_FACTS_CREATED; do
		top=${own#*:} own=${own%%:*}
		rm -rf -- "$own"
		d=$(dirname "$own")
		while [ "$top" != "$own" ] && [[ "$d/" == "$top/"* ]]; do
			rmdir -- "$d" 2>/dev/null || break
			d=$(dirname "$d")
		done
	done
	return 0
}

# victim_dir OWN PATH: make PATH (root's, 0755, beneath OWN, the directory named by the
# victim's fresh id) with a secret file in it; remembers OWN and the topmost directory this
# test created, for teardown.
victim_dir() {
	local top=$1
	while [ ! -e "$(dirname "$top")" ]; do
		top=$(dirname "$top")
	done
	mkdir -p "$2"
	RT_FACTS_CREATED="$1:$top $RT_FACTS_CREATED"
	VICTIM_SECRET="victim-$RANDOM-$$"
	echo "$VICTIM_SECRET" >"$2/token"
	chmod 0644 "$2/token"
}

rand_hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
rand_uuid() {
	local h
	h=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	echo "${h:0:8}-${h:8:4}-4${h:13:3}-8${h:17:3}-${h:20:12}"
}

# Another pod's Secret volume, by kubelet's layout. The config claims to be that pod through
# both annotations hardshim used to read.
forged_pod_uid() {
	local uid dir
	rt_begin "$1"
	uid=$(rand_uuid)
	dir=/var/lib/kubelet/pods/$uid/volumes/kubernetes.io~secret/db-password
	victim_dir "/var/lib/kubelet/pods/$uid" "$dir"
	hs_config '.annotations["io.kubernetes.cri.sandbox-uid"] = $u | .annotations["io.kubernetes.pod.uid"] = $u
		| .mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
		--arg u "$uid" --arg s "$dir"
	rt_inside_probe 'cat /mnt/token'
	rt_works_direct '[ "$RT_OUT" = "$VICTIM_SECRET" ]'
	rt_refused mounts.sensitive-source "mounts[$(jq '.mounts | length - 1' "$HS_CONFIG")].source"
}
@test "runc: a forged pod uid annotation binds another pod's Secret volume" { forged_pod_uid runc; }
@test "crun: a forged pod uid annotation binds another pod's Secret volume" { forged_pod_uid crun; }

# Another pod's sandbox files, by containerd CRI's layout. The config claims that sandbox.
forged_sandbox_id() {
	local sb dir
	rt_begin "$1"
	sb=$(rand_hex64)
	dir=/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/$sb/shm
	victim_dir "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/$sb" "$dir"
	hs_config '.annotations["io.kubernetes.cri.sandbox-id"] = $i | .annotations["io.kubernetes.cri-o.SandboxID"] = $i
		| .mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
		--arg i "$sb" --arg s "$dir"
	rt_inside_probe 'cat /mnt/token'
	rt_works_direct '[ "$RT_OUT" = "$VICTIM_SECRET" ]'
	rt_refused mounts.sensitive-source "mounts[$(jq '.mounts | length - 1' "$HS_CONFIG")].source"
}
@test "runc: a forged sandbox id annotation binds another pod's sandbox files" { forged_sandbox_id runc; }
@test "crun: a forged sandbox id annotation binds another pod's sandbox files" { forged_sandbox_id crun; }
