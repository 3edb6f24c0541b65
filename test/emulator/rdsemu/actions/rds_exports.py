"""StartExportTask, DescribeExportTasks, CancelExportTask.

Statuses: STARTING -> IN_PROGRESS -> COMPLETE (or FAILED);
CancelExportTask: CANCELING -> CANCELED.
"""
import re

from .. import errors
from .. import resources as R
from ..state import parse_arn
from . import action
from .common import (EXPORT_ID_MAX, apply_filters, check_identifier, created, filter_values,
                     paginate, shown)
from .rds_copy import check_kms_key

BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ROLE_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
EXPORT_FILTERS = {
    "export-task-identifier": lambda t: [t.id],
    "s3-bucket": lambda t: [t.s3_bucket],
    "source-arn": lambda t: [t.source_arn],
    "status": lambda t: [t.status.lower()],
}
SOURCES = {
    "snapshot": ("snapshots", "DBSnapshotNotFoundFault", "SNAPSHOT"),
    "cluster-snapshot": ("cluster_snapshots", "DBClusterSnapshotNotFoundFault", "SNAPSHOT"),
    "cluster": ("clusters", "DBClusterNotFoundFault", "CLUSTER"),
}


def _source(ctx, source_arn):
    parsed = parse_arn(source_arn)
    if parsed is None or parsed["type"] not in SOURCES:
        raise errors.invalid_parameter_value(
            "SourceArn %s is not the ARN of a DB snapshot, DB cluster snapshot or DB "
            "cluster." % source_arn)
    table, fault, source_type = SOURCES[parsed["type"]]
    res = None
    if parsed["region"] == ctx.region_name and parsed["account"] == ctx.account:
        res = getattr(ctx.region, table).get(parsed["id"].lower())
    if res is None:
        raise ctx.fault(fault, "%s not found." % source_arn)
    if res.status != "available":
        raise ctx.fault("InvalidExportSourceStateFault",
                        "The source %s is not in the available state." % source_arn)
    return res, source_type


def _check_export_only(ctx, values):
    for value in values or []:
        parts = value.split(".")
        if not 1 <= len(parts) <= 3 or not all(parts):
            raise ctx.fault("InvalidExportOnlyFault",
                            "The ExportOnly value %s is not a valid database, schema or "
                            "table name." % value)


@action("rds", "StartExportTask")
def start_export_task(ctx, p):
    ident = check_identifier(p["ExportTaskIdentifier"], "ExportTaskIdentifier", EXPORT_ID_MAX)
    if ident in ctx.region.export_tasks:
        raise ctx.fault("ExportTaskAlreadyExistsFault",
                        "The export task with the ID %s already exists." % ident)
    source, source_type = _source(ctx, p["SourceArn"])
    if not BUCKET_RE.match(p["S3BucketName"]) or ".." in p["S3BucketName"]:
        raise ctx.fault("InvalidS3BucketFault",
                        "The S3 bucket %s is not valid." % p["S3BucketName"])
    # RDS assumes the role in the caller's own account: a role elsewhere is not found
    if not ROLE_RE.match(p["IamRoleArn"]) or p["IamRoleArn"].split(":")[4] != ctx.account:
        raise ctx.fault("IamRoleNotFoundFault", "The IAM role %s is not found." % p["IamRoleArn"])
    check_kms_key(ctx, p["KmsKeyId"])
    _check_export_only(ctx, p.get("ExportOnly"))
    durations = ctx.config["durations"]
    task = R.ExportTask(
        ident, ctx.account, ctx.region_name, source_arn=p["SourceArn"],
        source_type=source_type, s3_bucket=p["S3BucketName"], s3_prefix=p.get("S3Prefix"),
        iam_role_arn=p["IamRoleArn"], kms_key_id=p["KmsKeyId"],
        export_only=p.get("ExportOnly"),
        snapshot_time=getattr(source, "create_time", None), start_time=ctx.now,
        size_gb=max(1, getattr(source, "allocated_storage", 1)),
        seconds=durations["export"], starting_seconds=durations["export_starting"],
        cancel_seconds=durations["export_cancel"])
    task.failure = ctx.store.take_failure("export")
    ctx.region.export_tasks[ident] = created(ctx, task)
    return task.to_model(ctx.now)


def _get_task(ctx, ident, describe=False):
    task = ctx.region.export_tasks.get(ident.lower())
    if task is None or (describe and not task.visible(ctx.now)):
        raise ctx.fault("ExportTaskNotFoundFault", "Cannot find export task with ID %s." % ident)
    return task


@action("rds", "DescribeExportTasks")
def describe_export_tasks(ctx, p):
    if "ExportTaskIdentifier" in p:
        items = [_get_task(ctx, p["ExportTaskIdentifier"], describe=True)]
    else:
        items = sorted(shown(ctx, ctx.region.export_tasks.values()),
                       key=lambda t: (t.start_time, t.id))
    if "SourceArn" in p:
        items = [t for t in items if t.source_arn == p["SourceArn"]]
    if "SourceType" in p:
        items = [t for t in items if t.source_type == p["SourceType"]]
    filters = filter_values(p, EXPORT_FILTERS)
    if "status" in filters:
        filters["status"] = {v.lower() for v in filters["status"]}
    items = apply_filters(items, filters, EXPORT_FILTERS)
    page, marker = paginate(items, p)
    return {"ExportTasks": [t.to_model(ctx.now) for t in page], "Marker": marker}


@action("rds", "CancelExportTask")
def cancel_export_task(ctx, p):
    task = _get_task(ctx, p["ExportTaskIdentifier"])
    if task.status not in ("STARTING", "IN_PROGRESS"):
        raise ctx.fault("InvalidExportTaskStateFault",
                        "Cannot cancel export task %s because it is in the %s state."
                        % (task.id, task.status))
    task.cancel(ctx.now)
    return task.to_model(ctx.now)
