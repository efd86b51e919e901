# shellcheck shell=bash
# Shared by the scripts here and the bench scripts: build a tree, wait for a process to be ready.
# usage: build_tree <dir> [cmake args...]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${JOBS:-$(nproc)}

build_tree() {
  local dir=$1; shift
  cmake -S "$ROOT" -B "$ROOT/$dir" -G Ninja "$@" >/dev/null
  cmake --build "$ROOT/$dir" -j "$JOBS"
}

section() { printf '\n== %s\n' "$*"; }

# bootstrap_servers OUT: the address hanzo-hmmd --embedded-kafka printed to stdout (file OUT).
bootstrap_servers() { sed -n 's/^bootstrap.servers=//p' "$1"; }

# metrics_url LOG: the /metrics address hanzo-hmmd logged to stderr (file LOG: "metrics on http://...").
metrics_url() { grep -o 'metrics on http://[^ ]*' "$1" | head -1 | cut -d' ' -f3; }

# wait_for_line PID LOG TEXT SECONDS: waits until TEXT appears in LOG. If PID exits first or
# SECONDS pass, prints LOG and what went wrong to stderr and exits 1.
wait_for_line() {
  local pid=$1 log=$2 text=$3 seconds=$4
  for _ in $(seq 1 $((seconds * 10))); do
    grep -q "$text" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "process $pid exited before \"$text\"" >&2; exit 1; }
    sleep 0.1
  done
  grep -q "$text" "$log" 2>/dev/null && return 0
  cat "$log" >&2
  echo "no \"$text\" in $log after $seconds s" >&2
  exit 1
}
