#!/bin/sh
# make lint: static analysis with the committed configuration, as TAP (tests/run.sh suite
# "lint" counts it). cppcheck (.cppcheck/suppressions.xml), clang-tidy (.clang-tidy) on the C
# sources with the build's flags, shellcheck on every shell script and bats helper library,
# clang-format (.clang-format) on every C file, and citations: every markdown file that a
# tracked file cites must be in the tree. Findings are printed as "# " lines.
# LINT_ONLY="cppcheck shellcheck" runs some of them.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
only=${LINT_ONLY:-cppcheck clang-tidy shellcheck clang-format citations}
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
pkg_cflags=$(pkg-config --cflags libseccomp libcap-ng libapparmor libselinux mount libnftables \
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
			-DHS_SYSCONFDIR='"/etc"' 2>/dev/null |
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
	*) n=$((n + 1)); echo "not ok $n - unknown lint tool $tool"; failed=1 ;;
	esac
done
exit $failed
