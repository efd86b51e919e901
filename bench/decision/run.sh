#!/usr/bin/env bash
# Decision quality against a hidden truth, in-process: `hanzo-hmm simulate` over several seeds,
# the router against every baseline, medians per policy (bench/decision/README.md).
# Usage: bench/decision/run.sh [BIN_DIR (default build/bin)] [PRESET (default full)] [SEEDS (default "1 2 3 4 5")]
# Writes the per-seed JSON, the regret CSV and SVG of the first seed to $OUT (default a temp dir).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-build/bin}
preset=${2:-full}
seeds=${3:-1 2 3 4 5}
extra=${EXTRA_FLAGS:-}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
reports=()
first=1
for s in $seeds; do
  files=(--json "$out/seed$s.json")
  if [ $first = 1 ]; then files+=(--csv "$out/regret.csv" --svg "$out/regret.svg"); first=0; fi
  # shellcheck disable=SC2086
  "$bin/hanzo-hmm" simulate --preset "$preset" --seed "$s" $extra "${files[@]}" >/dev/null
  reports+=("$out/seed$s.json")
done
/usr/bin/python3 "$here/summarise.py" "${reports[@]}"
echo
echo "reports, regret.csv and regret.svg (first seed) in $out"
