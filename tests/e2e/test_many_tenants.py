"""e2e: 100,000 distinct tenant ids keep resident tenant actors under the cap.

Config: daemon.max_resident_tenants = 1000, tenant_idle_seconds = 2. N = 100,000 x
HANZO_E2E_SCALE requests, each from a new tenant id, produced in batches as fast as the daemon
takes them (the decisions are read as they come, so the mock cluster's 5 MiB per-partition
retention never drops one before it is read). Expected:
- every request gets exactly one decision, keyed by its tenant, with its request_id;
- hanzo_hmmd_tenant_actors, scraped between batches and at the end, never exceeds 1000;
- hanzo_hmmd_tenant_evictions_total >= N - 1000 at the end (each tenant past the first 1000
  pushes one out, whatever the idle sweep did), and resident + evicted covers all N tenants;
- SIGTERM exits 0.
"""

import time

import harness as h

CAP = 1000


def body():
    binary, _, _ = h.parse_args()
    n = h.scale(100000, minimum=2 * CAP + 500)
    batch = 2500
    # Unread decisions (at most max_backlog + batch, ~2.9 KB each, over 8 partitions) stay well
    # inside the mock's 5 MiB per partition: 6,500 is ~2.4 MB a partition if evenly spread.
    # The daemon produces a decision as soon as it is made, so it can run this far ahead.
    max_backlog = 4000

    cfg = h.write_config("[daemon]\nmax_resident_tenants = %d\ntenant_idle_seconds = 2.0\n" % CAP)
    d = h.Daemon(binary, ["--config", cfg]).start()
    prod = h.producer(d.bootstrap, linger_ms=20, batch_size=512 * 1024, acks=1)
    # Keep only (key, request_id, partition) of each decision: 100k full records would be ~250 MB.
    decisions = h.TopicReader(d.bootstrap, h.TOPICS["decisions"],
                              keep=lambda r: (r.key, h.decision_request_id(r.value)))
    samples = []  # (when, resident, evictions)
    errors = []

    def sample(tag):
        m = d.metrics()
        resident = h.metric(m, "hanzo_hmmd_tenant_actors")
        ev = h.metric(m, "hanzo_hmmd_tenant_evictions_total")
        if resident is None or ev is None:
            raise h.Failure("metrics lack hanzo_hmmd_tenant_actors / hanzo_hmmd_tenant_evictions_total")
        samples.append((tag, resident, ev))
        if resident > CAP:
            errors.append("%s: hanzo_hmmd_tenant_actors = %d > cap %d" % (tag, resident, CAP))

    t0 = time.monotonic()
    sent = 0
    while sent < n:
        k = min(batch, n - sent)
        for i in range(sent, sent + k):
            prod.send(h.TOPICS["requests"], key=b"t%06d" % i, value=b'{"request_id":"r%06d","input":"hi"}' % i)
        sent += k
        # Flow control: read decisions while the backlog is large; sample the gauge meanwhile.
        deadline = time.monotonic() + 120 * h.slowness()
        while sent - len(decisions.records) > max_backlog:
            if time.monotonic() > deadline:
                raise h.Failure("no progress: %d requests sent, %d decisions after 120 s" %
                                (sent, len(decisions.records)))
            decisions.poll(100)
        sample("after %d requests" % sent)
        h.log("sent %d, decided %d, resident %d, evictions %d" % (sent, len(decisions.records), samples[-1][1],
                                                                  samples[-1][2]))
    prod.flush(60)
    decisions.read_until(lambda r: len(r) >= n, 180, "%d decisions" % n)
    took = time.monotonic() - t0
    h.log("%d decisions in %.1f s (%.0f/s)" % (len(decisions.records), took, n / took))
    time.sleep(1.0)
    decisions.read_to_end()
    sample("end")

    seen = {}
    for key, rid in decisions.records:
        if key is None or not key.startswith(b"t") or rid != "r" + key[1:].decode():
            errors.append("decision keyed %r has request_id %r" % (key, rid))
            continue
        seen[rid] = seen.get(rid, 0) + 1
    missing = n - sum(1 for i in range(n) if seen.get("r%06d" % i))
    dup = [r for r, c in seen.items() if c > 1]
    if missing:
        errors.append("%d of %d requests got no decision" % (missing, n))
    if dup:
        errors.append("%d requests got several decisions, e.g. %s" % (len(dup), dup[:5]))
    if len(decisions.records) != n:
        errors.append("%d decisions for %d requests" % (len(decisions.records), n))

    _, resident, ev = samples[-1]
    if ev < n - CAP:
        errors.append("hanzo_hmmd_tenant_evictions_total = %d at the end, expected >= %d" % (ev, n - CAP))
    if resident + ev < n:
        errors.append("resident %d + evicted %d < %d tenants seen" % (resident, ev, n))
    m = d.metrics()
    routed = h.metric_sum(m, "hanzo_hmmd_decisions_total")
    if routed != n:
        errors.append("hanzo_hmmd_decisions_total sums to %s, expected %d" % (routed, n))

    prod.close(5)
    decisions.close()
    rc, err = d.stop(60)
    if rc != 0:
        errors.append("exit code %s after SIGTERM, expected 0; stderr tail:\n%s" % (rc, err[-2000:]))
    if errors:
        raise h.Failure("%d problem(s) with %d tenants (cap %d):\n  " % (len(errors), n, CAP) +
                        "\n  ".join(errors[:30]))
    h.log("max resident seen %d (cap %d), %d evictions, %d requests decided once each" %
          (max(s[1] for s in samples), CAP, ev, n))


if __name__ == "__main__":
    h.main(body)
