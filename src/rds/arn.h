/*-------------------------------------------------------------------------
 * arn.h
 *		RDS snapshot ARNs and KMS key ids as callers give them: checked
 *		before any AWS call.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_ARN_H
#define RDS_BACKUP_ARN_H

/* arn:<partition>:rds:<region>:<account>:<type>:<id> */
typedef struct RdsArn
{
	char	   *partition;		/* aws, aws-cn, aws-us-gov */
	char	   *region;
	char	   *account;		/* 12 digits */
	char	   *type;			/* snapshot, cluster-snapshot */
	char	   *id;				/* "rds:..." for automated snapshots */
} RdsArn;

/*
 * Parse a snapshot source given as an identifier or an ARN.  An ARN must
 * name an RDS snapshot of the expected kind (cluster or not) with a valid
 * region, account and identifier; anything else is an ERROR naming
 * argname.  Returns NULL for a (valid) identifier.
 */
extern RdsArn *arn_parse_snapshot_source(const char *argname, const char *value,
										 bool cluster);

/* A region name given as an argument other than "region". */
extern void validate_region_arg(const char *argname, const char *value);

#endif
