/*-------------------------------------------------------------------------
 * catalog.c
 *		rds_backup.operations and rds_backup.audit_log: what is written
 *		to them and how they are read.
 *
 * Nothing here writes a table from a session.  A write becomes a record
 * in the catalog queue (queue.c): a kind and a few text fields.  The
 * catalog writer (writer.c) applies records with the statements below,
 * many sessions' records in one transaction, so they commit on their own
 * and outlive the caller's rollback.  Reads take a fresh snapshot, so
 * that what the writer committed after the caller's statement began is
 * seen.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "core/catalog.h"

#define MAX_RECORD_FIELDS	16

PG_FUNCTION_INFO_V1(rds_backup_audit_log_guard);

/*
 * True only while the catalog writer's history sweep runs its DELETE: the
 * one change to audit_log its guard lets through.  A process-local flag
 * of this library, which no SQL can set (the function that sets it is not
 * SQL-callable), and only the writer ever calls catalog_sweep().
 */
static bool sweep_deleting = false;

bool
op_status_is_terminal(const char *status)
{
	return strcmp(status, "succeeded") == 0 || strcmp(status, "failed") == 0 ||
		strcmp(status, "canceled") == 0 || strcmp(status, "timed_out") == 0;
}

bool
op_update_is_empty(const OpUpdate *u)
{
	return !(u->status || u->aws_status || u->progress >= 0 || u->resource_arn ||
			 u->request_id || u->error || u->resource);
}

/* s as a JSON string literal, or null */
char *
json_string(const char *s)
{
	StringInfoData buf;

	if (s == NULL)
		return pstrdup("null");
	initStringInfo(&buf);
	escape_json(&buf, s);
	return buf.data;
}

/*
 * The role name is looked up once per role: the tracker records audit
 * rows between transactions, where the syscache cannot be used, so it
 * primes this while it is in one.
 */
char *
catalog_role_name(void)
{
	static Oid	cached_oid = InvalidOid;
	static char cached[NAMEDATALEN];
	Oid			uid = GetUserId();

	if (uid != cached_oid)
	{
		if (!IsTransactionState())
			elog(ERROR, "role name of %u is not cached", uid);
		strlcpy(cached, GetUserNameFromId(uid, false), NAMEDATALEN);
		cached_oid = uid;
	}
	return pstrdup(cached);
}

/*
 * Records: a uint16 field count, then per field an int32 length (-1 for
 * NULL) and its bytes.
 */
static void
field(StringInfo buf, const char *value)
{
	int32		len = value ? (int32) strlen(value) : -1;

	appendBinaryStringInfo(buf, (char *) &len, sizeof(len));
	if (len > 0)
		appendBinaryStringInfo(buf, value, len);
}

static void
fields_begin(StringInfo buf, uint16 n)
{
	initStringInfo(buf);
	appendBinaryStringInfo(buf, (char *) &n, sizeof(n));
}

static char *
int64_text(int64 v)
{
	return psprintf(INT64_FORMAT, v);
}

/*
 * A time as ISO 8601 in UTC: the writer reads it whatever DateStyle and
 * TimeZone the session that queued it had.
 */
static char *
time_text(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	return psprintf("%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
}

static char *
now_text(void)
{
	return time_text(GetCurrentTimestamp());
}

static int
decode_fields(const QueueRecord *rec, Datum *values, char *nulls)
{
	const char *p = rec->data;
	const char *end = rec->data + rec->len;
	uint16		n;
	int			i;

	if (rec->len < sizeof(uint16))
		elog(ERROR, "rds_backup catalog record is truncated");
	memcpy(&n, p, sizeof(n));
	p += sizeof(n);
	if (n > MAX_RECORD_FIELDS)
		elog(ERROR, "rds_backup catalog record has %u fields", n);
	for (i = 0; i < n; i++)
	{
		int32		len;

		if (end - p < (long) sizeof(len))
			elog(ERROR, "rds_backup catalog record is truncated");
		memcpy(&len, p, sizeof(len));
		p += sizeof(len);
		if (len < 0)
		{
			values[i] = (Datum) 0;
			nulls[i] = 'n';
			continue;
		}
		if (end - p < len)
			elog(ERROR, "rds_backup catalog record is truncated");
		values[i] = PointerGetDatum(cstring_to_text_with_len(p, len));
		nulls[i] = ' ';
		p += len;
	}
	return n;
}

/* The NOTIFY payload of API.md, from an operations row "u". */
#define NOTIFY_EXPR \
	"pg_notify('rds_backup', json_build_object('id', u.id, 'kind', u.kind," \
	" 'resource', u.resource, 'status', u.status, 'aws_status', u.aws_status," \
	" 'progress', u.progress)::text)"

/*
 * The statements the writer applies, by record kind; every parameter is
 * text.  An insert that finds its id taken was applied before (a writer
 * that failed after committing takes its batch again).  An update leaves
 * a finished row alone: whoever finished it first (the worker, or the
 * session) had AWS's word for it.
 */
static const struct
{
	int			nargs;
	const char *sql;
}			statements[] = {
	[CATALOG_OP_INSERT] = {11,
		"WITH u AS (INSERT INTO rds_backup.operations"
		" (id, kind, region, resource, source, params, requested_by, requested_at, updated_at,"
		"  account, role_arn, external_id)"
		" VALUES ($1::bigint, $2, $3, $4, $5, $6::jsonb, $7::name, $8::timestamptz, $8::timestamptz,"
		/*
		 * the account: given, or the role's; an export task has no ARN of
		 * its own, but its source snapshot is always of the account it runs in
		 */
		"  coalesce($9, nullif(split_part($10, ':', 5), ''),"
		"   CASE WHEN $2 = 'export' THEN nullif(split_part($5, ':', 5), '') END),"
		"  nullif($10, ''), nullif($11, ''))"
		" ON CONFLICT (id) DO NOTHING RETURNING *)"
	" SELECT " NOTIFY_EXPR " FROM u"},
	[CATALOG_OP_UPDATE] = {9,
		"WITH old AS (SELECT id, status, aws_status, progress FROM rds_backup.operations"
		"  WHERE id = $1::bigint AND finished_at IS NULL FOR UPDATE),"
		" u AS (UPDATE rds_backup.operations o SET"
		"  status = coalesce($2, o.status),"
		"  aws_status = CASE WHEN $3 = '' THEN NULL ELSE coalesce($3, o.aws_status) END,"
		"  progress = coalesce($4::int, o.progress),"
		"  resource_arn = coalesce($5, o.resource_arn),"
		/* the account the operation runs in, as its resource's ARN says */
		"  account = coalesce(o.account, nullif(split_part(coalesce($5, o.resource_arn), ':', 5), '')),"
		"  request_id = coalesce(o.request_id, $6),"
		"  error = CASE WHEN $7 = '' THEN NULL ELSE coalesce($7, o.error) END,"
		"  resource = coalesce($8, o.resource),"
		"  updated_at = greatest($9::timestamptz, o.requested_at),"
		"  finished_at = CASE WHEN coalesce($2, o.status) IN"
		"   ('succeeded', 'failed', 'canceled', 'timed_out')"
		"   THEN greatest($9::timestamptz, o.requested_at) END"
		"  FROM old WHERE o.id = old.id"
		"  RETURNING o.id, o.kind, o.resource, o.status, o.aws_status, o.progress,"
		"   (o.status IS DISTINCT FROM old.status OR o.aws_status IS DISTINCT FROM old.aws_status"
		"    OR o.progress IS DISTINCT FROM old.progress) AS changed)"
	" SELECT " NOTIFY_EXPR " FROM u WHERE u.changed"},
	[CATALOG_AUDIT] = {14,
		"INSERT INTO rds_backup.audit_log (called_at, role_name, service, action, region,"
		" target, params, http_status, error_code, request_id, duration_ms, attempt,"
		" operation_id, backend_pid) VALUES ($1::timestamptz, $2::name, $3, $4, $5, $6,"
		" $7::jsonb, $8::int, $9, $10, $11::float8, $12::int, $13::bigint, $14::int)"},
	[CATALOG_OP_PUBLISHED] = {2,
		"UPDATE rds_backup.operations SET published_at = $2::timestamptz"
	" WHERE id = $1::bigint"},
	/* an intent that waits in the operation queue: aws_status says so */
	[CATALOG_OP_QUEUE] = {12,
		"WITH u AS (INSERT INTO rds_backup.operations"
		" (id, kind, region, resource, source, params, requested_by, requested_at, updated_at,"
		"  account, role_arn, external_id, aws_status)"
		" VALUES ($1::bigint, $2, $3, $4, $5, $6::jsonb, $7::name, $8::timestamptz, $8::timestamptz,"
		"  coalesce($9, nullif(split_part($10, ':', 5), '')), nullif($10, ''), nullif($11, ''),"
		"  $12) ON CONFLICT (id) DO NOTHING RETURNING *)"
	" SELECT " NOTIFY_EXPR " FROM u"},
};

static SPIPlanPtr plans[lengthof(statements)];

/*
 * Audit rows are the bulk of the records (one per AWS call): a batch
 * inserts all of its audit rows with one statement over arrays.
 */
#define AUDIT_FIELDS	14
static const char *const audit_bulk_sql =
"INSERT INTO rds_backup.audit_log (called_at, role_name, service, action, region,"
" target, params, http_status, error_code, request_id, duration_ms, attempt,"
" operation_id, backend_pid)"
" SELECT a1::timestamptz, a2::name, a3, a4, a5, a6, a7::jsonb, a8::int, a9, a10,"
" a11::float8, a12::int, a13::bigint, a14::int"
" FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
" $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],"
" $13::text[], $14::text[]) AS u(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12,"
" a13, a14)";
static SPIPlanPtr audit_bulk_plan = NULL;

int64
catalog_new_operation_id(void)
{
	Oid			nsp = get_namespace_oid("rds_backup", false);
	Oid			seq = get_relname_relid("operations_id_seq", nsp);

	if (!OidIsValid(seq))
		elog(ERROR, "sequence rds_backup.operations_id_seq does not exist");
	/* the functions are granted, the sequence is not */
	return nextval_internal(seq, false);
}

static void
identity_fields(StringInfo buf, const OpIdentity *who)
{
	field(buf, who ? who->account : NULL);
	field(buf, who && who->role_arn ? who->role_arn : "");
	field(buf, who && who->external_id ? who->external_id : "");
}

/* The fields an operation's intent begins with; nfields counts them all. */
static void
intent_fields(StringInfo buf, int nfields, int64 id, const char *kind, const char *region,
			  const char *resource, const char *source, const char *params_json,
			  const OpIdentity *who)
{
	fields_begin(buf, nfields);
	field(buf, int64_text(id));
	field(buf, kind);
	field(buf, region);
	field(buf, resource);
	field(buf, source);
	field(buf, params_json ? params_json : "{}");
	field(buf, catalog_role_name());
	field(buf, now_text());
	identity_fields(buf, who);
}

QueuePos
catalog_insert_operation(int64 id, const char *kind, const char *region,
						 const char *resource, const char *source, const char *params_json,
						 const OpIdentity *who)
{
	StringInfoData buf;

	intent_fields(&buf, 11, id, kind, region, resource, source, params_json, who);
	return queue_submit(CATALOG_OP_INSERT, buf.data, buf.len, true);
}

/* An intent that is not started now: it waits in the operation queue. */
QueuePos
catalog_queue_operation(int64 id, const char *kind, const char *region,
						const char *resource, const char *source, const char *params_json,
						const char *aws_status, const OpIdentity *who)
{
	StringInfoData buf;

	intent_fields(&buf, 12, id, kind, region, resource, source, params_json, who);
	field(&buf, aws_status);
	return queue_submit(CATALOG_OP_QUEUE, buf.data, buf.len, true);
}

static void
update_record(StringInfo buf, int64 id, const OpUpdate *u)
{
	char		progress[16];

	snprintf(progress, sizeof(progress), "%d", u->progress);
	fields_begin(buf, 9);
	field(buf, int64_text(id));
	field(buf, u->status);
	field(buf, u->aws_status);
	field(buf, u->progress >= 0 ? progress : NULL);
	field(buf, u->resource_arn);
	field(buf, u->request_id);
	field(buf, u->error);
	field(buf, u->resource);
	field(buf, now_text());
}

QueuePos
catalog_update_operation(int64 id, const OpUpdate *u)
{
	StringInfoData buf;

	update_record(&buf, id, u);
	return queue_submit(CATALOG_OP_UPDATE, buf.data, buf.len, false);
}

/* For error paths: no wait and no ERROR; false when it could not be queued. */
bool
catalog_try_update_operation(int64 id, const OpUpdate *u)
{
	StringInfoData buf;

	update_record(&buf, id, u);
	return queue_try_submit(CATALOG_OP_UPDATE, buf.data, buf.len);
}

QueuePos
catalog_write_audit(List *audit, int64 op_id)
{
	ListCell   *lc;
	char	   *role;
	char	   *op_text = op_id > 0 ? int64_text(op_id) : NULL;
	char		pid[16];
	QueuePos	end = 0;

	if (audit == NIL)
		return queue_end();
	role = catalog_role_name();
	snprintf(pid, sizeof(pid), "%d", MyProcPid);
	foreach(lc, audit)
	{
		AuditEntry *a = lfirst(lc);
		StringInfoData buf;
		char		num[32];

		fields_begin(&buf, 14);
		field(&buf, time_text(a->called_at));
		field(&buf, role);
		field(&buf, a->service);
		field(&buf, a->action);
		field(&buf, a->region);
		field(&buf, a->target);
		field(&buf, a->params_json ? a->params_json : "{}");
		snprintf(num, sizeof(num), "%d", a->http_status);
		field(&buf, a->http_status ? num : NULL);
		field(&buf, a->error_code);
		field(&buf, a->request_id);
		snprintf(num, sizeof(num), "%.3f", a->duration_ms);
		field(&buf, num);
		snprintf(num, sizeof(num), "%d", a->attempt);
		field(&buf, num);
		field(&buf, op_text);
		field(&buf, pid);
		end = queue_submit(CATALOG_AUDIT, buf.data, buf.len, false);
	}
	return end;
}

QueuePos
catalog_mark_published(int64 id)
{
	StringInfoData buf;

	fields_begin(&buf, 2);
	field(&buf, int64_text(id));
	field(&buf, now_text());
	return queue_submit(CATALOG_OP_PUBLISHED, buf.data, buf.len, false);
}

void
catalog_wait(QueuePos end)
{
	queue_wait(end);
}

bool
catalog_record_changes_operations(const QueueRecord *rec)
{
	return rec->kind == CATALOG_OP_INSERT || rec->kind == CATALOG_OP_UPDATE ||
		rec->kind == CATALOG_OP_QUEUE;
}

/*
 * In the writer, inside a transaction and SPI connection of its own: every
 * record of a batch, operations first (in queue order), then all audit
 * rows in one statement.  Any error is raised; the writer then applies
 * the records one by one to find the bad one.
 */
void
catalog_apply_batch(const QueueRecord *recs, int n)
{
	Datum	   *cols[AUDIT_FIELDS];
	bool	   *colnulls[AUDIT_FIELDS];
	Datum		arrays[AUDIT_FIELDS];
	int			naudit = 0;
	int			i,
				f;

	for (f = 0; f < AUDIT_FIELDS; f++)
	{
		cols[f] = palloc(sizeof(Datum) * n);
		colnulls[f] = palloc(sizeof(bool) * n);
	}
	for (i = 0; i < n; i++)
	{
		Datum		values[MAX_RECORD_FIELDS];
		char		nulls[MAX_RECORD_FIELDS];

		if (recs[i].kind != CATALOG_AUDIT)
		{
			catalog_apply(&recs[i]);
			continue;
		}
		if (decode_fields(&recs[i], values, nulls) != AUDIT_FIELDS)
			elog(ERROR, "rds_backup audit record has the wrong number of fields");
		for (f = 0; f < AUDIT_FIELDS; f++)
		{
			cols[f][naudit] = values[f];
			colnulls[f][naudit] = nulls[f] == 'n';
		}
		naudit++;
	}
	if (naudit == 0)
		return;
	for (f = 0; f < AUDIT_FIELDS; f++)
	{
		int			lb = 1;

		arrays[f] = PointerGetDatum(construct_md_array(cols[f], colnulls[f], 1, &naudit, &lb,
													   TEXTOID, -1, false, TYPALIGN_INT));
	}
	if (audit_bulk_plan == NULL)
	{
		Oid			types[AUDIT_FIELDS];
		SPIPlanPtr	plan;

		for (f = 0; f < AUDIT_FIELDS; f++)
			types[f] = TEXTARRAYOID;
		plan = SPI_prepare(audit_bulk_sql, AUDIT_FIELDS, types);
		if (plan == NULL)
			elog(ERROR, "could not prepare rds_backup audit statement: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		audit_bulk_plan = plan;
	}
	if (SPI_execute_plan(audit_bulk_plan, arrays, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "rds_backup audit write failed");
}

/* In the writer: one record, inside a transaction and SPI connection. */
void
catalog_apply(const QueueRecord *rec)
{
	Datum		values[MAX_RECORD_FIELDS];
	char		nulls[MAX_RECORD_FIELDS];
	int			n;
	int			ret;

	if (rec->kind < CATALOG_OP_INSERT || rec->kind >= lengthof(statements))
		elog(ERROR, "unknown rds_backup catalog record kind %u", rec->kind);
	n = decode_fields(rec, values, nulls);
	if (n != statements[rec->kind].nargs)
		elog(ERROR, "rds_backup catalog record of kind %u has %d fields, not %d",
			 rec->kind, n, statements[rec->kind].nargs);
	if (plans[rec->kind] == NULL)
	{
		Oid			types[MAX_RECORD_FIELDS];
		SPIPlanPtr	plan;
		int			i;

		for (i = 0; i < n; i++)
			types[i] = TEXTOID;
		plan = SPI_prepare(statements[rec->kind].sql, n, types);
		if (plan == NULL)
			elog(ERROR, "could not prepare rds_backup catalog statement: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		plans[rec->kind] = plan;
	}
	ret = SPI_execute_plan(plans[rec->kind], values, nulls, false, 0);
	if (ret < 0)
		elog(ERROR, "rds_backup catalog write failed: %s", SPI_result_code_string(ret));
}

/*
 * The history sweep, in the writer: delete up to batch rows older than
 * retention_min minutes from finished operations (audit false) or from
 * audit_log (audit true), in the current transaction.  Returns the number
 * of rows deleted.
 */
uint64
catalog_sweep(bool audit, int retention_min, int batch)
{
	Oid			types[2] = {INT4OID, INT4OID};
	Datum		values[2] = {Int32GetDatum(retention_min), Int32GetDatum(batch)};
	const char *sql = audit ?
		"WITH d AS (SELECT id FROM rds_backup.audit_log"
		" WHERE called_at < now() - make_interval(mins => $1) LIMIT $2)"
		" DELETE FROM rds_backup.audit_log a USING d WHERE a.id = d.id" :
		"WITH d AS (SELECT id FROM rds_backup.operations"
		" WHERE finished_at < now() - make_interval(mins => $1) LIMIT $2)"
		" DELETE FROM rds_backup.operations o USING d WHERE o.id = d.id";
	uint64		deleted;

	if (!IsBackgroundWorker)
		elog(ERROR, "the rds_backup history sweep runs in the catalog writer only");
	PG_TRY();
	{
		sweep_deleting = true;
		if (SPI_execute_with_args(sql, 2, types, values, NULL, false, 0) != SPI_OK_DELETE)
			elog(ERROR, "rds_backup history sweep failed");
		deleted = SPI_processed;
	}
	PG_FINALLY();
	{
		sweep_deleting = false;
	}
	PG_END_TRY();
	return deleted;
}

/*
 * Statement trigger of audit_log (BEFORE UPDATE OR DELETE OR TRUNCATE,
 * ENABLE ALWAYS so that session_replication_role does not skip it): every
 * change but the writer's history sweep is refused, superusers' included.
 */
Datum
rds_backup_audit_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	const char *what;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("rds_backup_audit_log_guard() was not called by the trigger manager")));
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event) && sweep_deleting && IsBackgroundWorker)
		return PointerGetDatum(NULL);
	what = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "UPDATE" :
		TRIGGER_FIRED_BY_DELETE(td->tg_event) ? "DELETE" : "TRUNCATE";
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("rds_backup.audit_log is append-only"),
			 errdetail("%s is refused to every role; rows are deleted only by the history sweep of the catalog writer.",
					   what),
			 errhint("rds_backup.history_retention sets how long rows are kept.")));
	return PointerGetDatum(NULL);	/* keep compiler quiet */
}

/*
 * Reads.  The columns every reader of an operation needs, and the row's
 * text form for the SQL functions' results.
 */
#define OP_COLUMNS \
	"o.id, o.kind, o.region, o.resource, o.source, o.resource_arn, o.status," \
	" o.aws_status, o.progress, o.request_id, o.error, o.requested_by," \
	" o.requested_at, o.params, o::text, o.account, coalesce(o.role_arn, '')," \
	" coalesce(o.external_id, '')"

static CatalogOp *
op_from_tuple(HeapTuple tup, TupleDesc desc, MemoryContext mcxt)
{
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	CatalogOp  *op = palloc0(sizeof(CatalogOp));
	bool		isnull;
	Datum		d;
	char	   *s;

	op->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	op->kind = SPI_getvalue(tup, desc, 2);
	op->region = SPI_getvalue(tup, desc, 3);
	op->resource = SPI_getvalue(tup, desc, 4);
	op->source = SPI_getvalue(tup, desc, 5);
	op->resource_arn = SPI_getvalue(tup, desc, 6);
	op->status = SPI_getvalue(tup, desc, 7);
	op->aws_status = SPI_getvalue(tup, desc, 8);
	op->progress = (s = SPI_getvalue(tup, desc, 9)) ? atoi(s) : -1;
	op->request_id = SPI_getvalue(tup, desc, 10);
	op->error = SPI_getvalue(tup, desc, 11);
	op->requested_by = SPI_getvalue(tup, desc, 12);
	op->requested_at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 13, &isnull));
	d = SPI_getbinval(tup, desc, 14, &isnull);
	op->params = isnull ? NULL : DatumGetJsonbPCopy(d);
	op->row_text = SPI_getvalue(tup, desc, 15);
	op->account = SPI_getvalue(tup, desc, 16);
	op->role_arn = SPI_getvalue(tup, desc, 17);
	op->external_id = SPI_getvalue(tup, desc, 18);
	MemoryContextSwitchTo(old);
	return op;
}

/* Rows of a read-only query with a fresh snapshot, copied into the caller's context. */
static List *
read_ops(const char *where, int nargs, Oid *types, Datum *values, long limit)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *result = NIL;
	uint64		i;
	bool		own_xact = !IsTransactionState();

	if (own_xact)
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
	}
	PushActiveSnapshot(GetLatestSnapshot());
	SPI_connect();
	if (SPI_execute_with_args(psprintf("SELECT " OP_COLUMNS " FROM rds_backup.operations o %s",
									   where),
							  nargs, types, values, NULL, true, limit) != SPI_OK_SELECT)
		elog(ERROR, "could not read rds_backup.operations");
	for (i = 0; i < SPI_processed; i++)
	{
		CatalogOp  *op = op_from_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, caller);
		MemoryContext old = MemoryContextSwitchTo(caller);

		result = lappend(result, op);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	PopActiveSnapshot();
	if (own_xact)
	{
		CommitTransactionCommand();
		MemoryContextSwitchTo(caller);
	}
	return result;
}

CatalogOp *
catalog_read_operation(int64 id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(id)};
	List	   *ops = read_ops("WHERE o.id = $1", 1, types, values, 1);

	return ops ? linitial(ops) : NULL;
}

List *
catalog_unfinished_operations(void)
{
	return read_ops("WHERE o.finished_at IS NULL ORDER BY o.id", 0, NULL, NULL, 0);
}

/*
 * The first column of the first row of a read-only query, with a fresh
 * snapshot; its parameters are the nargs texts of args (at most 4).
 */
static char *
read_value(const char *sql, int nargs, const char *const *args)
{
	char	   *result = NULL;
	MemoryContext caller = CurrentMemoryContext;
	Oid			types[4];
	Datum		values[4];
	int			i;

	Assert(nargs <= lengthof(types));
	for (i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = CStringGetTextDatum(args[i]);
	}
	PushActiveSnapshot(GetLatestSnapshot());
	SPI_connect();
	if (SPI_execute_with_args(sql, nargs, types, values, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed > 0)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v)
			result = MemoryContextStrdup(caller, v);
	}
	SPI_finish();
	PopActiveSnapshot();
	return result;
}

bool
catalog_resource_in_use(const char *kind, const char *region, const char *resource)
{
	const char *args[3] = {kind, region, resource};

	return read_value("SELECT 1 FROM rds_backup.operations"
					  " WHERE kind = $1 AND region = $2 AND resource = $3 LIMIT 1",
					  3, args) != NULL;
}

/*
 * The operation of export task export_id in region, 0 when there is none:
 * an unfinished one first, then one AWS reported on, then the latest.
 */
int64
catalog_find_export_operation(const char *region, const char *export_id)
{
	const char *args[2] = {region, export_id};
	char	   *id;

	id = read_value("SELECT id FROM rds_backup.operations"
					" WHERE kind = 'export' AND region = $1"
					" AND lower(params->>'ExportTaskIdentifier') = lower($2)"
					" ORDER BY finished_at IS NULL DESC, aws_status IS NOT NULL DESC, id DESC"
					" LIMIT 1",
					2, args);
	return id ? pg_strtoint64(id) : 0;
}

/*
 * The operation queue.  Cross-region copies are what it holds (AWS limits
 * how many may be in flight to one destination region); a copy is in
 * flight from the moment it leaves the queue until it ends.
 */
#define CROSS_REGION_COPY \
	"kind IN ('copy_snapshot', 'copy_cluster_snapshot')" \
	" AND params->>'SourceRegion' IS NOT NULL"

/* The oldest operations of region waiting in the queue, at most limit. */
List *
catalog_queued_operations(const char *region, const char *aws_status, int limit)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	values[0] = CStringGetTextDatum(region);
	values[1] = CStringGetTextDatum(aws_status);
	return read_ops("WHERE o.finished_at IS NULL AND o.region = $1 AND o.aws_status = $2"
					" ORDER BY o.id", 2, types, values, limit);
}

/*
 * params->>key of an operations row (strings, booleans as true/false,
 * objects and arrays as JSON text), or NULL.
 */
char *
catalog_param_text(Jsonb *params, const char *key)
{
	JsonbValue	k;
	JsonbValue *v;

	if (params == NULL || !JB_ROOT_IS_OBJECT(params))
		return NULL;
	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	v = findJsonbValueFromContainer(&params->root, JB_FOBJECT, &k);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvBool)
		return pstrdup(v->val.boolean ? "true" : "false");
	if (v->type == jbvBinary)
		return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
	return NULL;
}

/*
 * Whether region's queue waits before asking AWS again: AWS refused one of
 * its copies (SnapshotQuotaExceeded, which a full cross-region copy limit
 * and a full snapshot quota both give) less than the copy's age at that
 * refusal ago, capped at an hour.  So a copy refused at once is tried
 * again at the next round, and one refused over and over is tried at
 * doubling intervals: a quota nobody frees costs about 24 calls a day, not
 * one a round.
 */
bool
catalog_queue_backing_off(const char *region, const char *queued_status)
{
	const char *args[2] = {region, queued_status};

	return read_value("SELECT 1 FROM rds_backup.operations"
					  " WHERE finished_at IS NULL AND region = $1 AND aws_status = $2"
					  " AND error IS NOT NULL"
					  " AND clock_timestamp() < updated_at"
					  "  + least(greatest(updated_at - requested_at, interval '0'), interval '1 hour')"
					  " LIMIT 1",
					  2, args) != NULL;
}

/* Cross-region copies into region that have left the queue and not ended. */
int
catalog_copies_in_flight(const char *region, const char *queued_status)
{
	const char *args[2] = {region, queued_status};
	char	   *n;

	n = read_value("SELECT count(*) FROM rds_backup.operations"
				   " WHERE finished_at IS NULL AND region = $1 AND " CROSS_REGION_COPY
				   " AND aws_status IS DISTINCT FROM $2",
				   2, args);
	return n ? atoi(n) : 0;
}

/*
 * The sources (ARNs) of every copy of kind into region that is queued,
 * under way or done (CopiedSource *), with the latest request of one: a
 * copy rds_backup made is not made again, even after it was deleted in
 * the destination (a prune there, say).
 */
List *
catalog_copied_sources(const char *kind, const char *region)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	List	   *result = NIL;
	uint64		i;

	values[0] = CStringGetTextDatum(kind);
	values[1] = CStringGetTextDatum(region);
	PushActiveSnapshot(GetLatestSnapshot());
	SPI_connect();
	if (SPI_execute_with_args("SELECT source, max(requested_at) FROM rds_backup.operations"
							  " WHERE kind = $1 AND region = $2 AND source IS NOT NULL"
							  " AND status IN ('pending', 'in_progress', 'succeeded')"
							  " GROUP BY source",
							  2, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read rds_backup.operations");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		char	   *v = SPI_getvalue(tup, SPI_tuptable->tupdesc, 1);
		bool		isnull;
		TimestampTz at = DatumGetTimestampTz(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2,
														  &isnull));
		MemoryContext old = MemoryContextSwitchTo(caller);
		CopiedSource *c = palloc(sizeof(CopiedSource));

		c->source = pstrdup(v);
		c->requested_at = at;
		result = lappend(result, c);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	PopActiveSnapshot();
	return result;
}

Datum
catalog_row_datum(FunctionCallInfo fcinfo, const char *row_text)
{
	Oid			typid;
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, &typid, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "function returning an operations row called in a wrong context");
	return OidInputFunctionCall(F_RECORD_IN, (char *) row_text, typid, -1);
}
