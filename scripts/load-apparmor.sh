#!/bin/sh
# Load (or reload) hardshim's AppArmor profile into the kernel. Run as root on a host where
# AppArmor is enabled; `make install` puts the profile in /etc/apparmor.d.
set -eu
profile=${1:-/etc/apparmor.d/hardshim-default}
if [ ! -e /sys/kernel/security/apparmor/profiles ]; then
	echo "load-apparmor: AppArmor is not enabled on this host" >&2
	exit 1
fi
apparmor_parser -r -W "$profile"
grep -q '^hardshim-default ' /sys/kernel/security/apparmor/profiles
