#!/usr/bin/env bash
# Kafka bytes per decided request in OPEN loop (the write-path target: changelog <= 400 B at
# 5,000 requests/s): the embedded daemon, `hanzo-hmm loadgen` at RATE for SECONDS (1,000
# tenants, ticks and feedback as in the demo), then kcat reads every record of the tenant-state
# topic and sums key + value bytes per decided request. The mock keeps 5 MiB a partition: the
# changelog must fit (the script checks its partitions still start at offset 0); the decisions
# do not (~2.8 KB each), so their size is the mean of the records still retained.
# Usage: bench/daemon/open_loop_bytes.sh [BIN_DIR=build/bin] [RATE=5000] [SECONDS=8]
set -euo pipefail
# shellcheck source=bench/daemon/embedded.sh
source "$(dirname "$0")/embedded.sh"
bin=${1:-build/bin}
rate=${2:-5000}
seconds=${3:-8}
work=$(mktemp -d)
daemon=
trap 'if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
start_hmmd "$bin" "$work"
"$bin/hanzo-hmm" loadgen --bootstrap "$bs" --tenants 1000 --rate "$rate" --duration "$seconds" --json \
  >"$work/report.json"
sleep 2  # the last state records
sum_topic() {  # sum_topic TOPIC -> "records bytes first_offset_min"
  kcat -b "$bs" -C -t "$1" -o beginning -e -q -f '%p %o %K %S\n' 2>/dev/null |
    awk '{n++; b += ($3 < 0 ? 0 : $3) + ($4 < 0 ? 0 : $4); if ($2 == 0) zero[$1] = 1; parts[$1] = 1}
         END {missing = 0; for (p in parts) if (!(p in zero)) missing++; printf "%d %d %d\n", n, b, missing}'
}
read -r dn db dmiss < <(sum_topic hanzo.hmm.decisions)
read -r cn cb cmiss < <(sum_topic hanzo.hmm.tenant-state)
/usr/bin/python3 - "$work/report.json" "$dn" "$db" "$cn" "$cb" "$dmiss" "$cmiss" "$rate" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
dn, db, cn, cb, dmiss, cmiss, rate = (int(x) for x in sys.argv[2:])
decided = r["decisions_received"]
if cmiss:
    sys.exit(f"the mock dropped changelog records ({cmiss} partitions not starting at offset 0); lower RATE or SECONDS")
print(f"open loop {rate} requests/s: sent {r['requests_sent']}, decided {decided}, feedback {r['feedback_sent']}; "
      f"p50 {r['latency_ms']['p50']:.1f} ms, p99 {r['latency_ms']['p99']:.1f} ms")
print(f"decisions: {db / dn:.0f} B per record (mean of the {dn} still retained)")
print(f"changelog: {cn} records ({cn / decided:.2f} per decided request), {cb / decided:.0f} B per decided request "
      f"(target <= 400)")
print(json.dumps({"bench": "open_loop_bytes", "rate": rate, "decided": decided, "decision_bytes_per_record": db / dn,
                  "changelog_records_per_request": cn / decided, "changelog_bytes_per_request": cb / decided}))
PY
