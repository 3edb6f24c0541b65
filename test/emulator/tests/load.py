#!/usr/bin/python3
"""Load on the emulator as rds_backup's load tests make it: N clients at
once, each holding ONE kept-alive connection, each sending M signed
requests back to back (CreateDBSnapshot, DescribeDBSnapshots by
identifier and by filter, DescribeDBInstances).

Every request must get a proper reply: HTTP 200, the action's XML
document, the request id of its header; every snapshot created exactly
once; no connection refused, reset or reopened; no connect slower than a
dropped SYN's 1 s retransmission (a full listen backlog).

    /usr/bin/python3 test/emulator/tests/load.py [--clients 100] [--requests 20]
                     [--port P]     (default: start a private emulator)

prints the figures (requests/s, latency percentiles) and exits non-zero
on any failure.  The CLI suite runs the same check in its `load` group.
Requests are signed (botocore's SigV4Auth) before the clock starts, so
the figures measure the emulator and the connections, not the signer.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "AKIAEMULATOR00000001"
SECRET = "emulator/secret/key/0000000000000000001"
REGION = "us-east-1"
INSTANCE = "load-db"


def ctl(port, method, path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/_emulator/%s" % (port, path),
                                 data=data, method=method)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def snapshot_id(client, n):
    return "load-c%03d-s%02d" % (client, n)


def plan(client, count):
    """The (action, params) a client sends, in order."""
    out = []
    made = []
    for i in range(count):
        step = i % 4
        if step == 0:
            ident = snapshot_id(client, len(made))
            made.append(ident)
            out.append(("CreateDBSnapshot", {"DBInstanceIdentifier": INSTANCE,
                                              "DBSnapshotIdentifier": ident}))
        elif step == 1:
            out.append(("DescribeDBSnapshots", {"DBSnapshotIdentifier": made[-1]}))
        elif step == 2:
            out.append(("DescribeDBInstances", {"DBInstanceIdentifier": INSTANCE}))
        else:
            params = {"Filters.Filter.1.Name": "db-snapshot-id"}
            for k, ident in enumerate(made, 1):
                params["Filters.Filter.1.Values.Value.%d" % k] = ident
            out.append(("DescribeDBSnapshots", params))
    return out


def sign(port, action, params):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    body = urlencode(dict(params, Action=action, Version="2014-10-31"))
    req = AWSRequest(method="POST", url="http://127.0.0.1:%d/" % port, data=body,
                     headers={"Content-Type":
                              "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(KEY, SECRET), "rds", REGION).add_auth(req)
    return action, body.encode(), dict(req.headers.items())


class Client(threading.Thread):
    def __init__(self, port, index, requests, start):
        super().__init__(daemon=True)
        self.port = port
        self.index = index
        self.requests = requests
        self.start_gate = start
        self.latencies = []
        self.errors = []
        self.connect_seconds = None
        self.sockets = set()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.start_gate.wait()
            t0 = time.monotonic()
            conn.connect()
            self.connect_seconds = time.monotonic() - t0
            for n, (action, body, headers) in enumerate(self.requests):
                self.sockets.add(id(conn.sock))
                t0 = time.monotonic()
                conn.request("POST", "/", body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.latencies.append(time.monotonic() - t0)
                problem = check_reply(action, resp, data)
                if problem:
                    self.errors.append("client %d request %d %s: %s"
                                       % (self.index, n, action, problem))
            if len(self.sockets) != 1 or conn.sock is None:
                self.errors.append("client %d: its connection was not kept alive (%d sockets)"
                                   % (self.index, len(self.sockets)))
        except Exception as err:     # refused, reset, timed out: all failures
            self.errors.append("client %d: %s: %s" % (self.index, type(err).__name__, err))
        finally:
            conn.close()


def check_reply(action, resp, data):
    if resp.status != 200:
        return "HTTP %d %s" % (resp.status, data[:200])
    if resp.will_close:
        return "the server closed the kept-alive connection"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        return "not XML: %s" % err
    if not root.tag.endswith("}%sResponse" % action):
        return "root element %s" % root.tag
    rid = root.find("{*}ResponseMetadata/{*}RequestId")
    if rid is None or rid.text != resp.getheader("x-amzn-RequestId"):
        return "request id missing or not the header's"
    return None


def percentile(values, p):
    values = sorted(values)
    if not values:
        return 0.0
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def run(port, clients=100, requests=20, slowest=5.0):
    """Drive the emulator on `port`; return (figures dict, list of problems).
    A reply slower than `slowest` seconds counts as a stall."""
    ctl(port, "POST", "config", {"snapshot_quota": clients * requests + 100})
    ctl(port, "POST", "seed/instance", {"id": INSTANCE})
    since = ctl(port, "GET", "log")
    since = since[-1]["seq"] if since else 0
    gate = threading.Event()
    threads = [Client(port, c, [sign(port, a, p) for a, p in plan(c, requests)], gate)
               for c in range(clients)]
    for t in threads:
        t.start()
    time.sleep(0.2)            # every thread waits at the gate
    t0 = time.monotonic()
    gate.set()
    for t in threads:
        t.join(300)
    elapsed = time.monotonic() - t0
    problems = [e for t in threads for e in t.errors]
    problems += ["client %d never finished" % t.index for t in threads if t.is_alive()]
    latencies = [x for t in threads for x in t.latencies]
    connects = [t.connect_seconds for t in threads if t.connect_seconds is not None]
    total = clients * requests
    if len(latencies) != total:
        problems.append("%d replies for %d requests" % (len(latencies), total))
    if latencies and max(latencies) > slowest:
        problems.append("a reply took %.2f s (a stall)" % max(latencies))
    if connects and max(connects) >= 1.0:
        problems.append("a connect took %.2f s (a SYN was dropped: listen backlog full)"
                        % max(connects))
    log = [e for e in ctl(port, "GET", "log?since=%d" % since) if e.get("action")]
    if len(log) != total:
        problems.append("the emulator logged %d requests, %d were sent" % (len(log), total))
    created = [e["params"].get("DBSnapshotIdentifier") for e in log
               if e["action"] == "CreateDBSnapshot" and e["status"] == 200]
    wanted = [snapshot_id(c, n) for c in range(clients)
              for n in range(len([1 for i in range(requests) if i % 4 == 0]))]
    if sorted(created) != sorted(wanted):
        problems.append("snapshots created: %d, expected each of %d exactly once"
                        % (len(created), len(wanted)))
    figures = {
        "clients": clients, "requests": total, "seconds": round(elapsed, 3),
        "requests_per_second": round(total / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p90_ms": round(percentile(latencies, 90) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2) if latencies else 0.0,
        "max_connect_ms": round(max(connects) * 1000, 2) if connects else 0.0,
    }
    return figures, problems


def describe(figures):
    return ("%(clients)d kept-alive clients, %(requests)d requests in %(seconds).2f s: "
            "%(requests_per_second).0f requests/s; latency p50 %(p50_ms).1f ms, "
            "p90 %(p90_ms).1f ms, p99 %(p99_ms).1f ms, max %(max_ms).1f ms; "
            "slowest connect %(max_connect_ms).1f ms" % figures)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--port", type=int, help="an emulator already running (it gets reset)")
    args = ap.parse_args(argv)
    emu = None
    port = args.port
    if port is None:
        sys.path.insert(0, HERE)
        import harness
        emu = harness.Emulator()
        port = emu.port
    try:
        ctl(port, "POST", "reset", {})
        figures, problems = run(port, args.clients, args.requests)
    finally:
        if emu is not None:
            emu.stop()
    print(describe(figures))
    for p in problems[:20]:
        print("problem: %s" % p)
    if len(problems) > 20:
        print("... and %d more problems" % (len(problems) - 20))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
