/*-------------------------------------------------------------------------
 * tracker.h
 *		The background worker that follows every unfinished operation to
 *		its end, and the shared state sessions use to wake it and to wait.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_TRACKER_H
#define RDS_BACKUP_TRACKER_H

extern char *rb_database;
extern int	rb_poll_interval_ms;
extern int	rb_history_retention_min;
extern char *rb_sns_topic_arn;
extern char *rb_cloudwatch_namespace;

extern void tracker_define_gucs(void);
extern void tracker_register(void);

/* Ask the worker for a round now (a new operation was recorded). */
extern void tracker_wake(void);

/* Tell sessions in rds_wait() that an operation row changed. */
extern void tracker_signal_waiters(void);

/* Whether the worker is running and tracking this database. */
extern bool tracker_is_running(void);

/*
 * Sleep until an operation changes or timeout_ms passes (or cancel).
 * Returns false when no worker runs (the caller must poll AWS itself).
 */
extern bool tracker_wait_for_change(long timeout_ms);

/* True in the worker process itself. */
extern bool am_rds_backup_tracker;

#endif
