"""Request log (secrets redacted) and per-action counts."""
import collections
import json
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAM = re.compile(r"(Password|SecretAccessKey|SessionToken|WebIdentityToken|Signature"
                          r"|Secret)$",
                          re.IGNORECASE)
SECRET_QUERY = ("X-Amz-Signature", "X-Amz-Security-Token")
REDACTED = "***"


def redact_url(url):
    """A presigned URL with its signature and session token masked."""
    try:
        parts = urlsplit(url)
        pairs = [(k, REDACTED if k in SECRET_QUERY else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        return urlunsplit(parts._replace(query=urlencode(pairs, safe="*/:")))
    except ValueError:
        return REDACTED


def redact_params(params):
    out = {}
    for key, value in params.items():
        last = key.rsplit(".", 1)[-1]
        if SECRET_PARAM.search(last):
            out[key] = REDACTED
        elif last in ("PreSignedUrl", "PresignedUrl"):
            out[key] = redact_url(value)
        else:
            out[key] = value
    return out


class RequestLog:
    def __init__(self, path=None, limit=100000):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0
        self._path = path
        self._limit = limit

    def add(self, entry):
        with self._lock:
            self._seq += 1
            entry = dict(entry, seq=self._seq)
            self._entries.append(entry)
            if len(self._entries) > self._limit:
                del self._entries[: len(self._entries) - self._limit]
            if self._path:
                with open(self._path, "a") as f:
                    f.write(json.dumps(entry, default=str) + "\n")
        return entry

    def entries(self, action=None, since=0, region=None, service=None):
        with self._lock:
            return [e for e in self._entries
                    if e["seq"] > since
                    and (action is None or e.get("action") == action)
                    and (region is None or e.get("region") == region)
                    and (service is None or e.get("service") == service)]

    def counts(self):
        with self._lock:
            total = collections.Counter()
            errors = collections.Counter()
            for e in self._entries:
                name = e.get("action") or "-"
                total[name] += 1
                if e.get("error_code"):
                    errors[name] += 1
            return {name: {"requests": n, "errors": errors.get(name, 0)}
                    for name, n in sorted(total.items())}

    def clear(self):
        with self._lock:
            self._entries = []
