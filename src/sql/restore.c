/*-------------------------------------------------------------------------
 * restore.c
 *		rds_restore_snapshot(), rds_restore_cluster_snapshot(),
 *		rds_restore_pitr(), rds_restore_cluster_pitr(), rds_restore_window().
 *
 * A restore creates a new DB instance or DB cluster ("target") from a
 * snapshot or from a source's automated backups.  The four SQL functions
 * share one body per kind of source, taking "bool cluster".
 *
 * A restored Aurora cluster has no instance and cannot serve queries.
 * With instance_class the cluster restores also add a writer instance,
 * <target>-writer; RDS accepts CreateDBInstance into a cluster only once
 * the cluster is available, so the tracker (core/poll.c) creates it then, from
 * params->>'WriterInstance' and 'WriterInstanceClass', and holds the
 * operation in_progress until the writer is available.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
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
#include "rds/arn.h"
#include "rds/names.h"
#include "rds/options.h"
#include "sql/args.h"
#include "sql/inventory.h"

PG_FUNCTION_INFO_V1(rds_restore_snapshot);
PG_FUNCTION_INFO_V1(rds_restore_cluster_snapshot);
PG_FUNCTION_INFO_V1(rds_restore_pitr);
PG_FUNCTION_INFO_V1(rds_restore_cluster_pitr);
PG_FUNCTION_INFO_V1(rds_restore_window);

#define WRITER_SUFFIX		"-writer"
#define MAX_INSTANCE_CLASS	64

/*
 * Parameters the functions set themselves, or that would defeat what they
 * promise (restore this snapshot / this source at this checked time).
 */
static const OptionRule restore_snapshot_excluded[] = {
	{"DBInstanceIdentifier", "rds_restore_snapshot() sets it from its target argument."},
	{"DBSnapshotIdentifier", "rds_restore_snapshot() sets it from its snapshot argument."},
	{"DBInstanceClass", "Use the instance_class argument."},
	{"DBClusterSnapshotIdentifier",
	"It would restore from a Multi-AZ DB cluster snapshot instead of the snapshot argument."},
	{NULL, NULL}
};

static const OptionRule restore_cluster_snapshot_excluded[] = {
	{"DBClusterIdentifier", "rds_restore_cluster_snapshot() sets it from its target argument."},
	{"SnapshotIdentifier", "rds_restore_cluster_snapshot() sets it from its snapshot argument."},
	{NULL, NULL}
};

static const OptionRule restore_pitr_excluded[] = {
	{"SourceDBInstanceIdentifier", "rds_restore_pitr() sets it from its source argument."},
	{"TargetDBInstanceIdentifier", "rds_restore_pitr() sets it from its target argument."},
	{"RestoreTime", "Use the restore_time argument."},
	{"UseLatestRestorableTime",
	"Leave restore_time NULL to restore to the latest restorable time."},
	{"DBInstanceClass", "Use the instance_class argument."},
	{"SourceDbiResourceId",
	"Give the resource id (db-...) as the source argument: its restore window is checked then."},
	{"SourceDBInstanceAutomatedBackupsArn",
	"Give the automated-backups ARN as the source argument: its restore window is checked then."},
	{NULL, NULL}
};

static const OptionRule restore_cluster_pitr_excluded[] = {
	{"DBClusterIdentifier", "rds_restore_cluster_pitr() sets it from its target argument."},
	{"SourceDBClusterIdentifier", "rds_restore_cluster_pitr() sets it from its source argument."},
	{"RestoreToTime", "Use the restore_time argument."},
	{"UseLatestRestorableTime",
	"Leave restore_time NULL to restore to the latest restorable time."},
	{NULL, NULL}
};

/* Keys read here rather than encoded from the model (see options.h). */
static const char *const own_tags[] = {"Tags", NULL};
static const char *const own_tags_engine[] = {"Tags", "Engine", NULL};

/* A source's restore window, as rds_restore_window() reports it. */
typedef struct RestoreWindow
{
	bool		has_earliest;
	bool		has_latest;
	TimestampTz earliest;
	TimestampTz latest;
	int			retention_days; /* -1 when unknown */
	char	   *engine;
} RestoreWindow;

/* Everything a restore function was given, checked. */
typedef struct RestoreArgs
{
	bool		cluster;
	bool		pitr;
	char	   *source;			/* snapshot, or source database */
	/* pitr of an instance from its automated backups: how RDS names the source */
	const char *source_param;	/* NULL (an instance identifier), or the parameter */
	const char *source_what;	/* for messages: "DB instance", "automated backup" ... */
	char	   *target;
	bool		has_time;
	TimestampTz restore_time;
	char	   *instance_class;
	RdsOptions *options;
	List	   *tags;			/* the caller's, from options->'Tags' */
	char	   *engine;			/* cluster snapshot restores: options->>'Engine' */
	char	   *writer;			/* cluster restores with instance_class */
	bool		wait;
	double		timeout_secs;
	char	   *region;
	/* what start_restore() decided */
	bool		use_latest;
	int64		secs;
} RestoreArgs;

static const char *
db_what(bool cluster)
{
	return cluster ? "DB cluster" : "DB instance";
}

/*
 * A DbiResourceId as AWS prints it: db- and upper-case letters and digits
 * (26 of them today).  An instance identifier is case-insensitive and is
 * shown in lower case, so the two are told apart by case.
 */
static bool
is_dbi_resource_id(const char *s)
{
	size_t		len = strlen(s);
	size_t		i;

	if (strncmp(s, "db-", 3) != 0 || len < 13 || len > 67)
		return false;
	for (i = 3; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/*
 * An automated-backups ARN: arn:<partition>:rds:<region>:<account>:
 * auto-backup:ab-<id>.  Returns its region.
 */
static char *
automated_backups_arn_region(const char *argname, const char *value)
{
	AwsArn		a;
	const char *problem = arn_read(value, "rds", true, &a);
	const char *id;

	if (problem == NULL)
	{
		if (strncmp(a.resource, "auto-backup:ab-", 15) != 0)
			problem = "An automated-backups ARN names auto-backup:ab-<id>.";
		else
		{
			for (id = a.resource + 15; *id; id++)
				if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') ||
					  (*id >= '0' && *id <= '9')))
					break;
			if (*id != '\0' || strlen(a.resource) == 15 || strlen(a.resource) > 15 + 64)
				problem = "An automated backup's id is ab- and letters and digits.";
		}
	}
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid automated-backups ARN \"%s\" in %s", value, argname),
				 errdetail("%s", problem),
				 errhint("rds_automated_backups() lists the ARNs, e.g. arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-...")));
	return a.region;
}

/* db.<family>.<size>, e.g. db.r6g.large or db.serverless; lower-cased. */
static char *
validate_instance_class(const char *value)
{
	size_t		len = strlen(value);
	char	   *lower = asc_tolower(value, len);
	const char *problem = NULL;
	size_t		i;

	if (len > MAX_INSTANCE_CLASS)
		problem = "It is too long.";
	else if (strncmp(lower, "db.", 3) != 0 || len == 3)
		problem = "It must begin with \"db.\".";
	else
	{
		for (i = 3; i < len && problem == NULL; i++)
		{
			char		c = lower[i];

			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
				problem = "It may contain only letters, digits, dots and hyphens.";
			else if (c == '.' && (lower[i - 1] == '.' || i == len - 1))
				problem = "It has an empty part.";
		}
	}
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid DB instance class \"%s\" in instance_class", value),
				 errdetail("%s", problem),
				 errhint("For example: db.r6g.large, db.t3.micro, db.serverless.")));
	return lower;
}

static bool
engine_is_aurora(const char *engine)
{
	return engine && strncmp(engine, "aurora", 6) == 0;
}

/*
 * Read and check every argument; no AWS call.  Argument positions:
 *	 snapshot restores: source, target, instance_class, options, wait, timeout, region
 *	 pitr restores:     source, target, restore_time, instance_class, options, ...
 */
static void
restore_args(FunctionCallInfo fcinfo, bool cluster, bool pitr, RestoreArgs *a)
{
	int			arg = 2;
	Jsonb	   *options_arg;
	const char *action;
	JsonbValue *tags_value;
	SnapshotArn *arn = NULL;

	memset(a, 0, sizeof(RestoreArgs));
	a->cluster = cluster;
	a->pitr = pitr;
	a->source = arg_text(fcinfo, 0, pitr ? "source" : "snapshot");
	a->target = arg_text(fcinfo, 1, "target");
	if (pitr)
	{
		a->has_time = !PG_ARGISNULL(arg);
		if (a->has_time)
		{
			a->restore_time = PG_GETARG_TIMESTAMPTZ(arg);
			if (TIMESTAMP_NOT_FINITE(a->restore_time))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("restore_time must be a finite time"),
						 errhint("Leave it NULL to restore to the latest restorable time.")));
		}
		arg++;
	}
	a->instance_class = arg_text_or_null(fcinfo, arg++);
	options_arg = PG_ARGISNULL(arg) ? NULL : PG_GETARG_JSONB_P(arg);
	arg++;
	a->wait = arg_bool(fcinfo, arg++, "wait");
	(void) arg_timeout(fcinfo, arg++, "timeout", &a->timeout_secs);
	a->region = arg_text_or_null(fcinfo, arg);

	a->source_what = db_what(cluster);
	if (pitr && !cluster && strncmp(a->source, "arn:", 4) == 0)
	{
		char	   *arn_region = automated_backups_arn_region("source", a->source);

		/* the backups are restored where they are */
		if (a->region && strcmp(a->region, arn_region) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("automated backup \"%s\" is in region %s, not %s", a->source,
							arn_region, a->region),
					 errhint("Leave region NULL to restore in the backup's region.")));
		a->region = arn_region;
		a->source_param = "SourceDBInstanceAutomatedBackupsArn";
		a->source_what = "automated backup";
	}
	else if (pitr && !cluster && is_dbi_resource_id(a->source))
	{
		a->source_param = "SourceDbiResourceId";
		a->source_what = "automated backups of resource";
	}
	else if (pitr)
		validate_identifier("source", cluster ? "DB cluster identifier" :
							"DB instance identifier", a->source, RDS_MAX_DB_ID);
	else
		arn = arn_snapshot_ref("snapshot", a->source, cluster);
	validate_identifier("target", cluster ? "DB cluster identifier" :
						"DB instance identifier", a->target, RDS_MAX_DB_ID);
	if (a->instance_class)
		a->instance_class = validate_instance_class(a->instance_class);

	if (cluster)
		action = pitr ? "RestoreDBClusterToPointInTime" : "RestoreDBClusterFromSnapshot";
	else
		action = pitr ? "RestoreDBInstanceToPointInTime" : "RestoreDBInstanceFromDBSnapshot";
	a->options = options_parse("options", options_arg, action,
							   cluster ? (pitr ? restore_cluster_pitr_excluded :
										  restore_cluster_snapshot_excluded) :
							   (pitr ? restore_pitr_excluded : restore_snapshot_excluded),
							   cluster && !pitr ? own_tags_engine : own_tags);
	tags_value = options_get(a->options, "Tags");
	if (tags_value)
		a->tags = validate_tags("options->'Tags'", JsonbValueToJsonb(tags_value), 2);
	if (cluster && !pitr)
		a->engine = options_get_text(a->options, "options", "Engine");

	if (cluster && a->instance_class)
	{
		char	   *mode = NULL;
		JsonbValue *v = options_get(a->options, "EngineMode");

		if (v && v->type == jbvString)
			mode = pnstrdup(v->val.string.val, v->val.string.len);
		if (strlen(a->target) + strlen(WRITER_SUFFIX) > RDS_MAX_DB_ID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("target \"%s\" is too long to name its writer instance \"%s%s\"",
							a->target, a->target, WRITER_SUFFIX),
					 errdetail("DB instance identifiers have at most 63 characters."),
					 errhint("Use a target of at most %d characters, or leave instance_class NULL and create the instance yourself.",
							 RDS_MAX_DB_ID - (int) strlen(WRITER_SUFFIX))));
		if (options_get(a->options, "DBClusterInstanceClass"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("instance_class and option \"DBClusterInstanceClass\" cannot be combined"),
					 errdetail("instance_class adds a writer instance to an Aurora DB cluster; a Multi-AZ DB cluster (DBClusterInstanceClass) comes with its instances.")));
		if (mode && strcmp(mode, "serverless") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("instance_class cannot be used with EngineMode \"serverless\""),
					 errdetail("Aurora Serverless v1 clusters have no DB instances.")));
		a->writer = psprintf("%s%s", asc_tolower(a->target, strlen(a->target)), WRITER_SUFFIX);
	}

	a->region = endpoint_resolve_region(a->region);
	if (arn && strcmp(arn->region, a->region) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot \"%s\" is in region %s, not %s", a->source, arn->region,
						a->region),
				 errdetail("RDS restores only snapshots of the region the new %s is created in.",
						   db_what(cluster)),
				 errhint("Copy it to %s first, or restore in %s with region => '%s'.",
						 a->region, arn->region, arn->region)));
}

/* The engine of the cluster snapshot, which RestoreDBClusterFromSnapshot requires. */
static char *
cluster_snapshot_engine(const RestoreArgs *a)
{
	AwsRequest *req = rds_describe_snapshots_request(true, a->region, NULL, a->source,
													 NULL, NULL);
	AwsReply	reply;
	List	   *snaps;
	char	   *marker;

	/* a snapshot shared with this account is listed only on request */
	if (strncmp(a->source, "arn:", 4) == 0)
		aws_query_add_bool(req->query, "IncludeShared", true);
	runner_read(req, &reply, NULL);
	snaps = rds_read_snapshot_list(true, &reply, &marker);
	if (snaps == NIL || ((RdsSnapshot *) linitial(snaps))->engine == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("RDS reports no engine for DB cluster snapshot \"%s\"", a->source),
				 errhint("Give it as option \"Engine\".")));
	return ((RdsSnapshot *) linitial(snaps))->engine;
}

/*
 * The writer's name must be free: otherwise the cluster would be restored
 * and only its writer refused, or an unrelated instance taken for it.
 */
static void
check_writer_free(const RestoreArgs *a)
{
	AwsRequest *req = rds_describe_database_request(false, a->region, a->writer);
	AwsReply	reply;

	runner_call(req, &reply);
	if (reply.outcome == AWS_ERROR_REPLY && aws_error_is_not_found(reply.error_code))
		return;
	if (reply.outcome != AWS_OK)
		aws_raise(req, &reply, NULL);
	ereport(ERROR,
			(errcode(ERRCODE_DUPLICATE_OBJECT),
			 errmsg("DB instance \"%s\" already exists", a->writer),
			 errdetail("The writer instance of DB cluster \"%s\" would be named \"%s\".",
					   a->target, a->writer),
			 errhint("Choose another target, or leave instance_class NULL and create the instance yourself.")));
}

static void
check_engine_takes_writer(const RestoreArgs *a, const char *engine)
{
	if (a->writer && !engine_is_aurora(engine))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("instance_class adds an Aurora writer instance, but the engine is \"%s\"",
						engine ? engine : "unknown"),
				 errhint("For a Multi-AZ DB cluster give option \"DBClusterInstanceClass\" and leave instance_class NULL.")));
}

static TimestampTz
iso_to_timestamptz(const char *iso)
{
	return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
												   CStringGetDatum(iso),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
}

/*
 * The restore window of a DB instance (earliest point from its automated
 * backup's RestoreWindow, latest from LatestRestorableTime) or of a DB
 * cluster (EarliestRestorableTime, LatestRestorableTime).
 */
static void
fetch_window(bool cluster, const char *identifier, const char *region, RestoreWindow *w)
{
	AwsRequest *req = rds_describe_database_request(cluster, region, identifier);
	AwsReply	reply;
	RdsDatabase *db;

	memset(w, 0, sizeof(RestoreWindow));
	runner_read(req, &reply, NULL);
	db = rds_read_database_list(cluster, &reply);
	if (db == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("RDS does not list %s \"%s\"", db_what(cluster), identifier)));
	if (!cluster && db->cluster_id)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("DB instance \"%s\" belongs to DB cluster \"%s\"", identifier,
						db->cluster_id),
				 errdetail("Point-in-time restores of Aurora restore the whole cluster."),
				 errhint("Use cluster => true with \"%s\", or rds_restore_cluster_pitr().",
						 db->cluster_id)));
	w->retention_days = db->retention_days;
	w->engine = db->engine;
	if (db->latest_restorable)
	{
		w->has_latest = true;
		w->latest = iso_to_timestamptz(db->latest_restorable);
	}
	if (cluster)
	{
		if (db->earliest_restorable)
		{
			w->has_earliest = true;
			w->earliest = iso_to_timestamptz(db->earliest_restorable);
		}
		return;
	}
	if (db->retention_days == 0 || db->resource_id == NULL)
		return;

	req = rds_describe_automated_backups_request(region, db->resource_id);
	runner_call(req, &reply);
	if (reply.outcome == AWS_ERROR_REPLY && aws_error_is_not_found(reply.error_code))
		return;
	if (reply.outcome != AWS_OK)
		aws_raise(req, &reply, NULL);
	{
		List	   *backups = rds_read_automated_backup_list(&reply);
		ListCell   *lc;
		RdsAutomatedBackup *best = NULL;

		/* the instance's own backups are "active"; retained ones belong to a former instance */
		foreach(lc, backups)
		{
			RdsAutomatedBackup *b = lfirst(lc);

			if (best == NULL || (b->status && strcmp(b->status, "active") == 0))
				best = b;
		}
		if (best && best->earliest)
		{
			w->has_earliest = true;
			w->earliest = iso_to_timestamptz(best->earliest);
		}
	}
}

/*
 * The restore window of automated backups named by ARN or DbiResourceId
 * (retained after their instance was deleted, or replicated into this
 * region), from DescribeDBInstanceAutomatedBackups.  Of several for one
 * resource id: the instance's own (active), else a replicated, else a
 * retained one, as RDS restores them.
 */
static void
fetch_backup_window(const RestoreArgs *a, RestoreWindow *w)
{
	bool		by_arn = strcmp(a->source_param, "SourceDBInstanceAutomatedBackupsArn") == 0;
	List	   *backups = inventory_automated_backups(a->region, NULL,
													  by_arn ? a->source : NULL,
													  by_arn ? NULL : a->source);
	static const char *const preference[] = {"active", "replicating", "retained", NULL};
	RdsAutomatedBackup *best = NULL;
	int			i;
	ListCell   *lc;

	memset(w, 0, sizeof(RestoreWindow));
	for (i = 0; preference[i] && best == NULL; i++)
		foreach(lc, backups)
		{
			RdsAutomatedBackup *b = lfirst(lc);

			if (b->status && strcmp(b->status, preference[i]) == 0)
			{
				best = b;
				break;
			}
		}
	if (best == NULL && backups != NIL)
		best = linitial(backups);
	if (best == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no %s \"%s\" in region %s", by_arn ? "automated backup" :
						"automated backups of resource", a->source, a->region),
				 errhint("rds_automated_backups(region => '%s') lists them.", a->region)));
	w->retention_days = best->retention_days;
	if (best->earliest)
	{
		w->has_earliest = true;
		w->earliest = iso_to_timestamptz(best->earliest);
	}
	if (best->latest)
	{
		w->has_latest = true;
		w->latest = iso_to_timestamptz(best->latest);
	}
}

/* A time for messages: UTC, ISO 8601, fractions only when there are some. */
static char *
utc_text(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		return pstrdup("(out of range)");
	if (fsec)
	{
		char	   *s = psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06d", tm.tm_year, tm.tm_mon,
								 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
		char	   *end = s + strlen(s) - 1;

		while (*end == '0')
			*end-- = '\0';
		return psprintf("%sZ", s);
	}
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec);
}

#define UNIX_EPOCH_OFFSET_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

static TimestampTz
from_unix_secs(int64 secs)
{
	return secs * USECS_PER_SEC - UNIX_EPOCH_OFFSET_USECS;
}

/*
 * The instant sent for restore_time t, in whole seconds since the Unix
 * epoch.  RDS takes the time to the second, as the SDKs send it.  A time
 * outside the window is refused, naming the window.  Inside it, the
 * second is t's own (t truncated: never later than asked, so nothing
 * written after t is restored), unless that falls before the earliest
 * restorable point, which has a fraction of its own: then the first whole
 * second of the window, less than a second after t.
 */
static int64
restore_instant(const RestoreArgs *a, const RestoreWindow *w)
{
	TimestampTz t = a->restore_time;
	int64		unix_usecs = t + UNIX_EPOCH_OFFSET_USECS;
	int64		secs = unix_usecs / USECS_PER_SEC;

	if (unix_usecs % USECS_PER_SEC < 0)
		secs--;

	if (!w->has_earliest || !w->has_latest)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s \"%s\" has no restore window", a->source_what, a->source),
				 w->retention_days == 0 ?
				 errdetail("Its automated backups are disabled (backup retention 0 days).") :
				 errdetail("RDS reports no %s restorable time for it yet.",
						   w->has_earliest ? "latest" : "earliest")));
	if (t < w->earliest || t > w->latest)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("restore_time %s is outside the restore window of %s \"%s\": %s to %s",
						utc_text(t), a->source_what, a->source,
						utc_text(w->earliest), utc_text(w->latest)),
				 errhint("%s shows the window; a NULL restore_time restores to the latest restorable time.",
						 a->source_param ? "rds_automated_backups()" : "rds_restore_window()")));
	if (from_unix_secs(secs) < w->earliest)
		secs++;
	if (from_unix_secs(secs) > w->latest)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the restore window of %s \"%s\" (%s to %s) holds no whole second near restore_time %s",
						a->source_what, a->source, utc_text(w->earliest),
						utc_text(w->latest), utc_text(t)),
				 errdetail("RDS takes restore times to the second.")));
	return secs;
}

/* operations.params: the request by AWS names, options included. */
static char *
restore_params(const RestoreArgs *a, bool use_latest, int64 secs)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	if (a->cluster)
	{
		appendStringInfo(&buf, "\"DBClusterIdentifier\":%s", json_string(a->target));
		appendStringInfo(&buf, ",\"%s\":%s",
						 a->pitr ? "SourceDBClusterIdentifier" : "SnapshotIdentifier",
						 json_string(a->source));
		if (a->engine)
			appendStringInfo(&buf, ",\"Engine\":%s", json_string(a->engine));
	}
	else
	{
		appendStringInfo(&buf, "\"%s\":%s",
						 a->pitr ? "TargetDBInstanceIdentifier" : "DBInstanceIdentifier",
						 json_string(a->target));
		appendStringInfo(&buf, ",\"%s\":%s",
						 a->source_param ? a->source_param :
						 a->pitr ? "SourceDBInstanceIdentifier" : "DBSnapshotIdentifier",
						 json_string(a->source));
		if (a->instance_class)
			appendStringInfo(&buf, ",\"DBInstanceClass\":%s", json_string(a->instance_class));
	}
	if (a->pitr && use_latest)
		appendStringInfoString(&buf, ",\"UseLatestRestorableTime\":true");
	else if (a->pitr)
		appendStringInfo(&buf, ",\"%s\":%s", a->cluster ? "RestoreToTime" : "RestoreTime",
						 json_string(utc_text(from_unix_secs(secs))));
	appendStringInfo(&buf, ",\"Tags\":%s", tags_to_json(a->tags));
	if (a->writer)
		appendStringInfo(&buf, ",\"WriterInstance\":%s,\"WriterInstanceClass\":%s",
						 json_string(a->writer), json_string(a->instance_class));
	options_append_params(&buf, a->options);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

static AwsRequest *
build_restore(OpStart *start, int64 op_id)
{
	RestoreArgs *a = start->arg;
	List	   *all_tags = tags_with_provenance(a->tags, GetUserNameFromId(GetUserId(), false),
												op_id);

	if (a->source_param)
		return rds_restore_pitr_from_backup_request(a->region, a->source_param, a->source,
													a->target, a->use_latest,
													(time_t) a->secs, a->instance_class,
													all_tags, a->options);
	if (a->pitr)
		return rds_restore_pitr_request(a->cluster, a->region, a->source, a->target,
										a->use_latest, (time_t) a->secs, a->instance_class,
										all_tags, a->options);
	return rds_restore_from_snapshot_request(a->cluster, a->region, a->target, a->source,
											 a->instance_class, a->engine, all_tags,
											 a->options);
}

/* Record the operation, make the restore call, record its outcome. */
static Datum
start_restore(FunctionCallInfo fcinfo, RestoreArgs *a, bool use_latest, int64 secs)
{
	OpStart		start;

	memset(&start, 0, sizeof(start));
	a->use_latest = use_latest;
	a->secs = secs;
	if (a->cluster)
		start.kind = a->pitr ? "restore_cluster_pitr" : "restore_cluster_snapshot";
	else
		start.kind = a->pitr ? "restore_pitr" : "restore_snapshot";
	start.region = a->region;
	start.resource = a->target;
	start.source = a->source;
	start.params_json = restore_params(a, use_latest, secs);
	start.wait = a->wait;
	start.timeout_secs = a->timeout_secs;
	start.build = build_restore;
	start.arg = a;
	return runner_start(fcinfo, &start);
}

/*
 * rds_restore_snapshot(snapshot, target, instance_class, options, wait,
 * timeout, region) and rds_restore_cluster_snapshot(...).
 */
static Datum
restore_from_snapshot(FunctionCallInfo fcinfo, bool cluster)
{
	RestoreArgs a;

	runner_check_ready();
	restore_args(fcinfo, cluster, false, &a);
	if (cluster)
	{
		if (a.engine == NULL)
			a.engine = cluster_snapshot_engine(&a);
		check_engine_takes_writer(&a, a.engine);
		if (a.writer)
			check_writer_free(&a);
	}
	return start_restore(fcinfo, &a, false, 0);
}

Datum
rds_restore_snapshot(PG_FUNCTION_ARGS)
{
	return restore_from_snapshot(fcinfo, false);
}

Datum
rds_restore_cluster_snapshot(PG_FUNCTION_ARGS)
{
	return restore_from_snapshot(fcinfo, true);
}

/*
 * rds_restore_pitr(source, target, restore_time, instance_class, options,
 * wait, timeout, region) and rds_restore_cluster_pitr(...).  A given
 * restore_time is checked against the source's window before anything is
 * started.
 */
static Datum
restore_to_point_in_time(FunctionCallInfo fcinfo, bool cluster)
{
	RestoreArgs a;
	RestoreWindow w;
	int64		secs = 0;

	runner_check_ready();
	restore_args(fcinfo, cluster, true, &a);
	if (a.source_param && a.has_time)
		fetch_backup_window(&a, &w);
	else if (a.has_time || a.writer)
		fetch_window(cluster, a.source, a.region, &w);
	if (a.has_time)
		secs = restore_instant(&a, &w);
	if (a.writer)
	{
		check_engine_takes_writer(&a, w.engine);
		check_writer_free(&a);
	}
	return start_restore(fcinfo, &a, !a.has_time, secs);
}

Datum
rds_restore_pitr(PG_FUNCTION_ARGS)
{
	return restore_to_point_in_time(fcinfo, false);
}

Datum
rds_restore_cluster_pitr(PG_FUNCTION_ARGS)
{
	return restore_to_point_in_time(fcinfo, true);
}

/*
 * rds_restore_window(db_identifier, cluster, region)
 *	 -> (earliest timestamptz, latest timestamptz, retention_days int)
 */
Datum
rds_restore_window(PG_FUNCTION_ARGS)
{
	char	   *identifier = arg_text(fcinfo, 0, "db_identifier");
	bool		cluster = arg_bool(fcinfo, 1, "cluster");
	char	   *region = arg_text_or_null(fcinfo, 2);
	RestoreWindow w;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3];

	runner_check_ready();
	validate_identifier("db_identifier", cluster ? "DB cluster identifier" :
						"DB instance identifier", identifier, RDS_MAX_DB_ID);
	region = endpoint_resolve_region(region);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "rds_restore_window called in a wrong context");

	fetch_window(cluster, identifier, region, &w);
	values[0] = TimestampTzGetDatum(w.earliest);
	nulls[0] = !w.has_earliest;
	values[1] = TimestampTzGetDatum(w.latest);
	nulls[1] = !w.has_latest;
	values[2] = Int32GetDatum(w.retention_days);
	nulls[2] = w.retention_days < 0;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
