/*-------------------------------------------------------------------------
 * replicate.c
 *		rds_replicate_backups(), rds_stop_replicating_backups(): copies of
 *		an instance's automated backups kept in another region.
 *
 * Both requests go to the destination region and name the source instance
 * by ARN, which DescribeDBInstances in the source region (the region
 * argument) gives.  Starting is asynchronous (pending, then replicating)
 * and is tracked in the destination region by that ARN; it carries the
 * PreSignedUrl the AWS SDKs send.  Stopping is synchronous and sends none,
 * as the SDKs do.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"

#include "aws/endpoint.h"
#include "core/runner.h"
#include "rds/actions.h"
#include "rds/arn.h"
#include "rds/names.h"
#include "rds/presign.h"
#include "rds/values.h"
#include "sql/args.h"

PG_FUNCTION_INFO_V1(rds_replicate_backups);
PG_FUNCTION_INFO_V1(rds_stop_replicating_backups);

/* Check the two regions; ERROR unless they differ within one partition. */
static void
check_regions(const char *source_region, const char *destination_region)
{
	if (strcmp(source_region, destination_region) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("destination_region must differ from the instance's region %s",
						source_region),
				 errhint("Pass region => '...' for an instance outside rds_backup.region.")));
	if (strcmp(aws_partition_of_region(source_region),
			   aws_partition_of_region(destination_region)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot replicate backups from region %s to region %s",
						source_region, destination_region),
				 errdetail("The regions belong to different AWS partitions.")));
}

/* The source instance, described in its own region. */
static RdsInstanceBrief *
describe_instance(const char *region, const char *db_instance, const char *nothing_done)
{
	AwsRequest *req = rds_describe_instance_brief_request(region, db_instance);
	AwsReply	reply;
	RdsInstanceBrief *b;

	runner_read(req, &reply, nothing_done);
	b = rds_read_instance_brief(&reply);
	if (b == NULL || b->arn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("DB instance \"%s\" not found in region %s", db_instance, region)));
	return b;
}

typedef struct ReplicateStart
{
	const char *source_arn;
	const char *source_region;
	int			retention;
	const char *kms_key_id;
} ReplicateStart;

static AwsRequest *
build_replicate(OpStart *start, int64 op_id)
{
	ReplicateStart *r = start->arg;
	AwsRequest *req;

	req = rds_start_backup_replication_request(start->region, r->source_arn, r->retention,
											   r->kms_key_id);
	presign_add_url(req, r->source_region);
	return req;
}

static void
scrub_replicate(OpStart *start, AwsRequest *req, AwsReply *reply)
{
	presign_scrub_reply(req, reply);
}

/*
 * rds_replicate_backups(db_instance, destination_region, retention_days,
 *						 kms_key_id, wait, timeout, region)
 */
Datum
rds_replicate_backups(PG_FUNCTION_ARGS)
{
	char	   *db_instance;
	char	   *destination;
	int			retention;
	char	   *kms_key_id = arg_text_or_null(fcinfo, 3);
	bool		wait = arg_bool(fcinfo, 4, "wait");
	double		timeout_secs;
	char	   *region_arg = arg_text_or_null(fcinfo, 6);
	char	   *region;
	RdsInstanceBrief *inst;
	ReplicateStart r;
	OpStart		start;

	runner_check_ready();
	db_instance = arg_text(fcinfo, 0, "db_instance");
	destination = arg_text(fcinfo, 1, "destination_region");
	(void) arg_timeout(fcinfo, 5, "timeout", &timeout_secs);
	validate_identifier("db_instance", "DB instance identifier", db_instance, RDS_MAX_DB_ID);
	validate_region_arg("destination_region", destination);
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("retention_days must not be NULL")));
	retention = PG_GETARG_INT32(2);
	if (retention < 1 || retention > 35)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_days must be between 1 and 35, not %d", retention)));
	if (kms_key_id)
		validate_kms_key_id("kms_key_id", kms_key_id, destination);
	region = endpoint_resolve_region(region_arg);
	check_regions(region, destination);

	inst = describe_instance(region, db_instance, "Replication was not started.");
	if (inst->encrypted && kms_key_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("DB instance \"%s\" is encrypted: replicating its backups needs kms_key_id",
						db_instance),
				 errdetail("KMS keys are regional: the replicated backups must be encrypted with a key of %s.",
						   destination),
				 errhint("Pass kms_key_id => '<key id, alias or ARN in %s>'.", destination)));

	memset(&r, 0, sizeof(r));
	r.source_arn = inst->arn;
	r.source_region = region;
	r.retention = retention;
	r.kms_key_id = kms_key_id;

	memset(&start, 0, sizeof(start));
	start.kind = "replicate_backups";
	start.region = destination;
	start.resource = db_instance;
	start.source = inst->arn;
	start.params_json = psprintf("{\"SourceDBInstanceArn\":%s,\"SourceRegion\":%s,"
								 "\"BackupRetentionPeriod\":%d,\"KmsKeyId\":%s}",
								 json_string(inst->arn), json_string(region),
								 retention, json_string(kms_key_id));
	start.wait = wait;
	start.timeout_secs = timeout_secs;
	start.build = build_replicate;
	start.after_call = scrub_replicate;
	start.arg = &r;
	return runner_start(fcinfo, &start);
}

/*
 * rds_stop_replicating_backups(db_instance, destination_region, region)
 *
 * Returns the ARN of the replicated automated backup in the destination
 * region: RDS keeps it (status "retained") until its retention period
 * runs out, and that ARN is what restoring from it or deleting it needs.
 */
Datum
rds_stop_replicating_backups(PG_FUNCTION_ARGS)
{
	char	   *db_instance;
	char	   *destination;
	char	   *region_arg = arg_text_or_null(fcinfo, 2);
	char	   *region;
	RdsInstanceBrief *inst;
	RdsBackupReplica *b;
	AwsRequest *req;
	AwsReply	reply;

	runner_check_ready();
	db_instance = arg_text(fcinfo, 0, "db_instance");
	destination = arg_text(fcinfo, 1, "destination_region");
	validate_identifier("db_instance", "DB instance identifier", db_instance, RDS_MAX_DB_ID);
	validate_region_arg("destination_region", destination);
	region = endpoint_resolve_region(region_arg);
	check_regions(region, destination);

	inst = describe_instance(region, db_instance, "Replication was not stopped.");
	req = rds_stop_backup_replication_request(destination, inst->arn);
	runner_change(req, &reply);
	if (reply.outcome != AWS_OK)
		aws_raise(req, &reply, NULL);
	b = rds_read_automated_backup_result(&reply);
	if (b->arn == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(b->arn));
}
