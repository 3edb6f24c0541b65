"""Helpers shared by the RDS actions: naming rules, pagination, filters,
tags, looking resources up by identifier or ARN."""
import base64
import datetime
import json
import re

from .. import errors
from ..state import parse_arn

IDENT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def check_identifier(value, param, max_len):
    """RDS naming rules; identifiers are stored in lower case as RDS does."""
    if (not value or len(value) > max_len or not IDENT_RE.match(value)
            or "--" in value or value.endswith("-")):
        raise errors.invalid_parameter_value(
            "The parameter %s is not a valid identifier. Identifiers must begin with a "
            "letter; must contain only ASCII letters, digits, and hyphens; and must not "
            "end with a hyphen or contain two consecutive hyphens. (1 to %d characters)"
            % (param, max_len))
    return value.lower()


INSTANCE_ID_MAX = 63
CLUSTER_ID_MAX = 63
SNAPSHOT_ID_MAX = 255
EXPORT_ID_MAX = 60


# ---------------------------------------------------------------------------
# Pagination


def paginate(items, params, default=100, low=20, high=100):
    """(page, next_marker) for MaxRecords/Marker."""
    size = params.get("MaxRecords", default)
    if not low <= size <= high:
        raise errors.invalid_parameter_value(
            "Invalid value %d for MaxRecords. Must be between %d and %d" % (size, low, high))
    start = 0
    marker = params.get("Marker")
    if marker:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(marker.encode()))["o"])
            if start < 0:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise errors.invalid_parameter_value("The marker %s is not valid." % marker)
    page = items[start:start + size]
    next_marker = None
    if start + size < len(items):
        next_marker = base64.urlsafe_b64encode(
            json.dumps({"o": start + size}).encode()).decode()
    return page, next_marker


# ---------------------------------------------------------------------------
# Filters


def filter_values(params, allowed):
    """{filter name: set(values)} from Filters, checking names against allowed."""
    out = {}
    for flt in params.get("Filters") or []:
        name = flt["Name"]
        if name not in allowed:
            raise errors.invalid_parameter_value("Unrecognized filter name: %s." % name)
        values = flt.get("Values") or []
        if not values:
            raise errors.invalid_parameter_value(
                "The filter %s must have at least one value." % name)
        out.setdefault(name, set()).update(values)
    return out


def apply_filters(items, filters, allowed):
    """Keep items matching every filter; allowed[name](item) -> list of values."""
    out = []
    for item in items:
        ok = True
        for name, wanted in filters.items():
            have = allowed[name](item)
            if not any(v in wanted for v in have if v is not None):
                ok = False
                break
        if ok:
            out.append(item)
    return out


def id_or_arn(item):
    """Filter helper: match by identifier or by ARN."""
    return [item.id, item.arn]


# ---------------------------------------------------------------------------
# Tags


def check_tags(tags, limit=50):
    tags = tags or []
    if len(tags) > limit:
        raise errors.invalid_parameter_value(
            "Cannot add more than %d tags to a resource." % limit)
    out = []
    for tag in tags:
        key = tag.get("Key")
        if key is None:
            raise errors.invalid_parameter_value("Tag key must not be empty.")
        if not 1 <= len(key) <= 128:
            raise errors.invalid_parameter_value(
                "Tag key must be between 1 and 128 characters.")
        if key.lower().startswith("aws:") or key.lower().startswith("rds:"):
            raise errors.invalid_parameter_value(
                "Tag keys starting with 'aws:' or 'rds:' are reserved.")
        value = tag.get("Value", "")
        if len(value) > 256:
            raise errors.invalid_parameter_value(
                "Tag value must be at most 256 characters.")
        out.append({"Key": key, "Value": value})
    return out


# ---------------------------------------------------------------------------
# Lookups


def lookup_id(value):
    """Identifier from an identifier or an ARN (lower-cased)."""
    parsed = parse_arn(value)
    if parsed:
        return parsed["id"].lower()
    return value.lower()


def get_instance(ctx, ident, describe=False):
    """The instance named by identifier or ARN, else DBInstanceNotFound (also
    for Describe* while a new one is not visible yet)."""
    inst = ctx.region.instances.get(lookup_id(ident))
    if inst is None or (describe and not inst.visible(ctx.now)):
        raise ctx.fault("DBInstanceNotFoundFault",
                        "DBInstance %s not found." % ident)
    return inst


def get_cluster(ctx, ident, describe=False):
    cluster = ctx.region.clusters.get(lookup_id(ident))
    if cluster is None or (describe and not cluster.visible(ctx.now)):
        raise ctx.fault("DBClusterNotFoundFault", "DBCluster %s not found." % ident)
    return cluster


def shared_source(ctx, text, table_name, fault_shape, what, any_region=False,
                  describe=False):
    """A snapshot by identifier (this account+region) or ARN (of any account
    that shares it with the caller; of another region only with any_region,
    as for cross-region copies).  describe: one not visible yet is not found."""
    parsed = parse_arn(text)
    if parsed is None:
        snap = getattr(ctx.region, table_name).get(text.lower())
        if snap is None or (describe and not snap.visible(ctx.now)):
            raise ctx.fault(fault_shape, "%s %s not found." % (what, text))
        return snap
    expected_kind = "snapshot" if table_name == "snapshots" else "cluster-snapshot"
    if parsed["type"] != expected_kind:
        raise errors.invalid_parameter_value("%s is not a valid %s ARN." % (text, what))
    region = None
    if any_region or parsed["region"] == ctx.region_name:
        region = ctx.store.regions.get((parsed["account"], parsed["region"]))
    snap = getattr(region, table_name).get(parsed["id"].lower()) if region else None
    if snap is None or (snap.account != ctx.account and not snap.shared_with(ctx.account)) \
            or (describe and not snap.visible(ctx.now)):
        raise ctx.fault(fault_shape, "%s %s not found." % (what, text))
    return snap


# ---------------------------------------------------------------------------
# Outcomes and visibility


def final_status(ctx, kind, success):
    """The status an operation of `kind` lands in: `success`, unless the
    control API's fail-next queued another one."""
    failure = ctx.store.take_failure(kind)
    return failure["status"] if failure else success


def created(ctx, resource):
    """A resource this request created: with config describe_delay > 0,
    Describe* calls do not show it until that many emulated seconds have
    passed (RDS is eventually consistent).  Returns the resource."""
    delay = float(ctx.config["describe_delay"] or 0)
    if delay > 0:
        resource.visible_at = ctx.now + datetime.timedelta(seconds=delay)
    return resource


def shown(ctx, items):
    """What a Describe* call lists: resources that have become visible."""
    return [i for i in items if i.visible(ctx.now)]


def window_check(ctx, when, earliest, latest, what):
    if earliest is None or latest is None or not earliest <= when <= latest:
        from ..clock import iso
        raise ctx.fault(
            "InvalidRestoreFault",
            "The restore time %s is outside the restore window of %s: "
            "earliest %s, latest %s." % (
                iso(when), what, iso(earliest) if earliest else "none",
                iso(latest) if latest else "none"))
