/*-------------------------------------------------------------------------
 * client.c
 *		Every AWS call goes through aws_call(): endpoint and region,
 *		credentials, signing, retries, audit entries, error mapping.
 *
 * Retries follow the AWS SDKs' "standard" mode: up to
 * rds_backup.max_attempts attempts, full-jitter exponential backoff capped
 * at 20 s, a per-process retry quota of 500 tokens, and one retry after
 * correcting the clock when AWS says the signature has expired.  Nothing
 * here raises an ERROR for what AWS or the network did to the call: the
 * caller first records the outcome in the catalog, then calls aws_raise().
 * Getting the credentials comes first and does raise (no credentials, STS
 * refusing a role, a metadata service down when the cached ones are
 * spent): aws_preflight() makes that happen before an operation is
 * recorded.  STS calls made for the credentials are audited with the call
 * that needed them.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>
#include <time.h>

#include "common/pg_prng.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/json.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "aws/client.h"
#include "aws/config.h"
#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/errcodes.h"
#include "aws/http.h"
#include "aws/redact.h"
#include "aws/sigv4.h"

#define RETRY_QUOTA_INITIAL		500
#define RETRY_COST				5
#define RETRY_TIMEOUT_COST		10
#define RETRY_MAX_BACKOFF_MS	20000

static int	retry_quota = RETRY_QUOTA_INITIAL;

/* Seconds to add to the local clock, learnt from a "signature expired". */
static time_t clock_skew = 0;

static const char *const throttling_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException",
	"ProvisionedThroughputExceededException", "TransactionInProgressException",
	"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
	"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
	"EC2ThrottledException", NULL
};

static const char *const transient_codes[] = {
	"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", NULL
};

static const char *const auth_codes[] = {
	"SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken",
	"MissingAuthenticationTokenException", "InvalidClientTokenId",
	"ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException",
	"AuthFailure", "InvalidSignatureException", "RequestExpired", NULL
};

static const char *const denied_codes[] = {
	"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
	"AuthorizationError", "KMSKeyNotAccessibleFault", "OptInRequired", NULL
};

static const char *const invalid_codes[] = {
	"InvalidParameterValue", "InvalidParameterCombination", "MissingParameter",
	"ValidationError", "InvalidParameter", "MalformedQueryString",
	"InvalidAction", "InvalidQueryParameter", "InvalidParameterException",
	"ParameterValueInvalid", "InvalidRestoreFault", NULL
};

/* Parameters whose values never go into audit_log. */
static const char *const sensitive_params[] = {
	"PreSignedUrl", "MasterUserPassword", "TdeCredentialPassword",
	"WebIdentityToken", NULL
};

static bool
in_list(const char *s, const char *const *list)
{
	if (s == NULL)
		return false;
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *
service_version(const char *service)
{
	if (strcmp(service, "rds") == 0)
		return "2014-10-31";
	if (strcmp(service, "sts") == 0)
		return "2011-06-15";
	if (strcmp(service, "sns") == 0)
		return "2010-03-31";
	if (strcmp(service, "monitoring") == 0)
		return "2010-08-01";
	elog(ERROR, "unknown AWS service \"%s\"", service);
	return NULL;				/* keep compiler quiet */
}

static const char *
service_label(const char *service)
{
	if (strcmp(service, "rds") == 0)
		return "RDS";
	if (strcmp(service, "sts") == 0)
		return "STS";
	if (strcmp(service, "sns") == 0)
		return "SNS";
	return "CloudWatch";
}

AwsRequest *
aws_request_new(const char *service, const char *action, const char *region,
				const char *target)
{
	AwsRequest *req = palloc0(sizeof(AwsRequest));

	req->service = service;
	req->action = action;
	req->region = region;
	req->target = target;
	req->query = aws_query_new(action, service_version(service));
	return req;
}

static bool
param_is_sensitive(const char *name)
{
	return in_list(name, sensitive_params);
}

/* The request's parameters as JSON, without Action/Version or secrets. */
static char *
audit_params_json(const AwsQuery *q)
{
	StringInfoData buf;
	int			n = aws_query_count(q);
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 2; i < n; i++)
	{
		const char *name = aws_query_name(q, i);

		if (i > 2)
			appendStringInfoChar(&buf, ',');
		escape_json(&buf, name);
		appendStringInfoChar(&buf, ':');
		escape_json(&buf, param_is_sensitive(name) ? "[redacted]" : aws_query_value(q, i));
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

static bool
abort_requested(void)
{
	return http_abort_requested();
}

/* Sleep ms, waking every 100 ms to notice a cancel; false if cancelled. */
static bool
backoff_sleep(long ms)
{
	while (ms > 0)
	{
		long		step = Min(ms, 100);

		if (abort_requested())
			return false;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 step, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		ms -= step;
	}
	return !abort_requested();
}

static bool
is_clock_skew_error(const char *code, const char *message)
{
	if (code == NULL)
		return false;
	if (strcmp(code, "RequestTimeTooSkewed") == 0 ||
		strcmp(code, "RequestExpired") == 0 ||
		strcmp(code, "InvalidSignatureException") == 0)
		return true;
	return strcmp(code, "SignatureDoesNotMatch") == 0 && message &&
		strstr(message, "Signature expired") != NULL;
}

/*
 * Append the SigV4 header lines (X-Amz-Date, token, Authorization) to the
 * n lines; returns the new count.
 */
static int
add_signature(const AwsRequest *req, const AwsEndpoint *ep, const AwsCredentials *creds,
			  const char *body, size_t body_len, const char **lines, int n)
{
	SigV4Header hdrs[2];
	SigV4Request sreq;
	SigV4Credentials screds;
	SigV4Params sp;
	SigV4Result sres;
	SigV4Status st;
	int			i;

	hdrs[0].name = "Host";
	hdrs[0].value = ep->host;
	hdrs[1].name = "Content-Type";
	hdrs[1].value = "application/x-www-form-urlencoded; charset=utf-8";

	memset(&sreq, 0, sizeof(sreq));
	sreq.method = "POST";
	sreq.path = "/";
	sreq.query = NULL;
	sreq.headers = hdrs;
	sreq.n_headers = 2;
	sreq.body = body;
	sreq.body_len = body_len;

	screds.access_key_id = creds->access_key_id;
	screds.secret_access_key = creds->secret_access_key;
	screds.session_token = creds->session_token;

	memset(&sp, 0, sizeof(sp));
	sp.mode = SIGV4_MODE_HEADER;
	sp.region = req->region;
	sp.service = req->service;
	sp.signing_time = time(NULL) + clock_skew;
	sp.normalize_path = true;

	st = sigv4_sign(&sreq, &screds, &sp, &sres);
	if (st != SIGV4_OK)
	{
		const char *why = sres.error ? sres.error : "unknown signing error";

		sigv4_result_free(&sres);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not sign the %s request: %s", req->action, why)));
	}

	for (i = 0; i < sres.n_add_headers; i++)
		lines[n++] = psprintf("%s: %s", sres.add_headers[i].name, sres.add_headers[i].value);
	lines[n++] = psprintf("Authorization: %s", sres.authorization);
	sigv4_result_free(&sres);
	return n;
}

/* One exchange, signed unless creds is NULL; fills resp. */
static void
send_once(const AwsRequest *req, const AwsEndpoint *ep, const AwsCredentials *creds,
		  const char *body, size_t body_len, HttpResponse *resp)
{
	const char *lines[8];
	int			n = 0;
	int			i;
	HttpRequest hreq;

	lines[n++] = psprintf("Host: %s", ep->host);
	lines[n++] = "Content-Type: application/x-www-form-urlencoded; charset=utf-8";
	lines[n++] = "User-Agent: rds_backup/1.0";
	/* no "Expect: 100-continue" round trip */
	lines[n++] = "Expect:";
	if (creds != NULL)
		n = add_signature(req, ep, creds, body, body_len, lines, n);

	memset(&hreq, 0, sizeof(hreq));
	hreq.method = "POST";
	hreq.url = ep->url;
	hreq.headers = lines;
	hreq.nheaders = n;
	hreq.body = body;
	hreq.body_len = body_len;
	hreq.connect_timeout_ms = rb_connect_timeout_ms;
	hreq.request_timeout_ms = rb_request_timeout_ms;
	hreq.max_response_bytes = RB_MAX_RESPONSE_BYTES;
	hreq.ca_file = rb_ca_file;

	PG_TRY();
	{
		http_perform(&hreq, resp);
	}
	PG_FINALLY();
	{
		/* the Authorization and token lines are secrets */
		for (i = 4; i < hreq.nheaders; i++)
		{
			explicit_bzero((char *) lines[i], strlen(lines[i]));
			pfree((char *) lines[i]);
		}
	}
	PG_END_TRY();
}

/*
 * Some AWS services explain a SignatureDoesNotMatch by quoting the canonical
 * request, whose signed headers include X-Amz-Security-Token.  An error
 * message goes into ERRORs and catalog rows: cut that part off, and blank
 * any credential it still quotes.
 */
static const char *
scrub_error_message(const char *message, const AwsCredentials *creds)
{
	char	   *m;
	char	   *cut;
	const char *secrets[2];

	if (message == NULL)
		return NULL;
	m = pstrdup(message);
	if ((cut = strstr(m, "The Canonical String")) != NULL)
		*cut = '\0';
	if (creds == NULL)
		return m;
	secrets[0] = creds->secret_access_key;
	secrets[1] = creds->session_token;
	redact_mask_secrets(m, secrets, lengthof(secrets));
	return m;
}

/*
 * At most max printable ASCII characters of a header value from the
 * network, for a message: anything else is replaced.
 */
static char *
printable(const char *s, size_t max)
{
	size_t		len = strnlen(s, max);
	char	   *out = palloc(len + 1);
	size_t		i;

	for (i = 0; i < len; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[len] = '\0';
	return out;
}

/* text/xml, application/xml, or any +xml type (parameters aside) */
static bool
is_xml_media_type(const char *ct)
{
	const char *end = strchr(ct, ';');
	size_t		len = end ? (size_t) (end - ct) : strlen(ct);

	while (len > 0 && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
		len--;
	return (len == 8 && pg_strncasecmp(ct, "text/xml", 8) == 0) ||
		(len == 15 && pg_strncasecmp(ct, "application/xml", 15) == 0) ||
		(len > 4 && pg_strncasecmp(ct + len - 4, "+xml", 4) == 0);
}

/*
 * Interpret an HTTP reply.  Anything but AWS's XML for this action is
 * AWS_BAD_REPLY: a redirect (never followed: a signed request is not
 * replayed elsewhere), another content type (a proxy's HTML page), a
 * document that does not parse, or one that is not this action's reply.
 */
static void
read_reply(const AwsRequest *req, const HttpResponse *resp, AwsReply *reply)
{
	char	   *errmsg = NULL;
	XNode	   *root;
	const char *code = NULL,
			   *message = NULL,
			   *rid = NULL;

	reply->http_status = resp->status;
	reply->request_id = resp->request_id;
	reply->root = NULL;
	reply->result = NULL;
	reply->error_code = NULL;
	reply->error_message = NULL;

	if (resp->status >= 300 && resp->status <= 399)
	{
		reply->outcome = AWS_BAD_REPLY;
		reply->transport_error = psprintf("HTTP %ld redirect, not followed", resp->status);
		return;
	}
	if (resp->content_type != NULL && !is_xml_media_type(resp->content_type))
	{
		reply->outcome = AWS_BAD_REPLY;
		reply->transport_error = psprintf("HTTP %ld with Content-Type \"%s\", not XML",
										  resp->status, printable(resp->content_type, 64));
		return;
	}

	root = resp->body_len > 0 ? xml_reply_parse(resp->body, resp->body_len, &errmsg) : NULL;
	if (root == NULL)
	{
		reply->outcome = AWS_BAD_REPLY;
		reply->transport_error = psprintf("HTTP %ld with %s", resp->status,
										  resp->body_len ? errmsg : "an empty body");
		return;
	}
	reply->root = root;
	if ((code = xml_reply_error(root, NULL, &message, &rid)) != NULL)
	{
		reply->outcome = AWS_ERROR_REPLY;
		reply->error_code = code[0] ? code : "UnknownError";
		reply->error_message = message;
		if (rid)
			reply->request_id = rid;
		return;
	}
	if (rid)
		reply->request_id = rid;
	if (resp->status < 200 || resp->status > 299)
	{
		reply->outcome = AWS_BAD_REPLY;
		reply->transport_error = psprintf("HTTP %ld without an AWS error", resp->status);
		return;
	}
	/* a well-formed document of some other kind must not read as "no results" */
	if (strcmp(root->name, psprintf("%sResponse", req->action)) != 0)
	{
		reply->outcome = AWS_BAD_REPLY;
		reply->transport_error = psprintf("HTTP %ld with an XML document that is not a %s reply",
										  resp->status, req->action);
		return;
	}
	reply->result = xnode_child(root, psprintf("%sResult", req->action));
	reply->outcome = AWS_OK;
}

/*
 * Fail now, before an operation is recorded, if no call could be made:
 * no credentials, or an endpoint override that is not acceptable.
 */
void
aws_preflight(const char *service, const char *region)
{
	(void) endpoint_resolve(service, region);
	credentials_free(credentials_get(NULL, region));
}

void
aws_call(AwsRequest *req, AwsReply *reply)
{
	AwsCredentials *creds = NULL;
	const AwsCredentials *signer;
	AwsEndpoint *ep;
	char	   *body;
	size_t		body_len;
	char	   *params_json;
	int			max_attempts = Max(rb_max_attempts, 1);
	int			attempt;
	bool		skew_retried = false;

	memset(reply, 0, sizeof(AwsReply));

	/* everything that can fail for configuration reasons fails here */
	ep = endpoint_resolve(req->service, req->region);
	if (req->anonymous)
		signer = NULL;
	else if (req->credentials)
		signer = req->credentials;
	else
		signer = creds = credentials_get(&req->identity, req->region);
	/* STS calls made to get the credentials are audited with this call */
	reply->audit = credentials_take_audit();
	body = aws_query_body(req->query, &body_len);
	params_json = audit_params_json(req->query);

	for (attempt = 1;; attempt++)
	{
		HttpResponse resp;
		AuditEntry *a = palloc0(sizeof(AuditEntry));
		bool		retryable = false;
		int			cost = RETRY_COST;

		memset(&resp, 0, sizeof(resp));
		a->called_at = GetCurrentTimestamp();
		send_once(req, ep, signer, body, body_len, &resp);
		reply->attempts = attempt;
		reply->transport_error = NULL;
		reply->too_large = false;

		switch (resp.outcome)
		{
			case HTTP_DONE:
				read_reply(req, &resp, reply);
				reply->error_message = scrub_error_message(reply->error_message, signer);
				break;
			case HTTP_INTERRUPTED:
				reply->outcome = AWS_INTERRUPTED;
				reply->transport_error = pstrdup("interrupted by query cancel or shutdown");
				break;
			case HTTP_TOO_LARGE:
				/* refused as it came in, never buffered */
				reply->outcome = AWS_BAD_REPLY;
				reply->http_status = 0;
				reply->too_large = true;
				reply->transport_error = psprintf("reply larger than %d bytes",
												  RB_MAX_RESPONSE_BYTES);
				break;
			default:
				reply->outcome = AWS_TRANSPORT;
				reply->http_status = 0;
				reply->transport_error = psprintf("%s: %s", http_outcome_name(resp.outcome),
												  resp.error);
				break;
		}

		a->service = req->service;
		a->action = req->action;
		a->region = req->region;
		a->target = req->target;
		a->params_json = params_json;
		a->http_status = resp.outcome == HTTP_DONE ? (int) resp.status : 0;
		a->error_code = reply->outcome == AWS_ERROR_REPLY ? reply->error_code :
			reply->outcome == AWS_OK ? NULL :
			reply->outcome == AWS_INTERRUPTED ? "interrupted" :
			reply->too_large ? "reply-too-large" :
			reply->outcome == AWS_BAD_REPLY ? "malformed-reply" :
			resp.outcome == HTTP_TIMEOUT ? "timeout" : "transport";
		a->request_id = reply->request_id;
		a->duration_ms = resp.elapsed_ms;
		a->attempt = attempt;
		reply->audit = lappend(reply->audit, a);

		/* could AWS have acted on this attempt? */
		if (reply->outcome == AWS_ERROR_REPLY)
			reply->maybe_applied |= (reply->http_status >= 500);
		else if (reply->outcome == AWS_TRANSPORT || reply->outcome == AWS_INTERRUPTED)
			reply->maybe_applied |= !resp.request_unsent;
		else
			reply->maybe_applied = true;

		if (reply->outcome == AWS_OK || reply->outcome == AWS_INTERRUPTED)
			break;

		if (reply->outcome == AWS_TRANSPORT)
		{
			retryable = true;
			if (resp.outcome == HTTP_TIMEOUT)
				cost = RETRY_TIMEOUT_COST;
		}
		else if (reply->outcome == AWS_BAD_REPLY)
			retryable = reply->http_status >= 500;
		else if (in_list(reply->error_code, throttling_codes) ||
				 in_list(reply->error_code, transient_codes) ||
				 reply->http_status >= 500)
			retryable = true;
		else if (!skew_retried && is_clock_skew_error(reply->error_code, reply->error_message) &&
				 resp.date != NULL)
		{
			time_t		server = curl_getdate(resp.date, NULL);

			if (server > 0)
			{
				clock_skew = server - time(NULL);
				skew_retried = true;
				retryable = true;
				cost = 0;
			}
		}

		if (!retryable || attempt >= max_attempts || retry_quota < cost)
			break;
		retry_quota -= cost;
		{
			double		cap = Min((double) RETRY_MAX_BACKOFF_MS,
								  1000.0 * (double) (1 << Min(attempt - 1, 20)));
			long		delay = cost == 0 ? 0 : (long) (pg_prng_double(&pg_global_prng_state) * cap);

			if (!backoff_sleep(delay))
			{
				reply->outcome = AWS_INTERRUPTED;
				reply->transport_error = pstrdup("interrupted by query cancel or shutdown");
				break;
			}
		}
	}

	if (reply->outcome == AWS_OK)
		retry_quota = Min(RETRY_QUOTA_INITIAL,
						  retry_quota + (reply->attempts == 1 ? 1 : RETRY_COST));
	if (creds)
		credentials_free(creds);
}

char *
aws_reply_error_text(const AwsRequest *req, const AwsReply *reply)
{
	switch (reply->outcome)
	{
		case AWS_OK:
			return NULL;
		case AWS_ERROR_REPLY:
			return psprintf("%s: %s", reply->error_code,
							reply->error_message ? reply->error_message : "(no message)");
		case AWS_INTERRUPTED:
			return psprintf("%s was interrupted before AWS answered", req->action);
		default:
			return psprintf("%s got no usable reply after %d attempt%s: %s", req->action,
							reply->attempts, reply->attempts == 1 ? "" : "s",
							reply->transport_error ? reply->transport_error : "unknown failure");
	}
}

bool
aws_error_is_not_found(const char *code)
{
	return code && strstr(code, "NotFound") != NULL;
}

static int
sqlstate_for_code(const char *code, long http_status)
{
	if (aws_error_is_not_found(code))
		return ERRCODE_UNDEFINED_OBJECT;
	if (strstr(code, "AlreadyExists") != NULL)
		return ERRCODE_DUPLICATE_OBJECT;
	if (in_list(code, auth_codes))
		return ERRCODE_RB_AWS_CREDENTIALS_REFUSED;
	if (in_list(code, denied_codes))
		return ERRCODE_INSUFFICIENT_PRIVILEGE;
	if (in_list(code, throttling_codes))
		return ERRCODE_INSUFFICIENT_RESOURCES;
	if (strstr(code, "QuotaExceeded") != NULL)
		return ERRCODE_CONFIGURATION_LIMIT_EXCEEDED;
	if (in_list(code, invalid_codes))
		return ERRCODE_INVALID_PARAMETER_VALUE;
	if ((strncmp(code, "Invalid", 7) == 0 && strstr(code, "State") != NULL) ||
		strcmp(code, "PointInTimeRestoreNotEnabled") == 0)
		return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
	if (http_status >= 500)
		return ERRCODE_SYSTEM_ERROR;
	return ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;
}

void
aws_raise(const AwsRequest *req, const AwsReply *reply, const char *extra_detail)
{
	const char *label = service_label(req->service);

	switch (reply->outcome)
	{
		case AWS_INTERRUPTED:
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("%s %s was interrupted", label, req->action),
					 extra_detail ? errdetail("%s", extra_detail) : 0));
			break;
		case AWS_ERROR_REPLY:
			ereport(ERROR,
					(errcode(sqlstate_for_code(reply->error_code, reply->http_status)),
					 errmsg("%s %s failed: %s: %s", label, req->action, reply->error_code,
							reply->error_message ? reply->error_message : "(no message)"),
					 reply->request_id ?
					 errdetail("AWS request ID: %s.%s%s", reply->request_id,
							   extra_detail ? " " : "", extra_detail ? extra_detail : "") :
					 (extra_detail ? errdetail("%s", extra_detail) : 0)));
			break;
		case AWS_BAD_REPLY:
			ereport(ERROR,
					(errcode(ERRCODE_RB_AWS_BAD_REPLY),
					 reply->too_large ?
					 errmsg("%s %s returned a reply larger than %d bytes", label, req->action,
							RB_MAX_RESPONSE_BYTES) :
					 errmsg("%s %s returned a reply that is not AWS XML", label, req->action),
					 errdetail("%s.%s%s", reply->transport_error,
							   extra_detail ? " " : "", extra_detail ? extra_detail : "")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_RB_AWS_UNREACHABLE),
					 errmsg("could not reach %s for %s", label, req->action),
					 errdetail("%s%s%s", reply->transport_error ? reply->transport_error : "",
							   extra_detail ? " " : "", extra_detail ? extra_detail : ""),
					 errhint("Check rds_backup.endpoint, the network path to AWS, and rds_backup.request_timeout.")));
			break;
	}
	pg_unreachable();
}
