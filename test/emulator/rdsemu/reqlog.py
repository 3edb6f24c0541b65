"""Request log (secrets redacted) and counts per action, or per action and
target (the identifier a request names: the snapshot a CreateDBSnapshot
creates, the instance a restore creates, the task an export starts ...)."""
import json
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAM = re.compile(r"(Password|SecretAccessKey|SessionToken|WebIdentityToken|Signature"
                          r"|Secret)$",
                          re.IGNORECASE)
SECRET_QUERY = ("X-Amz-Signature", "X-Amz-Security-Token")
REDACTED = "***"


# The parameter naming what an action creates or acts on, where the generic
# order below would pick another one (a restore also names its source).
TARGET_PARAM = {
    "RestoreDBInstanceFromDBSnapshot": "DBInstanceIdentifier",
    "RestoreDBInstanceToPointInTime": "TargetDBInstanceIdentifier",
    "RestoreDBClusterFromSnapshot": "DBClusterIdentifier",
    "RestoreDBClusterToPointInTime": "DBClusterIdentifier",
    "StartExportTask": "ExportTaskIdentifier",
    "StartDBInstanceAutomatedBackupsReplication": "SourceDBInstanceArn",
    "StopDBInstanceAutomatedBackupsReplication": "SourceDBInstanceArn",
}
# Otherwise the first of these a request carries.
TARGET_ORDER = ("TargetDBSnapshotIdentifier", "TargetDBClusterSnapshotIdentifier",
                "TargetDBInstanceIdentifier", "DBSnapshotIdentifier",
                "DBClusterSnapshotIdentifier", "ExportTaskIdentifier", "DBInstanceIdentifier",
                "DBClusterIdentifier", "DBInstanceAutomatedBackupsArn", "DbiResourceId",
                "ResourceName", "SourceDBInstanceArn", "SourceArn")


def target_of(action, params):
    """The identifier (or ARN) a request names, as it named it, or None."""
    name = TARGET_PARAM.get(action)
    if name and params.get(name):
        return params[name]
    for name in TARGET_ORDER:
        if params.get(name):
            return params[name]
    return None


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

    def entries(self, action=None, since=0, region=None, service=None, target=None):
        with self._lock:
            return [e for e in self._entries
                    if e["seq"] > since
                    and (action is None or e.get("action") == action)
                    and (region is None or e.get("region") == region)
                    and (service is None or e.get("service") == service)
                    and (target is None or e.get("target") == target)]

    def counts(self, by_target=False, action=None, since=0, region=None):
        """{action: {requests, errors, faults}}, or with by_target
        {action: {target: {requests, errors, faults}}} (target "-" for
        requests that name none).  `requests` counts every request that
        reached the emulator, whatever its reply: `errors` those answered
        with an AWS error, `faults` those whose reply an injected fault
        changed (a reset or closed connection, a delay ...)."""
        with self._lock:
            out = {}
            for e in self._entries:
                if e["seq"] <= since or (action is not None and e.get("action") != action) \
                        or (region is not None and e.get("region") != region):
                    continue
                row = out.setdefault(e.get("action") or "-", {})
                if by_target:
                    row = row.setdefault(e.get("target") or "-", {})
                if not row:
                    row.update(requests=0, errors=0, faults=0)
                row["requests"] += 1
                if e.get("error_code"):
                    row["errors"] += 1
                if e.get("fault"):
                    row["faults"] += 1
            return out

    def clear(self):
        with self._lock:
            self._entries = []
