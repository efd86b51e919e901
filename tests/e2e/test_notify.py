"""e2e: the systemd notify protocol through a NOTIFY_SOCKET the test owns.

The test binds a Unix datagram socket and starts the daemon (embedded Kafka) with
NOTIFY_SOCKET=<it>, WATCHDOG_USEC=500000 and WATCHDOG_PID unset. Expected (sd_notify(3),
systemd.service(5) Type=notify / WatchdogSec=):
- a datagram with READY=1 that also carries a STATUS= line, once (not before Kafka is up: the
  bootstrap line is printed before it);
- WATCHDOG=1 every WATCHDOG_USEC/2 while healthy: at least 3 in the 2.5 s after READY, and no gap
  between pings (or between READY and the first ping) reaching WATCHDOG_USEC, which is when
  systemd would kill the service;
- after SIGTERM a STOPPING=1 datagram, then exit code 0.
A second run with WATCHDOG_PID set to another process's pid must not ping the watchdog at all
(the variables are meant for that pid) but must still send READY=1.
An abstract-namespace socket ("@name") must work too (systemd uses plain paths, but sd_notify
accepts both).
"""

import os
import socket
import threading
import time

import harness as h

WATCHDOG_USEC = 500000


class Listener(threading.Thread):
    def __init__(self, address, abstract=False):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(("\0" + address) if abstract else address)
        self.sock.settimeout(0.1)
        self.messages = []  # (monotonic time, text)
        self.stop_flag = threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.messages.append((time.monotonic(), data.decode("utf-8", "replace")))

    def close(self):
        self.stop_flag.set()
        self.join(2)
        self.sock.close()

    def with_field(self, field):
        return [(t, m) for t, m in self.messages if field in m.split("\n")]


def env_for(notify_socket, watchdog_pid=None):
    env = dict(os.environ)
    env["NOTIFY_SOCKET"] = notify_socket
    env["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
    env.pop("WATCHDOG_PID", None)
    if watchdog_pid is not None:
        env["WATCHDOG_PID"] = str(watchdog_pid)
    return env


def body():
    binary, _, _ = h.parse_args()
    errors = []
    slack = h.slowness()

    # 1. The full protocol.
    path = h.free_unix_socket_path()
    lis = Listener(path)
    lis.start()
    d = h.Daemon(binary, env=env_for(path)).start()
    h.wait_for(lambda: lis.with_field("READY=1"), 10, "READY=1 on NOTIFY_SOCKET")
    t_ready = lis.with_field("READY=1")[0][0]
    time.sleep(2.5)
    pings = [t for t, _ in lis.with_field("WATCHDOG=1")]
    ready = lis.with_field("READY=1")
    if len(ready) != 1:
        errors.append("READY=1 sent %d times: %s" % (len(ready), [m for _, m in ready]))
    if not any(line.startswith("STATUS=") and len(line) > 7 for line in ready[0][1].split("\n")):
        errors.append("the READY=1 datagram has no STATUS= line: %r" % ready[0][1])
    after = [t for t in pings if t >= t_ready]
    window = [t for t in after if t <= t_ready + 2.5]
    if len(window) < 3:  # ~10 expected; a loaded CI machine may delay some, systemd only minds the gap
        errors.append("%d WATCHDOG=1 in the 2.5 s after READY with WATCHDOG_USEC=%d (expected one every %d ms)" %
                      (len(window), WATCHDOG_USEC, WATCHDOG_USEC // 2000))
    gaps = [b - a for a, b in zip([t_ready] + after, after)]
    if gaps and max(gaps) >= WATCHDOG_USEC / 1e6 * slack:
        errors.append("a gap of %.0f ms between watchdog pings (limit %d ms)" % (max(gaps) * 1000, WATCHDOG_USEC // 1000))
    n_before_stop = len(lis.messages)
    rc, err = d.stop(60)
    time.sleep(0.2)
    stopping = [m for t, m in lis.messages[n_before_stop:] if "STOPPING=1" in m.split("\n")]
    if not stopping:
        errors.append("no STOPPING=1 after SIGTERM (got after the signal: %s)" %
                      [m for _, m in lis.messages[n_before_stop:]][:5])
    if any("STOPPING=1" in m.split("\n") for _, m in lis.messages[:n_before_stop]):
        errors.append("STOPPING=1 before SIGTERM")
    if rc != 0:
        errors.append("exit code %s after SIGTERM; stderr tail:\n%s" % (rc, err[-2000:]))
    lis.close()
    h.log("READY with %r, %d pings in 2.5 s (max gap %.0f ms), STOPPING: %s" %
          (ready[0][1] if ready else None, len(window), max(gaps) * 1000 if gaps else -1, bool(stopping)))

    # 2. WATCHDOG_PID names another process: no pings.
    path2 = h.free_unix_socket_path()
    lis2 = Listener(path2)
    lis2.start()
    other = os.getpid()  # certainly not the daemon
    d2 = h.Daemon(binary, env=env_for(path2, watchdog_pid=other)).start()
    h.wait_for(lambda: lis2.with_field("READY=1"), 10, "READY=1 (WATCHDOG_PID set to another pid)")
    time.sleep(1.5)
    if lis2.with_field("WATCHDOG=1"):
        errors.append("WATCHDOG_PID=%d (not the daemon): still got %d WATCHDOG=1" %
                      (other, len(lis2.with_field("WATCHDOG=1"))))
    rc2, err2 = d2.stop(60)
    if rc2 != 0:
        errors.append("WATCHDOG_PID run: exit code %s; stderr tail:\n%s" % (rc2, err2[-2000:]))
    lis2.close()

    # 3. Abstract socket address.
    name = "hanzo-e2e-notify-%d" % os.getpid()
    lis3 = Listener(name, abstract=True)
    lis3.start()
    d3 = h.Daemon(binary, env=env_for("@" + name)).start()
    try:
        h.wait_for(lambda: lis3.with_field("READY=1"), 10, "READY=1 on the abstract socket @%s" % name)
    except h.Failure as e:
        errors.append(str(e))
    rc3, err3 = d3.stop(60)
    if rc3 != 0:
        errors.append("abstract-socket run: exit code %s; stderr tail:\n%s" % (rc3, err3[-2000:]))
    lis3.close()

    if errors:
        raise h.Failure("%d problem(s) with the notify protocol:\n  " % len(errors) + "\n  ".join(errors))


if __name__ == "__main__":
    h.main(body)
