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

/* Requests with at most this many headers sort them on the stack. */
#define LOCAL_HEADERS	16
/* ... and canonicalise names and values into this many bytes there. */
#define LOCAL_TEXT		1024

/*
 * Derived signing keys.  A slot is found by a SHA-256 over date, region,
 * service and secret, so the secret itself is never stored.  What is kept
 * of the key are the two SHA-256 states HMAC starts from (key ^ ipad and
 * key ^ opad absorbed), so that signing with it costs two digest copies
 * instead of a fresh HMAC set-up per signature.
 */
typedef struct KeyCacheSlot
{
	bool		used;
	unsigned char id[32];
	EVP_MD_CTX *inner;
	EVP_MD_CTX *outer;
} KeyCacheSlot;

static KeyCacheSlot key_cache[KEY_CACHE_SLOTS];
static int	key_cache_next;
static unsigned long key_derivation_count;

/*
 * libcrypto 3 looks the algorithm up again on every implicit use
 * (EVP_sha256() handed to EVP_Digest() or HMAC()) and allocates a context
 * per call: SHA-256 is fetched once, and one digest context serves every
 * hash for the life of the process.  Nothing runs in parallel here.
 */
static EVP_MD *sha256_md;
static EVP_MD_CTX *digest_ctx;

/* A header as it enters the canonical request */
typedef struct CanonHeader
{
	const char *name;			/* lowercased */
	size_t		name_len;
	const char *value;			/* trimmed, whitespace runs folded */
	size_t		value_len;
} CanonHeader;

/*
 * The signed headers, sorted by name (duplicates in their original
 * order), with their names and values in one block of text: no allocation
 * per header, and only one buffer to wipe (values may hold the token).
 */
typedef struct HeaderSet
{
	CanonHeader *h;
	int			n;
	char	   *text;
	size_t		text_cap;
	size_t		block_len;		/* "name:value\n" lines, joined duplicates */
	size_t		signed_len;		/* "name;name" */
	CanonHeader local_h[LOCAL_HEADERS];
	char		local_text[LOCAL_TEXT];
} HeaderSet;

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

/* "date/region/service/aws4_request" in pieces */
typedef struct Scope
{
	char		date8[9];
	const char *region;
	size_t		region_len;
	const char *service;
	size_t		service_len;
	size_t		len;
} Scope;

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

#define SCOPE_TERMINATOR	"/aws4_request"
#define AUTH_PREFIX			SIGV4_ALGORITHM " Credential="
#define AUTH_SIGNED			", SignedHeaders="
#define AUTH_SIGNATURE		", Signature="

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

/* s[0..len) is one of list's (lowercase) entries */
static bool
in_lower_list(const char *const *list, const char *s, size_t len)
{
	for (; *list; list++)
		if (strncmp(*list, s, len) == 0 && (*list)[len] == '\0')
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
			  (c >= '0' && c <= '9') || c == '-' ||
			  strchr("!#$%&'*+.^_`|~", c)))
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

/* Copy n bytes to w; returns the end */
static char *
put(char *w, const char *s, size_t n)
{
	memcpy(w, s, n);
	return w + n;
}

static char *
put_scope(char *w, const Scope *sc)
{
	w = put(w, sc->date8, 8);
	*w++ = '/';
	w = put(w, sc->region, sc->region_len);
	*w++ = '/';
	w = put(w, sc->service, sc->service_len);
	return put(w, SCOPE_TERMINATOR, strlen(SCOPE_TERMINATOR));
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

/* ---------- SHA-256 and HMAC ---------- */

static bool
crypto_ready(void)
{
	if (digest_ctx != NULL)
		return true;
	if (sha256_md == NULL &&
		(sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return false;
	digest_ctx = EVP_MD_CTX_new();
	return digest_ctx != NULL;
}

static bool
sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int out_len = 0;

	return crypto_ready() &&
		EVP_DigestInit_ex2(digest_ctx, sha256_md, NULL) &&
		EVP_DigestUpdate(digest_ctx, data, len) &&
		EVP_DigestFinal_ex(digest_ctx, out, &out_len) && out_len == 32;
}

static bool
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];

	if (!sha256(data, len, md))
		return false;
	to_hex(md, 32, out);
	return true;
}

/* Only used to derive keys, once a day per key: the plain HMAC() will do */
static bool
hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
			unsigned char out[32])
{
	unsigned int out_len = 0;

	return crypto_ready() &&
		HMAC(sha256_md, key, (int) key_len, data, len, out, &out_len) != NULL &&
		out_len == 32;
}

/* Start a slot's two HMAC states from a 32-byte key (RFC 2104). */
static bool
hmac_states_set(KeyCacheSlot *slot, const unsigned char key[32])
{
	unsigned char pad[64];
	bool		ok;
	int			i;

	if (slot->inner == NULL)
		slot->inner = EVP_MD_CTX_new();
	if (slot->outer == NULL)
		slot->outer = EVP_MD_CTX_new();
	if (slot->inner == NULL || slot->outer == NULL)
		return false;

	for (i = 0; i < 64; i++)
		pad[i] = (unsigned char) ((i < 32 ? key[i] : 0) ^ 0x36);
	ok = EVP_DigestInit_ex2(slot->inner, sha256_md, NULL) &&
		EVP_DigestUpdate(slot->inner, pad, 64);
	for (i = 0; i < 64; i++)
		pad[i] = (unsigned char) ((i < 32 ? key[i] : 0) ^ 0x5c);
	ok = ok && EVP_DigestInit_ex2(slot->outer, sha256_md, NULL) &&
		EVP_DigestUpdate(slot->outer, pad, 64);
	OPENSSL_cleanse(pad, sizeof(pad));
	return ok;
}

/* HMAC-SHA256 of data with a cached key's states */
static bool
hmac_with_slot(const KeyCacheSlot *slot, const void *data, size_t len,
			   unsigned char out[32])
{
	unsigned char inner[32];
	unsigned int n = 0;
	bool		ok;

	ok = EVP_MD_CTX_copy_ex(digest_ctx, slot->inner) &&
		EVP_DigestUpdate(digest_ctx, data, len) &&
		EVP_DigestFinal_ex(digest_ctx, inner, &n) && n == 32 &&
		EVP_MD_CTX_copy_ex(digest_ctx, slot->outer) &&
		EVP_DigestUpdate(digest_ctx, inner, 32) &&
		EVP_DigestFinal_ex(digest_ctx, out, &n) && n == 32;
	OPENSSL_cleanse(inner, sizeof(inner));
	/* restarting the shared context wipes what it held of the signature */
	return EVP_DigestInit_ex2(digest_ctx, sha256_md, NULL) && ok;
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

/* Trim and fold whitespace runs of v into dst; returns the length. */
static size_t
put_canonical_value(char *dst, const char *v)
{
	size_t		n = 0;
	bool		pending_space = false;

	for (; *v; v++)
	{
		/* every whitespace character sorts at or below ' ' */
		if ((unsigned char) *v <= ' ' && is_ws(*v))
			pending_space = n > 0;
		else
		{
			if (pending_space)
				dst[n++] = ' ';
			pending_space = false;
			dst[n++] = *v;
		}
	}
	return n;
}

static int
name_cmp(const CanonHeader *x, const CanonHeader *y)
{
	size_t		n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int			c = memcmp(x->name, y->name, n);

	if (c != 0)
		return c;
	return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

/* Append a header: name already lowercased in place at hs->text + *used */
static void
header_add(HeaderSet *hs, size_t *used, size_t name_len, const char *value)
{
	CanonHeader *h = &hs->h[hs->n++];

	h->name = hs->text + *used;
	h->name_len = name_len;
	*used += name_len;
	h->value = hs->text + *used;
	h->value_len = put_canonical_value(hs->text + *used, value);
	*used += h->value_len;
}

static void
header_add_named(HeaderSet *hs, size_t *used, const char *lname, const char *value)
{
	size_t		len = strlen(lname);

	memcpy(hs->text + *used, lname, len);
	header_add(hs, used, len, value);
}

static void
headers_free(HeaderSet *hs)
{
	if (hs->text != NULL)
		OPENSSL_cleanse(hs->text, hs->text_cap);
	if (hs->text != hs->local_text)
		aws_free(hs->text);
	if (hs->h != hs->local_h)
		aws_free(hs->h);
	hs->text = NULL;
	hs->h = NULL;
}

/*
 * The headers to sign: lowercased, canonical values, sorted by name with
 * duplicates kept in order, and the lengths of the canonical header block
 * ("name:value\n" per distinct name, duplicates' values joined with ',')
 * and of the signed header list.
 */
static const char *
collect_headers(const SigV4Request *req, const SigV4Params *p,
				const char *token, const SigV4Result *r, HeaderSet *hs)
{
	bool		header_mode = p->mode == SIGV4_MODE_HEADER;
	bool		add_token = header_mode && token && !p->omit_session_token;
	bool		add_hash = header_mode && p->sign_body;
	bool		have_host = false;
	size_t		need = 0;
	size_t		used = 0;
	int			i;

	hs->n = 0;
	hs->text = NULL;
	hs->h = NULL;
	for (i = 0; i < req->n_headers; i++)
	{
		const SigV4Header *in = &req->headers[i];

		if (in->name == NULL || in->value == NULL || !is_token(in->name))
			return "invalid header name or value";
		need += strlen(in->name) + strlen(in->value);
	}
	/* what the signer adds: names, date, hash and token */
	need += 64 + sizeof(r->amz_date) + sizeof(r->payload_hash) +
		(add_token ? strlen(token) : 0);

	hs->text_cap = need;
	hs->text = need <= LOCAL_TEXT ? hs->local_text : aws_malloc(need);
	hs->h = req->n_headers + 3 <= LOCAL_HEADERS ? hs->local_h :
		aws_malloc((req->n_headers + 3) * sizeof(CanonHeader));

	for (i = 0; i < req->n_headers; i++)
	{
		const SigV4Header *in = &req->headers[i];
		char	   *lname = hs->text + used;
		size_t		len;

		for (len = 0; in->name[len]; len++)
			lname[len] = ascii_lower(in->name[len]);
		if (len == 4 && memcmp(lname, "host", 4) == 0)
			have_host = true;
		if (in_lower_list(unsigned_headers, lname, len) ||
			(token && len == 20 && memcmp(lname, "x-amz-security-token", 20) == 0) ||
			(add_hash && len == 20 && memcmp(lname, "x-amz-content-sha256", 20) == 0))
			continue;
		header_add(hs, &used, len, in->value);
	}
	if (!have_host)
		return "request has no Host header";

	/* in query mode the token travels as a query parameter instead */
	if (add_token)
		header_add_named(hs, &used, "x-amz-security-token", token);
	if (header_mode)
		header_add_named(hs, &used, "x-amz-date", r->amz_date);
	if (add_hash)
		header_add_named(hs, &used, "x-amz-content-sha256", r->payload_hash);

	/* insertion sort: stable, and a request signs a handful of headers */
	for (i = 1; i < hs->n; i++)
	{
		CanonHeader cur = hs->h[i];
		int			j = i - 1;

		while (j >= 0 && name_cmp(&hs->h[j], &cur) > 0)
		{
			hs->h[j + 1] = hs->h[j];
			j--;
		}
		hs->h[j + 1] = cur;
	}

	hs->block_len = 0;
	hs->signed_len = 0;
	for (i = 0; i < hs->n; i++)
	{
		if (i == 0 || name_cmp(&hs->h[i], &hs->h[i - 1]) != 0)
		{
			hs->block_len += hs->h[i].name_len + 2; /* ':' and '\n' */
			hs->signed_len += hs->h[i].name_len + (i > 0);
		}
		else
			hs->block_len++;	/* ',' */
		hs->block_len += hs->h[i].value_len;
	}
	return NULL;
}

static char *
put_header_block(char *w, const HeaderSet *hs)
{
	int			i;

	for (i = 0; i < hs->n; i++)
	{
		if (i == 0 || name_cmp(&hs->h[i], &hs->h[i - 1]) != 0)
		{
			if (i > 0)
				*w++ = '\n';
			w = put(w, hs->h[i].name, hs->h[i].name_len);
			*w++ = ':';
		}
		else
			*w++ = ',';
		w = put(w, hs->h[i].value, hs->h[i].value_len);
	}
	*w++ = '\n';
	return w;
}

static char *
signed_header_list(const HeaderSet *hs)
{
	char	   *s = aws_malloc(hs->signed_len + 1);
	char	   *w = s;
	int			i;

	for (i = 0; i < hs->n; i++)
	{
		if (i > 0 && name_cmp(&hs->h[i], &hs->h[i - 1]) == 0)
			continue;
		if (i > 0)
			*w++ = ';';
		w = put(w, hs->h[i].name, hs->h[i].name_len);
	}
	*w = '\0';
	return s;
}

/* ---------- signing key ---------- */

static bool
cache_id(const char *secret, const Scope *sc, unsigned char id[32])
{
	unsigned int len = 0;

	/* NUL separators keep ("ab","c") and ("a","bc") apart */
	return EVP_DigestInit_ex2(digest_ctx, sha256_md, NULL) &&
		EVP_DigestUpdate(digest_ctx, sc->date8, 9) &&
		EVP_DigestUpdate(digest_ctx, sc->region, sc->region_len + 1) &&
		EVP_DigestUpdate(digest_ctx, sc->service, sc->service_len + 1) &&
		EVP_DigestUpdate(digest_ctx, secret, strlen(secret)) &&
		EVP_DigestFinal_ex(digest_ctx, id, &len) && len == 32;
}

static bool
derive_key(const char *secret, const Scope *sc, unsigned char key[32])
{
	size_t		secret_len = strlen(secret);
	char	   *k_secret = aws_malloc(secret_len + 4);
	unsigned char k_date[32];
	unsigned char k_region[32];
	unsigned char k_service[32];
	bool		ok;

	memcpy(k_secret, "AWS4", 4);
	memcpy(k_secret + 4, secret, secret_len);
	ok = hmac_sha256(k_secret, secret_len + 4, sc->date8, 8, k_date) &&
		hmac_sha256(k_date, 32, sc->region, sc->region_len, k_region) &&
		hmac_sha256(k_region, 32, sc->service, sc->service_len, k_service) &&
		hmac_sha256(k_service, 32, "aws4_request", 12, key);

	OPENSSL_cleanse(k_secret, secret_len + 4);
	OPENSSL_cleanse(k_date, sizeof(k_date));
	OPENSSL_cleanse(k_region, sizeof(k_region));
	OPENSSL_cleanse(k_service, sizeof(k_service));
	aws_free(k_secret);
	return ok;
}

/* The cache slot holding this scope's signing key, derived if need be */
static KeyCacheSlot *
signing_key(const char *secret, const Scope *sc)
{
	unsigned char id[32];
	unsigned char key[32];
	KeyCacheSlot *slot;
	bool		ok;
	int			i;

	if (!cache_id(secret, sc, id))
		return NULL;
	for (i = 0; i < KEY_CACHE_SLOTS; i++)
	{
		slot = &key_cache[i];
		if (slot->used && CRYPTO_memcmp(slot->id, id, 32) == 0)
			return slot;
	}
	if (!derive_key(secret, sc, key))
		return NULL;
	key_derivation_count++;

	slot = &key_cache[key_cache_next];
	key_cache_next = (key_cache_next + 1) % KEY_CACHE_SLOTS;
	slot->used = false;
	ok = hmac_states_set(slot, key);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok)
		return NULL;
	memcpy(slot->id, id, 32);
	slot->used = true;
	return slot;
}

unsigned long
sigv4_key_derivations(void)
{
	return key_derivation_count;
}

void
sigv4_clear_key_cache(void)
{
	int			i;

	/* freeing a digest context wipes its state */
	for (i = 0; i < KEY_CACHE_SLOTS; i++)
	{
		EVP_MD_CTX_free(key_cache[i].inner);
		EVP_MD_CTX_free(key_cache[i].outer);
	}
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

/* The canonical query string of a sorted list; "" when empty */
static void
append_canonical_query(AwsBuf *out, const QueryList *query)
{
	int			i;

	for (i = 0; i < query->n; i++)
	{
		if (i > 0)
			aws_buf_putc(out, '&');
		aws_buf_puts(out, query->items[i].key);
		aws_buf_putc(out, '=');
		aws_buf_puts(out, query->items[i].value);
	}
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
	char		expires[16];
	char		hash[65];
	unsigned char sig[32];
	Scope		sc;
	HeaderSet	hs;
	KeyCacheSlot *key;
	const char *path;
	size_t		path_len;
	size_t		method_len;
	size_t		key_id_len;
	size_t		len;
	char	   *w;
	AwsBuf		credential = AWS_BUF_INIT;
	AwsBuf		canon_path = AWS_BUF_INIT;
	AwsBuf		canon_query = AWS_BUF_INIT;
	AwsBuf		out = AWS_BUF_INIT;
	QueryList	query = {NULL, 0, 0};

	memset(r, 0, sizeof(SigV4Result));
	hs.text = NULL;
	hs.h = NULL;
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

	memcpy(sc.date8, r->amz_date, 8);
	sc.date8[8] = '\0';
	sc.region = p->region;
	sc.region_len = strlen(p->region);
	sc.service = p->service;
	sc.service_len = strlen(p->service);
	sc.len = 8 + 1 + sc.region_len + 1 + sc.service_len + strlen(SCOPE_TERMINATOR);
	key_id_len = strlen(creds->access_key_id);

	if (!sha256_hex(req->body ? req->body : "", req->body_len, r->payload_hash))
	{
		status = SIGV4_ERR_CRYPTO;
		err = "SHA-256 failed";
		goto done;
	}

	/* headers first: query mode needs the signed header list */
	if ((err = collect_headers(req, p, token, r, &hs)) != NULL)
		goto done;
	r->signed_headers = signed_header_list(&hs);

	if (raw_query && !parse_query(raw_query, &query, query_mode))
	{
		err = "request query already carries SigV4 parameters";
		goto done;
	}
	if (query_mode)
	{
		snprintf(expires, sizeof(expires), "%d", p->expires);
		aws_buf_reserve(&credential, key_id_len + 1 + sc.len);
		aws_buf_append(&credential, creds->access_key_id, key_id_len);
		aws_buf_putc(&credential, '/');
		credential.len = put_scope(credential.data + credential.len, &sc) - credential.data;
		credential.data[credential.len] = '\0';

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
	append_canonical_query(&canon_query, &query);

	/* "/" needs no normalising or encoding; it is every Query API call's */
	if (req->path[0] == '\0' || (req->path[0] == '/' && req->path[1] == '\0'))
	{
		path = "/";
		path_len = 1;
	}
	else
	{
		append_canonical_path(&canon_path, req->path, p);
		path = canon_path.data;
		path_len = canon_path.len;
	}

	/* canonical request, in one allocation of its exact size */
	method_len = strlen(req->method);
	len = method_len + 1 + path_len + 1 + canon_query.len + 1 +
		hs.block_len + 1 + hs.signed_len + 1 + 64;
	r->canonical_request = w = aws_malloc(len + 1);
	w = put(w, req->method, method_len);
	*w++ = '\n';
	w = put(w, path, path_len);
	*w++ = '\n';
	if (canon_query.len > 0)
		w = put(w, canon_query.data, canon_query.len);
	*w++ = '\n';
	w = put_header_block(w, &hs);
	*w++ = '\n';
	w = put(w, r->signed_headers, hs.signed_len);
	*w++ = '\n';
	w = put(w, r->payload_hash, 64);
	*w = '\0';

	/* string to sign */
	if (!sha256_hex(r->canonical_request, len, hash))
	{
		status = SIGV4_ERR_CRYPTO;
		err = "SHA-256 failed";
		goto done;
	}
	len = strlen(SIGV4_ALGORITHM) + 1 + 16 + 1 + sc.len + 1 + 64;
	r->string_to_sign = w = aws_malloc(len + 1);
	w = put(w, SIGV4_ALGORITHM "\n", strlen(SIGV4_ALGORITHM) + 1);
	w = put(w, r->amz_date, 16);
	*w++ = '\n';
	w = put_scope(w, &sc);
	*w++ = '\n';
	w = put(w, hash, 64);
	*w = '\0';

	if ((key = signing_key(creds->secret_access_key, &sc)) == NULL ||
		!hmac_with_slot(key, r->string_to_sign, len, sig))
	{
		status = SIGV4_ERR_CRYPTO;
		err = "HMAC-SHA256 failed";
		goto done;
	}
	to_hex(sig, 32, r->signature);

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
		aws_uri_encode_append(&out, r->signed_headers, hs.signed_len, true);
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
		len = strlen(AUTH_PREFIX) + key_id_len + 1 + sc.len +
			strlen(AUTH_SIGNED) + hs.signed_len + strlen(AUTH_SIGNATURE) + 64;
		r->authorization = w = aws_malloc(len + 1);
		w = put(w, AUTH_PREFIX, strlen(AUTH_PREFIX));
		w = put(w, creds->access_key_id, key_id_len);
		*w++ = '/';
		w = put_scope(w, &sc);
		w = put(w, AUTH_SIGNED, strlen(AUTH_SIGNED));
		w = put(w, r->signed_headers, hs.signed_len);
		w = put(w, AUTH_SIGNATURE, strlen(AUTH_SIGNATURE));
		w = put(w, r->signature, 64);
		*w = '\0';
	}
	status = SIGV4_OK;

done:
	OPENSSL_cleanse(sig, sizeof(sig));
	headers_free(&hs);
	aws_buf_free(&credential);
	aws_buf_free(&canon_path);
	aws_buf_free(&canon_query);
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
	/* only fails on allocation failure inside libcrypto */
	if (!sha256_hex(data, len, out))
		abort();
}

/* n decimal digits of v at w */
static void
put_digits(char *w, int v, int n)
{
	while (n-- > 0)
	{
		w[n] = (char) ('0' + v % 10);
		v /= 10;
	}
}

bool
sigv4_format_amz_date(time_t t, char out[17])
{
	struct tm	tm;
	int			year;

	/* four-digit years only, as the format has it */
	if (gmtime_r(&t, &tm) == NULL)
		return false;
	year = tm.tm_year + 1900;
	if (year < 1000 || year > 9999)
		return false;
	put_digits(out, year, 4);
	put_digits(out + 4, tm.tm_mon + 1, 2);
	put_digits(out + 6, tm.tm_mday, 2);
	out[8] = 'T';
	put_digits(out + 9, tm.tm_hour, 2);
	put_digits(out + 11, tm.tm_min, 2);
	put_digits(out + 13, tm.tm_sec, 2);
	out[15] = 'Z';
	out[16] = '\0';
	return true;
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
