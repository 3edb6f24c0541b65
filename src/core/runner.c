/*-------------------------------------------------------------------------
 * runner.c
 *		The one path every operation takes: intent, AWS call, outcome,
 *		optional wait; and the calls that start nothing.
 *
 * AWS cannot roll back, so the record may not either: the intent row is
 * committed by the catalog writer before the call, and the outcome after
 * it, both in transactions of their own.  While the call runs, this
 * backend says so in shared memory, and the tracker leaves the operation
 * alone; at any other time (the session idle, in another statement, gone)
 * the tracker settles a pending row itself.
 *
 * A cancel can end the session's part at any point.  Before the call, the
 * intent is abandoned (marked failed: nothing was sent).  During or after
 * it, whatever was queued is committed by the writer all the same, and the
 * tracker asks AWS about the rest.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xlog.h"
#include "commands/dbcommands.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "aws/config.h"
#include "aws/identity.h"
#include "core/catalog.h"
#include "core/poll.h"
#include "core/runner.h"
#include "core/tracker.h"
#include "core/writer.h"
#include "rds/actions.h"
#include "rds/names.h"

/* Automatic names tried before giving up. */
#define MAX_NAME_ATTEMPTS	5
/* Waiting without the tracker polls first after 1 s, then backs off to this. */
#define WAIT_POLL_MAX_MS	15000

/*
 * Per backend, by pgprocno: the operation it is starting right now (0:
 * none), and the automatic name it has chosen but not yet committed (0:
 * none), so that two sessions never choose the same one.
 */
typedef struct RunnerSlot
{
	pg_atomic_uint64 in_flight;
	uint64		claimed_name;	/* under mutex */
} RunnerSlot;

typedef struct RunnerShared
{
	slock_t		mutex;
	int			nslots;
	RunnerSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} RunnerShared;

static RunnerShared *runner = NULL;
static bool exit_hook_set = false;

/*
 * The operation whose intent this backend recorded but whose request it
 * has not sent; with unsent_requeue, one taken from the operation queue,
 * which goes back there rather than failing.
 */
static int64 unsent_op = 0;
static bool unsent_requeue = false;

static void abandon(int64 op_id);
static void requeue(int64 op_id);

Size
runner_shmem_size(void)
{
	return add_size(offsetof(RunnerShared, slots),
					mul_size(MaxBackends, sizeof(RunnerSlot)));
}

void
runner_shmem_init(void)
{
	bool		found;
	int			i;

	runner = ShmemInitStruct("rds_backup runner", runner_shmem_size(), &found);
	if (found)
		return;
	SpinLockInit(&runner->mutex);
	runner->nslots = MaxBackends;
	for (i = 0; i < MaxBackends; i++)
	{
		pg_atomic_init_u64(&runner->slots[i].in_flight, 0);
		runner->slots[i].claimed_name = 0;
	}
}

static RunnerSlot *
my_slot(void)
{
	int			n = MyProc->pgprocno;

	return (runner && n >= 0 && n < runner->nslots) ? &runner->slots[n] : NULL;
}

static void
release_name(void)
{
	RunnerSlot *slot = my_slot();

	if (slot == NULL)
		return;
	SpinLockAcquire(&runner->mutex);
	slot->claimed_name = 0;
	SpinLockRelease(&runner->mutex);
}

/* At exit (a terminate ends a backend without unwinding through PG_CATCH). */
static void
clear_slot(int code, Datum arg)
{
	RunnerSlot *slot = my_slot();

	if (unsent_op != 0)
	{
		if (unsent_requeue)
			requeue(unsent_op);
		else
			abandon(unsent_op);
	}
	unsent_op = 0;
	if (slot)
		pg_atomic_write_u64(&slot->in_flight, 0);
	release_name();
}

static void
set_in_flight(int64 op_id)
{
	RunnerSlot *slot = my_slot();

	if (slot == NULL)
		return;
	if (!exit_hook_set)
	{
		before_shmem_exit(clear_slot, (Datum) 0);
		exit_hook_set = true;
	}
	pg_atomic_write_u64(&slot->in_flight, (uint64) op_id);
}

/*
 * Claim start's automatic name: no other session has claimed it and no
 * operation of that kind and region uses it.  The claim holds until the
 * intent row that uses it is committed, when the catalog shows it.
 */
static bool
claim_name(const OpStart *start)
{
	RunnerSlot *slot = my_slot();
	char	   *key = psprintf("%s/%s/%s", start->kind, start->region, start->resource);
	uint64		hash = hash_bytes_extended((const unsigned char *) key, strlen(key), 0);
	bool		free = true;
	int			i;

	if (hash == 0)
		hash = 1;
	if (slot)
	{
		SpinLockAcquire(&runner->mutex);
		for (i = 0; i < runner->nslots && free; i++)
			if (runner->slots[i].claimed_name == hash && &runner->slots[i] != slot)
				free = false;
		if (free)
			slot->claimed_name = hash;
		SpinLockRelease(&runner->mutex);
	}
	if (free && catalog_resource_in_use(start->kind, start->region, start->resource))
	{
		release_name();
		free = false;
	}
	return free;
}

bool
runner_call_in_flight(int64 op_id)
{
	int			i;

	if (runner == NULL)
		return false;
	for (i = 0; i < runner->nslots; i++)
		if (pg_atomic_read_u64(&runner->slots[i].in_flight) == (uint64) op_id)
			return true;
	return false;
}

void
runner_identity(OpIdentity *who)
{
	AwsIdentity id;

	aws_identity_current(&id);
	who->account = NULL;		/* from the role's ARN, or the resource's, when recorded */
	who->role_arn = id.role_arn;
	who->external_id = id.external_id;
}

void
runner_check_ready(void)
{
	static Oid	checked_db = InvalidOid;

	if (!rb_preloaded || !queue_available())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("rds_backup must be loaded through shared_preload_libraries"),
				 errdetail("Its catalog writer and tracker start with the server."),
				 errhint("Add rds_backup to shared_preload_libraries in postgresql.conf and restart the server.")));
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("rds_backup cannot make AWS calls on a standby server"),
				 errdetail("Every AWS call is recorded in rds_backup's catalog, which a standby cannot write."),
				 errhint("Call it on the primary server.")));
	if (checked_db != MyDatabaseId)
	{
		char	   *name = get_database_name(MyDatabaseId);

		if (name == NULL || strcmp(name, rb_database) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("rds_backup works in database \"%s\" only", rb_database),
					 errdetail("Its catalog writer and tracker are connected to the database named by rds_backup.database."),
					 errhint("Connect to database \"%s\", or set rds_backup.database and restart the server.",
							 rb_database)));
		checked_db = MyDatabaseId;
	}
}

void
runner_call(AwsRequest *req, AwsReply *reply)
{
	aws_call(req, reply);
	(void) catalog_write_audit(reply->audit, 0);
}

void
runner_call_for(int64 op_id, AwsRequest *req, AwsReply *reply)
{
	aws_call(req, reply);
	(void) catalog_write_audit(reply->audit, op_id);
}

/*
 * After a snapshot create or copy met AlreadyExists: the snapshot named
 * name is this operation's when it carries its operation tag (an attempt
 * made it and its reply was lost; libcurl may even resend a request on a
 * reset connection).  Then reply becomes the listing's answer, which
 * describes the snapshot as the create would have.
 */
bool
runner_recover_own_snapshot(int64 op_id, bool cluster, const char *region,
							const char *name, AwsReply *reply)
{
	AwsRequest *dreq;
	AwsReply	dreply;
	List	   *snaps;
	char	   *marker;
	char		idbuf[32];
	ListCell   *lc;

	if (strcmp(reply->error_code, cluster ? "DBClusterSnapshotAlreadyExistsFault" :
			   "DBSnapshotAlreadyExists") != 0)
		return false;
	dreq = rds_describe_snapshots_request(cluster, region, NULL, name, NULL, NULL);
	runner_call_for(op_id, dreq, &dreply);
	if (dreply.outcome != AWS_OK)
		return false;
	snaps = rds_read_snapshot_list(cluster, &dreply, &marker);
	if (snaps == NIL)
		return false;
	snprintf(idbuf, sizeof(idbuf), INT64_FORMAT, op_id);
	foreach(lc, ((RdsSnapshot *) linitial(snaps))->tags)
	{
		TagPair    *t = lfirst(lc);

		if (strcmp(t->key, TAG_OPERATION) == 0 && strcmp(t->value, idbuf) == 0)
		{
			reply->outcome = AWS_OK;
			reply->result = xnode_child(dreply.result, cluster ? "DBClusterSnapshots" :
										"DBSnapshots");
			reply->request_id = dreply.request_id;
			return true;
		}
	}
	return false;
}

void
runner_read(AwsRequest *req, AwsReply *reply, const char *extra_detail)
{
	runner_call(req, reply);
	if (reply->outcome != AWS_OK)
		aws_raise(req, reply, extra_detail);
}

void
runner_change(AwsRequest *req, AwsReply *reply)
{
	aws_call(req, reply);
	if (reply->outcome == AWS_INTERRUPTED)
	{
		(void) catalog_write_audit(reply->audit, 0);
		return;
	}
	catalog_wait(catalog_write_audit(reply->audit, 0));
}

/*
 * Mark an operation whose request was never sent as failed, from an error
 * path: nothing here may raise or wait.  When the queue has no room, the
 * tracker settles the row later (AWS has no record of it).
 */
static void
abandon(int64 op_id)
{
	OpUpdate	u = OP_UPDATE_INIT;

	u.status = "failed";
	u.error = "canceled before its request was sent to AWS";
	(void) catalog_try_update_operation(op_id, &u);
}

/*
 * Put an operation taken from the operation queue back there: its request
 * was never sent (an error or a cancel came first).  From error paths
 * too: nothing here may raise or wait.
 */
static void
requeue(int64 op_id)
{
	OpUpdate	u = OP_UPDATE_INIT;

	u.aws_status = OP_AWS_STATUS_QUEUED;
	(void) catalog_try_update_operation(op_id, &u);
}

/* What the starting call's reply means for the row. */
static void
outcome_of_reply(OpStart *start, int64 op_id, const AwsRequest *req,
				 const AwsReply *reply, OpUpdate *u)
{
	*u = (OpUpdate) OP_UPDATE_INIT;
	if (reply->outcome == AWS_OK)
	{
		CatalogOp	row;
		TrackedOp  *t;

		memset(&row, 0, sizeof(row));
		row.id = op_id;
		row.kind = (char *) start->kind;
		row.region = (char *) start->region;
		row.resource = (char *) start->resource;
		row.source = (char *) start->source;
		row.status = "pending";
		row.progress = -1;
		row.requested_at = GetCurrentTimestamp();
		row.params = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
														CStringGetDatum(start->params_json)));
		t = poll_op(&row);
		t->request_id = (char *) reply->request_id;
		poll_read_started(t, reply->result);
		*u = t->u;
	}
	else if (reply->maybe_applied)
	{
		/*
		 * AWS may have acted: leave the row pending for the tracker (or a
		 * waiting call), never mark it failed on a guess.
		 */
		u->error = psprintf("%s; AWS may still have started it, so it stays pending until checked",
							aws_reply_error_text(req, reply));
	}
	else
	{
		u->status = "failed";
		u->error = aws_reply_error_text(req, reply);
	}
	if (reply->request_id)
		u->request_id = reply->request_id;
}

static bool
name_is_taken(const OpStart *start, const AwsReply *reply)
{
	return start->name && start->name_taken && reply->outcome == AWS_ERROR_REPLY &&
		strcmp(reply->error_code, start->name_taken) == 0;
}

/*
 * Build and send the request that starts op_id (its intent is committed),
 * and record the outcome with the call's audit rows.  Returns true when an
 * automatic name was taken by someone else and the caller should try the
 * next one (attempt counts the names tried).
 */
static bool
call_and_record(OpStart *start, int64 op_id, int attempt, AwsRequest **reqp,
				AwsReply *reply)
{
	AwsRequest *req;
	OpUpdate	u;
	bool		retry = false;

	req = start->build(start, op_id);
	req->identity.role_arn = start->who.role_arn;
	req->identity.external_id = start->who.external_id;
	*reqp = req;
	unsent_op = 0;
	aws_call(req, reply);
	if (start->after_call)
		start->after_call(start, req, reply);
	/* in the order the calls were made: the recovery may make more */
	(void) catalog_write_audit(reply->audit, op_id);
	reply->audit = NIL;
	if (reply->outcome == AWS_ERROR_REPLY && start->recover)
		(void) start->recover(start, op_id, req, reply);

	if (name_is_taken(start, reply) && attempt < MAX_NAME_ATTEMPTS)
	{
		/* someone else took the automatic name first: pick the next one */
		u = (OpUpdate) OP_UPDATE_INIT;
		u.status = "failed";
		u.error = aws_reply_error_text(req, reply);
		retry = true;
	}
	else if (start->requeue_on && reply->outcome == AWS_ERROR_REPLY &&
			 strcmp(reply->error_code, start->requeue_on) == 0)
	{
		/* AWS took nothing: the operation waits in the queue again */
		u = (OpUpdate) OP_UPDATE_INIT;
		u.aws_status = OP_AWS_STATUS_QUEUED;
		u.error = psprintf("back in the queue after AWS refused it: %s",
						   aws_reply_error_text(req, reply));
	}
	else
		outcome_of_reply(start, op_id, req, reply, &u);
	if (reply->outcome == AWS_INTERRUPTED)
		(void) catalog_update_operation(op_id, &u);
	else
		catalog_wait(catalog_update_operation(op_id, &u));
	return retry;
}

CatalogOp *
runner_start_row(OpStart *start, bool raise_aws_errors)
{
	int			attempt;
	volatile int candidate = 1;
	volatile int64 op_id = 0;
	AwsRequest *volatile req = NULL;
	AwsReply	reply;
	CatalogOp  *row;

	runner_check_ready();
	aws_preflight("rds", start->region);
	if (start->who.role_arn == NULL)
		runner_identity(&start->who);

	for (attempt = 1;; attempt++)
	{
		bool		retry = false;

		if (start->name)
		{
			do
			{
				CHECK_FOR_INTERRUPTS();
				start->name(start, candidate++);
			} while (!claim_name(start));
		}
		op_id = catalog_new_operation_id();

		/* from here the tracker leaves the operation to this session */
		set_in_flight(op_id);
		unsent_op = op_id;
		unsent_requeue = false;
		PG_TRY();
		{
			AwsRequest *r = NULL;

			catalog_wait(catalog_insert_operation(op_id, start->kind, start->region,
												  start->resource, start->source,
												  start->params_json, &start->who));
			/* the catalog shows the name now */
			release_name();
			retry = call_and_record(start, op_id, attempt, &r, &reply);
			req = r;
		}
		PG_CATCH();
		{
			bool		unsent = unsent_op == op_id;

			set_in_flight(0);
			release_name();
			unsent_op = 0;
			if (unsent)
				abandon(op_id);
			PG_RE_THROW();
		}
		PG_END_TRY();
		set_in_flight(0);
		if (!retry)
			break;
	}

	/* the operation is in AWS's hands now: the tracker may follow it */
	tracker_wake();
	if (reply.outcome != AWS_OK &&
		(raise_aws_errors || reply.outcome == AWS_INTERRUPTED))
		aws_raise(req, &reply,
				  psprintf("Operation " INT64_FORMAT " is %s.", op_id,
						   reply.maybe_applied ? "pending" : "failed"));

	if (start->wait && reply.outcome == AWS_OK)
		row = runner_wait(op_id, start->timeout_secs);
	else
		row = catalog_read_operation(op_id);
	if (row == NULL)
		elog(ERROR, "operation " INT64_FORMAT " was not recorded", op_id);
	return row;
}

Datum
runner_start(FunctionCallInfo fcinfo, OpStart *start)
{
	return catalog_row_datum(fcinfo, runner_start_row(start, true)->row_text);
}

AwsOutcome
runner_launch(OpStart *start, int64 op_id)
{
	AwsReply	reply;

	set_in_flight(op_id);
	unsent_op = op_id;
	unsent_requeue = true;
	PG_TRY();
	{
		AwsRequest *req;

		(void) call_and_record(start, op_id, MAX_NAME_ATTEMPTS, &req, &reply);
	}
	PG_CATCH();
	{
		bool		unsent = unsent_op == op_id;

		set_in_flight(0);
		unsent_op = 0;
		if (unsent)
			requeue(op_id);
		PG_RE_THROW();
	}
	PG_END_TRY();
	set_in_flight(0);
	tracker_wake();
	return reply.outcome;
}

CatalogOp *
runner_update(int64 op_id, const OpUpdate *u)
{
	CatalogOp  *row;

	catalog_wait(catalog_update_operation(op_id, u));
	row = catalog_read_operation(op_id);
	if (row == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("operation " INT64_FORMAT " does not exist", op_id)));
	return row;
}

static void
raise_for_end(const CatalogOp *row)
{
	if (strcmp(row->status, "timed_out") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SQL_STATEMENT_NOT_YET_COMPLETE),
				 errmsg("operation " INT64_FORMAT " (%s of \"%s\") timed out", row->id,
						row->kind, row->resource),
				 row->error ? errdetail("%s", row->error) : 0));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("operation " INT64_FORMAT " (%s of \"%s\") %s", row->id, row->kind,
					row->resource, row->status),
			 row->error ? errdetail("%s", row->error) : 0));
}

/*
 * Without a tracker running (it is restarting), a waiting session asks
 * AWS itself, as the tracker would.
 */
static void
poll_myself(CatalogOp *row)
{
	TrackedOp  *t = poll_op(row);
	List	   *audit = NIL;

	(void) poll_ops(list_make1(t), &audit);
	(void) catalog_write_audit(audit, 0);
	if (!op_update_is_empty(&t->u))
		catalog_wait(catalog_update_operation(row->id, &t->u));
}

CatalogOp *
runner_wait(int64 op_id, double timeout_secs)
{
	TimestampTz deadline = GetCurrentTimestamp() +
		(TimestampTz) (timeout_secs * USECS_PER_SEC);
	long		interval_ms = 1000;
	TimestampTz next_nudge = 0;

	for (;;)
	{
		bool		tracked = tracker_is_running();
		CatalogOp  *row;
		TimestampTz now;
		long		left_ms;

		/* before reading, so that no change committed after the read is missed */
		if (tracked)
			ConditionVariablePrepareToSleep(queue_operations_changed());
		row = catalog_read_operation(op_id);

		if (row == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("operation " INT64_FORMAT " does not exist", op_id)));
		if (strcmp(row->status, "succeeded") == 0)
			return row;
		if (op_status_is_terminal(row->status))
			raise_for_end(row);

		now = GetCurrentTimestamp();
		left_ms = TimestampDifferenceMilliseconds(now, deadline);
		if (left_ms <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_SQL_STATEMENT_NOT_YET_COMPLETE),
					 errmsg("operation " INT64_FORMAT " (%s of \"%s\") is still %s",
							op_id, row->kind, row->resource, row->status),
					 errdetail("The wait timed out; AWS goes on, and rds_backup tracks the operation until AWS reports its end."),
					 errhint("rds_wait(" INT64_FORMAT ") waits again.", op_id)));

		if (tracked)
		{
			/*
			 * Sleep until the writer commits a change to some operation.  The
			 * tracker backs off while nothing changes: nudge it now and then,
			 * with a backoff of our own.
			 */
			if (now >= next_nudge)
			{
				tracker_wake();
				next_nudge = TimestampTzPlusMilliseconds(now, interval_ms);
				interval_ms = Min(interval_ms * 3 / 2, WAIT_POLL_MAX_MS);
			}
			(void) ConditionVariableTimedSleep(queue_operations_changed(),
											   Min(TimestampDifferenceMilliseconds(now, next_nudge),
												   left_ms),
											   PG_WAIT_EXTENSION);
			ConditionVariableCancelSleep();
		}
		else
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Min(interval_ms, left_ms), PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			interval_ms = Min(interval_ms * 3 / 2, WAIT_POLL_MAX_MS);
			poll_myself(row);
		}
		CHECK_FOR_INTERRUPTS();
	}
}
