#!/bin/sh
# The time the egress step adds to `create`: create+start+delete through hardshim with the
# egress control on (create installs the rules in the container's network namespace after the
# runtime's create: one nf_tables batch built with libnftnl, docs/egress.md) and off, side by
# side; and `hook egress` alone (what `run` puts in the config), run against a live container. Medians in µs; run by tests/bench/run.sh (make bench) or on its own.
set -eu
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
NL=${BENCH_LIFECYCLE_N:-30}
N=${BENCH_N:-200}
bench_workdir /tmp/hardshim-bench-egress.XXXXXX

policy() { # runtime egress-section file
	jq --arg rt "/usr/bin/$1" --arg log "$work/launches.jsonl" --argjson e "$2" \
		'.runtime = $rt | .log.path = $log | .controls.egress = $e' \
		"$top/profiles/policy/default.json" >"$3"
	chmod 0644 "$3"
}

mkdir -p "$work/b/rootfs/bin"
cp /bin/busybox "$work/b/rootfs/bin/busybox"
ln -sf busybox "$work/b/rootfs/bin/true"
ln -sf busybox "$work/b/rootfs/bin/sleep"
(cd "$work/b" && runc spec && jq '.process.terminal=false | .process.args=["true"] | .process.user={"uid":1000,"gid":1000}' config.json >c && mv c config.json)
cp "$work/b/config.json" "$work/config.pristine"

printf '%-44s %12s %12s %10s\n' "egress step (median µs)" "egress off" "egress on" "added µs"
for rt in runc crun; do
	st="$work/state-$rt"
	policy "$rt" '{"enabled": false}' "$work/off.json"
	policy "$rt" '{"default": "deny", "allow": ["198.18.0.0/15:443/tcp", "[2001:2::/48]:443/tcp"], "rate": 1000000}' "$work/on.json"
	life() { # policy tag
		# hardshim rewrites config.json in place: start each variant from the pristine one,
		# hardened once, so every timed create reads, checks and keeps it.
		cp "$work/config.pristine" "$work/b/config.json"
		chmod 0644 "$work/b/config.json"
		HARDSHIM_POLICY=$1 "$hs" check --output "$work/b/config.json.h" "$work/b" >/dev/null 2>&1 || true
		mv "$work/b/config.json.h" "$work/b/config.json"
		chmod 0644 "$work/b/config.json"
		HARDSHIM_POLICY=$1 med -n "$NL" -w 2 "$hs" --root "$st" create --bundle "$work/b" "e$2{i}" ";;" \
			"$hs" --root "$st" start "e$2{i}" ";;" "$hs" --root "$st" delete --force "e$2{i}"
	}
	off=$(life "$work/off.json" "off$rt")
	on=$(life "$work/on.json" "on$rt")
	printf '%-44s %12s %12s %10s\n' "$rt create+start+delete ($NL runs)" "$off" "$on" "$(echo "$on - $off" | bc)"
done

# The hook alone: join a live container's netns and replace its table, N times.
cp "$work/config.pristine" "$work/b/config.json"
(cd "$work/b" && jq '.process.args=["sleep","1000"]' config.json >c && mv c config.json)
/usr/bin/runc --root "$work/state-runc" run -d --bundle "$work/b" egress-live >/dev/null
pid=$(/usr/bin/runc --root "$work/state-runc" state egress-live | jq -r .pid)
printf '{"ociVersion":"1.0.2","id":"egress-live","status":"creating","pid":%s,"bundle":"%s"}' "$pid" "$work/b" >"$work/state.json"
cat >"$work/hook.sh" <<HOOK
#!/bin/sh
exec "$hs" hook egress --default deny --allow 198.18.0.0/15:443/tcp --allow '[2001:2::/48]:443/tcp' --rate 1000000 <"$work/state.json"
HOOK
chmod +x "$work/hook.sh"
printf '%-44s %12s\n' "hardshim hook egress alone ($N runs, via sh)" "$(med -n "$N" "$work/hook.sh")"
# Back to back, each run's transaction waits for the namespace's commit mutex, which the
# previous run's detached close still holds while it flushes (~10 ms); 50 ms apart, it does
# not: what a container's own hook, in its own namespace, costs.
printf '%-44s %12s\n' "hardshim hook egress alone, runs 50 ms apart" "$(med -n "$N" -p 50 "$work/hook.sh")"
printf '%-44s %12s\n' "sh alone ($N runs)" "$(med -n "$N" /bin/sh -c true)"
