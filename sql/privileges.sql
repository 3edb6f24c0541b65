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
RESET rds_backup.endpoint;

-- audit_log is append-only, even for superusers
INSERT INTO rds_backup.audit_log (role_name, action, region) VALUES ('x', 'X', 'us-east-1');
SELECT public.try($$UPDATE rds_backup.audit_log SET action = 'x'$$);

DROP OWNED BY rb_nobody, rb_operator;
DROP ROLE rb_nobody, rb_operator;
