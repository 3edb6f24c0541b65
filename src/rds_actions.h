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

#endif
