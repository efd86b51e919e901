"""e2e: configuration and usage errors exit with the documented codes and name the culprit.

Exit codes (hanzo-hmmd --help): 0 OK, 78 configuration error (EX_CONFIG,
systemd's RestartPreventExitStatus), 64 usage error (EX_USAGE).
- --check-config on the shipped config/hanzo-hmmd.toml, and with no --config at all -> 0;
- files with an unknown key, an out-of-bounds value, a wrong type, a broken cross-key rule, a
  TOML syntax error, auto-commit turned on, a bad topic name; a missing file -> 78, and stderr
  names the key (or file);
- --metrics-listen nonsense -> 78, with and without --check-config;
- unknown flags, a flag missing its value, a non-numeric --threads -> 64;
- a run (embedded Kafka) with an unknown librdkafka property under [kafka] -> 78 naming it, and
  --check-config must refuse that file the same way (it is the same configuration error).
Nothing here may hang: every run has a deadline.
"""

import os

import harness as h


def body():
    binary, source, _ = h.parse_args()
    shipped = os.path.join(source, "config", "hanzo-hmmd.toml")
    errors = []

    def expect(args, code, names=(), what=None, timeout=30):
        rc, out, err = h.run_binary(binary, args, timeout=timeout)
        label = what or " ".join(args)
        if rc != code:
            errors.append("%s: exit %s, expected %s (stderr: %s)" % (label, rc, code, err.strip()[-600:]))
            return
        for n in names:
            if n not in err:
                errors.append("%s: exit %s as expected, but stderr does not name %r: %s" % (label, rc, n,
                                                                                        err.strip()[-600:]))

    expect(["--check-config", "--config", shipped], 0, what="--check-config on config/hanzo-hmmd.toml")
    expect(["--check-config"], 0, what="--check-config on the built-in defaults")
    expect(["--check-config", "--config", shipped, "--metrics-listen", "127.0.0.1:0"], 0)

    bad_files = [
        ("unknown key", "[daemon]\nmax_resident_tenant = 5\n", ["daemon.max_resident_tenant"]),
        ("unknown table", "[deamon]\nmax_resident_tenants = 5\n", ["deamon"]),
        ("out of bounds (0 tenants)", "[daemon]\nmax_resident_tenants = 0\n", ["daemon.max_resident_tenants"]),
        ("out of bounds (idle time)", "[daemon]\ntenant_idle_seconds = -1.0\n", ["daemon.tenant_idle_seconds"]),
        ("out of bounds (router actors)", "[daemon]\nrouter_actors = 1000\n", ["daemon.router_actors"]),
        ("out of bounds (market)", "[market]\nmax_shock = -2.0\n", ["market.max_shock"]),
        ("wrong type", '[daemon]\nmax_in_flight = "lots"\n', ["daemon.max_in_flight"]),
        ("resume >= max in flight", "[daemon]\nmax_in_flight = 100\nresume_in_flight = 100\n",
         ["daemon.resume_in_flight"]),
        ("TOML syntax", "[daemon\nmax_in_flight = 1\n", ["hanzo-hmmd.toml"]),
        ("auto commit on", '[kafka]\n"enable.auto.commit" = "true"\n', ["enable.auto.commit"]),
        ("bad topic name", '[topics]\nrequests = "no spaces allowed"\n', ["topics.requests"]),
        ("duplicate topics", '[topics]\nrequests = "same"\nfeedback = "same"\n', ["topics."]),
        ("bad metrics.listen", '[metrics]\nlisten = "localhost"\n', ["metrics.listen"]),
    ]
    for what, text, names in bad_files:
        path = h.write_config(text)
        expect(["--check-config", "--config", path], 78, names, what="--check-config, " + what)
    missing = os.path.join(os.path.dirname(h.write_config("")), "does-not-exist.toml")
    expect(["--check-config", "--config", missing], 78, ["does-not-exist.toml"], what="missing config file")
    # The same errors stop a real start too (before any Kafka or metrics work).
    path = h.write_config("[daemon]\nmax_resident_tenant = 5\n")
    expect(["--config", path, "--embedded-kafka", "--metrics-listen", "127.0.0.1:0"], 78,
           ["daemon.max_resident_tenant"], what="run with an unknown key")

    expect(["--metrics-listen", "nonsense", "--embedded-kafka"], 78, ["nonsense"], what="run, --metrics-listen nonsense")
    expect(["--check-config", "--metrics-listen", "nonsense"], 78, ["nonsense"])
    expect(["--check-config", "--metrics-listen", "127.0.0.1:99999"], 78, ["99999"])

    expect(["--no-such-flag"], 64, ["--no-such-flag"])
    expect(["--check-config", "--bogus"], 64, ["--bogus"])
    expect(["--config"], 64, what="--config without a value")
    expect(["--threads", "many", "--check-config"], 64, what="--threads many")
    expect(["stray-argument", "--check-config"], 64, what="a positional argument")

    # An unknown librdkafka property: only librdkafka knows its names.
    kafka_bad = h.write_config('[kafka]\n"no.such.property" = "1"\n')
    expect(["--config", kafka_bad, "--embedded-kafka", "--metrics-listen", "127.0.0.1:0"], 78, ["no.such.property"],
           what="run with [kafka] no.such.property", timeout=60)
    expect(["--check-config", "--config", kafka_bad], 78, ["no.such.property"],
           what="--check-config with [kafka] no.such.property")
    kafka_bad_value = h.write_config('[kafka]\n"session.timeout.ms" = "soon"\n')
    expect(["--config", kafka_bad_value, "--embedded-kafka", "--metrics-listen", "127.0.0.1:0"], 78,
           ["session.timeout.ms"], what="run with [kafka] session.timeout.ms = soon", timeout=60)

    if errors:
        raise h.Failure("%d problem(s):\n  " % len(errors) + "\n  ".join(errors))


if __name__ == "__main__":
    h.main(body)
