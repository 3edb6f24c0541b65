/*-------------------------------------------------------------------------
 * endpoint.c
 *		Which region a call goes to, and which URL serves that region.
 *
 * A region ends up in a host name, so it is checked against the shape of
 * AWS region names before it is used: a caller-supplied region must never
 * be able to point a signed request at some other host.  Overrides of the
 * endpoint come only from the superuser-only rds_backup.endpoint and from
 * the server's environment; plain http is accepted only for loopback.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include "utils/memutils.h"

#include "aws/config.h"
#include "aws/cred_chain.h"
#include "aws/endpoint.h"

/*
 * Endpoints resolved so far in this process.  An entry is keyed by what
 * the resolution reads (service, region, and the override URL in force,
 * if any), so a changed setting or environment simply stops matching: a
 * call pays for parsing an override URL only when it is new.
 */
#define ENDPOINT_CACHE_SIZE 8

typedef struct EndpointCacheEntry
{
	char	   *service;
	char	   *region;
	char	   *override;		/* the URL resolved, NULL for AWS's own */
	AwsEndpoint ep;
} EndpointCacheEntry;

static EndpointCacheEntry endpoint_cache[ENDPOINT_CACHE_SIZE];
static int	endpoint_cache_next;

/* us-east-1, us-gov-west-1, cn-north-1, ap-southeast-4, us-isob-east-1 */
bool
endpoint_region_is_valid(const char *region)
{
	const char *p = region;
	int			letters = 0;
	int			words = 0;
	int			digits = 0;

	if (region == NULL || strlen(region) > 32)
		return false;
	/* two-letter area */
	while (*p >= 'a' && *p <= 'z')
	{
		p++;
		letters++;
	}
	if (letters != 2)
		return false;
	/* one or more "-word" parts, then "-digits" */
	while (*p == '-')
	{
		p++;
		if (*p >= 'a' && *p <= 'z')
		{
			while (*p >= 'a' && *p <= 'z')
				p++;
			words++;
			continue;
		}
		while (*p >= '0' && *p <= '9')
		{
			p++;
			digits++;
		}
		break;
	}
	return *p == '\0' && words >= 1 && digits >= 1 && digits <= 2;
}

bool
endpoint_host_is_loopback(const char *host)
{
	unsigned char addr[16];
	char		buf[64];
	size_t		len = strlen(host);

	if (pg_strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, addr) == 1)
		return addr[0] == 127;
	/* CURLU gives IPv6 hosts in brackets */
	if (len > 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(buf))
	{
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, addr) == 1)
		{
			static const unsigned char loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

			return memcmp(addr, loop6, 16) == 0;
		}
	}
	return false;
}

/*
 * A host name of letters, digits and hyphens in dot-separated labels, or an
 * IP address (IPv6 in brackets).  libcurl accepts more (bytes above 0x7f,
 * empty labels, an IPv6 zone), none of which belongs in a Host header that
 * is signed.
 */
static bool
host_is_valid(const char *host)
{
	size_t		len = strlen(host);
	const char *p;
	bool		label_start = true;

	if (len == 0 || len > 253)
		return false;
	if (host[0] == '[')
	{
		if (host[len - 1] != ']' || len < 4)
			return false;
		for (p = host + 1; p < host + len - 1; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
				  (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
				return false;
		return true;
	}
	for (p = host; *p; p++)
	{
		if (*p == '.')
		{
			if (label_start)
				return false;	/* empty label */
			label_start = true;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
		label_start = false;
	}
	return !label_start;
}

/*
 * Parse an endpoint URL.  Returns NULL when it is acceptable, else a
 * sentence saying why not; *host_out and *port_out are set (malloc'd by
 * libcurl, freed here after copying) when wanted.
 */
static const char *
parse_endpoint(const char *url, char **scheme_out, char **host_out, char **port_out)
{
	CURLU	   *u = curl_url();
	char	   *scheme = NULL,
			   *host = NULL,
			   *port = NULL,
			   *path = NULL,
			   *part = NULL;
	const char *problem = NULL;

	if (u == NULL)
		return "Out of memory.";
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		problem = "It is not a valid absolute URL.";
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
			 (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0))
		problem = "Only https URLs (and http to loopback addresses) are accepted.";
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		problem = "The URL names no host.";
	else if (!host_is_valid(host))
		problem = "The host must be a DNS name of letters, digits, hyphens and dots, or an IP address.";
	else if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK)
		problem = "The URL may not carry a user name or password.";
	else if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
			 curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK)
		problem = "The URL may not carry a query or fragment.";
	else if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
			 strcmp(path, "/") != 0 && path[0] != '\0')
		problem = "The URL may not carry a path.";
	else if (strcmp(scheme, "http") == 0 && !endpoint_host_is_loopback(host))
		problem = "Plain http is accepted only for loopback addresses; use https.";

	if (problem == NULL)
	{
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		if (scheme_out)
			*scheme_out = pstrdup(scheme);
		if (host_out)
			*host_out = pstrdup(host);
		if (port_out)
			*port_out = port ? pstrdup(port) : NULL;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(part);
	curl_url_cleanup(u);
	return problem;
}

const char *
endpoint_check_url(const char *url)
{
	return parse_endpoint(url, NULL, NULL, NULL);
}

char *
endpoint_resolve_region(const char *explicit_region)
{
	const char *r = NULL;
	const char *origin = NULL;
	char	   *profile_region;
	char	   *imds_region;
	char	   *imds_why = NULL;

	if (explicit_region)
	{
		r = explicit_region;
		origin = "region argument";
	}
	else if (rb_region && rb_region[0])
		return pstrdup(rb_region);	/* checked by its GUC hook */
	else if ((r = getenv("AWS_REGION")) && r[0])
		origin = "AWS_REGION";
	else if ((r = getenv("AWS_DEFAULT_REGION")) && r[0])
		origin = "AWS_DEFAULT_REGION";
	else if ((profile_region = credentials_profile_region()) != NULL)
	{
		r = profile_region;
		origin = "AWS config file";
	}
	else if ((imds_region = cred_imds_region(&imds_why)) != NULL)
	{
		/* the SDKs' last resort: the EC2 instance's own region */
		r = imds_region;
		origin = "EC2 instance metadata";
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no AWS region is configured"),
				 errdetail("No region argument, rds_backup.region, AWS_REGION, AWS_DEFAULT_REGION or profile region; instance metadata: %s.",
						   imds_why ? imds_why : "no region"),
				 errhint("Pass region => '...', set rds_backup.region, or give the server AWS_REGION.")));

	if (!endpoint_region_is_valid(r))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid AWS region \"%s\" from %s", r, origin),
				 errdetail("A region is written like \"us-east-1\" or \"eu-central-2\".")));
	return pstrdup(r);
}

static const char *
service_env_name(const char *service)
{
	if (strcmp(service, "rds") == 0)
		return "AWS_ENDPOINT_URL_RDS";
	if (strcmp(service, "sts") == 0)
		return "AWS_ENDPOINT_URL_STS";
	if (strcmp(service, "sns") == 0)
		return "AWS_ENDPOINT_URL_SNS";
	if (strcmp(service, "monitoring") == 0)
		return "AWS_ENDPOINT_URL_CLOUDWATCH";
	elog(ERROR, "unknown AWS service \"%s\"", service);
	return NULL;				/* keep compiler quiet */
}

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A palloc'd copy of a cached endpoint, for the caller to keep */
static AwsEndpoint *
endpoint_copy(const AwsEndpoint *src)
{
	AwsEndpoint *ep = palloc(sizeof(AwsEndpoint));

	ep->url = pstrdup(src->url);
	ep->host = pstrdup(src->host);
	ep->overridden = src->overridden;
	return ep;
}

static void
endpoint_remember(const char *service, const char *region, const char *override,
				  const AwsEndpoint *ep)
{
	EndpointCacheEntry *e = &endpoint_cache[endpoint_cache_next];
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	endpoint_cache_next = (endpoint_cache_next + 1) % ENDPOINT_CACHE_SIZE;
	if (e->service != NULL)
	{
		pfree(e->service);
		if (e->region)
			pfree(e->region);
		if (e->override)
			pfree(e->override);
		pfree(e->ep.url);
		pfree(e->ep.host);
	}
	e->service = pstrdup(service);
	e->region = region ? pstrdup(region) : NULL;
	e->override = override ? pstrdup(override) : NULL;
	e->ep.url = pstrdup(ep->url);
	e->ep.host = pstrdup(ep->host);
	e->ep.overridden = ep->overridden;
	MemoryContextSwitchTo(old);
}

AwsEndpoint *
endpoint_resolve(const char *service, const char *region)
{
	AwsEndpoint *ep;
	const char *url = NULL;
	const char *origin = NULL;
	const char *env_name = service_env_name(service);
	char	   *scheme,
			   *host,
			   *port;
	const char *problem;
	int			i;

	if (strcmp(service, "rds") == 0 && rb_endpoint && rb_endpoint[0])
	{
		url = rb_endpoint;
		origin = "rds_backup.endpoint";
	}
	else if ((url = getenv(env_name)) && url[0])
		origin = env_name;
	else if ((url = getenv("AWS_ENDPOINT_URL")) && url[0])
		origin = "AWS_ENDPOINT_URL";
	else
		url = NULL;

	for (i = 0; i < ENDPOINT_CACHE_SIZE; i++)
	{
		EndpointCacheEntry *e = &endpoint_cache[i];

		if (e->service != NULL && strcmp(e->service, service) == 0 &&
			str_eq(e->region, region) && str_eq(e->override, url))
			return endpoint_copy(&e->ep);
	}

	ep = palloc0(sizeof(AwsEndpoint));
	if (url == NULL)
	{
		const char *suffix = strncmp(region, "cn-", 3) == 0 ?
			"amazonaws.com.cn" : "amazonaws.com";

		ep->host = psprintf("%s.%s.%s", service, region, suffix);
		ep->url = psprintf("https://%s/", ep->host);
		ep->overridden = false;
	}
	else
	{
		problem = parse_endpoint(url, &scheme, &host, &port);
		if (problem)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid AWS endpoint in %s", origin),
					 errdetail("%s", problem)));
		ep->host = port ? psprintf("%s:%s", host, port) : host;
		ep->url = psprintf("%s://%s/", scheme, ep->host);
		ep->overridden = true;
	}
	endpoint_remember(service, region, url, ep);
	return ep;
}
