/*-------------------------------------------------------------------------
 * cred_web_identity.c
 *		Web identity (EKS IAM roles for service accounts, and any OIDC
 *		provider): STS AssumeRoleWithWebIdentity with the token in
 *		AWS_WEB_IDENTITY_TOKEN_FILE for the role in AWS_ROLE_ARN.
 *
 * The token file is read at every fetch, since the kubelet rotates it;
 * the credentials are shared between processes.  The token is a secret:
 * it is sent unsigned to STS, as the SDKs send it, and kept out of the
 * audit log, errors and the cache key (which holds the file's name).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "aws/cred_chain.h"

/* STS accepts tokens of up to 20,000 characters */
#define MAX_TOKEN_FILE	(64 * 1024)

typedef struct WebIdentityArgs
{
	const CredContext *ctx;
	const char *role_arn;
	const char *session_name;
	const char *token_file;
	const char *source;
} WebIdentityArgs;

static bool
web_identity_fetch(void *arg, AwsCredentials **out, char **why)
{
	WebIdentityArgs *a = arg;
	bool		missing;
	char	   *token = cred_read_file(a->token_file, MAX_TOKEN_FILE, &missing, why);
	size_t		len;
	bool		ok;

	if (token == NULL)
	{
		*why = psprintf("the web identity token file: %s", *why);
		return false;
	}
	/* a trailing newline is not part of the token */
	len = strlen(token);
	while (len > 0 && (token[len - 1] == '\n' || token[len - 1] == '\r' ||
					   token[len - 1] == ' ' || token[len - 1] == '\t'))
		token[--len] = '\0';
	if (len == 0)
	{
		pfree(token);
		*why = psprintf("the web identity token file \"%s\" is empty", a->token_file);
		return false;
	}
	ok = sts_assume_role_with_web_identity(a->ctx->region, a->role_arn, a->session_name,
										   token, out, why);
	cred_wipe_free(token);
	if (ok)
	{
		pfree((*out)->source);
		(*out)->source = pstrdup(a->source);
	}
	return ok;
}

CredStatus
cred_web_identity(const CredContext *ctx, const char *role_arn, const char *session_name,
				  const char *token_file, const char *source, AwsCredentials **out,
				  char **why)
{
	WebIdentityArgs a;
	CredCacheKey key;

	a.ctx = ctx;
	a.role_arn = role_arn;
	a.session_name = session_name;
	a.token_file = token_file;
	a.source = source;
	cred_cache_key(&key, "web-identity", ctx->region, role_arn, session_name, token_file,
				   source, NULL);
	*out = cred_cache_get(&key, true, web_identity_fetch, &a, why);
	return *out ? CRED_FOUND : CRED_FAILED;
}

CredStatus
cred_from_web_identity(const CredContext *ctx, AwsCredentials **out, char **why)
{
	const char *token_file = cred_env("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *role_arn = cred_env("AWS_ROLE_ARN");
	const char *session = cred_env("AWS_ROLE_SESSION_NAME");

	if (token_file == NULL)
	{
		*why = pstrdup("AWS_WEB_IDENTITY_TOKEN_FILE is not set");
		return CRED_ABSENT;
	}
	if (role_arn == NULL)
	{
		*why = pstrdup("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
		return CRED_FAILED;
	}
	return cred_web_identity(ctx, role_arn, session ? session : "rds-backup", token_file,
							 "web-identity", out, why);
}
