/*-------------------------------------------------------------------------
 * http.c
 *		One HTTP exchange over libcurl, from a backend or background worker.
 *
 * The transfer is driven through the multi interface so that we get control
 * back at least every HTTP_POLL_MS and can notice a query cancel or a
 * termination request.  libcurl callbacks run inside libcurl: they must not
 * throw, so they only append into malloc'd buffers and set flags; the data
 * is copied into palloc'd memory once libcurl has returned.
 *
 * Request headers carry the Authorization header and the session token:
 * they are handed to libcurl and otherwise never looked at, logged or
 * copied, and CURLOPT_VERBOSE is never enabled.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include "aws/http.h"

/* Longest wait inside libcurl before we look at the abort check again. */
#define HTTP_POLL_MS			100

/* Response header values longer than this are truncated. */
#define HTTP_MAX_HEADER_VALUE	512

/* Per-transfer state shared with the libcurl callbacks; all malloc'd. */
typedef struct HttpXfer
{
	char	   *body;
	size_t		body_len;
	size_t		body_cap;
	size_t		max_body;
	bool		too_large;		/* write callback refused more data */
	bool		oom;			/* a callback's malloc failed */
	char	   *date;
	char	   *request_id;
	bool		request_id_is_amzn; /* came from x-amzn-RequestId */
	char	   *retry_after;
	char	   *content_type;
	char		errbuf[CURL_ERROR_SIZE];
} HttpXfer;

static bool http_default_abort_check(void);

static bool curl_initialized = false;
static CURLM *http_multi = NULL;
static CURL *http_easy = NULL;

/* The methods http_perform() sends; each has its own options on the handle */
typedef enum HttpMethod
{
	HTTP_GET,
	HTTP_POST,
	HTTP_PUT					/* with a body in memory, as POST */
} HttpMethod;

/* The options set on http_easy that outlive a request (http_setup_handle) */
static bool http_easy_ready = false;
static HttpMethod http_easy_method;
static char *http_easy_ca_file = NULL;	/* malloc'd */
static bool (*http_abort_check) (void) = http_default_abort_check;

/*
 * Only a query cancel or a termination request aborts a request.  Other
 * interrupts (catchup, barrier, notify, ...) set InterruptPending too, but
 * they are served by the CHECK_FOR_INTERRUPTS() the caller runs later and
 * must not cut an API call short.
 */
static bool
http_default_abort_check(void)
{
	return QueryCancelPending || ProcDiePending;
}

void
http_set_abort_check(bool (*fn) (void))
{
	http_abort_check = fn ? fn : http_default_abort_check;
}

bool
http_abort_requested(void)
{
	return http_abort_check();
}

void
http_reset_connections(void)
{
	if (http_multi != NULL && http_easy != NULL)
		(void) curl_multi_remove_handle(http_multi, http_easy);
	if (http_easy != NULL)
		curl_easy_cleanup(http_easy);
	http_easy = NULL;
	http_easy_ready = false;
	if (http_multi != NULL)
		curl_multi_cleanup(http_multi);
	http_multi = NULL;
}

const char *
http_outcome_name(HttpOutcome outcome)
{
	switch (outcome)
	{
		case HTTP_DONE:
			return "done";
		case HTTP_TRANSPORT_ERROR:
			return "transport error";
		case HTTP_TIMEOUT:
			return "timeout";
		case HTTP_TOO_LARGE:
			return "response too large";
		case HTTP_INTERRUPTED:
			return "interrupted";
	}
	return "unknown";
}

/*
 * Create the cached handles if needed.  Returns false (with resp->error
 * set) if libcurl cannot be set up.
 */
static bool
http_ensure_handles(HttpResponse *resp)
{
	if (!curl_initialized)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		{
			strlcpy(resp->error, "could not initialize libcurl",
					sizeof(resp->error));
			return false;
		}
		curl_initialized = true;
	}
	if (http_multi == NULL)
	{
		http_multi = curl_multi_init();
		if (http_multi == NULL)
		{
			strlcpy(resp->error, "could not create libcurl multi handle",
					sizeof(resp->error));
			return false;
		}
	}
	if (http_easy == NULL)
	{
		http_easy = curl_easy_init();
		if (http_easy == NULL)
		{
			strlcpy(resp->error, "could not create libcurl easy handle",
					sizeof(resp->error));
			return false;
		}
	}
	return true;
}

/* CURLOPT_WRITEFUNCTION: runs inside libcurl, must not throw. */
static size_t
http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	HttpXfer   *x = (HttpXfer *) userdata;
	size_t		n = size * nmemb;

	if (n == 0)
		return 0;
	if (n > x->max_body || x->body_len > x->max_body - n)
	{
		x->too_large = true;
		return 0;				/* makes libcurl fail with CURLE_WRITE_ERROR */
	}
	if (x->body_len + n + 1 > x->body_cap)
	{
		size_t		newcap = x->body_cap ? x->body_cap : 8192;
		char	   *p;

		while (newcap < x->body_len + n + 1)
			newcap *= 2;
		p = realloc(x->body, newcap);
		if (p == NULL)
		{
			x->oom = true;
			return 0;
		}
		x->body = p;
		x->body_cap = newcap;
	}
	memcpy(x->body + x->body_len, ptr, n);
	x->body_len += n;
	return n;
}

/* malloc'd copy of a header value, trimmed and length-capped, or NULL. */
static char *
http_header_value(const char *v, size_t len, bool *oom)
{
	char	   *s;

	while (len > 0 && (*v == ' ' || *v == '\t'))
	{
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
					   v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len > HTTP_MAX_HEADER_VALUE)
		len = HTTP_MAX_HEADER_VALUE;
	s = malloc(len + 1);
	if (s == NULL)
	{
		*oom = true;
		return NULL;
	}
	memcpy(s, v, len);
	s[len] = '\0';
	return s;
}

static void
http_forget_headers(HttpXfer *x)
{
	free(x->date);
	free(x->request_id);
	free(x->retry_after);
	free(x->content_type);
	x->date = x->request_id = x->retry_after = x->content_type = NULL;
	x->request_id_is_amzn = false;
}

static bool
http_header_is(const char *line, size_t namelen, const char *name)
{
	return strlen(name) == namelen && pg_strncasecmp(line, name, namelen) == 0;
}

/*
 * CURLOPT_HEADERFUNCTION: called once per response header line, including
 * those of interim (1xx) responses.  Runs inside libcurl, must not throw.
 */
static size_t
http_header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	HttpXfer   *x = (HttpXfer *) userdata;
	size_t		n = size * nitems;
	const char *colon;
	size_t		namelen;
	const char *v;
	size_t		vlen;

	/* A status line starts a new response: keep only the final one's. */
	if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0)
	{
		http_forget_headers(x);
		return n;
	}

	colon = memchr(buf, ':', n);
	if (colon == NULL)
		return n;
	namelen = colon - buf;
	v = colon + 1;
	vlen = n - namelen - 1;

	if (http_header_is(buf, namelen, "date"))
	{
		free(x->date);
		x->date = http_header_value(v, vlen, &x->oom);
	}
	else if (http_header_is(buf, namelen, "x-amzn-requestid"))
	{
		free(x->request_id);
		x->request_id = http_header_value(v, vlen, &x->oom);
		x->request_id_is_amzn = true;
	}
	else if (http_header_is(buf, namelen, "x-amz-request-id"))
	{
		/* x-amzn-RequestId wins when a reply carries both */
		if (!x->request_id_is_amzn)
		{
			free(x->request_id);
			x->request_id = http_header_value(v, vlen, &x->oom);
		}
	}
	else if (http_header_is(buf, namelen, "retry-after"))
	{
		free(x->retry_after);
		x->retry_after = http_header_value(v, vlen, &x->oom);
	}
	else if (http_header_is(buf, namelen, "content-type"))
	{
		free(x->content_type);
		x->content_type = http_header_value(v, vlen, &x->oom);
	}
	return n;
}

/*
 * After a transfer that did not complete: can we be sure that no part of the
 * request reached the server?  have_code says whether code is the
 * transfer's result (it is not when we abandoned the transfer).
 */
static bool
http_nothing_sent(CURL *easy, bool have_code, CURLcode code)
{
	long		nconnects = 0;
	curl_off_t	pretransfer = 0;

	if (have_code)
	{
		switch (code)
		{
				/* failures that come before a request can be written */
			case CURLE_UNSUPPORTED_PROTOCOL:
			case CURLE_URL_MALFORMAT:
			case CURLE_COULDNT_RESOLVE_PROXY:
			case CURLE_COULDNT_RESOLVE_HOST:
			case CURLE_COULDNT_CONNECT:
			case CURLE_SSL_CONNECT_ERROR:
			case CURLE_PEER_FAILED_VERIFICATION:
			case CURLE_SSL_CERTPROBLEM:
			case CURLE_SSL_CACERT_BADFILE:
				return true;
			case CURLE_OPERATION_TIMEDOUT:
				break;
			default:
				return false;
		}
	}

	/*
	 * Timed out or abandoned: libcurl records the pre-transfer time once the
	 * request has been handed to the connection, so a new connection without
	 * it never got past DNS, TCP or TLS setup.  On a reused connection the
	 * request goes out at once, so assume it was sent.
	 */
	if (curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &nconnects) != CURLE_OK ||
		curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T,
						  &pretransfer) != CURLE_OK)
		return false;
	return nconnects > 0 && pretransfer == 0;
}

/* palloc'd copy of a malloc'd header value, or NULL */
static char *
http_pstrdup_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

static void
http_set_error(HttpResponse *resp, CURLcode code, const char *errbuf)
{
	/*
	 * libcurl's error buffer describes the failure (host, port, errno or TLS
	 * reason); it never includes request headers or the body.
	 */
	if (errbuf[0] != '\0')
		strlcpy(resp->error, errbuf, sizeof(resp->error));
	else
		strlcpy(resp->error, curl_easy_strerror(code), sizeof(resp->error));
}

/* http_perform() has accepted only these three */
static HttpMethod
http_method(const char *name)
{
	if (name[0] == 'G')
		return HTTP_GET;
	if (name[1] == 'U')
		return HTTP_PUT;
	return HTTP_POST;
}

#define SETOPT(opt, val) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(easy, opt, val); \
	} while (0)

/*
 * The options every request shares, set once on the cached easy handle
 * rather than reset and set again per request (with the method and CA
 * file, which start the handle over when they change: a PUT's custom
 * request must not outlive it).  Returns the first failing option's code.
 */
static CURLcode
http_setup_handle(CURL *easy, const HttpRequest *req, HttpMethod method)
{
	CURLcode	rc = CURLE_OK;

	curl_easy_reset(easy);
	http_easy_ready = false;
	free(http_easy_ca_file);
	http_easy_ca_file = NULL;

	/* Signals belong to PostgreSQL; timeouts must not use SIGALRM. */
	SETOPT(CURLOPT_NOSIGNAL, 1L);

#if LIBCURL_VERSION_NUM >= 0x075500		/* 7.85.0 */
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SETOPT(CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SETOPT(CURLOPT_REDIR_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif

	/*
	 * A redirect is the caller's business: signed requests must not be
	 * replayed to another host.
	 */
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);

	/*
	 * No proxy.  libcurl would otherwise honour http_proxy / https_proxy /
	 * ALL_PROXY from the postmaster's environment, silently routing signed
	 * requests through whatever the service manager happened to export.  An
	 * empty string disables that; proxy support, if ever wanted, should be
	 * an explicit setting.
	 */
	SETOPT(CURLOPT_PROXY, "");

	/* Always verify the server. */
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_file != NULL && req->ca_file[0] != '\0')
		SETOPT(CURLOPT_CAINFO, req->ca_file);

	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(CURLOPT_TCP_KEEPIDLE, 60L);
	SETOPT(CURLOPT_TCP_KEEPINTVL, 30L);

	if (method == HTTP_GET)
		SETOPT(CURLOPT_HTTPGET, 1L);
	else
		SETOPT(CURLOPT_POST, 1L);
	/* a PUT sends its body as a POST would (the IMDSv2 token request) */
	if (method == HTTP_PUT)
		SETOPT(CURLOPT_CUSTOMREQUEST, "PUT");

	SETOPT(CURLOPT_WRITEFUNCTION, http_write_cb);
	SETOPT(CURLOPT_HEADERFUNCTION, http_header_cb);

	if (rc == CURLE_OK && req->ca_file != NULL && req->ca_file[0] != '\0' &&
		(http_easy_ca_file = strdup(req->ca_file)) == NULL)
		rc = CURLE_OUT_OF_MEMORY;
	if (rc == CURLE_OK)
	{
		http_easy_ready = true;
		http_easy_method = method;
	}
	return rc;
}

/*
 * Set the options for one request: the handle's own first, if not set or
 * if the method or the CA file changed.  Returns the first failing
 * option's code.
 */
static CURLcode
http_setup(CURL *easy, const HttpRequest *req, struct curl_slist *hdrs,
		   HttpXfer *x)
{
	CURLcode	rc = CURLE_OK;
	HttpMethod	method = http_method(req->method);
	const char *ca_file = (req->ca_file && req->ca_file[0]) ? req->ca_file : NULL;
	long		connect_ms = req->connect_timeout_ms > 0 ?
		req->connect_timeout_ms : HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
	long		request_ms = req->request_timeout_ms > 0 ?
		req->request_timeout_ms : HTTP_DEFAULT_REQUEST_TIMEOUT_MS;

	if (!http_easy_ready || method != http_easy_method ||
		(ca_file == NULL) != (http_easy_ca_file == NULL) ||
		(ca_file != NULL && strcmp(ca_file, http_easy_ca_file) != 0))
		rc = http_setup_handle(easy, req, method);

	SETOPT(CURLOPT_URL, req->url);
	SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, request_ms);

	/* Refuse early when Content-Length already exceeds the cap. */
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) x->max_body);

	if (method != HTTP_GET)
	{
		SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
		SETOPT(CURLOPT_POSTFIELDS, req->body ? req->body : "");
	}

	SETOPT(CURLOPT_HTTPHEADER, hdrs);
	SETOPT(CURLOPT_WRITEDATA, x);
	SETOPT(CURLOPT_HEADERDATA, x);

	/* a handle half set up is started over next time */
	if (rc != CURLE_OK)
		http_easy_ready = false;
	return rc;
}

/* After a request: leave the handle no pointer to its memory. */
static void
http_forget_request(CURL *easy)
{
	(void) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, NULL);
	(void) curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
	(void) curl_easy_setopt(easy, CURLOPT_WRITEDATA, NULL);
	(void) curl_easy_setopt(easy, CURLOPT_HEADERDATA, NULL);
	if (http_easy_method != HTTP_GET)
		(void) curl_easy_setopt(easy, CURLOPT_POSTFIELDS, NULL);
}

#undef SETOPT

/*
 * What one http_perform() call has acquired, so that it can be released even
 * if an ERROR escapes.
 */
typedef struct HttpState
{
	HttpXfer	x;
	struct curl_slist *hdrs;
	bool		attached;		/* easy handle is in the multi handle */
	bool		waiting;		/* wait event is being reported */
	bool		drop_connections;	/* connection state unknown */
} HttpState;

/* The part of http_perform() that runs under PG_TRY. */
static void
http_exchange(const HttpRequest *req, HttpResponse *resp, HttpState *st)
{
	HttpXfer   *x = &st->x;
	CURLcode	code;
	CURLMcode	mc;
	bool		interrupted = false;
	bool		finished = false;
	bool		expect_given = false;
	long		status = 0;
	long		nconnects = 0;
	int			i;

	/*
	 * Unless the transfer runs its course, the handles and whatever
	 * connection they hold are thrown away afterwards.
	 */
	st->drop_connections = true;

	if (!http_ensure_handles(resp))
		return;

	for (i = 0; i < req->nheaders; i++)
	{
		struct curl_slist *h = curl_slist_append(st->hdrs, req->headers[i]);

		if (h == NULL)
		{
			strlcpy(resp->error, "out of memory", sizeof(resp->error));
			return;
		}
		st->hdrs = h;
		if (pg_strncasecmp(req->headers[i], "Expect:", 7) == 0)
			expect_given = true;
	}
	if (!expect_given)
	{
		/* no "Expect: 100-continue" round trip before larger bodies */
		struct curl_slist *h = curl_slist_append(st->hdrs, "Expect:");

		if (h == NULL)
		{
			strlcpy(resp->error, "out of memory", sizeof(resp->error));
			return;
		}
		st->hdrs = h;
	}

	code = http_setup(http_easy, req, st->hdrs, x);
	if (code != CURLE_OK)
	{
		http_set_error(resp, code, x->errbuf);
		return;
	}

	/* Don't start a request that would be abandoned at once. */
	if (http_abort_check())
	{
		resp->outcome = HTTP_INTERRUPTED;
		st->drop_connections = false;
		return;
	}

	mc = curl_multi_add_handle(http_multi, http_easy);
	if (mc != CURLM_OK)
	{
		strlcpy(resp->error, curl_multi_strerror(mc), sizeof(resp->error));
		return;
	}
	st->attached = true;
	/* from here on, assume the server may have seen the request */
	resp->request_unsent = false;

	pgstat_report_wait_start(PG_WAIT_EXTENSION);
	st->waiting = true;
	for (;;)
	{
		int			running = 0;

		mc = curl_multi_perform(http_multi, &running);
		if (mc != CURLM_OK)
			break;
		if (running == 0)
		{
			finished = true;
			break;
		}
		if (http_abort_check())
		{
			interrupted = true;
			break;
		}
		mc = curl_multi_poll(http_multi, NULL, 0, HTTP_POLL_MS, NULL);
		if (mc != CURLM_OK)
			break;
		if (http_abort_check())
		{
			interrupted = true;
			break;
		}
	}
	pgstat_report_wait_end();
	st->waiting = false;

	if (interrupted)
	{
		/*
		 * The server may still be sending, so the connection is unusable;
		 * http_perform() detaches the handle and drops the connections.
		 */
		resp->outcome = HTTP_INTERRUPTED;
		resp->request_unsent = http_nothing_sent(http_easy, false, CURLE_OK);
		return;
	}
	if (!finished)
	{
		strlcpy(resp->error, curl_multi_strerror(mc), sizeof(resp->error));
		return;
	}

	/* Fetch the transfer's result. */
	{
		CURLMsg    *msg;
		int			left;
		bool		found = false;

		while ((msg = curl_multi_info_read(http_multi, &left)) != NULL)
		{
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == http_easy)
			{
				code = msg->data.result;
				found = true;
			}
		}
		if (!found)
		{
			strlcpy(resp->error, "libcurl reported no transfer result",
					sizeof(resp->error));
			return;
		}
	}

	(void) curl_multi_remove_handle(http_multi, http_easy);
	st->attached = false;
	/* libcurl itself closes a connection it could not leave clean */
	st->drop_connections = false;

	(void) curl_easy_getinfo(http_easy, CURLINFO_RESPONSE_CODE, &status);
	(void) curl_easy_getinfo(http_easy, CURLINFO_NUM_CONNECTS, &nconnects);
	resp->status = status;
	if (code != CURLE_OK)
		resp->request_unsent = http_nothing_sent(http_easy, true, code);

	if (code == CURLE_OK && !x->oom)
	{
		resp->outcome = HTTP_DONE;
		resp->connection_reused = (nconnects == 0);
	}
	else if (x->too_large || code == CURLE_FILESIZE_EXCEEDED)
	{
		resp->outcome = HTTP_TOO_LARGE;
		resp->connection_reused = (nconnects == 0);
		snprintf(resp->error, sizeof(resp->error),
				 "response body exceeds %zu bytes", x->max_body);
	}
	else if (x->oom)
		strlcpy(resp->error, "out of memory while receiving response",
				sizeof(resp->error));
	else if (code == CURLE_OPERATION_TIMEDOUT)
	{
		resp->outcome = HTTP_TIMEOUT;
		http_set_error(resp, code, x->errbuf);
	}
	else
		http_set_error(resp, code, x->errbuf);

	/* Copy into palloc'd memory; this may throw. */
	if (resp->outcome == HTTP_DONE)
	{
		char	   *body = palloc(x->body_len + 1);

		if (x->body_len > 0)
			memcpy(body, x->body, x->body_len);
		body[x->body_len] = '\0';
		resp->body = body;
		resp->body_len = x->body_len;
	}
	resp->date = http_pstrdup_or_null(x->date);
	resp->request_id = http_pstrdup_or_null(x->request_id);
	resp->retry_after = http_pstrdup_or_null(x->retry_after);
	resp->content_type = http_pstrdup_or_null(x->content_type);
}

void
http_perform(const HttpRequest *req, HttpResponse *resp)
{
	HttpState	st;
	instr_time	start;
	instr_time	duration;

	if (strcmp(req->method, "POST") != 0 && strcmp(req->method, "GET") != 0 &&
		strcmp(req->method, "PUT") != 0)
		elog(ERROR, "unsupported HTTP method \"%s\"", req->method);

	memset(resp, 0, sizeof(*resp));
	resp->outcome = HTTP_TRANSPORT_ERROR;
	resp->request_unsent = true;	/* until the transfer starts */

	memset(&st, 0, sizeof(st));
	st.x.max_body = req->max_response_bytes > 0 ?
		req->max_response_bytes : HTTP_DEFAULT_MAX_RESPONSE_BYTES;
	/* the copy must fit in one palloc chunk, with its terminator */
	if (st.x.max_body > MaxAllocSize - 1)
		st.x.max_body = MaxAllocSize - 1;

	INSTR_TIME_SET_CURRENT(start);

	/*
	 * Whatever libcurl or malloc owns is released here even if an ERROR is
	 * raised between libcurl calls (palloc running out of memory while the
	 * reply is copied, say): nothing leaks, and the easy handle is never
	 * left attached to the multi handle.  st lives in memory (its address is
	 * handed to libcurl), so it is up to date after a longjmp.
	 */
	PG_TRY();
	{
		http_exchange(req, resp, &st);
	}
	PG_FINALLY();
	{
		if (st.waiting)
			pgstat_report_wait_end();
		if (st.attached)
			(void) curl_multi_remove_handle(http_multi, http_easy);
		if (st.drop_connections)
			http_reset_connections();
		else if (http_easy != NULL)
		{
			/* keep no pointers to our stack or to freed header lists */
			http_forget_request(http_easy);
		}
		curl_slist_free_all(st.hdrs);
		free(st.x.body);
		http_forget_headers(&st.x);
	}
	PG_END_TRY();

	if (resp->body == NULL)
		resp->body = palloc0(1);

	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	resp->elapsed_ms = INSTR_TIME_GET_MILLISEC(duration);
}
