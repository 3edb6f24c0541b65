"""CreateDBClusterSnapshot, DescribeDBClusterSnapshots, DeleteDBClusterSnapshot."""
from .. import builders
from .. import errors
from ..resources import merge_tags
from . import action
from .common import (SNAPSHOT_ID_MAX, apply_filters, check_identifier, check_tags, created,
                     filter_values, get_cluster, lookup_id, paginate, shared_source)
from .rds_snapshots import check_quota, delete_snapshot, snapshot_filters, visible_snapshots


@action("rds", "DescribeDBClusterSnapshots")
def describe_db_cluster_snapshots(ctx, p):
    if "DBClusterSnapshotIdentifier" in p and "DBClusterIdentifier" in p:
        raise errors.invalid_parameter_combination(
            "DBClusterSnapshotIdentifier and DBClusterIdentifier cannot be used together.")
    if "DBClusterSnapshotIdentifier" in p:
        snap = shared_source(ctx, p["DBClusterSnapshotIdentifier"], "cluster_snapshots",
                             "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot",
                             describe=True)
        items = [snap]
        if p.get("SnapshotType") and snap.account == ctx.account \
                and snap.snapshot_type != p["SnapshotType"]:
            items = []
    else:
        items = visible_snapshots(ctx, "cluster_snapshots", p)
    if "DBClusterIdentifier" in p:
        wanted = lookup_id(p["DBClusterIdentifier"])
        items = [s for s in items if s.cluster_id == wanted]
    allowed = snapshot_filters("cluster")
    items = apply_filters(items, filter_values(p, allowed), allowed)
    page, marker = paginate(items, p)
    return {"DBClusterSnapshots": [s.to_model(ctx.now, ctx.account) for s in page],
            "Marker": marker}


@action("rds", "CreateDBClusterSnapshot")
def create_db_cluster_snapshot(ctx, p):
    ident = check_identifier(p["DBClusterSnapshotIdentifier"], "DBClusterSnapshotIdentifier",
                             SNAPSHOT_ID_MAX)
    cluster = get_cluster(ctx, p["DBClusterIdentifier"])
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    if cluster.status != "available":
        raise ctx.fault("InvalidDBClusterStateFault",
                        "Cannot create a snapshot because the DB cluster %s is not in the "
                        "available state." % cluster.id)
    if ident in ctx.region.cluster_snapshots:
        raise ctx.fault("DBClusterSnapshotAlreadyExistsFault",
                        "Cannot create the cluster snapshot because one with the identifier "
                        "%s already exists." % ident)
    check_quota(ctx, ctx.region.cluster_snapshots, ctx.config["cluster_snapshot_quota"])
    if cluster.copy_tags_to_snapshot:
        tags = merge_tags(cluster.tags, tags)
    snap = created(ctx, builders.snapshot_of_cluster(ctx.region, cluster, ident, ctx.now,
                                                      tags=tags))
    snap.start_creating(ctx.now, ctx.duration("cluster_snapshot"),
                        ctx.store.take_failure("cluster_snapshot"))
    return {"DBClusterSnapshot": snap.to_model(ctx.now)}


@action("rds", "DeleteDBClusterSnapshot")
def delete_db_cluster_snapshot(ctx, p):
    return {"DBClusterSnapshot": delete_snapshot(
        ctx, ctx.region.cluster_snapshots, p["DBClusterSnapshotIdentifier"],
        "DBClusterSnapshotNotFoundFault", "InvalidDBClusterSnapshotStateFault",
        "DBClusterSnapshot")}
