/*-------------------------------------------------------------------------
 * writer.h
 *		The catalog writer: the one process that commits what sessions
 *		and the tracker queue for rds_backup.operations and audit_log.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CORE_WRITER_H
#define RDS_BACKUP_CORE_WRITER_H

extern char *rb_database;
extern int	rb_history_retention_min;

extern void writer_define_gucs(void);

#endif
