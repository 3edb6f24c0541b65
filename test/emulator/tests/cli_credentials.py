"""Credential sources with the real AWS CLI: STS AssumeRoleWithWebIdentity
(unsigned, as the SDKs send it) and credential lifetimes for refresh tests."""
import datetime
import json
import urllib.request

from harness import ACCOUNT, check, eq, test

G = "credentials"
ROLE = "arn:aws:iam::%s:role/rds-backup-irsa" % ACCOUNT
TOKEN = "emulator-web-identity-token-cli-0001"


def wall_now(t):
    return datetime.datetime.fromisoformat(
        t.emu.ctl("GET", "clock")["wall"].replace("Z", "+00:00"))


@test(G)
def assume_role_with_web_identity(t):
    out = t.ok("sts", "assume-role-with-web-identity", "--role-arn", ROLE,
               "--role-session-name", "pod-1", "--web-identity-token", TOKEN, key=None)
    creds = out["Credentials"]
    check(creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"], "temporary")
    eq(out["AssumedRoleUser"]["Arn"],
       "arn:aws:sts::%s:assumed-role/rds-backup-irsa/pod-1" % ACCOUNT, "assumed arn")
    entry = t.emu.log("AssumeRoleWithWebIdentity")[-1]
    eq((entry["status"], entry["params"]["WebIdentityToken"]), (200, "***"),
       "served unsigned; the token is not logged")
    use = dict(key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
               token=creds["SessionToken"])
    eq(t.ok("sts", "get-caller-identity", **use)["Arn"], out["AssumedRoleUser"]["Arn"], "whoami")


@test(G)
def web_identity_token_checked_when_registered(t):
    t.emu.ctl("POST", "roles", {"role_arn": ROLE, "web_identity_token": TOKEN})
    t.fails("InvalidIdentityToken", "sts", "assume-role-with-web-identity", "--role-arn", ROLE,
            "--role-session-name", "pod-1", "--web-identity-token", "some-other-token",
            key=None)
    t.ok("sts", "assume-role-with-web-identity", "--role-arn", ROLE,
         "--role-session-name", "pod-1", "--web-identity-token", TOKEN, key=None)
    t.emu.ctl("POST", "roles", {"role_arn": ROLE, "deny": True})
    t.fails("AccessDenied", "sts", "assume-role-with-web-identity", "--role-arn", ROLE,
            "--role-session-name", "pod-1", "--web-identity-token", TOKEN, key=None)
    t.fails("MissingAuthenticationToken", "sts", "get-caller-identity", "--no-sign-request",
            key=None)


@test(G)
def credential_lifetime_setting(t):
    t.emu.ctl("POST", "config", {"credential_lifetime_seconds": 400})
    base = "http://127.0.0.1:%d/latest/" % t.emu.port
    req = urllib.request.Request(base + "api/token", method="PUT",
                                 headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
    token = urllib.request.urlopen(req, timeout=10).read().decode()
    get = urllib.request.Request(
        base + "meta-data/iam/security-credentials/rds-backup-instance-role",
        headers={"X-aws-ec2-metadata-token": token})
    doc = json.loads(urllib.request.urlopen(get, timeout=10).read())
    left = (datetime.datetime.fromisoformat(doc["Expiration"].replace("Z", "+00:00"))
            - wall_now(t)).total_seconds()
    check(390 <= left <= 401, "IMDS credentials live 400 s: %s" % left)
    check(doc["SecretAccessKey"].startswith("EmulatorIssuedSecret/"), "recognisable secret")
    before = wall_now(t)
    out = t.ok("sts", "assume-role", "--role-arn", ROLE.replace("irsa", "op"),
               "--role-session-name", "s1", "--duration-seconds", "3600")
    expires = datetime.datetime.fromisoformat(
        out["Credentials"]["Expiration"].replace("Z", "+00:00"))
    # issued between the two readings of the clock, for 400 s
    check(before + datetime.timedelta(seconds=399) <= expires
          <= wall_now(t) + datetime.timedelta(seconds=401),
          "STS credentials live 400 s: %s .. %s" % (before, expires))
