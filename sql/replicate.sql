-- rds_replicate_backups(), rds_stop_replicating_backups(): automated backups
-- kept in another region, requested from the destination region.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.replication=2 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance secure-db --encrypted --kms-key-id arn:aws:kms:us-east-1:123456789012:key/0bde5000-6666-4a5e-9c0a-0000000000a4 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance no-backups --retention 0 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance west-db --region us-west-2 >/dev/null
-- the destination has an instance of the same name, with automated backups of its own
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod --region eu-west-1 >/dev/null
SELECT public.audit_mark() AS start_id \gset

-- the operations row: in the destination region, the source instance by ARN
SELECT kind, region, resource, source, status, aws_status,
       resource_arn ~ '^arn:aws:rds:eu-west-1:123456789012:auto-backup:' AS backup_arn_ok,
       request_id IS NOT NULL AS has_request_id, params
  FROM rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', retention_days => 14);
-- DescribeDBInstances in the source region, then the request to the destination
SELECT action, region, target, params->>'SourceDBInstanceArn' AS source_arn,
       params->>'BackupRetentionPeriod' AS retention, params->>'PreSignedUrl' AS presigned_url,
       operation_id IS NOT NULL AS linked
  FROM public.my_calls(:start_id) WHERE action NOT LIKE 'DescribeDBInstanceAutomated%'
 ORDER BY id;
-- the PreSignedUrl the SDKs send, verified by the emulator with botocore
\! /usr/bin/python3 test/emulator/emuctl.py log --action StartDBInstanceAutomatedBackupsReplication --json | /usr/bin/python3 -c 'import json, sys, urllib.parse as u; e = json.load(sys.stdin)[-1]; q = dict(u.parse_qsl(u.urlsplit(e["params"]["PreSignedUrl"]).query)); print("arrived in", e["region"], "| Action", q["Action"], "| DestinationRegion", q["DestinationRegion"], "| source", q["SourceDBInstanceArn"], "| retention", q["BackupRetentionPeriod"], "| scope", q["X-Amz-Credential"].split("/", 2)[2], "| expires", q["X-Amz-Expires"])'
-- tracked in the destination by the source's ARN (not by the local orders-prod): replicating
SELECT status, aws_status, progress, finished_at IS NOT NULL AS finished
  FROM rds_backup.rds_wait((SELECT max(id) FROM rds_backup.operations WHERE kind = 'replicate_backups'));
SELECT params->>'Filters.Filter.1.Values.Value.1' AS tracked_by, region
  FROM public.all_calls(:start_id)
 WHERE action = 'DescribeDBInstanceAutomatedBackups' LIMIT 1;
-- a replication that is already running: AWS's InvalidDBInstanceState
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1')$$);

-- stopping returns the replicated backup's ARN, which RDS keeps (retained)
SELECT rds_backup.rds_stop_replicating_backups('orders-prod', 'eu-west-1') =
       (SELECT resource_arn FROM rds_backup.operations WHERE kind = 'replicate_backups'
         AND status = 'succeeded' ORDER BY id LIMIT 1) AS stopped_the_right_one;
SELECT action, region, params ? 'PreSignedUrl' AS presigned
  FROM public.my_calls() ORDER BY id DESC LIMIT 1;
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json, sys; st = json.load(sys.stdin)["regions"]; print([(r, b["DBInstanceIdentifier"], b["Region"], b["Status"]) for r in sorted(st) for b in st[r]["automated_backups"]])'
SELECT public.try($$SELECT rds_backup.rds_stop_replicating_backups('orders-prod', 'eu-west-1')$$);
-- replicating again beside the retained backup: the new one is tracked
SELECT status, aws_status, resource_arn <> (SELECT resource_arn FROM rds_backup.operations
                                            WHERE kind = 'replicate_backups' ORDER BY id LIMIT 1) AS new_backup
  FROM rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', wait => true, timeout => '30 s');
SELECT rds_backup.rds_stop_replicating_backups('orders-prod', 'eu-west-1') IS NOT NULL AS stopped;

-- an instance outside rds_backup.region: region names the source
SELECT region, source, status
  FROM rds_backup.rds_replicate_backups('west-db', 'us-east-1', region => 'us-west-2', wait => true);
SELECT rds_backup.rds_stop_replicating_backups('west-db', 'us-east-1', region => 'us-west-2')
       ~ '^arn:aws:rds:us-east-1:123456789012:auto-backup:' AS stopped;

-- encrypted instances need a key of the destination, asked before anything starts
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
\set VERBOSITY default
SELECT rds_backup.rds_replicate_backups('secure-db', 'eu-west-1');
\set VERBOSITY terse
SELECT string_agg(action, ', ' ORDER BY id) AS calls FROM public.my_calls(:mark_before);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('secure-db', 'eu-west-1', kms_key_id => '00000000-0000-0000-0000-000000000000')$$);
SELECT status, params->>'KmsKeyId' AS kms_key_id
  FROM rds_backup.rds_replicate_backups('secure-db', 'eu-west-1',
                                        kms_key_id => 'arn:aws:kms:eu-west-1:123456789012:key/eb0c0a5e-1111-4a5e-9c0a-0000000000e1',
                                        wait => true);

-- AWS errors are ERRORs with AWS's code
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('no-such-db', 'eu-west-1')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('no-backups', 'eu-west-1')$$);
SELECT status, error FROM rds_backup.operations WHERE kind = 'replicate_backups' AND resource = 'no-backups';
SELECT public.try($$SELECT rds_backup.rds_stop_replicating_backups('no-such-db', 'eu-west-1')$$);
SELECT public.try($$SELECT rds_backup.rds_stop_replicating_backups('no-backups', 'eu-west-1')$$);

-- a replication that fails while waited for: ERROR, row failed
\! /usr/bin/python3 test/emulator/emuctl.py fail-next replication >/dev/null
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'ap-south-1', wait => true)$$);
SELECT region, status, aws_status, error FROM rds_backup.operations
 WHERE kind = 'replicate_backups' AND region = 'ap-south-1';
-- one that runs out of time: an ERROR for the caller; the operation stays tracked
\! /usr/bin/python3 test/emulator/emuctl.py config durations.replication=60 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-central-1', wait => true, timeout => '1.5 s')$$);
SELECT status FROM rds_backup.operations WHERE kind = 'replicate_backups' AND region = 'eu-central-1';
\! /usr/bin/python3 test/emulator/emuctl.py config durations.replication=2 >/dev/null
-- the caller gave up; rds_cancel() stops the tracking
SELECT status, error LIKE 'tracking canceled by %' AS says_who
  FROM rds_backup.rds_cancel((SELECT id FROM rds_backup.operations
                               WHERE kind = 'replicate_backups' AND region = 'eu-central-1'));

-- no PreSignedUrl value in the catalog
SELECT count(*) AS presigned_url_params,
       count(*) FILTER (WHERE params->>'PreSignedUrl' = '[redacted]') AS redacted
  FROM public.my_calls(:start_id) WHERE params ? 'PreSignedUrl';
SELECT count(*) AS leaks FROM public.my_calls(:start_id)
 WHERE params::text ~ 'X-Amz-Signature|X-Amz-Credential|DestinationRegion';

-- bad input is refused before any AWS call
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT public.try($$SELECT rds_backup.rds_replicate_backups(NULL, 'eu-west-1')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('bad--db', 'eu-west-1')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'us-east-1')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'cn-north-1')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', retention_days => 0)$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', retention_days => 36)$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', retention_days => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', kms_key_id => 'arn:aws:kms:us-east-1:123456789012:key/0bde5000-7777-4a5e-9c0a-0000000000a5')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', kms_key_id => '')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', wait => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', timeout => '-1 s')$$);
SELECT public.try($$SELECT rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', region => 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_stop_replicating_backups(NULL, 'eu-west-1')$$);
SELECT public.try($$SELECT rds_backup.rds_stop_replicating_backups('orders-prod', NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_stop_replicating_backups('orders_prod', 'eu-west-1')$$);
SELECT public.try($$SELECT rds_backup.rds_stop_replicating_backups('orders-prod', 'moon-1')$$);
SELECT public.try($$SELECT rds_backup.rds_stop_replicating_backups('orders-prod', 'eu-west-1', region => 'eu-west-1')$$);
SELECT public.aws_calls() - :calls_before AS aws_calls_made;

SELECT public.settle(ARRAY['replicate_backups']);
SELECT kind, status, operations FROM rds_backup.operation_summary
 WHERE kind = 'replicate_backups' ORDER BY 1, 2;
