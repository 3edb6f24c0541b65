/*-------------------------------------------------------------------------
 * queue.h
 *		The catalog queue: records that sessions hand to the catalog
 *		writer through shared memory, and the writer's side of it.
 *
 * Many writers, one committer, as PostgreSQL does for WAL: a session
 * appends a record and, when it must know the record is durable (an
 * operation's intent before its AWS call), waits until the writer has
 * committed everything up to it.  The writer takes every ready record in
 * one batch and commits the batch in one transaction (group commit).
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CORE_QUEUE_H
#define RDS_BACKUP_CORE_QUEUE_H

#include "storage/condition_variable.h"

/* Byte position in the queue's history; grows for ever. */
typedef uint64 QueuePos;

/* Largest record: an operation's params plus its columns. */
#define QUEUE_MAX_RECORD	(256 * 1024)

extern Size queue_shmem_size(void);
extern void queue_shmem_init(void);
extern bool queue_available(void);

/*
 * Append a record and return the position just past it.  Waits while the
 * queue is full (interruptibly: a cancel is never blocked).  With report,
 * a failure to apply it is raised by queue_wait() of this backend.
 */
extern QueuePos queue_submit(uint16 kind, const char *data, uint32 len, bool report);

/*
 * Append a record only if that needs no wait; never raises an ERROR, so
 * that error paths can use it.  Returns false when it was not queued.
 */
extern bool queue_try_submit(uint16 kind, const char *data, uint32 len);

/*
 * Wait until everything up to end is committed; raise the ERROR of this
 * backend's reported record if applying it failed.
 */
extern void queue_wait(QueuePos end);

/* The position after every record queued so far, by any backend. */
extern QueuePos queue_end(void);
extern bool queue_has_records(void);

/* What the writer takes: one record, copied out of shared memory. */
typedef struct QueueRecord
{
	QueuePos	start;
	QueuePos	end;			/* the next record's start */
	uint16		kind;
	int			reporter;		/* pgprocno to tell of a failure, or -1 */
	uint32		len;
	char	   *data;
} QueueRecord;

/* The writer process. */
extern void queue_attach_writer(void);
extern void queue_detach_writer(void);
extern bool queue_writer_running(void);
extern bool queue_writer_deep_sleep(void);
extern void queue_writer_awake(void);

/* A writer that has worked recently naps this long between batches. */
#define WRITER_NAP_MS		50
extern int	queue_take(QueueRecord *recs, int max_records, Size max_bytes, QueuePos *end);
extern void queue_report_failure(const QueueRecord *rec, int sqlerrcode, const char *message);
extern void queue_release(QueuePos end, uint64 records);
extern int	queue_producers(void);

/* For rds_backup.writer_status(). */
typedef struct QueueStats
{
	bool		writer_running;
	int			writer_pid;
	uint64		queued_bytes;
	uint64		records;		/* committed since start */
	uint64		batches;
	uint64		largest_batch;
	uint64		failed;
	uint64		waits_for_space;
} QueueStats;

extern void queue_stats(QueueStats *stats);

/* Broadcast after every batch that changed an operation. */
extern ConditionVariable *queue_operations_changed(void);
extern void queue_note_operations_changed(void);

#endif
