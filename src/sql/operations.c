/*-------------------------------------------------------------------------
 * operations.c
 *		rds_wait() and rds_cancel(): operations by id.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "aws/client.h"
#include "core/poll.h"
#include "core/runner.h"
#include "rds/names.h"
#include "sql/args.h"
#include "sql/export.h"

PG_FUNCTION_INFO_V1(rds_wait);
PG_FUNCTION_INFO_V1(rds_cancel);

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
 * operation failed, was canceled or timed out, or the wait ran out.
 */
Datum
rds_wait(PG_FUNCTION_ARGS)
{
	int64		id = arg_operation_id(fcinfo);
	double		timeout_secs;

	(void) arg_timeout(fcinfo, 1, "timeout", &timeout_secs);
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, operation_wait_id(id, timeout_secs, false)));
}

/*
 * rds_cancel(operation_id): stop tracking and mark it canceled.  An
 * export is also canceled in AWS (CancelExportTask); other operations
 * cannot be stopped in AWS once started, which the row's error says.
 */
Datum
rds_cancel(PG_FUNCTION_ARGS)
{
	int64		id = arg_operation_id(fcinfo);
	char	   *row;
	TrackedOp  *t = catalog_load_operation(id, &row);
	OpUpdate	u = OP_UPDATE_INIT;

	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("operation " INT64_FORMAT " does not exist", id)));
	if (op_status_is_terminal(t->status))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("operation " INT64_FORMAT " has already finished: %s", id, t->status)));

	if (strcmp(t->kind, "export") == 0)
	{
		row = export_cancel(t->region, t->export_id ? t->export_id : t->resource, id, true);
		PG_RETURN_DATUM(catalog_row_datum(fcinfo, row));
	}

	u.status = "canceled";
	u.error = psprintf("tracking canceled by %s; AWS continues the %s on its own",
					   GetUserNameFromId(GetUserId(), false), t->kind);
	row = catalog_update_operation(id, &u, NIL);
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, row));
}
