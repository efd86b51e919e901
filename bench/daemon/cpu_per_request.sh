#!/usr/bin/env bash
# CPU time per decided request of hanzo-daemon-bench builds, the steadier figure on a shared
# machine: the slope of user + system time between --messages 100000 and --messages 300000
# (start-up, prefill and shutdown cancel out; the harness's feeder and the in-process broker
# are included, as they are on both sides of a comparison). The builds are interleaved: each
# round runs every binary once at each size. Medians over the rounds.
# Usage: cpu_per_request.sh ROUNDS BENCH_BINARY... (e.g. an older build's hanzo-daemon-bench
# beside build/bin/hanzo-daemon-bench). The last line is one JSON object.
set -euo pipefail
rounds=$1; shift
[ $# -ge 1 ] || { echo "usage: cpu_per_request.sh ROUNDS BENCH_BINARY..." >&2; exit 64; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for _ in $(seq 1 "$rounds"); do
  for b in "$@"; do
    for n in 100000 300000; do
      /usr/bin/time -o "$work/time" -f "%U %S" "$b" --reps 1 --messages "$n" >"$work/out" 2>"$work/err" ||
        { tail "$work/err" >&2; exit 1; }
      rate=$(grep -o '"decisions_per_s":[0-9]*' "$work/out" | tail -n 1 | cut -d: -f2)
      echo "$b $n $(tail -n 1 "$work/time") $rate" | tee -a "$work/raw" >&2
    done
  done
done
/usr/bin/python3 - "$work/raw" <<'PY'
import collections, json, statistics, sys
cpu = collections.defaultdict(lambda: collections.defaultdict(list))
rate = collections.defaultdict(list)
for line in open(sys.argv[1]):
    b, n, user, sys_, r = line.split()
    cpu[b][int(n)].append(float(user) + float(sys_))
    if int(n) == 300000: rate[b].append(int(r))
out = {}
for b in cpu:
    slopes = [(hi - lo) / 200000 * 1e6 for lo, hi in zip(cpu[b][100000], cpu[b][300000])]
    out[b] = {"us_per_request": round(statistics.median(slopes), 1), "rounds": [round(s, 1) for s in slopes],
              "decisions_per_s_300k": statistics.median(rate[b])}
    print(f"{b}: {out[b]['us_per_request']} us CPU per request (rounds {out[b]['rounds']}), "
          f"{out[b]['decisions_per_s_300k']:.0f} decisions/s at 300,000", file=sys.stderr)
print(json.dumps(out))
PY
