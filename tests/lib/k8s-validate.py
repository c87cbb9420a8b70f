#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Offline check of deploy/kubernetes/*.yaml (no cluster here; Debian 12's kubectl needs an API
# server even for --dry-run=client): every document parses as YAML, has the fields its kind
# requires with the right types, and no field the API would reject as unknown in the parts
# hardshim relies on. Prints one line per problem; exit 1 when any.
import sys

import yaml

problems = []


def need(doc, path, typ):
    cur = doc
    for k in path.split("."):
        if not isinstance(cur, dict) or k not in cur:
            problems.append(f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}: {path} missing")
            return None
        cur = cur[k]
    if not isinstance(cur, typ):
        problems.append(f"{doc.get('kind')}: {path} is {type(cur).__name__}, not {typ.__name__}")
        return None
    return cur


KNOWN = {
    ("v1", "Namespace"), ("v1", "ConfigMap"), ("v1", "ServiceAccount"),
    ("apps/v1", "DaemonSet"), ("node.k8s.io/v1", "RuntimeClass"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
}
CONTAINER_KEYS = {"name", "image", "command", "args", "env", "securityContext", "readinessProbe",
                  "livenessProbe", "resources", "volumeMounts", "imagePullPolicy"}

docs = []
for f in sys.argv[1:]:
    with open(f) as fh:
        for d in yaml.safe_load_all(fh):
            if d is not None:
                docs.append(d)
for d in docs:
    if (d.get("apiVersion"), d.get("kind")) not in KNOWN:
        problems.append(f"unknown apiVersion/kind {d.get('apiVersion')} {d.get('kind')}")
        continue
    need(d, "metadata.name", str)
    k = d["kind"]
    if k == "RuntimeClass":
        need(d, "handler", str)
        if "scheduling" in d:
            need(d, "scheduling.nodeSelector", dict)
    if k == "ConfigMap":
        need(d, "data", dict)
    if k == "DaemonSet":
        sel = need(d, "spec.selector.matchLabels", dict)
        lab = need(d, "spec.template.metadata.labels", dict)
        if sel and lab and any(lab.get(a) != b for a, b in sel.items()):
            problems.append("DaemonSet: selector does not match the template's labels")
        spec = need(d, "spec.template.spec", dict) or {}
        for c in spec.get("containers", []):
            for key in c:
                if key not in CONTAINER_KEYS:
                    problems.append(f"DaemonSet container: unknown field {key}")
            vols = {v["name"] for v in spec.get("volumes", [])}
            for m in c.get("volumeMounts", []):
                if m["name"] not in vols:
                    problems.append(f"DaemonSet: volumeMount {m['name']} has no volume")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
