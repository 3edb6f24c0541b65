/*-------------------------------------------------------------------------
 * catalog.c
 *		rds_backup.operations and rds_backup.audit_log: the only code that
 *		writes them.
 *
 * Every write goes through autonomous_exec(), so it commits on its own and
 * survives the caller's rollback.  A row comes back as the text form of
 * the operations row type, which the SQL functions turn into their result
 * with record_in.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "core/autonomous.h"
#include "core/catalog.h"
#include "core/poll.h"
#include "core/tracker.h"

bool
op_status_is_terminal(const char *status)
{
	return strcmp(status, "succeeded") == 0 || strcmp(status, "failed") == 0 ||
		strcmp(status, "canceled") == 0 || strcmp(status, "timed_out") == 0;
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
 * The role recorded in audit rows.  The worker writes between
 * transactions, where the syscache cannot be used: it primes the cache
 * while it is in one.
 */
static char *
current_role_name(void)
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

void
catalog_prime_role_name(void)
{
	(void) current_role_name();
}

static void
json_field_str(StringInfo buf, const char *key, const char *value, bool *first)
{
	if (!*first)
		appendStringInfoChar(buf, ',');
	*first = false;
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
	if (value)
		escape_json(buf, value);
	else
		appendStringInfoString(buf, "null");
}

static void
json_field_raw(StringInfo buf, const char *key, const char *raw, bool *first)
{
	if (!*first)
		appendStringInfoChar(buf, ',');
	*first = false;
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
	appendStringInfoString(buf, raw ? raw : "null");
}

/* The audit entries as a JSON array for jsonb_to_recordset(). */
static char *
audit_json(List *audit)
{
	StringInfoData buf;
	ListCell   *lc;
	char	   *role = current_role_name();

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, audit)
	{
		AuditEntry *a = lfirst(lc);
		bool		first = true;
		char		num[64];

		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, '{');
		json_field_str(&buf, "role_name", role, &first);
		json_field_str(&buf, "service", a->service, &first);
		json_field_str(&buf, "action", a->action, &first);
		json_field_str(&buf, "region", a->region, &first);
		json_field_str(&buf, "target", a->target, &first);
		json_field_raw(&buf, "params", a->params_json ? a->params_json : "{}", &first);
		snprintf(num, sizeof(num), "%d", a->http_status);
		json_field_raw(&buf, "http_status", a->http_status ? num : NULL, &first);
		json_field_str(&buf, "error_code", a->error_code, &first);
		json_field_str(&buf, "request_id", a->request_id, &first);
		snprintf(num, sizeof(num), "%.3f", a->duration_ms);
		json_field_raw(&buf, "duration_ms", num, &first);
		snprintf(num, sizeof(num), "%d", a->attempt);
		json_field_raw(&buf, "attempt", num, &first);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* The NOTIFY payload of API.md, from an operations row "u". */
#define NOTIFY_EXPR \
	"pg_notify('rds_backup', json_build_object('id', u.id, 'kind', u.kind," \
	" 'resource', u.resource, 'status', u.status, 'aws_status', u.aws_status," \
	" 'progress', u.progress)::text)"

#define AUDIT_INSERT \
	"INSERT INTO rds_backup.audit_log (role_name, service, action, region, target," \
	" params, http_status, error_code, request_id, duration_ms, attempt, operation_id)" \
	" SELECT a.role_name, a.service, a.action, a.region, a.target, a.params," \
	" a.http_status, a.error_code, a.request_id, a.duration_ms, a.attempt, $2::bigint" \
	" FROM jsonb_to_recordset($1::jsonb) AS a(role_name name, service text," \
	" action text, region text, target text, params jsonb, http_status int," \
	" error_code text, request_id text, duration_ms double precision, attempt int)"

int64
catalog_insert_operation(const char *kind, const char *region,
						 const char *resource, const char *source,
						 const char *params_json, const char *timeout_interval)
{
	const char *args[8];
	char		pidbuf[16];
	char	   *id;

	snprintf(pidbuf, sizeof(pidbuf), "%d", MyProcPid);
	args[0] = kind;
	args[1] = region;
	args[2] = resource;
	args[3] = source;
	args[4] = params_json ? params_json : "{}";
	args[5] = current_role_name();
	args[6] = timeout_interval;
	args[7] = pidbuf;
	id = autonomous_exec("WITH u AS (INSERT INTO rds_backup.operations"
						 " (kind, region, resource, source, params, requested_by, deadline,"
						 "  session_pid)"
						 " VALUES ($1, $2, $3, $4, $5::jsonb, $6,"
						 " clock_timestamp() + $7::interval, $8::int) RETURNING *)"
						 " SELECT u.id, " NOTIFY_EXPR " FROM u",
						 8, args);
	if (id == NULL)
		elog(ERROR, "operations insert returned no id");
	return pg_strtoint64(id);
}

/*
 * Apply u to the row and append the audit entries, in one transaction.
 * A row that is already finished keeps its outcome (the worker may have
 * settled it first).  Returns the row's text form.
 */
char *
catalog_update_operation(int64 op_id, const OpUpdate *u, List *audit)
{
	const char *args[9];
	char		idbuf[32];
	char		progbuf[16];
	char	   *row;

	snprintf(idbuf, sizeof(idbuf), INT64_FORMAT, op_id);
	snprintf(progbuf, sizeof(progbuf), "%d", u->progress);
	args[0] = audit ? audit_json(audit) : "[]";
	args[1] = idbuf;
	args[2] = u->status;
	args[3] = u->aws_status;
	args[4] = u->progress >= 0 ? progbuf : NULL;
	args[5] = u->resource_arn;
	args[6] = u->request_id;
	args[7] = u->error;
	args[8] = u->resource;
	row = autonomous_exec("WITH a AS (" AUDIT_INSERT "),"
						  " old AS (SELECT id, status, aws_status, progress"
						  "  FROM rds_backup.operations WHERE id = $2::bigint FOR UPDATE),"
						  " u AS (UPDATE rds_backup.operations o SET"
						  "  status = coalesce($3, o.status),"
						  "  aws_status = coalesce($4, o.aws_status),"
						  "  progress = coalesce($5::int, o.progress),"
						  "  resource_arn = coalesce($6, o.resource_arn),"
						  "  request_id = coalesce(o.request_id, $7),"
						  "  error = coalesce($8, o.error),"
						  "  resource = coalesce($9, o.resource),"
						  "  session_pid = NULL,"	/* its call has ended */
						  "  updated_at = clock_timestamp(),"
						  "  finished_at = CASE WHEN coalesce($3, o.status) IN"
						  "   ('succeeded', 'failed', 'canceled', 'timed_out')"
						  "   THEN clock_timestamp() END"
						  "  FROM old WHERE o.id = old.id AND o.finished_at IS NULL"
						  "  RETURNING o AS r, o.id, o.kind, o.resource, o.status, o.aws_status,"
						  "   o.progress, (o.status IS DISTINCT FROM old.status"
						  "   OR o.aws_status IS DISTINCT FROM old.aws_status"
						  "   OR o.progress IS DISTINCT FROM old.progress) AS changed)"
						  " SELECT coalesce((SELECT u.r::text FROM u),"
						  "  (SELECT o::text FROM rds_backup.operations o WHERE o.id = $2::bigint))"
						  " FROM (SELECT count(" NOTIFY_EXPR ") FROM u WHERE u.changed) n",
						  9, args);
	tracker_signal_waiters();
	/* the operation is in AWS's hands now: the worker may follow it */
	tracker_wake();
	if (row == NULL)
		elog(ERROR, "operation " INT64_FORMAT " does not exist", op_id);
	return row;
}

void
catalog_mark_published(int64 op_id)
{
	const char *args[1];
	char		idbuf[32];

	snprintf(idbuf, sizeof(idbuf), INT64_FORMAT, op_id);
	args[0] = idbuf;
	autonomous_exec("UPDATE rds_backup.operations SET published_at = clock_timestamp()"
					" WHERE id = $1::bigint", 1, args);
}

void
catalog_write_audit(List *audit, int64 op_id)
{
	const char *args[2];
	char		idbuf[32];

	if (audit == NIL)
		return;
	snprintf(idbuf, sizeof(idbuf), INT64_FORMAT, op_id);
	args[0] = audit_json(audit);
	args[1] = op_id > 0 ? idbuf : NULL;
	autonomous_exec(AUDIT_INSERT, 2, args);
}

/*
 * Run a read-only query with a fresh snapshot, so that rows committed by
 * the autonomous writer or the worker after our statement began are seen.
 */
static char *
fresh_query_text(const char *sql, int nargs, Oid *types, Datum *values)
{
	char	   *result = NULL;
	MemoryContext caller = CurrentMemoryContext;

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

char *
catalog_read_operation(int64 op_id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(op_id)};

	return fresh_query_text("SELECT o::text FROM rds_backup.operations o WHERE o.id = $1",
							1, types, values);
}

char *
catalog_operation_error(int64 op_id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(op_id)};

	return fresh_query_text("SELECT error FROM rds_backup.operations WHERE id = $1",
							1, types, values);
}

bool
catalog_resource_in_use(const char *kind, const char *region, const char *resource)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(kind);
	values[1] = CStringGetTextDatum(region);
	values[2] = CStringGetTextDatum(resource);
	return fresh_query_text("SELECT 1 FROM rds_backup.operations"
							" WHERE kind = $1 AND region = $2 AND resource = $3 LIMIT 1",
							3, types, values) != NULL;
}

/*
 * A modify's params are its request (identifier, the values it sets,
 * ApplyImmediately) plus "cluster"; the values it sets are what tracking
 * compares with AWS's.
 */
/*
 * The operation of export task export_id in region, 0 when there is none:
 * an unfinished one first, then one AWS reported on, then the latest.
 */
int64
catalog_find_export_operation(const char *region, const char *export_id)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char	   *id;

	values[0] = CStringGetTextDatum(region);
	values[1] = CStringGetTextDatum(export_id);
	id = fresh_query_text("SELECT id FROM rds_backup.operations"
						  " WHERE kind = 'export' AND region = $1"
						  " AND lower(params->>'ExportTaskIdentifier') = lower($2)"
						  " ORDER BY finished_at IS NULL DESC, aws_status IS NOT NULL DESC, id DESC"
						  " LIMIT 1",
						  2, types, values);
	return id ? pg_strtoint64(id) : 0;
}

#define TRACKED_COLUMNS \
	"o.id, o.kind, o.region, o.resource, o.source, o.status, o.aws_status," \
	" o.progress, o.request_id, o.params->>'ExportTaskIdentifier'," \
	" o.params->>'WriterInstance', o.requested_at, o.deadline, o::text," \
	" o.params->>'WriterInstanceClass', o.params->'Tags', o.requested_by," \
	" o.session_pid," \
	" coalesce(o.params->>'cluster' = 'true', false)," \
	" CASE WHEN o.kind = 'modify' THEN o.params - 'cluster' - 'ApplyImmediately'" \
	"  - 'DBInstanceIdentifier' - 'DBClusterIdentifier' END," \
	" o.resource_arn"

static char *
col_text(HeapTuple tup, TupleDesc desc, int col)
{
	return SPI_getvalue(tup, desc, col);
}

/* The scalar members of a modify's params object, as TrackExpect. */
static List *
expect_from_jsonb(Jsonb *jb)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	List	   *result = NIL;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(jb))
		return NIL;
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		TrackExpect *e;

		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE || key == NULL)
			continue;
		e = palloc(sizeof(TrackExpect));
		e->name = key;
		switch (v.type)
		{
			case jbvString:
				e->value = pnstrdup(v.val.string.val, v.val.string.len);
				break;
			case jbvNumeric:
				e->value = DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(v.val.numeric)));
				break;
			case jbvBool:
				e->value = pstrdup(v.val.boolean ? "true" : "false");
				break;
			default:
				continue;		/* nothing AWS shows as one value */
		}
		result = lappend(result, e);
	}
	return result;
}

/* Copy row tup of a TRACKED_COLUMNS query into mcxt. */
static TrackedOp *
tracked_from_tuple(HeapTuple tup, TupleDesc desc, MemoryContext mcxt, char **row_text)
{
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	TrackedOp  *t = palloc0(sizeof(TrackedOp));
	bool		isnull;
	char	   *s;

	t->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	t->kind = pstrdup(col_text(tup, desc, 2));
	t->region = pstrdup(col_text(tup, desc, 3));
	t->resource = pstrdup(col_text(tup, desc, 4));
	t->source = (s = col_text(tup, desc, 5)) ? pstrdup(s) : NULL;
	t->status = pstrdup(col_text(tup, desc, 6));
	t->aws_status = (s = col_text(tup, desc, 7)) ? pstrdup(s) : NULL;
	t->progress = (s = col_text(tup, desc, 8)) ? atoi(s) : -1;
	t->request_id = (s = col_text(tup, desc, 9)) ? pstrdup(s) : NULL;
	t->export_id = (s = col_text(tup, desc, 10)) ? pstrdup(s) : NULL;
	t->writer = (s = col_text(tup, desc, 11)) ? pstrdup(s) : NULL;
	t->requested_at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 12, &isnull));
	t->deadline = DatumGetTimestampTz(SPI_getbinval(tup, desc, 13, &isnull));
	if (isnull)
		t->deadline = DT_NOEND;
	if (row_text)
		*row_text = pstrdup(col_text(tup, desc, 14));
	t->writer_class = (s = col_text(tup, desc, 15)) ? pstrdup(s) : NULL;
	t->tags_json = (s = col_text(tup, desc, 16)) ? pstrdup(s) : NULL;
	t->requested_by = pstrdup(col_text(tup, desc, 17));
	t->session_pid = (s = col_text(tup, desc, 18)) ? atoi(s) : 0;
	t->cluster = DatumGetBool(SPI_getbinval(tup, desc, 19, &isnull)) && !isnull;
	{
		Datum		d = SPI_getbinval(tup, desc, 20, &isnull);

		if (!isnull)
			t->expect = expect_from_jsonb(DatumGetJsonbP(d));
	}
	t->resource_arn = (s = col_text(tup, desc, 21)) ? pstrdup(s) : NULL;
	MemoryContextSwitchTo(old);
	return t;
}

/*
 * One operation, read with a fresh snapshot (the worker or the autonomous
 * writer may have changed it since this statement began); NULL if absent.
 */
TrackedOp *
catalog_load_operation(int64 op_id, char **row_text)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(op_id)};
	TrackedOp  *t = NULL;

	PushActiveSnapshot(GetLatestSnapshot());
	SPI_connect();
	if (SPI_execute_with_args("SELECT " TRACKED_COLUMNS " FROM rds_backup.operations o"
							  " WHERE o.id = $1", 1, types, values, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed > 0)
		t = tracked_from_tuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, caller, row_text);
	SPI_finish();
	PopActiveSnapshot();
	return t;
}

/* Every unfinished operation; the caller is in a transaction, outside SPI. */
List *
catalog_unfinished_operations(MemoryContext mcxt)
{
	List	   *result = NIL;
	uint64		i;

	SPI_connect();
	if (SPI_execute("SELECT " TRACKED_COLUMNS " FROM rds_backup.operations o"
					" WHERE o.finished_at IS NULL ORDER BY o.id", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read rds_backup.operations");
	for (i = 0; i < SPI_processed; i++)
	{
		TrackedOp  *t = tracked_from_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
										   mcxt, NULL);
		MemoryContext old = MemoryContextSwitchTo(mcxt);

		result = lappend(result, t);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
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
