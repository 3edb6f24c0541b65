"""The control API: JSON over HTTP under /_emulator/, loopback only, no
signature.  See test/emulator/README.md for the reference."""
import datetime
import ipaddress
import json
import threading
from urllib.parse import parse_qs, urlsplit

from . import seed
from .state import FAILURE_STATUS
from .clock import iso, parse_iso


class ControlError(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return iso(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def dumps(payload):
    return (json.dumps(payload, default=_json_default, indent=1, sort_keys=True)
            + "\n").encode()


def handle(app, handler, method, raw_path, body, client_ip):
    """(HTTP status, JSON bytes) for a control request."""
    try:
        if not ipaddress.ip_address(client_ip).is_loopback:
            raise ControlError("the control API answers loopback clients only", 403)
        parts = urlsplit(raw_path)
        path = parts.path[len("/_emulator"):].strip("/")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            spec = json.loads(body.decode() or "{}") if body else {}
        except ValueError:
            raise ControlError("body is not JSON")
        route = ROUTES.get((method, path))
        if route is None:
            raise ControlError("no such control endpoint: %s /_emulator/%s" % (method, path),
                               404)
        result = route(app, spec, query, handler)
        return 200, dumps(result)
    except ControlError as err:
        return err.status, dumps({"error": str(err)})
    except (seed.SeedError, KeyError, ValueError, TypeError) as err:
        return 400, dumps({"error": "%s: %s" % (type(err).__name__, err)})


def _locked(func):
    def run(app, spec, query, handler):
        with app.store.lock:
            now = app.clock.now()
            app.store.tick(now)
            return func(app, spec, query, now)
    return run


def _many(func):
    """Accept one spec or a list of specs."""
    def run(app, spec, query, now):
        if isinstance(spec, list):
            return [func(app, s, now) for s in spec]
        return func(app, spec, now)
    return run


def health(app, spec, query, handler):
    server = handler.server
    return {"ok": True, "now": app.clock.now(), "speed": app.clock.speed,
            "port": server.server_address[1], "scheme": server.scheme}


def reset(app, spec, query, handler):
    with app.store.lock:
        app.store.reset()
        app.faults.clear()
        app.reqlog.clear()
        app.credentials.reset()
        app.metadata.reset()
        if not spec.get("keep_config"):
            app.config.reset()
        if not spec.get("keep_clock"):
            app.clock.reset()
    return {"ok": True}


def get_config(app, spec, query, handler):
    return app.config.as_dict()


def set_config(app, spec, query, handler):
    with app.store.lock:
        app.config.update(spec)
    return app.config.as_dict()


def get_clock(app, spec, query, handler):
    return {"now": app.clock.now(), "wall": app.clock.wall(), "speed": app.clock.speed,
            "skew_seconds": round(app.clock.skew_seconds(), 3)}


def set_clock(app, spec, query, handler):
    with app.store.lock:
        if spec.get("reset"):
            app.clock.reset()
        if "set" in spec:
            app.clock.set(parse_iso(spec["set"]))
        if "advance" in spec:
            app.clock.advance(float(spec["advance"]), wall=spec.get("wall", True) is not False)
        if "speed" in spec:
            app.clock.set_speed(float(spec["speed"]))
        app.store.tick(app.clock.now())
    return get_clock(app, spec, query, handler)


def fail_next(app, spec, query, now):
    """{kind, count?, status?, failure_cause?}: the next `count` operations of
    `kind` end in `status` instead of succeeding."""
    kind = spec.get("kind")
    if kind not in FAILURE_STATUS:
        raise ControlError("'kind' must be one of %s" % ", ".join(FAILURE_STATUS))
    count = int(spec.get("count", 1))
    if count < 1:
        raise ControlError("'count' must be at least 1")
    app.store.add_failure(kind, count, spec.get("status"), spec.get("failure_cause"))
    return app.store.pending_failures()


def get_faults(app, spec, query, handler):
    return app.faults.list()


def add_faults(app, spec, query, handler):
    specs = spec if isinstance(spec, list) else [spec]
    return [app.faults.add(**s).describe() for s in specs]


def clear_faults(app, spec, query, handler):
    app.faults.clear(query.get("id") or spec.get("id"))
    return app.faults.list()


def get_log(app, spec, query, handler):
    return app.reqlog.entries(action=query.get("action"), since=int(query.get("since", 0)),
                              region=query.get("region"), service=query.get("service"),
                              target=query.get("target"))


def clear_log(app, spec, query, handler):
    app.reqlog.clear()
    return {"ok": True}


def counts(app, spec, query, handler):
    by = query.get("by")
    if by not in (None, "action", "target"):
        raise ControlError("'by' must be action or target")
    return app.reqlog.counts(by_target=by == "target", action=query.get("action"),
                             since=int(query.get("since", 0)), region=query.get("region"))


def state(app, spec, query, now):
    lag = app.config["restore_lag_seconds"]
    out = {}
    for (account, name), region in sorted(app.store.regions.items()):
        if query.get("region") not in (None, name) or query.get("account") not in (None, account):
            continue
        out["%s/%s" % (account, name)] = region.dump(now, lag)
    return {"now": now, "regions": out, "fail_next": app.store.pending_failures()}


def sns(app, spec, query, now):
    return list(app.store.sns_messages)


def metrics(app, spec, query, now):
    return list(app.store.metrics)


def get_credentials(app, spec, query, handler):
    return app.credentials.list()


def add_credentials(app, spec, query, handler):
    specs = spec if isinstance(spec, list) else [spec]
    return [app.credentials.add(s).public() for s in specs]


def roles(app, spec, query, now):
    if "role_arn" not in spec:
        raise ControlError("'role_arn' is required")
    app.store.roles[spec["role_arn"]] = {k: v for k, v in spec.items() if k != "role_arn"}
    return app.store.roles


def topics(app, spec, query, now):
    app.store.topics = set(spec.get("topics", []))
    return sorted(app.store.topics)


def shutdown(app, spec, query, handler):
    threading.Thread(target=handler.server.shutdown, daemon=True).start()
    return {"ok": True}


ROUTES = {
    ("GET", "health"): health,
    ("POST", "reset"): reset,
    ("GET", "config"): get_config,
    ("POST", "config"): set_config,
    ("GET", "clock"): get_clock,
    ("POST", "clock"): set_clock,
    ("POST", "seed/instance"): _locked(_many(seed.instance)),
    ("POST", "seed/cluster"): _locked(_many(seed.cluster)),
    ("POST", "seed/snapshot"): _locked(_many(seed.snapshot)),
    ("POST", "seed/cluster-snapshot"): _locked(_many(
        lambda app, s, now: seed.snapshot(app, s, now, cluster_snapshot=True))),
    ("POST", "seed/retained-backup"): _locked(_many(seed.retained_backup)),
    ("POST", "status"): _locked(_many(seed.set_status)),
    ("POST", "fail-next"): _locked(fail_next),
    ("GET", "faults"): get_faults,
    ("POST", "faults"): add_faults,
    ("DELETE", "faults"): clear_faults,
    ("POST", "faults/clear"): clear_faults,
    ("GET", "log"): get_log,
    ("DELETE", "log"): clear_log,
    ("GET", "counts"): counts,
    ("GET", "state"): _locked(state),
    ("GET", "sns"): _locked(sns),
    ("GET", "metrics"): _locked(metrics),
    ("GET", "credentials"): get_credentials,
    ("POST", "credentials"): add_credentials,
    ("POST", "roles"): _locked(roles),
    ("POST", "topics"): _locked(topics),
    ("POST", "shutdown"): shutdown,
}
