-- Who may call what, and who may see or change credentials.
\set VERBOSITY terse
CREATE ROLE rb_nobody LOGIN;
CREATE ROLE rb_operator LOGIN;
GRANT USAGE ON SCHEMA rds_backup TO rb_operator;
GRANT EXECUTE ON FUNCTION rds_backup.rds_snapshots(text, text, text) TO rb_operator;
GRANT EXECUTE ON FUNCTION public.try(text) TO rb_nobody, rb_operator;

-- nothing is granted to PUBLIC
SELECT count(*) AS public_executable
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'rds_backup' AND has_function_privilege('public', p.oid, 'EXECUTE')
   AND p.proname NOT LIKE '\_%';

SET ROLE rb_nobody;
SELECT public.try($$SELECT rds_backup.rds_snapshot('orders-prod')$$);
SELECT public.try($$SELECT * FROM rds_backup.operations$$);
SELECT public.try($$SHOW rds_backup.secret_access_key$$);
SELECT public.try($$SHOW rds_backup.session_token$$);
SELECT public.try($$SHOW rds_backup.access_key_id$$);
SELECT public.try($$SELECT current_setting('rds_backup.secret_access_key')$$);
SELECT count(*) AS visible_secret_settings FROM pg_settings
 WHERE name IN ('rds_backup.secret_access_key', 'rds_backup.session_token',
                'rds_backup.access_key_id');
SELECT public.try($$SET rds_backup.secret_access_key = 'x'$$);
SELECT public.try($$SET rds_backup.access_key_id = 'x'$$);
SELECT public.try($$SET rds_backup.endpoint = 'http://127.0.0.1:1'$$);
SELECT public.try($$SET rds_backup.ca_file = '/tmp/evil.pem'$$);
SELECT public.try($$SELECT set_config('rds_backup.endpoint', 'https://evil.invalid', false)$$);
-- a user setting, checked: a region cannot smuggle in a host name
SELECT public.try($$SET rds_backup.region = 'evil.invalid/'$$);
SELECT public.try($$SET rds_backup.region = 'eu-west-3'$$);
RESET ROLE;

SET ROLE rb_operator;
-- granted: may list and read the catalog, but not write it
SELECT public.try($$SELECT count(*) FROM rds_backup.operations$$);
SELECT public.try($$INSERT INTO rds_backup.operations (kind, region, resource, requested_by) VALUES ('snapshot', 'us-east-1', 'x', 'me')$$);
SELECT public.try($$DELETE FROM rds_backup.audit_log$$);
SELECT public.try($$SELECT rds_backup.rds_delete_snapshot('a')$$);
SELECT public.try($$SHOW rds_backup.secret_access_key$$);
RESET ROLE;

-- superusers see that a secret is set, never its value
SHOW rds_backup.secret_access_key;
SHOW rds_backup.access_key_id;
SELECT count(*) AS secret_rows_in_pg_settings FROM pg_settings
 WHERE name IN ('rds_backup.secret_access_key', 'rds_backup.session_token');

-- the endpoint refuses plain http to anything but loopback, and odd URLs
SELECT public.try($$SET rds_backup.endpoint = 'http://rds.example.invalid'$$);
SELECT public.try($$SET rds_backup.endpoint = 'ftp://127.0.0.1/'$$);
SELECT public.try($$SET rds_backup.endpoint = 'https://user:pw@rds.example.invalid/'$$);
SELECT public.try($$SET rds_backup.endpoint = 'https://rds.example.invalid/x?y=1'$$);
SELECT public.try($$SET rds_backup.endpoint = 'http://[::1]:1'$$);
SELECT public.try($$SET rds_backup.endpoint = 'http://localhost:1'$$);
SELECT public.try($$SET rds_backup.endpoint = 'https://vpce-1.rds.us-east-1.vpce.amazonaws.com'$$);
-- a host that is not a DNS name or an address never reaches a Host header
SELECT public.try($$SET rds_backup.endpoint = 'https://rds_x.example.invalid'$$);
SELECT public.try($$SET rds_backup.endpoint = 'https:/.example.invalid'$$);
SELECT public.try(format('SET rds_backup.endpoint = %L', 'https://r' || chr(233) || 'ds.example.invalid'));
RESET rds_backup.endpoint;

-- audit_log is append-only, even for superusers: no UPDATE, DELETE or
-- TRUNCATE, even with triggers off for replication; only the catalog
-- writer's history sweep deletes (test/scripts/20_worker.sh)
INSERT INTO rds_backup.audit_log (role_name, action, region) VALUES ('x', 'X', 'us-east-1');
SELECT count(*) AS audit_rows FROM rds_backup.audit_log \gset
SELECT public.try($$UPDATE rds_backup.audit_log SET action = 'x'$$);
SELECT public.try($$DELETE FROM rds_backup.audit_log$$);
SELECT public.try($$DELETE FROM rds_backup.audit_log WHERE false$$);
SELECT public.try($$TRUNCATE rds_backup.audit_log$$);
SET session_replication_role = replica;
SELECT public.try($$DELETE FROM rds_backup.audit_log$$);
SELECT public.try($$TRUNCATE rds_backup.audit_log$$);
RESET session_replication_role;
SELECT count(*) = :audit_rows AS all_rows_kept FROM rds_backup.audit_log;
-- the guard is a trigger function, not callable, and not granted
SELECT public.try($$SELECT rds_backup._audit_log_guard()$$);
SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_log_append_only';

-- Who may cancel whose operations: one's own, those of roles one has the
-- privileges of, and any for members of rds_backup_admin (as
-- pg_cancel_backend with pg_signal_backend).  Making a snapshot public
-- needs rds_backup_admin too.
SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'rds_backup_admin';
RESET rds_backup.region;
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.snapshot=3600 durations.export=3600 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance priv-db >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot priv-shared --instance priv-db >/dev/null
CREATE ROLE rb_alice LOGIN;
CREATE ROLE rb_bob LOGIN;
CREATE ROLE rb_lead LOGIN IN ROLE rb_alice;		-- has rb_alice's privileges
CREATE ROLE rb_noinherit LOGIN NOINHERIT IN ROLE rb_alice;
CREATE ROLE rb_admin LOGIN IN ROLE rds_backup_admin;
GRANT USAGE ON SCHEMA rds_backup TO rb_alice, rb_bob, rb_lead, rb_noinherit, rb_admin;
GRANT EXECUTE ON FUNCTION
    rds_backup.rds_snapshot(text, text, jsonb, boolean, interval, text),
    rds_backup.rds_cancel(bigint),
    rds_backup.rds_export_snapshot(text, text, text, text, text, text[], text, boolean, interval, text),
    rds_backup.rds_cancel_export(text, text),
    rds_backup.rds_share_snapshot(text, text[], boolean, boolean, text),
    rds_backup.rds_unshare_snapshot(text, text[], boolean, text),
    rds_backup.catalog_flush()
  TO rb_alice, rb_bob, rb_lead, rb_noinherit, rb_admin;
GRANT EXECUTE ON FUNCTION public.try(text) TO rb_alice, rb_bob, rb_lead, rb_noinherit, rb_admin;
SET ROLE rb_alice;
SELECT id AS op1 FROM rds_backup.rds_snapshot('priv-db', 'priv-1') \gset
SELECT id AS op2 FROM rds_backup.rds_snapshot('priv-db', 'priv-2') \gset
SELECT id AS op3 FROM rds_backup.rds_snapshot('priv-db', 'priv-3') \gset
SELECT status FROM rds_backup.rds_export_snapshot(
    'arn:aws:rds:us-east-1:123456789012:snapshot:priv-shared', 'priv-exports',
    'arn:aws:iam::123456789012:role/rds-s3-export', 'alias/rds-exports',
    export_id => 'priv-export');
RESET ROLE;
-- another role: refused, and nothing is changed
SET ROLE rb_bob;
SELECT public.try('SELECT rds_backup.rds_cancel(' || :op1 || ')');
SELECT public.try($$SELECT rds_backup.rds_cancel_export('priv-export')$$);
-- an export no role of this database requested: rds_backup_admin only,
-- refused before any AWS call
SELECT public.try($$SELECT rds_backup.rds_cancel_export('started-by-others')$$);
RESET ROLE;
SELECT status FROM rds_backup.operations WHERE id = :op1;
SELECT status FROM rds_backup.operations WHERE resource = 'priv-export' ORDER BY id DESC LIMIT 1;
SELECT count(*) AS cancel_calls_by_bob FROM rds_backup.audit_log
 WHERE role_name = 'rb_bob' AND action = 'CancelExportTask';
-- a member of the requesting role (inheriting its privileges) may
SET ROLE rb_lead;
SELECT status, error ~ '^tracking canceled by rb_lead' AS says_who
  FROM rds_backup.rds_cancel(:op1);
RESET ROLE;
-- a member that does not inherit them must SET ROLE first
SET ROLE rb_noinherit;
SELECT public.try('SELECT rds_backup.rds_cancel(' || :op2 || ')');
RESET ROLE;
-- the requesting role itself may
SET ROLE rb_alice;
SELECT status FROM rds_backup.rds_cancel(:op2);
RESET ROLE;
-- rds_backup_admin may cancel anyone's
SET ROLE rb_admin;
SELECT status FROM rds_backup.rds_cancel(:op3);
SELECT status, error ~ '^canceled by rb_admin' AS says_who
  FROM rds_backup.rds_cancel_export('priv-export');
RESET ROLE;
-- sharing with 'all' (public) needs rds_backup_admin, even with allow_public
SET ROLE rb_alice;
SELECT public.try($$SELECT rds_backup.rds_share_snapshot('priv-shared', ARRAY['all'], allow_public => true)$$);
SELECT rds_backup.rds_share_snapshot('priv-shared', ARRAY['210987654321']);
RESET ROLE;
SELECT count(*) AS attribute_calls_for_all FROM rds_backup.audit_log
 WHERE role_name = 'rb_alice' AND action = 'ModifyDBSnapshotAttribute'
   AND params->>'ValuesToAdd.AttributeValue.1' = 'all';
SET ROLE rb_admin;
SELECT rds_backup.rds_share_snapshot('priv-shared', ARRAY['all'], allow_public => true);
RESET ROLE;
-- making it private again is anyone's
SET ROLE rb_alice;
SELECT rds_backup.rds_unshare_snapshot('priv-shared', ARRAY['all', '210987654321']);
SELECT id AS op4 FROM rds_backup.rds_snapshot('priv-db', 'priv-4') \gset
RESET ROLE;
-- operations record their role by name: renamed, it no longer owns them
ALTER ROLE rb_alice RENAME TO rb_alice_renamed;
SET ROLE rb_alice_renamed;
SELECT public.try('SELECT rds_backup.rds_cancel(' || :op4 || ')');
RESET ROLE;
ALTER ROLE rb_alice_renamed RENAME TO rb_alice;
SET ROLE rb_alice;
SELECT status FROM rds_backup.rds_cancel(:op4);
RESET ROLE;
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null

DROP OWNED BY rb_nobody, rb_operator, rb_alice, rb_bob, rb_lead, rb_noinherit, rb_admin;
DROP ROLE rb_nobody, rb_operator, rb_alice, rb_bob, rb_lead, rb_noinherit, rb_admin;
