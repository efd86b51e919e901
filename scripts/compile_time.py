#!/usr/bin/env python3
"""Times compiling some of the heaviest translation units of a configured build tree under
several optimisation / debug-info flag sets, interleaved, and prints the medians: how the
sanitizer tree's flags in test.sh were chosen.

Usage: python3 scripts/compile_time.py [BUILD_DIR (build-asan)] [REPS (2)]
The tree's compile_commands.json gives each unit's command; its -O and -g flags are replaced by
each variant's. Objects go to a scratch file, the tree is left alone."""
import json, os, shlex, statistics, subprocess, sys, tempfile, time

build = sys.argv[1] if len(sys.argv) > 1 else "build-asan"
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 2
units = ["tests/actors/test_changelog.cpp", "actors/tenant.cpp", "src/routing/decide.cpp",
         "tests/daemon/test_config.cpp"]
variants = {"-O2 -g": ["-O2", "-g"], "-O2 -g1": ["-O2", "-g1"], "-O1 -g1": ["-O1", "-g1"]}

commands = json.load(open(os.path.join(build, "compile_commands.json")))
out = os.path.join(tempfile.mkdtemp(), "unit.o")
times = {v: {u: [] for u in units} for v in variants}
for unit in units:
    entry = next((c for c in commands if c["file"].endswith("/" + unit)), None)
    if entry is None:
        sys.exit(f"compile_time.py: {unit} is not in {build}/compile_commands.json")
    args = [a for a in shlex.split(entry["command"]) if not (a.startswith("-O") or a.startswith("-g"))]
    args[args.index("-o") + 1] = out
    for _ in range(reps):
        for name, flags in variants.items():  # interleaved: a slow spell hits every variant
            start = time.monotonic()
            subprocess.run(args[:1] + flags + args[1:], cwd=entry["directory"], check=True)
            times[name][unit].append(time.monotonic() - start)
for name in variants:
    medians = {u: statistics.median(times[name][u]) for u in units}
    print(f"{name:8} total {sum(medians.values()):6.1f} s  " +
          "  ".join(f"{os.path.basename(u)} {t:.1f}" for u, t in medians.items()))
