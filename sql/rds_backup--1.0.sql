-- rds_backup 1.0: Amazon RDS and Aurora backups from SQL.
\echo Use "CREATE EXTENSION rds_backup" to load this file. \quit

-- The catalog writer and the tracker are connected to one database,
-- rds_backup.database: the extension lives there and nowhere else.
CREATE FUNCTION @extschema@._check_database()
RETURNS void
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'rds_backup_check_database';
SELECT @extschema@._check_database();
DROP FUNCTION @extschema@._check_database();

-- Nothing here is usable by PUBLIC: an administrator grants USAGE on the
-- schema and EXECUTE on the functions a role may call (README.md).
REVOKE ALL ON SCHEMA @extschema@ FROM PUBLIC;

-- One row per asynchronous AWS operation started through the extension.
-- Only the extension's catalog writer writes it, in transactions of its
-- own, so a row outlives the rollback of the transaction that started the
-- operation: AWS cannot roll back, so the record may not either.  A row is
-- tracked until AWS reports the operation's end, or until
-- rds_backup.tracking_limit (7 days) has passed (status timed_out); the
-- timeout a caller waits with bounds that wait only.
CREATE TABLE @extschema@.operations (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN (
                        'snapshot', 'cluster_snapshot', 'restore_snapshot',
                        'restore_pitr', 'restore_cluster_snapshot',
                        'restore_cluster_pitr', 'copy_snapshot',
                        'copy_cluster_snapshot', 'delete_snapshot',
                        'delete_cluster_snapshot', 'export',
                        'replicate_backups', 'modify')),
    region          text NOT NULL,
    resource        text NOT NULL,
    source          text,
    resource_arn    text,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN (
                        'pending', 'in_progress', 'succeeded', 'failed',
                        'canceled', 'timed_out')),
    aws_status      text,
    progress        int CHECK (progress BETWEEN 0 AND 100),
    params          jsonb NOT NULL DEFAULT '{}',
    request_id      text,
    error           text,
    requested_by    name NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz,
    -- when SNS / CloudWatch took the finished operation
    published_at    timestamptz,
    -- who it acts as: the AWS account it runs in, and the IAM role (with
    -- its external id) it was started under; every later call about it
    -- (the worker's polls included) acts as the same role
    account         text,
    role_arn        text,
    external_id     text,
    CHECK ((finished_at IS NULL) = (status IN ('pending', 'in_progress')))
);

CREATE INDEX operations_unfinished_idx ON @extschema@.operations (kind, region)
    WHERE finished_at IS NULL;
CREATE INDEX operations_finished_at_idx ON @extschema@.operations (finished_at)
    WHERE finished_at IS NOT NULL;

-- One row per AWS API call (every attempt), append-only.
CREATE TABLE @extschema@.audit_log (
    id              bigserial PRIMARY KEY,
    called_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    role_name       name NOT NULL,
    service         text NOT NULL DEFAULT 'rds',
    action          text NOT NULL,
    region          text NOT NULL,
    target          text,
    params          jsonb NOT NULL DEFAULT '{}',
    http_status     int,
    error_code      text,
    request_id      text,
    duration_ms     double precision,
    attempt         int NOT NULL DEFAULT 1,
    operation_id    bigint,
    -- the process that made the call: a session, or the tracker
    backend_pid     int
);

CREATE INDEX audit_log_called_at_idx ON @extschema@.audit_log (called_at);

-- Append-only: UPDATE, DELETE and TRUNCATE are refused to every role,
-- superusers included; the one DELETE that passes is the catalog writer's
-- history sweep (rds_backup.history_retention), which the C function tells
-- by a flag only that process sets.  ENABLE ALWAYS: session_replication_role
-- = replica, which skips ordinary triggers, does not skip this one.
CREATE FUNCTION @extschema@._audit_log_guard()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'rds_backup_audit_log_guard';
REVOKE ALL ON FUNCTION @extschema@._audit_log_guard() FROM PUBLIC;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON @extschema@.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._audit_log_guard();
ALTER TABLE @extschema@.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;

-- Readable by roles that an administrator gives USAGE on the schema; only
-- the extension writes.
REVOKE ALL ON @extschema@.operations, @extschema@.audit_log FROM PUBLIC;
GRANT SELECT ON @extschema@.operations, @extschema@.audit_log TO PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.operations_id_seq,
    @extschema@.audit_log_id_seq FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.operations', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.operations_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log_id_seq', '');

-- Every function that starts an AWS operation returns its operations row.
-- With wait => true it blocks until the operation ends; timeout bounds that
-- wait and nothing else: when it passes, the caller gets an ERROR (SQLSTATE
-- 03000), AWS goes on, and the worker keeps tracking the operation until AWS
-- reports its end (or rds_backup.tracking_limit passes).

-- Snapshots ------------------------------------------------------------

CREATE FUNCTION @extschema@.rds_snapshot(
    db_instance text,
    snapshot text DEFAULT NULL,
    tags jsonb DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_snapshot';

CREATE FUNCTION @extschema@.rds_delete_snapshot(
    snapshot text,
    cluster boolean DEFAULT false,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_delete_snapshot';

CREATE FUNCTION @extschema@.rds_snapshots(
    db_instance text DEFAULT NULL,
    snapshot_type text DEFAULT NULL,
    region text DEFAULT NULL)
RETURNS TABLE (
    snapshot text,
    db_identifier text,
    snapshot_type text,
    status text,
    progress int,
    created_at timestamptz,
    allocated_gb int,
    encrypted boolean,
    kms_key_id text,
    engine text,
    arn text,
    tags jsonb)
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_snapshots';

REVOKE ALL ON FUNCTION
    @extschema@.rds_snapshot(text, text, jsonb, boolean, interval, text),
    @extschema@.rds_delete_snapshot(text, boolean, boolean, interval, text),
    @extschema@.rds_snapshots(text, text, text)
FROM PUBLIC;

-- Operations by id ------------------------------------------------------

CREATE FUNCTION @extschema@.rds_wait(
    operation_id bigint,
    timeout interval DEFAULT '1 hour')
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_wait';

CREATE FUNCTION @extschema@.rds_cancel(operation_id bigint)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_cancel';

COMMENT ON FUNCTION @extschema@.rds_wait(bigint, interval) IS
    'Waits for an operation to end; timeout bounds the wait only: the operation stays tracked';

REVOKE ALL ON FUNCTION
    @extschema@.rds_wait(bigint, interval),
    @extschema@.rds_cancel(bigint)
FROM PUBLIC;

-- Per kind and status: how many, how long the finished ones took, and
-- since when the oldest unfinished one has been waiting.
CREATE VIEW @extschema@.operation_summary AS
SELECT kind,
       status,
       count(*) AS operations,
       make_interval(secs => percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM finished_at - requested_at))) AS p50_duration,
       make_interval(secs => percentile_cont(0.95) WITHIN GROUP (
           ORDER BY extract(epoch FROM finished_at - requested_at))) AS p95_duration,
       min(requested_at) FILTER (WHERE finished_at IS NULL) AS oldest_pending
  FROM @extschema@.operations
 GROUP BY kind, status;

REVOKE ALL ON @extschema@.operation_summary FROM PUBLIC;
GRANT SELECT ON @extschema@.operation_summary TO PUBLIC;

-- The background worker's state: whether it runs, and how much it polls.
CREATE FUNCTION @extschema@.tracker_status(
    OUT running boolean,
    OUT pid int,
    OUT rounds bigint,
    OUT aws_calls bigint,
    OUT operations_polled bigint,
    OUT changes bigint,
    OUT last_pending int,
    OUT started_at timestamptz,
    OUT last_round_at timestamptz,
    OUT last_round_calls int)
RETURNS record
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'rds_backup_tracker_status';
REVOKE ALL ON FUNCTION @extschema@.tracker_status() FROM PUBLIC;

-- The catalog writer and its queue: whether it runs, what waits for it.
CREATE FUNCTION @extschema@.writer_status(
    OUT running boolean,
    OUT pid int,
    OUT queued_bytes bigint,
    OUT records bigint,
    OUT batches bigint,
    OUT largest_batch bigint,
    OUT failed bigint,
    OUT waits_for_space bigint)
RETURNS record
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'rds_backup_writer_status';
REVOKE ALL ON FUNCTION @extschema@.writer_status() FROM PUBLIC;

-- Waits until every catalog record queued so far is committed: the audit
-- rows of read calls are queued without waiting for their commit.
CREATE FUNCTION @extschema@.catalog_flush()
RETURNS void
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'rds_backup_catalog_flush';
REVOKE ALL ON FUNCTION @extschema@.catalog_flush() FROM PUBLIC;

-- Aurora cluster snapshots and restores ---------------------------------

CREATE FUNCTION @extschema@.rds_cluster_snapshot(
    db_cluster text,
    snapshot text DEFAULT NULL,
    tags jsonb DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_cluster_snapshot';

CREATE FUNCTION @extschema@.rds_cluster_snapshots(
    db_cluster text DEFAULT NULL,
    snapshot_type text DEFAULT NULL,
    region text DEFAULT NULL)
RETURNS TABLE (
    snapshot text,
    db_identifier text,
    snapshot_type text,
    status text,
    progress int,
    created_at timestamptz,
    allocated_gb int,
    encrypted boolean,
    kms_key_id text,
    engine text,
    arn text,
    tags jsonb)
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_cluster_snapshots';

CREATE FUNCTION @extschema@.rds_restore_snapshot(
    snapshot text,
    target text,
    instance_class text DEFAULT NULL,
    options jsonb DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_restore_snapshot';

CREATE FUNCTION @extschema@.rds_restore_cluster_snapshot(
    snapshot text,
    target text,
    instance_class text DEFAULT NULL,
    options jsonb DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_restore_cluster_snapshot';

CREATE FUNCTION @extschema@.rds_restore_pitr(
    source text,
    target text,
    restore_time timestamptz DEFAULT NULL,
    instance_class text DEFAULT NULL,
    options jsonb DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_restore_pitr';

CREATE FUNCTION @extschema@.rds_restore_cluster_pitr(
    source text,
    target text,
    restore_time timestamptz DEFAULT NULL,
    instance_class text DEFAULT NULL,
    options jsonb DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_restore_cluster_pitr';

CREATE FUNCTION @extschema@.rds_restore_window(
    db_identifier text,
    cluster boolean DEFAULT false,
    region text DEFAULT NULL,
    OUT earliest timestamptz,
    OUT latest timestamptz,
    OUT retention_days int)
RETURNS record
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_restore_window';

REVOKE ALL ON FUNCTION
    @extschema@.rds_cluster_snapshot(text, text, jsonb, boolean, interval, text),
    @extschema@.rds_cluster_snapshots(text, text, text),
    @extschema@.rds_restore_snapshot(text, text, text, jsonb, boolean, interval, text),
    @extschema@.rds_restore_cluster_snapshot(text, text, text, jsonb, boolean, interval, text),
    @extschema@.rds_restore_pitr(text, text, timestamptz, text, jsonb, boolean, interval, text),
    @extschema@.rds_restore_cluster_pitr(text, text, timestamptz, text, jsonb, boolean, interval, text),
    @extschema@.rds_restore_window(text, boolean, text)
FROM PUBLIC;

-- Copies, sharing, cross-region automated backups ------------------------

CREATE FUNCTION @extschema@.rds_copy_snapshot(
    source text,
    target text,
    source_region text DEFAULT NULL,
    kms_key_id text DEFAULT NULL,
    copy_tags boolean DEFAULT true,
    tags jsonb DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_copy_snapshot';

CREATE FUNCTION @extschema@.rds_copy_cluster_snapshot(
    source text,
    target text,
    source_region text DEFAULT NULL,
    kms_key_id text DEFAULT NULL,
    copy_tags boolean DEFAULT true,
    tags jsonb DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_copy_cluster_snapshot';

CREATE FUNCTION @extschema@.rds_share_snapshot(
    snapshot text,
    accounts text[],
    cluster boolean DEFAULT false,
    allow_public boolean DEFAULT false,
    region text DEFAULT NULL)
RETURNS text[]
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_share_snapshot';

CREATE FUNCTION @extschema@.rds_unshare_snapshot(
    snapshot text,
    accounts text[],
    cluster boolean DEFAULT false,
    region text DEFAULT NULL)
RETURNS text[]
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_unshare_snapshot';

CREATE FUNCTION @extschema@.rds_replicate_backups(
    db_instance text,
    destination_region text,
    retention_days int DEFAULT 7,
    kms_key_id text DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_replicate_backups';

CREATE FUNCTION @extschema@.rds_stop_replicating_backups(
    db_instance text,
    destination_region text,
    region text DEFAULT NULL)
RETURNS text
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_stop_replicating_backups';

REVOKE ALL ON FUNCTION
    @extschema@.rds_copy_snapshot(text, text, text, text, boolean, jsonb, boolean, interval, text),
    @extschema@.rds_copy_cluster_snapshot(text, text, text, text, boolean, jsonb, boolean, interval, text),
    @extschema@.rds_share_snapshot(text, text[], boolean, boolean, text),
    @extschema@.rds_unshare_snapshot(text, text[], boolean, text),
    @extschema@.rds_replicate_backups(text, text, int, text, boolean, interval, text),
    @extschema@.rds_stop_replicating_backups(text, text, text)
FROM PUBLIC;

-- Backup settings and exports to S3 ------------------------------------

-- wait and timeout are not in API.md's row for rds_set_retention: turning
-- automated backups on or off takes the instance through modifying and
-- backing-up for minutes, and a script that snapshots or restores next
-- needs to wait for it, as with every other function that starts an
-- operation.
CREATE FUNCTION @extschema@.rds_set_retention(
    db_identifier text,
    days int,
    cluster boolean DEFAULT false,
    backup_window text DEFAULT NULL,
    allow_disable boolean DEFAULT false,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_set_retention';

CREATE FUNCTION @extschema@.rds_set_deletion_protection(
    db_identifier text,
    enabled boolean,
    cluster boolean DEFAULT false,
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_set_deletion_protection';

CREATE FUNCTION @extschema@.rds_export_snapshot(
    snapshot_arn text,
    s3_bucket text,
    iam_role_arn text,
    kms_key_id text,
    s3_prefix text DEFAULT NULL,
    export_only text[] DEFAULT NULL,
    export_id text DEFAULT NULL,
    wait boolean DEFAULT false,
    timeout interval DEFAULT '1 hour',
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_export_snapshot';

CREATE FUNCTION @extschema@.rds_export_tasks(
    export_id text DEFAULT NULL,
    region text DEFAULT NULL)
RETURNS TABLE (
    export_id text,
    source_arn text,
    status text,
    progress int,
    s3_bucket text,
    s3_prefix text,
    export_only text[],
    task_start timestamptz,
    task_end timestamptz,
    snapshot_time timestamptz,
    extracted_gb int,
    failure_cause text,
    warning text)
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_export_tasks';

CREATE FUNCTION @extschema@.rds_cancel_export(
    export_id text,
    region text DEFAULT NULL)
RETURNS @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_cancel_export';

REVOKE ALL ON FUNCTION
    @extschema@.rds_set_retention(text, int, boolean, text, boolean, boolean, interval, text),
    @extschema@.rds_set_deletion_protection(text, boolean, boolean, text),
    @extschema@.rds_export_snapshot(text, text, text, text, text, text[], text, boolean, interval, text),
    @extschema@.rds_export_tasks(text, text),
    @extschema@.rds_cancel_export(text, text)
FROM PUBLIC;

-- Administration ---------------------------------------------------------

-- Members of rds_backup_admin may cancel any role's operations (others
-- only their own and those of roles whose privileges they have, as with
-- pg_cancel_backend and pg_signal_backend) and make a snapshot public.
-- Roles belong to the whole cluster and outlive the extension: one that
-- exists already (from an earlier CREATE EXTENSION) is kept as it is.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rds_backup_admin') THEN
        CREATE ROLE rds_backup_admin NOLOGIN;
    END IF;
END
$$;
COMMENT ON ROLE rds_backup_admin IS
    'rds_backup: may cancel any role''s operations and make snapshots public';

-- Lifecycle and disaster recovery ----------------------------------------

-- The copies made into a region, by source: rds_copy_to_region() asks
-- which snapshots have one already.
CREATE INDEX operations_copies_idx ON @extschema@.operations (region, source)
    WHERE kind IN ('copy_snapshot', 'copy_cluster_snapshot');

-- Every available manual snapshot of a database that has no copy in the
-- destination region yet gets one; at most 5 copies are in flight to one
-- destination region (AWS's limit), the rest wait in the operation queue
-- (status pending, aws_status queued) and the worker starts them.
CREATE FUNCTION @extschema@.rds_copy_to_region(
    db_identifier text,
    destination_region text,
    kms_key_id text DEFAULT NULL,
    cluster boolean DEFAULT false,
    only_own boolean DEFAULT true,
    region text DEFAULT NULL)
RETURNS SETOF @extschema@.operations
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_copy_to_region';

REVOKE ALL ON FUNCTION
    @extschema@.rds_copy_to_region(text, text, text, boolean, boolean, text)
FROM PUBLIC;

-- A retention policy for manual snapshots: one row per snapshot of the
-- database, "keep" or "delete" and why.  dry_run (the default) only plans;
-- a real run deletes exactly what the plan says, each delete a tracked
-- operation (operation_id).
CREATE FUNCTION @extschema@.rds_prune_snapshots(
    db_identifier text,
    keep_days int DEFAULT NULL,
    keep_last int DEFAULT NULL,
    tags jsonb DEFAULT NULL,
    cluster boolean DEFAULT false,
    dry_run boolean DEFAULT true,
    only_own boolean DEFAULT true,
    region text DEFAULT NULL)
RETURNS TABLE (
    snapshot text,
    created_at timestamptz,
    action text,
    reason text,
    operation_id bigint)
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_prune_snapshots';

REVOKE ALL ON FUNCTION
    @extschema@.rds_prune_snapshots(text, int, int, jsonb, boolean, boolean, boolean, text)
FROM PUBLIC;

-- The automated backups of a region: an instance's own (active), those
-- kept after it was deleted (retained), and those replicated here from
-- another region.  rds_restore_pitr() restores any of them by arn or
-- dbi_resource_id.
CREATE FUNCTION @extschema@.rds_automated_backups(
    db_instance text DEFAULT NULL,
    region text DEFAULT NULL)
RETURNS TABLE (
    db_instance text,
    region text,
    status text,
    arn text,
    dbi_resource_id text,
    earliest timestamptz,
    latest timestamptz,
    retention_days int,
    encrypted boolean,
    kms_key_id text)
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_automated_backups';

REVOKE ALL ON FUNCTION @extschema@.rds_automated_backups(text, text) FROM PUBLIC;

-- Every instance and cluster of the regions (NULL: rds_backup.region) with
-- its backup settings, how much data a restore would lose now (rpo), its
-- newest manual snapshot, the regions holding copies or replicated
-- backups of it, and what is missing, in plain words.
CREATE FUNCTION @extschema@.rds_coverage(
    regions text[] DEFAULT NULL,
    max_age interval DEFAULT '1 day')
RETURNS TABLE (
    db_identifier text,
    region text,
    cluster boolean,
    engine text,
    retention_days int,
    backup_window text,
    deletion_protection boolean,
    encrypted boolean,
    latest_restorable timestamptz,
    rpo interval,
    newest_manual_snapshot timestamptz,
    copied_to text[],
    replicated_to text[],
    findings text[])
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_coverage';

REVOKE ALL ON FUNCTION @extschema@.rds_coverage(text[], interval) FROM PUBLIC;

-- Snapshot storage and its cost, per database, in rds_backup.region and in
-- every region the catalog has operations in (the disaster-recovery ones).
-- allocated_gb is an upper bound: snapshots are incremental and share
-- unchanged blocks.  Automated backups are free up to the size of the
-- database, so they are listed apart and not priced.  Reading the view
-- lists the snapshots of those regions (it needs EXECUTE on
-- rds_snapshots() and rds_cluster_snapshots()).
CREATE VIEW @extschema@.snapshot_storage AS
WITH regions AS (
    SELECT NULL::text AS region
    UNION
    SELECT DISTINCT o.region FROM @extschema@.operations o
), listed AS (
    SELECT DISTINCT ON (s.arn) s.db_identifier, s.snapshot_type, s.allocated_gb, s.arn,
           false AS cluster
      FROM regions r, LATERAL @extschema@.rds_snapshots(region => r.region) s
     ORDER BY s.arn
), listed_clusters AS (
    SELECT DISTINCT ON (s.arn) s.db_identifier, s.snapshot_type, s.allocated_gb, s.arn,
           true AS cluster
      FROM regions r, LATERAL @extschema@.rds_cluster_snapshots(region => r.region) s
     ORDER BY s.arn
), snapshots AS (
    SELECT * FROM listed UNION ALL SELECT * FROM listed_clusters
)
SELECT db_identifier,
       split_part(arn, ':', 4) AS region,
       cluster,
       count(*) FILTER (WHERE snapshot_type = 'manual') AS manual_snapshots,
       coalesce(sum(allocated_gb) FILTER (WHERE snapshot_type = 'manual'), 0) AS allocated_gb,
       round(coalesce(sum(allocated_gb) FILTER (WHERE snapshot_type = 'manual'), 0)
             * current_setting('rds_backup.snapshot_price_gb_month')::numeric, 2)
           AS estimated_monthly_cost,
       count(*) FILTER (WHERE snapshot_type = 'automated') AS automated_snapshots,
       max(allocated_gb) FILTER (WHERE snapshot_type = 'automated') AS automated_gb
  FROM snapshots
 GROUP BY db_identifier, split_part(arn, ':', 4), cluster;

REVOKE ALL ON @extschema@.snapshot_storage FROM PUBLIC;
GRANT SELECT ON @extschema@.snapshot_storage TO PUBLIC;

-- Credentials -----------------------------------------------------------

-- Which credentials AWS calls would use now: the provider that gave them,
-- the key id masked, when they expire, the IAM role acted as.
CREATE FUNCTION @extschema@.whoami(
    region text DEFAULT NULL,
    OUT source text,
    OUT access_key_id text,
    OUT expires_at timestamptz,
    OUT role_arn text)
RETURNS record
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog
AS 'MODULE_PATHNAME', 'rds_backup_whoami';
REVOKE ALL ON FUNCTION @extschema@.whoami(text) FROM PUBLIC;
