#!/usr/bin/env bash
# Whether an embedded hanzo-hmmd holds requests up in bursts, and how often: starts
# `hanzo-hmmd --embedded-kafka`, drives it with `hanzo-hmm loadgen --rate RATE` (1,000 tenants)
# for SECONDS + 8, and from 5 s in scrapes /metrics every 50 ms for SECONDS. For each 50 ms
# window it counts the requests whose time in the daemon (hanzo_hmmd_processing_seconds: poll
# loop -> producer) was over 5 ms, and prints the windows that had any as "TIME:COUNT" (seconds
# from the first scrape); then a summary line. Bursts that recur at a fixed period point at
# work done in step (e.g. state records, daemon.state_interval_seconds); scattered ones at
# cores shared with the load generator. The scrapes cost the daemon some CPU themselves.
# Usage: stalls.sh BIN_DIR RATE [SECONDS (6)]. Extra daemon arguments: HMMD_ARGS.
set -euo pipefail
# shellcheck source=bench/daemon/embedded.sh
source "$(dirname "$0")/embedded.sh"
usage="usage: stalls.sh BIN_DIR RATE [SECONDS]"
bin=${1:?$usage}
rate=${2:?$usage}
secs=${3:-6}
need_positive stalls.sh RATE "$rate"
need_positive stalls.sh SECONDS "$secs"
work=$(mktemp -d)
daemon=
trap 'if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

start_hmmd "$bin" "$work"
url=$(metrics_url "$work/log")
"$bin/hanzo-hmm" loadgen --bootstrap "$bs" --tenants 1000 --rate "$rate" --duration $((secs + 8)) --json \
  >"$work/loadgen.json" 2>"$work/loadgen.err" &
loadgen=$!
sleep 5
/usr/bin/python3 - "$url" "$secs" <<'PY'
import re, sys, time, urllib.request
url, secs = sys.argv[1], float(sys.argv[2])
def scrape():
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    b = dict(re.findall(r'^hanzo_hmmd_processing_seconds_bucket\{le="([^"]+)"\} (\S+)', text, re.M))
    return time.monotonic(), float(b["+Inf"]), float(b["+Inf"]) - float(b["0.005"])
prev = scrape()
t0, windows, slow_windows, total, slow = prev[0], 0, [], 0, 0
while prev[0] - t0 < secs:
    time.sleep(0.05)
    cur = scrape()
    n, s = cur[1] - prev[1], cur[2] - prev[2]
    windows += 1; total += n; slow += s
    if s > 0:
        slow_windows.append(f"{cur[0] - t0:.2f}:{int(s)}")
    prev = cur
print(" ".join(slow_windows))
print(f"{len(slow_windows)} of {windows} windows held requests over 5 ms; {int(slow)} of {int(total)} requests "
      f"({100 * slow / max(total, 1):.2f}%)")
PY
wait "$loadgen" || { cat "$work/loadgen.err" >&2; exit 1; }
/usr/bin/python3 -c "import json,sys; l=json.load(open(sys.argv[1]))['latency_ms']; print('loadgen: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms' % (l['p50'], l['p99'], l['p999']))" "$work/loadgen.json"
