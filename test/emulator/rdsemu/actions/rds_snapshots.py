"""CreateDBSnapshot, DescribeDBSnapshots, DeleteDBSnapshot."""
from .. import builders
from .. import errors
from ..resources import merge_tags
from . import action
from .common import (SNAPSHOT_ID_MAX, apply_filters, check_identifier, check_tags, created,
                     filter_values, get_instance, id_or_arn, lookup_id, paginate,
                     shared_source, shown)

SNAPSHOT_TYPES = ("automated", "manual", "shared", "public", "awsbackup")
SNAPSHOT_OK_INSTANCE_STATES = ("available", "stopped", "storage-optimization")


def snapshot_filters(instance_kind):
    """Filters of DescribeDBSnapshots / DescribeDBClusterSnapshots."""
    if instance_kind == "db":
        return {
            "db-instance-id": lambda s: [s.instance_id, _source_arn(s, "db", s.instance_id)],
            "db-snapshot-id": id_or_arn,
            "dbi-resource-id": lambda s: [s.dbi_resource_id],
            "snapshot-type": lambda s: [s.snapshot_type],
            "engine": lambda s: [s.engine],
        }
    return {
        "db-cluster-id": lambda s: [s.cluster_id, _source_arn(s, "cluster", s.cluster_id)],
        "db-cluster-snapshot-id": id_or_arn,
        "snapshot-type": lambda s: [s.snapshot_type],
        "engine": lambda s: [s.engine],
    }


def _source_arn(snap, kind, ident):
    from ..resources import arn
    return arn(snap.region, snap.account, kind, ident)


def visible_snapshots(ctx, table_name, p):
    """Own snapshots by SnapshotType, plus shared/public ones as requested
    (those Describe* may show yet: see common.created)."""
    own = shown(ctx, getattr(ctx.region, table_name).values())
    kind = p.get("SnapshotType")
    if kind is not None and kind not in SNAPSHOT_TYPES:
        raise errors.invalid_parameter_value(
            "Invalid snapshot type %s. Valid values: %s" % (kind, ", ".join(SNAPSHOT_TYPES)))
    others = []
    for region in ctx.store.regions_named(ctx.region_name):
        if region.account != ctx.account:
            others.extend(shown(ctx, getattr(region, table_name).values()))
    shared = [s for s in others if s.shared_with(ctx.account, include_public=False)]
    public = [s for s in others if "all" in s.restore_accounts and s not in shared]
    if kind in ("manual", "automated", "awsbackup"):
        items = [s for s in own if s.snapshot_type == kind]
    elif kind == "shared":
        items = shared
    elif kind == "public":
        items = public
    else:
        # without SnapshotType RDS lists automated and manual ones only: AWS
        # Backup's are listed with SnapshotType=awsbackup
        items = [s for s in own if s.snapshot_type in ("manual", "automated")]
        if p.get("IncludeShared"):
            items += shared
        if p.get("IncludePublic"):
            items += public
    return sorted(items, key=lambda s: (s.create_time, s.account, s.id))


@action("rds", "DescribeDBSnapshots")
def describe_db_snapshots(ctx, p):
    if "DBSnapshotIdentifier" in p and "DBInstanceIdentifier" in p:
        raise errors.invalid_parameter_combination(
            "DBSnapshotIdentifier and DBInstanceIdentifier cannot be used together.")
    if "DBSnapshotIdentifier" in p:
        snap = shared_source(ctx, p["DBSnapshotIdentifier"], "snapshots",
                             "DBSnapshotNotFoundFault", "DBSnapshot", describe=True)
        items = [snap]
        if p.get("SnapshotType") and snap.account == ctx.account \
                and snap.snapshot_type != p["SnapshotType"]:
            items = []
    else:
        items = visible_snapshots(ctx, "snapshots", p)
    if "DBInstanceIdentifier" in p:
        wanted = lookup_id(p["DBInstanceIdentifier"])
        items = [s for s in items if s.instance_id == wanted]
    if "DbiResourceId" in p:
        items = [s for s in items if s.dbi_resource_id == p["DbiResourceId"]]
    allowed = snapshot_filters("db")
    items = apply_filters(items, filter_values(p, allowed), allowed)
    page, marker = paginate(items, p)
    return {"DBSnapshots": [s.to_model(ctx.now, ctx.account) for s in page],
            "Marker": marker}


def check_quota(ctx, table, limit):
    manual = [s for s in table.values() if s.snapshot_type == "manual"]
    if len(manual) >= limit:
        raise ctx.fault("SnapshotQuotaExceededFault",
                        "Cannot create more than %d manual snapshots." % limit)


@action("rds", "CreateDBSnapshot")
def create_db_snapshot(ctx, p):
    ident = check_identifier(p["DBSnapshotIdentifier"], "DBSnapshotIdentifier",
                             SNAPSHOT_ID_MAX)
    inst = get_instance(ctx, p["DBInstanceIdentifier"])
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    if inst.cluster_id:
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "The specified instance is a member of a cluster and a snapshot "
                        "cannot be created directly. Please use the CreateDBClusterSnapshot "
                        "API instead.")
    if inst.status not in SNAPSHOT_OK_INSTANCE_STATES:
        raise ctx.fault("InvalidDBInstanceStateFault",
                        "Cannot create a snapshot because the database instance %s is not "
                        "currently in the available state." % inst.id)
    if ident in ctx.region.snapshots:
        raise ctx.fault("DBSnapshotAlreadyExistsFault",
                        "Cannot create the snapshot because a snapshot with the identifier "
                        "%s already exists." % ident)
    check_quota(ctx, ctx.region.snapshots, ctx.config["snapshot_quota"])
    if inst.copy_tags_to_snapshot:
        tags = merge_tags(inst.tags, tags)
    snap = created(ctx, builders.snapshot_of_instance(ctx.region, inst, ident, ctx.now, tags=tags))
    snap.start_creating(ctx.now, ctx.duration("snapshot"), ctx.store.take_failure("snapshot"))
    return {"DBSnapshot": snap.to_model(ctx.now)}


def delete_snapshot(ctx, table, ident, fault_shape, state_shape, what):
    snap = table.get(ident.lower())
    if snap is None:
        raise ctx.fault(fault_shape, "%s %s not found." % (what, ident))
    if snap.snapshot_type != "manual":
        raise ctx.fault(state_shape, "Only manual snapshots may be deleted.")
    if snap.status not in ("available", "failed"):
        raise ctx.fault(state_shape,
                        "Cannot delete the snapshot because it is in the %s state; only "
                        "available or failed snapshots can be deleted." % snap.status)
    model = snap.to_model(ctx.now)
    del table[snap.id]
    model["Status"] = "deleted"
    return model


@action("rds", "DeleteDBSnapshot")
def delete_db_snapshot(ctx, p):
    return {"DBSnapshot": delete_snapshot(ctx, ctx.region.snapshots, p["DBSnapshotIdentifier"],
                                          "DBSnapshotNotFoundFault",
                                          "InvalidDBSnapshotStateFault", "DBSnapshot")}
