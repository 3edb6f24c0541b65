#!/usr/bin/env python3
"""Write the seed corpus under corpus/<harness>/ (run from test/fuzz).

The sigv4 seeds wrap requests of AWS's SigV4 suite
(shared/sigv4-test-suite beside the checkout, or argv[1]) in the harness's
input layout; see fuzz_sigv4.c and fuzz_query.c for the layouts.
"""
import calendar
import json
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if len(sys.argv) > 1:
    SUITE = sys.argv[1]
else:
    # the repository checked out beside shared/, or one level deeper
    SUITE = next((p for p in (os.path.join(HERE, *[".."] * up, "shared", "sigv4-test-suite")
                              for up in (3, 4)) if os.path.isdir(p)), None)
    if SUITE is None:
        sys.exit("make_corpus.py: pass the sigv4-test-suite directory")


def write(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_ini: AWS shared credentials and config files ----
write("fuzz_ini", "credentials", b"""[default]
aws_access_key_id=AKIAIOSFODNN7EXAMPLE
aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[user1]
aws_access_key_id=AKIAI44QH8DHBEXAMPLE
aws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
aws_session_token = IQoJb3JpZ2luX2IQoJb3JpZ2luX2IQoJb3JpZ2luX2IQoJb3JpZ2luX2IQoJb3JpZVERYLONGSTRINGEXAMPLE
""")
write("fuzz_ini", "config", b"""# comment
; another comment
[default]
region = us-west-2
output = json

[profile dev]
region=eu-west-1
s3 =
  max_concurrent_requests = 20
  addressing_style = path
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = default
""")
write("fuzz_ini", "crlf-bad-lines", b"[ spaced ]\r\n key_indented = x\r\nno equals here\r\n=novalue\r\n"
      b"[unterminated\r\nk\t=\t v \r\n[]\r\nempty=\r\nlast=no newline")
write("fuzz_ini", "nul-bytes", b"[a\x00b]\nk\x00ey=va\x00lue\n\x00=x\n")

# ---- fuzz_query: Action, Version, then opcode + operands ----
Z = b"\x00"


def s(x):
    return x.encode() + Z


def u64(v):
    return struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF)


write("fuzz_query", "create-snapshot",
      s("CreateDBSnapshot") + s("2014-10-31")
      + b"\x00" + s("DBInstanceIdentifier") + s("mydb")
      + b"\x00" + s("DBSnapshotIdentifier") + s("mydb-2024-01-01")
      + b"\x06" + s("Tags") + s("Tag") + b"\x02\x00" + s("created-by") + s("rds_backup")
      + s("env") + s("prod & test = ok"))
write("fuzz_query", "describe-filters",
      s("DescribeDBSnapshots") + s("2014-10-31")
      + b"\x07" + s("db-instance-id") + b"\x02\x02" + s("a") + s("b/c")
      + s("snapshot-type") + b"\x00"
      + b"\x01" + s("MaxRecords") + u64(100)
      + b"\x02" + s("IncludeShared") + b"\x01")
write("fuzz_query", "lists-numbers",
      s("ModifyDBSnapshotAttribute") + s("2014-10-31")
      + b"\x05" + s("ValuesToAdd") + s("AttributeValue") + b"\x03\x00"
      + s("123456789012") + s("all") + s("caf\u00e9 ~ %41")
      + b"\x05" + s("ExportOnly") + s("member") + b"\x00\x00"
      + b"\x03" + s("Ratio") + struct.pack(">d", 0.1)
      + b"\x03" + s("Big") + struct.pack(">d", 1e22)
      + b"\x04" + s("RestoreTime") + u64(1700000000 + 30610224000))

# ---- fuzz_sigv4: 13 control bytes, parameter line, request ----
def sigv4_seed(case, query_mode, extra_time, url):
    with open(os.path.join(SUITE, "aws-c-auth-v4", case, "context.json")) as f:
        ctx = json.load(f)
    with open(os.path.join(SUITE, "aws-c-auth-v4", case, "request.txt"), "rb") as f:
        request = f.read()
    cr = ctx["credentials"]
    flags = (1 if query_mode else 0) | (2 if ctx.get("normalize") else 4) \
        | (8 if ctx.get("sign_body") else 0) \
        | (16 if ctx.get("omit_session_token") else 0)
    ts = calendar.timegm(time.strptime(ctx["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
    control = bytes([flags]) + struct.pack(">I", ctx.get("expiration_in_seconds", 3600) - 1) \
        + struct.pack(">Q", ts)
    line = "|".join([cr["access_key_id"], cr["secret_access_key"], cr.get("token", ""),
                     ctx["region"], ctx["service"], extra_time, url]).encode()
    return control + line + b"\n" + request


RDS_URL = ("https://rds.us-west-2.amazonaws.com/?Action=CopyDBSnapshot&Version=2014-10-31"
           "&SourceDBSnapshotIdentifier=arn%3Aaws%3Ards%3Aus-west-2%3A123456789012%3Asnapshot%3Amydb"
           "&TargetDBSnapshotIdentifier=copy&DestinationRegion=us-east-1")
for case, qm, t, url in [
        ("get-vanilla", False, "20150830T123600Z", "https://example.amazonaws.com/"),
        ("get-header-value-multiline", True, "2015-08-30T12:36:00.123Z", RDS_URL),
        ("get-vanilla-query-order-key-case", False, "2000-02-29T00:00:00Z", "http://127.0.0.1:8080/a/../b?x=1"),
        ("get-relative-relative-unnormalized", True, "99991231T235959Z", "https://h/%7Euser/?a=%E1%88%B4"),
        ("post-sts-header-after", False, "2015-13-01T00:00:00Z", "https://user@host/"),
        ("post-x-www-form-urlencoded-parameters", True, "junk", RDS_URL),
        ("get-utf8", False, "19700101T000000Z", "ftp://nope/"),
]:
    write("fuzz_sigv4", case, sigv4_seed(case, qm, t, url))
