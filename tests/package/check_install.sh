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
# The daemon, its unit (pointing at the installed binary and config) and the default config.
test -x "$tmp/prefix/bin/hanzo-hmmd" || { echo "hanzo-hmmd not installed"; exit 1; }
unit="$tmp/prefix/lib/systemd/system/hanzo-hmmd.service"
test -f "$unit" || { echo "hanzo-hmmd.service not installed"; exit 1; }
# (The unit names the configure-time prefix; --prefix here only relocates the files.)
grep -qE '^ExecStart=.*/bin/hanzo-hmmd --config .*hanzo-hmmd.toml$' "$unit" || { echo "unit's ExecStart is wrong"; exit 1; }
config=$(find "$tmp/prefix" -name hanzo-hmmd.toml | head -1)
test -n "$config" || { echo "hanzo-hmmd.toml not installed"; exit 1; }
"$tmp/prefix/bin/hanzo-hmmd" --check-config --config "$config" >/dev/null || { echo "installed config does not check"; exit 1; }
cmake -S "$src/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out=$("$tmp/consumer/consumer")
[ "$out" = "0.0007113" ] || { echo "consumer printed '$out', expected 0.0007113"; exit 1; }
echo "find_package(hanzo-hmm) consumer OK: $out"
