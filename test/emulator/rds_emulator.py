#!/usr/bin/python3
"""Amazon RDS (+ STS, SNS, CloudWatch) emulator for rds_backup's tests.

Run with Debian's /usr/bin/python3 (it needs Debian's python3-botocore).
See README.md next to this file.
"""
import argparse
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rdsemu.app import Emulator                      # noqa: E402
from rdsemu.clock import Clock, parse_iso            # noqa: E402
from rdsemu.config import Config                     # noqa: E402
from rdsemu.credentials import CredentialStore       # noqa: E402
from rdsemu.faults import Faults                     # noqa: E402
from rdsemu.reqlog import RequestLog                 # noqa: E402
from rdsemu.server import Server, tls_context        # noqa: E402
from rdsemu.state import Store                       # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1",
                    help="loopback address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    ap.add_argument("--port-file", help="write the chosen port to this file")
    ap.add_argument("--state-dir", help="directory for port, pid and requests.jsonl")
    ap.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate")
    ap.add_argument("--tls-key", help="... and this PEM key")
    ap.add_argument("--account-id", help="account of the default credentials' resources")
    ap.add_argument("--speed", type=float, default=1.0,
                    help="emulated seconds per real second (default 1)")
    ap.add_argument("--start-time", help="emulated clock start (ISO 8601; default now)")
    ap.add_argument("--credentials", help="JSON file: extra credentials (list of objects)")
    ap.add_argument("--config", help="JSON object (or @file) of config overrides")
    ap.add_argument("--seed", type=int, help="random seed (ids, fault probabilities)")
    ap.add_argument("--verbose", action="store_true", help="one stderr line per request")
    args = ap.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        ap.error("the emulator listens on loopback only")
    return args


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    overrides = {}
    if args.config:
        text = args.config
        if text.startswith("@"):
            with open(text[1:]) as f:
                text = f.read()
        overrides = json.loads(text)
    if args.account_id:
        overrides["account_id"] = args.account_id
    config = Config(overrides)
    clock = Clock(speed=args.speed, start=parse_iso(args.start_time) if args.start_time else None)
    credentials = CredentialStore(args.credentials, account_id=config["account_id"])
    log_path = None
    if args.state_dir:
        os.makedirs(args.state_dir, exist_ok=True)
        log_path = os.path.join(args.state_dir, "requests.jsonl")
    app = Emulator(config, clock, Store(args.seed), credentials, Faults(args.seed),
                   RequestLog(log_path), verbose=args.verbose)
    tls = tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    server = Server((args.host, args.port), app, tls)
    port = server.server_address[1]
    if args.port_file:
        write_atomically(args.port_file, "%d\n" % port)
    if args.state_dir:
        write_atomically(os.path.join(args.state_dir, "port"), "%d\n" % port)
        write_atomically(os.path.join(args.state_dir, "pid"), "%d\n" % os.getpid())
    print("rds_emulator listening on %s://%s:%d" % (server.scheme, args.host, port),
          file=sys.stderr, flush=True)

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
