-- rds_cluster_snapshot(), rds_cluster_snapshots(), rds_delete_snapshot(cluster => true)
-- against the emulator.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.cluster_snapshot=1 durations.delete=1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster orders-aurora --members 2 >/dev/null

-- a cluster snapshot with tags: the operations row comes back, in progress
SELECT kind, region, resource, source, status, aws_status, progress,
       requested_by = current_user AS by_me, resource_arn,
       request_id IS NOT NULL AS has_request_id, error, finished_at IS NULL AS unfinished,
       params
  FROM rds_backup.rds_cluster_snapshot('orders-aurora', 'orders-aurora-manual-1',
                                       tags => '{"lifecycle": "weekly"}');
-- one audit row for the call, linked to the operation
SELECT a.action, a.target, a.http_status, a.error_code,
       a.operation_id = o.id AS linked,
       a.params->>'DBClusterIdentifier' AS cluster,
       a.params->>'Tags.Tag.2.Key' AS tag2
  FROM rds_backup.audit_log a JOIN rds_backup.operations o ON o.id = a.operation_id
 WHERE o.resource = 'orders-aurora-manual-1';
-- AWS holds the caller's tags plus the provenance tags
SELECT s.snapshot, s.db_identifier, s.snapshot_type, s.engine, s.encrypted,
       s.tags - 'rds-backup:operation' AS tags,
       (s.tags->>'rds-backup:operation')::bigint = o.id AS operation_tag_matches
  FROM rds_backup.rds_cluster_snapshots('orders-aurora') s
  JOIN rds_backup.operations o ON o.resource = s.snapshot
 WHERE s.snapshot = 'orders-aurora-manual-1';

-- wait => true returns once the snapshot is available; rds_wait() for the first
SELECT kind, resource, status, aws_status, progress, finished_at IS NOT NULL AS finished
  FROM rds_backup.rds_cluster_snapshot('orders-aurora', 'orders-aurora-manual-2', wait => true);
SELECT status, aws_status, progress
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations
                             WHERE resource = 'orders-aurora-manual-1'));

-- automatic identifiers: cluster name + UTC time, unique within a second
SELECT a.resource ~ '^orders-aurora-[0-9]{8}t[0-9]{6}(-[0-9]+)?$' AS a_ok,
       b.resource ~ '^orders-aurora-[0-9]{8}t[0-9]{6}(-[0-9]+)?$' AS b_ok,
       a.resource <> b.resource AS distinct_ids, a.kind
  FROM rds_backup.rds_cluster_snapshot('orders-aurora') a,
       rds_backup.rds_cluster_snapshot('ORDERS-AURORA') b;

-- AWS errors become ERRORs with AWS's code and message, and the row says so
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('no-such-cluster', 'csnap-x')$$);
SELECT status, error FROM rds_backup.operations WHERE resource = 'csnap-x';
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('orders-aurora', 'orders-aurora-manual-1')$$);
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster busy-aurora --status modifying >/dev/null
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('busy-aurora', 'csnap-y')$$);
\! /usr/bin/python3 test/emulator/emuctl.py config cluster_snapshot_quota=4 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('orders-aurora', 'csnap-over-quota')$$);
\! /usr/bin/python3 test/emulator/emuctl.py config cluster_snapshot_quota=1000 >/dev/null
-- a DB instance is not a cluster
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance plain-db >/dev/null
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('plain-db', 'csnap-z')$$);

-- a snapshot that fails while being waited for: ERROR, row failed
\! /usr/bin/python3 test/emulator/emuctl.py fail-next cluster_snapshot >/dev/null
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('orders-aurora', 'doomed-c', wait => true)$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'doomed-c';
-- a wait that runs out of time: an ERROR for the caller; the operation stays tracked
\! /usr/bin/python3 test/emulator/emuctl.py config durations.cluster_snapshot=60 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('orders-aurora', 'slow-c', wait => true, timeout => '1.5 s')$$);
SELECT status, error FROM rds_backup.operations WHERE resource = 'slow-c';
\! /usr/bin/python3 test/emulator/emuctl.py config durations.cluster_snapshot=1 >/dev/null

-- deleting cluster snapshots: cluster => true picks the cluster actions
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('slow-c', cluster => true)$$);
-- the snapshot that outlived its caller's wait: AWS finishes it, the worker sees it
\! /usr/bin/python3 test/emulator/emuctl.py status cluster-snapshot slow-c available >/dev/null
SELECT status, aws_status, progress
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE kind = 'cluster_snapshot' AND resource = 'slow-c'), '30 s');
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('never-was', cluster => true)$$);
-- without it, a cluster snapshot's name is looked up among DB snapshots
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('orders-aurora-manual-2')$$);
SELECT kind, resource, source, status, aws_status, params
  FROM rds_backup.rds_delete_snapshot('orders-aurora-manual-2', cluster => true, wait => true);
SELECT action FROM public.my_calls()
 WHERE target = 'orders-aurora-manual-2' AND action LIKE 'Delete%' ORDER BY id;
SELECT count(*) AS still_listed FROM rds_backup.rds_cluster_snapshots('orders-aurora')
 WHERE snapshot = 'orders-aurora-manual-2';
-- listings follow every Marker: 230 cluster snapshots take 3 pages
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster big-aurora >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot bulk --cluster big-aurora --count 230 >/dev/null
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT count(*) AS snapshots, count(DISTINCT snapshot) AS distinct_snapshots,
       bool_and(db_identifier = 'big-aurora') AS all_of_big
  FROM rds_backup.rds_cluster_snapshots('big-aurora');
SELECT public.aws_calls() - :calls_before AS describe_calls;
SELECT action, count(*) FROM public.my_calls(:mark_before) GROUP BY 1;
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot auto --cluster big-aurora --type automated --count 3 >/dev/null
SELECT snapshot_type, count(*) FROM rds_backup.rds_cluster_snapshots('big-aurora', 'automated') GROUP BY 1;
-- all clusters when none is named
SELECT count(DISTINCT db_identifier) >= 2 AS several_clusters
  FROM rds_backup.rds_cluster_snapshots();

-- bad input: refused before any AWS call
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT count(*) AS ops_before FROM rds_backup.operations \gset
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot(NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('c1', wait => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('c1', timeout => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('c1', timeout => '0')$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('1cluster')$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('cluster--1')$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot(repeat('c', 64))$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('c1', snapshot => 'snap_1')$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('c1', tags => '{"a": 1}')$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('c1', tags => '{"rds-backup:created-by": "x"}')$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshot('c1', region => 'nowhere')$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshots('bad_name')$$);
SELECT public.try($$SELECT rds_backup.rds_cluster_snapshots(snapshot_type => 'daily')$$);
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('-x', cluster => true)$$);
SELECT public.aws_calls() - :calls_before AS aws_calls_made;
SELECT count(*) - :ops_before AS operations_recorded FROM rds_backup.operations;
