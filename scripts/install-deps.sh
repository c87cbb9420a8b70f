#!/bin/sh
# Install the Debian packages hardshim needs. Idempotent; reaches only the Debian archive.
# Run as root.
#   sh scripts/install-deps.sh --build   what `make` and `make install` need (13 packages)
#   sh scripts/install-deps.sh --unit    that, plus cmocka: `make test-build`, the unit tests
#   sh scripts/install-deps.sh           everything the tests, demo and CI need
set -eu

# The compiler, pkg-config, the libraries' headers (the build fails loudly, naming the
# package, without them) and scdoc for the man pages. libnftables-dev: the unit tests'
# listings only (hardshim itself sends libnftnl batches); libmnl-dev: libnftnl.pc requires it.
BUILD_PKGS="
  build-essential pkg-config
  libseccomp-dev libcap-ng-dev libapparmor-dev libselinux1-dev libyajl-dev
  libnftables-dev libnftnl-dev libmnl-dev libaudit-dev nettle-dev scdoc
"
UNIT_PKGS="libcmocka-dev"
TEST_PKGS="
  clang llvm libclang-rt-14-dev
  runc crun busybox-static bats jq iproute2 nftables util-linux procps psmisc e2fsprogs
  golang-go golang-github-opencontainers-specs-dev
  podman conmon containerd catatonit uidmap fuse-overlayfs containernetworking-plugins
  python3-grpcio python3-protobuf protobuf-compiler python3-prometheus-client python3-yaml
  apparmor auditd
  cppcheck clang-tidy clang-format shellcheck valgrind hyperfine man-db groff-base
  python3 sudo logrotate netcat-openbsd bc mmdebstrap
"
case ${1:-} in
--build) PKGS=$BUILD_PKGS ;;
--unit) PKGS="$BUILD_PKGS $UNIT_PKGS" ;;
"") PKGS="$BUILD_PKGS $UNIT_PKGS $TEST_PKGS" ;;
*) echo "usage: sh scripts/install-deps.sh [--build|--unit]" >&2; exit 2 ;;
esac

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
