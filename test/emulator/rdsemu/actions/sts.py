"""STS GetCallerIdentity and AssumeRole."""
import datetime
import re

from .. import errors
from . import action

ROLE_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")


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
    session = p["RoleSessionName"]
    role_id = "AROA" + ctx.store.new_id("", 17)
    expires = (ctx.wall + datetime.timedelta(seconds=seconds)).replace(microsecond=0)
    assumed_arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session)
    cred = ctx.credentials.issue_temporary(account, assumed_arn, "%s:%s" % (role_id, session),
                                           expires, role_arn)
    out = {"Credentials": {"AccessKeyId": cred.access_key_id,
                           "SecretAccessKey": cred.secret_access_key,
                           "SessionToken": cred.session_token, "Expiration": expires},
           "AssumedRoleUser": {"AssumedRoleId": "%s:%s" % (role_id, session),
                               "Arn": assumed_arn}}
    if p.get("SourceIdentity"):
        out["SourceIdentity"] = p["SourceIdentity"]
    if p.get("Policy") or p.get("PolicyArns"):
        out["PackedPolicySize"] = 6
    return out
