"""The verdict of a test whose tool is missing, for the Python test scripts.

In CI (CI=true) every tool is installed by scripts/install-deps.sh, so a missing one is a
failure (exit 1); elsewhere the test is skipped (exit 77, CTest's SKIP_RETURN_CODE) with the
reason. Never a silent pass. Import it with the tests/common directory on sys.path.
"""

import os
import sys

SKIP = 77


def in_ci():
    return os.environ.get("CI", "").lower() in ("true", "1")


def missing_tool(reason):
    """Exits: 1 in CI, 77 elsewhere, printing the reason."""
    if in_ci():
        print("FAIL: %s (CI=true: scripts/install-deps.sh installs every tool)" % reason, file=sys.stderr, flush=True)
        sys.exit(1)
    print("SKIP: " + reason, flush=True)
    sys.exit(SKIP)
