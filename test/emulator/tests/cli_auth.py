"""Authentication and protocol: SigV4 errors as AWS returns them, query
parameter validation, keep-alive, query-signed requests, TLS."""
import datetime
import email.utils
import http.client
import os
import ssl
import subprocess
import tempfile
import urllib.request

from harness import (OTHER_KEY, SECRET, TEMP_KEY, TEMP_SECRET, TEMP_TOKEN, check,
                     eq, error_code_of, test)

G = "auth"
V = "2014-10-31"


def describe(**extra):
    params = {"Action": "DescribeDBInstances", "Version": V}
    params.update(extra)
    return params


@test(G)
def wrong_secret_is_signature_does_not_match(t):
    t.fails("SignatureDoesNotMatch", "rds", "describe-db-instances", secret="not-the-secret",
            message="The request signature we calculated does not match the signature you "
                    "provided")


@test(G)
def unsigned_request_is_missing_token(t):
    t.fails("MissingAuthenticationToken", "rds", "describe-db-instances", "--no-sign-request")


@test(G)
def unknown_key_is_invalid_client_token(t):
    t.fails("InvalidClientTokenId", "rds", "describe-db-instances",
            key="AKIAUNKNOWNKEY000000")


@test(G)
def temporary_credentials_need_their_token(t):
    t.ok("rds", "describe-db-instances", key=TEMP_KEY, secret=TEMP_SECRET, token=TEMP_TOKEN)
    t.fails("InvalidClientTokenId", "rds", "describe-db-instances", key=TEMP_KEY,
            secret=TEMP_SECRET)
    t.fails("InvalidClientTokenId", "rds", "describe-db-instances", key=TEMP_KEY,
            secret=TEMP_SECRET, token="some-other-token")
    t.fails("ExpiredToken", "rds", "describe-db-instances", key="ASIAEMULATOR0EXPIRED",
            secret="emulator/secret/key/expired00000000001",
            token="emulator-session-token-expired")
    t.fails("InvalidClientTokenId", "rds", "describe-db-instances", token=TEMP_TOKEN)


@test(G)
def stale_clock_is_signature_expired(t):
    t.emu.advance(600)
    try:
        status, headers, _ = t.signed(describe())
        date = email.utils.parsedate_to_datetime(headers["Date"])
        skew = (date - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        check(590 < skew < 620, "Date header follows the emulated clock (skew %s)" % skew)
        res = t.fails("SignatureDoesNotMatch", "rds", "describe-db-instances",
                      message="Signature expired: ")
        check("is now earlier than" in res.stderr and "- 5 min.)" in res.stderr,
              "AWS's message form: %s" % res.stderr.strip())
    finally:
        t.emu.advance(-600)
    t.emu.advance(-600)
    try:
        res = t.fails("SignatureDoesNotMatch", "rds", "describe-db-instances",
                      message="Signature not yet current: ")
    finally:
        t.emu.advance(600)
    t.ok("rds", "describe-db-instances")


@test(G)
def unknown_parameter_is_rejected(t):
    status, _, body = t.signed(describe(NoSuchParameter="1"))
    eq((status, error_code_of(body)), (400, "InvalidParameterValue"), "unknown parameter")
    check("NoSuchParameter" in body, "names the parameter")
    status, _, body = t.signed(describe(**{"Filters.Filter.x.Name": "db-instance-id"}))
    eq((status, error_code_of(body)), (400, "InvalidParameterValue"), "bad list index")
    status, _, body = t.signed(describe(**{"Filters.Filter.1.Name": "db-instance-id",
                                           "Filters.Filter.1.Values.Value.1": "a",
                                           "Filters.Filter.1.Values.Value.2": "b"}))
    eq(status, 200, "well-formed nested list")


@test(G)
def actions_and_versions(t):
    status, _, body = t.signed({"Action": "LaunchRockets", "Version": V})
    eq((status, error_code_of(body)), (400, "InvalidAction"), "unknown action")
    status, _, body = t.signed(describe(Version="2012-01-01"))
    eq((status, error_code_of(body)), (400, "InvalidAction"), "wrong version")
    check("Could not find operation DescribeDBInstances for version 2012-01-01" in body,
          "message: " + body)
    status, _, body = t.signed({"Action": "DescribeDBInstances"})
    eq((status, error_code_of(body)), (400, "MissingParameter"), "missing Version")
    status, _, body = t.signed({"Version": V})
    eq((status, error_code_of(body)), (400, "MissingAction"), "missing Action")


@test(G)
def required_and_typed_parameters(t):
    status, _, body = t.signed({"Action": "CreateDBSnapshot", "Version": V,
                                "DBInstanceIdentifier": "x"})
    eq((status, error_code_of(body)), (400, "MissingParameter"), "missing required")
    check("DBSnapshotIdentifier" in body, "names it")
    for params in (describe(MaxRecords="abc"),
                   {"Action": "DescribeDBSnapshots", "Version": V, "IncludeShared": "yes"},
                   {"Action": "RestoreDBInstanceToPointInTime", "Version": V,
                    "TargetDBInstanceIdentifier": "x", "SourceDBInstanceIdentifier": "y",
                    "RestoreTime": "last tuesday"}):
        status, _, body = t.signed(params)
        eq((status, error_code_of(body)), (400, "InvalidParameterValue"),
           "bad value in %s" % sorted(params))
    status, _, body = t.signed({"Action": "DescribeExportTasks", "Version": V,
                                "MaxRecords": "5", "SourceType": "BOGUS"})
    eq((status, error_code_of(body)), (400, "ValidationError"), "modelled constraints")
    check("2 validation errors detected" in body, body)


@test(G)
def malformed_authorization(t):
    def drop_signature(h):
        h["Authorization"] = h["Authorization"].split(", Signature=")[0]
    status, _, body = t.signed(describe(), tamper=drop_signature)
    eq((status, error_code_of(body)), (400, "IncompleteSignature"), "no Signature=")

    def change_date(h):
        stamp = h["X-Amz-Date"]
        h["X-Amz-Date"] = stamp[:-3] + ("00Z" if stamp[-3:] != "00Z" else "01Z")
    status, _, body = t.signed(describe(), tamper=change_date)
    eq((status, error_code_of(body)), (403, "SignatureDoesNotMatch"), "date changed")
    status, _, body = t.signed(describe(), region="mars")
    eq((status, error_code_of(body)), (403, "SignatureDoesNotMatch"), "bad region")
    check("valid region" in body, body)
    status, _, body = t.signed(describe(), key=OTHER_KEY, secret=SECRET)
    eq((status, error_code_of(body)), (403, "SignatureDoesNotMatch"), "key/secret mismatch")


@test(G)
def keep_alive_and_get(t):
    conn = http.client.HTTPConnection("127.0.0.1", t.emu.port, timeout=30)
    conn.connect()
    sock = conn.sock
    for _ in range(3):
        status, headers, _ = t.signed(describe(), conn=conn)
        eq(status, 200, "status")
        check(conn.sock is sock, "the connection was reused")
    conn.close()
    status, _, body = t.signed(describe(), method="GET")
    eq(status, 200, "signed GET with query parameters: " + body[:200])


@test(G)
def query_signed_request(t):
    import botocore.session
    session = botocore.session.get_session()
    client = session.create_client("rds", region_name="us-west-2",
                                   endpoint_url=t.emu.endpoint,
                                   aws_access_key_id="AKIAEMULATOR00000001",
                                   aws_secret_access_key=SECRET)
    url = client.generate_presigned_url("describe_db_instances", ExpiresIn=60)
    # botocore signs it with the operation's method (POST), so send it that way.
    with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"),
                                timeout=30) as resp:
        body = resp.read().decode()
    check("<DescribeDBInstancesResponse" in body, body[:200])
    entry = t.emu.log("DescribeDBInstances")[-1]
    eq(entry["region"], "us-west-2", "region from the query credential")


CERT_DIR = tempfile.mkdtemp(prefix="rdsemu-tls-")
CERT = os.path.join(CERT_DIR, "cert.pem")
KEY_FILE = os.path.join(CERT_DIR, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", KEY_FILE, "-out", CERT], check=True, capture_output=True)


@test("tls", emu_args=("--tls-cert", CERT, "--tls-key", KEY_FILE))
def https_with_verified_certificate(t):
    out = t.ok("rds", "describe-db-instances", "--ca-bundle", CERT)
    eq(out["DBInstances"], [], "empty")
    res = t.aws("rds", "describe-db-instances")
    check(res.rc != 0 and "SSL" in res.stderr, "unknown CA refused: " + res.stderr[-200:])
    ctx = ssl.create_default_context(cafile=CERT)
    with urllib.request.urlopen("https://127.0.0.1:%d/_emulator/health" % t.emu.port,
                                context=ctx, timeout=10) as resp:
        check(b'"scheme": "https"' in resp.read(), "control API over TLS")


@test(G)
def libcurl_signer_is_accepted(t):
    # libcurl's own SigV4 (what a C client is likely to use) against botocore's verifier.
    curl = subprocess.run(["curl", "--version"], capture_output=True, text=True)
    check(curl.returncode == 0, "curl is needed for this test")
    out = subprocess.run(
        ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:eu-west-1:rds",
         "--user", "AKIAEMULATOR00000001:" + SECRET, "-H", "Expect: 100-continue",
         "-d", "Action=DescribeDBSnapshots&Version=2014-10-31&MaxRecords=20",
         "--data-urlencode", "Filters.Filter.1.Name=snapshot-type",
         "--data-urlencode", "Filters.Filter.1.Values.Value.1=manual",
         "http://127.0.0.1:%d/" % t.emu.port], capture_output=True, text=True, timeout=30)
    body, _, status = out.stdout.rpartition("\n")
    eq(status, "200", "libcurl-signed request: " + body[:300])
    check("<DescribeDBSnapshotsResponse" in body, body[:200])
