"""e2e: every request gets exactly one decision, in request order per tenant.

N requests (3000 x HANZO_E2E_SCALE) over 50 tenants, keyed by tenant id, a third of them with a
requirement no catalogue model meets (min_tokens_per_second 1e4: the fastest model does 110), so
both statuses occur. Expected, independently of the daemon:
- exactly one decision per request_id, none for ids never sent, nothing else on the topic;
- each decision keyed by its request's tenant, with "tenant" equal to it, on one partition per
  tenant, in the tenants' request order (the order of the requests' offsets in their partition);
- status "rejected" (model null, reasons in "excluded") for the impossible requirement, "routed"
  with a catalogue model otherwise;
- the metrics count N consumed requests and N decisions (routed + rejected as above);
- SIGTERM exits 0.
"""

import json
import random
import time

import harness as h

CATALOGUE = {  # model -> compute class (config/hanzo-hmmd.toml, the built-in default catalogue)
    "llama-3.1-70b": "h100-80g", "llama-3.1-8b": "l4-24g", "mixtral-8x7b": "a100-80g",
    "qwen2.5-72b": "a100-80g", "qwen2.5-7b": "l4-24g", "gemma-2-9b": "l40s-48g", "mistral-7b": "l4-24g",
    "phi-3-mini": "cpu", "llama-3.2-11b-vision": "l40s-48g", "gpt-4o": "h100-80g", "gpt-4o-mini": "a100-80g",
    "claude-3.5-sonnet": "h100-80g",
}


def body():
    binary, _, _ = h.parse_args()
    n = h.scale(3000, minimum=100)
    tenants = ["tenant-%02d" % i for i in range(50)]
    rng = random.Random(4242)

    d = h.Daemon(binary).start()
    h.log("daemon up: bootstrap %s, metrics %s" % (d.bootstrap, d.metrics_url))
    prod = h.producer(d.bootstrap)
    decisions = h.TopicReader(d.bootstrap, h.TOPICS["decisions"])

    sent = {}  # request_id -> (tenant, expect_status, future)
    order = []
    for i in range(n):
        tenant = rng.choice(tenants)
        rid = "req-%06d" % i
        kind = i % 3
        if kind == 0:
            req = h.request(rid)
        elif kind == 1:
            req = h.request(rid, "Translate this paragraph into French: " + "bonjour " * rng.randint(1, 40),
                            preferences={"max_latency_ms": 1500, "quality_threshold": 0.7},
                            observations=[rng.random() for _ in range(4)])
        else:
            req = h.request(rid, requirements={"min_tokens_per_second": 10000})
        fut = prod.send(h.TOPICS["requests"], key=tenant.encode(), value=h.dumps(req))
        sent[rid] = (tenant, "rejected" if kind == 2 else "routed", fut)
        order.append(rid)
    prod.flush(30)
    placed = {}  # request_id -> (partition, offset)
    for rid, (_, _, fut) in sent.items():
        md = fut.get(timeout=30)
        placed[rid] = (md.partition, md.offset)
    h.log("produced %d requests over %d tenants" % (n, len(tenants)))

    # Request order per tenant, from where Kafka put them (same key -> same partition).
    by_tenant = {}
    for rid in order:
        by_tenant.setdefault(sent[rid][0], []).append(rid)
    for tenant, rids in by_tenant.items():
        parts = {placed[r][0] for r in rids}
        if len(parts) != 1:
            raise h.HarnessError("tenant %s requests landed on partitions %s" % (tenant, parts))
        offs = [placed[r][1] for r in rids]
        if offs != sorted(offs):
            raise h.HarnessError("tenant %s requests not stored in send order" % tenant)

    t0 = time.monotonic()
    decisions.read_until(lambda recs: len(recs) >= n, 90, "%d decisions" % n)
    h.log("%d decisions after %.1f s" % (len(decisions.records), time.monotonic() - t0))
    # Anything extra (duplicates) would come right behind: give it a moment, then read to the end.
    time.sleep(1.0)
    decisions.read_to_end()
    recs = decisions.records

    seen = {}
    per_tenant = {}
    part_of_tenant = {}
    errors = []
    for r in recs:
        where = "decision %s[%d]@%d" % (r.topic, r.partition, r.offset)
        try:
            dec = json.loads(r.value)
        except ValueError as e:
            errors.append("%s is not JSON (%s): %r" % (where, e, r.value[:200]))
            continue
        rid = dec.get("request_id")
        if rid not in sent:
            errors.append("%s has request_id %r, which was never sent" % (where, rid))
            continue
        seen[rid] = seen.get(rid, 0) + 1
        tenant, expect, _ = sent[rid]
        key = r.key.decode() if r.key is not None else None
        if key != tenant:
            errors.append("%s for %s (tenant %s) is keyed %r" % (where, rid, tenant, key))
        if dec.get("tenant") != tenant:
            errors.append("%s for %s has tenant %r, expected %r" % (where, rid, dec.get("tenant"), tenant))
        status = dec.get("status")
        if status not in h.VALID_STATUSES:
            errors.append("%s for %s has status %r" % (where, rid, status))
        elif status != expect:
            errors.append("%s for %s: status %r, expected %r (reasoning: %s)" %
                          (where, rid, status, expect, dec.get("reasoning")))
        if status == "routed":
            m = dec.get("model")
            if m not in CATALOGUE or dec.get("compute_class") != CATALOGUE[m]:
                errors.append("%s for %s routed to %r on %r, not a catalogue model/class pair" %
                              (where, rid, m, dec.get("compute_class")))
        elif status == "rejected":
            if dec.get("model") is not None or len(dec.get("excluded") or []) != len(CATALOGUE):
                errors.append("%s for %s: rejected but model=%r, %d exclusions (expected all %d models)" %
                              (where, rid, dec.get("model"), len(dec.get("excluded") or []), len(CATALOGUE)))
        per_tenant.setdefault(tenant, []).append(rid)
        part_of_tenant.setdefault(tenant, set()).add(r.partition)

    dupes = {k: v for k, v in seen.items() if v > 1}
    missing = [rid for rid in order if rid not in seen]
    if dupes:
        errors.append("%d request_ids got more than one decision, e.g. %s" % (len(dupes), sorted(dupes.items())[:5]))
    if missing:
        errors.append("%d of %d requests got no decision, e.g. %s" % (len(missing), n, missing[:5]))
    for tenant, parts in part_of_tenant.items():
        if len(parts) != 1:
            errors.append("decisions of tenant %s are spread over partitions %s (per-tenant order lost)" %
                          (tenant, sorted(parts)))
    for tenant, rids in by_tenant.items():
        got = [r for r in per_tenant.get(tenant, []) if seen.get(r) == 1]
        want = [r for r in rids if seen.get(r) == 1]
        if got != want:
            first = next(i for i, (a, b) in enumerate(zip(got + [None] * len(want), want)) if a != b)
            errors.append("tenant %s: decisions out of request order at position %d: got %s, sent %s" %
                          (tenant, first, got[first:first + 3], want[first:first + 3]))
    if len(recs) != n:
        errors.append("%d records on %s, expected exactly %d" % (len(recs), h.TOPICS["decisions"], n))

    m = d.metrics()
    want_routed = sum(1 for v in sent.values() if v[1] == "routed")
    got = {s: h.metric(m, "hanzo_hmmd_decisions_total", status=s) for s in h.VALID_STATUSES}
    if got != {"routed": want_routed, "rejected": n - want_routed}:
        errors.append("hanzo_hmmd_decisions_total = %s, expected routed %d, rejected %d" %
                      (got, want_routed, n - want_routed))
    consumed = h.metric(m, "hanzo_hmmd_messages_consumed_total", topic=h.TOPICS["requests"])
    if consumed != n:
        errors.append("hanzo_hmmd_messages_consumed_total for requests = %s, expected %d" % (consumed, n))
    dlq = h.metric_sum(m, "hanzo_hmmd_dlq_messages_total")
    if dlq != 0:
        errors.append("hanzo_hmmd_dlq_messages_total = %s for all-valid input" % dlq)

    prod.close(5)
    decisions.close()
    rc, err = d.stop(60)
    if rc != 0:
        errors.append("exit code %s after SIGTERM, expected 0; stderr tail:\n%s" % (rc, err[-2000:]))
    if errors:
        raise h.Failure("%d problem(s) with %d requests over %d tenants:\n  " % (len(errors), n, len(tenants)) +
                        "\n  ".join(errors[:40]))
    h.log("all %d requests decided exactly once, in order per tenant" % n)


if __name__ == "__main__":
    h.main(body)
