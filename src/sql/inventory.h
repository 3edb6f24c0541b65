/*-------------------------------------------------------------------------
 * inventory.h
 *		What a region holds, every page of it: snapshots, databases and
 *		automated backups, for the lifecycle functions (pruning, copies to
 *		another region, coverage, storage).
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_SQL_INVENTORY_H
#define RDS_BACKUP_SQL_INVENTORY_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

#include "rds/actions.h"

/*
 * Every snapshot (RdsSnapshot *) of db_identifier (NULL: of every
 * database) in region, of snapshot_type (NULL: automated and manual);
 * with include_shared, also those other accounts share with this one.
 * An AWS error is raised, with nothing_done (may be NULL) in its DETAIL.
 */
extern List *inventory_snapshots(bool cluster, const char *region,
								 const char *db_identifier, const char *snapshot_type,
								 bool include_shared, const char *nothing_done);

/* Every DB instance or DB cluster (RdsDatabase *) of region. */
extern List *inventory_databases(bool cluster, const char *region);

/*
 * The automated backups (RdsAutomatedBackup *) of region, of one instance
 * identifier, automated-backups ARN or DbiResourceId when given; none
 * (not an ERROR) when AWS knows no such backup.
 */
extern List *inventory_automated_backups(const char *region, const char *db_instance,
										 const char *backups_arn,
										 const char *dbi_resource_id);

/* The value of a snapshot's tag, or NULL. */
extern const char *snapshot_tag(const RdsSnapshot *s, const char *key);

/* An ISO 8601 time from a reply as timestamptz. */
extern TimestampTz iso_timestamptz(const char *iso);

/*
 * Where a snapshot was copied from, when it is a copy from another
 * region: its rds-backup:source-arn tag, else what RDS reports.  NULL for
 * a snapshot made in its own region.
 */
extern const char *snapshot_copied_from(const RdsSnapshot *s, const char *region,
										char **from_region);

#endif
