"""Every documented failure status on demand: POST /_emulator/status sets any
status string on every kind of resource and it sticks; fail-next with a
status lets an operation walk its usual transitional statuses and land in
that one."""
import json
import subprocess
import urllib.error

from harness import ACCOUNT, EMU_DIR, PYTHON, check, eq, test

G = "statuses"
ROLE = "arn:aws:iam::%s:role/rds-s3-export" % ACCOUNT
KMS = "arn:aws:kms:us-east-1:%s:key/export" % ACCOUNT
SNAP_ARN = "arn:aws:rds:us-east-1:%s:snapshot:st-base" % ACCOUNT
SOURCE_ARN = "arn:aws:rds:us-west-2:%s:db:st-src" % ACCOUNT

INSTANCE_STATUSES = ("failed", "incompatible-restore", "incompatible-parameters",
                     "incompatible-network", "incompatible-option-group", "restore-error",
                     "storage-full", "insufficient-capacity",
                     "inaccessible-encryption-credentials",
                     "inaccessible-encryption-credentials-recoverable")
CLUSTER_STATUSES = ("cloning-failed", "migration-failed", "inaccessible-encryption-credentials",
                    "inaccessible-encryption-credentials-recoverable")


def force(t, kind, ident, status, **extra):
    return t.emu.ctl("POST", "status", dict(type=kind, id=ident, status=status, **extra))


def emuctl(t, *args):
    out = subprocess.run([PYTHON, EMU_DIR + "/emuctl.py", "--port", str(t.emu.port)]
                         + list(args), capture_output=True, text=True, timeout=30)
    check(out.returncode == 0, "emuctl %s: %s" % (" ".join(args), out.stderr))
    return json.loads(out.stdout)


def instance_status(t, ident):
    return t.ok("rds", "describe-db-instances", "--db-instance-identifier",
                ident)["DBInstances"][0]["DBInstanceStatus"]


def cluster_status(t, ident):
    return t.ok("rds", "describe-db-clusters", "--db-cluster-identifier",
                ident)["DBClusters"][0]["Status"]


def export_task(t, ident):
    return t.ok("rds", "describe-export-tasks", "--export-task-identifier",
                ident)["ExportTasks"][0]


def start_export(t, ident):
    return t.ok("rds", "start-export-task", "--export-task-identifier", ident,
                "--source-arn", SNAP_ARN, "--s3-bucket-name", "st-exports",
                "--iam-role-arn", ROLE, "--kms-key-id", KMS)


@test(G, emu_args=("--config", '{"require_presigned_url": false}'))
def instance_failure_statuses_stick(t):
    t.emu.seed("instance", id="st-db")
    t.emu.seed("instance", id="st-src", region="us-west-2")
    t.emu.seed("snapshot", id="st-base", instance="st-db")
    t.emu.seed("cluster", id="st-aurora", members=1)
    t.emu.seed("cluster-snapshot", id="st-cbase", cluster="st-aurora")
    for n, status in enumerate(INSTANCE_STATUSES):
        t.emu.seed("instance", id="st-i%d" % n)
        eq(force(t, "instance", "st-i%d" % n, status)["status"], status, "forced")
    want = {"st-i%d" % n: s for n, s in enumerate(INSTANCE_STATUSES)}

    def listed():
        return {i["DBInstanceIdentifier"]: i["DBInstanceStatus"]
                for i in t.ok("rds", "describe-db-instances", "--filters",
                              "Name=db-instance-id,Values=" + ",".join(want))["DBInstances"]}
    eq(listed(), want, "described")
    t.emu.advance(3600, wall=False)
    eq(listed(), want, "an hour later")


@test(G)
def a_forced_restore_never_becomes_available(t):
    out = t.ok("rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier",
               "st-restored", "--db-snapshot-identifier", "st-base")
    eq(out["DBInstance"]["DBInstanceStatus"], "creating", "restoring")
    force(t, "instance", "st-restored", "incompatible-restore")
    t.emu.advance(600, wall=False)      # far past the restore's 20 s
    eq(instance_status(t, "st-restored"), "incompatible-restore", "sticks")
    # an action that starts a new transition still does
    out = t.ok("rds", "delete-db-instance", "--db-instance-identifier", "st-restored",
               "--skip-final-snapshot")
    eq(out["DBInstance"]["DBInstanceStatus"], "deleting", "deleting")
    t.emu.advance(10)
    t.fails("DBInstanceNotFound", "rds", "describe-db-instances", "--db-instance-identifier",
            "st-restored")


@test(G)
def cluster_failure_statuses_stick(t):
    for n, status in enumerate(CLUSTER_STATUSES):
        t.emu.seed("cluster", id="st-c%d" % n)
        force(t, "cluster", "st-c%d" % n, status)
    t.ok("rds", "restore-db-cluster-from-snapshot", "--db-cluster-identifier", "st-clone",
         "--snapshot-identifier", "st-cbase", "--engine", "aurora-postgresql")
    force(t, "cluster", "st-clone", "cloning-failed")
    t.emu.advance(3600, wall=False)
    got = {c["DBClusterIdentifier"]: c["Status"]
           for c in t.ok("rds", "describe-db-clusters")["DBClusters"]}
    want = {"st-c%d" % n: s for n, s in enumerate(CLUSTER_STATUSES)}
    want.update({"st-clone": "cloning-failed", "st-aurora": "available"})
    eq(got, want, "clusters")


@test(G)
def snapshot_failed_sticks(t):
    t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "st-db",
         "--db-snapshot-identifier", "st-snap")
    t.ok("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "st-aurora",
         "--db-cluster-snapshot-identifier", "st-csnap")
    force(t, "snapshot", "st-snap", "failed")
    force(t, "cluster-snapshot", "st-csnap", "failed")
    t.emu.advance(600, wall=False)
    snap = t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
                "st-snap")["DBSnapshots"][0]
    eq((snap["Status"], snap["PercentProgress"]), ("failed", 0), "snapshot")
    eq(t.ok("rds", "describe-db-cluster-snapshots", "--db-cluster-snapshot-identifier",
            "st-csnap")["DBClusterSnapshots"][0]["Status"], "failed", "cluster snapshot")
    t.ok("rds", "delete-db-snapshot", "--db-snapshot-identifier", "st-snap")


@test(G)
def export_task_statuses_stick(t):
    for ident in ("st-exp-failed", "st-exp-canceled", "st-exp-running"):
        start_export(t, ident)
    t.emu.advance(10)                       # IN_PROGRESS
    out = force(t, "export-task", "st-exp-failed", "FAILED",
                failure_cause="S3 bucket st-exports is not writable by the role.")
    eq(out["status"], "FAILED", "forced")
    force(t, "export-task", "st-exp-canceled", "CANCELED")
    force(t, "export-task", "st-exp-running", "IN_PROGRESS")
    t.emu.advance(3600, wall=False)                     # far past the export's 30 s
    failed = export_task(t, "st-exp-failed")
    eq((failed["Status"], failed["FailureCause"]),
       ("FAILED", "S3 bucket st-exports is not writable by the role."), "failed")
    check("TaskEndTime" in failed, "a failed task has ended")
    canceled = export_task(t, "st-exp-canceled")
    eq(canceled["Status"], "CANCELED", "canceled")
    check("FailureCause" not in canceled, "no cause for a cancel")
    running = export_task(t, "st-exp-running")
    eq(running["Status"], "IN_PROGRESS", "still running")
    check(running["PercentProgress"] < 100, running["PercentProgress"])
    # a FAILED without a cause still has one, as in AWS
    start_export(t, "st-exp-nocause")
    force(t, "export-task", "st-exp-nocause", "FAILED")
    check(export_task(t, "st-exp-nocause").get("FailureCause"), "a default FailureCause")
    # the forced task can still be canceled, and then the cancel runs its course
    eq(t.ok("rds", "cancel-export-task", "--export-task-identifier",
            "st-exp-running")["Status"], "CANCELING", "cancel")
    t.emu.advance(6)
    eq(export_task(t, "st-exp-running")["Status"], "CANCELED", "canceled by the API")


@test(G)
def automated_backup_failed_sticks(t):
    out = t.ok("rds", "start-db-instance-automated-backups-replication",
               "--source-db-instance-arn", SOURCE_ARN)["DBInstanceAutomatedBackup"]
    arn = out["DBInstanceAutomatedBackupsArn"]
    eq(out["Status"], "pending", "pending")
    got = force(t, "automated-backup", "st-src", "failed")     # by its source instance
    eq((got["arn"], got["status"]), (arn, "failed"), "forced by the source instance")
    t.emu.advance(600, wall=False)      # far past the replication's 10 s

    def status():
        return t.ok("rds", "describe-db-instance-automated-backups",
                    "--db-instance-automated-backups-arn",
                    arn)["DBInstanceAutomatedBackups"][0]["Status"]
    eq(status(), "failed", "sticks")
    eq(force(t, "automated-backup", arn, "replicating")["status"], "replicating", "by ARN")
    eq(status(), "replicating", "forced back")


@test(G)
def fail_next_walks_then_lands(t):
    t.emu.ctl("POST", "fail-next", {"kind": "restore", "status": "incompatible-parameters"})
    queued = t.emu.ctl("POST", "fail-next", {"kind": "restore", "status": "cloning-failed"})
    eq(queued, {"restore": ["incompatible-parameters", "cloning-failed"]}, "queued in order")
    t.ok("rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier",
         "st-walk", "--db-snapshot-identifier", "st-base")
    t.ok("rds", "restore-db-cluster-from-snapshot", "--db-cluster-identifier", "st-cwalk",
         "--snapshot-identifier", "st-cbase", "--engine", "aurora-postgresql")
    t.emu.ctl("POST", "fail-next", {"kind": "export", "status": "FAILED",
                                    "failure_cause": "The IAM role lacks s3:PutObject."})
    t.emu.ctl("POST", "fail-next", {"kind": "export", "status": "CANCELED"})
    start_export(t, "st-exp-walk")
    start_export(t, "st-exp-walk2")
    t.emu.ctl("POST", "fail-next", {"kind": "snapshot"})
    t.emu.ctl("POST", "fail-next", {"kind": "cluster_snapshot"})
    t.emu.ctl("POST", "fail-next", {"kind": "create_instance", "status": "insufficient-capacity"})
    t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "st-db",
         "--db-snapshot-identifier", "st-snap-walk")
    t.ok("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "st-aurora",
         "--db-cluster-snapshot-identifier", "st-csnap-walk")
    t.ok("rds", "create-db-instance", "--db-instance-identifier", "st-new", "--engine",
         "postgres", "--db-instance-class", "db.t3.micro", "--master-username", "pg",
         "--master-user-password", "secret-password-1", "--allocated-storage", "20")
    eq(t.emu.ctl("GET", "state")["fail_next"], {}, "all used")
    t.emu.advance(4)
    eq(instance_status(t, "st-walk"), "creating", "restoring first")
    eq(cluster_status(t, "st-cwalk"), "creating", "cluster restoring first")
    eq(export_task(t, "st-exp-walk")["Status"], "STARTING", "export starting first")
    t.emu.advance(2)
    eq(export_task(t, "st-exp-walk")["Status"], "IN_PROGRESS", "then in progress")
    t.emu.advance(25)
    eq(instance_status(t, "st-walk"), "incompatible-parameters", "instance lands")
    eq(cluster_status(t, "st-cwalk"), "cloning-failed", "cluster lands")
    eq(instance_status(t, "st-new"), "insufficient-capacity", "created instance lands")
    failed = export_task(t, "st-exp-walk")
    eq((failed["Status"], failed["FailureCause"]),
       ("FAILED", "The IAM role lacks s3:PutObject."), "export lands")
    eq(export_task(t, "st-exp-walk2")["Status"], "CANCELED", "second export lands")
    eq(t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
            "st-snap-walk")["DBSnapshots"][0]["Status"], "failed", "snapshot")
    eq(t.ok("rds", "describe-db-cluster-snapshots", "--db-cluster-snapshot-identifier",
            "st-csnap-walk")["DBClusterSnapshots"][0]["Status"], "failed", "cluster snapshot")
    t.emu.advance(3600, wall=False)
    eq(instance_status(t, "st-walk"), "incompatible-parameters", "stays")


@test(G)
def fail_next_replication(t):
    t.ok("rds", "stop-db-instance-automated-backups-replication",
         "--source-db-instance-arn", SOURCE_ARN)
    t.emu.ctl("POST", "fail-next", {"kind": "replication"})
    out = t.ok("rds", "start-db-instance-automated-backups-replication",
               "--source-db-instance-arn", SOURCE_ARN)["DBInstanceAutomatedBackup"]
    eq(out["Status"], "pending", "pending first")
    t.emu.advance(11)
    eq(t.ok("rds", "describe-db-instance-automated-backups",
            "--db-instance-automated-backups-arn", out["DBInstanceAutomatedBackupsArn"])
       ["DBInstanceAutomatedBackups"][0]["Status"], "failed", "lands")


@test(G)
def emuctl_status_and_fail_next(t):
    start_export(t, "st-exp-ctl")
    got = emuctl(t, "status", "export-task", "st-exp-ctl", "FAILED", "--failure-cause",
                 "Disk full.")
    eq((got["status"], got["forced"]), ("FAILED", True), "emuctl status")
    eq(export_task(t, "st-exp-ctl")["FailureCause"], "Disk full.", "cause")
    got = emuctl(t, "status", "automated-backup", SOURCE_ARN, "failed")
    eq(got["status"], "failed", "automated backup by source ARN")
    got = emuctl(t, "fail-next", "restore", "--status", "incompatible-network", "--count", "2")
    eq(got, {"restore": ["incompatible-network", "incompatible-network"]}, "emuctl fail-next")
    t.emu.ctl("POST", "reset", {"keep_config": True, "keep_clock": True})
    eq(t.emu.ctl("GET", "state")["fail_next"], {}, "reset forgets them")


@test(G)
def bad_status_requests_are_refused(t):
    t.emu.seed("instance", id="st-bad")
    for spec, words in (({"type": "volume", "id": "x", "status": "failed"}, "'type'"),
                        ({"type": "instance", "id": "st-bad", "status": ""}, "'status'"),
                        ({"type": "instance", "id": "nope", "status": "failed"}, "not found"),
                        ({"type": "instance", "id": "st-bad", "status": "failed",
                          "failure_cause": "x"}, "export tasks only")):
        try:
            t.emu.ctl("POST", "status", spec)
            raise AssertionError("accepted: %r" % spec)
        except urllib.error.HTTPError as err:
            eq(err.code, 400, "status code")
            check(words in err.read().decode(), "message names %s" % words)
    for spec in ({"kind": "backup"}, {"kind": "restore", "count": 0},
                 {"kind": "restore", "status": ""}):
        try:
            t.emu.ctl("POST", "fail-next", spec)
            raise AssertionError("accepted: %r" % spec)
        except urllib.error.HTTPError as err:
            eq(err.code, 400, "fail-next %r" % spec)
