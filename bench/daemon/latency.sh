#!/usr/bin/env bash
# Request->decision latency of hanzo-hmmd at half of its maximum rate (issue 4, section 8): the
# daemon on its embedded mock cluster, `hanzo-hmm loadgen --max` to find the maximum decisions/s,
# then `--rate max/2` for the latency. Load generator and daemon share this machine's cores.
# Then the same load against hanzo-responder-bench (a raw librdkafka consume->produce loop that
# answers with a copy of one of the daemon's decisions): what Kafka alone costs at that rate.
# Usage: latency.sh BIN_DIR [MAX_SECONDS] [HALF_SECONDS]. The last line is one JSON object.
set -euo pipefail
bin=$1
max_s=${2:-10}
half_s=${3:-20}
work=$(mktemp -d)
daemon=

start_daemon() {
  local ready='hanzo-hmmd: ready'
  if [ "${1:-}" = responder ]; then
    "$bin/hanzo-responder-bench" --decision "$work/decision.json" >"$work/out" 2>"$work/log" &
    ready='hanzo-responder-bench: ready'
  else
    "$bin/hanzo-hmmd" --embedded-kafka --metrics-listen 127.0.0.1:0 >"$work/out" 2>"$work/log" &
  fi
  daemon=$!
  for _ in $(seq 1 300); do
    grep -q "$ready" "$work/log" 2>/dev/null && break
    kill -0 "$daemon" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.1
  done
  bs=$(sed -n 's/^bootstrap.servers=//p' "$work/out")
}
stop_daemon() { kill -TERM "$daemon"; wait "$daemon"; daemon=; }
trap 'if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
field() { /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# A fresh daemon (and cluster) per phase: the mock's fetch cost grows with the data it holds.
start_daemon
"$bin/hanzo-hmm" loadgen --bootstrap "$bs" --tenants 1000 --max --window 10000 --duration "$max_s" --json \
  >"$work/max.json" 2>/dev/null
stop_daemon
max=$(field "$work/max.json" "round(r['decisions_per_s'])")
half=$((max / 2))
echo "maximum: $max decisions/s (loadgen --max); half: $half requests/s" >&2

start_daemon
"$bin/hanzo-hmm" loadgen --bootstrap "$bs" --tenants 1000 --rate "$half" --duration "$half_s" ${LOADGEN_KAFKA_CONFIG:+--kafka-config $LOADGEN_KAFKA_CONFIG} --json \
  >"$work/half.json" 2>/dev/null
stop_daemon
field "$work/half.json" "'at %d requests/s: %.0f decisions/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, missing %d' % (
  $half, r['decisions_per_s'], r['latency_ms']['p50'], r['latency_ms']['p90'], r['latency_ms']['p99'],
  r['latency_ms']['max'], r['missing'])" >&2

# The ceiling: the same load, answered by a raw consume->produce loop with one of the decisions.
field "$work/half.json" "json.dumps(r['sample_decision'], separators=(',', ':'))" >"$work/decision.json"
start_daemon responder
"$bin/hanzo-hmm" loadgen --bootstrap "$bs" --tenants 1000 --rate "$half" --duration "$half_s" ${LOADGEN_KAFKA_CONFIG:+--kafka-config $LOADGEN_KAFKA_CONFIG} --json \
  >"$work/ceiling.json" 2>/dev/null
stop_daemon
field "$work/ceiling.json" "'raw passthrough at %d requests/s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, missing %d' % (
  $half, r['latency_ms']['p50'], r['latency_ms']['p90'], r['latency_ms']['p99'], r['missing'])" >&2
c50=$(field "$work/ceiling.json" "r['latency_ms']['p50']")
c99=$(field "$work/ceiling.json" "r['latency_ms']['p99']")
field "$work/half.json" "'{\"bench\":\"daemon_latency\",\"max_decisions_per_s\":%d,\"half_rate\":%d,\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"missing\":%d,\"passthrough_p50_ms\":%.2f,\"passthrough_p99_ms\":%.2f}' % (
  $max, $half, r['latency_ms']['p50'], r['latency_ms']['p90'], r['latency_ms']['p99'], r['latency_ms']['max'], r['missing'], $c50, $c99)"
