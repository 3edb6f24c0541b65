"""DescribeDBInstances, CreateDBInstance, ModifyDBInstance, DeleteDBInstance."""
import datetime
import re

from .. import errors
from .. import builders
from .. import resources as R
from . import action
from .common import (INSTANCE_ID_MAX, SNAPSHOT_ID_MAX, apply_filters, check_identifier,
                     check_tags, created, filter_values, final_status, get_cluster,
                     get_instance, id_or_arn, paginate, shown)

ENGINES = ("postgres", "aurora-postgresql", "mysql", "aurora-mysql", "mariadb")

INSTANCE_FILTERS = {
    "db-instance-id": id_or_arn,
    "db-cluster-id": lambda i: [i.cluster_id,
                                R.arn(i.region, i.account, "cluster", i.cluster_id)
                                if i.cluster_id else None],
    "dbi-resource-id": lambda i: [i.dbi_resource_id],
    "engine": lambda i: [i.engine],
    "domain": lambda i: [],
}


@action("rds", "DescribeDBInstances")
def describe_db_instances(ctx, p):
    items = sorted(shown(ctx, ctx.region.instances.values()), key=lambda i: i.id)
    if "DBInstanceIdentifier" in p:
        items = [get_instance(ctx, p["DBInstanceIdentifier"], describe=True)]
    items = apply_filters(items, filter_values(p, INSTANCE_FILTERS), INSTANCE_FILTERS)
    page, marker = paginate(items, p)
    return {"DBInstances": [i.to_model(ctx.now, ctx.lag) for i in page], "Marker": marker}


@action("rds", "CreateDBInstance")
def create_db_instance(ctx, p):
    ident = check_identifier(p["DBInstanceIdentifier"], "DBInstanceIdentifier",
                             INSTANCE_ID_MAX)
    if ident in ctx.region.instances:
        raise ctx.fault("DBInstanceAlreadyExistsFault", "DB instance already exists")
    engine = p["Engine"].lower()
    if engine not in ENGINES:
        raise errors.invalid_parameter_value("Invalid DB engine: %s" % p["Engine"])
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    fields = {"engine": engine, "instance_class": p["DBInstanceClass"], "status": "creating",
              "tags": tags}
    for src, dst in (("EngineVersion", "engine_version"), ("Port", "port"),
                     ("MasterUsername", "master_username"), ("DBName", "db_name"),
                     ("AvailabilityZone", "availability_zone"),
                     ("PreferredMaintenanceWindow", "maintenance_window"),
                     ("CopyTagsToSnapshot", "copy_tags_to_snapshot"),
                     ("DeletionProtection", "deletion_protection"),
                     ("PromotionTier", "promotion_tier"),
                     ("EnableIAMDatabaseAuthentication", "iam_auth"),
                     ("PubliclyAccessible", "publicly_accessible"),
                     ("MultiAZ", "multi_az"), ("StorageType", "storage_type")):
        if src in p:
            fields[dst] = p[src]
    if "DBClusterIdentifier" in p:
        cluster = get_cluster(ctx, p["DBClusterIdentifier"])
        if cluster.engine != engine:
            raise errors.invalid_parameter_combination(
                "The engine name requested for your DB instance (%s) doesn't match the "
                "engine name of your DB cluster (%s)." % (engine, cluster.engine))
        if cluster.status != "available":
            raise ctx.fault("InvalidDBClusterStateFault",
                            "DB cluster %s is not in the available state." % cluster.id)
        for name in ("BackupRetentionPeriod", "PreferredBackupWindow", "AllocatedStorage",
                     "StorageEncrypted", "KmsKeyId", "MasterUserPassword"):
            if name in p:
                raise errors.invalid_parameter_combination(
                    "The requested DB instance will be a member of a DB cluster. "
                    "Set %s for the DB cluster." % name)
        fields.update(cluster_id=cluster.id, encrypted=cluster.encrypted,
                      kms_key_id=cluster.kms_key_id,
                      backup_retention=cluster.backup_retention,
                      backup_window=cluster.backup_window, port=cluster.port,
                      master_username=cluster.master_username, allocated_storage=1)
    else:
        if R.is_aurora(engine):
            raise errors.invalid_parameter_combination(
                "DBClusterIdentifier is required for engine %s." % engine)
        if not p.get("MasterUsername"):
            raise errors.invalid_parameter_value(
                "The parameter MasterUsername must be provided and must not be blank.")
        retention = p.get("BackupRetentionPeriod", 1)
        check_retention(retention, 0)
        fields["backup_retention"] = retention
        if "PreferredBackupWindow" in p:
            fields["backup_window"] = check_backup_window(p["PreferredBackupWindow"])
        fields["allocated_storage"] = p.get("AllocatedStorage", 20)
        if p.get("StorageEncrypted") or p.get("KmsKeyId"):
            fields["encrypted"] = True
            fields["kms_key_id"] = p.get("KmsKeyId")
    inst = created(ctx, builders.new_instance(ctx.store, ctx.region, ident, ctx.now, **fields))
    inst.begin("creating", ctx.now, ctx.duration("create_instance"),
               final_status(ctx, "create_instance", "available"))
    return {"DBInstance": inst.to_model(ctx.now, ctx.lag)}


WINDOW_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def check_backup_window(value):
    m = WINDOW_RE.match(value or "")
    if not m:
        raise errors.invalid_parameter_value(
            "The backup window must be in the format hh24:mi-hh24:mi (UTC).")
    start = int(m.group(1)) * 60 + int(m.group(2))
    end = int(m.group(3)) * 60 + int(m.group(4))
    if (end - start) % 1440 < 30:
        raise errors.invalid_parameter_value("The backup window must be at least 30 minutes.")
    return value


def check_retention(days, low):
    if not low <= days <= 35:
        raise errors.invalid_parameter_value(
            "Invalid backup retention period: %d. It must be between %d and 35." % (days, low))


@action("rds", "ModifyDBInstance")
def modify_db_instance(ctx, p):
    inst = get_instance(ctx, p["DBInstanceIdentifier"])
    if inst.status != "available":
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "Database instance is not in available state.")
    if "NewDBInstanceIdentifier" in p:
        raise errors.invalid_parameter_value(
            "NewDBInstanceIdentifier is not supported by the emulator.")
    now = ctx.now
    immediately = p.get("ApplyImmediately", False)
    changes_status = False
    if inst.cluster_id:
        for name in ("BackupRetentionPeriod", "PreferredBackupWindow"):
            if name in p:
                raise errors.invalid_parameter_combination(
                    "The requested DB Instance will be a member of a DB Cluster. Set %s "
                    "for the DB Cluster." % name)
    if "BackupRetentionPeriod" in p:
        days = p["BackupRetentionPeriod"]
        check_retention(days, 0)
        toggles = (days == 0) != (inst.backup_retention == 0)
        if toggles and not immediately:
            inst.pending["BackupRetentionPeriod"] = days
        else:
            set_instance_retention(ctx, inst, days, now)
            changes_status = changes_status or toggles
    if "PreferredBackupWindow" in p:
        inst.backup_window = check_backup_window(p["PreferredBackupWindow"])
    if "PreferredMaintenanceWindow" in p:
        inst.maintenance_window = p["PreferredMaintenanceWindow"]
    if "DeletionProtection" in p:
        inst.deletion_protection = p["DeletionProtection"]
    if "CopyTagsToSnapshot" in p:
        inst.copy_tags_to_snapshot = p["CopyTagsToSnapshot"]
    for src, attr in (("DBInstanceClass", "instance_class"),
                      ("AllocatedStorage", "allocated_storage"),
                      ("MultiAZ", "multi_az"), ("EngineVersion", "engine_version")):
        if src in p:
            if immediately:
                setattr(inst, attr, p[src])
                changes_status = True
            else:
                inst.pending[src] = p[src]
    if changes_status:
        inst.begin("modifying", now, ctx.duration("modify"),
                   final_status(ctx, "modify", "available"))
    return {"DBInstance": inst.to_model(now, ctx.lag)}


def set_instance_retention(ctx, inst, days, now):
    if days > 0 and inst.backup_retention == 0:
        inst.backups_since = now
    if days == 0:
        for snap in [s for s in ctx.region.snapshots.values()
                     if s.instance_id == inst.id and s.snapshot_type == "automated"]:
            del ctx.region.snapshots[snap.id]
    inst.backup_retention = days
    inst.pending.pop("BackupRetentionPeriod", None)


@action("rds", "DeleteDBInstance")
def delete_db_instance(ctx, p):
    inst = get_instance(ctx, p["DBInstanceIdentifier"])
    if inst.deletion_protection:
        raise errors.invalid_parameter_combination(
            "Cannot delete protected DB Instance, please disable deletion protection "
            "and try again.")
    if inst.status == "deleting":
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "Instance %s is already being deleted." % inst.id)
    skip = p.get("SkipFinalSnapshot", False)
    final_id = p.get("FinalDBSnapshotIdentifier")
    if inst.cluster_id:
        if final_id:
            raise errors.invalid_parameter_combination(
                "FinalDBSnapshotIdentifier can not be specified when deleting a DB "
                "instance that is a member of a DB cluster.")
    elif skip and final_id:
        raise errors.invalid_parameter_combination(
            "Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier.")
    elif not skip and not final_id:
        raise errors.invalid_parameter_combination(
            "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
    if final_id and not inst.cluster_id:
        final_id = check_identifier(final_id, "FinalDBSnapshotIdentifier", SNAPSHOT_ID_MAX)
        if final_id in ctx.region.snapshots:
            raise ctx.fault("DBSnapshotAlreadyExistsFault",
                            "Cannot create the snapshot because a snapshot with the "
                            "identifier %s already exists." % final_id)
        snap = created(ctx, builders.snapshot_of_instance(
            ctx.region, inst, final_id, ctx.now,
            tags=inst.tags if inst.copy_tags_to_snapshot else []))
        snap.start_creating(ctx.now, ctx.duration("snapshot"))
    keep_backups = not p.get("DeleteAutomatedBackups", True)
    inst.begin("deleting", ctx.now, ctx.duration("delete"), "deleted",
               on_done=lambda res, now, region: _instance_gone(
                   ctx.store, res, now, region, keep_backups, ctx.lag))
    return {"DBInstance": inst.to_model(ctx.now, ctx.lag)}


def _instance_gone(store, inst, now, region, keep_backups, lag):
    region.instances.pop(inst.id, None)
    automated = [s for s in region.snapshots.values()
                 if s.instance_id == inst.id and s.snapshot_type == "automated"]
    if keep_backups and inst.backup_retention > 0 and not inst.cluster_id:
        backup = R.AutomatedBackup(
            "ab-" + inst.dbi_resource_id[3:].lower(), region.account, region.name,
            status="retained", source_region=region.name, instance_arn=inst.arn,
            instance_id=inst.id, dbi_resource_id=inst.dbi_resource_id,
            engine=inst.engine, engine_version=inst.engine_version,
            allocated_storage=inst.allocated_storage, port=inst.port,
            master_username=inst.master_username, instance_create_time=inst.create_time,
            encrypted=inst.encrypted, kms_key_id=inst.kms_key_id,
            retention=inst.backup_retention, earliest=inst.earliest_restorable(now),
            latest=now - datetime.timedelta(seconds=lag),
            instance_class=inst.instance_class, storage_type=inst.storage_type)
        region.automated_backups[backup.arn] = backup
    else:
        for snap in automated:
            region.snapshots.pop(snap.id, None)
