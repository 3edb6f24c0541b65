"""Group B with the real AWS CLI: Aurora clusters, cluster snapshots,
cluster restores (snapshot and point in time), adding a writer."""
import datetime

from harness import ACCOUNT, check, eq, test

G = "clusters"


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.datetime.fromisoformat(text)


@test(G)
def describe_db_clusters(t):
    t.emu.seed("cluster", id="orders-aurora", members=["orders-aurora-1", "orders-aurora-2"],
               tags={"team": "payments"}, automated_snapshots=2, backup_retention=5)
    t.emu.seed("cluster", id="reports-aurora", members=1)
    out = t.ok("rds", "describe-db-clusters", "--db-cluster-identifier", "orders-aurora")
    c = out["DBClusters"][0]
    eq((c["Engine"], c["Status"], c["BackupRetentionPeriod"]),
       ("aurora-postgresql", "available", 5), "cluster")
    eq([(m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in c["DBClusterMembers"]],
       [("orders-aurora-1", True), ("orders-aurora-2", False)], "members")
    eq(c["DBClusterArn"], "arn:aws:rds:us-east-1:%s:cluster:orders-aurora" % ACCOUNT, "arn")
    earliest, latest = parse(c["EarliestRestorableTime"]), parse(c["LatestRestorableTime"])
    check(datetime.timedelta(days=4.9) < latest - earliest < datetime.timedelta(days=5.1),
          "restore window of 5 days: %s .. %s" % (earliest, latest))
    both = t.ok("rds", "describe-db-clusters", "--filters",
                "Name=db-cluster-id,Values=orders-aurora,reports-aurora")
    eq(len(both["DBClusters"]), 2, "filter")
    t.fails("DBClusterNotFoundFault", "rds", "describe-db-clusters",
            "--db-cluster-identifier", "nope")
    member = t.ok("rds", "describe-db-instances", "--db-instance-identifier",
                  "orders-aurora-1")["DBInstances"][0]
    eq(member["DBClusterIdentifier"], "orders-aurora", "member instance")


@test(G)
def cluster_snapshot_lifecycle(t):
    snap = t.ok("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "orders-aurora",
                "--db-cluster-snapshot-identifier", "aurora-pre-upgrade",
                "--tags", "Key=rds-backup:operation,Value=42")["DBClusterSnapshot"]
    eq((snap["Status"], snap["SnapshotType"], snap["PercentProgress"]),
       ("creating", "manual", 0), "created")
    eq(snap["DBClusterSnapshotArn"],
       "arn:aws:rds:us-east-1:%s:cluster-snapshot:aurora-pre-upgrade" % ACCOUNT, "arn")
    t.fails("DBClusterSnapshotAlreadyExistsFault", "rds", "create-db-cluster-snapshot",
            "--db-cluster-identifier", "orders-aurora", "--db-cluster-snapshot-identifier",
            "aurora-pre-upgrade")
    t.fails("InvalidDBClusterSnapshotStateFault", "rds", "delete-db-cluster-snapshot",
            "--db-cluster-snapshot-identifier", "aurora-pre-upgrade")
    t.emu.advance(11)
    t.ok("rds", "wait", "db-cluster-snapshot-available", "--db-cluster-snapshot-identifier",
         "aurora-pre-upgrade")
    listed = t.ok("rds", "describe-db-cluster-snapshots", "--db-cluster-identifier",
                  "orders-aurora")["DBClusterSnapshots"]
    eq(sorted(s["SnapshotType"] for s in listed), ["automated", "automated", "manual"], "types")
    manual = t.ok("rds", "describe-db-cluster-snapshots", "--snapshot-type", "manual",
                  "--filters", "Name=db-cluster-id,Values=orders-aurora")["DBClusterSnapshots"]
    eq([s["DBClusterSnapshotIdentifier"] for s in manual], ["aurora-pre-upgrade"], "manual")
    eq(manual[0]["TagList"], [{"Key": "rds-backup:operation", "Value": "42"}], "tags")
    t.fails("DBClusterNotFoundFault", "rds", "create-db-cluster-snapshot",
            "--db-cluster-identifier", "ghost", "--db-cluster-snapshot-identifier", "g1")
    t.emu.ctl("POST", "status", {"type": "cluster", "id": "reports-aurora",
                                 "status": "modifying"})
    t.fails("InvalidDBClusterStateFault", "rds", "create-db-cluster-snapshot",
            "--db-cluster-identifier", "reports-aurora", "--db-cluster-snapshot-identifier", "r1")
    t.emu.ctl("POST", "status", {"type": "cluster", "id": "reports-aurora",
                                 "status": "available"})
    t.ok("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "reports-aurora",
         "--db-cluster-snapshot-identifier", "reports-temp")
    t.emu.advance(11)
    gone = t.ok("rds", "delete-db-cluster-snapshot", "--db-cluster-snapshot-identifier",
                "reports-temp")["DBClusterSnapshot"]
    eq(gone["Status"], "deleted", "deleted")
    t.fails("DBClusterSnapshotNotFoundFault", "rds", "describe-db-cluster-snapshots",
            "--db-cluster-snapshot-identifier", "reports-temp")


@test(G)
def restore_cluster_from_snapshot_and_add_writer(t):
    c = t.ok("rds", "restore-db-cluster-from-snapshot", "--db-cluster-identifier",
             "orders-restored", "--snapshot-identifier", "aurora-pre-upgrade",
             "--engine", "aurora-postgresql", "--deletion-protection",
             "--tags", "Key=purpose,Value=drill")["DBCluster"]
    eq((c["Status"], c["DeletionProtection"]), ("creating", True), "creating")
    t.fails("InvalidDBClusterStateFault", "rds", "create-db-instance",
            "--db-instance-identifier", "orders-restored-1", "--db-cluster-identifier",
            "orders-restored", "--engine", "aurora-postgresql", "--db-instance-class",
            "db.r6g.large")
    t.emu.advance(21)
    t.ok("rds", "wait", "db-cluster-available", "--db-cluster-identifier", "orders-restored")
    inst = t.ok("rds", "create-db-instance", "--db-instance-identifier", "orders-restored-1",
                "--db-cluster-identifier", "orders-restored", "--engine", "aurora-postgresql",
                "--db-instance-class", "db.r6g.large")["DBInstance"]
    eq((inst["DBInstanceStatus"], inst["DBClusterIdentifier"]), ("creating", "orders-restored"),
       "writer creating")
    t.emu.advance(21)
    t.ok("rds", "wait", "db-instance-available", "--db-instance-identifier", "orders-restored-1")
    c = t.ok("rds", "describe-db-clusters", "--db-cluster-identifier",
             "orders-restored")["DBClusters"][0]
    eq(c["DBClusterMembers"][0]["IsClusterWriter"], True, "writer")
    t.fails("DBClusterSnapshotNotFoundFault", "rds", "restore-db-cluster-from-snapshot",
            "--db-cluster-identifier", "x1", "--snapshot-identifier", "nope",
            "--engine", "aurora-postgresql")
    t.fails("DBClusterAlreadyExistsFault", "rds", "restore-db-cluster-from-snapshot",
            "--db-cluster-identifier", "orders-restored", "--snapshot-identifier",
            "aurora-pre-upgrade", "--engine", "aurora-postgresql")
    t.fails("InvalidParameterCombination", "rds", "create-db-instance",
            "--db-instance-identifier", "wrong-engine", "--db-cluster-identifier",
            "orders-restored", "--engine", "aurora-mysql", "--db-instance-class", "db.r6g.large")


@test(G)
def restore_cluster_to_point_in_time(t):
    c = t.ok("rds", "describe-db-clusters", "--db-cluster-identifier",
             "orders-aurora")["DBClusters"][0]
    earliest, latest = parse(c["EarliestRestorableTime"]), parse(c["LatestRestorableTime"])
    inside = earliest + (latest - earliest) / 2
    out = t.ok("rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier",
               "orders-pitr", "--source-db-cluster-identifier", "orders-aurora",
               "--restore-to-time", iso(inside))["DBCluster"]
    eq(out["Status"], "creating", "restoring")
    res = t.fails("InvalidRestoreFault", "rds", "restore-db-cluster-to-point-in-time",
                  "--db-cluster-identifier", "orders-pitr-2", "--source-db-cluster-identifier",
                  "orders-aurora", "--restore-to-time",
                  iso(earliest - datetime.timedelta(hours=1)))
    check("restore window" in res.stderr, res.stderr)
    t.fails("InvalidRestoreFault", "rds", "restore-db-cluster-to-point-in-time",
            "--db-cluster-identifier", "orders-pitr-2", "--source-db-cluster-identifier",
            "orders-aurora", "--restore-to-time", iso(latest + datetime.timedelta(minutes=4)))
    t.ok("rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier",
         "orders-pitr-3", "--source-db-cluster-identifier", "orders-aurora",
         "--use-latest-restorable-time", "--restore-type", "copy-on-write")
    t.fails("InvalidParameterCombination", "rds", "restore-db-cluster-to-point-in-time",
            "--db-cluster-identifier", "orders-pitr-4", "--source-db-cluster-identifier",
            "orders-aurora", "--use-latest-restorable-time", "--restore-to-time", iso(inside))


@test(G)
def modify_db_cluster(t):
    c = t.ok("rds", "modify-db-cluster", "--db-cluster-identifier", "orders-aurora",
             "--backup-retention-period", "14", "--preferred-backup-window", "04:00-04:30",
             "--deletion-protection", "--apply-immediately")["DBCluster"]
    eq((c["BackupRetentionPeriod"], c["PreferredBackupWindow"], c["DeletionProtection"]),
       (14, "04:00-04:30", True), "modified")
    t.fails("InvalidParameterValue", "rds", "modify-db-cluster", "--db-cluster-identifier",
            "orders-aurora", "--backup-retention-period", "0")
    t.fails("InvalidParameterValue", "rds", "modify-db-cluster", "--db-cluster-identifier",
            "orders-aurora", "--preferred-backup-window", "04:00-04:10")
    t.fails("InvalidParameterCombination", "rds", "modify-db-instance",
            "--db-instance-identifier", "orders-aurora-1", "--backup-retention-period", "3")


@test(G)
def delete_cluster_rules(t):
    t.fails("InvalidParameterCombination", "rds", "delete-db-cluster",
            "--db-cluster-identifier", "orders-aurora", "--skip-final-snapshot",
            message="deletion protection")
    t.fails("InvalidDBClusterStateFault", "rds", "delete-db-cluster",
            "--db-cluster-identifier", "reports-aurora", "--skip-final-snapshot")
    member = t.ok("rds", "delete-db-instance", "--db-instance-identifier",
                  "reports-aurora-instance-1")["DBInstance"]
    eq(member["DBInstanceStatus"], "deleting", "member deleting")
    out = t.ok("rds", "delete-db-cluster", "--db-cluster-identifier", "reports-aurora",
               "--final-db-snapshot-identifier", "reports-final")["DBCluster"]
    eq(out["Status"], "deleting", "cluster deleting")
    t.emu.advance(11)
    t.fails("DBClusterNotFoundFault", "rds", "describe-db-clusters", "--db-cluster-identifier",
            "reports-aurora")
    final = t.ok("rds", "describe-db-cluster-snapshots", "--db-cluster-snapshot-identifier",
                 "reports-final")["DBClusterSnapshots"][0]
    eq(final["Status"], "available", "final snapshot")
