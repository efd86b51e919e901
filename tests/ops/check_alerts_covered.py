#!/usr/bin/python3
"""check_alerts_covered.py ALERTS_YML ALERTS_TEST_YML RUNBOOK_MD

Every alert in ALERTS_YML
  * has a promtool case in ALERTS_TEST_YML where it fires (non-empty exp_alerts) and one where
    it stays quiet (exp_alerts: []): `promtool test rules` only checks the cases written;
  * has a runbook_url annotation ending in runbook.md#<alert name in lower case>, and
    RUNBOOK_MD has a "## <AlertName>" section (whose Markdown anchor that is);
and RUNBOOK_MD has no section for an alert that does not exist.
Exits 1 with one line per problem; without PyYAML exits 77 (1 in CI: tests/common/missing_tool.py).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from missing_tool import missing_tool  # noqa: E402


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    try:
        import yaml
    except ImportError:
        missing_tool("python3-yaml not installed (apt-get install python3-yaml)")
    alerts_path, tests_path, runbook_path = sys.argv[1:]
    problems = []
    with open(alerts_path, encoding="utf-8") as f:
        rules = [r for g in yaml.safe_load(f)["groups"] for r in g["rules"] if "alert" in r]
    with open(tests_path, encoding="utf-8") as f:
        cases = [c for t in yaml.safe_load(f)["tests"] for c in t.get("alert_rule_test", [])]
    with open(runbook_path, encoding="utf-8") as f:
        sections = set(re.findall(r"^## (\w+)\s*$", f.read(), re.M))
    names = [r["alert"] for r in rules]
    if not names:
        problems.append(f"{alerts_path}: no alerts")
    for name in names:
        fires = [c for c in cases if c.get("alertname") == name and c.get("exp_alerts")]
        quiet = [c for c in cases if c.get("alertname") == name and not c.get("exp_alerts")]
        if not fires:
            problems.append(f"{tests_path}: no case where {name} fires")
        if not quiet:
            problems.append(f"{tests_path}: no case where {name} stays quiet")
        url = (next(r for r in rules if r["alert"] == name).get("annotations") or {}).get("runbook_url", "")
        if not url.endswith("runbook.md#" + name.lower()):
            problems.append(f"{alerts_path}: {name}: runbook_url {url!r} does not end in runbook.md#{name.lower()}")
        if name not in sections:
            problems.append(f"{runbook_path}: no '## {name}' section")
    for extra in sorted(sections - set(names)):
        if extra.startswith("Hanzo"):
            problems.append(f"{runbook_path}: section '## {extra}' names no alert in {alerts_path}")
    for c in cases:
        if c.get("alertname") not in names:
            problems.append(f"{tests_path}: a case tests {c.get('alertname')!r}, not an alert")
    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print(f"OK: {len(names)} alerts, each fires and stays quiet in a promtool case and has a runbook section")
    return 0


if __name__ == "__main__":
    sys.exit(main())
