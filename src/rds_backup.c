/*-------------------------------------------------------------------------
 * rds_backup.c
 *		Module entry point: settings, shared memory, the two background
 *		workers (catalog writer and tracker), and the allocator of the
 *		PostgreSQL-free modules.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "aws/alloc.h"
#include "aws/config.h"
#include "aws/redact.h"
#include "aws/credentials.h"
#include "core/queue.h"
#include "core/runner.h"
#include "core/tracker.h"
#include "core/writer.h"
#include "sql/coverage.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * The pure-C modules (signer, query encoder) allocate through these, so
 * their memory lives in the caller's memory context and an ERROR anywhere
 * reclaims it.
 */
static void *
pg_alloc(size_t size)
{
	return palloc(size);
}

static void *
pg_realloc(void *ptr, size_t size)
{
	return ptr ? repalloc(ptr, size) : palloc(size);
}

static void
pg_free(void *ptr)
{
	if (ptr)
		pfree(ptr);
}

/*
 * A background worker of the library, started once the server accepts
 * writes (there is nothing to write or track on a standby), restarted
 * restart_secs after it exits.
 */
static void
register_worker(const char *type, const char *function, int restart_secs)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = restart_secs;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "rds_backup");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s", type);
	snprintf(worker.bgw_type, BGW_MAXLEN, "%s", type);
	RegisterBackgroundWorker(&worker);
}

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
rds_backup_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(queue_shmem_size());
	RequestAddinShmemSpace(runner_shmem_size());
	RequestAddinShmemSpace(tracker_shmem_size());
}

static void
rds_backup_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	queue_shmem_init();
	runner_shmem_init();
	tracker_shmem_init();
	LWLockRelease(AddinShmemInitLock);
}

void
_PG_init(void)
{
	/* before the settings exist: their values must never reach the log */
	redact_install_log_hook();
	config_define_gucs();
	writer_define_gucs();
	tracker_define_gucs();
	coverage_define_gucs();
	MarkGUCPrefixReserved("rds_backup");
	aws_set_allocator(pg_alloc, pg_realloc, pg_free);

	/*
	 * Without shared_preload_libraries there is no catalog writer to record
	 * calls, and every function refuses to run (runner_check_ready).
	 */
	rb_preloaded = process_shared_preload_libraries_in_progress;
	if (!rb_preloaded)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = rds_backup_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = rds_backup_shmem_startup;
	/* the writer is back within a second: sessions may be waiting on it */
	register_worker("rds_backup catalog writer", "rds_backup_writer_main", 1);
	register_worker("rds_backup tracker", "rds_backup_tracker_main", 10);
	/* the shared credential cache asks for its shared memory itself */
	credentials_shmem_register();
}
