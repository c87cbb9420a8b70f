#!/bin/sh
# Build the parser-differential oracle (tests/oracle/main.go) into $BUILD/oracle, offline:
# GOPATH mode over Debian's Go sources (golang-github-opencontainers-specs-dev), no module
# proxy, no network. Rebuilt only when its source is newer than the binary.
# Usage: scripts/build-oracle.sh [BUILD_DIR]   (default: $HS_BUILD, then ./build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${HS_BUILD:-$top/build}}
case $build in /*) ;; *) build=$top/$build ;; esac
out=$build/oracle
src=$top/tests/oracle/main.go
# shellcheck disable=SC3013 # -nt: dash (Debian's sh) and bash both have it
if [ -x "$out" ] && [ "$out" -nt "$src" ]; then
	exit 0
fi
specs=/usr/share/gocode/src/github.com/opencontainers/runtime-spec/specs-go
if [ ! -f "$specs/config.go" ]; then
	echo "build-oracle: $specs missing (apt-get install golang-github-opencontainers-specs-dev)" >&2
	exit 1
fi
mkdir -p "$build/go-cache"
# Module mode off: the import resolves in GOPATH=/usr/share/gocode; GOFLAGS cleared so a
# user's -mod=... cannot switch the build to a network resolver.
cd "$top/tests/oracle"
GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS='' GOTOOLCHAIN=local \
	GOCACHE="$build/go-cache" CGO_ENABLED=0 \
	go build -o "$out.tmp" main.go
mv "$out.tmp" "$out"
