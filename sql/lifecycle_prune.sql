-- rds_prune_snapshots(): plans checked snapshot by snapshot on seeded state,
-- and a real run that deletes exactly what the dry run planned.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod >/dev/null
\! for h in 30 54; do /usr/bin/python3 test/emulator/emuctl.py seed-snapshot rds:orders-prod-$h --instance orders-prod --type automated --create-time "$(date -u -d "-$h hours" +%Y-%m-%dT%H:%M:%SZ)" >/dev/null; done
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance billing >/dev/null
-- nightly snapshots made through rds_backup, 1 to 60 days old
\! for d in 1 2 3 10 20 40 50 60; do /usr/bin/python3 test/emulator/emuctl.py seed-snapshot nightly-$d --instance orders-prod --create-time "$(date -u -d "-$d days" +%Y-%m-%dT%H:%M:%SZ)" --tag rds-backup:created-by=ops --tag lifecycle=nightly >/dev/null; done
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot weekly-45 --instance orders-prod --create-time "$(date -u -d '-45 days' +%Y-%m-%dT%H:%M:%SZ)" --tag rds-backup:created-by=ops --tag lifecycle=weekly >/dev/null
-- kept by its tag; made by hand (no rds-backup:created-by); still being created
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot pinned-70 --instance orders-prod --create-time "$(date -u -d '-70 days' +%Y-%m-%dT%H:%M:%SZ)" --tag rds-backup:created-by=ops --tag lifecycle=nightly --tag rds-backup:keep=true >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot handmade-80 --instance orders-prod --create-time "$(date -u -d '-80 days' +%Y-%m-%dT%H:%M:%SZ)" --tag lifecycle=nightly >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot in-progress --instance orders-prod --status creating --set seconds=3600 --tag rds-backup:created-by=ops --tag lifecycle=nightly >/dev/null
-- shared with us by another account, made by AWS Backup, of another database
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot partner-90 --instance orders-prod --account 210987654321 --shared-with 123456789012 --create-time "$(date -u -d '-90 days' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot awsbackup:job-0001 --instance orders-prod --type awsbackup --create-time "$(date -u -d '-100 days' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot billing-old --instance billing --create-time "$(date -u -d '-100 days' +%Y-%m-%dT%H:%M:%SZ)" --tag rds-backup:created-by=ops >/dev/null

-- the plan: one row per snapshot of the database, newest first
SELECT public.audit_mark() AS mark, coalesce(max(id), 0) AS op_mark FROM rds_backup.operations \gset
CREATE TEMP TABLE plan_all AS
SELECT snapshot, round(extract(epoch FROM now() - created_at) / 86400) AS age_days, action, reason,
       operation_id
  FROM rds_backup.rds_prune_snapshots('orders-prod', keep_days => 30, keep_last => 3);
SELECT snapshot, age_days, action, reason, operation_id FROM plan_all;
-- a dry run asks AWS for the list, and nothing else
SELECT action, count(*) FROM public.my_calls(:mark) GROUP BY action;
SELECT count(*) AS recorded_operations FROM rds_backup.operations WHERE id > :op_mark;

-- the tags select what the policy applies to; keep_last counts those only
SELECT snapshot, age_days, action, reason
  FROM (SELECT snapshot, round(extract(epoch FROM now() - created_at) / 86400) AS age_days, action, reason
          FROM rds_backup.rds_prune_snapshots('orders-prod', keep_last => 2,
                                              tags => '{"lifecycle": "nightly"}')) p
 WHERE action = 'delete' OR reason LIKE 'among%' OR reason LIKE 'does not%';
-- only_own => false: the hand-made one too
SELECT snapshot, action, reason
  FROM rds_backup.rds_prune_snapshots('orders-prod', keep_days => 30, only_own => false)
 WHERE snapshot = 'handmade-80';

-- plan = run: a dry run, then the real run, row for row
CREATE TEMP TABLE plan_nightly AS
SELECT snapshot, created_at, action, reason, operation_id
  FROM rds_backup.rds_prune_snapshots('orders-prod', keep_days => 30,
                                      tags => '{"lifecycle": "nightly"}');
SELECT public.audit_mark() AS mark \gset
CREATE TEMP TABLE run_nightly AS
SELECT snapshot, created_at, action, reason, operation_id
  FROM rds_backup.rds_prune_snapshots('orders-prod', keep_days => 30,
                                      tags => '{"lifecycle": "nightly"}', dry_run => false);
SELECT count(*) AS planned, count(*) FILTER (WHERE action = 'delete') AS deletes FROM plan_nightly;
SELECT count(*) AS differences
  FROM ((SELECT snapshot, created_at, action, reason FROM plan_nightly
         EXCEPT SELECT snapshot, created_at, action, reason FROM run_nightly)
        UNION ALL
        (SELECT snapshot, created_at, action, reason FROM run_nightly
         EXCEPT SELECT snapshot, created_at, action, reason FROM plan_nightly)) d;
-- each delete is a tracked operation, the others have none
SELECT r.snapshot, o.kind, o.status, o.aws_status, o.params->>'PruneReason' AS why,
       o.requested_by = current_user AS by_me
  FROM run_nightly r JOIN rds_backup.operations o ON o.id = r.operation_id ORDER BY r.snapshot;
SELECT count(*) AS keeps_with_operation FROM run_nightly WHERE action = 'keep' AND operation_id IS NOT NULL;
SELECT action, target, error_code FROM public.my_calls(:mark) ORDER BY id;
-- what is left: the deleted ones are gone, everything else is there
SELECT snapshot FROM rds_backup.rds_snapshots('orders-prod') ORDER BY snapshot;
SELECT count(*) AS awsbackup_left FROM rds_backup.rds_snapshots('orders-prod', 'awsbackup');
SELECT count(*) AS shared_left
  FROM rds_backup.rds_snapshots(snapshot_type => 'shared') WHERE snapshot LIKE '%partner-90';
-- a second run finds nothing more to delete
SELECT count(*) FILTER (WHERE action = 'delete') AS deletes
  FROM rds_backup.rds_prune_snapshots('orders-prod', keep_days => 30,
                                      tags => '{"lifecycle": "nightly"}', dry_run => false);

-- a failure on one snapshot does not stop the others, and is reported in its row
\! /usr/bin/python3 test/emulator/emuctl.py fault DeleteDBSnapshot error --code InvalidDBSnapshotState --status 400 --message "Snapshot is being copied." --count 1 >/dev/null
CREATE TEMP TABLE run_failing AS
SELECT * FROM rds_backup.rds_prune_snapshots('orders-prod', keep_days => 0, keep_last => 2,
                                             dry_run => false);
-- (the operations rows are committed by the catalog writer: read in a later statement)
SELECT snapshot, action, reason, o.status, o.error
  FROM run_failing p JOIN rds_backup.operations o ON o.id = p.operation_id
 ORDER BY p.created_at DESC;
SELECT snapshot FROM rds_backup.rds_snapshots('orders-prod', 'manual') ORDER BY snapshot;

-- the newest manual snapshot of a database is never deleted
SELECT snapshot, action, reason
  FROM rds_backup.rds_prune_snapshots('billing', keep_days => 0, keep_last => 0);

-- Aurora cluster snapshots, the same way
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster orders-aurora --members 1 >/dev/null
\! for d in 5 50 60; do /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot aurora-$d --cluster orders-aurora --create-time "$(date -u -d "-$d days" +%Y-%m-%dT%H:%M:%SZ)" --tag rds-backup:created-by=ops >/dev/null; done
CREATE TEMP TABLE run_aurora AS
SELECT * FROM rds_backup.rds_prune_snapshots('orders-aurora', keep_days => 30, cluster => true,
                                             dry_run => false);
SELECT snapshot, action, reason, o.kind, o.status
  FROM run_aurora p LEFT JOIN rds_backup.operations o ON o.id = p.operation_id
 ORDER BY p.created_at DESC;
SELECT snapshot FROM rds_backup.rds_cluster_snapshots('orders-aurora', 'manual') ORDER BY 1;

-- bad arguments: refused before any AWS call
SELECT public.aws_calls() AS calls_before \gset
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots('orders-prod')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots(NULL, 30)$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots('orders_prod', 30)$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots('orders-prod', -1)$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots('orders-prod', keep_last => -1)$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots('orders-prod', 30, tags => '["nightly"]')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots('orders-prod', 30, tags => '{"lifecycle": 1}')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots('orders-prod', 30, dry_run => NULL)$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_prune_snapshots('orders-prod', 30, region => 'moon-1')$$);
SELECT public.aws_calls() - :calls_before AS calls_made;
