#!/bin/sh
# `make demo`: hardshim doing its main job on a real container, with runc.
#  1. a hostile bundle (root user, every capability, writable root, host /etc mounted) is
#     checked and refused, with the reason a user would see;
#  2. an ordinary busybox bundle that asks for root is rewritten to the hardened policy
#     (the diff is shown), run, and looked at from inside;
#  3. the launch record that was written.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
hs="$top/build/hardshim"
work=$(mktemp -d /tmp/hardshim-demo.XXXXXX)
# shellcheck disable=SC2154 # $id is the trap's own loop variable
trap 'cd /; for id in demo-hostile demo-ok; do runc --root "$work/state" delete --force "$id" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A policy file of the demo's own: the shipped default, with this machine's runc, state and log.
sed -e "s|/var/log/hardshim/launches.jsonl|$work/launches.jsonl|" "$top/profiles/policy/default.json" >"$work/policy.json"
chmod 0644 "$work/policy.json"
export HARDSHIM_POLICY="$work/policy.json"

make_bundle() { # dir, jq filter for config.json
	mkdir -p "$1/rootfs/bin" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/sys" "$1/rootfs/tmp" "$1/rootfs/etc"
	chmod 1777 "$1/rootfs/tmp" # as in every image: runc gives a tmpfs the mode of its mountpoint
	cp /bin/busybox "$1/rootfs/bin/busybox"
	for c in sh id cat touch grep echo mount; do ln -sf busybox "$1/rootfs/bin/$c"; done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$1/rootfs/etc/passwd"
	(cd "$1" && runc spec && jq "$2" config.json >config.json.new && mv config.json.new config.json)
	chmod 0644 "$1/config.json"
}

say "1. A hostile bundle: root, all capabilities, no_new_privileges off, host /etc mounted"
make_bundle "$work/hostile" '.process.terminal=false | .process.args=["id"]
  | .process.noNewPrivileges=false
  | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
  | .mounts += [{"destination":"/host-etc","type":"bind","source":"/etc","options":["rbind","rw"]}]'
echo "\$ hardshim check $work/hostile"
"$hs" check "$work/hostile" || true
echo "\$ hardshim run --bundle $work/hostile demo-hostile"
"$hs" --root "$work/state" run --bundle "$work/hostile" demo-hostile || echo "(refused: exit $?, nothing started)"

say "2. An ordinary bundle that asks for root and a writable root filesystem"
make_bundle "$work/ok" '.process.terminal=false
  | .process.args=["sh","-c","echo \"inside: $(id)\"; grep -E \"^(NoNewPrivs|CapEff|CapInh|CapAmb|Seccomp):\" /proc/self/status; touch /written-to-root 2>&1 || true; touch /tmp/ok && echo \"/tmp is writable\""]'
echo "\$ hardshim check --output hardened.json $work/ok"
"$hs" check --output "$work/hardened.json" "$work/ok" || true
echo "\$ diff original hardened   (linux.seccomp: hardshim's default profile added; not shown)"
jq 'del(.linux.seccomp)' "$work/ok/config.json" >"$work/a.json"
jq 'del(.linux.seccomp)' "$work/hardened.json" >"$work/b.json"
diff -u --label original --label hardened "$work/a.json" "$work/b.json" || true
echo "\$ hardshim run --bundle $work/ok demo-ok"
"$hs" --root "$work/state" run --bundle "$work/ok" demo-ok || echo "(exit $?)"

say "3. The launch records"
if [ -s "$work/launches.jsonl" ]; then
	jq -c '{seq, time, event, id, verdict, who: .who.user, loginuid: .who.loginuid, refused: [.findings[]? | select(.action=="refuse") | .rule], rewrites: ([.findings[]? | select(.action=="rewrite")] | length)}' "$work/launches.jsonl" 2>/dev/null ||
		cat "$work/launches.jsonl"
	"$hs" log verify "$work/launches.jsonl" || true
else
	echo "(no launch log written)"
fi
