/*-------------------------------------------------------------------------
 * snapshot.c
 *		rds_snapshot(), rds_cluster_snapshot(), rds_delete_snapshot(),
 *		rds_snapshots(), rds_cluster_snapshots().
 *
 * DB snapshots and Aurora cluster snapshots follow the same steps with
 * other names, so each pair of SQL functions shares one static body
 * taking "bool cluster".
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/formatting.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "aws/endpoint.h"
#include "core/poll.h"
#include "core/runner.h"
#include "rds/actions.h"
#include "rds/names.h"
#include "sql/args.h"

PG_FUNCTION_INFO_V1(rds_snapshot);
PG_FUNCTION_INFO_V1(rds_cluster_snapshot);
PG_FUNCTION_INFO_V1(rds_delete_snapshot);
PG_FUNCTION_INFO_V1(rds_snapshots);
PG_FUNCTION_INFO_V1(rds_cluster_snapshots);

/* Automatic identifiers that clash with an existing snapshot are retried. */
#define AUTO_ID_ATTEMPTS	5

/*
 * orders-prod-20261125t030000: the identifier and the UTC time to the
 * second, lower case as RDS stores it; "-2", "-3" ... when taken.
 */
static char *
auto_snapshot_id(const char *db_identifier, int attempt, const char *kind,
				 const char *region)
{
	pg_time_t	now = (pg_time_t) time(NULL);
	struct pg_tm *tm = pg_gmtime(&now);
	char		stamp[32];
	char	   *base;
	char	   *id;
	int			n = attempt;

	snprintf(stamp, sizeof(stamp), "%04d%02d%02dt%02d%02d%02d",
			 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
			 tm->tm_hour, tm->tm_min, tm->tm_sec);
	base = psprintf("%s-%s", asc_tolower(db_identifier, strlen(db_identifier)), stamp);
	for (;;)
	{
		id = n <= 1 ? pstrdup(base) : psprintf("%s-%d", base, n);
		if (!catalog_resource_in_use(kind, region, id))
			return id;
		n++;
	}
}


/*
 * The snapshot AWS says exists already: ours, if it carries this
 * operation's tag.  That happens when an attempt created it and its reply
 * was lost (libcurl may even resend a request on a reset connection), so
 * the retry met DBSnapshotAlreadyExists.
 */
static RdsSnapshot *
own_existing_snapshot(bool cluster, const char *region, const char *snapshot,
					  int64 op_id, List **audit)
{
	AwsRequest *req = rds_describe_snapshots_request(cluster, region, NULL, snapshot,
													 NULL, NULL);
	AwsReply	reply;
	char	   *marker;
	List	   *snaps;
	ListCell   *lc;
	char		idbuf[32];

	aws_call(req, &reply);
	*audit = list_concat(*audit, reply.audit);
	if (reply.outcome != AWS_OK)
		return NULL;
	snaps = rds_read_snapshot_list(cluster, &reply, &marker);
	if (snaps == NIL)
		return NULL;
	snprintf(idbuf, sizeof(idbuf), INT64_FORMAT, op_id);
	foreach(lc, ((RdsSnapshot *) linitial(snaps))->tags)
	{
		TagPair    *t = lfirst(lc);

		if (strcmp(t->key, TAG_OPERATION) == 0 && strcmp(t->value, idbuf) == 0)
			return linitial(snaps);
	}
	return NULL;
}

/*
 * rds_snapshot(db_instance, snapshot, tags, wait, timeout, region) and
 * rds_cluster_snapshot(db_cluster, ...): the same arguments.
 */
static Datum
create_snapshot(FunctionCallInfo fcinfo, bool cluster)
{
	const char *db_arg = cluster ? "db_cluster" : "db_instance";
	char	   *db_identifier = arg_text(fcinfo, 0, db_arg);
	char	   *snapshot = arg_text_or_null(fcinfo, 1);
	Jsonb	   *tags_arg = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	bool		wait = arg_bool(fcinfo, 3, "wait");
	double		timeout_secs;
	char	   *timeout = arg_timeout(fcinfo, 4, "timeout", &timeout_secs);
	char	   *region_arg = arg_text_or_null(fcinfo, 5);
	bool		auto_id = (snapshot == NULL);
	const char *id_param = cluster ? "DBClusterSnapshotIdentifier" : "DBSnapshotIdentifier";
	const char *db_param = cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier";
	const char *exists_code = cluster ? "DBClusterSnapshotAlreadyExistsFault" :
		"DBSnapshotAlreadyExists";
	List	   *tags;
	char	   *region;
	Operation	op;
	int			attempt;
	char	   *row = NULL;

	validate_identifier(db_arg, cluster ? "DB cluster identifier" : "DB instance identifier",
						db_identifier, RDS_MAX_DB_ID);
	if (snapshot)
		validate_identifier("snapshot", cluster ? "DB cluster snapshot identifier" :
							"DB snapshot identifier", snapshot, RDS_MAX_SNAPSHOT_ID);
	tags = validate_tags("tags", tags_arg, 2);
	region = endpoint_resolve_region(region_arg);

	memset(&op, 0, sizeof(op));
	op.kind = cluster ? "cluster_snapshot" : "snapshot";
	op.region = region;
	op.cluster = cluster;
	op.timeout_secs = timeout_secs;

	for (attempt = 1; attempt <= AUTO_ID_ATTEMPTS; attempt++)
	{
		AwsRequest *req;
		AwsReply	reply;
		OpUpdate	ok = OP_UPDATE_INIT;
		RdsSnapshot *s;
		char	   *params;
		List	   *all_tags;

		if (auto_id)
			snapshot = auto_snapshot_id(db_identifier, attempt, op.kind, region);
		op.resource = snapshot;
		params = psprintf("{\"%s\":%s,\"%s\":%s,\"Tags\":%s}",
						  db_param, json_string(db_identifier),
						  id_param, json_string(snapshot), tags_to_json(tags));
		op.id = operation_insert(op.kind, region, snapshot, db_identifier, params, timeout);

		all_tags = tags_with_provenance(tags, GetUserNameFromId(GetUserId(), false), op.id);

		req = rds_create_snapshot_request(cluster, region, db_identifier, snapshot, all_tags);
		aws_call(req, &reply);
		s = NULL;

		if (reply.outcome == AWS_ERROR_REPLY && strcmp(reply.error_code, exists_code) == 0 &&
			(s = own_existing_snapshot(cluster, region, snapshot, op.id, &reply.audit)) != NULL)
			reply.outcome = AWS_OK;
		/* someone else took the automatic name first: pick the next one */
		else if (auto_id && reply.outcome == AWS_ERROR_REPLY && attempt < AUTO_ID_ATTEMPTS &&
				 strcmp(reply.error_code, exists_code) == 0)
		{
			OpUpdate	u = OP_UPDATE_INIT;

			u.status = "failed";
			u.error = aws_reply_error_text(req, &reply);
			catalog_update_operation(op.id, &u, reply.audit);
			continue;
		}

		if (reply.outcome == AWS_OK)
		{
			if (s == NULL)
				s = rds_read_snapshot_result(cluster, &reply);
			ok.status = track_status_outcome(op.kind, s->status);
			ok.aws_status = s->status;
			ok.progress = strcmp(ok.status, "succeeded") == 0 ? 100 : s->progress;
			ok.resource_arn = s->arn;
			ok.request_id = reply.request_id;
		}
		row = operation_record_start(&op, req, &reply, &ok);
		break;
	}
	return operation_result(fcinfo, &op, row, wait);
}

Datum
rds_snapshot(PG_FUNCTION_ARGS)
{
	return create_snapshot(fcinfo, false);
}

Datum
rds_cluster_snapshot(PG_FUNCTION_ARGS)
{
	return create_snapshot(fcinfo, true);
}

/*
 * rds_delete_snapshot(snapshot, cluster, wait, timeout, region)
 */
Datum
rds_delete_snapshot(PG_FUNCTION_ARGS)
{
	char	   *snapshot = arg_text(fcinfo, 0, "snapshot");
	bool		cluster = arg_bool(fcinfo, 1, "cluster");
	bool		wait = arg_bool(fcinfo, 2, "wait");
	double		timeout_secs;
	char	   *timeout = arg_timeout(fcinfo, 3, "timeout", &timeout_secs);
	char	   *region_arg = arg_text_or_null(fcinfo, 4);
	char	   *region;
	Operation	op;
	AwsRequest *req;
	AwsReply	reply;
	OpUpdate	ok = OP_UPDATE_INIT;
	char	   *row;

	validate_identifier("snapshot", cluster ? "DB cluster snapshot identifier" :
						"DB snapshot identifier", snapshot, RDS_MAX_SNAPSHOT_ID);
	region = endpoint_resolve_region(region_arg);

	memset(&op, 0, sizeof(op));
	op.kind = cluster ? "delete_cluster_snapshot" : "delete_snapshot";
	op.region = region;
	op.resource = snapshot;
	op.cluster = cluster;
	op.timeout_secs = timeout_secs;
	op.id = operation_insert(op.kind, region, snapshot, NULL,
									 psprintf("{\"%s\":%s}",
											  cluster ? "DBClusterSnapshotIdentifier" :
											  "DBSnapshotIdentifier",
											  json_string(snapshot)),
									 timeout);

	req = rds_delete_snapshot_request(cluster, region, snapshot);
	aws_call(req, &reply);
	if (reply.outcome == AWS_OK)
	{
		RdsSnapshot *s = rds_read_snapshot_result(cluster, &reply);

		ok.status = "in_progress";
		ok.aws_status = s->status;
		ok.resource_arn = s->arn;
		ok.request_id = reply.request_id;
		/* RDS answers "deleted" once the snapshot is gone */
		if (s->status && strcmp(s->status, "deleted") == 0)
		{
			ok.status = "succeeded";
			ok.progress = 100;
		}
	}
	row = operation_record_start(&op, req, &reply, &ok);
	return operation_result(fcinfo, &op, row, wait);
}

/*
 * A time as AWS writes it, 2026-11-25T03:00:00.123Z, read directly; any
 * other form goes through timestamptz_in().
 */
static Datum
aws_time_datum(const char *s)
{
	struct pg_tm tm;
	fsec_t		fsec = 0;
	int			tz = 0;
	TimestampTz ts;
	const char *p = s + 19;
	int			i;

	for (i = 0; i < 19; i++)
	{
		char		want = "0000-00-00T00:00:00"[i];

		if (s[i] == '\0' || (want == '0' ? !isdigit((unsigned char) s[i]) : s[i] != want))
			break;
	}
	if (i == 19)
	{
		tm.tm_year = atoi(s);
		tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0');
		tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
		tm.tm_hour = (s[11] - '0') * 10 + (s[12] - '0');
		tm.tm_min = (s[14] - '0') * 10 + (s[15] - '0');
		tm.tm_sec = (s[17] - '0') * 10 + (s[18] - '0');
		if (*p == '.')
		{
			int			scale = 100000;

			/* up to microseconds; more digits would need rounding */
			for (p++; isdigit((unsigned char) *p) && scale > 0; p++, scale /= 10)
				fsec += (*p - '0') * scale;
		}
		if (p[0] == 'Z' && p[1] == '\0' &&
			tm.tm_year >= 1 && tm.tm_mon >= 1 && tm.tm_mon <= 12 && tm.tm_mday >= 1 &&
			tm.tm_mday <= day_tab[isleap(tm.tm_year)][tm.tm_mon - 1] &&
			tm.tm_hour <= 23 && tm.tm_min <= 59 && tm.tm_sec <= 59 &&
			tm2timestamp(&tm, fsec, &tz, &ts) == 0)
			return TimestampTzGetDatum(ts);
	}
	return DirectFunctionCall3(timestamptz_in, CStringGetDatum(s),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* Tags as a jsonb object, built as such rather than printed and parsed */
static Datum
tags_jsonb(List *tags)
{
	JsonbParseState *state = NULL;
	JsonbValue *object;
	ListCell   *lc;

	(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	foreach(lc, tags)
	{
		TagPair    *t = lfirst(lc);
		JsonbValue	v;

		v.type = jbvString;
		v.val.string.val = t->key;
		v.val.string.len = strlen(t->key);
		(void) pushJsonbValue(&state, WJB_KEY, &v);
		v.val.string.val = t->value;
		v.val.string.len = strlen(t->value);
		(void) pushJsonbValue(&state, WJB_VALUE, &v);
	}
	object = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(object));
}

/*
 * rds_snapshots(db_instance, snapshot_type, region) and
 * rds_cluster_snapshots(db_cluster, snapshot_type, region): every page.
 */
static Datum
list_snapshots(FunctionCallInfo fcinfo, bool cluster)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *db_identifier = arg_text_or_null(fcinfo, 0);
	char	   *snapshot_type = arg_text_or_null(fcinfo, 1);
	char	   *region_arg = arg_text_or_null(fcinfo, 2);
	char	   *region;
	char	   *marker = NULL;
	int			pages = 0;

	if (db_identifier)
		validate_identifier(cluster ? "db_cluster" : "db_instance",
							cluster ? "DB cluster identifier" : "DB instance identifier",
							db_identifier, RDS_MAX_DB_ID);
	if (snapshot_type &&
		strcmp(snapshot_type, "automated") != 0 && strcmp(snapshot_type, "manual") != 0 &&
		strcmp(snapshot_type, "shared") != 0 && strcmp(snapshot_type, "public") != 0 &&
		strcmp(snapshot_type, "awsbackup") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid snapshot_type \"%s\"", snapshot_type),
				 errhint("Use automated, manual, shared, public or awsbackup.")));
	region = endpoint_resolve_region(region_arg);

	/* the executor's description of the result saves building one per call */
	InitMaterializedSRF(fcinfo, (rsinfo != NULL && IsA(rsinfo, ReturnSetInfo) &&
								 rsinfo->expectedDesc != NULL) ?
						MAT_SRF_USE_EXPECTED_DESC : 0);

	do
	{
		AwsRequest *req = rds_describe_snapshots_request(cluster, region, db_identifier, NULL,
														 snapshot_type, marker);
		AwsReply	reply;
		List	   *snaps;
		ListCell   *lc;

		aws_call(req, &reply);
		catalog_write_audit(reply.audit, 0);
		if (reply.outcome != AWS_OK)
			aws_raise(req, &reply, NULL);
		snaps = rds_read_snapshot_list(cluster, &reply, &marker);
		foreach(lc, snaps)
		{
			RdsSnapshot *s = lfirst(lc);
			Datum		values[12];
			bool		nulls[12];

			memset(nulls, 0, sizeof(nulls));
			values[0] = CStringGetTextDatum(s->identifier ? s->identifier : "");
			nulls[1] = s->db_identifier == NULL;
			if (s->db_identifier)
				values[1] = CStringGetTextDatum(s->db_identifier);
			nulls[2] = s->snapshot_type == NULL;
			if (s->snapshot_type)
				values[2] = CStringGetTextDatum(s->snapshot_type);
			nulls[3] = s->status == NULL;
			if (s->status)
				values[3] = CStringGetTextDatum(s->status);
			nulls[4] = s->progress < 0;
			values[4] = Int32GetDatum(s->progress);
			nulls[5] = s->created_at == NULL;
			if (s->created_at)
				values[5] = aws_time_datum(s->created_at);
			nulls[6] = s->allocated_gb < 0;
			values[6] = Int32GetDatum(s->allocated_gb);
			values[7] = BoolGetDatum(s->encrypted);
			nulls[8] = s->kms_key_id == NULL;
			if (s->kms_key_id)
				values[8] = CStringGetTextDatum(s->kms_key_id);
			nulls[9] = s->engine == NULL;
			if (s->engine)
				values[9] = CStringGetTextDatum(s->engine);
			nulls[10] = s->arn == NULL;
			if (s->arn)
				values[10] = CStringGetTextDatum(s->arn);
			values[11] = tags_jsonb(s->tags);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		pages++;
		CHECK_FOR_INTERRUPTS();
	} while (marker != NULL && marker[0] != '\0');

	return (Datum) 0;
}

Datum
rds_snapshots(PG_FUNCTION_ARGS)
{
	return list_snapshots(fcinfo, false);
}

Datum
rds_cluster_snapshots(PG_FUNCTION_ARGS)
{
	return list_snapshots(fcinfo, true);
}
