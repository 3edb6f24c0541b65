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
#include "core/runner.h"
#include "rds/actions.h"
#include "rds/names.h"
#include "sql/args.h"

PG_FUNCTION_INFO_V1(rds_snapshot);
PG_FUNCTION_INFO_V1(rds_cluster_snapshot);
PG_FUNCTION_INFO_V1(rds_delete_snapshot);
PG_FUNCTION_INFO_V1(rds_snapshots);
PG_FUNCTION_INFO_V1(rds_cluster_snapshots);


/*
 * orders-prod-20261125t030000: the identifier and the UTC time to the
 * second, lower case as RDS stores it.
 */
static char *
auto_snapshot_base(const char *db_identifier)
{
	pg_time_t	now = (pg_time_t) time(NULL);
	struct pg_tm *tm = pg_gmtime(&now);

	return psprintf("%s-%04d%02d%02dt%02d%02d%02d",
					asc_tolower(db_identifier, strlen(db_identifier)),
					tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
					tm->tm_hour, tm->tm_min, tm->tm_sec);
}

typedef struct SnapshotStart
{
	bool		cluster;
	char	   *db_identifier;
	char	   *snapshot;		/* NULL: named from db_identifier and the time */
	char	   *base;			/* of automatic names */
	List	   *tags;
} SnapshotStart;

static const char *
snapshot_id_param(bool cluster)
{
	return cluster ? "DBClusterSnapshotIdentifier" : "DBSnapshotIdentifier";
}

static char *
create_params(const SnapshotStart *s, const char *snapshot)
{
	return psprintf("{\"%s\":%s,\"%s\":%s,\"Tags\":%s}",
					s->cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier",
					json_string(s->db_identifier), snapshot_id_param(s->cluster),
					json_string(snapshot), tags_to_json(s->tags));
}

/* The n-th automatic name: the base, then base-2, base-3 ... */
static void
name_snapshot(OpStart *start, int n)
{
	SnapshotStart *s = start->arg;

	start->resource = n <= 1 ? s->base : psprintf("%s-%d", s->base, n);
	start->params_json = create_params(s, start->resource);
}

static AwsRequest *
build_create(OpStart *start, int64 op_id)
{
	SnapshotStart *s = start->arg;

	return rds_create_snapshot_request(s->cluster, start->region, s->db_identifier,
									   start->resource,
									   tags_with_provenance(s->tags,
															GetUserNameFromId(GetUserId(), false),
															op_id));
}

/*
 * The snapshot AWS says exists already: ours, if it carries this
 * operation's tag.  That happens when an attempt created it and its reply
 * was lost (libcurl may even resend a request on a reset connection), so
 * the retry met DBSnapshotAlreadyExists.
 */
static bool
recover_create(OpStart *start, int64 op_id, AwsRequest *req, AwsReply *reply)
{
	SnapshotStart *s = start->arg;

	return runner_recover_own_snapshot(op_id, s->cluster, start->region,
									   start->resource, reply);
}

/*
 * rds_snapshot(db_instance, snapshot, tags, wait, timeout, region) and
 * rds_cluster_snapshot(db_cluster, ...): the same arguments.
 */
static Datum
create_snapshot(FunctionCallInfo fcinfo, bool cluster)
{
	const char *db_arg = cluster ? "db_cluster" : "db_instance";
	SnapshotStart s;
	OpStart		start;
	Jsonb	   *tags_arg;

	runner_check_ready();
	memset(&s, 0, sizeof(s));
	memset(&start, 0, sizeof(start));
	s.cluster = cluster;
	s.db_identifier = arg_text(fcinfo, 0, db_arg);
	s.snapshot = arg_text_or_null(fcinfo, 1);
	tags_arg = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	start.wait = arg_bool(fcinfo, 3, "wait");
	(void) arg_timeout(fcinfo, 4, "timeout", &start.timeout_secs);

	validate_identifier(db_arg, cluster ? "DB cluster identifier" : "DB instance identifier",
						s.db_identifier, RDS_MAX_DB_ID);
	if (s.snapshot)
		validate_identifier("snapshot", cluster ? "DB cluster snapshot identifier" :
							"DB snapshot identifier", s.snapshot, RDS_MAX_SNAPSHOT_ID);
	s.tags = validate_tags("tags", tags_arg, 2);

	start.kind = cluster ? "cluster_snapshot" : "snapshot";
	start.region = endpoint_resolve_region(arg_text_or_null(fcinfo, 5));
	start.source = s.db_identifier;
	start.build = build_create;
	start.recover = recover_create;
	start.arg = &s;
	if (s.snapshot)
	{
		start.resource = s.snapshot;
		start.params_json = create_params(&s, s.snapshot);
	}
	else
	{
		s.base = auto_snapshot_base(s.db_identifier);
		start.name = name_snapshot;
		start.name_taken = cluster ? "DBClusterSnapshotAlreadyExistsFault" :
			"DBSnapshotAlreadyExists";
	}
	return runner_start(fcinfo, &start);
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

static AwsRequest *
build_delete(OpStart *start, int64 op_id)
{
	return rds_delete_snapshot_request(*(bool *) start->arg, start->region, start->resource);
}

/*
 * rds_delete_snapshot(snapshot, cluster, wait, timeout, region)
 */
Datum
rds_delete_snapshot(PG_FUNCTION_ARGS)
{
	bool		cluster;
	OpStart		start;

	runner_check_ready();
	memset(&start, 0, sizeof(start));
	start.resource = arg_text(fcinfo, 0, "snapshot");
	cluster = arg_bool(fcinfo, 1, "cluster");
	start.wait = arg_bool(fcinfo, 2, "wait");
	(void) arg_timeout(fcinfo, 3, "timeout", &start.timeout_secs);
	validate_identifier("snapshot", cluster ? "DB cluster snapshot identifier" :
						"DB snapshot identifier", start.resource, RDS_MAX_SNAPSHOT_ID);
	start.region = endpoint_resolve_region(arg_text_or_null(fcinfo, 4));
	start.kind = cluster ? "delete_cluster_snapshot" : "delete_snapshot";
	start.params_json = psprintf("{\"%s\":%s}", snapshot_id_param(cluster),
								 json_string(start.resource));
	start.build = build_delete;
	start.arg = &cluster;
	return runner_start(fcinfo, &start);
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

	runner_check_ready();
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

		runner_read(req, &reply, NULL);
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
