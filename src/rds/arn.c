/*-------------------------------------------------------------------------
 * arn.c
 *		RDS snapshot ARNs and KMS key ids as callers give them: checked
 *		before any AWS call.
 *
 * A source snapshot ARN decides which region (and account) a copy reads
 * from, so it is checked as strictly as AWS writes them: a malformed one
 * must never turn into a request to some unexpected region.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "aws/endpoint.h"
#include "rds/arn.h"
#include "rds/names.h"
#include "rds/values.h"

/* Prefixes of snapshots that RDS and AWS Backup make themselves. */
static const char *const system_prefixes[] = {"rds:", "awsbackup:", NULL};

/*
 * A snapshot identifier as a copy source: the RDS naming rules, after an
 * optional "rds:" (automated snapshots) or "awsbackup:" prefix.
 */
static const char *
source_id_problem(const char *id)
{
	const char *const *p;

	for (p = system_prefixes; *p; p++)
		if (strncmp(id, *p, strlen(*p)) == 0)
		{
			if (strlen(id) > RDS_MAX_SNAPSHOT_ID)
				return "It is longer than 255 characters.";
			return identifier_problem(id + strlen(*p), RDS_MAX_SNAPSHOT_ID);
		}
	return identifier_problem(id, RDS_MAX_SNAPSHOT_ID);
}

static void
bad_arn(const char *argname, const char *value, const char *problem, bool cluster)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s ARN \"%s\" in %s",
					cluster ? "DB cluster snapshot" : "DB snapshot", value, argname),
			 errdetail("%s", problem),
			 errhint("%s ARNs look like arn:aws:rds:us-east-1:123456789012:%s:name.",
					 cluster ? "DB cluster snapshot" : "DB snapshot",
					 cluster ? "cluster-snapshot" : "snapshot")));
}

/* Split at the first n-1 colons; false when there are fewer. */
static bool
split_colons(char *s, char **parts, int n)
{
	int			i;

	for (i = 0; i < n - 1; i++)
	{
		char	   *c = strchr(s, ':');

		if (c == NULL)
			return false;
		*c = '\0';
		parts[i] = s;
		s = c + 1;
	}
	parts[n - 1] = s;
	return true;
}

RdsArn *
arn_parse_snapshot_source(const char *argname, const char *value, bool cluster)
{
	const char *want_type = cluster ? "cluster-snapshot" : "snapshot";
	char	   *parts[7];
	char	   *copy;
	const char *problem;
	RdsArn	   *arn;
	int			i;

	if (strncmp(value, "arn:", 4) != 0)
	{
		problem = source_id_problem(value);
		if (problem)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s identifier \"%s\" in %s",
							cluster ? "DB cluster snapshot" : "DB snapshot", value, argname),
					 errdetail("%s", problem),
					 errhint("Give a snapshot identifier or the snapshot's ARN.")));
		return NULL;
	}

	copy = pstrdup(value);
	if (!split_colons(copy, parts, 7))
		bad_arn(argname, value, "It does not have the seven colon-separated parts of an ARN.",
				cluster);
	if (strcmp(parts[1], "aws") != 0 && strcmp(parts[1], "aws-cn") != 0 &&
		strcmp(parts[1], "aws-us-gov") != 0)
		bad_arn(argname, value, "Its partition is not aws, aws-cn or aws-us-gov.", cluster);
	if (strcmp(parts[2], "rds") != 0)
		bad_arn(argname, value, "It does not name an RDS resource.", cluster);
	if (!endpoint_region_is_valid(parts[3]))
		bad_arn(argname, value, "Its region is not a valid AWS region name.", cluster);
	if (strcmp(parts[1], aws_partition_of_region(parts[3])) != 0)
		bad_arn(argname, value, "Its region does not belong to its partition.", cluster);
	if (strlen(parts[4]) != 12)
		bad_arn(argname, value, "Its account id is not 12 digits.", cluster);
	for (i = 0; i < 12; i++)
		if (parts[4][i] < '0' || parts[4][i] > '9')
			bad_arn(argname, value, "Its account id is not 12 digits.", cluster);
	if (strcmp(parts[5], want_type) != 0)
		bad_arn(argname, value,
				psprintf("It names a \"%s\", not a \"%s\".", parts[5], want_type), cluster);
	if ((problem = source_id_problem(parts[6])) != NULL)
		bad_arn(argname, value, psprintf("Its snapshot identifier is invalid: %s", problem),
				cluster);

	arn = palloc0(sizeof(RdsArn));
	arn->partition = parts[1];
	arn->region = parts[3];
	arn->account = parts[4];
	arn->type = parts[5];
	arn->id = parts[6];
	return arn;
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
