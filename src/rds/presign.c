/*-------------------------------------------------------------------------
 * presign.c
 *		The PreSignedUrl of cross-region RDS requests, built the way the
 *		AWS SDKs build it from SourceRegion.
 *
 * CopyDBSnapshot, CopyDBClusterSnapshot and
 * StartDBInstanceAutomatedBackupsReplication go to the destination region;
 * the destination asks the source region to act on the caller's behalf by
 * replaying the presigned URL, so the URL holds the same operation with
 * the same parameters plus DestinationRegion, signed for the source
 * region.  The endpoint of the source region is resolved like that of any
 * call, so rds_backup.endpoint and AWS_ENDPOINT_URL_RDS apply to it too.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "lib/stringinfo.h"

#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "rds/presign.h"

void
presign_add_url(AwsRequest *req, const char *source_region)
{
	AwsQuery   *q = aws_query_new(req->action, aws_query_value(req->query, 1));
	AwsEndpoint *ep = endpoint_resolve(req->service, source_region);
	AwsCredentials *creds;
	SigV4Credentials screds;
	char	   *query;
	char	   *url;
	char	   *signed_url = NULL;
	const char *why = NULL;
	SigV4Status st;
	int			n = aws_query_count(req->query);
	int			i;

	/* the request's own parameters, in order, then DestinationRegion */
	for (i = 2; i < n; i++)
		aws_query_add(q, aws_query_name(req->query, i), aws_query_value(req->query, i));
	aws_query_add(q, "DestinationRegion", req->region);
	query = aws_query_body(q, NULL);
	aws_query_free(q);
	url = psprintf("%s?%s", ep->url, query);

	creds = credentials_get(&req->identity, req->region);
	screds.access_key_id = creds->access_key_id;
	screds.secret_access_key = creds->secret_access_key;
	screds.session_token = creds->session_token;
	st = sigv4_presign_url(url, &screds, source_region, req->service, time(NULL),
						   PRESIGN_EXPIRES_SECS, &signed_url, &why);
	credentials_free(creds);
	if (st != SIGV4_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not presign the %s request for region %s: %s",
						req->action, source_region, why ? why : "unknown signing error")));

	aws_query_add(req->query, "PreSignedUrl", signed_url);
	/* the request keeps its own copy; this one carries a signature */
	aws_free_secret(signed_url);
}

/* Text that only a presigned URL carries. */
static bool
has_presign_marker(const char *s)
{
	return strstr(s, "X-Amz-Signature") != NULL || strstr(s, "X-Amz-Credential") != NULL ||
		strstr(s, "X-Amz-Security-Token") != NULL;
}

void
presign_scrub_reply(const AwsRequest *req, AwsReply *reply)
{
	const char *url = NULL;
	const char *msg = reply->error_message;
	int			n = aws_query_count(req->query);
	int			i;

	if (msg == NULL)
		return;
	for (i = 2; i < n; i++)
		if (strcmp(aws_query_name(req->query, i), "PreSignedUrl") == 0)
			url = aws_query_value(req->query, i);
	if (url && strstr(msg, url))
	{
		StringInfoData buf;
		const char *p = msg;
		const char *hit;

		initStringInfo(&buf);
		while ((hit = strstr(p, url)) != NULL)
		{
			appendBinaryStringInfo(&buf, p, hit - p);
			appendStringInfoString(&buf, "[PreSignedUrl]");
			p = hit + strlen(url);
		}
		appendStringInfoString(&buf, p);
		msg = buf.data;
	}
	/* a part of it, or a decoded form: withhold the whole message */
	if (has_presign_marker(msg))
		msg = "(message withheld: it quoted the presigned URL)";
	reply->error_message = msg;
}
