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
#include "rds/arn.h"
#include "rds/names.h"
#include "rds/values.h"
#include "sql/args.h"
#include "sql/export.h"
#include "sql/privileges.h"

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
auto_export_base(const char *snapshot)
{
	const char *name = strrchr(snapshot, ':');
	pg_time_t	now = (pg_time_t) time(NULL);
	struct pg_tm *tm = pg_gmtime(&now);
	StringInfoData base;

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
	return psprintf("%s-%04d%02d%02dt%02d%02d%02d", base.data,
					tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
					tm->tm_hour, tm->tm_min, tm->tm_sec);
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

typedef struct ExportStart
{
	const char *snapshot_arn;
	const char *source_snapshot;
	const char *s3_bucket;
	const char *iam_role_arn;
	const char *kms_key_id;
	const char *s3_prefix;
	List	   *export_only;
	char	   *base;			/* of automatic names */
} ExportStart;

static char *
export_params(const ExportStart *e, const char *export_id)
{
	StringInfoData params;

	initStringInfo(&params);
	appendStringInfo(&params,
					 "{\"ExportTaskIdentifier\":%s,\"SourceArn\":%s,\"S3BucketName\":%s,"
					 "\"IamRoleArn\":%s,\"KmsKeyId\":%s",
					 json_string(export_id), json_string(e->snapshot_arn),
					 json_string(e->s3_bucket), json_string(e->iam_role_arn),
					 json_string(e->kms_key_id));
	if (e->s3_prefix)
		appendStringInfo(&params, ",\"S3Prefix\":%s", json_string(e->s3_prefix));
	if (e->export_only)
		appendStringInfo(&params, ",\"ExportOnly\":%s", json_string_list(e->export_only));
	appendStringInfoChar(&params, '}');
	return params.data;
}

/* The n-th automatic name: the base, then base-2, base-3 ... */
static void
name_export(OpStart *start, int n)
{
	ExportStart *e = start->arg;

	start->resource = n <= 1 ? e->base : psprintf("%s-%d", e->base, n);
	start->params_json = export_params(e, start->resource);
}

static AwsRequest *
build_export(OpStart *start, int64 op_id)
{
	ExportStart *e = start->arg;

	return rds_start_export_task_request(start->region, start->resource, e->snapshot_arn,
										 e->s3_bucket, e->iam_role_arn, e->kms_key_id,
										 e->s3_prefix, e->export_only);
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
	char	   *region_arg = arg_text_or_null(fcinfo, 9);
	List	   *export_only = NIL;
	SnapshotArn *source;
	char	   *region;
	ExportStart e;
	OpStart		start;

	runner_check_ready();
	(void) arg_timeout(fcinfo, 8, "timeout", &timeout_secs);
	source = arn_snapshot("snapshot_arn", snapshot_arn, SNAPSHOT_EITHER);
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

	memset(&e, 0, sizeof(e));
	e.snapshot_arn = snapshot_arn;
	e.source_snapshot = source->snapshot;
	e.s3_bucket = s3_bucket;
	e.iam_role_arn = iam_role_arn;
	e.kms_key_id = kms_key_id;
	e.s3_prefix = s3_prefix;
	e.export_only = export_only;

	memset(&start, 0, sizeof(start));
	start.kind = "export";
	start.region = region;
	start.source = snapshot_arn;
	start.wait = wait;
	start.timeout_secs = timeout_secs;
	start.build = build_export;
	start.arg = &e;
	if (export_id)
	{
		start.resource = export_id;
		start.params_json = export_params(&e, export_id);
	}
	else
	{
		e.base = auto_export_base(source->snapshot);
		start.name = name_export;
		start.name_taken = "ExportTaskAlreadyExists";
	}
	return runner_start(fcinfo, &start);
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

	runner_check_ready();
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

		runner_read(req, &reply, NULL);
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

CatalogOp *
export_cancel(const char *region, const char *export_id, int64 op_id, bool always_mark)
{
	AwsRequest *req = rds_cancel_export_task_request(region, export_id);
	AwsReply	reply;
	OpUpdate	u = OP_UPDATE_INIT;
	RdsExportTask *t;

	/* as the role the export was started under */
	if (op_id > 0)
	{
		CatalogOp  *row = catalog_read_operation(op_id);

		if (row)
		{
			req->identity.role_arn = row->role_arn;
			req->identity.external_id = row->external_id;
		}
	}

	if (op_id == 0)
		runner_change(req, &reply);
	else
		runner_call_for(op_id, req, &reply);
	if (reply.outcome != AWS_OK)
		aws_raise(req, &reply, NULL);
	if (op_id == 0)
		return NULL;
	t = rds_read_export_task_result(&reply);
	u.aws_status = t->status;
	if (always_mark ||
		(t->status && (pg_strcasecmp(t->status, "CANCELING") == 0 ||
					   pg_strcasecmp(t->status, "CANCELED") == 0)))
	{
		u.status = "canceled";
		u.error = psprintf("canceled by %s", GetUserNameFromId(GetUserId(), false));
	}
	return runner_update(op_id, &u);
}

/*
 * rds_cancel_export(export_id, region): cancel the task in AWS; returns
 * our operations row of that export, now canceled, or NULL when the
 * export was not started through rds_backup.  As rds_cancel(): the
 * caller's own exports, those of roles whose privileges it has, or any
 * for rds_backup_admin, who alone may cancel an export that no role of
 * this database requested.
 */
Datum
rds_cancel_export(PG_FUNCTION_ARGS)
{
	char	   *export_id = arg_text(fcinfo, 0, "export_id");
	char	   *region_arg = arg_text_or_null(fcinfo, 1);
	char	   *region;
	int64		op_id;
	CatalogOp  *row;

	runner_check_ready();
	validate_identifier("export_id", "export task identifier", export_id,
						RDS_MAX_EXPORT_ID);
	region = endpoint_resolve_region(region_arg);
	op_id = catalog_find_export_operation(region, export_id);
	if (op_id != 0)
		priv_check_operation(catalog_read_operation(op_id), "cancel");
	else
		priv_check_admin("cancel an export task that rds_backup did not start",
						 "No operation of rds_backup records it, so no role owns it.");
	row = export_cancel(region, export_id, op_id, false);
	if (row == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, row->row_text));
}
