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

	aws_call(req, &reply);
	catalog_write_audit(reply.audit, 0);
	if (reply.outcome != AWS_OK)
		aws_raise(req, &reply, nothing_done);
	b = rds_read_instance_brief(&reply);
	if (b == NULL || b->arn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("DB instance \"%s\" not found in region %s", db_instance, region)));
	return b;
}

/*
 * rds_replicate_backups(db_instance, destination_region, retention_days,
 *						 kms_key_id, wait, timeout, region)
 */
Datum
rds_replicate_backups(PG_FUNCTION_ARGS)
{
	char	   *db_instance = arg_text(fcinfo, 0, "db_instance");
	char	   *destination = arg_text(fcinfo, 1, "destination_region");
	int			retention;
	char	   *kms_key_id = arg_text_or_null(fcinfo, 3);
	bool		wait = arg_bool(fcinfo, 4, "wait");
	double		timeout_secs;
	char	   *timeout = arg_timeout(fcinfo, 5, "timeout", &timeout_secs);
	char	   *region_arg = arg_text_or_null(fcinfo, 6);
	char	   *region;
	RdsInstanceBrief *inst;
	Operation	op;
	AwsRequest *req;
	AwsReply	reply;
	OpUpdate	ok = OP_UPDATE_INIT;
	char	   *row;

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

	memset(&op, 0, sizeof(op));
	op.kind = "replicate_backups";
	op.region = destination;
	op.resource = db_instance;
	op.timeout_secs = timeout_secs;
	op.id = operation_insert(op.kind, destination, db_instance, inst->arn,
							 psprintf("{\"SourceDBInstanceArn\":%s,\"SourceRegion\":%s,"
											  "\"BackupRetentionPeriod\":%d,\"KmsKeyId\":%s}",
											  json_string(inst->arn), json_string(region),
											  retention, json_string(kms_key_id)),
							 timeout);

	req = rds_start_backup_replication_request(destination, inst->arn, retention, kms_key_id);
	presign_add_url(req, region);
	aws_call(req, &reply);
	presign_scrub_reply(req, &reply);
	if (reply.outcome == AWS_OK)
	{
		RdsBackupReplica *b = rds_read_automated_backup_result(&reply);

		ok.status = "in_progress";
		ok.aws_status = b->status;
		ok.resource_arn = b->arn;
		ok.request_id = reply.request_id;
		if (b->status && strcmp(b->status, "replicating") == 0)
		{
			ok.status = "succeeded";
			ok.progress = 100;
		}
	}
	row = operation_record_start(&op, req, &reply, &ok);
	if (wait)
		row = operation_wait(&op);
	CHECK_FOR_INTERRUPTS();
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, row));
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
	char	   *db_instance = arg_text(fcinfo, 0, "db_instance");
	char	   *destination = arg_text(fcinfo, 1, "destination_region");
	char	   *region_arg = arg_text_or_null(fcinfo, 2);
	char	   *region;
	RdsInstanceBrief *inst;
	RdsBackupReplica *b;
	AwsRequest *req;
	AwsReply	reply;

	validate_identifier("db_instance", "DB instance identifier", db_instance, RDS_MAX_DB_ID);
	validate_region_arg("destination_region", destination);
	region = endpoint_resolve_region(region_arg);
	check_regions(region, destination);

	inst = describe_instance(region, db_instance, "Replication was not stopped.");
	req = rds_stop_backup_replication_request(destination, inst->arn);
	aws_call(req, &reply);
	catalog_write_audit(reply.audit, 0);
	if (reply.outcome != AWS_OK)
		aws_raise(req, &reply, NULL);
	b = rds_read_automated_backup_result(&reply);
	if (b->arn == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(b->arn));
}
