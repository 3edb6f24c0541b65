/*-------------------------------------------------------------------------
 * copy.c
 *		rds_copy_snapshot(), rds_copy_cluster_snapshot().
 *
 * A copy is made in the destination region (the region argument) from a
 * snapshot named by identifier or ARN.  The source is described first, in
 * its own region: that gives its ARN (which a cross-region copy must send,
 * and which the copy is tagged with), tells whether it is encrypted (a
 * cross-region or cross-account copy of an encrypted snapshot needs a KMS
 * key of the destination), and reports a missing source before anything
 * is recorded.  A cross-region request carries the PreSignedUrl the AWS
 * SDKs build (presign.c).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "aws/endpoint.h"
#include "aws/errcodes.h"
#include "core/runner.h"
#include "rds/actions.h"
#include "rds/arn.h"
#include "rds/names.h"
#include "rds/presign.h"
#include "rds/values.h"
#include "sql/args.h"

PG_FUNCTION_INFO_V1(rds_copy_snapshot);
PG_FUNCTION_INFO_V1(rds_copy_cluster_snapshot);

/* Describe the source in its region; ERROR if AWS does not know it. */
static RdsSnapshot *
describe_source(bool cluster, const char *region, const char *source)
{
	AwsRequest *req = rds_describe_one_snapshot_request(cluster, region, source);
	AwsReply	reply;
	List	   *snaps;
	char	   *marker;

	runner_read(req, &reply, "Nothing was copied.");
	snaps = rds_read_snapshot_list(cluster, &reply, &marker);
	if (snaps == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("%s \"%s\" not found in region %s",
						cluster ? "DB cluster snapshot" : "DB snapshot", source, region)));
	return linitial(snaps);
}

typedef struct CopyStart
{
	bool		cluster;
	const char *wire_source;	/* as sent: the ARN when it is in another region */
	const char *source_region;	/* NULL within a region */
	const char *source_arn;
	const char *kms_key_id;
	bool		copy_tags;
	List	   *tags;
} CopyStart;

static AwsRequest *
build_copy(OpStart *start, int64 op_id)
{
	CopyStart  *c = start->arg;
	List	   *all_tags;
	AwsRequest *req;

	all_tags = tags_with_provenance(c->tags, GetUserNameFromId(GetUserId(), false), op_id);
	all_tags = lappend(all_tags, tag_pair(TAG_SOURCE_ARN, c->source_arn));
	req = rds_copy_snapshot_request(c->cluster, start->region, c->wire_source,
									start->resource, c->kms_key_id, c->copy_tags, all_tags);
	if (c->source_region)
		presign_add_url(req, c->source_region);
	return req;
}

static void
scrub_copy(OpStart *start, AwsRequest *req, AwsReply *reply)
{
	if (((CopyStart *) start->arg)->source_region)
		presign_scrub_reply(req, reply);
}

static Datum
copy_snapshot(FunctionCallInfo fcinfo, bool cluster)
{
	char	   *source;
	char	   *target;
	char	   *source_region_arg = arg_text_or_null(fcinfo, 2);
	char	   *kms_key_id = arg_text_or_null(fcinfo, 3);
	bool		copy_tags = arg_bool(fcinfo, 4, "copy_tags");
	Jsonb	   *tags_arg = PG_ARGISNULL(5) ? NULL : PG_GETARG_JSONB_P(5);
	bool		wait = arg_bool(fcinfo, 6, "wait");
	double		timeout_secs;
	char	   *region_arg = arg_text_or_null(fcinfo, 8);
	const char *what = cluster ? "DB cluster snapshot" : "DB snapshot";
	SnapshotArn *arn;
	List	   *tags;
	ListCell   *lc;
	char	   *region;
	const char *source_region;
	bool		cross_region;
	bool		foreign;
	RdsSnapshot *src;
	const char *wire_source;
	StringInfoData params;
	CopyStart	c;
	OpStart		start;

	runner_check_ready();
	source = arg_text(fcinfo, 0, "source");
	target = arg_text(fcinfo, 1, "target");
	/* everything the caller gave is checked before any AWS call */
	(void) arg_timeout(fcinfo, 7, "timeout", &timeout_secs);
	arn = arn_snapshot_ref("source", source, cluster);
	validate_identifier("target", cluster ? "DB cluster snapshot identifier" :
						"DB snapshot identifier", target, RDS_MAX_SNAPSHOT_ID);
	if (source_region_arg)
		validate_region_arg("source_region", source_region_arg);
	tags = validate_tags("tags", tags_arg, 3);
	foreach(lc, tags)
	{
		TagPair    *t = lfirst(lc);

		if (strcmp(t->key, TAG_SOURCE_ARN) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tag key \"%s\" in tags is set by rds_backup itself", t->key)));
	}
	region = endpoint_resolve_region(region_arg);
	if (kms_key_id)
		validate_kms_key_id("kms_key_id", kms_key_id, region);

	/* where the source lives: its ARN says so, else source_region, else here */
	if (arn && source_region_arg && strcmp(arn->region, source_region_arg) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("source_region \"%s\" contradicts the region of the source ARN (%s)",
						source_region_arg, arn->region),
				 errhint("Omit source_region when source is an ARN.")));
	source_region = arn ? arn->region : source_region_arg ? source_region_arg : region;
	if (strcmp(aws_partition_of_region(source_region), aws_partition_of_region(region)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot copy a %s from region %s to region %s", what,
						source_region, region),
				 errdetail("The regions belong to different AWS partitions.")));
	cross_region = strcmp(source_region, region) != 0;

	src = describe_source(cluster, source_region, source);
	if (src->arn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_RB_AWS_BAD_REPLY),
				 errmsg("RDS described %s \"%s\" without its ARN", what, source)));
	foreign = src->snapshot_type &&
		(strcmp(src->snapshot_type, "shared") == 0 || strcmp(src->snapshot_type, "public") == 0);
	if (src->encrypted && kms_key_id == NULL && (cross_region || foreign))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" is encrypted: copying it %s needs kms_key_id", what, source,
						cross_region ? "to another region" : "from another account"),
				 errdetail("%s", cross_region ?
						   "KMS keys are regional: the copy must be encrypted with a key of the destination region." :
						   "The copy must be encrypted with a KMS key of this account."),
				 errhint("Pass kms_key_id => '<key id, alias or ARN in %s>'.", region)));
	if (cluster && !src->encrypted && kms_key_id)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("DB cluster snapshot \"%s\" is not encrypted: kms_key_id cannot be used",
						source),
				 errdetail("RDS does not encrypt a copy of an unencrypted DB cluster snapshot.")));

	/* a copy from another region names its source by ARN */
	wire_source = cross_region ? src->arn : source;

	memset(&c, 0, sizeof(c));
	c.cluster = cluster;
	c.wire_source = wire_source;
	c.source_region = cross_region ? source_region : NULL;
	c.source_arn = src->arn;
	c.kms_key_id = kms_key_id;
	c.copy_tags = copy_tags;
	c.tags = tags;

	initStringInfo(&params);
	appendStringInfo(&params, "{\"%s\":%s,\"%s\":%s,\"SourceRegion\":%s,"
					 "\"KmsKeyId\":%s,\"CopyTags\":%s,\"Tags\":%s}",
					 cluster ? "SourceDBClusterSnapshotIdentifier" : "SourceDBSnapshotIdentifier",
					 json_string(wire_source),
					 cluster ? "TargetDBClusterSnapshotIdentifier" : "TargetDBSnapshotIdentifier",
					 json_string(target), json_string(cross_region ? source_region : NULL),
					 json_string(kms_key_id), copy_tags ? "true" : "false", tags_to_json(tags));

	memset(&start, 0, sizeof(start));
	start.kind = cluster ? "copy_cluster_snapshot" : "copy_snapshot";
	start.region = region;
	start.resource = target;
	start.source = wire_source;
	start.params_json = params.data;
	start.wait = wait;
	start.timeout_secs = timeout_secs;
	start.build = build_copy;
	start.after_call = scrub_copy;
	start.arg = &c;
	return runner_start(fcinfo, &start);
}

/*
 * rds_copy_snapshot(source, target, source_region, kms_key_id, copy_tags,
 *					 tags, wait, timeout, region)
 */
Datum
rds_copy_snapshot(PG_FUNCTION_ARGS)
{
	return copy_snapshot(fcinfo, false);
}

/* rds_copy_cluster_snapshot(): the same arguments, for Aurora. */
Datum
rds_copy_cluster_snapshot(PG_FUNCTION_ARGS)
{
	return copy_snapshot(fcinfo, true);
}
