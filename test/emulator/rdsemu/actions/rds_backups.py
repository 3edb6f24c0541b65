"""DescribeDBInstanceAutomatedBackups and cross-region replication of
automated backups (Start/StopDBInstanceAutomatedBackupsReplication)."""
from .. import errors
from .. import resources as R
from ..state import parse_arn
from . import action
from .common import (apply_filters, created, filter_values, final_status, lookup_id, paginate,
                     shown)
from .presign import check_presigned_url
from .rds_copy import check_kms_key
from .rds_restore import auto_backup_arn

BACKUP_FILTERS = {
    "status": lambda b: [b["Status"]],
    "db-instance-id": lambda b: [b["DBInstanceIdentifier"], b["DBInstanceArn"]],
    "dbi-resource-id": lambda b: [b["DbiResourceId"]],
}


def active_backup_model(ctx, inst):
    return R.backup_model(inst, inst.arn, inst.id, inst.dbi_resource_id, inst.region,
                          "active", inst.earliest_restorable(ctx.now),
                          inst.latest_restorable(ctx.now, ctx.lag), inst.backup_retention,
                          inst.replications, backup_arn=auto_backup_arn(inst))


@action("rds", "DescribeDBInstanceAutomatedBackups")
def describe_db_instance_automated_backups(ctx, p):
    items = [active_backup_model(ctx, i)
             for i in sorted(shown(ctx, ctx.region.instances.values()), key=lambda i: i.id)
             if i.backup_retention > 0 and not i.cluster_id and i.status != "creating"]
    items += [b.to_model(ctx.now, ctx.lag)
              for b in sorted(shown(ctx, ctx.region.automated_backups.values()),
                              key=lambda b: b.id)]
    specific = False
    if "DBInstanceIdentifier" in p:
        wanted = lookup_id(p["DBInstanceIdentifier"])
        items = [b for b in items if b["DBInstanceIdentifier"] == wanted]
        specific = True
    if "DbiResourceId" in p:
        items = [b for b in items if b["DbiResourceId"] == p["DbiResourceId"]]
        specific = True
    if "DBInstanceAutomatedBackupsArn" in p:
        items = [b for b in items
                 if b["DBInstanceAutomatedBackupsArn"] == p["DBInstanceAutomatedBackupsArn"]]
        specific = True
    if specific and not items:
        raise ctx.fault("DBInstanceAutomatedBackupNotFoundFault",
                        "No automated backup matches the given identifier.")
    items = apply_filters(items, filter_values(p, BACKUP_FILTERS), BACKUP_FILTERS)
    page, marker = paginate(items, p)
    return {"DBInstanceAutomatedBackups": page, "Marker": marker}


def _source_instance(ctx, source_arn):
    parsed = parse_arn(source_arn)
    if parsed is None or parsed["type"] != "db":
        raise errors.invalid_parameter_value(
            "SourceDBInstanceArn %s is not a DB instance ARN." % source_arn)
    if parsed["region"] == ctx.region_name:
        raise errors.invalid_parameter_value(
            "The source DB instance must be in another region than %s." % ctx.region_name)
    region = ctx.store.regions.get((parsed["account"], parsed["region"]))
    inst = region.instances.get(parsed["id"].lower()) if region else None
    if inst is None or parsed["account"] != ctx.account:
        raise ctx.fault("DBInstanceNotFoundFault", "DBInstance %s not found." % source_arn)
    return inst, parsed["region"]


def _replicas(ctx, source_arn):
    return [b for b in ctx.region.automated_backups.values()
            if b.instance_arn == source_arn and b.status in ("pending", "replicating")]


@action("rds", "StartDBInstanceAutomatedBackupsReplication")
def start_db_instance_automated_backups_replication(ctx, p):
    source_arn = p["SourceDBInstanceArn"]
    inst, source_region = _source_instance(ctx, source_arn)
    check_presigned_url(ctx, p, source_region, ["SourceDBInstanceArn"])
    if inst.backup_retention == 0:
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "Automated backups are not enabled for DB instance %s." % inst.id)
    if inst.status != "available":
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "DB instance %s is not in the available state." % inst.id)
    if _replicas(ctx, source_arn):
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "Automated backups of %s are already replicated to %s."
                        % (inst.id, ctx.region_name))
    kms = p.get("KmsKeyId")
    if kms:
        check_kms_key(ctx, kms)
    elif inst.encrypted:
        raise errors.invalid_parameter_value(
            "KmsKeyId must be specified to replicate the automated backups of an "
            "encrypted DB instance.")
    retention = p.get("BackupRetentionPeriod", 7)
    if not 1 <= retention <= 35:
        raise errors.invalid_parameter_value(
            "Invalid backup retention period: %d. It must be between 1 and 35." % retention)
    backup = R.AutomatedBackup(
        ctx.store.new_id("ab-").lower(), ctx.account, ctx.region_name, status="pending",
        source_region=source_region, instance_arn=inst.arn, instance_id=inst.id,
        dbi_resource_id=inst.dbi_resource_id, engine=inst.engine,
        engine_version=inst.engine_version, allocated_storage=inst.allocated_storage,
        port=inst.port, master_username=inst.master_username,
        instance_create_time=inst.create_time, encrypted=inst.encrypted or bool(kms),
        kms_key_id=kms or inst.kms_key_id, retention=retention, earliest=ctx.now,
        instance_class=inst.instance_class, storage_type=inst.storage_type)
    backup.begin("pending", ctx.now, ctx.duration("replication"),
                 final_status(ctx, "replication", "replicating"))
    ctx.region.automated_backups[backup.arn] = created(ctx, backup)
    inst.replications.append(backup.arn)
    return {"DBInstanceAutomatedBackup": backup.to_model(ctx.now, ctx.lag)}


@action("rds", "StopDBInstanceAutomatedBackupsReplication")
def stop_db_instance_automated_backups_replication(ctx, p):
    source_arn = p["SourceDBInstanceArn"]
    parsed = parse_arn(source_arn)
    if parsed is None or parsed["type"] != "db":
        raise errors.invalid_parameter_value(
            "SourceDBInstanceArn %s is not a DB instance ARN." % source_arn)
    replicas = _replicas(ctx, source_arn)
    if not replicas:
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "Automated backups of %s are not being replicated to %s."
                        % (source_arn, ctx.region_name))
    backup = replicas[0]
    backup.timed = None
    backup.forced = False
    backup.status = "retained"
    backup.latest = backup.window(ctx.now, ctx.lag)[1] or ctx.now
    region = ctx.store.regions.get((parsed["account"], parsed["region"]))
    inst = region.instances.get(parsed["id"].lower()) if region else None
    if inst is not None and backup.arn in inst.replications:
        inst.replications.remove(backup.arn)
    return {"DBInstanceAutomatedBackup": backup.to_model(ctx.now, ctx.lag)}
