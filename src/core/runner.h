/*-------------------------------------------------------------------------
 * runner.h
 *		The one path every operation takes: intent, AWS call, outcome,
 *		optional wait; and the calls that start nothing.
 *
 * The SQL functions check their arguments and describe the request; the
 * runner records the intent (durable before the call), makes the call,
 * records the outcome with the call's audit rows, and waits when asked.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CORE_RUNNER_H
#define RDS_BACKUP_CORE_RUNNER_H

#include "fmgr.h"

#include "aws/client.h"
#include "core/catalog.h"

typedef struct OpStart OpStart;

struct OpStart
{
	const char *kind;
	const char *region;
	const char *resource;		/* what the operation creates or changes */
	const char *source;
	const char *params_json;	/* the request by AWS names, secrets left out */
	OpIdentity	who;			/* who it acts as; unset: the session's settings */
	bool		wait;
	double		timeout_secs;	/* of the wait only */

	/* the request that starts it; the operation's id is known by then */
	AwsRequest *(*build) (OpStart *start, int64 op_id);

	/*
	 * Optional, when the caller let the name be chosen: set resource (and
	 * params_json) to the n-th candidate name (n = 1, 2, ...).  A candidate
	 * another session is starting, or one the catalog knows, is skipped; one
	 * AWS says is taken (error code name_taken) too.
	 */
	void		(*name) (OpStart *start, int n);
	const char *name_taken;

	/*
	 * Optional: a failed reply that is ours after all (a retried create
	 * whose first attempt AWS executed meets "AlreadyExists"): make it an
	 * AWS_OK reply whose result describes the resource, and return true.
	 */
	bool		(*recover) (OpStart *start, int64 op_id, AwsRequest *req, AwsReply *reply);

	/* after the call, for presigned requests: keep the URL out of what is kept */
	void		(*after_call) (OpStart *start, AwsRequest *req, AwsReply *reply);

	/*
	 * Started from the operation queue: an AWS error code that puts the
	 * operation back in the queue rather than failing it (AWS's limit is
	 * full, for now).
	 */
	const char *requeue_on;

	void	   *arg;			/* the function's own state */
};

/*
 * Check that calls can be made at all in this session: the library is
 * preloaded, the server is not a standby, and this is the database that
 * holds the catalog.  Every SQL function calls this first.
 */
extern void runner_check_ready(void);

/* Who this session's operations act as now (rds_backup.role_arn ...). */
extern void runner_identity(OpIdentity *who);

/* Start an operation and return its operations row (waited for with wait). */
extern Datum runner_start(FunctionCallInfo fcinfo, OpStart *start);

/*
 * The same, returning the row.  With raise_aws_errors false, an operation
 * AWS refused comes back as its failed row (error says why) rather than as
 * an ERROR, so that a caller starting many goes on with the next; a cancel
 * is still raised.
 */
extern CatalogOp *runner_start_row(OpStart *start, bool raise_aws_errors);

/*
 * Make the call that starts operation op_id, whose intent the catalog
 * holds already (one just taken from the operation queue), and record
 * the outcome.  AWS's answer is never raised; an ERROR or cancel before
 * the request was sent puts the operation back in the queue.
 */
extern AwsOutcome runner_launch(OpStart *start, int64 op_id);

/*
 * A call that starts no operation (Describe, a sharing change): its audit
 * rows are queued.  runner_call leaves a failed reply to the caller;
 * runner_read raises it.  runner_change waits until the audit rows are
 * committed, for calls that change something in AWS.
 */
extern void runner_call(AwsRequest *req, AwsReply *reply);
extern void runner_read(AwsRequest *req, AwsReply *reply, const char *extra_detail);
extern void runner_change(AwsRequest *req, AwsReply *reply);

/* A call made for operation op_id: its audit rows name it (queued). */
extern void runner_call_for(int64 op_id, AwsRequest *req, AwsReply *reply);
extern bool runner_recover_own_snapshot(int64 op_id, bool cluster, const char *region,
										const char *name, AwsReply *reply);

/*
 * Wait until operation op_id has finished; return its row when it
 * succeeded, raise an ERROR for any other end.  When timeout_secs pass
 * first, raise SQLSTATE 03000: the operation stays tracked.
 */
extern CatalogOp *runner_wait(int64 op_id, double timeout_secs);

/* Record a change to an operation and return its row once committed. */
extern CatalogOp *runner_update(int64 op_id, const OpUpdate *u);

/* Whether a session is making the call that starts op_id right now. */
extern bool runner_call_in_flight(int64 op_id);

extern Size runner_shmem_size(void);
extern void runner_shmem_init(void);

#endif
