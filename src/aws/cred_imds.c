/*-------------------------------------------------------------------------
 * cred_imds.c
 *		EC2 instance metadata (IMDSv2): the instance profile's role
 *		credentials, and the instance's region.
 *
 * A session token first (PUT /latest/api/token), then the role's name
 * (GET .../iam/security-credentials/) and its credentials.  IMDSv1 (no
 * token) is never used.  AWS_EC2_METADATA_DISABLED=true turns the source
 * off; AWS_EC2_METADATA_SERVICE_ENDPOINT (or _ENDPOINT_MODE=IPv6) moves
 * it; AWS_METADATA_SERVICE_TIMEOUT (seconds, default 1) and
 * AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 1) bound it, as in the SDKs.
 * The credentials are shared between processes, so a server whose
 * sessions all start at once asks the service once.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "aws/cred_chain.h"

#define IMDS_DEFAULT		"http://169.254.169.254"
#define IMDS_DEFAULT_IPV6	"http://[fd00:ec2::254]"
#define IMDS_TOKEN_TTL		"21600"
#define CREDS_PATH			"/latest/meta-data/iam/security-credentials/"

static bool
imds_disabled(void)
{
	const char *v = cred_env("AWS_EC2_METADATA_DISABLED");

	return v != NULL && pg_strcasecmp(v, "true") == 0;
}

static int
env_int(const char *name, int dflt, int lo, int hi)
{
	const char *v = cred_env(name);
	char	   *end;
	long		n;

	if (v == NULL)
		return dflt;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < lo || n > hi)
		return dflt;
	return (int) n;
}

/* The service's base URL, without a trailing slash; NULL with *why. */
static char *
imds_base(char **why)
{
	const char *v = cred_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = cred_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	char	   *base;
	size_t		len;

	if (v == NULL)
		return pstrdup(mode && pg_strcasecmp(mode, "IPv6") == 0 ? IMDS_DEFAULT_IPV6 : IMDS_DEFAULT);
	if (pg_strncasecmp(v, "http://", 7) != 0 && pg_strncasecmp(v, "https://", 8) != 0)
	{
		*why = pstrdup("AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http or https URL");
		return NULL;
	}
	base = pstrdup(v);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	return base;
}

static int
imds_timeout_ms(void)
{
	return env_int("AWS_METADATA_SERVICE_TIMEOUT", 1, 1, 60) * 1000;
}

static int
imds_attempts(void)
{
	return env_int("AWS_METADATA_SERVICE_NUM_ATTEMPTS", 1, 1, 10);
}

/* GET path with the session token; the body, or NULL with *why. */
static char *
imds_get(const char *base, const char *token, const char *path, char **why)
{
	char	   *header = psprintf("X-aws-ec2-metadata-token: %s", token);
	const char *headers[1];
	char	   *body = NULL;
	bool		ok;

	headers[0] = header;
	ok = cred_http("GET", psprintf("%s%s", base, path), headers, 1, imds_timeout_ms(),
				   imds_attempts(), &body, why);
	cred_wipe_free(header);
	return ok ? body : NULL;
}

static char *
imds_token(const char *base, char **why)
{
	const char *headers[1] = {"X-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL};
	char	   *body = NULL;
	size_t		len;

	if (!cred_http("PUT", psprintf("%s/latest/api/token", base), headers, 1,
				   imds_timeout_ms(), imds_attempts(), &body, why))
		return NULL;
	len = strlen(body);
	while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
		body[--len] = '\0';
	if (len == 0 || strpbrk(body, "\r\n") != NULL)
	{
		*why = pstrdup("the instance metadata service gave an unusable session token");
		cred_wipe_free(body);
		return NULL;
	}
	return body;
}

static bool
imds_fetch(void *arg, AwsCredentials **out, char **why)
{
	const char *base = arg;
	char	   *token = imds_token(base, why);
	char	   *roles;
	char	   *role;
	char	   *doc;
	FlatJson   *j;
	const char *code;
	bool		ok;

	if (token == NULL)
		return false;
	roles = imds_get(base, token, CREDS_PATH, why);
	if (roles == NULL)
	{
		cred_wipe_free(token);
		*why = psprintf("no instance role: %s", *why);
		return false;
	}
	/* the first line names the instance profile's role */
	role = pnstrdup(roles, strcspn(roles, "\r\n"));
	if (role[0] == '\0' || strpbrk(role, "/?#% ") != NULL)
	{
		cred_wipe_free(token);
		*why = pstrdup("the instance metadata service names no usable role");
		return false;
	}
	doc = imds_get(base, token, psprintf(CREDS_PATH "%s", role), why);
	cred_wipe_free(token);
	if (doc == NULL)
		return false;
	j = flat_json_parse(doc, strlen(doc));
	cred_wipe_free(doc);
	if (j == NULL)
	{
		*why = pstrdup("the instance metadata credentials are not a JSON object");
		return false;
	}
	code = flat_json_get(j, "Code");
	if (code && strcmp(code, "Success") != 0)
	{
		*why = psprintf("the instance metadata service says \"%.64s\" for role %s", code, role);
		flat_json_free(j);
		return false;
	}
	ok = cred_from_json(j, "Token", "instance-metadata", out, why);
	flat_json_free(j);
	return ok;
}

/*
 * The last source of the chain, tried without being configured: when it
 * gives nothing, no credentials were found (and why is listed).
 */
CredStatus
cred_from_instance_metadata(const CredContext *ctx, AwsCredentials **out, char **why)
{
	char	   *base;
	CredCacheKey key;

	if (imds_disabled())
	{
		*why = pstrdup("disabled by AWS_EC2_METADATA_DISABLED");
		return CRED_ABSENT;
	}
	if ((base = imds_base(why)) == NULL)
		return CRED_FAILED;
	cred_cache_key(&key, "imds", base, NULL);
	*out = cred_cache_get(&key, true, imds_fetch, base, why);
	return *out ? CRED_FOUND : CRED_ABSENT;
}

/* The instance's region (placement/region), asked once per process. */
char *
cred_imds_region(char **why)
{
	static char region[64] = "";
	char	   *base;
	char	   *token;
	char	   *body;
	size_t		len;

	if (region[0])
		return pstrdup(region);
	if (imds_disabled())
	{
		*why = pstrdup("disabled by AWS_EC2_METADATA_DISABLED");
		return NULL;
	}
	if ((base = imds_base(why)) == NULL || (token = imds_token(base, why)) == NULL)
		return NULL;
	body = imds_get(base, token, "/latest/meta-data/placement/region", why);
	cred_wipe_free(token);
	if (body == NULL)
		return NULL;
	len = strcspn(body, "\r\n");
	if (len == 0 || len >= sizeof(region))
	{
		*why = pstrdup("the instance metadata service gave no usable region");
		return NULL;
	}
	memcpy(region, body, len);
	region[len] = '\0';
	return pstrdup(region);
}
