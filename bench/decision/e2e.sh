#!/usr/bin/env bash
# Decision quality against a hidden truth, end to end: the simulator's world played through
# hanzo-hmmd on its embedded Kafka, closed loop per tenant (bench/decision/README.md). Per seed,
# two fresh daemons (fresh state): one with feedback (router-e2e), one without
# (router-e2e-no-feedback); the baselines and the in-process routers are scored on the same stream.
# With POOLED=1 (the default) a third daemon per seed runs with router.shared_base = true: the
# daemon's per-group pools (daemon.shared_pool_separator "-": the world's tenants are named
# SEGMENT-N, so a group is a segment), reported as router-e2e-pooled.
# Usage: bench/decision/e2e.sh [BIN_DIR (default build/bin)] [PRESET (default full)] [SEEDS (default "1 2 3")]
# Writes the daemon configuration, each run's JSON report and daemon log, and the first seed's
# regret CSV and SVG (router-e2e beside the others) to $OUT (default a temp dir).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../../scripts/lib.sh"
bin=${1:-build/bin}
preset=${2:-full}
seeds=${3:-1 2 3}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
for tool in "$bin/hanzo-hmm" "$bin/hanzo-hmmd"; do
  [ -x "$tool" ] || { echo "e2e.sh: $tool not found (build hanzo-hmm and hanzo-hmmd)" >&2; exit 2; }
done

# The daemon's configuration of this world: its catalogue, market and router settings.
"$bin/hanzo-hmm" simulate --preset "$preset" --daemon-config "$out/hanzo-hmmd.toml"
pooled=${POOLED:-1}
sed 's/^shared_base = false$/shared_base = true/' "$out/hanzo-hmmd.toml" >"$out/hanzo-hmmd-pooled.toml"
grep -q '^shared_base = true$' "$out/hanzo-hmmd-pooled.toml" || { echo "e2e.sh: no router.shared_base line to turn on" >&2; exit 1; }
config=$out/hanzo-hmmd.toml

daemon=
stop_daemon() {
  [ -n "$daemon" ] || return 0
  kill -TERM "$daemon" 2>/dev/null || true
  local rc=0
  wait "$daemon" || rc=$?
  daemon=
  return $rc
}
trap stop_daemon EXIT

# One fresh daemon, one run; $1 = the report's name, the rest = extra simulate flags.
run() {
  local name=$1 log="$out/$1.hmmd.log"
  shift
  "$bin/hanzo-hmmd" --config "$config" --embedded-kafka --metrics-listen 127.0.0.1:0 \
    >"$out/$name.hmmd.out" 2>"$log" &
  daemon=$!
  wait_for_line "$daemon" "$log" 'hanzo-hmmd: ready' 60
  local bootstrap metrics
  bootstrap=$(bootstrap_servers "$out/$name.hmmd.out")
  metrics=$(metrics_url "$log")
  "$bin/hanzo-hmm" simulate --preset "$preset" --kafka "$bootstrap" --daemon-metrics "$metrics" "$@" \
    --json "$out/$name.json" >/dev/null
  # What the daemon consumed of the feedback sent (it may still be reading the last few).
  local sent consumed=0
  sent=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kafka"]["feedback_sent"])' "$out/$name.json")
  for _ in $(seq 1 100); do
    consumed=$(/usr/bin/python3 - "$metrics" <<'EOF'
import re, sys, urllib.request
text = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
m = re.search(r'^hanzo_hmmd_messages_consumed_total\{topic="hanzo\.hmm\.feedback"\} (\S+)$', text, re.M)
print(int(float(m.group(1))) if m else 0)
EOF
)
    [ "$consumed" -ge "$sent" ] && break
    sleep 0.1
  done
  echo "$name: feedback sent $sent, consumed by the daemon $consumed" >&2
  stop_daemon || { echo "e2e.sh: hanzo-hmmd did not exit cleanly (see $log)" >&2; exit 1; }
}

reports=()
curve=(--csv "$out/regret.csv" --svg "$out/regret.svg")
for s in $seeds; do
  run "seed$s" --seed "$s" --ablation "${curve[@]}"
  curve=()
  run "seed$s-no-feedback" --seed "$s" --no-feedback
  if [ "$pooled" = 1 ]; then
    config=$out/hanzo-hmmd-pooled.toml
    run "seed$s-pooled" --seed "$s"
    config=$out/hanzo-hmmd.toml
  fi
  # One report per seed: the feedback run's policies, then router-e2e-no-feedback (and -pooled).
  /usr/bin/python3 - "$out/seed$s.json" "$out/seed$s-no-feedback.json" "$out/seed$s-merged.json" "$out/seed$s-pooled.json" <<'EOF'
import json, os, sys
keep = {"router", "router-no-shared-base", "router-e2e"}
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a["policies"] = [p for p in a["policies"] if not p["name"].startswith("router") or p["name"] in keep]
a["policies"] += [p for p in b["policies"] if p["name"] == "router-e2e-no-feedback"]
a["kafka_no_feedback"] = b["kafka"]
if os.path.exists(sys.argv[4]):
    c = json.load(open(sys.argv[4]))
    for p in c["policies"]:
        if p["name"] == "router-e2e":
            a["policies"].append(dict(p, name="router-e2e-pooled"))
    a["kafka_pooled"] = c["kafka"]
json.dump(a, open(sys.argv[3], "w"))
EOF
  reports+=("$out/seed$s-merged.json")
done
/usr/bin/python3 "$here/summarise.py" "${reports[@]}"
echo
/usr/bin/python3 - "${reports[@]}" <<'EOF'
import json, sys
for p in sys.argv[1:]:
    r = json.load(open(p))
    k, n = r["kafka"], r["kafka_no_feedback"]
    print(f"seed {r['seed']}: {k['decisions']}/{k['requests_sent']} decisions, {k['duplicates']} duplicates, "
          f"feedback {k['feedback_sent']}, max in flight {k['max_in_flight']}, {k['elapsed_s']:.0f} s "
          f"(no feedback: {n['elapsed_s']:.0f} s); shock price mismatch {k['shock_price_mismatch']:.1e}; "
          f"same choice as router-no-shared-base {100 * k['same_choice_as_router-no-shared-base']:.2f}%")
    if "kafka_pooled" in r:
        q = r["kafka_pooled"]
        print(f"  pooled: {q['decisions']}/{q['requests_sent']} decisions, {q['duplicates']} duplicates, "
              f"feedback {q['feedback_sent']}, {q['elapsed_s']:.0f} s")
EOF
echo "reports and daemon logs in $out"
