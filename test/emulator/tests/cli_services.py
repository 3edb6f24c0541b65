"""Group C with the real AWS CLI: STS GetCallerIdentity/AssumeRole, SNS
Publish, CloudWatch PutMetricData (and the records tests read back)."""
from harness import (ACCOUNT, TEMP_KEY, TEMP_SECRET, TEMP_TOKEN, check, eq, error_code_of,
                     test)

G = "services"
ROLE = "arn:aws:iam::%s:role/rds-backup-operator" % ACCOUNT
TOPIC = "arn:aws:sns:us-east-1:%s:rds-backup-events" % ACCOUNT


@test(G)
def get_caller_identity(t):
    me = t.ok("sts", "get-caller-identity")
    eq((me["Account"], me["Arn"]), (ACCOUNT, "arn:aws:iam::%s:user/rds-backup" % ACCOUNT), "user")
    temp = t.ok("sts", "get-caller-identity", key=TEMP_KEY, secret=TEMP_SECRET,
                token=TEMP_TOKEN)
    check(":assumed-role/" in temp["Arn"], temp)
    t.fails("SignatureDoesNotMatch", "sts", "get-caller-identity", secret="wrong")


@test(G)
def assume_role_and_use_it(t):
    out = t.ok("sts", "assume-role", "--role-arn", ROLE, "--role-session-name", "pg-backup",
               "--duration-seconds", "900")
    creds = out["Credentials"]
    check(creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"], "temporary")
    eq(out["AssumedRoleUser"]["Arn"],
       "arn:aws:sts::%s:assumed-role/rds-backup-operator/pg-backup" % ACCOUNT, "assumed arn")
    use = dict(key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
               token=creds["SessionToken"])
    eq(t.ok("sts", "get-caller-identity", **use)["Arn"], out["AssumedRoleUser"]["Arn"], "whoami")
    t.ok("rds", "describe-db-instances", **use)
    entry = t.emu.log("DescribeDBInstances")[-1]
    eq(entry["access_key_id"], creds["AccessKeyId"], "logged key id")
    check(creds["SessionToken"] not in str(t.emu.log()), "session token never logged")
    t.emu.advance(901)
    t.fails("ExpiredToken", "rds", "describe-db-instances", **use)
    t.emu.advance(-901)
    status, _, body = t.signed({"Action": "AssumeRole", "Version": "2011-06-15",
                                "RoleArn": ROLE, "RoleSessionName": "x"}, service="sts")
    eq((status, error_code_of(body)), (400, "ValidationError"), "CLI checks it; AWS too")
    check("https://sts.amazonaws.com/doc/2011-06-15/" in body, "STS namespace: " + body)
    t.fails("ValidationError", "sts", "assume-role", "--role-arn", ROLE,
            "--role-session-name", "too-long", "--duration-seconds", "7200")


@test(G)
def assume_role_with_external_id(t):
    guarded = "arn:aws:iam::%s:role/guarded" % ACCOUNT
    t.emu.ctl("POST", "roles", {"role_arn": guarded, "external_id": "pg-cluster-7"})
    t.fails("AccessDenied", "sts", "assume-role", "--role-arn", guarded,
            "--role-session-name", "s1")
    t.ok("sts", "assume-role", "--role-arn", guarded, "--role-session-name", "s1",
         "--external-id", "pg-cluster-7")


@test(G)
def sns_publish(t):
    out = t.ok("sns", "publish", "--topic-arn", TOPIC, "--subject", "rds_backup: snapshot done",
               "--message", '{"id": 7, "status": "succeeded"}', "--message-attributes",
               '{"kind": {"DataType": "String", "StringValue": "snapshot"}}')
    check(len(out["MessageId"]) == 36, out)
    got = t.emu.ctl("GET", "sns")
    eq(len(got), 1, "recorded")
    eq((got[0]["topic_arn"], got[0]["subject"], got[0]["message_id"]),
       (TOPIC, "rds_backup: snapshot done", out["MessageId"]), "message")
    eq(got[0]["attributes"], {"kind": {"DataType": "String", "StringValue": "snapshot"}},
       "attributes")
    t.fails("InvalidParameter", "sns", "publish", "--topic-arn", "not-an-arn", "--message", "x")
    t.emu.ctl("POST", "topics", {"topics": [TOPIC]})
    t.fails("NotFound", "sns", "publish", "--topic-arn", TOPIC + "-other", "--message", "x")


@test(G)
def cloudwatch_put_metric_data(t):
    t.ok("cloudwatch", "put-metric-data", "--namespace", "RdsBackup",
         "--metric-data", '[{"MetricName": "OperationDuration", "Value": 42.5, '
         '"Unit": "Seconds", "Dimensions": [{"Name": "Kind", "Value": "snapshot"}]}]')
    got = t.emu.ctl("GET", "metrics")
    eq([(m["namespace"], m["metric_name"], m["value"], m["unit"], m["dimensions"]) for m in got],
       [("RdsBackup", "OperationDuration", 42.5, "Seconds", {"Kind": "snapshot"})], "metric")
    t.fails("InvalidParameterValue", "cloudwatch", "put-metric-data", "--namespace", "AWS/RDS",
            "--metric-name", "x", "--value", "1")
    entry = t.emu.log("PutMetricData")[-1]
    eq(entry["service"], "monitoring", "routed by the credential scope's service")


@test(G)
def instance_metadata_credentials(t):
    env = {"AWS_EC2_METADATA_DISABLED": "false",
           "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:%d/" % t.emu.port}
    me = t.ok("sts", "get-caller-identity", key=None, extra_env=env)
    eq(me["Arn"], "arn:aws:sts::%s:assumed-role/rds-backup-instance-role/i-0emulator0000001"
       % ACCOUNT, "IMDSv2 role")
    names = [e["action"] for e in t.emu.log() if e.get("service") == "metadata"]
    check("IMDSToken" in names and "IMDSCredentials" in names, names)


@test(G)
def container_credentials(t):
    t.emu.ctl("POST", "config", {"container_authorization_token": "Bearer ecs-test"})
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:%d/ecs/credentials"
           % t.emu.port, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer ecs-test"}
    me = t.ok("sts", "get-caller-identity", key=None, extra_env=env)
    check(me["Arn"].endswith("/ecs-task"), me)
    env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Bearer wrong"
    res = t.aws("sts", "get-caller-identity", key=None, extra_env=env)
    check(res.rc != 0, "wrong container token refused")
