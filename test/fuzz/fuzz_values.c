/*
 * fuzz_values.c
 *		libFuzzer harness for the checks of values whose format AWS
 *		defines: ARNs (src/rds/arn.c), S3 buckets and prefixes, IAM roles,
 *		KMS keys, backup windows and ExportOnly entries (src/rds/values.c),
 *		RDS identifiers and tags (src/rds/names.c), regions and endpoint
 *		URLs (src/aws/endpoint.c).  The modules are compiled unchanged
 *		against the server's headers and linked with pg_shim.c.
 *
 * Input: one selector byte, then the value (bytes up to the first NUL, as
 * SQL text has none; a second line is a second argument where the check
 * takes one).  A check either accepts or raises an ERROR; beyond the
 * sanitizers, the harness checks that
 *	- every ERROR is SQLSTATE 22023, 22004 or 2202E with a message, and
 *	  that messages are whole (no unbounded quoting of a 1 MB value is
 *	  asked of it, but the message must be printable UTF-8);
 *	- what is accepted obeys the documented rules, re-checked here
 *	  independently (an ARN's six parts and its partition, a bucket's
 *	  characters and ends, a prefix's segments, an endpoint's scheme and
 *	  host, an identifier's characters ...);
 *	- checks are pure: the same input gives the same answer twice.
 */
#include "postgres.h"

#include "utils/array.h"
#include "utils/jsonb.h"

#include "aws/config.h"
#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "rds/arn.h"
#include "rds/names.h"
#include "rds/values.h"

#include "pg_shim.h"

/* what endpoint.c reads from config.c, credentials.c and cred_imds.c */
char	   *rb_region = NULL;
char	   *rb_endpoint = NULL;
char	   *rb_profile = NULL;
char	   *rb_config_file = NULL;

char *
credentials_profile_region(void)
{
	return NULL;
}

/* no instance metadata here: the region comes from the input or nowhere */
char *
cred_imds_region(char **why)
{
	*why = "disabled";
	return NULL;
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Case
{
	int			which;
	char	   *a;				/* first line */
	char	   *b;				/* second line, or NULL */
	char	   *whole;			/* the value with its newlines */
	void	   *result;
	const char *problem;		/* arn_read's answer */
	AwsArn		arn;
} Case;

#define N_CHECKS 17

static void
run_check(void *arg)
{
	Case	   *c = arg;

	c->result = NULL;
	c->problem = NULL;
	switch (c->which)
	{
		case 0:
			c->problem = arn_read(c->a, c->b ? c->b : "rds", true, &c->arn);
			break;
		case 1:
			c->problem = arn_read(c->a, "iam", false, &c->arn);
			break;
		case 2:
			c->result = arn_snapshot("source", c->a, SNAPSHOT_DB);
			break;
		case 3:
			c->result = arn_snapshot("source", c->a, SNAPSHOT_CLUSTER);
			break;
		case 4:
			c->result = arn_snapshot("snapshot_arn", c->a, SNAPSHOT_EITHER);
			break;
		case 5:
			c->result = arn_snapshot_ref("source", c->a, c->b != NULL);
			break;
		case 6:
			validate_region_arg("source_region", c->a);
			break;
		case 7:
			validate_s3_bucket("s3_bucket", c->a);
			break;
		case 8:
			c->result = validate_s3_prefix("s3_prefix", c->a);
			break;
		case 9:
			validate_iam_role_arn("iam_role_arn", c->a);
			break;
		case 10:
			validate_kms_key_id("kms_key_id", c->a, c->b);
			break;
		case 11:
			validate_backup_window("backup_window", c->a);
			break;
		case 12:
			{
				/* one entry a line; an empty line is NULL */
				const char *elems[64];
				bool		nulls[64];
				int			n = 0;
				char	   *p = pstrdup(c->whole);

				for (;;)
				{
					char	   *nl = strchr(p, '\n');

					if (nl)
						*nl = '\0';
					elems[n] = p;
					nulls[n] = (*p == '\0' && n > 0);
					n++;
					if (nl == NULL || n == 64)
						break;
					p = nl + 1;
				}
				c->result = validate_export_only("export_only",
												 shim_text_array(elems, nulls, n));
				break;
			}
		case 13:
			validate_identifier("snapshot", "DB snapshot identifier", c->a,
								c->b ? RDS_MAX_DB_ID : RDS_MAX_SNAPSHOT_ID);
			break;
		case 14:
			{
				Jsonb	   *tags = shim_json_parse(c->whole, strlen(c->whole), 8);

				if (tags)
					c->result = validate_tags("tags", tags, 2);
				break;
			}
		case 15:
			rb_endpoint = c->a;
			c->result = endpoint_resolve(c->b ? "sts" : "rds", "us-east-1");
			break;
		case 16:
			c->result = (void *) endpoint_check_url(c->a);
			break;
	}
}

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool
is_lower(char ch)
{
	return ch >= 'a' && ch <= 'z';
}

static bool
is_alpha(char ch)
{
	return is_lower(ch) || (ch >= 'A' && ch <= 'Z');
}

/* the input can hold any byte: a message may quote it, nothing more */
static void
check_error(const Case *c)
{
	const ShimError *e = shim_error();

	if (e->message == NULL || e->message[0] == '\0')
		abort();
	if (e->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE &&
		e->sqlerrcode != ERRCODE_NULL_VALUE_NOT_ALLOWED &&
		e->sqlerrcode != ERRCODE_ARRAY_SUBSCRIPT_ERROR)
	{
		fprintf(stderr, "unexpected SQLSTATE %s: %s\n", shim_sqlstate(e->sqlerrcode), e->message);
		abort();
	}
	if (shim_valid_utf8(c->whole) &&
		(!shim_valid_utf8(e->message) || (e->detail && !shim_valid_utf8(e->detail))))
	{
		fprintf(stderr, "not UTF-8: %s / %s\n", e->message, e->detail ? e->detail : "");
		abort();
	}
}

/* RDS identifier rules, written again */
static bool
identifier_ok(const char *s, size_t maxlen)
{
	size_t		len = strlen(s);
	size_t		i;

	if (len == 0 || len > maxlen || !is_alpha(s[0]) || s[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++)
	{
		if (!(is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-'))
			return false;
		if (s[i] == '-' && i > 0 && s[i - 1] == '-')
			return false;
	}
	return true;
}

static bool
region_ok(const char *r)
{
	const char *last = strrchr(r, '-');

	if (strlen(r) > 32 || strlen(r) < 6 || !is_lower(r[0]) || !is_lower(r[1]) || r[2] != '-')
		return false;
	if (last == NULL || !is_digit(last[1]))
		return false;
	for (const char *p = r; *p; p++)
		if (!(is_lower(*p) || is_digit(*p) || *p == '-'))
			return false;
	return true;
}

static void
check_arn(const char *value, const AwsArn *a, const char *service)
{
	char	   *joined = psprintf("arn:%s:%s:%s:%s:%s", a->partition, a->service,
								  a->region, a->account, a->resource);

	/* the parts put together again are the value */
	if (strcmp(joined, value) != 0)
		abort();
	if (strcmp(a->service, service) != 0)
		abort();
	if (strcmp(a->partition, "aws") != 0 && strcmp(a->partition, "aws-cn") != 0 &&
		strcmp(a->partition, "aws-us-gov") != 0)
		abort();
	if (strlen(a->account) != 12)
		abort();
	for (int i = 0; i < 12; i++)
		if (!is_digit(a->account[i]))
			abort();
	if (a->region[0] != '\0')
	{
		if (!region_ok(a->region))
			abort();
		if (strcmp(aws_partition_of_region(a->region), a->partition) != 0)
			abort();
	}
}

static void
check_snapshot_arn(const char *value, const SnapshotArn *s, int kind)
{
	const char *id = s->snapshot;

	if (kind == SNAPSHOT_DB && s->cluster)
		abort();
	if (kind == SNAPSHOT_CLUSTER && !s->cluster)
		abort();
	if (!region_ok(s->region))
		abort();
	if (strncmp(id, "rds:", 4) == 0)
		id += 4;
	else if (strncmp(id, "awsbackup:", 10) == 0)
		id += 10;
	if (!identifier_ok(id, 255))
		abort();
	/* the identifier is the end of the ARN, and the ARN is of this region */
	if (strlen(value) < strlen(s->snapshot) ||
		strcmp(value + strlen(value) - strlen(s->snapshot), s->snapshot) != 0)
		abort();
	if (strstr(value, s->region) == NULL)
		abort();
}

static void
check_accepted(Case *c)
{
	const char *v = c->a;
	size_t		len = strlen(v);

	switch (c->which)
	{
		case 0:
		case 1:
			if (c->problem == NULL)
				check_arn(v, &c->arn, c->which == 0 ? (c->b ? c->b : "rds") : "iam");
			else if (!shim_valid_utf8(c->problem) && shim_valid_utf8(c->whole))
				abort();
			break;
		case 2:
		case 3:
		case 4:
			check_snapshot_arn(v, c->result, c->which == 2 ? SNAPSHOT_DB :
							   c->which == 3 ? SNAPSHOT_CLUSTER : SNAPSHOT_EITHER);
			break;
		case 5:
			if (c->result)
				check_snapshot_arn(v, c->result, c->b ? SNAPSHOT_CLUSTER : SNAPSHOT_DB);
			else
			{
				if (strncmp(v, "arn:", 4) == 0)
					abort();
				if (strncmp(v, "rds:", 4) == 0)
					v += 4;
				else if (strncmp(v, "awsbackup:", 10) == 0)
					v += 10;
				if (!identifier_ok(v, 255))
					abort();
			}
			break;
		case 6:
			if (!region_ok(v))
				abort();
			break;
		case 7:
			if (len < 3 || len > 63 || strstr(v, "..") || !(is_lower(v[0]) || is_digit(v[0])) ||
				!(is_lower(v[len - 1]) || is_digit(v[len - 1])))
				abort();
			for (size_t i = 0; i < len; i++)
				if (!(is_lower(v[i]) || is_digit(v[i]) || v[i] == '.' || v[i] == '-'))
					abort();
			break;
		case 8:
			{
				const char *p = c->result;
				size_t		plen = strlen(p);

				if (plen == 0 || plen > 1024 || p[0] == '/' || p[plen - 1] == '/' ||
					strstr(p, "//") || strncmp(v, p, plen) != 0)
					abort();
				if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0 || strncmp(p, "./", 2) == 0 ||
					strncmp(p, "../", 3) == 0 || strstr(p, "/./") || strstr(p, "/../"))
					abort();
				if ((plen >= 2 && strcmp(p + plen - 2, "/.") == 0) ||
					(plen >= 3 && strcmp(p + plen - 3, "/..") == 0))
					abort();
				break;
			}
		case 9:
			if (strncmp(v, "arn:", 4) != 0 || strstr(v, ":iam::") == NULL ||
				strstr(v, ":role/") == NULL || v[len - 1] == '/')
				abort();
			break;
		case 10:
			if (strncmp(v, "arn:", 4) == 0)
			{
				if (strstr(v, ":kms:") == NULL)
					abort();
				if (c->b && strstr(v, psprintf(":kms:%s:", c->b)) == NULL)
					abort();
			}
			for (size_t i = 0; i < len; i++)
				if ((unsigned char) v[i] <= ' ' || (unsigned char) v[i] >= 0x7f)
					abort();
			break;
		case 11:
			{
				int			h1,
							m1,
							h2,
							m2,
							d;

				if (len != 11 || sscanf(v, "%2d:%2d-%2d:%2d", &h1, &m1, &h2, &m2) != 4)
					abort();
				d = ((h2 * 60 + m2) - (h1 * 60 + m1) + 1440) % 1440;
				if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 || d < 30)
					abort();
				break;
			}
		case 12:
			{
				List	   *entries = c->result;
				ListCell   *lc;

				if (list_length(entries) == 0)
					abort();
				foreach(lc, entries)
				{
					const char *e = lfirst(lc);
					int			dots = 0;

					for (const char *p = e; *p; p++)
					{
						if (*p == '.')
							dots++;
						else if (!(is_alpha(*p) || is_digit(*p) || *p == '_' || *p == '$'))
							abort();
					}
					if (dots > 2 || e[0] == '.' || e[strlen(e) - 1] == '.' || strstr(e, ".."))
						abort();
				}
				break;
			}
		case 13:
			if (!identifier_ok(v, c->b ? RDS_MAX_DB_ID : RDS_MAX_SNAPSHOT_ID))
				abort();
			break;
		case 14:
			{
				ListCell   *lc;

				if (list_length((List *) c->result) > RDS_MAX_TAGS - 2)
					abort();
				foreach(lc, (List *) c->result)
				{
					TagPair    *t = lfirst(lc);

					if (t->key[0] == '\0' || strncasecmp(t->key, "aws:", 4) == 0 ||
						strcmp(t->key, TAG_CREATED_BY) == 0 ||
						strcmp(t->key, TAG_OPERATION) == 0)
						abort();
				}
				break;
			}
		case 15:
			{
				AwsEndpoint *ep = c->result;
				const char *h = ep->host;

				/* the Host header: a DNS name or an address, and a port */
				for (const char *p = h; *p; p++)
					if (!(is_alpha(*p) || is_digit(*p) || strchr("-.:[]", *p)))
						abort();
				if (h[0] == '.' || strstr(h, "..") || strstr(h, ".:"))
					abort();
				if (strncmp(ep->url, "http://", 7) == 0)
				{
					if (!(strncmp(h, "127.", 4) == 0 || strncasecmp(h, "localhost", 9) == 0 ||
						  strncmp(h, "[::1]", 5) == 0 ||
						  strncmp(h, "[0:0:0:0:0:0:0:1]", 17) == 0))
						abort();
				}
				else if (strncmp(ep->url, "https://", 8) != 0)
					abort();
				if (strcmp(ep->url + strlen(ep->url) - 1, "/") != 0)
					abort();
				break;
			}
		case 16:
			if (c->result != NULL && !shim_valid_utf8(c->result))
				abort();
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Case		c;
	char	   *text;
	char	   *nl;
	bool		ok;
	int			round;
	bool		first_ok = false;
	int			first_code = 0;

	if (size < 1)
		return 0;
	for (round = 0; round < 2; round++)
	{
		memset(&c, 0, sizeof(c));
		c.which = data[0] % N_CHECKS;
		/* an exact-size copy, so that a read past the end is caught */
		text = malloc(size);
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		c.whole = pstrdup(text);
		c.a = text;
		if ((nl = strchr(text, '\n')) != NULL && c.which != 12 && c.which != 14)
		{
			*nl = '\0';
			c.b = nl + 1;
		}
		rb_endpoint = NULL;
		ok = shim_call(run_check, &c);
		if (ok)
			check_accepted(&c);
		else
			check_error(&c);
		if (round == 0)
		{
			first_ok = ok;
			first_code = shim_error()->sqlerrcode;
		}
		else if (ok != first_ok || shim_error()->sqlerrcode != first_code)
			abort();
		free(text);
		shim_reset();
	}
	return 0;
}
