/*-------------------------------------------------------------------------
 * runner.h
 *		The life of an operation as a SQL function sees it: record the
 *		intent, make the call, record the outcome, optionally wait.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_OPERATION_H
#define RDS_BACKUP_OPERATION_H

#include "aws/client.h"
#include "core/catalog.h"

typedef struct Operation
{
	int64		id;
	const char *kind;
	const char *region;
	const char *resource;
	bool		cluster;
	double		timeout_secs;
	const char *export_id;		/* export operations: the task identifier */
	const char *writer;			/* cluster restores: the writer instance */
} Operation;

/*
 * Record the intent to start an operation (committed on its own, so it
 * outlives the caller's transaction), after checking that a call can be
 * made at all.  Returns the operation id.
 */
extern int64 operation_insert(const char *kind, const char *region,
							  const char *resource, const char *source,
							  const char *params_json, const char *timeout_interval);

/*
 * After the call that starts op: write its outcome and the call's audit
 * rows in one transaction of their own; on failure raise the AWS error.
 * ok is applied when the call succeeded.  Returns the row's text form.
 */
extern char *operation_record_start(const Operation *op, const AwsRequest *req,
									const AwsReply *reply, const OpUpdate *ok);

/*
 * Poll until op is finished or its timeout passes; returns the row of a
 * succeeded operation and raises an ERROR for any other end.
 */
extern char *operation_wait(const Operation *op);
extern char *operation_wait_id(int64 op_id, double timeout_secs, bool mark_timed_out);

/*
 * The operations row a starting function returns: row as recorded, or,
 * with wait, the row once op succeeded (an ERROR for any other end).
 */
extern Datum operation_result(FunctionCallInfo fcinfo, const Operation *op, char *row,
							  bool wait);

#endif
