#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite:
#   1. Release build, every Catch2 test through CTest, plus the daemon's end-to-end tests (the
#      daemon on its embedded mock cluster driven by kafka-python) and the ops checks;
#   2. the same suite built with -fsanitize=address,undefined;
#   3. the libFuzzer target on the JSON loaders for a bounded time (FUZZ_SECONDS, default 60);
#   4. a smoke run of the benchmark (it must keep building and running; figures are not judged).
# A failed test stops the script (non-zero exit). A skipped test (exit 77: a tool is missing) is
# reported apart from the passes, and fails the script when CI=true, where install-deps.sh has
# installed every tool.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

# run_ctest <build dir> <log name>: the whole CTest suite, its output kept in <build dir>/<log>.
# With pipefail (lib.sh) a ctest failure is the pipeline's status, so set -e stops here.
run_ctest() {
  (cd "$1" && ctest --output-on-failure -j "$JOBS" | tee "$2")
}

section "dependencies"
bash scripts/install-deps.sh

section "release build and tests"
build_tree build -DCMAKE_BUILD_TYPE=Release -DHANZO_BUILD_TESTS=ON -DHANZO_BUILD_BENCH=ON
run_ctest build ctest-release.log

section "sanitizer build (ASan + UBSan) and tests"
# -O1 -g1: ASan's recommended optimisation, and line tables (enough for its reports' file:line)
# instead of full debug info: about half the compile time of -O2 -g (four of the heaviest
# translation units: 107 s -> 57 s, `python3 scripts/compile_time.py`), the largest stage of CI on
# two cores.
build_tree build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHANZO_SANITIZE=ON -DHANZO_BUILD_TESTS=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest build-asan ctest-asan.log

section "fuzzing the JSON loaders and the wire decoders, ${FUZZ_SECONDS:-60} s each"
CC=clang CXX=clang++ build_tree build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHANZO_FUZZ=ON -DHANZO_BUILD_TESTS=OFF
fuzz() {  # fuzz <target> <corpus dir> [libFuzzer flags...]: a scratch copy of the corpus, bounded time
  local target=$1 seeds=$2; shift 2
  local corpus
  corpus=$(mktemp -d)
  cp "$seeds"/* "$corpus"/
  if ! "./build-fuzz/bin/$target" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/$target-" "$@" "$corpus" > "build-fuzz/$target.log" 2>&1; then
    tail -n 40 "build-fuzz/$target.log"
    echo "fuzz: $target failed; the input that did it is build-fuzz/$target-*" >&2
    exit 1
  fi
  tail -n 3 "build-fuzz/$target.log"
  rm -rf "$corpus"
}
fuzz fuzz_model_json tests/fuzz/corpus -dict=tests/fuzz/model_json.dict
fuzz fuzz_wire tests/fuzz/corpus_wire -dict=tests/fuzz/wire.dict

section "benchmark smoke run"
./build/bin/hanzo-hmm-bench --quick | tail -n 4
./build/bin/hanzo-mm-bench --quick
./build/bin/hanzo-wire-bench --quick | tail -n 1
bash bench/daemon/run.sh build/bin --quick

section "summary"
not_run() {  # not_run <ctest log>: the tests CTest skipped (exit 77) or found disabled
  grep -E '^[[:space:]]+[0-9]+ - .* \((Skipped|Disabled)\)$' "$1" || true
}
summary() {  # summary <name> <ctest log>: CTest's verdict, then "N passed, N failed, N skipped"
  local line total failed skipped
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$2")
  total=${line##* out of }
  failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed.*/\1/')
  # CTest counts a skipped test among the passed ones (and lists it as "<n> - <name> (Skipped)").
  skipped=$(not_run "$2" | grep -c . || true)
  echo "$1: $line"
  echo "$1: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
}
skipped=$(cat <(not_run build-asan/ctest-asan.log) <(not_run build/ctest-release.log) | grep -c . || true)
ci_failed=""
case "${CI:-}" in
  true | TRUE | True | 1)
    if [ "$skipped" -gt 0 ]; then
      not_run build-asan/ctest-asan.log | sed -E 's/^[[:space:]]+/sanitizers: not run: /' >&2
      not_run build/ctest-release.log | sed -E 's/^[[:space:]]+/release: not run: /' >&2
      echo "FAIL: $skipped tests skipped with CI=true: a tool is missing although install-deps.sh ran" >&2
      ci_failed=1
    fi ;;
esac
summary "sanitizers" build-asan/ctest-asan.log
summary "release" build/ctest-release.log
[ -z "$ci_failed" ] || exit 1
