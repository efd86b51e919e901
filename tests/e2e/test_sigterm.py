"""e2e: SIGTERM mid-stream exits 0 and leaves no accepted request without a decision.

The embedded cluster lives inside the daemon that starts it, so its committed offsets vanish with
it. Hence two daemons: a *host* started with --embedded-kafka whose own topics and group are
renamed (host.*, group cluster-host) so it never touches the hanzo.hmm.* traffic, and the daemon
under test, started without --embedded-kafka and pointed at the host's cluster through
kafka."bootstrap.servers". (The hanzo.hmm.* topics are auto-created there, 4 partitions each.)

1. Requests stream continuously (about 2,500/s over 100 tenants); once decisions flow, the daemon
   under test gets SIGTERM while the stream goes on for another 2 s, then stops.
   Expected: exit code 0; with the committed offsets of group hanzo-hmmd on hanzo.hmm.requests
   (OffsetFetch against the host cluster):
   - every request below its partition's committed offset has exactly one decision
     (accepted => decided);
   - every decision is for a request below the committed offset (the orderly drain commits
     everything it decided, so nothing decided is redelivered);
   - requests produced after the signal stayed unconsumed (it stopped fetching).
2. A second daemon joins the same group on the same cluster: it decides exactly the requests
   left above the committed offsets, so in the end every request has exactly one decision; it
   too exits 0 on SIGTERM with everything committed.
"""

import json
import threading
import time

import harness as h

REQ = h.TOPICS["requests"]
GROUP = "hanzo-hmmd"
HOST_CONFIG = """
[kafka]
"group.id" = "cluster-host"
[topics]
ticks = "host.ticks"
requests = "host.requests"
feedback = "host.feedback"
decisions = "host.decisions"
prices = "host.prices"
dlq = "host.dlq"
"""


class Stream(threading.Thread):
    """Produces requests at a steady rate until stopped; remembers each one's future."""

    def __init__(self, prod, rate):
        super().__init__(daemon=True)
        self.prod = prod
        self.rate = rate
        self.stop_flag = threading.Event()
        self.sent = []  # (request_id, tenant, future, monotonic time)
        self.error = None

    def run(self):
        try:
            t0 = time.monotonic()
            i = 0
            while not self.stop_flag.is_set():
                due = int((time.monotonic() - t0) * self.rate)
                while i < due:
                    tenant = "tenant-%02d" % (i % 100)
                    rid = "s-%06d" % i
                    fut = self.prod.send(REQ, key=tenant.encode(), value=h.dumps(h.request(rid)))
                    self.sent.append((rid, tenant, fut, time.monotonic()))
                    i += 1
                time.sleep(0.005)
        except Exception as e:  # noqa: BLE001
            self.error = e


def committed_offsets(bootstrap, partitions):
    c = h.consumer(bootstrap, group_id=GROUP, enable_auto_commit=False)
    try:
        out = {}
        for p in partitions:
            off = c.committed(h.TopicPartition(REQ, p))
            out[p] = off if off is not None else 0
        return out
    finally:
        c.close()


def body():
    binary, _, _ = h.parse_args()
    rate = h.scale(2500, minimum=300)

    host = h.Daemon(binary, ["--config", h.write_config(HOST_CONFIG)]).start()
    prod = h.producer(host.bootstrap)
    for t in h.TOPICS.values():  # auto-create the daemon's topics on the host cluster
        h.wait_for(lambda: prod.partitions_for(t), 20, "topic %s on the host cluster" % t)
    partitions = sorted(prod.partitions_for(REQ))
    # session.timeout.ms 6000: the mock cluster holds every membership change (here: the first
    # daemon leaving, the second joining) for session.timeout.ms - 1 s; the default is 45 s.
    cfg = h.write_config('[kafka]\n"bootstrap.servers" = "%s"\n"session.timeout.ms" = "6000"\n' % host.bootstrap)

    d1 = h.Daemon(binary, ["--config", cfg], embedded=False).start()
    decisions = h.TopicReader(host.bootstrap, h.TOPICS["decisions"])
    # Stream only once it has joined the group: a backlog decided in one go could overflow the mock's
    # 5 MiB per partition before it is read.
    d1.wait_log("assigned", 30)
    stream = Stream(prod, rate)
    stream.start()
    decisions.read_until(lambda r: len(r) >= rate, 60, "decisions to flow (%d)" % rate)
    decisions.poll_for(1.0)
    h.log("SIGTERM with %d requests sent, %d decisions read" % (len(stream.sent), len(decisions.records)))
    t_sig = time.monotonic()
    d1.send_signal(h.signal.SIGTERM)
    decisions.poll_for(2.0)
    stream.stop_flag.set()
    stream.join(10)
    if stream.error:
        raise h.HarnessError("producing the stream failed: %s" % stream.error)
    prod.flush(30)
    rc1 = d1.wait(60)
    h.log("first daemon exited %s after %.1f s" % (rc1, time.monotonic() - t_sig))

    errors = []
    if rc1 != 0:
        errors.append("exit code %s after SIGTERM mid-stream, expected 0; stderr tail:\n%s" % (rc1, d1.stderr()[-2000:]))
    where = {}  # request_id -> (partition, offset)
    tenant_of = {}
    after_signal = 0
    for rid, tenant, fut, when in stream.sent:
        md = fut.get(timeout=30)
        where[rid] = (md.partition, md.offset)
        tenant_of[rid] = tenant
        after_signal += when > t_sig
    total = len(where)
    committed = committed_offsets(host.bootstrap, partitions)
    decisions.read_to_end()
    first = list(decisions.records)
    h.log("%d requests (%d after the signal), committed %s, %d decisions" %
          (total, after_signal, committed, len(first)))

    def decided_ids(recs):
        out = {}
        for r in recs:
            rid = json.loads(r.value).get("request_id")
            out[rid] = out.get(rid, 0) + 1
        return out

    dec1 = decided_ids(first)
    accepted = [rid for rid, (p, o) in where.items() if o < committed[p]]
    undecided = [rid for rid in accepted if dec1.get(rid, 0) == 0]
    if undecided:
        errors.append("%d of %d accepted (committed) requests have no decision, e.g. %s at %s" %
                      (len(undecided), len(accepted), undecided[:3], [where[r] for r in undecided[:3]]))
    twice = [rid for rid, c in dec1.items() if c > 1]
    if twice:
        errors.append("%d requests decided more than once, e.g. %s" % (len(twice), twice[:3]))
    unknown = [rid for rid in dec1 if rid not in where]
    if unknown:
        errors.append("decisions for request ids never sent: %s" % unknown[:3])
    uncommitted_decided = [rid for rid in dec1 if rid in where and where[rid][1] >= committed[where[rid][0]]]
    if uncommitted_decided:
        errors.append("%d decided requests are not covered by the committed offsets after the drain (they will be "
                      "decided again), e.g. %s at %s, committed %s" %
                      (len(uncommitted_decided), uncommitted_decided[:3],
                       [where[r] for r in uncommitted_decided[:3]], committed))
    if not accepted:
        errors.append("nothing was committed for group %s (committed offsets %s)" % (GROUP, committed))
    left = total - len(accepted)
    if after_signal == 0:
        raise h.HarnessError("no request was produced after the signal")
    if left == 0:
        errors.append("all %d requests were consumed although %d were produced after SIGTERM: it did not stop "
                      "fetching" % (total, after_signal))
    if errors:
        raise h.Failure("SIGTERM mid-stream (%d requests, %d accepted):\n  " % (total, len(accepted)) +
                        "\n  ".join(errors))

    # 2. A new member of the group decides exactly the rest.
    h.log("restarting on the same cluster: %d requests left above the committed offsets" % left)
    d2 = h.Daemon(binary, ["--config", cfg], embedded=False).start()
    decisions.read_until(lambda r: len(r) >= total, 60, "decisions for all %d requests after the restart" % total)
    decisions.poll_for(1.0)
    decisions.read_to_end()
    rc2, err2 = d2.stop(60)
    final = committed_offsets(host.bootstrap, partitions)
    last = {}
    for p, o in where.values():
        last[p] = max(last.get(p, -1), o)
    dec = decided_ids(decisions.records)
    missing = [rid for rid in where if dec.get(rid, 0) == 0]
    twice = [rid for rid, c in dec.items() if c > 1]
    if missing:
        errors.append("after the restart %d requests still have no decision, e.g. %s" % (len(missing), missing[:3]))
    if twice:
        errors.append("after the restart %d requests have two decisions (redelivered although decided), e.g. %s" %
                      (len(twice), twice[:3]))
    if rc2 != 0:
        errors.append("restarted daemon exited %s after SIGTERM; stderr tail:\n%s" % (rc2, err2[-2000:]))
    for p in partitions:
        if final[p] != last.get(p, -1) + 1:
            errors.append("after the second drain partition %d is committed at %s, expected %d (end)" %
                          (p, final[p], last.get(p, -1) + 1))
    prod.close(5)
    decisions.close()
    host.stop(30)
    if errors:
        raise h.Failure("\n  ".join(errors))
    h.log("%d requests: %d decided before SIGTERM (all committed), %d after the restart; exactly one each" %
          (total, len(accepted), left))


if __name__ == "__main__":
    h.main(body)
