#!/usr/bin/env bash
# usage: check_shell.sh SOURCE_DIR
# Every shell script of the repository (scripts/, bench/, tests/, .ci/run) passes shellcheck,
# notes included; a script that needs an exception says why in a directive beside the line.
set -euo pipefail
root=$1
command -v shellcheck >/dev/null ||
  exec sh "$root/tests/common/missing_tool.sh" "shellcheck not installed (apt-get install shellcheck)"
cd "$root"
mapfile -t files < <(find scripts bench tests .ci -type f \( -name '*.sh' -o -path .ci/run \) | sort)
# A find that matched nothing (a moved folder) would check nothing and pass.
[ ${#files[@]} -ge 20 ] || { echo "only ${#files[@]} shell scripts found under $root" >&2; exit 1; }
shellcheck -x "${files[@]}"
echo "shellcheck: ${#files[@]} scripts clean"
