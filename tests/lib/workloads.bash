# SPDX-License-Identifier: Apache-2.0
# The workload suite (tests/workloads/): ordinary images, laid out as their official images
# are, run by Podman and by containerd (ctr) with hardshim's default policy in front of runc
# or crun, and judged by the service they give: HTTP 200, redis SET after BGSAVE, psql
# CREATE/INSERT/SELECT, a sqlite write through the app.
#
# The engines are the e2e library's (tests/lib/e2e.bash), with a state directory of their own
# ($HS_BUILD/workloads) so this suite and the e2e suite never share a store or a daemon.
# Instead of a second `make install`, the engines' runtime entry is a two-line script at the
# installed binary's place that execs the build's hardshim with the suite's policy file.

# shellcheck source=tests/lib/env.bash
source "${BASH_SOURCE[0]%/*}/env.bash"
: "${E2E:=$HS_BUILD/workloads}"
# shellcheck source=tests/lib/e2e.bash
source "${BASH_SOURCE[0]%/*}/e2e.bash"

WL_TAR=""
WL_ROOT=$E2E/tree # the image's tree unpacked: the clients (python3, redis-cli, psql) run from it
WL_TABLE=$E2E/table.txt
export WL_ROOT WL_TABLE

# wl_setup: the engines, the policy (runc), the tree, and the images in Podman's store.
wl_setup() {
	e2e_require || return 1
	command -v mmdebstrap >/dev/null || {
		echo "mmdebstrap is not installed: run scripts/install-deps.sh" >&2
		return 1
	}
	mkdir -p "$E2E/usr/bin"
	printf '#!/bin/sh\nHARDSHIM_POLICY=%s exec %s "$@"\n' "$E2E_POLICY" "$HS_BIN" >"$E2E_BIN"
	chmod 0755 "$E2E_BIN"
	e2e_policy runc || return 1
	# bats holds fds 3-8 and image.sh its lock on 9, so mmdebstrap's pipe to apt would land on
	# fd 10+, and apt's `cat >&10` through dash (/bin/sh) is "Bad fd number": the build fails.
	# Closed for the build only, its pipe takes a single-digit fd.
	WL_TAR=$(sh "$HS_TOP/tests/workloads/image.sh" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&-) || return 1
	if [ ! -s "$WL_ROOT/.key" ] || [ "$(cat "$WL_ROOT/.key")" != "$WL_TAR" ]; then
		rm -rf "$WL_ROOT" && mkdir -p "$WL_ROOT" && tar -C "$WL_ROOT" -xf "$WL_TAR" &&
			echo "$WL_TAR" >"$WL_ROOT/.key" || return 1
	fi
	podman_setup || return 1
	wl_images
}

# The images: the tree plus each one's configuration, as the official image has it.
# name|podman import --change lines, one per ";;"
WL_IMAGES='nginx|CMD ["nginx"];;EXPOSE 80
redis|WORKDIR /data;;VOLUME /data;;ENTRYPOINT ["redis-entrypoint.sh"];;CMD ["redis-server"]
postgres|ENV PGDATA=/var/lib/postgresql/data;;VOLUME /var/lib/postgresql/data;;ENTRYPOINT ["postgres-entrypoint.sh"];;CMD ["postgres"]
pyhttp|WORKDIR /srv/www;;CMD ["python3", "-m", "http.server", "8000"]
sqlite-app|WORKDIR /app;;CMD ["python3", "app.py"]
nginx-unprivileged|USER www-data;;CMD ["nginx", "-c", "/etc/nginx/nginx-unprivileged.conf"]'

wl_images() {
	local name changes line c args
	# the store outlives a recipe change: images of another tree are removed, not reused
	if [ "$(cat "$E2E/images.key" 2>/dev/null)" != "$WL_TAR" ]; then
		while IFS='|' read -r name _; do
			pm rmi -f "localhost/hs-wl-$name:latest" >/dev/null 2>&1 || true
		done <<<"$WL_IMAGES"
		pm rmi -f localhost/hs-wl-base:latest >/dev/null 2>&1 || true
	fi
	pm image exists localhost/hs-wl-base:latest ||
		pm import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			"$WL_TAR" localhost/hs-wl-base:latest >/dev/null || return 1
	while IFS='|' read -r name changes; do
		pm image exists "localhost/hs-wl-$name:latest" && continue
		args=()
		while IFS= read -r line; do
			c=${line#;}
			[ -n "$c" ] && args+=(--change "$c")
		done <<<"${changes//;;/$'\n'}"
		# a config-only commit of the base (created, never run): the layer is shared
		pm create --name "hs-wl-mk-$name" localhost/hs-wl-base true >/dev/null || return 1
		pm commit -q "${args[@]}" "hs-wl-mk-$name" "localhost/hs-wl-$name:latest" >/dev/null ||
			return 1
		pm rm -f "hs-wl-mk-$name" >/dev/null 2>&1 || true
	done <<<"$WL_IMAGES"
	echo "$WL_TAR" >"$E2E/images.key"
}

# wl_containerd: the suite's daemon and the images in it: one docker archive holds all six
# (their layer once), imported into the suite's namespace.
wl_containerd() {
	local imgs=() name
	containerd_start || return 1
	[ "$(cat "$E2E/cr-images.key" 2>/dev/null)" = "$WL_TAR" ] &&
		cr images ls -q | grep -qxF localhost/hs-wl-nginx-unprivileged:latest && return 0
	while IFS='|' read -r name _; do
		imgs+=("localhost/hs-wl-$name:latest")
	done <<<"$WL_IMAGES"
	rm -f "$E2E/images.tar"
	pm save -m --format docker-archive -o "$E2E/images.tar" "${imgs[@]}" >/dev/null &&
		cr images import "$E2E/images.tar" >/dev/null || return 1
	rm -f "$E2E/images.tar"
	echo "$WL_TAR" >"$E2E/cr-images.key"
}

# wl_volume_mounts IMAGE: what a team declares under containerd for the image's VOLUME (ctr,
# like Kubernetes, makes no volume of its own): an empty directory, root's, 0777 as an emptyDir is.
wl_volume_mounts() {
	local dst
	case $1 in
	redis) dst=/data ;;
	postgres) dst=/var/lib/postgresql/data ;;
	*) return 0 ;;
	esac
	# made afresh each time: an earlier cell gave it to the service's user (user.volume-owner)
	rm -rf "${E2E:?}/vol/$1"
	mkdir -p "$E2E/vol/$1" && chmod 0777 "$E2E/vol/$1"
	echo "--mount=type=bind,src=$E2E/vol/$1,dst=$dst,options=rbind:rw"
}

# wl_netns NAME: a network namespace of the test's own with loopback up. The container joins
# it; the client runs in it from the host.
wl_netns() {
	ip netns del "$1" 2>/dev/null || true
	ip netns add "$1" && ip -n "$1" link set lo up
}

# wl_client NETNS CMD...: CMD from the image's tree, in NETNS, as root on the host side.
wl_client() {
	local ns=$1
	shift
	timeout -k 2 20 ip netns exec "$ns" chroot "$WL_ROOT" "$@"
}

wl_http() { # NETNS PORT: the body of GET / (non-zero unless 200)
	wl_client "$1" python3 -c 'import sys, urllib.request
r = urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=5)
sys.stdout.write(r.read().decode()) if r.status == 200 else sys.exit(1)' "$2"
}

# wl_judge IMAGE NETNS: the service check, once. Prints what it saw; 0 when it serves.
wl_judge() {
	local ns=$2 out
	case $1 in
	nginx) wl_http "$ns" 80 | grep -q 'hello from hardshim' ;;
	nginx-unprivileged) wl_http "$ns" 8080 | grep -q 'hello from hardshim' ;;
	pyhttp) wl_http "$ns" 8000 | grep -q 'hello from hardshim' ;;
	sqlite-app)
		wl_http "$ns" 8000 >/dev/null && out=$(wl_http "$ns" 8000) &&
			[[ $out =~ ^hits\ [2-9] ]]
		;;
	redis)
		# BGSAVE, then a write: redis refuses writes (MISCONF) once a save has failed.
		[ "$(wl_client "$ns" redis-cli -h 127.0.0.1 SET k v)" = OK ] || return 1
		wl_client "$ns" redis-cli -h 127.0.0.1 BGSAVE >/dev/null || return 1
		for _ in $(seq 1 50); do
			out=$(wl_client "$ns" redis-cli -h 127.0.0.1 INFO persistence | tr -d '\r')
			grep -q '^rdb_bgsave_in_progress:0' <<<"$out" && break
			sleep 0.1
		done
		grep -q '^rdb_last_bgsave_status:ok' <<<"$out" || return 1
		[ "$(wl_client "$ns" redis-cli -h 127.0.0.1 SET k2 v2)" = OK ]
		;;
	postgres)
		out=$(wl_client "$ns" psql -h 127.0.0.1 -U postgres -tA -c \
			'CREATE TABLE t (x int); INSERT INTO t VALUES (42); SELECT x FROM t;') &&
			[ "$(tail -n 1 <<<"$out")" = 42 ]
		;;
	esac
}

# wl_wait IMAGE NETNS ALIVE-CMD...: judge until it serves (0) or ALIVE-CMD says the
# container is gone (1), for at most 30 s (a service that never serves: 1).
wl_wait() {
	local img=$1 ns=$2 i
	shift 2
	for i in $(seq 1 60); do
		wl_judge "$img" "$ns" >/dev/null 2>&1 && return 0
		[ "$i" -gt 4 ] && ! "$@" && return 1
		sleep 0.5
	done
	return 1
}

# wl_record ENGINE RUNTIME IMAGE RESULT DETAIL: one row of the table.
wl_record() {
	printf '%-8s %-5s %-19s %-8s %s\n' "$1" "$2" "$3" "$4" "$5" >>"$WL_TABLE"
}
