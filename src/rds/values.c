/*-------------------------------------------------------------------------
 * values.c
 *		Checks of values whose format AWS defines (ARNs, S3 bucket names
 *		and prefixes, KMS key ids, backup windows), run before any AWS call.
 *
 * The rules are AWS's documented ones (ARN formats, S3 bucket naming,
 * IAM role names and paths, KMS key identifiers, the RDS backup window),
 * so a value AWS would refuse is refused here, naming the argument, and
 * nothing reaches AWS.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "aws/endpoint.h"
#include "rds/arn.h"
#include "rds/names.h"
#include "rds/values.h"

#define S3_MAX_PREFIX		1024
#define IAM_MAX_ROLE_NAME	64
#define IAM_MAX_ROLE_PATH	512
#define KMS_MAX_ALIAS		256
#define EXPORT_ONLY_MAX_NAME	64

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 1234abcd-12ab-34cd-56ef-1234567890ab, or mrk-<32 hex> (multi-Region key) */
static bool
is_kms_key_id(const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	const char *p = s;
	int			g,
				i;

	if (strncmp(s, "mrk-", 4) == 0)
	{
		for (i = 0, p = s + 4; *p; p++, i++)
			if (!is_hex(*p))
				return false;
		return i == 32;
	}
	for (g = 0; g < 5; g++)
	{
		for (i = 0; i < groups[g]; i++, p++)
			if (!is_hex(*p))
				return false;
		if (g < 4 && *p++ != '-')
			return false;
	}
	return *p == '\0';
}

static void
invalid_value(const char *what, const char *value, const char *argname,
			  const char *problem, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s \"%s\" in %s", what, value, argname),
			 problem ? errdetail("%s", problem) : 0,
			 hint ? errhint("%s", hint) : 0));
}

/*
 * S3 general purpose bucket naming rules: 3 to 63 lower-case letters,
 * digits, dots and hyphens, a letter or digit at both ends, no two dots in
 * a row, not an IP address, none of the reserved prefixes and suffixes.
 */
void
validate_s3_bucket(const char *argname, const char *bucket)
{
	static const char *const hint =
		"S3 bucket names are 3 to 63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit.";
	static const char *const bad_prefixes[] = {"xn--", "sthree-", "amzn-s3-demo-", NULL};
	static const char *const bad_suffixes[] = {"-s3alias", "--ol-s3", ".mrap", "--x-s3",
	"--table-s3", NULL};
	size_t		len = strlen(bucket);
	size_t		i;
	int			dots = 0;
	bool		digits_and_dots = true;

	if (strncmp(bucket, "s3://", 5) == 0 || strncmp(bucket, "arn:", 4) == 0)
		invalid_value("S3 bucket name", bucket, argname,
					  "Give the bucket's name only, not a URL or ARN; a key prefix goes in s3_prefix.",
					  NULL);
	if (len < 3 || len > 63)
		invalid_value("S3 bucket name", bucket, argname,
					  "It must be 3 to 63 characters long.", hint);
	for (i = 0; i < len; i++)
	{
		char		c = bucket[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
			invalid_value("S3 bucket name", bucket, argname,
						  "It may contain only lower-case letters, digits, dots and hyphens.",
						  hint);
		if (c == '.')
		{
			dots++;
			if (i > 0 && bucket[i - 1] == '.')
				invalid_value("S3 bucket name", bucket, argname,
							  "It may not contain two dots in a row.", hint);
		}
		else if (!(c >= '0' && c <= '9'))
			digits_and_dots = false;
	}
	if (!((bucket[0] >= 'a' && bucket[0] <= 'z') || (bucket[0] >= '0' && bucket[0] <= '9')) ||
		!((bucket[len - 1] >= 'a' && bucket[len - 1] <= 'z') ||
		  (bucket[len - 1] >= '0' && bucket[len - 1] <= '9')))
		invalid_value("S3 bucket name", bucket, argname,
					  "It must begin and end with a letter or digit.", hint);
	if (digits_and_dots && dots == 3)
		invalid_value("S3 bucket name", bucket, argname,
					  "It may not be formatted as an IP address.", hint);
	for (i = 0; bad_prefixes[i]; i++)
		if (strncmp(bucket, bad_prefixes[i], strlen(bad_prefixes[i])) == 0)
			invalid_value("S3 bucket name", bucket, argname,
						  psprintf("The prefix \"%s\" is reserved by S3.", bad_prefixes[i]), hint);
	for (i = 0; bad_suffixes[i]; i++)
	{
		size_t		sl = strlen(bad_suffixes[i]);

		if (len > sl && strcmp(bucket + len - sl, bad_suffixes[i]) == 0)
			invalid_value("S3 bucket name", bucket, argname,
						  psprintf("The suffix \"%s\" is reserved by S3.", bad_suffixes[i]), hint);
	}
}

/*
 * A key prefix of S3's "safe" characters (letters, digits, ! - _ . * ' ( )
 * and /), path segments neither empty nor "." or "..", no leading slash.
 * One trailing slash is dropped: the export adds its own separator.
 */
char *
validate_s3_prefix(const char *argname, const char *prefix)
{
	static const char *const hint =
		"An S3 prefix is a path like exports/orders: letters, digits, ! - _ . * ' ( ) and slashes between segments.";
	size_t		len = strlen(prefix);
	char	   *result;
	char	   *seg;
	size_t		i;

	if (len == 0)
		invalid_value("S3 prefix", prefix, argname,
					  "It is empty; pass NULL for no prefix.", NULL);
	if (len > S3_MAX_PREFIX)
		invalid_value("S3 prefix", "...", argname,
					  psprintf("It is longer than %d characters.", S3_MAX_PREFIX), hint);
	for (i = 0; i < len; i++)
	{
		char		c = prefix[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  strchr("!-_.*'()/", c) != NULL))
			invalid_value("S3 prefix", prefix, argname,
						  "It may contain only letters, digits, ! - _ . * ' ( ) and /.", hint);
	}
	if (prefix[0] == '/')
		invalid_value("S3 prefix", prefix, argname,
					  "It may not begin with a slash.", hint);

	result = pstrdup(prefix);
	if (result[len - 1] == '/')
		result[len - 1] = '\0';
	seg = result;
	for (;;)
	{
		char	   *slash = strchr(seg, '/');
		size_t		seglen = slash ? (size_t) (slash - seg) : strlen(seg);

		if (seglen == 0)
			invalid_value("S3 prefix", prefix, argname,
						  "It may not contain an empty path segment (two slashes in a row).", hint);
		if ((seglen == 1 && seg[0] == '.') || (seglen == 2 && seg[0] == '.' && seg[1] == '.'))
			invalid_value("S3 prefix", prefix, argname,
						  "It may not contain a \".\" or \"..\" path segment.", hint);
		if (slash == NULL)
			break;
		seg = slash + 1;
	}
	return result;
}

/*
 * arn:<partition>:iam::<account>:role/[<path>/]<name>: IAM has no region;
 * a role name is 1 to 64 of letters, digits and + = , . @ _ -, a path is
 * printable ASCII segments.
 */
void
validate_iam_role_arn(const char *argname, const char *arn)
{
	static const char *const hint =
		"An IAM role ARN looks like arn:aws:iam::123456789012:role/rds-s3-export.";
	AwsArn		a;
	const char *problem;
	const char *res;
	const char *name;
	const char *p;

	if ((problem = arn_read(arn, "iam", false, &a)) != NULL)
		invalid_value("IAM role ARN", arn, argname, problem, hint);
	if (a.region[0] != '\0')
		invalid_value("IAM role ARN", arn, argname,
					  "IAM ARNs have no region part (arn:aws:iam::...).", hint);
	res = a.resource;
	if (strncmp(res, "role/", 5) != 0)
		invalid_value("IAM role ARN", arn, argname,
					  "The resource must be role/<name> (this is not a role).", hint);
	res += 5;
	name = strrchr(res, '/');
	name = name ? name + 1 : res;
	if (name[0] == '\0' || strlen(name) > IAM_MAX_ROLE_NAME)
		invalid_value("IAM role ARN", arn, argname,
					  "The role name must be 1 to 64 characters.", hint);
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			  strchr("+=,.@_-", *p) != NULL))
			invalid_value("IAM role ARN", arn, argname,
						  "A role name may contain only letters, digits and + = , . @ _ -.", hint);
	if ((size_t) (name - res) > IAM_MAX_ROLE_PATH)
		invalid_value("IAM role ARN", arn, argname, "The role path is too long.", hint);
	for (p = res; p < name; p++)
	{
		if (*p < 0x21 || *p > 0x7e)
			invalid_value("IAM role ARN", arn, argname,
						  "A role path may contain only printable ASCII characters.", hint);
		if (*p == '/' && (p == res || p[-1] == '/'))
			invalid_value("IAM role ARN", arn, argname,
						  "A role path may not contain an empty segment.", hint);
	}
}

/*
 * A KMS key: key ARN, alias ARN, key id, or alias name (alias/<name>),
 * the forms AWS accepts for KmsKeyId.  KMS keys are regional: with region
 * given, an ARN must be of that region (where the data is written).
 */
void
validate_kms_key_id(const char *argname, const char *key, const char *region)
{
	static const char *const hint =
		"Give a key ARN (arn:aws:kms:us-east-1:123456789012:key/<key id>), an alias ARN (...:alias/<name>), a key id, or alias/<name>.";
	const char *alias = NULL;

	if (strncmp(key, "arn:", 4) == 0)
	{
		AwsArn		a;
		const char *problem;

		if ((problem = arn_read(key, "kms", true, &a)) != NULL)
			invalid_value("KMS key", key, argname, problem, hint);
		if (region && strcmp(a.region, region) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("KMS key \"%s\" in %s is in region %s, not in %s",
							key, argname, a.region, region),
					 errdetail("KMS keys are regional: use a key of the region where the data is written.")));
		if (strncmp(a.resource, "key/", 4) == 0)
		{
			if (!is_kms_key_id(a.resource + 4))
				invalid_value("KMS key", key, argname,
							  "A key id is a UUID (1234abcd-12ab-34cd-56ef-1234567890ab) or mrk- and 32 hex digits.",
							  hint);
			return;
		}
		if (strncmp(a.resource, "alias/", 6) != 0)
			invalid_value("KMS key", key, argname,
						  "The resource must be key/<key id> or alias/<name>.", hint);
		alias = a.resource;
	}
	else if (strncmp(key, "alias/", 6) == 0)
		alias = key;
	else if (!is_kms_key_id(key))
		invalid_value("KMS key", key, argname,
					  "It is neither an ARN, an alias nor a key id (a UUID, or mrk- and 32 hex digits).",
					  hint);

	if (alias)
	{
		const char *p;

		if (alias[6] == '\0' || strlen(alias) > KMS_MAX_ALIAS)
			invalid_value("KMS key", key, argname,
						  "An alias is alias/ and 1 to 250 characters.", hint);
		for (p = alias + 6; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				  (*p >= '0' && *p <= '9') || strchr("/_-", *p) != NULL))
				invalid_value("KMS key", key, argname,
							  "An alias name may contain only letters, digits, / _ and -.", hint);
	}
}

/*
 * One part of an ExportOnly entry: a database, schema or table name as it
 * is stored, ASCII letters, digits, _ and $, a letter or _ first.
 */
static const char *
export_name_problem(const char *name, size_t len)
{
	size_t		i;

	if (len == 0)
		return "It has an empty name part.";
	if (len > EXPORT_ONLY_MAX_NAME)
		return "A name part is longer than 64 characters.";
	for (i = 0; i < len; i++)
		if (name[i] == '"' || name[i] == '`')
			return "Names are given as stored, without quotes: the ExportOnly syntax of AWS has no quoting.";
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
		  name[0] == '_'))
		return "Each name must begin with a letter or an underscore.";
	for (i = 0; i < len; i++)
	{
		char		c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '$'))
			return "Names may contain only ASCII letters, digits, _ and $.";
	}
	return NULL;
}

/*
 * export_only: a non-empty one-dimensional text[] of database,
 * database.schema (or database.table on MySQL) and database.schema.table
 * entries.  Returns the entries as a List of char *.
 */
List *
validate_export_only(const char *argname, ArrayType *entries)
{
	static const char *const hint =
		"Each entry is database, database.schema (database.table on MySQL) or database.schema.table; pass NULL to export everything.";
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	List	   *result = NIL;

	if (ARR_NDIM(entries) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", argname)));
	deconstruct_array(entries, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is empty", argname),
				 errhint("Pass NULL to export the whole snapshot.")));
	for (i = 0; i < n; i++)
	{
		char	   *entry;
		const char *p;
		int			parts = 0;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", argname)));
		entry = TextDatumGetCString(elems[i]);
		p = entry;
		for (;;)
		{
			const char *dot = strchr(p, '.');
			size_t		len = dot ? (size_t) (dot - p) : strlen(p);
			const char *problem = export_name_problem(p, len);

			parts++;
			if (problem)
				invalid_value("export_only entry", entry, argname, problem, hint);
			if (dot == NULL)
				break;
			p = dot + 1;
		}
		if (parts > 3)
			invalid_value("export_only entry", entry, argname,
						  "It has more than three parts.", hint);
		result = lappend(result, entry);
	}
	return result;
}

/*
 * hh24:mi-hh24:mi in UTC, both times valid, at least 30 minutes long
 * (it may run past midnight).
 */
void
validate_backup_window(const char *argname, const char *window)
{
	static const char *const hint =
		"A backup window is hh24:mi-hh24:mi in UTC, at least 30 minutes long, for example 03:00-03:30.";
	int			t[4];
	int			i;
	int			start,
				end;

	if (strlen(window) != 11 || window[2] != ':' || window[5] != '-' || window[8] != ':')
		invalid_value("backup window", window, argname,
					  "It is not in the format hh24:mi-hh24:mi.", hint);
	for (i = 0; i < 4; i++)
	{
		const char *p = window + i * 3;

		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
			invalid_value("backup window", window, argname,
						  "It is not in the format hh24:mi-hh24:mi.", hint);
		t[i] = (p[0] - '0') * 10 + (p[1] - '0');
	}
	if (t[0] > 23 || t[2] > 23 || t[1] > 59 || t[3] > 59)
		invalid_value("backup window", window, argname,
					  "Hours must be 00 to 23 and minutes 00 to 59.", hint);
	start = t[0] * 60 + t[1];
	end = t[2] * 60 + t[3];
	if (((end - start) % 1440 + 1440) % 1440 < 30)
		invalid_value("backup window", window, argname,
					  "It must be at least 30 minutes long.", hint);
}
