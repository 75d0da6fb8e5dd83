"""After a Schemathesis run: what contract/schemathesis_hooks.py forgave, by rule.

Usage: python3 schemathesis_report.py FORGIVEN.jsonl schemathesis_hooks.py

Lists the DESIGN rules that applied, and every KNOWN finding (K1, K2, ...)
with the operations where it was reproduced, or a note that it was not:
a known finding that no longer shows up has probably been fixed, and its
entry should go, so that a regression fails the run again.
"""

import collections
import json
import re
import sys

log_path, hooks_path = sys.argv[1], sys.argv[2]
with open(hooks_path, encoding="utf-8") as f:
    known = sorted(set(re.findall(r'"(K\d+-[a-z0-9-]+)"', f.read())), key=lambda k: int(k[1:].split("-")[0]))

cases = collections.Counter()
operations = collections.defaultdict(set)
try:
    with open(log_path, encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            key = (entry["kind"], entry["rule"])
            cases[key] += 1
            operations[key].add(entry["operation"])
except FileNotFoundError:
    pass

print("forgiven by design (DESIGN in contract/schemathesis_hooks.py):")
design = sorted((rule, n) for (kind, rule), n in cases.items() if kind == "design")
for rule, n in design:
    print(f"  {rule}: {n} case(s)")
if not design:
    print("  none")

print("known contract findings (KNOWN_* in contract/schemathesis_hooks.py; fixes in contract/README.md):")
for rule in known:
    n = cases.get(("known", rule), 0)
    if n:
        where = "; ".join(sorted(operations[("known", rule)]))
        print(f"  {rule}: still open, {n} case(s): {where}")
    else:
        print(f"  {rule}: not reproduced in this run (not reached with this seed, or fixed: then delete its entry)")
