-- rds_restore_snapshot(), rds_restore_cluster_snapshot() and their options
-- against the emulator.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.restore=1 durations.create_instance=1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot orders-snap --instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster orders-aurora --members 1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot aurora-snap --cluster orders-aurora >/dev/null
-- message, detail and hint of an error, for the ones whose detail matters
CREATE FUNCTION pg_temp.try_detail(q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    d text;
    h text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' / ' || nullif(d, ''), '')
        || coalesce(' / HINT: ' || nullif(h, ''), '');
END
$$;

-- DB instance from a DB snapshot: the operations row comes back, in progress
SELECT kind, region, resource, source, status, aws_status, resource_arn,
       request_id IS NOT NULL AS has_request_id, error, params
  FROM rds_backup.rds_restore_snapshot('orders-snap', 'orders-restored', 'db.t3.small',
                                       '{"MultiAZ": true, "Port": 5433, "Tags": {"purpose": "drill"}}');
-- the request: options by their AWS names, the caller's and the provenance tags
SELECT a.action, a.target, a.http_status, a.operation_id = o.id AS linked,
       a.params - 'Tags.Tag.3.Value' AS params,
       a.params->>'Tags.Tag.3.Value' = o.id::text AS operation_tag_matches
  FROM rds_backup.audit_log a JOIN rds_backup.operations o ON o.id = a.operation_id
 WHERE o.resource = 'orders-restored';
-- waited for by id, it ends succeeded
SELECT status, aws_status, progress, finished_at IS NOT NULL AS finished
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations
                             WHERE resource = 'orders-restored'));
-- wait => true, no instance class: RDS takes the snapshot's
SELECT kind, resource, status, aws_status, params
  FROM rds_backup.rds_restore_snapshot('orders-snap', 'orders-restored-2', wait => true);
-- the emulator holds the new instance with the requested settings
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; [print(i["DBInstanceIdentifier"], i["DBInstanceStatus"], i["DBInstanceClass"], i["MultiAZ"], i["Endpoint"]["Port"], sorted(t["Key"] for t in i["TagList"])) for i in r["instances"] if i["DBInstanceIdentifier"].startswith("orders-restored")]'

-- an automated snapshot, by its rds: identifier
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance nightly-db --automated-snapshots 1 >/dev/null
SELECT snapshot AS auto_snap FROM rds_backup.rds_snapshots('nightly-db', 'automated') \gset
SELECT kind, resource, source = :'auto_snap' AS from_automated, source LIKE 'rds:nightly-db-%' AS rds_prefixed, status
  FROM rds_backup.rds_restore_snapshot(:'auto_snap', 'from-automated', wait => true);
-- the snapshot may be an ARN: a snapshot shared from another account
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot partner-snap --instance partner-db --account 210987654321 --shared-with 123456789012 >/dev/null
SELECT kind, resource, source, status
  FROM rds_backup.rds_restore_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:partner-snap',
                                       'from-partner', wait => true);
-- not shared with us: not found
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot private-snap --instance partner-db --account 210987654321 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:private-snap', 'from-private')$$);

-- AWS errors become ERRORs, and the row says so
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('no-such-snap', 'r-x')$$);
SELECT kind, status, error FROM rds_backup.operations WHERE resource = 'r-x';
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('orders-snap', 'orders-prod')$$);
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot busy-snap --instance orders-prod --status creating >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('busy-snap', 'r-y')$$);

-- a restore that fails while being waited for
\! /usr/bin/python3 test/emulator/emuctl.py fail-next restore >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('orders-snap', 'doomed-r', wait => true)$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'doomed-r';
-- one that AWS reports failed while nobody waits: rds_wait() says so
\! /usr/bin/python3 test/emulator/emuctl.py config durations.restore=60 >/dev/null
SELECT id AS op_id FROM rds_backup.rds_restore_snapshot('orders-snap', 'incompatible-r') \gset
\! /usr/bin/python3 test/emulator/emuctl.py status instance incompatible-r incompatible-restore >/dev/null
SELECT public.try(format('SELECT rds_backup.rds_wait(%s)', :op_id));
SELECT status, aws_status, error FROM rds_backup.operations WHERE id = :op_id;
-- and one that runs out of time: an ERROR for the caller; the operation stays tracked
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('orders-snap', 'slow-r', wait => true, timeout => '1.5 s')$$);
SELECT status FROM rds_backup.operations WHERE resource = 'slow-r';
\! /usr/bin/python3 test/emulator/emuctl.py config durations.restore=1 >/dev/null
-- AWS finishes it later: the worker tracks it to its end
\! /usr/bin/python3 test/emulator/emuctl.py status instance slow-r available >/dev/null
SELECT status, aws_status
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'slow-r'), '30 s');

-- Aurora: a cluster from a cluster snapshot, with its writer instance
SELECT kind, resource, source, status, aws_status, params
  FROM rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'aurora-restored', 'db.r6g.large',
                                               '{"Tags": {"purpose": "drill"}, "DeletionProtection": false}',
                                               wait => true);
-- the engine came from the snapshot; the writer was made once the cluster was available
SELECT a.action, a.error_code, a.params->>'Engine' AS engine,
       a.params->>'DBClusterIdentifier' AS cluster, a.params->>'DBInstanceClass' AS class,
       a.params->>'Tags.Tag.1.Key' AS tag1, a.params->>'Tags.Tag.2.Key' AS tag2
  FROM public.all_calls() a
 WHERE a.action IN ('DescribeDBClusterSnapshots', 'RestoreDBClusterFromSnapshot', 'CreateDBInstance')
   AND a.target IN ('aurora-snap', 'aurora-restored', 'aurora-restored-writer')
 ORDER BY a.id;
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; c=[c for c in r["clusters"] if c["DBClusterIdentifier"]=="aurora-restored"][0]; print(c["Status"], c["Engine"], [(m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in c["DBClusterMembers"]]); [print(i["DBInstanceIdentifier"], i["DBInstanceStatus"], i["DBInstanceClass"], i["Engine"], sorted(t["Key"] for t in i["TagList"])) for i in r["instances"] if i["DBInstanceIdentifier"]=="aurora-restored-writer"]'
-- without instance_class: the cluster alone, no writer, nothing held
SELECT kind, resource, status, aws_status, params ? 'WriterInstance' AS has_writer
  FROM rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'aurora-bare', wait => true);
-- Engine in options: no Describe call first
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT status, params->>'Engine' AS engine
  FROM rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'aurora-engine',
                                               options => '{"Engine": "aurora-postgresql"}');
SELECT action FROM public.my_calls(:mark_before) ORDER BY id;
-- nobody waits: the writer is made by whoever tracks the operation next
SELECT id AS op_id, status AS st FROM rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'aurora-later', 'db.r6g.large') \gset
SELECT :'st' AS status_at_start;
SELECT count(*) AS writer_calls FROM public.all_calls()
 WHERE action = 'CreateDBInstance' AND target = 'aurora-later-writer';
SELECT status, aws_status FROM rds_backup.rds_wait(:op_id);
SELECT count(*) AS writer_calls, min(operation_id) = :op_id AS linked FROM public.all_calls()
 WHERE action = 'CreateDBInstance' AND target = 'aurora-later-writer';
-- a shared cluster snapshot by ARN
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot partner-csnap --cluster partner-aurora --engine aurora-mysql --account 210987654321 --shared-with 123456789012 >/dev/null
SELECT status, params->>'Engine' AS engine
  FROM rds_backup.rds_restore_cluster_snapshot('arn:aws:rds:us-east-1:210987654321:cluster-snapshot:partner-csnap',
                                               'from-partner-aurora', 'db.r6g.large', wait => true);
SELECT a.params->>'IncludeShared' AS include_shared FROM public.my_calls() a
 WHERE a.action = 'DescribeDBClusterSnapshots' AND a.target LIKE 'arn:%partner-csnap';

-- cluster errors
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('no-such-csnap', 'c-x')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('no-such-csnap', 'c-x', options => '{"Engine": "aurora-postgresql"}')$$);
SELECT kind, status, error FROM rds_backup.operations WHERE resource = 'c-x';
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'orders-aurora')$$);
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot busy-csnap --cluster orders-aurora --status creating >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('busy-csnap', 'c-y')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'c-z', options => '{"Engine": "aurora-mysql"}')$$);
-- the writer's name is taken: refused before anything is restored
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance taken-writer >/dev/null
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'taken', 'db.r6g.large')$$);
SELECT action, error_code FROM public.my_calls(:mark_before) ORDER BY id;
-- a Multi-AZ DB cluster snapshot takes no writer instance
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot maz-snap --cluster gone-maz --engine postgres >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('maz-snap', 'maz-restored', 'db.r6g.large')$$);
-- the writer fails: the operation fails, naming it
\! /usr/bin/python3 test/emulator/emuctl.py fail-next create_instance >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'doomed-aurora', 'db.r6g.large', wait => true)$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'doomed-aurora';
-- the writer is refused by RDS: the operation fails with RDS's error
\! /usr/bin/python3 test/emulator/emuctl.py fault CreateDBInstance error --code InsufficientDBInstanceCapacity --status 400 --message "No capacity for db.r6g.large" --count 1 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'no-capacity', 'db.r6g.large', wait => true)$$);
SELECT status, error FROM rds_backup.operations WHERE resource = 'no-capacity';
-- the writer is deleted behind our back while the operation waits for it
\! /usr/bin/python3 test/emulator/emuctl.py config durations.create_instance=60 >/dev/null
SELECT id AS op_id FROM rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'lost-writer', 'db.r6g.large') \gset
SELECT public.try(format($$SELECT rds_backup.rds_wait(%s, '5 s')$$, :op_id));
SELECT status, aws_status LIKE 'writer %' AS held_for_writer FROM rds_backup.operations WHERE id = :op_id;
\! /usr/bin/python3 test/emulator/emuctl.py status instance lost-writer-writer deleting >/dev/null
SELECT public.try(format($$SELECT rds_backup.rds_wait(%s)$$, :op_id));
SELECT status, aws_status, error FROM rds_backup.operations WHERE id = :op_id;
\! /usr/bin/python3 test/emulator/emuctl.py config durations.create_instance=1 >/dev/null

-- options: checked against the RDS model before any AWS call
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT count(*) AS ops_before FROM rds_backup.operations \gset
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Multiaz": true}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Bogus": 1}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Tags.Tag.1.Key": "x"}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '[{"MultiAZ": true}]')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '"MultiAZ"')$$);
-- wrong JSON types, by model type
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"MultiAZ": "true"}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"DBSubnetGroupName": 7}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Port": "5432"}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Port": 5432.5}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Iops": 3000000000}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Port": null}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"VpcSecurityGroupIds": "sg-1"}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"VpcSecurityGroupIds": ["sg-1", 2]}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"VpcSecurityGroupIds": ["sg-1", null]}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"ProcessorFeatures": [{"Name": "coreCount", "Cores": 2}]}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"ProcessorFeatures": ["coreCount"]}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"ScalingConfiguration": [2, 8]}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"ScalingConfiguration": {"MinCapacity": "2"}}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"ScalingConfiguration": {"Min": 2}}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"ServerlessV2ScalingConfiguration": {"MinCapacity": "half"}}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"BacktrackWindow": 1.5}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"Engine": 5}')$$);
-- parameters the functions set themselves, or that would defeat them
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"DBInstanceIdentifier": "x"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"DBSnapshotIdentifier": "x"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"DBInstanceClass": "db.t3.micro"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"DBClusterSnapshotIdentifier": "x"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"DBClusterIdentifier": "x"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"SnapshotIdentifier": "x"}')$$);
-- a parameter of another action is unknown here
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"ScalingConfiguration": {"MinCapacity": 2}}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', options => '{"MultiAZ": true}')$$);
-- Tags are an object of strings, as everywhere in rds_backup
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Tags": [{"Key": "a", "Value": "b"}]}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Tags": {"a": 1}}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Tags": {"rds-backup:operation": "1"}}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', options => '{"Tags": {"aws:x": "1"}}')$$);
-- the writer needs a name and an Aurora cluster
SELECT public.try(format($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', %L, 'db.r6g.large')$$, repeat('c', 57)));
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', 'db.r6g.large', '{"DBClusterInstanceClass": "db.m6gd.large"}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't1', 'db.r6g.large', '{"EngineMode": "serverless"}')$$);
-- other arguments
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot(NULL, 't1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', wait => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', timeout => '-1 s')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s_1', 't1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't--1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', repeat('t', 64))$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('rds:', 't1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', 't3.micro')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', 'db.t3..micro')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', 'db.t3.micro;')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_snapshot('s1', 't1', region => 'mars-1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot(NULL, 't1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_snapshot('s1', 't_1')$$);
-- ARNs: well formed, of the right kind, in the region restored in
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('arn:aws:rds:us-east-1:210987654321:cluster-snapshot:x', 't1')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_cluster_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:x', 't1')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('arn:aws:rds:us-east-1:2109876543:snapshot:x', 't1')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('arn:aws:ec2:us-east-1:210987654321:snapshot:x', 't1')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot', 't1')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:x_y', 't1')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_snapshot('arn:aws:rds:eu-west-1:210987654321:snapshot:x', 't1')$$);
SELECT public.aws_calls() - :calls_before AS aws_calls_made;
SELECT count(*) - :ops_before AS operations_recorded FROM rds_backup.operations;

-- options that pass go out by the model's member names
SELECT kind, status, params - 'TdeCredentialPassword' AS params,
       params->>'TdeCredentialPassword' AS password_in_params
  FROM rds_backup.rds_restore_snapshot('orders-snap', 'with-options', 'db.m6g.large',
         '{"VpcSecurityGroupIds": ["sg-1", "sg-2"], "EnableCloudwatchLogsExports": ["postgresql", "upgrade"],
           "ProcessorFeatures": [{"Name": "coreCount", "Value": "2"}], "DeletionProtection": true,
           "Iops": 3000.0, "DBSubnetGroupName": "private", "TdeCredentialPassword": "hunter2"}');
SELECT key, value FROM public.my_calls() a, jsonb_each_text(a.params)
 WHERE a.action = 'RestoreDBInstanceFromDBSnapshot' AND a.target = 'with-options'
   AND key <> 'Tags.Tag.2.Value'
 ORDER BY key;
SELECT status, params->'VpcSecurityGroupIds' AS vpc
  FROM rds_backup.rds_restore_snapshot('orders-snap', 'empty-list', options => '{"VpcSecurityGroupIds": []}');
SELECT a.params->>'VpcSecurityGroupIds' = '' AS sent_as_empty_list FROM public.my_calls() a
 WHERE a.action = 'RestoreDBInstanceFromDBSnapshot' AND a.target = 'empty-list';
SELECT status FROM rds_backup.rds_restore_cluster_snapshot('aurora-snap', 'aurora-options', options =>
         '{"ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 4},
           "ScalingConfiguration": {"MinCapacity": 2, "AutoPause": false}, "BacktrackWindow": 3600,
           "EnableCloudwatchLogsExports": ["postgresql"], "Port": 6432}');
SELECT key, value FROM public.my_calls() a, jsonb_each_text(a.params)
 WHERE a.action = 'RestoreDBClusterFromSnapshot' AND a.target = 'aurora-options'
   AND key NOT LIKE 'Tags.%'
 ORDER BY key;
