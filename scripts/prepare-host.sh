#!/bin/sh
# Prepare this machine for running containers in tests: the hybrid-cgroup quirk that stops
# crun 1.8.1 (hugetlb must not sit in cgroup v2). Idempotent; run as root.
set -eu
if [ -d /sys/fs/cgroup ] && ! mountpoint -q /sys/fs/cgroup/hugetlb 2>/dev/null; then
	if grep -qw hugetlb /proc/cgroups; then
		mkdir -p /sys/fs/cgroup/hugetlb 2>/dev/null || true
		mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null || true
	fi
fi
