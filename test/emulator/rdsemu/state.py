"""All emulated resources, per (account, region), behind one lock.

Actions run with the lock held and call tick() first, so every reply
sees transitions that fell due on the emulated clock.
"""
import random
import string
import threading


class Region:
    def __init__(self, account, name):
        self.account = account
        self.name = name
        self.instances = {}
        self.clusters = {}
        self.snapshots = {}
        self.cluster_snapshots = {}
        self.export_tasks = {}
        self.automated_backups = {}    # arn -> AutomatedBackup (retained / replicated)

    def tables(self):
        return (self.instances, self.clusters, self.snapshots, self.cluster_snapshots,
                self.export_tasks, self.automated_backups)

    def all_resources(self):
        for table in self.tables():
            yield from list(table.values())

    def table_for(self, kind):
        return {"db": self.instances, "cluster": self.clusters,
                "snapshot": self.snapshots, "cluster-snapshot": self.cluster_snapshots,
                "export-task": self.export_tasks,
                "auto-backup": self.automated_backups}[kind]

    def dump(self, now, lag):
        return {
            "instances": [i.to_model(now, lag) for i in self.instances.values()],
            "clusters": [c.to_model(now, lag, self) for c in self.clusters.values()],
            "snapshots": [s.to_model(now) for s in self.snapshots.values()],
            "cluster_snapshots": [s.to_model(now) for s in self.cluster_snapshots.values()],
            "export_tasks": [t.to_model(now) for t in self.export_tasks.values()],
            "automated_backups": [b.to_model(now, lag)
                                  for b in self.automated_backups.values()],
        }


# fail-next kinds and the status an operation of that kind ends in by default
FAILURE_STATUS = {
    "snapshot": "failed",            # CreateDBSnapshot
    "cluster_snapshot": "failed",    # CreateDBClusterSnapshot
    "copy": "failed",                # CopyDBSnapshot, CopyDBClusterSnapshot
    "restore": "failed",             # Restore* (instances and clusters)
    "create_instance": "failed",     # CreateDBInstance
    "modify": "incompatible-parameters",   # ModifyDBInstance that changes status
    "export": "FAILED",              # StartExportTask
    "replication": "failed",         # StartDBInstanceAutomatedBackupsReplication
}


class Store:
    def __init__(self, seed=None):
        self.lock = threading.RLock()
        self.random = random.Random(seed)
        self._clear()

    def _clear(self):
        self.regions = {}
        self.fail_next = {}      # kind -> [{"status", "failure_cause"?}] of next operations
        self.sns_messages = []   # what SNS Publish received
        self.metrics = []        # what CloudWatch PutMetricData received
        self.roles = {}          # role ARN -> {"external_id": ..., "deny": bool}
        self.topics = set()      # when non-empty, Publish only to these topics

    def reset(self):
        with self.lock:
            self._clear()

    def region(self, account, name):
        key = (account, name)
        if key not in self.regions:
            self.regions[key] = Region(account, name)
        return self.regions[key]

    def regions_named(self, name):
        return [r for (acct, n), r in self.regions.items() if n == name]

    def tick(self, now):
        """Run the transitions due at `now`.  Every request calls this with
        the lock held, so it looks at each resource's timer only (a
        thousand snapshots must not cost a method call each)."""
        for region in list(self.regions.values()):
            due = []
            for table in region.tables():
                for res in table.values():
                    timed = res.timed
                    if (timed is not None and now >= timed.end_at) or res.always_tick:
                        due.append(res)
            for res in due:
                res.tick(now, region)

    def add_failure(self, kind, count=1, status=None, failure_cause=None):
        """The next `count` operations of `kind` end in `status` (default:
        FAILURE_STATUS[kind]) after their usual transitional statuses."""
        if kind not in FAILURE_STATUS:
            raise ValueError("'kind' must be one of %s" % ", ".join(FAILURE_STATUS))
        if status is None:
            status = FAILURE_STATUS[kind]
        if not isinstance(status, str) or not status.strip():
            raise ValueError("'status' must be a non-empty string")
        entry = {"status": status}
        if failure_cause:
            entry["failure_cause"] = str(failure_cause)
        self.fail_next.setdefault(kind, []).extend(dict(entry) for _ in range(int(count)))

    def take_failure(self, kind):
        """{"status", "failure_cause"?} when the next operation of this kind
        must not succeed, else None (first in, first out)."""
        queue = self.fail_next.get(kind)
        if queue:
            entry = queue.pop(0)
            if not queue:
                del self.fail_next[kind]
            return entry
        return None

    def pending_failures(self):
        """{kind: [status, ...]} still to be used."""
        return {kind: [e["status"] for e in queue] for kind, queue in self.fail_next.items()}

    def new_id(self, prefix, size=26):
        alphabet = string.ascii_uppercase + string.digits
        return prefix + "".join(self.random.choice(alphabet) for _ in range(size))

    def find_by_arn(self, arn_text):
        """(region, resource) for an RDS ARN, or (None, None)."""
        parsed = parse_arn(arn_text)
        if parsed is None:
            return None, None
        key = (parsed["account"], parsed["region"])
        region = self.regions.get(key)
        if region is None:
            return None, None
        try:
            table = region.table_for(parsed["type"])
        except KeyError:
            return region, None
        if parsed["type"] == "auto-backup":
            return region, table.get(arn_text)
        return region, table.get(parsed["id"])


def parse_arn(text):
    """arn:aws:rds:<region>:<account>:<type>:<id> -> dict, or None."""
    if not isinstance(text, str) or not text.startswith("arn:"):
        return None
    parts = text.split(":", 6)
    if len(parts) != 7 or parts[2] != "rds" or not parts[1].startswith("aws"):
        return None
    _, partition, _, region, account, kind, ident = parts
    if not region or not account.isdigit() or len(account) != 12 or not ident:
        return None
    return {"partition": partition, "region": region, "account": account,
            "type": kind, "id": ident}
