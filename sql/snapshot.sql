-- rds_snapshot(), rds_snapshots(), rds_delete_snapshot() against the emulator.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.snapshot=2 durations.delete=1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod >/dev/null
-- the operation summary at the end counts this file's operations only
DELETE FROM rds_backup.operations;

-- a snapshot with tags: the operations row comes back, in progress
SELECT kind, region, resource, source, status, aws_status, progress,
       requested_by = current_user AS by_me, resource_arn,
       request_id IS NOT NULL AS has_request_id, error, finished_at IS NULL AS unfinished,
       params
  FROM rds_backup.rds_snapshot('orders-prod', 'orders-prod-manual-1',
                               tags => '{"lifecycle": "nightly", "two words": "a+b é"}');
-- one audit row for the call, linked to the operation
SELECT a.action, a.region, a.target, a.http_status, a.error_code, a.attempt,
       a.request_id = o.request_id AS same_request, a.operation_id = o.id AS linked,
       a.params->>'Tags.Tag.2.Value' AS tag2
  FROM rds_backup.audit_log a JOIN rds_backup.operations o ON o.id = a.operation_id
 WHERE o.resource = 'orders-prod-manual-1';
-- AWS holds the caller's tags plus the provenance tags
SELECT s.snapshot, s.db_identifier, s.snapshot_type, s.engine, s.allocated_gb, s.encrypted,
       s.tags - 'rds-backup:operation' AS tags,
       (s.tags->>'rds-backup:operation')::bigint = o.id AS operation_tag_matches
  FROM rds_backup.rds_snapshots('orders-prod') s
  JOIN rds_backup.operations o ON o.resource = s.snapshot
 WHERE s.snapshot = 'orders-prod-manual-1';

-- wait => true returns once the snapshot is available
SELECT resource, status, aws_status, progress, finished_at IS NOT NULL AS finished
  FROM rds_backup.rds_snapshot('orders-prod', 'orders-prod-manual-2', wait => true);
-- and the first one finishes when waited for by id
SELECT status, aws_status, progress
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations
                             WHERE resource = 'orders-prod-manual-1'));

-- automatic identifiers: instance name + UTC time, unique within a second
SELECT a.resource ~ '^orders-prod-[0-9]{8}t[0-9]{6}(-[0-9]+)?$' AS a_ok,
       b.resource ~ '^orders-prod-[0-9]{8}t[0-9]{6}(-[0-9]+)?$' AS b_ok,
       a.resource <> b.resource AS distinct_ids
  FROM rds_backup.rds_snapshot('orders-prod') a, rds_backup.rds_snapshot('ORDERS-PROD') b;

-- AWS errors become ERRORs with AWS's code and message, and the row says so
SELECT public.try($$SELECT rds_backup.rds_snapshot('no-such-db', 'snap-x')$$);
SELECT status, error FROM rds_backup.operations WHERE resource = 'snap-x';
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'orders-prod-manual-1')$$);
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance busy-db --status modifying >/dev/null
SELECT public.try($$SELECT rds_backup.rds_snapshot('busy-db', 'snap-y')$$);
\! /usr/bin/python3 test/emulator/emuctl.py config snapshot_quota=4 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'snap-over-quota')$$);
\! /usr/bin/python3 test/emulator/emuctl.py config snapshot_quota=1000 >/dev/null

-- a snapshot that fails while being waited for: ERROR, row failed
\! /usr/bin/python3 test/emulator/emuctl.py fail-next snapshot >/dev/null
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'doomed', wait => true)$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'doomed';

-- a wait that runs out of time: an ERROR for the caller; the operation stays tracked
\! /usr/bin/python3 test/emulator/emuctl.py config durations.snapshot=60 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'slow', wait => true, timeout => '1.5 s')$$);
SELECT status, aws_status, error FROM rds_backup.operations WHERE resource = 'slow';
\! /usr/bin/python3 test/emulator/emuctl.py config durations.snapshot=2 >/dev/null

-- deleting: a snapshot still creating cannot be deleted; unknown ones are not found
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('slow')$$);
-- the snapshot that outlived its caller's wait: AWS finishes it, the worker sees it
\! /usr/bin/python3 test/emulator/emuctl.py status snapshot slow available >/dev/null
SELECT status, aws_status, progress, finished_at > requested_at AS finished
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE kind = 'snapshot' AND resource = 'slow'), '30 s');
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('never-was')$$);
SELECT kind, resource, status, aws_status
  FROM rds_backup.rds_delete_snapshot('orders-prod-manual-2', wait => true);
SELECT count(*) AS still_listed FROM rds_backup.rds_snapshots('orders-prod')
 WHERE snapshot = 'orders-prod-manual-2';

-- listings follow every Marker: 250 snapshots take 3 pages
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance big-db >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot bulk --instance big-db --count 250 >/dev/null
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT count(*) AS snapshots, count(DISTINCT snapshot) AS distinct_snapshots
  FROM rds_backup.rds_snapshots('big-db');
SELECT public.aws_calls() - :calls_before AS describe_calls;
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot auto --instance big-db --type automated --count 3 >/dev/null
SELECT snapshot_type, count(*) FROM rds_backup.rds_snapshots('big-db', 'automated') GROUP BY 1;

-- throttling is retried (AWS standard mode) and audited per attempt
\! /usr/bin/python3 test/emulator/emuctl.py fault CreateDBSnapshot throttle --count 2 >/dev/null
SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'after-throttling');
SELECT attempt, http_status, error_code FROM public.my_calls()
 WHERE target = 'after-throttling' ORDER BY id;
SET rds_backup.max_attempts = 1;
\! /usr/bin/python3 test/emulator/emuctl.py fault CreateDBSnapshot throttle --count 1 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'throttled')$$);
RESET rds_backup.max_attempts;
-- 5xx replies are retried too
\! /usr/bin/python3 test/emulator/emuctl.py fault CreateDBSnapshot http503 --count 1 >/dev/null
SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'after-503');
-- a reply lost after AWS made the snapshot: the retry meets
-- DBSnapshotAlreadyExists, and the snapshot carrying this operation's tag is
-- recognised as ours (no error, no second snapshot under another name)
\! /usr/bin/python3 test/emulator/emuctl.py fault CreateDBSnapshot truncated --count 1 >/dev/null
SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'lost-reply');
SELECT action, http_status, error_code FROM public.my_calls()
 WHERE target = 'lost-reply' ORDER BY id;
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance lost-db >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py fault CreateDBSnapshot truncated --count 1 >/dev/null
SELECT status FROM rds_backup.rds_snapshot('lost-db');
SELECT count(*) AS snapshots_of_lost_db FROM rds_backup.rds_snapshots('lost-db');
-- a reply that is not XML: no guess, the row stays pending for the worker
SET rds_backup.max_attempts = 1;
\! /usr/bin/python3 test/emulator/emuctl.py fault CreateDBSnapshot malformed --count 1 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'garbled')$$);
SELECT status, error IS NOT NULL AS has_error FROM rds_backup.operations WHERE resource = 'garbled';
RESET rds_backup.max_attempts;

-- wrong credentials: AWS's signature error, nothing secret in it
SET rds_backup.secret_access_key = 'not-the-right-secret';
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'bad-signature')$$);
RESET rds_backup.secret_access_key;
SET rds_backup.access_key_id = 'AKIANOSUCHKEY0000000';
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'bad-key')$$);
RESET rds_backup.access_key_id;
-- nothing listens: a transport error, and the row is failed (nothing was sent)
SET rds_backup.endpoint = 'http://127.0.0.1:9';
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod', 'unreachable')$$);
SELECT status FROM rds_backup.operations WHERE resource = 'unreachable';
RESET rds_backup.endpoint;
-- a host that does not resolve
SET rds_backup.endpoint = 'https://rds.example.invalid';
SELECT public.try($$SELECT rds_backup.rds_snapshots()$$);
RESET rds_backup.endpoint;

-- the operation summary (of this file's kinds: other files may run first),
-- once the worker has settled what it can
SELECT public.settle(ARRAY['snapshot', 'delete_snapshot']);
SELECT kind, status, operations FROM rds_backup.operation_summary
 WHERE kind IN ('snapshot', 'delete_snapshot') ORDER BY 1, 2;
