-- rds_coverage(): every database of the regions asked for, its backup
-- settings and its gaps in plain words; rds_backup.snapshot_storage: what
-- the snapshots cost.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.copy=1 durations.replication=1 >/dev/null
-- well covered: two weeks of backups, protected, a snapshot an hour ago, copied to eu-west-1
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod --retention 14 --deletion-protection --encrypted --kms-key-id arn:aws:kms:us-east-1:123456789012:key/0bde5000-3333-4a5e-9c0a-0000000000a1 --allocated-storage 100 --automated-snapshots 2 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot orders-nightly --instance orders-prod --count 2 --tag rds-backup:created-by=ops >/dev/null
-- automated backups off, unprotected, never snapshotted
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance scratch-db --retention 0 --allocated-storage 10 >/dev/null
-- three days of backups, last manual snapshot ten days ago, backups replicated to us-west-2
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance short-db --retention 3 --deletion-protection --backup-window 01:00-01:30 --allocated-storage 20 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot short-old --instance short-db --create-time "$(date -u -d '-10 days' +%Y-%m-%dT%H:%M:%SZ)" --allocated-storage 20 >/dev/null
-- an Aurora cluster (its two instances are covered by it), a snapshot an hour ago
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster orders-aurora --members 2 --deletion-protection --allocated-storage 50 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot aurora-nightly --cluster orders-aurora --allocated-storage 50 --tag rds-backup:created-by=ops >/dev/null
-- the disaster-recovery region has a database of its own
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance dr-tools --region eu-west-1 --deletion-protection >/dev/null

-- before any copy: one region, the default
SELECT db_identifier, region, cluster, engine, retention_days, backup_window, deletion_protection,
       encrypted, latest_restorable IS NOT NULL AS restorable,
       rpo BETWEEN interval '4 min' AND interval '6 min' AS rpo_five_minutes,
       newest_manual_snapshot > now() - interval '2 hours' AS snapshot_recent,
       copied_to, replicated_to, findings
  FROM rds_backup.rds_coverage() ORDER BY db_identifier;

-- a second region as a policy, and replicated automated backups
SELECT count(*) AS copies FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1',
    kms_key_id => 'arn:aws:kms:eu-west-1:123456789012:key/eb0c0a5e-1111-4a5e-9c0a-0000000000e1');
SELECT public.settle('{copy_snapshot}');
SELECT status FROM rds_backup.rds_replicate_backups('short-db', 'us-west-2', wait => true);

-- a compliance review is one query; copies show when their region is asked for too
SELECT db_identifier, region, cluster, copied_to, replicated_to, findings
  FROM rds_backup.rds_coverage('{us-east-1,eu-west-1}', max_age => '2 hours')
 ORDER BY region DESC, db_identifier;
SELECT db_identifier, findings
  FROM rds_backup.rds_coverage('{us-east-1}', max_age => '1 day 12 hours')
 WHERE db_identifier IN ('orders-prod', 'short-db') ORDER BY 1;
-- the databases with gaps, and the gaps
SELECT region, db_identifier, f AS finding
  FROM rds_backup.rds_coverage('{us-east-1,eu-west-1}'), unnest(findings) f
 ORDER BY region, db_identifier, f;

-- bad arguments: refused before any AWS call
SELECT public.aws_calls() AS calls_before \gset
SELECT public.try($$SELECT * FROM rds_backup.rds_coverage('{}')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_coverage('{us-east-1,NULL}')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_coverage('{moon-base-1}')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_coverage(max_age => NULL)$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_coverage(max_age => '0')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_coverage(max_age => '-1 day')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_coverage(max_age => '1 month')$$);
SELECT public.aws_calls() - :calls_before AS calls_made;

-- snapshot storage and its cost, on known sizes, here and in the DR region
SHOW rds_backup.snapshot_price_gb_month;
SELECT * FROM rds_backup.snapshot_storage ORDER BY db_identifier, region;
SET rds_backup.snapshot_price_gb_month = 0.2;
SELECT db_identifier, region, allocated_gb, estimated_monthly_cost
  FROM rds_backup.snapshot_storage ORDER BY db_identifier, region;
RESET rds_backup.snapshot_price_gb_month;
SELECT public.try($$SET rds_backup.snapshot_price_gb_month = -1$$);
-- reading the view lists snapshots: it takes EXECUTE on the listing functions
CREATE ROLE storage_viewer;
GRANT USAGE ON SCHEMA rds_backup TO storage_viewer;
SET ROLE storage_viewer;
SELECT public.try($$SELECT * FROM rds_backup.snapshot_storage$$);
RESET ROLE;
GRANT EXECUTE ON FUNCTION rds_backup.rds_snapshots(text, text, text),
                          rds_backup.rds_cluster_snapshots(text, text, text) TO storage_viewer;
SET ROLE storage_viewer;
SELECT count(*) AS rows FROM rds_backup.snapshot_storage;
RESET ROLE;
REVOKE ALL ON SCHEMA rds_backup FROM storage_viewer;
REVOKE ALL ON FUNCTION rds_backup.rds_snapshots(text, text, text),
                       rds_backup.rds_cluster_snapshots(text, text, text) FROM storage_viewer;
DROP ROLE storage_viewer;
