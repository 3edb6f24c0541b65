/*-------------------------------------------------------------------------
 * arn.h
 *		ARNs, the one reader of them: snapshot sources, exported snapshots,
 *		IAM roles, KMS keys and SNS topics are all taken apart here.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_RDS_ARN_H
#define RDS_BACKUP_RDS_ARN_H

/* arn:<partition>:<service>:<region>:<account>:<resource> */
typedef struct AwsArn
{
	char	   *partition;		/* aws, aws-cn, aws-us-gov */
	char	   *service;
	char	   *region;			/* "" for global services (IAM) */
	char	   *account;
	char	   *resource;		/* may hold ':' and '/' */
} AwsArn;

/* The AWS partition a region belongs to ("aws" for the commercial ones). */
extern const char *aws_partition_of_region(const char *region);

/*
 * Take value apart into arn and check what every ARN must be: six parts,
 * the service expected (e.g. "rds"), a known partition, a region of that
 * partition (an empty one only when region_required is false), a 12-digit
 * account.  Returns NULL when it is, else the problem, as a sentence for
 * errdetail.
 */
extern const char *arn_read(const char *value, const char *service, bool region_required,
							AwsArn *arn);

/* A DB snapshot or DB cluster snapshot ARN, taken apart. */
typedef struct SnapshotArn
{
	char	   *partition;
	char	   *region;
	char	   *account;
	bool		cluster;		/* cluster-snapshot: rather than snapshot: */
	char	   *snapshot;		/* identifier, with "rds:" etc. when automated */
} SnapshotArn;

typedef enum SnapshotKind
{
	SNAPSHOT_DB,
	SNAPSHOT_CLUSTER,
	SNAPSHOT_EITHER
} SnapshotKind;

/* The ARN of a snapshot of kind; anything else is an ERROR naming argname. */
extern SnapshotArn *arn_snapshot(const char *argname, const char *value, SnapshotKind kind);

/*
 * A snapshot to read from, given as an identifier (automated "rds:..." and
 * AWS Backup "awsbackup:..." ones included) or as an ARN, e.g. of one
 * shared from another account.  Returns NULL for a (valid) identifier.
 */
extern SnapshotArn *arn_snapshot_ref(const char *argname, const char *value, bool cluster);

/* A region name given as an argument other than "region". */
extern void validate_region_arg(const char *argname, const char *value);

#endif
