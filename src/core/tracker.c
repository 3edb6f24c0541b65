/*-------------------------------------------------------------------------
 * tracker.c
 *		The background worker that follows every unfinished operation to
 *		its end, and the shared state sessions use to wake it and to wait.
 *
 * Shape, after pg_cron's launcher: the loop keeps AWS calls out of
 * transactions; it reads the unfinished operations in one short
 * transaction, asks AWS about them in batches (poll.c), then hands each
 * change to the catalog writer, so that a crash at any point loses
 * nothing that was committed and a restart simply re-checks every
 * unfinished row with AWS.
 *
 * Tracking ends only when AWS reports an end, or when
 * rds_backup.tracking_limit has passed since the request: a caller's
 * timeout bounds its wait, never the tracking.  An operation whose
 * starting call a session is making right now is left to that session;
 * any other pending row (its session idle, busy elsewhere, or gone) is
 * settled here within a round.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/value.h"
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
#include "core/opqueue.h"
#include "core/poll.h"
#include "core/publish.h"
#include "core/runner.h"
#include "core/tracker.h"
#include "core/writer.h"

int			rb_poll_interval_ms = 15000;
int			rb_tracking_limit_s = 7 * 24 * 3600;
char	   *rb_sns_topic_arn = NULL;
char	   *rb_cloudwatch_namespace = NULL;

bool		am_rds_backup_tracker = false;

/* Polling backs off to this multiple of poll_interval when nothing moves. */
#define BACKOFF_FACTOR_MAX		8
/* Least time between two rounds that sessions asked for. */
#define MIN_ROUND_GAP_MS		1000

typedef struct TrackerShared
{
	slock_t		mutex;
	int			pgprocno;		/* -1 when not running */
	int			pid;
	Oid			database_id;
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

PGDLLEXPORT void rds_backup_tracker_main(Datum main_arg);

void
tracker_define_gucs(void)
{
	DefineCustomIntVariable("rds_backup.poll_interval",
							"Base period of the worker's AWS polling.",
							"The worker backs off to 8 times this while nothing changes.",
							&rb_poll_interval_ms, 15000, 100, 3600000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("rds_backup.tracking_limit",
							"Time after which an operation AWS has not finished ends as timed_out.",
							"Until then the worker polls it, whatever timeout its caller waited with.",
							&rb_tracking_limit_s, 7 * 24 * 3600, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("rds_backup.visibility_grace",
							"Time a resource an operation created may be missing from Describe before it counts as gone.",
							"RDS is eventually consistent: a new resource may not show at once.",
							&rb_visibility_grace_s, 300, 0, 86400,
							PGC_SIGHUP, GUC_UNIT_S,
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

Size
tracker_shmem_size(void)
{
	return MAXALIGN(sizeof(TrackerShared));
}

void
tracker_shmem_init(void)
{
	bool		found;

	tracker_shared = ShmemInitStruct("rds_backup tracker", sizeof(TrackerShared), &found);
	if (!found)
	{
		SpinLockInit(&tracker_shared->mutex);
		tracker_shared->pgprocno = -1;
		tracker_shared->database_id = InvalidOid;
	}
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

bool
tracker_is_running(void)
{
	return tracker_pgprocno() >= 0;
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
	found = OidIsValid(get_extension_oid("rds_backup", true));
	/* audit rows are queued between transactions: look the role up now */
	(void) catalog_role_name();
	CommitTransactionCommand();
	return found;
}

static List *
load_unfinished(void)
{
	List	   *rows;
	List	   *ops = NIL;
	ListCell   *lc;

	pgstat_report_activity(STATE_RUNNING, "reading unfinished operations");
	rows = catalog_unfinished_operations();
	pgstat_report_activity(STATE_IDLE, NULL);
	foreach(lc, rows)
		ops = lappend(ops, poll_op(lfirst(lc)));
	return ops;
}

static bool
past_tracking_limit(const TrackedOp *op, TimestampTz now)
{
	return TimestampDifferenceExceeds(op->requested_at, now,
									  (int) Min((int64) rb_tracking_limit_s * 1000, INT_MAX));
}

/*
 * One round: every unfinished operation, batched per family and region.
 * Returns the number of operations that changed, or -1 when there is
 * nothing to track.
 */
static int
tracker_round(void)
{
	List	   *ops = load_unfinished();
	List	   *groups = NIL;	/* List of List of TrackedOp */
	List	   *queue_regions = NIL;	/* regions with operations in the queue */
	ListCell   *lc;
	int			changed = 0;
	int			round_calls = 0;
	TimestampTz now = GetCurrentTimestamp();
	QueuePos	last = 0;

	if (ops == NIL)
		return -1;

	foreach(lc, ops)
	{
		TrackedOp  *op = lfirst(lc);
		ListCell   *gc;
		bool		placed = false;

		/*
		 * Its session is making the call that starts it right now and will
		 * record the outcome itself; judging it now would race that call.
		 */
		if (runner_call_in_flight(op->id))
			continue;

		if (past_tracking_limit(op, now))
		{
			OpUpdate	u = OP_UPDATE_INIT;

			u.status = "timed_out";
			u.error = psprintf("AWS reported no end within rds_backup.tracking_limit (%s); it is no longer polled",
							   GetConfigOptionByName("rds_backup.tracking_limit", NULL, false));
			last = catalog_update_operation(op->id, &u);
			changed++;
			continue;
		}

		/* nothing was sent for it: started below, when a slot is free */
		if (poll_is_queued(op->status, op->aws_status))
		{
			if (!list_member(queue_regions, makeString(op->region)))
				queue_regions = lappend(queue_regions, makeString(op->region));
			continue;
		}
		foreach(gc, groups)
		{
			List	   *g = lfirst(gc);
			TrackedOp  *first = linitial(g);

			if (poll_same_batch(first, op))
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
		calls = poll_ops(g, &audit);
		round_calls += calls;
		SpinLockAcquire(&tracker_shared->mutex);
		tracker_shared->aws_calls += calls;
		tracker_shared->polled += list_length(g);
		SpinLockRelease(&tracker_shared->mutex);
		(void) catalog_write_audit(audit, 0);
		foreach(oc, g)
		{
			TrackedOp  *op = lfirst(oc);

			if (op_update_is_empty(&op->u))
				continue;
			last = catalog_update_operation(op->id, &op->u);
			changed++;
		}
		/* an interrupted call means SIGTERM: everything so far is queued */
		CHECK_FOR_INTERRUPTS();
	}
	/* the next round must read what this one changed */
	if (last != 0)
		catalog_wait(last);

	/* copies that ended this round free slots for queued ones */
	foreach(lc, queue_regions)
	{
		pgstat_report_activity(STATE_RUNNING, "starting queued operations");
		changed += opqueue_start_ready(strVal(lfirst(lc)));
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

void
rds_backup_tracker_main(Datum main_arg)
{
	MemoryContext round_cxt;
	long		interval_ms;
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

void
tracker_stats(TrackerStats *stats)
{
	memset(stats, 0, sizeof(TrackerStats));
	if (tracker_shared == NULL)
		return;
	SpinLockAcquire(&tracker_shared->mutex);
	stats->running = tracker_shared->pgprocno >= 0;
	stats->pid = tracker_shared->pid;
	stats->rounds = tracker_shared->rounds;
	stats->aws_calls = tracker_shared->aws_calls;
	stats->polled = tracker_shared->polled;
	stats->changes = tracker_shared->changes;
	stats->last_pending = tracker_shared->last_pending;
	stats->last_calls = tracker_shared->last_calls;
	stats->started_at = tracker_shared->started_at;
	stats->last_round_at = tracker_shared->last_round_at;
	SpinLockRelease(&tracker_shared->mutex);
}
