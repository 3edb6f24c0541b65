-- Restores in the disaster-recovery region: rds_automated_backups() lists an
-- instance's own backups, those kept after it was deleted, and those
-- replicated into the region; rds_restore_pitr() restores any of them by
-- ARN or resource id, with the same window check before anything starts.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.replication=1 durations.restore=1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod --retention 14 --set dbi_resource_id='"db-ORDERSPROD0000000000000001"' >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance secure-db --encrypted --kms-key-id arn:aws:kms:us-east-1:123456789012:key/0bde5000-3333-4a5e-9c0a-0000000000a1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-retained-backup legacy-db --retention 5 --set dbi_resource_id='"db-LEGACYDB0000000000000000001"' --latest "$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null

-- this region: the instances' own backups and the one kept after legacy-db was deleted
SELECT db_instance, region, status, arn ~ '^arn:aws:rds:us-east-1:123456789012:auto-backup:ab-' AS arn_ok,
       dbi_resource_id ~ '^db-[A-Z0-9]{26}$' AS resource_id_ok, latest - earliest AS window,
       retention_days, encrypted, kms_key_id
  FROM rds_backup.rds_automated_backups() ORDER BY db_instance;
SELECT db_instance, status FROM rds_backup.rds_automated_backups('legacy-db');
-- an instance without backups is no error: nothing to list
SELECT count(*) FROM rds_backup.rds_automated_backups('no-such-db');

-- replicate orders-prod's backups to eu-west-1: they are listed there, by the source's region
SELECT status, aws_status FROM rds_backup.rds_replicate_backups('orders-prod', 'eu-west-1', wait => true);
\! /usr/bin/python3 test/emulator/emuctl.py clock --advance 3600 --keep-wall >/dev/null
SELECT db_instance, region, status, arn ~ '^arn:aws:rds:eu-west-1:' AS in_eu_west_1, dbi_resource_id,
       retention_days
  FROM rds_backup.rds_automated_backups(region => 'eu-west-1');
SELECT arn AS replica_arn, latest AS replica_latest, earliest AS replica_earliest
  FROM rds_backup.rds_automated_backups(region => 'eu-west-1') \gset

-- point in time from the replicated backup, in its region (the ARN's), checked against its window
SELECT public.audit_mark() AS mark \gset
SELECT kind, region, resource, source = :'replica_arn' AS source_is_arn, status,
       params - 'SourceDBInstanceAutomatedBackupsArn' - 'RestoreTime' AS params,
       params->>'SourceDBInstanceAutomatedBackupsArn' = :'replica_arn' AS sends_arn
  FROM rds_backup.rds_restore_pitr(:'replica_arn', 'orders-dr', :'replica_latest'::timestamptz - interval '10 minutes',
                                   wait => true);
SELECT action, region, target = :'replica_arn' AS target_is_arn,
       params->>'SourceDBInstanceAutomatedBackupsArn' = :'replica_arn' AS by_arn,
       params ? 'SourceDBInstanceIdentifier' AS by_identifier
  FROM public.my_calls(:mark) ORDER BY id;
-- outside the window: refused before any restore starts
SELECT public.audit_mark() AS mark \gset
SELECT regexp_replace(public.try(format($$SELECT rds_backup.rds_restore_pitr(%L, 'orders-dr-2', %L::timestamptz - interval '1 day')$$,
                                        :'replica_arn', :'replica_earliest')),
                      '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z|ab-[a-z0-9]+', '<masked>', 'g') AS outside;
SELECT string_agg(action, ', ' ORDER BY id) AS calls FROM public.my_calls(:mark);
-- the latest restorable time needs no window lookup
SELECT kind, region, status FROM rds_backup.rds_restore_pitr(:'replica_arn', 'orders-dr-latest', wait => true);
-- the ARN's region is where it is restored; another region is refused
SELECT replace(public.try(format($$SELECT rds_backup.rds_restore_pitr(%L, 'x', region => 'us-east-1')$$, :'replica_arn')),
               :'replica_arn', '<arn>') AS other_region;

-- by resource id: the retained backup of the deleted legacy-db
SELECT kind, region, resource, source, status, params->>'SourceDbiResourceId' AS sends_resource_id
  FROM rds_backup.rds_restore_pitr('db-LEGACYDB0000000000000000001', 'legacy-back',
                                   now() - interval '3 hours', wait => true);
SELECT regexp_replace(public.try($$SELECT rds_backup.rds_restore_pitr('db-LEGACYDB0000000000000000001', 'legacy-back-2', now() - interval '1 hour')$$),
                      '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z', '<time>', 'g') AS after_deletion;
-- and of a live instance: its own backups
SELECT kind, region, resource, status
  FROM rds_backup.rds_restore_pitr('db-ORDERSPROD0000000000000001', 'orders-copy',
                                   now() - interval '2 hours', wait => true);

-- bad sources: refused before any AWS call
SELECT public.aws_calls() AS calls_before \gset
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('arn:aws:rds:eu-west-1:123456789012:snapshot:x', 't')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-x_y', 't')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('arn:aws:rds:eu-west-1:12345:auto-backup:ab-x', 't')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-x', 't', options => '{"SourceDbiResourceId": "db-X"}')$$);
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('db-orders_prod', 't')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_automated_backups('orders_prod')$$);
SELECT public.aws_calls() - :calls_before AS calls_made;
-- a resource id AWS does not know: no restore
SELECT public.try($$SELECT rds_backup.rds_restore_pitr('db-NOSUCHDB0000000000000000001', 't', now() - interval '1 hour')$$);
SELECT count(*) AS restores_of_unknown FROM rds_backup.operations WHERE resource = 't';
