#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite:
#   1. Release build, every Catch2 test through CTest, plus the daemon's end-to-end tests (the
#      daemon on its embedded mock cluster driven by kafka-python) and the ops checks;
#   2. the same suite built with -fsanitize=address,undefined;
#   3. the libFuzzer target on the JSON loaders for a bounded time (FUZZ_SECONDS, default 60);
#   4. a smoke run of the benchmark (it must keep building and running; figures are not judged).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

section "dependencies"
bash scripts/install-deps.sh

section "release build and tests"
build_tree build -DCMAKE_BUILD_TYPE=Release -DHANZO_BUILD_TESTS=ON -DHANZO_BUILD_BENCH=ON
(cd build && ctest --output-on-failure -j "$JOBS" | tee ctest-release.log)

section "sanitizer build (ASan + UBSan) and tests"
build_tree build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHANZO_SANITIZE=ON -DHANZO_BUILD_TESTS=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$JOBS" | tee ctest-asan.log)

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
bash bench/daemon/run.sh build/bin --quick

section "summary"
summary() {  # summary <name> <ctest log>: CTest's verdict, then a plain "N passed, N failed" line
  local line total failed
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$2")
  total=${line##* out of }
  failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed.*/\1/')
  echo "$1: $line"
  echo "$1: $((total - failed)) passed, $failed failed"
}
summary "sanitizers" build-asan/ctest-asan.log
summary "release" build/ctest-release.log
