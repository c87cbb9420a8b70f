#!/usr/bin/env bats
# Sysctls and devices through hardshim with the real runc and crun: what is refused is
# refused with the message the user sees (rule and JSON path) and never reaches the kernel;
# what is allowed is visible inside the container. Each case is run again with its control
# switched off ("enabled": false) to show the opposite.

load resctl

teardown() { hs_teardown; }

# The CVE-2022-0811 shapes: a host-wide key with "/" separators, a "+"-smuggled second key.
sysctl_hostile() {
	local before
	before=$(cat /proc/sys/kernel/core_pattern)
	rc_setup "$1"
	hs_config '.linux.sysctl = {"kernel/core_pattern": "|/tmp/pwn %p"}'
	run hs_create s1
	rc_refused sysctl.not-allowed 'linux.sysctl["kernel/core_pattern"]'
	[[ "$output" == *"sysctl kernel.core_pattern is not on the policy's safe list"* ]]
	hs_config '.linux.sysctl = {"kernel.shm_rmid_forced": "1+kernel.core_pattern=|/tmp/pwn"}'
	run hs_create s2
	rc_refused sysctl.unsafe-value 'linux.sysctl["kernel.shm_rmid_forced"]'
	[[ "$output" == *"CVE-2022-0811"* ]]
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
	# (No run with the control off here: that would hand a host-wide sysctl to the runtime.
	# The next test shows the opposite with a namespaced one.)
}
@test "sysctl/runc: kernel/core_pattern and a '+' value refused, host untouched" { sysctl_hostile runc; }
@test "sysctl/crun: kernel/core_pattern and a '+' value refused, host untouched" { sysctl_hostile crun; }

# A namespaced sysctl the runtimes accept but the safe list does not: refused; off, it applies.
sysctl_not_listed() {
	rc_setup "$1"
	hs_config '.linux.sysctl = {"net.core.somaxconn": "77"}'
	hs_args cat /proc/sys/net/core/somaxconn
	run hs_run n1
	rc_refused sysctl.not-allowed 'linux.sysctl["net.core.somaxconn"]'
	rc_policy '.controls.sysctl.enabled = false'
	run hs_run n2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 77 ]
}
@test "sysctl/runc: net.core.somaxconn (not on the safe list) refused; control off: applied" { sysctl_not_listed runc; }
@test "sysctl/crun: net.core.somaxconn (not on the safe list) refused; control off: applied" { sysctl_not_listed crun; }

# A safe one, spelled with "/", is applied and visible inside.
sysctl_allowed() {
	rc_setup "$1"
	hs_config '.linux.sysctl = {"net/ipv4/ip_unprivileged_port_start": "80", "net.ipv4.tcp_fin_timeout": "17"}'
	hs_args sh -c 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/tcp_fin_timeout'
	run hs_run ok1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '80\n17')" ]
}
@test "sysctl/runc: allowed sysctls (one with '/' separators) visible in /proc/sys inside" { sysctl_allowed runc; }
@test "sysctl/crun: allowed sysctls (one with '/' separators) visible in /proc/sys inside" { sysctl_allowed crun; }

# A host device node beyond the runtime defaults: refused; off, the node is in the container.
device_node() {
	rc_setup "$1"
	hs_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 420}]'
	hs_args sh -c 'test -c /dev/kmsg && echo present || echo absent'
	run hs_run d1
	rc_refused devices.not-allowed 'linux.devices[0]'
	rc_policy '.controls.devices.enabled = false'
	run hs_run d2
	echo "$output"
	[ "$output" = present ]
	# allowlisted by the policy: in
	rc_policy '.controls.devices.allow = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]'
	run hs_run d3
	[ "$output" = present ]
}
@test "devices/runc: /dev/kmsg in linux.devices refused; allowlisted or control off: present" { device_node runc; }
@test "devices/crun: /dev/kmsg in linux.devices refused; allowlisted or control off: present" { device_node crun; }

# A device-cgroup rule that allows everything: refused; off, the cgroup really allows all.
device_allow_all() {
	rc_setup "$1"
	hs_config '.linux.resources.devices += [{"allow": true, "access": "rwm"}]'
	run hs_create a1
	rc_refused devices.allow-all 'linux.resources.devices[1]'
	[ -z "$(hs_state a1)" ]
	rc_policy '.controls.devices.enabled = false'
	rc_start a2
	grep -qx 'a \*:\* rwm' "$(rc_cgroup_file a2 devices devices.list)"
}
@test "devices/runc: allow-all device-cgroup rule refused; control off: devices.list is a *:* rwm" { device_allow_all runc; }
@test "devices/crun: allow-all device-cgroup rule refused; control off: devices.list is a *:* rwm" { device_allow_all crun; }

# /dev/console (c 5:1) is the host's console: no runtime creates that node (a container's
# console is its pty, bound there), and runc grants c 5:1 only when the config asks. The node
# is refused; the grant (containerd puts it in every config) is removed, and crun's own
# default grant of it is denied by hardshim (devices.runtime-grants: by its create, or by its
# hook on run and restore): the container's devices cgroup has no c 5:1 under either runtime.
device_console() {
	rc_setup "$1"
	hs_config '.linux.devices = [{"path": "/dev/console", "type": "c", "major": 5, "minor": 1, "fileMode": 438}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 5, "minor": 1, "access": "rwm"}]'
	hs_args sh -c 'test -c /dev/console && echo present || echo absent'
	run hs_run k1
	rc_refused devices.not-allowed 'linux.devices[0]'
	# the grant alone (containerd's shape): admitted, the rule removed
	hs_config 'del(.linux.devices)'
	hs_args sleep 1000
	rc_start k2
	hs_final_config | jq -e '[.linux.resources.devices[] | select(.major == 5 and .minor == 1)] == []'
	run grep -c '^c 5:1 ' "$(rc_cgroup_file k2 devices devices.list)"
	[ "$output" = 0 ]
	# allowlisted by the administrator: the node is in the container
	rc_policy '.controls.devices.allow = [{"path": "/dev/console", "type": "c", "major": 5, "minor": 1}]'
	hs_config '.linux.devices = [{"path": "/dev/console", "type": "c", "major": 5, "minor": 1, "fileMode": 438}]'
	hs_args sh -c 'test -c /dev/console && echo present || echo absent'
	run hs_run k3
	[ "$output" = present ]
}
@test "devices/runc: /dev/console (c 5:1) node refused, its cgroup grant removed (devices.list)" { device_console runc; }
@test "devices/crun: /dev/console (c 5:1) node refused, its cgroup grant removed (devices.list)" { device_console crun; }
