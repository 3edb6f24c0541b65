/*
 * test_sigv4.c
 *		The PostgreSQL-free C core (sigv4, aws_query, rds_model, aws_alloc)
 *		against AWS's SigV4 test suite and botocore-signed RDS requests.
 *
 * Usage: test_sigv4 [SUITE_DIR]
 * SUITE_DIR defaults to ../shared/sigv4-test-suite beside the repository
 * root (found from this program's own path).  Prints "ok - name" or
 * "not ok - name: why" per check, "skip - name: reason" for cases that do
 * not apply, then "N passed, N failed"; exits non-zero on any failure.
 * Mismatches report positions and lengths only: the strings compared can
 * hold signatures and session tokens.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/alloc.h"
#include "aws/query.h"
#include "json.h"
#include "aws/sigv4.h"
#include "rds/model.h"

/* Cases of aws-c-auth-v4/ that do not apply, with the reason; none today */
static const struct
{
	const char *name;
	const char *reason;
}			skips[] = {
	{NULL, NULL}
};

static int	n_passed;
static int	n_failed;

/* ---------- reporting ---------- */

static const char *
fmt(const char *format,...)
{
	static char buf[512];
	va_list		ap;

	va_start(ap, format);
	vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	return buf;
}

/* "<mode>-<file>", the suite's file names */
static const char *
fmt_file(const char *mode, const char *file)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s-%s", mode, file);
	return buf;
}

static void
report(bool ok, const char *name, const char *why)
{
	if (ok)
	{
		printf("ok - %s\n", name);
		n_passed++;
	}
	else
	{
		printf("not ok - %s: %s\n", name, why ? why : "failed");
		n_failed++;
	}
}

/* Byte-for-byte comparison; a mismatch reports where, never what */
static void
check_bytes(const char *name, const char *expected, size_t exp_len,
			const char *got, size_t got_len)
{
	size_t		i = 0;
	char		why[160];

	if (expected == NULL || got == NULL)
	{
		report(false, name, expected ? "nothing produced" : "expected value missing");
		return;
	}
	while (i < exp_len && i < got_len && expected[i] == got[i])
		i++;
	if (i == exp_len && i == got_len)
	{
		report(true, name, NULL);
		return;
	}
	snprintf(why, sizeof(why),
			 "first difference at byte %zu (expected %zu bytes, got %zu)",
			 i, exp_len, got_len);
	report(false, name, why);
}

static void
check_str(const char *name, const char *expected, const char *got)
{
	check_bytes(name, expected, expected ? strlen(expected) : 0,
				got, got ? strlen(got) : 0);
}

/* ---------- allocation accounting through the aws_alloc hooks ---------- */

static long live_allocations;

static void *
count_alloc(size_t n)
{
	live_allocations++;
	return malloc(n);
}

static void *
count_realloc(void *p, size_t n)
{
	return realloc(p, n);
}

static void
count_free(void *p)
{
	live_allocations--;
	free(p);
}

/* ---------- files ---------- */

/* The contents of dir/sub/file (sub may be NULL), or NULL */
static char *
read_file(const char *dir, const char *sub, const char *file, size_t *len)
{
	char	   *path = malloc(strlen(dir) + (sub ? strlen(sub) : 0) + strlen(file) + 3);
	FILE	   *f;
	char	   *buf = NULL;
	size_t		n = 0;
	size_t		got;
	char		chunk[8192];

	sprintf(path, "%s/%s%s%s", dir, sub ? sub : "", sub ? "/" : "", file);
	f = fopen(path, "rb");
	free(path);
	if (f == NULL)
		return NULL;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
	{
		buf = realloc(buf, n + got + 1);
		if (buf == NULL)
			abort();
		memcpy(buf + n, chunk, got);
		n += got;
	}
	fclose(f);
	if (buf == NULL)
		buf = calloc(1, 1);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static JsonValue *
read_json(const char *dir, const char *sub, const char *file)
{
	char	   *text = read_file(dir, sub, file, NULL);
	const char *err = NULL;
	JsonValue  *v = text ? json_parse(text, &err) : NULL;

	free(text);
	return v;
}

static bool
json_true(const JsonValue *obj, const char *key)
{
	const JsonValue *v = json_get(obj, key);

	return v && v->type == JSON_BOOL && v->boolean;
}

/* ---------- request.txt ---------- */

typedef struct TestRequest
{
	char	   *method;
	char	   *path;
	char	   *query;			/* NULL when the target has no '?' */
	char	   *version;
	SigV4Header *headers;		/* name and value strings are owned */
	int			n_headers;
	char	   *body;
	size_t		body_len;
} TestRequest;

static void free_request(TestRequest *r);

static char *
dup_n(const char *s, size_t n)
{
	char	   *d = malloc(n + 1);

	if (d == NULL)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/*
 * Request line, headers (a line starting with whitespace continues the
 * previous value, kept with its newline), blank line, body.
 */
static bool
parse_request(const char *text, size_t len, TestRequest *r)
{
	const char *end = text + len;
	const char *eol = memchr(text, '\n', len);
	const char *sp1;
	const char *sp2;
	const char *target;
	const char *q;
	const char *line;

	memset(r, 0, sizeof(TestRequest));
	if (eol == NULL || (sp1 = memchr(text, ' ', eol - text)) == NULL)
		return false;
	for (sp2 = eol; sp2 > sp1 && *sp2 != ' '; sp2--)
		;
	if (sp2 == sp1)
		return false;
	r->method = dup_n(text, sp1 - text);
	r->version = dup_n(sp2 + 1, eol - sp2 - 1);
	target = sp1 + 1;
	q = memchr(target, '?', sp2 - target);
	r->path = dup_n(target, (q ? q : sp2) - target);
	r->query = q ? dup_n(q + 1, sp2 - q - 1) : NULL;

	for (line = eol + 1; line < end; line = eol + 1)
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
			r->body_len = line < end ? (size_t) (end - line) : 0;
			r->body = dup_n(line < end ? line : "", r->body_len);
			return true;
		}
		if ((line[0] == ' ' || line[0] == '\t') && r->n_headers > 0)
		{
			SigV4Header *h = &r->headers[r->n_headers - 1];
			size_t		old = strlen(h->value);
			char	   *v = malloc(old + n + 2);

			memcpy(v, h->value, old);
			v[old] = '\n';
			memcpy(v + old + 1, line, n);
			v[old + n + 1] = '\0';
			free((char *) h->value);
			h->value = v;
			continue;
		}
		if ((colon = memchr(line, ':', n)) == NULL)
		{
			free_request(r);
			return false;
		}
		r->headers = realloc(r->headers, (r->n_headers + 1) * sizeof(SigV4Header));
		r->headers[r->n_headers].name = dup_n(line, colon - line);
		r->headers[r->n_headers].value = dup_n(colon + 1, eol - colon - 1);
		r->n_headers++;
		if (eol == end)
			break;
	}
	r->body = dup_n("", 0);
	return true;
}

static void
free_request(TestRequest *r)
{
	int			i;

	for (i = 0; i < r->n_headers; i++)
	{
		free((char *) r->headers[i].name);
		free((char *) r->headers[i].value);
	}
	free(r->headers);
	free(r->method);
	free(r->path);
	free(r->query);
	free(r->version);
	free(r->body);
}

/* The request as the suite prints it once signed */
static char *
signed_request_text(const TestRequest *r, const SigV4Result *res, bool query_mode)
{
	AwsBuf		b = AWS_BUF_INIT;
	int			i;

	aws_buf_puts(&b, r->method);
	aws_buf_putc(&b, ' ');
	aws_buf_puts(&b, r->path);
	if (query_mode)
	{
		aws_buf_putc(&b, '?');
		aws_buf_puts(&b, res->query);
	}
	else if (r->query)
	{
		aws_buf_putc(&b, '?');
		aws_buf_puts(&b, r->query);
	}
	aws_buf_putc(&b, ' ');
	aws_buf_puts(&b, r->version);
	aws_buf_putc(&b, '\n');
	for (i = 0; i < r->n_headers; i++)
	{
		aws_buf_puts(&b, r->headers[i].name);
		aws_buf_putc(&b, ':');
		aws_buf_puts(&b, r->headers[i].value);
		aws_buf_putc(&b, '\n');
	}
	if (!query_mode)
	{
		for (i = 0; i < res->n_add_headers; i++)
		{
			aws_buf_puts(&b, res->add_headers[i].name);
			aws_buf_putc(&b, ':');
			aws_buf_puts(&b, res->add_headers[i].value);
			aws_buf_putc(&b, '\n');
		}
		aws_buf_puts(&b, "Authorization:");
		aws_buf_puts(&b, res->authorization);
		aws_buf_putc(&b, '\n');
	}
	aws_buf_putc(&b, '\n');
	aws_buf_append(&b, r->body, r->body_len);
	return aws_buf_release(&b);
}

/* ---------- aws-c-auth-v4 ---------- */

static void
compare_with_file(const char *name, const char *dir, const char *sub,
				  const char *file, const char *got)
{
	size_t		len;
	char	   *expected = read_file(dir, sub, file, &len);

	check_bytes(name, expected, len, got, got ? strlen(got) : 0);
	free(expected);
}

static void
run_suite_case(const char *dir, const char *name)
{
	JsonValue  *ctx;
	char	   *text;
	size_t		len;
	TestRequest req;
	const JsonValue *creds;
	const JsonValue *exp;
	SigV4Credentials c;
	SigV4Request sreq;
	SigV4Params p;
	int			mode;

	ctx = read_json(dir, name, "context.json");
	text = read_file(dir, name, "request.txt", &len);
	if (ctx == NULL || text == NULL || !parse_request(text, len, &req))
	{
		report(false, fmt("aws-c-auth-v4/%s", name), "cannot read context.json or request.txt");
		json_free(ctx);
		free(text);
		return;
	}

	creds = json_get(ctx, "credentials");
	c.access_key_id = json_get_string(creds, "access_key_id");
	c.secret_access_key = json_get_string(creds, "secret_access_key");
	c.session_token = json_get_string(creds, "token");

	sreq.method = req.method;
	sreq.path = req.path;
	sreq.query = req.query;
	sreq.headers = req.headers;
	sreq.n_headers = req.n_headers;
	sreq.body = req.body;
	sreq.body_len = req.body_len;

	memset(&p, 0, sizeof(p));
	p.region = json_get_string(ctx, "region");
	p.service = json_get_string(ctx, "service");
	p.normalize_path = json_true(ctx, "normalize");
	p.sign_body = json_true(ctx, "sign_body");
	p.omit_session_token = json_true(ctx, "omit_session_token");
	exp = json_get(ctx, "expiration_in_seconds");
	p.expires = exp && exp->type == JSON_NUMBER ? atoi(exp->text) : 0;
	if (!sigv4_parse_time(json_get_string(ctx, "timestamp"), &p.signing_time))
		report(false, fmt("aws-c-auth-v4/%s timestamp", name), "unparsable");

	for (mode = 0; mode < 2; mode++)
	{
		const char *m = mode == 0 ? "header" : "query";
		SigV4Result res;
		char	   *signed_text;

		p.mode = mode == 0 ? SIGV4_MODE_HEADER : SIGV4_MODE_QUERY;
		if (sigv4_sign(&sreq, &c, &p, &res) != SIGV4_OK)
		{
			report(false, fmt("aws-c-auth-v4/%s %s sign", name, m), res.error);
			sigv4_result_free(&res);
			continue;
		}
		compare_with_file(fmt("aws-c-auth-v4/%s %s canonical request", name, m),
						  dir, name, fmt_file(m, "canonical-request.txt"), res.canonical_request);
		compare_with_file(fmt("aws-c-auth-v4/%s %s string to sign", name, m),
						  dir, name, fmt_file(m, "string-to-sign.txt"), res.string_to_sign);
		compare_with_file(fmt("aws-c-auth-v4/%s %s signature", name, m),
						  dir, name, fmt_file(m, "signature.txt"), res.signature);
		signed_text = signed_request_text(&req, &res, mode == 1);
		compare_with_file(fmt("aws-c-auth-v4/%s %s signed request", name, m),
						  dir, name, fmt_file(m, "signed-request.txt"), signed_text);
		aws_free(signed_text);
		sigv4_result_free(&res);
	}
	free_request(&req);
	free(text);
	json_free(ctx);
}

static int
dir_filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void
run_aws_suite(const char *suite)
{
	char	   *dir = malloc(strlen(suite) + 16);
	struct dirent **list;
	int			n;
	int			i;
	int			cases = 0;

	sprintf(dir, "%s/aws-c-auth-v4", suite);
	n = scandir(dir, &list, dir_filter, alphasort);
	if (n < 0)
	{
		report(false, "aws-c-auth-v4 suite", "directory not readable");
		free(dir);
		return;
	}
	for (i = 0; i < n; i++)
	{
		char	   *ctx = read_file(dir, list[i]->d_name, "context.json", NULL);
		int			s;
		bool		skipped = false;

		if (ctx != NULL)
		{
			free(ctx);
			for (s = 0; skips[s].name; s++)
				if (strcmp(skips[s].name, list[i]->d_name) == 0)
				{
					printf("skip - aws-c-auth-v4/%s: %s\n", skips[s].name, skips[s].reason);
					skipped = true;
				}
			if (!skipped)
				run_suite_case(dir, list[i]->d_name);
			cases++;
		}
		free(list[i]);
	}
	free(list);
	free(dir);
	report(cases > 0, "aws-c-auth-v4 has cases", "no case folders found");
}

/* ---------- RDS Query vectors ---------- */

/* params (JSON) into the form body, member names from the RDS model */
static const char *
flatten(AwsQuery *q, const char *name, const RdsMember *m, const JsonValue *v)
{
	char		sub[512];
	const char *err = NULL;
	int			i;

	if (m == NULL)
		return "parameter not in the RDS model";
	switch (m->type)
	{
		case RDS_STRING:
		case RDS_TIMESTAMP:
			if (v->type != JSON_STRING)
				return "expected a string";
			aws_query_add(q, name, v->text);
			return NULL;
		case RDS_INTEGER:
		case RDS_LONG:
		case RDS_DOUBLE:
			if (v->type != JSON_NUMBER)
				return "expected a number";
			aws_query_add(q, name, v->text);
			return NULL;
		case RDS_BOOLEAN:
			if (v->type != JSON_BOOL)
				return "expected a boolean";
			aws_query_add_bool(q, name, v->boolean);
			return NULL;
		case RDS_LIST:
			if (v->type != JSON_ARRAY)
				return "expected a list";
			if (v->n == 0)
				aws_query_add(q, name, "");
			for (i = 0; i < v->n && err == NULL; i++)
			{
				snprintf(sub, sizeof(sub), "%s.%s.%d", name, m->element->name, i + 1);
				err = flatten(q, sub, m->element, &v->items[i]);
			}
			return err;
		case RDS_STRUCTURE:
			if (v->type != JSON_OBJECT)
				return "expected a structure";
			for (i = 0; i < v->n && err == NULL; i++)
			{
				snprintf(sub, sizeof(sub), "%s.%s", name, v->keys[i]);
				err = flatten(q, sub, rds_model_child(m, v->keys[i]), &v->items[i]);
			}
			return err;
		case RDS_MAP:
			return "maps are not used by the RDS actions tested";
	}
	return "unknown type";
}

static void
run_rds_vector(const JsonValue *e)
{
	const char *name = json_get_string(e, "name");
	const char *url = json_get_string(e, "url");
	const char *body = json_get_string(e, "body");
	const JsonValue *params = json_get(e, "params");
	const JsonValue *hdrs = json_get(e, "headers");
	const JsonValue *creds = json_get(e, "credentials");
	const RdsAction *action = rds_model_action(json_get_string(e, "operation") ?
											   json_get_string(e, "operation") : "");
	const char *err = NULL;
	const char *path;
	const char *qmark;
	char	   *path_copy;
	char	   *got_body;
	AwsQuery   *q;
	SigV4Header *headers;
	SigV4Credentials c;
	SigV4Request req;
	SigV4Params p;
	SigV4Result res;
	int			i;

	if (name == NULL || url == NULL || body == NULL || action == NULL ||
		params == NULL || params->type != JSON_OBJECT ||
		hdrs == NULL || hdrs->type != JSON_OBJECT)
	{
		report(false, fmt("rds/%s", name ? name : "?"), "malformed vector or unknown operation");
		return;
	}

	/* the encoder */
	q = aws_query_new(action->name, RDS_API_VERSION);
	for (i = 0; i < params->n && err == NULL; i++)
		err = flatten(q, params->keys[i],
					  rds_model_member(action, params->keys[i]), &params->items[i]);
	got_body = aws_query_body(q, NULL);
	if (err)
		report(false, fmt("rds/%s body", name), err);
	else
		check_str(fmt("rds/%s body", name), body, got_body);
	aws_free(got_body);
	aws_query_free(q);

	/* the signer, on the vector's own body */
	path = strstr(url, "://");
	path = path ? strchr(path + 3, '/') : NULL;
	if (path == NULL)
		path = "/";
	qmark = strchr(path, '?');
	path_copy = dup_n(path, qmark ? (size_t) (qmark - path) : strlen(path));
	headers = malloc(hdrs->n * sizeof(SigV4Header) + 1);
	for (i = 0; i < hdrs->n; i++)
	{
		headers[i].name = hdrs->keys[i];
		headers[i].value = hdrs->items[i].text;
	}
	c.access_key_id = json_get_string(creds, "access_key_id");
	c.secret_access_key = json_get_string(creds, "secret_access_key");
	c.session_token = json_get_string(creds, "session_token");
	memset(&req, 0, sizeof(req));
	req.method = json_get_string(e, "method");
	req.path = path_copy;
	req.query = qmark ? qmark + 1 : NULL;
	req.headers = headers;
	req.n_headers = hdrs->n;
	req.body = body;
	req.body_len = strlen(body);
	memset(&p, 0, sizeof(p));
	p.mode = SIGV4_MODE_HEADER;
	p.region = json_get_string(e, "region");
	p.service = json_get_string(e, "service");
	p.normalize_path = true;

	if (!sigv4_parse_time(json_get_string(e, "timestamp"), &p.signing_time))
		report(false, fmt("rds/%s timestamp", name), "unparsable");
	else if (sigv4_sign(&req, &c, &p, &res) != SIGV4_OK)
		report(false, fmt("rds/%s sign", name), res.error);
	else
	{
		check_str(fmt("rds/%s canonical request", name),
				  json_get_string(e, "canonical_request"), res.canonical_request);
		check_str(fmt("rds/%s string to sign", name),
				  json_get_string(e, "string_to_sign"), res.string_to_sign);
		check_str(fmt("rds/%s signature", name),
				  json_get_string(e, "signature"), res.signature);
		check_str(fmt("rds/%s authorization", name),
				  json_get_string(e, "authorization"), res.authorization);
	}
	sigv4_result_free(&res);
	free(headers);
	free(path_copy);
}

static void
run_rds_vectors(const char *suite)
{
	JsonValue  *v = read_json(suite, NULL, "rds-query-vectors.json");
	int			i;

	if (v == NULL || v->type != JSON_ARRAY || v->n == 0)
	{
		report(false, "rds-query-vectors.json", "missing or not a JSON list");
		json_free(v);
		return;
	}
	for (i = 0; i < v->n; i++)
		run_rds_vector(&v->items[i]);
	json_free(v);
}

/* ---------- unit tests ---------- */

static void
test_uri_encode(void)
{
	static const struct
	{
		const char *in;
		bool		slash;
		const char *out;
	}			cases[] = {
		{"", true, ""},
		{"AZaz09-_.~", true, "AZaz09-_.~"},
		{"a b", true, "a%20b"},
		{"a/b", true, "a%2Fb"},
		{"a/b", false, "a/b"},
		{"+*=&%", true, "%2B%2A%3D%26%25"},
		{"%20", true, "%2520"},
		{"\xc3\xa9\xe6\x97\xa5", true, "%C3%A9%E6%97%A5"},
		{"\x01\x7f\xff", true, "%01%7F%FF"},
		{"'\"<>;:,!?#[]@$()", true, "%27%22%3C%3E%3B%3A%2C%21%3F%23%5B%5D%40%24%28%29"},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *got = aws_uri_encode(cases[i].in, cases[i].slash);

		check_str(fmt("aws_uri_encode case %zu", i + 1), cases[i].out, got);
		aws_free(got);
	}
}

static void
check_body(const char *name, AwsQuery *q, const char *expected)
{
	char	   *body = aws_query_body(q, NULL);

	check_str(name, expected, body);
	aws_free(body);
	aws_query_free(q);
}

static void
test_query(void)
{
	static const char *const ids[] = {"sg-1", "sg 2"};
	static const char *const keys[] = {"k1", "k2"};
	static const char *const vals[] = {"v/1", NULL};
	static const char *const fvals[] = {"a", "b"};
	AwsQueryFilter filters[] = {{"engine", fvals, 2}, {"none", NULL, 0}};
	AwsQuery   *q;

	q = aws_query_new("ModifyDBSnapshotAttribute", RDS_API_VERSION);
	aws_query_add_list(q, "ValuesToAdd", "AttributeValue", NULL, 0);
	check_body("aws_query empty list", q,
			   "Action=ModifyDBSnapshotAttribute&Version=2014-10-31&ValuesToAdd=");

	q = aws_query_new("CreateDBSnapshot", RDS_API_VERSION);
	aws_query_add_tags(q, "Tags", "Tag", NULL, NULL, 0);
	check_body("aws_query empty tag list", q,
			   "Action=CreateDBSnapshot&Version=2014-10-31&Tags=");

	q = aws_query_new("X", "1");
	aws_query_add_list(q, "VpcSecurityGroupIds", "VpcSecurityGroupId", ids, 2);
	aws_query_add_tags(q, "Tags", "Tag", keys, vals, 2);
	aws_query_add_filters(q, filters, 2);
	check_body("aws_query lists", q,
			   "Action=X&Version=1"
			   "&VpcSecurityGroupIds.VpcSecurityGroupId.1=sg-1"
			   "&VpcSecurityGroupIds.VpcSecurityGroupId.2=sg%202"
			   "&Tags.Tag.1.Key=k1&Tags.Tag.1.Value=v%2F1&Tags.Tag.2.Key=k2"
			   "&Filters.Filter.1.Name=engine"
			   "&Filters.Filter.1.Values.Value.1=a&Filters.Filter.1.Values.Value.2=b"
			   "&Filters.Filter.2.Name=none&Filters.Filter.2.Values=");

	q = aws_query_new("X", "1");
	aws_query_add_int(q, "MaxRecords", 100);
	aws_query_add_int(q, "Neg", -5);
	aws_query_add_bool(q, "T", true);
	aws_query_add_bool(q, "F", false);
	aws_query_add_double(q, "D1", 0.5);
	aws_query_add_double(q, "D2", 2.0);
	aws_query_add_double(q, "D3", 128);
	aws_query_add_double(q, "D4", 0.1);
	aws_query_add_double(q, "D5", 1e-5);
	aws_query_add_timestamp(q, "RestoreTime", 1711694700);
	check_body("aws_query scalars", q,
			   "Action=X&Version=1&MaxRecords=100&Neg=-5&T=true&F=false"
			   "&D1=0.5&D2=2.0&D3=128.0&D4=0.1&D5=1e-05"
			   "&RestoreTime=2024-03-29T06%3A45%3A00Z");

	q = aws_query_new("X", "1");
	aws_query_add(q, "Secret", "s");
	report(aws_query_count(q) == 3 &&
		   strcmp(aws_query_name(q, 0), "Action") == 0 &&
		   strcmp(aws_query_value(q, 1), "1") == 0 &&
		   strcmp(aws_query_name(q, 2), "Secret") == 0 &&
		   aws_query_name(q, 3) == NULL,
		   "aws_query pairs can be walked", NULL);
	aws_query_free(q);
}

static void
test_key_cache(void)
{
	SigV4Header h = {"Host", "rds.us-east-1.amazonaws.com"};
	SigV4Request req = {"POST", "/", NULL, &h, 1, "", 0};
	SigV4Credentials c = {"AKIDCACHETEST", "cache-test-secret-1", NULL};
	SigV4Params p;
	SigV4Result r;
	unsigned long base;
	char		first[65];
	bool		same;

	memset(&p, 0, sizeof(p));
	p.region = "us-east-1";
	p.service = "rds";
	p.normalize_path = true;
	sigv4_parse_time("2030-01-01T00:00:00Z", &p.signing_time);

	base = sigv4_key_derivations();
	sigv4_sign(&req, &c, &p, &r);
	memcpy(first, r.signature, 65);
	sigv4_result_free(&r);
	report(sigv4_key_derivations() == base + 1, "key cache: first signing derives", NULL);

	p.signing_time += 3600;
	sigv4_sign(&req, &c, &p, &r);
	sigv4_result_free(&r);
	report(sigv4_key_derivations() == base + 1,
		   "key cache: second signing the same day does not re-derive", NULL);

	p.signing_time -= 3600;
	sigv4_sign(&req, &c, &p, &r);
	same = strcmp(first, r.signature) == 0;
	sigv4_result_free(&r);
	report(same, "key cache: cached key signs identically", NULL);

	p.signing_time += 86400;
	sigv4_sign(&req, &c, &p, &r);
	sigv4_result_free(&r);
	report(sigv4_key_derivations() == base + 2, "key cache: a new day derives", NULL);

	c.secret_access_key = "cache-test-secret-2";
	sigv4_sign(&req, &c, &p, &r);
	sigv4_result_free(&r);
	p.region = "eu-west-1";
	sigv4_sign(&req, &c, &p, &r);
	sigv4_result_free(&r);
	report(sigv4_key_derivations() == base + 4,
		   "key cache: a new secret or region derives", NULL);

	sigv4_clear_key_cache();
	sigv4_sign(&req, &c, &p, &r);
	sigv4_result_free(&r);
	report(sigv4_key_derivations() == base + 5, "key cache: clearing forgets", NULL);
}

/* Canonicalisation corners the suite does not reach */
static void
test_canonical(void)
{
	SigV4Header h[] = {
		{"Host", "example.amazonaws.com"},
		{"X-Tab", "\t a \t\t b \t"},
		{"X-Empty", ""},
		{"User-Agent", "not signed"},
		{"X-Amz-Date", "19990101T000000Z"},
	};
	SigV4Request req = {"GET", "", "b=2&a&%zz=1&&c=%41&c=%2a", h, 5, NULL, 0};
	SigV4Credentials c = {"AKIDEXAMPLE", "secret", NULL};
	SigV4Params p;
	SigV4Result r;

	memset(&p, 0, sizeof(p));
	p.region = "us-east-1";
	p.service = "service";
	p.signing_time = 1440938160;
	p.normalize_path = true;
	if (sigv4_sign(&req, &c, &p, &r) != SIGV4_OK)
		report(false, "sigv4 canonical corners", r.error);
	else
		check_str("sigv4 canonical corners", "GET\n/\n"
				  "%25zz=1&a=&b=2&c=%2A&c=A\n"
				  "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
				  "x-empty:\nx-tab:a b\n\n"
				  "host;x-amz-date;x-empty;x-tab\n"
				  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				  r.canonical_request);
	sigv4_result_free(&r);
}

static void
test_errors(void)
{
	SigV4Header h = {"Content-Type", "text/plain"};
	SigV4Header host = {"Host", "example.amazonaws.com"};
	SigV4Request req = {"GET", "/", NULL, &h, 1, "", 0};
	SigV4Credentials c = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN-SECRET"};
	SigV4Params p;
	SigV4Result r;
	SigV4Status st;
	char	   *url;
	const char *err;

	memset(&p, 0, sizeof(p));
	p.region = "us-east-1";
	p.service = "service";
	p.signing_time = 1440938160;

	st = sigv4_sign(&req, &c, &p, &r);
	report(st == SIGV4_ERR_INVALID && r.error && strstr(r.error, "Host") &&
		   r.canonical_request == NULL,
		   "sigv4 error: missing Host", NULL);
	report(r.error && !strstr(r.error, c.secret_access_key) && !strstr(r.error, c.session_token),
		   "sigv4 error: message holds no secret", NULL);
	sigv4_result_free(&r);

	req.headers = &host;
	p.mode = SIGV4_MODE_QUERY;
	p.expires = 0;
	st = sigv4_sign(&req, &c, &p, &r);
	report(st == SIGV4_ERR_INVALID, "sigv4 error: query mode needs an expiry", r.error);
	sigv4_result_free(&r);

	p.expires = 60;
	req.query = "a=1&X-Amz-Signature=abc";
	st = sigv4_sign(&req, &c, &p, &r);
	report(st == SIGV4_ERR_INVALID, "sigv4 error: query already signed", r.error);
	sigv4_result_free(&r);

	st = sigv4_presign_url("ftp://example.amazonaws.com/", &c, "us-east-1", "rds",
						   p.signing_time, 3600, &url, &err);
	report(st != SIGV4_OK && url == NULL && err != NULL, "presign error: bad scheme", NULL);
}

/* The suite's presigned GETs again, through sigv4_presign_url() */
static void
test_presign(const char *suite)
{
	static const char *const cases[] = {
		"get-vanilla", "get-vanilla-query-order-key-case",
		"get-vanilla-with-session-token", "get-slashes-normalized"
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const char *name = fmt("sigv4_presign_url %s", cases[i]);
		char		dir[1024];
		char	   *text;
		char	   *signed_text;
		size_t		len;
		size_t		signed_len;
		JsonValue  *ctx;
		TestRequest req;
		TestRequest signed_req;
		SigV4Credentials c;
		time_t		t = 0;
		char		url[1024];
		char		expected[4096];
		char	   *got = NULL;
		const char *err = NULL;

		snprintf(dir, sizeof(dir), "%s/aws-c-auth-v4", suite);
		ctx = read_json(dir, cases[i], "context.json");
		text = read_file(dir, cases[i], "request.txt", &len);
		signed_text = read_file(dir, cases[i], "query-signed-request.txt", &signed_len);
		if (ctx && text && signed_text && parse_request(text, len, &req))
		{
			if (parse_request(signed_text, signed_len, &signed_req))
			{
				c.access_key_id = json_get_string(json_get(ctx, "credentials"), "access_key_id");
				c.secret_access_key = json_get_string(json_get(ctx, "credentials"), "secret_access_key");
				c.session_token = json_get_string(json_get(ctx, "credentials"), "token");
				sigv4_parse_time(json_get_string(ctx, "timestamp"), &t);
				snprintf(url, sizeof(url), "https://example.amazonaws.com%s%s%s", req.path,
						 req.query ? "?" : "", req.query ? req.query : "");
				snprintf(expected, sizeof(expected), "https://example.amazonaws.com%s?%s",
						 signed_req.path, signed_req.query);
				if (sigv4_presign_url(url, &c, json_get_string(ctx, "region"),
									  json_get_string(ctx, "service"), t, 3600,
									  &got, &err) != SIGV4_OK)
					report(false, name, err);
				else
					check_str(name, expected, got);
				aws_free(got);
				free_request(&signed_req);
			}
			free_request(&req);
		}
		else
			report(false, name, "case files missing");
		json_free(ctx);
		free(text);
		free(signed_text);
	}
}

static void
test_time(void)
{
	time_t		t;
	char		s[17];
	char		h[65];

	report(sigv4_parse_time("2015-08-30T12:36:00Z", &t) && t == 1440938160,
		   "sigv4_parse_time ISO 8601", NULL);
	report(sigv4_parse_time("20150830T123600Z", &t) && t == 1440938160,
		   "sigv4_parse_time amz date", NULL);
	report(sigv4_parse_time("2024-02-29T23:59:59.123Z", &t) && t == 1709251199,
		   "sigv4_parse_time leap day, fraction", NULL);
	report(!sigv4_parse_time("2023-02-29T00:00:00Z", &t) &&
		   !sigv4_parse_time("2015-08-30T12:36:00", &t) &&
		   !sigv4_parse_time("2015-08-30 12:36:00Z", &t) &&
		   !sigv4_parse_time("", &t),
		   "sigv4_parse_time rejects malformed", NULL);
	report(sigv4_format_amz_date(1440938160, s) && strcmp(s, "20150830T123600Z") == 0,
		   "sigv4_format_amz_date", NULL);
	sigv4_hex_sha256("", 0, h);
	check_str("sigv4_hex_sha256 empty",
			  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", h);
}

static void
test_model(void)
{
	const RdsAction *a = rds_model_action("CreateDBSnapshot");
	const RdsAction *d = rds_model_action("DescribeDBSnapshots");
	const RdsAction *s = rds_model_action("StartExportTask");
	const RdsAction *c = rds_model_action("CreateDBInstance");
	const RdsAction *r = rds_model_action("RestoreDBClusterFromSnapshot");
	const RdsMember *m;
	int			i;
	bool		found = false;

	report(rds_model_n_actions == 29 && a && d && s && c && r &&
		   rds_model_action("DeleteDBInstance") == NULL,
		   "rds_model actions", NULL);
	if (!(a && d && s && c && r))
		return;
	m = rds_model_member(a, "DBSnapshotIdentifier");
	report(m && m->type == RDS_STRING && m->required && !m->sensitive &&
		   a->members[0].name == m->name,
		   "rds_model member in model order, required", NULL);
	m = rds_model_member(a, "Tags");
	report(m && m->type == RDS_LIST && strcmp(m->element->name, "Tag") == 0 &&
		   m->element->type == RDS_STRUCTURE,
		   "rds_model list location name", NULL);
	report(rds_model_member(a, "Tags.Tag.2.Key") == rds_model_member(a, "Tags.Key") &&
		   rds_model_member(a, "Tags.Key") != NULL &&
		   rds_model_member(a, "Tags.Tag.2.Key")->type == RDS_STRING,
		   "rds_model wire name of a nested member", NULL);
	m = rds_model_member(d, "Filters.Filter.1.Values.Value.3");
	report(m && m->type == RDS_STRING && strcmp(m->name, "Value") == 0,
		   "rds_model filter value", NULL);
	m = rds_model_member(s, "ExportOnly");
	report(m && strcmp(m->element->name, "member") == 0, "rds_model member with no location name", NULL);
	m = rds_model_member(r, "ScalingConfiguration.MinCapacity");
	report(m && m->type == RDS_INTEGER, "rds_model nested structure member", NULL);
	m = rds_model_member(r, "ServerlessV2ScalingConfiguration.MaxCapacity");
	report(m && m->type == RDS_DOUBLE, "rds_model double", NULL);
	m = rds_model_member(c, "MasterUserPassword");
	report(m && m->sensitive, "rds_model password is sensitive", NULL);
	report(!rds_model_has_param(a, "Nope") && !rds_model_has_param(a, "") &&
		   !rds_model_has_param(a, "Tags.Tag.1.Nope") &&
		   !rds_model_has_param(a, "DBSnapshotIdentifier.x") &&
		   rds_model_has_param(a, "DBInstanceIdentifier"),
		   "rds_model_has_param", NULL);
	for (i = 0; i < d->n_errors; i++)
		found |= strcmp(d->errors[i]->code, "DBSnapshotNotFound") == 0;
	report(found && rds_model_error("DBClusterSnapshotNotFoundFault") &&
		   rds_model_error("DBSnapshotNotFound")->http_status == 404 &&
		   rds_model_error("DBSnapshotNotFoundFault") == NULL,
		   "rds_model error codes", NULL);
}

static char *
default_suite(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	size_t		dir_len = slash ? (size_t) (slash - argv0) : 1;
	char	   *path = malloc(dir_len + 64);

	/* the program sits in test/sigv4/ of the repository */
	sprintf(path, "%.*s/../../../shared/sigv4-test-suite", (int) dir_len,
			slash ? argv0 : ".");
	return path;
}

int
main(int argc, char **argv)
{
	char	   *suite = argc > 1 ? strdup(argv[1]) : default_suite(argv[0]);

	aws_set_allocator(count_alloc, count_realloc, count_free);

	test_uri_encode();
	test_query();
	test_time();
	test_key_cache();
	test_canonical();
	test_errors();
	test_model();
	test_presign(suite);
	run_aws_suite(suite);
	run_rds_vectors(suite);

	report(live_allocations == 0, "every aws_malloc was aws_free'd",
		   fmt("%ld allocations still live", live_allocations));
	aws_set_allocator(NULL, NULL, NULL);
	sigv4_clear_key_cache();
	free(suite);

	printf("%d passed, %d failed\n", n_passed, n_failed);
	return n_failed > 0 ? 1 : 0;
}
