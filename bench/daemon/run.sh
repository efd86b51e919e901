#!/usr/bin/env bash
# Issue 4, section 8, in one run on this machine: (a) the raw librdkafka passthrough ceiling,
# (b) hanzo-hmmd end to end, their ratio, latency at half of the maximum rate (and a raw passthrough's
# at the same rate: hanzo-responder-bench), and resident memory
# per dormant tenant. Every figure is measured here, now; ratios only compare figures of this run.
# Usage: bench/daemon/run.sh [BIN_DIR (default build/bin)] [--quick]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-build/bin}
quick=${2:-}
if [ "$quick" = --quick ]; then
  pass_args=(--quick); daemon_args=(--quick); lat_args=(3 5)
else
  pass_args=(); daemon_args=(--memory 100000,1000000); lat_args=(10 20)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$bin/hanzo-passthrough-bench" "${pass_args[@]}" 2>/dev/null | tail -n 1 >"$out/pass.json"
"$bin/hanzo-daemon-bench" "${daemon_args[@]}" 2>/dev/null | tail -n 1 >"$out/daemon.json"
"$here/latency.sh" "$bin" "${lat_args[@]}" 2>/dev/null | tail -n 1 >"$out/latency.json"

/usr/bin/python3 - "$out" "$quick" <<'PY'
import json, sys, os
d = sys.argv[1]
if sys.argv[2] == "--quick":
    print("(--quick: a smoke run; too few messages and seconds for the figures to be compared with the targets)")
p, m, l = (json.load(open(os.path.join(d, f))) for f in ("pass.json", "daemon.json", "latency.json"))
dps = m["decisions_per_s"]
same = p["reply_passthrough_per_s"]
echo = p["passthrough_per_s"]
print(f"passthrough, same sizes (275-byte requests in, {p['reply_bytes']}-byte decisions out): {same:.0f} msg/s")
print(f"passthrough, echo (275 bytes in and out): {echo:.0f} msg/s; produce alone {p['produce_per_s']:.0f} msg/s")
print(f"hanzo-hmmd end to end: {dps:.0f} decisions/s -> {dps / same:.2f}x the same-size passthrough "
      f"(target >= 0.5), {dps / echo:.2f}x the echo")
print(f"latency at half of {l['max_decisions_per_s']} decisions/s ({l['half_rate']} requests/s): "
      f"p50 {l['p50_ms']:.1f} ms, p99 {l['p99_ms']:.1f} ms (target p99 <= 20 ms), missing {l['missing']}")
print(f"  the same load on a raw consume->produce passthrough: p50 {l['passthrough_p50_ms']:.1f} ms, "
      f"p99 {l['passthrough_p99_ms']:.1f} ms -> the daemon adds {l['p99_ms'] - l['passthrough_p99_ms']:.1f} ms at p99")
mem = m.get("memory", [])
if len(mem) >= 2:
    a, b = mem[0], mem[-1]
    slope = (b["rss_after"] - a["rss_after"]) / (b["tenants"] - a["tenants"])
    for x in mem:
        print(f"{x['tenants']} tenants: resident {x['rss_after'] / 2**20:.0f} MiB")
    print(f"resident per dormant tenant (slope): {slope:.0f} bytes (target <= 1024)")
else:
    slope = None
print(json.dumps({"bench": "daemon_section8", "same_size_passthrough_per_s": same, "echo_passthrough_per_s": echo,
                  "decisions_per_s": dps, "ratio_same_size": round(dps / same, 3), "ratio_echo": round(dps / echo, 3),
                  "latency": l, "bytes_per_dormant_tenant": slope}))
PY
