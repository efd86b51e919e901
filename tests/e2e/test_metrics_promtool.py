"""e2e: the /metrics scrape passes promtool and matches config/prometheus/metrics.txt.

After some traffic (ticks, requests of both statuses, feedback, a malformed message) and a
couple of seconds (lag statistics), the scrape must
- pass `promtool check metrics` (scrape on stdin, exit 0, no lint output);
- name only metric families listed in config/prometheus/metrics.txt, each with the listed type and
  exactly the listed label names (plus `le` on histogram buckets), and expose every listed family
  (`up` is Prometheus's own);
- carry no tenant id in any label value;
- count the traffic it was sent (consumed per topic, decisions per status, DLQ by reason), with
  histogram _count equal to the events it measures.
Then a daemon with renamed topics must label messages_consumed_total{topic} with the configured
topic names (the metric help says "by source topic", and the series must join with
consumer_lag_messages{topic}).
"""

import os
import re
import subprocess
import time

import harness as h

TENANTS = ["tenant-alpha", "tenant-beta", "tenant-gamma"]


def load_contract(path):
    """{name: (type, set(labels))} from metrics.txt."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            name, typ, labels = parts[0], parts[1], parts[2]
            out[name] = (typ, set() if labels == "-" else set(labels.split(",")))
    return out


def families(text):
    """{family: (type, set(label names seen), [sample lines])} from an exposition."""
    types = {}
    for line in text.splitlines():
        m = re.match(r"^# TYPE (\S+) (\S+)$", line)
        if m:
            types[m.group(1)] = m.group(2)
    fam = {name: (typ, set(), []) for name, typ in types.items()}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", line).group(1)
        base = name
        if base not in types:
            for suffix in ("_bucket", "_sum", "_count"):
                if name.endswith(suffix) and name[:-len(suffix)] in types:
                    base = name[:-len(suffix)]
        if base not in fam:
            fam[base] = ("untyped", set(), [])
        labels = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', line.split("}")[0] if "{" in line else ""))
        if name.endswith("_bucket"):
            labels.discard("le")
        if fam[base][0] == "summary":
            labels.discard("quantile")
        fam[base][1].update(labels)
        fam[base][2].append(line)
    return fam


def body():
    binary, source, promtool = h.parse_args(need_promtool=True)
    contract = load_contract(os.path.join(source, "config", "prometheus", "metrics.txt"))
    errors = []

    d = h.Daemon(binary).start()
    prod = h.producer(d.bootstrap)
    decisions = h.TopicReader(d.bootstrap, h.TOPICS["decisions"])
    n_routed, n_rejected, n_ticks, n_fb = 30, 10, 5, 6
    for i in range(n_routed):
        prod.send(h.TOPICS["requests"], key=TENANTS[i % 3].encode(), value=h.dumps(h.request("ok-%d" % i)))
    for i in range(n_rejected):
        prod.send(h.TOPICS["requests"], key=TENANTS[i % 3].encode(),
                  value=h.dumps(h.request("no-%d" % i, requirements={"min_tokens_per_second": 1e6})))
    for i in range(n_ticks):
        prod.send(h.TOPICS["ticks"], value=h.dumps({"dt": 1.0, "flows": [{"class": "cpu", "supply_in": 5, "usage": 5}]}))
    for i in range(n_fb):
        prod.send(h.TOPICS["feedback"], key=TENANTS[i % 3].encode(), value=h.dumps(
            {"request_id": "ok-%d" % i, "model": "gpt-4o", "latency_ms": 500, "tokens_per_second": 80, "quality": 0.9,
             "cost_per_token": 1e-5, "success": True}))
    prod.send(h.TOPICS["requests"], key=b"tenant-alpha", value=b"{not json")
    prod.flush(30)
    decisions.read_until(lambda r: len(r) >= n_routed + n_rejected, 60, "the decisions")
    # Consumer lag comes from librdkafka statistics, refreshed about once a second.
    h.wait_for(lambda: "hanzo_hmmd_consumer_lag_messages{" in d.scrape(), 15, "consumer lag series")
    time.sleep(1.0)
    text = d.scrape()

    # promtool
    p = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True, timeout=60)
    if p.returncode != 0 or p.stdout.strip() or p.stderr.strip():
        errors.append("promtool check metrics exited %d:\n%s%s" % (p.returncode, p.stdout.decode(), p.stderr.decode()))

    # names, types, labels against metrics.txt
    fam = families(text)
    # prometheus-cpp's exposer adds exactly these three of its own (metrics.txt says so); nothing
    # else outside the contract may appear.
    exposer = {"exposer_transferred_bytes_total", "exposer_scrapes_total", "exposer_request_latencies"}
    missing_exposer = exposer - set(fam)
    if missing_exposer:
        errors.append("expected prometheus-cpp's exposer families %s" % sorted(missing_exposer))
    for name, (typ, labels, lines) in sorted(fam.items()):
        if name in exposer:
            continue
        if name not in contract:
            errors.append("exposed family %s (%s) is not in config/prometheus/metrics.txt (e.g. %r)" %
                          (name, typ, lines[0] if lines else ""))
            continue
        want_type, want_labels = contract[name]
        if typ != want_type:
            errors.append("%s is a %s, metrics.txt says %s" % (name, typ, want_type))
        if labels != want_labels:
            errors.append("%s has labels %s, metrics.txt says %s" % (name, sorted(labels), sorted(want_labels)))
    for name in contract:
        if name != "up" and name not in fam:
            errors.append("metrics.txt lists %s, which is not exposed" % name)
    for t in TENANTS:
        if '"%s"' % t in text:
            errors.append("a label value carries tenant id %s" % t)

    # the traffic is counted
    m = h.parse_metrics(text)
    expect = [
        (("hanzo_hmmd_messages_consumed_total", {"topic": h.TOPICS["requests"]}), n_routed + n_rejected + 1),
        (("hanzo_hmmd_messages_consumed_total", {"topic": h.TOPICS["ticks"]}), n_ticks),
        (("hanzo_hmmd_messages_consumed_total", {"topic": h.TOPICS["feedback"]}), n_fb),
        (("hanzo_hmmd_messages_consumed_total", {"topic": h.TOPICS["quotes"]}), 0),
        (("hanzo_hmmd_decisions_total", {"status": "routed"}), n_routed),
        (("hanzo_hmmd_decisions_total", {"status": "rejected"}), n_rejected),
        (("hanzo_hmmd_dlq_messages_total", {"reason": "invalid_json"}), 1),
        (("hanzo_hmmd_request_decision_latency_seconds_count", {}), n_routed + n_rejected),
        (("hanzo_hmmd_processing_seconds_count", {}), n_routed + n_rejected),
        (("hanzo_hmmd_tick_processing_seconds_count", {}), n_ticks),
        (("hanzo_hmmd_event_age_seconds_count", {}), n_routed + n_rejected + 1 + n_ticks + n_fb),
        (("hanzo_hmmd_tenant_actors", {}), len(TENANTS)),
        (("hanzo_hmmd_build_info", None), 1),
    ]
    for (name, labels), want in expect:
        got = h.metric_sum(m, name) if labels is None else h.metric(m, name, **labels)
        if got != want:
            errors.append("%s%s = %s, expected %s" % (name, labels or "", got, want))
    # The daemon's own share is part of the whole latency (which is measured from a Kafka
    # timestamp in whole milliseconds: allow one per decision).
    own, whole = h.metric(m, "hanzo_hmmd_processing_seconds_sum"), h.metric(m, "hanzo_hmmd_request_decision_latency_seconds_sum")
    if own is None or whole is None or not 0 < own <= whole + 0.001 * (n_routed + n_rejected):
        errors.append("processing seconds %s not within (0, request latency seconds %s + 1 ms a decision]" % (own, whole))
    prod.close(5)
    decisions.close()
    rc, err = d.stop(60)
    if rc != 0:
        errors.append("exit code %s after SIGTERM; stderr tail:\n%s" % (rc, err[-2000:]))

    # Renamed topics: the consumed counter is labelled with the names actually consumed.
    names = {k: "e2e.%s" % k for k in ("ticks", "requests", "feedback", "decisions", "prices", "dlq", "quotes",
                                       "quote_answers")}
    cfg = h.write_config("[topics]\n" + "".join('%s = "%s"\n' % kv for kv in names.items()))
    d2 = h.Daemon(binary, ["--config", cfg]).start()
    prod = h.producer(d2.bootstrap)
    prod.send(names["requests"], key=b"tenant-alpha", value=h.dumps(h.request("renamed-1")))
    prod.flush(30)
    dec2 = h.TopicReader(d2.bootstrap, names["decisions"])
    dec2.read_until(lambda r: len(r) >= 1, 60, "the decision on %s" % names["decisions"])
    m2 = d2.metrics()
    consumed = {dict(l).get("topic"): v for (n, l), v in m2.items() if n == "hanzo_hmmd_messages_consumed_total"}
    want = {names["ticks"]: 0, names["requests"]: 1, names["feedback"]: 0, names["quotes"]: 0}
    if consumed != want:
        errors.append("with topics renamed to e2e.*, hanzo_hmmd_messages_consumed_total by topic is %s, expected %s"
                      % (consumed, want))
    prod.close(5)
    dec2.close()
    rc, err = d2.stop(60)
    if rc != 0:
        errors.append("renamed-topics daemon: exit code %s after SIGTERM; stderr tail:\n%s" % (rc, err[-2000:]))
    if errors:
        raise h.Failure("%d problem(s) with the exposition:\n  " % len(errors) + "\n  ".join(errors))


if __name__ == "__main__":
    h.main(body)
