#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Differential matrix with runc: each case runs once on bare runc and once through hardshim.
# audit: byte-identical results; enforce: every difference explained by a finding
# (tests/differential/differential.bash).

load ../lib/bundle
load differential

setup() { hs_setup runc; diff_setup; }
teardown() { hs_teardown; }

@test "runc audit: observe identical to bare runc" { diff_case observe; diff_audit; }
@test "runc enforce: observe differs from bare runc only where the findings say" { diff_case observe; diff_enforce; }
@test "runc audit: env identical to bare runc" { diff_case env; diff_audit; }
@test "runc enforce: env differs from bare runc only where the findings say" { diff_case env; diff_enforce; }
@test "runc audit: cwd identical to bare runc" { diff_case cwd; diff_audit; }
@test "runc enforce: cwd differs from bare runc only where the findings say" { diff_case cwd; diff_enforce; }
@test "runc audit: rlimits identical to bare runc" { diff_case rlimits; diff_audit; }
@test "runc enforce: rlimits differs from bare runc only where the findings say" { diff_case rlimits; diff_enforce; }
@test "runc audit: tmpfs identical to bare runc" { diff_case tmpfs; diff_audit; }
@test "runc enforce: tmpfs differs from bare runc only where the findings say" { diff_case tmpfs; diff_enforce; }
@test "runc audit: bind identical to bare runc" { diff_case bind; diff_audit; }
@test "runc enforce: bind differs from bare runc only where the findings say" { diff_case bind; diff_enforce; }
@test "runc audit: hostname identical to bare runc" { diff_case hostname; diff_audit; }
@test "runc enforce: hostname differs from bare runc only where the findings say" { diff_case hostname; diff_enforce; }
@test "runc audit: exit-0 identical to bare runc" { diff_case exit-0; diff_audit; }
@test "runc enforce: exit-0 differs from bare runc only where the findings say" { diff_case exit-0; diff_enforce; }
@test "runc audit: exit-3 identical to bare runc" { diff_case exit-3; diff_audit; }
@test "runc enforce: exit-3 differs from bare runc only where the findings say" { diff_case exit-3; diff_enforce; }
@test "runc audit: exit-255 identical to bare runc" { diff_case exit-255; diff_audit; }
@test "runc enforce: exit-255 differs from bare runc only where the findings say" { diff_case exit-255; diff_enforce; }
@test "runc audit: signal-term identical to bare runc" { diff_case signal-term; diff_audit; }
@test "runc enforce: signal-term differs from bare runc only where the findings say" { diff_case signal-term; diff_enforce; }
@test "runc audit: signal-kill identical to bare runc" { diff_case signal-kill; diff_audit; }
@test "runc enforce: signal-kill differs from bare runc only where the findings say" { diff_case signal-kill; diff_enforce; }
@test "runc audit: stdout-1mib identical to bare runc" { diff_case stdout-1mib; diff_audit; }
@test "runc enforce: stdout-1mib differs from bare runc only where the findings say" { diff_case stdout-1mib; diff_enforce; }
@test "runc audit: stderr identical to bare runc" { diff_case stderr; diff_audit; }
@test "runc enforce: stderr differs from bare runc only where the findings say" { diff_case stderr; diff_enforce; }
