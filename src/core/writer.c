/*-------------------------------------------------------------------------
 * writer.c
 *		The catalog writer: a background worker, started at preload, that
 *		commits the records sessions and the tracker queue (queue.c).
 *
 * Each round takes every record that is ready and applies them in one
 * transaction (group commit): under load, one commit serves many
 * sessions, and a session waits for a commit only when it must (an
 * operation's intent before its AWS call, an outcome before its row is
 * returned).  A bad record is reported to its session (or logged) and
 * does not take the others down; an error of the moment (a lock, a
 * shutdown) leaves the batch in the queue, to be taken again.  A query
 * cancel is ignored: it would fail a batch for nothing.  On
 * SIGTERM the writer goes on until the queue is empty and no other
 * backend can add to it, so that a clean shutdown loses no audit row.
 *
 * It also deletes history older than rds_backup.history_retention, a
 * batch of 1,000 rows per transaction, between batches of records: the
 * one process that writes the catalog is the one that prunes it.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "core/catalog.h"
#include "core/queue.h"
#include "core/writer.h"

char	   *rb_database = NULL;
int			rb_history_retention_min = 525600; /* 1 year */

/* One transaction commits at most this much. */
#define BATCH_RECORDS		2000
#define BATCH_BYTES			(1024 * 1024)
/* Rows deleted per transaction by the history sweep. */
#define SWEEP_BATCH			1000
#define SWEEP_EVERY_SECS	60
/*
 * After SIGTERM, how long the queue must stay empty before the writer
 * exits while other backends could still add to it.  At a server shutdown
 * they get SIGTERM at the same moment; one in an AWS call notices within
 * 100 ms and queues its audit row before it exits.
 */
#define DRAIN_QUIET_MS		1000
#define DRAIN_LIMIT_SECS	30

static volatile sig_atomic_t shutdown_requested = false;

PGDLLEXPORT void rds_backup_writer_main(Datum main_arg);

void
writer_define_gucs(void)
{
	/* only the postmaster can define a PGC_POSTMASTER setting */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomStringVariable("rds_backup.database",
								   "Database that holds the rds_backup catalog.",
								   "The extension can be created in this database only; its workers connect to it.",
								   &rb_database, "postgres", PGC_POSTMASTER, 0,
								   NULL, NULL, NULL);
	DefineCustomIntVariable("rds_backup.history_retention",
							"Age after which finished operations and audit rows are deleted.",
							"0 keeps everything.",
							&rb_history_retention_min, 525600, 0, INT_MAX / 2,
							PGC_SIGHUP, GUC_UNIT_MIN,
							NULL, NULL, NULL);
}

static void
handle_sigterm(SIGNAL_ARGS)
{
	int			save_errno = errno;

	shutdown_requested = true;
	SetLatch(MyLatch);
	errno = save_errno;
}

static void
detach(int code, Datum arg)
{
	queue_detach_writer();
}

/*
 * Whether an error says something about the record itself (bad data, a
 * constraint) rather than about the moment (a lock, resources, a
 * shutdown): only the first kind is reported and the record dropped; the
 * other leaves the records in the queue, to be taken again.
 */
static bool
error_is_the_records(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_TO_CATEGORY(ERRCODE_T_R_SERIALIZATION_FAILURE):	/* class 40 */
		case ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES):	/* 53 */
		case ERRCODE_TO_CATEGORY(ERRCODE_PROGRAM_LIMIT_EXCEEDED):	/* 54 */
		case ERRCODE_TO_CATEGORY(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE):	/* 55 */
		case ERRCODE_TO_CATEGORY(ERRCODE_OPERATOR_INTERVENTION):	/* 57 */
		case ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR):	/* 58 */
		case ERRCODE_TO_CATEGORY(ERRCODE_INTERNAL_ERROR):	/* XX */
			return false;
		default:
			return true;
	}
}

/* Run one transaction that applies recs[0..n); raises on error. */
static void
apply_in_transaction(QueueRecord *recs, int n)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	pgstat_report_activity(STATE_RUNNING, "writing the rds_backup catalog");
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	if (n == 1)
		catalog_apply(&recs[0]);
	else
		catalog_apply_batch(recs, n);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * Try a batch in one transaction.  Returns NULL when it committed, else
 * the error (the transaction aborted, the error state flushed).  An error
 * that is not about the records is raised instead.
 */
static ErrorData *
try_batch(QueueRecord *recs, int n, MemoryContext cxt)
{
	ErrorData  *volatile edata = NULL;

	PG_TRY();
	{
		apply_in_transaction(recs, n);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (!error_is_the_records(edata->sqlerrcode))
			PG_RE_THROW();
		FlushErrorState();
		AbortCurrentTransaction();
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	PG_END_TRY();
	return edata;
}

static void
fail_all(QueueRecord *recs, int n, const char *why)
{
	int			i;

	for (i = 0; i < n; i++)
		queue_report_failure(&recs[i], ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, why);
	ereport(LOG,
			(errmsg("rds_backup catalog writer dropped %d record%s: %s", n,
					n == 1 ? "" : "s", why)));
}

static bool
extension_exists(void)
{
	bool		found;

	StartTransactionCommand();
	found = OidIsValid(get_extension_oid("rds_backup", true));
	CommitTransactionCommand();
	return found;
}

/*
 * Commit every ready record (up to a batch) in one transaction.  If that
 * fails because of a record, the batch is applied again one record per
 * transaction: the bad one is reported to its session (or logged) and
 * dropped, the others are committed.  No subtransactions: a batch of
 * thousands would overflow every backend's subtransaction cache.  Returns
 * the number of records taken.
 */
static int
write_batch(MemoryContext batch_cxt)
{
	static QueueRecord recs[BATCH_RECORDS];
	MemoryContext old;
	QueuePos	end;
	bool		changed = false;
	ErrorData  *edata;
	int			n;
	int			i;

	MemoryContextReset(batch_cxt);
	old = MemoryContextSwitchTo(batch_cxt);
	n = queue_take(recs, BATCH_RECORDS, BATCH_BYTES, &end);
	MemoryContextSwitchTo(old);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		changed |= catalog_record_changes_operations(&recs[i]);

	if (!extension_exists())
	{
		fail_all(recs, n, psprintf("extension \"rds_backup\" does not exist in database \"%s\"",
								   rb_database));
		queue_release(end, n);
		return n;
	}

	edata = try_batch(recs, n, batch_cxt);
	if (edata == NULL)
	{
		queue_release(end, n);
		if (changed)
			queue_note_operations_changed();
		return n;
	}

	ereport(LOG,
			(errmsg("rds_backup catalog writer applies a batch of %d records one by one: %s",
					n, edata->message)));
	for (i = 0; i < n; i++)
	{
		if ((edata = try_batch(&recs[i], 1, batch_cxt)) != NULL)
		{
			queue_report_failure(&recs[i], edata->sqlerrcode, edata->message);
			ereport(LOG,
					(errmsg("rds_backup catalog writer could not apply a record: %s",
							edata->message)));
		}
		/* committed (or dropped): never applied again */
		queue_release(recs[i].end, 1);
	}
	if (changed)
		queue_note_operations_changed();
	return n;
}

/*
 * Delete one batch of history older than rds_backup.history_retention:
 * finished operations first, then audit rows.  Returns true while there
 * is more to delete; the caller commits queued records between batches.
 */
static bool
sweep_step(void)
{
	static bool audit = false;	/* operations first, then audit rows */
	uint64		deleted = 0;

	if (rb_history_retention_min <= 0)
	{
		audit = false;
		return false;
	}
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	pgstat_report_activity(STATE_RUNNING, "deleting old rds_backup history");
	if (OidIsValid(get_extension_oid("rds_backup", true)))
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		SPI_connect();
		deleted = catalog_sweep(audit, rb_history_retention_min, SWEEP_BATCH);
		SPI_finish();
		PopActiveSnapshot();
	}
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	if (deleted == SWEEP_BATCH)
		return true;
	audit = !audit;
	return audit;
}

void
rds_backup_writer_main(Datum main_arg)
{
	MemoryContext batch_cxt;
	volatile TimestampTz last_sweep = 0;
	volatile TimestampTz shutdown_at = 0;
	volatile TimestampTz quiet_since = 0;
	volatile TimestampTz last_work = 0;
	volatile bool sweeping = false;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, handle_sigterm);
	/* a cancel in the middle of a record would drop it */
	pqsignal(SIGINT, SIG_IGN);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(rb_database, NULL, 0);
	pgstat_report_appname("rds_backup catalog writer");
	SetConfigOption("search_path", "pg_catalog", PGC_SUSET, PGC_S_OVERRIDE);
	/* a lock held by someone else's long transaction: give up, log, and take the batch again */
	SetConfigOption("lock_timeout", "10s", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("statement_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);

	queue_attach_writer();
	before_shmem_exit(detach, (Datum) 0);
	ereport(LOG,
			(errmsg("rds_backup catalog writer started in database \"%s\"", rb_database)));

	batch_cxt = AllocSetContextCreate(TopMemoryContext, "rds_backup catalog batch",
									  ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		volatile int n = 0;

		ResetLatch(MyLatch);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			last_sweep = 0;		/* a new retention applies now */
		}

		/*
		 * An error outside any one record (the commit itself, a lock on the
		 * catalog's tables) leaves the batch in the queue: it is taken
		 * again after a pause.
		 */
		PG_TRY();
		{
			n = write_batch(batch_cxt);
			if (n == 0 && !shutdown_requested &&
				(sweeping || TimestampDifferenceExceeds(last_sweep, GetCurrentTimestamp(),
														SWEEP_EVERY_SECS * 1000)))
			{
				sweeping = sweep_step();
				if (!sweeping)
					last_sweep = GetCurrentTimestamp();
				n = sweeping ? 1 : 0;	/* go on at once */
			}
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
			(void) WaitLatch(MyLatch, WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000,
							 PG_WAIT_EXTENSION);
			continue;
		}
		PG_END_TRY();

		if (n > 0)
		{
			quiet_since = 0;
			last_work = GetCurrentTimestamp();
			continue;			/* more may have come meanwhile, or more to sweep */
		}

		if (shutdown_requested)
		{
			int			producers = queue_producers();
			TimestampTz now = GetCurrentTimestamp();

			if (shutdown_at == 0)
				shutdown_at = now;
			if (quiet_since == 0)
				quiet_since = now;
			if (producers == 0 ||
				TimestampDifferenceExceeds(quiet_since, now, DRAIN_QUIET_MS))
				break;
			if (TimestampDifferenceExceeds(shutdown_at, now, DRAIN_LIMIT_SECS * 1000))
			{
				ereport(LOG,
						(errmsg("rds_backup catalog writer stops while %d backend%s may still queue records",
								producers, producers == 1 ? "" : "s")));
				break;
			}
		}
		else if (!TimestampDifferenceExceeds(last_work, GetCurrentTimestamp(), 1000))
		{
			/* busy lately: nap, and take what comes meanwhile in one batch */
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 WRITER_NAP_MS, PG_WAIT_EXTENSION);
			continue;
		}
		else if (!queue_writer_deep_sleep())
			continue;			/* a record came after all */
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 shutdown_requested ? 50 : SWEEP_EVERY_SECS * 1000,
						 PG_WAIT_EXTENSION);
		queue_writer_awake();
	}
	/* exit code 1: the postmaster starts it again unless it is shutting down */
	proc_exit(1);
}
