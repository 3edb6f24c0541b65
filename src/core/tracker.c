/*-------------------------------------------------------------------------
 * tracker.c
 *		The background worker that follows every unfinished operation to
 *		its end, and the shared state sessions use to wake it and to wait.
 *
 * Shape, after pg_cron's launcher: the loop keeps AWS calls out of
 * transactions; it reads the unfinished operations in one short
 * transaction, asks AWS about them in batches (track.c), then commits
 * each change in a transaction of its own, so that a crash at any point
 * loses nothing that was committed and a restart simply re-checks every
 * unfinished row with AWS.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "core/catalog.h"
#include "core/poll.h"
#include "core/publish.h"
#include "core/tracker.h"

char	   *rb_database = NULL;
int			rb_poll_interval_ms = 15000;
int			rb_history_retention_min = 525600;	/* 1 year */
char	   *rb_sns_topic_arn = NULL;
char	   *rb_cloudwatch_namespace = NULL;

bool		am_rds_backup_tracker = false;

/* Polling backs off to this multiple of poll_interval when nothing moves. */
#define BACKOFF_FACTOR_MAX		8
/* Rows deleted per transaction by the history sweep. */
#define SWEEP_BATCH				1000
#define SWEEP_EVERY_SECS		60
/* Least time between two rounds that sessions asked for. */
#define MIN_ROUND_GAP_MS		1000

typedef struct TrackerShared
{
	slock_t		mutex;
	int			pgprocno;		/* -1 when not running */
	int			pid;
	Oid			database_id;
	ConditionVariable changed;	/* broadcast after an operation changed */
	/* counters for rds_backup.tracker_status(), under mutex */
	uint64		rounds;			/* rounds that polled AWS */
	uint64		aws_calls;		/* Describe calls made by those rounds */
	uint64		polled;			/* operations looked at */
	uint64		changes;		/* operation changes committed */
	int			last_pending;	/* unfinished operations in the last round */
	int			last_calls;		/* Describe calls of the last round */
	TimestampTz started_at;
	TimestampTz last_round_at;
} TrackerShared;

static TrackerShared *tracker_shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

PGDLLEXPORT void rds_backup_tracker_main(Datum main_arg);

void
tracker_define_gucs(void)
{
	/* only the postmaster can define a PGC_POSTMASTER setting */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomStringVariable("rds_backup.database",
								   "Database whose operations the background worker tracks.",
								   NULL,
								   &rb_database, "postgres", PGC_POSTMASTER, 0,
								   NULL, NULL, NULL);
	DefineCustomIntVariable("rds_backup.poll_interval",
							"Base period of the worker's AWS polling.",
							"The worker backs off to 8 times this while nothing changes.",
							&rb_poll_interval_ms, 15000, 100, 3600000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("rds_backup.history_retention",
							"Age after which finished operations and audit rows are deleted.",
							"0 keeps everything.",
							&rb_history_retention_min, 525600, 0, INT_MAX / 2,
							PGC_SIGHUP, GUC_UNIT_MIN,
							NULL, NULL, NULL);
	DefineCustomStringVariable("rds_backup.sns_topic_arn",
							   "SNS topic told about every finished operation.",
							   NULL,
							   &rb_sns_topic_arn, "", PGC_SUSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("rds_backup.cloudwatch_namespace",
							   "CloudWatch namespace of operation duration metrics.",
							   NULL,
							   &rb_cloudwatch_namespace, "", PGC_SUSET, 0,
							   NULL, NULL, NULL);
}

static void
tracker_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(TrackerShared)));
}

static void
tracker_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	tracker_shared = ShmemInitStruct("rds_backup tracker", sizeof(TrackerShared), &found);
	if (!found)
	{
		SpinLockInit(&tracker_shared->mutex);
		tracker_shared->pgprocno = -1;
		tracker_shared->database_id = InvalidOid;
		ConditionVariableInit(&tracker_shared->changed);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
tracker_register(void)
{
	BackgroundWorker worker;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = tracker_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = tracker_shmem_startup;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "rds_backup");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "rds_backup_tracker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "rds_backup tracker");
	snprintf(worker.bgw_type, BGW_MAXLEN, "rds_backup tracker");
	RegisterBackgroundWorker(&worker);
}

static int
tracker_pgprocno(void)
{
	int			n;

	if (tracker_shared == NULL)
		return -1;
	SpinLockAcquire(&tracker_shared->mutex);
	n = tracker_shared->database_id == MyDatabaseId ? tracker_shared->pgprocno : -1;
	SpinLockRelease(&tracker_shared->mutex);
	return n;
}

void
tracker_wake(void)
{
	int			n = tracker_pgprocno();

	if (n >= 0 && !am_rds_backup_tracker)
		SetLatch(&ProcGlobal->allProcs[n].procLatch);
}

void
tracker_signal_waiters(void)
{
	if (tracker_shared)
		ConditionVariableBroadcast(&tracker_shared->changed);
}

bool
tracker_is_running(void)
{
	return tracker_pgprocno() >= 0;
}

bool
tracker_wait_for_change(long timeout_ms)
{
	if (!tracker_is_running())
		return false;
	ConditionVariablePrepareToSleep(&tracker_shared->changed);
	(void) ConditionVariableTimedSleep(&tracker_shared->changed, timeout_ms,
									   PG_WAIT_EXTENSION);
	ConditionVariableCancelSleep();
	return true;
}

static void
tracker_unregister(int code, Datum arg)
{
	if (tracker_shared)
	{
		SpinLockAcquire(&tracker_shared->mutex);
		if (tracker_shared->pgprocno == MyProc->pgprocno)
			tracker_shared->pgprocno = -1;
		SpinLockRelease(&tracker_shared->mutex);
	}
}

static bool
extension_installed(void)
{
	bool		found;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	found = OidIsValid(get_extension_oid("rds_backup", true));
	catalog_prime_role_name();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return found;
}

static List *
load_unfinished(MemoryContext mcxt)
{
	List	   *ops;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "reading unfinished operations");
	ops = catalog_unfinished_operations(mcxt);
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	return ops;
}

static bool
update_has_changes(const OpUpdate *u)
{
	return u->status || u->aws_status || u->progress >= 0 || u->resource_arn ||
		u->error || u->resource;
}

/*
 * One round: every unfinished operation, batched per family and region.
 * Returns the number of operations that changed, or -1 when there is
 * nothing to track.
 */
static int
tracker_round(void)
{
	List	   *ops = load_unfinished(CurrentMemoryContext);
	List	   *groups = NIL;	/* List of List of TrackedOp */
	ListCell   *lc;
	int			changed = 0;
	int			round_calls = 0;
	TimestampTz now = GetCurrentTimestamp();

	if (ops == NIL)
		return -1;

	foreach(lc, ops)
	{
		TrackedOp  *op = lfirst(lc);
		ListCell   *gc;
		bool		placed = false;

		/*
		 * Its session is still making the call that starts it and will
		 * record the outcome itself; judging it now would race that call.
		 */
		if (strcmp(op->status, "pending") == 0 && op->request_id == NULL &&
			op->session_pid != 0 && BackendPidGetProc(op->session_pid) != NULL)
			continue;

		if (op->deadline != DT_NOEND && now >= op->deadline)
		{
			OpUpdate	u = OP_UPDATE_INIT;

			u.status = "timed_out";
			u.error = "the operation did not finish within its timeout";
			catalog_update_operation(op->id, &u, NIL);
			changed++;
			continue;
		}
		foreach(gc, groups)
		{
			List	   *g = lfirst(gc);
			TrackedOp  *first = linitial(g);

			if (track_op_family(first) == track_op_family(op) &&
				strcmp(first->region, op->region) == 0)
			{
				lfirst(gc) = lappend(g, op);
				placed = true;
				break;
			}
		}
		if (!placed)
			groups = lappend(groups, list_make1(op));
	}

	foreach(lc, groups)
	{
		List	   *g = lfirst(lc);
		List	   *audit = NIL;
		ListCell   *oc;
		int			calls;

		pgstat_report_activity(STATE_RUNNING, "polling AWS");
		calls = track_poll(g, &audit);
		round_calls += calls;
		SpinLockAcquire(&tracker_shared->mutex);
		tracker_shared->aws_calls += calls;
		tracker_shared->polled += list_length(g);
		SpinLockRelease(&tracker_shared->mutex);
		catalog_write_audit(audit, 0);
		foreach(oc, g)
		{
			TrackedOp  *op = lfirst(oc);

			if (!update_has_changes(&op->u))
				continue;
			catalog_update_operation(op->id, &op->u, NIL);
			changed++;
		}
		/* an interrupted call means SIGTERM: everything so far is saved */
		CHECK_FOR_INTERRUPTS();
	}
	SpinLockAcquire(&tracker_shared->mutex);
	tracker_shared->rounds++;
	tracker_shared->changes += changed;
	tracker_shared->last_pending = list_length(ops);
	tracker_shared->last_calls = round_calls;
	tracker_shared->last_round_at = GetCurrentTimestamp();
	SpinLockRelease(&tracker_shared->mutex);
	pgstat_report_activity(STATE_IDLE, NULL);
	return changed;
}

/* Delete history older than rds_backup.history_retention, in small batches. */
static void
sweep_history(void)
{
	static const char *const sql[] = {
		"WITH d AS (SELECT id FROM rds_backup.operations"
		" WHERE finished_at < now() - make_interval(mins => $1::int)"
		" LIMIT " CppAsString2(SWEEP_BATCH) ")"
		" DELETE FROM rds_backup.operations o USING d WHERE o.id = d.id",
		"WITH d AS (SELECT id FROM rds_backup.audit_log"
		" WHERE called_at < now() - make_interval(mins => $1::int)"
		" LIMIT " CppAsString2(SWEEP_BATCH) ")"
		" DELETE FROM rds_backup.audit_log a USING d WHERE a.id = d.id",
	};
	size_t		i;

	if (rb_history_retention_min <= 0)
		return;
	for (i = 0; i < lengthof(sql); i++)
	{
		uint64		deleted;

		do
		{
			Oid			types[1] = {INT4OID};
			Datum		values[1] = {Int32GetDatum(rb_history_retention_min)};

			CHECK_FOR_INTERRUPTS();
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING, "deleting old history");
			SPI_connect();
			if (SPI_execute_with_args(sql[i], 1, types, values, NULL, false, 0) != SPI_OK_DELETE)
				elog(ERROR, "history sweep failed");
			deleted = SPI_processed;
			SPI_finish();
			PopActiveSnapshot();
			CommitTransactionCommand();
		} while (deleted == SWEEP_BATCH);
	}
	pgstat_report_activity(STATE_IDLE, NULL);
}

void
rds_backup_tracker_main(Datum main_arg)
{
	MemoryContext round_cxt;
	long		interval_ms;
	volatile TimestampTz last_sweep = 0;
	volatile bool warned_missing = false;
	TimestampTz round_start = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	am_rds_backup_tracker = true;

	BackgroundWorkerInitializeConnection(rb_database, NULL, 0);
	pgstat_report_appname("rds_backup tracker");

	SpinLockAcquire(&tracker_shared->mutex);
	tracker_shared->pgprocno = MyProc->pgprocno;
	tracker_shared->pid = MyProcPid;
	tracker_shared->database_id = MyDatabaseId;
	tracker_shared->started_at = GetCurrentTimestamp();
	tracker_shared->last_pending = 0;
	SpinLockRelease(&tracker_shared->mutex);
	before_shmem_exit(tracker_unregister, (Datum) 0);

	ereport(LOG,
			(errmsg("rds_backup tracker started in database \"%s\"", rb_database)));

	round_cxt = AllocSetContextCreate(TopMemoryContext, "rds_backup tracker round",
									  ALLOCSET_DEFAULT_SIZES);
	interval_ms = rb_poll_interval_ms;

	for (;;)
	{
		volatile int changed = -1;
		int			rc;

		CHECK_FOR_INTERRUPTS();
		round_start = GetCurrentTimestamp();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			interval_ms = rb_poll_interval_ms;
			last_sweep = 0;		/* a new retention applies now */
		}
		ResetLatch(MyLatch);
		MemoryContextReset(round_cxt);

		/*
		 * An error in one round (AWS, configuration, a lock timeout) is
		 * logged and the next round tries again; every change that was made
		 * before it is already committed.
		 */
		PG_TRY();
		{
			MemoryContext old = MemoryContextSwitchTo(round_cxt);

			if (!extension_installed())
			{
				if (!warned_missing)
					ereport(LOG,
							(errmsg("rds_backup tracker waits for CREATE EXTENSION rds_backup in database \"%s\"",
									rb_database)));
				warned_missing = true;
			}
			else
			{
				warned_missing = false;
				changed = tracker_round();
				publish_pending();
				if (TimestampDifferenceExceeds(last_sweep, GetCurrentTimestamp(),
											   SWEEP_EVERY_SECS * 1000))
				{
					sweep_history();
					last_sweep = GetCurrentTimestamp();
				}
			}
			MemoryContextSwitchTo(old);
		}
		PG_CATCH();
		{
			HOLD_INTERRUPTS();
			EmitErrorReport();
			FlushErrorState();
			AbortOutOfAnyTransaction();
			MemoryContextSwitchTo(TopMemoryContext);
			RESUME_INTERRUPTS();
			pgstat_report_activity(STATE_IDLE, NULL);
			changed = 0;
		}
		PG_END_TRY();

		if (changed > 0)
			interval_ms = rb_poll_interval_ms;
		else if (changed == 0)
			interval_ms = Min(interval_ms * 2, (long) rb_poll_interval_ms * BACKOFF_FACTOR_MAX);
		else
			interval_ms = rb_poll_interval_ms;	/* nothing pending: no AWS calls */
		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					   interval_ms, PG_WAIT_EXTENSION);
		if (rc & WL_LATCH_SET)
		{
			long		since = TimestampDifferenceMilliseconds(round_start,
																GetCurrentTimestamp());
			long		gap = Min(rb_poll_interval_ms, MIN_ROUND_GAP_MS);

			/*
			 * Woken by a session: poll soon, but not more often than this,
			 * however many sessions ask.
			 */
			if (since < gap && !ProcDiePending)
				(void) WaitLatch(MyLatch, WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
								 gap - since, PG_WAIT_EXTENSION);
			interval_ms = rb_poll_interval_ms;
		}
	}
}

PG_FUNCTION_INFO_V1(rds_backup_tracker_status);

/*
 * rds_backup.tracker_status(): what the worker is doing, for monitoring
 * and for tests that count its AWS calls.
 */
Datum
rds_backup_tracker_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10];
	TrackerShared snap;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	memset(nulls, 0, sizeof(nulls));
	if (tracker_shared == NULL)
	{
		memset(nulls, 1, sizeof(nulls));
		values[0] = BoolGetDatum(false);
		nulls[0] = false;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
	}
	SpinLockAcquire(&tracker_shared->mutex);
	memcpy(&snap, tracker_shared, sizeof(snap));
	SpinLockRelease(&tracker_shared->mutex);

	values[0] = BoolGetDatum(snap.pgprocno >= 0);
	values[1] = Int32GetDatum(snap.pid);
	nulls[1] = snap.pgprocno < 0;
	values[2] = Int64GetDatum((int64) snap.rounds);
	values[3] = Int64GetDatum((int64) snap.aws_calls);
	values[4] = Int64GetDatum((int64) snap.polled);
	values[5] = Int64GetDatum((int64) snap.changes);
	values[6] = Int32GetDatum(snap.last_pending);
	values[9] = Int32GetDatum(snap.last_calls);
	values[7] = TimestampTzGetDatum(snap.started_at);
	nulls[7] = snap.started_at == 0;
	values[8] = TimestampTzGetDatum(snap.last_round_at);
	nulls[8] = snap.last_round_at == 0;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
