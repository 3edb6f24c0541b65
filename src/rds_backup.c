/*-------------------------------------------------------------------------
 * rds_backup.c
 *		Module entry point: parameters and the allocator of the pure-C
 *		modules.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "aws/alloc.h"
#include "aws/config.h"
#include "aws/credentials.h"
#include "core/tracker.h"

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

void
_PG_init(void)
{
	config_define_gucs();
	tracker_define_gucs();
	MarkGUCPrefixReserved("rds_backup");
	aws_set_allocator(pg_alloc, pg_realloc, pg_free);

	/*
	 * The tracker needs shared memory; without shared_preload_libraries the
	 * functions still work, and a waiting call polls AWS itself.
	 */
	rb_preloaded = process_shared_preload_libraries_in_progress;
	if (rb_preloaded)
	{
		tracker_register();
		credentials_shmem_register();
	}
}
