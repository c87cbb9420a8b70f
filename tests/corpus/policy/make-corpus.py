#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Generates the hostile-config corpus: base.json (what `runc spec` makes, made clean enough that
# the shipped default policy finds nothing in any rule a case aims at) and one file per case,
# tests/corpus/policy/<control>/<case>.json = base + ONE hostile change, plus EXPECT:
#   <file>  <rule>  <action>  at=<json-path>  [<oracle-jq>]
# rule may be "a|b" when the host decides which of two refusals comes first (pid 1's
# namespaces are unreadable on some machines). at= (every case has one: case() and J demand
# it, the driver fails a line without it) is the place the finding must name, as
# `hardshim check --format json` spells .path: a finding with the right rule at another place
# (a neighbouring entry, the parent object) does not count, so a control that reports the
# wrong entry fails its case. Where the attack is an absence (a missing mount, namespace or
# limit), the place is where the rewrite puts it or the array that lacks it. The places were
# taken from a run of the real binary and each was read against its case. The last column (json/ cases only)
# is a jq test on what runc's Go decoder reads from the file (tests/oracle): the hostile value
# it would obey if hardshim's parser let the file through; a json/ case without one is a file
# runc's decoder refuses as well (the strict number grammar), so there is nothing to compare.
# This is the only hostile-config corpus of the controls; tests/corpus/json is the parser's.
#
# Fixture paths are written under the placeholder /tmp/hs-policy-corpus: the driver,
# tests/integration/policy-corpus.bats, makes a fresh /tmp/hs-policy-corpus.XXXXXX per run (same
# depth under /tmp), checks a copy of the corpus with the placeholder replaced by it, and creates
# there (make_fixtures) before any check: a symlink to /etc, a symlink to /, a directory owned by a
# non-root user, a world-writable directory without the sticky bit, a plain root-owned dir,
# and in those two, symlinks netns/pidns to the checker's own namespaces.
#
#   python3 tests/corpus/policy/make-corpus.py   (rewrites the corpus; commit the result)
import copy
import json
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FX = "/tmp/hs-policy-corpus"

TMPFS_OPTS = ["nosuid", "nodev", "noexec", "mode=1777", "size=64m"]


def runc_spec():
    d = tempfile.mkdtemp()
    try:
        subprocess.run(["runc", "spec", "--bundle", d], check=True)
        with open(os.path.join(d, "config.json")) as f:
            return json.load(f)
    finally:
        shutil.rmtree(d)


def make_base():
    c = runc_spec()
    p = c["process"]
    p["terminal"] = False
    p["args"] = ["sh", "-c", "echo ok"]
    p["user"] = {"uid": 1000, "gid": 1000}
    nbs = ["CAP_NET_BIND_SERVICE"]
    # uid 1000 holds what it is granted only through ambient (capabilities.held otherwise)
    p["capabilities"] = {"bounding": nbs, "effective": nbs, "permitted": nbs,
                         "inheritable": nbs, "ambient": nbs}
    p["noNewPrivileges"] = True
    for d in ("/tmp", "/run", "/var/tmp"):
        c["mounts"].append({"destination": d, "type": "tmpfs", "source": "tmpfs",
                            "options": list(TMPFS_OPTS)})
    lx = c["linux"]
    lx["namespaces"].append({"type": "cgroup"})
    lx["maskedPaths"].append("/sys/devices/virtual/powercap")
    lx["resources"]["pids"] = {"limit": 1024}
    lx["resources"]["memory"] = {"limit": 1073741824}
    return c


CASES = []  # (path, rule, action, edit, at)


def case(path, rule, action, edit, at):
    assert at, path
    CASES.append((path, rule, action, edit, at))


# Where the cases' entries land in the base (main() asserts both): bind() appends a mount after
# `runc spec`'s 7 and the base's 3 tmpfs; ns_path() edits runc spec's namespaces, in its order.
MNT = "mounts[10]"
NS = {t: "linux.namespaces[%d]" % i for i, t in enumerate(("pid", "network", "ipc", "uts", "mount", "cgroup"))}


def bind(src, dest="/mnt", opts=None, typ="bind"):
    m = {"destination": dest, "type": typ, "source": src, "options": ["rbind", "ro"] if opts is None else opts}
    return lambda c: c["mounts"].append(m)


def setp(path, value):
    def f(c):
        o = c
        for k in path[:-1]:
            o = o.setdefault(k, {})
        o[path[-1]] = value
    return f


def delp(path):
    def f(c):
        o = c
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f


def ns_path(typ, path):
    def f(c):
        for n in c["linux"]["namespaces"]:
            if n["type"] == typ:
                n["path"] = path
    return f


def ns_drop(typ):
    def f(c):
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != typ]
    return f


def mount_edit(dest, fn):
    def f(c):
        for m in c["mounts"]:
            if m["destination"] == dest:
                fn(m)
    return f


def both(*fns):
    def f(c):
        for fn in fns:
            fn(c)
    return f


# ---- rootfs --------------------------------------------------------------------------------
case("rootfs/readonly-false", "rootfs.readonly", "rewrite", setp(["root", "readonly"], False),
     at="root.readonly")
case("rootfs/readonly-absent", "rootfs.readonly", "rewrite", delp(["root", "readonly"]), at="root.readonly")
case("rootfs/path-slash", "rootfs.path", "refuse", setp(["root", "path"], "/"), at="root.path")
case("rootfs/path-etc", "rootfs.path", "refuse", setp(["root", "path"], "/etc"), at="root.path")
case("rootfs/path-var", "rootfs.path", "refuse", setp(["root", "path"], "/var"), at="root.path")
case("rootfs/path-var-run", "rootfs.path", "refuse", setp(["root", "path"], "/var/run"), at="root.path")
case("rootfs/path-dotdot", "rootfs.path", "refuse", setp(["root", "path"], "rootfs/../../../.."), at="root.path")
case("rootfs/path-proc-self-root", "rootfs.path", "refuse", setp(["root", "path"], "/proc/self/root"), at="root.path")
case("rootfs/path-symlink-to-root", "rootfs.path", "refuse", setp(["root", "path"], FX + "/link-to-root"), at="root.path")
case("rootfs/no-tmp-tmpfs", "rootfs.tmpfs", "rewrite",
     lambda c: c.__setitem__("mounts", [m for m in c["mounts"] if m["destination"] != "/tmp"]),
     at="mounts")  # the array that lacks it: the rewrite appends the tmpfs

# ---- user ----------------------------------------------------------------------------------
case("user/uid-0", "user.root", "rewrite", setp(["process", "user", "uid"], 0), at="process.user.uid")
case("user/uid-absent", "user.root", "rewrite", delp(["process", "user", "uid"]), at="process.user.uid")
case("user/user-null", "user.root", "rewrite", setp(["process", "user"], None), at="process.user")
case("user/user-absent", "user.root", "rewrite", delp(["process", "user"]), at="process.user")
case("user/gid-0", "user.root-group", "rewrite", setp(["process", "user", "gid"], 0), at="process.user.gid")
case("user/additional-gid-0", "user.additional-gids", "rewrite",
     setp(["process", "user", "additionalGids"], [10, 0]), at="process.user.additionalGids[1]")
case("user/umask-0", "user.umask", "rewrite", setp(["process", "user", "umask"], 0), at="process.user.umask")
case("user/userns-maps-host-root", "user.host-root-mapping", "refuse", both(
    lambda c: c["linux"]["namespaces"].append({"type": "user"}),
    setp(["linux", "uidMappings"], [{"containerID": 1000, "hostID": 0, "size": 1},
                                    {"containerID": 0, "hostID": 100000, "size": 1000}]),
    setp(["linux", "gidMappings"], [{"containerID": 0, "hostID": 100000, "size": 65536}])), at="linux.uidMappings[0]")
case("user/userns-maps-host-root-group", "user.host-root-mapping", "refuse", both(
    lambda c: c["linux"]["namespaces"].append({"type": "user"}),
    setp(["linux", "uidMappings"], [{"containerID": 0, "hostID": 100000, "size": 65536}]),
    setp(["linux", "gidMappings"], [{"containerID": 0, "hostID": 100000, "size": 1000},
                                    {"containerID": 1000, "hostID": 0, "size": 1}])), at="linux.gidMappings[1]")

# ---- capabilities --------------------------------------------------------------------------
for s in ("bounding", "effective", "permitted"):
    case("capabilities/%s-sys-admin" % s, "capabilities." + s, "rewrite",
         setp(["process", "capabilities", s], ["CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"]),
         at="process.capabilities.%s[1]" % s)
for s in ("inheritable", "ambient"):
    case("capabilities/%s-sys-admin" % s, "capabilities." + s, "rewrite",
         setp(["process", "capabilities", s], ["CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"]),
         at="process.capabilities.%s[1]" % s)
# a non-root process: granted but not ambient (not held after exec), listed but not granted
case("capabilities/ambient-empty", "capabilities.held", "rewrite",
     setp(["process", "capabilities", "ambient"], []), at="process.capabilities.ambient")
case("capabilities/bounding-only", "capabilities.not-held", "rewrite", both(
    *[setp(["process", "capabilities", s], []) for s in
      ("effective", "permitted", "inheritable", "ambient")]), at="process.capabilities.bounding[0]")
case("capabilities/name-all", "capabilities.unknown", "refuse",
     setp(["process", "capabilities", "bounding"], ["ALL"]), at="process.capabilities.bounding[0]")
case("capabilities/name-unknown", "capabilities.unknown", "refuse",
     setp(["process", "capabilities", "effective"], ["CAP_NET_BIND_SERVICE", "CAP_FOO"]),
     at="process.capabilities.effective[1]")
case("capabilities/name-lowercase", "capabilities.unknown", "refuse",
     setp(["process", "capabilities", "permitted"], ["cap_sys_admin"]), at="process.capabilities.permitted[0]")
case("capabilities/name-no-prefix", "capabilities.unknown", "refuse",
     setp(["process", "capabilities", "bounding"], ["SYS_ADMIN"]), at="process.capabilities.bounding[0]")
case("capabilities/absent", "capabilities.missing", "rewrite", delp(["process", "capabilities"]),
     at="process.capabilities")
case("capabilities/no-new-privileges-false", "capabilities.no-new-privileges", "rewrite",
     setp(["process", "noNewPrivileges"], False), at="process.noNewPrivileges")
case("capabilities/no-new-privileges-absent", "capabilities.no-new-privileges", "rewrite",
     delp(["process", "noNewPrivileges"]), at="process.noNewPrivileges")

# ---- process -------------------------------------------------------------------------------
for name, cwd in (("proc-self-fd-7", "/proc/self/fd/7"), ("dotdot", "/tmp/../proc/self/fd/7"),
                  ("dotdot-plain", "/home/.."), ("relative", "proc/self/fd/7"),
                  ("double-slash", "//proc/self/fd/7"), ("dev", "/dev/shm"), ("sys", "/sys/fs"),
                  ("trailing-slash", "/tmp/"), ("empty", "")):
    case("process/cwd-" + name, "process.cwd", "refuse", setp(["process", "cwd"], cwd), at="process.cwd")
case("process/cwd-absent", "process.cwd", "refuse", delp(["process", "cwd"]), at="process.cwd")
case("process/args-empty", "process.args", "refuse", setp(["process", "args"], []), at="process.args")
case("process/args-empty-string", "process.args", "refuse", setp(["process", "args"], [""]), at="process.args[0]")
case("process/args-absent", "process.args", "refuse", delp(["process", "args"]), at="process.args")
case("process/oom-score-adj-negative", "process.oom-score-adj", "rewrite",
     setp(["process", "oomScoreAdj"], -1000), at="process.oomScoreAdj")
case("process/rlimit-nofile-above-max", "process.rlimits", "rewrite",
     setp(["process", "rlimits"], [{"type": "RLIMIT_NOFILE", "hard": 1 << 40, "soft": 1 << 40}]),
     at="process.rlimits[0].hard")  # and .soft: both are lowered
case("process/rlimit-rtprio", "process.rlimits", "rewrite",
     setp(["process", "rlimits"], [{"type": "RLIMIT_RTPRIO", "hard": 99, "soft": 99}]),
     at="process.rlimits[0].hard")
case("process/rlimit-unknown", "process.rlimits", "refuse",
     setp(["process", "rlimits"], [{"type": "RLIMIT_FOO", "hard": 1, "soft": 1}]),
     at="process.rlimits[0]")
case("process/rlimit-twice", "process.rlimits", "refuse",
     setp(["process", "rlimits"], [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024},
                                   {"type": "RLIMIT_NOFILE", "hard": 1 << 40, "soft": 1 << 40}]),
     at="process.rlimits[1]")
case("process/env-no-name", "process.env", "refuse",
     setp(["process", "env"], ["PATH=/bin", "=LD_PRELOAD=/x"]), at="process.env[1]")

# ---- mounts: sources -----------------------------------------------------------------------
S, R = "mounts.sensitive-source", "refuse"
for name, src in (("etc", "/etc"), ("root", "/"), ("var", "/var"), ("var-lib", "/var/lib"),
                  ("etc-kubernetes", "/etc/kubernetes"), ("etc-shadow", "/etc/shadow"),
                  ("run", "/run"), ("var-run", "/var/run"),
                  ("var-run-docker-sock", "/var/run/docker.sock"),
                  ("run-docker-sock", "/run/docker.sock"),
                  ("run-containerd-sock", "/run/containerd/containerd.sock"),
                  ("run-crio-sock", "/run/crio/crio.sock"),
                  ("run-podman-sock", "/run/podman/podman.sock"),
                  ("var-lib-kubelet", "/var/lib/kubelet"),
                  ("var-lib-containerd-other", "/var/lib/containerd/io.containerd.content.v1.content"),
                  ("var-lib-containers-storage", "/var/lib/containers/storage"),
                  ("var-log", "/var/log"), ("lib-modules", "/lib/modules"), ("lib64", "/lib64"),
                  ("usr", "/usr"), ("boot", "/boot"), ("home", "/home"), ("root-home", "/root"),
                  ("sys", "/sys"), ("sys-fs-cgroup", "/sys/fs/cgroup"), ("sys-fs-bpf", "/sys/fs/bpf"),
                  ("dev", "/dev"), ("dev-null", "/dev/null"), ("dev-sda", "/dev/sda"),
                  ("proc", "/proc"), ("run-netns", "/run/netns"),
                  ("double-slash", "//etc"), ("dot", "/./etc/."), ("trailing-slash", "/etc/"),
                  ("dotdot", FX + "/plain/../../../etc"), ("dotdot-root", "/tmp/.."),
                  ("symlink-to-etc", FX + "/etc-link"), ("symlink-parent", FX + "/link-to-root/etc"),
                  ("symlink-to-run-via-var", FX + "/link-to-root/var/run/docker.sock")):
    case("mounts/source-" + name, S, R, bind(src), at=MNT + ".source")
for name, src in (("proc-self-root", "/proc/self/root"), ("proc-self-root-etc", "/proc/self/root/etc"),
                  ("proc-1-root", "/proc/1/root"), ("proc-thread-self-root", "/proc/thread-self/root/etc"),
                  ("proc-self-cwd", "/proc/self/cwd"), ("proc-self-fd", "/proc/self/fd/0")):
    # Magic links: refused while resolving, or as beneath /proc; either way refused.
    case("mounts/source-" + name, "mounts.source-unsafe|mounts.sensitive-source", R, bind(src), at=MNT + ".source")
case("mounts/source-user-owned-dir", "mounts.source-replaceable", R, bind(FX + "/user-owned/data"), at=MNT + ".source")
case("mounts/source-world-writable-dir", "mounts.source-replaceable", R, bind(FX + "/world-writable/data"), at=MNT + ".source")
case("mounts/source-missing", "mounts.source-missing", R, bind(FX + "/does-not-exist"), at=MNT + ".source")
case("mounts/source-relative-no-bundle", "mounts.source-unsafe", R, bind("etc"), at=MNT + ".source")
case("mounts/source-empty", "mounts.source-unsafe", R, bind(""), at=MNT + ".source")
case("mounts/type-none-with-bind-option", S, R, bind("/etc", opts=["bind"], typ="none"), at=MNT + ".source")
case("mounts/type-tmpfs-with-rbind-option", S, R, bind("/etc", opts=["rbind"], typ="tmpfs"), at=MNT + ".source")
case("mounts/type-empty-with-bind-option", S, R, bind("/etc", opts=["bind"], typ=""), at=MNT + ".source")
case("mounts/rbind-sys", S, R, bind("/sys", dest="/host-sys", opts=["rbind", "rw"]), at=MNT + ".source")
case("mounts/type-unknown", "mounts.type", R,
     bind("/dev/vda", dest="/mnt", opts=["ro"], typ="ext4"), at=MNT + ".type")
case("mounts/type-overlay", "mounts.type", R,
     bind("overlay", dest="/mnt", opts=["lowerdir=/etc"], typ="overlay"), at=MNT + ".type")
# ---- mounts: destinations ------------------------------------------------------------------
D = "mounts.destination-system"
case("mounts/dest-proc", D, R, bind(FX + "/plain", dest="/proc"), at=MNT + ".destination")
case("mounts/dest-proc-sys", D, R, bind(FX + "/plain", dest="/proc/sys"), at=MNT + ".destination")
case("mounts/dest-proc-dotdot", D, R, bind(FX + "/plain", dest="/tmp/../proc"), at=MNT + ".destination")
case("mounts/dest-proc-relative", D, R, bind(FX + "/plain", dest="proc/sysrq-trigger"), at=MNT + ".destination")
case("mounts/dest-sys-tmpfs", D, R, bind("tmpfs", dest="/sys/fs/cgroup", opts=["nosuid"], typ="tmpfs"), at=MNT + ".destination")
case("mounts/dest-dev-bind", D, R, bind(FX + "/plain", dest="/dev/sda"), at=MNT + ".destination")
case("mounts/dest-root", D, R, bind(FX + "/plain", dest="/"), at=MNT + ".destination")
case("mounts/dest-second-proc", D, R, bind("proc", dest="/mnt/proc", opts=[], typ="proc"), at=MNT + ".destination")
case("mounts/dest-second-sysfs", D, R, bind("sysfs", dest="/mnt/sys", opts=["ro"], typ="sysfs"), at=MNT + ".destination")
case("mounts/dest-relative", "mounts.destination", "rewrite", bind(FX + "/plain", dest="mnt"), at=MNT + ".destination")
case("mounts/dest-unclean", "mounts.destination", "rewrite", bind(FX + "/plain", dest="/mnt//x/../y"), at=MNT + ".destination")
# ---- mounts: options, propagation, kernel filesystems, masked paths -------------------------
case("mounts/bind-suid-dev", "mounts.bind-options", "rewrite", bind(FX + "/plain", opts=["rbind", "suid", "dev"]), at=MNT + ".options")
case("mounts/bind-no-options", "mounts.bind-options", "rewrite", bind(FX + "/plain", opts=["bind"]), at=MNT + ".options")
case("mounts/bind-shared", "mounts.propagation", R, bind(FX + "/plain", opts=["rbind", "shared", "nosuid", "nodev"]), at=MNT + ".options")
case("mounts/bind-rshared", "mounts.propagation", R, bind(FX + "/plain", opts=["rbind", "rshared", "nosuid", "nodev"]), at=MNT + ".options")
case("mounts/rootfs-propagation-shared", "mounts.propagation", R, setp(["linux", "rootfsPropagation"], "shared"), at="linux.rootfsPropagation")
case("mounts/rootfs-propagation-rshared", "mounts.propagation", R, setp(["linux", "rootfsPropagation"], "rshared"), at="linux.rootfsPropagation")
case("mounts/sysfs-rw", "mounts.kernel-fs-readonly", "rewrite",
     mount_edit("/sys", lambda m: m.__setitem__("options", ["nosuid", "noexec", "nodev", "rw"])), at="mounts[5].options")
case("mounts/sysfs-no-ro", "mounts.kernel-fs-readonly", "rewrite",
     mount_edit("/sys", lambda m: m.__setitem__("options", ["nosuid", "noexec", "nodev"])), at="mounts[5].options")
case("mounts/cgroup-rw", "mounts.kernel-fs-readonly", "rewrite",
     mount_edit("/sys/fs/cgroup", lambda m: m.__setitem__("options", ["nosuid", "noexec", "nodev", "rw"])),
     at="mounts[6].options")
case("mounts/masked-paths-empty", "mounts.masked-paths", "rewrite", setp(["linux", "maskedPaths"], []), at="linux.maskedPaths")
case("mounts/masked-paths-absent", "mounts.masked-paths", "rewrite", delp(["linux", "maskedPaths"]), at="linux.maskedPaths")
case("mounts/masked-paths-kcore-missing", "mounts.masked-paths", "rewrite",
     lambda c: c["linux"].__setitem__("maskedPaths", [p for p in c["linux"]["maskedPaths"] if p != "/proc/kcore"]),
     at="linux.maskedPaths")
case("mounts/readonly-paths-empty", "mounts.readonly-paths", "rewrite", setp(["linux", "readonlyPaths"], []), at="linux.readonlyPaths")
case("mounts/readonly-paths-sysrq-missing", "mounts.readonly-paths", "rewrite",
     lambda c: c["linux"].__setitem__("readonlyPaths", ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys"]),
     at="linux.readonlyPaths")

# ---- namespaces ----------------------------------------------------------------------------
H = "namespaces.host"
for t, n in (("network", "net"), ("pid", "pid"), ("ipc", "ipc"), ("uts", "uts"),
             ("mount", "mnt"), ("cgroup", "cgroup")):
    case("namespaces/%s-proc-self" % t, H, R, ns_path(t, "/proc/self/ns/" + n), at=NS[t] + ".path")
    case("namespaces/%s-proc-thread-self" % t, H, R, ns_path(t, "/proc/thread-self/ns/" + n), at=NS[t] + ".path")
    # pid 1's may be unreadable here (not dumpable): then the path itself is refused.
    case("namespaces/%s-proc-1" % t, H + "|namespaces.path-invalid", R, ns_path(t, "/proc/1/ns/" + n),
         at=NS[t] + ".path")
case("namespaces/network-proc-self-task", H, R, ns_path("network", "/proc/self/task/../ns/net"),
     at=NS["network"] + ".path")
# a path through a directory uid 1000 owns: swappable between the check and the runtime's open
case("namespaces/network-path-user-owned-dir", "namespaces.path-replaceable", R,
     ns_path("network", FX + "/user-owned/netns"), at=NS["network"] + ".path")
case("namespaces/pid-path-world-writable-dir", "namespaces.path-replaceable", R,
     ns_path("pid", FX + "/world-writable/pidns"), at=NS["pid"] + ".path")
case("namespaces/pid-path-is-net", "namespaces.path-type", R, ns_path("pid", "/proc/self/ns/net"), at=NS["pid"] + ".path")
case("namespaces/network-path-is-file", "namespaces.path-invalid", R, ns_path("network", "/etc/hostname"),
     at=NS["network"] + ".path")
case("namespaces/network-path-missing", "namespaces.path-invalid", R, ns_path("network", FX + "/no-such-ns"),
     at=NS["network"] + ".path")
case("namespaces/network-path-relative", "namespaces.path-invalid", R, ns_path("network", "proc/self/ns/net"),
     at=NS["network"] + ".path")
for t in ("network", "pid"):
    case("namespaces/missing-" + t, "namespaces.missing", R, ns_drop(t), at="linux.namespaces")
for t in ("mount", "ipc", "uts", "cgroup"):
    case("namespaces/missing-" + t, "namespaces.missing", "rewrite", ns_drop(t), at="linux.namespaces")
case("namespaces/none", "namespaces.missing", R, setp(["linux", "namespaces"], []), at="linux.namespaces")
case("namespaces/duplicate-network", "namespaces.duplicate", R,
     lambda c: c["linux"]["namespaces"].append({"type": "network", "path": "/proc/self/ns/net"}),
     at="linux.namespaces[6].type")  # the second network entry, after the base's six

# ---- devices -------------------------------------------------------------------------------
case("devices/dev-sda", "devices.not-allowed", R,
     setp(["linux", "devices"], [{"path": "/dev/sda", "type": "b", "major": 8, "minor": 0}]), at="linux.devices[0]")
case("devices/dev-null-is-sda", "devices.not-allowed", R,
     setp(["linux", "devices"], [{"path": "/dev/null", "type": "b", "major": 8, "minor": 0}]), at="linux.devices[0]")
case("devices/dev-kmsg", "devices.not-allowed", R,
     setp(["linux", "devices"], [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]), at="linux.devices[0]")
# the harmless name, the numbers of /dev/mem
case("devices/dev-null-is-mem", "devices.not-allowed", R,
     setp(["linux", "devices"], [{"path": "/dev/null", "type": "c", "major": 1, "minor": 1}]), at="linux.devices[0]")
AA = "devices.allow-all"
D1 = "linux.resources.devices[1]"
case("devices/cgroup-allow-all", AA, R,
     lambda c: c["linux"]["resources"]["devices"].append({"allow": True, "access": "rwm"}), at=D1)
# type "a" means every device whatever numbers follow it
case("devices/cgroup-allow-type-a-numbers", AA, R,
     lambda c: c["linux"]["resources"]["devices"].append(
         {"allow": True, "type": "a", "major": 1, "minor": 3, "access": "rw"}), at=D1)
case("devices/cgroup-allow-char-wildcard", AA, R,
     lambda c: c["linux"]["resources"]["devices"].append({"allow": True, "type": "c", "access": "rwm"}), at=D1)
case("devices/cgroup-allow-type-a", AA, R,
     lambda c: c["linux"]["resources"]["devices"].append({"allow": True, "type": "a", "access": "rwm"}), at=D1)
case("devices/cgroup-allow-block-wildcard", AA, R,
     lambda c: c["linux"]["resources"]["devices"].append({"allow": True, "type": "b", "access": "rw"}), at=D1)
case("devices/cgroup-allow-char-wildcard-major", "devices.cgroup-not-allowed", R,
     lambda c: c["linux"]["resources"]["devices"].append({"allow": True, "type": "c", "minor": 3, "access": "rw"}), at=D1)
case("devices/cgroup-allow-one-disk", "devices.cgroup-not-allowed", R,
     lambda c: c["linux"]["resources"]["devices"].append(
         {"allow": True, "type": "b", "major": 8, "minor": 0, "access": "r"}), at=D1)
case("devices/cgroup-allow-kmsg", "devices.cgroup-not-allowed", R,
     lambda c: c["linux"]["resources"]["devices"].append(
         {"allow": True, "type": "c", "major": 1, "minor": 11, "access": "w"}), at=D1)
case("devices/cgroup-allow-disk-partitions", "devices.cgroup-not-allowed", R,
     lambda c: c["linux"]["resources"]["devices"].append(
         {"allow": True, "type": "b", "major": 8, "access": "rw"}), at=D1)
case("devices/cgroup-no-deny-first", "devices.no-deny-all", "rewrite",
     setp(["linux", "resources", "devices"], []), at="linux.resources.devices")
case("devices/cgroup-allow-before-deny", "devices.no-deny-all", "rewrite",
     setp(["linux", "resources", "devices"], [{"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rw"}]),
     at="linux.resources.devices")

# ---- sysctl --------------------------------------------------------------------------------
NA = "sysctl.not-allowed"
case("sysctl/kernel-core-pattern", NA, R, setp(["linux", "sysctl"], {"kernel.core_pattern": "|/tmp/x"}),
     at='linux.sysctl["kernel.core_pattern"]')
case("sysctl/kernel-core-pattern-slashes", NA, R, setp(["linux", "sysctl"], {"kernel/core_pattern": "|/tmp/x"}),
     at='linux.sysctl["kernel/core_pattern"]')
case("sysctl/kernel-core-pattern-slashes-arg", NA, R, setp(["linux", "sysctl"], {"kernel/core_pattern": "|/tmp/x %p"}),
     at='linux.sysctl["kernel/core_pattern"]')
case("sysctl/dotdot", NA, R, setp(["linux", "sysctl"], {"net/../kernel/core_pattern": "|/tmp/x"}),
     at='linux.sysctl["net/../kernel/core_pattern"]')
case("sysctl/net-ip-forward", NA, R, setp(["linux", "sysctl"], {"net.ipv4.ip_forward": "1"}),
     at='linux.sysctl["net.ipv4.ip_forward"]')
# both separators in one key: runc makes every "." a "/" (net/ipv4/ip_forward); refused however a runtime reads it
case("sysctl/net-ip-forward-mixed", NA, R, setp(["linux", "sysctl"], {"net/ipv4.ip_forward": "1"}),
     at='linux.sysctl["net/ipv4.ip_forward"]')
case("sysctl/vm-overcommit", NA, R, setp(["linux", "sysctl"], {"vm.overcommit_memory": "1"}),
     at='linux.sysctl["vm.overcommit_memory"]')
SYN = 'linux.sysctl["net.ipv4.tcp_syncookies"]'
case("sysctl/safe-value-plus", "sysctl.unsafe-value", R,
     setp(["linux", "sysctl"], {"kernel.shm_rmid_forced": "1+kernel.core_pattern=|/tmp/x"}),
     at='linux.sysctl["kernel.shm_rmid_forced"]')
case("sysctl/safe-value-equals", "sysctl.unsafe-value", R,
     setp(["linux", "sysctl"], {"net.ipv4.ip_local_port_range": "1024 65000 kernel.core_pattern=|/x"}),
     at='linux.sysctl["net.ipv4.ip_local_port_range"]')
case("sysctl/safe-value-equals-only", "sysctl.unsafe-value", R,
     setp(["linux", "sysctl"], {"net.ipv4.ip_local_port_range": "1024 65000=1"}),
     at='linux.sysctl["net.ipv4.ip_local_port_range"]')
case("sysctl/safe-value-newline", "sysctl.unsafe-value", R,
     setp(["linux", "sysctl"], {"net.ipv4.tcp_syncookies": "1\nkernel.core_pattern"}), at=SYN)
case("sysctl/safe-value-newline-assign", "sysctl.unsafe-value", R,
     setp(["linux", "sysctl"], {"net.ipv4.tcp_syncookies": "1\nkernel.core_pattern=|/tmp/x"}), at=SYN)
case("sysctl/safe-slashes-twice", "sysctl.duplicate", R,
     setp(["linux", "sysctl"], {"net.ipv4.tcp_syncookies": "1", "net/ipv4/tcp_syncookies": "0"}), at=SYN)
case("sysctl/net-without-netns", "sysctl.host-network", R, both(
    ns_drop("network"), setp(["linux", "sysctl"], {"net.ipv4.tcp_syncookies": "1"})), at=SYN)
case("sysctl/net-without-netns-slashes", "sysctl.host-network", R, both(
    ns_drop("network"), setp(["linux", "sysctl"], {"net/ipv4/tcp_syncookies": "1"})),
     at='linux.sysctl["net/ipv4/tcp_syncookies"]')
# the namespaces control adds the missing ipc namespace first: the sysctl is the container's
case("sysctl/ipc-without-ipcns", "namespaces.missing", "rewrite", both(
    ns_drop("ipc"), setp(["linux", "sysctl"], {"kernel.shm_rmid_forced": "1"})), at="linux.namespaces")

# ---- resources -----------------------------------------------------------------------------
PL, ML = "linux.resources.pids.limit", "linux.resources.memory.limit"
case("resources/pids-negative", "resources.pids-unlimited", "rewrite", setp(["linux", "resources", "pids"], {"limit": -1}), at=PL)
case("resources/pids-zero", "resources.pids-unlimited", "rewrite", setp(["linux", "resources", "pids"], {"limit": 0}), at=PL)
case("resources/pids-int64-min", "resources.pids-unlimited", "rewrite",
     setp(["linux", "resources", "pids"], {"limit": -(1 << 63)}), at=PL)
case("resources/pids-limit-absent", "resources.pids-unlimited", "rewrite", setp(["linux", "resources", "pids"], {}), at=PL)
case("resources/pids-above-max", "resources.pids-max", "refuse", setp(["linux", "resources", "pids"], {"limit": 100000}), at=PL)
case("resources/pids-absent", "resources.pids-unlimited", "rewrite", delp(["linux", "resources", "pids"]), at=PL)
case("resources/pids-huge", "resources.pids-max", "refuse", setp(["linux", "resources", "pids"], {"limit": 1 << 40}), at=PL)
case("resources/memory-minus-one", "resources.memory-unlimited", "rewrite",
     setp(["linux", "resources", "memory"], {"limit": -1}), at=ML)
case("resources/memory-zero", "resources.memory-unlimited", "rewrite",
     setp(["linux", "resources", "memory"], {"limit": 0}), at=ML)
case("resources/memory-above-max", "resources.memory-max", "refuse",
     setp(["linux", "resources", "memory"], {"limit": 1 << 40}), at=ML)
case("resources/memory-absent", "resources.memory-unlimited", "rewrite", delp(["linux", "resources", "memory"]), at=ML)
case("resources/memory-huge", "resources.memory-max", "refuse",
     setp(["linux", "resources", "memory"], {"limit": 1 << 50}), at=ML)
case("resources/swap-unlimited", "resources.swap-max", "rewrite",
     setp(["linux", "resources", "memory"], {"limit": 1073741824, "swap": -1}), at="linux.resources.memory.swap")
case("resources/unified-pids-max", "resources.unified", "refuse",
     setp(["linux", "resources", "unified"], {"pids.max": "max"}), at='linux.resources.unified["pids.max"]')
case("resources/cpu-realtime", "resources.cpu-realtime", "refuse",
     setp(["linux", "resources", "cpu"], {"realtimeRuntime": 950000}), at="linux.resources.cpu.realtimeRuntime")
case("resources/cpu-period-tiny", "resources.cpu-period", "refuse",
     setp(["linux", "resources", "cpu"], {"period": 10}), at="linux.resources.cpu.period")

# ---- cgroups -------------------------------------------------------------------------------
# a cgroup that holds processes: the root, under any spelling (bypass.bats makes a busy one)
case("cgroups/path-root", "cgroups.in-use", R, setp(["linux", "cgroupsPath"], "/"), at="linux.cgroupsPath")
case("cgroups/path-dotdot-to-root", "cgroups.in-use", R, setp(["linux", "cgroupsPath"], "/kubepods/../.."), at="linux.cgroupsPath")
case("cgroups/path-relative-dot", "cgroups.in-use", R, setp(["linux", "cgroupsPath"], "."), at="linux.cgroupsPath")

# ---- annotations ---------------------------------------------------------------------------
def annot(key):
    # as check spells a member: .name where it is an identifier, ["..."] otherwise
    return "annotations." + key if key.isidentifier() else 'annotations["%s"]' % key


for name, key in (("run-oci-hooks-stdout", "run.oci.hooks.stdout"),
                  ("run-oci-keep-original-groups", "run.oci.keep_original_groups"),
                  ("run-oci-upper-case", "RUN.OCI.hooks.stderr"),
                  ("org-systemd-property", "org.systemd.property.DeviceAllow"),
                  ("org-criu-config", "org.criu.config"), ("bundle", "bundle"),
                  ("krun", "krun.cpus"), ("module-wasm", "module.wasm.image/variant"),
                  ("cri-o-devices", "io.kubernetes.cri-o.Devices")):
    case("annotations/" + name, "annotations.unsafe", R, setp(["annotations"], {key: "/etc/shadow"}), at=annot(key))
# the same keys with other values, and another mixed-case spelling: the key decides, not the value
for name, key, value in (("run-oci-hooks-stdout-cron", "run.oci.hooks.stdout", "/etc/cron.d/x"),
                         ("run-oci-mixed-case", "RUN.OCI.Hooks.Stdout", "/etc/x"),
                         ("org-systemd-property-device-allow", "org.systemd.property.DeviceAllow", "block-sd rwm"),
                         ("org-criu-config-tmp", "org.criu.config", "/tmp/x"), ("bundle-root", "bundle", "/"),
                         ("krun-cpus-64", "krun.cpus", "64")):
    case("annotations/" + name, "annotations.unsafe", R, setp(["annotations"], {key: value}), at=annot(key))
for name, key in (("bpf-data", "run.oci.seccomp_bpf_data"), ("plugins", "run.oci.seccomp.plugins"),
                  ("receiver", "run.oci.seccomp.receiver")):
    case("annotations/seccomp-" + name, "seccomp.annotation", "rewrite", setp(["annotations"], {key: "AAAA"}), at=annot(key))

# ---- hooks ---------------------------------------------------------------------------------
for stage in ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"):
    case("hooks/%s-not-allowlisted" % stage, "hooks.not-allowlisted", R,
         setp(["hooks"], {stage: [{"path": "/bin/sh", "args": ["sh", "-c", "id > /tmp/pwned"]}]}),
         at="hooks.%s[0].path" % stage)
case("hooks/relative-path", "hooks.not-absolute", R, setp(["hooks"], {"prestart": [{"path": "sh"}]}),
     at="hooks.prestart[0].path")
case("hooks/prestart-sh-touch", "hooks.not-allowlisted", R,
     setp(["hooks"], {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "touch /tmp/pwned"]}]}),
     at="hooks.prestart[0].path")
case("hooks/createRuntime-relative-dir", "hooks.not-absolute", R, setp(["hooks"], {"createRuntime": [{"path": "bin/sh"}]}),
     at="hooks.createRuntime[0].path")
case("hooks/poststop-dotdot", "hooks.not-allowlisted", R, setp(["hooks"], {"poststop": [{"path": "/usr/bin/../bin/true"}]}),
     at="hooks.poststop[0].path")
case("hooks/startContainer-true", "hooks.not-allowlisted", R, setp(["hooks"], {"startContainer": [{"path": "/usr/bin/true"}]}),
     at="hooks.startContainer[0].path")

# ---- seccomp -------------------------------------------------------------------------------
case("seccomp/allow-all", "seccomp.default-action", "rewrite",
     setp(["linux", "seccomp"], {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"]}),
     at="linux.seccomp.defaultAction")
case("seccomp/unknown-syscall", "seccomp.unknown-syscall", R,
     setp(["linux", "seccomp"], {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                                 "syscalls": [{"names": ["no_such_syscall_hs"], "action": "SCMP_ACT_ALLOW"}]}),
     at="linux.seccomp.syscalls[0].names[0]")
case("seccomp/flag-spec-allow", "seccomp.flag", "rewrite",
     setp(["linux", "seccomp"], {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                                 "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                                 "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}),
     at="linux.seccomp.flags[0]")

# ---- mac (checked with --target apparmor / selinux) ------------------------------------------
case("mac/apparmor-unconfined", "mac.apparmor-unconfined", R, setp(["process", "apparmorProfile"], "unconfined"),
     at="process.apparmorProfile")
case("mac/selinux-spc-t", "mac.selinux-privileged", R,
     setp(["process", "selinuxLabel"], "system_u:system_r:spc_t:s0"), at="process.selinuxLabel")


# ---- json: case variants and duplicates aimed at each control --------------------------------
# Text edits on the canonical dump of the base: each replaces one unique anchor string.
# J entries: (file, rule, edit, oracle-jq or None, at)
def raw(anchor, repl):
    def f(text):
        assert text.count(anchor) == 1, anchor
        return text.replace(anchor, repl)
    return f


CV, DK = "json.case-variant-key", "json.duplicate-key"
J = [
    ("json/rootfs-READONLY", CV, raw('"readonly": true', '"readonly": true, "READONLY": false'), ".root.readonly != true",
     "root.READONLY"),
    ("json/rootfs-readonly-twice", DK, raw('"readonly": true', '"readonly": true, "readonly": false'), ".root.readonly != true",
     "root.readonly"),
    ("json/rootfs-Root", CV, raw('"root": {', '"Root": {"path": "/"}, "root": {'), '.root.path == "rootfs"', "Root"),
    ("json/user-UID", CV, raw('"uid": 1000', '"uid": 1000, "UID": 0'), ".process.user.uid == 0", "process.user.UID"),
    ("json/user-uid-twice", DK, raw('"uid": 1000', '"uid": 1000, "uid": 0'), ".process.user.uid == 0",
     "process.user.uid"),
    ("json/user-long-s", CV, raw('"user": {', '"uſer": {"uid": 0, "gid": 0}, "user": {'), ".process.user.uid == 1000",
     'process["uſer"]'),
    ("json/user-Gid", CV, raw('"gid": 1000', '"gid": 1000, "Gid": 0'), ".process.user.gid == 0", "process.user.Gid"),
    ("json/nnp-twice", DK, raw('"noNewPrivileges": true', '"noNewPrivileges": true, "noNewPrivileges": false'),
     ".process.noNewPrivileges != true", "process.noNewPrivileges"),
    ("json/nnp-case", CV, raw('"noNewPrivileges": true', '"noNewPrivileges": true, "NoNewPrivileges": false'),
     ".process.noNewPrivileges != true", "process.NoNewPrivileges"),
    ("json/nnp-long-s", CV, raw('"noNewPrivileges": true', '"noNewPrivileges": true, "noNewPrivilegeſ": false'),
     ".process.noNewPrivileges != true", 'process["noNewPrivilegeſ"]'),
    ("json/caps-long-s", CV, raw('"capabilities": {', '"capabilitieſ": {"bounding": ["CAP_SYS_ADMIN"]}, "capabilities": {'),
     '.process.capabilities.bounding == ["CAP_NET_BIND_SERVICE"]', 'process["capabilitieſ"]'),
    ("json/caps-Effective", CV, raw('"effective": [', '"Effective": ["CAP_SYS_ADMIN"], "effective": ['),
     '.process.capabilities.effective == ["CAP_NET_BIND_SERVICE"]', "process.capabilities.Effective"),
    ("json/caps-ambient-twice", DK, raw('"ambient": ["CAP_NET_BIND_SERVICE"]',
                                          '"ambient": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_SYS_ADMIN"]'),
     '.process.capabilities.ambient == ["CAP_SYS_ADMIN"]', "process.capabilities.ambient"),
    ("json/process-long-s", CV, raw('"process": {', '"proceſs": {"args": ["sh"], "cwd": "/proc/self/fd/7"}, "process": {'),
     '.process.cwd == "/"', '["proceſs"]'),
    ("json/cwd-case", CV, raw('"cwd": "/"', '"cwd": "/", "CWD": "/proc/self/fd/7"'), '.process.cwd == "/proc/self/fd/7"',
     "process.CWD"),
    ("json/cwd-twice", DK, raw('"cwd": "/"', '"cwd": "/", "cwd": "/proc/self/fd/7"'), '.process.cwd == "/proc/self/fd/7"',
     "process.cwd"),
    ("json/mounts-long-s", CV, raw('"mounts": [', '"mountſ": [{"destination": "/mnt", "type": "bind", "source": "/etc", "options": ["rbind"]}], "mounts": ['),
     '.mounts[0].destination == "/proc"', '["mountſ"]'),
    ("json/mounts-twice", DK, raw('"mounts": [', '"mounts": [{"destination": "/mnt", "type": "bind", "source": "/etc", "options": ["rbind"]}], "mounts": ['),
     '.mounts[0].destination == "/proc"', "mounts"),
    ("json/mount-Source", CV, raw('"source": "proc"', '"source": "proc", "Source": "/etc"'), '.mounts[0].source == "/etc"',
     "mounts[0].Source"),
    ("json/masked-kelvin", CV, raw('"maskedPaths": [', '"mas\u212aedPaths": [], "maskedPaths": ['),
     '(.linux.maskedPaths | length) > 0', 'linux["mas\u212aedPaths"]'),
    ("json/masked-twice", DK, raw('"maskedPaths": [', '"maskedPaths": [], "maskedPaths": ['),
     '(.linux.maskedPaths | length) > 0', "linux.maskedPaths"),
    ("json/namespaces-long-s", CV, raw('"namespaces": [', '"nameſpaces": [], "namespaces": ['),
     '(.linux.namespaces | length) > 0', 'linux["nameſpaces"]'),
    ("json/namespaces-twice", DK, raw('"namespaces": [', '"namespaces": [{"type": "pid"}], "namespaces": ['),
     '(.linux.namespaces | length) > 1', "linux.namespaces"),
    ("json/ns-Path", CV, raw('{"type": "network"}', '{"type": "network", "Path": "/proc/self/ns/net"}'),
     '[.linux.namespaces[] | select(.type == "network")][0].path == "/proc/self/ns/net"', "linux.namespaces[1].Path"),
    ("json/ns-type-twice", DK, raw('{"type": "network"}', '{"type": "network", "type": "user"}'),
     '[.linux.namespaces[] | select(.type == "network")] | length == 0', "linux.namespaces[1].type"),
    ("json/rootfs-propagation-case", CV, raw('"linux": {', '"linux": {"RootfsPropagation": "shared", '),
     '.linux.rootfsPropagation == "shared"', "linux.RootfsPropagation"),
    ("json/hooks-kelvin", CV, raw('"linux": {', '"hoo\u212as": {"prestart": [{"path": "/bin/sh"}]}, "linux": {'),
     '.hooks.prestart[0].path == "/bin/sh"', '["hoo\u212as"]'),
    ("json/sysctl-long-s", CV, raw('"linux": {', '"linux": {"ſysctl": {"kernel.core_pattern": "|/tmp/x"}, '),
     '.linux.sysctl["kernel.core_pattern"] == "|/tmp/x"', 'linux["ſysctl"]'),
    ("json/sysctl-key-twice", DK, raw('"linux": {', '"linux": {"sysctl": {"kernel.shm_rmid_forced": "1", "kernel.shm_rmid_forced": "0+x=y"}, '),
     '.linux.sysctl["kernel.shm_rmid_forced"] == "0+x=y"', 'linux.sysctl["kernel.shm_rmid_forced"]'),
    ("json/devices-long-s", CV, raw('"linux": {', '"linux": {"deviceſ": [{"path": "/dev/sda", "type": "b", "major": 8, "minor": 0}], '),
     '.linux.devices[0].path == "/dev/sda"', 'linux["deviceſ"]'),
    ("json/device-rule-Allow", CV, raw('{"allow": false, "access": "rwm"}', '{"allow": false, "Allow": true, "access": "rwm"}'),
     '.linux.resources.devices[0].allow == true', "linux.resources.devices[0].Allow"),
    ("json/pids-Limit", CV, raw('"limit": 1024', '"limit": 1024, "Limit": -1'), '.linux.resources.pids.limit == -1',
     "linux.resources.pids.Limit"),
    ("json/annotations-long-s", CV, raw('"linux": {', '"annotationſ": {"run.oci.hooks.stdout": "/etc/passwd"}, "linux": {'),
     '.annotations["run.oci.hooks.stdout"] == "/etc/passwd"', '["annotationſ"]'),
    ("json/annotation-key-twice", DK, raw('"linux": {', '"annotations": {"io.x": "a", "io.x": "b"}, "linux": {'),
     '.annotations["io.x"] == "b"', 'annotations["io.x"]'),
    ("json/args-long-s", CV, raw('"args": [', '"argſ": [], "args": ['), '(.process.args | length) > 0',
     'process["argſ"]'),
    ("json/oom-case", CV, raw('"noNewPrivileges": true', '"noNewPrivileges": true, "oomScoreAdj": 0, "OomScoreAdj": -1000'),
     '.process.oomScoreAdj == -1000', "process.OomScoreAdj"),
    ("json/seccomp-case", CV, raw('"linux": {', '"linux": {"Seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}, '),
     '.linux.seccomp.defaultAction == "SCMP_ACT_ALLOW"', "linux.Seccomp"),
    ("json/resources-Pids", CV, raw('"pids": {"limit": 1024}', '"pids": {"limit": 1024}, "Pids": {"limit": -1}'),
     '.linux.resources.pids.limit == -1', "linux.resources.Pids"),
    ("json/linux-Sysctl", CV, raw('"linux": {', '"linux": {"Sysctl": {"kernel.core_pattern": "|/tmp/x"}, '),
     '.linux.sysctl["kernel.core_pattern"] == "|/tmp/x"', "linux.Sysctl"),
    ("json/top-Hooks", CV, raw('"linux": {', '"Hooks": {"prestart": [{"path": "/bin/sh"}]}, "linux": {'),
     '.hooks.prestart[0].path == "/bin/sh"', "Hooks"),
    # Go decodes a repeated object key into the map it already made: runc obeys both members
    ("json/sysctl-object-twice", DK,
     raw('"linux": {', '"linux": {"sysctl": {"net.ipv4.tcp_syncookies": "1"}, "sysctl": {"kernel/core_pattern": "|/tmp/x %p"}, '),
     '.linux.sysctl["kernel/core_pattern"] == "|/tmp/x %p"', "linux.sysctl"),
    ("json/annotations-object-twice", DK,
     raw('"linux": {', '"annotations": {"io.example": "x"}, "annotations": {"run.oci.hooks.stdout": "/etc/cron.d/x"}, "linux": {'),
     '.annotations["run.oci.hooks.stdout"] == "/etc/cron.d/x"', "annotations"),
    # a fraction where the schema wants an integer: runc's decoder refuses it too (no oracle)
    ("json/pids-fraction", "json.number", raw('"pids": {"limit": 1024}', '"pids": {"limit": 1.0}'), None,
     "linux.resources.pids.limit"),
    ("json/apparmor-case", CV, raw('"noNewPrivileges": true', '"noNewPrivileges": true, "ApparmorProfile": "unconfined"'),
     '.process.apparmorProfile == "unconfined"', "process.ApparmorProfile"),
]


def dump(c):
    # One line per top-level key, compact within: anchors above are written for this form.
    return json.dumps(c, ensure_ascii=False, separators=(", ", ": ")) + "\n"


def expect_line(path, rule, action, at, oracle=None):
    assert at and " " not in at and "\t" not in at, (path, at)
    cols = ["%s.json" % path, rule, action, "at=" + at]
    if oracle is not None:
        cols.append(oracle)
    return "  ".join(cols)


def main():
    base = make_base()
    # the places MNT and NS name (see case())
    assert [m["destination"] for m in base["mounts"]][5:] == ["/sys", "/sys/fs/cgroup", "/tmp", "/run", "/var/tmp"]
    assert [n["type"] for n in base["linux"]["namespaces"]] == list(NS)
    expect = ["# file  rule  action  at=json-path  [oracle-jq] -- generated by make-corpus.py; see its header"]
    for d in os.listdir(HERE):
        if os.path.isdir(os.path.join(HERE, d)):
            shutil.rmtree(os.path.join(HERE, d))
    with open(os.path.join(HERE, "base.json"), "w") as f:
        f.write(dump(base))
    for path, rule, action, edit, at in CASES:
        c = copy.deepcopy(base)
        edit(c)
        out = os.path.join(HERE, path + ".json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w") as f:
            f.write(dump(c))
        expect.append(expect_line(path, rule, action, at))
    text = dump(base)
    for path, rule, edit, oracle, at in J:
        out = os.path.join(HERE, path + ".json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w") as f:
            f.write(edit(text))
        expect.append(expect_line(path, rule, "refuse", at, oracle))
    with open(os.path.join(HERE, "EXPECT"), "w") as f:
        f.write("\n".join(expect) + "\n")


if __name__ == "__main__":
    main()
