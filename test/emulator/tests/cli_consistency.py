"""Eventual consistency (config describe_delay): a resource an action just
created answers Describe* with the NotFound of a missing one, and is left
out of lists and filters, until describe_delay emulated seconds pass."""
import re

from harness import ACCOUNT, check, eq, error_code_of, test

G = "consistency"
DELAY = 30
ROLE = "arn:aws:iam::%s:role/rds-s3-export" % ACCOUNT
KMS = "arn:aws:kms:us-east-1:%s:key/export" % ACCOUNT
BASE_ARN = "arn:aws:rds:us-east-1:%s:snapshot:ec-base" % ACCOUNT
SOURCE_ARN = "arn:aws:rds:us-west-2:%s:db:ec-src" % ACCOUNT


def error_of(t, params, region="us-east-1"):
    """(HTTP status, code, message with identifiers blanked) of a signed call."""
    status, _, body = t.signed(dict(params, Version="2014-10-31"), region=region)
    message = re.search(r"<Message>(.*)</Message>", body)
    return status, error_code_of(body), message.group(1) if message else None


def same_as_missing(t, params, key, ident, region="us-east-1"):
    """Describe of `ident` (not visible yet) fails exactly as for an id that
    never existed: same status, code and message but for the identifier."""
    got = error_of(t, dict(params, **{key: ident}), region)
    missing = error_of(t, dict(params, **{key: "never-existed-1"}), region)
    check(got[0] != 200, "%s %s is already described: %r" % (params["Action"], ident, got))
    eq((got[0], got[1], got[2].replace(ident, "X")),
       (missing[0], missing[1], missing[2].replace("never-existed-1", "X")),
       "%s of %s (not visible yet) vs a missing one" % (params["Action"], ident))
    return got


def described(t, params, key, ident, region="us-east-1"):
    status, _, body = t.signed(dict(params, Version="2014-10-31", **{key: ident}),
                               region=region)
    eq(status, 200, "%s %s: %s" % (params["Action"], ident, body[:300]))
    return body


@test(G, emu_args=("--config", '{"require_presigned_url": false}'))
def describe_delay_defaults_to_zero(t):
    eq(t.emu.ctl("GET", "config")["describe_delay"], 0.0, "default")
    t.emu.seed("instance", id="ec-db", backup_retention=7)
    t.emu.seed("instance", id="ec-src", region="us-west-2")
    t.emu.seed("cluster", id="ec-aurora", members=1)
    t.emu.seed("snapshot", id="ec-base", instance="ec-db")
    t.emu.seed("cluster-snapshot", id="ec-cbase", cluster="ec-aurora")
    out = t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "ec-db",
               "--db-snapshot-identifier", "ec-at-once")
    eq(out["DBSnapshot"]["Status"], "creating", "created")
    eq(t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "ec-at-once")["DBSnapshots"][0]["DBSnapshotIdentifier"], "ec-at-once",
       "described at once without a delay")
    try:
        t.emu.ctl("POST", "config", {"describe_delay": -1})
        raise AssertionError("a negative describe_delay was accepted")
    except Exception as err:
        check("400" in str(err), "negative delay refused: %s" % err)


@test(G)
def new_snapshot_is_not_described_until_the_delay(t):
    t.emu.ctl("POST", "config", {"describe_delay": DELAY})
    out = t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "ec-db",
               "--db-snapshot-identifier", "ec-snap")
    eq((out["DBSnapshot"]["DBSnapshotIdentifier"], out["DBSnapshot"]["Status"]),
       ("ec-snap", "creating"), "the create call answers normally")
    t.fails("DBSnapshotNotFound", "rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "ec-snap", message="DBSnapshot ec-snap not found.")
    same_as_missing(t, {"Action": "DescribeDBSnapshots"}, "DBSnapshotIdentifier", "ec-snap")
    listed = t.ok("rds", "describe-db-snapshots", "--db-instance-identifier",
                  "ec-db")["DBSnapshots"]
    eq(sorted(s["DBSnapshotIdentifier"] for s in listed), ["ec-at-once", "ec-base"],
       "listed without the new one")
    eq(t.ok("rds", "describe-db-snapshots", "--filters",
            "Name=db-snapshot-id,Values=ec-snap,ec-base")["DBSnapshots"][0]
       ["DBSnapshotIdentifier"], "ec-base", "filtered without the new one")
    t.fails("DBSnapshotNotFound", "rds", "describe-db-snapshot-attributes",
            "--db-snapshot-identifier", "ec-snap")
    # the write path is consistent: the identifier is taken
    t.fails("DBSnapshotAlreadyExists", "rds", "create-db-snapshot", "--db-instance-identifier",
            "ec-db", "--db-snapshot-identifier", "ec-snap")
    t.emu.advance(DELAY - 5)
    t.fails("DBSnapshotNotFound", "rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "ec-snap")
    t.emu.advance(6)
    snap = t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
                "ec-snap")["DBSnapshots"][0]
    eq(snap["DBSnapshotIdentifier"], "ec-snap", "described once the delay has passed")
    eq(len(t.ok("rds", "describe-db-snapshots", "--db-instance-identifier",
                "ec-db")["DBSnapshots"]), 3, "listed")


@test(G)
def every_kind_of_create_is_delayed(t):
    t.emu.ctl("POST", "config", {"describe_delay": DELAY})
    t.emu.advance(60)         # ec-base is old enough for restore windows
    creates = [
        ({"Action": "CreateDBClusterSnapshot", "DBClusterIdentifier": "ec-aurora",
          "DBClusterSnapshotIdentifier": "ec-csnap"},
         {"Action": "DescribeDBClusterSnapshots"}, "DBClusterSnapshotIdentifier", "ec-csnap"),
        ({"Action": "CopyDBSnapshot", "SourceDBSnapshotIdentifier": "ec-base",
          "TargetDBSnapshotIdentifier": "ec-copy"},
         {"Action": "DescribeDBSnapshots"}, "DBSnapshotIdentifier", "ec-copy"),
        ({"Action": "CopyDBClusterSnapshot", "SourceDBClusterSnapshotIdentifier": "ec-cbase",
          "TargetDBClusterSnapshotIdentifier": "ec-ccopy"},
         {"Action": "DescribeDBClusterSnapshots"}, "DBClusterSnapshotIdentifier", "ec-ccopy"),
        ({"Action": "RestoreDBInstanceFromDBSnapshot", "DBSnapshotIdentifier": "ec-base",
          "DBInstanceIdentifier": "ec-restored"},
         {"Action": "DescribeDBInstances"}, "DBInstanceIdentifier", "ec-restored"),
        ({"Action": "RestoreDBInstanceToPointInTime", "SourceDBInstanceIdentifier": "ec-db",
          "TargetDBInstanceIdentifier": "ec-pitr", "UseLatestRestorableTime": "true"},
         {"Action": "DescribeDBInstances"}, "DBInstanceIdentifier", "ec-pitr"),
        ({"Action": "RestoreDBClusterFromSnapshot", "SnapshotIdentifier": "ec-cbase",
          "Engine": "aurora-postgresql", "DBClusterIdentifier": "ec-crestored"},
         {"Action": "DescribeDBClusters"}, "DBClusterIdentifier", "ec-crestored"),
        ({"Action": "RestoreDBClusterToPointInTime", "SourceDBClusterIdentifier": "ec-aurora",
          "DBClusterIdentifier": "ec-cpitr", "UseLatestRestorableTime": "true"},
         {"Action": "DescribeDBClusters"}, "DBClusterIdentifier", "ec-cpitr"),
        ({"Action": "CreateDBInstance", "DBInstanceIdentifier": "ec-new",
          "DBInstanceClass": "db.t3.micro", "Engine": "postgres", "MasterUsername": "pg",
          "MasterUserPassword": "secret-password-1", "AllocatedStorage": "20"},
         {"Action": "DescribeDBInstances"}, "DBInstanceIdentifier", "ec-new"),
        ({"Action": "StartExportTask", "ExportTaskIdentifier": "ec-export",
          "SourceArn": BASE_ARN, "S3BucketName": "ec-exports", "IamRoleArn": ROLE,
          "KmsKeyId": KMS},
         {"Action": "DescribeExportTasks"}, "ExportTaskIdentifier", "ec-export"),
    ]
    for create, describe, key, ident in creates:
        status, _, body = t.signed(dict(create, Version="2014-10-31"))
        eq(status, 200, "%s: %s" % (create["Action"], body[:300]))
        same_as_missing(t, describe, key, ident)
    # lists and filters leave them out
    instances = t.ok("rds", "describe-db-instances")["DBInstances"]
    eq(sorted(i["DBInstanceIdentifier"] for i in instances), ["ec-aurora-instance-1", "ec-db"],
       "instances listed")
    eq(t.ok("rds", "describe-db-instances", "--filters",
            "Name=db-instance-id,Values=ec-restored,ec-pitr,ec-new")["DBInstances"], [],
       "instances filtered")
    eq([c["DBClusterIdentifier"] for c in t.ok("rds", "describe-db-clusters")["DBClusters"]],
       ["ec-aurora"], "clusters listed")
    eq(t.ok("rds", "describe-export-tasks")["ExportTasks"], [], "export tasks listed")
    eq([s["DBClusterSnapshotIdentifier"] for s in t.ok(
        "rds", "describe-db-cluster-snapshots")["DBClusterSnapshots"]], ["ec-cbase"],
       "cluster snapshots listed")
    t.fails("DBInstanceNotFound", "rds", "describe-db-instances", "--db-instance-identifier",
            "ec-restored", message="DBInstance ec-restored not found.")
    t.fails("DBClusterNotFoundFault", "rds", "describe-db-clusters", "--db-cluster-identifier",
            "ec-crestored")
    t.fails("ExportTaskNotFound", "rds", "describe-export-tasks", "--export-task-identifier",
            "ec-export")
    t.emu.advance(DELAY + 1)
    for _, describe, key, ident in creates:
        check(ident in described(t, describe, key, ident), "%s shows %s" % (describe, ident))
    eq(len(t.ok("rds", "describe-db-instances")["DBInstances"]), 5, "instances listed")


@test(G)
def replication_and_its_backups_are_delayed(t):
    t.emu.ctl("POST", "config", {"describe_delay": DELAY})
    out = t.ok("rds", "start-db-instance-automated-backups-replication",
               "--source-db-instance-arn", SOURCE_ARN, region="us-east-1")
    arn = out["DBInstanceAutomatedBackup"]["DBInstanceAutomatedBackupsArn"]
    t.fails("DBInstanceAutomatedBackupNotFound", "rds", "describe-db-instance-automated-backups",
            "--db-instance-automated-backups-arn", arn)
    listed = t.ok("rds", "describe-db-instance-automated-backups")["DBInstanceAutomatedBackups"]
    check(arn not in [b["DBInstanceAutomatedBackupsArn"] for b in listed], "listed too early")
    t.emu.advance(DELAY + 1)
    got = t.ok("rds", "describe-db-instance-automated-backups",
               "--db-instance-automated-backups-arn", arn)["DBInstanceAutomatedBackups"]
    eq([b["DBInstanceAutomatedBackupsArn"] for b in got], [arn], "described after the delay")


@test(G)
def deletion_stays_immediate(t):
    t.emu.ctl("POST", "config", {"describe_delay": DELAY})
    t.emu.advance(60)        # every snapshot made so far is available and visible
    out = t.ok("rds", "delete-db-snapshot", "--db-snapshot-identifier", "ec-snap")
    eq(out["DBSnapshot"]["Status"], "deleted", "deleted")
    t.fails("DBSnapshotNotFound", "rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "ec-snap")
    check("ec-snap" not in [s["DBSnapshotIdentifier"] for s in t.ok(
        "rds", "describe-db-snapshots")["DBSnapshots"]], "gone from the list at once")
    # the identifier is free again; the new snapshot is delayed like any other
    t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "ec-db",
         "--db-snapshot-identifier", "ec-snap")
    t.fails("DBSnapshotNotFound", "rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "ec-snap")
    t.emu.ctl("POST", "config", {"describe_delay": 0})
    t.fails("DBSnapshotNotFound", "rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "ec-snap")    # the delay is fixed when the resource is created
    t.emu.advance(DELAY + 1)
    t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier", "ec-snap")
