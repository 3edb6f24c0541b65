/*-------------------------------------------------------------------------
 * coverage.h
 *		Coverage and cost of backups: the setting the cost view prices
 *		snapshots with.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_SQL_COVERAGE_H
#define RDS_BACKUP_SQL_COVERAGE_H

/* rds_backup.snapshot_price_gb_month: USD per GB-month of manual snapshots */
extern double rb_snapshot_price_gb_month;

extern void coverage_define_gucs(void);

#endif
