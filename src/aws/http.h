/*-------------------------------------------------------------------------
 * http.h
 *		One HTTP exchange over libcurl, from a backend or background worker.
 *
 * Knows nothing about AWS: the caller signs the request and interprets the
 * reply.  One libcurl multi handle and one easy handle are cached per
 * process, so consecutive calls in a session reuse the connection.
 *
 * http_perform() reports failures as outcomes and does not raise ERROR for
 * them (it can still throw for out-of-memory in palloc).  On
 * HTTP_INTERRUPTED the caller must run CHECK_FOR_INTERRUPTS() (or its
 * worker's own shutdown logic) and must not retry.
 *
 * Include postgres.h before this file.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_HTTP_H
#define RDS_BACKUP_HTTP_H

/* Used when a request leaves the corresponding field at 0. */
#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS		10000
#define HTTP_DEFAULT_REQUEST_TIMEOUT_MS		60000
#define HTTP_DEFAULT_MAX_RESPONSE_BYTES		(16 * 1024 * 1024)

typedef struct HttpRequest
{
	const char *method;			/* "POST", "GET" or "PUT" */
	const char *url;			/* http:// or https:// only */
	const char *const *headers; /* "Name: value" lines; may hold secrets */
	int			nheaders;
	const char *body;			/* may be NULL */
	size_t		body_len;
	int			connect_timeout_ms; /* 0 = default */
	int			request_timeout_ms; /* whole exchange; 0 = default */
	size_t		max_response_bytes; /* body cap; 0 = default */
	const char *ca_file;		/* NULL or "" = system store */
} HttpRequest;

typedef enum HttpOutcome
{
	HTTP_DONE,					/* got a complete reply; see status */
	HTTP_TRANSPORT_ERROR,		/* DNS, connect, TLS, reset...; see error */
	HTTP_TIMEOUT,				/* connect or request timeout elapsed */
	HTTP_TOO_LARGE,				/* body exceeded max_response_bytes */
	HTTP_INTERRUPTED			/* cancel or die pending (or abort hook) */
} HttpOutcome;

typedef struct HttpResponse
{
	HttpOutcome outcome;
	long		status;			/* HTTP status when HTTP_DONE, else 0 or as
								 * far as known */
	char	   *body;			/* palloc'd, NUL-terminated; "" unless
								 * HTTP_DONE */
	size_t		body_len;
	char	   *date;			/* Date header or NULL */
	char	   *request_id;		/* x-amzn-RequestId (or x-amz-request-id) or
								 * NULL */
	char	   *retry_after;	/* Retry-After header or NULL */
	char	   *content_type;	/* Content-Type header or NULL */
	char		error[256];		/* transport error text; never contains
								 * request headers or body */
	double		elapsed_ms;
	bool		connection_reused;	/* no new connection was opened */

	/*
	 * True only when the request certainly never reached the server: not
	 * started, or DNS, connect or TLS setup failed or was cut short.  False
	 * means the server may have acted on it.
	 */
	bool		request_unsent;
} HttpResponse;

/* Outcome as a short lower-case word, for messages. */
extern const char *http_outcome_name(HttpOutcome outcome);

extern void http_perform(const HttpRequest *req, HttpResponse *resp);

/*
 * Replace the abort check polled (at least every 100 ms) while a request is
 * in flight.  The default returns true when QueryCancelPending or
 * ProcDiePending is set.  NULL restores the default.
 */
extern void http_set_abort_check(bool (*fn) (void));

/* Run the current abort check (for callers' own waits, e.g. backoff). */
extern bool http_abort_requested(void);

/* Drop the cached handles and with them any open connection. */
extern void http_reset_connections(void);

#endif
