#!/usr/bin/env bash
# Where an embedded hanzo-hmmd spends its CPU at a fixed open-loop rate, per group of threads.
# Starts `hanzo-hmmd --embedded-kafka`, drives it with `hanzo-hmm loadgen --rate RATE` for
# SECONDS (1,000 tenants, the load generator's default ticks and feedback), and reads every
# thread's user + system time from /proc between 4 s after the start and 3 s before the end, so
# start-up and drain are left out. Prints one line per thread group: threads, cores (CPU seconds
# per second) and CPU microseconds per request at RATE; then the whole process. The load
# generator runs on the same cores and is not counted.
# Thread groups (by the name the kernel shows, `top -H`):
#   rdk:mock         the in-process broker (librdkafka's mock cluster)
#   rdk:broker*      librdkafka's per-broker threads of the daemon's clients
#   rdk:main         librdkafka's main threads
#   caf.multiplexer  CAF's scheduler workers (CAF 0.17 gives its workers that name)
#   caf.clock        CAF's timer thread
#   hmmd.ingest      the poll loop (fetch, validation, produce, commits)
#   hanzo-hmmd       the main thread (signals, the watchdog)
# Usage: threads.sh BIN_DIR RATE [SECONDS (20)]. Extra daemon arguments: HMMD_ARGS.
set -euo pipefail
# shellcheck source=bench/daemon/embedded.sh
source "$(dirname "$0")/embedded.sh"
bin=${1:?usage: threads.sh BIN_DIR RATE [SECONDS]}
rate=${2:?usage: threads.sh BIN_DIR RATE [SECONDS]}
secs=${3:-20}
need_positive threads.sh RATE "$rate"
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -lt 10 ]; then
  echo "threads.sh: SECONDS must be at least 10, not '$secs'" >&2; exit 64
fi
work=$(mktemp -d)
daemon=
trap 'if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

start_hmmd "$bin" "$work"

# snapshot FILE: "tid name ticks" for every thread of the daemon (names may hold spaces: none here).
snapshot() {
  for t in /proc/"$daemon"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null || echo gone)" \
      "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)"
  done | sort >"$1"
}
"$bin/hanzo-hmm" loadgen --bootstrap "$bs" --tenants 1000 --rate "$rate" --duration "$secs" --json \
  >"$work/loadgen.json" 2>"$work/loadgen.err" &
loadgen=$!
sleep 4
snapshot "$work/a"
t0=$(date +%s.%N)
sleep $((secs - 7))
snapshot "$work/b"
t1=$(date +%s.%N)
wait "$loadgen" || { cat "$work/loadgen.err" >&2; exit 1; }
kill -TERM "$daemon"
wait "$daemon" || true
daemon=

hz=$(getconf CLK_TCK)
# Threads present in both snapshots; a thread that started or ended in between is left out.
join "$work/a" "$work/b" | awk -v hz="$hz" -v wall="$(echo "$t1 - $t0" | bc)" -v rate="$rate" '
  { name = $2; sub(/-?[0-9]+$/, "", name); if (name == "rdk:broker") name = "rdk:broker*"
    ticks[name] += $5 - $3; threads[name]++; total += $5 - $3 }
  END {
    printf "%-16s %7s %7s %12s\n", "threads", "count", "cores", "us/request"
    for (n in ticks) printf "%-16s %7d %7.3f %12.2f\n", n, threads[n], ticks[n] / hz / wall, ticks[n] / hz / wall / rate * 1e6 | "sort -k3 -rn"
    close("sort -k3 -rn")
    printf "%-16s %7s %7.3f %12.2f\n", "(the process)", "", total / hz / wall, total / hz / wall / rate * 1e6
  }'
