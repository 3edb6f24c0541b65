/*
 * fuzz_sigv4.c
 *		libFuzzer harness for the SigV4 signer (src/sigv4.c).
 *
 * Input layout:
 *   13 control bytes: flags, expires (4, big-endian), signing time (8)
 *   one line "access|secret|token|region|service|time|url\n"
 *   an HTTP request as in the AWS suite's request.txt: request line,
 *   "Name:value" headers (an indented line continues the previous value),
 *   blank line, body (any bytes)
 *
 * flags: bit 0 query mode, 1 normalize_path, 2 no_double_encode,
 * 3 sign_body, 4 omit_session_token, 5 raw expires (else 1..7 days),
 * 6 raw signing time (else years 1970..2100), 7 clear the key cache.
 *
 * Checks: sigv4_sign() never crashes, leaks or reads out of bounds, on
 * any request; on failure the result is empty with a message; on success
 * the signature is 64 lowercase hex digits, the string to sign ends with
 * the canonical request's hash, the Authorization value or the presigned
 * query has the documented shape, the signed headers are sorted,
 * lowercase and include host, and signing again (key from the cache, or
 * derived afresh) gives the same signature.  The "time" field goes to
 * sigv4_parse_time() (a parsed time formats back to the same fields) and
 * the "url" field to sigv4_presign_url().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/alloc.h"
#include "aws/sigv4.h"

#define MAX_HEADERS 32
#define N_FIELDS 7

static char *
dup_n(const char *s, size_t n)
{
	char	   *d = malloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static bool
is_lower_hex(const char *s, size_t n)
{
	size_t		i;

	if (strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t		a = strlen(s);
	size_t		b = strlen(tail);

	return a >= b && memcmp(s + a - b, tail, b) == 0;
}

static void
check_result(const SigV4Request *req, const SigV4Credentials *c,
			 const SigV4Params *p, SigV4Status st, const SigV4Result *r)
{
	char		hash[65];
	char		expect[1024];
	const char *sh;
	const char *prev;
	size_t		prev_len;
	bool		have_host = false;
	time_t		t;

	if (st != SIGV4_OK)
	{
		if (r->error == NULL || r->canonical_request || r->string_to_sign ||
			r->signed_headers || r->authorization || r->query || r->token ||
			r->n_add_headers != 0)
			abort();
		return;
	}
	if (r->error != NULL || !is_lower_hex(r->signature, 64) ||
		!is_lower_hex(r->payload_hash, 64))
		abort();
	if (!sigv4_parse_time(r->amz_date, &t) || t != p->signing_time)
		abort();
	sigv4_hex_sha256(r->canonical_request, strlen(r->canonical_request), hash);
	if (!ends_with(r->string_to_sign, hash) ||
		strncmp(r->string_to_sign, SIGV4_ALGORITHM "\n", strlen(SIGV4_ALGORITHM) + 1) != 0)
		abort();
	sigv4_hex_sha256(req->body ? req->body : "", req->body_len, hash);
	if (strcmp(hash, r->payload_hash) != 0)
		abort();
	if (strncmp(r->canonical_request, req->method, strlen(req->method)) != 0)
		abort();

	/* signed headers: lowercase tokens, strictly ascending, host among them */
	prev = NULL;
	prev_len = 0;
	for (sh = r->signed_headers;;)
	{
		size_t		n = strcspn(sh, ";");
		size_t		i;

		if (n == 0)
			abort();
		for (i = 0; i < n; i++)
			if (sh[i] >= 'A' && sh[i] <= 'Z')
				abort();
		if (prev)
		{
			int			cmp = strncmp(prev, sh, prev_len < n ? prev_len : n);

			if (cmp > 0 || (cmp == 0 && prev_len >= n))
				abort();
		}
		if (n == 4 && memcmp(sh, "host", 4) == 0)
			have_host = true;
		prev = sh;
		prev_len = n;
		if (sh[n] == '\0')
			break;
		sh += n + 1;
	}
	if (!have_host)
		abort();

	if (p->mode == SIGV4_MODE_HEADER)
	{
		if (r->query != NULL || r->authorization == NULL)
			abort();
		snprintf(expect, sizeof(expect), SIGV4_ALGORITHM " Credential=%s/%.8s/%s/%s/aws4_request, SignedHeaders=",
				 c->access_key_id, r->amz_date, p->region, p->service);
		if (strncmp(r->authorization, expect, strlen(expect)) != 0)
			abort();
		snprintf(expect, sizeof(expect), ", Signature=%s", r->signature);
		if (!ends_with(r->authorization, expect))
			abort();
		if (r->n_add_headers < 1 || r->n_add_headers > 3)
			abort();
	}
	else
	{
		if (r->authorization != NULL || r->query == NULL || r->n_add_headers != 0)
			abort();
		snprintf(expect, sizeof(expect), "&X-Amz-Signature=%s", r->signature);
		if (!ends_with(r->query, expect))
			abort();
		if (strstr(r->query, "X-Amz-Algorithm=" SIGV4_ALGORITHM "&X-Amz-Credential=") == NULL)
			abort();
	}
}

static void
sign_and_check(const SigV4Request *req, const SigV4Credentials *c,
			   const SigV4Params *p, bool clear_cache)
{
	SigV4Result r;
	SigV4Result again;
	SigV4Status st = sigv4_sign(req, c, p, &r);
	SigV4Status st2;

	check_result(req, c, p, st, &r);
	if (clear_cache)
		sigv4_clear_key_cache();
	st2 = sigv4_sign(req, c, p, &again);
	if (st2 != st || (st == SIGV4_OK &&
					  (strcmp(r.signature, again.signature) != 0 ||
					   strcmp(r.canonical_request, again.canonical_request) != 0)))
		abort();
	sigv4_result_free(&r);
	sigv4_result_free(&again);
	/* freeing leaves a zeroed result; freeing again is harmless */
	sigv4_result_free(&r);
}

static int
digits(const char *s, int n)
{
	int			v = 0;

	for (; n > 0; n--, s++)
		v = v * 10 + (*s - '0');
	return v;
}

static void
check_parse_time(const char *s)
{
	time_t		t;
	char		back[17];
	bool		compact;
	int			Y;

	if (!sigv4_parse_time(s, &t))
		return;
	compact = strlen(s) == 16;
	Y = digits(s, 4);
	if (!sigv4_format_amz_date(t, back))
	{
		/* only years before 1000 do not fit YYYY */
		if (Y >= 1000)
			abort();
		return;
	}
	if (compact)
	{
		if (strcmp(back, s) != 0)
			abort();
	}
	else
	{
		/* YYYY-MM-DDTHH:MM:SS against YYYYMMDDTHHMMSS */
		if (memcmp(back, s, 4) || memcmp(back + 4, s + 5, 2) ||
			memcmp(back + 6, s + 8, 2) || memcmp(back + 9, s + 11, 2) ||
			memcmp(back + 11, s + 14, 2) || memcmp(back + 13, s + 17, 2))
			abort();
	}
}

static void
check_presign(const char *url, const SigV4Credentials *c, const char *region,
			  const char *service, time_t t, int expires)
{
	char	   *out = (char *) 1;
	const char *err = (const char *) 1;
	SigV4Status st = sigv4_presign_url(url, c, region, service, t, expires,
									   &out, &err);

	if (st == SIGV4_OK)
	{
		const char *rest;
		size_t		auth;

		if (out == NULL || err != NULL)
			abort();
		rest = strstr(url, "://") + 3;
		auth = strcspn(rest, "/?");
		/* scheme and authority kept as they were */
		if (strncmp(out, url, rest + auth - url) != 0)
			abort();
		if (strstr(out, "&X-Amz-Signature=") == NULL ||
			strstr(out, "X-Amz-SignedHeaders=host&") == NULL)
			abort();
		aws_free(out);
	}
	else if (out != NULL || err == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	const char *end = text + size;
	uint8_t		flags;
	uint32_t	exp_raw = 0;
	uint64_t	time_raw = 0;
	char	   *field[N_FIELDS] = {NULL};
	SigV4Header headers[MAX_HEADERS];
	int			n_headers = 0;
	SigV4Request req;
	SigV4Credentials creds;
	SigV4Params p;
	const char *line;
	const char *eol;
	const char *sp;
	char	   *method = NULL;
	char	   *path = NULL;
	char	   *query = NULL;
	int			i;

	if (size < 13)
		return 0;
	flags = data[0];
	for (i = 1; i < 5; i++)
		exp_raw = (exp_raw << 8) | data[i];
	for (i = 5; i < 13; i++)
		time_raw = (time_raw << 8) | data[i];
	text += 13;

	memset(&p, 0, sizeof(p));
	p.mode = (flags & 1) ? SIGV4_MODE_QUERY : SIGV4_MODE_HEADER;
	p.normalize_path = flags & 2;
	p.no_double_encode = flags & 4;
	p.sign_body = flags & 8;
	p.omit_session_token = flags & 16;
	p.expires = (flags & 32) ? (int) exp_raw : 1 + (int) (exp_raw % SIGV4_MAX_EXPIRES);
	p.signing_time = (flags & 64) ? (time_t) (int64_t) time_raw :
		(time_t) (time_raw % 4102444800ULL);	/* 1970..2100 */

	/* the parameter line */
	eol = memchr(text, '\n', end - text);
	if (eol == NULL)
		eol = end;
	for (i = 0, line = text; i < N_FIELDS; i++)
	{
		const char *bar = i < N_FIELDS - 1 ? memchr(line, '|', eol - line) : NULL;
		const char *stop = bar ? bar : eol;

		field[i] = dup_n(line, stop - line);
		line = bar ? bar + 1 : eol;
	}
	creds.access_key_id = field[0];
	creds.secret_access_key = field[1];
	creds.session_token = field[2];
	p.region = field[3];
	p.service = field[4];

	check_parse_time(field[5]);
	check_presign(field[6], &creds, p.region, p.service, p.signing_time,
				  p.expires);

	/* the request line: METHOD SP target [SP version] */
	text = eol < end ? eol + 1 : end;
	eol = memchr(text, '\n', end - text);
	if (eol == NULL)
		eol = end;
	sp = memchr(text, ' ', eol - text);
	method = dup_n(text, (sp ? sp : eol) - text);
	if (sp)
	{
		const char *target = sp + 1;
		const char *sp2 = memchr(target, ' ', eol - target);
		const char *tend = sp2 ? sp2 : eol;
		const char *q = memchr(target, '?', tend - target);

		path = dup_n(target, (q ? q : tend) - target);
		if (q)
			query = dup_n(q + 1, tend - q - 1);
	}
	else
		path = dup_n("/", 1);

	/* headers up to a blank line, then the body */
	memset(&req, 0, sizeof(req));
	for (line = eol < end ? eol + 1 : end; line < end; line = eol + 1)
	{
		const char *colon;
		size_t		n;

		eol = memchr(line, '\n', end - line);
		if (eol == NULL)
			eol = end;
		n = eol - line;
		if (n == 0)
		{
			line = eol + 1;
			if (line < end)
			{
				req.body = line;
				req.body_len = end - line;
			}
			break;
		}
		if ((line[0] == ' ' || line[0] == '\t') && n_headers > 0)
		{
			SigV4Header *h = &headers[n_headers - 1];
			size_t		old = strlen(h->value);
			char	   *v = malloc(old + n + 2);

			memcpy(v, h->value, old);
			v[old] = '\n';
			memcpy(v + old + 1, line, n);
			v[old + n + 1] = '\0';
			free((char *) h->value);
			h->value = v;
		}
		else if (n_headers < MAX_HEADERS)
		{
			colon = memchr(line, ':', n);
			headers[n_headers].name = dup_n(line, (colon ? colon : eol) - line);
			headers[n_headers].value = colon ? dup_n(colon + 1, eol - colon - 1) : dup_n("", 0);
			n_headers++;
		}
		if (eol == end)
			break;
	}
	req.method = method;
	req.path = path;
	req.query = query;
	req.headers = headers;
	req.n_headers = n_headers;

	sign_and_check(&req, &creds, &p, flags & 128);

	/* the other mode too, with an expiry that is always valid */
	p.mode = p.mode == SIGV4_MODE_HEADER ? SIGV4_MODE_QUERY : SIGV4_MODE_HEADER;
	p.expires = 1 + (int) (exp_raw % SIGV4_MAX_EXPIRES);
	sign_and_check(&req, &creds, &p, false);

	for (i = 0; i < n_headers; i++)
	{
		free((char *) headers[i].name);
		free((char *) headers[i].value);
	}
	for (i = 0; i < N_FIELDS; i++)
		free(field[i]);
	free(method);
	free(path);
	free(query);
	return 0;
}
