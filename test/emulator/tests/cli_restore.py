"""Group B with the real AWS CLI: instance restores (snapshot, point in
time, retained backups), automated backups, modify and delete."""
import datetime

from harness import ACCOUNT, check, eq, test

G = "restore"


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.datetime.fromisoformat(text)


@test(G)
def restore_instance_from_snapshot(t):
    t.emu.seed("instance", id="orders-prod", instance_class="db.m6g.large",
               allocated_storage=100, encrypted=True,
               kms_key_id="arn:aws:kms:us-east-1:%s:key/orders" % ACCOUNT)
    t.emu.seed("snapshot", id="orders-nightly", instance="orders-prod")
    out = t.ok("rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier",
               "orders-restored", "--db-snapshot-identifier", "orders-nightly",
               "--tags", "Key=purpose,Value=drill", "--no-multi-az")["DBInstance"]
    eq((out["DBInstanceStatus"], out["DBInstanceClass"], out["AllocatedStorage"],
        out["StorageEncrypted"]), ("creating", "db.m6g.large", 100, True), "restoring")
    t.emu.advance(21)
    t.ok("rds", "wait", "db-instance-available", "--db-instance-identifier", "orders-restored")
    t.fails("DBInstanceAlreadyExists", "rds", "restore-db-instance-from-db-snapshot",
            "--db-instance-identifier", "orders-restored", "--db-snapshot-identifier",
            "orders-nightly")
    t.fails("DBSnapshotNotFound", "rds", "restore-db-instance-from-db-snapshot",
            "--db-instance-identifier", "x2", "--db-snapshot-identifier", "nope")
    t.emu.seed("snapshot", id="still-creating", instance="orders-prod", status="creating")
    t.fails("InvalidDBSnapshotState", "rds", "restore-db-instance-from-db-snapshot",
            "--db-instance-identifier", "x3", "--db-snapshot-identifier", "still-creating")


@test(G)
def automated_backups_restore_window(t):
    out = t.ok("rds", "describe-db-instance-automated-backups", "--db-instance-identifier",
               "orders-prod")["DBInstanceAutomatedBackups"]
    eq(len(out), 1, "one backup")
    b = out[0]
    eq((b["Status"], b["BackupRetentionPeriod"], b["Region"]), ("active", 7, "us-east-1"),
       "backup")
    window = b["RestoreWindow"]
    span = parse(window["LatestTime"]) - parse(window["EarliestTime"])
    check(datetime.timedelta(days=6.9) < span < datetime.timedelta(days=7.1), span)
    check(b["DBInstanceAutomatedBackupsArn"].startswith(
        "arn:aws:rds:us-east-1:%s:auto-backup:ab-" % ACCOUNT), b["DBInstanceAutomatedBackupsArn"])
    t.fails("DBInstanceAutomatedBackupNotFound", "rds", "describe-db-instance-automated-backups",
            "--db-instance-identifier", "nope")


@test(G)
def restore_instance_to_point_in_time(t):
    inst = t.ok("rds", "describe-db-instances", "--db-instance-identifier",
                "orders-prod")["DBInstances"][0]
    latest = parse(inst["LatestRestorableTime"])
    t.ok("rds", "restore-db-instance-to-point-in-time", "--source-db-instance-identifier",
         "orders-prod", "--target-db-instance-identifier", "orders-pitr",
         "--restore-time", iso(latest - datetime.timedelta(days=2)),
         "--db-instance-class", "db.t3.small")
    res = t.fails("InvalidRestoreFault", "rds", "restore-db-instance-to-point-in-time",
                  "--source-db-instance-identifier", "orders-prod",
                  "--target-db-instance-identifier", "orders-pitr-2",
                  "--restore-time", iso(latest - datetime.timedelta(days=8)))
    check("earliest" in res.stderr and "latest" in res.stderr, res.stderr)
    out = t.ok("rds", "restore-db-instance-to-point-in-time", "--source-db-instance-identifier",
               "orders-prod", "--target-db-instance-identifier", "orders-pitr-3",
               "--use-latest-restorable-time")["DBInstance"]
    eq(out["DBInstanceClass"], "db.m6g.large", "class of the source")
    t.fails("InvalidParameterCombination", "rds", "restore-db-instance-to-point-in-time",
            "--source-db-instance-identifier", "orders-prod", "--target-db-instance-identifier",
            "orders-pitr-4", "--use-latest-restorable-time", "--restore-time", iso(latest))
    t.emu.seed("instance", id="no-backups", backup_retention=0)
    t.fails("PointInTimeRestoreNotEnabled", "rds", "restore-db-instance-to-point-in-time",
            "--source-db-instance-identifier", "no-backups", "--target-db-instance-identifier",
            "nb-restored", "--use-latest-restorable-time")
    t.fails("DBInstanceNotFound", "rds", "restore-db-instance-to-point-in-time",
            "--source-db-instance-identifier", "ghost", "--target-db-instance-identifier",
            "g-restored", "--use-latest-restorable-time")


@test(G)
def modify_db_instance(t):
    out = t.ok("rds", "modify-db-instance", "--db-instance-identifier", "orders-prod",
               "--backup-retention-period", "14", "--preferred-backup-window", "02:00-02:30",
               "--deletion-protection", "--apply-immediately")["DBInstance"]
    eq((out["BackupRetentionPeriod"], out["PreferredBackupWindow"], out["DeletionProtection"]),
       (14, "02:00-02:30", True), "modified")
    t.fails("InvalidParameterValue", "rds", "modify-db-instance", "--db-instance-identifier",
            "orders-prod", "--backup-retention-period", "36")
    t.fails("InvalidParameterValue", "rds", "modify-db-instance", "--db-instance-identifier",
            "orders-prod", "--preferred-backup-window", "2am")
    pending = t.ok("rds", "modify-db-instance", "--db-instance-identifier", "orders-restored",
                   "--backup-retention-period", "0", "--no-apply-immediately")["DBInstance"]
    eq((pending["BackupRetentionPeriod"], pending["PendingModifiedValues"]),
       (pending["BackupRetentionPeriod"], {"BackupRetentionPeriod": 0}), "pending")
    now = t.ok("rds", "modify-db-instance", "--db-instance-identifier", "no-backups",
               "--backup-retention-period", "3", "--apply-immediately")["DBInstance"]
    eq((now["BackupRetentionPeriod"], now["DBInstanceStatus"]), (3, "modifying"), "applied")
    t.fails("DBInstanceNotFound", "rds", "modify-db-instance", "--db-instance-identifier",
            "ghost", "--deletion-protection")


@test(G)
def delete_instance_and_restore_retained_backup(t):
    t.fails("InvalidParameterCombination", "rds", "delete-db-instance",
            "--db-instance-identifier", "orders-prod", "--skip-final-snapshot",
            message="deletion protection")
    t.fails("InvalidParameterCombination", "rds", "delete-db-instance",
            "--db-instance-identifier", "orders-pitr")
    t.emu.seed("instance", id="legacy-db", backup_retention=3)
    dbi = t.ok("rds", "describe-db-instances", "--db-instance-identifier",
               "legacy-db")["DBInstances"][0]["DbiResourceId"]
    out = t.ok("rds", "delete-db-instance", "--db-instance-identifier", "legacy-db",
               "--final-db-snapshot-identifier", "legacy-final",
               "--no-delete-automated-backups")["DBInstance"]
    eq(out["DBInstanceStatus"], "deleting", "deleting")
    t.emu.advance(11)
    t.ok("rds", "wait", "db-instance-deleted", "--db-instance-identifier", "legacy-db")
    eq(t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "legacy-final")["DBSnapshots"][0]["Status"], "available", "final snapshot")
    retained = t.ok("rds", "describe-db-instance-automated-backups", "--dbi-resource-id",
                    dbi)["DBInstanceAutomatedBackups"]
    eq([b["Status"] for b in retained], ["retained"], "retained backup")
    t.ok("rds", "restore-db-instance-to-point-in-time", "--source-dbi-resource-id", dbi,
         "--target-db-instance-identifier", "legacy-back", "--use-latest-restorable-time")
    t.ok("rds", "delete-db-instance", "--db-instance-identifier", "orders-pitr",
         "--skip-final-snapshot")


@test(G)
def create_standalone_instance(t):
    out = t.ok("rds", "create-db-instance", "--db-instance-identifier", "fresh-db",
               "--engine", "postgres", "--db-instance-class", "db.t3.micro",
               "--master-username", "app", "--master-user-password", "never-logged-1",
               "--allocated-storage", "50", "--backup-retention-period", "5",
               "--storage-encrypted")["DBInstance"]
    eq((out["DBInstanceStatus"], out["AllocatedStorage"], out["StorageEncrypted"],
        out["BackupRetentionPeriod"]), ("creating", 50, True, 5), "created")
    entry = t.emu.log("CreateDBInstance")[-1]
    eq(entry["params"]["MasterUserPassword"], "***", "password redacted in the log")
    t.fails("InvalidParameterValue", "rds", "create-db-instance", "--db-instance-identifier",
            "bad-engine", "--engine", "oracle-xe", "--db-instance-class", "db.t3.micro")


@test(G)
def retained_backup_seeded(t):
    seeded = t.emu.seed("retained-backup", id="gone-db", backup_retention=5,
                        dbi_resource_id="db-GONEDB0000000000000000000A")
    eq((seeded["Status"], seeded["DbiResourceId"]), ("retained", "db-GONEDB0000000000000000000A"),
       "seeded")
    out = t.ok("rds", "describe-db-instance-automated-backups", "--dbi-resource-id",
               "db-GONEDB0000000000000000000A")["DBInstanceAutomatedBackups"]
    eq([(b["DBInstanceIdentifier"], b["Status"], b["BackupRetentionPeriod"]) for b in out],
       [("gone-db", "retained", 5)], "listed")
    window = out[0]["RestoreWindow"]
    span = parse(window["LatestTime"]) - parse(window["EarliestTime"])
    eq(span, datetime.timedelta(days=5), "window of the retention period")
    t.ok("rds", "restore-db-instance-to-point-in-time", "--source-db-instance-automated-backups-arn",
         out[0]["DBInstanceAutomatedBackupsArn"], "--target-db-instance-identifier",
         "gone-db-back", "--restore-time", window["LatestTime"])
