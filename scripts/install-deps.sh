#!/usr/bin/env bash
# Installs every Debian 12 package hanzo-hmm needs to build, test and benchmark.
# Idempotent: packages already present are left alone. Run as root (or with sudo).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev
  # libraries
  libboost1.81-dev libboost-json1.81-dev
  libcaf-dev librdkafka-dev libsystemd-dev libtomlplusplus-dev libjemalloc-dev
  prometheus-cpp-dev
  # tests and benchmarks
  catch2 libbenchmark-dev libghmm-dev liblapack-dev
  # end-to-end tooling: Kafka clients, promtool, systemd-analyze
  kcat python3-kafka prometheus systemd
  # schema checks of the wire examples (tests/wire/check_schemas.py)
  python3-jsonschema
  # every alert has a promtool case and a runbook section (tests/ops/check_alerts_covered.py)
  python3-yaml
  # every shell script passes shellcheck (tests/ops/check_shell.sh)
  shellcheck
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
