#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Read Prometheus text exposition on stdin with the reference parser (Debian's
# python3-prometheus-client) and print it as JSON: [{"name", "type", "labels", "value"}...],
# one entry per sample. Anything the parser refuses is an error (exit 1), so a test that
# reads this output has proven the text parses.
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

out = []
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        out.append({"family": fam.name, "type": fam.type, "name": s.name,
                    "labels": s.labels, "value": s.value})
json.dump(out, sys.stdout)
print()
