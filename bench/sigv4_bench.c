/*
 * sigv4_bench.c
 *		Signatures per second of a typical RDS CreateDBSnapshot POST, as the
 *		extension signs it (src/aws/client.c send_once: header signing, Host
 *		and Content-Type signed, signing key cached), next to
 *
 *		- the floor: the crypto no SigV4 signer can avoid for that request
 *		  (SHA-256 of the body, SHA-256 of the canonical request, HMAC-SHA256
 *		  of the string to sign with the cached key), with the canonical
 *		  request and string to sign already built;
 *		- botocore's SigV4Auth.add_auth on the same request, in
 *		  /usr/bin/python3, measured in the same run (sigv4_botocore.py).
 *
 * Usage: sigv4_bench [SECONDS [BOTOCORE_SCRIPT]]
 * (SECONDS per measurement, default 2; no script: botocore is skipped)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws/alloc.h"
#include "aws/query.h"
#include "aws/sigv4.h"

#define KEY_ID	"AKIAEMULATOR00000001"
#define SECRET	"emulator/secret/key/0000000000000000001"
#define HOST	"rds.us-east-1.amazonaws.com"
#define CTYPE	"application/x-www-form-urlencoded; charset=utf-8"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "sigv4_bench: %s\n", what);
	exit(1);
}

/* The body rds_snapshot() sends: instance, snapshot, caller's + own tags */
static char *
create_snapshot_body(size_t *len)
{
	AwsQuery   *q = aws_query_new("CreateDBSnapshot", "2014-10-31");
	const char *keys[] = {"team", "rds-backup:created-by", "rds-backup:operation"};
	const char *values[] = {"payments", "postgres", "12345"};
	char	   *body;

	aws_query_add(q, "DBInstanceIdentifier", "orders-prod");
	aws_query_add(q, "DBSnapshotIdentifier", "orders-prod-2024-06-01-03-00-00");
	aws_query_add_tags(q, "Tags", "Tag", keys, values, 3);
	body = aws_query_body(q, len);
	aws_query_free(q);
	return body;
}

static SigV4Status
sign_once(const char *body, size_t body_len, SigV4Result *res)
{
	SigV4Header hdrs[2] = {{"Host", HOST}, {"Content-Type", CTYPE}};
	SigV4Request req;
	SigV4Credentials creds = {KEY_ID, SECRET, NULL};
	SigV4Params sp;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "/";
	req.headers = hdrs;
	req.n_headers = 2;
	req.body = body;
	req.body_len = body_len;

	memset(&sp, 0, sizeof(sp));
	sp.mode = SIGV4_MODE_HEADER;
	sp.region = "us-east-1";
	sp.service = "rds";
	sp.signing_time = time(NULL);
	sp.normalize_path = true;
	return sigv4_sign(&req, &creds, &sp, res);
}

static void
hmac(const void *key, size_t key_len, const void *data, size_t len,
	 unsigned char out[32])
{
	unsigned int out_len = 0;

	if (!HMAC(EVP_sha256(), key, (int) key_len, data, len, out, &out_len))
		die("HMAC failed");
}

static void
hex(const unsigned char *d, int n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	int			i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * The floor's crypto, done the cheapest way libcrypto offers: SHA-256
 * fetched once, one reused digest context, and HMAC started from the two
 * precomputed states of the signing key (key ^ ipad, key ^ opad).
 */
typedef struct Floor
{
	EVP_MD	   *md;
	EVP_MD_CTX *ctx;
	EVP_MD_CTX *inner;
	EVP_MD_CTX *outer;
} Floor;

static void
floor_init(Floor *f, const unsigned char key[32])
{
	unsigned char ipad[64];
	unsigned char opad[64];
	int			i;

	for (i = 0; i < 64; i++)
	{
		ipad[i] = (i < 32 ? key[i] : 0) ^ 0x36;
		opad[i] = (i < 32 ? key[i] : 0) ^ 0x5c;
	}
	f->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	f->ctx = EVP_MD_CTX_new();
	f->inner = EVP_MD_CTX_new();
	f->outer = EVP_MD_CTX_new();
	if (!f->md || !f->ctx || !f->inner || !f->outer ||
		!EVP_DigestInit_ex2(f->inner, f->md, NULL) ||
		!EVP_DigestUpdate(f->inner, ipad, 64) ||
		!EVP_DigestInit_ex2(f->outer, f->md, NULL) ||
		!EVP_DigestUpdate(f->outer, opad, 64))
		die("cannot set up SHA-256");
}

static void
floor_free(Floor *f)
{
	EVP_MD_CTX_free(f->ctx);
	EVP_MD_CTX_free(f->inner);
	EVP_MD_CTX_free(f->outer);
	EVP_MD_free(f->md);
}

static void
floor_sha256(Floor *f, const void *data, size_t len, unsigned char out[32])
{
	if (!EVP_DigestInit_ex2(f->ctx, f->md, NULL) ||
		!EVP_DigestUpdate(f->ctx, data, len) ||
		!EVP_DigestFinal_ex(f->ctx, out, NULL))
		die("SHA-256 failed");
}

/*
 * The floor's one signature: the three hashes, with hex encoding of the
 * two digests that go into the next step (a signer cannot skip that).
 */
static void
floor_once(Floor *f, const char *body, size_t body_len, const char *creq,
		   size_t creq_len, const char *sts, size_t sts_len, char sig[65])
{
	unsigned char d[32];
	char		payload_hex[65];
	char		creq_hex[65];

	floor_sha256(f, body, body_len, d);
	hex(d, 32, payload_hex);
	floor_sha256(f, creq, creq_len, d);
	hex(d, 32, creq_hex);
	if (!EVP_MD_CTX_copy_ex(f->ctx, f->inner) ||
		!EVP_DigestUpdate(f->ctx, sts, sts_len) ||
		!EVP_DigestFinal_ex(f->ctx, d, NULL) ||
		!EVP_MD_CTX_copy_ex(f->ctx, f->outer) ||
		!EVP_DigestUpdate(f->ctx, d, 32) ||
		!EVP_DigestFinal_ex(f->ctx, d, NULL))
		die("HMAC failed");
	hex(d, 32, sig);
	/* keep the compiler from dropping the work */
	if (payload_hex[0] == 'x' || creq_hex[0] == 'x')
		die("impossible");
}

int
main(int argc, char **argv)
{
	double		seconds = argc > 1 ? atof(argv[1]) : 2.0;
	const char *script = argc > 2 ? argv[2] : NULL;
	size_t		body_len;
	char	   *body = create_snapshot_body(&body_len);
	SigV4Result res;
	char	   *creq;
	char	   *sts;
	char		expect_sig[65];
	char		sig[65];
	char		date8[9];
	unsigned char key[32];
	char	   *k_secret;
	long		n;
	double		t0,
				t;
	double		rate,
				floor_rate,
				boto_rate = 0;
	unsigned long derivations;
	Floor		fl;

	if (seconds <= 0)
		die("SECONDS must be positive");

	/* the intermediates, for the floor and to check it does the same work */
	if (sign_once(body, body_len, &res) != SIGV4_OK)
		die(res.error ? res.error : "signing failed");
	creq = strdup(res.canonical_request);
	sts = strdup(res.string_to_sign);
	memcpy(expect_sig, res.signature, 65);
	memcpy(date8, res.amz_date, 8);
	date8[8] = '\0';
	sigv4_result_free(&res);

	k_secret = malloc(strlen(SECRET) + 5);
	sprintf(k_secret, "AWS4%s", SECRET);
	hmac(k_secret, strlen(k_secret), date8, 8, key);
	hmac(key, 32, "us-east-1", 9, key);
	hmac(key, 32, "rds", 3, key);
	hmac(key, 32, "aws4_request", 12, key);
	free(k_secret);

	floor_init(&fl, key);
	floor_once(&fl, body, body_len, creq, strlen(creq), sts, strlen(sts), sig);
	if (strcmp(sig, expect_sig) != 0)
		die("the floor's signature differs from sigv4_sign's");

	printf("sigv4: CreateDBSnapshot POST, body %zu bytes, canonical request %zu bytes, %.1f s per measurement\n",
		   body_len, strlen(creq), seconds);
	fflush(stdout);

	/* rds_backup: the whole sigv4_sign + sigv4_result_free, key cached */
	derivations = sigv4_key_derivations();
	n = 0;
	t0 = now_s();
	do
	{
		int			i;

		for (i = 0; i < 1000; i++)
		{
			if (sign_once(body, body_len, &res) != SIGV4_OK)
				die("signing failed");
			sigv4_result_free(&res);
		}
		n += 1000;
		t = now_s();
	} while (t - t0 < seconds);
	rate = n / (t - t0);
	printf("  rds_backup sigv4_sign: %ld signatures in %.3f s, %.0f/s (%.2f us each), %lu key derivations\n",
		   n, t - t0, rate, 1e6 / rate, sigv4_key_derivations() - derivations);
	fflush(stdout);

	/* floor */
	n = 0;
	t0 = now_s();
	do
	{
		int			i;

		for (i = 0; i < 1000; i++)
			floor_once(&fl, body, body_len, creq, strlen(creq), sts, strlen(sts), sig);
		n += 1000;
		t = now_s();
	} while (t - t0 < seconds);
	floor_rate = n / (t - t0);
	printf("  floor (3 x SHA-256/HMAC): %ld in %.3f s, %.0f/s (%.2f us each)\n",
		   n, t - t0, floor_rate, 1e6 / floor_rate);
	fflush(stdout);

	/* botocore, in the same run */
	if (script)
	{
		char		cmd[4096];
		char		tmpl[] = "/tmp/sigv4_bench_body.XXXXXX";
		int			fd = mkstemp(tmpl);
		FILE	   *f;
		FILE	   *p;

		if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
			die("cannot write the body file");
		fwrite(body, 1, body_len, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' %g '%s'", script, seconds, tmpl);
		p = popen(cmd, "r");
		if (!p || fscanf(p, "%lf", &boto_rate) != 1 || pclose(p) != 0 || boto_rate <= 0)
			die("botocore measurement failed");
		unlink(tmpl);
		printf("  botocore SigV4Auth.add_auth: %.0f/s (%.2f us each)\n",
			   boto_rate, 1e6 / boto_rate);
	}

	if (script)
		printf("sigv4: %.0f/s, floor %.0f/s (%.2f of floor), botocore %.0f/s (rds_backup is %.1f times faster)\n",
			   rate, floor_rate, rate / floor_rate, boto_rate, rate / boto_rate);
	else
		printf("sigv4: %.0f/s, floor %.0f/s (%.2f of floor)\n",
			   rate, floor_rate, rate / floor_rate);
	floor_free(&fl);
	aws_free(body);
	free(creq);
	free(sts);
	return 0;
}
