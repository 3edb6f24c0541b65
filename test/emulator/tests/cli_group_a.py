"""Group A with the real AWS CLI: DB snapshots, instances, tags, naming,
pagination, the control client (emuctl.py)."""
import json
import subprocess
import time

from harness import ACCOUNT, EMU_DIR, PYTHON, check, eq, test

G = "snapshots"


def seed_orders(t, ident="orders-prod", **kw):
    spec = {"id": ident, "tags": {"team": "payments"}}
    spec.update(kw)
    return t.emu.seed("instance", **spec)


@test(G)
def emuctl_seeds_and_reports(t):
    def emuctl(*args):
        out = subprocess.run([PYTHON, EMU_DIR + "/emuctl.py", "--port", str(t.emu.port)]
                             + list(args), capture_output=True, text=True, timeout=30)
        check(out.returncode == 0, "emuctl %s: %s" % (args[0], out.stderr))
        return out.stdout
    eq(json.loads(emuctl("health"))["ok"], True, "health")
    inst = json.loads(emuctl("seed-instance", "orders-prod", "--tag", "team=payments",
                             "--automated-snapshots", "3", "--retention", "7"))
    eq(inst["DBInstanceIdentifier"], "orders-prod", "seeded id")
    snaps = json.loads(emuctl("seed-snapshot", "old", "--instance", "orders-prod",
                              "--count", "2", "--tag", "lifecycle=nightly"))
    eq([s["DBSnapshotIdentifier"] for s in snaps], ["old-1", "old-2"], "seeded snapshots")
    json.loads(emuctl("config", "durations.snapshot=60", "snapshot_quota=100"))
    check("DescribeDBInstances" not in emuctl("counts"), "no AWS calls yet")


@test(G)
def create_db_snapshot(t):
    out = t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "orders-prod",
               "--db-snapshot-identifier", "Orders-Before-Migration",
               "--tags", "Key=lifecycle,Value=manual", "Key=rds-backup:created-by,Value=bob")
    snap = out["DBSnapshot"]
    eq(snap["DBSnapshotIdentifier"], "orders-before-migration", "lower-cased identifier")
    eq(snap["Status"], "creating", "status")
    eq(snap["PercentProgress"], 0, "progress")
    eq(snap["SnapshotType"], "manual", "type")
    eq(snap["DBSnapshotArn"],
       "arn:aws:rds:us-east-1:%s:snapshot:orders-before-migration" % ACCOUNT, "arn")
    eq(sorted(t["Key"] for t in snap["TagList"]), ["lifecycle", "rds-backup:created-by"],
       "tags")
    check(snap["SnapshotCreateTime"].endswith("+00:00"), "timestamp parsed as UTC")


@test(G)
def snapshot_progress_follows_clock(t):
    t.emu.advance(30)     # duration is 60 s (set through emuctl above)
    snap = t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
                "orders-before-migration")["DBSnapshots"][0]
    eq(snap["Status"], "creating", "status halfway")
    check(40 <= snap["PercentProgress"] <= 80, "progress halfway: %s" % snap["PercentProgress"])
    t.emu.advance(31)
    t.ok("rds", "wait", "db-snapshot-available", "--db-snapshot-identifier",
         "orders-before-migration")
    snap = t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
                "orders-before-migration")["DBSnapshots"][0]
    eq((snap["Status"], snap["PercentProgress"]), ("available", 100), "done")


@test(G)
def describe_filters(t):
    seed_orders(t, "billing-prod")
    t.emu.seed("snapshot", id="bill", instance="billing-prod", count=3)
    by_instance = t.ok("rds", "describe-db-snapshots", "--db-instance-identifier", "orders-prod")
    ids = [s["DBSnapshotIdentifier"] for s in by_instance["DBSnapshots"]]
    eq(len([i for i in ids if i.startswith("rds:")]), 3, "automated ones included")
    check("bill-1" not in ids, "other instance excluded")
    manual = t.ok("rds", "describe-db-snapshots", "--snapshot-type", "manual",
                  "--filters", "Name=db-instance-id,Values=orders-prod,"
                  "arn:aws:rds:us-east-1:%s:db:billing-prod" % ACCOUNT)
    ids = sorted(s["DBSnapshotIdentifier"] for s in manual["DBSnapshots"])
    eq(ids, ["bill-1", "bill-2", "bill-3", "old-1", "old-2", "orders-before-migration"],
       "manual snapshots of two instances")
    auto = t.ok("rds", "describe-db-snapshots",
                "--filters", "Name=snapshot-type,Values=automated")
    eq({s["SnapshotType"] for s in auto["DBSnapshots"]}, {"automated"}, "type filter")
    dbi = seed_orders(t, "dbi-probe")["DbiResourceId"]
    t.emu.seed("snapshot", id="probe", instance="dbi-probe")
    got = t.ok("rds", "describe-db-snapshots", "--filters",
               "Name=dbi-resource-id,Values=%s" % dbi)
    eq([s["DBSnapshotIdentifier"] for s in got["DBSnapshots"]], ["probe"], "dbi filter")
    t.fails("InvalidParameterValue", "rds", "describe-db-snapshots", "--filters",
            "Name=no-such-filter,Values=x")


@test(G)
def pagination_walks_markers(t):
    seed_orders(t, "paged-db")
    t.emu.seed("snapshot", id="page", instance="paged-db", count=45)
    since = t.emu.last_seq()
    out = t.ok("rds", "describe-db-snapshots", "--db-instance-identifier", "paged-db",
               "--page-size", "20")
    ids = [s["DBSnapshotIdentifier"] for s in out["DBSnapshots"]]
    eq(len(ids), 45, "all snapshots")
    eq(len(set(ids)), 45, "no duplicates")
    calls = t.emu.log("DescribeDBSnapshots", since)
    eq(len(calls), 3, "requests")
    eq([c["params"].get("MaxRecords") for c in calls], ["20"] * 3, "MaxRecords")
    check("Marker" not in calls[0]["params"] and all("Marker" in c["params"]
                                                     for c in calls[1:]), "markers")
    first = t.ok("rds", "describe-db-snapshots", "--db-instance-identifier", "paged-db",
                 "--max-items", "30", "--page-size", "20")
    eq(len(first["DBSnapshots"]), 30, "max-items page")
    rest = t.ok("rds", "describe-db-snapshots", "--db-instance-identifier", "paged-db",
                "--max-items", "30", "--page-size", "20", "--starting-token",
                first["NextToken"])
    eq(len(rest["DBSnapshots"]), 15, "rest")
    eq(set(ids), {s["DBSnapshotIdentifier"] for s in first["DBSnapshots"] + rest["DBSnapshots"]},
       "same set")
    t.fails("InvalidParameterValue", "rds", "describe-db-snapshots", "--page-size", "10",
            message="MaxRecords")


@test(G)
def describe_db_instances(t):
    for i in range(1, 24):
        seed_orders(t, "fleet-%02d" % i)
    since = t.emu.last_seq()
    out = t.ok("rds", "describe-db-instances", "--page-size", "20",
               "--filters", "Name=db-instance-id,Values=" + ",".join(
                   "fleet-%02d" % i for i in range(1, 24)))
    eq(len(out["DBInstances"]), 23, "instances")
    eq(len(t.emu.log("DescribeDBInstances", since)), 2, "two pages")
    inst = t.ok("rds", "describe-db-instances", "--db-instance-identifier",
                "orders-prod")["DBInstances"][0]
    eq(inst["DBInstanceArn"], "arn:aws:rds:us-east-1:%s:db:orders-prod" % ACCOUNT, "arn")
    eq(inst["BackupRetentionPeriod"], 7, "retention")
    check("LatestRestorableTime" in inst and "InstanceCreateTime" in inst, "times")
    eq(inst["Endpoint"]["Port"], 5432, "endpoint port")
    t.fails("DBInstanceNotFound", "rds", "describe-db-instances", "--db-instance-identifier",
            "nope")


@test(G)
def create_snapshot_errors(t):
    t.fails("DBSnapshotAlreadyExists", "rds", "create-db-snapshot", "--db-instance-identifier",
            "orders-prod", "--db-snapshot-identifier", "orders-before-migration")
    t.fails("DBInstanceNotFound", "rds", "create-db-snapshot", "--db-instance-identifier",
            "ghost", "--db-snapshot-identifier", "ghost-1")
    seed_orders(t, "sleepy", status="modifying")
    t.fails("InvalidDBInstanceState", "rds", "create-db-snapshot", "--db-instance-identifier",
            "sleepy", "--db-snapshot-identifier", "sleepy-1")
    for bad in ("1starts-with-digit", "two--hyphens", "ends-with-hyphen-", "under_score",
                "x" * 256):
        res = t.signed({"Action": "CreateDBSnapshot", "Version": "2014-10-31",
                        "DBInstanceIdentifier": "orders-prod", "DBSnapshotIdentifier": bad})
        eq((res[0], "<Code>InvalidParameterValue</Code>" in res[2]), (400, True),
           "identifier %r" % bad[:20])
    t.fails("InvalidParameterValue", "rds", "create-db-snapshot", "--db-instance-identifier",
            "orders-prod", "--db-snapshot-identifier", "bad--name", message="valid identifier")


@test(G)
def snapshot_quota(t):
    t.emu.ctl("POST", "config", {"snapshot_quota": 1})
    try:
        t.fails("SnapshotQuotaExceeded", "rds", "create-db-snapshot",
                "--db-instance-identifier", "orders-prod", "--db-snapshot-identifier", "over")
    finally:
        t.emu.ctl("POST", "config", {"snapshot_quota": 100})


@test(G)
def delete_db_snapshot(t):
    t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "orders-prod",
         "--db-snapshot-identifier", "short-lived")
    t.fails("InvalidDBSnapshotState", "rds", "delete-db-snapshot", "--db-snapshot-identifier",
            "short-lived")
    t.emu.advance(61)
    out = t.ok("rds", "delete-db-snapshot", "--db-snapshot-identifier", "short-lived")
    eq(out["DBSnapshot"]["Status"], "deleted", "status")
    status, headers, body = t.signed({"Action": "DescribeDBSnapshots", "Version": "2014-10-31",
                                      "DBSnapshotIdentifier": "short-lived"})
    eq((status, "<Code>DBSnapshotNotFound</Code>" in body), (404, True), "404 after delete")
    check(headers.get("x-amzn-RequestId") and headers.get("Date"), "request id and date")
    auto = [s["DBSnapshotIdentifier"] for s in t.ok(
        "rds", "describe-db-snapshots", "--snapshot-type", "automated")["DBSnapshots"]]
    t.fails("InvalidDBSnapshotState", "rds", "delete-db-snapshot", "--db-snapshot-identifier",
            auto[0])
    t.fails("DBSnapshotNotFound", "rds", "delete-db-snapshot", "--db-snapshot-identifier",
            "never-was")


@test(G)
def failed_snapshot_can_be_deleted(t):
    t.emu.ctl("POST", "fail-next", {"kind": "snapshot"})
    t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "orders-prod",
         "--db-snapshot-identifier", "doomed")
    t.emu.advance(61)
    waited = t.aws("rds", "wait", "db-snapshot-available", "--db-snapshot-identifier", "doomed")
    check(waited.rc != 0 and "terminal failure state" in waited.stderr,
          "waiter must stop on 'failed': rc=%d %s" % (waited.rc, waited.stderr[-200:]))
    snap = t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
                "doomed")["DBSnapshots"][0]
    eq(snap["Status"], "failed", "status")
    eq(t.ok("rds", "delete-db-snapshot", "--db-snapshot-identifier",
            "doomed")["DBSnapshot"]["Status"], "deleted", "deleted")


@test(G)
def tags_on_resources(t):
    arn = "arn:aws:rds:us-east-1:%s:snapshot:orders-before-migration" % ACCOUNT
    t.ok("rds", "add-tags-to-resource", "--resource-name", arn,
         "--tags", "Key=rds-backup:keep,Value=true", "Key=lifecycle,Value=changed")
    tags = t.ok("rds", "list-tags-for-resource", "--resource-name", arn)["TagList"]
    eq({x["Key"]: x["Value"] for x in tags},
       {"lifecycle": "changed", "rds-backup:created-by": "bob", "rds-backup:keep": "true"},
       "tags")
    t.ok("rds", "remove-tags-from-resource", "--resource-name", arn, "--tag-keys", "lifecycle")
    tags = t.ok("rds", "list-tags-for-resource", "--resource-name",
                "arn:aws:rds:us-east-1:%s:db:orders-prod" % ACCOUNT)["TagList"]
    eq(tags, [{"Key": "team", "Value": "payments"}], "instance tags")
    t.fails("DBSnapshotNotFound", "rds", "list-tags-for-resource", "--resource-name",
            "arn:aws:rds:us-east-1:%s:snapshot:nope" % ACCOUNT)
    t.fails("InvalidParameterValue", "rds", "add-tags-to-resource", "--resource-name", arn,
            "--tags", "Key=aws:reserved,Value=x")
    t.fails("InvalidParameterValue", "rds", "list-tags-for-resource", "--resource-name",
            "arn:aws:rds:eu-west-1:%s:snapshot:orders-before-migration" % ACCOUNT)


@test(G)
def aws_backup_snapshots_listed_on_request(t):
    t.emu.seed("snapshot", id="awsbackup:job-0001", instance="orders-prod", type="awsbackup")
    listed = lambda *extra: [s["DBSnapshotIdentifier"] for s in t.ok(
        "rds", "describe-db-snapshots", "--db-instance-identifier", "orders-prod",
        *extra)["DBSnapshots"]]
    check("awsbackup:job-0001" not in listed(), "AWS Backup's snapshot listed by default")
    check("awsbackup:job-0001" not in listed("--snapshot-type", "manual"), "listed as manual")
    eq(listed("--snapshot-type", "awsbackup"), ["awsbackup:job-0001"], "SnapshotType awsbackup")


@test("speed", emu_args=("--speed", "100"))
def fast_clock_keeps_signatures_valid(t):
    t.emu.seed("instance", id="orders-prod")
    t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "orders-prod",
         "--db-snapshot-identifier", "quick")
    time.sleep(4)        # 400 emulated seconds: far past the 5-minute signature window
    snap = t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier",
                "quick")["DBSnapshots"][0]
    eq((snap["Status"], snap["PercentProgress"]), ("available", 100), "done at speed 100")
    clock = t.emu.ctl("GET", "clock")
    check(clock["speed"] == 100 and abs(clock["skew_seconds"]) < 1, clock)
