#!/usr/bin/env python3
# Generate an OCI config of about SIZE bytes from a base config: thousands of tmpfs mounts,
# env entries, annotations and seccomp syscall rules in equal shares (what grows in real
# configs). Usage: gen-config.py BASE SIZE > config.json
import json
import sys

base = json.load(open(sys.argv[1]))
target = int(sys.argv[2])


def build(k):
    c = json.loads(json.dumps(base))
    c["process"]["env"] = c["process"].get("env", []) + ["BENCH_VAR_%d=value-%d" % (i, i) for i in range(k)]
    c["mounts"] = c.get("mounts", []) + [
        {"destination": "/bench/m%d" % i, "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "nodev", "noexec", "size=64k"]} for i in range(k)]
    c["annotations"] = {"org.example.bench.key%d" % i: "value %d" % i for i in range(k)}
    c.setdefault("linux", {})["seccomp"] = {
        "defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW",
                      "args": [{"index": 0, "value": i, "op": "SCMP_CMP_EQ"}]} for i in range(k)]}
    return json.dumps(c, indent=1)


# Bisect k so the document is as large as possible without passing the target.
lo, hi = 0, 1
while len(build(hi)) <= target:
    lo, hi = hi, hi * 2
while hi - lo > 1:
    mid = (lo + hi) // 2
    if len(build(mid)) <= target:
        lo = mid
    else:
        hi = mid
sys.stdout.write(build(lo))
sys.stderr.write("%d\n" % lo)
