/*-------------------------------------------------------------------------
 * cred_chain.h
 *		What the credential providers share: the provider interface, the
 *		cache, STS, and small helpers.  Only src/aws/cred_*.c, sts.c,
 *		identity.c, endpoint.c and credentials.c include this.
 *
 * A provider is one function per source.  It answers CRED_ABSENT when
 * its source is not configured (the chain goes on), CRED_FAILED when it
 * is configured but gave nothing (the chain stops: rds_backup never
 * falls through to an identity other than the one configured), and
 * CRED_FOUND with the credentials.  Either way *why says, in a short
 * phrase without secrets, what it found.  Providers do not raise ERROR
 * for what the outside world did; they may for out-of-memory or cancel.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_CRED_CHAIN_H
#define RDS_BACKUP_CRED_CHAIN_H

#include "aws/credentials.h"

typedef enum CredStatus
{
	CRED_FOUND,
	CRED_ABSENT,
	CRED_FAILED
} CredStatus;

typedef struct CredContext
{
	const char *region;			/* where STS calls go */
} CredContext;

typedef CredStatus (*CredProviderFn) (const CredContext *ctx,
									  AwsCredentials **out, char **why);

/* The chain's sources, in the AWS SDKs' order (credentials.c lists them). */
extern CredStatus cred_from_settings(const CredContext *ctx, AwsCredentials **out, char **why);
extern CredStatus cred_from_environment(const CredContext *ctx, AwsCredentials **out, char **why);
extern CredStatus cred_from_web_identity(const CredContext *ctx, AwsCredentials **out, char **why);
extern CredStatus cred_from_profile(const CredContext *ctx, AwsCredentials **out, char **why);
extern CredStatus cred_from_container(const CredContext *ctx, AwsCredentials **out, char **why);
extern CredStatus cred_from_instance_metadata(const CredContext *ctx, AwsCredentials **out, char **why);

/* Lifetimes, in microseconds. */
#define CRED_REFRESH_BEFORE		(5 * 60 * USECS_PER_SEC)	/* refresh this long before expiry */
#define CRED_NEVER_WITHIN		(60 * USECS_PER_SEC)	/* never used this close to expiry */
#define CRED_RETRY_AFTER		(10 * USECS_PER_SEC)	/* after a failed refresh */
#define CRED_RECHECK_STATIC		(5 * 60 * USECS_PER_SEC)	/* look again at lasting ones */

/*
 * cred_cache.c: a fetch of credentials, cached in this process and (with
 * shared true, when the library is preloaded) in shared memory, where one
 * process fetches while the others wait for its result.  Credentials are
 * fetched again from refresh_at on; if that fails while the old ones are
 * still good for more than CRED_NEVER_WITHIN, the old ones are used and
 * the fetch is retried CRED_RETRY_AFTER later.
 */
typedef bool (*CredFetchFn) (void *arg, AwsCredentials **out, char **why);

typedef struct CredCacheKey
{
	uint8		hash[32];		/* SHA-256 of what the credentials depend on */
} CredCacheKey;

/* Key from a kind and a NULL-terminated list of strings ("" for unset ones). */
extern void cred_cache_key(CredCacheKey *key, const char *kind,...);
extern AwsCredentials *cred_cache_get(const CredCacheKey *key, bool shared,
									  CredFetchFn fetch, void *arg, char **why);
extern void cred_cache_set_refresh(AwsCredentials *c, TimestampTz now);

/* credentials.c: helpers */
extern AwsCredentials *cred_make(const char *key, const char *secret,
								 const char *token, TimestampTz expires,
								 const char *source, char **why);
extern void cred_wipe_free(char *s);
extern void cred_keep_audit(List *audit);
extern bool cred_parse_time(const char *text, TimestampTz *out);
extern const char *cred_env(const char *name);

/* cred_files.c: a small file, whole; NULL with *why when unreadable. */
extern char *cred_read_file(const char *path, size_t max, bool *missing, char **why);

/* cred_files.c: the shared files' paths and identities, for a cache key */
extern char *cred_files_state(void);

/* cred_http.c: a metadata endpoint's 200 reply body, or false with *why */
extern bool cred_http(const char *method, const char *url, const char *const *headers,
					  int nheaders, int timeout_ms, int attempts, char **body, char **why);

/* cred_process.c: run credential_process, parse its JSON */
extern bool cred_process_fetch(const char *command, const char *source,
							   AwsCredentials **out, char **why);

/* cred_web_identity.c: AssumeRoleWithWebIdentity with a token file, cached */
extern CredStatus cred_web_identity(const CredContext *ctx, const char *role_arn,
									const char *session_name, const char *token_file,
									const char *source, AwsCredentials **out, char **why);

/* cred_assume.c: AssumeRole on top of base credentials, cached */
extern CredStatus cred_assume(const CredContext *ctx, const AwsCredentials *base,
							  const char *role_arn, const char *external_id,
							  const char *session_name, int duration_secs,
							  const char *source, AwsCredentials **out, char **why);

/* cred_imds.c: the instance's region, or NULL (*why says why) */
extern char *cred_imds_region(char **why);

/* sts.c: the STS calls of the chain; *why holds AWS's error on failure */
extern bool sts_assume_role(const AwsCredentials *base, const char *region,
							const char *role_arn, const char *external_id,
							const char *session_name, int duration_secs,
							AwsCredentials **out, char **why);
extern bool sts_assume_role_with_web_identity(const char *region, const char *role_arn,
											  const char *session_name,
											  const char *token,
											  AwsCredentials **out, char **why);

/* flat_json.c: the top-level string and number members of a JSON object */
typedef struct FlatJson FlatJson;
extern FlatJson *flat_json_parse(const char *text, size_t len);
extern const char *flat_json_get(const FlatJson *j, const char *name);
extern void flat_json_free(FlatJson *j);
extern bool cred_from_json(const FlatJson *j, const char *token_name,
						   const char *source, AwsCredentials **out, char **why);

#endif
