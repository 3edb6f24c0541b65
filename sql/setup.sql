-- The suites run in rds_backup.database, where the extension lives (its
-- workers serve that database only); they leave it in place.
CREATE EXTENSION IF NOT EXISTS rds_backup;
-- Shared by every regression test: a helper that turns an ERROR into
-- "SQLSTATE: message" so that expected output shows the error class.
-- Operation ids depend on what ran before, so they print as N.
CREATE OR REPLACE FUNCTION public.try(q text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN regexp_replace(SQLSTATE || ': ' || SQLERRM, 'operation [0-9]+', 'operation N', 'g');
END
$$;
-- The number of AWS calls this session has made so far, from the audit log
-- (once the audit rows of read calls, which nobody waits for, are
-- committed).  The tracker's calls, made meanwhile, are not counted.
CREATE OR REPLACE FUNCTION public.aws_calls() RETURNS bigint
LANGUAGE sql AS $$
    SELECT rds_backup.catalog_flush();
    SELECT count(*) FROM rds_backup.audit_log WHERE backend_pid = pg_backend_pid()
$$;
-- This session's audit rows after id "since", once queued rows are
-- committed: the tracker's calls, made meanwhile, are left out.
CREATE OR REPLACE FUNCTION public.my_calls(since bigint DEFAULT 0)
RETURNS SETOF rds_backup.audit_log
LANGUAGE sql AS $$
    SELECT rds_backup.catalog_flush();
    SELECT * FROM rds_backup.audit_log
     WHERE id > since AND backend_pid = pg_backend_pid() ORDER BY id
$$;
-- The newest audit row id, once queued rows are committed.
CREATE OR REPLACE FUNCTION public.audit_mark() RETURNS bigint
LANGUAGE sql AS $$
    SELECT rds_backup.catalog_flush();
    SELECT coalesce(max(id), 0) FROM rds_backup.audit_log
$$;
-- Every audit row after id "since", the tracker's included.
CREATE OR REPLACE FUNCTION public.all_calls(since bigint DEFAULT 0)
RETURNS SETOF rds_backup.audit_log
LANGUAGE sql AS $$
    SELECT rds_backup.catalog_flush();
    SELECT * FROM rds_backup.audit_log WHERE id > since ORDER BY id
$$;
-- Wait until every unfinished operation of these kinds has ended (or a
-- minute has passed for it), so that a summary does not depend on timing.
CREATE OR REPLACE FUNCTION public.settle(kinds text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    op bigint;
BEGIN
    FOR op IN SELECT id FROM rds_backup.operations
               WHERE kind = ANY (kinds) AND finished_at IS NULL ORDER BY id LOOP
        BEGIN
            PERFORM rds_backup.rds_wait(op, '60 s');
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
    END LOOP;
END
$$;
SELECT extname, extversion, nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'rds_backup';
