"""AddTagsToResource, ListTagsForResource, RemoveTagsFromResource."""
from .. import errors
from ..resources import merge_tags, tag_list
from ..state import parse_arn
from . import action
from .common import check_tags

NOT_FOUND = {
    "db": ("instances", "DBInstanceNotFoundFault", "DBInstance"),
    "cluster": ("clusters", "DBClusterNotFoundFault", "DBCluster"),
    "snapshot": ("snapshots", "DBSnapshotNotFoundFault", "DBSnapshot"),
    "cluster-snapshot": ("cluster_snapshots", "DBClusterSnapshotNotFoundFault",
                         "DBClusterSnapshot"),
}


def _resource(ctx, name):
    parsed = parse_arn(name)
    if parsed is None:
        raise errors.invalid_parameter_value(
            "The specified resource name %s is not a valid ARN." % name)
    if parsed["region"] != ctx.region_name or parsed["account"] != ctx.account:
        raise errors.invalid_parameter_value(
            "The specified resource name does not match an RDS resource in this region.")
    if parsed["type"] not in NOT_FOUND:
        raise errors.invalid_parameter_value(
            "Tagging resources of type %s is not supported by the emulator." % parsed["type"])
    table, fault, what = NOT_FOUND[parsed["type"]]
    res = getattr(ctx.region, table).get(parsed["id"].lower())
    if res is None:
        raise ctx.fault(fault, "%s %s not found." % (what, parsed["id"]))
    return res


@action("rds", "AddTagsToResource")
def add_tags_to_resource(ctx, p):
    res = _resource(ctx, p["ResourceName"])
    tags = check_tags(p.get("Tags"), ctx.config["max_tags"])
    merged = merge_tags(res.tags, tags)
    if len(merged) > ctx.config["max_tags"]:
        raise errors.invalid_parameter_value(
            "Cannot add more than %d tags to a resource." % ctx.config["max_tags"])
    res.tags = merged
    return {}


@action("rds", "ListTagsForResource")
def list_tags_for_resource(ctx, p):
    res = _resource(ctx, p["ResourceName"])
    return {"TagList": tag_list(res.tags)}


@action("rds", "RemoveTagsFromResource")
def remove_tags_from_resource(ctx, p):
    res = _resource(ctx, p["ResourceName"])
    drop = set(p["TagKeys"])
    res.tags = [t for t in res.tags if t["Key"] not in drop]
    return {}
