#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The workload suite's root filesystem: one Debian 12 tree built by mmdebstrap from the Debian
# archive, holding the packages of every workload image (nginx, redis, postgresql, python3 with
# sqlite, gosu). Each image of the suite is this tree plus its own configuration (user,
# entrypoint, WORKDIR, VOLUME), as the official images lay them out; building one tree instead
# of six keeps the suite's cost to one build per recipe change.
# Usage: image.sh   prints the path of the cached tarball, building it when missing.
# The cache is keyed by a hash of this file and layout.sh: change the recipe, a new tree is built
# (and trees of other recipes older than a day are removed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${HS_IMAGE_CACHE:-/var/cache/hardshim-tests/images}
key=$(cat "$here/image.sh" "$here/layout.sh" | sha256sum | cut -c1-16)
out=$cache/workloads-$key.tar
[ -s "$out" ] && { echo "$out"; exit 0; }
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is not installed: run scripts/install-deps.sh" >&2; exit 1; }
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
[ -s "$out" ] && { echo "$out"; exit 0; }
# Documentation, manuals and translations are not needed to serve: left out to keep it small.
# postgresql-common would make a cluster at install time; the images make theirs at first run,
# as the official postgres image does.
# /run is kept (cleanup/run skipped): the images carry /run/postgresql as the official one
# does; layout.sh empties the rest of it.
mmdebstrap --variant=essential --mode=root --format=tar --skip=cleanup/run \
	--include=nginx-light,redis-server,postgresql-15,python3,gosu,netbase \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
	--essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/no-main.conf"' \
	--customize-hook="sh '$here/layout.sh' \"\$1\"" \
	bookworm "$out.new" >"$cache/build.log" 2>&1 || { tail -30 "$cache/build.log" >&2; exit 1; }
mv "$out.new" "$out"
# Trees of older recipes, built more than a day ago, are superseded: each is 400 MB.
find "$cache" -maxdepth 1 -name 'workloads-*.tar' ! -name "${out##*/}" -mtime +0 -delete
echo "$out"
