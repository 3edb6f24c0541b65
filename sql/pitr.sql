-- rds_restore_window(), rds_restore_pitr(), rds_restore_cluster_pitr() against the emulator.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.restore=1 durations.create_instance=1 >/dev/null
-- backups since an hour ago, at .400 of a second: the earliest restorable point
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance pitr-db --tag team=orders --set backups_since="\"$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S.400Z)\"" >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster pitr-aurora --members 1 --set backups_since="\"$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S.400Z)\"" >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance no-backups --retention 0 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance brand-new --set backups_since="\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"" >/dev/null
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
-- an error with its times (which change from run to run) masked
CREATE FUNCTION pg_temp.try_masked(q text) RETURNS text
LANGUAGE sql AS $$
    SELECT regexp_replace(public.try(q), '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z', '<time>', 'g')
$$;
-- the same with only the window masked
CREATE FUNCTION pg_temp.try_window_masked(q text) RETURNS text
LANGUAGE sql AS $$
    SELECT regexp_replace(public.try(q), ': [0-9T:.Z-]+ to [0-9T:.Z-]+$', ': <earliest> to <latest>')
$$;

-- restore windows
SELECT earliest BETWEEN now() - interval '61 min' AND now() - interval '59 min' AS earliest_an_hour_ago,
       to_char(earliest, 'MS') AS earliest_ms,
       latest BETWEEN now() - interval '6 min' AND now() - interval '4 min' AS latest_five_minutes_ago,
       retention_days
  FROM rds_backup.rds_restore_window('pitr-db');
SELECT action, params - 'DbiResourceId' AS params, params ? 'DbiResourceId' AS by_resource_id
  FROM public.my_calls() ORDER BY id DESC LIMIT 2;
SELECT earliest BETWEEN now() - interval '61 min' AND now() - interval '59 min' AS earliest_an_hour_ago,
       to_char(earliest, 'MS') AS earliest_ms,
       latest BETWEEN now() - interval '6 min' AND now() - interval '4 min' AS latest_five_minutes_ago,
       retention_days
  FROM rds_backup.rds_restore_window('pitr-aurora', cluster => true);
-- no automated backups: no window
SELECT * FROM rds_backup.rds_restore_window('no-backups');
-- backups just started: nothing restorable yet
SELECT earliest IS NOT NULL AS has_earliest, latest IS NULL AS no_latest_yet, retention_days
  FROM rds_backup.rds_restore_window('brand-new');
SELECT public.try($$SELECT rds_backup.rds_restore_window('no-such-db')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_window('no-such-cluster', true)$$);
SELECT public.try($$SELECT rds_backup.rds_restore_window('pitr-db', true)$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_window('pitr-aurora-instance-1')$$);

-- a point in time inside the window; the session's time zone never changes the instant sent
SET TimeZone = 'Pacific/Chatham';
SELECT earliest AS w_earliest FROM rds_backup.rds_restore_window('pitr-db') \gset
SELECT kind, resource, source, status, aws_status,
       params - 'RestoreTime' AS params,
       params->>'RestoreTime' = to_char(date_trunc('second', :'w_earliest'::timestamptz + interval '10 min')
                                        AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS time_in_utc
  FROM rds_backup.rds_restore_pitr('pitr-db', 'p-ten-minutes', :'w_earliest'::timestamptz + interval '10 min',
                                   'db.t3.small', '{"Tags": {"purpose": "pitr"}}');
SELECT a.params->>'RestoreTime' = o.params->>'RestoreTime' AS sent_as_recorded,
       a.params->>'RestoreTime' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' AS whole_seconds_utc,
       a.params ? 'UseLatestRestorableTime' AS use_latest,
       a.params->>'SourceDBInstanceIdentifier' AS source, a.params->>'DBInstanceClass' AS class
  FROM rds_backup.audit_log a JOIN rds_backup.operations o ON o.id = a.operation_id
 WHERE o.resource = 'p-ten-minutes';
SELECT status, aws_status, progress
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'p-ten-minutes'));
RESET TimeZone;
-- a time given in a zone's local time is that zone's instant
SET TimeZone = 'Asia/Kathmandu';
SELECT pg_temp.try_window_masked($$SELECT rds_backup.rds_restore_pitr('pitr-db', 'p-kathmandu', '2020-01-01 05:45:00')$$);
SELECT pg_temp.try_window_masked($$SELECT rds_backup.rds_restore_pitr('pitr-db', 'p-kathmandu', '2020-01-01 05:45:00.25+00')$$);
RESET TimeZone;

-- sub-second times: RDS takes whole seconds.  A time is sent truncated to its
-- second, unless that second begins before the window does: then the window's
-- first whole second.
SELECT earliest AS w_earliest FROM rds_backup.rds_restore_window('pitr-db') \gset
SELECT r.params->>'RestoreTime' = to_char((date_trunc('second', :'w_earliest'::timestamptz) + interval '1 s')
                                          AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first_whole_second
  FROM rds_backup.rds_restore_pitr('pitr-db', 'p-at-earliest', :'w_earliest'::timestamptz) r;
SELECT r.params->>'RestoreTime' = to_char((date_trunc('second', :'w_earliest'::timestamptz) + interval '1 s')
                                          AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first_whole_second
  FROM rds_backup.rds_restore_pitr('pitr-db', 'p-earliest-plus-300ms',
                                   :'w_earliest'::timestamptz + interval '0.3 s') r;
SELECT r.params->>'RestoreTime' = to_char(date_trunc('second', :'w_earliest'::timestamptz + interval '1.3 s')
                                          AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS truncated
  FROM rds_backup.rds_restore_pitr('pitr-db', 'p-earliest-plus-1300ms',
                                   :'w_earliest'::timestamptz + interval '1.3 s') r;
SELECT resource, status FROM rds_backup.operations
 WHERE resource LIKE 'p-at-earliest%' OR resource LIKE 'p-earliest-plus%' ORDER BY id;

-- outside the window: refused before any restore call, naming the window
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT count(*) AS ops_before FROM rds_backup.operations \gset
SELECT pg_temp.try_masked(format($$SELECT rds_backup.rds_restore_pitr('pitr-db', 'p-too-early', %L::timestamptz - interval '0.1 s')$$, :'w_earliest'));
SELECT pg_temp.try_masked($$SELECT rds_backup.rds_restore_pitr('pitr-db', 'p-future', now() + interval '1 day')$$);
SELECT pg_temp.try_masked($$SELECT rds_backup.rds_restore_pitr('pitr-db', 'p-just-now', now())$$);
SELECT pg_temp.try_masked($$SELECT rds_backup.rds_restore_cluster_pitr('pitr-aurora', 'p-c-future', now() + interval '1 hour')$$);
SELECT action, count(*) FROM public.my_calls(:mark_before) GROUP BY 1 ORDER BY 1;
SELECT count(*) - :ops_before AS operations_recorded FROM rds_backup.operations;
-- no window at all
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('no-backups', 'p-none', now() - interval '1 hour')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('brand-new', 'p-none', now() - interval '1 hour')$$);
-- an Aurora instance: the cluster is what is restored
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('pitr-aurora-instance-1', 'p-none', now() - interval '1 hour')$$);

-- NULL restore_time: the latest restorable time, no window lookup
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT kind, resource, status, params
  FROM rds_backup.rds_restore_pitr('pitr-db', 'p-latest', wait => true);
SELECT action, params->>'UseLatestRestorableTime' AS use_latest, params ? 'RestoreTime' AS has_time
  FROM public.my_calls(:mark_before) WHERE action LIKE 'Restore%';
SELECT count(*) FILTER (WHERE action LIKE 'Describe%') AS describe_calls_before_restore
  FROM public.my_calls(:mark_before) WHERE operation_id IS NULL;
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; [print(i["DBInstanceIdentifier"], i["DBInstanceStatus"], i["DBInstanceClass"], sorted(t["Key"] for t in i["TagList"])) for i in r["instances"] if i["DBInstanceIdentifier"] in ("p-ten-minutes", "p-latest")]'

-- AWS errors
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('no-such-db', 'p-x')$$);
SELECT kind, status, error FROM rds_backup.operations WHERE resource = 'p-x';
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('no-such-db', 'p-x2', now() - interval '1 hour')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('pitr-db', 'pitr-db')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('no-backups', 'p-y')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('brand-new', 'p-z')$$);
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance creating-db --status creating >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('creating-db', 'p-w')$$);

-- waited for: success above; a failure here
\! /usr/bin/python3 test/emulator/emuctl.py fail-next restore >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('pitr-db', 'p-doomed', now() - interval '30 min', wait => true)$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'p-doomed';

-- Aurora: the cluster at a point in time, with its writer
SELECT earliest AS c_earliest FROM rds_backup.rds_restore_window('pitr-aurora', true) \gset
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SET TimeZone = 'America/St_Johns';
SELECT kind, resource, source, status, aws_status, params - 'RestoreToTime' AS params,
       params->>'RestoreToTime' = to_char(date_trunc('second', :'c_earliest'::timestamptz + interval '20 min')
                                          AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS time_in_utc
  FROM rds_backup.rds_restore_cluster_pitr('pitr-aurora', 'p-aurora', :'c_earliest'::timestamptz + interval '20 min',
                                           'db.r6g.xlarge', '{"RestoreType": "copy-on-write"}', wait => true);
RESET TimeZone;
-- before the restore, this session's calls: the window and the writer's
-- name; after it, the calls made for the operation (tracking calls left
-- out): the restore, and the writer, with the engine of the restored cluster
SELECT action, target, error_code, operation_id IS NOT NULL AS linked,
       params->>'Engine' AS engine, params->>'DBInstanceClass' AS class,
       params->>'RestoreType' AS restore_type
  FROM public.all_calls(:mark_before)
 WHERE (backend_pid = pg_backend_pid() AND operation_id IS NULL)
    OR (operation_id IS NOT NULL AND action NOT LIKE 'Describe%')
 ORDER BY id;
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["regions"]["123456789012/us-east-1"]; c=[c for c in r["clusters"] if c["DBClusterIdentifier"]=="p-aurora"][0]; print(c["Status"], c["Engine"], [(m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in c["DBClusterMembers"]])'
-- the latest restorable time, no writer: one call
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT status, params FROM rds_backup.rds_restore_cluster_pitr('pitr-aurora', 'p-aurora-latest');
SELECT action FROM public.my_calls(:mark_before) ORDER BY id;
-- errors
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr('no-such-cluster', 'p-c-x')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr('no-such-cluster', 'p-c-x2', now() - interval '30 min')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr('pitr-aurora', 'pitr-aurora')$$);
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster busy-aurora --status modifying >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr('busy-aurora', 'p-c-y')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr('pitr-aurora', 'p-c-z', options => '{"RestoreType": "instant"}')$$);
\! /usr/bin/python3 test/emulator/emuctl.py fail-next restore >/dev/null
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr('pitr-aurora', 'p-c-doomed', wait => true)$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'p-c-doomed';

-- bad input: refused before any AWS call
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT count(*) AS ops_before FROM rds_backup.operations \gset
SELECT public.try($$SELECT rds_backup.rds_restore_pitr(NULL, 't1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s1', NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s1', 't1', 'infinity')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s1', 't1', '-infinity')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s_1', 't1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('arn:aws:rds:us-east-1:123456789012:db:s1', 't1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s1', 't1-')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s1', 't1', instance_class => 'large')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s1', 't1', wait => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s1', 't1', timeout => '8 days')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('s1', 't1', region => 'x')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('s1', 't1', options => '{"RestoreTime": "2024-01-01T00:00:00Z"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('s1', 't1', options => '{"UseLatestRestorableTime": true}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('s1', 't1', options => '{"SourceDbiResourceId": "db-X"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('s1', 't1', options => '{"SourceDBInstanceAutomatedBackupsArn": "arn:x"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('s1', 't1', options => '{"TargetDBInstanceIdentifier": "x"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('s1', 't1', options => '{"MaxAllocatedStorage": "100"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_pitr('s1', 't1', options => '{"restoretime": "x"}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr(NULL, 't1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr('c1', 't1', 'infinity')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_cluster_pitr('c_1', 't1')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_cluster_pitr('c1', 't1', options => '{"RestoreToTime": "2024-01-01T00:00:00Z"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_cluster_pitr('c1', 't1', options => '{"SourceDBClusterIdentifier": "c2"}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_cluster_pitr('c1', 't1', options => '{"UseLatestRestorableTime": false}')$$);
SELECT pg_temp.try_detail($$SELECT rds_backup.rds_restore_cluster_pitr('c1', 't1', options => '{"Engine": "aurora-postgresql"}')$$);
SELECT public.try(format($$SELECT rds_backup.rds_restore_cluster_pitr('c1', %L, instance_class => 'db.r6g.large')$$, repeat('p', 57)));
SELECT public.try($$SELECT rds_backup.rds_restore_window(NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_restore_window('db1', NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_restore_window('db_1')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_window('db1', region => 'moon')$$);
SELECT public.aws_calls() - :calls_before AS aws_calls_made;
SELECT count(*) - :ops_before AS operations_recorded FROM rds_backup.operations;
