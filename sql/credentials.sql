-- whoami() and the settings of assumed roles.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
SELECT public.audit_mark() AS mark \gset
-- the server's static keys: no STS call needed, the key id masked
SELECT source, access_key_id, expires_at, role_arn FROM rds_backup.whoami();
SELECT count(*) AS sts_calls FROM public.my_calls(:mark) WHERE service = 'sts';
-- temporary keys of a role: whoami asks STS which role (GetCallerIdentity)
SET rds_backup.access_key_id = 'ASIAEMULATOR00000001';
SET rds_backup.secret_access_key = 'emulator/secret/key/temporary0000000001';
SET rds_backup.session_token = 'emulator-session-token-0000000001';
SELECT source, access_key_id, expires_at, role_arn FROM rds_backup.whoami();
SELECT action, http_status FROM public.my_calls(:mark) WHERE service = 'sts';
RESET rds_backup.access_key_id;
RESET rds_backup.secret_access_key;
RESET rds_backup.session_token;
-- a role on top of them: AssumeRole, its ARN, when it expires
SET rds_backup.role_arn = 'arn:aws:iam::123456789012:role/rds-backup-operator';
SELECT source, access_key_id ~ '^ASIA\.\.\.[A-Z0-9]{4}$' AS masked,
       expires_at BETWEEN now() + interval '55 min' AND now() + interval '61 min' AS expires_in_an_hour,
       role_arn
  FROM rds_backup.whoami('eu-west-2');
SELECT action, region, target, http_status FROM public.my_calls(:mark) WHERE action = 'AssumeRole';
RESET rds_backup.role_arn;
-- settings are checked
SELECT public.try($$SET rds_backup.role_arn = 'arn:aws:iam::123456789012:user/bob'$$);
SELECT public.try($$SET rds_backup.role_arn = 'arn:aws:iam::1234:role/x'$$);
SELECT public.try($$SET rds_backup.role_arn = 'arn:aws-cn:iam::123456789012:role/path/to/x'$$);
SELECT public.try($$SET rds_backup.role_arn = 'arn:aws-us-gov:iam::123456789012:role/x/'$$);
SELECT public.try($$SET rds_backup.external_id = 'x'$$);
SELECT public.try($$SET rds_backup.external_id = 'pg-cluster:7/a=b@c'$$);
SELECT public.try($$SET rds_backup.external_id = 'with space'$$);
RESET rds_backup.role_arn;
RESET rds_backup.external_id;
-- only superusers set them
CREATE ROLE rb_cred_user LOGIN;
SET ROLE rb_cred_user;
SELECT public.try($$SET rds_backup.role_arn = 'arn:aws:iam::123456789012:role/x'$$);
SELECT public.try($$SET rds_backup.external_id = 'abc'$$);
SELECT public.try($$SELECT * FROM rds_backup.whoami()$$);
RESET ROLE;
DROP ROLE rb_cred_user;
