/*-------------------------------------------------------------------------
 * client.h
 *		Every AWS call goes through aws_call(): endpoint and region,
 *		credentials, signing, retries, audit entries, error mapping.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_AWS_CLIENT_H
#define RDS_BACKUP_AWS_CLIENT_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

#include "aws/credentials.h"
#include "aws/query.h"
#include "aws/xml_reply.h"

/* One AWS API call attempt, handed up to the caller for its audit trail. */
typedef struct AuditEntry
{
	const char *service;
	const char *action;
	const char *region;
	const char *target;
	char	   *params_json;	/* secrets already redacted */
	int			http_status;	/* 0 when no reply */
	const char *error_code;
	const char *request_id;
	double		duration_ms;
	int			attempt;
	TimestampTz called_at;		/* when the attempt began */
} AuditEntry;

typedef struct AwsRequest
{
	const char *service;		/* "rds", "sts", "sns", "monitoring" */
	const char *action;
	const char *region;
	const char *target;			/* identifier acted on, for audit_log */
	AwsQuery   *query;			/* Action, Version and the parameters */

	/*
	 * Who calls (credentials.h): left zeroed, the session's settings; an
	 * operation that must keep the identity it started with sets it.
	 */
	AwsIdentity identity;

	/* Set: sign with exactly these (the credential chain's STS calls). */
	const AwsCredentials *credentials;

	/* Send unsigned, as AWS serves STS AssumeRoleWithWebIdentity. */
	bool		anonymous;
} AwsRequest;

typedef enum AwsOutcome
{
	AWS_OK,						/* 2xx with a well-formed reply */
	AWS_ERROR_REPLY,			/* AWS answered with an error */
	AWS_TRANSPORT,				/* no usable reply: network, timeout, size */
	AWS_BAD_REPLY,				/* a reply that is not AWS's XML, or too large */
	AWS_INTERRUPTED				/* query cancel or shutdown while waiting */
} AwsOutcome;

typedef struct AwsReply
{
	AwsOutcome	outcome;

	/*
	 * False only when AWS certainly did not act on the request: it refused
	 * it, or the connection was never made.  A timeout or reset after the
	 * request was sent leaves it true: the operation stays pending until
	 * someone asks AWS what happened.
	 */
	bool		maybe_applied;
	XNode	   *root;			/* the whole reply document */
	XNode	   *result;			/* <ActionResult>, on success */
	const char *request_id;
	long		http_status;
	const char *error_code;		/* AWS error code, or NULL */
	const char *error_message;
	char	   *transport_error;
	bool		too_large;		/* AWS_BAD_REPLY: over RB_MAX_RESPONSE_BYTES */
	int			attempts;
	List	   *audit;			/* AuditEntry *, one per attempt, unwritten */
} AwsReply;

extern AwsRequest *aws_request_new(const char *service, const char *action,
								   const char *region, const char *target);
extern void aws_preflight(const char *service, const char *region);
extern void aws_call(AwsRequest *req, AwsReply *reply);

/* "Code: message" (or the transport failure) for operations.error. */
extern char *aws_reply_error_text(const AwsRequest *req, const AwsReply *reply);

/*
 * Raise the ERROR a failed reply stands for (after CHECK_FOR_INTERRUPTS
 * when it was interrupted).  extra_detail may be NULL.
 */
extern void aws_raise(const AwsRequest *req, const AwsReply *reply,
					  const char *extra_detail) pg_attribute_noreturn();

extern bool aws_error_is_not_found(const char *code);

#endif
