/*-------------------------------------------------------------------------
 * tracker.h
 *		The background worker that follows every unfinished operation to
 *		its end.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CORE_TRACKER_H
#define RDS_BACKUP_CORE_TRACKER_H

#include "datatype/timestamp.h"

extern int	rb_poll_interval_ms;
extern int	rb_tracking_limit_s;
extern char *rb_sns_topic_arn;
extern char *rb_cloudwatch_namespace;

extern void tracker_define_gucs(void);
extern Size tracker_shmem_size(void);
extern void tracker_shmem_init(void);

/* Ask for a round soon (at most one a second, however many ask). */
extern void tracker_wake(void);
extern bool tracker_is_running(void);

/* True in the tracker process. */
extern bool am_rds_backup_tracker;

/* For rds_backup.tracker_status(). */
typedef struct TrackerStats
{
	bool		running;
	int			pid;
	uint64		rounds;			/* rounds that polled AWS */
	uint64		aws_calls;		/* Describe calls made by those rounds */
	uint64		polled;			/* operations looked at */
	uint64		changes;		/* operation changes queued */
	int			last_pending;	/* unfinished operations in the last round */
	int			last_calls;		/* Describe calls of the last round */
	TimestampTz started_at;
	TimestampTz last_round_at;
} TrackerStats;

extern void tracker_stats(TrackerStats *stats);

#endif
