"""Seeding resources from the control API's JSON (snake_case fields).

Seeded resources are built by the same builders as created ones.  Times
are ISO 8601; 'create_time' defaults to 30 days ago for instances and
clusters (so restore windows are full) and to spaced hours back for
snapshots.
"""
import datetime

from . import builders
from . import resources as R
from .clock import parse_iso

DEFAULT_REGION = "us-east-1"
INSTANCE_FIELDS = ("engine", "engine_version", "instance_class", "status", "allocated_storage",
                   "storage_type", "backup_retention", "backup_window", "maintenance_window",
                   "deletion_protection", "encrypted", "kms_key_id", "port", "master_username",
                   "db_name", "multi_az", "availability_zone", "copy_tags_to_snapshot",
                   "iam_auth", "publicly_accessible", "promotion_tier", "dbi_resource_id")
CLUSTER_FIELDS = ("engine", "engine_version", "engine_mode", "status", "backup_retention",
                  "backup_window", "maintenance_window", "deletion_protection", "encrypted",
                  "kms_key_id", "port", "master_username", "database_name",
                  "copy_tags_to_snapshot", "iam_auth", "allocated_storage", "resource_id")
SNAPSHOT_FIELDS = ("engine", "engine_version", "allocated_storage", "port", "master_username",
                   "encrypted", "kms_key_id", "storage_type", "iam_auth")


class SeedError(ValueError):
    pass


def _tags(value):
    if value is None:
        return []
    if isinstance(value, dict):
        return [{"Key": k, "Value": "" if v is None else str(v)} for k, v in value.items()]
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in value]


def _time(spec, key, default):
    value = spec.get(key)
    return parse_iso(value) if value else default


def _pick(spec, names):
    return {k: spec[k] for k in names if k in spec and spec[k] is not None}


def _ident(spec):
    ident = spec.get("id")
    if not ident:
        raise SeedError("'id' is required")
    return ident.lower()


def _region(app, spec):
    return app.store.region(spec.get("account") or app.config["account_id"],
                            spec.get("region") or DEFAULT_REGION)


def instance(app, spec, now):
    region = _region(app, spec)
    ident = _ident(spec)
    if ident in region.instances:
        raise SeedError("instance %s already exists in %s" % (ident, region.name))
    fields = _pick(spec, INSTANCE_FIELDS)
    fields["create_time"] = _time(spec, "create_time", now - datetime.timedelta(days=30))
    fields["backups_since"] = _time(spec, "backups_since", fields["create_time"])
    fields["tags"] = _tags(spec.get("tags"))
    if spec.get("cluster"):
        cluster = region.clusters.get(spec["cluster"].lower())
        if cluster is None:
            raise SeedError("cluster %s does not exist" % spec["cluster"])
        fields["cluster_id"] = cluster.id
        fields.setdefault("engine", cluster.engine)
        fields.setdefault("engine_version", cluster.engine_version)
        fields.setdefault("encrypted", cluster.encrypted)
        fields.setdefault("kms_key_id", cluster.kms_key_id)
        fields.setdefault("backup_retention", cluster.backup_retention)
    inst = builders.new_instance(app.store, region, ident, now, **fields)
    _automated(app, region, inst, int(spec.get("automated_snapshots", 0)), now)
    return inst.to_model(now, app.config["restore_lag_seconds"])


def cluster(app, spec, now):
    region = _region(app, spec)
    ident = _ident(spec)
    if ident in region.clusters:
        raise SeedError("cluster %s already exists in %s" % (ident, region.name))
    fields = _pick(spec, CLUSTER_FIELDS)
    fields["create_time"] = _time(spec, "create_time", now - datetime.timedelta(days=30))
    fields["backups_since"] = _time(spec, "backups_since", fields["create_time"])
    fields["tags"] = _tags(spec.get("tags"))
    new = builders.new_cluster(app.store, region, ident, now, **fields)
    members = spec.get("members", [])
    if isinstance(members, int):
        members = ["%s-instance-%d" % (ident, i) for i in range(1, members + 1)]
    for i, member in enumerate(members):
        instance(app, {"id": member, "region": region.name, "account": region.account,
                       "cluster": ident, "instance_class": spec.get("instance_class",
                                                                    "db.r6g.large"),
                       "create_time": spec.get("create_time"), "promotion_tier": i + 1}, now)
        if i == 0:
            new.writer = member.lower()
    _automated(app, region, new, int(spec.get("automated_snapshots", 0)), now)
    return new.to_model(now, app.config["restore_lag_seconds"], region)


def _automated(app, region, source, count, now):
    """`count` daily automated snapshots, the newest one at today's backup window."""
    start = int(source.backup_window[:2]), int(source.backup_window[3:5])
    newest = now.replace(hour=start[0], minute=start[1], second=0, microsecond=0)
    if newest > now:
        newest -= datetime.timedelta(days=1)
    for i in range(count):
        when = newest - datetime.timedelta(days=i)
        ident = builders.automated_snapshot_id(source.id, when)
        if isinstance(source, R.DBInstance):
            builders.snapshot_of_instance(region, source, ident, when, snapshot_type="automated")
        else:
            builders.snapshot_of_cluster(region, source, ident, when, snapshot_type="automated")


def snapshot(app, spec, now, cluster_snapshot=False):
    """One snapshot, or `count` of them named <id>-1 .. <id>-N, an hour apart."""
    region = _region(app, spec)
    base = _ident(spec)
    count = int(spec.get("count", 1))
    out = []
    for i in range(1, count + 1):
        ident = base if count == 1 else "%s-%d" % (base, i)
        default_time = now - datetime.timedelta(hours=count - i + 1)
        out.append(_one_snapshot(app, region, spec, ident, _time(spec, "create_time",
                                                                   default_time),
                                 now, cluster_snapshot))
    return out if count > 1 else out[0]


def _one_snapshot(app, region, spec, ident, when, now, cluster_snapshot):
    table = region.cluster_snapshots if cluster_snapshot else region.snapshots
    if ident in table:
        raise SeedError("snapshot %s already exists in %s" % (ident, region.name))
    source_key = "cluster" if cluster_snapshot else "instance"
    source_id = (spec.get(source_key) or "").lower()
    if not source_id:
        raise SeedError("'%s' is required" % source_key)
    overrides = _pick(spec, SNAPSHOT_FIELDS)
    overrides.update(tags=_tags(spec.get("tags")),
                     snapshot_type=spec.get("type", "manual"),
                     restore_accounts=list(spec.get("shared_with", [])))
    source = (region.clusters if cluster_snapshot else region.instances).get(source_id)
    if source is not None:
        build = builders.snapshot_of_cluster if cluster_snapshot else builders.snapshot_of_instance
        snap = build(region, source, ident, when, **overrides)
    else:
        # A snapshot of an instance/cluster that no longer exists.
        overrides.setdefault("engine", "aurora-postgresql" if cluster_snapshot else "postgres")
        overrides["source_create_time"] = when - datetime.timedelta(days=60)
        if cluster_snapshot:
            snap = R.DBClusterSnapshot(ident, region.account, region.name, cluster_id=source_id,
                                       resource_id=app.store.new_id("cluster-"),
                                       create_time=when, **overrides)
        else:
            snap = R.DBSnapshot(ident, region.account, region.name, instance_id=source_id,
                                dbi_resource_id=app.store.new_id("db-"), create_time=when,
                                **overrides)
        table[ident] = snap
    status = spec.get("status", "available")
    if status == "creating":
        key = "cluster_snapshot" if cluster_snapshot else "snapshot"
        snap.start_creating(now, float(spec.get("seconds", app.config.duration(key))))
    else:
        snap.status = status
    return snap.to_model(now)


def retained_backup(app, spec, now):
    """The automated backup RDS keeps after its instance `id` was deleted
    with DeleteAutomatedBackups=false: status retained, restorable by ARN
    or DbiResourceId within its window (`earliest`, `latest`; default the
    retention period up to an hour ago)."""
    region = _region(app, spec)
    ident = _ident(spec)
    if ident in region.instances:
        raise SeedError("instance %s exists in %s: a retained backup outlives its instance"
                        % (ident, region.name))
    retention = int(spec.get("backup_retention", 7))
    latest = _time(spec, "latest", now - datetime.timedelta(hours=1))
    earliest = _time(spec, "earliest", latest - datetime.timedelta(days=retention))
    dbi = spec.get("dbi_resource_id") or app.store.new_id("db-")
    engine = spec.get("engine", "postgres")
    encrypted = bool(spec.get("encrypted", False))
    backup = R.AutomatedBackup(
        "ab-" + dbi[3:].lower(), region.account, region.name, status="retained",
        source_region=region.name, instance_arn=R.arn(region.name, region.account, "db", ident),
        instance_id=ident, dbi_resource_id=dbi, engine=engine,
        engine_version=spec.get("engine_version", R.default_version(engine)),
        allocated_storage=int(spec.get("allocated_storage", 20)), port=5432,
        master_username="postgres",
        instance_create_time=_time(spec, "create_time", now - datetime.timedelta(days=90)),
        encrypted=encrypted,
        kms_key_id=spec.get("kms_key_id") or (
            R.default_kms_key(region.name, region.account) if encrypted else None),
        retention=retention, earliest=earliest, latest=latest)
    region.automated_backups[backup.arn] = backup
    return backup.to_model(now, app.config["restore_lag_seconds"])


KINDS = {"instance": "instances", "cluster": "clusters", "snapshot": "snapshots",
         "cluster-snapshot": "cluster_snapshots", "export-task": "export_tasks",
         "automated-backup": "automated_backups"}


def set_status(app, spec, now):
    """Force a resource's status (any string: an instance 'stopped' or
    'incompatible-restore', a snapshot 'failed', an export task 'FAILED'
    with `failure_cause` ...).  It sticks: no timer of the emulator moves
    the resource out of it; an action that starts a new transition does."""
    region = _region(app, spec)
    kind = spec.get("type")
    if kind not in KINDS:
        raise SeedError("'type' must be one of %s" % ", ".join(KINDS))
    status = spec.get("status")
    if not isinstance(status, str) or not status.strip():
        raise SeedError("'status' must be a non-empty string")
    if kind == "automated-backup":
        res = _automated_backup(region, spec)
    else:
        res = getattr(region, KINDS[kind]).get(_ident(spec))
    if res is None:
        raise SeedError("%s %s not found in %s/%s" % (kind, spec.get("id"), region.account,
                                                       region.name))
    if kind == "export-task":
        res.force_status(status, now, spec.get("failure_cause"))
    elif spec.get("failure_cause"):
        raise SeedError("'failure_cause' is for export tasks only")
    else:
        res.force_status(status, now)
    return {"type": kind, "id": res.id, "arn": res.arn, "status": res.status, "forced": True}


def _automated_backup(region, spec):
    """An automated backup (retained or replicated) by its ARN, its id
    (ab-...), or the identifier or ARN of its source instance; of several
    for one instance, the newest one being replicated (pending or
    replicating), else the newest."""
    wanted = spec.get("id") or ""
    table = region.automated_backups
    if wanted in table:
        return table[wanted]
    low = wanted.lower()
    for backup in table.values():
        if backup.id == low:
            return backup
    matches = [b for b in table.values() if low in (b.instance_id, b.instance_arn.lower())]
    matches = [b for b in matches if b.status in ("pending", "replicating")] or matches
    return matches[-1] if matches else None      # the table keeps creation order
