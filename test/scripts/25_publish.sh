#!/usr/bin/env bash
# SNS and CloudWatch hear about finished operations; a failure to publish
# is retried and never disturbs tracking.
. "$(dirname "$0")/assert.sh"

topic=arn:aws:sns:us-east-1:123456789012:rds-backups
emu reset
emu config durations.snapshot=2
emu seed-instance pub-db
sns_count() { rb_emuctl sns | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

# SNS refuses the topic at first: publishing fails, tracking does not
rb_emuctl call POST topics '{"topics": ["arn:aws:sns:us-east-1:123456789012:other"]}' >/dev/null
q "ALTER SYSTEM SET rds_backup.sns_topic_arn = '$topic'" >/dev/null
q "ALTER SYSTEM SET rds_backup.cloudwatch_namespace = 'RdsBackup/Test'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep 1
id=$(q "SELECT id FROM rds_backup.rds_snapshot('pub-db', 'published')")
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE id = $id" succeeded 20)" "succeeded" \
	"the operation succeeds even though SNS refuses the topic"
# (operations that finished earlier, within a day, are published first)
logged=0
for i in $(seq 1 150); do
	grep -q "could not publish operation $id to SNS" "$PGDATA.log" && { logged=1; break; }
	sleep 0.2
done
[ $logged -eq 1 ] && pass "the failure is logged" || fail "publish failure" "not in the server log"
is "$(q "SELECT published_at IS NULL FROM rds_backup.operations WHERE id = $id")" "t" "it is not marked published"
like "$(q "SELECT string_agg(DISTINCT error_code, ',') FROM rds_backup.audit_log WHERE action = 'Publish'")" "NotFound" \
	"the failed Publish is in the audit log"

# the topic appears: the next round publishes, once
rb_emuctl call POST topics "{\"topics\": [\"$topic\"]}" >/dev/null
is "$(wait_for "SELECT published_at IS NOT NULL FROM rds_backup.operations WHERE id = $id" t 20)" "t" "once SNS accepts, it is published"
msg=$(rb_emuctl sns)
like "$msg" 'resource[^,]*published' "the SNS message names the snapshot"
like "$msg" "succeeded" "and its outcome"
like "$(rb_emuctl metrics)" "OperationDuration" "CloudWatch got the duration metric"
like "$(rb_emuctl metrics)" "RdsBackup/Test" "in the configured namespace"
n1=$(sns_count)
sleep 3
is "$(sns_count)" "$n1" "a published operation is not published again"

q "ALTER SYSTEM RESET rds_backup.sns_topic_arn" >/dev/null
q "ALTER SYSTEM RESET rds_backup.cloudwatch_namespace" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

done_testing
