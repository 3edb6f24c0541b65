/*-------------------------------------------------------------------------
 * export.c
 *		rds_export_snapshot(), rds_export_tasks(), rds_cancel_export():
 *		snapshot exports to S3 in Parquet (StartExportTask and friends).
 *
 * An export operation's resource and params->>'ExportTaskIdentifier' are
 * the export task identifier, which tracking looks up with
 * DescribeExportTasks.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "aws/endpoint.h"
#include "core/runner.h"
#include "rds/actions.h"
#include "rds/names.h"
#include "rds/values.h"
#include "sql/args.h"
#include "sql/export.h"

PG_FUNCTION_INFO_V1(rds_export_snapshot);
PG_FUNCTION_INFO_V1(rds_export_tasks);
PG_FUNCTION_INFO_V1(rds_cancel_export);

/* Automatic identifiers that clash with an existing task are retried. */
#define AUTO_ID_ATTEMPTS	5

/* Room for "-20261125t030000" and a "-NNNN" suffix within 60 characters. */
#define AUTO_ID_BASE_MAX	38

/*
 * orders-prod-manual-1-20261125t030000: the snapshot identifier (without
 * "rds:" or "awsbackup:") and the UTC time to the second, lower case,
 * anything but letters and digits turned into single hyphens; "-2",
 * "-3" ... when taken.
 */
static char *
auto_export_id(const char *snapshot, int attempt, const char *region)
{
	const char *name = strrchr(snapshot, ':');
	pg_time_t	now = (pg_time_t) time(NULL);
	struct pg_tm *tm = pg_gmtime(&now);
	StringInfoData base;
	char	   *stamped;
	int			n = attempt;

	name = name ? name + 1 : snapshot;
	initStringInfo(&base);
	for (; *name && base.len < AUTO_ID_BASE_MAX; name++)
	{
		char		c = *name;

		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (base.len == 0 || base.data[base.len - 1] == '-'))
			continue;
		appendStringInfoChar(&base, c);
	}
	while (base.len > 0 && base.data[base.len - 1] == '-')
		base.data[--base.len] = '\0';
	if (base.len == 0 || !(base.data[0] >= 'a' && base.data[0] <= 'z'))
	{
		resetStringInfo(&base);
		appendStringInfoString(&base, "export");
	}
	stamped = psprintf("%s-%04d%02d%02dt%02d%02d%02d", base.data,
					   tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
					   tm->tm_hour, tm->tm_min, tm->tm_sec);
	for (;;)
	{
		char	   *id = n <= 1 ? pstrdup(stamped) : psprintf("%s-%d", stamped, n);

		if (!catalog_resource_in_use("export", region, id))
			return id;
		n++;
	}
}

static char *
json_string_list(List *values)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, values)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf, json_string(lfirst(lc)));
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* What an export task status means for its operation. */
static const char *
export_status_outcome(const char *status)
{
	if (status == NULL)
		return "in_progress";
	if (pg_strcasecmp(status, "COMPLETE") == 0)
		return "succeeded";
	if (pg_strcasecmp(status, "FAILED") == 0)
		return "failed";
	if (pg_strcasecmp(status, "CANCELED") == 0)
		return "canceled";
	return "in_progress";
}

/*
 * rds_export_snapshot(snapshot_arn, s3_bucket, iam_role_arn, kms_key_id,
 *					   s3_prefix, export_only, export_id, wait, timeout, region)
 *
 * The export runs in the snapshot's region: region may be omitted, and
 * must name that region when given.
 */
Datum
rds_export_snapshot(PG_FUNCTION_ARGS)
{
	char	   *snapshot_arn = arg_text(fcinfo, 0, "snapshot_arn");
	char	   *s3_bucket = arg_text(fcinfo, 1, "s3_bucket");
	char	   *iam_role_arn = arg_text(fcinfo, 2, "iam_role_arn");
	char	   *kms_key_id = arg_text(fcinfo, 3, "kms_key_id");
	char	   *s3_prefix = arg_text_or_null(fcinfo, 4);
	ArrayType  *export_only_arg = PG_ARGISNULL(5) ? NULL : PG_GETARG_ARRAYTYPE_P(5);
	char	   *export_id = arg_text_or_null(fcinfo, 6);
	bool		wait = arg_bool(fcinfo, 7, "wait");
	double		timeout_secs;
	char	   *timeout = arg_timeout(fcinfo, 8, "timeout", &timeout_secs);
	char	   *region_arg = arg_text_or_null(fcinfo, 9);
	bool		auto_id = (export_id == NULL);
	List	   *export_only = NIL;
	SnapshotArn *source;
	char	   *region;
	Operation	op;
	int			attempt;
	char	   *row = NULL;

	source = validate_snapshot_arn("snapshot_arn", snapshot_arn);
	validate_s3_bucket("s3_bucket", s3_bucket);
	validate_iam_role_arn("iam_role_arn", iam_role_arn);
	validate_kms_key_id("kms_key_id", kms_key_id, NULL);
	if (s3_prefix)
		s3_prefix = validate_s3_prefix("s3_prefix", s3_prefix);
	if (export_only_arg)
		export_only = validate_export_only("export_only", export_only_arg);
	if (export_id)
		validate_identifier("export_id", "export task identifier", export_id,
							RDS_MAX_EXPORT_ID);
	region = endpoint_resolve_region(region_arg ? region_arg : source->region);
	if (strcmp(region, source->region) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot_arn is in region %s, not in %s", source->region, region),
				 errdetail("A snapshot is exported in its own region."),
				 errhint("Omit region, or pass region => '%s'.", source->region)));

	memset(&op, 0, sizeof(op));
	op.kind = "export";
	op.region = region;
	op.cluster = source->cluster;
	op.timeout_secs = timeout_secs;

	for (attempt = 1; attempt <= AUTO_ID_ATTEMPTS; attempt++)
	{
		AwsRequest *req;
		AwsReply	reply;
		OpUpdate	ok = OP_UPDATE_INIT;
		StringInfoData params;

		if (auto_id)
			export_id = auto_export_id(source->snapshot, attempt, region);
		op.resource = export_id;
		op.export_id = export_id;

		initStringInfo(&params);
		appendStringInfo(&params,
						 "{\"ExportTaskIdentifier\":%s,\"SourceArn\":%s,\"S3BucketName\":%s,"
						 "\"IamRoleArn\":%s,\"KmsKeyId\":%s",
						 json_string(export_id), json_string(snapshot_arn),
						 json_string(s3_bucket), json_string(iam_role_arn),
						 json_string(kms_key_id));
		if (s3_prefix)
			appendStringInfo(&params, ",\"S3Prefix\":%s", json_string(s3_prefix));
		if (export_only)
			appendStringInfo(&params, ",\"ExportOnly\":%s", json_string_list(export_only));
		appendStringInfoChar(&params, '}');
		op.id = operation_insert(op.kind, region, export_id, snapshot_arn,
								 params.data, timeout);

		req = rds_start_export_task_request(region, export_id, snapshot_arn, s3_bucket,
											iam_role_arn, kms_key_id, s3_prefix,
											export_only);
		aws_call(req, &reply);

		/* someone else took the automatic name first: pick the next one */
		if (auto_id && reply.outcome == AWS_ERROR_REPLY && attempt < AUTO_ID_ATTEMPTS &&
			strcmp(reply.error_code, "ExportTaskAlreadyExists") == 0)
		{
			OpUpdate	u = OP_UPDATE_INIT;

			u.status = "failed";
			u.error = aws_reply_error_text(req, &reply);
			catalog_update_operation(op.id, &u, reply.audit);
			continue;
		}

		if (reply.outcome == AWS_OK)
		{
			RdsExportTask *t = rds_read_export_task_result(&reply);

			ok.status = export_status_outcome(t->status);
			ok.aws_status = t->status;
			if (t->progress >= 0 && t->progress <= 100)
				ok.progress = t->progress;
			ok.request_id = reply.request_id;
			if (strcmp(ok.status, "succeeded") == 0)
				ok.progress = 100;
			else if (strcmp(ok.status, "failed") == 0)
				ok.error = t->failure_cause ? t->failure_cause :
					psprintf("AWS reports status \"%s\"", t->status);
		}
		row = operation_record_start(&op, req, &reply, &ok);
		break;
	}
	if (wait)
		row = operation_wait(&op);
	CHECK_FOR_INTERRUPTS();
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, row));
}

static Datum
timestamptz_datum(const char *iso)
{
	return DirectFunctionCall3(timestamptz_in, CStringGetDatum(iso),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

#define EXPORT_TASK_COLUMNS	13

/*
 * rds_export_tasks(export_id, region): every page of DescribeExportTasks.
 * An export_id AWS does not know is an ERROR (ExportTaskNotFound).
 */
Datum
rds_export_tasks(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *export_id = arg_text_or_null(fcinfo, 0);
	char	   *region_arg = arg_text_or_null(fcinfo, 1);
	char	   *region;
	char	   *marker = NULL;

	if (export_id)
		validate_identifier("export_id", "export task identifier", export_id,
							RDS_MAX_EXPORT_ID);
	region = endpoint_resolve_region(region_arg);

	InitMaterializedSRF(fcinfo, 0);

	do
	{
		AwsRequest *req = rds_describe_export_tasks_request(region, export_id, marker);
		AwsReply	reply;
		List	   *tasks;
		ListCell   *lc;

		aws_call(req, &reply);
		catalog_write_audit(reply.audit, 0);
		if (reply.outcome != AWS_OK)
			aws_raise(req, &reply, NULL);
		tasks = rds_read_export_task_list(&reply, &marker);
		foreach(lc, tasks)
		{
			RdsExportTask *t = lfirst(lc);
			Datum		values[EXPORT_TASK_COLUMNS];
			bool		nulls[EXPORT_TASK_COLUMNS];

			memset(nulls, 0, sizeof(nulls));
			values[0] = CStringGetTextDatum(t->identifier ? t->identifier : "");
			nulls[1] = t->source_arn == NULL;
			if (t->source_arn)
				values[1] = CStringGetTextDatum(t->source_arn);
			nulls[2] = t->status == NULL;
			if (t->status)
				values[2] = CStringGetTextDatum(t->status);
			nulls[3] = t->progress < 0;
			values[3] = Int32GetDatum(t->progress);
			nulls[4] = t->s3_bucket == NULL;
			if (t->s3_bucket)
				values[4] = CStringGetTextDatum(t->s3_bucket);
			nulls[5] = t->s3_prefix == NULL;
			if (t->s3_prefix)
				values[5] = CStringGetTextDatum(t->s3_prefix);
			nulls[6] = t->export_only == NIL;
			if (t->export_only != NIL)
			{
				int			n = list_length(t->export_only);
				Datum	   *elems = palloc(sizeof(Datum) * n);
				ListCell   *ec;

				foreach(ec, t->export_only)
					elems[foreach_current_index(ec)] = CStringGetTextDatum(lfirst(ec));
				values[6] = PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
															TYPALIGN_INT));
			}
			nulls[7] = t->task_start == NULL;
			if (t->task_start)
				values[7] = timestamptz_datum(t->task_start);
			nulls[8] = t->task_end == NULL;
			if (t->task_end)
				values[8] = timestamptz_datum(t->task_end);
			nulls[9] = t->snapshot_time == NULL;
			if (t->snapshot_time)
				values[9] = timestamptz_datum(t->snapshot_time);
			nulls[10] = t->extracted_gb < 0;
			values[10] = Int32GetDatum(t->extracted_gb);
			nulls[11] = t->failure_cause == NULL;
			if (t->failure_cause)
				values[11] = CStringGetTextDatum(t->failure_cause);
			nulls[12] = t->warning == NULL;
			if (t->warning)
				values[12] = CStringGetTextDatum(t->warning);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		CHECK_FOR_INTERRUPTS();
	} while (marker != NULL && marker[0] != '\0');

	return (Datum) 0;
}

char *
export_cancel(const char *region, const char *export_id, int64 op_id, bool always_mark)
{
	AwsRequest *req = rds_cancel_export_task_request(region, export_id);
	AwsReply	reply;
	OpUpdate	u = OP_UPDATE_INIT;
	RdsExportTask *t;

	aws_call(req, &reply);
	if (reply.outcome != AWS_OK)
	{
		catalog_write_audit(reply.audit, op_id);
		aws_raise(req, &reply, NULL);
	}
	t = rds_read_export_task_result(&reply);
	if (op_id == 0)
	{
		catalog_write_audit(reply.audit, 0);
		return NULL;
	}
	u.aws_status = t->status;
	if (always_mark ||
		(t->status && (pg_strcasecmp(t->status, "CANCELING") == 0 ||
					   pg_strcasecmp(t->status, "CANCELED") == 0)))
	{
		u.status = "canceled";
		u.error = psprintf("canceled by %s", GetUserNameFromId(GetUserId(), false));
	}
	return catalog_update_operation(op_id, &u, reply.audit);
}

/*
 * rds_cancel_export(export_id, region): cancel the task in AWS; returns
 * our operations row of that export, now canceled, or NULL when the
 * export was not started through rds_backup.
 */
Datum
rds_cancel_export(PG_FUNCTION_ARGS)
{
	char	   *export_id = arg_text(fcinfo, 0, "export_id");
	char	   *region_arg = arg_text_or_null(fcinfo, 1);
	char	   *region;
	char	   *row;

	validate_identifier("export_id", "export task identifier", export_id,
						RDS_MAX_EXPORT_ID);
	region = endpoint_resolve_region(region_arg);
	row = export_cancel(region, export_id,
						catalog_find_export_operation(region, export_id), false);
	if (row == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, row));
}
