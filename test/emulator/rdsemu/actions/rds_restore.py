"""RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceToPointInTime,
RestoreDBClusterFromSnapshot, RestoreDBClusterToPointInTime."""
from .. import builders
from .. import errors
from .. import resources as R
from . import action
from .common import (CLUSTER_ID_MAX, INSTANCE_ID_MAX, check_identifier, check_tags, created,
                     final_status, get_cluster, get_instance, shared_source, window_check)

# Restore parameters copied onto the new instance / cluster.
INSTANCE_OPTIONS = (("DBInstanceClass", "instance_class"), ("Port", "port"),
                    ("AvailabilityZone", "availability_zone"), ("MultiAZ", "multi_az"),
                    ("PubliclyAccessible", "publicly_accessible"),
                    ("StorageType", "storage_type"), ("DBName", "db_name"),
                    ("CopyTagsToSnapshot", "copy_tags_to_snapshot"),
                    ("DeletionProtection", "deletion_protection"),
                    ("EnableIAMDatabaseAuthentication", "iam_auth"))
CLUSTER_OPTIONS = (("Port", "port"), ("DatabaseName", "database_name"),
                   ("CopyTagsToSnapshot", "copy_tags_to_snapshot"),
                   ("DeletionProtection", "deletion_protection"),
                   ("EnableIAMDatabaseAuthentication", "iam_auth"),
                   ("EngineMode", "engine_mode"))


def _options(p, table):
    return {dst: p[src] for src, dst in table if src in p}


def _new_instance_id(ctx, value, param):
    ident = check_identifier(value, param, INSTANCE_ID_MAX)
    if ident in ctx.region.instances:
        raise ctx.fault("DBInstanceAlreadyExistsFault", "DB instance already exists")
    return ident


def _new_cluster_id(ctx, value):
    ident = check_identifier(value, "DBClusterIdentifier", CLUSTER_ID_MAX)
    if ident in ctx.region.clusters:
        raise ctx.fault("DBClusterAlreadyExistsFault", "DB cluster already exists")
    return ident


def _start(ctx, resource):
    created(ctx, resource)
    resource.begin("creating", ctx.now, ctx.duration("restore"),
                   final_status(ctx, "restore", "available"))


def _point_in_time(ctx, p, time_name, earliest, latest, what):
    use_latest = p.get("UseLatestRestorableTime", False)
    if use_latest and time_name in p:
        raise errors.invalid_parameter_combination(
            "Cannot specify both %s and UseLatestRestorableTime." % time_name)
    if not use_latest and time_name not in p:
        raise errors.invalid_parameter_combination(
            "Either %s or UseLatestRestorableTime must be specified." % time_name)
    if use_latest:
        if latest is None:
            raise ctx.fault("InvalidRestoreFault",
                            "%s has no latest restorable time yet." % what)
        return latest
    when = p[time_name]
    window_check(ctx, when, earliest, latest, what)
    return when


@action("rds", "RestoreDBInstanceFromDBSnapshot")
def restore_db_instance_from_db_snapshot(ctx, p):
    ident = _new_instance_id(ctx, p["DBInstanceIdentifier"], "DBInstanceIdentifier")
    if "DBSnapshotIdentifier" not in p:
        if "DBClusterSnapshotIdentifier" in p:
            raise errors.invalid_parameter_combination(
                "Restoring Multi-AZ DB cluster snapshots to instances is not supported by "
                "the emulator.")
        raise errors.missing_parameter("DBSnapshotIdentifier")
    snap = shared_source(ctx, p["DBSnapshotIdentifier"], "snapshots",
                         "DBSnapshotNotFoundFault", "DBSnapshot")
    if snap.status != "available":
        raise ctx.fault("InvalidDBSnapshotStateFault",
                        "Snapshot %s is not in the available state." % snap.id)
    if p.get("Engine") and p["Engine"] != snap.engine:
        raise errors.invalid_parameter_combination(
            "Engine %s does not match the snapshot's engine %s." % (p["Engine"], snap.engine))
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    fields = dict(engine=snap.engine, engine_version=snap.engine_version,
                  instance_class=snap.extra.get("instance_class", "db.t3.micro"),
                  allocated_storage=snap.allocated_storage, storage_type=snap.storage_type,
                  encrypted=snap.encrypted, kms_key_id=snap.kms_key_id, port=snap.port,
                  master_username=snap.master_username,
                  backup_retention=snap.extra.get("backup_retention", 1),
                  db_name=snap.extra.get("db_name"), tags=tags, status="creating")
    fields.update(_options(p, INSTANCE_OPTIONS))
    inst = builders.new_instance(ctx.store, ctx.region, ident, ctx.now, **fields)
    _start(ctx, inst)
    return {"DBInstance": inst.to_model(ctx.now, ctx.lag)}


def _pitr_source(ctx, p):
    """(template resource, earliest, latest, description) for instance PITR."""
    given = [k for k in ("SourceDBInstanceIdentifier", "SourceDbiResourceId",
                         "SourceDBInstanceAutomatedBackupsArn") if k in p]
    if len(given) != 1:
        raise errors.invalid_parameter_combination(
            "Specify exactly one of SourceDBInstanceIdentifier, SourceDbiResourceId or "
            "SourceDBInstanceAutomatedBackupsArn.")
    if given[0] == "SourceDBInstanceIdentifier":
        inst = get_instance(ctx, p["SourceDBInstanceIdentifier"])
        return _live_source(ctx, inst)
    if given[0] == "SourceDbiResourceId":
        for inst in ctx.region.instances.values():
            if inst.dbi_resource_id == p["SourceDbiResourceId"]:
                return _live_source(ctx, inst)
        matches = [b for b in ctx.region.automated_backups.values()
                   if b.dbi_resource_id == p["SourceDbiResourceId"]]
    else:
        wanted = p["SourceDBInstanceAutomatedBackupsArn"]
        for inst in ctx.region.instances.values():
            if auto_backup_arn(inst) == wanted:
                return _live_source(ctx, inst)
        matches = [b for b in ctx.region.automated_backups.values() if b.arn == wanted]
    if not matches:
        raise ctx.fault("DBInstanceAutomatedBackupNotFoundFault",
                        "Automated backup %s not found." % p[given[0]])
    backup = matches[0]
    if backup.status == "pending":
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "Automated backup %s is not ready yet." % backup.arn)
    earliest, latest = backup.window(ctx.now, ctx.lag)
    return backup, earliest, latest, "automated backup %s" % backup.arn


def _live_source(ctx, inst):
    if inst.cluster_id:
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "DB instance %s is a member of a DB cluster; use "
                        "RestoreDBClusterToPointInTime." % inst.id)
    if inst.backup_retention == 0:
        raise ctx.fault("PointInTimeRestoreNotEnabledFault",
                        "Automated backups are not enabled for DB instance %s." % inst.id)
    if inst.status in ("creating", "deleting", "failed"):
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "DB instance %s is not in a state that allows point-in-time "
                        "restore." % inst.id)
    return (inst, inst.earliest_restorable(ctx.now), inst.latest_restorable(ctx.now, ctx.lag),
            "DB instance %s" % inst.id)


def auto_backup_arn(inst):
    return R.arn(inst.region, inst.account, "auto-backup",
                 "ab-" + inst.dbi_resource_id[3:].lower())


@action("rds", "RestoreDBInstanceToPointInTime")
def restore_db_instance_to_point_in_time(ctx, p):
    ident = _new_instance_id(ctx, p["TargetDBInstanceIdentifier"], "TargetDBInstanceIdentifier")
    src, earliest, latest, what = _pitr_source(ctx, p)
    _point_in_time(ctx, p, "RestoreTime", earliest, latest, what)
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    fields = dict(engine=src.engine, engine_version=src.engine_version,
                  instance_class=getattr(src, "instance_class", "db.t3.micro"),
                  allocated_storage=src.allocated_storage,
                  storage_type=getattr(src, "storage_type", "gp3"),
                  encrypted=src.encrypted, kms_key_id=src.kms_key_id, port=src.port,
                  master_username=src.master_username,
                  backup_retention=getattr(src, "backup_retention", None)
                  or getattr(src, "retention", 1),
                  tags=tags, status="creating")
    fields.update(_options(p, INSTANCE_OPTIONS))
    inst = builders.new_instance(ctx.store, ctx.region, ident, ctx.now, **fields)
    _start(ctx, inst)
    return {"DBInstance": inst.to_model(ctx.now, ctx.lag)}


@action("rds", "RestoreDBClusterFromSnapshot")
def restore_db_cluster_from_snapshot(ctx, p):
    ident = _new_cluster_id(ctx, p["DBClusterIdentifier"])
    snap = shared_source(ctx, p["SnapshotIdentifier"], "cluster_snapshots",
                         "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot")
    if snap.status != "available":
        raise ctx.fault("InvalidDBClusterSnapshotStateFault",
                        "Cluster snapshot %s is not in the available state." % snap.id)
    if p["Engine"] != snap.engine:
        raise errors.invalid_parameter_combination(
            "Engine %s does not match the snapshot's engine %s." % (p["Engine"], snap.engine))
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    fields = dict(engine=snap.engine, engine_version=p.get("EngineVersion", snap.engine_version),
                  encrypted=snap.encrypted or bool(p.get("KmsKeyId")),
                  kms_key_id=p.get("KmsKeyId") or snap.kms_key_id, port=snap.port,
                  master_username=snap.master_username,
                  backup_retention=snap.extra.get("backup_retention", 1),
                  database_name=snap.extra.get("database_name"),
                  allocated_storage=snap.allocated_storage, tags=tags, status="creating")
    fields.update(_options(p, CLUSTER_OPTIONS))
    cluster = builders.new_cluster(ctx.store, ctx.region, ident, ctx.now, **fields)
    _start(ctx, cluster)
    return {"DBCluster": cluster.to_model(ctx.now, ctx.lag, ctx.region)}


@action("rds", "RestoreDBClusterToPointInTime")
def restore_db_cluster_to_point_in_time(ctx, p):
    ident = _new_cluster_id(ctx, p["DBClusterIdentifier"])
    src = get_cluster(ctx, p["SourceDBClusterIdentifier"])
    if src.status not in ("available", "stopped"):
        raise ctx.fault("InvalidDBClusterStateFault",
                        "DB cluster %s is not in the available state." % src.id)
    restore_type = p.get("RestoreType", "full-copy")
    if restore_type not in ("full-copy", "copy-on-write"):
        raise errors.invalid_parameter_value(
            "Invalid RestoreType %s: must be full-copy or copy-on-write." % restore_type)
    _point_in_time(ctx, p, "RestoreToTime", src.earliest_restorable(ctx.now),
                   src.latest_restorable(ctx.now, ctx.lag), "DB cluster %s" % src.id)
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    fields = dict(engine=src.engine, engine_version=src.engine_version,
                  engine_mode=src.engine_mode,
                  encrypted=src.encrypted or bool(p.get("KmsKeyId")),
                  kms_key_id=p.get("KmsKeyId") or src.kms_key_id, port=src.port,
                  master_username=src.master_username, backup_retention=src.backup_retention,
                  database_name=src.database_name, allocated_storage=src.allocated_storage,
                  tags=tags, status="creating")
    fields.update(_options(p, CLUSTER_OPTIONS))
    cluster = builders.new_cluster(ctx.store, ctx.region, ident, ctx.now, **fields)
    _start(ctx, cluster)
    return {"DBCluster": cluster.to_model(ctx.now, ctx.lag, ctx.region)}

