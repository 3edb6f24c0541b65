-- rds_share_snapshot(), rds_unshare_snapshot(): the accounts that may copy or
-- restore a manual snapshot (ModifyDB[Cluster]SnapshotAttribute "restore").
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot orders-nightly --instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot secure-nightly --instance orders-prod --encrypted --kms-key-id arn:aws:kms:us-east-1:123456789012:key/orders >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot half-done --instance orders-prod --status creating --set seconds=3600 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot orders-nightly --instance orders-prod --region eu-west-1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster aurora-prod --members 1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot aurora-nightly --cluster aurora-prod --encrypted --kms-key-id arn:aws:kms:us-east-1:123456789012:key/aurora >/dev/null

SELECT public.audit_mark() AS start_id \gset
SELECT count(*) AS start_ops FROM rds_backup.operations \gset

-- share with two accounts (the repeated one counts once): the accounts it is now shared with
SELECT rds_backup.rds_share_snapshot('orders-nightly',
                                     ARRAY['210987654321', '111122223333', '210987654321']);
-- one synchronous call, audited, with the model's member names; no operations row
SELECT action, region, target, http_status, operation_id,
       params - 'DBSnapshotIdentifier' AS params
  FROM public.my_calls(:start_id) ORDER BY id;
SELECT count(*) - :start_ops AS new_operations FROM rds_backup.operations;
-- sharing adds to what is there; sharing again changes nothing
SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['444455556666']);
SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['444455556666']);
-- unsharing removes exactly those accounts
SELECT rds_backup.rds_unshare_snapshot('orders-nightly', ARRAY['111122223333', '999999999999']);
SELECT rds_backup.rds_unshare_snapshot('orders-nightly', ARRAY['210987654321', '444455556666']);
-- a region other than rds_backup.region
SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['210987654321'], region => 'eu-west-1');
SELECT rds_backup.rds_unshare_snapshot('orders-nightly', ARRAY['210987654321'], region => 'eu-west-1');

-- public: only when asked for explicitly
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
\set VERBOSITY default
SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['all']);
\set VERBOSITY terse
SELECT public.aws_calls() - :calls_before AS aws_calls_made;
SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['all', '210987654321'], allow_public => true);
-- unsharing 'all' makes it private again (no allow_public needed)
SELECT rds_backup.rds_unshare_snapshot('orders-nightly', ARRAY['all']);
-- an encrypted snapshot is never made public: refused after a Describe, before any change
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
\set VERBOSITY default
SELECT rds_backup.rds_share_snapshot('secure-nightly', ARRAY['all'], allow_public => true);
\set VERBOSITY terse
SELECT string_agg(action, ', ' ORDER BY id) AS calls FROM public.my_calls(:mark_before);
-- ... but may be shared with accounts
SELECT rds_backup.rds_share_snapshot('secure-nightly', ARRAY['210987654321']);

-- Aurora cluster snapshots
SELECT rds_backup.rds_share_snapshot('aurora-nightly', ARRAY['210987654321', '111122223333'], cluster => true);
SELECT rds_backup.rds_unshare_snapshot('aurora-nightly', ARRAY['210987654321'], cluster => true);
SELECT rds_backup.rds_unshare_snapshot('aurora-nightly', ARRAY['111122223333'], cluster => true);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('aurora-nightly', ARRAY['all'], cluster => true, allow_public => true)$$);
SELECT action FROM public.my_calls() ORDER BY id DESC LIMIT 1;

-- AWS errors are ERRORs with AWS's code
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('no-such-snap', ARRAY['210987654321'])$$);
SELECT public.try($$SELECT rds_backup.rds_unshare_snapshot('no-such-snap', ARRAY['210987654321'])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('no-such-snap', ARRAY['all'], allow_public => true)$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('no-such-snap', ARRAY['210987654321'], cluster => true)$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('half-done', ARRAY['210987654321'])$$);
\! /usr/bin/python3 test/emulator/emuctl.py config shared_snapshot_quota=2 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['210987654321', '111122223333', '444455556666'])$$);
SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['210987654321', '111122223333']);
\! /usr/bin/python3 test/emulator/emuctl.py config shared_snapshot_quota=20 >/dev/null
SELECT action, error_code FROM public.my_calls(:start_id)
 WHERE error_code IS NOT NULL ORDER BY id;

-- bad input is refused before any AWS call
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT public.try($$SELECT rds_backup.rds_share_snapshot(NULL, ARRAY['210987654321'])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', '{}')$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['210987654321', NULL])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['21098765432'])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['2109876543210'])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['21098765432x'])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY[' 210987654321'])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['ALL'], allow_public => true)$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY[['210987654321'], ['111122223333']])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('rds:orders-prod-2026-11-24-03-00', ARRAY['210987654321'])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('bad--name', ARRAY['210987654321'])$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['210987654321'], cluster => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['210987654321'], allow_public => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('orders-nightly', ARRAY['210987654321'], region => 'evil.invalid/')$$);
SELECT public.try($$SELECT rds_backup.rds_unshare_snapshot('orders-nightly', NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_unshare_snapshot('orders-nightly', ARRAY['1'])$$);
SELECT public.try($$SELECT rds_backup.rds_unshare_snapshot(NULL, ARRAY['210987654321'])$$);
SELECT public.try($$SELECT rds_backup.rds_unshare_snapshot('orders-nightly', ARRAY['210987654321'], cluster => NULL)$$);
SELECT public.aws_calls() - :calls_before AS aws_calls_made;
