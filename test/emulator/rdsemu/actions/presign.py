"""PreSignedUrl checks for cross-region requests (CopyDBSnapshot,
CopyDBClusterSnapshot, StartDBInstanceAutomatedBackupsReplication).

The SDKs send the request to the destination region and add a GET URL
for the same operation, presigned for the SOURCE region, with
DestinationRegion=<destination> and the same source identifier.
"""
from .. import errors
from ..errors import AwsError
from ..sigv4 import verify_presigned_url


def check_presigned_url(ctx, p, source_region, same_params):
    url = p.get("PreSignedUrl")
    if not url:
        if ctx.config["require_presigned_url"]:
            raise errors.invalid_parameter_value(
                "PreSignedUrl is required for a cross-region %s from %s (the AWS SDKs "
                "build it from SourceRegion)." % (ctx.action, source_region))
        return None
    try:
        signed = verify_presigned_url(url, ctx.credentials, ctx.wall,
                                      ctx.config["signature_skew_seconds"])
    except AwsError as err:
        raise errors.invalid_parameter_value(
            "The PreSignedUrl is not valid: %s (%s)" % (err.message, err.code))
    problems = []
    if signed.region != source_region:
        problems.append("it is signed for region %s, not the source region %s"
                        % (signed.region, source_region))
    if signed.params.get("Action") != ctx.action:
        problems.append("its Action is %s, not %s" % (signed.params.get("Action"), ctx.action))
    if signed.params.get("DestinationRegion") != ctx.region_name:
        problems.append("its DestinationRegion is %s, not %s"
                        % (signed.params.get("DestinationRegion"), ctx.region_name))
    for name in same_params:
        if signed.params.get(name) != p.get(name):
            problems.append("its %s is %s, not %s" % (name, signed.params.get(name), p.get(name)))
    if signed.credential.account_id != ctx.account:
        problems.append("it is signed by another account")
    if problems:
        raise errors.invalid_parameter_value(
            "The PreSignedUrl is not valid: %s." % "; ".join(problems))
    return signed
