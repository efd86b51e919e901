#!/usr/bin/env bash
# The router without each of its improvements (sampling, forgetting, the shared base, habit_weight
# 0) and with none of them ("router-before"), on the same seeds and streams as run.sh.
# Usage: bench/decision/ablation.sh [BIN_DIR (default build/bin)] [PRESET (default full)] [SEEDS (default "1 2 3 4 5")]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
EXTRA_FLAGS=--ablation exec "$here/run.sh" "$@"
