/*-------------------------------------------------------------------------
 * cred_http.c
 *		Plain HTTP requests to the metadata endpoints that hand out
 *		credentials (EC2 instance metadata, container credentials).
 *
 * They are not AWS API calls: nothing is signed and nothing is audited.
 * They go through http.c (interruptible, no proxy, no redirects) with the
 * short timeouts and few attempts of the SDKs, since the first of them
 * fails on every machine that is not an EC2 instance.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "aws/cred_chain.h"
#include "aws/http.h"

/* credentials documents are a few kB */
#define MAX_METADATA_REPLY	(64 * 1024)

bool
cred_http(const char *method, const char *url, const char *const *headers, int nheaders,
		  int timeout_ms, int attempts, char **body, char **why)
{
	int			attempt;

	for (attempt = 1;; attempt++)
	{
		HttpRequest req;
		HttpResponse resp;
		bool		retry;

		memset(&req, 0, sizeof(req));
		req.method = method;
		req.url = url;
		req.headers = headers;
		req.nheaders = nheaders;
		req.body = strcmp(method, "PUT") == 0 ? "" : NULL;
		req.connect_timeout_ms = timeout_ms;
		req.request_timeout_ms = timeout_ms;
		req.max_response_bytes = MAX_METADATA_REPLY;
		http_perform(&req, &resp);

		if (resp.outcome == HTTP_INTERRUPTED)
		{
			CHECK_FOR_INTERRUPTS();
			*why = psprintf("%s %s was interrupted", method, url);
			return false;
		}
		if (resp.outcome == HTTP_DONE && resp.status == 200)
		{
			*body = resp.body;
			return true;
		}
		if (resp.outcome == HTTP_DONE)
		{
			*why = psprintf("%s %s answered HTTP %ld", method, url, resp.status);
			retry = resp.status >= 500;
		}
		else
		{
			*why = psprintf("%s %s: %s", method, url,
							resp.error[0] ? resp.error : http_outcome_name(resp.outcome));
			retry = resp.outcome != HTTP_TOO_LARGE;
		}
		if (resp.body)
			explicit_bzero(resp.body, resp.body_len);
		if (!retry || attempt >= attempts)
			return false;
		pg_usleep(100000L * attempt);
	}
}
