#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Differential matrix with crun: each case runs once on bare crun and once through hardshim.
# audit: byte-identical results; enforce: every difference explained by a finding
# (tests/differential/differential.bash).

load ../lib/bundle
load differential

setup() { hs_setup crun; diff_setup; }
teardown() { hs_teardown; }

@test "crun audit: observe identical to bare crun" { diff_case observe; diff_audit; }
@test "crun enforce: observe differs from bare crun only where the findings say" { diff_case observe; diff_enforce; }
@test "crun audit: env identical to bare crun" { diff_case env; diff_audit; }
@test "crun enforce: env differs from bare crun only where the findings say" { diff_case env; diff_enforce; }
@test "crun audit: cwd identical to bare crun" { diff_case cwd; diff_audit; }
@test "crun enforce: cwd differs from bare crun only where the findings say" { diff_case cwd; diff_enforce; }
@test "crun audit: rlimits identical to bare crun" { diff_case rlimits; diff_audit; }
@test "crun enforce: rlimits differs from bare crun only where the findings say" { diff_case rlimits; diff_enforce; }
@test "crun audit: tmpfs identical to bare crun" { diff_case tmpfs; diff_audit; }
@test "crun enforce: tmpfs differs from bare crun only where the findings say" { diff_case tmpfs; diff_enforce; }
@test "crun audit: bind identical to bare crun" { diff_case bind; diff_audit; }
@test "crun enforce: bind differs from bare crun only where the findings say" { diff_case bind; diff_enforce; }
@test "crun audit: hostname identical to bare crun" { diff_case hostname; diff_audit; }
@test "crun enforce: hostname differs from bare crun only where the findings say" { diff_case hostname; diff_enforce; }
@test "crun audit: exit-0 identical to bare crun" { diff_case exit-0; diff_audit; }
@test "crun enforce: exit-0 differs from bare crun only where the findings say" { diff_case exit-0; diff_enforce; }
@test "crun audit: exit-3 identical to bare crun" { diff_case exit-3; diff_audit; }
@test "crun enforce: exit-3 differs from bare crun only where the findings say" { diff_case exit-3; diff_enforce; }
@test "crun audit: exit-255 identical to bare crun" { diff_case exit-255; diff_audit; }
@test "crun enforce: exit-255 differs from bare crun only where the findings say" { diff_case exit-255; diff_enforce; }
@test "crun audit: signal-term identical to bare crun" { diff_case signal-term; diff_audit; }
@test "crun enforce: signal-term differs from bare crun only where the findings say" { diff_case signal-term; diff_enforce; }
@test "crun audit: signal-kill identical to bare crun" { diff_case signal-kill; diff_audit; }
@test "crun enforce: signal-kill differs from bare crun only where the findings say" { diff_case signal-kill; diff_enforce; }
@test "crun audit: stdout-1mib identical to bare crun" { diff_case stdout-1mib; diff_audit; }
@test "crun enforce: stdout-1mib differs from bare crun only where the findings say" { diff_case stdout-1mib; diff_enforce; }
@test "crun audit: stderr identical to bare crun" { diff_case stderr; diff_audit; }
@test "crun enforce: stderr differs from bare crun only where the findings say" { diff_case stderr; diff_enforce; }
