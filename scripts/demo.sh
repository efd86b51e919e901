#!/usr/bin/env bash
# The main job: installs dependencies, builds, and runs hanzo-hmmd on an embedded Kafka (librdkafka's
# mock cluster, in the daemon's process) with the load generator producing ticks (including a
# supply shock), routing requests and feedback; prints decisions per second, latency percentiles,
# a sample decision and where the metrics are, then stops the daemon the way systemd would.
# DEMO_SECONDS (default 15) sets how long the load runs; DEMO_RATE (default 5000) its requests/s.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

section "dependencies"
bash scripts/install-deps.sh
section "build (Release)"
build_tree build -DCMAKE_BUILD_TYPE=Release -DHANZO_BUILD_TESTS=OFF

work=build/demo
mkdir -p "$work"
seconds=${DEMO_SECONDS:-15}
rate=${DEMO_RATE:-5000}

section "start hanzo-hmmd --embedded-kafka"
# Port 9464 is the default; if something already listens there, let the kernel pick one.
listen=127.0.0.1:9464
if (exec 3<>/dev/tcp/127.0.0.1/9464) 2>/dev/null; then listen=127.0.0.1:0; fi
./build/bin/hanzo-hmmd --embedded-kafka --metrics-listen "$listen" >"$work/hmmd.out" 2>"$work/hmmd.log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true' EXIT
wait_for_line "$daemon" "$work/hmmd.log" 'hanzo-hmmd: ready' 30
bootstrap=$(bootstrap_servers "$work/hmmd.out")
metrics=$(metrics_url "$work/hmmd.log")
echo "Kafka (mock cluster, in the daemon): bootstrap.servers=$bootstrap"
echo "Metrics: $metrics"

section "load: 1,000 tenants, $rate requests/s for $seconds s, ticks with a supply shock, feedback"
./build/bin/hanzo-hmm loadgen --bootstrap "$bootstrap" --tenants 1000 --rate "$rate" --duration "$seconds" \
  --json >"$work/report.json"

section "result"
/usr/bin/python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lat = r["latency_ms"]
ms = lambda v: f"{v:.1f} ms"
print(f"requests sent {r['requests_sent']}, decisions received {r['decisions_received']} "
      f"(routed {r['routed']}, rejected {r['rejected']}), missing {r['missing']}")
print(f"decisions/s: {r['decisions_per_s']:.0f}")
print("request -> decision latency: p50 " + ms(lat["p50"]) + ", p90 " + ms(lat["p90"]) +
      ", p99 " + ms(lat["p99"]) + ", max " + ms(lat["max"]))
print(f"ticks sent {r['ticks_sent']}, feedback sent {r['feedback_sent']}")
d = r["sample_decision"]
d = json.loads(d) if isinstance(d, str) else d
print("sample decision:")
print(json.dumps({k: d[k] for k in ("request_id", "tenant", "status", "model", "compute_class", "market_regime",
                                      "confidence", "price_per_token", "reasoning") if k in d}, indent=2))
PY

section "a few metrics from $metrics"
curl -s "$metrics" | grep -E '^hanzo_hmmd_(decisions_total|dlq_messages_total\{reason="schema"\}|class_price|tenant_actors|market_regime_probability)' || true

section "stop (SIGTERM: drain, flush, commit)"
kill -TERM $daemon
rc=0
wait "$daemon" || rc=$?
if [ "$rc" -ne 0 ]; then echo "hanzo-hmmd exited $rc"; tail -5 "$work/hmmd.log"; exit 1; fi
echo "hanzo-hmmd exited 0"
trap - EXIT
echo
echo "Daemon log: $work/hmmd.log.  Library demo (HMM fit, market replay): bash scripts/demo-library.sh"
