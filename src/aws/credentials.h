/*-------------------------------------------------------------------------
 * credentials.h
 *		AWS credentials, resolved the way the AWS SDKs resolve them, cached
 *		and refreshed before they expire.
 *
 * Every signer asks credentials_get() for one (key, secret, token, expiry)
 * tuple, for an identity: the base credentials of the provider chain, or
 * a role assumed on top of them.  The providers are in cred_chain.h.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CREDENTIALS_H
#define RDS_BACKUP_CREDENTIALS_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

typedef struct AwsCredentials
{
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;	/* NULL when none */
	TimestampTz expires_at;		/* 0 when they do not expire */
	char	   *source;			/* the provider that gave them, for whoami() */
	char	   *role_arn;		/* the IAM role they act as, when known */
	TimestampTz refresh_at;		/* the cache fetches them again from then on */
} AwsCredentials;

/*
 * Who an AWS call acts as.  role_arn NULL: what the session is configured
 * with (rds_backup.role_arn and rds_backup.external_id, else the base
 * credentials); "": the base credentials of the provider chain, whatever
 * rds_backup.role_arn says; an ARN: that role, assumed with external_id
 * (NULL or "" for none) on top of the base credentials.  The strings
 * belong to the caller.
 */
typedef struct AwsIdentity
{
	const char *role_arn;
	const char *external_id;
} AwsIdentity;

/*
 * Credentials for identity (NULL: the session's), resolved and cached.
 * region is where STS calls go when a role has to be assumed (regional
 * endpoints).  Raises ERROR (RB004) naming every source tried when there
 * are none.  The result is a palloc'd copy: credentials_free() wipes it.
 */
extern AwsCredentials *credentials_get(const AwsIdentity *identity,
									   const char *region);
extern AwsCredentials *credentials_copy(const AwsCredentials *creds);
extern void credentials_free(AwsCredentials *creds);

/*
 * Audit entries (AuditEntry *) of the STS calls made while resolving
 * credentials since the last call, in CurrentMemoryContext.  aws_call()
 * puts them in front of its own; whoever resolves credentials without
 * aws_call() takes them.
 */
extern List *credentials_take_audit(void);

/* Region of the profile in the shared config file, or NULL. */
extern char *credentials_profile_region(void);

/* "AKIAIOSFODNN7EXAMPLE" -> "AKIA...MPLE": enough to recognise, not to use. */
extern char *credentials_mask_key_id(const char *key_id);

/*
 * Called from _PG_init under shared_preload_libraries: one cache of
 * temporary credentials for the whole server, so that sessions starting
 * together make one fetch, not one each.
 */
extern void credentials_shmem_register(void);

#endif
