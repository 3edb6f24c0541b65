/*-------------------------------------------------------------------------
 * poll.h
 *		Asking AWS how unfinished operations are doing, many at a time.
 *
 * Used by the background worker for every unfinished operation, and by a
 * session that waits for its own operation when no worker runs.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CORE_POLL_H
#define RDS_BACKUP_CORE_POLL_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

#include "aws/xml_reply.h"
#include "core/catalog.h"

/* A value a modify set: the AWS member name and its value as text. */
typedef struct TrackExpect
{
	char	   *name;			/* BackupRetentionPeriod, DeletionProtection, ... */
	char	   *value;			/* "7", "03:00-03:30", "true" */
} TrackExpect;

/* An unfinished operation as polling sees it. */
typedef struct TrackedOp
{
	int64		id;
	char	   *kind;
	char	   *region;
	char	   *resource;
	char	   *source;
	char	   *status;
	char	   *aws_status;
	char	   *resource_arn;
	int			progress;		/* -1 when unknown */
	char	   *request_id;
	char	   *requested_by;
	TimestampTz requested_at;
	char	   *export_id;		/* params->>'ExportTaskIdentifier' */
	char	   *writer;			/* params->>'WriterInstance': restored cluster's writer */
	char	   *writer_class;	/* params->>'WriterInstanceClass' */
	char	   *tags_json;		/* params->'Tags': the caller's tags, a JSON object */
	bool		cluster;		/* params->>'cluster': a modify of a DB cluster */
	AwsIdentity identity;		/* who the operation acts as: every poll acts so too */
	List	   *expect;			/* modify: TrackExpect *, the values it set */
	char	   *row_text;

	/* result of a poll */
	OpUpdate	u;
	bool		seen;			/* AWS reported on it this round */
	char	   *seen_engine;	/* clusters: Engine as AWS reported it */
	char	   *seen_cluster;	/* instances: DBClusterIdentifier */
} TrackedOp;

/*
 * The aws_status of an operation waiting in the operation queue (a
 * cross-region copy waiting for a slot, opqueue.c): status pending, no
 * request sent yet, so there is nothing to ask AWS about it.  Taken from
 * the queue, it is an ordinary pending operation again (aws_status NULL).
 */
#define OP_AWS_STATUS_QUEUED	"queued"

extern bool poll_is_queued(const char *status, const char *aws_status);

/* The operations row op as polling sees it. */
extern TrackedOp *poll_op(const CatalogOp *op);

/* Which Describe call tracks a kind; ops of one family and region batch. */
typedef enum TrackFamily
{
	TRACK_DB_SNAPSHOT,
	TRACK_CLUSTER_SNAPSHOT,
	TRACK_DB_INSTANCE,
	TRACK_DB_CLUSTER,
	TRACK_EXPORT,
	TRACK_AUTOMATED_BACKUP
} TrackFamily;

/* The family of one operation: a modify of a DB cluster is tracked as one. */
extern TrackFamily poll_family(const TrackedOp *op);

/* Whether a and b can be polled with the same Describe calls. */
extern bool poll_same_batch(const TrackedOp *a, const TrackedOp *b);

/*
 * What an operation's starting call answered, read as a poll would read
 * the resource: fills op->u from the reply's result element.
 */
extern void poll_read_started(TrackedOp *op, const XNode *result);

/*
 * Poll every op in ops (all of one family and one region) with as few
 * Describe calls as possible, filling each op's u with what changed.
 * Audit entries of the calls are appended to *audit.  Returns the number
 * of AWS calls made.  An interrupted call stops the round; the caller
 * runs CHECK_FOR_INTERRUPTS after recording.
 */
extern int	poll_ops(List *ops, List **audit);

/*
 * How long a resource an operation created may be missing from Describe
 * before the operation counts it as gone: RDS is eventually consistent,
 * and a request whose reply was lost may still show up.
 */
extern int	rb_visibility_grace_s;

#endif
