#!/usr/bin/env bash
# usage: tests/faults/soak.sh [BUILD_DIR=build] [RUNS=10]
# Runs the fault tests (ctest -L faults: kill_loop, rebalance, broker_faults, sigterm_faults,
# slow_consumer, exactly_once) RUNS times in a row while a CPU hog keeps every core busy, since
# their timing bugs show up when the daemon and the mock broker are starved of CPU. Stops at
# the first failure (or skip) and prints that test's output. Prints a table run x test (pass or
# FAIL, seconds) and a closing line "soak: N passed, N failed".
#   SOAK_TESTS=REGEX  only the fault tests matching it, e.g. SOAK_TESTS=slow_consumer
# The tests must be built (e.g. cmake --build BUILD_DIR). Logs: BUILD_DIR/soak/run-NN/TEST.log.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
runs=${2:-10}
[[ $build == /* ]] || build=$root/$build
usage() { echo "usage: $0 [BUILD_DIR=build] [RUNS=10] (SOAK_TESTS=REGEX to pick tests): $*" >&2; exit 64; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage "RUNS must be a positive integer, not '$runs'"
[ -f "$build/CTestTestfile.cmake" ] || usage "$build is not a configured build directory"

mapfile -t tests < <(ctest --test-dir "$build" -N -L faults | sed -nE 's/^ *Test +#[0-9]+: (.*)$/\1/p' |
                     grep -E -- "${SOAK_TESTS:-.}" || true)
[ ${#tests[@]} -gt 0 ] || usage "no fault test in $build matches '${SOAK_TESTS:-.}'"

# The hog: stress-ng if installed, else one `yes` per core. Stopped on any exit (trap), and
# by a watcher should this script die without running its traps (SIGKILL).
hogs=()
stop_hog() {
  [ ${#hogs[@]} -eq 0 ] && return
  kill "${hogs[@]}" 2>/dev/null || true
  wait "${hogs[@]}" 2>/dev/null || true
  hogs=()
}
trap stop_hog EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cores=$(nproc)
if command -v stress-ng >/dev/null; then
  stress-ng --cpu "$cores" --quiet &
  hogs+=($!)
else
  for ((i = 0; i < cores; i++)); do
    yes > /dev/null &
    hogs+=($!)
  done
fi
(while kill -0 $$ 2>/dev/null; do sleep 1; done; kill "${hogs[@]}" 2>/dev/null) &
hogs+=($!)

logs=$build/soak
mkdir -p "$logs"
echo "soak: ${#tests[@]} fault tests x $runs runs, CPU hog on $cores cores; logs in $logs"
short=()
for t in "${tests[@]}"; do short+=("${t#e2e.}"); done
width=10
for s in "${short[@]}"; do [ ${#s} -lt $width ] || width=$((${#s} + 1)); done
printf '%-4s' run
for s in "${short[@]}"; do printf " %-${width}s" "$s"; done
printf '\n'

passed=0 failed=0
for ((run = 1; run <= runs; run++)); do
  dir=$logs/$(printf 'run-%02d' "$run")
  mkdir -p "$dir"
  printf '%-4s' "$run"
  for t in "${tests[@]}"; do
    log=$dir/$t.log
    start=$(date +%s)
    set +e
    ctest --test-dir "$build" -R "^${t//./\\.}\$" --output-on-failure > "$log" 2>&1
    rc=$?
    set -e
    secs=$(($(date +%s) - start))
    # ctest exits 0 for a skipped test; a skip is not a pass (nor is "no test ran").
    if [ $rc -eq 0 ] && grep -q "100% tests passed, 0 tests failed out of 1$" "$log" &&
       ! grep -qE '\((Skipped|Disabled)\)$' "$log"; then
      passed=$((passed + 1))
      printf " %-${width}s" "pass ${secs}s"
    else
      failed=$((failed + 1))
      printf " %-${width}s\n\n" "FAIL ${secs}s"
      echo "== $t failed in run $run (ctest exit $rc); its output ($log):"
      cat "$log"
      echo "soak: $passed passed, $failed failed"
      exit 1
    fi
  done
  printf '\n'
done
echo "soak: $passed passed, $failed failed"
