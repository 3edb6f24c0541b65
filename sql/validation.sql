-- Bad input is refused with a clear ERROR before any AWS call.
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT count(*) AS ops_before FROM rds_backup.operations \gset
-- NULLs
SELECT public.try($$SELECT rds_backup.rds_snapshot(NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', wait => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', timeout => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot(NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('s1', cluster => NULL)$$);
-- identifiers per the RDS naming rules
SELECT public.try($$SELECT rds_backup.rds_snapshot('')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('1db')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db--1')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db-')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db_1')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db 1')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('dé')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot(repeat('a', 64))$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', snapshot => repeat('s', 256))$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', snapshot => 'snap;drop')$$);
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('-s')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshots('bad_name')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshots(snapshot_type => 'weekly')$$);
-- tags
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '[1,2]')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '"x"')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '{"a": 1}')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '{"a": null}')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '{"a": {"b": "c"}}')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '{"": "x"}')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '{"aws:created": "x"}')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '{"AWS:x": "x"}')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', tags => '{"rds-backup:operation": "7"}')$$);
SELECT public.try(format($$SELECT rds_backup.rds_snapshot('db1', tags => %L)$$,
    jsonb_build_object(repeat('k', 129), 'v')));
SELECT public.try(format($$SELECT rds_backup.rds_snapshot('db1', tags => %L)$$,
    jsonb_build_object('k', repeat('v', 257))));
-- 128 and 256 characters, multibyte, are within the limits (checked without calling AWS)
SELECT length(repeat('é', 128)) AS key_chars, octet_length(repeat('é', 128)) AS key_bytes;
SELECT public.try(format($$SELECT rds_backup.rds_snapshot('db1', tags => %L)$$,
    (SELECT jsonb_object_agg('k' || i, 'v') FROM generate_series(1, 49) i)));
-- timeout and region
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', timeout => '0')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', timeout => '-1 hour')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', region => 'us-east-1.evil.invalid')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', region => 'US-EAST-1')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshot('db1', region => '')$$);
SELECT public.try($$SELECT rds_backup.rds_snapshots(region => 'x')$$);
-- none of this reached AWS
SELECT public.aws_calls() - :calls_before AS aws_calls_made;
SELECT count(*) - :ops_before AS operations_recorded FROM rds_backup.operations;
