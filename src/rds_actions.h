/*-------------------------------------------------------------------------
 * rds_actions.h
 *		RDS actions: one builder and one reply reader per action, plain
 *		structs in and out.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_RDS_ACTIONS_H
#define RDS_BACKUP_RDS_ACTIONS_H

#include "aws_client.h"
#include "nodes/pg_list.h"

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

/* The snapshot in a Create/Delete reply. */
extern RdsSnapshot *rds_read_snapshot_result(bool cluster, const AwsReply *reply);

/* The snapshots of a Describe reply, and the Marker of the next page. */
extern List *rds_read_snapshot_list(bool cluster, const AwsReply *reply,
									char **marker);

/* What an RDS snapshot status means for the operation that made it. */
extern const char *rds_snapshot_status_outcome(const char *aws_status);

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
