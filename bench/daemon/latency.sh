#!/usr/bin/env bash
# Request->decision latency of hanzo-hmmd at half of the highest open-loop rate it keeps up
# with, beside a raw consume->produce responder at the same rate.
#  1. `hanzo-hmm loadgen --max` (closed loop) gives a starting rate M.
#  2. A short bisection of open-loop runs (`--rate R --drain 1`), from M: a rate is kept up with
#     when >= 99% of the requests sent are decided within 1 s of the end of sending, the load
#     generator held its schedule (>= 97% of R sent), and no backlog built up (outstanding
#     requests on loadgen's progress lines): over the last third of the sending their peak is
#     at most 250 ms of requests, and at most 1.5x the middle third's plus 50 ms of requests.
#  3. At half of the highest rate kept up with: the daemon, then hanzo-responder-bench (a raw
#     librdkafka consume->produce loop answering with a copy of one of the daemon's decisions,
#     on the embedded layout with the daemon's client settings): what Kafka alone costs. PAIRS
#     such pairs, interleaved; each figure is the median over the pairs, and the p99 ratio the
#     median of the pairs' ratios (one pair's ratio ranged 0.9-1.4 on this machine). For each
#     daemon run also its own share of the latency, from its processing histogram (poll loop ->
#     producer, hanzo_hmmd_processing_seconds): the rest is Kafka's and the load generator's.
# A fresh daemon (and cluster) per run: the mock's fetch cost grows with the data it holds. Load
# generator and daemon share this machine's cores.
# Usage: latency.sh BIN_DIR [PROBE_SECONDS (8)] [HALF_SECONDS (20)] [STEPS (4)] [PAIRS (3)]. The
# last line is one JSON object. LATENCY_RATE=R skips steps 1-2 and runs the pairs at R requests/s
# (its JSON then has open_loop_max_found false and open_loop_max_per_s 2R). For experiments:
# HMMD_ARGS adds arguments to every hanzo-hmmd (e.g. "--threads 1"), LOADGEN_ARGS to every
# load generator run, the responder's included (e.g. "--feedback-ratio 0 --tick-rate 0").
set -euo pipefail
# shellcheck source=bench/daemon/embedded.sh
source "$(dirname "$0")/embedded.sh"
bin=$1
probe_s=${2:-8}
half_s=${3:-20}
steps=${4:-4}
pairs=${5:-3}
work=$(mktemp -d)
daemon=

start_daemon() {
  if [ "${1:-}" = responder ]; then
    "$bin/hanzo-responder-bench" --decision "$work/decision.json" >"$work/out" 2>"$work/log" &
    daemon=$!
    wait_ready "$daemon" "$work" 'hanzo-responder-bench: ready'
  else
    start_hmmd "$bin" "$work"
  fi
}
stop_daemon() { kill -TERM "$daemon"; wait "$daemon" || true; daemon=; }
trap 'if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
field() { /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# loadgen RESULT_NAME ARGS...: one run against a fresh daemon (or responder, if $target says so).
# The daemon's /metrics are kept as RESULT_NAME.metrics: its processing histogram is the
# daemon's own share of each request's latency (poll loop -> producer), the rest is Kafka's.
loadgen() {
  local name=$1; shift
  start_daemon "${target:-}"
  # shellcheck disable=SC2086 # word splitting of LOADGEN_ARGS is wanted
  "$bin/hanzo-hmm" loadgen --bootstrap "$bs" --tenants 1000 "$@" ${LOADGEN_ARGS:-} \
    ${LOADGEN_KAFKA_CONFIG:+--kafka-config $LOADGEN_KAFKA_CONFIG} --json >"$work/$name.json" 2>"$work/$name.err" || true
  if [ -z "${target:-}" ]; then
    local url
    url=$(metrics_url "$work/log")
    /usr/bin/python3 -c "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())" \
      "$url" >"$work/$name.metrics" || echo "could not read $url" >&2
  fi
  stop_daemon
}
# processing NAME: the daemon's own p50 and p99 in ms (from NAME.metrics, interpolated in its buckets).
processing() {
  /usr/bin/python3 - "$work/$1.metrics" <<'PY'
import re, sys
b = sorted((float(le), float(v)) for le, v in re.findall(r'^hanzo_hmmd_processing_seconds_bucket\{le="([^"+]+)"\} (\S+)',
                                                      open(sys.argv[1]).read(), re.M))
n = b[-1][1] if b else 0
def q(p):  # linear within the bucket, as Prometheus' histogram_quantile
    lo_le, lo_n = 0.0, 0.0
    for le, c in b:
        if c >= p * n:
            return 1000 * (lo_le + (le - lo_le) * (p * n - lo_n) / max(c - lo_n, 1))
        lo_le, lo_n = le, c
    return float("nan")
print(f"{q(0.5):.3f} {q(0.99):.3f}" if n else "nan nan")
PY
}
# keeps_up NAME RATE: prints "1 reason" or "0 reason" (see the header).
keeps_up() {
  /usr/bin/python3 - "$work/$1.json" "$work/$1.err" "$2" "$probe_s" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1])); rate = float(sys.argv[3]); dur = float(sys.argv[4])
sent, got = r["requests_sent"], r["decisions_received"]
out = [(float(m.group(1)), int(m.group(2))) for m in
       re.finditer(r"loadgen\s+([\d.]+) s .*outstanding (\d+)", open(sys.argv[2]).read()) if float(m.group(1)) <= dur]
mid = [o for t, o in out if dur / 3 < t <= 2 * dur / 3]
end = [o for t, o in out if t > 2 * dur / 3]
growing = max(end, default=0) > 0.25 * rate or (bool(mid and end) and max(end) > 1.5 * max(mid) + 0.05 * rate)
ok = r["requests_per_s"] >= 0.97 * rate and got >= 0.99 * sent and not growing
print(int(ok), f"sent {sent} ({r['requests_per_s']:.0f}/s), decided {got} ({100 * got / max(sent, 1):.1f}%) within 1 s, "
      f"backlog peak {max(mid, default=0)} -> {max(end, default=0)}{' (growing)' if growing else ''}, p99 {r['latency_ms']['p99']:.1f} ms")
PY
}

if [ -n "${LATENCY_RATE:-}" ]; then
  # A chosen rate instead of half the maximum (no bisection): the pairs only.
  [[ $LATENCY_RATE =~ ^[1-9][0-9]*$ ]] || { echo "LATENCY_RATE must be a positive integer" >&2; exit 64; }
  max=0; steps=0
  echo "closed loop and bisection skipped: LATENCY_RATE=$LATENCY_RATE" >&2
else
  loadgen max --max --window 10000 --duration "$probe_s"
  max=$(field "$work/max.json" "round(r['decisions_per_s'])")
  echo "closed loop (loadgen --max): $max decisions/s" >&2
fi

lo=0; hi=0; rate=$max
for i in $(seq 1 "$steps"); do
  loadgen "probe$i" --rate "$rate" --duration "$probe_s" --drain 1
  read -r ok why < <(keeps_up "probe$i" "$rate")
  echo "open loop at $rate requests/s: $([ "$ok" = 1 ] && echo kept up || echo fell behind): $why" >&2
  if [ "$ok" = 1 ]; then
    lo=$rate
    if [ "$hi" = 0 ]; then rate=$((rate * 5 / 4)); else rate=$(((lo + hi) / 2)); fi
  else
    hi=$rate
    if [ "$lo" = 0 ]; then rate=$((rate / 2)); else rate=$(((lo + hi) / 2)); fi
  fi
done
found=true
if [ -n "${LATENCY_RATE:-}" ]; then
  found=false; half=$LATENCY_RATE; lo=$((2 * half))
else
  if [ "$lo" = 0 ]; then found=false; lo=$rate; echo "no probed rate was kept up with; using $lo untested" >&2; fi
  half=$((lo / 2))
  echo "highest open-loop rate kept up with: $lo requests/s; half: $half" >&2
fi

for i in $(seq 1 "$pairs"); do
  loadgen "half$i" --rate "$half" --duration "$half_s"
  read -r own50 own99 < <(processing "half$i")
  echo "$own50 $own99" >"$work/half$i.own"
  field "$work/half$i.json" "'daemon at %d requests/s: %.0f decisions/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms, missing %d; in the daemon (poll -> producer) p50 %s ms, p99 %s ms' % (
    $half, r['decisions_per_s'], r['latency_ms']['p50'], r['latency_ms']['p90'], r['latency_ms']['p99'], r['latency_ms']['p999'],
    r['latency_ms']['max'], r['missing'], '$own50', '$own99')" >&2
  # The responder answers every pair with the first daemon run's sample decision.
  [ "$i" = 1 ] && field "$work/half1.json" "json.dumps(r['sample_decision'], separators=(',', ':'))" >"$work/decision.json"
  target=responder loadgen "ceiling$i" --rate "$half" --duration "$half_s"
  field "$work/ceiling$i.json" "'raw responder at %d requests/s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms, missing %d' % (
    $half, r['latency_ms']['p50'], r['latency_ms']['p90'], r['latency_ms']['p99'], r['latency_ms']['p999'], r['latency_ms']['max'], r['missing'])" >&2
done

/usr/bin/python3 - "$work" "$max" "$lo" "$half" "$found" "$pairs" <<'PY'
import json, os, statistics, sys
w, closed, open_max, half, found = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "true"
pairs = int(sys.argv[6])
def lat(name):
    r = json.load(open(os.path.join(w, name + ".json")))
    l = r["latency_ms"]
    return {"p50_ms": l["p50"], "p90_ms": l["p90"], "p99_ms": l["p99"], "p999_ms": l["p999"], "max_ms": l["max"],
            "decisions_per_s": r["decisions_per_s"], "missing": r["missing"]}
def median(runs):  # field by field, over the runs that have it
    return {k: statistics.median(v) if (v := [x[k] for x in runs if x[k] is not None]) else None for k in runs[0]}
d = [lat(f"half{i}") for i in range(1, pairs + 1)]
for i, x in enumerate(d, 1):  # the daemon's own share (its processing histogram)
    x["processing_p50_ms"], x["processing_p99_ms"] = (None if v == "nan" else float(v)
                                                      for v in open(os.path.join(w, f"half{i}.own")).read().split())
c = [lat(f"ceiling{i}") for i in range(1, pairs + 1)]
ratios = [a["p99_ms"] / b["p99_ms"] for a, b in zip(d, c) if b["p99_ms"]]
ratios999 = [a["p999_ms"] / b["p999_ms"] for a, b in zip(d, c) if b["p999_ms"]]
print(json.dumps({"bench": "daemon_latency", "closed_loop_max_per_s": closed, "open_loop_max_per_s": open_max,
                  "open_loop_max_found": found, "half_rate": half, "pairs": pairs, "daemon": median(d), "responder": median(c),
                  "p99_ratios": [round(x, 3) for x in ratios], "p99_ratio": statistics.median(ratios) if ratios else None,
                  "p999_ratio": statistics.median(ratios999) if ratios999 else None}))
PY
