#!/usr/bin/env bash
# pg_cron, for real (Debian's postgresql-15-cron): a cluster that preloads
# rds_backup and pg_cron runs the README's recipe (nightly snapshot, copy to
# the DR region, prune in both regions), scheduled for the next minute;
# the runs show in cron.job_run_details and their operations in
# rds_backup.operations.  pg_cron 1.4 schedules by the minute: this waits
# for one minute boundary, once.
. "$(dirname "$0")/assert.sh"

bindir=$(rb_bindir)
if [ ! -f "$bindir/../lib/pg_cron.so" ] && [ ! -f "$(dirname "$bindir")/lib/pg_cron.so" ]; then
	fail "pg_cron is installed" "no pg_cron.so beside $bindir (postgresql-15-cron)"
	done_testing
	exit 1
fi

ago() { date -u -d "-$1 days" +%Y-%m-%dT%H:%M:%SZ; }
emu reset
emu config durations.snapshot=2 durations.copy=2
emu seed-instance orders-prod
# eight nightly snapshots 31 to 38 days old, copied to eu-west-1 before the
# jobs run (below); one recent one (to copy); in eu-west-1 a copy 10 days old
for d in 31 32 33 34 35 36 37 38; do
	emu seed-snapshot nightly-old-$d --instance orders-prod --create-time "$(ago $d)" \
		--tag rds-backup:created-by=postgres --tag lifecycle=nightly
done
emu seed-snapshot nightly-mid --instance orders-prod --region eu-west-1 --create-time "$(ago 10)" \
	--tag rds-backup:created-by=postgres --tag lifecycle=nightly

port=$(rb_free_port)
rm -rf "$RB_TMP/cron"
ok rb_cluster "$RB_TMP/cron" "$port" "shared_preload_libraries = 'rds_backup,pg_cron'
rds_backup.database = 'postgres'
cron.database_name = 'postgres'
cron.host = '$RB_TMP'
rds_backup.endpoint = '$RB_EMU_URL'
rds_backup.region = 'us-east-1'
rds_backup.access_key_id = '$RB_KEY_ID'
rds_backup.secret_access_key = '$RB_SECRET'
rds_backup.poll_interval = '500ms'" AWS_ENDPOINT_URL="$RB_EMU_URL" \
	"a cluster with shared_preload_libraries = 'rds_backup,pg_cron' starts"
qc() { PGPORT=$port q "$1"; }
qc "CREATE EXTENSION rds_backup" >/dev/null
qc "CREATE EXTENSION pg_cron" >/dev/null
like "$(qc "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")" "^1\.4" "pg_cron 1.4, Debian's"

# the old snapshots have their copies in eu-west-1 already
is "$(qc "SELECT count(*) FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1')")" "8" "eight old snapshots copied first"
is "$(PGPORT=$port wait_for "SELECT count(*) FROM rds_backup.operations WHERE status = 'succeeded'" 8 60)" "8" "and the copies are done"
op_mark=$(qc "SELECT max(id) FROM rds_backup.operations")
emu seed-snapshot nightly-recent --instance orders-prod --create-time "$(ago 1)" \
	--tag rds-backup:created-by=postgres --tag lifecycle=nightly

# the README's recipe, every minute instead of its schedules
qc "SELECT cron.schedule('rds-nightly-snapshot', '* * * * *',
    \$\$SELECT rds_backup.rds_snapshot('orders-prod', tags => '{\"lifecycle\": \"nightly\"}')\$\$)" >/dev/null
qc "SELECT cron.schedule('rds-nightly-copy-dr', '* * * * *',
    \$\$SELECT count(*) FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1')\$\$)" >/dev/null
qc "SELECT cron.schedule('rds-weekly-prune', '* * * * *',
    \$\$SELECT count(*) FROM rds_backup.rds_prune_snapshots('orders-prod', keep_days => 30, keep_last => 7,
        tags => '{\"lifecycle\": \"nightly\"}', dry_run => false)\$\$)" >/dev/null
qc "SELECT cron.schedule('rds-weekly-prune-dr', '* * * * *',
    \$\$SELECT count(*) FROM rds_backup.rds_prune_snapshots('orders-prod', keep_days => 30, keep_last => 7,
        tags => '{\"lifecycle\": \"nightly\"}', dry_run => false, region => 'eu-west-1')\$\$)" >/dev/null
is "$(qc "SELECT count(*) FROM cron.job")" "4" "four jobs scheduled with cron.schedule"

# the next minute boundary: each job runs once
t0=$(now_ms)
is "$(PGPORT=$port wait_for "SELECT count(*) FROM cron.job_run_details WHERE status IN ('succeeded', 'failed')" 4 90)" "4" \
	"each job ran at the minute"
t1=$(now_ms)
# once is enough: unscheduled, their runs stay in cron.job_run_details
qc "CREATE TABLE ran_jobs AS SELECT jobid, jobname FROM cron.job" >/dev/null
qc "SELECT cron.unschedule(jobname) FROM cron.job" >/dev/null
is "$(qc "SELECT string_agg(j.jobname || ':' || d.status || ':' || d.return_message, ' ' ORDER BY j.jobname)
            FROM cron.job_run_details d JOIN ran_jobs j USING (jobid)")" \
	"rds-nightly-copy-dr:succeeded:1 row rds-nightly-snapshot:succeeded:1 row rds-weekly-prune:succeeded:1 row rds-weekly-prune-dr:succeeded:1 row" \
	"cron.job_run_details: every run succeeded"
runs=$(qc "SELECT string_agg(j.jobname || ' ' || to_char(d.start_time AT TIME ZONE 'UTC', 'HH24:MI:SS.MS') || ' +'
                || round(extract(epoch FROM d.end_time - d.start_time) * 1000) || ' ms', ', ' ORDER BY j.jobname)
             FROM cron.job_run_details d JOIN ran_jobs j USING (jobid)")
echo "# pg_cron runs (start UTC, duration): $runs; waited $((t1 - t0)) ms for the minute"
is "$(qc "SELECT count(DISTINCT date_trunc('minute', start_time)) FROM cron.job_run_details")" "1" \
	"all four started in the same minute"

# what they did, as rds_backup recorded it: in each region, the snapshots
# older than 30 days beyond the 7 newest are deleted (in eu-west-1 the
# copies are as old as their sources), and only the new snapshot is copied
expected_ops="copy_snapshot eu-west-1 nightly-recent succeeded"
for r in eu-west-1 us-east-1; do
	for d in 37 38; do expected_ops="$expected_ops, delete_snapshot $r nightly-old-$d succeeded"; done
done
is "$(PGPORT=$port wait_for "SELECT string_agg(kind || ' ' || region || ' ' || resource || ' ' || status, ', ' ORDER BY kind, region, resource)
        FROM rds_backup.operations WHERE id > $op_mark AND kind <> 'snapshot'" \
	"$expected_ops" 30)" "$expected_ops" \
	"the copy to the DR region and the prunes in both regions are operations that succeeded (the pruned copies are not made again)"
like "$(PGPORT=$port wait_for "SELECT status FROM rds_backup.operations WHERE kind = 'snapshot'" succeeded 30)" \
	"succeeded" "the nightly snapshot succeeded"
is "$(qc "SELECT string_agg(DISTINCT requested_by, ',') FROM rds_backup.operations")" "$PGUSER" \
	"requested by the role whose jobs they are"
is "$(qc "SELECT params->'Tags'->>'lifecycle' FROM rds_backup.operations WHERE kind = 'snapshot'")" "nightly" \
	"the snapshot carries the job's tags"
is "$(qc "SELECT string_agg(snapshot, ',' ORDER BY snapshot) FROM rds_backup.rds_snapshots('orders-prod', 'manual')")" \
	"$(qc "SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT 'nightly-old-3' || d FROM generate_series(1, 6) d
	        UNION SELECT 'nightly-recent' UNION SELECT resource FROM rds_backup.operations WHERE kind = 'snapshot') s(x)")" \
	"us-east-1 keeps the 7 newest and the new one"
is "$(qc "SELECT string_agg(snapshot, ',' ORDER BY snapshot) FROM rds_backup.rds_snapshots('orders-prod', 'manual', region => 'eu-west-1')")" \
	"nightly-mid,nightly-old-31,nightly-old-32,nightly-old-33,nightly-old-34,nightly-old-35,nightly-old-36,nightly-recent" \
	"eu-west-1 keeps the 7 newest and the new copy"

rb_as_user "$bindir/pg_ctl" -D "$RB_TMP/cron" -m fast stop >/dev/null
done_testing
