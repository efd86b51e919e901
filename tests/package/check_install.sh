#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and builds a consumer against it with
# find_package(hanzo-hmm): headers, library, package config and the CLI must all be there.
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/hanzo-hmm" || { echo "hanzo-hmm not installed"; exit 1; }
test -f "$tmp/prefix/include/hanzo/hmm/hmm.hpp" || { echo "headers not installed"; exit 1; }
cmake -S "$src/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out=$("$tmp/consumer/consumer")
[ "$out" = "0.0007113" ] || { echo "consumer printed '$out', expected 0.0007113"; exit 1; }
echo "find_package(hanzo-hmm) consumer OK: $out"
