/*-------------------------------------------------------------------------
 * catalog.h
 *		rds_backup.operations and rds_backup.audit_log: the only code that
 *		writes them.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CATALOG_H
#define RDS_BACKUP_CATALOG_H

#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/palloc.h"

#include "aws/client.h"

/* Changes to an operations row; NULL / -1 fields stay as they are. */
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

extern bool op_status_is_terminal(const char *status);
extern void catalog_prime_role_name(void);
extern char *json_string(const char *s);

extern int64 catalog_insert_operation(const char *kind, const char *region,
									  const char *resource, const char *source,
									  const char *params_json,
									  const char *timeout_interval);
extern char *catalog_update_operation(int64 op_id, const OpUpdate *u,
									  List *audit);
extern void catalog_write_audit(List *audit, int64 op_id);
extern void catalog_mark_published(int64 op_id);
extern char *catalog_read_operation(int64 op_id);
extern char *catalog_operation_error(int64 op_id);
extern bool catalog_resource_in_use(const char *kind, const char *region,
									const char *resource);
extern int64 catalog_find_export_operation(const char *region,
										   const char *export_id);
struct TrackedOp;
extern struct TrackedOp *catalog_load_operation(int64 op_id, char **row_text);
extern List *catalog_unfinished_operations(MemoryContext mcxt);
extern Datum catalog_row_datum(FunctionCallInfo fcinfo, const char *row_text);

#endif
