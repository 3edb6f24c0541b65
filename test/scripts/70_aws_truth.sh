#!/usr/bin/env bash
# The catalog tells AWS's truth: every terminal status RDS documents ends
# the operation with AWS's own word, operations that take hours are
# tracked to their end, a resource Describe does not show yet is not taken
# for gone, and a pending row is settled whatever its session does.
. "$(dirname "$0")/assert.sh"

emu reset
emu config durations.restore=600 durations.snapshot=600 durations.export=600 durations.replication=600
emu seed-instance orders-prod --retention 7
emu seed-snapshot orders-snap --instance orders-prod
emu seed-cluster orders-aurora --members 1
emu seed-cluster-snapshot aurora-snap --cluster orders-aurora

# status_of ID: "status aws_status" of operation ID
status_of() { q "SELECT status || ' ' || coalesce(aws_status, '-') FROM rds_backup.operations WHERE id = $1"; }

# instances: a restore whose instance lands in a failure status fails at the next poll
for st in failed incompatible-restore incompatible-parameters incompatible-network \
	incompatible-option-group restore-error storage-full insufficient-capacity \
	inaccessible-encryption-credentials inaccessible-encryption-credentials-recoverable; do
	target="r-$st"
	target=${target:0:63}
	id=$(q "SELECT id FROM rds_backup.rds_restore_snapshot('orders-snap', '$target')")
	emu status instance "$target" "$st"
	is "$(wait_for "SELECT status || ' ' || aws_status FROM rds_backup.operations WHERE id = $id" "failed $st" 10)" \
		"failed $st" "instance status $st ends the restore failed, with AWS's status"
done
like "$(q "SELECT error FROM rds_backup.operations WHERE resource = 'r-storage-full'")" 'AWS reports status "storage-full"' \
	"and the error names it"

# clusters
for st in cloning-failed migration-failed inaccessible-encryption-credentials \
	inaccessible-encryption-credentials-recoverable; do
	target="c-$st"
	target=${target:0:63}
	id=$(q "SELECT id FROM rds_backup.rds_restore_cluster_snapshot('aurora-snap', '$target')")
	emu status cluster "$target" "$st"
	is "$(wait_for "SELECT status || ' ' || aws_status FROM rds_backup.operations WHERE id = $id" "failed $st" 10)" \
		"failed $st" "cluster status $st ends the restore failed, with AWS's status"
done

# a restore that walks through its statuses and lands in one of them
emu config durations.restore=2
emu fail-next restore --status incompatible-parameters
like "$(qerr "SELECT rds_backup.rds_restore_snapshot('orders-snap', 'r-walks', wait => true, timeout => '30 s')")" \
	"^38000 operation [0-9]+ \\(restore_snapshot of \"r-walks\"\\) failed" "a waiting caller gets an ERROR when AWS ends in a failure status"
is "$(q "SELECT aws_status FROM rds_backup.operations WHERE resource = 'r-walks'")" "incompatible-parameters" "which it names"

# snapshots, cluster snapshots
id=$(q "SELECT id FROM rds_backup.rds_snapshot('orders-prod', 's-failed')")
emu status snapshot s-failed failed
is "$(wait_for "SELECT status || ' ' || aws_status FROM rds_backup.operations WHERE id = $id" "failed failed" 10)" \
	"failed failed" "a snapshot AWS reports failed"
id=$(q "SELECT id FROM rds_backup.rds_cluster_snapshot('orders-aurora', 'cs-failed')")
emu status cluster-snapshot cs-failed failed
is "$(wait_for "SELECT status || ' ' || aws_status FROM rds_backup.operations WHERE id = $id" "failed failed" 10)" \
	"failed failed" "a cluster snapshot AWS reports failed"

# export tasks: FAILED with AWS's cause, CANCELED
arn=arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap
export_args="'s3-bucket-ok', 'arn:aws:iam::123456789012:role/export', 'alias/exports'"
id=$(q "SELECT id FROM rds_backup.rds_export_snapshot('$arn', $export_args, export_id => 'exp-fails')")
emu status export-task exp-fails FAILED --failure-cause "The S3 bucket is not writable."
is "$(wait_for "SELECT status || ' ' || aws_status FROM rds_backup.operations WHERE id = $id" "failed FAILED" 10)" \
	"failed FAILED" "an export task AWS reports FAILED"
is "$(q "SELECT error FROM rds_backup.operations WHERE id = $id")" "The S3 bucket is not writable." "with AWS's failure cause as the error"
id=$(q "SELECT id FROM rds_backup.rds_export_snapshot('$arn', $export_args, export_id => 'exp-canceled')")
emu status export-task exp-canceled CANCELED
is "$(wait_for "SELECT status || ' ' || aws_status FROM rds_backup.operations WHERE id = $id" "canceled CANCELED" 10)" \
	"canceled CANCELED" "an export task canceled outside rds_backup ends canceled"

# automated backups replication
id=$(q "SELECT id FROM rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1')")
emu status automated-backup orders-prod failed --region eu-west-1
is "$(wait_for "SELECT status || ' ' || aws_status FROM rds_backup.operations WHERE id = $id" "failed failed" 10)" \
	"failed failed" "a replication AWS reports failed"

# an operation that takes hours is tracked until it ends, not until a timeout
emu config durations.snapshot=10800
id=$(q "SELECT id FROM rds_backup.rds_snapshot('orders-prod', 's-three-hours')")
like "$(qerr "SELECT rds_backup.rds_wait($id, '2 s')")" "^03000 operation $id .* is still in_progress" "the caller's wait ends"
emu clock --advance 7200 --keep-wall
sleep 2
is "$(q "SELECT status FROM rds_backup.operations WHERE id = $id")" "in_progress" "two hours later (AWS time) it is still tracked"
emu clock --advance 3700 --keep-wall
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE id = $id" succeeded 15)" "succeeded" \
	"three hours later AWS has finished it, and so has the operation"

# eventual consistency: a new snapshot Describe does not show for a while
emu config durations.snapshot=2 describe_delay=6
id=$(q "SELECT id FROM rds_backup.rds_snapshot('orders-prod', 's-late')")
sleep 3
is "$(q "SELECT status FROM rds_backup.operations WHERE id = $id")" "in_progress" \
	"a snapshot Describe does not show yet is not taken for gone"
is "$(q "SELECT rounds > 0 FROM rds_backup.tracker_status()")" "t" "(the tracker has been polling meanwhile)"
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE id = $id" succeeded 20)" "succeeded" \
	"once it shows, it is tracked to succeeded"
emu config describe_delay=0

# a lost reply leaves a pending row; its session stays connected, busy with
# another statement, and the worker settles the row all the same
emu fault CreateDBSnapshot truncated --count 1
psql -XAtq -c "SET application_name = 'still-here'" -c "SET rds_backup.max_attempts = 1" \
	-c "SELECT rds_backup.rds_snapshot('orders-prod', 's-lost-reply')" \
	-c "SELECT pg_sleep(30)" >"$RB_TMP/lost.out" 2>&1 &
spid=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'still-here' AND query LIKE '%pg_sleep%'" 1 10 >/dev/null
like "$(cat "$RB_TMP/lost.out")" "ERROR:  could not reach RDS for CreateDBSnapshot" "the caller got an ERROR: the reply was lost"
is "$(wait_for "SELECT status FROM rds_backup.operations WHERE resource = 's-lost-reply'" succeeded 15)" "succeeded" \
	"while that session is still connected, the worker settles the row"
is "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'still-here'")" "1" "(the session was there all along)"
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

done_testing
