/*-------------------------------------------------------------------------
 * operations.c
 *		Operations by id and the workers' state: rds_wait(), rds_cancel(),
 *		tracker_status(), writer_status(), catalog_flush().
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "core/opqueue.h"
#include "core/queue.h"
#include "core/runner.h"
#include "core/tracker.h"
#include "sql/args.h"
#include "sql/export.h"
#include "sql/privileges.h"

PG_FUNCTION_INFO_V1(rds_wait);
PG_FUNCTION_INFO_V1(rds_cancel);
PG_FUNCTION_INFO_V1(rds_backup_tracker_status);
PG_FUNCTION_INFO_V1(rds_backup_writer_status);
PG_FUNCTION_INFO_V1(rds_backup_catalog_flush);
PG_FUNCTION_INFO_V1(rds_backup_check_database);

static int64
arg_operation_id(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("operation_id must not be NULL")));
	return PG_GETARG_INT64(0);
}

/*
 * rds_wait(operation_id, timeout): the finished row, or an ERROR when the
 * operation failed, was canceled or timed out, or the wait ran out (the
 * operation stays tracked then).
 */
Datum
rds_wait(PG_FUNCTION_ARGS)
{
	int64		id = arg_operation_id(fcinfo);
	double		timeout_secs;

	runner_check_ready();
	(void) arg_timeout(fcinfo, 1, "timeout", &timeout_secs);
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, runner_wait(id, timeout_secs)->row_text));
}

/*
 * rds_cancel(operation_id): stop tracking and mark it canceled.  An
 * export is also canceled in AWS (CancelExportTask); other operations
 * cannot be stopped in AWS once started, which the row's error says.
 * Only the requesting role's own operations, those of roles whose
 * privileges the caller has, or any for rds_backup_admin.
 */
Datum
rds_cancel(PG_FUNCTION_ARGS)
{
	int64		id = arg_operation_id(fcinfo);
	CatalogOp  *row;
	OpUpdate	u = OP_UPDATE_INIT;

	runner_check_ready();
	row = catalog_read_operation(id);
	if (row == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("operation " INT64_FORMAT " does not exist", id)));
	priv_check_operation(row, "cancel");
	if (op_status_is_terminal(row->status))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("operation " INT64_FORMAT " has already finished: %s", id, row->status)));

	/* still queued: canceled before anything was asked of AWS */
	if (opqueue_is_queued(row))
	{
		CatalogOp  *canceled = opqueue_cancel(row, GetUserNameFromId(GetUserId(), false));

		if (canceled)
			PG_RETURN_DATUM(catalog_row_datum(fcinfo, canceled->row_text));
	}

	if (strcmp(row->kind, "export") == 0)
		PG_RETURN_DATUM(catalog_row_datum(fcinfo,
										  export_cancel(row->region, row->resource, id,
														true)->row_text));

	u.status = "canceled";
	u.error = psprintf("tracking canceled by %s; AWS continues the %s on its own",
					   GetUserNameFromId(GetUserId(), false), row->kind);
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, runner_update(id, &u)->row_text));
}

/*
 * rds_backup.tracker_status(): what the tracker is doing, for monitoring
 * and for tests that count its AWS calls.
 */
Datum
rds_backup_tracker_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10];
	TrackerStats st;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tracker_stats(&st);
	memset(nulls, 0, sizeof(nulls));
	values[0] = BoolGetDatum(st.running);
	values[1] = Int32GetDatum(st.pid);
	nulls[1] = !st.running;
	values[2] = Int64GetDatum((int64) st.rounds);
	values[3] = Int64GetDatum((int64) st.aws_calls);
	values[4] = Int64GetDatum((int64) st.polled);
	values[5] = Int64GetDatum((int64) st.changes);
	values[6] = Int32GetDatum(st.last_pending);
	values[7] = TimestampTzGetDatum(st.started_at);
	nulls[7] = st.started_at == 0;
	values[8] = TimestampTzGetDatum(st.last_round_at);
	nulls[8] = st.last_round_at == 0;
	values[9] = Int32GetDatum(st.last_calls);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * rds_backup.writer_status(): the catalog writer and its queue, for
 * monitoring (a queue that does not drain means the writer is stuck).
 */
Datum
rds_backup_writer_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8];
	QueueStats	st;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	queue_stats(&st);
	memset(nulls, 0, sizeof(nulls));
	values[0] = BoolGetDatum(st.writer_running);
	values[1] = Int32GetDatum(st.writer_pid);
	nulls[1] = !st.writer_running;
	values[2] = Int64GetDatum((int64) st.queued_bytes);
	values[3] = Int64GetDatum((int64) st.records);
	values[4] = Int64GetDatum((int64) st.batches);
	values[5] = Int64GetDatum((int64) st.largest_batch);
	values[6] = Int64GetDatum((int64) st.failed);
	values[7] = Int64GetDatum((int64) st.waits_for_space);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * rds_backup.catalog_flush(): wait until every catalog record queued so
 * far (by any session) is committed, e.g. before reading audit_log right
 * after a read call, whose audit row is not waited for.
 */
Datum
rds_backup_catalog_flush(PG_FUNCTION_ARGS)
{
	runner_check_ready();
	catalog_wait(queue_end());
	PG_RETURN_VOID();
}

/*
 * Run by CREATE EXTENSION: the catalog writer and the tracker serve one
 * database, so the extension is refused anywhere else, at once rather
 * than at its first call.
 */
Datum
rds_backup_check_database(PG_FUNCTION_ARGS)
{
	runner_check_ready();
	PG_RETURN_VOID();
}
