-- Shared by every regression test: a helper that turns an ERROR into
-- "SQLSTATE: message" so that expected output shows the error class.
-- Operation ids depend on what ran before, so they print as N.
CREATE FUNCTION public.try(q text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN regexp_replace(SQLSTATE || ': ' || SQLERRM, 'operation [0-9]+', 'operation N', 'g');
END
$$;
-- The number of AWS calls made so far, from the audit log.
CREATE FUNCTION public.aws_calls() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM rds_backup.audit_log $$;
SELECT extname, extversion, nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'rds_backup';
