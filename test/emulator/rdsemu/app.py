"""The AWS request pipeline: parse, authenticate, route, fault, validate,
run, serialize, log.  Transport-level effects (delays, resets, broken
bodies) are returned to the server in the Reply."""
import email.utils
import sys
import time
import traceback
import uuid
from urllib.parse import parse_qsl, urlsplit

from . import actions, model, sigv4, xmlio
from .actions import sts
from .clock import iso
from .errors import AwsError, internal_failure, missing_parameter
from .metadata import Metadata
from .reqlog import redact_params, target_of

# Fault kinds after which the action still ran (the reply got lost).
TRANSPORT_FAULTS = ("reset", "close", "delay", "hang", "malformed", "truncated", "oversized",
                    "midreset", "redirect", "html", "doctype", "entities", "deep", "wide")


class Reply:
    def __init__(self, status, body, request_id, date, fault=None):
        self.status = status
        self.body = body
        self.request_id = request_id
        self.date = date
        self.fault = fault           # a faults.Fault with a transport kind, or None

    def headers(self):
        return [("Content-Type", "text/xml"), ("x-amzn-RequestId", self.request_id),
                ("Date", self.date)]


class Emulator:
    def __init__(self, config, clock, store, credentials, faults, reqlog, verbose=False):
        self.config = config
        self.clock = clock
        self.store = store
        self.credentials = credentials
        self.faults = faults
        self.reqlog = reqlog
        self.verbose = verbose
        self.models = model.ServiceModels()
        self.metadata = Metadata(self)
        actions.load_all()

    def log_metadata(self, method, path, name, status):
        """Credential-source requests go to the request log too (no secrets)."""
        self.reqlog.add({"time": iso(self.clock.now()), "method": method, "path": path,
                         "service": "metadata", "action": name, "status": status,
                         "error_code": None if status == 200 else "HTTP%d" % status})

    def http_date(self, now):
        return email.utils.format_datetime(now.replace(microsecond=0), usegmt=True)

    def handle(self, method, url, headers, body):
        """The Reply to one AWS request.

        Requests are served one at a time, under the store's lock, from
        signature check to serialized reply.  The GIL runs one thread at a
        time anyway; making the others wait on this lock rather than on the
        GIL keeps the thread that holds the state from being preempted in
        favour of dozens that can only queue behind it (with 100 kept-alive
        clients that cut the slowest reply from 1.5 s to a quarter of that).
        Nothing in here waits for I/O: delays and hangs happen in the
        server, after the lock is released."""
        with self.store.lock:
            return self._handle(method, url, headers, body)

    def _handle(self, method, url, headers, body):
        started = time.monotonic()
        now = self.clock.now()
        wall = self.clock.wall()
        request_id = str(uuid.uuid4())
        entry = {"time": iso(now), "method": method, "host": headers.get("Host"),
                 "user_agent": headers.get("User-Agent"),
                 "request_id": request_id, "service": None, "action": None,
                 "region": None, "access_key_id": None, "params": {}, "target": None,
                 "status": None}
        namespace = self.models.get("rds").namespace
        fault = None
        try:
            params = self._params(method, url, headers, body)
            entry["action"] = params.get("Action")
            entry["target"] = target_of(entry["action"], params)
            entry["params"] = redact_params(
                {k: v for k, v in params.items() if k not in ("Action", "Version")})
            key_id, region, signing_name = sigv4.claimed_scope(headers, url)
            entry.update(access_key_id=key_id, region=region, service=signing_name)
            if self.models.get(signing_name) is not None:
                namespace = self.models.get(signing_name).namespace
            verified = sts.anonymous_caller(self, params, headers) or sigv4.verify_request(
                method, url, headers, body, self.credentials, wall,
                self.models.services, self.config["signature_skew_seconds"])
            service = self.models.get(verified.service)
            namespace = service.namespace
            entry.update(service=verified.service, region=verified.region,
                         access_key_id=verified.credential.access_key_id)
            op_name, handler = self._route(service, params)
            fault = self.faults.pick(verified.service, op_name, verified.region)
            if fault is not None:
                entry["fault"] = fault.kind
                injected = fault.error()
                if injected is not None:
                    raise injected
                if fault.kind in TRANSPORT_FAULTS and not fault.execute:
                    return self._finish(entry, started, Reply(0, b"", request_id,
                                                              self.http_date(wall), fault))
            op_model = service.operation(op_name)
            decoded = model.decode(op_model, {k: v for k, v in params.items()
                                             if k not in ("Action", "Version")})
            now = self.clock.now()
            self.store.tick(now)
            ctx = actions.Context(self, service, op_name, verified, now, request_id)
            result = handler(ctx, decoded)
            body_out = xmlio.response(service, op_model, result, request_id)
            reply = Reply(200, body_out, request_id, self.http_date(wall), fault)
            entry["status"] = 200
        except AwsError as err:
            reply = Reply(err.status, xmlio.error(namespace, err, request_id), request_id,
                          self.http_date(wall))
            entry.update(status=err.status, error_code=err.code, error_message=err.message)
        except Exception:   # a bug in the emulator: say so, loudly
            traceback.print_exc(file=sys.stderr)
            err = internal_failure()
            reply = Reply(500, xmlio.error(namespace, err, request_id), request_id,
                          self.http_date(wall))
            entry.update(status=500, error_code=err.code, error_message="emulator bug")
        if fault is not None and fault.kind in TRANSPORT_FAULTS and reply.fault is None:
            reply.fault = fault
        return self._finish(entry, started, reply)

    def _finish(self, entry, started, reply):
        entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        self.reqlog.add(entry)
        if self.verbose:
            print("%s %s %s %s %s %s" % (entry["time"], entry.get("region"), entry.get("action"),
                                         entry.get("status"), entry.get("error_code") or "",
                                         entry.get("fault") or ""), file=sys.stderr)
        return reply

    def _params(self, method, url, headers, body):
        query = urlsplit(url).query
        params = {}
        try:
            for key, value in parse_qsl(query, keep_blank_values=True, errors="strict"):
                if not key.startswith("X-Amz-"):
                    params[key] = value
            ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if method == "POST" and body and ctype in ("", "application/x-www-form-urlencoded"):
                for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                            errors="strict"):
                    params[key] = value
        except (UnicodeDecodeError, ValueError):
            raise AwsError("MalformedQueryString",
                           "The query string contains a syntax error.", 404)
        return params

    def _route(self, service, params):
        op_name = params.get("Action")
        if not op_name:
            raise AwsError("MissingAction", "Missing Action", 400)
        if not service.has_operation(op_name):
            raise AwsError("InvalidAction",
                           "The action %s is not valid for this web service." % op_name, 400)
        version = params.get("Version")
        if not version:
            raise missing_parameter("Version")
        if version != service.version:
            raise AwsError("InvalidAction", "Could not find operation %s for version %s"
                           % (op_name, version), 400)
        handler = actions.handler(service.signing_name, op_name)
        if handler is None:
            raise AwsError("InvalidAction",
                           "The action %s is valid but not implemented by the emulator."
                           % op_name, 400)
        return op_name, handler
