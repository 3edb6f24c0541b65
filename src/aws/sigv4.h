/*
 * sigv4.h
 *		AWS Signature Version 4 (AWS4-HMAC-SHA256), header and presigned-URL
 *		(query) signing, as AWS's aws-c-auth test suite specifies it.
 *
 * OpenSSL libcrypto and libc only: PostgreSQL headers must never be
 * included here.  Memory comes from aws_alloc.h.  Nothing is held across
 * calls but SHA-256 as fetched from libcrypto, one reusable digest context,
 * and a small static cache of derived signing keys (as HMAC states), keyed
 * by a SHA-256 digest (never the secret itself).  Not for use from several
 * threads at once.  Error messages are static and never contain secret
 * values.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_MAX_EXPIRES 604800	/* 7 days, the SigV4 limit */

typedef struct SigV4Header
{
	const char *name;
	const char *value;
} SigV4Header;

typedef struct SigV4Credentials
{
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;	/* NULL or "" for long-term keys */
} SigV4Credentials;

/*
 * The request as it goes on the wire.  Headers are in order, duplicates
 * allowed, Host required.  The signer manages Authorization, X-Amz-Date,
 * X-Amz-Security-Token (when the credentials carry a token) and
 * x-amz-content-sha256 (with sign_body): copies of those in headers[] are
 * ignored, and the values to send come back in the result.  User-Agent,
 * Expect, Connection and X-Amzn-Trace-Id are never signed (proxies may
 * rewrite them).
 */
typedef struct SigV4Request
{
	const char *method;
	const char *path;			/* raw, as on the request line, before '?' */
	const char *query;			/* raw, after '?'; NULL or "" for none */
	const SigV4Header *headers;
	int			n_headers;
	const void *body;
	size_t		body_len;
} SigV4Request;

typedef enum SigV4Mode
{
	SIGV4_MODE_HEADER,			/* Authorization header */
	SIGV4_MODE_QUERY			/* presigned URL: signature in the query */
} SigV4Mode;

typedef struct SigV4Params
{
	SigV4Mode	mode;
	const char *region;
	const char *service;
	time_t		signing_time;	/* UTC */
	bool		normalize_path; /* remove ".", ".." and "//": all but S3 */
	bool		no_double_encode;	/* S3: sign the path as given */
	bool		sign_body;		/* add and sign x-amz-content-sha256 */
	bool		omit_session_token; /* sign without the token, add it after */
	int			expires;		/* query mode: X-Amz-Expires, 1..7 days */
} SigV4Params;

typedef enum SigV4Status
{
	SIGV4_OK = 0,
	SIGV4_ERR_INVALID,			/* bad request, credentials or parameters */
	SIGV4_ERR_CRYPTO			/* libcrypto failed */
} SigV4Status;

typedef struct SigV4Result
{
	/* intermediates, exposed for tests and debugging */
	char	   *canonical_request;
	char	   *string_to_sign;
	char	   *signed_headers; /* "host;x-amz-date" */
	char		signature[65];	/* lowercase hex */
	char		amz_date[17];	/* YYYYMMDDTHHMMSSZ */
	char		payload_hash[65];

	/*
	 * Header mode: headers to append, in this order, after the request's
	 * own (X-Amz-Security-Token, X-Amz-Date, x-amz-content-sha256), then
	 * "Authorization: <authorization>".
	 */
	SigV4Header add_headers[3];
	int			n_add_headers;
	char	   *authorization;

	/*
	 * Query mode: the request's raw query (if any) followed by X-Amz-
	 * Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
	 * -Security-Token (if any) and -Signature, to go after '?'.
	 */
	char	   *query;

	const char *error;			/* static message when not SIGV4_OK */
	char	   *token;			/* private copy backing add_headers */
} SigV4Result;

/*
 * Sign a request.  *result is always initialised; release it with
 * sigv4_result_free() whatever the outcome.
 */
extern SigV4Status sigv4_sign(const SigV4Request *request,
							  const SigV4Credentials *credentials,
							  const SigV4Params *params,
							  SigV4Result *result);

/* Wipes (it holds the token and signature) and frees; NULL-safe. */
extern void sigv4_result_free(SigV4Result *result);

/*
 * Presign "https://host[:port]/path?query" (http:// too, for loopback
 * tests) as a GET with Host as the only signed header, e.g. the
 * PreSignedUrl of a cross-region RDS copy (expires = 3600).  On success
 * *url_out is the signed URL (aws_free it); on failure *errmsg is set.
 */
extern SigV4Status sigv4_presign_url(const char *url,
									 const SigV4Credentials *credentials,
									 const char *region,
									 const char *service,
									 time_t signing_time,
									 int expires,
									 char **url_out,
									 const char **errmsg);

/* Lowercase hex SHA-256 of data. */
extern void sigv4_hex_sha256(const void *data, size_t len, char out[65]);

/* YYYYMMDDTHHMMSSZ (UTC); false if the time cannot be represented. */
extern bool sigv4_format_amz_date(time_t t, char out[17]);

/*
 * Parse YYYYMMDDTHHMMSSZ or ISO 8601 YYYY-MM-DDTHH:MM:SS[.fff]Z (UTC)
 * into *out; false if malformed.
 */
extern bool sigv4_parse_time(const char *s, time_t *out);

/* Signing keys derived so far (the cache works if repeats do not count). */
extern unsigned long sigv4_key_derivations(void);

/* Wipe the signing-key cache (e.g. when credentials are rotated). */
extern void sigv4_clear_key_cache(void);

#endif							/* SIGV4_H */
