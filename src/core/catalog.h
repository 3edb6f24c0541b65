/*-------------------------------------------------------------------------
 * catalog.h
 *		rds_backup.operations and rds_backup.audit_log: what is written
 *		to them (as records for the catalog writer) and how they are read.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CORE_CATALOG_H
#define RDS_BACKUP_CORE_CATALOG_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "aws/client.h"
#include "core/queue.h"

/*
 * Changes to an operations row; NULL / -1 fields stay as they are, and
 * OP_CLEAR ("") in aws_status or error sets the column to NULL.
 */
typedef struct OpUpdate
{
	const char *status;
	const char *aws_status;
	int			progress;
	const char *resource_arn;
	const char *request_id;
	const char *error;
	const char *resource;		/* final identifier, when it changed */
} OpUpdate;

#define OP_UPDATE_INIT {NULL, NULL, -1, NULL, NULL, NULL, NULL}
#define OP_CLEAR		""

/*
 * Who an operation acts as: the account it runs in (NULL when unknown),
 * the IAM role it was started under and that role's external id ("" for
 * none: the base credentials, whatever rds_backup.role_arn says later).
 */
typedef struct OpIdentity
{
	const char *account;
	const char *role_arn;
	const char *external_id;
} OpIdentity;

/* An operations row as the code reads it. */
typedef struct CatalogOp
{
	int64		id;
	char	   *kind;
	char	   *region;
	char	   *resource;
	char	   *source;
	char	   *resource_arn;
	char	   *status;
	char	   *aws_status;
	int			progress;		/* -1 when unknown */
	char	   *request_id;
	char	   *error;
	char	   *requested_by;
	TimestampTz requested_at;
	Jsonb	   *params;
	char	   *account;
	char	   *role_arn;		/* "" for none */
	char	   *external_id;	/* "" for none */
	char	   *row_text;		/* the whole row, for the SQL functions' results */
} CatalogOp;

extern bool op_status_is_terminal(const char *status);
extern bool op_update_is_empty(const OpUpdate *u);
extern char *json_string(const char *s);

/* The role recorded as requested_by and in audit rows. */
extern char *catalog_role_name(void);

/*
 * Writes: each queues a record and returns the queue position just past
 * it; catalog_wait() waits until it is committed.  Inserting an operation
 * reports a failure to apply it, so that catalog_wait() raises it.
 */
extern int64 catalog_new_operation_id(void);
extern QueuePos catalog_insert_operation(int64 id, const char *kind, const char *region,
										 const char *resource, const char *source,
										 const char *params_json, const OpIdentity *who);
extern QueuePos catalog_queue_operation(int64 id, const char *kind, const char *region,
										const char *resource, const char *source,
										const char *params_json, const char *aws_status,
										const OpIdentity *who);
extern QueuePos catalog_update_operation(int64 id, const OpUpdate *u);
extern bool catalog_try_update_operation(int64 id, const OpUpdate *u);
extern QueuePos catalog_write_audit(List *audit, int64 op_id);
extern QueuePos catalog_mark_published(int64 id);
extern void catalog_wait(QueuePos end);

/* Reads, each with a fresh snapshot: what the writer committed is seen. */
extern CatalogOp *catalog_read_operation(int64 id);
extern char *catalog_param_text(Jsonb *params, const char *key);
extern List *catalog_unfinished_operations(void);
extern bool catalog_resource_in_use(const char *kind, const char *region,
									const char *resource);
extern int64 catalog_find_export_operation(const char *region, const char *export_id);

/* The operation queue (opqueue.c): cross-region copies waiting for a slot. */
extern List *catalog_queued_operations(const char *region, const char *aws_status,
									   int limit);
extern int	catalog_copies_in_flight(const char *region, const char *queued_status);
extern bool catalog_queue_backing_off(const char *region, const char *queued_status);
/* A source copied into a region, and the latest request of such a copy. */
typedef struct CopiedSource
{
	char	   *source;
	TimestampTz requested_at;
} CopiedSource;

extern List *catalog_copied_sources(const char *kind, const char *region);
extern Datum catalog_row_datum(FunctionCallInfo fcinfo, const char *row_text);

/* The writer's side: apply queued records in the current transaction. */
typedef enum CatalogRecordKind
{
	CATALOG_OP_INSERT = 1,
	CATALOG_OP_UPDATE,
	CATALOG_AUDIT,
	CATALOG_OP_PUBLISHED,
	CATALOG_OP_QUEUE
} CatalogRecordKind;

extern void catalog_apply_batch(const QueueRecord *recs, int n);
extern void catalog_apply(const QueueRecord *rec);
extern uint64 catalog_sweep(bool audit, int retention_min, int batch);
extern bool catalog_record_changes_operations(const QueueRecord *rec);

#endif
