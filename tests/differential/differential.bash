# SPDX-License-Identifier: Apache-2.0
# Differential runs: one busybox bundle, run once by the bare runtime and once through
# hardshim, compared. In "audit" mode hardshim must be invisible: exit code, stdout, stderr and
# what the process sees of itself must be byte-identical. In "enforce" mode every difference
# must be one the policy explains: a rewrite or refusal finding of `hardshim check --format
# json` on the same bundle whose JSON path owns the property that differs.
#
#   load ../lib/bundle; load differential
#   setup() { hs_setup runc; diff_setup; }
#   @test "..." { diff_case env; diff_audit; }     # or diff_enforce

# What a process sees of itself, one "key<TAB>value" line each, sorted; the workload's own
# stdout/stderr go before it, untouched. Mount ids and device numbers change between runs and
# are left out; everything else of mountinfo is kept.
DIFF_PROBE='
probe() {
	echo "==probe=="
	{
	echo "uid	$(id -u)"; echo "gid	$(id -g)"; echo "groups	$(id -G)"
	echo "cwd	$(pwd)"; echo "hostname	$(hostname)"; echo "umask	$(umask)"
	env | sed "s/^\([^=]*\)=/env:\1	/"
	grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):" /proc/self/status |
		sed "s/:[[:space:]]*/	/; s/^/status:/"
	sed -n "2,\$p" /proc/self/limits | sed "s/  \+/	/g" | cut -f1-3 | sed "s/^/limit:/; s/	/=/2"
	awk "{ for (i = 7; \$i != \"-\"; i++); print \"mount:\" \$5 \"\t\" \$4 \" \" \$6 \" \" \$(i+1) \" \" \$(i+2) \" \" \$(i+3) }" /proc/self/mountinfo
	if touch /.diff-rw 2>/dev/null; then echo "rootfs-writable	yes"; rm -f /.diff-rw; else echo "rootfs-writable	no"; fi
	} | sort
}'

diff_setup() {
	hs_bundle || return 1
	DIFF_N=0
	DIFF_DATA=$HS_TMP/data
	mkdir -p "$DIFF_DATA/in" "$DIFF_DATA/out"
	echo "read from the host" >"$DIFF_DATA/in/file"
	chmod 0777 "$DIFF_DATA/out"
	# Mount points exist before the first run, so both runs see the same rootfs: runc gives a
	# tmpfs the mode of the directory it covers when that exists (else the mode= option), so
	# a directory the first run left behind would change the second run's /scratch.
	mkdir -p "$HS_BUNDLE/rootfs/scratch" "$HS_BUNDLE/rootfs/in" "$HS_BUNDLE/rootfs/out"
	chmod 1777 "$HS_BUNDLE/rootfs/scratch"
	export DIFF_DATA
}

# diff_case NAME: set the bundle's config and workload for one case of the matrix.
diff_case() {
	DIFF_CASE=$1
	local script
	case $1 in
	observe) script='true' ;;
	env)
		hs_config '.process.env += ["FOO=bar", "WITH_SPACE=a b  c", "EMPTY=", "UNICODE=héllo"]'
		script='echo "$FOO|$WITH_SPACE|$EMPTY|$UNICODE"' ;;
	cwd)
		hs_config '.process.cwd = "/home"'
		script='pwd; ls -a' ;;
	rlimits)
		# Within this machine's hard limits (RLIMIT_NOFILE hard is 20000 here).
		hs_config '.process.rlimits = [{"type":"RLIMIT_NOFILE","hard":4096,"soft":1024},
			{"type":"RLIMIT_CORE","hard":0,"soft":0},{"type":"RLIMIT_NPROC","hard":2048,"soft":512},
			{"type":"RLIMIT_STACK","hard":16777216,"soft":8388608}]'
		script='ulimit -n; ulimit -Hn; ulimit -c; ulimit -s' ;;
	tmpfs)
		hs_config '.mounts += [{"destination":"/scratch","type":"tmpfs","source":"tmpfs",
			"options":["nosuid","nodev","noexec","size=1m","mode=1777"]}]'
		script='echo data >/scratch/f && cat /scratch/f; df -k /scratch | tail -1 | awk "{print \$2}"
			head -c 2000000 /dev/zero >/scratch/big 2>/dev/null; echo "full: $?"' ;;
	bind)
		hs_config '.mounts += [{"destination":"/in","type":"bind","source":$in,"options":["rbind","ro"]},
			{"destination":"/out","type":"bind","source":$out,"options":["rbind","rw"]}]' \
			--arg in "$DIFF_DATA/in" --arg out "$DIFF_DATA/out"
		script='cat /in/file; echo x >/in/file 2>/dev/null; echo "ro write: $?"
			echo "from the container" >/out/file-$DIFF_RUN; cat /out/file-$DIFF_RUN' ;;
	hostname)
		hs_config '.hostname = "diff-host"'
		script='hostname; cat /proc/sys/kernel/hostname' ;;
	exit-0) script='exit 0' ;;
	exit-3) script='echo before; exit 3' ;;
	exit-255) script='exit 255' ;;
	# Signals from outside, through the runtime's (or hardshim's) `kill` while `run` waits:
	# a handled SIGTERM (the shell is pid 1: no default action) and SIGKILL.
	signal-term) script='trap "echo got TERM; exit 7" TERM; echo ready; sleep 60 & wait' ;;
	signal-kill) script='echo ready; sleep 60' ;;
	stdout-1mib) script='yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c 1048576' ;;
	stderr) script='echo out; echo err >&2; echo out2; head -c 65536 /dev/zero | tr "\0" e >&2' ;;
	*) echo "diff_case: unknown case $1" >&2; return 1 ;;
	esac
	# The probe goes to stderr, at exit (a workload that exits early still reports it), or
	# first when the case ends by a signal from outside.
	case $1 in
	signal-*) hs_args sh -c "$DIFF_PROBE
probe >&2; $script" ;;
	*) hs_args sh -c "$DIFF_PROBE
trap 'probe >&2' EXIT; $script" ;;
	esac
	# One cgroup path for both runs (they run one after the other), so the cgroup mounts'
	# roots are the same.
	hs_config '.linux.cgroupsPath = $p' --arg p "/hs-diff-$$-$1"
}

# diff_run VIA: run the case once; results in $HS_TMP/<via>.{rc,out,err}.
diff_run() {
	local via=$1 id rc=0
	DIFF_N=$((DIFF_N + 1))
	id=diff-$DIFF_N-$$
	hs_config '.process.env += ["DIFF_RUN=" + $r]' --arg r "$via"
	case $DIFF_CASE in
	signal-*)
		HS_VIA=$via hs_run "$id" >"$HS_TMP/$via.out" 2>"$HS_TMP/$via.err" &
		local run=$! i sig=${DIFF_CASE#signal-}
		for i in $(seq 100); do
			grep -q ready "$HS_TMP/$via.out" 2>/dev/null && break
			sleep 0.1
		done
		HS_VIA=$via hs_rt kill "$id" "${sig^^}" || echo "kill $sig failed" >>"$HS_TMP/$via.out"
		wait "$run" || rc=$?
		;;
	*) HS_VIA=$via hs_run "$id" >"$HS_TMP/$via.out" 2>"$HS_TMP/$via.err" || rc=$? ;;
	esac
	hs_config '.process.env -= ["DIFF_RUN=" + $r]' --arg r "$via"
	echo "$rc" >"$HS_TMP/$via.rc"
	# The run's own marker differs by construction; the rest must not.
	sed -i "s/DIFF_RUN	$via/DIFF_RUN	-/; s|/out/file-$via|/out/file-|g" "$HS_TMP/$via.out" "$HS_TMP/$via.err"
}

diff_show() { # A B: print both sides of a mismatch for the failure message
	echo "--- $1 rc=$(cat "$HS_TMP/$1.rc") / $2 rc=$(cat "$HS_TMP/$2.rc")"
	diff "$HS_TMP/$1.out" "$HS_TMP/$2.out" | head -40
	diff "$HS_TMP/$1.err" "$HS_TMP/$2.err" | head -40
}

# Sanity of the bare run: the case did run (a broken bundle would make both sides agree).
diff_check_bare() {
	grep -q "==probe==" "$HS_TMP/direct.err" || {
		echo "the bare runtime did not run the case $DIFF_CASE:"; cat "$HS_TMP/direct.err"; return 1; }
	case $DIFF_CASE in
	exit-3) [ "$(cat "$HS_TMP/direct.rc")" = 3 ] ;;
	exit-255) [ "$(cat "$HS_TMP/direct.rc")" = 255 ] ;;
	signal-term) [ "$(cat "$HS_TMP/direct.rc")" = 7 ] && grep -q "got TERM" "$HS_TMP/direct.out" ;;
	signal-kill) [ "$(cat "$HS_TMP/direct.rc")" = 137 ] ;;
	stdout-1mib) [ "$(wc -c <"$HS_TMP/direct.out")" = 1048576 ] ;;
	*) [ "$(cat "$HS_TMP/direct.rc")" = 0 ] ;;
	esac || { echo "bare run of $DIFF_CASE: unexpected result (rc $(cat "$HS_TMP/direct.rc"))"; return 1; }
}

# Audit mode: identical in every byte.
diff_audit() {
	hs_policy_default '.mode = "audit"'
	diff_run direct
	diff_check_bare || return 1
	diff_run hardshim
	if ! cmp -s "$HS_TMP/direct.out" "$HS_TMP/hardshim.out" ||
	   ! cmp -s "$HS_TMP/direct.err" "$HS_TMP/hardshim.err" ||
	   ! cmp -s "$HS_TMP/direct.rc" "$HS_TMP/hardshim.rc"; then
		diff_show direct hardshim
		return 1
	fi
	# And hardshim did see it: audit mode records the launch with its findings.
	[ -s "$HS_LAUNCHES" ] || { echo "audit mode left no launch record"; return 1; }
}

# The JSON paths (prefixes) that own an observation key: a finding at or under one of them
# explains a difference in that key.
diff_owners() {
	case $1 in
	uid | gid | groups | env:HOME) echo "process.user" ;;
	umask) echo "process.user.umask" ;;
	status:Cap*) echo "process.capabilities" ;;
	status:NoNewPrivs) echo "process.noNewPrivileges process.capabilities" ;;
	status:Seccomp*) echo "linux.seccomp" ;;
	limit:*) echo "process.rlimits" ;;
	env:*) echo "process.env" ;;
	cwd) echo "process.cwd" ;;
	hostname) echo "hostname linux.namespaces" ;;
	rootfs-writable | mount:/) echo "root.readonly" ;;
	# A cgroup namespace the policy adds changes the root every cgroup mount shows.
	mount:/sys/fs/cgroup*) echo "linux.namespaces" ;;
	mount:*) echo "mounts linux.maskedPaths linux.readonlyPaths root.readonly" ;;
	*) echo "" ;;
	esac
}

# Observation keys whose values differ between the two runs (or exist on one side only).
diff_keys() {
	local a=$HS_TMP/direct.probe b=$HS_TMP/hardshim.probe
	sed -n '/==probe==/,$p' "$HS_TMP/direct.err" | grep -v '==probe==' | sort >"$a"
	sed -n '/==probe==/,$p' "$HS_TMP/hardshim.err" | grep -v '==probe==' | sort >"$b"
	diff "$a" "$b" | sed -n 's/^[<>] \([^	]*\)	.*/\1/p' | sort -u
}

# Enforce mode: every difference in what the process sees is owned by a path a finding names
# (rewrite or refuse). A refused bundle must not have run at all.
diff_enforce() {
	local findings verdict key owner ok unexplained=""
	hs_policy_default '.mode = "enforce"'
	hs_place_config check || return 1
	findings=$("$HS_BIN" check --format json "$HS_BUNDLE") || true
	verdict=$(printf '%s' "$findings" | jq -r .verdict)
	printf '%s' "$findings" | jq -r '.findings[] | select(.action != "warn") | .path' >"$HS_TMP/paths"
	diff_run direct
	diff_check_bare || return 1
	diff_run hardshim
	if [ "$verdict" = refuse ]; then
		[ "$(cat "$HS_TMP/hardshim.rc")" != 0 ] && ! grep -q '==probe==' "$HS_TMP/hardshim.err" || {
			echo "check refused, but the container ran"; return 1; }
		return 0
	fi
	for key in $(diff_keys); do
		ok=""
		for owner in $(diff_owners "$key"); do
			grep -qE "^${owner//./\\.}([.[]|$)" "$HS_TMP/paths" && ok=1
		done
		[ -n "$ok" ] || unexplained="$unexplained $key"
	done
	DIFF_EXPLAINED=$(diff_keys | wc -l)
	if [ -n "$unexplained" ]; then
		echo "differences no finding explains:$unexplained"
		diff "$HS_TMP/direct.probe" "$HS_TMP/hardshim.probe"
		cat "$HS_TMP/paths"
		return 1
	fi
	# The workload's own output and exit code: the matrix's workloads print nothing the
	# default policy changes, so they must be equal (a silent breakage fails here).
	sed '/==probe==/,$d' "$HS_TMP/direct.err" | cat "$HS_TMP/direct.out" - >"$HS_TMP/direct.wout"
	sed '/==probe==/,$d' "$HS_TMP/hardshim.err" | cat "$HS_TMP/hardshim.out" - >"$HS_TMP/hardshim.wout"
	cmp -s "$HS_TMP/direct.wout" "$HS_TMP/hardshim.wout" &&
		cmp -s "$HS_TMP/direct.rc" "$HS_TMP/hardshim.rc" || {
		echo "the workload's output or exit code changed under enforce:"
		diff_show direct hardshim; return 1; }
	# The comparison saw something: the default policy changes at least the user.
	[ "$DIFF_EXPLAINED" -gt 0 ] || { echo "enforce changed nothing the probe sees"; return 1; }
}
