#!/bin/sh
# Install every Debian package that hardshim's build, tests, demo and CI need.
# Idempotent; reaches only the Debian archive. Run as root.
set -eu

PKGS="
  build-essential pkg-config clang llvm libclang-rt-14-dev
  libseccomp-dev libcap-ng-dev libapparmor-dev libselinux1-dev libyajl-dev libmount-dev
  libnftables-dev libaudit-dev nettle-dev libcmocka-dev
  runc crun busybox-static bats jq iproute2 nftables util-linux procps psmisc e2fsprogs
  golang-go golang-github-opencontainers-specs-dev
  podman conmon containerd catatonit uidmap fuse-overlayfs containernetworking-plugins
  python3-grpcio python3-protobuf protobuf-compiler python3-prometheus-client python3-yaml faketime
  apparmor auditd
  cppcheck clang-tidy clang-format shellcheck valgrind hyperfine scdoc man-db groff-base
  python3 sudo logrotate netcat-openbsd bc
"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

export DEBIAN_FRONTEND=noninteractive
# One update per machine is enough; a stale list is refreshed once.
if [ ! -f /var/lib/apt/periodic/hardshim-updated ]; then
  apt-get update -qq
  mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/hardshim-updated
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
