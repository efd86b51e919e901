#!/usr/bin/env python3
"""Medians over seeds of `hanzo-hmm simulate --json` reports, as a Markdown table.

Usage: summarise.py REPORT.json... (one per seed, same preset and policies)."""
import json
import statistics
import sys


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def num(x, d=1):
    return "n/a" if x is None else f"{x:.{d}f}"


reports = [json.load(open(p)) for p in sys.argv[1:]]
if not reports:
    sys.exit("summarise.py: no reports")
first = reports[0]
seeds = [r["seed"] for r in reports]
print(f"preset {first['preset']}, {first['tenants']} tenants, {first['requests']} requests, seeds "
      f"{' '.join(map(str, seeds))}; outage of {first['outage']['model']} at requests "
      f"[{first['outage']['start']}, {first['outage']['end']}); medians over the seeds\n")
print("| policy | regret | before | during | after | mean E[U] | share before | share in outage "
      "| failures seen | share after 50 | share after 200 | retries after recovery | first retry after | cost / success |")
print("|---|" + "---:|" * 13)
names = [p["name"] for p in first["policies"]]
for name in names:
    ps = [next(p for p in r["policies"] if p["name"] == name) for r in reports]
    # share after N failures: the median over the seeds that saw N failures, with how many did
    def after(key):
        xs = [p[key] for p in ps if p[key] is not None]
        return f"{pct(median(xs))} ({len(xs)}/{len(ps)})" if xs else f"n/a (0/{len(ps)})"
    row = [name,
           num(median([p["total_regret"] for p in ps])),
           num(median([p["phases"]["before"]["regret"] for p in ps])),
           num(median([p["phases"]["during"]["regret"] for p in ps])),
           num(median([p["phases"]["after"]["regret"] for p in ps])),
           num(median([p["mean_expected_utility"] for p in ps]), 3),
           pct(median([p["share_before_outage"] for p in ps])),
           pct(median([p["outage_share"] for p in ps])),
           num(median([p["outage_failures"] for p in ps]), 0),
           after("share_after_50_failures"),
           after("share_after_200_failures"),
           num(median([p["retries_after_recovery"] for p in ps]), 0),
           num(median([p["first_retry_after"] for p in ps]), 0),
           num(median([p["cost_per_success"] for p in ps]), 2)]
    print("| " + " | ".join(row) + " |")
print("\nper seed, total regret:")
for name in names:
    vals = [next(p for p in r["policies"] if p["name"] == name)["total_regret"] for r in reports]
    print(f"  {name:22s} " + " ".join(f"{v:9.1f}" for v in vals))
