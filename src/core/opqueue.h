/*-------------------------------------------------------------------------
 * opqueue.h
 *		Operations that wait for a slot: cross-region snapshot copies, of
 *		which AWS lets only a few be in flight to one destination region.
 *
 * A queued operation is an ordinary operations row (status pending) whose
 * intent is recorded but whose request is not sent: aws_status says
 * "queued".  Whoever finds a free slot (the session that queued it, or
 * the tracker once a copy ends) takes it from the queue and starts it
 * through the runner, rebuilding its request from the row's kind and
 * params.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CORE_OPQUEUE_H
#define RDS_BACKUP_CORE_OPQUEUE_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

#include "core/catalog.h"

/* Cross-region copies in flight to one destination region, at most. */
#define OPQUEUE_COPIES_IN_FLIGHT	5

/* An operation to queue: what the operations row records. */
typedef struct QueuedOp
{
	const char *kind;
	const char *resource;
	const char *source;
	const char *params_json;
	/*
	 * When the source came to be (a snapshot's creation time), 0 when
	 * unknown: a copy requested before it was of an older source of the
	 * same name.
	 */
	TimestampTz source_created;
} QueuedOp;

/*
 * Queue every op of ops (QueuedOp *) in region, except those of which a
 * copy (an operation of the same kind and source in that region that is
 * queued, under way or done) was requested since the source came to be:
 * the region's queue is locked meanwhile, so two sessions never queue the
 * same copy.  Sets *ids to the ids queued and returns how many.  A
 * session only.
 */
extern int	opqueue_add(const char *region, List *ops, int64 **ids);

/*
 * Start the oldest queued operations of region that fit in its free
 * slots; returns how many were started.  In a session or in the tracker
 * (outside a transaction).
 */
extern int	opqueue_start_ready(const char *region);

/*
 * rds_cancel() of a queued operation: canceled while still queued, under
 * the queue's lock, so that nobody starts it meanwhile.  NULL when it has
 * left the queue already (the caller cancels it as any other).
 */
extern CatalogOp *opqueue_cancel(const CatalogOp *row, const char *by);

/* Whether the row waits in the queue. */
extern bool opqueue_is_queued(const CatalogOp *row);

#endif
