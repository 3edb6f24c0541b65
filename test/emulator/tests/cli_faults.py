"""Fault injection, seen through the AWS CLI's retries and errors."""
from harness import check, eq, test

G = "faults"


def calls(t, since, action="DescribeDBInstances"):
    return t.emu.log(action, since)


@test(G)
def throttling_is_retried(t):
    since = t.emu.last_seq()
    t.emu.fault(action="DescribeDBInstances", kind="throttle", count=2)
    t.ok("rds", "describe-db-instances")
    got = [(c["status"], c.get("error_code")) for c in calls(t, since)]
    eq(got, [(400, "Throttling"), (400, "Throttling"), (200, None)], "attempts")


@test(G)
def persistent_throttling_fails(t):
    t.emu.fault(action="DescribeDBInstances", kind="throttle", count=5)
    t.fails("Throttling", "rds", "describe-db-instances", message="Rate exceeded")
    t.emu.ctl("POST", "faults/clear", {})


@test(G)
def server_errors_are_retried(t):
    for kind, status in (("http500", 500), ("http503", 503)):
        since = t.emu.last_seq()
        t.emu.fault(action="DescribeDBInstances", kind=kind, count=1)
        t.ok("rds", "describe-db-instances")
        eq([c["status"] for c in calls(t, since)], [status, 200], kind)


@test(G)
def connection_reset_and_close_are_retried(t):
    for kind in ("reset", "close"):
        since = t.emu.last_seq()
        t.emu.fault(action="DescribeDBInstances", kind=kind, count=1)
        t.ok("rds", "describe-db-instances")
        eq([c.get("fault") for c in calls(t, since)], [kind, None], kind)


@test(G)
def truncated_body_is_an_error(t):
    # botocore's urllib3 does not enforce Content-Length: it parses half a document.
    t.emu.fault(action="DescribeDBInstances", kind="truncated", count=3)
    res = t.aws("rds", "describe-db-instances")
    check(res.rc != 0 and ("Unable to parse response" in res.stderr
                           or "IncompleteRead" in res.stderr), res.stderr[-300:])
    t.emu.ctl("POST", "faults/clear", {})


@test(G)
def malformed_xml_is_an_error(t):
    t.emu.fault(action="DescribeDBInstances", kind="malformed", count=3)
    res = t.aws("rds", "describe-db-instances")
    check(res.rc != 0 and "Unable to parse response" in res.stderr,
          "rc=%d %s" % (res.rc, res.stderr[-300:]))
    t.emu.ctl("POST", "faults/clear", {})


@test(G)
def slow_reply_times_out_then_succeeds(t):
    since = t.emu.last_seq()
    t.emu.fault(action="DescribeDBInstances", kind="delay", delay=3, count=1)
    t.ok("rds", "describe-db-instances", "--cli-read-timeout", "1")
    eq([c.get("fault") for c in calls(t, since)], ["delay", None], "attempts")


@test(G)
def hung_reply_fails_with_timeout(t):
    t.emu.fault(action="DescribeDBInstances", kind="hang", delay=4, count=3)
    res = t.aws("rds", "describe-db-instances", "--cli-read-timeout", "1")
    check(res.rc != 0 and "Read timeout" in res.stderr, "rc=%d %s" % (res.rc, res.stderr[-300:]))
    t.emu.ctl("POST", "faults/clear", {})


@test(G)
def oversized_reply_is_still_valid_xml(t):
    since = t.emu.last_seq()
    t.emu.fault(action="DescribeDBInstances", kind="oversized", size=3 * 1024 * 1024, count=1)
    eq(t.ok("rds", "describe-db-instances")["DBInstances"], [], "parsed")
    eq([c.get("fault") for c in calls(t, since)], ["oversized"], "one attempt")


@test(G)
def faults_are_selective(t):
    t.emu.fault(action="CreateDBSnapshot", kind="throttle", count=1)
    t.emu.fault(action="*", kind="http500", region="eu-west-1", count=1)
    t.emu.fault(action="DescribeDBInstances", kind="throttle", probability=0.0)
    since = t.emu.last_seq()
    t.ok("rds", "describe-db-instances")
    t.ok("rds", "describe-db-snapshots")
    eq([c.get("error_code") for c in t.emu.log(since=since)], [None, None], "untouched")
    t.ok("rds", "describe-db-snapshots", region="eu-west-1")
    eq([c["status"] for c in t.emu.log("DescribeDBSnapshots", since)], [200, 500, 200],
       "eu-west-1 only")
    remaining = [f["action"] for f in t.emu.ctl("GET", "faults")]
    eq(sorted(remaining), ["CreateDBSnapshot", "DescribeDBInstances"], "left")
    t.emu.ctl("POST", "faults/clear", {})
    t.emu.fault(action="DescribeDBInstances", kind="error", code="InternalFailure",
                status=500, probability=1.0, count=1)
    since = t.emu.last_seq()
    t.ok("rds", "describe-db-instances")
    eq([c.get("error_code") for c in calls(t, since)], ["InternalFailure", None], "custom")


@test(G)
def counts_per_action(t):
    counts = t.emu.ctl("GET", "counts")
    check(counts["DescribeDBInstances"]["requests"] >= 10, counts)
    check(counts["DescribeDBInstances"]["errors"] >= 5, counts)


@test(G)
def hostile_replies_have_their_shapes(t):
    """The kinds that try a client's defences, each as documented."""
    import http.client
    params = {"Action": "DescribeDBInstances", "Version": "2014-10-31"}
    since = t.emu.last_seq()
    t.emu.fault(action="DescribeDBInstances", kind="redirect", count=1)
    status, headers, _ = t.signed(params)
    eq(status, 307, "redirect status")
    check(headers.get("Location", "").endswith("/?redirected=1"), headers)
    t.emu.fault(action="DescribeDBInstances", kind="html", count=1)
    status, headers, body = t.signed(params)
    eq((status, headers["Content-Type"].split(";")[0]), (200, "text/html"), "html")
    check(body.startswith("<html>"), body[:80])
    for kind, marker in (("doctype", '<!ENTITY xxe SYSTEM "file:///etc/hostname">'),
                         ("entities", "<!ENTITY lol9 "), ("deep", "<Deep>" * 100),
                         ("wide", "<Item/>" * 1000)):
        t.emu.fault(action="DescribeDBInstances", kind=kind, count=1)
        status, _, body = t.signed(params)
        check(status == 200 and marker in body and "</DescribeDBInstancesResponse>" in body,
              "%s: %s" % (kind, body[:200]))
    t.emu.fault(action="DescribeDBInstances", kind="midreset", count=1)
    try:
        t.signed(params)
        check(False, "midreset: the reply was read whole")
    except (http.client.IncompleteRead, ConnectionResetError):
        pass
    eq([c.get("fault") for c in calls(t, since)],
       ["redirect", "html", "doctype", "entities", "deep", "wide", "midreset"], "faults logged")
