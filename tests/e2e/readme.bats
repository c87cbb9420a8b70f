#!/usr/bin/env bats
# The README's operator tour ("Plugging it in: Podman and containerd, step by step"), run as
# written: the block between <!-- operator-tour:begin --> and <!-- operator-tour:end --> is
# taken from README.md and run by bash as root, in this clone, the way a new operator types
# it. It runs in a private mount namespace where /etc and /usr/local are overlays (writes go
# to a scratch tmpfs) and the engines' state, the launch log and /tmp are fresh tmpfs: the
# tour installs hardshim, configures Podman and starts a containerd of its own there, and the
# machine's own files and daemons are left as they were. The containerd the tour starts is
# stopped by its pid (the shell's background job) when the block ends.

load ../lib/e2e

TOUR=$E2E/tour

setup_file() {
	e2e_require
	mkdir -p "$TOUR"
	awk '/<!-- operator-tour:end -->/ { on = 0 } on && !/^```/ { print }
		/<!-- operator-tour:begin -->/ { on = 1 }' "$HS_TOP/README.md" >"$TOUR/block.sh"
	[ -s "$TOUR/block.sh" ]
}

# The mount points the tour needs that the machine lacks are made (empty) before the
# namespace and removed after it, so nothing is left behind.
FRESH="/var/lib/containers /var/lib/containerd /run/containers /run/containerd /run/libpod
/var/log/hardshim /tmp"
OVERLAID="/etc /usr/local"

# In the namespace: a scratch tmpfs at SCRATCH (under /run, which the tour does not use) that
# holds this checkout (bound there first: it may well live under /tmp) and the overlays'
# upper layers; then the fresh tmpfs and the overlays; then the README's block, from the
# checkout, as root in it.
run_tour() {
	local d made=() scratch
	scratch=/run/hs-tour-$(echo "$HS_TOP" | md5sum | cut -c1-8)
	for d in $FRESH "$scratch"; do
		[ -d "$d" ] || { mkdir -p "$d" && made+=("$d"); }
	done
	cat >"$TOUR/run.sh" <<-EOF
		S=$scratch
		mount --make-rprivate / || exit 97
		mount -t tmpfs hs-tour-scratch "\$S" || exit 97
		mkdir "\$S/src" && mount --bind "$HS_TOP" "\$S/src" || exit 97
		for d in $(echo $FRESH); do mount -t tmpfs hs-tour "\$d" || exit 97; done
		for d in $OVERLAID; do
			o="\$S/\$(echo "\$d" | tr / _)"
			mkdir -p "\$o/upper" "\$o/work"
			mount -t overlay hs-tour -o "lowerdir=\$d,upperdir=\$o/upper,workdir=\$o/work" "\$d" ||
				exit 97
		done
		cd "\$S/src" || exit 97
		. "\$S/src/${TOUR#"$HS_TOP"/}/block.sh"
		for p in \$(jobs -p); do
			echo "tour: stopping pid \$p" >&2
			kill -TERM "\$p"
			wait "\$p"
		done
		exit 0
	EOF
	run timeout -k 10 900 unshare --mount --propagation private bash "$TOUR/run.sh"
	for d in "${made[@]}"; do rmdir "$d" 2>/dev/null || true; done
	echo "$output"
}

@test "README operator tour: Podman and containerd configured as written; hardened and refused as shown" {
	local want n
	run_tour
	[ "$status" -eq 0 ]
	# Both hardened containers (Podman, then ctr), seen from inside.
	[ "$(grep -cx '65534' <<<"$output")" -eq 2 ]
	# only NET_BIND_SERVICE (bit 10), held by the non-root process (ambient): SYS_ADMIN is gone
	[ "$(grep -cx 'CapEff:	0000000000000400' <<<"$output")" -eq 2 ]
	[ "$(grep -cx 'NoNewPrivs:	1' <<<"$output")" -eq 2 ]
	[ "$(grep -cx 'Seccomp:	2' <<<"$output")" -eq 2 ]
	[ "$(grep -cx 'touch: /x: Read-only file system' <<<"$output")" -eq 2 ]
	# The refusals, exactly as the README shows them (its indented lines after the block).
	n=0
	while IFS= read -r want; do
		echo "# README says: $want"
		grep -qxF "$want" <<<"$output"
		n=$((n + 1))
	done < <(awk '/<!-- operator-tour:end -->/ { on = 1 } /^\*\*Kubernetes\*\*/ { on = 0 }
		on && /^    / { sub(/^    /, ""); print }' "$HS_TOP/README.md")
	[ "$n" -eq 2 ]
	# The launch log the tour prints: the four launches, hardened or refused, in order.
	[ "$(grep -E '^\{"event":' <<<"$output" | jq -r .verdict | tr '\n' ' ')" = "rewritten refused rewritten refused " ]
	# Nothing of the tour is left on the machine.
	[ ! -e /usr/local/bin/hardshim ]
	[ ! -e /etc/hardshim/policy.json ]
	[ ! -e /etc/containers/containers.conf.d/hardshim.conf ]
	[ ! -S /run/containerd/containerd.sock ]
}
