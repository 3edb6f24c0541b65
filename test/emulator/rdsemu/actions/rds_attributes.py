"""Modify/Describe DB[Cluster]SnapshotAttribute(s): sharing via 'restore'."""
import re

from .. import errors
from ..resources import is_default_kms_key
from . import action

ACCOUNT_RE = re.compile(r"^\d{12}$")


def _get(ctx, table, ident, not_found, what, describe=False):
    snap = table.get(ident.lower())
    if snap is None or (describe and not snap.visible(ctx.now)):
        raise ctx.fault(not_found, "%s %s not found." % (what, ident))
    return snap


def _modify(ctx, p, snap, bad_state):
    name = p["AttributeName"]
    if name != "restore":
        raise errors.invalid_parameter_value(
            "Invalid attribute name %s: only 'restore' can be modified." % name)
    add = p.get("ValuesToAdd") or []
    remove = p.get("ValuesToRemove") or []
    for value in add + remove:
        if value != "all" and not ACCOUNT_RE.match(value):
            raise errors.invalid_parameter_value(
                "Invalid account id or value %s: use 12-digit account ids or 'all'." % value)
    if snap.snapshot_type != "manual":
        raise ctx.fault(bad_state, "Only manual snapshots can be shared.")
    if snap.status != "available":
        raise ctx.fault(bad_state, "Snapshot %s is not in the available state." % snap.id)
    if "all" in add and snap.encrypted:
        raise errors.invalid_parameter_value(
            "Encrypted snapshots cannot be shared publicly; share them with specific "
            "account ids instead.")
    if add and snap.encrypted and is_default_kms_key(snap.kms_key_id):
        raise errors.invalid_parameter_value(
            "Snapshots encrypted with the default AWS managed KMS key cannot be shared.")
    accounts = [a for a in snap.restore_accounts if a not in remove]
    for value in add:
        if value not in accounts:
            accounts.append(value)
    limit = ctx.config["shared_snapshot_quota"]
    if len([a for a in accounts if a != "all"]) > limit:
        raise ctx.fault("SharedSnapshotQuotaExceededFault",
                        "A snapshot can be shared with at most %d accounts." % limit)
    snap.restore_accounts = accounts


@action("rds", "ModifyDBSnapshotAttribute")
def modify_db_snapshot_attribute(ctx, p):
    snap = _get(ctx, ctx.region.snapshots, p["DBSnapshotIdentifier"],
                "DBSnapshotNotFoundFault", "DBSnapshot")
    _modify(ctx, p, snap, "InvalidDBSnapshotStateFault")
    return {"DBSnapshotAttributesResult": {"DBSnapshotIdentifier": snap.id,
                                           "DBSnapshotAttributes": snap.attributes()}}


@action("rds", "DescribeDBSnapshotAttributes")
def describe_db_snapshot_attributes(ctx, p):
    snap = _get(ctx, ctx.region.snapshots, p["DBSnapshotIdentifier"],
                "DBSnapshotNotFoundFault", "DBSnapshot", describe=True)
    return {"DBSnapshotAttributesResult": {"DBSnapshotIdentifier": snap.id,
                                           "DBSnapshotAttributes": snap.attributes()}}


@action("rds", "ModifyDBClusterSnapshotAttribute")
def modify_db_cluster_snapshot_attribute(ctx, p):
    snap = _get(ctx, ctx.region.cluster_snapshots, p["DBClusterSnapshotIdentifier"],
                "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot")
    _modify(ctx, p, snap, "InvalidDBClusterSnapshotStateFault")
    return {"DBClusterSnapshotAttributesResult": {
        "DBClusterSnapshotIdentifier": snap.id,
        "DBClusterSnapshotAttributes": snap.attributes()}}


@action("rds", "DescribeDBClusterSnapshotAttributes")
def describe_db_cluster_snapshot_attributes(ctx, p):
    snap = _get(ctx, ctx.region.cluster_snapshots, p["DBClusterSnapshotIdentifier"],
                "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot", describe=True)
    return {"DBClusterSnapshotAttributesResult": {
        "DBClusterSnapshotIdentifier": snap.id,
        "DBClusterSnapshotAttributes": snap.attributes()}}
