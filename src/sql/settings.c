/*-------------------------------------------------------------------------
 * settings.c
 *		rds_set_retention(), rds_set_deletion_protection(): backup settings
 *		of a DB instance or DB cluster (ModifyDBInstance / ModifyDBCluster).
 *
 * Both record an operation of kind "modify" whose params are the request
 * plus "cluster", so tracking knows which Describe call to make and which
 * values to look for (track_modify_outcome).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "aws/endpoint.h"
#include "core/poll.h"
#include "core/runner.h"
#include "rds/actions.h"
#include "rds/names.h"
#include "rds/values.h"
#include "sql/args.h"

PG_FUNCTION_INFO_V1(rds_set_retention);
PG_FUNCTION_INFO_V1(rds_set_deletion_protection);

/* RDS keeps automated backups for at most this many days. */
#define RDS_MAX_RETENTION_DAYS	35

static void
add_expect(List **expect, const char *name, const char *value)
{
	TrackExpect *e = palloc(sizeof(TrackExpect));

	e->name = pstrdup(name);
	e->value = pstrdup(value);
	*expect = lappend(*expect, e);
}

/*
 * Record, send and evaluate one Modify call; the row comes back in_progress
 * until the resource is available with the new values in place.
 */
static char *
start_modify(const char *db_identifier, bool cluster, const RdsModify *m,
			 const char *region, double timeout_secs, const char *timeout,
			 Operation *op)
{
	StringInfoData params;
	List	   *expect = NIL;
	AwsRequest *req;
	AwsReply	reply;
	OpUpdate	ok = OP_UPDATE_INIT;

	initStringInfo(&params);
	appendStringInfo(&params, "{\"%s\":%s",
					 cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier",
					 json_string(db_identifier));
	if (m->retention >= 0)
	{
		char		days[16];

		snprintf(days, sizeof(days), "%d", m->retention);
		appendStringInfo(&params, ",\"BackupRetentionPeriod\":%s", days);
		add_expect(&expect, "BackupRetentionPeriod", days);
	}
	if (m->backup_window)
	{
		appendStringInfo(&params, ",\"PreferredBackupWindow\":%s",
						 json_string(m->backup_window));
		add_expect(&expect, "PreferredBackupWindow", m->backup_window);
	}
	if (m->deletion_protection >= 0)
	{
		const char *b = m->deletion_protection ? "true" : "false";

		appendStringInfo(&params, ",\"DeletionProtection\":%s", b);
		add_expect(&expect, "DeletionProtection", b);
	}
	appendStringInfo(&params, ",\"ApplyImmediately\":true,\"cluster\":%s}",
					 cluster ? "true" : "false");

	memset(op, 0, sizeof(*op));
	op->kind = "modify";
	op->region = region;
	op->resource = db_identifier;
	op->cluster = cluster;
	op->timeout_secs = timeout_secs;
	op->id = operation_insert(op->kind, region, db_identifier, NULL,
							  params.data, timeout);

	req = rds_modify_request(cluster, region, db_identifier, m);
	aws_call(req, &reply);
	if (reply.outcome == AWS_OK)
	{
		XNode	   *n = rds_read_modify_result(cluster, &reply);
		const TrackExpect *mismatch;

		ok.status = track_modify_outcome(n, cluster, expect, &mismatch);
		ok.aws_status = xnode_text(n, cluster ? "Status" : "DBInstanceStatus");
		ok.resource_arn = xnode_text(n, cluster ? "DBClusterArn" : "DBInstanceArn");
		ok.request_id = reply.request_id;
		if (strcmp(ok.status, "succeeded") == 0)
			ok.progress = 100;
		else if (strcmp(ok.status, "failed") == 0)
			ok.error = psprintf("AWS reports status \"%s\"", ok.aws_status);
	}
	return operation_record_start(op, req, &reply, &ok);
}

static Datum
finish(FunctionCallInfo fcinfo, const Operation *op, char *row, bool wait)
{
	if (wait)
		row = operation_wait(op);
	CHECK_FOR_INTERRUPTS();
	PG_RETURN_DATUM(catalog_row_datum(fcinfo, row));
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
	char	   *db_identifier = arg_text(fcinfo, 0, "db_identifier");
	int			days;
	bool		cluster = arg_bool(fcinfo, 2, "cluster");
	char	   *backup_window = arg_text_or_null(fcinfo, 3);
	bool		allow_disable = arg_bool(fcinfo, 4, "allow_disable");
	bool		wait = arg_bool(fcinfo, 5, "wait");
	double		timeout_secs;
	char	   *timeout = arg_timeout(fcinfo, 6, "timeout", &timeout_secs);
	char	   *region_arg = arg_text_or_null(fcinfo, 7);
	char	   *region;
	RdsModify	m = RDS_MODIFY_INIT;
	Operation	op;
	char	   *row;

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
	row = start_modify(db_identifier, cluster, &m, region, timeout_secs, timeout, &op);
	return finish(fcinfo, &op, row, wait);
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
	char	   *db_identifier = arg_text(fcinfo, 0, "db_identifier");
	bool		enabled = arg_bool(fcinfo, 1, "enabled");
	bool		cluster = arg_bool(fcinfo, 2, "cluster");
	char	   *region_arg = arg_text_or_null(fcinfo, 3);
	char	   *region;
	RdsModify	m = RDS_MODIFY_INIT;
	Operation	op;
	char	   *row;

	validate_db_identifier(db_identifier, cluster);
	region = endpoint_resolve_region(region_arg);

	m.deletion_protection = enabled ? 1 : 0;
	row = start_modify(db_identifier, cluster, &m, region, 3600.0, "1 hour", &op);
	return finish(fcinfo, &op, row, false);
}
