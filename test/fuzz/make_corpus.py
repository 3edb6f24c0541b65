#!/usr/bin/env python3
"""Write the seed corpus under corpus/<harness>/ (run from test/fuzz).

  make_corpus.py [SUITE]      every harness's seeds; the sigv4 seeds wrap
                              requests of AWS's SigV4 suite
                              (shared/sigv4-test-suite beside the checkout,
                              or SUITE); see the harnesses for the layouts
  make_corpus.py --large DIR  inputs too large to keep in git (an 11 MB
                              text, 100,000 levels, 250,000 elements,
                              a 1 MB value), written to DIR/<harness>/ for
                              `make replay`
"""
import calendar
import json
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def find_suite():
    if len(sys.argv) > 1:
        return sys.argv[1]
    # the repository checked out beside shared/, or one level deeper
    suite = next((p for p in (os.path.join(HERE, *[".."] * up, "shared", "sigv4-test-suite")
                              for up in (3, 4)) if os.path.isdir(p)), None)
    if suite is None:
        sys.exit("make_corpus.py: pass the sigv4-test-suite directory")
    return suite


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
RDS_NS = b' xmlns="http://rds.amazonaws.com/doc/2014-10-31/"'


def reply(action, result, ns=RDS_NS):
    return (XML_HEAD + b"<" + action + b"Response" + ns + b"><" + action + b"Result>" + result
            + b"</" + action + b"Result><ResponseMetadata><RequestId>"
            b"0a1b2c3d-4e5f-6789-abcd-ef0123456789</RequestId></ResponseMetadata></"
            + action + b"Response>")


if len(sys.argv) > 2 and sys.argv[1] == "--large":
    OUT = sys.argv[2]
    # 11 MB of text: over libxml2's 10 MB text limit, under the 16 MB body cap
    write("fuzz_xml", "text-11mb",
          reply(b"DescribeDBSnapshots", b"<Marker>" + b"A" * (11 * 1024 * 1024) + b"</Marker>"))
    write("fuzz_xml", "depth-100000",
          XML_HEAD + b"<a>" * 100000 + b"</a>" * 100000)
    write("fuzz_xml", "elements-250000",
          reply(b"DescribeDBSnapshots", b"<DBSnapshots>" + b"<DBSnapshot/>" * 250000
                + b"</DBSnapshots>"))
    write("fuzz_xml", "depth-250-of-text",
          XML_HEAD + b"<a>" * 250 + b"x" * 100000 + b"</a>" * 250)
    write("fuzz_values", "bucket-1mb", b"\x07" + b"a" * (1024 * 1024))
    write("fuzz_values", "prefix-1mb-of-slashes", b"\x08" + b"a/" * (512 * 1024))
    write("fuzz_values", "export-only-64-entries", b"\x0c" + b"\n".join([b"db.s.t"] * 64))
    write("fuzz_options", "list-of-100000",
          b"\x00" + b'{"VpcSecurityGroupIds": [' + b",".join([b'"sg-1"'] * 100000) + b"]}")
    sys.exit(0)


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
SUITE = find_suite()


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

# ---- fuzz_xml: reply bodies as AWS sends them, and hostile ones ----
SNAP = (b"<DBSnapshot><DBSnapshotIdentifier>orders-prod-20261125t030000</DBSnapshotIdentifier>"
        b"<DBInstanceIdentifier>orders-prod</DBInstanceIdentifier><Status>creating</Status>"
        b"<PercentProgress>40</PercentProgress><SnapshotCreateTime>2026-11-25T03:00:00.000Z"
        b"</SnapshotCreateTime><Encrypted>false</Encrypted><TagList><Tag><Key>rds-backup:operation"
        b"</Key><Value>42</Value></Tag></TagList></DBSnapshot>")
write("fuzz_xml", "describe-snapshots",
      reply(b"DescribeDBSnapshots", b"<DBSnapshots>\n  " + SNAP + b"\n  " + SNAP
            + b"\n</DBSnapshots><Marker>abc</Marker>"))
write("fuzz_xml", "create-snapshot", reply(b"CreateDBSnapshot", SNAP))
write("fuzz_xml", "sts-assume-role",
      reply(b"AssumeRole", b"<Credentials><AccessKeyId>ASIAEXAMPLE0000001</AccessKeyId>"
            b"<SecretAccessKey>SECRETMARKERsecretsecretsecretsecret0001</SecretAccessKey>"
            b"<SessionToken>SESSIONMARKERtokentokentokentokentokentokentoken</SessionToken>"
            b"<Expiration>2026-11-25T04:00:00Z</Expiration></Credentials>",
            b' xmlns="https://sts.amazonaws.com/doc/2011-06-15/"'))
write("fuzz_xml", "sts-truncated-secret",
      XML_HEAD + b"<AssumeRoleResponse><AssumeRoleResult><Credentials><SecretAccessKey>"
      b"SECRETMARKERsecret&amp;secret<secret")
write("fuzz_xml", "error-response",
      XML_HEAD + b"<ErrorResponse" + RDS_NS + b"><Error><Type>Sender</Type><Code>DBSnapshotNotFound"
      b"</Code><Message>DBSnapshot x not found.</Message></Error><RequestId>r-1</RequestId>"
      b"</ErrorResponse>")
write("fuzz_xml", "error-response-ec2-style",
      b"<Response><Errors><Error><Code>AuthFailure</Code><Message>no</Message></Error></Errors>"
      b"<RequestID>r-2</RequestID></Response>")
write("fuzz_xml", "error-s3-style",
      b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>r-3</RequestId>"
      b"</Error>")
write("fuzz_xml", "doctype-internal-entity",
      XML_HEAD + b'<!DOCTYPE r [<!ENTITY e "expanded">]><r>&e;</r>')
write("fuzz_xml", "doctype-external-entity",
      XML_HEAD + b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>')
write("fuzz_xml", "billion-laughs",
      XML_HEAD + b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
      + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                 for i in range(1, 10))
      + b"]><lolz>&lol9;</lolz>")
write("fuzz_xml", "parameter-entity",
      XML_HEAD + b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><r/>')
write("fuzz_xml", "depth-65", XML_HEAD + b"<a>" * 65 + b"x" + b"</a>" * 65)
write("fuzz_xml", "depth-64", XML_HEAD + b"<a>" * 64 + b"x" + b"</a>" * 64)
write("fuzz_xml", "depth-300", XML_HEAD + b"<a>" * 300 + b"</a>" * 300)
write("fuzz_xml", "mixed-content",
      b"<r xmlns:x='urn:x'><!-- c --><?pi data?><x:a b='1'>t<![CDATA[<not a tag>&amp;]]>u</x:a>"
      b"  <b/>\n <c>caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80</c></r>")
write("fuzz_xml", "latin1-declared",
      b'<?xml version="1.0" encoding="ISO-8859-1"?><r>caf\xe9</r>')
write("fuzz_xml", "utf16-bom",
      "\ufeff<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>x</r>".encode("utf-16-le"))
write("fuzz_xml", "invalid-utf8", b"<r>\xc3\x28\xff</r>")
write("fuzz_xml", "entity-refs", b"<r>&lt;&gt;&amp;&apos;&quot;&#65;&#x1F600;&#0;&undefined;</r>")
write("fuzz_xml", "text-60kb", reply(b"DescribeDBSnapshots", b"<Marker>" + b"m" * 60000 + b"</Marker>"))
write("fuzz_xml", "many-siblings", reply(b"DescribeDBSnapshots",
                                          b"<DBSnapshots>" + b"<DBSnapshot/>" * 3000 + b"</DBSnapshots>"))
write("fuzz_xml", "html-page", b"<html><head><title>502 Bad Gateway</title></head><body>"
      b"<h1>Bad Gateway</h1></body></html>")

# ---- fuzz_values: a selector byte, then the value (see fuzz_values.c) ----
VALUES = [
    (0, b"arn:aws:rds:us-east-1:123456789012:snapshot:orders-prod-1"),
    (0, b"arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:x\nrds"),
    (1, b"arn:aws:iam::123456789012:role/path/to/rds-s3-export"),
    (2, b"arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-prod-2026-11-25-03-00"),
    (3, b"arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster-snapshot:awsbackup:job-1"),
    (4, b"arn:aws:rds:eu-central-2:210987654321:snapshot:partner-export"),
    (5, b"rds:orders-prod-2026-11-25-03-00"),
    (5, b"arn:aws:rds:us-east-1:210987654321:cluster-snapshot:partner\ncluster"),
    (6, b"ap-southeast-4"),
    (7, b"orders-exports.backup-1"),
    (7, b"192.168.1.1"),
    (8, b"nightly/orders/"),
    (8, b"a/./b"),
    (9, b"arn:aws:iam::123456789012:role/service-role/rds-export+role=,.@_-"),
    (10, b"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\nus-east-1"),
    (10, b"mrk-1234567890abcdef1234567890abcdef"),
    (10, b"alias/backups/2026"),
    (11, b"23:45-00:15"),
    (12, b"orders\norders.public\norders.public.line_items\nmy$db._x1.t$"),
    (13, b"orders-prod-20261125t030000\n"),
    (14, b'{"lifecycle": "nightly", "team": "caf\\u00e9", "rds-backup:keep": "true"}'),
    (14, b'{"aws:x": "y"}'),
    (15, b"http://127.0.0.1:8080"),
    (15, b"https://vpce-0123.rds.us-east-1.vpce.amazonaws.com/\nsts"),
    (15, b"http://[::1]:9000/"),
    (16, b"https://user:pw@rds.example.invalid/x?y=1#z"),
]
for i, (sel, value) in enumerate(VALUES):
    write("fuzz_values", "seed-%02d" % i, bytes([sel]) + value)

# ---- fuzz_options: an action byte, then the options object ----
OPTIONS = [
    (0, b'{"DBSubnetGroupName": "private", "VpcSecurityGroupIds": ["sg-0123456789abcdef0"],'
        b' "MultiAZ": false, "Port": 5433, "Tags": {"purpose": "drill"}}'),
    (0, b'{"ProcessorFeatures": [{"Name": "coreCount", "Value": "2"}],'
        b' "EnableCloudwatchLogsExports": [], "TdeCredentialPassword": "s3cret"}'),
    (1, b'{"Engine": "aurora-postgresql", "ScalingConfiguration": {"MinCapacity": 2,'
        b' "AutoPause": false}, "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5,'
        b' "MaxCapacity": 8}}'),
    (2, b'{"Iops": 1.50e3, "MaxAllocatedStorage": 2147483648, "Multiaz": true}'),
    (3, b'{"RestoreType": "copy-on-write", "BacktrackWindow": 9223372036854775807,'
        b' "DBClusterIdentifier": "x"}'),
    (4, b'{"RestoreToTime": "2026-11-25 03:00:00.5+05:30", "EnableIAMDatabaseAuthentication": null}'),
    (5, b'{"Tags": [{"Key": "a"}], "VpcSecurityGroupIds": "sg-1", "Port": 1e400}'),
]
for i, (sel, value) in enumerate(OPTIONS):
    write("fuzz_options", "seed-%02d" % i, bytes([sel]) + value)
