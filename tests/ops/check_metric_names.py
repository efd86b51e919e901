#!/usr/bin/python3
"""check_metric_names.py METRICS_TXT DASHBOARD_JSON ALERTS_YML

Keeps the Grafana dashboard and the Prometheus alerts on the daemon's metric names:
  * metrics.txt parses (name, type, labels, help), names are valid and unique, no tenant labels;
  * the dashboard is a Grafana dashboard (schemaVersion >= 36, unique panel ids, the
    ${DS_PROMETHEUS} datasource variable), every non-row panel has a title and at least one
    target, every target has a non-empty PromQL expr on ${DS_PROMETHEUS};
  * every metric name used in a dashboard expr or an alert expr is in metrics.txt (histograms
    only through _bucket/_sum/_count, counters only under a range selector, e.g. rate(...[5m]));
  * every metric in metrics.txt is shown on the dashboard (so a new metric gets a panel);
  * the dashboard works under any scrape job name: $job and $instance query variables, every
    selector of every expr is filtered by job=~"$job" and instance=~"$instance", no job value is
    written out; the alert rules name no job at all (they select by metric name);
  * every dashboard expr parses as PromQL (`promtool check rules` on a generated rule file,
    Grafana's $variables replaced by plain values).
Exits non-zero with one line per problem. Without promtool the other checks still run, then it
exits 77 (skipped: not everything was checked), or 1 in CI (tests/common/missing_tool.py).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from missing_tool import missing_tool  # noqa: E402

IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset", "inf", "nan", "atan2"}
TYPES = {"counter", "gauge", "histogram", "summary"}
HIST_SUFFIXES = ("_bucket", "_sum", "_count")

problems = []


def problem(msg):
    problems.append(msg)


def load_metrics(path):
    metrics = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 4:
                problem(f"{path}:{n}: want 'name type labels help', got {line!r}")
                continue
            name, typ, labels, help_ = parts
            if not re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", name):
                problem(f"{path}:{n}: invalid metric name {name!r}")
            if typ not in TYPES:
                problem(f"{path}:{n}: unknown type {typ!r}")
            if typ == "counter" and not name.endswith("_total"):
                problem(f"{path}:{n}: counter {name} must end in _total")
            if typ != "counter" and name.endswith("_total"):
                problem(f"{path}:{n}: only counters end in _total ({name} is a {typ})")
            labels = [] if labels == "-" else labels.split(",")
            if any("tenant" in l for l in labels):
                problem(f"{path}:{n}: {name} has a tenant label (unbounded cardinality)")
            if name in metrics:
                problem(f"{path}:{n}: {name} listed twice")
            metrics[name] = (typ, labels, help_)
    if not metrics:
        problem(f"{path}: no metrics")
    return metrics


def strip_promql(expr):
    """The expr with strings, label matchers, ranges and grouping label lists removed."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    e = re.sub(r"\{[^{}]*\}", " ", e)
    e = re.sub(r"\[[^\[\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", e)
    e = re.sub(r"\$\{?\w+\}?", " ", e)           # Grafana variables outside selectors
    return e


def metric_names(expr):
    """(name, start) for each metric selector in a PromQL expression."""
    e = strip_promql(expr)
    out = []
    for m in IDENT.finditer(e):
        name = m.group(0)
        start, end = m.span()
        if start > 0 and (e[start - 1].isdigit() or e[start - 1] == "."):
            continue                                  # part of a number or duration (1e3, 5m)
        rest = e[end:].lstrip()
        if rest.startswith("("):
            continue                                  # function or aggregation
        if name.lower() in KEYWORDS:
            continue
        out.append(name)
    return out


def check_expr(where, expr, metrics, used):
    if not isinstance(expr, str) or not expr.strip():
        problem(f"{where}: empty expr")
        return
    names = metric_names(expr)
    if not names:
        problem(f"{where}: expr uses no metric: {expr!r}")
    for name in names:
        base = name
        if name not in metrics:
            for s in HIST_SUFFIXES:
                if name.endswith(s) and metrics.get(name[: -len(s)], ("",))[0] == "histogram":
                    base = name[: -len(s)]
                    break
            else:
                problem(f"{where}: metric {name!r} is not in metrics.txt")
                continue
        typ = metrics[base][0]
        if typ == "histogram" and base == name:
            problem(f"{where}: histogram {name} used bare; use {name}_bucket/_sum/_count")
        used.add(base)
        if typ == "counter" or (typ == "histogram" and name != base):
            # every occurrence must be a range selector: name{...}[range]
            for m in re.finditer(r"(?<![A-Za-z0-9_:])" + re.escape(name) + r"(?![A-Za-z0-9_:])", expr):
                if not re.match(r"\s*(\{[^{}]*\})?\s*\[", expr[m.end():]):
                    problem(f"{where}: {typ} series {name} used without a range (rate/increase)")


def check_job_free(where, expr, dashboard):
    """No job written out. Dashboard selectors filter by the $job and $instance variables."""
    if not isinstance(expr, str):
        return
    e = re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: m.group(0).replace("{", "(").replace("}", ")"), expr)
    for m in re.finditer(r"\{([^{}]*)\}", e):
        matchers = m.group(1)
        if not dashboard:
            if re.search(r"\bjob\s*(=|!=|=~|!~)", matchers):
                problem(f"{where}: names a job ({{{matchers}}}); select by metric name instead")
            continue
        if 'job=~"$job"' not in matchers.replace(" ", "") or 'instance=~"$instance"' not in matchers.replace(" ", ""):
            problem(f'{where}: selector {{{matchers}}} is not filtered by job=~"$job" and instance=~"$instance"')
    if dashboard and not re.search(r"\{", e):
        problem(f'{where}: expr has no selector filtered by $job and $instance')


def load_alert_exprs(path):
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        out = []
        for g in doc.get("groups", []):
            for r in g.get("rules", []):
                out.append((r.get("alert") or r.get("record"), r.get("expr")))
        return out
    # Fallback without PyYAML: 'expr:' scalars and '|' blocks.
    out, lines = [], open(path, encoding="utf-8").read().splitlines()
    name = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*-?\s*(alert|record):\s*(\S+)", line)
        if m:
            name = m.group(2)
        m = re.match(r"(\s*)expr:\s*(.*)$", line)
        if m:
            indent, val = len(m.group(1)), m.group(2).strip()
            if val in ("|", ">", "|-", ">-"):
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i].strip())
                    i += 1
                out.append((name, "\n".join(block)))
                continue
            out.append((name, val.strip("'\"")))
        i += 1
    return out


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    metrics_path, dash_path, alerts_path = sys.argv[1:]
    metrics = load_metrics(metrics_path)

    with open(dash_path, encoding="utf-8") as f:
        dash = json.load(f)
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        problem(f"{dash_path}: schemaVersion {dash.get('schemaVersion')!r} < 36")
    if not dash.get("title") or not dash.get("uid"):
        problem(f"{dash_path}: dashboard needs a title and a uid")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds_var = variables.get("DS_PROMETHEUS")
    ds_input = any(i.get("name") == "DS_PROMETHEUS" for i in dash.get("__inputs", []))
    if not ds_input and not (ds_var and ds_var.get("type") == "datasource" and ds_var.get("query") == "prometheus"):
        problem(f"{dash_path}: no DS_PROMETHEUS datasource variable or input")

    used_dash, used_alerts, exprs, ids = set(), set(), [], set()
    titles = {"row": set()}
    for p in walk_panels(dash.get("panels", [])):
        pid = p.get("id")
        if pid in ids:
            problem(f"{dash_path}: duplicate panel id {pid}")
        ids.add(pid)
        title = (p.get("title") or "").strip()
        if p.get("type") == "row":
            titles["row"].add(title)
            if not title:
                problem(f"{dash_path}: row {pid} has no title")
            continue
        where = f"{dash_path}: panel {pid} ({title or 'untitled'})"
        if not title:
            problem(f"{where}: no title")
        gp = p.get("gridPos", {})
        if not all(isinstance(gp.get(k), int) for k in ("h", "w", "x", "y")):
            problem(f"{where}: bad gridPos {gp}")
        targets = p.get("targets") or []
        if not targets:
            problem(f"{where}: no targets")
        for t in targets:
            ds = t.get("datasource") or p.get("datasource") or {}
            if ds.get("uid") != "${DS_PROMETHEUS}":
                problem(f"{where}: target {t.get('refId')} datasource is {ds!r}, not ${{DS_PROMETHEUS}}")
            check_expr(f"{where} target {t.get('refId')}", t.get("expr"), metrics, used_dash)
            check_job_free(f"{where} target {t.get('refId')}", t.get("expr"), dashboard=True)
            if isinstance(t.get("expr"), str):
                exprs.append((where, t["expr"]))
    for want in ("Traffic", "Errors", "Latency", "Prices & regime", "Lag", "Saturation"):
        if want not in titles["row"]:
            problem(f"{dash_path}: no row titled {want!r}")
    for want in ("job", "instance"):
        if variables.get(want, {}).get("type") != "query":
            problem(f"{dash_path}: no ${want} query variable")
    for v in variables.values():
        if v.get("type") == "query":
            check_expr(f"{dash_path}: variable {v.get('name')}", re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1",
                       v.get("definition", "")), metrics, set())

    alerts = load_alert_exprs(alerts_path)
    if not alerts:
        problem(f"{alerts_path}: no rules")
    for name, expr in alerts:
        check_expr(f"{alerts_path}: {name}", expr, metrics, used_alerts)
        check_job_free(f"{alerts_path}: {name}", expr, dashboard=False)

    for name in sorted(set(metrics) - used_dash):
        problem(f"{dash_path}: metric {name} from metrics.txt has no panel")

    # PromQL syntax of the dashboard's exprs, through promtool.
    promtool = shutil.which("promtool")
    if promtool:
        with tempfile.TemporaryDirectory() as tmp:
            rules = os.path.join(tmp, "dashboard_rules.yml")
            with open(rules, "w", encoding="utf-8") as f:
                f.write("groups:\n  - name: dashboard\n    rules:\n")
                for i, (where, e) in enumerate(exprs):
                    e = e.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
                    e = re.sub(r"\$\{?(\w+)\}?", ".*", e)
                    f.write(f"      - record: dashboard:expr{i}\n        expr: {json.dumps(e)}\n")
            r = subprocess.run([promtool, "check", "rules", rules], capture_output=True, text=True)
            if r.returncode != 0:
                problem(f"{dash_path}: promtool rejects a dashboard expr:\n{r.stdout}{r.stderr}")

    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print(f"OK: {len(metrics)} metrics; dashboard uses {len(used_dash)} in {len(exprs)} exprs; "
          f"{len(alerts)} alerts use {sorted(used_alerts)}")
    if not promtool:
        missing_tool("promtool not installed (apt-get install prometheus): the dashboard's PromQL syntax is unchecked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
