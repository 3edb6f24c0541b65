/*-------------------------------------------------------------------------
 * sts.c
 *		The STS calls the credential chain makes: AssumeRole (with the
 *		base credentials) and AssumeRoleWithWebIdentity (unsigned).
 *
 * They go through aws_call() like every other call: regional endpoint
 * sts.<region>.amazonaws.com (AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL
 * override it), retries, error mapping.  Their audit entries are kept for
 * the caller (cred_keep_audit); failures come back as a sentence naming
 * AWS's error code and message, never a secret.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "aws/client.h"
#include "aws/cred_chain.h"

/* Blank every occurrence of secret in text (AWS may quote what it got). */
static void
scrub(char *text, const char *secret)
{
	size_t		len;
	char	   *hit;

	if (text == NULL || secret == NULL || (len = strlen(secret)) < 4)
		return;
	while ((hit = strstr(text, secret)) != NULL)
		memset(hit, '*', len);
}

/* Wipe the reply's copy of a secret once it has been taken. */
static void
wipe_node(XNode *n)
{
	if (n && n->text)
		explicit_bzero(n->text, strlen(n->text));
}

static bool
call_for_credentials(AwsRequest *req, const char *token, AwsCredentials **out, char **why)
{
	AwsReply	reply;
	XNode	   *c;
	const char *exp;
	TimestampTz expires = 0;

	aws_call(req, &reply);
	cred_keep_audit(reply.audit);
	if (reply.outcome == AWS_INTERRUPTED)
		CHECK_FOR_INTERRUPTS();
	if (reply.outcome != AWS_OK)
	{
		char	   *text = aws_reply_error_text(req, &reply);

		scrub(text, token);
		*why = reply.request_id ?
			psprintf("STS %s failed: %s (request id %s)", req->action, text, reply.request_id) :
			psprintf("STS %s failed: %s", req->action, text);
		return false;
	}
	c = xnode_child(reply.result, "Credentials");
	exp = xnode_text(c, "Expiration");
	if (c == NULL || exp == NULL || !cred_parse_time(exp, &expires))
	{
		*why = psprintf("STS %s answered without credentials and their expiry", req->action);
		return false;
	}
	*out = cred_make(xnode_text(c, "AccessKeyId"), xnode_text(c, "SecretAccessKey"),
					 xnode_text(c, "SessionToken"), expires, "sts", why);
	wipe_node(xnode_child(c, "SecretAccessKey"));
	wipe_node(xnode_child(c, "SessionToken"));
	return *out != NULL;
}

bool
sts_assume_role(const AwsCredentials *base, const char *region, const char *role_arn,
				const char *external_id, const char *session_name, int duration_secs,
				AwsCredentials **out, char **why)
{
	AwsRequest *req = aws_request_new("sts", "AssumeRole", region, role_arn);

	aws_query_add(req->query, "RoleArn", role_arn);
	aws_query_add(req->query, "RoleSessionName", session_name);
	aws_query_add_int(req->query, "DurationSeconds", duration_secs);
	if (external_id && external_id[0])
		aws_query_add(req->query, "ExternalId", external_id);
	req->credentials = base;
	if (!call_for_credentials(req, NULL, out, why))
		return false;
	(*out)->role_arn = pstrdup(role_arn);
	return true;
}

bool
sts_assume_role_with_web_identity(const char *region, const char *role_arn,
								  const char *session_name, const char *token,
								  AwsCredentials **out, char **why)
{
	AwsRequest *req = aws_request_new("sts", "AssumeRoleWithWebIdentity", region, role_arn);

	aws_query_add(req->query, "RoleArn", role_arn);
	aws_query_add(req->query, "RoleSessionName", session_name);
	/* audit_log redacts it (client.c's sensitive parameters) */
	aws_query_add(req->query, "WebIdentityToken", token);
	req->anonymous = true;
	if (!call_for_credentials(req, token, out, why))
		return false;
	(*out)->role_arn = pstrdup(role_arn);
	return true;
}
