/*-------------------------------------------------------------------------
 * cred_assume.c
 *		A role assumed on top of base credentials (rds_backup.role_arn, an
 *		operation's own role, a profile's role_arn), cached and shared.
 *
 * The cache key holds the base credentials' key id, so that a process
 * whose base credentials may not assume a role never gets another
 * process's credentials for it, and the region whose STS endpoint is
 * asked.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "aws/cred_chain.h"

typedef struct AssumeArgs
{
	const CredContext *ctx;
	const AwsCredentials *base;
	const char *role_arn;
	const char *external_id;
	const char *session_name;
	int			duration_secs;
	const char *source;
} AssumeArgs;

static bool
assume_fetch(void *arg, AwsCredentials **out, char **why)
{
	AssumeArgs *a = arg;

	if (!sts_assume_role(a->base, a->ctx->region, a->role_arn, a->external_id,
						 a->session_name, a->duration_secs, out, why))
		return false;
	pfree((*out)->source);
	(*out)->source = pstrdup(a->source);
	return true;
}

CredStatus
cred_assume(const CredContext *ctx, const AwsCredentials *base, const char *role_arn,
			const char *external_id, const char *session_name, int duration_secs,
			const char *source, AwsCredentials **out, char **why)
{
	AssumeArgs	a;
	CredCacheKey key;
	char		secs[16];

	a.ctx = ctx;
	a.base = base;
	a.role_arn = role_arn;
	a.external_id = external_id;
	a.session_name = session_name;
	a.duration_secs = duration_secs;
	a.source = source;
	snprintf(secs, sizeof(secs), "%d", duration_secs);
	/* per region too: a regional STS endpoint can fail on its own */
	cred_cache_key(&key, "assume-role", ctx->region, base->access_key_id, role_arn,
				   external_id ? external_id : "", session_name, secs, source, NULL);
	*out = cred_cache_get(&key, true, assume_fetch, &a, why);
	return *out ? CRED_FOUND : CRED_FAILED;
}
