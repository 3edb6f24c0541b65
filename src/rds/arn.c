/*-------------------------------------------------------------------------
 * arn.c
 *		ARNs, the one reader of them: snapshot sources, exported snapshots,
 *		IAM roles, KMS keys and SNS topics are all taken apart here.
 *
 * An ARN decides which region (and account) a request goes to, so it is
 * checked as strictly as AWS writes them: a malformed one must never turn
 * into a request to some unexpected region.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "aws/endpoint.h"
#include "rds/arn.h"
#include "rds/names.h"

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
is_account(const char *s)
{
	int			i;

	for (i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[12] == '\0';
}

const char *
arn_read(const char *value, const char *service, bool region_required, AwsArn *arn)
{
	char	   *parts[6];
	char	   *p = pstrdup(value);
	int			i;

	for (i = 0; i < 5; i++)
	{
		char	   *colon = strchr(p, ':');

		if (colon == NULL)
			return "It is not an ARN (arn:partition:service:region:account:resource).";
		*colon = '\0';
		parts[i] = p;
		p = colon + 1;
	}
	parts[5] = p;
	if (strcmp(parts[0], "arn") != 0)
		return "It is not an ARN (arn:partition:service:region:account:resource).";
	arn->partition = parts[1];
	arn->service = parts[2];
	arn->region = parts[3];
	arn->account = parts[4];
	arn->resource = parts[5];
	if (strcmp(arn->service, service) != 0)
	{
		char	   *label = pstrdup(service);
		char	   *c;

		for (c = label; *c; c++)
			*c = pg_toupper((unsigned char) *c);
		return psprintf("It is an ARN of service \"%s\", not of %s.", arn->service, label);
	}
	if (!partition_is_known(arn->partition))
		return psprintf("\"%s\" is not an AWS partition (aws, aws-cn or aws-us-gov).",
						arn->partition);
	if (arn->region[0] != '\0' || region_required)
	{
		if (!endpoint_region_is_valid(arn->region))
			return psprintf("\"%s\" is not an AWS region.", arn->region);
		if (strcmp(aws_partition_of_region(arn->region), arn->partition) != 0)
			return psprintf("Region %s is not in partition %s.", arn->region, arn->partition);
	}
	if (!is_account(arn->account))
		return "The account must be 12 digits.";
	return NULL;
}

/* An identifier, possibly behind RDS's "rds:" or AWS Backup's "awsbackup:" prefix. */
static const char *
snapshot_id_problem(const char *id)
{
	if (strlen(id) > RDS_MAX_SNAPSHOT_ID)
		return "It is longer than 255 characters.";
	if (strncmp(id, "rds:", 4) == 0)
		id += 4;
	else if (strncmp(id, "awsbackup:", 10) == 0)
		id += 10;
	return identifier_problem(id, RDS_MAX_SNAPSHOT_ID);
}

static const char *
kind_name(SnapshotKind kind)
{
	return kind == SNAPSHOT_DB ? "DB snapshot" :
		kind == SNAPSHOT_CLUSTER ? "DB cluster snapshot" : "snapshot";
}

static void
bad_snapshot_arn(const char *argname, const char *value, SnapshotKind kind,
				 const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s ARN \"%s\" in %s", kind_name(kind), value, argname),
			 errdetail("%s", problem),
			 kind == SNAPSHOT_CLUSTER ?
			 errhint("DB cluster snapshot ARNs look like arn:aws:rds:us-east-1:123456789012:cluster-snapshot:name.") :
			 kind == SNAPSHOT_DB ?
			 errhint("DB snapshot ARNs look like arn:aws:rds:us-east-1:123456789012:snapshot:name.") :
			 errhint("A DB snapshot ARN looks like arn:aws:rds:us-east-1:123456789012:snapshot:name; "
					 "a DB cluster snapshot ARN has cluster-snapshot in place of snapshot.")));
}

SnapshotArn *
arn_snapshot(const char *argname, const char *value, SnapshotKind kind)
{
	AwsArn		arn;
	const char *problem;
	char	   *type;
	char	   *colon;
	SnapshotArn *r;

	if ((problem = arn_read(value, "rds", true, &arn)) != NULL)
		bad_snapshot_arn(argname, value, kind, problem);
	type = pstrdup(arn.resource);
	colon = strchr(type, ':');
	if (colon == NULL)
		bad_snapshot_arn(argname, value, kind,
						 "The resource must be snapshot:<identifier> or cluster-snapshot:<identifier>.");
	*colon = '\0';
	if (!((strcmp(type, "snapshot") == 0 && kind != SNAPSHOT_CLUSTER) ||
		  (strcmp(type, "cluster-snapshot") == 0 && kind != SNAPSHOT_DB)))
		bad_snapshot_arn(argname, value, kind,
						 kind == SNAPSHOT_EITHER ?
						 psprintf("It names a resource of type \"%s\", not a DB snapshot or a DB cluster snapshot.", type) :
						 psprintf("It names a \"%s\", not a \"%s\".", type,
								  kind == SNAPSHOT_CLUSTER ? "cluster-snapshot" : "snapshot"));
	if ((problem = snapshot_id_problem(colon + 1)) != NULL)
		bad_snapshot_arn(argname, value, kind,
						 psprintf("Its snapshot identifier is invalid: %s", problem));

	r = palloc0(sizeof(SnapshotArn));
	r->partition = arn.partition;
	r->region = arn.region;
	r->account = arn.account;
	r->cluster = strcmp(type, "cluster-snapshot") == 0;
	r->snapshot = colon + 1;
	return r;
}

SnapshotArn *
arn_snapshot_ref(const char *argname, const char *value, bool cluster)
{
	const char *problem;

	if (strncmp(value, "arn:", 4) == 0)
		return arn_snapshot(argname, value, cluster ? SNAPSHOT_CLUSTER : SNAPSHOT_DB);
	if ((problem = snapshot_id_problem(value)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s identifier \"%s\" in %s",
						cluster ? "DB cluster snapshot" : "DB snapshot", value, argname),
				 errdetail("%s", problem),
				 errhint("Give a snapshot identifier, or the snapshot's ARN.")));
	return NULL;
}

void
validate_region_arg(const char *argname, const char *value)
{
	if (!endpoint_region_is_valid(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid AWS region \"%s\" in %s", value, argname),
				 errdetail("A region is written like \"us-east-1\" or \"eu-central-2\".")));
}
