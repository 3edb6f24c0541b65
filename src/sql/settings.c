/*-------------------------------------------------------------------------
 * settings.c
 *		rds_set_retention(), rds_set_deletion_protection(): backup settings
 *		of a DB instance or DB cluster (ModifyDBInstance / ModifyDBCluster).
 *
 * Both record an operation of kind "modify" whose params are the request
 * plus "cluster", so tracking knows which Describe call to make and which
 * values to look for (core/poll.c).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "aws/endpoint.h"
#include "core/runner.h"
#include "rds/actions.h"
#include "rds/names.h"
#include "rds/values.h"
#include "sql/args.h"

PG_FUNCTION_INFO_V1(rds_set_retention);
PG_FUNCTION_INFO_V1(rds_set_deletion_protection);

/* RDS keeps automated backups for at most this many days. */
#define RDS_MAX_RETENTION_DAYS	35

typedef struct ModifyStart
{
	bool		cluster;
	RdsModify	m;
} ModifyStart;

static AwsRequest *
build_modify(OpStart *start, int64 op_id)
{
	ModifyStart *ms = start->arg;

	return rds_modify_request(ms->cluster, start->region, start->resource, &ms->m);
}

/*
 * Record and send one Modify call; the row comes back in_progress until
 * the resource is available with the new values in place.  The params
 * hold the values set, which tracking compares with AWS's.
 */
static Datum
start_modify(FunctionCallInfo fcinfo, const char *db_identifier, bool cluster,
			 const RdsModify *m, const char *region, bool wait, double timeout_secs)
{
	StringInfoData params;
	ModifyStart ms;
	OpStart		start;

	initStringInfo(&params);
	appendStringInfo(&params, "{\"%s\":%s",
					 cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier",
					 json_string(db_identifier));
	if (m->retention >= 0)
		appendStringInfo(&params, ",\"BackupRetentionPeriod\":%d", m->retention);
	if (m->backup_window)
		appendStringInfo(&params, ",\"PreferredBackupWindow\":%s",
						 json_string(m->backup_window));
	if (m->deletion_protection >= 0)
		appendStringInfo(&params, ",\"DeletionProtection\":%s",
						 m->deletion_protection ? "true" : "false");
	appendStringInfo(&params, ",\"ApplyImmediately\":true,\"cluster\":%s}",
					 cluster ? "true" : "false");

	ms.cluster = cluster;
	ms.m = *m;
	memset(&start, 0, sizeof(start));
	start.kind = "modify";
	start.region = region;
	start.resource = db_identifier;
	start.params_json = params.data;
	start.wait = wait;
	start.timeout_secs = timeout_secs;
	start.build = build_modify;
	start.arg = &ms;
	return runner_start(fcinfo, &start);
}

static void
validate_db_identifier(const char *value, bool cluster)
{
	validate_identifier("db_identifier",
						cluster ? "DB cluster identifier" : "DB instance identifier",
						value, RDS_MAX_DB_ID);
}

/*
 * rds_set_retention(db_identifier, days, cluster, backup_window,
 *					 allow_disable, wait, timeout, region)
 */
Datum
rds_set_retention(PG_FUNCTION_ARGS)
{
	char	   *db_identifier;
	int			days;
	bool		cluster = arg_bool(fcinfo, 2, "cluster");
	char	   *backup_window = arg_text_or_null(fcinfo, 3);
	bool		allow_disable = arg_bool(fcinfo, 4, "allow_disable");
	bool		wait = arg_bool(fcinfo, 5, "wait");
	double		timeout_secs;
	char	   *region_arg = arg_text_or_null(fcinfo, 7);
	char	   *region;
	RdsModify	m = RDS_MODIFY_INIT;

	runner_check_ready();
	db_identifier = arg_text(fcinfo, 0, "db_identifier");
	(void) arg_timeout(fcinfo, 6, "timeout", &timeout_secs);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("days must not be NULL")));
	days = PG_GETARG_INT32(1);

	validate_db_identifier(db_identifier, cluster);
	if (days < 0 || days > RDS_MAX_RETENTION_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days must be between 1 and %d, not %d", RDS_MAX_RETENTION_DAYS, days),
				 cluster ? 0 :
				 errhint("0 disables the automated backups of a DB instance, with allow_disable => true.")));
	if (days == 0 && cluster)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("automated backups of DB cluster \"%s\" cannot be disabled", db_identifier),
				 errdetail("Aurora and Multi-AZ DB clusters always keep automated backups, for 1 to %d days.",
						   RDS_MAX_RETENTION_DAYS)));
	if (days == 0 && !allow_disable)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days => 0 would disable automated backups of \"%s\"", db_identifier),
				 errdetail("That deletes its automated backups and ends point-in-time restore."),
				 errhint("Pass allow_disable => true if that is what you want.")));
	if (backup_window)
		validate_backup_window("backup_window", backup_window);
	region = endpoint_resolve_region(region_arg);

	m.retention = days;
	m.backup_window = backup_window;
	return start_modify(fcinfo, db_identifier, cluster, &m, region, wait, timeout_secs);
}

/*
 * rds_set_deletion_protection(db_identifier, enabled, cluster, region)
 *
 * AWS applies DeletionProtection at once, so the row normally comes back
 * succeeded; there is nothing to wait for.
 */
Datum
rds_set_deletion_protection(PG_FUNCTION_ARGS)
{
	char	   *db_identifier;
	bool		enabled = arg_bool(fcinfo, 1, "enabled");
	bool		cluster = arg_bool(fcinfo, 2, "cluster");
	char	   *region_arg = arg_text_or_null(fcinfo, 3);
	char	   *region;
	RdsModify	m = RDS_MODIFY_INIT;

	runner_check_ready();
	db_identifier = arg_text(fcinfo, 0, "db_identifier");
	validate_db_identifier(db_identifier, cluster);
	region = endpoint_resolve_region(region_arg);

	m.deletion_protection = enabled ? 1 : 0;
	return start_modify(fcinfo, db_identifier, cluster, &m, region, false, 0);
}
