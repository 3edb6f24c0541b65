/*-------------------------------------------------------------------------
 * credentials.h
 *		AWS credentials, resolved the way the AWS SDKs resolve them.
 *
 * Every signer asks credentials_get() for one (key, secret, token, expiry)
 * tuple; new providers (web identity, container, instance metadata,
 * AssumeRole) slot into its chain without touching callers.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CREDENTIALS_H
#define RDS_BACKUP_CREDENTIALS_H

#include "datatype/timestamp.h"

typedef struct AwsCredentials
{
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;	/* NULL when none */
	TimestampTz expires_at;		/* 0 when they do not expire */
	const char *source;			/* provider name, for whoami() and errors */
} AwsCredentials;

extern AwsCredentials *credentials_get(void);
extern void credentials_free(AwsCredentials *creds);
extern char *credentials_profile_region(void);
extern char *credentials_mask_key_id(const char *key_id);

#endif
