"""Group B with the real AWS CLI: copies (same region, cross-region with
the PreSignedUrl the CLI builds, shared from another account), sharing,
exports, cross-region replication of automated backups."""
from harness import (ACCOUNT, KEY, OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, SECRET, check, eq,
                     test)

G = "copy"
SRC_ARN = "arn:aws:rds:us-east-1:%s:snapshot:orders-nightly" % ACCOUNT
ENC_ARN = "arn:aws:rds:us-east-1:%s:snapshot:secure-nightly" % ACCOUNT
EU_KMS = "arn:aws:kms:eu-west-1:%s:key/eu-backups" % ACCOUNT


def presigned(t, source_region, dest_region, source_id, target_id, host=None, expires=3600):
    """A PreSignedUrl made with botocore's query signer, as the SDKs make it:
    GET CopyDBSnapshot for the source region with DestinationRegion."""
    from urllib.parse import urlencode
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    query = urlencode({"Action": "CopyDBSnapshot", "Version": "2014-10-31",
                       "SourceDBSnapshotIdentifier": source_id,
                       "TargetDBSnapshotIdentifier": target_id,
                       "DestinationRegion": dest_region})
    request = AWSRequest(method="GET", url="http://%s/?%s" % (
        host or "127.0.0.1:%d" % t.emu.port, query))
    signer = SigV4QueryAuth(Credentials(KEY, SECRET), "rds", source_region, expires=expires)
    signer.add_auth(request)
    return request.url


@test(G)
def copy_same_region_with_tags(t):
    t.emu.seed("instance", id="orders-prod", tags={"team": "payments"})
    t.emu.seed("snapshot", id="orders-nightly", instance="orders-prod",
               tags={"lifecycle": "nightly"})
    out = t.ok("rds", "copy-db-snapshot", "--source-db-snapshot-identifier", "orders-nightly",
               "--target-db-snapshot-identifier", "orders-keep", "--copy-tags",
               "--tags", "Key=rds-backup:source-arn,Value=%s" % SRC_ARN)["DBSnapshot"]
    eq((out["Status"], out["SnapshotType"]), ("creating", "manual"), "copy")
    eq(sorted(x["Key"] for x in out["TagList"]), ["lifecycle", "rds-backup:source-arn"], "tags")
    eq(out["SourceDBSnapshotIdentifier"], SRC_ARN, "source")
    t.fails("DBSnapshotAlreadyExists", "rds", "copy-db-snapshot",
            "--source-db-snapshot-identifier", "orders-nightly",
            "--target-db-snapshot-identifier", "orders-keep")
    t.fails("InvalidDBSnapshotState", "rds", "copy-db-snapshot",
            "--source-db-snapshot-identifier", "orders-keep",
            "--target-db-snapshot-identifier", "orders-keep-2")
    t.fails("DBSnapshotNotFound", "rds", "copy-db-snapshot",
            "--source-db-snapshot-identifier", "nope", "--target-db-snapshot-identifier", "n2")


@test(G)
def copy_cross_region_with_presigned_url(t):
    since = t.emu.last_seq()
    out = t.ok("rds", "copy-db-snapshot", "--source-db-snapshot-identifier", SRC_ARN,
               "--target-db-snapshot-identifier", "orders-dr", "--source-region", "us-east-1",
               region="eu-west-1")["DBSnapshot"]
    eq((out["SourceRegion"], out["DBSnapshotArn"]),
       ("us-east-1", "arn:aws:rds:eu-west-1:%s:snapshot:orders-dr" % ACCOUNT), "copy")
    sent = t.emu.log("CopyDBSnapshot", since)[-1]
    url = sent["params"]["PreSignedUrl"]
    check("DestinationRegion=eu-west-1" in url and "X-Amz-Signature=***" in url, url)
    eq(sent["region"], "eu-west-1", "arrived at the destination")
    t.fails("DBSnapshotNotFound", "rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "orders-dr")
    t.emu.advance(16)
    copy = t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier", "orders-dr",
                region="eu-west-1")["DBSnapshots"][0]
    eq((copy["Status"], copy["PercentProgress"]), ("available", 100), "copied")


@test(G)
def presigned_url_is_verified(t):
    def copy_with(url, target):
        return t.aws("rds", "copy-db-snapshot", "--source-db-snapshot-identifier", SRC_ARN,
                     "--target-db-snapshot-identifier", target, "--pre-signed-url", url,
                     region="eu-west-1")
    res = t.aws("rds", "copy-db-snapshot", "--source-db-snapshot-identifier", SRC_ARN,
                "--target-db-snapshot-identifier", "no-url", region="eu-west-1")
    eq(res.error_code(), "InvalidParameterValue", "missing PreSignedUrl")
    good = presigned(t, "us-east-1", "eu-west-1", SRC_ARN, "via-url")
    eq(copy_with(good, "via-url").rc, 0, "botocore-built URL accepted")
    tampered = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    res = copy_with(tampered, "tampered")
    check(res.error_code() == "InvalidParameterValue" and "SignatureDoesNotMatch" in res.stderr,
          res.stderr)
    wrong_region = presigned(t, "us-west-2", "eu-west-1", SRC_ARN, "wrong-region")
    res = copy_with(wrong_region, "wrong-region")
    check("not the source region us-east-1" in res.stderr, res.stderr)
    wrong_dest = presigned(t, "us-east-1", "ap-south-1", SRC_ARN, "wrong-dest")
    check("DestinationRegion" in copy_with(wrong_dest, "wrong-dest").stderr, "destination")
    real_host = presigned(t, "us-east-1", "eu-west-1", SRC_ARN, "real-host",
                          host="rds.us-east-1.amazonaws.com")
    check(real_host.startswith("http://rds.us-east-1.amazonaws.com/"), real_host)
    eq(copy_with(real_host, "real-host").rc, 0, "URL naming the real AWS host accepted")
    short = presigned(t, "us-east-1", "eu-west-1", SRC_ARN, "expired", expires=1)
    t.emu.advance(5)
    res = copy_with(short, "expired")
    check("expired" in res.stderr, res.stderr)


@test(G)
def encrypted_cross_region_needs_kms_key(t):
    t.emu.seed("snapshot", id="secure-nightly", instance="orders-prod", encrypted=True,
               kms_key_id="arn:aws:kms:us-east-1:%s:key/orders" % ACCOUNT)
    t.fails("InvalidParameterValue", "rds", "copy-db-snapshot",
            "--source-db-snapshot-identifier", ENC_ARN, "--target-db-snapshot-identifier",
            "secure-dr", "--source-region", "us-east-1", region="eu-west-1",
            message="KmsKeyId")
    t.fails("KMSKeyNotAccessibleFault", "rds", "copy-db-snapshot",
            "--source-db-snapshot-identifier", ENC_ARN, "--target-db-snapshot-identifier",
            "secure-dr", "--source-region", "us-east-1", "--kms-key-id",
            "arn:aws:kms:us-east-1:%s:key/orders" % ACCOUNT, region="eu-west-1")
    out = t.ok("rds", "copy-db-snapshot", "--source-db-snapshot-identifier", ENC_ARN,
               "--target-db-snapshot-identifier", "secure-dr", "--source-region", "us-east-1",
               "--kms-key-id", EU_KMS, region="eu-west-1")["DBSnapshot"]
    eq((out["Encrypted"], out["KmsKeyId"]), (True, EU_KMS), "re-encrypted")


@test(G)
def cross_region_copy_limit(t):
    t.emu.ctl("POST", "config", {"cross_region_copy_limit": 1})
    try:
        t.fails("SnapshotQuotaExceeded", "rds", "copy-db-snapshot",
                "--source-db-snapshot-identifier", SRC_ARN, "--target-db-snapshot-identifier",
                "one-too-many", "--source-region", "us-east-1", region="eu-west-1")
    finally:
        t.emu.ctl("POST", "config", {"cross_region_copy_limit": 5})


@test(G)
def share_snapshot_with_another_account(t):
    out = t.ok("rds", "modify-db-snapshot-attribute", "--db-snapshot-identifier",
               "orders-nightly", "--attribute-name", "restore", "--values-to-add",
               OTHER_ACCOUNT)["DBSnapshotAttributesResult"]
    eq(out["DBSnapshotAttributes"], [{"AttributeName": "restore",
                                      "AttributeValues": [OTHER_ACCOUNT]}], "shared")
    got = t.ok("rds", "describe-db-snapshot-attributes", "--db-snapshot-identifier",
               "orders-nightly")["DBSnapshotAttributesResult"]
    eq(got["DBSnapshotAttributes"][0]["AttributeValues"], [OTHER_ACCOUNT], "described")
    theirs = t.ok("rds", "describe-db-snapshots", "--snapshot-type", "shared",
                  key=OTHER_KEY, secret=OTHER_SECRET)["DBSnapshots"]
    eq([(s["DBSnapshotIdentifier"], s["SnapshotType"]) for s in theirs],
       [(SRC_ARN, "shared")], "visible to the other account")
    eq(t.ok("rds", "describe-db-snapshots", key=OTHER_KEY,
            secret=OTHER_SECRET)["DBSnapshots"], [], "not without IncludeShared")
    copy = t.ok("rds", "copy-db-snapshot", "--source-db-snapshot-identifier", SRC_ARN,
                "--target-db-snapshot-identifier", "from-partner", key=OTHER_KEY,
                secret=OTHER_SECRET)["DBSnapshot"]
    eq(copy["DBSnapshotArn"], "arn:aws:rds:us-east-1:%s:snapshot:from-partner" % OTHER_ACCOUNT,
       "copied into the other account")
    t.ok("rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier",
         "partner-db", "--db-snapshot-identifier", SRC_ARN, key=OTHER_KEY, secret=OTHER_SECRET)
    t.fails("DBSnapshotNotFound", "rds", "copy-db-snapshot", "--source-db-snapshot-identifier",
            ENC_ARN, "--target-db-snapshot-identifier", "not-shared", key=OTHER_KEY,
            secret=OTHER_SECRET)
    t.fails("InvalidParameterValue", "rds", "modify-db-snapshot-attribute",
            "--db-snapshot-identifier", "secure-nightly", "--attribute-name", "restore",
            "--values-to-add", "all", message="publicly")
    many = ["1000000000%02d" % i for i in range(21)]
    t.fails("SharedSnapshotQuotaExceeded", "rds", "modify-db-snapshot-attribute",
            "--db-snapshot-identifier", "orders-nightly", "--attribute-name", "restore",
            "--values-to-add", *many)
    out = t.ok("rds", "modify-db-snapshot-attribute", "--db-snapshot-identifier",
               "orders-nightly", "--attribute-name", "restore", "--values-to-remove",
               OTHER_ACCOUNT)["DBSnapshotAttributesResult"]
    eq(out["DBSnapshotAttributes"][0]["AttributeValues"], [], "unshared")


@test(G)
def cluster_copy_and_share(t):
    t.emu.seed("cluster", id="orders-aurora", members=1)
    t.emu.seed("cluster-snapshot", id="aurora-nightly", cluster="orders-aurora")
    arn = "arn:aws:rds:us-east-1:%s:cluster-snapshot:aurora-nightly" % ACCOUNT
    local = t.ok("rds", "copy-db-cluster-snapshot", "--source-db-cluster-snapshot-identifier",
                 "aurora-nightly", "--target-db-cluster-snapshot-identifier",
                 "aurora-keep")["DBClusterSnapshot"]
    eq(local["SourceDBClusterSnapshotArn"], arn, "source arn")
    remote = t.ok("rds", "copy-db-cluster-snapshot", "--source-db-cluster-snapshot-identifier",
                  arn, "--target-db-cluster-snapshot-identifier", "aurora-dr",
                  "--source-region", "us-east-1", region="us-west-2")["DBClusterSnapshot"]
    eq(remote["DBClusterSnapshotArn"],
       "arn:aws:rds:us-west-2:%s:cluster-snapshot:aurora-dr" % ACCOUNT, "cross-region")
    t.fails("InvalidParameterValue", "rds", "copy-db-cluster-snapshot",
            "--source-db-cluster-snapshot-identifier", "aurora-nightly",
            "--target-db-cluster-snapshot-identifier", "aurora-enc", "--kms-key-id",
            "arn:aws:kms:us-east-1:%s:key/k" % ACCOUNT)
    out = t.ok("rds", "modify-db-cluster-snapshot-attribute",
               "--db-cluster-snapshot-identifier", "aurora-nightly", "--attribute-name",
               "restore", "--values-to-add", OTHER_ACCOUNT)
    eq(out["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"][0]
       ["AttributeValues"], [OTHER_ACCOUNT], "shared")
    got = t.ok("rds", "describe-db-cluster-snapshot-attributes",
               "--db-cluster-snapshot-identifier", "aurora-nightly")
    eq(got["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotIdentifier"], "aurora-nightly",
       "described")
    shared = t.ok("rds", "describe-db-cluster-snapshots", "--include-shared", key=OTHER_KEY,
                  secret=OTHER_SECRET)["DBClusterSnapshots"]
    eq([s["DBClusterSnapshotIdentifier"] for s in shared], [arn], "visible")


@test(G)
def export_tasks(t):
    role = "arn:aws:iam::%s:role/rds-s3-export" % ACCOUNT
    kms = "arn:aws:kms:us-east-1:%s:key/export" % ACCOUNT

    def start(ident, source=SRC_ARN, bucket="orders-exports", *extra):
        return t.aws("rds", "start-export-task", "--export-task-identifier", ident,
                     "--source-arn", source, "--s3-bucket-name", bucket, "--iam-role-arn", role,
                     "--kms-key-id", kms, *extra)
    first = start("orders-export-1", SRC_ARN, "orders-exports", "--export-only", "orders.public")
    eq(first.rc, 0, first.stderr)
    eq((first.json["Status"], first.json["SourceType"], first.json["ExportOnly"]),
       ("STARTING", "SNAPSHOT", ["orders.public"]), "started")
    eq(start("orders-export-1").error_code(), "ExportTaskAlreadyExists", "duplicate")
    eq(start("bad-bucket", SRC_ARN, "Not_A_Bucket").error_code(), "InvalidS3BucketFault",
       "bucket")
    eq(start("no-source", SRC_ARN + "-nope").error_code(), "DBSnapshotNotFound", "source")
    t.emu.advance(10)
    mid = t.ok("rds", "describe-export-tasks", "--export-task-identifier",
               "orders-export-1")["ExportTasks"][0]
    eq(mid["Status"], "IN_PROGRESS", "in progress")
    check(0 < mid["PercentProgress"] < 100, mid["PercentProgress"])
    t.emu.advance(25)
    done = t.ok("rds", "describe-export-tasks", "--filters",
                "Name=status,Values=complete")["ExportTasks"]
    eq([(x["ExportTaskIdentifier"], x["PercentProgress"]) for x in done],
       [("orders-export-1", 100)], "complete")
    check("TaskEndTime" in done[0], "end time")
    eq(start("orders-export-2").rc, 0, "second")
    canceling = t.ok("rds", "cancel-export-task", "--export-task-identifier", "orders-export-2")
    eq(canceling["Status"], "CANCELING", "canceling")
    t.emu.advance(6)
    eq(t.ok("rds", "describe-export-tasks", "--export-task-identifier",
            "orders-export-2")["ExportTasks"][0]["Status"], "CANCELED", "canceled")
    t.fails("InvalidExportTaskStateFault", "rds", "cancel-export-task",
            "--export-task-identifier", "orders-export-1")
    t.fails("ExportTaskNotFound", "rds", "describe-export-tasks", "--export-task-identifier",
            "nope")


@test(G)
def replicate_automated_backups(t):
    source = "arn:aws:rds:us-east-1:%s:db:orders-prod" % ACCOUNT
    since = t.emu.last_seq()
    out = t.ok("rds", "start-db-instance-automated-backups-replication",
               "--source-db-instance-arn", source, "--backup-retention-period", "7",
               "--source-region", "us-east-1", region="eu-west-1")["DBInstanceAutomatedBackup"]
    eq((out["Status"], out["Region"], out["DBInstanceIdentifier"]),
       ("pending", "us-east-1", "orders-prod"), "pending")
    check("PreSignedUrl" in t.emu.log(
        "StartDBInstanceAutomatedBackupsReplication", since)[-1]["params"], "presigned")
    t.fails("InvalidDBInstanceState", "rds", "start-db-instance-automated-backups-replication",
            "--source-db-instance-arn", source, "--source-region", "us-east-1",
            region="eu-west-1")
    t.emu.advance(11)
    listed = t.ok("rds", "describe-db-instance-automated-backups",
                  region="eu-west-1")["DBInstanceAutomatedBackups"]
    eq([b["Status"] for b in listed], ["replicating"], "replicating")
    inst = t.ok("rds", "describe-db-instances", "--db-instance-identifier",
                "orders-prod")["DBInstances"][0]
    eq([r["DBInstanceAutomatedBackupsArn"] for r in inst["DBInstanceAutomatedBackupsReplications"]],
       [listed[0]["DBInstanceAutomatedBackupsArn"]], "source lists the replication")
    stopped = t.ok("rds", "stop-db-instance-automated-backups-replication",
                   "--source-db-instance-arn", source,
                   region="eu-west-1")["DBInstanceAutomatedBackup"]
    eq(stopped["Status"], "retained", "stopped")
    t.fails("InvalidDBInstanceState", "rds", "stop-db-instance-automated-backups-replication",
            "--source-db-instance-arn", source, region="eu-west-1")
