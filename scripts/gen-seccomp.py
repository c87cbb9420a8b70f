#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate hardshim's default seccomp profile from its readable source.

  gen-seccomp.py [--source profiles/seccomp/default.seccomp] [--top DIR] [--check]

Writes (or with --check, compares against the committed files and exits 1 on any drift):
  profiles/seccomp/default.json          OCI linux.seccomp, x86_64 family, no optional caps
  profiles/seccomp/default-aarch64.json  the same for the aarch64 family
  src/policy/seccomp-profile.c           every rule with its qualifiers, as a C table
  tests/unit/seccomp-rules.txt           the same rules as text, one a line: what
                                         tests/unit/test-seccomp.c reads the C table back against

Every syscall name is resolved with libseccomp (loaded with ctypes; required) on each
architecture: a family's profile lists only the names that exist on one of its architectures,
and a name that exists on none of the architectures its rule is for is an error, so a typo
cannot quietly become a rule that matches nothing.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import re
import sys

# libseccomp architecture names, their OCI spelling, and the bit the C table uses.
ARCHES = {
    "x86_64": ("SCMP_ARCH_X86_64", 1 << 0),
    "x86": ("SCMP_ARCH_X86", 1 << 1),
    "aarch64": ("SCMP_ARCH_AARCH64", 1 << 2),
    "arm": ("SCMP_ARCH_ARM", 1 << 3),
    "s390x": ("SCMP_ARCH_S390X", 1 << 4),
    "s390": ("SCMP_ARCH_S390", 1 << 5),
    "ppc64le": ("SCMP_ARCH_PPC64LE", 1 << 6),
    "riscv64": ("SCMP_ARCH_RISCV64", 1 << 7),
}
# A family is what one host runs: its native ABI and the compat ABI its kernel offers.
# x32 is left out on purpose: its syscalls then fall to the default action.
FAMILIES = {
    "x86_64": ["x86_64", "x86"],
    "aarch64": ["aarch64", "arm"],
    "s390x": ["s390x", "s390"],
    "ppc64le": ["ppc64le"],
    "riscv64": ["riscv64"],
}
OUTPUTS = {"x86_64": "profiles/seccomp/default.json", "aarch64": "profiles/seccomp/default-aarch64.json"}
C_OUTPUT = "src/policy/seccomp-profile.c"
RULES_OUTPUT = "tests/unit/seccomp-rules.txt"
ACTIONS = {"allow": ("SCMP_ACT_ALLOW", 0), "eperm": ("SCMP_ACT_ERRNO", 1), "enosys": ("SCMP_ACT_ERRNO", 38)}
DEFAULT_ERRNO = 38  # ENOSYS on every architecture above
OPS = [("&", "SCMP_CMP_MASKED_EQ"), ("==", "SCMP_CMP_EQ"), ("!=", "SCMP_CMP_NE"),
       ("<=", "SCMP_CMP_LE"), (">=", "SCMP_CMP_GE"), ("<", "SCMP_CMP_LT"), (">", "SCMP_CMP_GT")]
CAP_RE = re.compile(r"^CAP_[A-Z_]+$")
NAME_RE = re.compile(r"^([a-z0-9_]+)(?:\((.*)\))?$")
COND_RE = re.compile(r"^a([0-5])(?:&(0x[0-9a-fA-F]+|[0-9]+)==|(==|!=|<=|>=|<|>))(0x[0-9a-fA-F]+|[0-9]+)$")


class SourceError(Exception):
    pass


def parse_cond(text, where):
    m = COND_RE.match(text.replace(" ", ""))
    if not m:
        raise SourceError(f"{where}: bad argument condition {text!r}")
    index, mask, op, value = m.groups()
    value = int(value, 0)
    if mask is not None:
        cond = {"index": int(index), "value": int(mask, 0), "valueTwo": value, "op": "SCMP_CMP_MASKED_EQ"}
    else:
        cond = {"index": int(index), "value": value, "valueTwo": 0, "op": dict(OPS)[op]}
    for k in ("value", "valueTwo"):
        if not 0 <= cond[k] < 1 << 64:
            raise SourceError(f"{where}: {k} out of range")
    return cond


def parse_header(line, where):
    head, _, rest = line.partition(":")
    words = head.split()
    if not words or words[0] not in ACTIONS:
        raise SourceError(f"{where}: a rule starts with allow, eperm or enosys")
    rule = {"action": words[0], "arches": set(ARCHES), "caps": [], "unless": [], "names": [], "where": where}
    for w in words[1:]:
        key, eq, val = w.partition("=")
        if not eq or not val:
            raise SourceError(f"{where}: bad qualifier {w!r}")
        if key == "arch":
            neg = val.startswith("!")
            names = set(val.lstrip("!").split(","))
            bad = names - set(ARCHES)
            if bad:
                raise SourceError(f"{where}: unknown architecture {sorted(bad)}")
            rule["arches"] = set(ARCHES) - names if neg else names
        elif key in ("cap", "unless"):
            caps = val.split("|")
            if not all(CAP_RE.match(c) for c in caps):
                raise SourceError(f"{where}: bad capability list {val!r}")
            rule["caps" if key == "cap" else "unless"] = caps
        else:
            raise SourceError(f"{where}: unknown qualifier {key!r}")
    return rule, rest


def parse_source(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            where = f"{path}:{lineno}"
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            if not raw[0].isspace():
                rule, line = parse_header(line, where)
                rules.append(rule)
            elif not rules:
                raise SourceError(f"{where}: names before the first rule")
            for word in line.split():
                m = NAME_RE.match(word)
                if not m:
                    raise SourceError(f"{where}: bad syscall name {word!r}")
                cond = parse_cond(m.group(2), where) if m.group(2) is not None else None
                rules[-1]["names"].append((m.group(1), cond, where))
    for r in rules:
        if not r["names"]:
            raise SourceError(f"{r['where']}: rule without names")
    return rules


def entries(rules, lib):
    """Split rules into OCI-shaped entries: the plain names of a rule together, each
    conditional name on its own. Each name keeps the set of architectures it is for: those of
    its rule on which libseccomp knows it."""
    out, errors = [], []
    for r in rules:
        base = {k: r[k] for k in ("action", "arches", "caps", "unless", "where")}
        plain = []
        for n, c, where in r["names"]:
            arches = {a for a in r["arches"] if lib.exists(a, n)}
            if not arches:
                errors.append(f"{where}: {n} is not a syscall on {','.join(sorted(r['arches']))}")
            elif c is None:
                plain.append((n, arches))
            else:
                out.append(dict(base, names=[(n, arches)], cond=c))
        if plain:
            out.append(dict(base, names=plain, cond=None))
    if errors:
        raise SourceError("\n".join(errors))
    return out


def names_for(e, family):
    fam = set(FAMILIES[family])
    return [n for n, arches in e["names"] if arches & fam]


def applies(e, family, caps):
    if not names_for(e, family):
        return False
    if e["caps"] and not set(e["caps"]) & caps:
        return False
    if e["unless"] and set(e["unless"]) & caps:
        return False
    return True


def oci_entry(e, family):
    action, errno = ACTIONS[e["action"]]
    d = {"names": names_for(e, family), "action": action}
    if action == "SCMP_ACT_ERRNO":
        d["errnoRet"] = errno
    if e["cond"] is not None:
        d["args"] = [e["cond"]]
    return d


def profile(ents, family, caps=frozenset()):
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": DEFAULT_ERRNO,
        "architectures": [ARCHES[a][0] for a in FAMILIES[family]],
        "syscalls": [oci_entry(e, family) for e in ents if applies(e, family, caps)],
    }


class Libseccomp:
    def __init__(self):
        name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
        try:
            self.lib = ctypes.CDLL(name)
        except OSError as e:
            raise SourceError(f"libseccomp is needed to resolve syscall names: {e}")
        self.lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
        self.lib.seccomp_arch_resolve_name.argtypes = [ctypes.c_char_p]
        self.lib.seccomp_syscall_resolve_name_arch.restype = ctypes.c_int
        self.lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]

    def number(self, arch, name):
        token = self.lib.seccomp_arch_resolve_name(arch.encode())
        if token == 0:
            raise SourceError(f"libseccomp does not know architecture {arch}")
        return self.lib.seccomp_syscall_resolve_name_arch(token, name.encode())

    def exists(self, arch, name):
        # A real number, or one of the socketcall()/ipc() pseudo numbers (-101..-299) that
        # libseccomp turns into a rule on the multiplexer of architectures that have one.
        nr = self.number(arch, name)
        return nr >= 0 or -300 < nr <= -100


def validate(ents):
    errors = []
    # No name may be both allowed and denied without conditions under the same capabilities:
    # libseccomp would keep one of them silently.
    allcaps = frozenset(c for e in ents for c in e["caps"] + e["unless"])
    for fam in FAMILIES:
        for caps in (frozenset(), allcaps):
            seen = {}
            for e in ents:
                if e["cond"] is not None or not applies(e, fam, caps):
                    continue
                for n in names_for(e, fam):
                    if n in seen and seen[n] != e["action"]:
                        errors.append(f"{e['where']}: {n} both {seen[n]} and {e['action']} ({fam})")
                    seen[n] = e["action"]
    if errors:
        raise SourceError("\n".join(errors))


def arch_mask(arches):
    return sum(ARCHES[a][1] for a in arches)


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# The sizes of the C table's fixed arrays (src/policy/seccomp-profile.h; the generated file
# asserts that the header agrees).
C_SIZES = {"HS_SC_NAME_SIZE": 30, "HS_SC_CAP_SIZE": 24, "HS_SC_CAPS_MAX": 2, "HS_SC_OP_SIZE": 20}


def c_fits(ents):
    """The C table stores strings in fixed arrays: refuse what would not fit, by name."""
    errors = []
    for e in ents:
        for n, _ in e["names"]:
            if len(n) >= C_SIZES["HS_SC_NAME_SIZE"]:
                errors.append(f"{e['where']}: {n} is longer than HS_SC_NAME_SIZE - 1")
        for k in ("caps", "unless"):
            if len(e[k]) > C_SIZES["HS_SC_CAPS_MAX"]:
                errors.append(f"{e['where']}: more {k} than HS_SC_CAPS_MAX")
            for c in e[k]:
                if len(c) >= C_SIZES["HS_SC_CAP_SIZE"]:
                    errors.append(f"{e['where']}: {c} is longer than HS_SC_CAP_SIZE - 1")
        if e["cond"] is not None and len(e["cond"]["op"]) >= C_SIZES["HS_SC_OP_SIZE"]:
            errors.append(f"{e['where']}: {e['cond']['op']} is longer than HS_SC_OP_SIZE - 1")
    if errors:
        raise SourceError("\n".join(errors))


def c_table(ents, source):
    c_fits(ents)
    out = [
        "/* SPDX-License-Identifier: Apache-2.0",
        f" * GENERATED by scripts/gen-seccomp.py from {source} -- do not edit.",
        " * Every rule of hardshim's default seccomp profile with its architecture and capability",
        " * qualifiers; src/policy/seccomp-default.c resolves it for a container. No pointers:",
        " * see seccomp-profile.h. */",
        '#include "seccomp-profile.h"',
        "",
    ]
    out += [f'_Static_assert({k} == {v}, "scripts/gen-seccomp.py C_SIZES");' for k, v in C_SIZES.items()]
    out += ["", "const struct hs_sc_name hs_sc_names[] = {"]
    first = []
    for i, e in enumerate(ents):
        first.append(sum(len(x["names"]) + 1 for x in ents[:i]))
        names = " ".join(f"{{ {c_string(n)}, 0x{arch_mask(a):02x} }}," for n, a in e["names"])
        out.append(f"\t/* {i} */ {names} {{ \"\", 0 }},")
    out += ["};", "", "const struct hs_sc_rule hs_sc_rules[] = {"]
    for i, e in enumerate(ents):
        action, errno = ACTIONS[e["action"]]
        fields = [f".names = {first[i]}", f".action = HS_SC_{action[9:]}", f".errno_ret = {errno}"]
        for k in ("caps", "unless"):
            if e[k]:
                fields.append(f".{k} = {{ {', '.join(c_string(c) for c in e[k])} }}")
        if e["cond"] is not None:
            c = e["cond"]
            fields.append(f".has_arg = true, .arg = {{ {c['index']}, {c_string(c['op'])}, 0x{c['value']:x}ULL, 0x{c['valueTwo']:x}ULL }}")
        out.append(f"\t/* {i} */ {{ " + ", ".join(fields) + " },")
    out += ["};", "const size_t hs_sc_n_rules = sizeof(hs_sc_rules) / sizeof(hs_sc_rules[0]);", ""]
    return "\n".join(out)


def rules_text(ents):
    """Every field of every rule, independent of how the C table stores it:
    "ACTION ERRNO names=NAME:ARCHES,... caps=CAP,... unless=CAP,... arg=INDEX,OP,VALUE,VALUETWO"
    (ARCHES the mask in hex; "-" for an empty list or no argument condition)."""
    out = []
    for e in ents:
        action, errno = ACTIONS[e["action"]]
        c = e["cond"]
        arg = "-" if c is None else f"{c['index']},{c['op']},0x{c['value']:x},0x{c['valueTwo']:x}"
        out.append(" ".join([
            action, str(errno),
            "names=" + ",".join(f"{n}:0x{arch_mask(a):02x}" for n, a in e["names"]),
            "caps=" + (",".join(e["caps"]) or "-"),
            "unless=" + (",".join(e["unless"]) or "-"),
            "arg=" + arg,
        ]))
    return "\n".join(out) + "\n"


def render_json(p):
    return json.dumps(p, indent="\t") + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--source", default="profiles/seccomp/default.seccomp")
    ap.add_argument("--check", action="store_true", help="compare with the committed files")
    ap.add_argument("--family", help="print the profile for this family to stdout")
    ap.add_argument("--caps", default="", help="with --family: comma-separated capabilities held")
    args = ap.parse_args()
    os.chdir(args.top)
    try:
        rules = parse_source(args.source)
        ents = entries(rules, Libseccomp())
        validate(ents)
    except SourceError as e:
        print(f"gen-seccomp: {e}", file=sys.stderr)
        return 1
    if args.family:
        if args.family not in FAMILIES:
            print(f"gen-seccomp: unknown family {args.family}", file=sys.stderr)
            return 2
        caps = frozenset(c for c in args.caps.split(",") if c)
        sys.stdout.write(render_json(profile(ents, args.family, caps)))
        return 0
    want = {path: render_json(profile(ents, fam)) for fam, path in OUTPUTS.items()}
    want[C_OUTPUT] = c_table(ents, args.source)
    want[RULES_OUTPUT] = rules_text(ents)
    drift = 0
    for path, text in want.items():
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    have = f.read()
            except OSError:
                have = None
            if have != text:
                print(f"gen-seccomp: {path} differs from the output of {args.source}; "
                      "run scripts/gen-seccomp.py and commit", file=sys.stderr)
                drift = 1
        else:
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
    if args.check and not drift:
        print("gen-seccomp: generated files are up to date")
    return drift


if __name__ == "__main__":
    sys.exit(main())
