-- rds_set_retention(), rds_set_deletion_protection() against the emulator.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.modify=2 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster aurora-prod --members 1 >/dev/null
-- AWS calls made by this session's functions: polls that track operations
-- (a waiting session's or the worker's) always carry a Filters parameter,
-- the calls of the functions tested here never do
CREATE FUNCTION pg_temp.own_calls() RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM public.my_calls() WHERE NOT params ? 'Filters.Filter.1.Name' $$;
-- like public.try(), with the DETAIL that says what is wrong
CREATE FUNCTION pg_temp.why(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' | ' || nullif(d, ''), '');
END
$$;
-- (the emulator's state lines below: identifier, retention, backup window,
-- deletion protection)

-- a retention change between non-zero values applies at once: succeeded
SELECT kind, region, resource, source, status, aws_status, progress, resource_arn,
       request_id IS NOT NULL AS has_request_id, error, finished_at IS NOT NULL AS finished,
       params
  FROM rds_backup.rds_set_retention('orders-prod', 14);
-- one audit row, linked to the operation, with ApplyImmediately
SELECT a.action, a.target, a.http_status, a.params->>'BackupRetentionPeriod' AS days,
       a.params->>'ApplyImmediately' AS immediately, a.operation_id = o.id AS linked
  FROM rds_backup.audit_log a JOIN rds_backup.operations o ON o.id = a.operation_id
 WHERE o.kind = 'modify' AND o.resource = 'orders-prod';
-- with a backup window (UTC); it may run past midnight
SELECT status, params->>'PreferredBackupWindow' AS window
  FROM rds_backup.rds_set_retention('orders-prod', 10, backup_window => '23:45-00:15');
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; [print(x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")), x["BackupRetentionPeriod"], x["PreferredBackupWindow"], x["DeletionProtection"]) for x in r["instances"] + r["clusters"] if x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")) in ("orders-prod", "aurora-prod")]'

-- disabling backups needs allow_disable; it takes the instance through
-- modifying, and wait => true returns once it is available again
SELECT public.try($$SELECT rds_backup.rds_set_retention('orders-prod', 0)$$);
SELECT status, aws_status
  FROM rds_backup.rds_set_retention('orders-prod', 0, allow_disable => true);
SELECT status, aws_status, progress
  FROM rds_backup.rds_wait((SELECT max(id) FROM rds_backup.operations WHERE kind = 'modify'));
SELECT status, aws_status, progress, finished_at IS NOT NULL AS finished
  FROM rds_backup.rds_set_retention('orders-prod', 7, wait => true);
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; [print(x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")), x["BackupRetentionPeriod"], x["PreferredBackupWindow"], x["DeletionProtection"]) for x in r["instances"] + r["clusters"] if x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")) in ("orders-prod", "aurora-prod")]'

-- a modification that ends in a failed state, while waited for: ERROR, row failed
\! /usr/bin/python3 test/emulator/emuctl.py fail-next modify >/dev/null
SELECT public.try($$SELECT rds_backup.rds_set_retention('orders-prod', 0, allow_disable => true, wait => true)$$);
SELECT status, aws_status, error FROM rds_backup.operations
 WHERE kind = 'modify' ORDER BY id DESC LIMIT 1;
\! /usr/bin/python3 test/emulator/emuctl.py status instance orders-prod available >/dev/null

-- a wait that runs out of time: an ERROR for the caller; the operation stays tracked
\! /usr/bin/python3 test/emulator/emuctl.py config durations.modify=60 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_set_retention('orders-prod', 1, wait => true, timeout => '1.5 s')$$);
SELECT status, aws_status FROM rds_backup.operations WHERE kind = 'modify' ORDER BY id DESC LIMIT 1;
\! /usr/bin/python3 test/emulator/emuctl.py status instance orders-prod available >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.modify=2 >/dev/null
-- AWS finishes it later: the worker tracks it to its end
SELECT status, aws_status
  FROM rds_backup.rds_wait((SELECT max(id) FROM rds_backup.operations WHERE kind = 'modify'), '30 s');

-- Aurora: the cluster holds the retention; it cannot be turned off
SELECT kind, resource, status, aws_status, progress, resource_arn, params
  FROM rds_backup.rds_set_retention('aurora-prod', 10, cluster => true,
                                    backup_window => '02:00-03:00');
SELECT public.try($$SELECT rds_backup.rds_set_retention('aurora-prod', 0, cluster => true, allow_disable => true)$$);
-- a cluster member's retention is the cluster's: AWS refuses, naming it
SELECT public.try($$SELECT rds_backup.rds_set_retention('aurora-prod-instance-1', 5)$$);
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; [print(x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")), x["BackupRetentionPeriod"], x["PreferredBackupWindow"], x["DeletionProtection"]) for x in r["instances"] + r["clusters"] if x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")) in ("orders-prod", "aurora-prod")]'

-- tracking a modify whose reply was lost: a cluster is checked with
-- DescribeDBClusters, an instance with DescribeDBInstances, and each
-- succeeds once AWS shows the values asked for
SELECT max(id) AS audit_mark FROM public.my_calls() \gset
SET rds_backup.max_attempts = 1;
\! /usr/bin/python3 test/emulator/emuctl.py fault ModifyDBCluster malformed --count 1 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_set_retention('aurora-prod', 12, cluster => true)$$);
\! /usr/bin/python3 test/emulator/emuctl.py fault ModifyDBInstance malformed --count 1 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_set_retention('orders-prod', 9)$$);
RESET rds_backup.max_attempts;
-- (never failed on a guess; the tracker may have settled them already)
SELECT resource, status <> 'failed' AS not_failed, params->>'cluster' AS cluster FROM rds_backup.operations
 WHERE kind = 'modify' AND params->>'BackupRetentionPeriod' IN ('12', '9') ORDER BY id;
SELECT o.resource, w.status, w.aws_status, w.progress
  FROM rds_backup.operations o, rds_backup.rds_wait(o.id, '30 s') w
 WHERE o.kind = 'modify' AND o.params->>'BackupRetentionPeriod' IN ('12', '9') ORDER BY o.id;
SELECT action, bool_or(params::text LIKE '%"aurora-prod"%') AS for_cluster,
       bool_or(params::text LIKE '%"orders-prod"%') AS for_instance
  FROM public.all_calls()
 WHERE id > :audit_mark AND action IN ('DescribeDBClusters', 'DescribeDBInstances')
 GROUP BY action ORDER BY 1;
-- a request that got no answer at all (and never reached AWS) is not taken
-- for done: AWS shows another value than the one asked for, so the row
-- stays unfinished ...
SET rds_backup.max_attempts = 1;
SET rds_backup.request_timeout = '1s';
\! /usr/bin/python3 test/emulator/emuctl.py fault ModifyDBInstance hang --count 1 --delay 3 --no-execute >/dev/null
SELECT public.try($$SELECT rds_backup.rds_set_retention('orders-prod', 21)$$);
RESET rds_backup.max_attempts;
RESET rds_backup.request_timeout;
SELECT max(id) AS lost_op FROM rds_backup.operations WHERE kind = 'modify' \gset
SELECT public.try($$SELECT rds_backup.rds_wait($$ || :lost_op || $$, '2 s')$$);
SELECT status, request_id IS NULL AS unconfirmed FROM rds_backup.operations WHERE id = :lost_op;
-- ... until the grace period for unconfirmed requests has passed: failed
UPDATE rds_backup.operations SET requested_at = requested_at - interval '10 minutes'
 WHERE id = :lost_op;
SELECT public.try($$SELECT rds_backup.rds_wait($$ || :lost_op || $$, '30 s')$$);
SELECT status, error FROM rds_backup.operations WHERE id = :lost_op;

-- AWS errors become ERRORs with AWS's code and message, and the row says so
SELECT public.try($$SELECT rds_backup.rds_set_retention('no-such-db', 7)$$);
SELECT status, error FROM rds_backup.operations WHERE kind = 'modify' AND resource = 'no-such-db';
SELECT public.try($$SELECT rds_backup.rds_set_retention('no-such-cluster', 7, cluster => true)$$);
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance busy-db --status backing-up >/dev/null
SELECT public.try($$SELECT rds_backup.rds_set_retention('busy-db', 7)$$);
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster busy-cluster --status modifying >/dev/null
SELECT public.try($$SELECT rds_backup.rds_set_retention('busy-cluster', 7, cluster => true)$$);
-- AWS's own check of the window (overlap with the maintenance window)
\! /usr/bin/python3 test/emulator/emuctl.py fault ModifyDBInstance error --code InvalidParameterCombination --message "The backup window and maintenance window must not overlap." >/dev/null
SELECT public.try($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '05:00-05:30')$$);

-- deletion protection: applied at once, the row comes back succeeded
SELECT kind, resource, status, aws_status, progress, params
  FROM rds_backup.rds_set_deletion_protection('orders-prod', true);
SELECT status, params->>'cluster' AS cluster
  FROM rds_backup.rds_set_deletion_protection('aurora-prod', true, cluster => true);
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; [print(x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")), x["BackupRetentionPeriod"], x["PreferredBackupWindow"], x["DeletionProtection"]) for x in r["instances"] + r["clusters"] if x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")) in ("orders-prod", "aurora-prod")]'
SELECT status FROM rds_backup.rds_set_deletion_protection('orders-prod', false);
SELECT status FROM rds_backup.rds_set_deletion_protection('aurora-prod', false, cluster => true);
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; [print(x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")), x["BackupRetentionPeriod"], x["PreferredBackupWindow"], x["DeletionProtection"]) for x in r["instances"] + r["clusters"] if x.get("DBInstanceIdentifier", x.get("DBClusterIdentifier")) in ("orders-prod", "aurora-prod")]'
SELECT public.try($$SELECT rds_backup.rds_set_deletion_protection('no-such-db', true)$$);
SELECT public.try($$SELECT rds_backup.rds_set_deletion_protection('no-such-cluster', true, cluster => true)$$);
SELECT public.try($$SELECT rds_backup.rds_set_deletion_protection('busy-db', true)$$);
SELECT public.try($$SELECT rds_backup.rds_set_deletion_protection('busy-cluster', true, cluster => true)$$);

-- bad input is refused before any AWS call
SELECT pg_temp.own_calls() AS calls_before \gset
SELECT count(*) AS ops_before FROM rds_backup.operations \gset
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention(NULL, 7)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, cluster => NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, allow_disable => NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, wait => NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, timeout => '0')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', -1)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 36)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('aurora-prod', 36, cluster => true)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('aurora-prod', 0, cluster => true)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders_prod', 7)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('aurora--prod', 7, cluster => true)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, region => 'moon-1')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '3:00-3:30')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '03:00-03:15')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '23:50-00:10')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '03:00-03:00')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '24:00-00:30')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '03:60-04:30')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '03:00-04:30 ')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '03:00/04:30')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => 'ab:cd-ef:gh')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_retention('orders-prod', 7, backup_window => '')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_deletion_protection(NULL, true)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_deletion_protection('orders-prod', NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_deletion_protection('orders-prod', true, cluster => NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_deletion_protection('-orders', true)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_set_deletion_protection('orders-prod', true, region => 'US-EAST-1')$$);
SELECT pg_temp.own_calls() - :calls_before AS aws_calls_made;
SELECT count(*) - :ops_before AS operations_recorded FROM rds_backup.operations;
