/*-------------------------------------------------------------------------
 * identity.h
 *		Who AWS calls act as: the identity an operation starts with, the
 *		account it belongs to, and what whoami() shows.
 *
 * An operation keeps its identity by storing aws_identity_current() when
 * it starts (role_arn, external_id, and the account from
 * aws_identity_account()), and by setting AwsRequest.identity to the
 * stored values for every later call about it: those calls then act as
 * the same role, whatever the settings of the process making them.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_IDENTITY_H
#define RDS_BACKUP_IDENTITY_H

#include "nodes/pg_list.h"

#include "aws/credentials.h"

/*
 * The identity this session's calls use now: rds_backup.role_arn and
 * rds_backup.external_id, "" for each that is not set (never NULL).  The
 * strings are palloc'd.  Storing "" and passing it back means "the base
 * credentials, no role", which is not the same as NULL (see AwsIdentity).
 */
extern void aws_identity_current(AwsIdentity *out);

/*
 * The 12-digit account id the identity (NULL: the session's) acts in:
 * from the role's ARN when it assumes one, else from STS
 * GetCallerIdentity, cached per access key id in the process.  region is
 * where STS calls go.  Audit entries of every AWS call this makes are
 * appended to *audit.  Raises ERROR when there are no credentials, or
 * when STS refuses (its audit entries then go with the process's next
 * call).
 */
extern char *aws_identity_account(const AwsIdentity *identity, const char *region,
								  List **audit);

typedef struct AwsWhoami
{
	char	   *source;			/* provider, e.g. "instance-metadata" */
	char	   *access_key_id;	/* masked: "ASIA...0001" */
	TimestampTz expires_at;		/* 0: they do not expire */
	char	   *role_arn;		/* the IAM role acted as; NULL for a user */
	char	   *account_id;		/* when known without a call, or asked */
} AwsWhoami;

/*
 * What whoami() shows for the identity (NULL: the session's).  Calls STS
 * GetCallerIdentity only for temporary credentials whose role is not
 * known from their source.  Never holds a secret.
 */
extern AwsWhoami *aws_whoami(const AwsIdentity *identity, const char *region, List **audit);

#endif
