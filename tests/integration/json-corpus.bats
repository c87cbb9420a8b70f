#!/usr/bin/env bats
# The hostile JSON corpus (tests/corpus/json, index in EXPECT) against `hardshim check`, and the
# parser-differential oracle (tests/oracle: Go encoding/json into specs.Spec, as runc decodes):
# every refuse-* input is refused with its rule at its place (EXPECT's at=, format in
# tests/corpus/README.md); every accept-* input is accepted and its
# canonical output decodes in Go to exactly what the original decodes to, so runc sees what
# hardshim checked (docs/threats.md §1). Each test fails if its defence is removed.

load ../lib/env

CORPUS="$HS_TOP/tests/corpus/json"

# A policy with every control switched off: the corpus tests the JSON core alone. The
# controls are the live rows of src/policy/controls.c; each one's section name is the
# `.name` of its `struct hs_control` definition.
control_names() {
	local sym
	for sym in $(sed -nE 's/^[[:space:]]*&(hs_control_[a-z_0-9]+),.*/\1/p' "$HS_TOP/src/policy/controls.c"); do
		grep -rhE -A8 "const struct hs_control $sym *= *\{" "$HS_TOP/src" |
			sed -nE 's/.*\.name *= *"([^"]+)".*/\1/p' | head -n1
	done
}

write_policy() { # FILE UNKNOWN_KEYS [EXTRA_JSON_LIMITS]
	local controls="" n
	for n in $(control_names); do
		controls="$controls${controls:+,}\"$n\":{\"enabled\":false}"
	done
	printf '{"runtime":"/usr/bin/runc","mode":"enforce","json":{"unknown_keys":"%s"%s},"controls":{%s}}\n' \
		"$2" "${3:+,$3}" "$controls" >"$1"
}

setup_file() {
	sh "$HS_TOP/scripts/build-oracle.sh" "$HS_BUILD"
	export ORACLE="$HS_BUILD/oracle"
	export POLICY="$BATS_FILE_TMPDIR/policy.json" POLICY_REFUSE="$BATS_FILE_TMPDIR/policy-refuse.json"
	write_policy "$POLICY" preserve
	write_policy "$POLICY_REFUSE" refuse
}

# check FILE [POLICY] -> $status, $output (the --format json report), canonical in $BATS_TEST_TMPDIR/out.json
hs_check() {
	run "$HS_BIN" check --policy "${2:-$POLICY}" --format json --output "$BATS_TEST_TMPDIR/out.json" "$1"
}

expected_rule() {
	awk -v f="$1" '$1 == f { print $2 }' "$CORPUS/EXPECT"
}

# expected_at FILE: the place of its refusal (EXPECT's at= column, as check's .path spells it;
# "$" is the document itself, .path ""). Prints nothing for a line without one.
expected_at() {
	awk -v f="$1" '$1 == f && $4 ~ /^at=./ { print substr($4, 4) }' "$CORPUS/EXPECT"
}

# Every refuse-* file whose name matches one of the PATTERNs (refuse-PATTERN.json): exit 1,
# verdict refuse, a refusal with the EXPECT rule at the EXPECT place, and no canonical output
# written (tests/corpus/README.md).
check_refusals() {
	local pattern f name rule at failed="" count=0
	for pattern in "$@"; do
	for f in "$CORPUS"/refuse-$pattern.json; do
		[ -e "$f" ] || continue
		name=${f##*/}
		rule=$(expected_rule "$name")
		[ -n "$rule" ] || { failed="$failed\n$name: not in EXPECT"; continue; }
		at=$(expected_at "$name")
		[ -n "$at" ] || { failed="$failed\n$name: no at= in EXPECT"; continue; }
		[ "$at" != '$' ] || at=
		rm -f "$BATS_TEST_TMPDIR/out.json"
		hs_check "$f"
		count=$((count + 1))
		if [ "$status" -ne 1 ]; then
			failed="$failed\n$name: exit $status, want 1 ($rule): $output"
		elif ! jq -e --arg r "$rule" --arg p "$at" \
			'.verdict == "refuse" and any(.findings[]; .rule == $r and .action == "refuse" and .path == $p)' \
			<<<"$output" >/dev/null 2>&1; then
			failed="$failed\n$name: no refusal with rule $rule at '$at': $output"
		elif [ -s "$BATS_TEST_TMPDIR/out.json" ]; then
			failed="$failed\n$name: refused but a canonical config was written"
		fi
	done
	[ "$count" -gt 0 ] || { echo "no corpus file matches refuse-$pattern.json"; return 1; }
	count=0
	done
	if [ -n "$failed" ]; then
		printf "%b\n" "$failed"
		return 1
	fi
}

@test "json corpus: EXPECT lists every corpus file and nothing else" {
	local f name missing=""
	for f in "$CORPUS"/*.json; do
		name=${f##*/}
		[ -n "$(expected_rule "$name")" ] || missing="$missing $name"
	done
	[ -z "$missing" ] || { echo "not in EXPECT:$missing"; return 1; }
	while read -r name rule action at rest; do
		case $name in '#'*|'') continue ;; esac
		[ -e "$CORPUS/$name" ] || { echo "EXPECT names missing file $name"; return 1; }
		case $name in
		refuse-*) [ "$rule" != accept ] && [ "$action" = refuse ] && [ "${at#at=?}" != "$at" ] && [ -z "$rest" ] ;;
		accept-*) [ "$rule" = accept ] && [ -z "$action$at$rest" ] ;;
		*) false ;;
		esac || { echo "$name: bad EXPECT entry '$rule $action $at $rest' (want: accept, or RULE refuse at=PATH)"; return 1; }
	done <"$CORPUS/EXPECT"
}

@test "json corpus: the schema tables match the Go types runc decodes into" {
	# Re-derive tests/oracle/spec-schema.txt from Debian's specs-go by reflection; the unit
	# test test-spec-schema compares the C tables with this file.
	local k
	for k in spec process resources state; do
		echo "== $k"
		"$ORACLE" -schema "$k"
	done >"$BATS_TEST_TMPDIR/schema.txt"
	diff -u "$HS_TOP/tests/oracle/spec-schema.txt" "$BATS_TEST_TMPDIR/schema.txt"
}

# oracle_reads FILE JQ: runc's decoder accepts the corpus file and reads it as JQ says
oracle_reads() {
	run "$ORACLE" "$CORPUS/$1"
	[ "$status" -eq 0 ]
	jq -e "$2" <<<"$output"
}

@test "json corpus: the oracle decodes as runc does (last duplicate wins, case folding, trailing data ignored)" {
	# The oracle must show the differentials hardshim defends against, or it proves nothing.
	oracle_reads refuse-duplicate-key-process.json '.process.capabilities.bounding == ["CAP_SYS_ADMIN"]'
	oracle_reads refuse-case-variant-READONLY.json '.root.readonly != true'
	oracle_reads refuse-long-s-key.json '.process.args == ["sh"]'
	oracle_reads refuse-kelvin-sign-key.json '.linux.maskedPaths == ["/proc/kcore"]'
	run "$ORACLE" "$CORPUS/refuse-trailing-data.json"
	[ "$status" -eq 0 ]
	run "$ORACLE" -unmarshal "$CORPUS/refuse-trailing-data.json"
	[ "$status" -eq 1 ]
	run "$ORACLE" "$CORPUS/refuse-uid-float.json"
	[ "$status" -eq 1 ]
	run "$ORACLE" "$CORPUS/refuse-root-null.json"
	[ "$status" -eq 1 ]
}

@test "json corpus: every refuse-* input is refused with its EXPECT rule at its EXPECT place" {
	check_refusals '*'
}

@test "json corpus: duplicate keys are refused" {
	check_refusals 'duplicate-key-*'
}

@test "json corpus: NUL in strings and keys is refused" {
	check_refusals 'nul-*'
	check_refusals 'raw-*'
}

@test "json corpus: invalid UTF-8 (bad, truncated, overlong, encoded surrogates, past U+10FFFF) is refused" {
	check_refusals '*utf8*'
}

@test "json corpus: lone and misordered surrogate escapes are refused" {
	check_refusals '*surrogate*'
}

@test "json corpus: comments, trailing data and non-JSON syntax are refused" {
	check_refusals '*comment*'
	check_refusals 'trailing-*'
	check_refusals '*-whitespace*'
	check_refusals bom empty truncated single-quotes nan infinity 'leading-*' hex-number bad-escape
}

@test "json corpus: keys that are Go case or Unicode-fold variants of a field are refused" {
	check_refusals 'case-variant-*'
	check_refusals 'kelvin-sign-key*' 'long-s-*' dotless-i-key dotted-I-key
}

@test "json corpus: numbers outside the field's Go integer kind are refused" {
	check_refusals 'uid-*'
	check_refusals 'exponent*' 'gid-*' 'additional-gid-*' 'uint64-*' 'int64-*' int-float 'u16-*' 'filemode-*' number-too-long
}

@test "json corpus: wrong types and null inside arrays and maps are refused" {
	check_refusals '*-as-*' args-not-array process-array namespace-string 'annotation-*' 'annotations-*' 'sysctl-*' 'root-*'
	check_refusals 'null-*'
}

@test "json corpus: nesting deeper than the limit is refused" {
	check_refusals 'deep-nesting'
	# 1,000,000 '[' (the yajl_tree_free stack overflow input) must be refused, not crash.
	{
		printf '{"ociVersion":"1.0.2","x":'
		head -c 1000000 /dev/zero | tr '\0' '['
	} >"$BATS_TEST_TMPDIR/deep.json"
	write_policy "$BATS_TEST_TMPDIR/p.json" preserve '"max_bytes":2000000'
	hs_check "$BATS_TEST_TMPDIR/deep.json" "$BATS_TEST_TMPDIR/p.json"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.depth")' <<<"$output"
	# The depth limit is the policy's: 200 levels pass with max_depth 300 and not with 64.
	{
		printf '{"ociVersion":"1.0.2","x":'
		head -c 200 /dev/zero | tr '\0' '['
		head -c 200 /dev/zero | tr '\0' ']'
		printf '}'
	} >"$BATS_TEST_TMPDIR/d200.json"
	write_policy "$BATS_TEST_TMPDIR/p300.json" preserve '"max_depth":300'
	hs_check "$BATS_TEST_TMPDIR/d200.json" "$BATS_TEST_TMPDIR/p300.json"
	[ "$status" -eq 0 ]
	hs_check "$BATS_TEST_TMPDIR/d200.json"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.depth")' <<<"$output"
}

@test "json corpus: a document, a string or an array past the size limits is refused" {
	local big="$BATS_TEST_TMPDIR/big.json"
	# Larger than the default max_bytes (4 MiB), valid otherwise.
	{
		printf '{"ociVersion":"1.0.2","annotations":{"pad":"'
		head -c $((4 * 1024 * 1024 + 16)) /dev/zero | tr '\0' 'a'
		printf '"}}'
	} >"$big"
	hs_check "$big"
	[ "$status" -eq 1 ]
	# a verdict on the whole document ($): chosen by the rule id, never by an errno
	jq -e 'any(.findings[]; .rule == "json.size" and .path == "")' <<<"$output"
	# The policy sets the cap: 1 KiB refuses the runc spec, the default accepts it.
	write_policy "$BATS_TEST_TMPDIR/small.json" preserve '"max_bytes":1024'
	hs_check "$CORPUS/accept-runc-spec.json" "$BATS_TEST_TMPDIR/small.json"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.size")' <<<"$output"
	# One string longer than max_string.
	write_policy "$BATS_TEST_TMPDIR/str.json" preserve '"max_string":4096'
	{
		printf '{"ociVersion":"1.0.2","hostname":"'
		head -c 5000 /dev/zero | tr '\0' 'h'
		printf '"}'
	} >"$BATS_TEST_TMPDIR/longstr.json"
	hs_check "$BATS_TEST_TMPDIR/longstr.json" "$BATS_TEST_TMPDIR/str.json"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.string-length")' <<<"$output"
	# An array with more items than max_items.
	write_policy "$BATS_TEST_TMPDIR/items.json" preserve '"max_items":1000'
	{
		printf '{"ociVersion":"1.0.2","process":{"cwd":"/","user":{"uid":0,"gid":0},"env":['
		seq -f '"E%g=1"' 1 1000 | paste -sd,
		printf ',"LAST=1"]}}'
	} >"$BATS_TEST_TMPDIR/items-doc.json"
	hs_check "$BATS_TEST_TMPDIR/items-doc.json" "$BATS_TEST_TMPDIR/items.json"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.items")' <<<"$output"
}

@test "json corpus: accepted configs decode in Go (runc) exactly as hardshim's canonical output does" {
	local f name failed="" count=0
	for f in "$CORPUS"/accept-*.json; do
		name=${f##*/}
		hs_check "$f"
		count=$((count + 1))
		if [ "$status" -ne 0 ]; then
			failed="$failed\n$name: exit $status, want 0: $output"
			continue
		fi
		jq -e '.verdict == "allow"' <<<"$output" >/dev/null ||
			{ failed="$failed\n$name: verdict is not allow: $output"; continue; }
		"$ORACLE" "$f" >"$BATS_TEST_TMPDIR/go-orig.json" 2>&1 ||
			{ failed="$failed\n$name: Go refuses the original: $(cat "$BATS_TEST_TMPDIR/go-orig.json")"; continue; }
		"$ORACLE" "$BATS_TEST_TMPDIR/out.json" >"$BATS_TEST_TMPDIR/go-canon.json" 2>&1 ||
			{ failed="$failed\n$name: Go refuses the canonical output: $(cat "$BATS_TEST_TMPDIR/go-canon.json")"; continue; }
		cmp -s "$BATS_TEST_TMPDIR/go-orig.json" "$BATS_TEST_TMPDIR/go-canon.json" ||
			failed="$failed\n$name: runc would read the canonical output differently:\n$(diff <(jq -S . "$BATS_TEST_TMPDIR/go-orig.json") <(jq -S . "$BATS_TEST_TMPDIR/go-canon.json") | head -20)"
	done
	[ "$count" -ge 10 ]
	if [ -n "$failed" ]; then
		printf "%b\n" "$failed"
		return 1
	fi
}

@test "json corpus: mutants of the accepted configs: whatever hardshim accepts, Go reads as hardshim wrote it" {
	# 2000 deterministic mutants (bad escapes, folded letters, case variants, nulls, numbers
	# out of range...): each is refused, or its canonical output decodes in Go to exactly
	# what the mutant itself decodes to.
	run python3 "$HS_TOP/tests/oracle/fuzz-differential.py" --hardshim "$HS_BIN" --oracle "$ORACLE" \
		--policy "$POLICY" --corpus "$CORPUS" --work "$BATS_TEST_TMPDIR" --seed 7 --count 2000
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "json corpus: canonical output is a fixed point (parse -> emit -> parse -> emit is byte-identical)" {
	local f name failed=""
	for f in "$CORPUS"/accept-*.json; do
		name=${f##*/}
		hs_check "$f"
		[ "$status" -eq 0 ] || { failed="$failed\n$name: refused"; continue; }
		mv "$BATS_TEST_TMPDIR/out.json" "$BATS_TEST_TMPDIR/canon1.json"
		hs_check "$BATS_TEST_TMPDIR/canon1.json"
		[ "$status" -eq 0 ] || { failed="$failed\n$name: canonical output refused: $output"; continue; }
		cmp -s "$BATS_TEST_TMPDIR/canon1.json" "$BATS_TEST_TMPDIR/out.json" ||
			failed="$failed\n$name: second canonical form differs from the first"
		# Canonical means compact and without null members.
		[ "$(wc -l <"$BATS_TEST_TMPDIR/canon1.json")" -le 1 ] ||
			failed="$failed\n$name: canonical output has line breaks"
	done
	if [ -n "$failed" ]; then
		printf "%b\n" "$failed"
		return 1
	fi
}

# Value of a JSON document with numbers kept as written, for exact comparison.
exact_value() { # FILE [DROP_NULL_MEMBERS]
	python3 -c '
import json, sys
def hook(pairs):
    return {k: v for k, v in pairs if not (sys.argv[2] == "1" and v is None)}
v = json.load(open(sys.argv[1], encoding="utf-8"), parse_float=lambda s: ("num", s),
              parse_int=lambda s: ("num", s), object_pairs_hook=hook)
print(json.dumps(v, sort_keys=True, ensure_ascii=True))' "$1" "${2:-0}"
}

@test "json corpus: unknown keys are preserved value for value with unknown_keys=preserve" {
	local f="$CORPUS/accept-unknown-keys.json"
	hs_check "$f"
	[ "$status" -eq 0 ]
	# Every unknown subtree is in the output with the same value, numbers as written.
	local q
	for q in '.["x-vendor"]' '.process["x-process-extra"]' '.process.user["x-user-extra"]' \
		'.mounts[0]["x-mount-extra"]' '.linux.resources.memory["x-mem-extra"]' '.root.Path2'; do
		jq -e "$q != null" "$BATS_TEST_TMPDIR/out.json" >/dev/null || { echo "lost $q"; return 1; }
	done
	python3 - "$f" "$BATS_TEST_TMPDIR/out.json" <<'EOF'
import json, sys
def load(p):
    return json.load(open(p, encoding="utf-8"), parse_float=lambda s: ("num", s),
                     parse_int=lambda s: ("num", s))
a, b = load(sys.argv[1]), load(sys.argv[2])
paths = [("x-vendor",), ("process", "x-process-extra"), ("process", "user", "x-user-extra"),
         ("mounts", 0, "x-mount-extra"), ("linux", "resources", "memory", "x-mem-extra"),
         ("root", "Path2")]
for p in paths:
    x, y = a, b
    for k in p:
        x, y = x[k], y[k]
    if x != y:
        sys.exit("unknown key %r changed: %r -> %r" % (p, x, y))
EOF
	# And the whole document is the same value, but for null members hardshim drops
	# (x-null-extra: null is absent).
	[ "$(exact_value "$f" 1)" = "$(exact_value "$BATS_TEST_TMPDIR/out.json" 1)" ]
}

@test "json corpus: unknown keys are refused with unknown_keys=refuse, known ones are not" {
	hs_check "$CORPUS/accept-unknown-keys.json" "$POLICY_REFUSE"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.unknown-key" and .action == "refuse")' <<<"$output"
	# Unknown keys at depth are found too: only one unknown key, inside a mount.
	jq '.mounts[0].extra = 1' "$CORPUS/accept-minimal-base.json" >"$BATS_TEST_TMPDIR/deep-unknown.json"
	hs_check "$BATS_TEST_TMPDIR/deep-unknown.json" "$POLICY_REFUSE"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.unknown-key" and (.path | test("mounts\\[0\\]")))' <<<"$output"
	# Every real config uses only known keys: the refuse policy accepts them all.
	local f
	for f in "$CORPUS"/accept-{runc-spec,runc-spec-rootless,crun-spec,podman-busybox,podman-busybox-hardened,containerd-cri-busybox,all-sections,minimal-base}.json; do
		hs_check "$f" "$POLICY_REFUSE"
		[ "$status" -eq 0 ] || { echo "${f##*/}: $output"; return 1; }
	done
}

@test "json corpus: map keys are exact (annotations differing only in case are distinct, not variants)" {
	hs_check "$CORPUS/accept-unicode-strings.json"
	[ "$status" -eq 0 ]
	jq -e '.annotations.Foo == "upper" and .annotations.foo == "lower" and .annotations.FOO == "all"' \
		"$BATS_TEST_TMPDIR/out.json"
}

@test "json corpus: a refusal names the rule, the JSON path and the byte offset" {
	hs_check "$CORPUS/refuse-uid-2pow32.json"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.number" and .path == "process.user.uid")' <<<"$output"
	hs_check "$CORPUS/refuse-duplicate-key-process.json"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.duplicate-key" and .path == "process")' <<<"$output"
	hs_check "$CORPUS/refuse-kelvin-sign-key.json"
	[ "$status" -eq 1 ]
	jq -e 'any(.findings[]; .rule == "json.case-variant-key" and (.path | startswith("linux[")))' <<<"$output"
	run "$HS_BIN" check --policy "$POLICY" "$CORPUS/refuse-nul-escape.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *json.nul* ]]
	[[ "$output" == *process.args* ]]
}
