"""Shared harness for the hanzo-hmmd end-to-end tests.

Each test script is run as

    python3 test_<name>.py HANZO_HMMD SOURCE_DIR [PROMTOOL]

and exits 0 (pass), 1 (fail, with a message saying what was sent and what came back) or 77
(skip: a missing tool, with the reason; in CI, CI=true, a missing tool fails instead, see
tests/common/missing_tool.py). Everything is hermetic: the daemon runs its embedded
mock cluster (librdkafka picks the ports), metrics listen on port 0, data is generated.

The harness never hangs: every wait has a deadline, and `Daemon` kills its process (and the test
script kills every daemon it started) in `finally` blocks.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from missing_tool import SKIP, missing_tool  # noqa: E402,F401


class Failure(Exception):
    """The daemon did not behave as specified. The message says what was sent and what came back."""


class HarnessError(Exception):
    """The test itself could not run as intended (e.g. the mock cluster dropped data we needed)."""


def skip(reason):
    """A missing tool: exit 77 with the reason, or 1 in CI."""
    missing_tool(reason)


try:  # kafka-python (Debian: python3-kafka); without it the e2e tests skip (fail in CI).
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
except ImportError as e:  # pragma: no cover - depends on the machine
    skip("python module 'kafka' (kafka-python, apt-get install python3-kafka) not importable: %s" % e)


def log(msg):
    print("[%7.2f] %s" % (time.monotonic() - _T0, msg), flush=True)


_T0 = time.monotonic()


def scale(n, minimum=1):
    """n scaled by HANZO_E2E_SCALE (default 1.0; e.g. 0.2 under a sanitizer)."""
    try:
        f = float(os.environ.get("HANZO_E2E_SCALE", "1.0"))
    except ValueError:
        f = 1.0
    return max(minimum, int(round(n * f)))


def slowness():
    """Multiplier for timeouts: >1 when HANZO_E2E_SCALE says we are on a slow (sanitizer) build."""
    try:
        f = float(os.environ.get("HANZO_E2E_SCALE", "1.0"))
    except ValueError:
        f = 1.0
    return 1.0 if f >= 1.0 else 2.0


def parse_args(argv=None, need_promtool=False):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print("usage: %s HANZO_HMMD SOURCE_DIR [PROMTOOL]" % os.path.basename(sys.argv[0]), file=sys.stderr)
        sys.exit(2)
    binary, source = argv[0], argv[1]
    promtool = argv[2] if len(argv) > 2 and argv[2] else None
    if not os.access(binary, os.X_OK):
        print("FAIL: daemon binary %s is not executable" % binary, file=sys.stderr)
        sys.exit(1)
    if need_promtool and (not promtool or not os.access(promtool, os.X_OK)):
        skip("promtool not found (apt-get install prometheus)")
    return binary, source, promtool


def main(body):
    """Run body(); map Failure/HarnessError/anything else to a clear message and exit code."""
    code = 0
    try:
        body()
        print("PASS", flush=True)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr, flush=True)
        code = 1
    except HarnessError as e:
        print("ERROR (test harness): %s" % e, file=sys.stderr, flush=True)
        code = 1
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - any crash is a failure with its traceback
        traceback.print_exc()
        print("FAIL: unexpected exception (see traceback above)", file=sys.stderr, flush=True)
        code = 1
    finally:
        Daemon.kill_all()
        for d in _TMP:
            shutil.rmtree(d, ignore_errors=True)
    # kafka-python registers atexit hooks that close clients without a deadline; with the
    # embedded cluster gone they could wait forever. Everything that matters is reported: leave.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def wait_for(pred, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise Failure("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


_TMP = []


def tmpdir():
    """A fresh directory, removed when the test ends (main())."""
    d = tempfile.mkdtemp(prefix="hanzo-e2e-")
    _TMP.append(d)
    return d


def write_config(text, name="hanzo-hmmd.toml"):
    path = os.path.join(tmpdir(), name)
    with open(path, "w") as f:
        f.write(text)
    return path


# --------------------------------------------------------------------------------------------
# The daemon process
# --------------------------------------------------------------------------------------------

def _die_with_parent():
    """In the child before exec: SIGKILL when the test process dies (e.g. killed by a CTest
    timeout), so no daemon outlives its test."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort (non-Linux)
        pass


_BOOTSTRAP_RE = re.compile(r"^bootstrap\.servers=(\S+)$")
_METRICS_RE = re.compile(r"metrics on (http://\S+/metrics)")


class Daemon:
    """hanzo-hmmd as a subprocess. stdout/stderr are read by threads (so a chatty daemon never
    blocks on a full pipe); start() waits for the bootstrap line, the metrics URL and "ready"."""

    _live = []

    def __init__(self, binary, args=(), env=None, embedded=True, metrics_listen="127.0.0.1:0"):
        self.binary = binary
        self.args = list(args)
        self.embedded = embedded
        if embedded:
            self.args.append("--embedded-kafka")
        if metrics_listen is not None:
            self.args += ["--metrics-listen", metrics_listen]
        self.env = dict(os.environ if env is None else env)
        self.proc = None
        self.bootstrap = None
        self.metrics_url = None
        self.stdout_lines = []
        self.stderr_lines = []
        self._cond = threading.Condition()
        self._threads = []
        self.returncode = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout=30.0, wait_ready=True):
        timeout *= slowness()
        self.proc = subprocess.Popen([self.binary] + self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env, preexec_fn=_die_with_parent)
        Daemon._live.append(self)
        for stream, sink in ((self.proc.stdout, self.stdout_lines), (self.proc.stderr, self.stderr_lines)):
            t = threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
            t.start()
            self._threads.append(t)
        deadline = time.monotonic() + timeout

        def need():
            if self.embedded and self.bootstrap is None:
                return "the bootstrap.servers line on stdout"
            if self.metrics_url is None:
                return "the metrics URL on stderr"
            if wait_ready and not self.saw("ready"):
                return 'the "ready" log line'
            return None

        with self._cond:
            while need():
                if self.proc.poll() is not None:
                    self._reap_pipes()
                    raise Failure("hanzo-hmmd %s exited with %s before %s; stderr:\n%s" %
                                  (" ".join(self.args), self.proc.returncode, need(), self.stderr()))
                left = deadline - time.monotonic()
                if left <= 0:
                    what = need()
                    self.kill()
                    raise Failure("hanzo-hmmd did not print %s within %.0f s; stderr:\n%s" %
                                  (what, timeout, self.stderr()))
                self._cond.wait(min(left, 0.2))
        return self

    def _pump(self, stream, sink):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                sink.append(line)
                if sink is self.stdout_lines and self.bootstrap is None:
                    m = _BOOTSTRAP_RE.match(line)
                    if m:
                        self.bootstrap = m.group(1)
                if sink is self.stderr_lines and self.metrics_url is None:
                    m = _METRICS_RE.search(line)
                    if m:
                        self.metrics_url = m.group(1)
                self._cond.notify_all()
        stream.close()

    def _reap_pipes(self, timeout=5.0):
        for t in self._threads:
            t.join(timeout)

    def saw(self, text):
        """True if a stderr line ends with `hanzo-hmmd: <text>` (or contains text when it has spaces)."""
        with self._cond:
            return any(l.endswith("hanzo-hmmd: " + text) or (" " in text and text in l) for l in self.stderr_lines)

    def wait_log(self, text, timeout=30.0):
        """Wait for a stderr line containing text (e.g. "assigned" once the group is joined)."""
        deadline = time.monotonic() + timeout * slowness()
        with self._cond:
            while not any(text in l for l in self.stderr_lines):
                if self.proc.poll() is not None:
                    raise Failure("hanzo-hmmd exited with %s before logging %r; stderr:\n%s" %
                                  (self.proc.returncode, text, "\n".join(self.stderr_lines)))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("hanzo-hmmd did not log %r within %.0f s; stderr:\n%s" %
                                  (text, timeout, "\n".join(self.stderr_lines)))
                self._cond.wait(min(left, 0.2))

    def stderr(self):
        with self._cond:
            return "\n".join(self.stderr_lines)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def wait(self, timeout):
        try:
            self.returncode = self.proc.wait(timeout * slowness())
        except subprocess.TimeoutExpired:
            self.kill()
            raise Failure("hanzo-hmmd did not exit within %.0f s; stderr:\n%s" % (timeout, self.stderr()[-4000:]))
        self._reap_pipes()
        return self.returncode

    def stop(self, timeout=60.0, sig=signal.SIGTERM):
        """SIGTERM, wait for the exit; returns (exit code, stderr)."""
        if self.proc is None:
            return None, ""
        self.send_signal(sig)
        rc = self.wait(timeout)
        return rc, self.stderr()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        if self in Daemon._live:
            Daemon._live.remove(self)

    @classmethod
    def kill_all(cls):
        for d in list(cls._live):
            d.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False

    # -- metrics ----------------------------------------------------------------------------
    def scrape(self, timeout=5.0):
        with urllib.request.urlopen(self.metrics_url, timeout=timeout) as r:
            check(r.status == 200, "GET %s answered %s" % (self.metrics_url, r.status))
            return r.read().decode("utf-8")

    def metrics(self):
        return parse_metrics(self.scrape())


def run_binary(binary, args, timeout=30.0, env=None):
    """Run hanzo-hmmd to completion (config checks, usage errors): (exit code, stdout, stderr)."""
    try:
        p = subprocess.run([binary] + list(args), stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout * slowness(), env=env)
    except subprocess.TimeoutExpired as e:
        raise Failure("hanzo-hmmd %s did not exit within %.0f s (stderr: %s)" %
                      (" ".join(args), timeout, (e.stderr or b"").decode("utf-8", "replace")))
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# Prometheus text format
# --------------------------------------------------------------------------------------------

_SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$')
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """{(name, ((label, value), ...)): float} for every sample line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE_RE.match(line)
        if not m:
            raise Failure("unparseable exposition line: %r" % line)
        labels = tuple(sorted(_LABEL_RE.findall(m.group(3) or "")))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def metric(samples, name, **labels):
    """The sample `name{labels}` (exact label set), or None."""
    return samples.get((name, tuple(sorted(labels.items()))))


def metric_sum(samples, name):
    """Sum over all label sets of `name`."""
    return sum(v for (n, _), v in samples.items() if n == name)


# --------------------------------------------------------------------------------------------
# Kafka clients (kafka-python)
# --------------------------------------------------------------------------------------------

MiB = 1024 * 1024


def producer(bootstrap, **kw):
    """A KafkaProducer that keeps per-partition order (one request in flight, retries) and can send
    records up to 4 MiB."""
    cfg = dict(bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=256 * 1024,
               max_request_size=4 * MiB, buffer_memory=256 * MiB, retries=5,
               max_in_flight_requests_per_connection=1, request_timeout_ms=30000, max_block_ms=30000,
               client_id="hanzo-e2e")
    cfg.update(kw)
    return KafkaProducer(**cfg)


def consumer(bootstrap, **kw):
    """A KafkaConsumer without a group (manual assignment only). CRCs are not checked: kafka-python's
    CRC-32C is pure Python and would dominate the run time; the broker is in-process."""
    cfg = dict(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, check_crcs=False,
               auto_offset_reset="earliest", max_partition_fetch_bytes=8 * MiB, fetch_max_bytes=64 * MiB,
               fetch_max_wait_ms=100, max_poll_records=100000, request_timeout_ms=30000, client_id="hanzo-e2e")
    cfg.update(kw)
    return KafkaConsumer(**cfg)


def partitions_of(client, topic, timeout=20.0):
    def get():
        p = client.partitions_for_topic(topic)
        if not p and hasattr(client, "topics"):
            client.topics()  # refresh metadata
        return p

    parts = wait_for(get, timeout, "metadata of topic %s" % topic, interval=0.1)
    return sorted(parts)


class TopicReader:
    """Reads one topic from the beginning with manual assignment of all its partitions, keeping
    every record. Offsets must be contiguous from 0 in every partition: a gap means the mock
    cluster dropped data before we read it (its per-partition retention), which is a harness
    error, not a daemon bug."""

    def __init__(self, bootstrap, topic, parse_json=False, keep=None):
        self.topic = topic
        self.parse_json = parse_json
        self.keep = keep  # optional function(record) -> object to store instead of the record
        self.c = consumer(bootstrap)
        self.partitions = partitions_of(self.c, topic)
        self.tps = [TopicPartition(topic, p) for p in self.partitions]
        self.c.assign(self.tps)
        self.c.seek_to_beginning(*self.tps)
        self.records = []
        self.next_offset = {p: 0 for p in self.partitions}

    def poll(self, timeout_ms=200):
        got = self.c.poll(timeout_ms=timeout_ms)
        n = 0
        for tp, recs in got.items():
            for r in recs:
                if r.offset != self.next_offset[tp.partition]:
                    raise HarnessError("%s[%d]: read offset %d, expected %d: the mock cluster dropped records "
                                       "(per-partition retention) before they were read" %
                                       (self.topic, tp.partition, r.offset, self.next_offset[tp.partition]))
                self.next_offset[tp.partition] = r.offset + 1
                if self.keep is not None:
                    self.records.append(self.keep(r))
                else:
                    self.records.append(r)
                n += 1
        return n

    def poll_for(self, seconds):
        """Keep reading for `seconds` (instead of sleeping while the daemon writes)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.poll(min(200, max(1, int((end - time.monotonic()) * 1000))))

    def end_offsets(self):
        return {tp.partition: off for tp, off in self.c.end_offsets(self.tps).items()}

    def read_to_end(self, timeout=30.0):
        """Read everything up to the end offsets as of now."""
        end = self.end_offsets()
        deadline = time.monotonic() + timeout * slowness()
        while any(self.next_offset[p] < end[p] for p in self.partitions):
            if time.monotonic() > deadline:
                raise HarnessError("could not read %s to its end offsets %s within %.0f s (at %s)" %
                                   (self.topic, end, timeout, self.next_offset))
            self.poll(200)
        return self.records

    def read_until(self, pred, timeout, what):
        """Poll until pred(records) is true; Failure naming `what` on the deadline."""
        deadline = time.monotonic() + timeout * slowness()
        while not pred(self.records):
            if time.monotonic() > deadline:
                raise Failure("timed out after %.0f s waiting for %s on %s (%d records read)" %
                              (timeout, what, self.topic, len(self.records)))
            self.poll(200)
        return self.records

    def close(self):
        try:
            self.c.close()
        except Exception:  # noqa: BLE001
            pass


def header(record, name):
    """The value (str) of header `name` of a ConsumerRecord, None if absent; Failure if repeated."""
    vals = [v for k, v in (record.headers or []) if k == name]
    if len(vals) > 1:
        raise Failure("record %s[%d]@%d has header %s %d times" % (record.topic, record.partition, record.offset,
                                                                  name, len(vals)))
    if not vals:
        return None
    return vals[0].decode("utf-8", "replace") if isinstance(vals[0], (bytes, bytearray)) else vals[0]


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def request(request_id, text="Summarise the quarterly report in three bullet points.", **extra):
    body = {"request_id": request_id, "input": text}
    body.update(extra)
    return body


_REQUEST_ID_RE = re.compile(rb'"request_id"\s*:\s*"((?:[^"\\]|\\.)*)"')


def decision_request_id(value):
    """request_id of a decision value without parsing the whole JSON (fast path for big runs)."""
    m = _REQUEST_ID_RE.search(value)
    return m.group(1).decode("utf-8") if m else None


VALID_STATUSES = ("routed", "rejected")
TOPICS = dict(ticks="hanzo.hmm.ticks", requests="hanzo.hmm.requests", feedback="hanzo.hmm.feedback",
              decisions="hanzo.hmm.decisions", prices="hanzo.hmm.prices", dlq="hanzo.hmm.dlq",
              quotes="hanzo.hmm.quotes", quote_answers="hanzo.hmm.quote-answers")


def free_unix_socket_path():
    return os.path.join(tmpdir(), "notify.sock")
