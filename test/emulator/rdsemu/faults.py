"""Injected faults, chosen per action (or '*') and region.

A fault fires for the next `count` matching requests, and/or with a
`probability` (both: with that probability, at most count times).
Kinds:
  throttle    400 Throttling "Rate exceeded" (as RDS)
  error       any AWS error: code, status, message
  http500     500 InternalFailure
  http503     503 ServiceUnavailable
  reset       connection reset (RST) instead of a reply
  close       connection closed without a reply
  delay       reply normally after `delay` seconds
  hang        never reply (until the client gives up or `delay`, max 600 s)
  malformed   200 with a body that is not well-formed XML
  truncated   200 whose body stops halfway (Content-Length promises more)
  oversized   200 with a valid reply padded to `size` bytes (default 16 MiB)
  midreset    200 whose body stops halfway with a TCP reset
  redirect    307 to this emulator's own URL (a client that follows is seen)
  html        200 text/html, a proxy's error page
  doctype     200, the reply with a DOCTYPE declaring an external entity
              (file:///etc/hostname) that the RequestId references
  entities    200, the reply with "billion laughs" (nine levels of entities)
  deep        200, the reply with `size` nested elements inside (default 100)
  wide        200, the reply with `size` empty elements inside (default 200001)
For the transport kinds (reset ... wide) the action runs first, as when AWS
did the work but the reply got lost; execute=false skips it.
"""
import itertools
import random
import threading

from .errors import AwsError

KINDS = ("throttle", "error", "http500", "http503", "reset", "close", "delay", "hang",
         "malformed", "truncated", "oversized", "midreset", "redirect", "html", "doctype",
         "entities", "deep", "wide")


class Fault:
    _ids = itertools.count(1)

    def __init__(self, kind, action="*", region=None, count=None, probability=None,
                 delay=None, code=None, status=None, message=None, size=None,
                 service=None, execute=True):
        if kind not in KINDS:
            raise ValueError("unknown fault kind %r (one of %s)" % (kind, ", ".join(KINDS)))
        if count is None and probability is None:
            count = 1
        self.id = next(self._ids)
        self.kind = kind
        self.action = action or "*"
        self.region = region
        self.service = service
        self.remaining = None if count is None else int(count)
        self.probability = None if probability is None else float(probability)
        self.delay = None if delay is None else float(delay)
        self.code = code
        self.status = status
        self.message = message
        if size:
            self.size = int(size)
        else:
            self.size = {"deep": 100, "wide": 200001}.get(kind, 16 * 1024 * 1024)
        self.execute = bool(execute)   # transport kinds: run the action first
        self.fired = 0

    def matches(self, service, action, region):
        return ((self.action == "*" or self.action == action)
                and (self.region is None or self.region == region)
                and (self.service is None or self.service == service))

    def error(self):
        """The AwsError for error-reply kinds, else None."""
        if self.kind == "throttle":
            return AwsError(self.code or "Throttling", self.message or "Rate exceeded",
                            int(self.status or 400))
        if self.kind == "http500":
            return AwsError(self.code or "InternalFailure",
                            self.message or "An internal error has occurred.",
                            int(self.status or 500), sender=False)
        if self.kind == "http503":
            return AwsError(self.code or "ServiceUnavailable",
                            self.message or "Service is unavailable. Please try again later.",
                            int(self.status or 503), sender=False)
        if self.kind == "error":
            status = int(self.status or 400)
            return AwsError(self.code or "InternalFailure", self.message or "Injected error",
                            status, sender=status < 500)
        return None

    def describe(self):
        return {"id": self.id, "kind": self.kind, "action": self.action,
                "region": self.region, "service": self.service,
                "remaining": self.remaining, "probability": self.probability,
                "delay": self.delay, "code": self.code, "status": self.status,
                "size": self.size if self.kind in ("oversized", "deep", "wide") else None,
                "execute": self.execute,
                "fired": self.fired}


class Faults:
    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self._faults = []
        self._random = random.Random(seed)

    def add(self, **spec):
        fault = Fault(**spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self, fault_id=None):
        with self._lock:
            if fault_id is None:
                self._faults = []
            else:
                self._faults = [f for f in self._faults if f.id != int(fault_id)]

    def list(self):
        with self._lock:
            return [f.describe() for f in self._faults]

    def pick(self, service, action, region):
        """The fault to apply to this request, or None (consumes a count)."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(service, action, region):
                    continue
                if fault.probability is not None and self._random.random() >= fault.probability:
                    continue
                fault.fired += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None
