/*-------------------------------------------------------------------------
 * autonomous.c
 *		Run one SQL statement in a transaction of its own.
 *
 * The statement runs in a short-lived dynamic background worker connected
 * to the caller's database, which commits and exits; the caller waits for
 * it.  This works without shared_preload_libraries and needs no client
 * authentication set-up (unlike a loopback libpq connection); it costs one
 * process start per write, a few milliseconds, which is small next to an
 * AWS round trip (bench/ measures both).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "core/autonomous.h"
#include "core/tracker.h"

#define RESULT_CAP		(256 * 1024)
#define ERRMSG_CAP		1024

typedef struct AutonomousShared
{
	Oid			database_id;
	int			nargs;
	Size		sql_off;
	Size		args_off;		/* nargs x (int32 len, -1 = NULL; bytes) */
	Size		result_off;
	/* written by the worker */
	bool		committed;
	bool		result_null;
	int32		result_len;
	int			sqlerrcode;
	char		errmsg[ERRMSG_CAP];
	char		data[FLEXIBLE_ARRAY_MEMBER];
} AutonomousShared;

PGDLLEXPORT void rds_backup_autonomous_main(Datum main_arg);

/*
 * The worker is outside any transaction between steps: it runs the
 * statement in a transaction of its own right here.
 */
static char *
exec_inline(const char *sql, int nargs, const char *const *args)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid		   *types = palloc(sizeof(Oid) * Max(nargs, 1));
	Datum	   *values = palloc(sizeof(Datum) * Max(nargs, 1));
	char	   *nulls = palloc(Max(nargs, 1));
	char	   *result = NULL;
	int			i;

	Assert(!IsTransactionState());
	for (i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	if (SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0) < 0)
		elog(ERROR, "rds_backup catalog write failed");
	if (SPI_tuptable && SPI_processed > 0)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v)
			result = MemoryContextStrdup(caller, v);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(caller);
	return result;
}

char *
autonomous_exec(const char *sql, int nargs, const char *const *args)
{
	Size		size;
	Size		off;
	dsm_segment *seg;
	AutonomousShared *sh;
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	BgwHandleStatus status;
	char	   *result = NULL;
	bool		started;
	int			i;

	if (am_rds_backup_tracker)
		return exec_inline(sql, nargs, args);

	size = offsetof(AutonomousShared, data) + strlen(sql) + 1;
	for (i = 0; i < nargs; i++)
		size += sizeof(int32) + (args[i] ? strlen(args[i]) : 0);
	size = MAXALIGN(size) + RESULT_CAP;

	seg = dsm_create(size, 0);
	sh = dsm_segment_address(seg);
	memset(sh, 0, offsetof(AutonomousShared, data));
	sh->database_id = MyDatabaseId;
	sh->nargs = nargs;
	off = 0;
	sh->sql_off = off;
	strcpy(sh->data + off, sql);
	off += strlen(sql) + 1;
	sh->args_off = off;
	for (i = 0; i < nargs; i++)
	{
		int32		len = args[i] ? (int32) strlen(args[i]) : -1;

		memcpy(sh->data + off, &len, sizeof(int32));
		off += sizeof(int32);
		if (len > 0)
		{
			memcpy(sh->data + off, args[i], len);
			off += len;
		}
	}
	sh->result_off = MAXALIGN(off);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "rds_backup");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "rds_backup_autonomous_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "rds_backup catalog writer");
	snprintf(worker.bgw_type, BGW_MAXLEN, "rds_backup catalog writer");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	/*
	 * Hold cancel and die interrupts until the worker has finished: once it
	 * may have committed, the caller must learn what it committed.
	 */
	HOLD_INTERRUPTS();
	started = RegisterDynamicBackgroundWorker(&worker, &handle);
	if (started)
		status = WaitForBackgroundWorkerShutdown(handle);
	else
		status = BGWH_STOPPED;
	RESUME_INTERRUPTS();

	if (!started)
	{
		dsm_detach(seg);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("rds_backup could not start a background worker to record the operation"),
				 errhint("Raise max_worker_processes.")));
	}
	if (status == BGWH_POSTMASTER_DIED)
		ereport(FATAL,
				(errcode(ERRCODE_ADMIN_SHUTDOWN),
				 errmsg("postmaster exited while rds_backup was recording an operation")));
	if (!sh->committed)
	{
		char		msg[ERRMSG_CAP];
		int			code = sh->sqlerrcode ? sh->sqlerrcode : ERRCODE_INTERNAL_ERROR;

		strlcpy(msg, sh->errmsg[0] ? sh->errmsg : "the writer exited early", sizeof(msg));
		dsm_detach(seg);
		ereport(ERROR,
				(errcode(code),
				 errmsg("rds_backup could not record the operation: %s", msg)));
	}
	if (!sh->result_null)
		result = pnstrdup(sh->data + sh->result_off, sh->result_len);
	dsm_detach(seg);
	return result;
}

void
rds_backup_autonomous_main(Datum main_arg)
{
	dsm_segment *seg;
	AutonomousShared *sh;
	Oid		   *types;
	Datum	   *values;
	char	   *nulls;
	Size		off;
	int			i;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("rds_backup catalog writer could not map its request")));
	sh = dsm_segment_address(seg);

	BackgroundWorkerInitializeConnectionByOid(sh->database_id, InvalidOid, 0);

	/* never wait forever on a lock the caller might hold */
	SetConfigOption("lock_timeout", "10s", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("search_path", "pg_catalog", PGC_SUSET, PGC_S_OVERRIDE);

	types = palloc(sizeof(Oid) * Max(sh->nargs, 1));
	values = palloc(sizeof(Datum) * Max(sh->nargs, 1));
	nulls = palloc(Max(sh->nargs, 1));
	off = sh->args_off;
	for (i = 0; i < sh->nargs; i++)
	{
		int32		len;

		memcpy(&len, sh->data + off, sizeof(int32));
		off += sizeof(int32);
		types[i] = TEXTOID;
		if (len < 0)
		{
			values[i] = (Datum) 0;
			nulls[i] = 'n';
		}
		else
		{
			values[i] = PointerGetDatum(cstring_to_text_with_len(sh->data + off, len));
			nulls[i] = ' ';
			off += len;
		}
	}

	PG_TRY();
	{
		char	   *result = NULL;
		int			ret;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "rds_backup catalog write");
		SPI_connect();
		ret = SPI_execute_with_args(sh->data + sh->sql_off, sh->nargs, types,
									values, nulls, false, 0);
		if (ret < 0)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
		if (SPI_tuptable && SPI_processed > 0)
		{
			char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

			/* refuse before commit: the caller must learn what committed */
			if (v && strlen(v) >= RESULT_CAP)
				elog(ERROR, "rds_backup catalog write returned %zu bytes, more than %d",
					 strlen(v), RESULT_CAP);
			if (v)
				result = MemoryContextStrdup(TopMemoryContext, v);
		}
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();

		sh->result_null = (result == NULL);
		if (result)
		{
			sh->result_len = strlen(result);
			memcpy(sh->data + sh->result_off, result, sh->result_len);
		}
		pg_write_barrier();
		sh->committed = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(TopMemoryContext);
		edata = CopyErrorData();
		sh->sqlerrcode = edata->sqlerrcode;
		strlcpy(sh->errmsg, edata->message ? edata->message : "unknown error",
				ERRMSG_CAP);
		PG_RE_THROW();
	}
	PG_END_TRY();

	pgstat_report_stat(true);
	dsm_detach(seg);
	proc_exit(0);
}
