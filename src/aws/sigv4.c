/*
 * sigv4.c
 *		AWS Signature Version 4 (see sigv4.h).
 *
 * canonical request = method \n canonical path \n canonical query \n
 *                     canonical headers \n signed headers \n payload hash
 * string to sign    = AWS4-HMAC-SHA256 \n amz date \n scope \n
 *                     hex(sha256(canonical request))
 * signature         = hex(hmac(kSigning, string to sign)), where kSigning
 *                     chains HMACs of date, region, service, "aws4_request"
 *                     from "AWS4" + secret.
 */
#include "aws/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws/alloc.h"
#include "aws/query.h"

#define KEY_CACHE_SLOTS 4

/*
 * Derived signing keys.  A slot is found by a SHA-256 over date, region,
 * service and secret, so the secret itself is never stored.
 */
typedef struct KeyCacheSlot
{
	bool		used;
	unsigned char id[32];
	unsigned char key[32];
} KeyCacheSlot;

static KeyCacheSlot key_cache[KEY_CACHE_SLOTS];
static int	key_cache_next;
static unsigned long key_derivation_count;

/* A header as it enters the canonical request */
typedef struct CanonHeader
{
	char	   *name;			/* lowercased */
	char	   *value;			/* trimmed, whitespace runs folded */
	int			pos;			/* original position: keeps the sort stable */
} CanonHeader;

/* A query parameter, both halves URI-encoded the SigV4 way */
typedef struct QueryParam
{
	char	   *key;
	char	   *value;
} QueryParam;

typedef struct QueryList
{
	QueryParam *items;
	int			n;
	int			cap;
} QueryList;

/* Query parameters that only the signer may set in query mode */
static const char *const signing_params[] = {
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-Security-Token", "X-Amz-SignedHeaders", "X-Amz-Signature", NULL
};

/* Headers never signed: set by the signer, or rewritten on the way */
static const char *const unsigned_headers[] = {
	"authorization", "x-amz-date", "user-agent", "expect", "connection",
	"x-amzn-trace-id", NULL
};

/* ---------- small helpers ---------- */

static char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

static bool
ascii_ieq(const char *a, const char *b)
{
	while (*a && ascii_lower(*a) == ascii_lower(*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (ascii_ieq(*list, s))
			return true;
	return false;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		c == '\v' || c == '\f';
}

/* RFC 7230 token: header names and methods */
static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
	{
		char		c = *s;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c)))
			return false;
	}
	return true;
}

/* Non-empty and free of the characters that delimit the credential scope */
static bool
is_scope_part(const char *s)
{
	return s != NULL && *s != '\0' && strcspn(s, "/ \t\r\n") == strlen(s);
}

static void
to_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool
hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
			unsigned char out[32])
{
	unsigned int out_len = 0;

	return HMAC(EVP_sha256(), key, (int) key_len, data, len, out, &out_len) != NULL &&
		out_len == 32;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * A raw query component made canonical: percent-decoded, then encoded
 * with SigV4's rules, so "%E1%88%B4" and a raw UTF-8 "ሴ" sign alike.
 */
static char *
reencode(const char *s, size_t len)
{
	AwsBuf		decoded = AWS_BUF_INIT;
	AwsBuf		out = AWS_BUF_INIT;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '%' && i + 2 < len &&
			hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0)
		{
			aws_buf_putc(&decoded,
						 (char) (hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
			i += 2;
		}
		else
			aws_buf_putc(&decoded, s[i]);
	}
	aws_uri_encode_append(&out, decoded.data ? decoded.data : "", decoded.len, true);
	aws_buf_free(&decoded);
	return aws_buf_release(&out);
}

/* ---------- canonical path ---------- */

/* Drop empty and "." segments, let ".." pop one; keep a trailing slash. */
static void
normalize_path(AwsBuf *out, const char *path)
{
	size_t		len = strlen(path);
	size_t		cap = 1;
	size_t		n = 0;
	size_t		i;
	const char **seg;
	size_t	   *seg_len;
	const char *s = path;

	for (i = 0; i < len; i++)
		if (path[i] == '/')
			cap++;
	seg = aws_malloc(cap * sizeof(char *));
	seg_len = aws_malloc(cap * sizeof(size_t));

	for (;;)
	{
		const char *slash = strchr(s, '/');
		size_t		slen = slash ? (size_t) (slash - s) : strlen(s);

		if (slen == 2 && s[0] == '.' && s[1] == '.')
		{
			if (n > 0)
				n--;
		}
		else if (slen > 0 && !(slen == 1 && s[0] == '.'))
		{
			seg[n] = s;
			seg_len[n++] = slen;
		}
		if (slash == NULL)
			break;
		s = slash + 1;
	}

	aws_buf_putc(out, '/');
	for (i = 0; i < n; i++)
	{
		aws_buf_append(out, seg[i], seg_len[i]);
		if (i + 1 < n || (len > 0 && path[len - 1] == '/'))
			aws_buf_putc(out, '/');
	}
	aws_free(seg);
	aws_free(seg_len);
}

static void
append_canonical_path(AwsBuf *out, const char *path, const SigV4Params *p)
{
	AwsBuf		normalized = AWS_BUF_INIT;

	if (p->normalize_path)
	{
		normalize_path(&normalized, path);
		path = normalized.data;
	}
	if (*path == '\0')
		path = "/";

	/*
	 * The path on the wire is already URI-encoded once; every service but
	 * S3 signs it encoded a second time.
	 */
	if (p->no_double_encode)
		aws_buf_puts(out, path);
	else
		aws_uri_encode_append(out, path, strlen(path), false);
	aws_buf_free(&normalized);
}

/* ---------- canonical query ---------- */

static void
query_add(QueryList *l, char *key, char *value)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = aws_realloc(l->items, l->cap * sizeof(QueryParam));
	}
	l->items[l->n].key = key;
	l->items[l->n].value = value;
	l->n++;
}

/* Add a signer-made parameter; value is encoded here */
static void
query_add_plain(QueryList *l, const char *key, const char *value)
{
	query_add(l, aws_strdup(key), aws_uri_encode(value, true));
}

static void
query_free(QueryList *l)
{
	int			i;

	for (i = 0; i < l->n; i++)
	{
		aws_free(l->items[i].key);
		aws_free_secret(l->items[i].value);
	}
	aws_free(l->items);
}

static bool
parse_query(const char *raw, QueryList *l, bool forbid_signing_params)
{
	const char *s = raw;

	while (*s)
	{
		const char *end = s + strcspn(s, "&");

		if (end > s)
		{
			const char *eq = memchr(s, '=', end - s);
			const char *key_end = eq ? eq : end;
			char	   *key = reencode(s, key_end - s);

			if (forbid_signing_params && in_list(signing_params, key))
			{
				aws_free(key);
				return false;
			}
			query_add(l, key, eq ? reencode(eq + 1, end - eq - 1) : aws_strdup(""));
		}
		s = *end ? end + 1 : end;
	}
	return true;
}

static int
query_cmp(const void *a, const void *b)
{
	const QueryParam *x = a;
	const QueryParam *y = b;
	int			c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->value, y->value);
}

/* ---------- canonical headers ---------- */

static char *
canonical_value(const char *v)
{
	AwsBuf		out = AWS_BUF_INIT;
	bool		pending_space = false;

	for (; *v; v++)
	{
		if (is_ws(*v))
			pending_space = out.len > 0;
		else
		{
			if (pending_space)
				aws_buf_putc(&out, ' ');
			pending_space = false;
			aws_buf_putc(&out, *v);
		}
	}
	return aws_buf_release(&out);
}

static char *
lowercase(const char *s)
{
	char	   *l = aws_strdup(s);
	char	   *p;

	for (p = l; *p; p++)
		*p = ascii_lower(*p);
	return l;
}

static int
header_cmp(const void *a, const void *b)
{
	const CanonHeader *x = a;
	const CanonHeader *y = b;
	int			c = strcmp(x->name, y->name);

	return c != 0 ? c : x->pos - y->pos;
}

static void
header_add(CanonHeader *h, int *n, const char *lname, const char *value, int pos)
{
	h[*n].name = aws_strdup(lname);
	h[*n].value = canonical_value(value);
	h[*n].pos = pos;
	(*n)++;
}

/*
 * Canonical header block ("name:value\n" per distinct name, duplicates'
 * values joined with ',' in order) and the signed header list.
 */
static const char *
build_headers(const SigV4Request *req, const SigV4Params *p,
			  const char *token, const SigV4Result *r,
			  AwsBuf *block, AwsBuf *signed_list)
{
	CanonHeader *h = aws_malloc((req->n_headers + 3) * sizeof(CanonHeader));
	const char *err = NULL;
	bool		have_host = false;
	bool		header_mode = p->mode == SIGV4_MODE_HEADER;
	int			n = 0;
	int			i;

	for (i = 0; i < req->n_headers; i++)
	{
		const SigV4Header *in = &req->headers[i];
		char	   *lname;

		if (in->name == NULL || in->value == NULL || !is_token(in->name))
		{
			err = "invalid header name or value";
			break;
		}
		lname = lowercase(in->name);
		if (strcmp(lname, "host") == 0)
			have_host = true;
		if (!in_list(unsigned_headers, lname) &&
			!(token && strcmp(lname, "x-amz-security-token") == 0) &&
			!(header_mode && p->sign_body &&
			  strcmp(lname, "x-amz-content-sha256") == 0))
			header_add(h, &n, lname, in->value, i);
		aws_free(lname);
	}
	if (err == NULL && !have_host)
		err = "request has no Host header";

	if (err == NULL)
	{
		/* in query mode the token travels as a query parameter instead */
		if (header_mode && token && !p->omit_session_token)
			header_add(h, &n, "x-amz-security-token", token, i++);
		if (header_mode)
			header_add(h, &n, "x-amz-date", r->amz_date, i++);
		if (header_mode && p->sign_body)
			header_add(h, &n, "x-amz-content-sha256", r->payload_hash, i++);

		qsort(h, n, sizeof(CanonHeader), header_cmp);
		for (i = 0; i < n; i++)
		{
			if (i == 0 || strcmp(h[i].name, h[i - 1].name) != 0)
			{
				if (i > 0)
				{
					aws_buf_putc(block, '\n');
					aws_buf_putc(signed_list, ';');
				}
				aws_buf_puts(block, h[i].name);
				aws_buf_putc(block, ':');
				aws_buf_puts(signed_list, h[i].name);
			}
			else
				aws_buf_putc(block, ',');
			aws_buf_puts(block, h[i].value);
		}
		aws_buf_putc(block, '\n');
	}

	for (i = 0; i < n; i++)
	{
		aws_free(h[i].name);
		aws_free_secret(h[i].value);
	}
	aws_free(h);
	return err;
}

/* ---------- signing key ---------- */

static bool
cache_id(const char *secret, const char *date8, const char *region,
		 const char *service, unsigned char id[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	bool		ok;

	/* NUL separators keep ("ab","c") and ("a","bc") apart */
	ok = ctx != NULL &&
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
		EVP_DigestUpdate(ctx, date8, strlen(date8) + 1) &&
		EVP_DigestUpdate(ctx, region, strlen(region) + 1) &&
		EVP_DigestUpdate(ctx, service, strlen(service) + 1) &&
		EVP_DigestUpdate(ctx, secret, strlen(secret)) &&
		EVP_DigestFinal_ex(ctx, id, &len) && len == 32;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static bool
derive_key(const char *secret, const char *date8, const char *region,
		   const char *service, unsigned char key[32])
{
	size_t		secret_len = strlen(secret);
	char	   *k_secret = aws_malloc(secret_len + 4);
	unsigned char k_date[32];
	unsigned char k_region[32];
	unsigned char k_service[32];
	bool		ok;

	memcpy(k_secret, "AWS4", 4);
	memcpy(k_secret + 4, secret, secret_len);
	ok = hmac_sha256(k_secret, secret_len + 4, date8, strlen(date8), k_date) &&
		hmac_sha256(k_date, 32, region, strlen(region), k_region) &&
		hmac_sha256(k_region, 32, service, strlen(service), k_service) &&
		hmac_sha256(k_service, 32, "aws4_request", 12, key);

	OPENSSL_cleanse(k_secret, secret_len + 4);
	OPENSSL_cleanse(k_date, sizeof(k_date));
	OPENSSL_cleanse(k_region, sizeof(k_region));
	OPENSSL_cleanse(k_service, sizeof(k_service));
	aws_free(k_secret);
	return ok;
}

static bool
signing_key(const char *secret, const char *date8, const char *region,
			const char *service, unsigned char key[32])
{
	unsigned char id[32];
	KeyCacheSlot *slot;
	int			i;

	if (!cache_id(secret, date8, region, service, id))
		return false;
	for (i = 0; i < KEY_CACHE_SLOTS; i++)
	{
		slot = &key_cache[i];
		if (slot->used && CRYPTO_memcmp(slot->id, id, 32) == 0)
		{
			memcpy(key, slot->key, 32);
			return true;
		}
	}
	if (!derive_key(secret, date8, region, service, key))
		return false;
	key_derivation_count++;

	slot = &key_cache[key_cache_next];
	key_cache_next = (key_cache_next + 1) % KEY_CACHE_SLOTS;
	OPENSSL_cleanse(slot, sizeof(KeyCacheSlot));
	memcpy(slot->id, id, 32);
	memcpy(slot->key, key, 32);
	slot->used = true;
	return true;
}

unsigned long
sigv4_key_derivations(void)
{
	return key_derivation_count;
}

void
sigv4_clear_key_cache(void)
{
	OPENSSL_cleanse(key_cache, sizeof(key_cache));
	key_cache_next = 0;
}

/* ---------- the signer ---------- */

static const char *
check_input(const SigV4Request *req, const SigV4Credentials *c,
			const SigV4Params *p)
{
	if (req == NULL || c == NULL || p == NULL)
		return "missing request, credentials or parameters";
	if (req->method == NULL || !is_token(req->method))
		return "invalid HTTP method";
	if (req->path == NULL)
		return "missing request path";
	if (req->n_headers < 0 || (req->n_headers > 0 && req->headers == NULL))
		return "invalid header list";
	if (req->body == NULL && req->body_len > 0)
		return "missing request body";
	if (!is_scope_part(c->access_key_id))
		return "invalid or missing access key id";
	if (c->secret_access_key == NULL || *c->secret_access_key == '\0')
		return "missing secret access key";
	if (!is_scope_part(p->region))
		return "invalid or missing signing region";
	if (!is_scope_part(p->service))
		return "invalid or missing signing service";
	if (p->mode != SIGV4_MODE_HEADER && p->mode != SIGV4_MODE_QUERY)
		return "invalid signing mode";
	if (p->mode == SIGV4_MODE_QUERY &&
		(p->expires < 1 || p->expires > SIGV4_MAX_EXPIRES))
		return "presigned URL expiry must be between 1 second and 7 days";
	return NULL;
}

SigV4Status
sigv4_sign(const SigV4Request *req, const SigV4Credentials *creds,
		   const SigV4Params *p, SigV4Result *r)
{
	const char *err;
	SigV4Status status = SIGV4_ERR_INVALID;
	const char *token;
	const char *raw_query;
	bool		query_mode;
	char		date8[9];
	char		expires[16];
	char		hash[65];
	unsigned char key[32];
	unsigned char sig[32];
	AwsBuf		scope = AWS_BUF_INIT;
	AwsBuf		credential = AWS_BUF_INIT;
	AwsBuf		header_block = AWS_BUF_INIT;
	AwsBuf		signed_list = AWS_BUF_INIT;
	AwsBuf		canon = AWS_BUF_INIT;
	AwsBuf		sts = AWS_BUF_INIT;
	AwsBuf		out = AWS_BUF_INIT;
	QueryList	query = {NULL, 0, 0};
	int			i;

	memset(r, 0, sizeof(SigV4Result));
	if ((err = check_input(req, creds, p)) != NULL)
		goto done;
	if (!sigv4_format_amz_date(p->signing_time, r->amz_date))
	{
		err = "signing time out of range";
		goto done;
	}
	query_mode = p->mode == SIGV4_MODE_QUERY;
	token = (creds->session_token && *creds->session_token) ? creds->session_token : NULL;
	raw_query = (req->query && *req->query) ? req->query : NULL;
	memcpy(date8, r->amz_date, 8);
	date8[8] = '\0';
	sigv4_hex_sha256(req->body ? req->body : "", req->body_len, r->payload_hash);

	aws_buf_puts(&scope, date8);
	aws_buf_putc(&scope, '/');
	aws_buf_puts(&scope, p->region);
	aws_buf_putc(&scope, '/');
	aws_buf_puts(&scope, p->service);
	aws_buf_puts(&scope, "/aws4_request");
	aws_buf_puts(&credential, creds->access_key_id);
	aws_buf_putc(&credential, '/');
	aws_buf_puts(&credential, scope.data);

	/* headers first: query mode needs the signed header list */
	if ((err = build_headers(req, p, token, r, &header_block, &signed_list)) != NULL)
		goto done;
	r->signed_headers = aws_strdup(signed_list.data);

	if (raw_query && !parse_query(raw_query, &query, query_mode))
	{
		err = "request query already carries SigV4 parameters";
		goto done;
	}
	snprintf(expires, sizeof(expires), "%d", p->expires);
	if (query_mode)
	{
		query_add_plain(&query, "X-Amz-Algorithm", SIGV4_ALGORITHM);
		query_add_plain(&query, "X-Amz-Credential", credential.data);
		query_add_plain(&query, "X-Amz-Date", r->amz_date);
		query_add_plain(&query, "X-Amz-Expires", expires);
		if (token && !p->omit_session_token)
			query_add_plain(&query, "X-Amz-Security-Token", token);
		query_add_plain(&query, "X-Amz-SignedHeaders", r->signed_headers);
	}
	if (query.n > 1)
		qsort(query.items, query.n, sizeof(QueryParam), query_cmp);

	/* canonical request */
	aws_buf_puts(&canon, req->method);
	aws_buf_putc(&canon, '\n');
	append_canonical_path(&canon, req->path, p);
	aws_buf_putc(&canon, '\n');
	for (i = 0; i < query.n; i++)
	{
		if (i > 0)
			aws_buf_putc(&canon, '&');
		aws_buf_puts(&canon, query.items[i].key);
		aws_buf_putc(&canon, '=');
		aws_buf_puts(&canon, query.items[i].value);
	}
	aws_buf_putc(&canon, '\n');
	aws_buf_append(&canon, header_block.data, header_block.len);
	aws_buf_putc(&canon, '\n');
	aws_buf_puts(&canon, r->signed_headers);
	aws_buf_putc(&canon, '\n');
	aws_buf_puts(&canon, r->payload_hash);

	/* string to sign */
	sigv4_hex_sha256(canon.data, canon.len, hash);
	aws_buf_puts(&sts, SIGV4_ALGORITHM "\n");
	aws_buf_puts(&sts, r->amz_date);
	aws_buf_putc(&sts, '\n');
	aws_buf_puts(&sts, scope.data);
	aws_buf_putc(&sts, '\n');
	aws_buf_puts(&sts, hash);

	if (!signing_key(creds->secret_access_key, date8, p->region, p->service, key) ||
		!hmac_sha256(key, 32, sts.data, sts.len, sig))
	{
		status = SIGV4_ERR_CRYPTO;
		err = "HMAC-SHA256 failed";
		goto done;
	}
	to_hex(sig, 32, r->signature);
	r->canonical_request = aws_buf_release(&canon);
	r->string_to_sign = aws_buf_release(&sts);

	if (query_mode)
	{
		if (raw_query)
		{
			aws_buf_puts(&out, raw_query);
			aws_buf_putc(&out, '&');
		}
		aws_buf_puts(&out, "X-Amz-Algorithm=" SIGV4_ALGORITHM "&X-Amz-Credential=");
		aws_uri_encode_append(&out, credential.data, credential.len, true);
		aws_buf_puts(&out, "&X-Amz-Date=");
		aws_buf_puts(&out, r->amz_date);
		aws_buf_puts(&out, "&X-Amz-SignedHeaders=");
		aws_uri_encode_append(&out, r->signed_headers, strlen(r->signed_headers), true);
		aws_buf_puts(&out, "&X-Amz-Expires=");
		aws_buf_puts(&out, expires);
		if (token)
		{
			aws_buf_puts(&out, "&X-Amz-Security-Token=");
			aws_uri_encode_append(&out, token, strlen(token), true);
		}
		aws_buf_puts(&out, "&X-Amz-Signature=");
		aws_buf_puts(&out, r->signature);
		r->query = aws_buf_release(&out);
	}
	else
	{
		if (token)
		{
			r->token = aws_strdup(token);
			r->add_headers[r->n_add_headers].name = "X-Amz-Security-Token";
			r->add_headers[r->n_add_headers++].value = r->token;
		}
		r->add_headers[r->n_add_headers].name = "X-Amz-Date";
		r->add_headers[r->n_add_headers++].value = r->amz_date;
		if (p->sign_body)
		{
			r->add_headers[r->n_add_headers].name = "x-amz-content-sha256";
			r->add_headers[r->n_add_headers++].value = r->payload_hash;
		}
		aws_buf_puts(&out, SIGV4_ALGORITHM " Credential=");
		aws_buf_puts(&out, credential.data);
		aws_buf_puts(&out, ", SignedHeaders=");
		aws_buf_puts(&out, r->signed_headers);
		aws_buf_puts(&out, ", Signature=");
		aws_buf_puts(&out, r->signature);
		r->authorization = aws_buf_release(&out);
	}
	status = SIGV4_OK;

done:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(sig, sizeof(sig));
	aws_buf_free(&scope);
	aws_buf_free(&credential);
	aws_buf_free(&header_block);
	aws_buf_free(&signed_list);
	aws_buf_free(&canon);
	aws_buf_free(&sts);
	aws_buf_free(&out);
	query_free(&query);
	if (status != SIGV4_OK)
	{
		sigv4_result_free(r);
		r->error = err;
	}
	return status;
}

void
sigv4_result_free(SigV4Result *r)
{
	if (r == NULL)
		return;
	aws_free_secret(r->canonical_request);
	aws_free_secret(r->string_to_sign);
	aws_free(r->signed_headers);
	aws_free_secret(r->authorization);
	aws_free_secret(r->query);
	aws_free_secret(r->token);
	/* zero-fills: the signature is secret too */
	OPENSSL_cleanse(r, sizeof(SigV4Result));
}

SigV4Status
sigv4_presign_url(const char *url, const SigV4Credentials *creds,
				  const char *region, const char *service,
				  time_t signing_time, int expires,
				  char **url_out, const char **errmsg)
{
	const char *rest;
	const char *path_end;
	size_t		authority_len;
	char	   *host;
	char	   *path;
	SigV4Header host_header;
	SigV4Request req;
	SigV4Params p;
	SigV4Result r;
	SigV4Status status;
	AwsBuf		out = AWS_BUF_INIT;

	*url_out = NULL;
	*errmsg = NULL;
	if (url == NULL)
		rest = NULL;
	else if (strncmp(url, "https://", 8) == 0)
		rest = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		rest = url + 7;
	else
		rest = NULL;
	if (rest == NULL)
	{
		*errmsg = "URL to presign must start with https:// or http://";
		return SIGV4_ERR_INVALID;
	}
	authority_len = strcspn(rest, "/?#");
	if (authority_len == 0 || memchr(rest, '@', authority_len) || strchr(rest, '#'))
	{
		*errmsg = "URL to presign needs a host, and no user info or fragment";
		return SIGV4_ERR_INVALID;
	}
	path_end = rest + authority_len + strcspn(rest + authority_len, "?");

	host = aws_strndup(rest, authority_len);
	path = aws_strndup(rest + authority_len, path_end - (rest + authority_len));
	host_header.name = "Host";
	host_header.value = host;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = *path ? path : "/";
	req.query = *path_end == '?' ? path_end + 1 : NULL;
	req.headers = &host_header;
	req.n_headers = 1;
	memset(&p, 0, sizeof(p));
	p.mode = SIGV4_MODE_QUERY;
	p.region = region;
	p.service = service;
	p.signing_time = signing_time;
	p.normalize_path = true;
	p.expires = expires;

	status = sigv4_sign(&req, creds, &p, &r);
	if (status == SIGV4_OK)
	{
		aws_buf_append(&out, url, rest + authority_len - url);
		aws_buf_puts(&out, req.path);
		aws_buf_putc(&out, '?');
		aws_buf_puts(&out, r.query);
		*url_out = aws_buf_release(&out);
	}
	else
		*errmsg = r.error;
	sigv4_result_free(&r);
	aws_free(host);
	aws_free(path);
	return status;
}

/* ---------- hashing and time ---------- */

void
sigv4_hex_sha256(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	/* only fails on allocation failure inside libcrypto */
	if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32)
		abort();
	to_hex(md, 32, out);
}

bool
sigv4_format_amz_date(time_t t, char out[17])
{
	struct tm	tm;

	/* four-digit years only, as the format has it */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1000 ||
		tm.tm_year + 1900 > 9999)
		return false;
	return strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) == 16;
}

/* n decimal digits at s, or -1 */
static int
read_digits(const char *s, int n)
{
	int			v = 0;

	for (; n > 0; n--, s++)
	{
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static long long
days_from_civil(int y, int m, int d)
{
	long long	era;
	int			yoe;
	int			doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (int) (y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

bool
sigv4_parse_time(const char *s, time_t *out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			Y, M, D, h, m, sec;
	const char *tail;
	bool		leap;

	if (s == NULL)
		return false;
	if (strlen(s) == 16 && s[8] == 'T')
	{
		/* 20150830T123600Z */
		Y = read_digits(s, 4);
		M = read_digits(s + 4, 2);
		D = read_digits(s + 6, 2);
		h = read_digits(s + 9, 2);
		m = read_digits(s + 11, 2);
		sec = read_digits(s + 13, 2);
		tail = s + 15;
	}
	else
	{
		/* 2015-08-30T12:36:00[.fff]Z */
		if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
			s[13] != ':' || s[16] != ':')
			return false;
		Y = read_digits(s, 4);
		M = read_digits(s + 5, 2);
		D = read_digits(s + 8, 2);
		h = read_digits(s + 11, 2);
		m = read_digits(s + 14, 2);
		sec = read_digits(s + 17, 2);
		tail = s + 19;
		if (*tail == '.')
			for (tail++; *tail >= '0' && *tail <= '9'; tail++)
				;
	}
	if (Y < 0 || M < 1 || M > 12 || D < 1 || h < 0 || h > 23 ||
		m < 0 || m > 59 || sec < 0 || sec > 59 || strcmp(tail, "Z") != 0)
		return false;
	leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
	if (D > mdays[M - 1] + (M == 2 && leap))
		return false;
	*out = (time_t) (days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec);
	return true;
}
