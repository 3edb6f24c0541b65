/*-------------------------------------------------------------------------
 * cred_container.c
 *		Container credentials: ECS and Fargate task roles, EKS Pod
 *		Identity.
 *
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is a path on the ECS agent
 * (http://169.254.170.2); otherwise AWS_CONTAINER_CREDENTIALS_FULL_URI is
 * the whole URL, which, as in the SDKs, must be https or plain http to a
 * loopback address or to the ECS and EKS container hosts.  The request
 * carries AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE's content (read at
 * every fetch: EKS rotates it) or AWS_CONTAINER_AUTHORIZATION_TOKEN as
 * its Authorization header.  The credentials are shared between
 * processes.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include "aws/cred_chain.h"
#include "aws/endpoint.h"

#define ECS_HOST			"http://169.254.170.2"
#define CONTAINER_TIMEOUT	2000	/* ms, as botocore */
#define CONTAINER_ATTEMPTS	3
#define MAX_TOKEN_FILE		(16 * 1024)

typedef struct ContainerArgs
{
	const char *url;
	const char *token_file;		/* or NULL */
	const char *token;			/* or NULL */
} ContainerArgs;

/*
 * Plain http is for the hosts the SDKs trust with it: loopback, and the
 * ECS (169.254.170.2) and EKS Pod Identity (169.254.170.23, fd00:ec2::23)
 * agents.
 */
static bool
http_host_allowed(const char *host)
{
	size_t		len = strlen(host);
	unsigned char addr[16];
	unsigned char eks6[16];
	char		buf[64];

	if (endpoint_host_is_loopback(host) ||
		strcmp(host, "169.254.170.2") == 0 || strcmp(host, "169.254.170.23") == 0)
		return true;
	if (len < 3 || host[0] != '[' || host[len - 1] != ']' || len - 2 >= sizeof(buf))
		return false;
	memcpy(buf, host + 1, len - 2);
	buf[len - 2] = '\0';
	(void) inet_pton(AF_INET6, "fd00:ec2::23", eks6);
	return inet_pton(AF_INET6, buf, addr) == 1 && memcmp(addr, eks6, 16) == 0;
}

/* NULL when the full URI is acceptable, else why not. */
static const char *
check_full_uri(const char *url)
{
	CURLU	   *u = curl_url();
	char	   *scheme = NULL;
	char	   *host = NULL;
	const char *problem = NULL;

	if (u == NULL)
		return "out of memory";
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		problem = "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL";
	else if (strcmp(scheme, "https") != 0 &&
			 (strcmp(scheme, "http") != 0 || !http_host_allowed(host)))
		problem = "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address or the ECS or EKS container host";
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return problem;
}

static bool
container_fetch(void *arg, AwsCredentials **out, char **why)
{
	ContainerArgs *a = arg;
	char	   *token = NULL;
	char	   *header = NULL;
	const char *headers[1];
	char	   *body = NULL;
	FlatJson   *j;
	bool		ok;

	if (a->token_file)
	{
		bool		missing;

		token = cred_read_file(a->token_file, MAX_TOKEN_FILE, &missing, why);
		if (token == NULL)
		{
			*why = psprintf("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %s", *why);
			return false;
		}
		token[strcspn(token, "\r\n")] = '\0';
	}
	else if (a->token)
		token = pstrdup(a->token);
	if (token && strpbrk(token, "\r\n") != NULL)
	{
		cred_wipe_free(token);
		*why = pstrdup("the container authorization token contains a line break");
		return false;
	}
	if (token)
	{
		header = psprintf("Authorization: %s", token);
		cred_wipe_free(token);
		headers[0] = header;
	}
	ok = cred_http("GET", a->url, headers, header ? 1 : 0, CONTAINER_TIMEOUT,
				   CONTAINER_ATTEMPTS, &body, why);
	cred_wipe_free(header);
	if (!ok)
		return false;
	j = flat_json_parse(body, strlen(body));
	cred_wipe_free(body);
	if (j == NULL)
	{
		*why = psprintf("the reply of %s is not a JSON object", a->url);
		return false;
	}
	ok = cred_from_json(j, "Token", "container", out, why);
	flat_json_free(j);
	return ok;
}

CredStatus
cred_from_container(const CredContext *ctx, AwsCredentials **out, char **why)
{
	const char *relative = cred_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = cred_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	ContainerArgs a;
	CredCacheKey key;
	const char *problem;

	if (relative == NULL && full == NULL)
	{
		*why = pstrdup("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
		return CRED_ABSENT;
	}
	if (relative)
		a.url = psprintf("%s%s%s", ECS_HOST, relative[0] == '/' ? "" : "/", relative);
	else if ((problem = check_full_uri(full)) != NULL)
	{
		*why = pstrdup(problem);
		return CRED_FAILED;
	}
	else
		a.url = full;
	a.token_file = cred_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	a.token = a.token_file ? NULL : cred_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");

	/* a different token is a different identity (the key is a digest) */
	cred_cache_key(&key, "container", a.url, a.token_file ? a.token_file : "",
				   a.token ? a.token : "", NULL);
	*out = cred_cache_get(&key, true, container_fetch, &a, why);
	return *out ? CRED_FOUND : CRED_FAILED;
}
