#!/usr/bin/env bash
# SECURITY.md's IAM policy allows exactly the AWS actions rds_backup calls:
#  - the actions of its RdsBackupCalls... statements are the AWS action
#    names the C sources name (every string literal that is an operation of
#    RDS, STS, SNS or CloudWatch in botocore's service models), so an action
#    added to the code fails this test until the policy has it, and one
#    taken out fails it until the policy drops it;
#  - every action this test run sent to the emulator (its request log, all
#    of the run so far: this script runs last) is among them;
#  - the other statements hold only what AWS checks on the caller's behalf
#    (tags on create, the export's role, KMS keys).
. "$(dirname "$0")/assert.sh"

out=$(/usr/bin/python3 - "$RB_REPO" "$RB_TMP/emulator/requests.jsonl" <<'PY'
import glob, json, os, re, sys

import botocore.session

repo, reqlog = sys.argv[1], sys.argv[2]

# IAM's prefix for each service the extension signs for
SERVICES = {"rds": "rds", "sts": "sts", "sns": "sns", "cloudwatch": "cloudwatch"}
SIGNING = {"rds": "rds", "sts": "sts", "sns": "sns", "monitoring": "cloudwatch"}
ON_BEHALF = {
    "rds:AddTagsToResource": "a create, copy or restore that carries Tags",
    "iam:PassRole": "StartExportTask's IamRoleArn",
    "kms:CreateGrant": "encrypted copies, exports and replications",
    "kms:DescribeKey": "encrypted copies, exports and replications",
}

session = botocore.session.get_session()
operations = {}
for service, prefix in SERVICES.items():
    for op in session.get_service_model(service).operation_names:
        operations.setdefault(op, set()).add(prefix)

# 1. the actions the code names (model.c is the service model's tables,
#    which name actions the code does not call)
code = set()
for path in sorted(glob.glob(os.path.join(repo, "src", "*.c"))
                   + glob.glob(os.path.join(repo, "src", "*", "*.c"))):
    if path.endswith(os.path.join("rds", "model.c")):
        continue
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    for literal in re.findall(r'"([A-Za-z]+)"', text):
        for prefix in operations.get(literal, ()):
            code.add("%s:%s" % (prefix, literal))

# 2. the policy in SECURITY.md
text = open(os.path.join(repo, "SECURITY.md")).read()
section = text[text.index("## Least-privilege IAM policy"):]
policy = json.loads(re.search(r"```json\n(.*?)\n```", section, re.S).group(1))
calls, behalf, problems = set(), set(), []
if policy.get("Version") != "2012-10-17":
    problems.append("the policy's Version is not 2012-10-17")
for st in policy["Statement"]:
    actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
    if st.get("Effect") != "Allow" or "Resource" not in st:
        problems.append("statement %s is not an Allow with a Resource" % st.get("Sid"))
    if actions != sorted(actions):
        problems.append("statement %s: actions out of order" % st.get("Sid"))
    (calls if st.get("Sid", "").startswith("RdsBackupCalls") else behalf).update(actions)

# 3. what this test run sent (the extension signs with User-Agent rds_backup/...)
sent = set()
if os.path.exists(reqlog):
    for line in open(reqlog):
        e = json.loads(line)
        if (e.get("user_agent") or "").startswith("rds_backup/") and e.get("action") \
                and e.get("service") in SIGNING:
            sent.add("%s:%s" % (SIGNING[e["service"]], e["action"]))

def show(s):
    return " ".join(sorted(s)) or "none"

print("code|%d" % len(code))
print("missing|%s" % show(code - calls))
print("extra|%s" % show(calls - code))
print("sent_not_in_policy|%s" % show(sent - calls))
print("sent|%d" % len(sent))
print("behalf_unknown|%s" % show(behalf - set(ON_BEHALF)))
print("problems|%s" % ("; ".join(problems) or "none"))
PY
)
field() { sed -n "s/^$1|//p" <<<"$out"; }
like "$(field code)" "^[1-9][0-9]+$" "the sources name $(field code) AWS actions"
is "$(field missing)" "none" "every action the code calls is in SECURITY.md's policy"
is "$(field extra)" "none" "the policy allows no action the code does not call"
is "$(field sent_not_in_policy)" "none" "every action this run sent to AWS ($(field sent) of them) is in the policy"
like "$(field sent)" "^[1-9][0-9]*$" "the run's request log was read"
is "$(field behalf_unknown)" "none" "the on-behalf statements hold only tags, the export role and KMS keys"
is "$(field problems)" "none" "the policy is well-formed"

done_testing
