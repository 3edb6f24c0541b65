"""DescribeDBClusters, ModifyDBCluster, DeleteDBCluster."""
from .. import builders
from .. import errors
from . import action
from .common import (SNAPSHOT_ID_MAX, apply_filters, check_identifier, created,
                     filter_values, get_cluster, id_or_arn, paginate, shown)
from .rds_instances import check_backup_window, check_retention

CLUSTER_FILTERS = {
    "db-cluster-id": id_or_arn,
    "engine": lambda c: [c.engine],
    "clone-group-id": lambda c: [],
    "domain": lambda c: [],
    "db-cluster-resource-id": lambda c: [c.resource_id],
}


@action("rds", "DescribeDBClusters")
def describe_db_clusters(ctx, p):
    items = sorted(shown(ctx, ctx.region.clusters.values()), key=lambda c: c.id)
    if "DBClusterIdentifier" in p:
        items = [get_cluster(ctx, p["DBClusterIdentifier"], describe=True)]
    items = apply_filters(items, filter_values(p, CLUSTER_FILTERS), CLUSTER_FILTERS)
    page, marker = paginate(items, p)
    return {"DBClusters": [c.to_model(ctx.now, ctx.lag, ctx.region) for c in page],
            "Marker": marker}


@action("rds", "ModifyDBCluster")
def modify_db_cluster(ctx, p):
    cluster = get_cluster(ctx, p["DBClusterIdentifier"])
    if cluster.status != "available":
        raise ctx.fault("InvalidDBClusterStateFault",
                        "DB cluster %s is not in the available state." % cluster.id)
    if "NewDBClusterIdentifier" in p:
        raise errors.invalid_parameter_value(
            "NewDBClusterIdentifier is not supported by the emulator.")
    if "BackupRetentionPeriod" in p:
        check_retention(p["BackupRetentionPeriod"], 1)
        cluster.backup_retention = p["BackupRetentionPeriod"]
        for inst in cluster.members(ctx.region):
            inst.backup_retention = cluster.backup_retention
    if "PreferredBackupWindow" in p:
        cluster.backup_window = check_backup_window(p["PreferredBackupWindow"])
        for inst in cluster.members(ctx.region):
            inst.backup_window = cluster.backup_window
    if "PreferredMaintenanceWindow" in p:
        cluster.maintenance_window = p["PreferredMaintenanceWindow"]
    if "DeletionProtection" in p:
        cluster.deletion_protection = p["DeletionProtection"]
    if "CopyTagsToSnapshot" in p:
        cluster.copy_tags_to_snapshot = p["CopyTagsToSnapshot"]
    if "Port" in p:
        cluster.port = p["Port"]
    return {"DBCluster": cluster.to_model(ctx.now, ctx.lag, ctx.region)}


@action("rds", "DeleteDBCluster")
def delete_db_cluster(ctx, p):
    cluster = get_cluster(ctx, p["DBClusterIdentifier"])
    if cluster.deletion_protection:
        raise errors.invalid_parameter_combination(
            "Cannot delete protected Cluster, please disable deletion protection and "
            "try again.")
    if cluster.status == "deleting":
        raise ctx.fault("InvalidDBClusterStateFault",
                        "Cluster %s is already being deleted." % cluster.id)
    if any(i.status != "deleting" for i in cluster.members(ctx.region)):
        raise ctx.fault("InvalidDBClusterStateFault",
                        "Cluster cannot be deleted, it still contains DB instances in "
                        "non-deleting state.")
    skip = p.get("SkipFinalSnapshot", False)
    final_id = p.get("FinalDBSnapshotIdentifier")
    if skip and final_id:
        raise errors.invalid_parameter_combination(
            "Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier.")
    if not skip and not final_id:
        raise errors.invalid_parameter_combination(
            "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
    if final_id:
        final_id = check_identifier(final_id, "FinalDBSnapshotIdentifier", SNAPSHOT_ID_MAX)
        if final_id in ctx.region.cluster_snapshots:
            raise ctx.fault("DBClusterSnapshotAlreadyExistsFault",
                            "Cluster snapshot %s already exists." % final_id)
        snap = created(ctx, builders.snapshot_of_cluster(
            ctx.region, cluster, final_id, ctx.now,
            tags=cluster.tags if cluster.copy_tags_to_snapshot else []))
        snap.start_creating(ctx.now, ctx.duration("cluster_snapshot"))
    keep = not p.get("DeleteAutomatedBackups", True)

    def gone(res, now, region):
        region.clusters.pop(res.id, None)
        if not keep:
            for snap in [s for s in region.cluster_snapshots.values()
                         if s.cluster_id == res.id and s.snapshot_type == "automated"]:
                region.cluster_snapshots.pop(snap.id, None)

    cluster.begin("deleting", ctx.now, ctx.duration("delete"), "deleted", on_done=gone)
    return {"DBCluster": cluster.to_model(ctx.now, ctx.lag, ctx.region)}
