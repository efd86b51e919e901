"""e2e: prices and decisions follow a supply shock tick.

Ticks are balanced per class (supply_in = usage, demand = value_out); then one tick cuts
h100-80g supply to a fifth ("shock": 0.2). The daemon runs on its built-in defaults; the
catalogue (model memory and speed, class memory) is read from config/hanzo-hmmd.toml, which
documents those defaults.

1. 20 balanced ticks -> exactly 20 snapshots on hanzo.hmm.prices (tick counter increasing, every
   configured class, in configuration order); the hanzo_hmmd_class_price gauges equal the last.
2. Phase A: 40 requests over 8 tenants (some favouring the h100 models, some needing vision,
   some with quality/latency preferences, some plain), sent once the 20th snapshot is out, with
   no tick in flight.
3. The shock tick -> one more snapshot: h100 supply at most 25% of before (0.2 x supply plus
   this tick's inflow), h100 price at least twice as high and up by more than any other class's;
   the gauges follow.
4. Phase B: the same requests again (new ids), no tick in flight. Every routed decision must
   price its model with the snapshot in force (A: the 20th, B: the shock's), per the documented
   formula price_per_token = class price x devices / tokens_per_second x (1 + class risk_fee +
   market_fee), devices = ceil(model GB / class GB) (relative error 1e-9); market_regime must be
   the regime of that snapshot; the same request on the same model keeps its token estimate
   (expected_cost / price_per_token). At least one phase-A decision must be routed to an h100
   model (else the comparison is void), and if h100 is still used in B, its mean price per token
   must be more than 1.5 x that of A.
5. Quotes on Kafka, after the shock: an answer per request on hanzo.hmm.quote-answers with the
   request's key and id; cost = average_price x gpu_seconds; a tiny amount costs the snapshot's
   price plus at most the fees; a larger one more per GPU-second (the level set, not the marginal
   price), and the marginal price after it is higher still; h100 quotes dearer per GPU-second
   than before the shock was (its price rose); an unknown class gets an error answer; a request
   that does not decode goes to the DLQ; hanzo_hmmd_quotes_total counts both outcomes.
"""

import json
import math
import os
import tomllib

import harness as h

CLASSES = ["h100-80g", "a100-80g", "l40s-48g", "l4-24g", "cpu"]
H100 = "h100-80g"
REL = 1e-9


def tick(seq, shock=None):
    flows = []
    for c in CLASSES:
        f = {"class": c, "supply_in": 600.0, "usage": 600.0, "demand": 100.0, "value_out": 100.0}
        if shock is not None and c == H100:
            f["shock"] = shock
        flows.append(f)
    return {"dt": 1.0, "flows": flows, "sequence": seq}


def requests(tag):
    kinds = [
        ("favour-h100", {"preferences": {"preferred_models": ["gpt-4o", "claude-3.5-sonnet"], "quality_threshold": 0.9},
                         "requirements": {"requires_vision": True}}),
        ("vision", {"requirements": {"requires_vision": True}}),
        ("quality", {"preferences": {"quality_threshold": 0.85, "max_latency_ms": 3000}}),
        ("plain", {}),
    ]
    out = []
    for i in range(40):
        kind, extra = kinds[i % len(kinds)]
        out.append(("tenant-%d" % (i % 8), kind, h.request("%s-%s-%03d" % (tag, kind, i), **extra)))
    return out


def prices_of(snap):
    return {c["class"]: c["price"] for c in snap["classes"]}


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b))


def check_quotes(d, prod, snap, p_before, errors):
    answers = h.TopicReader(d.bootstrap, h.TOPICS["quote_answers"])
    dlq = h.TopicReader(d.bootstrap, h.TOPICS["dlq"])
    dlq.read_to_end()
    dlq_before = len(dlq.records)
    asks = [("small", H100, 1e-3), ("hour", H100, 3600.0), ("cpu", "cpu", 60.0), ("unknown", "tpu-v5", 60.0)]
    for key, cls, amount in asks:
        prod.send(h.TOPICS["quotes"], key=key.encode(), value=h.dumps({"id": "q-" + key, "class": cls,
                                                                        "gpu_seconds": amount}))
    prod.send(h.TOPICS["quotes"], key=b"broken", value=b'{"id": "q-broken", "class": "cpu"}')
    prod.flush(30)
    answers.read_until(lambda r: len(r) >= len(asks), 60, "%d quote answers" % len(asks))
    dlq.read_until(lambda r: len(r) >= dlq_before + 1, 60, "the undecodable quote request in the DLQ")
    got = {}
    for r in answers.records:
        a = json.loads(r.value)
        got[a["id"]] = a
        if r.key is None or "q-" + r.key.decode() != a["id"]:
            errors.append("quote answer %s came with key %r, the request's key was %r" % (a["id"], r.key, a["id"][2:]))
    if sorted(got) != sorted("q-" + k for k, _, _ in asks):
        raise h.Failure("quote answers for %s, expected %s" % (sorted(got), sorted("q-" + k for k, _, _ in asks)))
    fees = snap["market_fee"]
    by_class = {c["class"]: c for c in snap["classes"]}
    for key, cls, amount in asks[:3]:
        a = got["q-" + key]
        if "error" in a or a["class"] != cls or a["gpu_seconds"] != amount:
            errors.append("quote %s: %s" % (key, a))
            continue
        if not close(a["cost"], a["average_price"] * amount, 1e-12):
            errors.append("quote %s: cost %r is not average_price x gpu_seconds (%r)" % (key, a["cost"],
                                                                                      a["average_price"] * amount))
    small, hour = got["q-small"], got["q-hour"]
    price = by_class[H100]["price"]
    top = price / (1.0 - fees - by_class[H100]["risk_fee"])
    if "error" not in small and not (price <= small["average_price"] <= top * 1.001):
        errors.append("1e-3 GPU-s of h100 costs %r per GPU-s; the snapshot's price %r plus fees allows up to %r" %
                      (small["average_price"], price, top))
    if "error" not in hour and "error" not in small:
        if not hour["average_price"] > small["average_price"]:
            errors.append("an hour of h100 costs %r per GPU-s, no more than a tiny amount (%r)" %
                          (hour["average_price"], small["average_price"]))
        if not hour["marginal_price"] > hour["average_price"]:
            errors.append("after buying an hour the marginal price %r is not above the average %r" %
                          (hour["marginal_price"], hour["average_price"]))
        if not small["average_price"] > p_before[H100]:
            errors.append("h100 quotes %r per GPU-s after the shock, not above the pre-shock price %r" %
                          (small["average_price"], p_before[H100]))
    if "tpu-v5" not in got["q-unknown"].get("error", ""):
        errors.append("a quote for an unknown class was answered %s" % got["q-unknown"])
    bad = dlq.records[dlq_before]
    if bad.value != b'{"id": "q-broken", "class": "cpu"}' or "gpu_seconds" not in (h.header(bad, "hanzo.error.reason") or ""):
        errors.append("DLQ record for the broken quote: value %r, hanzo.error.reason %r" % (bad.value, h.header(bad, "hanzo.error.reason")))
    m = d.metrics()
    quoted, refused = h.metric(m, "hanzo_hmmd_quotes_total", outcome="quoted"), h.metric(m, "hanzo_hmmd_quotes_total",
                                                                                         outcome="refused")
    if (quoted, refused) != (3.0, 1.0):
        errors.append("hanzo_hmmd_quotes_total quoted=%s refused=%s, expected 3 and 1" % (quoted, refused))
    h.log("quotes: 1e-3 GPU-s h100 at %s/GPU-s (price %s), 3600 GPU-s at %s/GPU-s, marginal after %s" %
          (small.get("average_price"), price, hour.get("average_price"), hour.get("marginal_price")))
    answers.close()
    dlq.close()


def body():
    binary, source, _ = h.parse_args()
    # The daemon runs on its built-in defaults, which config/hanzo-hmmd.toml documents value for value.
    with open(os.path.join(source, "config", "hanzo-hmmd.toml"), "rb") as f:
        shipped = tomllib.load(f)
    models = {m["name"]: m for m in shipped["models"]}
    class_gb = {c["id"]: c["memory_gb"] for c in shipped["classes"]}
    if [c["id"] for c in shipped["classes"]] != CLASSES:
        raise h.HarnessError("config/hanzo-hmmd.toml classes are %s, the test assumes %s" % (list(class_gb), CLASSES))
    d = h.Daemon(binary).start()
    prod = h.producer(d.bootstrap)
    prices = h.TopicReader(d.bootstrap, h.TOPICS["prices"])
    decisions = h.TopicReader(d.bootstrap, h.TOPICS["decisions"])
    errors = []

    def gauges_match(snap, when):
        m = d.metrics()
        for c in snap["classes"]:
            g = h.metric(m, "hanzo_hmmd_class_price", **{"class": c["class"]})
            if g is None or not close(g, c["price"], 1e-6):
                errors.append("%s: hanzo_hmmd_class_price{class=%s} = %s, snapshot says %s" %
                              (when, c["class"], g, c["price"]))

    # 1. Balanced ticks.
    K = 20
    for s in range(K):
        prod.send(h.TOPICS["ticks"], value=h.dumps(tick(s)))
    prod.flush(30)
    prices.read_until(lambda r: len(r) >= K, 60, "%d price snapshots" % K)
    snaps = [json.loads(r.value) for r in prices.records]
    ticks = [s.get("tick") for s in snaps]
    if ticks != sorted(ticks) or len(set(ticks)) != K:
        errors.append("snapshot tick counters are not increasing: %s" % ticks)
    for s in snaps:
        if [c["class"] for c in s["classes"]] != CLASSES:
            errors.append("snapshot %s lists classes %s, expected %s" % (s.get("tick"), [c["class"] for c in s["classes"]],
                                                                          CLASSES))
            break
    before = snaps[-1]
    p0 = prices_of(before)
    sup0 = {c["class"]: c["supply"] for c in before["classes"]}
    gauges_match(before, "after %d balanced ticks" % K)
    h.log("before the shock: prices %s, regime %s" % (p0, before["regime"]))

    # 2. Phase A.
    def run_phase(tag):
        reqs = requests(tag)
        have = len(decisions.records)
        for tenant, _, req in reqs:
            prod.send(h.TOPICS["requests"], key=tenant.encode(), value=h.dumps(req))
        prod.flush(30)
        decisions.read_until(lambda r: len(r) >= have + len(reqs), 60, "%d decisions (phase %s)" % (len(reqs), tag))
        got = {}
        for r in decisions.records[have:]:
            dec = json.loads(r.value)
            got[dec["request_id"]] = dec
        want = {req["request_id"] for _, _, req in reqs}
        if set(got) != want:
            raise h.Failure("phase %s: decisions for %s, expected %s" % (tag, sorted(got)[:5], sorted(want)[:5]))
        return {kind + req["request_id"][-4:]: got[req["request_id"]] for _, kind, req in reqs}

    A = run_phase("a")

    # 3. The shock.
    prod.send(h.TOPICS["ticks"], value=h.dumps(tick(K, shock=0.2)))
    prod.flush(30)
    prices.read_until(lambda r: len(r) >= K + 1, 30, "the shock tick's snapshot")
    after = json.loads(prices.records[K].value)
    p1 = prices_of(after)
    sup1 = {c["class"]: c["supply"] for c in after["classes"]}
    ratio = {c: p1[c] / p0[c] for c in CLASSES}
    h.log("after the shock: prices %s (x%s), regime %s" % (p1, {c: round(x, 3) for c, x in ratio.items()},
                                                          after["regime"]))
    if not sup1[H100] <= 0.25 * sup0[H100]:
        errors.append("h100 supply %s after a 0.2 shock, before %s: expected at most 25%%" % (sup1[H100], sup0[H100]))
    if not ratio[H100] >= 2.0:
        errors.append("h100 price went %s -> %s (x%.3f) after its supply was cut to a fifth; expected at least x2" %
                      (p0[H100], p1[H100], ratio[H100]))
    others = {c: x for c, x in ratio.items() if c != H100}
    if not all(ratio[H100] > x for x in others.values()):
        errors.append("h100 price rose x%.3f, not more than the other classes %s" % (ratio[H100], others))
    gauges_match(after, "after the shock")

    # 4. Phase B, against the post-shock prices (no tick in flight).
    B = run_phase("b")
    if len(prices.records) != K + 1:
        raise h.HarnessError("unexpected extra snapshots: %d" % len(prices.records))

    def expected_ppt(dec, snap):
        """The wire contract: price x devices / tokens_per_second x (1 + risk fee + market fee), with the
        class's price and risk fee from the snapshot in force and devices = ceil(model GB / class GB)."""
        m = models[dec["model"]]
        c = next(x for x in snap["classes"] if x["class"] == m["compute_class"])
        devices = max(1.0, math.ceil(m["memory_gb"] / class_gb[m["compute_class"]]))
        return c["price"] * devices / m["tokens_per_second"] * (1.0 + c["risk_fee"] + snap["market_fee"])

    def check_decision(phase, dec, snap):
        if dec["market_regime"] != snap["regime"]:
            errors.append("phase %s decision %s has market_regime %r, the snapshot in force says %r" %
                          (phase, dec["request_id"], dec["market_regime"], snap["regime"]))
        if dec["status"] != "routed":
            return
        m = models.get(dec["model"])
        if m is None or m["compute_class"] != dec["compute_class"]:
            errors.append("phase %s decision %s routed to %r on %r: not in the catalogue" %
                          (phase, dec["request_id"], dec["model"], dec["compute_class"]))
            return
        want = expected_ppt(dec, snap)
        if not close(dec["price_per_token"], want, REL):
            errors.append("phase %s: %s on %s costs %r per token; the prices of tick %s give %r (%s)" %
                          (phase, dec["model"], dec["compute_class"], dec["price_per_token"], snap["tick"], want,
                           "pre-shock price" if phase == "B" and close(dec["price_per_token"],
                                                                       expected_ppt(dec, before), 1e-6)
                           else "neither snapshot"))

    h100_a, h100_b = {}, {}
    for k, dec in A.items():
        check_decision("A", dec, before)
        if dec["status"] == "routed" and dec["compute_class"] == H100:
            h100_a.setdefault(dec["model"], []).append(dec)
    if not h100_a:
        raise h.Failure("no phase-A request was routed to an h100 model (routes: %s), so the shock cannot be seen "
                        "in decisions" % sorted({d_["model"] for d_ in A.values() if d_["status"] == "routed"}))
    for k, dec in B.items():
        check_decision("B", dec, after)
        if dec["status"] == "routed" and dec["compute_class"] == H100:
            h100_b.setdefault(dec["model"], []).append(dec)
        a = A.get(k)
        if a and a["status"] == "routed" and dec["status"] == "routed" and a["model"] == dec["model"]:
            # Same request, same model: the token estimate is the same, only the price moved.
            # expected_cost is an estimate written with 6 significant digits (the price is exact).
            ta, tb = a["expected_cost"] / a["price_per_token"], dec["expected_cost"] / dec["price_per_token"]
            if not close(ta, tb, 1.1e-5):
                errors.append("%s on %s: expected_cost/price_per_token %s before, %s after" % (k, dec["model"], ta, tb))
    n_a = sum(len(v) for v in h100_a.values())
    n_b = sum(len(v) for v in h100_b.values())
    h.log("h100 routes: %d before, %d after; models %s -> %s" % (n_a, n_b, sorted(h100_a), sorted(h100_b)))
    if n_b:
        mean_a = sum(x["price_per_token"] for v in h100_a.values() for x in v) / n_a
        mean_b = sum(x["price_per_token"] for v in h100_b.values() for x in v) / n_b
        if not mean_b > 1.5 * mean_a:
            errors.append("mean price_per_token of h100 routes %s before, %s after a x%.2f price rise" %
                          (mean_a, mean_b, ratio[H100]))

    check_quotes(d, prod, after, p0, errors)

    prod.close(5)
    prices.close()
    decisions.close()
    rc, err = d.stop(60)
    if rc != 0:
        errors.append("exit code %s after SIGTERM; stderr tail:\n%s" % (rc, err[-2000:]))
    if errors:
        raise h.Failure("%d problem(s):\n  " % len(errors) + "\n  ".join(errors[:30]))


if __name__ == "__main__":
    h.main(body)
