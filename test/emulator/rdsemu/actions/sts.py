"""STS GetCallerIdentity, AssumeRole and AssumeRoleWithWebIdentity.

AssumeRoleWithWebIdentity is served without a signature, as AWS does (the
caller has no credentials yet): app.py asks anonymous_caller() before it
verifies a signature.
"""
import re

from .. import errors, sigv4
from ..credentials import Credential
from . import action

ROLE_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
HOST_REGION_RE = re.compile(r"^sts\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")
UNSIGNED_ACTIONS = ("AssumeRoleWithWebIdentity",)


def anonymous_caller(app, params, headers):
    """A Verified for an unsigned request AWS accepts unsigned, else None."""
    if (params.get("Action") not in UNSIGNED_ACTIONS or params.get("Version") != "2011-06-15"
            or headers.get("Authorization") is not None):
        return None
    match = HOST_REGION_RE.match(headers.get("Host") or "")
    cred = Credential("", "", account_id=app.config["account_id"], arn="anonymous",
                      user_id="anonymous")
    return sigv4.Verified(cred, match.group(1) if match else "us-east-1", "sts", None)


def _issue(ctx, account, role_name, role_arn, session, seconds):
    """Temporary credentials of an assumed role, and the reply's common part."""
    role_id = "AROA" + ctx.store.new_id("", 17)
    lifetime = ctx.credentials.lifetime(ctx.config, seconds)
    expires = (ctx.wall + lifetime).replace(microsecond=0)
    assumed_arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session)
    cred = ctx.credentials.issue_temporary(account, assumed_arn, "%s:%s" % (role_id, session),
                                           expires, role_arn)
    return {"Credentials": {"AccessKeyId": cred.access_key_id,
                            "SecretAccessKey": cred.secret_access_key,
                            "SessionToken": cred.session_token, "Expiration": expires},
            "AssumedRoleUser": {"AssumedRoleId": "%s:%s" % (role_id, session),
                                "Arn": assumed_arn}}


@action("sts", "GetCallerIdentity")
def get_caller_identity(ctx, p):
    cred = ctx.credential
    return {"UserId": cred.user_id, "Account": cred.account_id, "Arn": cred.arn}


@action("sts", "AssumeRole")
def assume_role(ctx, p):
    role_arn = p["RoleArn"]
    match = ROLE_RE.match(role_arn)
    if not match:
        raise errors.validation_error("%s is not a valid role ARN." % role_arn)
    account, role_name = match.groups()
    rule = ctx.store.roles.get(role_arn, {})
    caller = ctx.credential.arn
    denied = rule.get("deny") or (
        rule.get("external_id") is not None and p.get("ExternalId") != rule["external_id"])
    if denied:
        raise errors.AwsError(
            "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on "
            "resource: %s" % (caller, role_arn), 403)
    seconds = p.get("DurationSeconds", 3600)
    max_seconds = int(rule.get("max_session_duration", 3600))
    if seconds > max_seconds:
        raise errors.validation_error(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
            "role.")
    out = _issue(ctx, account, role_name, role_arn, p["RoleSessionName"], seconds)
    if p.get("SourceIdentity"):
        out["SourceIdentity"] = p["SourceIdentity"]
    if p.get("Policy") or p.get("PolicyArns"):
        out["PackedPolicySize"] = 6
    return out


@action("sts", "AssumeRoleWithWebIdentity")
def assume_role_with_web_identity(ctx, p):
    """Any token of 4+ characters is accepted, unless the role was registered
    with a `web_identity_token` (then only that one) or `deny`."""
    role_arn = p["RoleArn"]
    match = ROLE_RE.match(role_arn)
    if not match:
        raise errors.validation_error("%s is not a valid role ARN." % role_arn)
    account, role_name = match.groups()
    rule = ctx.store.roles.get(role_arn, {})
    expected = rule.get("web_identity_token")
    if expected is not None and p["WebIdentityToken"] != expected:
        raise errors.AwsError("InvalidIdentityToken", "Incorrect token audience", 400)
    if rule.get("deny"):
        raise errors.AwsError("AccessDenied", "Not authorized to perform "
                              "sts:AssumeRoleWithWebIdentity", 403)
    seconds = p.get("DurationSeconds", 3600)
    if seconds > int(rule.get("max_session_duration", 3600)):
        raise errors.validation_error(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
            "role.")
    out = _issue(ctx, account, role_name, role_arn, p["RoleSessionName"], seconds)
    out.update(SubjectFromWebIdentityToken="system:serviceaccount:ops:rds-backup",
               Provider="oidc.eks.%s.amazonaws.com/id/EMULATOR" % ctx.region_name,
               Audience="sts.amazonaws.com")
    return out
