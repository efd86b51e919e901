#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite:
#   1. Release build, every Catch2 test through CTest;
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
  ctest --output-on-failure -j "$JOBS")

section "fuzzing the JSON loaders for ${FUZZ_SECONDS:-60} s"
CC=clang CXX=clang++ build_tree build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHANZO_FUZZ=ON -DHANZO_BUILD_TESTS=OFF
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp tests/fuzz/corpus/* "$corpus"/
./build-fuzz/bin/fuzz_model_json -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
  -artifact_prefix="$corpus/" "$corpus" 2>&1 | tail -n 5

section "benchmark smoke run"
./build/bin/hanzo-hmm-bench --quick | tail -n 4

section "release suite summary"
tail -n 3 build/ctest-release.log
