/*-------------------------------------------------------------------------
 * automated.c
 *		rds_automated_backups(): the automated backups a region holds.
 *
 * An instance's own backups ("active"), those RDS keeps after the instance
 * was deleted ("retained"), and those replicated into this region from
 * another one ("pending", "replicating"): each can be restored to a point
 * in time by its ARN or resource id (rds_restore_pitr()).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "aws/endpoint.h"
#include "core/runner.h"
#include "rds/names.h"
#include "sql/args.h"
#include "sql/inventory.h"

PG_FUNCTION_INFO_V1(rds_automated_backups);

static void
put_text(Datum *values, bool *nulls, int i, const char *s)
{
	nulls[i] = s == NULL;
	if (s)
		values[i] = CStringGetTextDatum(s);
}

static void
put_time(Datum *values, bool *nulls, int i, const char *iso)
{
	nulls[i] = iso == NULL;
	if (iso)
		values[i] = TimestampTzGetDatum(iso_timestamptz(iso));
}

/*
 * rds_automated_backups(db_instance, region)
 *	 RETURNS TABLE (db_instance, region, status, arn, dbi_resource_id,
 *					earliest, latest, retention_days, encrypted, kms_key_id)
 */
Datum
rds_automated_backups(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *db_instance = arg_text_or_null(fcinfo, 0);
	char	   *region;
	List	   *backups;
	ListCell   *lc;

	runner_check_ready();
	if (db_instance)
		validate_identifier("db_instance", "DB instance identifier", db_instance,
							RDS_MAX_DB_ID);
	region = endpoint_resolve_region(arg_text_or_null(fcinfo, 1));
	InitMaterializedSRF(fcinfo, 0);

	backups = inventory_automated_backups(region, db_instance, NULL, NULL);
	foreach(lc, backups)
	{
		RdsAutomatedBackup *b = lfirst(lc);
		Datum		values[10];
		bool		nulls[10];

		memset(nulls, 0, sizeof(nulls));
		put_text(values, nulls, 0, b->db_instance);
		put_text(values, nulls, 1, b->region);
		put_text(values, nulls, 2, b->status);
		put_text(values, nulls, 3, b->arn);
		put_text(values, nulls, 4, b->dbi_resource_id);
		put_time(values, nulls, 5, b->earliest);
		put_time(values, nulls, 6, b->latest);
		values[7] = Int32GetDatum(b->retention_days);
		nulls[7] = b->retention_days < 0;
		values[8] = BoolGetDatum(b->encrypted);
		put_text(values, nulls, 9, b->kms_key_id);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
