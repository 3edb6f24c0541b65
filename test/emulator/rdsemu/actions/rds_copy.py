"""CopyDBSnapshot and CopyDBClusterSnapshot (same region, cross-region with
PreSignedUrl, and from snapshots other accounts share with the caller)."""
import re

from .. import builders
from .. import errors
from ..resources import merge_tags
from ..state import parse_arn
from . import action
from .common import SNAPSHOT_ID_MAX, check_identifier, check_tags, created, shared_source
from .presign import check_presigned_url
from .rds_snapshots import check_quota

KMS_RE = re.compile(r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+|alias/.+|"
                    r"[0-9a-fA-F-]{36}|mrk-[0-9a-f]{32})$")


# A key id that is well formed but names no key (tests use it).
MISSING_KEY = "00000000-0000-0000-0000-000000000000"


def check_kms_key(ctx, key):
    if not KMS_RE.match(key) or MISSING_KEY in key:
        raise ctx.fault("KMSKeyNotAccessibleFault",
                        "The specified KMS key %s does not exist or is not accessible." % key)
    if key.startswith("arn:"):
        key_region = key.split(":")[3]
        if key_region != ctx.region_name:
            raise ctx.fault("KMSKeyNotAccessibleFault",
                            "The KMS key %s is in region %s, not in the destination region "
                            "%s." % (key, key_region, ctx.region_name))
    return key


class _Kind:
    def __init__(self, cluster):
        self.cluster = cluster
        if cluster:
            self.src_param = "SourceDBClusterSnapshotIdentifier"
            self.dst_param = "TargetDBClusterSnapshotIdentifier"
            self.table = "cluster_snapshots"
            self.what = "DBClusterSnapshot"
            self.not_found = "DBClusterSnapshotNotFoundFault"
            self.exists = "DBClusterSnapshotAlreadyExistsFault"
            self.bad_state = "InvalidDBClusterSnapshotStateFault"
            self.quota = "cluster_snapshot_quota"
            self.result = "DBClusterSnapshot"
        else:
            self.src_param = "SourceDBSnapshotIdentifier"
            self.dst_param = "TargetDBSnapshotIdentifier"
            self.table = "snapshots"
            self.what = "DBSnapshot"
            self.not_found = "DBSnapshotNotFoundFault"
            self.exists = "DBSnapshotAlreadyExistsFault"
            self.bad_state = "InvalidDBSnapshotStateFault"
            self.quota = "snapshot_quota"
            self.result = "DBSnapshot"


def _copy(ctx, p, kind):
    target = check_identifier(p[kind.dst_param], kind.dst_param, SNAPSHOT_ID_MAX)
    source_text = p[kind.src_param]
    parsed = parse_arn(source_text)
    cross_region = parsed is not None and parsed["region"] != ctx.region_name
    if cross_region:
        check_presigned_url(ctx, p, parsed["region"], [kind.src_param])
    elif p.get("PreSignedUrl"):
        raise errors.invalid_parameter_combination(
            "PreSignedUrl is only for copies from another region.")
    source = shared_source(ctx, source_text, kind.table, kind.not_found, kind.what,
                           any_region=True)
    table = getattr(ctx.region, kind.table)
    if target in table:
        raise ctx.fault(kind.exists, "Cannot copy the snapshot because a snapshot with the "
                        "identifier %s already exists." % target)
    if source.status != "available":
        raise ctx.fault(kind.bad_state, "Snapshot %s is not in the available state."
                        % source.id)
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    foreign = source.account != ctx.account
    kms = p.get("KmsKeyId")
    if kms:
        check_kms_key(ctx, kms)
        if kind.cluster and not source.encrypted:
            raise errors.invalid_parameter_value(
                "KmsKeyId cannot be specified when copying an unencrypted DB cluster "
                "snapshot.")
    elif source.encrypted and (cross_region or foreign):
        raise errors.invalid_parameter_value(
            "KmsKeyId must be specified to copy an encrypted snapshot %s."
            % ("across regions" if cross_region else "shared from another account"))
    check_quota(ctx, table, ctx.config[kind.quota])
    if cross_region:
        in_flight = [s for t in (ctx.region.snapshots, ctx.region.cluster_snapshots)
                     for s in t.values() if s.source_region and s.status == "creating"]
        limit = ctx.config["cross_region_copy_limit"]
        if len(in_flight) >= limit:
            raise ctx.fault("SnapshotQuotaExceededFault",
                            "Cannot start more than %d concurrent cross-region snapshot "
                            "copies into %s." % (limit, ctx.region_name))
    if p.get("CopyTags") and not foreign:
        tags = merge_tags(source.tags, tags)
    fields = {"tags": tags, "snapshot_type": "manual"}
    if kms:
        fields.update(encrypted=True, kms_key_id=kms)
    copy = created(ctx, builders.copy_snapshot(ctx.region, source, target, ctx.now, **fields))
    copy.start_creating(ctx.now, ctx.duration("copy"), ctx.store.take_failure("copy"))
    return {kind.result: copy.to_model(ctx.now)}


@action("rds", "CopyDBSnapshot")
def copy_db_snapshot(ctx, p):
    return _copy(ctx, p, _Kind(cluster=False))


@action("rds", "CopyDBClusterSnapshot")
def copy_db_cluster_snapshot(ctx, p):
    return _copy(ctx, p, _Kind(cluster=True))
