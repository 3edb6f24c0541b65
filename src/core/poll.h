/*-------------------------------------------------------------------------
 * poll.h
 *		Asking AWS how unfinished operations are doing, many at a time.
 *
 * Used by the background worker for every unfinished operation, and by a
 * session that waits for its own operation when no worker runs.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_TRACK_H
#define RDS_BACKUP_TRACK_H

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
	char	   *export_id;		/* params->>'ExportTaskIdentifier' */
	char	   *writer;			/* params->>'WriterInstance': restored cluster's writer */
	char	   *writer_class;	/* params->>'WriterInstanceClass' */
	char	   *tags_json;		/* params->'Tags': the caller's tags, a JSON object */
	char	   *requested_by;

	bool		cluster;		/* params->>'cluster': a modify of a DB cluster */
	List	   *expect;			/* modify: TrackExpect *, the values it set */
	TimestampTz requested_at;
	TimestampTz deadline;
	int			session_pid;	/* backend that started it, 0 if unknown */

	/* result of a poll */
	OpUpdate	u;
	bool		seen;			/* AWS reported on it this round */
	char	   *seen_engine;	/* clusters: Engine as AWS reported it */
	char	   *seen_cluster;	/* instances: DBClusterIdentifier */
} TrackedOp;

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

extern TrackFamily track_family(const char *kind);

/* The family of one operation: a modify of a DB cluster is tracked as one. */
extern TrackFamily track_op_family(const TrackedOp *op);

/*
 * How a modify stands, from the DBInstance or DBCluster element of a reply:
 * "succeeded" once the resource is available, none of the expected values
 * is pending and each shows the value asked for; "failed" for a status the
 * resource will not leave by itself; else "in_progress".  *mismatch is set
 * when the resource is settled but shows another value than expected.
 */
extern const char *track_modify_outcome(const XNode *resource, bool cluster,
										List *expect,
										const TrackExpect **mismatch);

/*
 * What AWS status aws_status of the resource an operation of this kind
 * made means: "succeeded", "failed", "canceled" or "in_progress".
 */
extern const char *track_status_outcome(const char *kind, const char *aws_status);

/*
 * Poll every op in ops (all of one family and one region) with as few
 * Describe calls as possible, filling each op's u with what changed.
 * Audit entries of the calls are appended to *audit.  Returns the number
 * of AWS calls made.  An interrupted call stops the round; the caller
 * runs CHECK_FOR_INTERRUPTS after recording.
 */
extern int	track_poll(List *ops, List **audit);

/* Seconds an op may stay unconfirmed before "AWS has no record" is final. */
#define TRACK_UNCONFIRMED_GRACE_SECS	300

#endif
