-- rds_export_snapshot(), rds_export_tasks(), rds_cancel_export() against the emulator.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.export=3 durations.export_starting=1 durations.export_cancel=1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot orders-snap --instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot creating-snap --instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py status snapshot creating-snap creating >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster aurora-prod --members 1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot aurora-snap --cluster aurora-prod >/dev/null
\set snap arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap
\set csnap arn:aws:rds:us-east-1:123456789012:cluster-snapshot:aurora-snap
\set role arn:aws:iam::123456789012:role/service-role/rds-s3-export
\set key arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
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

-- an export with a prefix (its trailing slash dropped) and a selection:
-- the operations row comes back, in progress
SELECT kind, region, resource, source, status, aws_status, progress, resource_arn,
       request_id IS NOT NULL AS has_request_id, error, finished_at IS NULL AS unfinished,
       params
  FROM rds_backup.rds_export_snapshot(:'snap', 'orders-exports', :'role', :'key',
           s3_prefix => 'nightly/orders/',
           export_only => '{orders,orders.public,orders.public.line_items}',
           export_id => 'orders-export-1');
SELECT a.action, a.target, a.http_status, a.params->>'ExportOnly.member.3' AS third,
       a.params->>'S3Prefix' AS prefix, a.operation_id = o.id AS linked
  FROM rds_backup.audit_log a JOIN rds_backup.operations o ON o.id = a.operation_id
 WHERE o.resource = 'orders-export-1';
-- the account it runs in: its source snapshot's (an export task has no ARN)
SELECT account FROM rds_backup.operations WHERE resource = 'orders-export-1';
-- AWS's view of the task
SELECT export_id, source_arn, status, progress, s3_bucket, s3_prefix, export_only,
       task_start IS NOT NULL AS started, task_end IS NULL AS not_ended,
       snapshot_time IS NOT NULL AS has_snapshot_time, extracted_gb, failure_cause, warning
  FROM rds_backup.rds_export_tasks('orders-export-1');
-- waiting by id: done once AWS says COMPLETE
SELECT status, aws_status, progress, error
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'orders-export-1'));
SELECT status, progress, extracted_gb, task_end IS NOT NULL AS ended
  FROM rds_backup.rds_export_tasks('orders-export-1');

-- a cluster snapshot with an automatic export id (snapshot name + UTC
-- time), a key id and an alias, wait => true
SELECT resource ~ '^aurora-snap-[0-9]{8}t[0-9]{6}(-[0-9]+)?$' AS auto_id,
       params->>'ExportTaskIdentifier' = resource AS id_in_params,
       status, aws_status, progress, finished_at IS NOT NULL AS finished
  FROM rds_backup.rds_export_snapshot(:'csnap', 'aurora-exports', :'role',
           '1234abcd-12ab-34cd-56ef-1234567890ab', wait => true);
SELECT a.resource ~ '^orders-snap-[0-9]{8}t[0-9]{6}(-[0-9]+)?$' AS a_ok,
       b.resource ~ '^orders-snap-[0-9]{8}t[0-9]{6}(-[0-9]+)?$' AS b_ok,
       a.resource <> b.resource AS distinct_ids
  FROM rds_backup.rds_export_snapshot(:'snap', 'orders-exports', :'role', 'alias/rds-exports') a,
       rds_backup.rds_export_snapshot(:'snap', 'orders-exports', :'role',
           'arn:aws:kms:us-east-1:123456789012:alias/rds-exports') b;
-- an automated snapshot's "rds:" prefix is left out of the automatic id
-- (the snapshot does not exist: AWS's error, and the row says so)
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-prod-2024-03-29-06-45', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports')$$);
SELECT resource ~ '^orders-prod-2024-03-29-06-45-[0-9]{8}t[0-9]{6}$' AS auto_id, status, error
  FROM rds_backup.operations WHERE source LIKE '%:snapshot:rds:orders-prod-2024-03-29-06-45';
-- without region, the export runs in the snapshot's region
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:eu-west-1:123456789012:snapshot:orders-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports', export_id => 'in-ireland')$$);
SELECT region, status FROM rds_backup.operations WHERE resource = 'in-ireland';

-- an export that fails while being waited for: ERROR, row failed with AWS's cause
\! /usr/bin/python3 test/emulator/emuctl.py fail-next export >/dev/null
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports', export_id => 'doomed-export', wait => true)$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'doomed-export';
SELECT status, failure_cause FROM rds_backup.rds_export_tasks('doomed-export');
-- one AWS marks FAILED later: rds_wait reports it
SELECT status FROM rds_backup.rds_export_snapshot(:'snap', 'orders-exports', :'role', :'key',
                                                 export_id => 'failed-later');
\! /usr/bin/python3 test/emulator/emuctl.py status export-task failed-later FAILED >/dev/null
SELECT public.try($$SELECT rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'failed-later'))$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'failed-later';

-- AWS errors become ERRORs with AWS's code and message, and the row says so
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports', export_id => 'orders-export-1')$$);
SELECT status, error FROM rds_backup.operations
 WHERE resource = 'orders-export-1' ORDER BY id DESC LIMIT 1;
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:no-such-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports')$$);
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:cluster-snapshot:no-such-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports')$$);
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:creating-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports')$$);
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab')$$);
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap', 'orders-exports', 'arn:aws:iam::210987654321:role/rds-s3-export', 'alias/rds-exports')$$);
\! /usr/bin/python3 test/emulator/emuctl.py fault StartExportTask error --code InvalidS3BucketFault --message "The S3 bucket orders-gone doesn't exist." >/dev/null
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap', 'orders-gone', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports')$$);
\! /usr/bin/python3 test/emulator/emuctl.py fault StartExportTask error --code IamRoleMissingPermissions --message "The IAM role requires additional permissions." >/dev/null
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports')$$);
\! /usr/bin/python3 test/emulator/emuctl.py fault StartExportTask error --code InvalidExportOnly --message "The schema nosuch does not exist." >/dev/null
SELECT public.try($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:orders-snap', 'orders-exports', 'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports', export_only => '{orders.nosuch}')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_export_tasks('no-such-export')$$);
SELECT count(*) AS failed_exports FROM rds_backup.operations
 WHERE kind = 'export' AND status = 'failed' AND request_id IS NOT NULL;

-- canceling: rds_cancel_export() cancels in AWS and marks our row canceled
SELECT status FROM rds_backup.rds_export_snapshot(:'snap', 'orders-exports', :'role', :'key',
                                                 export_id => 'to-cancel');
SELECT kind, resource, status, aws_status, error ~ '^canceled by ' AS error_says_who,
       finished_at IS NOT NULL AS finished
  FROM rds_backup.rds_cancel_export('to-cancel');
SELECT public.try($$SELECT rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'to-cancel'))$$);
SELECT status FROM rds_backup.rds_export_tasks('to-cancel');
SELECT pg_sleep(1.5);
SELECT status FROM rds_backup.rds_export_tasks('to-cancel');
-- rds_cancel() on an export operation does the same, through the same code
SELECT status FROM rds_backup.rds_export_snapshot(:'snap', 'orders-exports', :'role', :'key',
                                                 export_id => 'to-cancel-by-id');
SELECT status, aws_status, error ~ '^canceled by ' AS error_says_who
  FROM rds_backup.rds_cancel((SELECT id FROM rds_backup.operations WHERE resource = 'to-cancel-by-id'));
SELECT a.action, a.operation_id = o.id AS linked
  FROM rds_backup.audit_log a JOIN rds_backup.operations o ON o.id = a.operation_id
 WHERE o.resource IN ('to-cancel', 'to-cancel-by-id') AND a.action = 'CancelExportTask'
 ORDER BY a.id;
-- a finished export cannot be canceled; an unknown one is not found
SELECT public.try($$SELECT rds_backup.rds_cancel_export('orders-export-1')$$);
SELECT count(*) AS audited_on_the_row FROM public.my_calls() a
  JOIN rds_backup.operations o ON o.id = a.operation_id
 WHERE o.resource = 'orders-export-1' AND o.status = 'succeeded'
   AND a.action = 'CancelExportTask' AND a.error_code = 'InvalidExportTaskStateFault';
SELECT public.try($$SELECT rds_backup.rds_cancel_export('no-such-export')$$);
SELECT public.try($$SELECT rds_backup.rds_cancel((SELECT id FROM rds_backup.operations WHERE resource = 'orders-export-1' AND status = 'succeeded'))$$);
-- an export rds_backup has no row for (as if started by other means: the
-- row's link to the task is taken away): canceled in AWS, no row to return
SELECT status FROM rds_backup.rds_export_snapshot(:'snap', 'orders-exports', :'role', :'key',
                                                 export_id => 'started-elsewhere');
UPDATE rds_backup.operations SET params = params - 'ExportTaskIdentifier'
 WHERE resource = 'started-elsewhere';
SELECT r IS NULL AS no_row FROM rds_backup.rds_cancel_export('started-elsewhere') r;
SELECT status FROM rds_backup.rds_export_tasks('started-elsewhere');

-- the listing follows every Marker: 101 more tasks take two pages
SELECT count(*) AS started
  FROM generate_series(1, 101) i,
       rds_backup.rds_export_snapshot(:'snap', 'orders-exports', :'role', :'key',
                                      export_id => 'bulk-' || i);
SELECT pg_temp.own_calls() AS calls_before \gset
SELECT count(*) AS tasks, count(DISTINCT export_id) AS distinct_tasks,
       count(*) FILTER (WHERE export_id LIKE 'bulk-%') AS bulk
  FROM rds_backup.rds_export_tasks();
SELECT pg_temp.own_calls() - :calls_before AS describe_calls;
SELECT status, aws_status FROM rds_backup.rds_wait(
    (SELECT id FROM rds_backup.operations WHERE resource = 'bulk-101'));

-- bad input is refused before any AWS call
SELECT pg_temp.own_calls() AS calls_before \gset
SELECT count(*) AS ops_before FROM rds_backup.operations \gset
SELECT pg_temp.why($$SELECT rds_backup.rds_export_snapshot(NULL, 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', NULL, 'arn:aws:iam::123456789012:role/r', 'alias/k')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', NULL, 'alias/k')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k', wait => NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k', timeout => '-1 s')$$);
-- snapshot ARNs
SELECT pg_temp.why(format($$SELECT rds_backup.rds_export_snapshot(%L, 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k')$$, a))
  FROM unnest(ARRAY[
    'orders-snap',
    'ARN:aws:rds:us-east-1:123456789012:snapshot:s',
    'arn:aws:rds:us-east-1:123456789012:db:orders-prod',
    'arn:aws:rds:us-east-1:123456789012:cluster:aurora-prod',
    'arn:aws:s3:::orders-exports',
    'arn:aws:rds:us-east-1:12345:snapshot:s',
    'arn:aws-cn:rds:us-east-1:123456789012:snapshot:s',
    'arn:aws:rds:cn-north-1:123456789012:snapshot:s',
    'arn:aws:rds:moon:123456789012:snapshot:s',
    'arn:aws:rds:us-east-1:123456789012:snapshot:bad--name',
    'arn:aws:rds:us-east-1:123456789012:snapshot:',
    'arn:aws:rds:us-east-1:123456789012:snapshot',
    'arn:aws:rds:us-east-1:123456789012:snapshot:rds:',
    'arn:aws:rds:us-east-1:123456789012:snapshot:s;x']) a;
-- S3 bucket names
SELECT pg_temp.why(format($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', %L, 'arn:aws:iam::123456789012:role/r', 'alias/k')$$, b))
  FROM unnest(ARRAY['s3://orders-exports', 'Orders', 'ab', repeat('a', 64), '-orders',
                    'orders-', 'orders..exports', '192.168.1.1', 'xn--orders',
                    'sthree-orders', 'orders-s3alias', 'orders--ol-s3', 'orders_exports',
                    'orders exports', '']) b;
-- IAM role ARNs
SELECT pg_temp.why(format($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', %L, 'alias/k')$$, r))
  FROM unnest(ARRAY['rds-s3-export',
                    'arn:aws:iam::123456789012:user/bob',
                    'arn:aws:iam:us-east-1:123456789012:role/r',
                    'arn:aws:iam::1234:role/r',
                    'arn:aws:iam::123456789012:role/',
                    'arn:aws:iam::123456789012:role/bad name',
                    'arn:aws:iam::123456789012:role/a//r',
                    'arn:aws:iam::123456789012:role/' || repeat('r', 65),
                    'arn:aws:sts::123456789012:assumed-role/r/s',
                    'arn:aws-eu:iam::123456789012:role/r']) r;
-- KMS keys
SELECT pg_temp.why(format($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', %L)$$, k))
  FROM unnest(ARRAY['not-a-key', '1234abcd-12ab-34cd-56ef-1234567890a',
                    'arn:aws:kms:us-east-1:123456789012:key/not-a-uuid',
                    'arn:aws:kms:us-east-1:123456789012:keyring/x',
                    'arn:aws:kms:moon:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
                    'arn:aws:kms:us-east-1:123456789012',
                    'arn:aws:kms:us-east-1:123456789012:key/mrk-123',
                    'alias/', 'alias/bad name', '']) k;
-- S3 prefixes
SELECT pg_temp.why(format($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k', s3_prefix => %L)$$, p))
  FROM unnest(ARRAY['', '/abs', 'a//b', 'a/../b', 'a/./b', 'a b', 'a\b', 'a#b', 'é',
                    repeat('p', 1025)]) p;
-- export_only entries: names as stored, no quoting
SELECT pg_temp.why(format($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k', export_only => %L)$$, e))
  FROM unnest(ARRAY['{}', '{NULL}', '{a.b.c.d}', '{a..b}', '{.a}', '{a.}',
                    '{"\"Orders\".public"}', '{"a b"}', '{1db}', '{{a},{b}}',
                    '{' || repeat('n', 65) || '}', '{orders,orders.pub-lic}']) e;
-- export ids and regions
SELECT pg_temp.why(format($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k', export_id => %L)$$, i))
  FROM unnest(ARRAY['bad_id', '1x', repeat('e', 61), 'a--b', 'a-', '']) i;
SELECT pg_temp.why($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k', region => 'eu-west-1')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_export_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:s', 'b-1', 'arn:aws:iam::123456789012:role/r', 'alias/k', region => 'x')$$);
SELECT pg_temp.why($$SELECT * FROM rds_backup.rds_export_tasks('bad_id')$$);
SELECT pg_temp.why($$SELECT * FROM rds_backup.rds_export_tasks(region => 'eu_west_1')$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_cancel_export(NULL)$$);
SELECT pg_temp.why($$SELECT rds_backup.rds_cancel_export('x--y')$$);
SELECT pg_temp.own_calls() - :calls_before AS aws_calls_made;
SELECT count(*) - :ops_before AS operations_recorded FROM rds_backup.operations;
