#!/usr/bin/python3
"""Command-line client of the emulator's control API (/_emulator/...).

  emuctl.py --port P health
  emuctl.py --port P reset
  emuctl.py --port P seed-instance orders-prod [--region R] [--engine E] [--status S]
            [--retention N] [--backup-window W] [--encrypted] [--kms-key-id K]
            [--deletion-protection] [--copy-tags] [--tag K=V ...] [--cluster C]
            [--automated-snapshots N] [--create-time T] [--set field=json ...]
  emuctl.py --port P seed-cluster NAME [--members a,b | --members 2] [...same options]
  emuctl.py --port P seed-snapshot ID --instance I [--type automated] [--count N]
            [--status S] [--shared-with ACCT ...] [...]
  emuctl.py --port P seed-cluster-snapshot ID --cluster C [...]
  emuctl.py --port P seed-retained-backup ID [--region R] [--retention N] [--earliest T]
            [--latest T] [--encrypted] [--set dbi_resource_id=db-...]
  emuctl.py --port P status {instance|cluster|snapshot|cluster-snapshot|export-task|
            automated-backup} ID STATUS [--region R] [--failure-cause TEXT]
  emuctl.py --port P clock [--advance S [--keep-wall]] [--set T] [--speed X] [--reset]
  emuctl.py --port P config key=json ...        (durations.snapshot=2 sets one duration)
  emuctl.py --port P fault ACTION KIND [--count N] [--probability P] [--delay S]
            [--code C] [--status N] [--message M] [--size B] [--region R] [--no-execute]
  emuctl.py --port P faults | faults-clear
  emuctl.py --port P fail-next KIND [--count N] [--status S] [--failure-cause TEXT]
  emuctl.py --port P log [--action A] [--target ID] [--since N] [--json]
  emuctl.py --port P counts [--by-target] [--action A] [--since N]
  emuctl.py --port P state | sns | metrics | credentials
  emuctl.py --port P role ROLE_ARN [--external-id X] [--deny] [--max-session-duration S]
  emuctl.py --port P call METHOD PATH [JSON]

The port comes from --port, --port-file, or $RDS_EMULATOR_PORT.  Only
the standard library; prints JSON (or a table for `log`).
"""
import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import urlencode


def request(port, method, path, payload=None, timeout=30):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/_emulator/%s" % (port, path),
                                 data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode())
    except urllib.error.HTTPError as err:
        body = err.read().decode()
        try:
            message = json.loads(body).get("error", body)
        except ValueError:
            message = body
        raise SystemExit("emuctl: %s %s: HTTP %d: %s" % (method, path, err.code, message))


def _tags(pairs):
    out = {}
    for pair in pairs or []:
        key, _, value = pair.partition("=")
        out[key] = value
    return out


def _sets(pairs):
    out = {}
    for pair in pairs or []:
        key, _, value = pair.partition("=")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _common(p):
    p.add_argument("--region")
    p.add_argument("--account")
    p.add_argument("--engine")
    p.add_argument("--engine-version")
    p.add_argument("--status")
    p.add_argument("--retention", type=int, dest="backup_retention")
    p.add_argument("--backup-window")
    p.add_argument("--encrypted", action="store_true", default=None)
    p.add_argument("--kms-key-id")
    p.add_argument("--deletion-protection", action="store_true", default=None)
    p.add_argument("--copy-tags", action="store_true", default=None,
                   dest="copy_tags_to_snapshot")
    p.add_argument("--allocated-storage", type=int)
    p.add_argument("--create-time")
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--set", action="append", default=[],
                   help="any other seed field, as field=JSON")


SPEC_KEYS = ("region", "account", "engine", "engine_version", "status", "backup_retention",
             "backup_window", "encrypted", "kms_key_id", "deletion_protection",
             "copy_tags_to_snapshot", "allocated_storage", "create_time", "cluster",
             "instance", "type", "count", "automated_snapshots", "instance_class")


def _spec(args, ident):
    spec = {"id": ident}
    for key in SPEC_KEYS:
        value = getattr(args, key, None)
        if value is not None:
            spec[key] = value
    if args.tag:
        spec["tags"] = _tags(args.tag)
    if getattr(args, "members", None):
        members = args.members
        spec["members"] = int(members) if members.isdigit() else members.split(",")
    if getattr(args, "shared_with", None):
        spec["shared_with"] = args.shared_with
    spec.update(_sets(args.set))
    return spec


def build_parser():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int)
    ap.add_argument("--port-file")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("health", "reset", "faults", "faults-clear", "state", "sns",
                 "metrics", "credentials"):
        sub.add_parser(name)
    p = sub.add_parser("seed-instance")
    p.add_argument("id")
    _common(p)
    p.add_argument("--cluster")
    p.add_argument("--instance-class")
    p.add_argument("--automated-snapshots", type=int)
    p = sub.add_parser("seed-cluster")
    p.add_argument("id")
    _common(p)
    p.add_argument("--members")
    p.add_argument("--instance-class")
    p.add_argument("--automated-snapshots", type=int)
    for name, source in (("seed-snapshot", "--instance"), ("seed-cluster-snapshot", "--cluster")):
        p = sub.add_parser(name)
        p.add_argument("id")
        _common(p)
        p.add_argument(source, required=True)
        p.add_argument("--type", choices=("manual", "automated", "awsbackup"))
        p.add_argument("--count", type=int)
        p.add_argument("--shared-with", action="append")
    p = sub.add_parser("seed-retained-backup",
                       help="the automated backup kept after instance ID was deleted")
    p.add_argument("id")
    _common(p)
    p.add_argument("--earliest")
    p.add_argument("--latest")
    p = sub.add_parser("status")
    p.add_argument("type", choices=("instance", "cluster", "snapshot", "cluster-snapshot",
                                    "export-task", "automated-backup"))
    p.add_argument("id", help="identifier; automated backups: ARN, or the source instance")
    p.add_argument("status", help="any status string; it stays until an action changes it")
    p.add_argument("--region")
    p.add_argument("--account")
    p.add_argument("--failure-cause", help="export tasks: the FailureCause")
    p = sub.add_parser("clock")
    p.add_argument("--advance", type=float)
    p.add_argument("--keep-wall", action="store_true",
                   help="with --advance: AWS's wall clock (signatures) does not move")
    p.add_argument("--set")
    p.add_argument("--speed", type=float)
    p.add_argument("--reset", action="store_true")
    p = sub.add_parser("config")
    p.add_argument("settings", nargs="*")
    p = sub.add_parser("fault")
    p.add_argument("action", help="action name or *")
    p.add_argument("kind")
    for opt, typ in (("--count", int), ("--probability", float), ("--delay", float),
                     ("--code", str), ("--status", int), ("--message", str), ("--size", int),
                     ("--region", str), ("--service", str)):
        p.add_argument(opt, type=typ)
    p.add_argument("--no-execute", action="store_true")
    p = sub.add_parser("fail-next")
    p.add_argument("kind")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--status", help="the status it ends in (default: failed / FAILED)")
    p.add_argument("--failure-cause", help="exports: the FailureCause")
    p = sub.add_parser("log")
    p.add_argument("--action")
    p.add_argument("--target", help="the identifier the request names")
    p.add_argument("--since", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("counts")
    p.add_argument("--by-target", action="store_true",
                   help="per action and identifier the request names")
    p.add_argument("--action")
    p.add_argument("--since", type=int, default=0)
    p = sub.add_parser("role")
    p.add_argument("role_arn")
    p.add_argument("--external-id")
    p.add_argument("--deny", action="store_true")
    p.add_argument("--max-session-duration", type=int)
    p = sub.add_parser("call")
    p.add_argument("method")
    p.add_argument("path")
    p.add_argument("json", nargs="?")
    return ap


def resolve_port(args):
    if args.port:
        return args.port
    if args.port_file:
        with open(args.port_file) as f:
            return int(f.read().strip())
    if os.environ.get("RDS_EMULATOR_PORT"):
        return int(os.environ["RDS_EMULATOR_PORT"])
    raise SystemExit("emuctl: give --port, --port-file or RDS_EMULATOR_PORT")


def run(args):
    port = resolve_port(args)
    cmd = args.cmd
    simple_get = {"health": "health", "faults": "faults", "state": "state",
                  "sns": "sns", "metrics": "metrics", "credentials": "credentials"}
    if cmd in simple_get:
        return request(port, "GET", simple_get[cmd])
    if cmd == "reset":
        return request(port, "POST", "reset", {})
    if cmd == "faults-clear":
        return request(port, "POST", "faults/clear", {})
    if cmd == "seed-retained-backup":
        spec = _spec(args, args.id)
        for key in ("earliest", "latest"):
            if getattr(args, key):
                spec[key] = getattr(args, key)
        return request(port, "POST", "seed/retained-backup", spec)
    if cmd in ("seed-instance", "seed-cluster", "seed-snapshot", "seed-cluster-snapshot"):
        return request(port, "POST", "seed/" + cmd[len("seed-"):], _spec(args, args.id))
    if cmd == "status":
        spec = {"type": args.type, "id": args.id, "status": args.status}
        if args.region:
            spec["region"] = args.region
        if args.account:
            spec["account"] = args.account
        if args.failure_cause:
            spec["failure_cause"] = args.failure_cause
        return request(port, "POST", "status", spec)
    if cmd == "clock":
        spec = {k: v for k, v in (("advance", args.advance), ("set", args.set),
                                  ("speed", args.speed)) if v is not None}
        if args.reset:
            spec["reset"] = True
        if args.keep_wall:
            spec["wall"] = False
        return request(port, "POST" if spec else "GET", "clock", spec or None)
    if cmd == "config":
        spec = {}
        for key, value in _sets(args.settings).items():
            if key.startswith("durations."):
                spec.setdefault("durations", {})[key.split(".", 1)[1]] = value
            else:
                spec[key] = value
        return request(port, "POST" if spec else "GET", "config", spec or None)
    if cmd == "fault":
        spec = {"action": args.action, "kind": args.kind}
        for key in ("count", "probability", "delay", "code", "status", "message", "size",
                    "region", "service"):
            if getattr(args, key) is not None:
                spec[key] = getattr(args, key)
        if args.no_execute:
            spec["execute"] = False
        return request(port, "POST", "faults", spec)
    if cmd == "fail-next":
        spec = {"kind": args.kind, "count": args.count}
        if args.status:
            spec["status"] = args.status
        if args.failure_cause:
            spec["failure_cause"] = args.failure_cause
        return request(port, "POST", "fail-next", spec)
    if cmd == "counts":
        query = {"since": args.since}
        if args.by_target:
            query["by"] = "target"
        if args.action:
            query["action"] = args.action
        return request(port, "GET", "counts?" + urlencode(query))
    if cmd == "log":
        query = {"since": args.since}
        for key in ("action", "target"):
            if getattr(args, key):
                query[key] = getattr(args, key)
        entries = request(port, "GET", "log?" + urlencode(query))
        if args.json:
            return entries
        for e in entries:
            print("%5d %s %-10s %-42s %-24s %3s %s%s" % (
                e["seq"], e["time"], e.get("region") or "-", e.get("action") or "-",
                e.get("target") or "-", e.get("status"), e.get("error_code") or "",
                (" fault=" + e["fault"]) if e.get("fault") else ""))
        return None
    if cmd == "role":
        spec = {"role_arn": args.role_arn}
        if args.external_id:
            spec["external_id"] = args.external_id
        if args.deny:
            spec["deny"] = True
        if args.max_session_duration:
            spec["max_session_duration"] = args.max_session_duration
        return request(port, "POST", "roles", spec)
    if cmd == "call":
        path = args.path.lstrip("/").replace("_emulator/", "", 1)
        return request(port, args.method.upper(), path,
                       json.loads(args.json) if args.json else None)
    raise SystemExit("emuctl: unknown command %s" % cmd)


def main(argv=None):
    args = build_parser().parse_args(argv)
    result = run(args)
    if result is not None:
        print(json.dumps(result, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
