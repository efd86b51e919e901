"""e2e: a burst of 100 kinds of malformed messages lands in the DLQ while good traffic flows.

100 distinct malformed messages on the three consumed topics (requests, feedback, ticks) --
not JSON, JSON that is not an object, wrong types, unknown keys, out-of-range and non-finite
numbers, missing required keys, repeated keys, a tenant contradicting the key, oversized fields,
empty/null/oversized keys, payloads over daemon.max_message_bytes (1 MiB), ticks with unknown
classes, negative amounts or a shock beyond market.max_shock -- interleaved with good requests,
good feedback and good ticks. Each bad message has an expected reason category, derived from the
wire contract (config/schemas/README.md) and the daemon's DLQ contract, not from the daemon:

  invalid_json  the value does not parse as JSON (syntax error, empty, null)
  schema        valid JSON that the strict decoders refuse
  bad_key       request/feedback with an empty, missing or > 256-byte key
  too_large     value over daemon.max_message_bytes
  rejected      a well-formed tick the market refuses (shock beyond market.max_shock)

Checks: every bad message is on hanzo.hmm.dlq exactly once, with its original key (null stays
null, empty stays empty) and value byte for byte (also the two values more than 64 KiB over the
limit: the producer takes any message the consumer could fetch, not just the limit plus headers), its own headers kept, a single
hanzo.error.reason header "<category>: <detail>" and hanzo.error.topic/partition/offset naming
where it was produced; nothing else is on the DLQ; every good request gets exactly one decision,
no bad request does; every good tick gives one price snapshot; the
hanzo_hmmd_dlq_messages_total{reason} counters match per reason and add up to 100; SIGTERM
exits 0 (nothing left undeliverable in flight).

Notes: each ~1 MiB message is produced only once the previous one's dead letter has been read
(the mock keeps 5 MiB per partition and would otherwise drop unread records). The daemon runs on
its defaults, so the > 1 MiB values (and a 1,040,036-byte invalid JSON value, under the limit)
must be dead-lettered with the built-in producer settings; the embedded cluster itself accepts
them (kafka-python produces them, max_request_size 4 MiB). Some bad messages carry a forged
hanzo.error.reason header, which must not survive next to the real one. A repeated JSON key may be reported as schema or invalid_json (both defensible).
"""

import json
import random
import time

import harness as h

REQ, FB, TICK = h.TOPICS["requests"], h.TOPICS["feedback"], h.TOPICS["ticks"]
MAX_BYTES = 1024 * 1024  # daemon.max_message_bytes default
CLASSES = ["h100-80g", "a100-80g", "l40s-48g", "l4-24g", "cpu"]


def good_request(rid):
    return h.dumps(h.request(rid))


def good_feedback(rid):
    return h.dumps({"request_id": rid, "model": "gpt-4o", "latency_ms": 612.5, "tokens_per_second": 88,
                    "quality": 0.91, "cost_per_token": 4.2e-6, "success": True})


def good_tick(seq):
    return h.dumps({"dt": 1.0, "sequence": seq, "flows": [
        {"class": c, "supply_in": 500, "usage": 500, "demand": 100, "value_out": 100} for c in CLASSES]})


def bad_messages():
    """(topic, key, value, expected category, description): 100 distinct kinds."""
    K = b"tenant-bad"
    out = []

    def add(topic, value, cat, what, key=K):
        if isinstance(value, (dict, list)):
            value = h.dumps(value)
        elif isinstance(value, str):
            value = value.encode("utf-8")
        out.append((topic, key, value, cat, what))

    fb = {"request_id": "bad-fb", "model": "gpt-4o", "latency_ms": 600, "tokens_per_second": 80, "quality": 0.9,
          "cost_per_token": 1e-6, "success": True}

    def fbv(**kw):
        v = dict(fb)
        for k, x in kw.items():
            if x is _DEL:
                v.pop(k)
            else:
                v[k] = x
        return v

    def rq(n, **kw):
        v = {"request_id": "bad-%03d" % n, "input": "hello"}
        for k, x in kw.items():
            if x is _DEL:
                v.pop(k)
            else:
                v[k] = x
        return v

    # --- requests: not JSON (invalid_json) ---------------------------------------------------
    for i, text in enumerate([
            "not json at all", "{", '{"request_id": "bad-a", "input": "x"', '{"request_id": "bad-b",}',
            "{'request_id': 'bad-c', 'input': 'x'}", '{"request_id": bad-d, "input": "x"}', '{"request_id": "bad-e" "input": "x"}', '{"request_id": "bad-f", "input": "unterminated}',
            '{"request_id": "bad-g", "input": "x"} trailing', "\x00\x01\x02\x03",
            '{"request_id": "bad-h", "input": "x", "observations": [1, 2,, 3]}']):
        add(REQ, text, "invalid_json", "requests: not JSON #%d %r" % (i, text[:30]))
    unterminated = b'{"request_id": "bad-big", "input": "' + b"x" * 1040000
    add(REQ, unterminated, "invalid_json",
        "requests: %d-byte unterminated JSON (under the 1 MiB limit)" % len(unterminated))
    add(REQ, b"\xff\xfe\xfd garbage bytes", "invalid_json", "requests: invalid UTF-8 bytes")
    add(REQ, b"", "invalid_json", "requests: empty value")
    add(REQ, None, "invalid_json", "requests: null value (tombstone)")
    # --- requests: JSON, but not a request (schema) ------------------------------------------
    for i, v in enumerate(["[]", '"a string"', "42", "null", "true", "{}"]):
        add(REQ, v, "schema", "requests: JSON %s is not a request" % v)
    n = 100
    schema_requests = [
        (rq(n + 0, request_id=_DEL), "missing request_id"),
        (rq(n + 1, input=_DEL), "missing input"),
        (rq(n + 2, request_id=17), "request_id is a number"),
        (rq(n + 3, input=["a"]), "input is an array"),
        (rq(n + 4, request_id=""), "empty request_id"),
        (rq(n + 5, unknown_field=1), "unknown top-level key"),
        (rq(n + 6, preferences={"max_latency": 100}), "unknown preference key"),
        (rq(n + 7, requirements={"gpu": "h100"}), "unknown requirement key"),
        (rq(n + 8, preferences="fast"), "preferences is a string"),
        (rq(n + 9, requirements={"requires_vision": "yes"}), "requires_vision is a string"),
        (rq(n + 10, preferences={"quality_threshold": 1.5}), "quality_threshold above 1"),
        (rq(n + 11, preferences={"quality_threshold": -0.1}), "quality_threshold below 0"),
        (rq(n + 12, preferences={"max_latency_ms": 0}), "max_latency_ms 0 (exclusive minimum)"),
        (rq(n + 13, preferences={"max_cost_per_token": -1}), "negative max_cost_per_token"),
        (rq(n + 14, requirements={"min_tokens_per_second": -5}), "negative min_tokens_per_second"),
        (rq(n + 15, requirements={"max_memory_gb": 0}), "max_memory_gb 0 (exclusive minimum)"),
        (rq(n + 16, observations="0.5"), "observations is a string"),
        (rq(n + 17, observations=[0.5, "x"]), "observation is a string"),
        (rq(n + 18, observations=[0.1] * 65), "65 observations (max 64)"),
        (rq(n + 19, preferences={"preferred_models": ["m%d" % i for i in range(65)]}), "65 preferred models"),
        (rq(n + 20, request_id="r" * 300), "request_id of 300 bytes"),
        (rq(n + 21, tenant="someone-else"), "tenant in value differs from the key"),
        (rq(n + 22, context=5), "context is a number"),
        (rq(n + 23, requirements={"region": ""}), "empty region"),
        (rq(n + 24, preferences={"preferred_models": "gpt-4o"}), "preferred_models is a string"),
    ]
    for v, what in schema_requests:
        add(REQ, v, "schema", "requests: " + what)
    add(REQ, '{"request_id": "bad-200", "input": "x", "preferences": {"max_latency_ms": 1e999}}', "schema",
        "requests: non-finite number 1e999")
    add(REQ, '{"request_id": "bad-201", "request_id": "bad-201b", "input": "x"}', "schema",
        "requests: repeated key")
    # --- requests: keys (bad_key) -------------------------------------------------------------
    add(REQ, good_request("bad-300"), "bad_key", "requests: empty key", key=b"")
    add(REQ, good_request("bad-301"), "bad_key", "requests: null key", key=None)
    add(REQ, good_request("bad-302"), "bad_key", "requests: 300-byte key", key=b"k" * 300)
    add(REQ, good_request("bad-303"), "bad_key", "requests: 257-byte key", key=b"t" * 257)
    add(REQ, "not json and no key", "bad_key", "requests: null key and not JSON", key=None)
    # --- requests: too large ------------------------------------------------------------------
    big = h.dumps(rq(400, input="x" * (MAX_BYTES + 10)))
    add(REQ, big, "too_large", "requests: %d-byte value (limit %d)" % (len(big), MAX_BYTES))
    add(REQ, b"{" * (MAX_BYTES + 512 * 1024), "too_large",
        "requests: %d bytes of garbage (limit + 512 KiB)" % (MAX_BYTES + 512 * 1024))
    # --- feedback -----------------------------------------------------------------------------
    add(FB, "{\"request_id\": \"bad-fb\"", "invalid_json", "feedback: truncated JSON")
    add(FB, "feedback!", "invalid_json", "feedback: not JSON")
    for what, v in [
            ("missing model", fbv(model=_DEL)), ("missing success", fbv(success=_DEL)),
            ("missing latency_ms", fbv(latency_ms=_DEL)), ("quality 2", fbv(quality=2)),
            ("success is a string", fbv(success="true")), ("negative latency_ms", fbv(latency_ms=-5)),
            ("unknown key", fbv(rating=5)), ("tenant differs from key", fbv(tenant="other")),
            ("cost_per_token is a string", fbv(cost_per_token="cheap")),
            ("negative tokens_per_second", fbv(tokens_per_second=-1)), ("empty object", {}),
            ("array", [fb]), ("empty model", fbv(model="")), ("request_id is null", fbv(request_id=None))]:
        add(FB, v, "schema", "feedback: " + what)
    add(FB, good_feedback("bad-fb-1"), "bad_key", "feedback: empty key", key=b"")
    add(FB, good_feedback("bad-fb-2"), "bad_key", "feedback: null key", key=None)
    add(FB, good_feedback("bad-fb-3"), "bad_key", "feedback: 300-byte key", key=b"f" * 300)
    add(FB, h.dumps(fbv(model="m" * (MAX_BYTES + 256 * 1024))), "too_large", "feedback: value over 1 MiB + 256 KiB")

    # --- ticks --------------------------------------------------------------------------------
    def tk(**flow):
        f = {"class": "h100-80g", "supply_in": 10, "usage": 10}
        for k, x in flow.items():
            if x is _DEL:
                f.pop(k)
            else:
                f[k] = x
        return {"dt": 1.0, "flows": [f]}

    add(TICK, "tick?", "invalid_json", "ticks: not JSON", key=None)
    add(TICK, '{"dt": 1.0, "flows": [', "invalid_json", "ticks: truncated JSON", key=None)
    for what, v in [
            ("unknown class tpu-v5", tk(**{"class": "tpu-v5"})), ("negative supply_in", tk(supply_in=-10)),
            ("negative usage", tk(usage=-1)), ("negative demand", tk(demand=-3)),
            ("negative value_out", tk(value_out=-0.5)), ("shock 0", tk(shock=0)), ("negative shock", tk(shock=-2)),
            ("alias key s", tk(s=5)), ("class missing", tk(**{"class": _DEL})),
            ("amount is a string", tk(supply_in="10")),
            ("class listed twice", {"dt": 1.0, "flows": [{"class": "cpu"}, {"class": "cpu"}]}),
            ("dt missing", {"flows": []}), ("flows missing", {"dt": 1.0}), ("negative dt", {"dt": -1, "flows": []}),
            ("flows is an object", {"dt": 1.0, "flows": {"class": "cpu"}}),
            ("unknown top-level key", {"dt": 1.0, "flows": [], "price": 3}),
            ("negative sequence", {"dt": 1.0, "flows": [], "sequence": -1}),
            ("tick is an array", [{"dt": 1.0, "flows": []}])]:
        add(TICK, v, "schema", "ticks: " + what, key=None)
    add(TICK, '{"dt": 1.0, "flows": [{"class": "cpu", "usage": 1e999}]}', "schema", "ticks: usage 1e999",
        key=None)
    add(TICK, tk(shock=11.0), "rejected", "ticks: shock 11 beyond market.max_shock 10", key=None)
    add(TICK, tk(shock=1000.0), "rejected", "ticks: shock 1000 beyond market.max_shock 10", key=None)
    add(TICK, h.dumps({"dt": 1.0, "flows": [{"class": "cpu", "supply_in": 1}], "pad": "p" * (MAX_BYTES + 1)}),
        "too_large", "ticks: value over 1 MiB", key=None)
    add(TICK, "not json, but keyed", "invalid_json", "ticks: keyed garbage", key=b"some-key")
    return out


def short(b):
    """A key or value for a message: None, or its first 40 bytes and its length."""
    return "None" if b is None else "%r (%d bytes)" % (b[:40], len(b))


class _Del:
    pass


_DEL = _Del()


def body():
    binary, _, _ = h.parse_args()
    bad = bad_messages()
    kinds = {(t, k, v) for t, k, v, _, _ in bad}
    if len(bad) != 100 or len(kinds) != 100 or len({w for *_, w in bad}) != 100:
        raise h.HarnessError("expected 100 distinct malformed messages, built %d (%d distinct)" % (len(bad), len(kinds)))
    good_per_bad = 3
    tenants = ["good-%02d" % i for i in range(20)]
    rng = random.Random(7)

    d = h.Daemon(binary).start()
    prod = h.producer(d.bootstrap)
    dlq = h.TopicReader(d.bootstrap, h.TOPICS["dlq"])
    decisions = h.TopicReader(d.bootstrap, h.TOPICS["decisions"])
    prices = h.TopicReader(d.bootstrap, h.TOPICS["prices"])

    sent_bad = []   # (future, (topic, key, value, cat, what), headers)
    good_req = {}   # request_id -> tenant
    good_ticks = 0
    g = 0
    big_stuck = False

    def origin(r):
        return (h.header(r, "hanzo.error.topic"), h.header(r, "hanzo.error.partition"),
                h.header(r, "hanzo.error.offset"))

    for i, msg in enumerate(bad):
        topic, key, value, cat, what = msg
        headers = [("trace-id", b"trace-%03d" % i)]
        if i % 10 == 3:  # a forged reason must not survive next to the real one
            headers.append(("hanzo.error.reason", b"forged"))
        fut = prod.send(topic, key=key, value=value, headers=headers)
        sent_bad.append((fut, msg, headers))
        if value is not None and len(value) > 256 * 1024 and not big_stuck:
            # The mock keeps 5 MiB per partition: read each ~1 MiB dead letter before the next
            # one can push older, unread records out of its partition.
            prod.flush(30)
            md = fut.get(timeout=30)
            here = (md.topic, str(md.partition), str(md.offset))
            try:
                dlq.read_until(lambda recs: any(origin(r) == here for r in recs), 15,
                               "the dead letter of %r" % what)
            except h.Failure:
                big_stuck = True  # reported with the per-message checks below; stop waiting
        for _ in range(good_per_bad):
            tenant = rng.choice(tenants)
            rid = "good-%05d" % g
            g += 1
            prod.send(REQ, key=tenant.encode(), value=good_request(rid))
            good_req[rid] = tenant
        if i % 4 == 0:
            prod.send(FB, key=rng.choice(tenants).encode(), value=good_feedback("good-%05d" % max(0, g - 5)))
        if i % 10 == 0:
            prod.send(TICK, value=good_tick(good_ticks))
            good_ticks += 1
    prod.flush(60)
    where = {}  # (topic, partition, offset) -> index in sent_bad
    for idx, (fut, msg, _) in enumerate(sent_bad):
        try:
            md = fut.get(timeout=30)
        except Exception as e:  # noqa: BLE001
            raise h.HarnessError("could not produce bad message %r (%d bytes) to the embedded cluster: %s" %
                                 (msg[4], len(msg[2] or b""), e))
        where[(md.topic, md.partition, md.offset)] = idx
    h.log("produced %d bad messages, %d good requests, %d good ticks" % (len(bad), len(good_req), good_ticks))

    errors = []
    try:
        dlq.read_until(lambda r: len(r) >= len(bad), 30, "%d DLQ records" % len(bad))
    except h.Failure as e:
        errors.append(str(e))
    decisions.read_until(lambda r: len(r) >= len(good_req), 60, "%d decisions for the good requests" % len(good_req))
    prices.read_until(lambda r: len(r) >= good_ticks, 30, "%d price snapshots" % good_ticks)
    time.sleep(1.0)
    dlq.read_to_end()
    decisions.read_to_end()
    prices.read_to_end()

    # DLQ: each bad message once, unchanged, with the right headers.
    found = {}
    for r in dlq.records:
        rec = "DLQ record %s[%d]@%d" % (r.topic, r.partition, r.offset)
        try:
            src = (h.header(r, "hanzo.error.topic"), int(h.header(r, "hanzo.error.partition")),
                   int(h.header(r, "hanzo.error.offset")))
        except (TypeError, ValueError):
            errors.append("%s lacks usable hanzo.error.topic/partition/offset headers: %s" % (rec, r.headers))
            continue
        if src not in where:
            errors.append("%s points at %s, which is not one of the bad messages (key %r, value %r, reason %r)" %
                          (rec, src, r.key, (r.value or b"")[:80], h.header(r, "hanzo.error.reason")))
            continue
        idx = where[src]
        found[idx] = found.get(idx, 0) + 1
        _, (topic, key, value, cat, what), headers = sent_bad[idx]
        if r.key != key:
            errors.append("%s (%s): key %s, original %s" % (rec, what, short(r.key), short(key)))
        if r.value != value:
            errors.append("%s (%s): value changed (%s bytes -> %s bytes; starts %r)" %
                          (rec, what, None if value is None else len(value), None if r.value is None else len(r.value),
                           (r.value or b"")[:60]))
        reason = h.header(r, "hanzo.error.reason")
        # A repeated key is valid JSON syntax (RFC 8259: names SHOULD be unique) that the strict
        # decoder refuses; reporting it as a syntax error is defensible too, so both pass.
        cats = ("schema", "invalid_json") if what == "requests: repeated key" else (cat,)
        if reason is None or not any(reason == c or reason.startswith(c + ": ") for c in cats):
            errors.append("%s (%s): reason %r, expected category %r" % (rec, what, reason, cat))
        elif len(reason) <= len(cat) + 2:
            errors.append("%s (%s): reason %r has no detail" % (rec, what, reason))
        if h.header(r, "trace-id") != headers[0][1].decode():
            errors.append("%s (%s): producer header trace-id %r not kept (headers %s)" %
                          (rec, what, h.header(r, "trace-id"), r.headers))
    for idx, (_, (topic, key, value, cat, what), _) in enumerate(sent_bad):
        c = found.get(idx, 0)
        if c != 1:
            errors.append("bad message %r (to %s, expected %s) is on the DLQ %d times" % (what, topic, cat, c))
    if len(dlq.records) != len(bad):
        errors.append("%d records on the DLQ, expected exactly %d" % (len(dlq.records), len(bad)))

    # Good traffic: one decision per good request, none for bad ones.
    seen = {}
    for r in decisions.records:
        rid = json.loads(r.value).get("request_id")
        seen[rid] = seen.get(rid, 0) + 1
        if rid not in good_req:
            errors.append("decision for %r, which is not a good request" % rid)
        elif r.key != good_req[rid].encode():
            errors.append("decision for %s keyed %r, expected %r" % (rid, r.key, good_req[rid]))
    missing = [rid for rid in good_req if seen.get(rid, 0) == 0]
    dup = [rid for rid, c in seen.items() if c > 1]
    if missing:
        errors.append("%d good requests got no decision, e.g. %s" % (len(missing), missing[:5]))
    if dup:
        errors.append("%d requests got several decisions, e.g. %s" % (len(dup), dup[:5]))
    if len(prices.records) != good_ticks:
        errors.append("%d price snapshots for %d good ticks" % (len(prices.records), good_ticks))

    # Metrics: per reason, and 100 in all.
    m = d.metrics()
    want = {}
    for *_, cat, what in bad:
        if what == "requests: repeated key":  # either category (see above): count it as the daemon did
            rd = [r for r in dlq.records if h.header(r, "hanzo.error.reason") and
                  h.header(r, "hanzo.error.reason").startswith("invalid_json")
                  and r.value == next(v for _, _, v, _, w in bad if w == what)]
            cat = "invalid_json" if rd else "schema"
        want[cat] = want.get(cat, 0) + 1
    got = {cat: h.metric(m, "hanzo_hmmd_dlq_messages_total", reason=cat) for cat in
           ("invalid_json", "schema", "bad_key", "too_large", "rejected")}
    if any((got[c] or 0) != want.get(c, 0) for c in got):
        errors.append("hanzo_hmmd_dlq_messages_total by reason %s, expected %s" % (got, want))
    total = h.metric_sum(m, "hanzo_hmmd_dlq_messages_total")
    if total != len(bad):
        errors.append("hanzo_hmmd_dlq_messages_total sums to %s, expected %d" % (total, len(bad)))
    routed = h.metric_sum(m, "hanzo_hmmd_decisions_total")
    if routed != len(good_req):
        errors.append("hanzo_hmmd_decisions_total sums to %s, expected %d" % (routed, len(good_req)))

    prod.close(5)
    for rd in (dlq, decisions, prices):
        rd.close()
    rc, err = d.stop(60)
    if rc != 0:
        errors.append("exit code %s after SIGTERM, expected 0; stderr tail:\n%s" % (rc, err[-3000:]))
    if errors:
        raise h.Failure("%d problem(s):\n  " % len(errors) + "\n  ".join(errors[:60]))
    h.log("100 malformed messages dead-lettered once each with reasons %s; %d good requests decided" %
          (want, len(good_req)))


if __name__ == "__main__":
    h.main(body)
