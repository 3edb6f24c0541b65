/*-------------------------------------------------------------------------
 * opqueue.c
 *		Operations that wait for a slot: cross-region snapshot copies, of
 *		which AWS lets only a few be in flight to one destination region.
 *
 * The queue is the catalog itself.  A queued operation is an operations
 * row, status pending, aws_status "queued" (OP_AWS_STATUS_QUEUED): its
 * intent is committed like any other, so it outlives the caller's
 * rollback, a crash or a restart, and it shows in the row.  That value
 * is what tells it apart from a pending row whose call is in flight or
 * whose reply was lost (aws_status NULL): nothing was sent for a queued
 * one, so the tracker does not ask AWS about it (poll.c), and whoever
 * takes it from the queue sets aws_status back to NULL, in the same
 * committed step that makes it count as in flight.
 *
 * Taking operations from a region's queue is serialized by a lock per
 * destination region (a heavyweight lock, held only while counting and
 * marking, never during an AWS call): count the copies in flight, take
 * the oldest queued ones that fit, commit that they left the queue,
 * release the lock, then start each through the runner (runner_launch),
 * exactly as a session starts any operation.  Sessions (the one that
 * queued them) and the tracker (each round, once copies end) run the same
 * code.  The request is rebuilt from the row alone, by a starter chosen
 * by the row's kind, so that any process can start it.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "core/catalog.h"
#include "core/opqueue.h"
#include "core/poll.h"
#include "core/runner.h"
#include "core/tracker.h"
#include "rds/actions.h"
#include "rds/names.h"
#include "rds/presign.h"

/*
 * The lock of a region's queue: an advisory lock tag of this database
 * whose last field is one that the SQL advisory lock functions never use
 * (they use 1 and 2), so no user lock can collide with it.
 */
#define OPQUEUE_LOCK_KEY	0x52425155	/* "RBQU" */
#define OPQUEUE_LOCK_FIELD	0x5242

static void
queue_locktag(LOCKTAG *tag, const char *region)
{
	uint32		h = hash_bytes((const unsigned char *) region, strlen(region));

	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, OPQUEUE_LOCK_KEY, h, OPQUEUE_LOCK_FIELD);
}

bool
opqueue_is_queued(const CatalogOp *row)
{
	return poll_is_queued(row->status, row->aws_status);
}

/* Starters: an OpStart rebuilt from the row, by kind ----------------- */

static bool
is_cluster_copy(const CatalogOp *row)
{
	return strcmp(row->kind, "copy_cluster_snapshot") == 0;
}

/*
 * CopyDB[Cluster]Snapshot from the row's params, as rds_copy_snapshot()
 * records them: the tags are the caller's plus provenance (the role that
 * asked, this operation) and the source's ARN.
 */
static AwsRequest *
build_copy(OpStart *start, int64 op_id)
{
	CatalogOp  *row = start->arg;
	bool		cluster = is_cluster_copy(row);
	char	   *source = catalog_param_text(row->params, cluster ? "SourceDBClusterSnapshotIdentifier" :
									"SourceDBSnapshotIdentifier");
	char	   *source_region = catalog_param_text(row->params, "SourceRegion");
	char	   *source_arn = catalog_param_text(row->params, "SourceArn");
	char	   *copy_tags = catalog_param_text(row->params, "CopyTags");
	char	   *tags_json = catalog_param_text(row->params, "Tags");
	List	   *tags = NIL;
	AwsRequest *req;

	if (source == NULL)
		elog(ERROR, "queued operation " INT64_FORMAT " has no source in its params", op_id);
	if (tags_json)
		tags = validate_tags("params->'Tags'",
							 DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
																CStringGetDatum(tags_json))),
							 3);
	tags = tags_with_provenance(tags, row->requested_by, op_id);
	tags = lappend(tags, tag_pair(TAG_SOURCE_ARN, source_arn ? source_arn : source));
	req = rds_copy_snapshot_request(cluster, row->region, source, row->resource,
									catalog_param_text(row->params, "KmsKeyId"),
									copy_tags == NULL || strcmp(copy_tags, "true") == 0,
									tags);
	if (source_region)
		presign_add_url(req, source_region);
	return req;
}

static void
scrub_copy(OpStart *start, AwsRequest *req, AwsReply *reply)
{
	if (catalog_param_text(((CatalogOp *) start->arg)->params, "SourceRegion"))
		presign_scrub_reply(req, reply);
}

/*
 * A copy AWS says exists already is this operation's when it carries its
 * operation tag: an attempt made it and its reply was lost.
 */
static bool
recover_copy(OpStart *start, int64 op_id, AwsRequest *req, AwsReply *reply)
{
	CatalogOp  *row = start->arg;

	return runner_recover_own_snapshot(op_id, is_cluster_copy(row), row->region,
									   row->resource, reply);
}

static void
prepare_copy(OpStart *start)
{
	start->build = build_copy;
	start->after_call = scrub_copy;
	start->recover = recover_copy;
	/* copies made outside rds_backup fill AWS's limit: wait for a slot */
	start->requeue_on = "SnapshotQuotaExceeded";
}

static const struct
{
	const char *kind;
	void		(*prepare) (OpStart *start);
}			starters[] = {
	{"copy_snapshot", prepare_copy},
	{"copy_cluster_snapshot", prepare_copy},
};

/* The OpStart of a queued row; false when no starter knows its kind. */
static bool
start_from_row(CatalogOp *row, OpStart *start)
{
	size_t		i;

	memset(start, 0, sizeof(OpStart));
	start->kind = row->kind;
	start->region = row->region;
	start->resource = row->resource;
	start->source = row->source;
	start->params_json = row->params ? JsonbToCString(NULL, &row->params->root,
													  VARSIZE(row->params)) : "{}";
	/* whoever starts it, it acts as the one who queued it */
	start->who.account = row->account;
	start->who.role_arn = row->role_arn;
	start->who.external_id = row->external_id;
	start->arg = row;
	for (i = 0; i < lengthof(starters); i++)
	{
		if (strcmp(starters[i].kind, row->kind) == 0)
		{
			starters[i].prepare(start);
			return true;
		}
	}
	return false;
}

/* Locking: in the caller's transaction, or in one of our own -------- */

typedef struct QueueLock
{
	LOCKTAG		tag;
	bool		own_xact;
	MemoryContext cxt;
} QueueLock;

static void
lock_queue(QueueLock *l, const char *region)
{
	l->cxt = CurrentMemoryContext;
	l->own_xact = !IsTransactionState();
	if (l->own_xact)
	{
		/* the tracker, between rounds' AWS calls */
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		MemoryContextSwitchTo(l->cxt);
	}
	queue_locktag(&l->tag, region);
	(void) LockAcquire(&l->tag, ExclusiveLock, false, false);
}

static void
unlock_queue(QueueLock *l)
{
	/* at once: the caller's transaction may go on for long */
	LockRelease(&l->tag, ExclusiveLock, false);
	if (l->own_xact)
	{
		CommitTransactionCommand();
		MemoryContextSwitchTo(l->cxt);
	}
}

/* Whether a copy of op's source was requested since the source came to be. */
static bool
copied_since(List *copied, const QueuedOp *op)
{
	ListCell   *lc;

	foreach(lc, copied)
	{
		CopiedSource *c = lfirst(lc);

		if (strcmp(c->source, op->source) == 0 &&
			(op->source_created == 0 || c->requested_at >= op->source_created))
			return true;
	}
	return false;
}

int
opqueue_add(const char *region, List *ops, int64 **ids_out)
{
	QueueLock	l;
	int64	   *ids = palloc(sizeof(int64) * Max(list_length(ops), 1));
	int			n = 0;
	List	   *copied[2] = {NIL, NIL};
	const char *copied_kind[2] = {NULL, NULL};
	QueuePos	last = 0;
	ListCell   *lc;
	OpIdentity	who;

	runner_identity(&who);
	lock_queue(&l, region);
	foreach(lc, ops)
	{
		QueuedOp   *op = lfirst(lc);
		int			k = (copied_kind[0] == NULL || strcmp(copied_kind[0], op->kind) == 0) ? 0 : 1;

		/* what is queued, under way or done need not be queued again */
		if (copied_kind[k] == NULL)
		{
			copied_kind[k] = op->kind;
			copied[k] = catalog_copied_sources(op->kind, region);
		}
		if (op->source && copied_since(copied[k], op))
			continue;
		ids[n] = catalog_new_operation_id();
		last = catalog_queue_operation(ids[n], op->kind, region, op->resource, op->source,
									   op->params_json, OP_AWS_STATUS_QUEUED, &who);
		n++;
		if (op->source)
		{
			/* this call's own: never twice in one list either */
			CopiedSource *c = palloc(sizeof(CopiedSource));

			c->source = pstrdup(op->source);
			c->requested_at = DT_NOEND;
			copied[k] = lappend(copied[k], c);
		}
	}
	if (n > 0)
		catalog_wait(last);
	unlock_queue(&l);
	if (n > 0)
		tracker_wake();
	*ids_out = ids;
	return n;
}

/*
 * Put taken[from ..] back in the queue.  From an error path (in_error)
 * nothing may raise or wait: a record that finds no room is left to the
 * tracker, which settles a pending row that never reached AWS.
 */
static void
requeue_from(List *taken, int from, bool in_error)
{
	QueuePos	last = 0;
	int			i;

	for (i = from; i < list_length(taken); i++)
	{
		int64		id = ((CatalogOp *) list_nth(taken, i))->id;
		OpUpdate	u = OP_UPDATE_INIT;

		u.aws_status = OP_AWS_STATUS_QUEUED;
		if (in_error)
			(void) catalog_try_update_operation(id, &u);
		else
			last = catalog_update_operation(id, &u);
	}
	if (last != 0)
		catalog_wait(last);
}

int
opqueue_start_ready(const char *region)
{
	QueueLock	l;
	List	   *taken = NIL;
	volatile int next = 0;
	volatile int started = 0;
	int			free_slots;

	lock_queue(&l, region);
	free_slots = OPQUEUE_COPIES_IN_FLIGHT -
		catalog_copies_in_flight(region, OP_AWS_STATUS_QUEUED);
	/* AWS refused a copy lately: its limit is full of copies made elsewhere */
	if (free_slots > 0 && catalog_queue_backing_off(region, OP_AWS_STATUS_QUEUED))
		free_slots = 0;
	if (free_slots > 0)
	{
		List	   *queued = catalog_queued_operations(region, OP_AWS_STATUS_QUEUED,
													   free_slots);
		QueuePos	last = 0;
		ListCell   *lc;

		foreach(lc, queued)
		{
			CatalogOp  *op = lfirst(lc);
			OpUpdate	u = OP_UPDATE_INIT;

			/* an ordinary pending operation again: it counts as in flight */
			u.aws_status = OP_CLEAR;
			u.error = OP_CLEAR;		/* why it was back in the queue, if it was */
			last = catalog_update_operation(op->id, &u);
			taken = lappend(taken, op);
		}
		if (last != 0)
			catalog_wait(last);
	}
	unlock_queue(&l);

	PG_TRY();
	{
		for (; next < list_length(taken); next++)
		{
			CatalogOp  *op = catalog_read_operation(((CatalogOp *) list_nth(taken, next))->id);
			OpStart		start;

			CHECK_FOR_INTERRUPTS();
			/* ended meanwhile (the tracking limit): nothing to start */
			if (op == NULL || op_status_is_terminal(op->status))
				continue;
			if (!start_from_row(op, &start))
			{
				OpUpdate	u = OP_UPDATE_INIT;

				u.status = "failed";
				u.error = psprintf("rds_backup cannot start a queued %s operation", op->kind);
				catalog_wait(catalog_update_operation(op->id, &u));
				continue;
			}
			(void) runner_launch(&start, op->id);

			/* back in the queue: AWS's limit is full; the rest wait too */
			op = catalog_read_operation(op->id);
			if (op && opqueue_is_queued(op))
			{
				requeue_from(taken, next + 1, false);
				break;
			}
			started++;
		}
	}
	PG_CATCH();
	{
		/* the one being launched is the runner's; the rest go back */
		requeue_from(taken, next + 1, true);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return started;
}

CatalogOp *
opqueue_cancel(const CatalogOp *row, const char *by)
{
	QueueLock	l;
	CatalogOp  *now;
	CatalogOp  *result = NULL;

	lock_queue(&l, row->region);
	now = catalog_read_operation(row->id);
	if (now && opqueue_is_queued(now))
	{
		OpUpdate	u = OP_UPDATE_INIT;

		u.status = "canceled";
		u.error = psprintf("canceled by %s while queued: nothing was requested from AWS", by);
		catalog_wait(catalog_update_operation(row->id, &u));
		result = catalog_read_operation(row->id);
	}
	unlock_queue(&l);
	return result;
}
