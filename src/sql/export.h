/*-------------------------------------------------------------------------
 * export.h
 *		Snapshot exports to S3: what rds_cancel() shares with
 *		rds_cancel_export().
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_SQL_EXPORT_H
#define RDS_BACKUP_SQL_EXPORT_H

#include "core/catalog.h"

/*
 * CancelExportTask for export_id in region.  op_id is our operation of
 * that export, 0 when there is none: the call's audit rows are linked to
 * it, and it is marked canceled when AWS reports the task CANCELING or
 * CANCELED (always, with always_mark).  An AWS error is raised after the
 * audit rows are written.  Returns the operation's row, or NULL without
 * an operation.
 */
extern CatalogOp *export_cancel(const char *region, const char *export_id,
								int64 op_id, bool always_mark);

#endif
