#!/bin/sh
# make lint: static analysis with the committed configuration, as TAP (tests/run.sh suite
# "lint" counts it). cppcheck (.cppcheck/suppressions.xml), clang-tidy (.clang-tidy) on the C
# sources with the build's flags, shellcheck on every shell script and bats helper library,
# clang-format (.clang-format) on every C file, and citations: every markdown file that a
# tracked file cites must be in the tree; bats-negation: no '!' command that bats would not
# fail on. Findings are printed as "# " lines.
# LINT_ONLY="cppcheck shellcheck" runs some of them.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
only=${LINT_ONLY:-cppcheck clang-tidy shellcheck clang-format citations bats-negation}
jobs=${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}
n=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

report() { # name what (findings in $log)
	n=$((n + 1))
	if [ -s "$log" ]; then
		echo "not ok $n - $1: $(wc -l <"$log") finding lines in $2"
		sed 's/^/# /' "$log"
		failed=1
	else
		echo "ok $n - $1: $2 clean"
	fi
}

# The repository's files: git's list in a clone, else everything but build output.
tracked_files() {
	git ls-files 2>/dev/null && return
	find . -type f ! -path './.git/*' ! -path './build*' | sed 's|^[.]/||' | sort
}
c_files() { find src tests/unit tests/fuzz tests/helpers tests/bench -name '*.c' | sort; }
# hs-util.h's analyzer-only definition of hs_error_set and the include paths, as the build.
pkg_cflags=$(pkg-config --cflags libseccomp libcap-ng libapparmor libselinux libnftables \
	audit nettle yajl 2>/dev/null)

for tool in $only; do
	: >"$log"
	case $tool in
	cppcheck)
		# -D__x86_64__: the seccomp table is per architecture; RUNTIME: the bench floor's.
		# fail_msg: cmocka longjmps out of a failed test (cppcheck cannot read cmocka.h).
		# shellcheck disable=SC2046 # the tree's file names have no blanks
		cppcheck -q --error-exitcode=0 --enable=warning,portability,performance --std=c11 \
			-D_GNU_SOURCE -D__x86_64__ -DRUNTIME='"/usr/bin/runc"' -DHS_SYSCONFDIR='"/etc"' \
			'-Dfail_msg(...)=abort()' \
			-Iinclude -Isrc -Itests/unit/support --inline-suppr \
			--suppress-xml=.cppcheck/suppressions.xml -j"$jobs" \
			--template='{file}:{line}: {severity}({id}): {message}' \
			$(c_files) >"$log" 2>&1
		report cppcheck "$(c_files | wc -l) C files"
		;;
	clang-tidy)
		# src/ only: the tests' cmocka macros and the harnesses' deliberate traps are not
		# what the checks are for. One process per file, $jobs at a time.
		# shellcheck disable=SC2086 # pkg_cflags is a list of flags
		find src -name '*.c' | sort | xargs -P "$jobs" -I{} \
			clang-tidy -quiet {} -- -std=gnu11 -D_GNU_SOURCE -Iinclude $pkg_cflags \
			-DHS_SYSCONFDIR='"/etc"' -DHS_CORE_ID='"lint"' 2>/dev/null |
			grep -E '^[^ ].*: (warning|error):' >"$log"
		report clang-tidy "$(find src -name '*.c' | wc -l) files in src/"
		;;
	shellcheck)
		# Warnings and errors; "note"-level advice (jq programs in single quotes) is not a
		# finding. Bats helper libraries are bash.
		# deploy/: the node installer runs as root on every node of a fleet.
		shellcheck -S warning -f gcc scripts/*.sh tests/run.sh tests/*/*.sh deploy/*/*.sh \
			>"$log" 2>&1
		shellcheck -S warning -f gcc -s bash tests/lib/*.bash >>"$log" 2>&1
		set -- scripts/*.sh tests/run.sh tests/*/*.sh deploy/*/*.sh tests/lib/*.bash
		report shellcheck "$# scripts"
		;;
	clang-format)
		# seccomp-profile.c is generated (scripts/gen-seccomp.py; its own check keeps it
		# equal to the generator's output, which formatting would break).
		for f in $(c_files) $(find include -name '*.h') $(find src tests -name '*.h'); do
			[ "$f" = src/policy/seccomp-profile.c ] && continue
			clang-format --style=file "$f" | cmp -s - "$f" || echo "$f: not formatted (clang-format -i $f)"
		done >"$log"
		report clang-format "C sources and headers"
		;;
	citations)
		# The specification is in the tree (docs/threats.md, docs/runtime-differences.md,
		# docs/style.md): a citation of a file that is not here sends the reader nowhere. A
		# cited markdown path is looked up from the top and from the citing file's directory;
		# one starting with a shell expansion ($VAR/...) is not a citation. The workplace
		# outside the tree is never cited.
		tracked_files | xargs grep -IonE '[$A-Za-z0-9_./~{}-]*[A-Za-z0-9_-][.]md\b' |
			while IFS=: read -r f line tok; do
				case $tok in *'$'* | *'{'*) continue ;; esac
				[ -e "${tok#./}" ] || [ -e "$(dirname "$f")/$tok" ] ||
					echo "$f:$line: cites $tok, which is not in the tree"
			done >"$log"
		tracked_files | xargs grep -InE '[.][.]/shared/|shared/reference/' |
			grep -v '^scripts/lint[.]sh:' | sed 's|$| (cites the workplace outside the tree)|' \
			>>"$log"
		report citations "$(tracked_files | wc -l) files"
		;;
	bats-negation)
		# bash's errexit ignores a command negated with '!', so bats fails a test on one only
		# when it is the last command of the test, whose status is the test's (a helper's
		# last command is its status, which fails its caller). Anywhere else it asserts
		# nothing: the finding is a line whose first command is '!' (a case branch's label
		# aside), with no '||' after it ('|| false' makes it fail; '|| cmd' is a choice),
		# followed by anything but the end of its test or function, through the ends of the
		# if/case branches it is the last of. 'run ! cmd' is bats' own and fine. A small
		# shell scanner skips quoted text, $(...), comments and here-documents.
		# shellcheck disable=SC2046 # the tree's file names have no blanks
		set -- $(tracked_files | grep -E '[.](bats|bash)$')
		[ "$#" -gt 0 ] && awk '
			function reset() { n = 0; sp = 0; stk[0] = "N"; here = ""; cont = 0 }
			function scan(line,    i, c, L, prev, top, code, m, w, q) {
				oror = 0
				code = ""
				L = length(line)
				prev = " "
				for (i = 1; i <= L; i++) {
					c = substr(line, i, 1)
					top = stk[sp]
					if (top == "S") {
						if (c == "\047") sp--
					} else if (top == "D") {
						if (c == "\\") i++
						else if (c == "\"") sp--
						else if (c == "$" && substr(line, i + 1, 1) == "(") { stk[++sp] = "P"; i++ }
					} else {
						if (c == "#" && prev ~ /[ \t;&|(]/) break
						if (c == "\\") i++
						else if (c == "\047") stk[++sp] = "S"
						else if (c == "\"") stk[++sp] = "D"
						else if (c == "$" && substr(line, i + 1, 1) == "(") { stk[++sp] = "P"; i++ }
						else if (c == "(") stk[++sp] = "p"
						else if (c == ")" && (top == "p" || top == "P")) sp--
						else if (c == "|" && substr(line, i + 1, 1) == "|") { if (sp == 0) oror = 1; i++ }
						else if (c == "<" && substr(line, i, 3) == "<<<") i += 2
						else if (c == "<" && substr(line, i + 1, 1) == "<") {
							m = i + 2
							herestrip = substr(line, m, 1) == "-"
							if (herestrip) m++
							while (substr(line, m, 1) ~ /[ \t]/) m++
							q = substr(line, m, 1)
							if (q == "\047" || q == "\"" || q == "\\") m++
							w = substr(line, m)
							if (match(w, /^[A-Za-z0-9_]+/)) {
								here = substr(w, 1, RLENGTH)
								m += RLENGTH
								if (q == "\047" || q == "\"") m++
								i = m - 1
							} else i++
						}
					}
					prev = c
				}
				code = substr(line, 1, i - 1)
				gsub(/^[ \t]+|[ \t]+$/, "", code)
				return code
			}
			function nextsig(k) {
				for (k++; k <= n; k++)
					if (start[k] && code[k] != "") return k
				return n + 1
			}
			function skip_case(k,    d) {
				for (d = 0; (k = nextsig(k)) <= n; ) {
					if (code[k] ~ /^case[ \t]/ && code[k] !~ /esac$/) d++
					else if (code[k] ~ /^esac([ \t;)|&>]|$)/ && d-- == 0) return k
				}
				return n + 1
			}
			function skip_if(k,    d) {
				for (d = 0; (k = nextsig(k)) <= n; ) {
					if (code[k] ~ /^if[ \t]/ && code[k] !~ /fi$/) d++
					else if (code[k] ~ /^fi([ \t;)|&>]|$)/ && d-- == 0) return k
				}
				return n + 1
			}
			# Is the command ending at line j the last its function runs?
			function last(j,    k, t) {
				k = j
				if (code[j] ~ /;;$/) k = skip_case(j)
				while ((k = nextsig(k)) <= n) {
					t = code[k]
					if (t ~ /^}/) return 1
					if (t ~ /^(fi|esac)([ \t;)|&>]|$)/) continue
					if (t ~ /^;;/) { k = skip_case(k); continue }
					if (t ~ /^(else|elif)([ \t;]|$)/) { k = skip_if(k); continue }
					return 0
				}
				return 0
			}
			function check(    i, j, any) {
				for (i = 1; i <= n; i++) {
					# a case branch label first ("a) ! cmd ;;") counts as the first command of the branch
					if (!start[i] || (code[i] !~ /^!([ \t]|$)/ && code[i] !~ /^[A-Za-z0-9_*|.-]+\)[ \t]+!([ \t]|$)/))
						continue
					any = ors[i]
					for (j = i; endcont[j] && j < n; j++) any = any || ors[j + 1]
					if (!any && !last(j))
						printf "%s:%d: a command negated with \047!\047 that is not the last of its test or function, without \047|| false\047: bats does not fail on it\n", file, i
				}
			}
			FNR == 1 { if (NR > 1) check(); reset(); file = FILENAME }
			{
				n++
				if (here != "") {
					t = $0
					if (herestrip) sub(/^\t+/, "", t)
					if (t == here) here = ""
					start[n] = 0; code[n] = ""; endcont[n] = 0; ors[n] = 0
					next
				}
				start[n] = sp == 0 && !cont
				code[n] = scan($0)
				ors[n] = oror
				endcont[n] = sp > 0 || code[n] ~ /(\\|&&|\|\||\|)$/
				cont = endcont[n]
			}
			END { if (NR > 0) check() }
		' "$@" >"$log"
		report bats-negation "$# bats files and helpers"
		;;
	*) n=$((n + 1)); echo "not ok $n - unknown lint tool $tool"; failed=1 ;;
	esac
done
exit $failed
