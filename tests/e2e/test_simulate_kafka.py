"""e2e: the decision-quality simulator played through hanzo-hmmd (hanzo-hmm simulate --kafka).

Run as: python3 test_simulate_kafka.py HANZO_HMMD SOURCE_DIR PROMTOOL HANZO_HMM

1. `hanzo-hmm simulate --preset small --daemon-config` writes the daemon's configuration of the
   world; a fresh daemon starts with it on its embedded cluster.
2. `hanzo-hmm simulate --preset small --seed 1 --kafka BOOTSTRAP --daemon-metrics URL --ablation`
   plays the stream closed loop per tenant (3,000 requests, 8 tenants, the supply shock as one
   tick; a tenant's next request waits until the daemon has consumed its feedback).
3. Invariants, no timings: every request got exactly one decision (none foreign, no
   duplicates); the oracle is an upper bound (every policy's regret >= 0, per phase too, up to
   1e-9); the daemon-through-Kafka router beats uniform random; the feedback reached the daemon
   (hanzo_hmmd_messages_consumed_total{topic="hanzo.hmm.feedback"} equals the feedback sent, and
   the requests and the tick likewise); the daemon's market after the shock tick is the world's
   (prices equal to 1e-9); the daemon decided exactly as its in-process twin, the library router
   with the daemon's settings (router-no-shared-base: sampling seeded by tenant and request id,
   the same feedback in the same order), on every request; the daemon exits 0 on SIGTERM.
4. The same with `router.shared_base = true` (the daemon's pools per tenant group; the world's
   tenants are named SEGMENT-N): every request decided once, and a regret below the in-process
   router without a shared base (the unpooled daemon's exact twin) — the pools help through the
   daemon too (about 30% less regret on this stream, at 3,000 and at 1,000 requests).
"""

import json
import os
import subprocess
import sys

try:
    import kafka  # noqa: F401
except ImportError:
    # This test reaches Kafka through hanzo-hmm alone: the harness's kafka-python clients are unused.
    sys.modules["kafka"] = type(sys)("kafka")
    for name in ("KafkaConsumer", "KafkaProducer", "TopicPartition"):
        setattr(sys.modules["kafka"], name, None)

import harness as h  # noqa: E402

TOL = 1e-9


def play(binary, cli, config, requests, report_path):
    """A fresh daemon with `config`, the small stream played through it; the report (dict) and
    the daemon, still running."""
    d = h.Daemon(binary, ["--config", config]).start()
    args = [cli, "simulate", "--preset", "small", "--requests", str(requests), "--seed", "1", "--ablation",
            "--kafka", d.bootstrap,
            "--daemon-metrics", d.metrics_url, "--kafka-timeout", "60", "--json", report_path, "--format", "table"]
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=100 * h.slowness())
    except subprocess.TimeoutExpired:
        raise h.Failure("%s did not finish within 100 s; daemon log:\n%s" % (" ".join(args), d.stderr()[-3000:]))
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    h.check(p.returncode == 0, "%s exited %s: %s\ndaemon log:\n%s" % (" ".join(args), p.returncode, err,
                                                                    d.stderr()[-3000:]))
    h.log("\n" + out)
    with open(report_path) as f:
        return json.load(f), d


def pooled_stage(binary, cli, work, config, requests, errors):
    pooled = os.path.join(work, "hanzo-hmmd-pooled.toml")
    with open(config) as f:
        text = f.read()
    h.check("\nshared_base = false\n" in text, "the world's daemon configuration has no router.shared_base line")
    with open(pooled, "w") as f:
        f.write(text.replace("\nshared_base = false\n", "\nshared_base = true\n"))
    report, d = play(binary, cli, pooled, requests, os.path.join(work, "pooled.json"))
    k, n = report["kafka"], report["requests"]
    if not (k["decisions"] == n and k["duplicates"] == 0 and k["foreign"] == 0):
        errors.append("pooled: %d requests, decided %d, %d duplicates, %d foreign" %
                      (n, k["decisions"], k["duplicates"], k["foreign"]))
    policies = {p["name"]: p for p in report["policies"]}
    pooled_regret = policies["router-e2e"]["total_regret"]
    alone = policies["router-no-shared-base"]["total_regret"]
    h.log("pooled daemon: regret %.1f; in-process without a shared base %.1f, with %.1f" %
          (pooled_regret, alone, policies["router"]["total_regret"]))
    if not pooled_regret < alone:
        errors.append("with router.shared_base the daemon's regret %.1f is not below the unpooled router's %.1f"
                      % (pooled_regret, alone))
    rc, log = d.stop(60)
    if rc != 0:
        errors.append("pooled daemon: exit code %s after SIGTERM; stderr tail:\n%s" % (rc, log[-2000:]))


def body():
    if len(sys.argv) < 5 or not os.access(sys.argv[4], os.X_OK):
        raise h.HarnessError("usage: %s HANZO_HMMD SOURCE_DIR PROMTOOL HANZO_HMM (hanzo-hmm not executable)" % sys.argv[0])
    binary, _, _ = h.parse_args(sys.argv[1:4])
    cli = sys.argv[4]
    work = h.tmpdir()
    config = os.path.join(work, "hanzo-hmmd.toml")
    rc, _, err = h.run_binary(cli, ["simulate", "--preset", "small", "--daemon-config", config])
    h.check(rc == 0, "simulate --daemon-config exited %s: %s" % (rc, err))

    # 3,000 requests; fewer under a sanitizer (HANZO_E2E_SCALE), never below 1,000 (the outage and
    # the shock stay in the stream, and the router's margin over random is still about threefold).
    requests = h.scale(3000, 1000)
    report, d = play(binary, cli, config, requests, os.path.join(work, "report.json"))
    k = report["kafka"]
    n = report["requests"]
    h.check(n == requests, "the report has %s requests, %s were asked for" % (n, requests))
    h.log("kafka: %s" % k)
    errors = []
    if not (k["requests_sent"] == n and k["decisions"] == n and k["duplicates"] == 0 and k["foreign"] == 0):
        errors.append("%d requests: sent %d, decided %d, %d duplicates, %d foreign" %
                      (n, k["requests_sent"], k["decisions"], k["duplicates"], k["foreign"]))
    if k["feedback_sent"] != n or k["ticks_sent"] != 1:
        errors.append("feedback sent %d of %d, ticks sent %d of 1" % (k["feedback_sent"], n, k["ticks_sent"]))
    if not 0 <= k["shock_price_mismatch"] <= TOL:
        errors.append("the daemon's prices after the shock differ from the world's by %s (relative)" %
                      k["shock_price_mismatch"])
    same = k.get("same_choice_as_router-no-shared-base")
    if same != 1.0:
        errors.append("the daemon chose as the in-process router-no-shared-base on a share %s of the requests, "
                      "expected all: its learning path differs from the library's" % same)
    policies = {p["name"]: p for p in report["policies"]}
    for name, pol in policies.items():
        regrets = [pol["total_regret"]] + [ph["regret"] for ph in pol["phases"].values()]
        if min(regrets) < -TOL:
            errors.append("%s has a negative regret %s: the oracle is not an upper bound" % (name, regrets))
    e2e, rnd = policies["router-e2e"]["total_regret"], policies["random"]["total_regret"]
    if not e2e < rnd:
        errors.append("router-e2e regret %.1f is not below random's %.1f" % (e2e, rnd))

    # The daemon consumed every feedback, request and tick: counts settle once it has read them all.
    def consumed(topic):
        return h.metric(d.metrics(), "hanzo_hmmd_messages_consumed_total", topic=topic) or 0

    want = {"hanzo.hmm.feedback": k["feedback_sent"], "hanzo.hmm.requests": n, "hanzo.hmm.ticks": 1}
    try:
        h.wait_for(lambda: all(consumed(t) >= c for t, c in want.items()), 30, "the daemon to consume %s" % want, 0.2)
    except h.Failure as e:
        errors.append(str(e))
    got = {t: consumed(t) for t in want}
    if got != want:
        errors.append("hanzo_hmmd_messages_consumed_total %s, sent %s" % (got, want))

    rc, log = d.stop(60)
    if rc != 0:
        errors.append("exit code %s after SIGTERM; stderr tail:\n%s" % (rc, log[-2000:]))
    pooled_stage(binary, cli, work, config, requests, errors)
    if errors:
        raise h.Failure("%d problem(s):\n  " % len(errors) + "\n  ".join(errors))


if __name__ == "__main__":
    h.main(body)
