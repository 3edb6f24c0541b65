"""Lost replies on kept-alive connections (a client reusing one connection
for many requests, as libcurl does), and counting the requests that reached
the emulator per action and target identifier."""
import http.client
import json
import subprocess
from urllib.parse import urlencode

from harness import EMU_DIR, KEY, PYTHON, SECRET, Failure, check, eq, error_code_of, test

G = "lost-replies"
V = "2014-10-31"

CREATES = {
    "CreateDBSnapshot": ("DBSnapshotIdentifier", {"DBInstanceIdentifier": "lr-db"},
                         "DBSnapshotAlreadyExists"),
    "CreateDBClusterSnapshot": ("DBClusterSnapshotIdentifier",
                                {"DBClusterIdentifier": "lr-aurora"},
                                "DBClusterSnapshotAlreadyExistsFault"),
}


def create_params(action, ident):
    key, extra, _ = CREATES[action]
    return dict(extra, Action=action, Version=V, **{key: ident})


def lose_reply(t, conn, action, ident, kind):
    """Send the create on `conn` (already used, kept alive) with a `kind` fault:
    the reply must be lost on that same connection.  Returns the error name."""
    sock = conn.sock
    check(sock is not None, "the connection is open before the create")
    t.emu.fault(action=action, kind=kind, count=1)
    try:
        status, _, body = t.signed(create_params(action, ident), conn=conn)
    except (ConnectionError, http.client.HTTPException) as err:
        conn.close()
        return type(err).__name__
    raise Failure("%s %s: a reply arrived (%d %s)" % (kind, action, status, body[:200]))


def counts(t, **query):
    return t.emu.ctl("GET", "counts?" + urlencode(query))


@test(G)
def lost_create_reply_on_a_kept_alive_connection(t):
    t.emu.seed("instance", id="lr-db")
    t.emu.seed("cluster", id="lr-aurora", members=1)
    other = http.client.HTTPConnection("127.0.0.1", t.emu.port, timeout=30)
    eq(t.signed({"Action": "DescribeDBInstances", "Version": V}, conn=other)[0], 200, "other")
    other_sock = other.sock
    for action in CREATES:
        for kind in ("reset", "close"):
            ident = "lr-%s-%s" % ("cluster" if "Cluster" in action else "db", kind)
            conn = http.client.HTTPConnection("127.0.0.1", t.emu.port, timeout=30)
            for _ in range(3):      # the connection carries several requests first
                eq(t.signed({"Action": "DescribeDBInstances", "Version": V}, conn=conn)[0],
                   200, "before")
            lost = lose_reply(t, conn, action, ident, kind)
            check(lost in ("ConnectionResetError", "RemoteDisconnected", "BadStatusLine",
                           "BrokenPipeError"), "%s: %s" % (kind, lost))
            # the client retries (on a new connection): the work was done
            status, _, body = t.signed(create_params(action, ident), conn=conn)
            eq((status, error_code_of(body)), (400, CREATES[action][2]),
               "%s %s retried" % (kind, action))
            conn.close()
            got = [(e.get("fault"), e["status"], e.get("error_code"))
                   for e in t.emu.log(action, target=ident)]
            eq(got, [(kind, 200, None), (None, 400, CREATES[action][2])],
               "%s %s in the log" % (kind, action))
            eq(counts(t, by="target", action=action)[action][ident],
               {"requests": 2, "errors": 1, "faults": 1}, "%s %s counted" % (kind, action))
    # a reset on one kept-alive connection leaves the others alone
    eq(t.signed({"Action": "DescribeDBInstances", "Version": V}, conn=other)[0], 200, "other")
    check(other.sock is other_sock, "the other connection is still the same")
    other.close()
    snaps = [s["DBSnapshotIdentifier"] for s in t.ok("rds", "describe-db-snapshots")
             ["DBSnapshots"]]
    eq(sorted(snaps), ["lr-db-close", "lr-db-reset"], "each snapshot made once")


@test(G)
def lost_request_does_nothing_with_execute_false(t):
    conn = http.client.HTTPConnection("127.0.0.1", t.emu.port, timeout=30)
    t.signed({"Action": "DescribeDBInstances", "Version": V}, conn=conn)
    t.emu.fault(action="CreateDBSnapshot", kind="reset", count=1, execute=False)
    try:
        t.signed(create_params("CreateDBSnapshot", "lr-never"), conn=conn)
        raise Failure("a reply arrived")
    except (ConnectionError, http.client.HTTPException):
        conn.close()
    status, _, body = t.signed(create_params("CreateDBSnapshot", "lr-never"), conn=conn)
    eq(status, 200, "the retry creates it: " + body[:200])
    conn.close()
    got = [(e.get("fault"), e["status"]) for e in t.emu.log("CreateDBSnapshot",
                                                              target="lr-never")]
    eq(got, [("reset", None), (None, 200)], "log")
    eq(counts(t, by="target")["CreateDBSnapshot"]["lr-never"],
       {"requests": 2, "errors": 0, "faults": 1}, "counted")


@test(G)
def libcurl_resends_when_a_reused_connection_dies(t):
    # What rds_backup's HTTP layer does: libcurl itself sends a request again,
    # once, on a fresh connection when a reused one dies before any byte of
    # the reply.  The emulator sees two CreateDBSnapshot requests.
    for kind in ("close", "reset"):
        ident = "lr-curl-" + kind
        t.emu.fault(action="CreateDBSnapshot", kind=kind, count=1)
        common = ["--aws-sigv4", "aws:amz:us-east-1:rds", "--user", KEY + ":" + SECRET,
                  "-s", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\\n"]
        url = "http://127.0.0.1:%d/" % t.emu.port
        out = subprocess.run(
            ["curl"] + common + ["-d", "Action=DescribeDBInstances&Version=" + V, url,
                                 "--next"] + common
            + ["-d", urlencode(create_params("CreateDBSnapshot", ident)), url],
            capture_output=True, text=True, timeout=60)
        eq(out.stdout.split("\n")[:2], ["200 1", "400 1"],
           "%s: the second request answered on a new connection" % kind)
        eq(counts(t, by="target", action="CreateDBSnapshot")["CreateDBSnapshot"][ident],
           {"requests": 2, "errors": 1, "faults": 1}, "%s: sent twice" % kind)


@test(G)
def counts_per_action_and_target(t):
    since = t.emu.last_seq()
    for ident in ("lr-count-1", "lr-count-2"):
        t.ok("rds", "create-db-snapshot", "--db-instance-identifier", "lr-db",
             "--db-snapshot-identifier", ident)
    t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier", "lr-count-1")
    t.ok("rds", "describe-db-snapshots", "--db-snapshot-identifier", "lr-count-1")
    t.ok("rds", "describe-db-snapshots")
    got = counts(t, by="target", since=since)
    eq(got["CreateDBSnapshot"], {"lr-count-1": {"requests": 1, "errors": 0, "faults": 0},
                                 "lr-count-2": {"requests": 1, "errors": 0, "faults": 0}},
       "creates")
    eq(got["DescribeDBSnapshots"], {"lr-count-1": {"requests": 2, "errors": 0, "faults": 0},
                                    "-": {"requests": 1, "errors": 0, "faults": 0}},
       "describes (\"-\": no identifier)")
    eq(counts(t, since=since)["CreateDBSnapshot"], {"requests": 2, "errors": 0, "faults": 0},
       "per action")
    # restores are counted by the instance they create, not by their source
    t.emu.seed("snapshot", id="lr-base", instance="lr-db")
    t.ok("rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier",
         "lr-restored", "--db-snapshot-identifier", "lr-base")
    eq(list(counts(t, by="target", action="RestoreDBInstanceFromDBSnapshot")
            ["RestoreDBInstanceFromDBSnapshot"]), ["lr-restored"], "restore target")
    out = subprocess.run([PYTHON, EMU_DIR + "/emuctl.py", "--port", str(t.emu.port), "counts",
                          "--by-target", "--action", "CreateDBSnapshot", "--since", str(since)],
                         capture_output=True, text=True, timeout=30)
    eq(json.loads(out.stdout), {"CreateDBSnapshot": got["CreateDBSnapshot"]}, "emuctl counts")
    out = subprocess.run([PYTHON, EMU_DIR + "/emuctl.py", "--port", str(t.emu.port), "log",
                          "--target", "lr-count-1", "--json"],
                         capture_output=True, text=True, timeout=30)
    eq([e["action"] for e in json.loads(out.stdout)],
       ["CreateDBSnapshot", "DescribeDBSnapshots", "DescribeDBSnapshots"], "emuctl log --target")
