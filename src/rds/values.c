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
#include "rds/names.h"
#include "rds/values.h"

#define S3_MAX_PREFIX		1024
#define IAM_MAX_ROLE_NAME	64
#define IAM_MAX_ROLE_PATH	512
#define KMS_MAX_ALIAS		256
#define EXPORT_ONLY_MAX_NAME	64

const char *
aws_partition_of_region(const char *region)
{
	if (strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	if (strncmp(region, "us-isob-", 8) == 0)
		return "aws-iso-b";
	if (strncmp(region, "us-iso-", 7) == 0)
		return "aws-iso";
	return "aws";
}

static bool
partition_is_known(const char *p)
{
	return strcmp(p, "aws") == 0 || strcmp(p, "aws-cn") == 0 ||
		strcmp(p, "aws-us-gov") == 0;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t		i;

	if (strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

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

/*
 * Split an ARN into its six parts; the resource (last part) may itself
 * contain colons.  Returns false unless it has all six.
 */
static bool
split_arn(const char *arn, char *parts[6])
{
	char	   *copy = pstrdup(arn);
	char	   *p = copy;
	int			i;

	for (i = 0; i < 5; i++)
	{
		char	   *colon = strchr(p, ':');

		if (colon == NULL)
			return false;
		*colon = '\0';
		parts[i] = p;
		p = colon + 1;
	}
	parts[5] = p;
	return strcmp(parts[0], "arn") == 0;
}

/*
 * The partition and region parts of an ARN: a known partition, a region
 * of that partition.  Returns NULL when fine, else the problem.
 */
static const char *
partition_region_problem(const char *partition, const char *region, bool region_required)
{
	if (!partition_is_known(partition))
		return psprintf("\"%s\" is not an AWS partition (aws, aws-cn or aws-us-gov).",
						partition);
	if (region[0] == '\0' && !region_required)
		return NULL;
	if (!endpoint_region_is_valid(region))
		return psprintf("\"%s\" is not an AWS region.", region);
	if (strcmp(aws_partition_of_region(region), partition) != 0)
		return psprintf("Region %s is not in partition %s.", region, partition);
	return NULL;
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
 * arn:<partition>:rds:<region>:<account>:snapshot:<id> or
 * ...:cluster-snapshot:<id>.  Automated snapshots carry "rds:" before the
 * identifier, AWS Backup ones "awsbackup:".
 */
SnapshotArn *
validate_snapshot_arn(const char *argname, const char *arn)
{
	static const char *const hint =
		"A DB snapshot ARN looks like arn:aws:rds:us-east-1:123456789012:snapshot:orders-prod-20261125t030000; "
		"a DB cluster snapshot ARN has cluster-snapshot in place of snapshot.";
	char	   *parts[6];
	char	   *colon;
	char	   *type;
	char	   *id;
	const char *problem;
	SnapshotArn *r;

	if (!split_arn(arn, parts))
		invalid_value("snapshot ARN", arn, argname,
					  "It is not an ARN (arn:partition:service:region:account:resource).", hint);
	if (strcmp(parts[2], "rds") != 0)
		invalid_value("snapshot ARN", arn, argname,
					  psprintf("It is an ARN of service \"%s\", not of RDS.", parts[2]), hint);
	if ((problem = partition_region_problem(parts[1], parts[3], true)) != NULL)
		invalid_value("snapshot ARN", arn, argname, problem, hint);
	if (!all_digits(parts[4], 12))
		invalid_value("snapshot ARN", arn, argname,
					  "The account must be 12 digits.", hint);

	type = pstrdup(parts[5]);
	colon = strchr(type, ':');
	if (colon == NULL)
		invalid_value("snapshot ARN", arn, argname,
					  "The resource must be snapshot:<identifier> or cluster-snapshot:<identifier>.",
					  hint);
	*colon = '\0';
	id = colon + 1;
	if (strcmp(type, "snapshot") != 0 && strcmp(type, "cluster-snapshot") != 0)
		invalid_value("snapshot ARN", arn, argname,
					  psprintf("It names a resource of type \"%s\"; only DB snapshots and DB cluster snapshots can be exported.",
							   type),
					  hint);
	if (strncmp(id, "rds:", 4) == 0)
		id += 4;
	else if (strncmp(id, "awsbackup:", 10) == 0)
		id += 10;
	if ((problem = identifier_problem(id, RDS_MAX_SNAPSHOT_ID)) != NULL)
		invalid_value("snapshot ARN", arn, argname,
					  psprintf("Its snapshot identifier is invalid: %s", problem), hint);

	r = palloc0(sizeof(SnapshotArn));
	r->partition = parts[1];
	r->region = parts[3];
	r->account = parts[4];
	r->cluster = strcmp(type, "cluster-snapshot") == 0;
	r->snapshot = pstrdup(colon + 1);
	return r;
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
	char	   *parts[6];
	const char *problem;
	const char *res;
	const char *name;
	const char *p;

	if (!split_arn(arn, parts))
		invalid_value("IAM role ARN", arn, argname,
					  "It is not an ARN (arn:partition:iam::account:role/name).", hint);
	if (strcmp(parts[2], "iam") != 0)
		invalid_value("IAM role ARN", arn, argname,
					  psprintf("It is an ARN of service \"%s\", not of IAM.", parts[2]), hint);
	if ((problem = partition_region_problem(parts[1], parts[3], false)) != NULL)
		invalid_value("IAM role ARN", arn, argname, problem, hint);
	if (parts[3][0] != '\0')
		invalid_value("IAM role ARN", arn, argname,
					  "IAM ARNs have no region part (arn:aws:iam::...).", hint);
	if (!all_digits(parts[4], 12))
		invalid_value("IAM role ARN", arn, argname, "The account must be 12 digits.", hint);
	res = parts[5];
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
		char	   *parts[6];
		const char *problem;

		if (!split_arn(key, parts))
			invalid_value("KMS key", key, argname, "It is not a complete ARN.", hint);
		if (strcmp(parts[2], "kms") != 0)
			invalid_value("KMS key", key, argname,
						  psprintf("It is an ARN of service \"%s\", not of KMS.", parts[2]), hint);
		if ((problem = partition_region_problem(parts[1], parts[3], true)) != NULL)
			invalid_value("KMS key", key, argname, problem, hint);
		if (!all_digits(parts[4], 12))
			invalid_value("KMS key", key, argname, "The account must be 12 digits.", hint);
		if (region && strcmp(parts[3], region) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("KMS key \"%s\" in %s is in region %s, not in %s",
							key, argname, parts[3], region),
					 errdetail("KMS keys are regional: use a key of the region where the data is written.")));
		if (strncmp(parts[5], "key/", 4) == 0)
		{
			if (!is_kms_key_id(parts[5] + 4))
				invalid_value("KMS key", key, argname,
							  "A key id is a UUID (1234abcd-12ab-34cd-56ef-1234567890ab) or mrk- and 32 hex digits.",
							  hint);
			return;
		}
		if (strncmp(parts[5], "alias/", 6) != 0)
			invalid_value("KMS key", key, argname,
						  "The resource must be key/<key id> or alias/<name>.", hint);
		alias = parts[5];
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
