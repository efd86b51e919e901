#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and checks what a deployment needs is there:
# programs, unit (naming the installed binary and config), both configs, dashboard, rules,
# example scrape config, schemas and examples, docs; then builds a consumer against it with
# find_package(hanzo-hmm): headers, libraries and package config must all be there.
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p=$tmp/prefix
cmake --install "$build" --prefix "$p" >/dev/null
need() { for f in "$@"; do test -e "$p/$f" || { echo "$f not installed"; exit 1; }; done; }
need bin/hanzo-hmm bin/hanzo-hmmd include/hanzo/hmm/hmm.hpp lib/cmake/hanzo-hmm/hanzo-hmm-config.cmake \
     etc/hanzo-hmm/hanzo-hmmd.toml etc/hanzo-hmm/hanzo-hmm.toml lib/systemd/system/hanzo-hmmd.service \
     share/hanzo-hmm/grafana/hanzo-hmmd.json share/hanzo-hmm/prometheus/alerts.yml \
     share/hanzo-hmm/prometheus/prometheus.yml share/hanzo-hmm/prometheus/metrics.txt \
     share/hanzo-hmm/config/hanzo-hmmd.toml share/doc/hanzo-hmm/runbook.md share/doc/hanzo-hmm/README.md
for s in "$src"/../../config/schemas/*.json "$src"/../../config/schemas/examples/*.json; do
  need "share/hanzo-hmm/schemas/${s#"$src"/../../config/schemas/}"
done
# The daemon's own layers are internal: neither their headers nor their libraries.
for layer in daemon kafka loadgen; do
  test ! -e "$p/include/hanzo/hmm/$layer" || { echo "include/hanzo/hmm/$layer installed without its library"; exit 1; }
  test ! -e "$p/lib/libhanzo-hmm-$layer.a" || { echo "libhanzo-hmm-$layer.a installed"; exit 1; }
done
# The unit and the rules name where they were installed (--prefix), not the configure-time prefix.
unit="$p/lib/systemd/system/hanzo-hmmd.service"
grep -qxF "ExecStart=$p/bin/hanzo-hmmd --config $p/etc/hanzo-hmm/hanzo-hmmd.toml" "$unit" ||
  { echo "unit's ExecStart is wrong: $(grep ExecStart= "$unit")"; exit 1; }
grep -qF "runbook_url: \"file://$p/share/doc/hanzo-hmm/runbook.md#hanzohmmddown\"" "$p/share/hanzo-hmm/prometheus/alerts.yml" ||
  { echo "installed alerts.yml does not point at the installed runbook"; exit 1; }
"$p/bin/hanzo-hmmd" --check-config --config "$p/etc/hanzo-hmm/hanzo-hmmd.toml" >/dev/null || { echo "installed config does not check"; exit 1; }
"$p/bin/hanzo-hmm" config --check "$p/etc/hanzo-hmm/hanzo-hmm.toml" >/dev/null || { echo "installed CLI config does not check"; exit 1; }
cmake -S "$src/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$p" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out=$("$tmp/consumer/consumer")
[ "$out" = "0.0007113" ] || { echo "consumer printed '$out', expected 0.0007113"; exit 1; }
echo "install OK; find_package(hanzo-hmm) consumer OK: $out"
