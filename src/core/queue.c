/*-------------------------------------------------------------------------
 * queue.c
 *		The catalog queue: a ring in shared memory that every session
 *		appends records to and the catalog writer drains.
 *
 * A producer reserves room under a spinlock (a few instructions), copies
 * its record in without any lock, then publishes it by setting the
 * record's size; the writer takes records in order up to the first one
 * not yet published.  Room is given back only once the writer has
 * committed a batch, so a writer that fails mid-batch simply takes the
 * same records again.  The ring is bounded: a full ring makes producers
 * sleep on a condition variable (a cancel still ends the sleep), never
 * fail.
 *
 * A record nobody waits for (an audit row) does not wake the writer
 * itself: a writer that has worked in the last second naps for at most
 * WRITER_NAP_MS and takes it then, with everything queued meanwhile, so a
 * steady stream of read calls costs no wake-up each.  Only a writer in a
 * deep sleep (idle for a while) is woken by such a record.  Whoever waits
 * for a commit wakes it at once.
 *
 * Positions count bytes since start-up and never wrap; the ring offset
 * is the position modulo its size.  Records are 16-byte aligned, so a
 * record's header never straddles the end of the ring (its payload may).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "core/queue.h"

#define QUEUE_RING_SIZE		(4 * 1024 * 1024)
#define RECORD_ALIGN		16
#define FIRST_POSITION		RECORD_ALIGN	/* 0 is never a record's start */
#define FAILURE_MESSAGE_LEN 512
/* A wait for a commit gives up after this long without a writer. */
#define WRITERLESS_LIMIT_SECS 15

typedef struct RecordHeader
{
	pg_atomic_uint32 size;		/* whole record, aligned; 0 until published */
	uint16		kind;
	uint16		flags;
	int32		reporter;		/* pgprocno, or -1 */
	uint32		len;			/* payload bytes */
} RecordHeader;

StaticAssertDecl(sizeof(RecordHeader) == RECORD_ALIGN, "record header is one alignment unit");
StaticAssertDecl(QUEUE_RING_SIZE % RECORD_ALIGN == 0, "ring holds whole alignment units");

/* What a backend needs in shared memory: its failures, and that it lives. */
typedef struct ProducerSlot
{
	int			pid;			/* 0: no producer in this slot */
	QueuePos	failed_at;		/* start of its reported record that failed */
	int			sqlerrcode;
	char		message[FAILURE_MESSAGE_LEN];
} ProducerSlot;

typedef struct QueueShared
{
	slock_t		mutex;
	QueuePos	insert;			/* the next record starts here */
	QueuePos	committed;		/* everything before is durable, and free */
	int			writer_procno;	/* -1 while no writer runs */
	int			writer_pid;
	bool		writer_deep_sleep;	/* idle: wake it for any record */
	ConditionVariable progress; /* committed moved */
	ConditionVariable ops_changed;	/* a batch changed operations */
	/* statistics, under mutex */
	uint64		records;
	uint64		batches;
	uint64		largest_batch;
	uint64		failed;
	uint64		waits_for_space;
	int			nslots;
	ProducerSlot slots[FLEXIBLE_ARRAY_MEMBER];
} QueueShared;

static QueueShared *queue = NULL;
static char *ring = NULL;

/* This backend's producer state. */
static bool attached = false;
static QueuePos reported_start = 0;

static Size
slots_size(void)
{
	return mul_size(MaxBackends, sizeof(ProducerSlot));
}

Size
queue_shmem_size(void)
{
	return add_size(MAXALIGN(add_size(offsetof(QueueShared, slots), slots_size())),
					QUEUE_RING_SIZE);
}

void
queue_shmem_init(void)
{
	bool		found;
	Size		head = MAXALIGN(add_size(offsetof(QueueShared, slots), slots_size()));

	queue = ShmemInitStruct("rds_backup catalog queue", queue_shmem_size(), &found);
	ring = (char *) queue + head;
	if (found)
		return;
	memset(queue, 0, head);
	SpinLockInit(&queue->mutex);
	queue->insert = FIRST_POSITION;
	queue->committed = FIRST_POSITION;
	queue->writer_procno = -1;
	ConditionVariableInit(&queue->progress);
	ConditionVariableInit(&queue->ops_changed);
	queue->nslots = MaxBackends;
	memset(ring, 0, QUEUE_RING_SIZE);
}

bool
queue_available(void)
{
	return queue != NULL;
}

static RecordHeader *
header_at(QueuePos pos)
{
	return (RecordHeader *) (ring + pos % QUEUE_RING_SIZE);
}

static void
ring_write(QueuePos pos, const char *src, Size n)
{
	Size		off = pos % QUEUE_RING_SIZE;
	Size		first = Min(n, QUEUE_RING_SIZE - off);

	memcpy(ring + off, src, first);
	if (n > first)
		memcpy(ring, src + first, n - first);
}

static void
ring_read(QueuePos pos, char *dst, Size n)
{
	Size		off = pos % QUEUE_RING_SIZE;
	Size		first = Min(n, QUEUE_RING_SIZE - off);

	memcpy(dst, ring + off, first);
	if (n > first)
		memcpy(dst + first, ring, n - first);
}

static ProducerSlot *
my_slot(void)
{
	int			n = MyProc->pgprocno;

	return (n >= 0 && n < queue->nslots) ? &queue->slots[n] : NULL;
}

static void
detach_producer(int code, Datum arg)
{
	ProducerSlot *slot = my_slot();

	if (slot == NULL)
		return;
	SpinLockAcquire(&queue->mutex);
	slot->pid = 0;
	slot->failed_at = 0;
	SpinLockRelease(&queue->mutex);
	attached = false;
}

/* Say that this backend may still append, so the writer drains it at shutdown. */
static void
attach_producer(void)
{
	ProducerSlot *slot;

	if (attached)
		return;
	slot = my_slot();
	if (slot == NULL)
		return;
	SpinLockAcquire(&queue->mutex);
	slot->pid = MyProcPid;
	slot->failed_at = 0;
	SpinLockRelease(&queue->mutex);
	before_shmem_exit(detach_producer, (Datum) 0);
	attached = true;
}

static void
wake_writer(void)
{
	int			procno = queue->writer_procno;

	if (procno >= 0)
		SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

static void
wake_if_deep_asleep(void)
{
	bool		deep;

	SpinLockAcquire(&queue->mutex);
	deep = queue->writer_deep_sleep;
	queue->writer_deep_sleep = false;
	SpinLockRelease(&queue->mutex);
	if (deep)
		wake_writer();
}

/* Reserve size bytes; false when the ring has no room for them now. */
static bool
reserve(uint32 size, QueuePos *start)
{
	bool		ok = false;

	SpinLockAcquire(&queue->mutex);
	if (queue->insert + size - queue->committed <= QUEUE_RING_SIZE)
	{
		*start = queue->insert;
		/* unpublished until its size is set; the room may hold an old payload */
		pg_atomic_write_u32(&header_at(*start)->size, 0);
		queue->insert += size;
		ok = true;
	}
	else
		queue->waits_for_space++;
	SpinLockRelease(&queue->mutex);
	return ok;
}

static void
publish(QueuePos start, uint32 size, uint16 kind, const char *data, uint32 len,
		bool report)
{
	RecordHeader *h = header_at(start);

	h->kind = kind;
	h->flags = 0;
	h->reporter = report ? MyProc->pgprocno : -1;
	h->len = len;
	ring_write(start + sizeof(RecordHeader), data, len);
	pg_write_barrier();
	pg_atomic_write_u32(&h->size, size);
	wake_if_deep_asleep();
}

static uint32
record_size(uint32 len)
{
	return (uint32) TYPEALIGN(RECORD_ALIGN, sizeof(RecordHeader) + len);
}

QueuePos
queue_submit(uint16 kind, const char *data, uint32 len, bool report)
{
	uint32		size;
	QueuePos	start;

	if (queue == NULL)
		elog(ERROR, "rds_backup catalog queue is not in shared memory");
	if (len > QUEUE_MAX_RECORD)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rds_backup catalog record of %u bytes exceeds the limit of %d bytes",
						len, QUEUE_MAX_RECORD),
				 errhint("Pass fewer or shorter options or tags.")));
	size = record_size(len);
	attach_producer();

	if (!reserve(size, &start))
	{
		ConditionVariablePrepareToSleep(&queue->progress);
		while (!reserve(size, &start))
		{
			wake_writer();
			/* ends at once on a query cancel or terminate */
			(void) ConditionVariableTimedSleep(&queue->progress, 1000, PG_WAIT_EXTENSION);
		}
		ConditionVariableCancelSleep();
	}
	if (report)
		reported_start = start;
	publish(start, size, kind, data, len, report);
	return start + size;
}

bool
queue_try_submit(uint16 kind, const char *data, uint32 len)
{
	uint32		size;
	QueuePos	start;

	if (queue == NULL || len > QUEUE_MAX_RECORD || my_slot() == NULL)
		return false;
	size = record_size(len);
	if (!reserve(size, &start))
		return false;
	publish(start, size, kind, data, len, false);
	return true;
}

QueuePos
queue_end(void)
{
	QueuePos	end;

	SpinLockAcquire(&queue->mutex);
	end = queue->insert;
	SpinLockRelease(&queue->mutex);
	return end;
}

bool
queue_has_records(void)
{
	bool		any;

	SpinLockAcquire(&queue->mutex);
	any = queue->insert > queue->committed;
	SpinLockRelease(&queue->mutex);
	return any;
}

static bool
committed_upto(QueuePos end)
{
	bool		done;

	SpinLockAcquire(&queue->mutex);
	done = queue->committed >= end;
	SpinLockRelease(&queue->mutex);
	return done;
}

void
queue_wait(QueuePos end)
{
	ProducerSlot *slot;
	int			sqlerrcode = 0;
	char		message[FAILURE_MESSAGE_LEN];

	if (!committed_upto(end))
	{
		TimestampTz writerless_since = 0;

		wake_writer();
		ConditionVariablePrepareToSleep(&queue->progress);
		while (!committed_upto(end))
		{
			wake_writer();
			(void) ConditionVariableTimedSleep(&queue->progress, 1000, PG_WAIT_EXTENSION);

			/*
			 * A writer that does not come back (its database is gone, it
			 * cannot start) must not make sessions hang.  It is restarted
			 * within a second after a crash.
			 */
			if (queue_writer_running())
				writerless_since = 0;
			else if (writerless_since == 0)
				writerless_since = GetCurrentTimestamp();
			else if (TimestampDifferenceExceeds(writerless_since, GetCurrentTimestamp(),
												WRITERLESS_LIMIT_SECS * 1000))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("rds_backup catalog writer is not running"),
						 errdetail("Nothing could be recorded for %d seconds.", WRITERLESS_LIMIT_SECS),
						 errhint("See the server log for why the \"rds_backup catalog writer\" background worker does not run.")));
		}
		ConditionVariableCancelSleep();
	}

	slot = my_slot();
	if (slot == NULL || reported_start == 0 || reported_start >= end)
		return;
	SpinLockAcquire(&queue->mutex);
	if (slot->failed_at == reported_start)
	{
		sqlerrcode = slot->sqlerrcode;
		strlcpy(message, slot->message, sizeof(message));
		slot->failed_at = 0;
	}
	SpinLockRelease(&queue->mutex);
	reported_start = 0;
	if (sqlerrcode != 0)
		ereport(ERROR,
				(errcode(sqlerrcode),
				 errmsg("rds_backup could not record the operation: %s", message)));
}

void
queue_attach_writer(void)
{
	SpinLockAcquire(&queue->mutex);
	queue->writer_procno = MyProc->pgprocno;
	queue->writer_pid = MyProcPid;
	SpinLockRelease(&queue->mutex);
}

void
queue_detach_writer(void)
{
	SpinLockAcquire(&queue->mutex);
	if (queue->writer_pid == MyProcPid)
	{
		queue->writer_procno = -1;
		queue->writer_pid = 0;
	}
	SpinLockRelease(&queue->mutex);
	/* waiters re-check on their next timed wake-up; make it now */
	ConditionVariableBroadcast(&queue->progress);
}

/*
 * The writer is about to sleep with nothing to do: a deep sleep (records
 * nobody waits for wake it) unless a record came meanwhile.  Returns
 * false when one did.
 */
bool
queue_writer_deep_sleep(void)
{
	bool		empty;

	SpinLockAcquire(&queue->mutex);
	empty = queue->insert == queue->committed;
	queue->writer_deep_sleep = empty;
	SpinLockRelease(&queue->mutex);
	return empty;
}

void
queue_writer_awake(void)
{
	SpinLockAcquire(&queue->mutex);
	queue->writer_deep_sleep = false;
	SpinLockRelease(&queue->mutex);
}

bool
queue_writer_running(void)
{
	return queue != NULL && queue->writer_procno >= 0;
}

int
queue_take(QueueRecord *recs, int max_records, Size max_bytes, QueuePos *end)
{
	QueuePos	pos;
	QueuePos	insert;
	Size		bytes = 0;
	int			n = 0;

	SpinLockAcquire(&queue->mutex);
	pos = queue->committed;
	insert = queue->insert;
	SpinLockRelease(&queue->mutex);

	while (pos < insert && n < max_records && bytes < max_bytes)
	{
		RecordHeader *h = header_at(pos);
		uint32		size = pg_atomic_read_u32(&h->size);

		if (size == 0)
			break;				/* still being written: the batch ends here */
		pg_read_barrier();
		recs[n].start = pos;
		recs[n].end = pos + size;
		recs[n].kind = h->kind;
		recs[n].reporter = h->reporter;
		recs[n].len = h->len;
		recs[n].data = palloc(h->len + 1);
		ring_read(pos + sizeof(RecordHeader), recs[n].data, h->len);
		recs[n].data[h->len] = '\0';
		bytes += size;
		pos += size;
		n++;
	}
	*end = pos;
	return n;
}

void
queue_report_failure(const QueueRecord *rec, int sqlerrcode, const char *message)
{
	SpinLockAcquire(&queue->mutex);
	queue->failed++;
	if (rec->reporter >= 0 && rec->reporter < queue->nslots)
	{
		ProducerSlot *slot = &queue->slots[rec->reporter];

		slot->failed_at = rec->start;
		slot->sqlerrcode = sqlerrcode;
		strlcpy(slot->message, message, FAILURE_MESSAGE_LEN);
	}
	SpinLockRelease(&queue->mutex);
}

void
queue_release(QueuePos end, uint64 records)
{
	SpinLockAcquire(&queue->mutex);
	Assert(end >= queue->committed && end <= queue->insert);
	queue->committed = end;
	queue->records += records;
	queue->batches++;
	queue->largest_batch = Max(queue->largest_batch, records);
	SpinLockRelease(&queue->mutex);
	ConditionVariableBroadcast(&queue->progress);
}

/* Backends other than the caller that may still append records. */
int
queue_producers(void)
{
	int			n = 0;
	int			i;

	SpinLockAcquire(&queue->mutex);
	for (i = 0; i < queue->nslots; i++)
		if (queue->slots[i].pid != 0 && queue->slots[i].pid != MyProcPid)
			n++;
	SpinLockRelease(&queue->mutex);
	return n;
}

void
queue_stats(QueueStats *stats)
{
	memset(stats, 0, sizeof(QueueStats));
	if (queue == NULL)
		return;
	SpinLockAcquire(&queue->mutex);
	stats->writer_running = queue->writer_procno >= 0;
	stats->writer_pid = queue->writer_pid;
	stats->queued_bytes = queue->insert - queue->committed;
	stats->records = queue->records;
	stats->batches = queue->batches;
	stats->largest_batch = queue->largest_batch;
	stats->failed = queue->failed;
	stats->waits_for_space = queue->waits_for_space;
	SpinLockRelease(&queue->mutex);
}

ConditionVariable *
queue_operations_changed(void)
{
	return queue ? &queue->ops_changed : NULL;
}

void
queue_note_operations_changed(void)
{
	ConditionVariableBroadcast(&queue->ops_changed);
}
