#!/bin/sh
# missing_tool.sh REASON: the verdict of a test whose tool is missing. In CI (CI=true) every tool
# is installed by scripts/install-deps.sh, so a missing one is a failure (exit 1); elsewhere the
# test is skipped (exit 77, CTest's SKIP_RETURN_CODE) with the reason. Never a silent pass.
# Run it as a test's command, or `exec` it from a test script.
case "${CI:-}" in
  true | TRUE | True | 1)
    echo "FAIL: $1 (CI=true: scripts/install-deps.sh installs every tool)" >&2
    exit 1 ;;
esac
echo "SKIP: $1"
exit 77
