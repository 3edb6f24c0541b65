/*-------------------------------------------------------------------------
 * runner.c
 *		The life of an operation as a SQL function sees it: record the
 *		intent, make the call, record the outcome, optionally wait.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "core/poll.h"
#include "core/runner.h"
#include "core/tracker.h"

/* Waiting polls first after 1 s, then backs off to this. */
#define WAIT_POLL_MAX_MS	15000

int64
operation_insert(const char *kind, const char *region, const char *resource,
				 const char *source, const char *params_json,
				 const char *timeout_interval)
{
	aws_preflight("rds", region);
	return catalog_insert_operation(kind, region, resource, source, params_json,
									timeout_interval);
}

char *
operation_record_start(const Operation *op, const AwsRequest *req,
					   const AwsReply *reply, const OpUpdate *ok)
{
	OpUpdate	u = OP_UPDATE_INIT;
	char	   *row;

	if (reply->outcome == AWS_OK)
		u = *ok;
	else if (reply->maybe_applied)
	{
		/*
		 * AWS may have acted: leave the row pending for whoever checks next
		 * (a waiting call, the worker), never mark it failed on a guess.
		 */
		u.error = psprintf("%s; AWS may still have started it, so it stays pending until checked",
						   aws_reply_error_text(req, reply));
	}
	else
	{
		u.status = "failed";
		u.error = aws_reply_error_text(req, reply);
	}
	if (reply->request_id && u.request_id == NULL)
		u.request_id = reply->request_id;

	row = catalog_update_operation(op->id, &u, reply->audit);

	if (reply->outcome != AWS_OK)
		aws_raise(req, reply,
				  psprintf("Operation " INT64_FORMAT " is %s.", op->id,
						   reply->maybe_applied ? "pending" : "failed"));
	return row;
}

static void
raise_for_end(const Operation *op, const char *status, const char *error)
{
	/* 03000: the operation is not complete; unlike 57014 a plain handler catches it */
	if (strcmp(status, "timed_out") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SQL_STATEMENT_NOT_YET_COMPLETE),
				 errmsg("operation " INT64_FORMAT " (%s of \"%s\") did not finish within its timeout",
						op->id, op->kind, op->resource),
				 errdetail("AWS may still complete it; rds_backup no longer tracks it.")));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("operation " INT64_FORMAT " (%s of \"%s\") %s", op->id, op->kind,
					op->resource, status),
			 error ? errdetail("%s", error) : 0));
}

/*
 * Wait for operation op_id to finish.  With the worker running, sleep on
 * its change signal and re-read the row; without it, ask AWS ourselves
 * with backoff.  When the time runs out, mark_timed_out ends the
 * operation as timed_out (wait => true: the timeout is the operation's);
 * rds_wait() only stops waiting.
 */
char *
operation_wait_id(int64 op_id, double timeout_secs, bool mark_timed_out)
{
	TimestampTz deadline = GetCurrentTimestamp() +
		(TimestampTz) (timeout_secs * USECS_PER_SEC);
	long		interval_ms = 1000;
	TimestampTz next_nudge = 0;

	for (;;)
	{
		char	   *row;
		TrackedOp  *t = catalog_load_operation(op_id, &row);
		Operation	op;
		long		left_ms;
		List	   *audit = NIL;

		if (t == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("operation " INT64_FORMAT " does not exist", op_id)));
		memset(&op, 0, sizeof(op));
		op.id = t->id;
		op.kind = t->kind;
		op.resource = t->resource;
		if (strcmp(t->status, "succeeded") == 0)
			return row;
		if (op_status_is_terminal(t->status))
		{
			char	   *error;

			/* re-read the error column for the message */
			error = catalog_operation_error(op_id);
			raise_for_end(&op, t->status, error);
		}

		left_ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
		if (left_ms <= 0)
		{
			if (mark_timed_out)
			{
				OpUpdate	u = OP_UPDATE_INIT;

				u.status = "timed_out";
				u.error = "the operation did not finish within its timeout";
				catalog_update_operation(op_id, &u, NIL);
				raise_for_end(&op, "timed_out", NULL);
			}
			ereport(ERROR,
					(errcode(ERRCODE_SQL_STATEMENT_NOT_YET_COMPLETE),
					 errmsg("operation " INT64_FORMAT " (%s of \"%s\") is still %s",
							op_id, t->kind, t->resource, t->status),
					 errdetail("rds_wait() gave up waiting; the operation is still tracked.")));
		}

		/*
		 * With the worker running, sleep until it reports a change.  Its
		 * own polling may have backed off, so nudge it now and then; the
		 * nudges back off too, and a change elsewhere does not bring one
		 * forward.
		 */
		if (tracker_is_running())
		{
			TimestampTz now = GetCurrentTimestamp();

			if (now >= next_nudge)
			{
				tracker_wake();
				next_nudge = TimestampTzPlusMilliseconds(now, interval_ms);
				interval_ms = Min(interval_ms * 3 / 2, WAIT_POLL_MAX_MS);
			}
			tracker_wait_for_change(Min(TimestampDifferenceMilliseconds(now, next_nudge),
										left_ms));
			CHECK_FOR_INTERRUPTS();
			continue;
		}

		/* no worker: poll AWS ourselves */
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Min(interval_ms, left_ms), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		interval_ms = Min(interval_ms * 3 / 2, WAIT_POLL_MAX_MS);
		track_poll(list_make1(t), &audit);
		catalog_update_operation(op_id, &t->u, audit);
		CHECK_FOR_INTERRUPTS();
	}
}

char *
operation_wait(const Operation *op)
{
	return operation_wait_id(op->id, op->timeout_secs, true);
}

Datum
operation_result(FunctionCallInfo fcinfo, const Operation *op, char *row, bool wait)
{
	if (wait)
		row = operation_wait(op);
	CHECK_FOR_INTERRUPTS();
	return catalog_row_datum(fcinfo, row);
}
