/*-------------------------------------------------------------------------
 * actions.h
 *		RDS actions: one builder and one reply reader per action, plain
 *		structs in and out.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_RDS_ACTIONS_H
#define RDS_BACKUP_RDS_ACTIONS_H

#include <time.h>

#include "aws/client.h"
#include "nodes/pg_list.h"
#include "rds/options.h"

/* A DBSnapshot or DBClusterSnapshot, as rds_snapshots() shows it. */
typedef struct RdsSnapshot
{
	bool		cluster;
	char	   *identifier;
	char	   *db_identifier;
	char	   *snapshot_type;
	char	   *status;
	int			progress;		/* -1 when AWS gave none */
	char	   *created_at;		/* ISO 8601, or NULL */
	int			allocated_gb;	/* -1 when AWS gave none */
	bool		encrypted;
	char	   *kms_key_id;
	char	   *engine;
	char	   *arn;
	List	   *tags;			/* TagPair * */
	char	   *source_arn;		/* copies: the snapshot copied (SourceDBSnapshotIdentifier) */
	char	   *source_region;	/* copies from another region: SourceRegion */
	char	   *original_created_at;	/* copies: OriginalSnapshotCreateTime */
} RdsSnapshot;

extern AwsRequest *rds_create_snapshot_request(bool cluster, const char *region,
											   const char *db_identifier,
											   const char *snapshot,
											   List *tags);
extern AwsRequest *rds_delete_snapshot_request(bool cluster, const char *region,
											   const char *snapshot);
extern AwsRequest *rds_describe_snapshots_request(bool cluster, const char *region,
												  const char *db_identifier,
												  const char *snapshot,
												  const char *snapshot_type,
												  const char *marker);

/*
 * One page of the snapshots of a database (db_identifier NULL: of every
 * database), of snapshot_type (NULL: automated and manual); with
 * include_shared, also those other accounts share with this one.
 */
extern AwsRequest *rds_list_snapshots_request(bool cluster, const char *region,
											  const char *db_identifier,
											  const char *snapshot_type,
											  bool include_shared,
											  const char *marker);

/* The snapshot in a Create/Delete reply. */
extern RdsSnapshot *rds_read_snapshot_result(bool cluster, const AwsReply *reply);

/* The snapshots of a Describe reply, and the Marker of the next page. */
extern List *rds_read_snapshot_list(bool cluster, const AwsReply *reply,
									char **marker);


/* A DBInstance or DBCluster: what restores and restore windows read. */
typedef struct RdsDatabase
{
	bool		cluster;
	char	   *identifier;
	char	   *status;			/* DBInstanceStatus / Status */
	char	   *arn;
	char	   *engine;
	char	   *engine_mode;	/* clusters */
	char	   *cluster_id;		/* instances: DBClusterIdentifier */
	char	   *resource_id;	/* DbiResourceId / DbClusterResourceId */
	char	   *earliest_restorable;	/* clusters: ISO 8601, or NULL */
	char	   *latest_restorable;	/* ISO 8601, or NULL */
	int			retention_days; /* -1 when AWS gave none */
	char	   *backup_window;	/* PreferredBackupWindow */
	bool		deletion_protection;
	bool		encrypted;		/* StorageEncrypted */
	List	   *replications;	/* instances: ARNs of DBInstanceAutomatedBackupsReplications */
} RdsDatabase;

/* DescribeDBInstances / DescribeDBClusters of one identifier. */
extern AwsRequest *rds_describe_database_request(bool cluster, const char *region,
												 const char *identifier);

/* The first database of a Describe reply, or NULL. */
extern RdsDatabase *rds_read_database_list(bool cluster, const AwsReply *reply);

/* One page of every DB instance / DB cluster of a region, and its reply. */
extern AwsRequest *rds_list_databases_request(bool cluster, const char *region,
											  const char *marker);
extern List *rds_read_database_page(bool cluster, const AwsReply *reply, char **marker);

/* The DBInstance / DBCluster of a Restore* or CreateDBInstance reply. */
extern RdsDatabase *rds_read_database_result(bool cluster, const AwsReply *reply);

/*
 * RestoreDBInstanceFromDBSnapshot (instance_class may be NULL) or
 * RestoreDBClusterFromSnapshot (engine required, instance_class unused).
 */
extern AwsRequest *rds_restore_from_snapshot_request(bool cluster, const char *region,
													 const char *target,
													 const char *snapshot,
													 const char *instance_class,
													 const char *engine,
													 List *tags,
													 const RdsOptions *options);

/*
 * RestoreDBInstanceToPointInTime / RestoreDBClusterToPointInTime: to
 * restore_time (whole seconds since the epoch), or to the latest
 * restorable time when use_latest.
 */
extern AwsRequest *rds_restore_pitr_request(bool cluster, const char *region,
											const char *source, const char *target,
											bool use_latest, time_t restore_time,
											const char *instance_class,
											List *tags,
											const RdsOptions *options);

/* CreateDBInstance of an instance inside an Aurora cluster. */
extern AwsRequest *rds_create_cluster_instance_request(const char *region,
													   const char *instance,
													   const char *cluster,
													   const char *instance_class,
													   const char *engine,
													   List *tags);

/* DescribeDBInstanceAutomatedBackups of one DbiResourceId. */
extern AwsRequest *rds_describe_automated_backups_request(const char *region,
														  const char *dbi_resource_id);

/* An automated backup: where it comes from, and its RestoreWindow. */
typedef struct RdsAutomatedBackup
{
	char	   *status;
	char	   *earliest;		/* RestoreWindow/EarliestTime, or NULL */
	char	   *latest;			/* RestoreWindow/LatestTime, or NULL */
	int			retention_days;
	char	   *db_instance;	/* DBInstanceIdentifier */
	char	   *region;			/* Region: the source instance's */
	char	   *arn;			/* DBInstanceAutomatedBackupsArn */
	char	   *instance_arn;	/* DBInstanceArn */
	char	   *dbi_resource_id;
	bool		encrypted;
	char	   *kms_key_id;
} RdsAutomatedBackup;

/*
 * One page of DescribeDBInstanceAutomatedBackups: of one instance
 * identifier, one automated-backups ARN or one DbiResourceId (at most one
 * of them), or all.
 */
extern AwsRequest *rds_list_automated_backups_request(const char *region,
													  const char *db_instance,
													  const char *backups_arn,
													  const char *dbi_resource_id,
													  const char *marker);

/* The automated backups of a DescribeDBInstanceAutomatedBackups reply. */
extern List *rds_read_automated_backup_list(const AwsReply *reply);
extern char *rds_read_marker(const AwsReply *reply);

/*
 * RestoreDBInstanceToPointInTime: source_param is SourceDBInstanceIdentifier
 * (rds_restore_pitr_request's instances), or for an automated backup
 * SourceDBInstanceAutomatedBackupsArn or SourceDbiResourceId.
 */
extern AwsRequest *rds_restore_pitr_from_backup_request(const char *region,
														const char *source_param,
														const char *source,
														const char *target,
														bool use_latest,
														time_t restore_time,
														const char *instance_class,
														List *tags,
														const RdsOptions *options);

/* Copies, sharing and replication of automated backups ----------------- */

/*
 * Describe one snapshot by identifier or ARN; with an ARN, snapshots other
 * accounts share with us count too.
 */
extern AwsRequest *rds_describe_one_snapshot_request(bool cluster, const char *region,
													 const char *snapshot);

/* CopyDB[Cluster]Snapshot; kms_key_id may be NULL. */
extern AwsRequest *rds_copy_snapshot_request(bool cluster, const char *region,
											 const char *source, const char *target,
											 const char *kms_key_id, bool copy_tags,
											 List *tags);

/* ModifyDB[Cluster]SnapshotAttribute on "restore"; add/remove: char * lists. */
extern AwsRequest *rds_modify_restore_attribute_request(bool cluster, const char *region,
														const char *snapshot,
														List *add, List *remove);

/* The "restore" values of a Modify/Describe attributes reply: char * list. */
extern List *rds_read_restore_attribute(bool cluster, const AwsReply *reply);

/* A DB instance, as replication of its automated backups needs it. */
typedef struct RdsInstanceBrief
{
	char	   *identifier;
	char	   *arn;
	char	   *status;
	bool		encrypted;
	int			retention_days; /* -1 when AWS gave none */
} RdsInstanceBrief;

/* DescribeDBInstances for one instance, and its reply. */
extern AwsRequest *rds_describe_instance_brief_request(const char *region,
													   const char *db_instance);
extern RdsInstanceBrief *rds_read_instance_brief(const AwsReply *reply);

/* A DBInstanceAutomatedBackup of a Start/Stop replication reply. */
typedef struct RdsBackupReplica
{
	char	   *arn;			/* DBInstanceAutomatedBackupsArn */
	char	   *instance_arn;
	char	   *status;
} RdsBackupReplica;

/* Start/StopDBInstanceAutomatedBackupsReplication, sent to the destination. */
extern AwsRequest *rds_start_backup_replication_request(const char *destination_region,
														const char *source_instance_arn,
														int retention_days,
														const char *kms_key_id);
extern AwsRequest *rds_stop_backup_replication_request(const char *destination_region,
													   const char *source_instance_arn);
extern RdsBackupReplica *rds_read_automated_backup_result(const AwsReply *reply);

/* ModifyDBInstance / ModifyDBCluster: what to change, always applied immediately. */
typedef struct RdsModify
{
	int			retention;		/* BackupRetentionPeriod; -1: unchanged */
	const char *backup_window;	/* PreferredBackupWindow; NULL: unchanged */
	int			deletion_protection;	/* -1: unchanged, else 0 or 1 */
} RdsModify;

#define RDS_MODIFY_INIT {-1, NULL, -1}

extern AwsRequest *rds_modify_request(bool cluster, const char *region,
									  const char *db_identifier,
									  const RdsModify *m);

/* The DBInstance or DBCluster element of a Modify reply. */
extern XNode *rds_read_modify_result(bool cluster, const AwsReply *reply);

/* An ExportTask, as rds_export_tasks() shows it. */
typedef struct RdsExportTask
{
	char	   *identifier;
	char	   *source_arn;
	char	   *status;
	int			progress;		/* -1 when AWS gave none */
	char	   *s3_bucket;
	char	   *s3_prefix;
	List	   *export_only;	/* char * */
	char	   *task_start;		/* ISO 8601, or NULL */
	char	   *task_end;
	char	   *snapshot_time;
	int			extracted_gb;	/* -1 when AWS gave none */
	char	   *failure_cause;
	char	   *warning;
} RdsExportTask;

extern AwsRequest *rds_start_export_task_request(const char *region,
												 const char *export_id,
												 const char *source_arn,
												 const char *s3_bucket,
												 const char *iam_role_arn,
												 const char *kms_key_id,
												 const char *s3_prefix,
												 List *export_only);
extern AwsRequest *rds_describe_export_tasks_request(const char *region,
													 const char *export_id,
													 const char *marker);
extern AwsRequest *rds_cancel_export_task_request(const char *region,
												  const char *export_id);

/* The task of a StartExportTask or CancelExportTask reply. */
extern RdsExportTask *rds_read_export_task_result(const AwsReply *reply);

/* The tasks of a DescribeExportTasks reply, and the Marker of the next page. */
extern List *rds_read_export_task_list(const AwsReply *reply, char **marker);

#endif
