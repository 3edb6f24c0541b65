-- rds_copy_to_region(): a second region as a policy.  Every snapshot is
-- copied once; at most 5 copies are in flight to one destination region,
-- the rest wait as queued operations that the worker starts.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.copy=3 durations.snapshot=1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod --automated-snapshots 1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot nightly --instance orders-prod --count 7 --tag rds-backup:created-by=ops --tag lifecycle=nightly >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot handmade --instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot in-progress --instance orders-prod --status creating --set seconds=3600 --tag rds-backup:created-by=ops >/dev/null
SELECT public.audit_mark() AS mark, coalesce(max(id), 0) AS op_mark FROM rds_backup.operations \gset

-- seven to copy: the five oldest start now, two wait in the queue
SELECT kind, region, resource, source, status, aws_status,
       params - 'SourceDBSnapshotIdentifier' AS params
  FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1') ORDER BY id;
-- the calls: the source's snapshots, the destination's, then five copies with a PreSignedUrl
SELECT action, region, target, params->>'PreSignedUrl' AS presigned_url
  FROM public.my_calls(:mark) ORDER BY id;
-- run again while two are queued: nothing is queued twice
SELECT count(*) AS queued_again FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
-- the worker starts the queued ones as copies end
SELECT public.settle('{copy_snapshot}');
SELECT resource, status, aws_status, progress FROM rds_backup.operations
 WHERE id > :op_mark ORDER BY id;
SELECT count(*) FILTER (WHERE backend_pid = pg_backend_pid()) AS started_by_this_session,
       count(*) FILTER (WHERE backend_pid <> pg_backend_pid()) AS started_by_the_worker
  FROM public.all_calls(:mark) WHERE action = 'CopyDBSnapshot';
-- never more than 5 in flight: AWS refused none
SELECT count(*) AS quota_errors FROM public.all_calls(:mark) WHERE error_code IS NOT NULL;
-- the copies in the destination, each tagged with the snapshot it was copied from
SELECT snapshot, status, tags->>'rds-backup:source-arn' AS source_arn, tags->>'lifecycle' AS lifecycle,
       tags ? 'rds-backup:operation' AS has_operation_tag
  FROM rds_backup.rds_snapshots('orders-prod', region => 'eu-west-1') ORDER BY snapshot;
-- and again: nothing to copy
SELECT count(*) AS copied_again FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');

-- a copy deleted in the destination (a prune there) is not made again
SELECT status FROM rds_backup.rds_delete_snapshot('nightly-1', region => 'eu-west-1', wait => true);
SELECT count(*) AS copied_again FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
-- a new snapshot is copied
SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'nightly-8', wait => true);
SELECT resource, status FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
-- a snapshot deleted and made again under the same name is new: copied, beside the old copy
SELECT status FROM rds_backup.rds_delete_snapshot('nightly-3', wait => true);
SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'nightly-3', wait => true);
SELECT resource, source, status FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
-- a copy AWS refuses fails, and the next run queues it again
\! /usr/bin/python3 test/emulator/emuctl.py fault CopyDBSnapshot error --code KMSKeyNotAccessibleFault --status 400 --message "The key is disabled." --count 1 >/dev/null
SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'nightly-9', wait => true);
SELECT resource, status, error FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
SELECT resource, status FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
-- AWS's limit full of copies made elsewhere: back in the queue, and the worker tries again
\! /usr/bin/python3 test/emulator/emuctl.py fault CopyDBSnapshot error --code SnapshotQuotaExceeded --status 400 --message "Cannot start more than 5 concurrent cross-region snapshot copies." --count 1 >/dev/null
SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'nightly-10', wait => true);
CREATE TEMP TABLE requeued AS SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
SELECT resource, status, aws_status, error FROM requeued;
SELECT resource, status, aws_status, error
  FROM rds_backup.rds_wait((SELECT id FROM requeued), '60 s');
-- only_own => false: the hand-made snapshot too
SELECT resource FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1', only_own => false);
SELECT public.settle('{copy_snapshot}');
-- copies of the destination's snapshots are not copied back
SELECT count(*) AS copied_back
  FROM rds_backup.rds_copy_to_region('orders-prod', 'us-east-1', only_own => false, region => 'eu-west-1');

-- a queued copy can be canceled before anything is asked of AWS
\! /usr/bin/python3 test/emulator/emuctl.py config durations.copy=600 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot batch --instance orders-prod --count 6 --tag rds-backup:created-by=ops >/dev/null
CREATE TEMP TABLE batch AS
SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
SELECT resource, status, aws_status FROM batch ORDER BY id;
SELECT public.audit_mark() AS mark \gset
SELECT resource, status, aws_status, error ~ '^canceled by .* while queued: nothing was requested from AWS$' AS says_so
  FROM rds_backup.rds_cancel((SELECT id FROM batch WHERE aws_status = 'queued'));
SELECT count(*) AS calls FROM public.my_calls(:mark);
-- canceled is not copied: the next run queues it again
SELECT resource, status, aws_status FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1');
SELECT count(*) AS canceled
  FROM (SELECT rds_backup.rds_cancel(id) FROM rds_backup.operations
         WHERE kind = 'copy_snapshot' AND finished_at IS NULL) c;
-- (canceling stops the tracking only: AWS finishes the copies it started)
\! /usr/bin/python3 test/emulator/emuctl.py clock --advance 700 --keep-wall >/dev/null

-- encrypted snapshots need a key of the destination, asked before anything is copied
\! /usr/bin/python3 test/emulator/emuctl.py config durations.copy=2 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance secure-db --encrypted --kms-key-id arn:aws:kms:us-east-1:123456789012:key/0bde5000-3333-4a5e-9c0a-0000000000a1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot secure-weekly --instance secure-db --tag rds-backup:created-by=ops >/dev/null
SELECT public.audit_mark() AS mark \gset
\set VERBOSITY default
SELECT * FROM rds_backup.rds_copy_to_region('secure-db', 'eu-west-1');
\set VERBOSITY terse
SELECT string_agg(action, ', ' ORDER BY id) AS calls FROM public.my_calls(:mark);
SELECT resource, status, params->>'KmsKeyId' AS kms_key_id
  FROM rds_backup.rds_copy_to_region('secure-db', 'eu-west-1',
                                     kms_key_id => 'arn:aws:kms:eu-west-1:123456789012:key/eb0c0a5e-1111-4a5e-9c0a-0000000000e1');
SELECT public.settle('{copy_snapshot}');
SELECT snapshot, encrypted, kms_key_id FROM rds_backup.rds_snapshots('secure-db', region => 'eu-west-1');

-- Aurora cluster snapshots
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster orders-aurora --members 1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot aurora-nightly --cluster orders-aurora --count 2 --tag rds-backup:created-by=ops >/dev/null
SELECT kind, region, resource, status
  FROM rds_backup.rds_copy_to_region('orders-aurora', 'eu-west-1', cluster => true) ORDER BY id;
SELECT public.settle('{copy_cluster_snapshot}');
SELECT snapshot, status FROM rds_backup.rds_cluster_snapshots('orders-aurora', region => 'eu-west-1')
 ORDER BY snapshot;
SELECT count(*) AS copied_again
  FROM rds_backup.rds_copy_to_region('orders-aurora', 'eu-west-1', cluster => true);

-- bad arguments: refused before any AWS call
SELECT public.aws_calls() AS calls_before \gset
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region(NULL, 'eu-west-1')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', NULL)$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region('orders_prod', 'eu-west-1')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1', region => 'eu-west-1')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', 'us-east-1')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', 'mars-north-1')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', 'cn-north-1')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1', kms_key_id => 'arn:aws:kms:us-east-1:123456789012:key/0bde5000-3333-4a5e-9c0a-0000000000a1')$$);
SELECT public.try($$SELECT * FROM rds_backup.rds_copy_to_region('orders-prod', 'eu-west-1', only_own => NULL)$$);
SELECT public.aws_calls() - :calls_before AS calls_made;
